# tests/ -> the test suites, and `make check`.
#
# Every tests/NAME.c is a suite built to $(O)/tests/NAME on tests/harness.h,
# except tests/harness_*.c: those are the harness's own programs (victims
# its selftest runs), built but not run as suites.  tests/harness_selftest.c
# is a suite.  Subfolders bring their own rules in tests/*/build.mk
# (tests/workloads/: programs that suites run, trace and attach to).
#
# Suites run with LOCKSTEP_BUILD_DIR set to the output tree of their build
# ($(O), $(O)/tsan, $(O)/asan), to find what else was built there.
#
# Suites named prim_*.c test liblockstep itself and run three times: in the
# plain build, and rebuilt with ThreadSanitizer and with ASan+UBSan, each in
# its own output tree ($(O)/tsan, $(O)/asan).  A sanitizer report fails the
# test that triggered it: the *SAN_OPTIONS below make it exit 66.
#
#   make check            all, then every suite, then the sanitizer runs;
#                         ends with one "N passed, N failed, N skipped"
#   make check-unit       the plain build's suites only
#   make check-sanitize   only the TSan and ASan runs of the prim_ suites
#   make check-one T=X    suite X, or else every test named X (or whose
#                         name contains X), in the plain build
#
# Other areas give tests what they link with by appending, from their own
# build.mk, to TEST_EXTRA_LIBS (archives, also made prerequisites),
# TEST_EXTRA_LDLIBS (-l flags) and TEST_EXTRA_CPPFLAGS; and to
# TEST_PRIM_NEEDS what prim_ suites need built beside them in every tree.
# Use +=: this file is read before viz/build.mk, so these are only expanded
# when a test is built.
# Environment: LOCKSTEP_REQUIRE_BPF=1 (BPF skips fail), LOCKSTEP_TEST_TIMEOUT_SCALE.

TEST_EXTRA_LIBS		?=
TEST_EXTRA_LDLIBS	?=
TEST_EXTRA_CPPFLAGS	?=
TEST_PRIM_NEEDS		?=

TEST_SUITE_SRCS	:= $(sort $(filter-out tests/harness_%.c,$(wildcard tests/*.c)) \
		   tests/harness_selftest.c)
TEST_VICTIM_SRCS := $(filter-out tests/harness_selftest.c,$(wildcard tests/harness_*.c))
TEST_SUITES	:= $(TEST_SUITE_SRCS:tests/%.c=$(O)/tests/%)
TEST_VICTIMS	:= $(TEST_VICTIM_SRCS:tests/%.c=$(O)/tests/%)
PRIM_SUITES	:= $(filter $(O)/tests/prim_%,$(TEST_SUITES))
TEST_OBJS	:= $(patsubst %.c,$(O)/obj/%.o,$(TEST_SUITE_SRCS) $(TEST_VICTIM_SRCS))

# Tests may include internal headers: "primitives/runtime/runtime.h".
$(TEST_OBJS): CPPFLAGS += -Itests -I. $(TEST_EXTRA_CPPFLAGS)

# $$(TEST_EXTRA_LIBS) waits for the second expansion, after every build.mk.
.SECONDEXPANSION:
$(TEST_SUITES) $(TEST_VICTIMS): $(O)/tests/%: $(O)/obj/tests/%.o $(LIB_A) $$(TEST_EXTRA_LIBS)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(LIB_A) $(TEST_EXTRA_LIBS) $(LDLIBS) $(TEST_EXTRA_LDLIBS)

# The selftest runs the victim from its own directory.
$(O)/tests/harness_selftest: | $(O)/tests/harness_victim

include $(sort $(wildcard tests/*/build.mk))

# What prim_ suites run besides themselves, built in every tree (plain,
# tsan, asan) so that a sanitized suite runs sanitized programs.  Append.
TEST_PRIM_NEEDS	+= $(WORKLOAD_BINS)

.PHONY: test-bins test-prim-bins check check-unit check-sanitize check-one
all: test-bins
test-bins: $(TEST_SUITES) $(TEST_VICTIMS) $$(TEST_PRIM_NEEDS)
test-prim-bins: $(PRIM_SUITES) $$(TEST_PRIM_NEEDS)

TEST_RUN	:= tests/run-tests
TEST_TOTALS	:= $(O)/tests/check-totals.tsv

TEST_ENV	= LOCKSTEP_BUILD_DIR=$(O)

# Sanitized code is slower: stretch every timeout by this much more.
SAN_TIMEOUT_SCALE ?= 3

# A report must fail the test: stop at the first one and exit 66, which
# harness.h points out as "a sanitizer report".  The user's own *SAN_OPTIONS
# come last, so they win.
TEST_SAN_ENV = \
	TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:atexit_sleep_ms=0:exitcode=66$${TSAN_OPTIONS:+:$$TSAN_OPTIONS}" \
	ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:detect_leaks=1:exitcode=66$${ASAN_OPTIONS:+:$$ASAN_OPTIONS}" \
	UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=66$${UBSAN_OPTIONS:+:$$UBSAN_OPTIONS}" \
	LSAN_OPTIONS="exitcode=66$${LSAN_OPTIONS:+:$$LSAN_OPTIONS}" \
	LOCKSTEP_TEST_TIMEOUT_SCALE=$$(awk -v a="$${LOCKSTEP_TEST_TIMEOUT_SCALE:-1}" \
		-v b="$(SAN_TIMEOUT_SCALE)" 'BEGIN { print a * b }')

# $(call test_sanitized,SANITIZE value,group): build the prim_ suites with
# that sanitizer in $(O)/group and add their results to $(TEST_TOTALS).  A
# build that fails is one failure, not the end of `make check`.
define test_sanitized
if $(MAKE) --no-print-directory O=$(O)/$(2) SANITIZE=$(1) test-prim-bins; then \
	LOCKSTEP_BUILD_DIR=$(O)/$(2) $(TEST_SAN_ENV) \
		$(TEST_RUN) --label $(2) --aslr-fallback \
		--append-totals $(TEST_TOTALS) \
		$(patsubst $(O)/%,$(O)/$(2)/%,$(PRIM_SUITES)) || :; \
else \
	$(TEST_RUN) --label $(2) --append-totals $(TEST_TOTALS) \
		--error "the SANITIZE=$(1) build failed"; \
fi
endef

check: all test-bins
	$(Q)mkdir -p $(dir $(TEST_TOTALS)) && rm -f $(TEST_TOTALS)
	$(Q)$(TEST_ENV) $(TEST_RUN) --label plain --append-totals $(TEST_TOTALS) \
		$(TEST_SUITES) || :
	+$(Q)$(call test_sanitized,thread,tsan)
	+$(Q)$(call test_sanitized,address,asan)
	$(Q)$(TEST_RUN) --summarize $(TEST_TOTALS)

check-unit: all test-bins
	$(Q)$(TEST_ENV) $(TEST_RUN) --label plain $(TEST_SUITES)

check-sanitize:
	$(Q)mkdir -p $(dir $(TEST_TOTALS)) && rm -f $(TEST_TOTALS)
	+$(Q)$(call test_sanitized,thread,tsan)
	+$(Q)$(call test_sanitized,address,asan)
	$(Q)$(TEST_RUN) --summarize $(TEST_TOTALS)

check-one: all test-bins
	$(Q)if [ -z "$(T)" ]; then \
		echo "usage: make check-one T=NAME   (a suite, a test, or part of a test's name)" >&2; \
		exit 2; \
	fi
ifneq ($(filter $(O)/tests/$(T),$(TEST_SUITES)),)
	$(Q)$(TEST_ENV) $(TEST_RUN) --label plain $(O)/tests/$(T)
else
	$(Q)$(TEST_ENV) $(TEST_RUN) --label plain --filter '$(T)' $(TEST_SUITES)
endif
