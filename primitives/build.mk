# primitives/ -> liblockstep (static and shared) and its probe-less twin.

LIB_SRCS	:= $(sort $(wildcard primitives/*.c primitives/*/*.c))
LIB_OBJS	:= $(LIB_SRCS:%.c=$(O)/obj/%.o)
LIB_A		:= $(O)/liblockstep.a
LIB_SO		:= $(O)/liblockstep.so

# The same library with every LS_TRACE compiled out, for the benchmark that
# shows a probe nobody listens to costs nothing.
NOPROBE_OBJS	:= $(LIB_SRCS:%.c=$(O)/obj-noprobes/%.o)
LIB_NOPROBES_A	:= $(O)/liblockstep-noprobes.a

lib: $(LIB_A) $(LIB_SO)

$(LIB_A): $(LIB_OBJS)
	$(archive)

$(LIB_SO): $(LIB_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) -shared $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/obj-noprobes/%.o: %.c | $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) -DLS_NO_PROBES $(ALL_CFLAGS) -fPIC -MMD -MP -c $< -o $@

$(LIB_NOPROBES_A): $(NOPROBE_OBJS)
	$(archive)
