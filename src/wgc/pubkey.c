/* `wgc pubkey`: a base64 private key on stdin, its public key on stdout. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/key.h"
#include "crypto/secret.h"
#include "crypto/x25519.h"
#include "wgc/commands.h"

/* The key and any trailing blanks (a newline, "\r\n"); anything longer is not a key. */
static int read_key_text(char *buf, size_t size)
{
	size_t len = 0;

	for (;;) {
		ssize_t n = read(STDIN_FILENO, buf + len, size - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == size - 1)
			return -EINVAL;
	}
	buf[len] = '\0';
	while (len && isspace((unsigned char)buf[len - 1]))
		buf[--len] = '\0';
	return 0;
}

static int derive(char public_text[WG_KEY_BASE64_LEN + 1])
{
	char text[128];
	uint8_t private_key[WG_KEY_LEN], public_key[WG_KEY_LEN];
	int ret = read_key_text(text, sizeof(text));

	if (!ret && !wg_key_from_base64(private_key, text))
		ret = -EINVAL;
	if (!ret && !wg_x25519_public(public_key, private_key))
		ret = -EINVAL;
	if (!ret)
		wg_key_to_base64(public_text, public_key);
	wg_secret_wipe(text, sizeof(text));
	wg_secret_wipe(private_key, sizeof(private_key));
	return ret;
}

int wgc_pubkey_main(int argc, char **argv)
{
	char text[WG_KEY_BASE64_LEN + 1];
	int ret;

	if (argc != 1) {
		fprintf(stderr, "Usage: wgc %s < private.key\n", argv[0]);
		return 1;
	}
	ret = derive(text);
	if (ret == -EINVAL) {
		fprintf(stderr, "wgc %s: stdin is not a base64 private key (44 characters)\n", argv[0]);
		return 1;
	}
	if (ret) {
		fprintf(stderr, "wgc %s: cannot read stdin: %s\n", argv[0], strerror(-ret));
		return 1;
	}
	if (puts(text) < 0 || fflush(stdout)) {
		fprintf(stderr, "wgc %s: cannot write the key: %s\n", argv[0], strerror(errno));
		return 1;
	}
	return 0;
}
