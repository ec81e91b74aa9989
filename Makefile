# lockstep - root Makefile.
#
#   make            build the library, the lockstep command, exercises, tests
#   make lib        build/liblockstep.a and build/liblockstep.so
#   make check      run every test suite (and the sanitizer builds)
#   make bench      side-by-side benchmarks (liblockstep, pthread, Go)
#   make clean      remove build/
#
# V=1 shows full commands.  O=DIR puts outputs in DIR (default build/).
# SANITIZE=thread|address builds everything with that sanitizer.
# Each area adds its own rules in <area>/build.mk.

O		?= build
V		?= 0
SANITIZE	?=

ifeq ($(V),1)
Q :=
msg =
else
Q := @
msg = @printf '  %-8s %s\n' '$(1)' '$(2)';
endif

CC		?= cc
CLANG		?= clang
ARCH		:= $(shell uname -m)

BASE_CFLAGS	:= -std=gnu11 -g -O2 -Wall -Wextra -Wno-unused-parameter \
		   -Wno-missing-field-initializers -fno-omit-frame-pointer
CPPFLAGS	+= -Iinclude
LDLIBS		+= -lpthread

ifeq ($(SANITIZE),thread)
BASE_CFLAGS	+= -fsanitize=thread
LDFLAGS		+= -fsanitize=thread
else ifeq ($(SANITIZE),address)
BASE_CFLAGS	+= -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDFLAGS		+= -fsanitize=address,undefined
endif

CFLAGS		?=
ALL_CFLAGS	= $(BASE_CFLAGS) $(CFLAGS)

.DELETE_ON_ERROR:
.SUFFIXES:
.PHONY: all lib check bench clean deps

all: lib

# ---- system dependencies: installed once, remembered by a stamp ----
DEPS_STAMP := $(O)/.deps-stamp
$(DEPS_STAMP): scripts/install-deps.sh
	$(Q)mkdir -p $(@D)
	$(Q)scripts/install-deps.sh
	$(Q)touch $@
deps: $(DEPS_STAMP)

# ---- generic compile rules ----
$(O)/obj/%.o: %.c | $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -fPIC -MMD -MP -c $< -o $@

# ---- recipes the areas share ----
# An archive of the prerequisites.
define archive
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^
endef

# One C file linked with liblockstep into one program.  LIB_A (set by
# primitives/build.mk) is expanded when the recipe runs.
define link_with_lib
	$(call msg,CCLD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_A) $(LDLIBS)
endef

include $(sort $(wildcard */build.mk))

clean:
	$(call msg,CLEAN,$(O))
	$(Q)rm -rf $(O)

-include $(shell find $(O)/obj -name '*.d' 2>/dev/null)
