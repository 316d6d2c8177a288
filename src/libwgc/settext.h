/*
 * The body of a UAPI "set" request for a configuration: what `wg setconf` sends. The core's
 * wg_uapi_format writes a "get" reply instead (counters and handshake times, no replace_*
 * flags, zero values left out), which a set cannot carry.
 */
#ifndef WGL_SETTEXT_H
#define WGL_SETTEXT_H

#include "core/config.h"
#include "libwgc/text.h"

/* Appends the key=value lines (no "set=1", no closing blank line). It holds keys: free the text. */
void wgl_settext_format(struct wgl_text *text, const struct wg_config_device *config);

#endif
