/* SPDX-License-Identifier: MIT */
/*
 * usdt.h (internal to bpf/) - lockstep's USDT probe sites in ELF files, and
 * attaching all of a file's sites with one uprobe_multi link.
 *
 * Why not only bpf_program__attach_usdt(): it makes one perf-event uprobe
 * per probe, and the kernel tears each of those down with its own RCU
 * grace period under a global mutex, about 0.1 s apiece on recent kernels.
 * With some 80 probes per file, leaving took 8 s.  A uprobe_multi link
 * (Linux 6.6) carries every site of a file and is released with one grace
 * period.  libbpf 1.1 cannot create one, so this file does what libbpf's
 * usdt.c does for it: find the sites, turn each argument spec into libbpf's
 * struct __bpf_usdt_spec (so the BPF side keeps using usdt.bpf.h), and
 * create the link with the bpf() syscall.  Older kernels keep the libbpf
 * path (collector.c).
 */
#ifndef LS_BPF_USDT_H
#define LS_BPF_USDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct bpf_program;
struct bpf_map;

struct ls_usdt_site {
	int id;			/* enum ls_event_id of the probe */
	uint64_t pc;		/* file offset of the probe's nop */
	uint64_t sema;		/* file offset of its semaphore; 0: none */
	char args[256];		/* operands, e.g. "8@%rax 8@-56(%rbp)" */
};

/*
 * The "lockstep" probe sites of an ELF file.  0 with *sites (free() it) and
 * *n set, -ENOEXEC if path is not ELF, other -errno.
 */
int	ls_usdt_read_sites(const char *path, struct ls_usdt_site **sites, size_t *n);
/* "mutex_state" for LS_EV_MUTEX_STATE; NULL for events without a probe. */
const char *ls_usdt_probe_name(int id);
/* PT_INTERP of an ELF file; -ENOENT when it has none (static). */
int	ls_elf_interp(const char *path, char *buf, size_t len);

/* Does this kernel have uprobe_multi links?  (Checked once, in BTF.) */
bool	ls_usdt_multi_supported(void);
/* expected_attach_type a program needs before load to use them. */
#define LS_BPF_TRACE_UPROBE_MULTI	48

/*
 * Write one spec per site into specs (ids from *next_spec on; the spec's
 * cookie is cookies[i]) and attach prog to every site for pid with one
 * uprobe_multi link.  Returns the link fd or -errno.
 */
int	ls_usdt_attach_multi(struct bpf_program *prog, struct bpf_map *specs,
			     uint32_t *next_spec, pid_t pid, const char *path,
			     const struct ls_usdt_site *sites, const uint64_t *cookies,
			     size_t n);

#endif /* LS_BPF_USDT_H */
