// SPDX-License-Identifier: MIT
/*
 * usdt.c - lockstep's USDT sites in ELF files and uprobe_multi attachment
 * (see usdt.h for why).
 *
 * A site is described by one ELF note in .note.stapsdt (SystemTap's SDT
 * format, which sys/sdt.h writes): type 3, owner "stapsdt", and a
 * descriptor of three addresses (the probe's nop, the .stapsdt.base section
 * it was linked against, the semaphore) followed by "provider\0name\0args\0".
 * The kernel wants file offsets, so each address is mapped through the
 * PT_LOAD segment that contains it.  The argument string describes where
 * each of the seven values lives at the nop: "8@%rax" (a register), "8@-56(%rbp)"
 * (memory at register + offset), "8@$5" (a constant); on arm64 "8@x1",
 * "8@[sp, 96]", "8@5".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#if defined(__x86_64__)
#include <sys/user.h>
#elif defined(__aarch64__)
#include <asm/ptrace.h>
#endif

#include <lockstep/events.h>

#include "usdt.h"

#define NT_STAPSDT	3
#define LS_PROVIDER	"lockstep"
#define MAX_SEGS	32
#define SPEC_MAX_ARGS	12

/* Must match struct __bpf_usdt_arg_spec and __bpf_usdt_spec of usdt.bpf.h. */
enum { ARG_CONST, ARG_REG, ARG_REG_DEREF };

struct usdt_arg_spec {
	uint64_t val_off;
	uint32_t arg_type;
	int16_t reg_off;
	bool arg_signed;
	char arg_bitshift;
};

struct usdt_spec {
	struct usdt_arg_spec args[SPEC_MAX_ARGS];
	uint64_t usdt_cookie;
	int16_t arg_cnt;
};

_Static_assert(sizeof(struct usdt_spec) == 208, "usdt.bpf.h spec layout");

#define LS__PROBE_NAME(ID, nm, ...) [LS_EV_##ID] = #nm,
static const char *const probe_names[LS_EV__COUNT] = {
	LS_EVENTS_USDT(LS__PROBE_NAME)
};
#undef LS__PROBE_NAME

static int probe_id(const char *name)
{
	for (int id = 1; id < LS_EV__COUNT; id++)
		if (probe_names[id] && !strcmp(probe_names[id], name))
			return id;
	return -1;
}

/* ---- reading the notes ---- */

struct seg {
	uint64_t vaddr, memsz, offset;
	bool exec;
};

struct elf_file {
	int fd;
	Elf *elf;
	struct seg segs[MAX_SEGS];
	size_t nsegs;
};

static int elf_open(struct elf_file *f, const char *path)
{
	memset(f, 0, sizeof(*f));
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0)
		return -errno;
	f->elf = elf_begin(f->fd, ELF_C_READ, NULL);
	if (!f->elf || elf_kind(f->elf) != ELF_K_ELF) {
		elf_end(f->elf);
		close(f->fd);
		return -ENOEXEC;
	}
	return 0;
}

static void elf_close(struct elf_file *f)
{
	elf_end(f->elf);
	close(f->fd);
}

static int read_segs(struct elf_file *f)
{
	size_t nph;

	if (elf_getphdrnum(f->elf, &nph))
		return -ENOEXEC;
	for (size_t i = 0; i < nph && f->nsegs < MAX_SEGS; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(f->elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		f->segs[f->nsegs++] = (struct seg){
			ph.p_vaddr, ph.p_memsz, ph.p_offset, !!(ph.p_flags & PF_X),
		};
	}
	return 0;
}

/* File offset of vaddr in a segment that is (not) executable; 0 if none. */
static uint64_t file_off(const struct elf_file *f, uint64_t vaddr, bool exec)
{
	for (size_t i = 0; i < f->nsegs; i++) {
		const struct seg *s = &f->segs[i];

		if (s->exec == exec && vaddr >= s->vaddr && vaddr - s->vaddr < s->memsz)
			return vaddr - s->vaddr + s->offset;
	}
	return 0;
}

static uint64_t get_word(const char *p, size_t word)
{
	uint64_t v = 0;

	memcpy(&v, p, word);	/* the notes are in the host's byte order */
	return v;
}

/* One note into a site; false if it is not one of ours or is malformed. */
static bool note_site(const struct elf_file *f, const char *desc, size_t len,
		      uint64_t base_sec, struct ls_usdt_site *s)
{
	size_t word = gelf_getclass(f->elf) == ELFCLASS32 ? 4 : 8;
	const char *prov, *name, *args, *end = desc + len;
	uint64_t pc, base, sema;
	size_t alen;

	if (len < 3 * word + 3)
		return false;
	pc = get_word(desc, word);
	base = get_word(desc + word, word);
	sema = get_word(desc + 2 * word, word);
	prov = desc + 3 * word;
	name = memchr(prov, '\0', (size_t)(end - prov));
	if (!name || ++name >= end)
		return false;
	args = memchr(name, '\0', (size_t)(end - name));
	if (!args || ++args >= end || !memchr(args, '\0', (size_t)(end - args)))
		return false;
	if (strcmp(prov, LS_PROVIDER))
		return false;
	s->id = probe_id(name);
	if (s->id < 0)
		return false;
	/* A prelinked file moved: shift by how far .stapsdt.base moved. */
	if (base_sec && base) {
		pc += base_sec - base;
		if (sema)
			sema += base_sec - base;
	}
	s->pc = file_off(f, pc, true);
	s->sema = sema ? file_off(f, sema, false) : 0;
	if (!s->pc || (sema && !s->sema))
		return false;
	alen = strlen(args);
	if (alen >= sizeof(s->args))
		return false;
	memcpy(s->args, args, alen + 1);
	return true;
}

int ls_usdt_read_sites(const char *path, struct ls_usdt_site **sites, size_t *n)
{
	Elf_Data *notes = NULL;
	uint64_t base_sec = 0;
	struct ls_usdt_site *out = NULL;
	struct elf_file f;
	Elf_Scn *scn = NULL;
	size_t shstrndx, cnt = 0, cap = 0, off = 0, name_off, desc_off;
	GElf_Nhdr nh;
	int ret;

	ret = elf_open(&f, path);
	if (ret)
		return ret;
	ret = read_segs(&f);
	if (ret || elf_getshdrstrndx(f.elf, &shstrndx)) {
		ret = -ENOEXEC;
		goto out_close;
	}
	while ((scn = elf_nextscn(f.elf, scn))) {
		const char *sname;
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			continue;
		sname = elf_strptr(f.elf, shstrndx, sh.sh_name);
		if (!sname)
			continue;
		if (!strcmp(sname, ".stapsdt.base"))
			base_sec = sh.sh_addr;
		else if (sh.sh_type == SHT_NOTE && !strcmp(sname, ".note.stapsdt"))
			notes = elf_getdata(scn, NULL);
	}
	while (notes && notes->d_buf &&
	       (off = gelf_getnote(notes, off, &nh, &name_off, &desc_off)) > 0) {
		struct ls_usdt_site s;

		if (nh.n_type != NT_STAPSDT || nh.n_namesz != sizeof("stapsdt") ||
		    memcmp((char *)notes->d_buf + name_off, "stapsdt", nh.n_namesz))
			continue;
		if (!note_site(&f, (char *)notes->d_buf + desc_off, nh.n_descsz, base_sec, &s))
			continue;
		if (cnt == cap) {
			struct ls_usdt_site *bigger;

			cap = cap ? 2 * cap : 64;
			bigger = realloc(out, cap * sizeof(*out));
			if (!bigger) {
				ret = -ENOMEM;
				goto out_free;
			}
			out = bigger;
		}
		out[cnt++] = s;
	}
	*sites = out;
	*n = cnt;
	elf_close(&f);
	return 0;

out_free:
	free(out);
out_close:
	elf_close(&f);
	return ret;
}

int ls_elf_interp(const char *path, char *buf, size_t len)
{
	struct elf_file f;
	size_t nph;
	int ret;

	ret = elf_open(&f, path);
	if (ret)
		return ret;
	ret = -ENOENT;
	if (elf_getphdrnum(f.elf, &nph)) {
		ret = -ENOEXEC;
		goto out_close;
	}
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(f.elf, (int)i, &ph) || ph.p_type != PT_INTERP)
			continue;
		if (ph.p_filesz == 0 || ph.p_filesz >= len) {
			ret = -ENAMETOOLONG;
			break;
		}
		if (pread(f.fd, buf, (size_t)ph.p_filesz, (off_t)ph.p_offset) !=
		    (ssize_t)ph.p_filesz) {
			ret = -EIO;
			break;
		}
		buf[ph.p_filesz] = '\0';
		ret = 0;
		break;
	}
out_close:
	elf_close(&f);
	return ret;
}

/* ---- argument specs ---- */

struct reg_name {
	const char *names[4];	/* 64, 32, 16, 8 bit */
	int off;		/* in struct pt_regs */
};

#if defined(__x86_64__)
#define REG(r64, r32, r16, r8, field) \
	{ { r64, r32, r16, r8 }, (int)offsetof(struct user_regs_struct, field) }
static const struct reg_name regs[] = {
	REG("rip", "eip", "", "", rip),
	REG("rax", "eax", "ax", "al", rax),
	REG("rbx", "ebx", "bx", "bl", rbx),
	REG("rcx", "ecx", "cx", "cl", rcx),
	REG("rdx", "edx", "dx", "dl", rdx),
	REG("rsi", "esi", "si", "sil", rsi),
	REG("rdi", "edi", "di", "dil", rdi),
	REG("rbp", "ebp", "bp", "bpl", rbp),
	REG("rsp", "esp", "sp", "spl", rsp),
	REG("r8", "r8d", "r8w", "r8b", r8),
	REG("r9", "r9d", "r9w", "r9b", r9),
	REG("r10", "r10d", "r10w", "r10b", r10),
	REG("r11", "r11d", "r11w", "r11b", r11),
	REG("r12", "r12d", "r12w", "r12b", r12),
	REG("r13", "r13d", "r13w", "r13b", r13),
	REG("r14", "r14d", "r14w", "r14b", r14),
	REG("r15", "r15d", "r15w", "r15b", r15),
};
#undef REG

static int reg_off(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		for (int k = 0; k < 4; k++)
			if (strlen(regs[i].names[k]) == len &&
			    !strncmp(regs[i].names[k], name, len))
				return regs[i].off;
	return -ENOENT;
}
#elif defined(__aarch64__)
static int reg_off(const char *name, size_t len)
{
	char buf[8];
	char *end;
	long n;

	if (len == 2 && !strncmp(name, "sp", 2))
		return (int)offsetof(struct user_pt_regs, sp);
	if (len < 2 || len >= sizeof(buf) || name[0] != 'x')
		return -ENOENT;
	memcpy(buf, name + 1, len - 1);
	buf[len - 1] = '\0';
	n = strtol(buf, &end, 10);
	if (*end || n < 0 || n > 30)
		return -ENOENT;
	return (int)offsetof(struct user_pt_regs, regs[n]);
}
#else
#error "bpf/usdt.c: add the USDT register names of this architecture"
#endif

static bool parse_long(const char **p, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(*p, &end, 0);
	if (errno || end == *p)
		return false;
	*p = end;
	return true;
}

static int parse_reg(const char **p, char close, struct usdt_arg_spec *a)
{
	const char *s = *p;
	size_t len;
	int off;

#if defined(__x86_64__)
	if (*s != '%')
		return -EINVAL;
	s++;
#endif
	len = strcspn(s, close ? (close == ')' ? ")" : ",]") : " \t");
	off = reg_off(s, len);
	if (off < 0)
		return off;
	a->reg_off = (int16_t)off;
	*p = s + len;
	return 0;
}

/* One operand after "SIZE@". */
static int parse_operand(const char **p, struct usdt_arg_spec *a)
{
	const char *s = *p;
	long off = 0;
	int ret;

#if defined(__x86_64__)
	if (*s == '$') {			/* $5 */
		s++;
		if (!parse_long(&s, &off))
			return -EINVAL;
		a->arg_type = ARG_CONST;
		a->val_off = (uint64_t)off;
		*p = s;
		return 0;
	}
	if (*s == '%') {			/* %rax */
		a->arg_type = ARG_REG;
		return parse_reg(p, 0, a);
	}
	if (*s != '(' && !parse_long(&s, &off))	/* -56(%rbp), (%rsp) */
		return -EINVAL;
	if (*s != '(')
		return -EINVAL;
	s++;
	ret = parse_reg(&s, ')', a);
	if (ret || *s != ')')
		return ret ? ret : -EINVAL;
	a->arg_type = ARG_REG_DEREF;
	a->val_off = (uint64_t)off;
	*p = s + 1;
	return 0;
#else
	if (*s == '[') {			/* [sp, 96], [x0] */
		s++;
		ret = parse_reg(&s, ']', a);
		if (ret)
			return ret;
		while (*s == ' ')
			s++;
		if (*s == ',') {
			s++;
			while (*s == ' ')
				s++;
			if (*s == '#')
				s++;
			if (!parse_long(&s, &off))
				return -EINVAL;
		}
		if (*s != ']')
			return -EINVAL;
		a->arg_type = ARG_REG_DEREF;
		a->val_off = (uint64_t)off;
		*p = s + 1;
		return 0;
	}
	if ((*s >= '0' && *s <= '9') || *s == '-') {	/* 5 */
		if (!parse_long(&s, &off))
			return -EINVAL;
		a->arg_type = ARG_CONST;
		a->val_off = (uint64_t)off;
		*p = s;
		return 0;
	}
	a->arg_type = ARG_REG;			/* x1 */
	return parse_reg(p, 0, a);
#endif
}

static int parse_spec(const char *args, uint64_t cookie, struct usdt_spec *spec)
{
	const char *p = args;

	memset(spec, 0, sizeof(*spec));
	spec->usdt_cookie = cookie;
	for (;;) {
		struct usdt_arg_spec *a;
		long size;
		int ret;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return 0;
		if (spec->arg_cnt == SPEC_MAX_ARGS)
			return -E2BIG;
		a = &spec->args[spec->arg_cnt++];
		if (!parse_long(&p, &size) || *p != '@')
			return -EINVAL;
		p++;
		a->arg_signed = size < 0;
		if (size < 0)
			size = -size;
		if (size != 1 && size != 2 && size != 4 && size != 8)
			return -EINVAL;
		a->arg_bitshift = (char)(64 - size * 8);
		ret = parse_operand(&p, a);
		if (ret)
			return ret;
		if (*p && *p != ' ' && *p != '\t')
			return -EINVAL;
	}
}

/* ---- uprobe_multi ---- */

bool ls_usdt_multi_supported(void)
{
	static int cached = -1;
	const char *force = getenv("LOCKSTEP_BPF_USDT");
	struct btf *btf;

	/* LOCKSTEP_BPF_USDT=libbpf forces one perf uprobe per probe. */
	if (force && !strcmp(force, "libbpf"))
		return false;
	if (cached < 0) {
		btf = btf__load_vmlinux_btf();
		cached = btf && btf__find_by_name_kind(btf, "bpf_uprobe_multi_link",
						       BTF_KIND_STRUCT) > 0;
		btf__free(btf);
	}
	return cached;
}

/* union bpf_attr's link_create for uprobe_multi (Linux 6.6 uapi). */
struct link_create_uprobe_multi {
	uint32_t prog_fd;
	uint32_t target_fd;
	uint32_t attach_type;
	uint32_t flags;
	uint64_t path;
	uint64_t offsets;
	uint64_t ref_ctr_offsets;
	uint64_t cookies;
	uint32_t cnt;
	uint32_t um_flags;
	uint32_t pid;
};

int ls_usdt_attach_multi(struct bpf_program *prog, struct bpf_map *specs,
			 uint32_t *next_spec, pid_t pid, const char *path,
			 const struct ls_usdt_site *sites, const uint64_t *cookies,
			 size_t n)
{
	union {
		struct link_create_uprobe_multi um;
		char bytes[128];	/* the rest of union bpf_attr: zero */
	} attr;
	uint64_t *offs, *refs, *ids;
	uint32_t max = bpf_map__max_entries(specs);
	int ret = 0, fd;

	if (bpf_map__value_size(specs) != sizeof(struct usdt_spec))
		return -EPROTO;
	if (*next_spec + n > max)
		return -E2BIG;
	offs = calloc(n, sizeof(*offs));
	refs = calloc(n, sizeof(*refs));
	ids = calloc(n, sizeof(*ids));
	if (!offs || !refs || !ids) {
		ret = -ENOMEM;
		goto out_free;
	}
	for (size_t i = 0; i < n; i++) {
		struct usdt_spec spec;
		uint32_t id = *next_spec + (uint32_t)i;

		ret = parse_spec(sites[i].args, cookies[i], &spec);
		if (ret)
			goto out_free;
		if (bpf_map_update_elem(bpf_map__fd(specs), &id, &spec, BPF_ANY)) {
			ret = -errno;
			goto out_free;
		}
		offs[i] = sites[i].pc;
		refs[i] = sites[i].sema;
		ids[i] = id;
	}
	memset(&attr, 0, sizeof(attr));
	attr.um.prog_fd = (uint32_t)bpf_program__fd(prog);
	attr.um.attach_type = LS_BPF_TRACE_UPROBE_MULTI;
	attr.um.path = (uint64_t)(uintptr_t)path;
	attr.um.offsets = (uint64_t)(uintptr_t)offs;
	attr.um.ref_ctr_offsets = (uint64_t)(uintptr_t)refs;
	attr.um.cookies = (uint64_t)(uintptr_t)ids;
	attr.um.cnt = (uint32_t)n;
	attr.um.pid = (uint32_t)pid;
	fd = (int)syscall(__NR_bpf, BPF_LINK_CREATE, &attr, sizeof(attr));
	if (fd < 0) {
		ret = -errno;
		goto out_free;
	}
	/* The link fd is ours to close; keep it away from programs we exec. */
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		ret = -errno;
		close(fd);
		goto out_free;
	}
	*next_spec += (uint32_t)n;
	ret = fd;
out_free:
	free(offs);
	free(refs);
	free(ids);
	return ret;
}

const char *ls_usdt_probe_name(int id)
{
	return id > 0 && id < LS_EV__COUNT ? probe_names[id] : NULL;
}
