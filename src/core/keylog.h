/*
 * Wireshark's WireGuard key log: per handshake, one side's four secrets as text lines
 *
 *   LOCAL_STATIC_PRIVATE_KEY = <base64>
 *   REMOTE_STATIC_PUBLIC_KEY = <base64>
 *   LOCAL_EPHEMERAL_PRIVATE_KEY = <base64>
 *   PRESHARED_KEY = <base64>
 *
 * which is what Wireshark's dissector (wg.keylog_file) and `wgc analyze --keylog` need to
 * rebuild the handshake and its session keys. A PRESHARED_KEY belongs to the
 * LOCAL_EPHEMERAL_PRIVATE_KEY line before it. The daemon formats; the analyzer parses.
 * Every buffer here holds secrets: callers wipe them (crypto/secret.h, wg_secret_wipe).
 */
#ifndef WG_CORE_KEYLOG_H
#define WG_CORE_KEYLOG_H

#include <stddef.h>
#include <stdint.h>

#include "core/events.h"

enum wg_keylog_kind {
	WG_KEYLOG_LOCAL_STATIC_PRIVATE,
	WG_KEYLOG_REMOTE_STATIC_PUBLIC,
	WG_KEYLOG_LOCAL_EPHEMERAL_PRIVATE,
	WG_KEYLOG_PRESHARED,
};

/* Four lines of at most 27 + 3 + 44 + 1 characters, and a NUL. */
enum { WG_KEYLOG_ENTRY_MAX = 4 * 75 + 1 };

struct wg_keylog_line {
	enum wg_keylog_kind kind;
	uint8_t key[32];
};

/* One handshake's four lines, each ending in '\n', into out; returns their length. */
size_t wg_keylog_format(char out[WG_KEYLOG_ENTRY_MAX], const struct wg_session_keys *keys);

/*
 * One line of a key log (without its '\n'; a trailing '\r' is allowed). 1 for a key line,
 * 0 for a blank or '#' comment line, -EINVAL with *error saying what is wrong with it
 * (an unknown name, no '=', a value that is not 32 bytes of base64). What Wireshark reads is
 * read: blanks before the name and around '=', the names in upper case exactly; the key must
 * end the line. *error is a static string that never quotes the line; *out is written only
 * on 1. The key's text is decoded in constant time.
 */
int wg_keylog_parse_line(struct wg_keylog_line *out, const char *line, size_t len, const char **error);

#endif
