# spawnscope — build, test, benchmark.
#
#   make            build/spawnscope, build/spawnscope-lab, the child targets, the example plug-in
#   make test       install missing packages (root), then every test through prove
#   make bench      install missing packages (root), then `spawnscope run all` (plots + summary)
#   make plots R=results/DIR      re-render a run's plots and summary.md
#   make gate [BASE=rev] [GATE_ARGS='--threshold 5%']   this tree against BASE (default
#                   origin/main), paired, in one job (scripts/ci-gate.sh)
#   make asan-test  the unit tests again under ASan/UBSan (make test runs it too)
#   make fuzz       the run.json readers under libFuzzer for FUZZ_TIME seconds (default 600;
#                   make test runs it for 20 s through tests/fuzz_runjson.sh)
#   make kernel-test  the probe tests and two probed runs on Debian 12's 6.1 kernel under qemu
#                   (TCG, several minutes; scripts/kernel-test.sh; not part of make test)
#   make deps       only the package check/install
#
# BUILD=dir puts every output in another directory (several builds side by side).

BUILD ?= build
CC ?= gcc
CLANG ?= clang
BPFTOOL ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
PKGS := libcpuid jansson
ARCH := $(shell uname -m)
BPF_ARCH := $(patsubst x86_64,x86,$(patsubst aarch64,arm64,$(ARCH)))

# Probes need kernel BTF (for vmlinux.h), clang and bpftool at build time; without them
# the driver is built with probes/*nobpf.c instead, which report why at run time.
HAVE_BPF := $(shell test -r /sys/kernel/btf/vmlinux && test -x $(BPFTOOL) && \
	command -v $(CLANG) >/dev/null && pkg-config --exists libbpf && echo 1)
ifeq ($(HAVE_BPF),1)
PKGS += libbpf
else
# what was missing, for run.json's "built without probes: ..." (probes/nobpf.c)
NOBPF_REASON := $(strip \
	$(if $(wildcard /sys/kernel/btf/vmlinux),,no kernel BTF at /sys/kernel/btf/vmlinux;) \
	$(if $(shell test -x $(BPFTOOL) && echo y),,no bpftool;) \
	$(if $(shell command -v $(CLANG)),,no clang;) \
	$(if $(shell pkg-config --exists libbpf && echo y),,no libbpf (pkg-config);))
NOBPF_CFLAGS := -DSPAWNSCOPE_NOBPF_REASON='"$(NOBPF_REASON) at build time"'
endif

CFLAGS_BASE := -std=gnu11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -fno-strict-aliasing
CFLAGS := $(CFLAGS_BASE) $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -I. -I$(BUILD)/probes \
	-DSPAWNSCOPE_HAVE_BPF=$(if $(HAVE_BPF),1,0) -DSPAWNSCOPE_SRCDIR=\"$(CURDIR)\" $(NOBPF_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS += $(EXTRA_LDFLAGS) -rdynamic
LDLIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -ldl -lpthread -lm

# Folders by role (README, Development): bench/lib, bench/core, bench/experiments/NAME, bench/gate,
# bench/compare, bench/report; impls/ and impls/efork/; lab/ and lab/state/ (linked by both).
BENCH_SRCS := $(filter-out bench/main.c,$(wildcard bench/*/*.c bench/*/*/*.c)) $(wildcard lab/state/*.c)
IMPL_SRCS := $(wildcard impls/*.c impls/efork/*.c)
BPF_SRCS := $(wildcard probes/*.bpf.c)
ifeq ($(HAVE_BPF),1)
PROBE_SRCS := $(filter-out %nobpf.c $(BPF_SRCS),$(wildcard probes/*.c))
SKELS := $(patsubst probes/%.bpf.c,$(BUILD)/probes/%.skel.h,$(BPF_SRCS))
else
PROBE_SRCS := $(wildcard probes/*nobpf.c) probes/phases.c
SKELS :=
endif
LIB_SRCS := $(BENCH_SRCS) $(IMPL_SRCS) $(PROBE_SRCS)
LIB_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
MAIN_OBJ := $(BUILD)/obj/bench/main.o
# The lab (lab/lab_proto.h): the process that spawns every measured child. libc and libdl
# only, so that what its children copy is what the experiment configured.
LAB_SRCS := $(wildcard lab/*.c lab/state/*.c) $(IMPL_SRCS) bench/lib/rng.c
LAB_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(LAB_SRCS))

TARGET_SRCS := $(wildcard impls/targets/*.c)
TARGETS := $(patsubst impls/targets/%.c,$(BUILD)/targets/%,$(TARGET_SRCS))
PLUGIN_SRCS := $(wildcard impls/plugins/*.c)
PLUGINS := $(patsubst impls/plugins/%.c,$(BUILD)/plugins/lib%.so,$(PLUGIN_SRCS))

TEST_C_SRCS := $(wildcard tests/*.c)
TEST_BINS := $(patsubst tests/%.c,$(BUILD)/tests/%.t,$(TEST_C_SRCS))
TEST_SH := $(wildcard tests/*.sh)
TEST_TARGET_SRCS := $(wildcard tests/targets/*.c)
TEST_TARGETS := $(patsubst tests/targets/%.c,$(BUILD)/tests/targets/%,$(TEST_TARGET_SRCS))
UNIT_TESTS := $(patsubst tests/%.c,$(BUILD)/tests/%.t,$(wildcard tests/unit_*.c))

.PHONY: all test bench plots gate deps asan-test unit-test clean format fuzz fuzz-build kernel-test

# The libFuzzer build: every library object again with clang and the sanitizers.
FUZZ_BUILD ?= build-fuzz
FUZZ_TIME ?= 600
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_BIN := $(FUZZ_BUILD)/fuzz/runjson_fuzz
.DELETE_ON_ERROR:
# keep the BPF objects and skeletons (pattern-rule intermediates) between builds
.SECONDARY:

all: $(BUILD)/spawnscope $(BUILD)/spawnscope-lab $(TARGETS) $(PLUGINS)

# The source lists, rewritten only when they change: a file or folder added or removed
# relinks the binaries (the wildcards alone would not notice a removal).
SRC_LIST := $(BUILD)/sources.list
SRC_LIST_NOW := $(sort $(MAIN_OBJ) $(LIB_OBJS) $(LAB_OBJS))
$(shell mkdir -p $(BUILD) && (echo '$(SRC_LIST_NOW)' | cmp -s - $(SRC_LIST) || \
	echo '$(SRC_LIST_NOW)' > $(SRC_LIST)))

$(BUILD)/spawnscope: $(MAIN_OBJ) $(LIB_OBJS) $(SRC_LIST)
	$(CC) $(LDFLAGS) -o $@ $(MAIN_OBJ) $(LIB_OBJS) $(LDLIBS)

$(BUILD)/spawnscope-lab: $(LAB_OBJS) $(SRC_LIST)
	$(CC) $(EXTRA_LDFLAGS) -o $@ $(LAB_OBJS) -ldl

# every header of the sources (not of the build directories: another build's generated
# headers must not make this one stale)
SRC_HDRS := $(wildcard bench/*/*.h bench/*/*/*.h impls/*.h impls/*/*.h lab/*.h lab/*/*.h probes/*.h)
$(BUILD)/obj/%.o: %.c $(SKELS) $(SRC_HDRS) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# Child targets: static, libc-free, started by exec at _start.
$(BUILD)/targets/%: impls/targets/%.c $(wildcard impls/targets/*.h) impls/rawsys.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -static -nostdlib -ffreestanding \
		-fno-stack-protector -fno-builtin -fno-pie -no-pie -fno-asynchronous-unwind-tables \
		-o $@ $<

$(BUILD)/plugins/lib%.so: impls/plugins/%.c impls/backend.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) -fPIC -shared -o $@ $<

# eBPF: vmlinux.h from this kernel's BTF -> CO-RE object -> skeleton header.
$(BUILD)/probes/vmlinux.h:
	@mkdir -p $(dir $@)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

$(BUILD)/probes/%.bpf.o: probes/%.bpf.c $(BUILD)/probes/vmlinux.h $(wildcard probes/*.h)
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -I$(BUILD)/probes -Iprobes \
		-Wall -Werror -c -o $@ $<

$(BUILD)/probes/%.skel.h: $(BUILD)/probes/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

# Tests: C tests link every object but main; tests/targets are ordinary (libc) helpers.
$(BUILD)/tests/%.t: tests/%.c $(LIB_OBJS) $(wildcard tests/*.h) $(SRC_LIST)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

$(BUILD)/tests/targets/%: tests/targets/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) -o $@ $<

deps:
	@bash scripts/deps.sh

unit-test: $(UNIT_TESTS)
	@prove --exec '' $(UNIT_TESTS)

# The unit tests again under ASan/UBSan (spawning tests stay out: ASan and CLONE_VM children
# do not mix).
asan-test:
	@$(MAKE) --no-print-directory BUILD=build-asan \
		EXTRA_CFLAGS='-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all' \
		EXTRA_LDFLAGS='-fsanitize=address,undefined' unit-test

# (inside the fuzz build's own make: CC is clang, EXTRA_CFLAGS has the sanitizers)
$(BUILD)/fuzz/%: tests/fuzz/%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

fuzz-build:
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(CLANG) \
		EXTRA_CFLAGS='$(FUZZ_SAN) -fsanitize=fuzzer-no-link' EXTRA_LDFLAGS='$(FUZZ_SAN)' \
		$(FUZZ_BIN)

fuzz: deps fuzz-build
	@SPAWNSCOPE_FUZZ=$(abspath $(FUZZ_BIN)) FUZZ_TIME=$(FUZZ_TIME) bash tests/fuzz_runjson.sh

test: deps
	@$(MAKE) --no-print-directory all $(TEST_BINS) $(TEST_TARGETS) fuzz-build
	@SPAWNSCOPE_BUILD=$(abspath $(BUILD)) SPAWNSCOPE_FUZZ=$(abspath $(FUZZ_BIN)) \
		prove --exec '' --timer $(TEST_BINS) $(TEST_SH)
	@$(MAKE) --no-print-directory asan-test

KERNEL_TESTS := $(BUILD)/tests/probes_events.t $(BUILD)/tests/probes_fds.t \
	$(BUILD)/tests/contention_lockstat.t
kernel-test: deps
	@$(MAKE) --no-print-directory all $(KERNEL_TESTS)
	@prove --exec '' --timer scripts/kernel-test.sh :: $(abspath $(BUILD))

bench: deps
	@$(MAKE) --no-print-directory all
	$(BUILD)/spawnscope run all $(BENCH_ARGS)

plots:
	@test -n "$(R)" || { echo "usage: make plots R=results/DIR" >&2; exit 2; }
	$(BUILD)/spawnscope report $(R)

gate: deps
	scripts/ci-gate.sh $(if $(BASE),-r $(BASE)) -o $(or $(OUT),results/ci-gate) \
		$(if $(GATE_ARGS),-- $(GATE_ARGS))

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) build-asan $(FUZZ_BUILD)
