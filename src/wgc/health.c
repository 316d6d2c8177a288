/* The handshake-age verdict shown by `wgc show`. */
#include "wgc/health.h"

enum wgc_health wgc_health_of(uint64_t last_handshake_sec, uint64_t now_sec)
{
	uint64_t age;

	if (!last_handshake_sec)
		return WGC_HEALTH_NEVER;
	if (last_handshake_sec >= now_sec)
		return WGC_HEALTH_HEALTHY;
	age = now_sec - last_handshake_sec;
	if (age < WGC_HEALTH_STALE_AFTER)
		return WGC_HEALTH_HEALTHY;
	return age <= WGC_HEALTH_DEAD_AFTER ? WGC_HEALTH_STALE : WGC_HEALTH_DEAD;
}

const char *wgc_health_name(enum wgc_health health)
{
	switch (health) {
	case WGC_HEALTH_HEALTHY:
		return "healthy";
	case WGC_HEALTH_STALE:
		return "stale";
	case WGC_HEALTH_DEAD:
		return "dead";
	case WGC_HEALTH_NEVER:
		break;
	}
	return "never connected";
}
