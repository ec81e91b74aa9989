// SPDX-License-Identifier: MIT
/*
 * doctor.c - environment preflight for the BPF transport.
 *
 * Each check answers one question and, when the answer is no, says exactly
 * what to do, because "permission denied" three layers down in libbpf
 * teaches nothing.  What the BPF transport needs:
 *
 *   privileges       loading tracing programs needs CAP_BPF and CAP_PERFMON
 *                    (or CAP_SYS_ADMIN, which root has);
 *   pid namespace    the BPF side filters on kernel (init namespace) pids,
 *                    so lockstep must see the same pids as the kernel;
 *   BTF              /sys/kernel/btf/vmlinux: CO-RE and tp_btf programs;
 *   uprobes          the uprobe PMU, through which libbpf attaches USDT
 *                    probes without tracefs;
 *   ring buffer      BPF_MAP_TYPE_RINGBUF (Linux 5.8);
 *   programs load    the verifier accepts lockstep.bpf.c on this kernel;
 *   target probes    the program carries .note.stapsdt "lockstep" probes.
 * And one it does not need but other tools do: tracefs (perf probe, and the
 * bpftrace one-liners of docs/tracing.md that use tracepoints).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "collector.h"
#include "doctor.h"

/* The inode of the initial pid namespace (include/linux/proc_ns.h). */
#define PROC_PID_INIT_INO	0xEFFFFFFCU

static const char *sysroot(void)
{
	const char *r = getenv("LOCKSTEP_DOCTOR_ROOT");

	return r && *r ? r : "";
}

static void root_path(char *buf, size_t len, const char *path)
{
	snprintf(buf, len, "%s%s", sysroot(), path);
}

static struct ls_check *check(struct ls_check *c, enum ls_check_status st,
			      const char *name)
{
	memset(c, 0, sizeof(*c));
	c->status = st;
	c->name = name;
	return c;
}

const char *ls_check_status_str(enum ls_check_status s)
{
	switch (s) {
	case LS_CHECK_OK:	return "ok";
	case LS_CHECK_WARN:	return "warn";
	case LS_CHECK_FAIL:	return "FAIL";
	case LS_CHECK_SKIP:	return "skip";
	}
	return "?";
}

static bool has_caps(bool *sys_admin, bool *bpf, bool *perfmon)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return false;
	*sys_admin = data[CAP_SYS_ADMIN / 32].effective & (1u << (CAP_SYS_ADMIN % 32));
	*bpf = data[CAP_BPF / 32].effective & (1u << (CAP_BPF % 32));
	*perfmon = data[CAP_PERFMON / 32].effective & (1u << (CAP_PERFMON % 32));
	return true;
}

static void check_privileges(struct ls_check *out)
{
	bool admin = false, bpf = false, perfmon = false;
	struct ls_check *c;

	has_caps(&admin, &bpf, &perfmon);
	if (admin || (bpf && perfmon)) {
		c = check(out, LS_CHECK_OK, "privileges");
		snprintf(c->detail, sizeof(c->detail), "%s",
			 geteuid() == 0 ? "root" :
			 admin ? "CAP_SYS_ADMIN" : "CAP_BPF and CAP_PERFMON");
		return;
	}
	c = check(out, LS_CHECK_FAIL, "privileges");
	snprintf(c->detail, sizeof(c->detail),
		 "not root and no CAP_BPF+CAP_PERFMON (uid %u%s%s)", (unsigned)geteuid(),
		 bpf ? ", has CAP_BPF" : "", perfmon ? ", has CAP_PERFMON" : "");
	snprintf(c->fix, sizeof(c->fix),
		 "run with sudo, or: sudo setcap cap_bpf,cap_perfmon+ep $(command -v lockstep)"
		 " (without it lockstep uses the in-process ring)");
}

static void check_pidns(struct ls_check *out)
{
	char path[PATH_MAX];
	struct ls_check *c;
	struct stat st;

	root_path(path, sizeof(path), "/proc/self/ns/pid");
	if (stat(path, &st) == 0 && st.st_ino == PROC_PID_INIT_INO) {
		c = check(out, LS_CHECK_OK, "pid namespace");
		snprintf(c->detail, sizeof(c->detail), "the host's (kernel pids are ours)");
		return;
	}
	c = check(out, LS_CHECK_FAIL, "pid namespace");
	if (stat(path, &st) < 0)
		snprintf(c->detail, sizeof(c->detail), "cannot stat %.400s: %s",
			 path, strerror(errno));
	else
		snprintf(c->detail, sizeof(c->detail),
			 "inside a container's pid namespace; BPF sees other pids");
	snprintf(c->fix, sizeof(c->fix),
		 "run in the host pid namespace (docker run --pid=host ...) or use --transport shm");
}

static void check_btf(struct ls_check *out)
{
	char path[PATH_MAX];
	struct ls_check *c;

	root_path(path, sizeof(path), "/sys/kernel/btf/vmlinux");
	if (access(path, R_OK) == 0) {
		c = check(out, LS_CHECK_OK, "BTF");
		snprintf(c->detail, sizeof(c->detail), "%.400s", path);
		return;
	}
	c = check(out, LS_CHECK_FAIL, "BTF");
	snprintf(c->detail, sizeof(c->detail), "%.400s: %s", path, strerror(errno));
	snprintf(c->fix, sizeof(c->fix),
		 "boot a kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian 11+, Ubuntu 20.10+, Fedora 31+ have it)");
}

static void check_uprobes(struct ls_check *out)
{
	char path[PATH_MAX], buf[32] = "";
	struct ls_check *c;
	FILE *f;
	int type = -1;

	root_path(path, sizeof(path), "/sys/bus/event_source/devices/uprobe/type");
	f = fopen(path, "re");
	if (f) {
		if (fgets(buf, sizeof(buf), f))
			type = atoi(buf);
		fclose(f);
	}
	if (type > 0) {
		c = check(out, LS_CHECK_OK, "uprobes");
		snprintf(c->detail, sizeof(c->detail), "uprobe PMU, perf type %d", type);
		return;
	}
	c = check(out, LS_CHECK_FAIL, "uprobes");
	snprintf(c->detail, sizeof(c->detail), "%.400s: %s", path,
		 f ? "not a perf event type" : strerror(errno));
	snprintf(c->fix, sizeof(c->fix),
		 "boot a kernel built with CONFIG_UPROBES=y and CONFIG_UPROBE_EVENTS=y");
}

static void check_tracefs(struct ls_check *out)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing/events", "/sys/kernel/debug/tracing/events",
	};
	char path[PATH_MAX];
	struct ls_check *c;
	struct stat st;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		root_path(path, sizeof(path), dirs[i]);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			c = check(out, LS_CHECK_OK, "tracefs");
			snprintf(c->detail, sizeof(c->detail), "%.*s", (int)(strlen(path) - 7) & 511, path);
			return;
		}
	}
	c = check(out, LS_CHECK_WARN, "tracefs");
	root_path(path, sizeof(path), "/sys/kernel/tracing");
	snprintf(c->detail, sizeof(c->detail),
		 "not mounted at %.400s (lockstep does not need it; perf probe does)", path);
	snprintf(c->fix, sizeof(c->fix), "sudo mount -t tracefs nodev /sys/kernel/tracing");
}

static void check_ringbuf(struct ls_check *out)
{
	long page = sysconf(_SC_PAGESIZE);
	struct ls_check *c;
	int fd;

	fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "ls_doctor", 0, 0,
			    (uint32_t)(page > 0 ? page : 4096), NULL);
	if (fd >= 0) {
		close(fd);
		c = check(out, LS_CHECK_OK, "ring buffer map");
		snprintf(c->detail, sizeof(c->detail), "BPF_MAP_TYPE_RINGBUF created");
		return;
	}
	fd = -fd;
	c = check(out, LS_CHECK_FAIL, "ring buffer map");
	snprintf(c->detail, sizeof(c->detail), "cannot create BPF_MAP_TYPE_RINGBUF: %s",
		 strerror(fd));
	if (fd == EPERM || fd == EACCES)
		snprintf(c->fix, sizeof(c->fix), "needs the privileges above");
	else
		snprintf(c->fix, sizeof(c->fix), "boot Linux 5.8 or newer");
}

static void check_load(struct ls_check *out)
{
	struct ls_collector *col = NULL;
	char err[200] = "";
	uint32_t ids[8];
	struct ls_check *c;
	int ret;

	ret = ls_collector_open(&col, getpid(), 4096, err, sizeof(err));
	if (!ret) {
		size_t n = ls_collector_prog_ids(col, ids, 8);

		ls_collector_destroy(col);
		c = check(out, LS_CHECK_OK, "BPF programs");
		snprintf(c->detail, sizeof(c->detail),
			 "%zu programs loaded and verified, then unloaded", n);
		return;
	}
	c = check(out, LS_CHECK_FAIL, "BPF programs");
	snprintf(c->detail, sizeof(c->detail), "%s", err);
	if (ret == -EPERM || ret == -EACCES)
		snprintf(c->fix, sizeof(c->fix), "needs the privileges above");
	else
		snprintf(c->fix, sizeof(c->fix),
			 "run 'lockstep doctor -v' for the verifier log and report it");
}

static void check_target(struct ls_check *out, const char *target)
{
	char where[PATH_MAX];
	struct ls_check *c;
	int n;

	if (!target) {
		c = check(out, LS_CHECK_SKIP, "target probes");
		snprintf(c->detail, sizeof(c->detail),
			 "no --target PROGRAM given");
		return;
	}
	n = ls_program_probes(target, where, sizeof(where));
	if (n > 0) {
		c = check(out, LS_CHECK_OK, "target probes");
		snprintf(c->detail, sizeof(c->detail), "%d lockstep probes in %.400s", n, where);
		return;
	}
	c = check(out, LS_CHECK_FAIL, "target probes");
	if (n < 0)
		snprintf(c->detail, sizeof(c->detail), "%.400s: %s", target,
			 n == -ENOEXEC ? "not an ELF file" : strerror(-n));
	else
		snprintf(c->detail, sizeof(c->detail),
			 "%.400s has no lockstep probes (.note.stapsdt)", target);
	snprintf(c->fix, sizeof(c->fix),
		 "link the program with liblockstep (-llockstep), built with probes (not LS_NO_PROBES)");
}

size_t ls_doctor_run(const char *target, struct ls_check *out, size_t max)
{
	struct ls_check all[LS_DOCTOR_MAX_CHECKS];
	size_t n = 0;

	check_privileges(&all[n++]);
	check_pidns(&all[n++]);
	check_btf(&all[n++]);
	check_uprobes(&all[n++]);
	check_tracefs(&all[n++]);
	check_ringbuf(&all[n++]);
	check_load(&all[n++]);
	check_target(&all[n++], target);
	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof(*out));
	return n;
}

bool ls_bpf_permitted(char *reason, size_t len)
{
	struct ls_check c;

	check_privileges(&c);
	if (c.status == LS_CHECK_OK)
		check_pidns(&c);
	if (c.status == LS_CHECK_OK)
		check_btf(&c);
	if (c.status == LS_CHECK_OK)
		check_uprobes(&c);
	if (c.status == LS_CHECK_OK)
		return true;
	snprintf(reason, len, "%s", c.detail);
	return false;
}
