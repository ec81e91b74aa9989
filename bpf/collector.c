// SPDX-License-Identifier: MIT
/*
 * collector.c - load lockstep.bpf.c, attach it to one process, and hand
 * the records it produces to a callback.
 *
 * The single generic USDT program learns which event fired from the BPF
 * cookie of the attachment: LS_COOKIE(event id, flags).  Where the kernel
 * has uprobe_multi links (6.6), every probe site of a file goes into one
 * link (usdt.c; leaving is then one RCU grace period instead of one per
 * probe).  Elsewhere, or with LOCKSTEP_BPF_USDT=libbpf, each probe gets
 * its own bpf_program__attach_usdt() with .usdt_cookie.  Either way only
 * the probes the file has are attached, so a program linked against an
 * older or newer liblockstep still gets the events both know.
 *
 * Cleanup is one path, ls_collector_destroy(): links first (this releases
 * the uprobes and lowers the USDT semaphores in the target), then the ring
 * buffer, then the skeleton.  Every fd is close-on-exec, so a program we
 * start never inherits any of it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "collector.h"
#include "lockstep.skel.h"
#include "usdt.h"

#define LS_PROVIDER		"lockstep"
#define LIST_OUTPUT_MAX		(256 << 10)

extern char **environ;

struct attached_file {
	dev_t dev;
	ino_t ino;
};

struct ls_collector {
	struct lockstep_bpf *skel;
	struct ring_buffer *rb;
	pid_t pid;

	/* uprobe_multi: one link fd per file; else libbpf's links per probe */
	bool multi;
	uint32_t next_spec;
	int *multi_fds;
	size_t nmulti, multi_cap;
	struct bpf_link **links;
	size_t nlinks, links_cap;
	struct attached_file *files;
	size_t nfiles, files_cap;

	/* valid during ls_collector_poll() */
	ls_collector_fn fn;
	void *fn_ctx;
	int ncpus;
};

#define LS__PROBE_FLAGS(ID, nm, fl, ...) [LS_EV_##ID] = (fl),
static const unsigned short probe_flags[LS_EV__COUNT] = {
	LS_EVENTS_USDT(LS__PROBE_FLAGS)
};
#undef LS__PROBE_FLAGS

static bool verbose;

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void ls_collector_set_verbose(bool on)
{
	verbose = on;
	libbpf_set_print(print_libbpf);
}

static void set_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/*
 * How many of our events have a probe in an ELF file (0: none), or -errno
 * (-ENOEXEC: not an ELF file).
 */
static int elf_probes(const char *path)
{
	bool present[LS_EV__COUNT] = { false };
	struct ls_usdt_site *sites;
	size_t n;
	int ret, found = 0;

	ret = ls_usdt_read_sites(path, &sites, &n);
	if (ret)
		return ret;
	for (size_t i = 0; i < n; i++) {
		if (!present[sites[i].id]) {
			present[sites[i].id] = true;
			found++;
		}
	}
	free(sites);
	return found;
}

/* ---- the collector ---- */

static int on_record(void *ctx, void *data, size_t size)
{
	struct ls_collector *c = ctx;
	struct ls_event e;

	if (size < sizeof(e) || !c->fn)
		return 0;
	memcpy(&e, data, sizeof(e));
	return c->fn(&e, c->fn_ctx);
}

static size_t ring_size(size_t bytes)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), sz = page;

	if (!bytes)
		bytes = LS_COLLECTOR_RING_DEFAULT;
	/* a power of two, at least a page: what BPF_MAP_TYPE_RINGBUF wants */
	while (sz < bytes && sz < ((size_t)1 << 30))
		sz <<= 1;
	return sz;
}

int ls_collector_open(struct ls_collector **cp, pid_t pid, size_t ring_bytes,
		      char *err, size_t errlen)
{
	struct ls_collector *c;
	int ret;

	libbpf_set_print(print_libbpf);
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->pid = pid;
	c->ncpus = libbpf_num_possible_cpus();
	if (c->ncpus <= 0) {
		ret = c->ncpus ? c->ncpus : -EINVAL;
		set_err(err, errlen, "cannot count CPUs: %s", strerror(-ret));
		goto out_free;
	}
	c->skel = lockstep_bpf__open();
	if (!c->skel) {
		ret = -errno;
		set_err(err, errlen, "cannot open the BPF object: %s", strerror(-ret));
		goto out_free;
	}
	c->skel->rodata->target_tgid = (uint32_t)pid;
	c->multi = ls_usdt_multi_supported();
	if (c->multi)
		bpf_program__set_expected_attach_type(c->skel->progs.lockstep_usdt,
						      LS_BPF_TRACE_UPROBE_MULTI);
	ret = bpf_map__set_max_entries(c->skel->maps.ls_events,
				       (uint32_t)ring_size(ring_bytes));
	if (ret) {
		set_err(err, errlen, "cannot size the ring buffer: %s", strerror(-ret));
		goto out_destroy;
	}
	ret = lockstep_bpf__load(c->skel);
	if (ret) {
		set_err(err, errlen, "loading the BPF programs failed: %s", strerror(-ret));
		goto out_destroy;
	}
	c->rb = ring_buffer__new(bpf_map__fd(c->skel->maps.ls_events), on_record, c, NULL);
	if (!c->rb) {
		ret = -errno;
		set_err(err, errlen, "cannot map the ring buffer: %s", strerror(-ret));
		goto out_destroy;
	}
	*cp = c;
	return 0;

out_destroy:
	lockstep_bpf__destroy(c->skel);
out_free:
	free(c);
	return ret;
}

static int add_link(struct ls_collector *c, struct bpf_link *l)
{
	if (c->nlinks == c->links_cap) {
		size_t cap = c->links_cap ? 2 * c->links_cap : 64;
		struct bpf_link **n = realloc(c->links, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		c->links = n;
		c->links_cap = cap;
	}
	c->links[c->nlinks++] = l;
	return 0;
}

/* True the first time a file (by device and inode) is seen. */
static int remember_file(struct ls_collector *c, const char *path, bool *first)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	*first = false;
	for (size_t i = 0; i < c->nfiles; i++)
		if (c->files[i].dev == st.st_dev && c->files[i].ino == st.st_ino)
			return 0;
	if (c->nfiles == c->files_cap) {
		size_t cap = c->files_cap ? 2 * c->files_cap : 8;
		struct attached_file *n = realloc(c->files, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		c->files = n;
		c->files_cap = cap;
	}
	c->files[c->nfiles].dev = st.st_dev;
	c->files[c->nfiles].ino = st.st_ino;
	c->nfiles++;
	*first = true;
	return 0;
}

static int add_multi_fd(struct ls_collector *c, int fd)
{
	if (c->nmulti == c->multi_cap) {
		size_t cap = c->multi_cap ? 2 * c->multi_cap : 8;
		int *n = realloc(c->multi_fds, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		c->multi_fds = n;
		c->multi_cap = cap;
	}
	c->multi_fds[c->nmulti++] = fd;
	return 0;
}

/* Every site of the file with one uprobe_multi link (see usdt.h). */
static int attach_sites_multi(struct ls_collector *c, const char *path,
			      const struct ls_usdt_site *sites, size_t n)
{
	uint64_t *cookies = calloc(n, sizeof(*cookies));
	int fd, ret;

	if (!cookies)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		cookies[i] = LS_COOKIE(sites[i].id, probe_flags[sites[i].id]);
	fd = ls_usdt_attach_multi(c->skel->progs.lockstep_usdt,
				  c->skel->maps.__bpf_usdt_specs, &c->next_spec,
				  c->pid, path, sites, cookies, n);
	free(cookies);
	if (fd < 0)
		return fd;
	ret = add_multi_fd(c, fd);
	if (ret)
		close(fd);
	return ret;
}

/* One libbpf USDT link per probe; libbpf finds the sites itself. */
static int attach_probe_libbpf(struct ls_collector *c, const char *path, int id)
{
	LIBBPF_OPTS(bpf_usdt_opts, opts, .usdt_cookie = LS_COOKIE(id, probe_flags[id]));
	struct bpf_link *l;
	int ret;

	l = bpf_program__attach_usdt(c->skel->progs.lockstep_usdt, c->pid, path,
				     LS_PROVIDER, ls_usdt_probe_name(id), &opts);
	if (!l)
		return -errno;
	ret = add_link(c, l);
	if (ret)
		bpf_link__destroy(l);
	return ret;
}

int ls_collector_attach_binary(struct ls_collector *c, const char *path)
{
	bool present[LS_EV__COUNT] = { false };
	struct ls_usdt_site *sites;
	int ret, probes = 0;
	size_t n;
	bool first;

	ret = ls_usdt_read_sites(path, &sites, &n);
	if (ret)
		return ret == -ENOEXEC ? 0 : ret;
	if (!n)
		goto out_free;
	ret = remember_file(c, path, &first);
	if (ret || !first)
		goto out_free;
	for (size_t i = 0; i < n; i++) {
		if (!present[sites[i].id])
			probes++;
		present[sites[i].id] = true;
	}
	if (c->multi) {
		ret = attach_sites_multi(c, path, sites, n);
	} else {
		for (int id = 1; id < LS_EV__COUNT && !ret; id++)
			if (present[id])
				ret = attach_probe_libbpf(c, path, id);
	}
out_free:
	free(sites);
	return ret ? ret : probes;
}

/*
 * The shared objects a program will load, as its dynamic loader resolves
 * them: `INTERP --list PROGRAM` is what ldd runs.  Output lines look like
 *	libfoo.so.1 => /usr/lib/libfoo.so.1 (0x...)
 *	/lib64/ld-linux-x86-64.so.2 (0x...)
 */
static int list_libraries(const char *interp, const char *path, char **out)
{
	char *argv[] = { (char *)interp, "--list", (char *)path, NULL };
	posix_spawn_file_actions_t fa;
	size_t len = 0, cap = 4096;
	int pfd[2], status, ret = 0;
	char *buf;
	pid_t pid;

	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		ret = -errno;
		goto out_free;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	ret = -posix_spawn(&pid, interp, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (ret)
		goto out_close;
	for (;;) {
		ssize_t n;

		if (len + 1 == cap) {
			char *nb;

			if (cap >= LIST_OUTPUT_MAX)
				break;
			nb = realloc(buf, cap * 2);
			if (!nb) {
				ret = -ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(pfd[0], buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
out_close:
	close(pfd[0]);
	if (ret)
		goto out_free;
	buf[len] = '\0';
	*out = buf;
	return 0;
out_free:
	free(buf);
	return ret;
}

/*
 * Pick the path out of one line of `--list` output, in place.  After "=>"
 * it may be relative (an RPATH of "build"): the child runs in our working
 * directory, so it names the same file for us.
 */
static char *list_line_path(char *line)
{
	char *arrow = strstr(line, "=> ");
	char *p = arrow ? arrow + 3 : line;
	char *end;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p || (!arrow && *p != '/') || !strncmp(p, "not found", 9))
		return NULL;
	end = strstr(p, " (0x");
	if (end)
		*end = '\0';
	return p;
}

/*
 * Call fn for the program at path and then for every shared object its
 * interpreter would load.  Stops at the first negative return; the sum of
 * the non-negative ones is returned.
 */
static int for_each_program_file(const char *path,
				 int (*fn)(const char *file, void *ctx), void *ctx)
{
	char interp[PATH_MAX], *list = NULL, *line, *save = NULL;
	int ret, total;

	total = fn(path, ctx);
	if (total < 0)
		return total;
	ret = ls_elf_interp(path, interp, sizeof(interp));
	if (ret == -ENOENT || ret == -ENOEXEC)
		return total;	/* static: everything is in the program */
	if (ret)
		return ret;
	if (list_libraries(interp, path, &list))
		return total;	/* the loader will complain when it runs */
	for (line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *lib = list_line_path(line);

		if (!lib)
			continue;
		ret = fn(lib, ctx);
		if (ret < 0) {
			total = ret;
			break;
		}
		total += ret;
	}
	free(list);
	return total;
}

static int attach_file(const char *file, void *ctx)
{
	return ls_collector_attach_binary(ctx, file);
}

int ls_collector_attach_program(struct ls_collector *c, const char *path)
{
	return for_each_program_file(path, attach_file, c);
}

struct probe_where {
	char *buf;
	size_t len;
};

static int count_file(const char *file, void *ctx)
{
	struct probe_where *w = ctx;
	int n = elf_probes(file);

	if (n == -ENOEXEC)
		return 0;
	if (n > 0 && w->buf && !w->buf[0])
		snprintf(w->buf, w->len, "%s", file);
	return n;
}

int ls_program_probes(const char *path, char *where, size_t len)
{
	struct probe_where w = { where, len };

	int ret;

	if (where && len)
		where[0] = '\0';
	ret = elf_probes(path);	/* not ELF: say so */
	if (ret < 0)
		return ret;
	return for_each_program_file(path, count_file, &w);
}

int ls_collector_attach_running(struct ls_collector *c)
{
	char maps[64], exe[64], *line = NULL;
	size_t cap = 0;
	int ret, total;
	FILE *f;

	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)c->pid);
	total = ls_collector_attach_binary(c, exe);
	if (total < 0)
		return total;
	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)c->pid);
	f = fopen(maps, "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		char *path = strchr(line, '/');
		size_t len;

		/* only executable mappings of files can hold probe sites */
		if (!path || (!strstr(line, " r-xp ") && !strstr(line, " r-xs ")))
			continue;
		len = strlen(path);
		if (len && path[len - 1] == '\n')
			path[--len] = '\0';
		if (len > 10 && !strcmp(path + len - 10, " (deleted)"))
			continue;
		ret = ls_collector_attach_binary(c, path);
		if (ret < 0) {
			total = ret;
			break;
		}
		total += ret;
	}
	free(line);
	fclose(f);
	return total;
}

int ls_collector_attach_kernel(struct ls_collector *c)
{
	struct bpf_program *progs[] = {
		c->skel->progs.lockstep_sched,
		c->skel->progs.lockstep_fx_in,
		c->skel->progs.lockstep_fx_out,
	};
	int ret;

	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		struct bpf_link *l = bpf_program__attach(progs[i]);

		if (!l)
			return -errno;
		ret = add_link(c, l);
		if (ret) {
			bpf_link__destroy(l);
			return ret;
		}
	}
	return 0;
}

int ls_collector_poll(struct ls_collector *c, int timeout_ms,
		      ls_collector_fn fn, void *ctx)
{
	int ret;

	c->fn = fn;
	c->fn_ctx = ctx;
	if (timeout_ms == 0) {
		ret = ring_buffer__consume(c->rb);
	} else {
		ret = ring_buffer__poll(c->rb, timeout_ms);
		/*
		 * ev_submit() wakes us only once the ring is 1/8 full, and
		 * ring_buffer__poll() reads nothing it was not woken for:
		 * after the wait, take what has arrived.
		 */
		if (ret == 0)
			ret = ring_buffer__consume(c->rb);
	}
	c->fn = NULL;
	c->fn_ctx = NULL;
	return ret;
}

uint64_t ls_collector_dropped(struct ls_collector *c)
{
	uint64_t *vals, sum = 0;
	uint32_t zero = 0;

	vals = calloc((size_t)c->ncpus, sizeof(*vals));
	if (!vals)
		return 0;
	if (!bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.ls_drops), &zero, vals))
		for (int i = 0; i < c->ncpus; i++)
			sum += vals[i];
	free(vals);
	return sum;
}

size_t ls_collector_prog_ids(struct ls_collector *c, uint32_t *ids, size_t max)
{
	struct bpf_program *p;
	size_t n = 0;

	bpf_object__for_each_program(p, c->skel->obj) {
		struct bpf_prog_info info = {};
		uint32_t len = sizeof(info);

		if (n == max)
			break;
		if (bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len))
			continue;
		ids[n++] = info.id;
	}
	return n;
}

void ls_collector_destroy(struct ls_collector *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nmulti; i++)
		close(c->multi_fds[i]);
	free(c->multi_fds);
	for (size_t i = 0; i < c->nlinks; i++)
		bpf_link__destroy(c->links[i]);
	free(c->links);
	free(c->files);
	ring_buffer__free(c->rb);
	lockstep_bpf__destroy(c->skel);
	free(c);
}
