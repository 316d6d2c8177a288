/*
 * The receiving side of the engine. wgl_ingress_batch (declared with the transport seam, for
 * transports to call) takes what arrived; the rest is the loop's: the handshakes its own queue
 * holds, a few per round, and the Diffie-Hellman workers, started once per engine (after any
 * fork: they are threads).
 */
#ifndef WGL_INGRESS_H
#define WGL_INGRESS_H

#include <stdbool.h>

struct wgl_engine;

/* Up to WGL_HANDSHAKES_PER_ROUND queued handshakes, between data batches. */
void wgl_ingress_handshakes(struct wgl_engine *engine);
/* Queued handshakes wait: the loop looks for events but does not sleep. */
bool wgl_ingress_pending(const struct wgl_engine *engine);
/* One worker per usable CPU, their results committed from the engine's epoll set; without
 * them (they could not start) the loop does the Diffie-Hellman itself. */
void wgl_ingress_start_workers(struct wgl_engine *engine);
void wgl_ingress_stop_workers(struct wgl_engine *engine);

#endif
