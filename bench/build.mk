# bench/ - side-by-side benchmarks: liblockstep, pthread, Go.
#
#   make bench         every shape, every column, one table (bench/run)
#   make bench-instr   instructions per op under callgrind: lockstep,
#                      lockstep without probes, pthread (uncontended shapes)
#   make bench-build   only build the benchmark programs
#   make bench-smoke   every shape once with N = 100: does each column run?
#
#   BENCH_TIME=500ms   per benchmark and column, Go's -benchtime syntax
#                      ("500ms", "2s", or a fixed count "100000x")
#   BENCH_COUNT=3      rounds; each cell is the median of its rounds
#   BENCH_FILTER=RE    only the shapes whose name matches RE (Python regex)
#   BENCH_PROCS=P      RunParallel's GOMAXPROCS (default: usable CPUs)
#   BENCH_STRICT=1     exit 1 if a target is missed or a column fails
#   BENCH_ARGS=...     more options for bench/run (bench/run --help)
#
# The shapes are compiled once per implementation from the same sources:
# obj-pthread/ (-DBENCH_IMPL_PTHREAD) and obj-lockstep/ (-DBENCH_IMPL_LOCKSTEP),
# the latter linked twice, against liblockstep.a and liblockstep-noprobes.a.
# Which lockstep shapes exist follows the library: bench/features.sh reads
# its symbols into bench-features.h whenever it changes.

BENCH_DIR	:= $(O)/bench
BENCH_SRCS	:= bench/bench.c bench/sync.c bench/chan.c
BENCH_PT_OBJS	:= $(BENCH_SRCS:bench/%.c=$(BENCH_DIR)/obj-pthread/%.o) \
		   $(BENCH_DIR)/obj-pthread/impl-pthread.o
BENCH_LS_OBJS	:= $(BENCH_SRCS:bench/%.c=$(BENCH_DIR)/obj-lockstep/%.o)
BENCH_FEATURES	:= $(BENCH_DIR)/bench-features.h
BENCH_PTHREAD	:= $(BENCH_DIR)/bench-pthread
BENCH_LOCKSTEP	:= $(BENCH_DIR)/bench-lockstep
BENCH_NOPROBES	:= $(BENCH_DIR)/bench-noprobes
BENCH_C_BINS	:= $(BENCH_PTHREAD) $(BENCH_LOCKSTEP) $(BENCH_NOPROBES)
BENCH_GO_TEST	:= $(BENCH_DIR)/go-bench.test
# primitives/build.mk (read after this file) makes these two.
BENCH_LIB_A	:= $(O)/liblockstep.a
BENCH_LIB_NP_A	:= $(O)/liblockstep-noprobes.a

BENCH_TIME	?= 500ms
BENCH_COUNT	?= 3
BENCH_FILTER	?=
BENCH_PROCS	?=
BENCH_STRICT	?= 0
BENCH_ARGS	?=
GO		?= go

# Go builds only into build/: its cache and module path live under
# $(O)/bench, no network, no go.work or user go env from outside.
BENCH_GOENV	:= GOCACHE=$(abspath $(BENCH_DIR))/go-cache \
		   GOPATH=$(abspath $(BENCH_DIR))/go-path \
		   GOFLAGS=-mod=mod GO111MODULE=on GOPROXY=off GOWORK=off \
		   GOENV=off GOTOOLCHAIN=local GOTELEMETRY=off CGO_ENABLED=0
BENCH_HAVE_GO	:= $(shell command -v $(GO) >/dev/null 2>&1 && echo 1)

BENCH_CFLAGS	= $(CPPFLAGS) -I$(BENCH_DIR) $(ALL_CFLAGS) -MMD -MP

$(BENCH_DIR)/obj-pthread/%.o: bench/%.c | $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BENCH_CFLAGS) -DBENCH_IMPL_PTHREAD -c $< -o $@

$(BENCH_DIR)/obj-lockstep/%.o: bench/%.c $(BENCH_FEATURES) | $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BENCH_CFLAGS) -DBENCH_IMPL_LOCKSTEP -c $< -o $@

$(BENCH_DIR)/obj-lockstep/impl-noprobes.o: bench/impl-lockstep.c | $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BENCH_CFLAGS) -DBENCH_IMPL_LOCKSTEP -DBENCH_NOPROBES -c $< -o $@

# Rewritten only when the answer changes, so a library rebuild recompiles
# the shapes only when a primitive appeared or went away.
$(BENCH_FEATURES): $(BENCH_LIB_A) bench/features.sh
	$(Q)mkdir -p $(@D)
	$(Q)bench/features.sh $(BENCH_LIB_A) > $@.tmp
	$(Q)if cmp -s $@.tmp $@; then rm -f $@.tmp; else \
		printf '  %-8s %s\n' GEN $@; mv $@.tmp $@; fi

$(BENCH_PTHREAD): $(BENCH_PT_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BENCH_LOCKSTEP): $(BENCH_LS_OBJS) $(BENCH_DIR)/obj-lockstep/impl-lockstep.o $(BENCH_LIB_A)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BENCH_NOPROBES): $(BENCH_LS_OBJS) $(BENCH_DIR)/obj-lockstep/impl-noprobes.o $(BENCH_LIB_NP_A)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BENCH_GO_TEST): bench/go/go.mod $(wildcard bench/go/*.go)
	$(call msg,GO,$@)
	$(Q)mkdir -p $(@D)
	$(Q)cd bench/go && env $(BENCH_GOENV) $(GO) test -c -o $(abspath $@) .

BENCH_RUN	= bench/run --dir $(BENCH_DIR) --time '$(BENCH_TIME)' \
		  --count '$(BENCH_COUNT)' --filter '$(BENCH_FILTER)' \
		  $(if $(BENCH_PROCS),--procs '$(BENCH_PROCS)') \
		  $(if $(filter-out 0,$(BENCH_STRICT)),--strict) $(BENCH_ARGS)

.PHONY: bench-build bench-instr bench-smoke
bench-build: $(BENCH_C_BINS) $(if $(BENCH_HAVE_GO),$(BENCH_GO_TEST))

bench: bench-build
	$(Q)$(BENCH_RUN) $(if $(BENCH_HAVE_GO),,--no-go)

bench-instr: $(BENCH_C_BINS)
	$(Q)$(BENCH_RUN) --instr

bench-smoke: bench-build
	$(Q)$(BENCH_RUN) --smoke $(if $(BENCH_HAVE_GO),,--no-go)

-include $(wildcard $(BENCH_DIR)/obj-*/*.d)
