// SPDX-License-Identifier: MIT
/*
 * trace_cleanup.c - whichever way `lockstep trace` ends, nothing of ours
 * stays in the kernel: no BPF program, no link using one.
 *
 * lockstep -v prints the ids of the programs it loaded; after it exits the
 * test asks the kernel for each id (bpf_prog_get_fd_by_id) and walks every
 * link (bpf_link_get_next_id) for one that uses them.  Ids, not names, so a
 * lockstep that someone else runs on the machine at the same time cannot
 * confuse the test.  Exit paths: the program ends; SIGINT or SIGTERM to
 * lockstep (the program it started gets the signal too); the traced
 * program is killed; lockstep detaches from a process it attached to;
 * lockstep itself is killed (the kernel cleans up after it).
 */
#include "harness.h"
#include "trace_util.h"

#define NEED_BPF()							\
	do {								\
		char why_[256];						\
		if (!tu_bpf_ok(why_, sizeof(why_)))			\
			SKIP_NEEDS_BPF(return, "no BPF: %s", why_);	\
	} while (0)

struct run {
	char *dir;
	struct tu_bg lock;	/* lockstep */
	uint32_t ids[16];
	size_t nids;
};

/* Start `lockstep trace -v ARGS...` and wait until it has attached. */
static int start(struct run *r, char *const args[])
{
	char *argv[16] = { (char *)tu_lockstep(), "trace", "-v" };
	char *err;
	int a = 3;

	memset(&r->lock, 0, sizeof(r->lock));
	r->dir = tu_tmpdir();
	if (!r->dir)
		return -ENOMEM;
	for (int i = 0; args[i] && a < 15; i++)
		argv[a++] = args[i];
	argv[a] = NULL;
	if (tu_bg_start(&r->lock, r->dir, "lockstep", argv))
		return -EIO;
	if (!tu_wait_for_text(r->lock.err, "prog ids:", 20))
		return -ETIMEDOUT;
	err = tu_read_file(r->lock.err, NULL);
	r->nids = tu_parse_prog_ids(err, r->ids, 16);
	free(err);
	return r->nids ? 0 : -ENOENT;
}

/* The ticker's pid, from the "ready PID" line it prints. */
static pid_t ticker_pid(struct run *r)
{
	char *out;
	const char *p;
	pid_t pid = 0;

	if (!tu_wait_for_text(r->lock.out, "ready ", 10))
		return 0;
	out = tu_read_file(r->lock.out, NULL);
	p = out ? strstr(out, "ready ") : NULL;
	if (p)
		pid = (pid_t)atoi(p + 6);
	free(out);
	return pid;
}

static void finish(struct run *r)
{
	tu_bg_free(&r->lock);
	tu_rmtree(r->dir);
}

static bool alive(pid_t pid)
{
	return pid > 0 && kill(pid, 0) == 0;
}

TEST_TIMEOUT(program_ends, 60)
{
	char *args[] = { "--", (char *)tu_workload("trace_seq"), "5", NULL };
	struct run r;
	int st;

	NEED_BPF();
	ASSERT_EQ(0, start(&r, args));
	st = tu_bg_wait(&r.lock, 20);
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
	ASSERT_TRUE(tu_progs_gone(r.ids, r.nids, 10));
	finish(&r);
}

static void signal_lockstep(int sig)
{
	char *args[] = { "--", (char *)tu_workload("trace_ticker"), "60", NULL };
	struct run r;
	pid_t tick;
	int st;

	ASSERT_EQ(0, start(&r, args));
	tick = ticker_pid(&r);
	ASSERT_LT(0, tick);
	/* the check below would notice a program: here is one */
	for (size_t i = 0; i < r.nids; i++)
		ASSERT_TRUE(tu_prog_exists(r.ids[i]));
	ASSERT_TRUE(tu_link_uses(r.ids, r.nids));
	ASSERT_EQ(0, kill(r.lock.pid, sig));
	st = tu_bg_wait(&r.lock, 20);
	/* lockstep passed the signal on and reports how the program died */
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(128 + sig, WEXITSTATUS(st));
	EXPECT_FALSE(alive(tick));
	ASSERT_TRUE(tu_progs_gone(r.ids, r.nids, 10));
	finish(&r);
}

TEST_TIMEOUT(sigint_to_lockstep, 60)
{
	NEED_BPF();
	signal_lockstep(SIGINT);
}

TEST_TIMEOUT(sigterm_to_lockstep, 60)
{
	NEED_BPF();
	signal_lockstep(SIGTERM);
}

TEST_TIMEOUT(traced_program_killed, 60)
{
	char *args[] = { "--", (char *)tu_workload("trace_ticker"), "60", NULL };
	struct run r;
	pid_t tick;
	int st;

	NEED_BPF();
	ASSERT_EQ(0, start(&r, args));
	tick = ticker_pid(&r);
	ASSERT_LT(0, tick);
	ASSERT_EQ(0, kill(tick, SIGKILL));
	st = tu_bg_wait(&r.lock, 20);
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(128 + SIGKILL, WEXITSTATUS(st));
	ASSERT_TRUE(tu_progs_gone(r.ids, r.nids, 10));
	finish(&r);
}

/* Attached by pid: SIGINT detaches and leaves the process running. */
TEST_TIMEOUT(detach_from_attached_process, 60)
{
	char *tick[] = { (char *)tu_workload("trace_ticker"), "60", NULL };
	char pid[16];
	char *args[] = { "-p", pid, NULL };
	struct tu_bg t = { 0 };
	struct run r;
	char *dir;
	int st;

	NEED_BPF();
	dir = tu_tmpdir();
	ASSERT_NOT_NULL(dir);
	ASSERT_EQ(0, tu_bg_start(&t, dir, "ticker", tick));
	ASSERT_TRUE(tu_wait_for_text(t.out, "ready", 10));
	snprintf(pid, sizeof(pid), "%d", (int)t.pid);
	ASSERT_EQ(0, start(&r, args));
	ASSERT_TRUE(tu_wait_for_text(r.lock.out, "mutex_state", 10));
	ASSERT_EQ(0, kill(r.lock.pid, SIGINT));
	st = tu_bg_wait(&r.lock, 20);
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
	ASSERT_TRUE(tu_progs_gone(r.ids, r.nids, 10));
	/* the program goes on, untraced */
	EXPECT_TRUE(alive(t.pid));
	kill(t.pid, SIGKILL);
	tu_bg_wait(&t, 10);
	tu_bg_free(&t);
	tu_rmtree(dir);
	finish(&r);
}

/* Even SIGKILL leaves nothing: every link and program is held by an fd. */
TEST_TIMEOUT(lockstep_killed, 60)
{
	char *args[] = { "--", (char *)tu_workload("trace_ticker"), "60", NULL };
	struct run r;
	pid_t tick;

	NEED_BPF();
	ASSERT_EQ(0, start(&r, args));
	tick = ticker_pid(&r);
	ASSERT_EQ(0, kill(r.lock.pid, SIGKILL));
	tu_bg_wait(&r.lock, 20);
	ASSERT_TRUE(tu_progs_gone(r.ids, r.nids, 15));
	if (alive(tick))
		kill(tick, SIGKILL);
	finish(&r);
}

TEST_HARNESS_MAIN
