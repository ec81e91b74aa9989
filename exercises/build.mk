# exercises/ and solutions/ -> one program each, linked with liblockstep.
#
#   exercises/<chapter>/<name>.c  ->  $(O)/exercises/<chapter>/<name>
#   solutions/<chapter>/<name>.c  ->  $(O)/solutions/<chapter>/<name>
#
#   make exercises    build them all (also part of `make`)
#
# The programs are meant to misbehave (deadlock, race, panic) when run;
# building them is always clean.  `lockstep run/check` find them here.

EXERCISE_SRCS	:= $(sort $(wildcard exercises/*/*.c))
SOLUTION_SRCS	:= $(sort $(wildcard solutions/*/*.c))
EXERCISE_BINS	:= $(EXERCISE_SRCS:%.c=$(O)/%)
SOLUTION_BINS	:= $(SOLUTION_SRCS:%.c=$(O)/%)

# $$(LIB_A): this file is read before primitives/build.mk sets LIB_A, so the
# library is named in the second expansion (and every program relinks when
# the library changes).
.SECONDEXPANSION:
$(O)/exercises/%: exercises/%.c $$(LIB_A)
	$(link_with_lib)

$(O)/solutions/%: solutions/%.c $$(LIB_A)
	$(link_with_lib)

.PHONY: exercises
exercises: $(EXERCISE_BINS) $(SOLUTION_BINS)
all: exercises
