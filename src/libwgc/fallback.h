/*
 * Transport = auto, as a pure state machine on the engine's clock: a peer starts on UDP; when
 * WGL_FALLBACK_ATTEMPTS initiations over UDP in a row went unanswered (REKEY_TIMEOUT passed
 * after the last one, a retry is due) it moves to TCP, and the retry leaves over TCP; while on TCP it tries one handshake over UDP every probe interval, and moves back as
 * soon as anything authenticates over UDP (the probe's answer, or the peer itself). It also
 * follows the peer: whichever transport authenticated last is the one in use. Any handshake
 * counts, not only the first: a path that stops passing UDP mid-session falls back too.
 *
 * The engine feeds it the core's events and its own timer, and carries out what it returns
 * (peertransport.c); the unit tests drive it on virtual time.
 */
#ifndef WGL_FALLBACK_H
#define WGL_FALLBACK_H

#include <stdint.h>

#include "core/config.h"
#include "core/endpoint.h"

enum { WGL_FALLBACK_ATTEMPTS = 2, WGL_FALLBACK_PROBE_INTERVAL = 120 };

struct wgl_fallback {
	enum wg_transport_kind active;
	enum wg_transport_reason reason;
	unsigned unanswered;           /* on UDP: initiations since the last completed handshake.
	                                * Not the core's attempt count, which new traffic resets. */
	uint64_t next_probe;           /* on TCP: when to try UDP again; UINT64_MAX on UDP */
	unsigned probes;               /* on TCP: tries of UDP so far (an answer is "udp-answered";
	                                * UDP from the peer before any is the peer's choice) */
};

enum wgl_fallback_action {
	WGL_FALLBACK_STAY,
	WGL_FALLBACK_USE_TCP,          /* send over TCP from now on (the retry about to leave too) */
	WGL_FALLBACK_USE_UDP,          /* authenticated over UDP: it is the endpoint already */
	WGL_FALLBACK_FOLLOW_TCP,       /* the peer came over TCP: it is the endpoint already */
	WGL_FALLBACK_PROBE_UDP,        /* send one initiation over UDP */
};

/* On UDP, as configured. */
void wgl_fallback_start(struct wgl_fallback *f);
/* An initiation left over the transport in use. USE_TCP when, on UDP, two before it went
 * unanswered: it is to be repeated over TCP (the core rate-limits initiations to one per
 * REKEY_TIMEOUT, so those two had their time; new traffic may start this one before the retry
 * timer would). */
enum wgl_fallback_action wgl_fallback_initiated(struct wgl_fallback *f, uint64_t now, uint64_t probe_interval);
/* A handshake completed. */
void wgl_fallback_completed(struct wgl_fallback *f);
/* A handshake retry is due: the last initiation went unanswered for REKEY_TIMEOUT. */
enum wgl_fallback_action wgl_fallback_retry(struct wgl_fallback *f, uint64_t now, uint64_t probe_interval);
/* An authenticated message moved the peer's endpoint to this transport. */
enum wgl_fallback_action wgl_fallback_moved(struct wgl_fallback *f, enum wg_transport_kind to, uint64_t now,
					     uint64_t probe_interval);
/* The clock reached f->next_probe. */
enum wgl_fallback_action wgl_fallback_due(struct wgl_fallback *f, uint64_t now, uint64_t probe_interval);

#endif
