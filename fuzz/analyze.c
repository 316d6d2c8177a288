/*
 * The whole of `wgc analyze` on any bytes as a capture file: the capture reader, the message
 * judge, the sessions, the handshakes opened with the golden captures' key logs (so mutated
 * handshakes and data of a real session reach the chain and the decryption), the text and
 * JSON reports, the KDF trace, obfuscated or not. The first byte picks the options. Never a
 * crash or a leak; the report goes to /dev/null.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "wgc/analysis.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Relative to the source tree, where `make fuzz-run` runs; without them, no keys. */
static const char *const keylogs[] = { "tests/vectors/analyze/psk-ping.keylog", "tests/vectors/analyze/wggo-ping.keylog" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], *argv[32];
	int argc = 0, fd;
	FILE *null;
	uint8_t options;

	if (!size)
		return 0;
	options = data[0];
	fd = memfd_create("capture", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	null = fopen("/dev/null", "w");
	argv[argc++] = "analyze";
	if (options & 1)
		argv[argc++] = "--json";
	if (options & 2)
		argv[argc++] = "--summary";
	if (options & 4)
		argv[argc++] = "--trace-kdf";
	for (int i = 0; i < 2; ++i) {
		if ((options & (8 << i)) && access(keylogs[i], R_OK) == 0) {
			argv[argc++] = "--keylog";
			argv[argc++] = (char *)keylogs[i];
		}
	}
	if (options & 32) {
		static char *const obfuscation[] = { "--obfuscation", "s1=15", "--obfuscation", "s2=18",
						     "--obfuscation", "h1=100-200", "--obfuscation", "h4=600-700" };

		memcpy(argv + argc, obfuscation, sizeof(obfuscation));
		argc += 8;
	}
	if (options & 64) {
		argv[argc++] = "--port";
		argv[argc++] = "10002";
	}
	argv[argc++] = path;
	wgc_analyze_run(null, null, argc, argv);
	fclose(null);
	close(fd);
	return 0;
}
