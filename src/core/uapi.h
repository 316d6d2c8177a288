/*
 * The text of the cross-platform userspace API (wireguard.com/xplatform) that `wg` speaks:
 * "set" lines parsed into a configuration, and a configuration rendered as a "get" reply.
 * The socket itself belongs to the daemon.
 *
 * Parsing is incremental, one line at a time as they arrive, and stops at the first error,
 * which names the line, the key, and what was wrong (never a key's value).
 */
#ifndef WG_CORE_UAPI_H
#define WG_CORE_UAPI_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"

struct wg_uapi_parser {
	struct wg_config_device *config;
	struct wg_config_peer *peer; /* the peer the lines describe; NULL before a public_key */
	unsigned line;
	int error;                   /* 0, or the first error as -errno */
	char message[160];
};

void wg_uapi_parser_init(struct wg_uapi_parser *parser, struct wg_config_device *config);
/* One line without its newline. 0, or -EINVAL/-ENOMEM (also for every line after an error). */
int wg_uapi_parse_line(struct wg_uapi_parser *parser, const char *line);
/* Every line of a text, as if each were given to wg_uapi_parse_line. A NUL byte, or a line
 * longer than WG_UAPI_LINE_MAX, is an error. 0 or the first error. */
int wg_uapi_parse_text(struct wg_uapi_parser *parser, const char *text, size_t len);

/* Long enough for an I1..I5 signature of a few kilobytes in hex. */
enum { WG_UAPI_LINE_MAX = 8191 };

/* The extensions' words: transport modes "udp", "tcp", "auto"; the reasons a transport is in
 * use ("configured", "udp-unanswered", "udp-answered", "peer-chose"). */
const char *wg_uapi_transport_mode_name(enum wg_transport_mode mode);
bool wg_uapi_parse_transport_mode(const char *text, enum wg_transport_mode *mode);
const char *wg_uapi_transport_reason_name(enum wg_transport_reason reason);

/* A probe address, numeric IPv4 or IPv6; the empty text is "none" (family 0). */
bool wg_uapi_parse_probe(const char *text, struct wg_config_probe *out);

/* The get reply's key=value lines (without the closing errno line), NUL-terminated, or NULL
 * when out of memory. It holds the private key: wipe it (length *len) before freeing. */
char *wg_uapi_format(const struct wg_config_device *config, size_t *len);

#endif
