/*
 * The engine's monitoring report (core/monitor.h): every peer as the core monitors it, and the
 * device's counters by name, the core's and the engine's and its transports' together.
 */
#ifndef WGL_MONITOR_H
#define WGL_MONITOR_H

#include <stdbool.h>

#include "core/monitor.h"

struct wgl_engine;

/* Under the engine's lock; each peer's transitions too with `history`. 0 or -ENOMEM (then free
 * what *out holds). */
int wgl_engine_monitor(struct wgl_engine *engine, bool history, struct wg_monitor_report *out);

#endif
