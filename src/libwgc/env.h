/* The core's environment (clock, randomness, transports, tunnel, log, events) for an engine. */
#ifndef WGL_ENV_H
#define WGL_ENV_H

#include "core/env.h"

struct wgl_engine;

struct wg_env wgl_env(struct wgl_engine *engine);
/* The system's monotonic clock, in nanoseconds. */
uint64_t wgl_monotonic_now(void);
/* Kernel randomness, never fewer bytes than asked for. Safe on any thread. */
void wgl_random_bytes(void *ctx, void *out, size_t len);

#endif
