#include "libwgc/fallback.h"

void wgl_fallback_start(struct wgl_fallback *f)
{
	*f = (struct wgl_fallback){ .active = WG_TRANSPORT_UDP, .reason = WG_TRANSPORT_CONFIGURED,
				    .next_probe = UINT64_MAX };
}

static void on_tcp(struct wgl_fallback *f, enum wg_transport_reason reason, uint64_t now, uint64_t probe_interval)
{
	f->active = WG_TRANSPORT_TCP;
	f->unanswered = 0;
	f->probes = 0;
	f->reason = reason;
	f->next_probe = now + probe_interval;
}

enum wgl_fallback_action wgl_fallback_initiated(struct wgl_fallback *f, uint64_t now, uint64_t probe_interval)
{
	if (f->active != WG_TRANSPORT_UDP)
		return WGL_FALLBACK_STAY;
	if (f->unanswered < WGL_FALLBACK_ATTEMPTS) {
		++f->unanswered;
		return WGL_FALLBACK_STAY;
	}
	on_tcp(f, WG_TRANSPORT_UDP_UNANSWERED, now, probe_interval);
	return WGL_FALLBACK_USE_TCP;
}

void wgl_fallback_completed(struct wgl_fallback *f)
{
	f->unanswered = 0;
}

enum wgl_fallback_action wgl_fallback_retry(struct wgl_fallback *f, uint64_t now, uint64_t probe_interval)
{
	if (f->active != WG_TRANSPORT_UDP || f->unanswered < WGL_FALLBACK_ATTEMPTS)
		return WGL_FALLBACK_STAY;
	on_tcp(f, WG_TRANSPORT_UDP_UNANSWERED, now, probe_interval);
	return WGL_FALLBACK_USE_TCP;
}

enum wgl_fallback_action wgl_fallback_moved(struct wgl_fallback *f, enum wg_transport_kind to, uint64_t now,
					     uint64_t probe_interval)
{
	if (to == f->active)
		return WGL_FALLBACK_STAY;
	if (to == WG_TRANSPORT_TCP) {
		on_tcp(f, WG_TRANSPORT_PEER_CHOSE, now, probe_interval);
		return WGL_FALLBACK_FOLLOW_TCP;
	}
	f->active = WG_TRANSPORT_UDP;
	f->unanswered = 0;
	f->reason = f->probes ? WG_TRANSPORT_UDP_ANSWERED : WG_TRANSPORT_PEER_CHOSE;
	f->next_probe = UINT64_MAX;
	return WGL_FALLBACK_USE_UDP;
}

enum wgl_fallback_action wgl_fallback_due(struct wgl_fallback *f, uint64_t now, uint64_t probe_interval)
{
	if (f->active != WG_TRANSPORT_TCP || now < f->next_probe)
		return WGL_FALLBACK_STAY;
	f->next_probe = now + probe_interval;
	++f->probes;
	return WGL_FALLBACK_PROBE_UDP;
}
