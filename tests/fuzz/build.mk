# tests/fuzz/ -> `make fuzz`: libFuzzer on the readers of untrusted input
# (the trace file reader and the JSON lines parser, tests/fuzz/fuzz_tracefile.c).
#
#   make fuzz FUZZ_SECONDS=60   fuzz from the kept corpus plus fresh seeds for
#                               FUZZ_SECONDS, then merge the inputs that add
#                               coverage into tests/fuzz/corpus/ (replayed by
#                               tests/trace_file.c on every make check)
# A crash stops with the log's tail; the input is in $(O)/fuzz/crash-*.

# Read once, whether the root Makefile or tests/build.mk includes it.
ifndef LS_FUZZ_MK
LS_FUZZ_MK	:= 1

FUZZ_SECONDS	?= 60
FUZZ_DIR	:= $(O)/fuzz
FUZZ_BIN	:= $(FUZZ_DIR)/fuzz_tracefile
FUZZ_SEEDS	:= $(FUZZ_DIR)/make_seeds
FUZZ_CORPUS	:= tests/fuzz/corpus
FUZZ_CFLAGS	:= -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Ilab

$(FUZZ_BIN): tests/fuzz/fuzz_tracefile.c lab/tracefile.c lab/export.c lab/evtext.c \
		lab/u64map.c $(LIB_A)
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^) $(LIB_A) $(LDLIBS)

$(FUZZ_SEEDS): tests/fuzz/make_seeds.c lab/tracefile.c $(LIB_A)
	$(call msg,CCLD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) -Ilab $(ALL_CFLAGS) -o $@ $(filter %.c,$^) $(LIB_A) $(LDLIBS)

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BIN) $(FUZZ_SEEDS)

fuzz: fuzz-build
	$(Q)rm -rf $(FUZZ_DIR)/work && mkdir -p $(FUZZ_DIR)/work $(FUZZ_CORPUS)
	$(Q)$(FUZZ_SEEDS) $(FUZZ_DIR)/work
	$(Q)cp $(FUZZ_CORPUS)/* $(FUZZ_DIR)/work/ 2>/dev/null || true
	$(call msg,FUZZ,$(FUZZ_SECONDS)s $(FUZZ_BIN))
	$(Q)$(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=10 \
		-artifact_prefix=$(FUZZ_DIR)/ -print_final_stats=1 $(FUZZ_DIR)/work \
		2>$(FUZZ_DIR)/fuzz.log || { tail -40 $(FUZZ_DIR)/fuzz.log; exit 1; }
	$(Q)grep -E '^stat::number_of_executed_units|^Done' $(FUZZ_DIR)/fuzz.log || true
	$(call msg,MERGE,$(FUZZ_CORPUS))
	$(Q)$(FUZZ_BIN) -merge=1 $(FUZZ_CORPUS) $(FUZZ_DIR)/work 2>$(FUZZ_DIR)/merge.log \
		|| { tail -20 $(FUZZ_DIR)/merge.log; exit 1; }
	$(Q)echo "  corpus: $$(ls $(FUZZ_CORPUS) | wc -l) files in $(FUZZ_CORPUS)"

endif # LS_FUZZ_MK
