/*
 * A peer's health from the age of its latest handshake. A live session renews its handshake
 * at least every 2 minutes (REKEY_AFTER_TIME) while traffic flows, and keys expire at
 * 3 minutes (REJECT_AFTER_TIME); so under 3 minutes the tunnel is certainly usable, and
 * silence beyond 10 minutes means the peer is gone or unreachable.
 */
#ifndef WGC_HEALTH_H
#define WGC_HEALTH_H

#include <stdint.h>

enum wgc_health {
	WGC_HEALTH_NEVER,   /* no handshake ever completed */
	WGC_HEALTH_HEALTHY, /* age < 180 s (also a handshake "in the future", from clock skew) */
	WGC_HEALTH_STALE,   /* 180 s <= age <= 600 s */
	WGC_HEALTH_DEAD,    /* age > 600 s */
};

enum { WGC_HEALTH_STALE_AFTER = 180, WGC_HEALTH_DEAD_AFTER = 600 };

/* last_handshake_sec is Unix time, 0 for never; now_sec is Unix time. */
enum wgc_health wgc_health_of(uint64_t last_handshake_sec, uint64_t now_sec);
/* "healthy", "stale", "dead", "never connected". */
const char *wgc_health_name(enum wgc_health health);

#endif
