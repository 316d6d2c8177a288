# wgc: one Makefile, no configure step.
#   make              build the core library, the daemon build/wgcd and the tool build/wgc
#   make check        unit tests, then (as root) the network-namespace tests in tests/netns
#   make check SAN=1  the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make check-threads the tests of what runs on more than one thread, under ThreadSanitizer
#   make fuzz         build the libFuzzer targets (clang); make fuzz-run runs each briefly
#   make demo         installs what is missing, then a tunnel between two network namespaces
#   make bench        wgcd and wireguard-go side by side (BENCH=full for the long run)
#   make demo-virtual two cores on an in-memory network on virtual time, narrated
#   make deps         install what building needs (Debian, as root)
#   make install      wgcd, wgc and their man pages under PREFIX (/usr/local)
#   V=1               show the commands

CC      ?= cc
V       ?= 0
SAN     ?= 0
Q        = $(if $(filter 1,$(V)),,@)
say      = $(if $(filter 1,$(V)),,@printf '  %-6s %s\n' $(1) $(2);)

WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wvla -Wno-missing-field-initializers
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE $(WARN) -Isrc
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

CORE_SRC  = $(wildcard src/crypto/*.c) $(wildcard src/core/*.c)
CORE_OBJ  = $(CORE_SRC:%.c=$(BUILD)/%.o)
TEST_SRC  = $(wildcard tests/*.c)
TEST_OBJ  = $(TEST_SRC:%.c=$(BUILD)/%.o)
EXAMPLE_OBJ = $(BUILD)/examples/virtual_tunnel.o
WGCD_SRC  = $(wildcard src/wgcd/*.c)
WGCD_OBJ  = $(WGCD_SRC:%.c=$(BUILD)/%.o)
WGC_SRC   = $(wildcard src/wgc/*.c)
WGC_OBJ   = $(WGC_SRC:%.c=$(BUILD)/%.o)
FUZZ_SRC  = $(wildcard fuzz/*.c)
FUZZ_BIN  = $(FUZZ_SRC:fuzz/%.c=build-fuzz/%)
FUZZ_SECONDS ?= 20

all: $(BUILD)/libwgccore.a $(BUILD)/wgcd $(BUILD)/wgc

$(BUILD)/%.o: %.c
	$(call say,CC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libwgccore.a: $(CORE_OBJ)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/wgcd: $(WGCD_OBJ) $(BUILD)/libwgccore.a
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/wgc: $(WGC_OBJ) $(BUILD)/libwgccore.a
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# Unit tests also cover the daemon's and the tool's own files, all but their main().
TOOL_OBJ  = $(filter-out $(BUILD)/src/wgcd/main.o $(BUILD)/src/wgc/wgc.o,$(WGCD_OBJ) $(WGC_OBJ))
$(BUILD)/tests/check: $(TEST_OBJ) $(TOOL_OBJ) $(BUILD)/libwgccore.a
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/%.o: CFLAGS += -DWGC_SOURCE_DIR='"$(CURDIR)"'

# Unit tests first; the namespace tests need root and the real wg, wireguard-go and iperf3
# (scripts/install-deps installs them). NETNS=0 skips them, NETNS_TESTS=name filters them.
check: $(BUILD)/tests/check $(BUILD)/wgcd $(BUILD)/wgc
	$(Q)$(BUILD)/tests/check $(TESTS)
	$(Q)if [ "$(NETNS)" != 0 ]; then BUILD=$(CURDIR)/$(BUILD) tests/netns/run $(NETNS_TESTS); fi

# wgcd's Diffie-Hellman workers are its only threads: their tests under ThreadSanitizer.
check-threads:
	$(Q)$(MAKE) --no-print-directory SAN=thread build-tsan/tests/check
	$(Q)build-tsan/tests/check wgcd_dhworkers

$(BUILD)/examples/virtual_tunnel: $(BUILD)/examples/virtual_tunnel.o $(BUILD)/tests/netsim.o $(BUILD)/libwgccore.a
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# The demo installs what is missing first (as root), so it works on a fresh machine by itself.
demo:
	$(Q)scripts/install-deps
	$(Q)$(MAKE) --no-print-directory $(BUILD)/wgcd $(BUILD)/wgc
	$(Q)BUILD=$(CURDIR)/$(BUILD) examples/netns-demo

$(BUILD)/wgc-bench-handshake: $(BUILD)/bench/handshake.o $(BUILD)/libwgccore.a
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# wgcd and wireguard-go side by side (bench/run); BENCH=full for the longer run notes quote.
BENCH ?= quick
bench: $(BUILD)/wgcd $(BUILD)/wgc-bench-handshake
	$(Q)BUILD=$(CURDIR)/$(BUILD) bench/run $(BENCH)

demo-virtual: $(BUILD)/examples/virtual_tunnel
	$(Q)$<

deps:
	$(Q)scripts/install-deps

PREFIX  ?= /usr/local
install: $(BUILD)/wgcd $(BUILD)/wgc
	install -D -m 0755 $(BUILD)/wgcd $(DESTDIR)$(PREFIX)/bin/wgcd
	install -D -m 0755 $(BUILD)/wgc $(DESTDIR)$(PREFIX)/bin/wgc
	install -D -m 0644 docs/man/wgcd.8 $(DESTDIR)$(PREFIX)/share/man/man8/wgcd.8
	install -D -m 0644 docs/man/wgc.8 $(DESTDIR)$(PREFIX)/share/man/man8/wgc.8

# libFuzzer targets: the core is rebuilt with clang and fuzzing instrumentation.
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -Isrc -g -O1 -fsanitize=fuzzer,address,undefined \
              -fno-sanitize-recover=all -Wall -Wextra -Werror -Wno-missing-field-initializers
# Targets that need whole devices borrow the tests' in-memory network.
# The tool's config-file parser and the daemon's UAPI framing have targets too, so their files
# are linked in as well.
FUZZ_LIB  = $(CORE_SRC) tests/netsim.c src/wgc/conffile.c src/wgc/text.c \
            src/wgcd/uapi.c src/wgcd/uapi_conn.c src/wgcd/watch.c src/wgcd/log.c \
            src/wgcd/segment.c src/wgcd/coalesce.c src/wgcd/checksum.c
build-fuzz/%: fuzz/%.c $(FUZZ_LIB) $(wildcard src/*/*.h) tests/netsim.h
	$(call say,FUZZ,$@)
	$(Q)mkdir -p build-fuzz
	$(Q)clang $(FUZZ_CFLAGS) $< $(FUZZ_LIB) -lcrypto -o $@

fuzz: $(FUZZ_BIN)

fuzz-run: fuzz
	$(Q)for f in $(FUZZ_BIN); do \
		n=$$(basename $$f); mkdir -p build-fuzz/corpus-$$n; \
		echo "  RUN    $$n ($(FUZZ_SECONDS) s)"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=0 build-fuzz/corpus-$$n fuzz/seeds/$$n \
			>build-fuzz/$$n.log 2>&1 || { tail -n 40 build-fuzz/$$n.log; exit 1; }; \
	done

clean:
	rm -rf build build-san build-fuzz

.PHONY: all bench check check-threads demo demo-virtual deps install fuzz fuzz-run clean
-include $(CORE_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(EXAMPLE_OBJ:.o=.d) $(WGCD_OBJ:.o=.d) $(WGC_OBJ:.o=.d)
