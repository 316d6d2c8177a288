/*
 * Reading a file that holds keys (a configuration file, a key log, a private key file) into a
 * buffer of our own that grows without leaving copies and is wiped when freed: stdio's buffer
 * and getline's would be freed with the keys' text still in them.
 */
#ifndef WGC_SECRETFILE_H
#define WGC_SECRETFILE_H

#include <stddef.h>

#include "libwgc/text.h"

/* The whole file (at most max bytes) appended to text. 0, -EFBIG, -ENOMEM or -errno. */
int wgc_secret_file_read(const char *path, size_t max, struct wgl_text *text);

/* Each line of len bytes of text (without its '\n') in turn, up to a NUL as a C string ends;
 * fn returns 0 to go on. Returns what fn returned last. */
int wgc_secret_file_lines(char *text, size_t len, int (*fn)(void *ctx, char *line, size_t number), void *ctx);

#endif
