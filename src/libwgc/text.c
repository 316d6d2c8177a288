/* Growing texts that wipe what they leave behind, for configuration that carries keys. */
#include "libwgc/text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/secret.h"

void wgl_text_init(struct wgl_text *text)
{
	memset(text, 0, sizeof(*text));
}

/* Grows by copying by hand: realloc could leave the old bytes, keys among them, in freed memory. */
static bool reserve(struct wgl_text *text, size_t more)
{
	size_t cap;
	char *grown;

	if (text->failed)
		return false;
	if (text->len + more + 1 <= text->cap)
		return true;
	cap = 2 * (text->len + more + 1) + 256;
	grown = malloc(cap);
	if (grown && text->buf)
		memcpy(grown, text->buf, text->len + 1);
	else if (grown)
		grown[0] = '\0';
	if (text->buf)
		wg_secret_wipe(text->buf, text->cap);
	free(text->buf);
	text->buf = grown;
	text->cap = grown ? cap : 0;
	if (!grown) {
		text->len = 0;
		text->failed = true;
	}
	return grown != NULL;
}

void wgl_text_append(struct wgl_text *text, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(text, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(text->buf + text->len, text->cap - text->len, fmt, ap);
	va_end(ap);
	text->len += (size_t)n;
}

void wgl_text_append_bytes(struct wgl_text *text, const void *bytes, size_t len)
{
	if (!reserve(text, len))
		return;
	memcpy(text->buf + text->len, bytes, len);
	text->len += len;
	text->buf[text->len] = '\0';
}

int wgl_text_status(const struct wgl_text *text)
{
	return text->failed ? -ENOMEM : 0;
}

void wgl_text_free(struct wgl_text *text)
{
	if (text->buf)
		wg_secret_wipe(text->buf, text->cap);
	free(text->buf);
	wgl_text_init(text);
}
