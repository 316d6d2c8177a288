# wgc: one Makefile, no configure step.
#   make              build the core library
#   make check        build and run every test (closing line: "N passed, N failed")
#   make check SAN=1  the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make fuzz         build the libFuzzer targets (clang); make fuzz-run runs each briefly
#   make demo         two cores on an in-memory network on virtual time, narrated
#   make deps         install what building needs (Debian, as root)
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
LDLIBS   = -lcrypto

ifeq ($(SAN),1)
BUILD   ?= build-san
CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
else
BUILD   ?= build
endif

CORE_SRC  = $(wildcard src/crypto/*.c) $(wildcard src/core/*.c)
CORE_OBJ  = $(CORE_SRC:%.c=$(BUILD)/%.o)
TEST_SRC  = $(wildcard tests/*.c)
TEST_OBJ  = $(TEST_SRC:%.c=$(BUILD)/%.o)
EXAMPLE_OBJ = $(BUILD)/examples/virtual_tunnel.o
FUZZ_SRC  = $(wildcard fuzz/*.c)
FUZZ_BIN  = $(FUZZ_SRC:fuzz/%.c=build-fuzz/%)
FUZZ_SECONDS ?= 20

all: $(BUILD)/libwgccore.a

$(BUILD)/%.o: %.c
	$(call say,CC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libwgccore.a: $(CORE_OBJ)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/tests/check: $(TEST_OBJ) $(BUILD)/libwgccore.a
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/%.o: CFLAGS += -DWGC_SOURCE_DIR='"$(CURDIR)"'

check: $(BUILD)/tests/check
	$(Q)$(BUILD)/tests/check $(TESTS)

$(BUILD)/examples/virtual_tunnel: $(BUILD)/examples/virtual_tunnel.o $(BUILD)/tests/netsim.o $(BUILD)/libwgccore.a
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

demo: $(BUILD)/examples/virtual_tunnel
	$(Q)$<

deps:
	$(Q)scripts/install-deps

# libFuzzer targets: the core is rebuilt with clang and fuzzing instrumentation.
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -Isrc -g -O1 -fsanitize=fuzzer,address,undefined \
              -fno-sanitize-recover=all -Wall -Wextra -Werror -Wno-missing-field-initializers
# Targets that need whole devices borrow the tests' in-memory network.
build-fuzz/%: fuzz/%.c $(CORE_SRC) tests/netsim.c $(wildcard src/*/*.h) tests/netsim.h
	$(call say,FUZZ,$@)
	$(Q)mkdir -p build-fuzz
	$(Q)clang $(FUZZ_CFLAGS) $< $(CORE_SRC) tests/netsim.c -lcrypto -o $@

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

.PHONY: all check demo deps fuzz fuzz-run clean
-include $(CORE_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(EXAMPLE_OBJ:.o=.d)
