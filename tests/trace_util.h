/* SPDX-License-Identifier: MIT */
/*
 * trace_util.h - what the trace_*.c suites share: where the lockstep
 * command and the workloads are, temporary directories, running lockstep in
 * the background, reading trace files, and asking the kernel whether BPF
 * programs and links of ours still exist.
 *
 * Paths: LOCKSTEP_BUILD_DIR (set by `make check`, default "build") holds
 * lockstep and tests/workloads/; the suites run from the source tree.
 */
#ifndef TRACE_UTIL_H
#define TRACE_UTIL_H

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include <lockstep/trace.h>
#include "doctor.h"
#include "tracefile.h"

#define TU_PATH 4096

static inline const char *tu_build_dir(void)
{
	const char *d = getenv("LOCKSTEP_BUILD_DIR");

	return d && *d ? d : "build";
}

/* <build>/<rel> in one of eight rotating buffers. */
static inline const char *tu_build(const char *rel)
{
	static char buf[8][TU_PATH];
	static int i;
	char *p = buf[i++ & 7];

	snprintf(p, TU_PATH, "%s/%s", tu_build_dir(), rel);
	return p;
}

static inline const char *tu_lockstep(void)
{
	return tu_build("lockstep");
}

static inline const char *tu_workload(const char *name)
{
	static char buf[4][TU_PATH];
	static int i;
	char *p = buf[i++ & 3];

	snprintf(p, TU_PATH, "%s/tests/workloads/%s", tu_build_dir(), name);
	return p;
}

/* A fresh private directory; the caller removes it with tu_rmtree(). */
static inline char *tu_tmpdir(void)
{
	const char *t = getenv("TMPDIR");
	char *d = malloc(TU_PATH);

	if (!d)
		return NULL;
	snprintf(d, TU_PATH, "%s/lockstep-test.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(d)) {
		free(d);
		return NULL;
	}
	return d;
}

static inline void tu_rmtree(char *dir)
{
	char cmd[TU_PATH + 16];

	if (!dir)
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", dir);
	free(dir);
}

static inline char *tu_path(const char *dir, const char *name)
{
	static char buf[8][TU_PATH];
	static int i;
	char *p = buf[i++ & 7];

	snprintf(p, TU_PATH, "%s/%s", dir, name);
	return p;
}

static inline int tu_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ret = 0;

	if (!f)
		return -errno;
	if (len && fwrite(data, 1, len, f) != len)
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

/* The whole file, NUL-terminated; NULL on error. */
static inline char *tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			char *b = realloc(buf, cap = 2 * cap + 8192);

			if (!b) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = b;
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);

		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static inline int tu_copy_file(const char *from, const char *to, mode_t mode)
{
	size_t len;
	char *data = tu_read_file(from, &len);
	int ret;

	if (!data)
		return -errno;
	ret = tu_write_file(to, data, len);
	free(data);
	if (!ret && chmod(to, mode) < 0)
		ret = -errno;
	return ret;
}

/* Every record of a trace file; *n set; NULL with a reason in err. */
static inline struct ls_event *tu_read_trace(const char *path, size_t *n,
					     char *err, size_t errlen)
{
	struct ls_trace_reader *r;
	struct ls_event *ev = NULL, e;
	size_t cap = 0;
	int ret;

	*n = 0;
	if (ls_trace_reader_open(&r, path, err, errlen))
		return NULL;
	while ((ret = ls_trace_reader_next(r, &e)) > 0) {
		if (*n == cap) {
			struct ls_event *b;

			cap = cap ? 2 * cap : 1024;
			b = realloc(ev, cap * sizeof(*ev));
			if (!b) {
				ret = -ENOMEM;
				break;
			}
			ev = b;
		}
		ev[(*n)++] = e;
	}
	if (ret < 0) {
		snprintf(err, errlen, "%s", ret == -ENOMEM ? "out of memory" :
			 ls_trace_reader_error(r));
		free(ev);
		ev = NULL;
	}
	ls_trace_reader_close(r);
	return ev;
}

/* Can this process use the BPF transport?  false with the reason. */
static inline bool tu_bpf_ok(char *why, size_t len)
{
	return ls_bpf_permitted(why, len);
}

/* ---- lockstep in the background ---- */

struct tu_bg {
	pid_t pid;
	char *out, *err;	/* files its stdout and stderr go to */
};

/* Start argv with stdout and stderr in files of dir. */
static inline int tu_bg_start(struct tu_bg *bg, const char *dir, const char *tag,
			      char *const argv[])
{
	char out[TU_PATH], err[TU_PATH];
	pid_t pid;

	snprintf(out, sizeof(out), "%s/%s.out", dir, tag);
	snprintf(err, sizeof(err), "%s/%s.err", dir, tag);
	bg->out = strdup(out);
	bg->err = strdup(err);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (o < 0 || e < 0)
			_exit(126);
		dup2(o, STDOUT_FILENO);
		dup2(e, STDERR_FILENO);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execv(argv[0], argv);
		_exit(127);
	}
	bg->pid = pid;
	return 0;
}

/* Wait until file contains needle, up to secs; true if it does. */
static inline bool tu_wait_for_text(const char *file, const char *needle, double secs)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	for (double t = 0; t < secs; t += 0.02) {
		char *s = tu_read_file(file, NULL);
		bool found = s && strstr(s, needle);

		free(s);
		if (found)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

/* waitpid with a deadline; the wait status, or -1 on timeout (then killed). */
static inline int tu_bg_wait(struct tu_bg *bg, double secs)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int status;

	for (double t = 0; t < secs; t += 0.01) {
		pid_t r = waitpid(bg->pid, &status, WNOHANG);

		if (r == bg->pid)
			return status;
		nanosleep(&ts, NULL);
	}
	kill(bg->pid, SIGKILL);
	waitpid(bg->pid, &status, 0);
	return -1;
}

static inline void tu_bg_free(struct tu_bg *bg)
{
	free(bg->out);
	free(bg->err);
	bg->out = bg->err = NULL;
}

/* ---- is anything of ours left in the kernel? ---- */

/* "lockstep: bpf: N probes attached to pid P; prog ids: 1 2 3 4" */
static inline size_t tu_parse_prog_ids(const char *text, uint32_t *ids, size_t max)
{
	const char *p = text ? strstr(text, "prog ids:") : NULL;
	size_t n = 0;

	if (!p)
		return 0;
	p += strlen("prog ids:");
	while (n < max) {
		char *end;
		unsigned long v = strtoul(p, &end, 10);

		if (end == p)
			break;
		ids[n++] = (uint32_t)v;
		p = end;
	}
	return n;
}

static inline bool tu_prog_exists(uint32_t id)
{
	int fd = bpf_prog_get_fd_by_id(id);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Does any BPF link in the system point at one of these programs? */
static inline bool tu_link_uses(const uint32_t *ids, size_t n)
{
	uint32_t id = 0;

	while (!bpf_link_get_next_id(id, &id)) {
		struct bpf_link_info info = { 0 };
		uint32_t len = sizeof(info);
		int fd = bpf_link_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len))
			for (size_t i = 0; i < n; i++)
				if (info.prog_id == ids[i]) {
					close(fd);
					return true;
				}
		close(fd);
	}
	return false;
}

/*
 * True once none of the programs exists and no link uses them.  The
 * kernel frees a program after an RCU grace period, so give it time.
 */
static inline bool tu_progs_gone(const uint32_t *ids, size_t n, double secs)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	for (double t = 0; t < secs; t += 0.05) {
		bool any = tu_link_uses(ids, n);

		for (size_t i = 0; i < n && !any; i++)
			any = tu_prog_exists(ids[i]);
		if (!any)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

static inline size_t tu_count_lines(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

#endif /* TRACE_UTIL_H */
