/* `wgc genkey` and `wgc genpsk`: 32 random bytes in base64, a private key clamped as X25519 wants. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/key.h"
#include "crypto/secret.h"
#include "crypto/x25519.h"
#include "wgc/commands.h"

/* getrandom may return fewer bytes when interrupted; it never fails once the pool is ready. */
static int random_bytes(uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = getrandom(buf, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Straight to the descriptor: stdio's buffer would keep the key's text until exit. */
static int write_line(const char *text, size_t len)
{
	while (len) {
		ssize_t n = write(STDOUT_FILENO, text, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		text += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A key written into a file others can read is as good as published. */
static void warn_if_readable(void)
{
	struct stat st;

	if (!fstat(STDOUT_FILENO, &st) && S_ISREG(st.st_mode) && (st.st_mode & (S_IRWXG | S_IRWXO)))
		fputs("Warning: writing to a group or world accessible file.\n"
		      "Consider setting the umask to 077 and trying again.\n", stderr);
}

static int generate(const char *cmd, int argc, bool clamp)
{
	uint8_t key[WG_KEY_LEN];
	char text[WG_KEY_BASE64_LEN + 2];
	int ret;

	if (argc != 1) {
		fprintf(stderr, "Usage: wgc %s\n", cmd);
		return 1;
	}
	warn_if_readable();
	ret = random_bytes(key, sizeof(key));
	if (ret) {
		fprintf(stderr, "wgc %s: cannot get random bytes: %s\n", cmd, strerror(-ret));
		return 1;
	}
	if (clamp)
		wg_x25519_clamp(key);
	wg_key_to_base64(text, key);
	text[WG_KEY_BASE64_LEN] = '\n';
	ret = write_line(text, WG_KEY_BASE64_LEN + 1) ? 1 : 0;
	if (ret)
		fprintf(stderr, "wgc %s: cannot write the key: %s\n", cmd, strerror(errno));
	wg_secret_wipe(key, sizeof(key));
	wg_secret_wipe(text, sizeof(text));
	return ret;
}

int wgc_genkey_main(int argc, char **argv)
{
	return generate(argv[0], argc, true);
}

int wgc_genpsk_main(int argc, char **argv)
{
	return generate(argv[0], argc, false);
}
