// SPDX-License-Identifier: MIT
/*
 * trace_doctor.c - `lockstep doctor`: one line per check, and each check
 * can fail, saying what to do.
 *
 * The path checks read below LOCKSTEP_DOCTOR_ROOT: the tests build a fake
 * system tree in which everything is fine (proc/ links to the real /proc,
 * so the pid namespace check still sees ours) and break one thing at a
 * time.  Privileges, the ring buffer map and the program load fail for real
 * as user nobody; the target check fails on a program without probes.
 */
#include "harness.h"
#include "trace_util.h"

/* Run lockstep doctor ARGS with LOCKSTEP_DOCTOR_ROOT=root (NULL: none). */
static int doctor(const char *root, const char *target, struct th_result *r)
{
	char env0[TU_PATH];
	const char *env[] = { env0, NULL };
	char *argv[] = { (char *)tu_lockstep(), "doctor", target ? "--target" : NULL,
			 (char *)target, NULL };

	snprintf(env0, sizeof(env0), "LOCKSTEP_DOCTOR_ROOT=%s", root ? root : "");
	return th_run_argv(argv, env, 60, r);
}

/* The doctor's line for one check, copied into buf ("" if missing). */
static const char *line_of(const char *out, const char *name, char *buf, size_t len)
{
	const char *p = out;

	buf[0] = '\0';
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);

		/* "ok    BTF              ..." : the name starts at column 7 */
		if (l > 7 && !strncmp(p + 6, name, strlen(name)) &&
		    p[6 + strlen(name)] == ' ') {
			snprintf(buf, len, "%.*s", (int)l, p);
			return buf;
		}
		p = nl ? nl + 1 : NULL;
	}
	return buf;
}

static int mkdirs(const char *root, const char *rel)
{
	char path[TU_PATH];

	snprintf(path, sizeof(path), "mkdir -p '%s/%s'", root, rel);
	return system(path) == 0 ? 0 : -EIO;
}

static int rmrf(const char *path)
{
	char cmd[TU_PATH + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	return system(cmd) == 0 ? 0 : -EIO;
}

/* A fake root where every path check passes. */
static char *good_root(void)
{
	char *root = tu_tmpdir();
	char path[TU_PATH];

	if (!root)
		return NULL;
	snprintf(path, sizeof(path), "%s/proc", root);
	if (symlink("/proc", path) ||
	    mkdirs(root, "sys/kernel/btf") ||
	    mkdirs(root, "sys/bus/event_source/devices/uprobe") ||
	    mkdirs(root, "sys/kernel/tracing/events") ||
	    tu_write_file(tu_path(root, "sys/kernel/btf/vmlinux"), "BTF", 3) ||
	    tu_write_file(tu_path(root, "sys/bus/event_source/devices/uprobe/type"), "8\n", 2)) {
		tu_rmtree(root);
		return NULL;
	}
	return root;
}

TEST(all_checks_pass_here)
{
	struct th_result r;
	char buf[1024], why[256];

	if (!tu_bpf_ok(why, sizeof(why)))
		SKIP_NEEDS_BPF(return, "no BPF: %s", why);
	ASSERT_EQ(0, doctor(NULL, tu_workload("trace_seq"), &r));
	TH_LOG("\n%s", r.out);
	EXPECT_EQ(0, r.status);
	EXPECT_EQ((size_t)8, tu_count_lines(r.out));
	EXPECT_FALSE(strstr(r.out, "FAIL") != NULL);
	ASSERT_CONTAINS(line_of(r.out, "target probes", buf, sizeof(buf)), "ok    ");
	EXPECT_CONTAINS(buf, "lockstep probes in");
	ASSERT_CONTAINS(line_of(r.out, "BPF programs", buf, sizeof(buf)), "ok    ");
	th_result_free(&r);
}

TEST(the_fake_root_is_healthy)
{
	char buf[1024];
	struct th_result r;
	char *root = good_root();

	ASSERT_NOT_NULL(root);
	ASSERT_EQ(0, doctor(root, NULL, &r));
	ASSERT_CONTAINS(line_of(r.out, "BTF", buf, sizeof(buf)), "ok    ");
	ASSERT_CONTAINS(line_of(r.out, "uprobes", buf, sizeof(buf)), "ok    ");
	ASSERT_CONTAINS(line_of(r.out, "tracefs", buf, sizeof(buf)), "ok    ");
	ASSERT_CONTAINS(line_of(r.out, "pid namespace", buf, sizeof(buf)), "ok    ");
	ASSERT_CONTAINS(line_of(r.out, "target probes", buf, sizeof(buf)), "skip  ");
	th_result_free(&r);
	tu_rmtree(root);
}

/* Break one path under the fake root: that check fails with a fix. */
static void broken(const char *rel, const char *content, const char *check,
		   const char *status, int exit_status, const char *detail)
{
	char buf[1024];
	struct th_result r;
	char *root = good_root();
	char *path;

	ASSERT_NOT_NULL(root);
	path = tu_path(root, rel);
	if (content)
		ASSERT_EQ(0, tu_write_file(path, content, strlen(content)));
	else
		ASSERT_EQ(0, rmrf(path));
	ASSERT_EQ(0, doctor(root, NULL, &r));
	line_of(r.out, check, buf, sizeof(buf));
	TH_LOG("%s", buf);
	ASSERT_EQ(0, strncmp(buf, status, strlen(status)));
	ASSERT_CONTAINS(buf, detail);
	ASSERT_CONTAINS(buf, "; fix: ");
	/* only this check is unhappy */
	EXPECT_EQ((size_t)1, (size_t)(strstr(r.out, "FAIL") ? 1 : 0) +
		  (size_t)(strstr(r.out, "warn") ? 1 : 0));
	if (exit_status >= 0)
		EXPECT_EQ(exit_status, r.status);
	th_result_free(&r);
	tu_rmtree(root);
}

TEST(btf_missing)
{
	broken("sys/kernel/btf/vmlinux", NULL, "BTF", "FAIL  ", -1,
	       "No such file or directory");
}

TEST(uprobe_pmu_missing)
{
	broken("sys/bus/event_source/devices/uprobe", NULL, "uprobes", "FAIL  ", -1,
	       "No such file or directory");
}

TEST(uprobe_pmu_garbage)
{
	broken("sys/bus/event_source/devices/uprobe/type", "none\n", "uprobes",
	       "FAIL  ", -1, "not a perf event type");
}

/* tracefs is not needed by lockstep: a warning, exit status unchanged. */
TEST(tracefs_not_mounted)
{
	char why[256];
	int st = tu_bpf_ok(why, sizeof(why)) ? 0 : -1;

	broken("sys/kernel/tracing", NULL, "tracefs", "warn  ", st,
	       "not mounted");
}

TEST(pid_namespace_foreign)
{
	char buf[1024];
	struct th_result r;
	char *root = good_root();

	ASSERT_NOT_NULL(root);
	/* a proc/ whose self/ns/pid is not the initial namespace */
	ASSERT_EQ(0, unlink(tu_path(root, "proc")));
	ASSERT_EQ(0, mkdirs(root, "proc/self/ns"));
	ASSERT_EQ(0, tu_write_file(tu_path(root, "proc/self/ns/pid"), "", 0));
	ASSERT_EQ(0, doctor(root, NULL, &r));
	line_of(r.out, "pid namespace", buf, sizeof(buf));
	ASSERT_EQ(0, strncmp(buf, "FAIL  ", 6));
	ASSERT_CONTAINS(buf, "--pid=host");
	EXPECT_EQ(1, r.status);
	th_result_free(&r);
	tu_rmtree(root);
}

TEST(target_without_probes)
{
	char buf[1024];
	struct th_result r;

	ASSERT_EQ(0, doctor(NULL, "/bin/true", &r));
	line_of(r.out, "target probes", buf, sizeof(buf));
	ASSERT_EQ(0, strncmp(buf, "FAIL  ", 6));
	ASSERT_CONTAINS(buf, "/bin/true has no lockstep probes");
	ASSERT_CONTAINS(buf, "fix: link the program with liblockstep");
	EXPECT_EQ(1, r.status);
	th_result_free(&r);
	ASSERT_EQ(0, doctor(NULL, "/etc/hostname", &r));
	ASSERT_CONTAINS(line_of(r.out, "target probes", buf, sizeof(buf)), "not an ELF file");
	th_result_free(&r);
}

/* As nobody: privileges, the ring buffer map and the load fail for real. */
TEST(unprivileged)
{
	char *argv[] = { "/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup",
			 "--clear-groups", NULL, "doctor", NULL };
	char lock[TU_PATH], buf[1024];
	struct th_result r;
	char *dir;

	if (geteuid() != 0)
		SKIP(return, "needs root to become nobody");
	dir = tu_tmpdir();
	ASSERT_NOT_NULL(dir);
	ASSERT_EQ(0, chmod(dir, 0755));
	snprintf(lock, sizeof(lock), "%s/lockstep", dir);
	ASSERT_EQ(0, tu_copy_file(tu_lockstep(), lock, 0755));
	argv[4] = lock;
	ASSERT_EQ(0, th_run_argv(argv, NULL, 30, &r));
	TH_LOG("\n%s", r.out);
	EXPECT_EQ(1, r.status);
	line_of(r.out, "privileges", buf, sizeof(buf));
	ASSERT_EQ(0, strncmp(buf, "FAIL  ", 6));
	ASSERT_CONTAINS(buf, "not root and no CAP_BPF+CAP_PERFMON");
	ASSERT_CONTAINS(buf, "fix: run with sudo");
	line_of(r.out, "ring buffer map", buf, sizeof(buf));
	ASSERT_EQ(0, strncmp(buf, "FAIL  ", 6));
	ASSERT_CONTAINS(buf, "Operation not permitted");
	line_of(r.out, "BPF programs", buf, sizeof(buf));
	ASSERT_EQ(0, strncmp(buf, "FAIL  ", 6));
	ASSERT_CONTAINS(buf, "fix: ");
	th_result_free(&r);
	tu_rmtree(dir);
}

TEST_HARNESS_MAIN
