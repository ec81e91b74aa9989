# viz/ -> $(O)/libviz.a: the event model and the detectors (no curses).
#
# libviz depends on include/ only (not on liblockstep), so it can come
# after liblockstep on any link line.  The views and the UI loop
# (viz/ui*.c) are not part of it.

VIZ_LIB_SRCS	:= $(sort $(wildcard viz/model*.c viz/detect*.c viz/vclock*.c))
VIZ_LIB_OBJS	:= $(VIZ_LIB_SRCS:%.c=$(O)/obj/%.o)
VIZ_A		:= $(O)/libviz.a

$(VIZ_A): $(VIZ_LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

# The lockstep command and the tests link it (both expand these late).
LAB_EXTRA_LIBS	+= $(VIZ_A)
TEST_EXTRA_LIBS	+= $(VIZ_A)

.PHONY: viz-lib
viz-lib: $(VIZ_A)
all: $(VIZ_A)
