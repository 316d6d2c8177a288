/*
 * The public API's objects (include/wgc.h) as the library sees them: each a thin wrapper of
 * the engine's or the core's own, so the API adds checking and locking, not another model.
 * WGC_EXPORT marks what the shared library exports; everything else is hidden.
 */
#ifndef WGL_API_H
#define WGL_API_H

#include "core/config.h"
#include "libwgc/engine.h"
#include "wgc.h"

#define WGC_EXPORT __attribute__((visibility("default")))

struct wgc_config {
	struct wg_config_device model;
};

/* A core configuration peer: the address of one is the address of the other. */
struct wgc_peer {
	struct wg_config_peer model;
};

struct wgc_device {
	struct wgl_engine engine;
	struct wgc_device_options user; /* its callbacks, which the engine's call through adapters */
};

struct wgc_names {
	char **names;
	size_t count;
};

/* An endpoint as text for the API's getters: -ENOENT when not present (or unset), -ENOSPC
 * when it does not fit. */
int wgl_api_endpoint_text(const struct wg_endpoint *endpoint, bool present, char *text, size_t size);

/* A new public configuration taking over a core model (which is left empty). */
int wgl_api_config_from_model(struct wg_config_device *model, struct wgc_config **out);

#endif
