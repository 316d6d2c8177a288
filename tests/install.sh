#!/usr/bin/env bash
# libwgc as a program gets it: `make install PREFIX=...` into a scratch directory, then a
# program that includes <wgc.h> is built with nothing but `pkg-config --cflags --libs wgc`
# (shared) and `--static` (static), and run; the shared library exports only wgc_* symbols
# and carries its soname. Prints "install: ok" or what failed; exits non-zero on failure.
#   BUILD=/abs/build tests/install.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$here/build}
tmp=$(mktemp -d /tmp/wgc-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "install: FAIL $*"; exit 1; }
command -v pkg-config >/dev/null || fail "pkg-config is missing (scripts/install-deps installs it)"

make -s -C "$here" BUILD="$BUILD" PREFIX="$tmp/p" install >"$tmp/install.log" 2>&1 ||
	fail "make install: $(tail -n 5 "$tmp/install.log")"
for f in include/wgc.h lib/libwgc.a lib/libwgc.so.0 lib/libwgc.so lib/pkgconfig/wgc.pc share/man/man3/libwgc.3; do
	[ -e "$tmp/p/$f" ] || fail "make install did not install $f"
done

cat >"$tmp/prog.c" <<'PROG'
#include <stdio.h>
#include <string.h>
#include <wgc.h>

int main(void)
{
	uint8_t key[WGC_KEY_LEN], pub[WGC_KEY_LEN];
	char text[WGC_KEY_BASE64_LEN + 1];
	struct wgc_device_options o = { .size = sizeof(o), .tun = WGC_TUN_NONE };
	struct wgc_device *device;
	struct wgc_config *config;

	if (wgc_api_version() != WGC_API_VERSION || wgc_key_generate(key) || wgc_key_public(pub, key))
		return 1;
	wgc_key_to_base64(text, pub);
	if (wgc_device_new(&device, &o) || wgc_config_new(&config) || wgc_config_set_private_key(config, key) ||
	    wgc_device_configure(device, config))
		return 1;
	wgc_config_free(config);
	if (wgc_device_get(device, &config) || !wgc_config_public_key(config, key) || !wgc_key_equal(key, pub))
		return 1;
	wgc_config_free(config);
	wgc_device_free(device);
	printf("%s\n", text);
	return 0;
}
PROG
export PKG_CONFIG_PATH="$tmp/p/lib/pkgconfig"
cflags=$(pkg-config --cflags wgc) || fail "pkg-config --cflags wgc"
# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror $cflags "$tmp/prog.c" $(pkg-config --libs wgc) -o "$tmp/prog" 2>"$tmp/cc.log" ||
	fail "building against the shared library: $(cat "$tmp/cc.log")"
# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror $cflags "$tmp/prog.c" -Wl,-Bstatic $(pkg-config --libs-only-L --libs-only-l wgc) \
	-Wl,-Bdynamic $(pkg-config --static --libs-only-other --libs-only-l libcrypto) -pthread -o "$tmp/prog-static" \
	2>"$tmp/cc.log" || fail "building against the static library: $(cat "$tmp/cc.log")"
# The header alone holds to the strictest C and compiles as C++.
cc -std=c11 -Wall -Wextra -Wpedantic -Werror -fsyntax-only $cflags "$tmp/prog.c" 2>"$tmp/cc.log" ||
	fail "<wgc.h> under -std=c11 -Wpedantic: $(cat "$tmp/cc.log")"
if command -v g++ >/dev/null; then
	printf '#include <wgc.h>\nint main() { return wgc_api_version() == WGC_API_VERSION ? 0 : 1; }\n' >"$tmp/prog.cc"
	g++ -std=c++11 -Wall -Wextra -Wpedantic -Werror -fsyntax-only $cflags "$tmp/prog.cc" 2>"$tmp/cc.log" ||
		fail "<wgc.h> as C++: $(cat "$tmp/cc.log")"
fi
out=$(LD_LIBRARY_PATH="$tmp/p/lib" "$tmp/prog") || fail "the program built against libwgc.so failed"
[ ${#out} = 44 ] || fail "the program printed \"$out\", not a key"
"$tmp/prog-static" >/dev/null || fail "the program built against libwgc.a failed"
ldd "$tmp/prog-static" | grep -q libwgc && fail "the static build still needs libwgc.so"
LD_LIBRARY_PATH="$tmp/p/lib" ldd "$tmp/prog" | grep -q "libwgc.so.0 => $tmp/p/lib/libwgc.so.0" ||
	fail "the shared build does not load the installed libwgc.so.0"

others=$(nm -D --defined-only "$tmp/p/lib/libwgc.so.0" | awk '{ print $3 }' | grep -v '^wgc_' || true)
[ -z "$others" ] || fail "libwgc.so.0 exports more than wgc_*: $(echo $others | head -c 300)"
readelf -d "$tmp/p/lib/libwgc.so.0" | grep -q 'SONAME.*\[libwgc.so.0\]' || fail "libwgc.so.0 has no soname libwgc.so.0"
echo "install: ok ($(nm -D --defined-only "$tmp/p/lib/libwgc.so.0" | wc -l) symbols exported, all wgc_*)"
