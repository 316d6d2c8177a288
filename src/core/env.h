/*
 * The core's whole view of the world. The core does no I/O and reads no clock: everything it
 * needs from outside comes through these callbacks, so tests run it on virtual time with a
 * seeded random source and an in-memory network.
 */
#ifndef WG_CORE_ENV_H
#define WG_CORE_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/endpoint.h"

struct wg_peer;
struct wg_event;

enum wg_log_level { WG_LOG_ERROR, WG_LOG_INFO, WG_LOG_DEBUG };

struct wg_env {
	void *ctx;
	/* Monotonic nanoseconds: every timer and age. Never goes backwards. */
	uint64_t (*now)(void *ctx);
	/* Unix time in nanoseconds: TAI64N timestamps and the last-handshake time shown to users. */
	uint64_t (*wall)(void *ctx);
	/* Cryptographically secure random bytes. */
	void (*random)(void *ctx, void *out, size_t len);
	/* Put one finished WireGuard message on the wire, for `peer` (NULL: a cookie reply).
	 * msg is valid only during the call. Returns 0 or -errno; bytes are counted as sent only
	 * on 0. An I/O layer that queues may report a later failure with wg_peer_send_failed(),
	 * for as long as it has not been told to forget the peer. */
	int (*send)(void *ctx, struct wg_peer *peer, const struct wg_endpoint *to, const uint8_t *msg, size_t len);
	/* Optional: the peer is about to be freed; nothing may refer to it after this returns. */
	void (*forget)(void *ctx, struct wg_peer *peer);
	/* Hand one decrypted, source-checked IP packet to the tunnel interface. */
	void (*deliver)(void *ctx, struct wg_peer *from, const uint8_t *packet, size_t len);
	/* Optional. Messages never contain key material. */
	void (*log)(void *ctx, enum wg_log_level level, const char *message);
	/* Optional: the tunnel interface's own address of this family (AF_INET: 4 bytes, AF_INET6:
	 * 16) into out, for echo probes (echo.h); false when it has none. */
	bool (*probe_source)(void *ctx, int family, uint8_t out[16]);
	/* Optional: what happened (events.h), as it happens. The event is valid during the call. */
	void (*event)(void *ctx, const struct wg_event *event);
};

#endif
