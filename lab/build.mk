# lab/ -> the lockstep command, and liblab.a (everything but main) for tests.
#
#   $(O)/lockstep      lab/*.c + bpf/ objects + liblockstep
#   $(O)/liblab.a      the same minus lab/main.o, linked by tests/*.c
#
# Other areas that lockstep links (viz/, ...) append their archives to
# LAB_EXTRA_LIBS and their -l flags to LAB_EXTRA_LDLIBS; both are expanded
# late, so their build.mk may come after this one.

LAB_SRCS	:= $(sort $(wildcard lab/*.c))
LAB_OBJS	:= $(LAB_SRCS:%.c=$(O)/obj/%.o)
LAB_LIB_OBJS	:= $(filter-out $(O)/obj/lab/main.o,$(LAB_OBJS)) $(BPF_OBJS)
LAB_A		:= $(O)/liblab.a
LOCKSTEP_BIN	:= $(O)/lockstep
LAB_EXTRA_LIBS	?=
LAB_EXTRA_LDLIBS ?=

# The transport and the doctor command use bpf/'s headers.
$(LAB_OBJS): CPPFLAGS += -Ibpf

$(LAB_A): $(LAB_LIB_OBJS)
	$(archive)

# Deferred ($$): LIB_A and the extra libraries are set by later build.mk files.
.SECONDEXPANSION:
$(LOCKSTEP_BIN): $(O)/obj/lab/main.o $(LAB_A) $$(LAB_EXTRA_LIBS) $$(LIB_A)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(O)/obj/lab/main.o $(LAB_A) $(LAB_EXTRA_LIBS) \
		$(LIB_A) $(BPF_LDLIBS) $(LAB_EXTRA_LDLIBS) $(LDLIBS)

.PHONY: lockstep
lockstep: $(LOCKSTEP_BIN)
all: $(LOCKSTEP_BIN)

# Tests link liblab.a, then liblockstep again for what liblab.a needs from it
# (both expanded late: LIB_A comes from primitives/build.mk).
TEST_EXTRA_LIBS		+= $(LAB_A) $(LIB_A)
TEST_EXTRA_LDLIBS	+= $(BPF_LDLIBS)
TEST_EXTRA_CPPFLAGS	+= -Ilab -Ibpf

# ---- lab/demos/: the programs of `lockstep demo` ----
#
#   lab/demos/<name>.c  ->  $(O)/demos/<name>, linked with liblockstep
#
#   make demos    build them (also part of `make`)
#   make demo     build everything, then play the first demo; DEMO=NAME
#                 plays another, DEMO_ARGS="--pace 2" passes options.
#                 Without a terminal the demo prints its narration as text.
#
# They are programs that lockstep runs, not part of the command: LAB_SRCS
# above takes lab/*.c only.  lockstep finds them next to itself, in
# $(O)/demos/, and rebuilds one whose source is newer.

DEMO_SRCS	:= $(sort $(wildcard lab/demos/*.c))
DEMO_BINS	:= $(DEMO_SRCS:lab/demos/%.c=$(O)/demos/%)
DEMO		?=
DEMO_ARGS	?=

# $$(LIB_A): set by primitives/build.mk, read after this file.
$(O)/demos/%: lab/demos/%.c lab/demos/demo.h $$(LIB_A)
	$(link_with_lib)

.PHONY: demos demo
demos: $(DEMO_BINS)
all: demos

demo: all
	$(Q)$(LOCKSTEP_BIN) demo $(DEMO) $(DEMO_ARGS)
