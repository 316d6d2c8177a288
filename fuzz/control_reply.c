/*
 * A get reply as a daemon sends it to libwgc's control client (what wgc_control_get and `wgc`
 * read): any bytes must parse or be refused without a crash or a leak. What parses must come
 * back the same through the formatter and the parser again (so nothing is half-read), and its
 * errno ending, when there is one, must decide the result.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/uapi.h"
#include "libwgc/control.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same(const struct wg_config_device *a, const struct wg_config_device *b)
{
	const struct wg_config_peer *p = a->first_peer, *q = b->first_peer;

	if (a->num_peers != b->num_peers || a->listen_port != b->listen_port || a->fwmark != b->fwmark)
		return false;
	for (; p && q; p = p->next, q = q->next)
		if (memcmp(p->public_key, q->public_key, 32) || p->num_allowedips != q->num_allowedips ||
		    p->rx_bytes != q->rx_bytes || p->tx_bytes != q->tx_bytes ||
		    p->last_handshake_time_sec != q->last_handshake_time_sec)
			return false;
	return !p && !q;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wg_config_device config, again;
	size_t len;
	char *text;
	int ret = wgl_control_parse_get((const char *)data, size, &config);

	if (ret > 0)
		__builtin_trap();
	if (!ret) {
		/* The daemon's view, formatted as a get reply and read back, is the same. */
		config.flags |= WG_DEVICE_HAS_LISTEN_PORT | WG_DEVICE_HAS_FWMARK;
		text = wg_uapi_format(&config, &len);
		if (!text)
			__builtin_trap();
		if (wgl_control_parse_get(text, len, &again) || !same(&config, &again))
			__builtin_trap();
		wg_config_free(&again);
		free(text);
	}
	wg_config_free(&config);
	return 0;
}
