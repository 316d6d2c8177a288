# wgc: one Makefile, no configure step.
#   make              libwgc (build/libwgc.a, build/libwgc.so.0), the daemon build/wgcd, the tool build/wgc
#   make check        unit tests, the library's install check, then (as root) the namespace tests
#   make check SAN=1  the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make check-threads the tests of what runs on more than one thread, under ThreadSanitizer
#   make fuzz         build the libFuzzer targets (clang); make fuzz-run runs each briefly
#   make demo         installs what is missing, then a tunnel between two network namespaces
#   make bench        wgcd and wireguard-go side by side (BENCH=full for the long run)
#   make demo-virtual two cores on an in-memory network on virtual time, narrated
#   make examples     the example programs of <wgc.h> in build/examples/
#   make deps         install what building needs (Debian, as root)
#   make install      libwgc (headers, static and shared, wgc.pc), wgcd, wgc and man pages under PREFIX
#   V=1               show the commands

CC      ?= cc
V       ?= 0
SAN     ?= 0
Q        = $(if $(filter 1,$(V)),,@)
say      = $(if $(filter 1,$(V)),,@printf '  %-6s %s\n' $(1) $(2);)

WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wvla -Wno-missing-field-initializers
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE $(WARN) -Isrc -Iinclude
LDLIBS   = -lcrypto -pthread

ifeq ($(SAN),1)
BUILD   ?= build-san
CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
else ifeq ($(SAN),thread)
BUILD   ?= build-tsan
CFLAGS  += -fsanitize=thread -fno-omit-frame-pointer
LDFLAGS += -fsanitize=thread
else
BUILD   ?= build
endif

# libwgc: the crypto, the protocol core and the engine. Only what is marked WGC_EXPORT (the
# API of include/wgc.h) leaves the shared library; libwgc.map says the same to the linker.
LIB_SRC   = $(wildcard src/crypto/*.c) $(wildcard src/core/*.c) $(wildcard src/libwgc/*.c) \
            $(wildcard src/libwgc/offload/*.c)
LIB_OBJ   = $(LIB_SRC:%.c=$(BUILD)/%.o)
PIC_OBJ   = $(LIB_SRC:%.c=$(BUILD)/pic/%.o)
SONAME    = libwgc.so.0
SOVERSION = 0.1.0
TEST_SRC  = $(wildcard tests/*.c)
TOOLS_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/tools/*.c))
TEST_OBJ  = $(TEST_SRC:%.c=$(BUILD)/%.o)
EXAMPLES  = virtual_tunnel tunnel-manager embedded-pair
EXAMPLE_OBJ = $(EXAMPLES:%=$(BUILD)/examples/%.o)
WGCD_SRC  = $(wildcard src/wgcd/*.c)
WGCD_OBJ  = $(WGCD_SRC:%.c=$(BUILD)/%.o)
WGC_SRC   = $(wildcard src/wgc/*.c)
WGC_OBJ   = $(WGC_SRC:%.c=$(BUILD)/%.o)
FUZZ_SRC  = $(wildcard fuzz/*.c)
FUZZ_BIN  = $(FUZZ_SRC:fuzz/%.c=build-fuzz/%)
FUZZ_SECONDS ?= 20

all: $(BUILD)/libwgc.a $(BUILD)/$(SONAME) $(BUILD)/wgcd $(BUILD)/wgc

$(BUILD)/src/%.o: CFLAGS += -fvisibility=hidden
$(BUILD)/%.o: %.c
	$(call say,CC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/pic/%.o: %.c
	$(call say,CC,$< [pic])
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -fPIC -fvisibility=hidden -MMD -MP -c $< -o $@

$(BUILD)/libwgc.a: $(LIB_OBJ)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/$(SONAME): $(PIC_OBJ) src/libwgc/libwgc.map
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=src/libwgc/libwgc.map \
		-Wl,--no-undefined $(PIC_OBJ) $(LDLIBS) -o $@
	$(Q)ln -sf $(SONAME) $(BUILD)/libwgc.so

$(BUILD)/wgcd: $(WGCD_OBJ) $(BUILD)/libwgc.a
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# `wgc metrics --listen` serves HTTP with libmicrohttpd; `wgc analyze` reads captures with libpcap.
WGC_LIBS = -lmicrohttpd -lpcap
$(BUILD)/wgc: $(WGC_OBJ) $(BUILD)/libwgc.a
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) $(WGC_LIBS) -o $@

# Unit tests also cover the daemon's and the tool's own files, all but their main().
TOOL_OBJ  = $(filter-out $(BUILD)/src/wgcd/main.o $(BUILD)/src/wgc/wgc.o,$(WGCD_OBJ) $(WGC_OBJ))
$(BUILD)/tests/check: $(TEST_OBJ) $(TOOL_OBJ) $(BUILD)/libwgc.a
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) $(WGC_LIBS) -o $@

$(BUILD)/tests/%.o: CFLAGS += -DWGC_SOURCE_DIR='"$(CURDIR)"'

# The examples use <wgc.h> alone (virtual_tunnel, a core demo, borrows the tests' network).
$(BUILD)/examples/virtual_tunnel: $(BUILD)/examples/virtual_tunnel.o $(BUILD)/tests/netsim.o $(BUILD)/libwgc.a
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@
$(BUILD)/examples/tunnel-manager $(BUILD)/examples/embedded-pair: %: %.o $(BUILD)/libwgc.a
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@
examples: $(EXAMPLES:%=$(BUILD)/examples/%)

# Programs of the namespace tests, on <wgc.h> alone.
TEST_TOOLS = $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(wildcard tests/tools/*.c))
$(BUILD)/tests/tools/%: $(BUILD)/tests/tools/%.o $(BUILD)/libwgc.a
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@
test-tools: $(TEST_TOOLS)
.PRECIOUS: $(BUILD)/tests/tools/%.o

# Unit tests first, then the library as a user gets it (install, pkg-config, link, exports);
# the namespace tests need root and the real wg, wireguard-go and iperf3 (scripts/install-deps
# installs them). NETNS=0 skips them, NETNS_TESTS=name filters them.
# (The install check builds a plain library; under a sanitizer it is left out.)
check: $(BUILD)/tests/check $(BUILD)/wgcd $(BUILD)/wgc $(BUILD)/wgc-bench-handshake examples test-tools
	$(Q)$(BUILD)/tests/check $(TESTS)
	$(Q)$(BUILD)/examples/embedded-pair
	$(Q)if [ "$(SAN)" = 0 ]; then BUILD=$(CURDIR)/$(BUILD) tests/install.sh; fi
	$(Q)if [ "$(NETNS)" != 0 ]; then BUILD=$(CURDIR)/$(BUILD) tests/netns/run $(NETNS_TESTS); fi

# What runs on more than one thread (the Diffie-Hellman workers, a device's own thread)
# under ThreadSanitizer.
check-threads:
	$(Q)$(MAKE) --no-print-directory SAN=thread build-tsan/tests/check
	$(Q)build-tsan/tests/check dhworkers libwgc_thread

# The demo installs what is missing first (as root), so it works on a fresh machine by itself.
demo:
	$(Q)scripts/install-deps
	$(Q)$(MAKE) --no-print-directory $(BUILD)/wgcd $(BUILD)/wgc
	$(Q)BUILD=$(CURDIR)/$(BUILD) examples/netns-demo

$(BUILD)/wgc-bench-handshake: $(BUILD)/bench/handshake.o $(BUILD)/libwgc.a
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# wgcd and wireguard-go side by side (bench/run); BENCH=full for the longer run notes quote,
# BASELINE=/abs/other/build for an A/B run with another build's wgcd.
BENCH ?= quick
bench: $(BUILD)/wgcd $(BUILD)/wgc $(BUILD)/wgc-bench-handshake
	$(Q)BUILD=$(CURDIR)/$(BUILD) bench/run $(BENCH)

demo-virtual: $(BUILD)/examples/virtual_tunnel
	$(Q)$<

deps:
	$(Q)scripts/install-deps

PREFIX  ?= /usr/local
LIBDIR  ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
# Written for every install: its paths are the PREFIX of this one, not of the last.
$(BUILD)/wgc.pc: FORCE
	$(Q)mkdir -p $(BUILD)
	$(Q)printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCLUDEDIR)' '' \
		'Name: wgc' 'Description: WireGuard as a C library: in-process tunnels and control of running devices' \
		'Version: $(SOVERSION)' 'Requires.private: libcrypto' 'Cflags: -I$${includedir}' \
		'Libs: -L$${libdir} -lwgc' 'Libs.private: -pthread' >$@
FORCE:

install: $(BUILD)/wgcd $(BUILD)/wgc $(BUILD)/libwgc.a $(BUILD)/$(SONAME) $(BUILD)/wgc.pc
	install -D -m 0755 $(BUILD)/wgcd $(DESTDIR)$(PREFIX)/bin/wgcd
	install -D -m 0755 $(BUILD)/wgc $(DESTDIR)$(PREFIX)/bin/wgc
	install -D -m 0644 include/wgc.h $(DESTDIR)$(INCLUDEDIR)/wgc.h
	install -D -m 0644 $(BUILD)/libwgc.a $(DESTDIR)$(LIBDIR)/libwgc.a
	install -D -m 0755 $(BUILD)/$(SONAME) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libwgc.so
	install -D -m 0644 $(BUILD)/wgc.pc $(DESTDIR)$(LIBDIR)/pkgconfig/wgc.pc
	install -D -m 0644 docs/man/wgcd.8 $(DESTDIR)$(PREFIX)/share/man/man8/wgcd.8
	install -D -m 0644 docs/man/wgc.8 $(DESTDIR)$(PREFIX)/share/man/man8/wgc.8
	install -D -m 0644 docs/man/libwgc.3 $(DESTDIR)$(PREFIX)/share/man/man3/libwgc.3

# libFuzzer targets: the library is rebuilt with clang and fuzzing instrumentation.
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -Isrc -Iinclude -g -O1 -fsanitize=fuzzer,address,undefined \
              -fno-sanitize-recover=all -Wall -Wextra -Werror -Wno-missing-field-initializers
# Targets that need whole devices borrow the tests' in-memory network; the tool's config-file
# parser and the daemon's UAPI framing have targets too, so their files are linked in as well.
# `wgc analyze` has targets through its capture reader and through the whole of it (with libpcap).
ANALYZE_SRC = $(addprefix src/wgc/,analyze.c analysis_text.c analysis_json.c capture.c tcpframes.c decode.c \
              sessions.c chain.c keyring.c countertrack.c flows.c inner.c errmsg.c json.c)
FUZZ_LIB  = $(LIB_SRC) tests/netsim.c src/wgc/conffile.c src/wgc/secretfile.c src/wgcd/uapi.c src/wgcd/uapi_conn.c \
            src/wgcd/log.c $(ANALYZE_SRC)
# Each of those is compiled once and the objects linked into every target (compiling them per
# target took CI 80 s of its fuzz step).
FUZZ_OBJ  = $(FUZZ_LIB:%.c=build-fuzz/obj/%.o)
build-fuzz/obj/%.o: %.c
	$(call say,CC,$< [fuzz])
	$(Q)mkdir -p $(dir $@)
	$(Q)clang $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@
build-fuzz/%: build-fuzz/obj/fuzz/%.o $(FUZZ_OBJ)
	$(call say,FUZZ,$@)
	$(Q)clang $(FUZZ_CFLAGS) $^ -lcrypto -lpcap -pthread -o $@
.PRECIOUS: build-fuzz/obj/%.o

fuzz: $(FUZZ_BIN)

fuzz-run: fuzz
	$(Q)for f in $(FUZZ_BIN); do \
		n=$$(basename $$f); mkdir -p build-fuzz/corpus-$$n; \
		echo "  RUN    $$n ($(FUZZ_SECONDS) s)"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=0 build-fuzz/corpus-$$n fuzz/seeds/$$n \
			>build-fuzz/$$n.log 2>&1 || { tail -n 40 build-fuzz/$$n.log; exit 1; }; \
	done

clean:
	rm -rf build build-san build-tsan build-fuzz


.PHONY: FORCE all bench check check-threads demo demo-virtual deps examples test-tools install fuzz fuzz-run clean
-include $(FUZZ_OBJ:.o=.d) $(FUZZ_SRC:%.c=build-fuzz/obj/%.d) $(LIB_OBJ:.o=.d) $(PIC_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(TOOLS_OBJ:.o=.d) $(EXAMPLE_OBJ:.o=.d) $(WGCD_OBJ:.o=.d) \
         $(WGC_OBJ:.o=.d) $(BUILD)/bench/handshake.d
