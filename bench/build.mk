# bench/ - side-by-side benchmarks: liblockstep, pthread, Go.
#
#   make bench         every shape, every column, one table (bench/run),
#                      then bench-trace's tables (not with BENCH_FILTER)
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

bench: bench-build $(if $(BENCH_FILTER),,bench-trace-build)
	$(Q)$(BENCH_RUN) $(if $(BENCH_HAVE_GO),,--no-go)
	$(if $(BENCH_FILTER),,$(Q)$(BENCH_TRACE_RUN))

bench-instr: $(BENCH_C_BINS)
	$(Q)$(BENCH_RUN) --instr

bench-smoke: bench-build
	$(Q)$(BENCH_RUN) --smoke $(if $(BENCH_HAVE_GO),,--no-go)

-include $(wildcard $(BENCH_DIR)/obj-*/*.d)

# ---- tracing and detectors: make bench-trace ----
#
#   make bench-trace   the cost of a traced event (no tracer, in-process
#                      ring, BPF), the BPF path's highest zero-drop rate,
#                      trace file throughput, the detectors' cost per event
#                      and the slowdown under `lockstep run`; one table
#                      (bench/run --trace; docs/performance.md, "Tracing")
#
#   $(BENCH_DIR)/bench-trace-work   the traced programs (bench/trace_work.c),
#                                   linked with liblockstep.a only
#   $(BENCH_DIR)/bench-trace        the measuring side (bench/trace.c): ring
#                                   consumer, trace file and detector loops
#
# BPF rows need root (or CAP_BPF+CAP_PERFMON); without it they say so.
# BENCH_COUNT sets the rounds, BENCH_FILTER=RE picks sections (emit, instr,
# rate, file, detect, slowdown), BENCH_STRICT=1 fails on a missed target;
# BENCH_TRACE_ARGS=... passes more options to bench/run --trace.

BENCH_TRACE	:= $(BENCH_DIR)/bench-trace
BENCH_TRACE_WORK := $(BENCH_DIR)/bench-trace-work
BENCH_TRACE_BINS := $(BENCH_TRACE) $(BENCH_TRACE_WORK)
# Defined by lab/ and viz/, read after this file: spelled out here.
BENCH_LAB_A	:= $(O)/liblab.a
BENCH_VIZ_A	:= $(O)/libviz.a
BENCH_LOCKSTEP_CMD := $(O)/lockstep
BENCH_TRACE_ARGS ?=

$(BENCH_DIR)/obj-trace/%.o: bench/%.c | $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BENCH_CFLAGS) -Ilab -Iviz -c $< -o $@

$(BENCH_TRACE_WORK): $(BENCH_DIR)/obj-trace/trace_work.o $(BENCH_LIB_A)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BENCH_TRACE): $(BENCH_DIR)/obj-trace/trace.o $(BENCH_LAB_A) $(BENCH_VIZ_A) $(BENCH_LIB_A)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lm

BENCH_TRACE_RUN	= bench/run --trace --dir $(BENCH_DIR) \
		  --lockstep $(BENCH_LOCKSTEP_CMD) --count '$(BENCH_COUNT)' \
		  --filter '$(BENCH_FILTER)' \
		  $(if $(filter-out 0,$(BENCH_STRICT)),--strict) $(BENCH_TRACE_ARGS)

.PHONY: bench-trace bench-trace-build
bench-trace-build: $(BENCH_TRACE_BINS) $(BENCH_LOCKSTEP_CMD)

bench-trace: bench-trace-build
	$(Q)$(BENCH_TRACE_RUN)
