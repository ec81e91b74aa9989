# scripts/ - build-time tools.

GEN_PROBES_DOC := $(O)/tools/gen-probes-doc

$(GEN_PROBES_DOC): scripts/gen-probes-doc.c $(LIB_A) include/lockstep/events.h
	$(link_with_lib)

.PHONY: docs
docs: $(GEN_PROBES_DOC)
	$(call msg,GEN,docs/probes.md)
	$(Q)$(GEN_PROBES_DOC) -o docs/probes.md

all: $(GEN_PROBES_DOC)
