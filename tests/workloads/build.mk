# tests/workloads/ - small programs that tests run, trace and attach to.
# tests/workloads/foo.c -> $(O)/tests/workloads/foo, linked with liblockstep.

WORKLOAD_SRCS	:= $(sort $(wildcard tests/workloads/*.c))
WORKLOAD_BINS	:= $(WORKLOAD_SRCS:tests/workloads/%.c=$(O)/tests/workloads/%)

$(O)/tests/workloads/%: tests/workloads/%.c $(LIB_A)
	$(call msg,CCLD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_A) $(LDLIBS)

.PHONY: workloads
workloads: $(WORKLOAD_BINS)
all: workloads
