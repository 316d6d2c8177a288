/*
 * Wireshark's WireGuard key log, both ways. The lines are what Wireshark's dissector reads and
 * the kernel's contrib/extract-handshakes produces: "NAME = KEY", blanks before the name and
 * around '=' ignored, the names exact (upper case), the key 44 characters of base64 and
 * nothing after it but an optional '\r'. Wireshark skips any other line silently; this parser
 * says what is wrong with it instead, and takes blank and '#' lines as comments. No message
 * quotes the line: it may hold a key.
 */
#include "core/keylog.h"

#include <errno.h>
#include <string.h>

#include "core/key.h"
#include "crypto/secret.h"

struct name {
	const char *text;
	size_t len;
};

/* By enum wg_keylog_kind. */
static const struct name names[] = {
	[WG_KEYLOG_LOCAL_STATIC_PRIVATE] = { "LOCAL_STATIC_PRIVATE_KEY", 24 },
	[WG_KEYLOG_REMOTE_STATIC_PUBLIC] = { "REMOTE_STATIC_PUBLIC_KEY", 24 },
	[WG_KEYLOG_LOCAL_EPHEMERAL_PRIVATE] = { "LOCAL_EPHEMERAL_PRIVATE_KEY", 27 },
	[WG_KEYLOG_PRESHARED] = { "PRESHARED_KEY", 13 },
};

/* The key's text goes straight into out: its NUL lands where the '\n' then goes. */
static size_t format_line(char *out, enum wg_keylog_kind kind, const uint8_t key[WG_KEY_LEN])
{
	size_t n = names[kind].len;

	memcpy(out, names[kind].text, n);
	memcpy(out + n, " = ", 3);
	n += 3;
	wg_key_to_base64(out + n, key);
	n += WG_KEY_BASE64_LEN;
	out[n++] = '\n';
	return n;
}

size_t wg_keylog_format(char out[WG_KEYLOG_ENTRY_MAX], const struct wg_session_keys *keys)
{
	size_t n = 0;

	n += format_line(out + n, WG_KEYLOG_LOCAL_STATIC_PRIVATE, keys->local_static_private);
	n += format_line(out + n, WG_KEYLOG_REMOTE_STATIC_PUBLIC, keys->remote_static_public);
	n += format_line(out + n, WG_KEYLOG_LOCAL_EPHEMERAL_PRIVATE, keys->local_ephemeral_private);
	n += format_line(out + n, WG_KEYLOG_PRESHARED, keys->preshared_key);
	out[n] = '\0';
	return n;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int kind_of(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); ++i)
		if (len == names[i].len && !memcmp(name, names[i].text, len))
			return (int)i;
	return -1;
}

static int refuse(const char **error, const char *why)
{
	if (error)
		*error = why;
	return -EINVAL;
}

/* The value's text is copied to be NUL-terminated for the constant-time decoder, and wiped. */
static int parse_key(uint8_t key[WG_KEY_LEN], const char *value, size_t len, const char **error)
{
	char text[WG_KEY_BASE64_LEN + 1];
	bool ok;

	if (!len)
		return refuse(error, "no key after '='");
	if (len != WG_KEY_BASE64_LEN)
		return refuse(error, "the key is not 44 characters long (32 bytes in base64, nothing after it)");
	memcpy(text, value, len);
	text[len] = '\0';
	ok = wg_key_from_base64(key, text);
	wg_secret_wipe(text, sizeof(text));
	return ok ? 1 : refuse(error, "the key is not 32 bytes of base64");
}

int wg_keylog_parse_line(struct wg_keylog_line *out, const char *line, size_t len, const char **error)
{
	const char *end, *equals, *name_end, *value;
	uint8_t key[WG_KEY_LEN]; /* out->key only once the line is good: wiped */
	int kind, ret;

	if (len && line[len - 1] == '\r')
		--len;
	end = line + len;
	while (line < end && is_blank(*line))
		++line;
	if (line == end || *line == '#')
		return 0;
	equals = memchr(line, '=', (size_t)(end - line));
	if (!equals)
		return refuse(error, "no '=' (expected NAME = KEY)");
	for (name_end = equals; name_end > line && is_blank(name_end[-1]);)
		--name_end;
	if (name_end == line)
		return refuse(error, "no name before '='");
	/* "NAME KEY=": the '=' found is the key's padding. */
	if (memchr(line, ' ', (size_t)(name_end - line)) || memchr(line, '\t', (size_t)(name_end - line)))
		return refuse(error, "a blank inside the name, or no '=' after it (expected NAME = KEY)");
	kind = kind_of(line, (size_t)(name_end - line));
	if (kind < 0)
		return refuse(error, "unknown name (expected LOCAL_STATIC_PRIVATE_KEY, REMOTE_STATIC_PUBLIC_KEY, "
				     "LOCAL_EPHEMERAL_PRIVATE_KEY or PRESHARED_KEY)");
	for (value = equals + 1; value < end && is_blank(*value);)
		++value;
	ret = parse_key(key, value, (size_t)(end - value), error);
	if (ret == 1) {
		out->kind = (enum wg_keylog_kind)kind;
		memcpy(out->key, key, sizeof(out->key));
	}
	wg_secret_wipe(key, sizeof(key));
	return ret;
}
