# bpf/ -> the BPF object, its skeleton, and the collector and doctor objects.
#
#   $(O)/bpf/vmlinux.h         bpftool btf dump of the running kernel
#   $(O)/bpf/lockstep.bpf.o    clang -target bpf, CO-RE
#   $(O)/bpf/lockstep.skel.h   bpftool gen skeleton
#   $(BPF_OBJS)                collector.o, usdt.o, doctor.o: linked into lockstep
#
# VMLINUX_BTF=FILE builds against another kernel's BTF.

BPFTOOL		?= bpftool
VMLINUX_BTF	?= /sys/kernel/btf/vmlinux
BPF_ARCH	:= $(patsubst x86_64,x86,$(patsubst aarch64,arm64,$(ARCH)))
BPF_OUT		:= $(O)/bpf

# -target bpf drops the multiarch include dir Debian keeps asm/ in.
BPF_CFLAGS	:= -g -O2 -Wall -target bpf -D__TARGET_ARCH_$(BPF_ARCH) \
		   -I$(BPF_OUT) -Iinclude -idirafter /usr/include/$(ARCH)-linux-gnu

BPF_SRCS	:= bpf/collector.c bpf/doctor.c bpf/usdt.c
BPF_OBJS	:= $(BPF_SRCS:%.c=$(O)/obj/%.o)
BPF_SKEL	:= $(BPF_OUT)/lockstep.skel.h
BPF_LDLIBS	:= -lbpf -lelf -lz

$(BPF_OUT)/vmlinux.h: | $(DEPS_STAMP)
	$(call msg,BTF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

$(BPF_OUT)/lockstep.bpf.o: bpf/lockstep.bpf.c include/lockstep/events.h $(BPF_OUT)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BPF_SKEL): $(BPF_OUT)/lockstep.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name lockstep_bpf > $@

$(BPF_OBJS): $(BPF_SKEL)
$(BPF_OBJS): CPPFLAGS += -I$(BPF_OUT)

.PHONY: bpf
bpf: $(BPF_SKEL) $(BPF_OBJS)
