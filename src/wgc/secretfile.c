/* Files that hold keys, read without leaving copies of their text behind. */
#include "wgc/secretfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "crypto/secret.h"

int wgc_secret_file_read(const char *path, size_t max, struct wgl_text *text)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;
	char buf[4096]; /* wiped before return: it held the file's text */
	ssize_t n;

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || text->len + (size_t)n > max) {
			ret = n < 0 ? -errno : -EFBIG;
			break;
		}
		wgl_text_append_bytes(text, buf, (size_t)n);
	}
	wg_secret_wipe(buf, sizeof(buf));
	close(fd);
	return ret ? ret : wgl_text_status(text);
}

int wgc_secret_file_lines(char *text, size_t len, int (*fn)(void *ctx, char *line, size_t number), void *ctx)
{
	char *line = text, *end = text + len;
	size_t number = 0;
	int ret = 0;

	while (!ret && line < end) {
		char *newline = memchr(line, '\n', (size_t)(end - line));

		if (newline)
			*newline = '\0';
		ret = fn(ctx, line, ++number);
		line = newline ? newline + 1 : end;
	}
	return ret;
}
