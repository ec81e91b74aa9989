# viz/ -> $(O)/libviz.a: the event model and the detectors (no curses).
#
# libviz depends on include/ only (not on liblockstep), so it can come
# after liblockstep on any link line.  The views and the UI loop
# (viz/ui*.c) are not part of it.

VIZ_LIB_SRCS	:= $(sort $(wildcard viz/model*.c viz/detect*.c viz/vclock*.c))
VIZ_LIB_OBJS	:= $(VIZ_LIB_SRCS:%.c=$(O)/obj/%.o)
VIZ_A		:= $(O)/libviz.a

$(VIZ_A): $(VIZ_LIB_OBJS)
	$(archive)

# The lockstep command and the tests link it (both expand these late).
LAB_EXTRA_LIBS	+= $(VIZ_A)
TEST_EXTRA_LIBS	+= $(VIZ_A)

.PHONY: viz-lib
viz-lib: $(VIZ_A)
all: $(VIZ_A)

# The terminal UI: viz/ui*.c -> $(O)/libvizui.a, with ncursesw.
#
# Views, the loop and the entry points of viz/ui.h.  The live mode reads
# the stream through lab/transport.h, so on a link line the archive needs
# libviz.a after it, and liblab.a (with liblockstep.a) after it too unless
# the program pulled the transport in already (lockstep does).
VIZUI_SRCS	:= $(sort $(wildcard viz/ui*.c))
VIZUI_OBJS	:= $(VIZUI_SRCS:%.c=$(O)/obj/%.o)
VIZUI_A		:= $(O)/libvizui.a
NCURSES_LDLIBS	:= $(shell pkg-config --libs ncursesw 2>/dev/null || echo -lncursesw)

$(VIZUI_OBJS): CPPFLAGS += -Ilab

$(VIZUI_A): $(VIZUI_OBJS)
	$(archive)

# The commands that open the UI include viz/ui.h and viz/detect.h.
$(O)/obj/lab/cmd_replay.o $(O)/obj/lab/cmd_top.o: CPPFLAGS += -Iviz

LAB_EXTRA_LIBS		+= $(VIZUI_A) $(VIZ_A)
LAB_EXTRA_LDLIBS	+= $(NCURSES_LDLIBS)
# tests that use the UI but not the transport still need it from liblab.a
TEST_EXTRA_LIBS		+= $(VIZUI_A) $(VIZ_A) $(LAB_A) $(O)/liblockstep.a
TEST_EXTRA_LDLIBS	+= $(NCURSES_LDLIBS)
TEST_EXTRA_CPPFLAGS	+= -Iviz

.PHONY: viz-ui
viz-ui: $(VIZUI_A)
all: $(VIZUI_A)
