/*
 * A growing NUL-terminated text that may hold keys: it never leaves a copy behind when it grows,
 * and is wiped when freed. Once an allocation fails it stays empty (buf NULL) and every append
 * is ignored, so builders check once at the end.
 */
#ifndef WGL_TEXT_H
#define WGL_TEXT_H

#include <stdbool.h>
#include <stddef.h>

struct wgl_text {
	char *buf;
	size_t len, cap;
	bool failed;
};

void wgl_text_init(struct wgl_text *text);
void wgl_text_append(struct wgl_text *text, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Raw bytes, which may include NULs and need no formatting. */
void wgl_text_append_bytes(struct wgl_text *text, const void *bytes, size_t len);
/* 0, or -ENOMEM when any append failed. */
int wgl_text_status(const struct wgl_text *text);
void wgl_text_free(struct wgl_text *text);

#endif
