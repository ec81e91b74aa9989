// SPDX-License-Identifier: MIT
/*
 * harness_selftest.c - the harness tests itself.
 *
 * A harness that wrongly says "ok" hides every bug behind it, so each of
 * its promises is checked from the outside: harness_victim (built next to
 * this binary, never run on its own) holds tests that fail, hang, exit and
 * abort on purpose; we run it with th_run_argv, one test at a time with -t,
 * and read its KTAP output and exit status.  The child runners th_run_fn
 * and th_run_argv are checked directly.
 *
 * Victims run with LOCKSTEP_TEST_TIMEOUT_SCALE=0.5 so that their 1 s
 * timeouts fire after half a second, and with LOCKSTEP_REQUIRE_BPF unset
 * unless a test sets it.  Nothing here waits for something to happen
 * "soon enough": a hang shows up as this suite's own timeout.
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lockstep/runtime.h>

#include "harness.h"

/* Totals of a full victim run; keep in step with harness_victim.c. */
#define VICTIM_TESTS	22
#define VICTIM_PASS	6
#define VICTIM_FAIL	12
#define VICTIM_SKIP	4

/* Generous: only a harness bug makes a victim run take this long. */
#define VICTIM_TIMEOUT	60

static const char *const victim_env[] = {
	"LOCKSTEP_REQUIRE_BPF",			/* unset */
	"LOCKSTEP_TEST_TIMEOUT_SCALE=0.5",
	NULL,
};

static const char *const victim_env_bpf[] = {
	"LOCKSTEP_REQUIRE_BPF=1",
	"LOCKSTEP_TEST_TIMEOUT_SCALE=0.5",
	NULL,
};

/* harness_victim lives in the directory of this very binary. */
static int victim_path(char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n < 0)
		return -errno;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	if ((size_t)snprintf(buf, len, "%s/harness_victim", exe) >= len)
		return -ENAMETOOLONG;
	return access(buf, X_OK) ? -errno : 0;
}

/* Run the victim with the NULL-terminated args. */
static int run_victim(struct th_result *r, const char *const env[],
		      const char *const args[])
{
	char path[PATH_MAX];
	char *argv[16];
	int n = 0, ret;

	ret = victim_path(path, sizeof(path));
	if (ret)
		return ret;
	argv[n++] = path;
	while (*args && n < 15)
		argv[n++] = (char *)*args++;
	argv[n] = NULL;
	return th_run_argv(argv, env, VICTIM_TIMEOUT, r);
}

#define VICTIM(r, env, ...) \
	run_victim(r, env, (const char *const []){ __VA_ARGS__, NULL })

/* Make orphaned descendants ours, so that we can reap and inspect them. */
static void become_subreaper(void)
{
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
}

/* The pid a test printed after `tag`, or -1. */
static pid_t pid_after(const char *out, const char *tag)
{
	const char *p = strstr(out, tag);

	return p ? (pid_t)atoi(p + strlen(tag)) : -1;
}

/* The process must have been killed by SIGKILL: reap it and check. */
static void expect_killed(pid_t pid)
{
	int st = 0;

	ASSERT_LT(0, pid);
	/* If it was not killed, this blocks and our own timeout says so. */
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFSIGNALED(st));
	EXPECT_EQ(SIGKILL, WTERMSIG(st));
}

FIXTURE(victim) {
	struct th_result r;
};

FIXTURE_TEARDOWN(victim)
{
	th_result_free(&self->r);
}

TEST_F(victim, lists_every_test_in_order)
{
	ASSERT_EQ(0, VICTIM(&self->r, victim_env, "-l"));
	EXPECT_EQ(0, self->r.status);
	EXPECT_CONTAINS(self->r.out, "passes\nassert_fails\nexpect_continues\n");
	/* fixture, then variant, then test */
	EXPECT_CONTAINS(self->r.out,
			"counter.one.holds_start\n"
			"counter.one.assert_then_teardown\n"
			"counter.two.holds_start\n"
			"counter.two.assert_then_teardown\n"
			"skipper.body_not_run\n"
			"skipper.also_skipped\n"
			"sleeper.hangs\n");
}

TEST_F(victim, help_and_bad_options)
{
	ASSERT_EQ(0, VICTIM(&self->r, victim_env, "-h"));
	EXPECT_EQ(1, self->r.exited);
	EXPECT_EQ(0, self->r.status);
	EXPECT_CONTAINS(self->r.out, "usage:");
	th_result_free(&self->r);

	ASSERT_EQ(0, VICTIM(&self->r, victim_env, "-x"));
	EXPECT_EQ(2, self->r.status);
	EXPECT_CONTAINS(self->r.err, "usage:");
}

TEST_F(victim, full_run_totals)
{
	char totals[128], plan[32], last[64];

	ASSERT_EQ(0, run_victim(&self->r, victim_env, (const char *const []){ NULL }));
	snprintf(plan, sizeof(plan), "TAP version 13\n1..%d\n", VICTIM_TESTS);
	snprintf(totals, sizeof(totals),
		 "\n# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n",
		 VICTIM_PASS, VICTIM_FAIL, VICTIM_SKIP);
	snprintf(last, sizeof(last), "\nnot ok %d sleeper.hangs # TIMEOUT",
		 VICTIM_TESTS);
	EXPECT_EQ(1, self->r.exited);
	EXPECT_EQ(1, self->r.status);
	EXPECT_EQ(0, strncmp(self->r.out, plan, strlen(plan)))
		TH_LOG("output starts: %.60s", self->r.out);
	EXPECT_CONTAINS(self->r.out, "# Starting 22 tests from 5 test cases.\n");
	EXPECT_CONTAINS(self->r.out, totals);
	EXPECT_CONTAINS(self->r.out, last);
	EXPECT_CONTAINS(self->r.out, "\n# FAILED: 6 / 22 tests passed.\n");
}

TEST_F(victim, all_passing_exits_zero)
{
	ASSERT_EQ(0, VICTIM(&self->r, victim_env, "-t", "passes", "-t",
			    "mixed_signedness"));
	EXPECT_EQ(0, self->r.status);
	EXPECT_CONTAINS(self->r.out, "1..2\n");
	EXPECT_CONTAINS(self->r.out, "\nok 1 passes\n");
	EXPECT_CONTAINS(self->r.out, "\nok 2 mixed_signedness\n");
	EXPECT_CONTAINS(self->r.out,
			"# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0\n");
	/* what a test prints becomes a diagnostic */
	EXPECT_CONTAINS(self->r.out, "\n# passes printed this\n");
}

TEST_F(victim, failed_assert_stops_the_test)
{
	ASSERT_EQ(0, VICTIM(&self->r, victim_env, "-t", "assert_fails"));
	EXPECT_EQ(1, self->r.status);
	EXPECT_CONTAINS(self->r.out, "\nnot ok 1 assert_fails\n");
	EXPECT_CONTAINS(self->r.out,
			"harness_victim.c:33:Expected 1 (1) == two (2)\n");
	EXPECT_CONTAINS(self->r.out, ":assert_fails:context 7\n");
	EXPECT_EQ(NULL, strstr(self->r.out, "after the assert"));
	EXPECT_CONTAINS(self->r.out,
			"# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0\n");
}

TEST_F(victim, failed_expect_continues)
{
	ASSERT_EQ(0, VICTIM(&self->r, victim_env, "-t", "expect_continues"));
	EXPECT_EQ(1, self->r.status);
	EXPECT_CONTAINS(self->r.out, "Expected -5 (-5) == three (3)\n");
	EXPECT_CONTAINS(self->r.out, "Expected \"abc\" (\"abc\") == \"abd\" (\"abd\")\n");
	EXPECT_CONTAINS(self->r.out, "\n# still running\n");
	EXPECT_CONTAINS(self->r.out, "\nnot ok 1 expect_continues\n");
}

TEST_F(victim, values_compare_and_print_by_type)
{
	ASSERT_EQ(0, VICTIM(&self->r, victim_env, "-t", "mixed_signedness"));
	EXPECT_CONTAINS(self->r.out, "\nok 1 mixed_signedness\n");
	th_result_free(&self->r);

	ASSERT_EQ(0, VICTIM(&self->r, victim_env, "-t", "prints_values"));
	EXPECT_CONTAINS(self->r.out, "Expected 0 (0) == big (18446744073709551615)\n");
	EXPECT_CONTAINS(self->r.out, "Expected NULL == p (0x1000)\n");
	EXPECT_CONTAINS(self->r.out, "Expected 0 (0) to be true\n");
	EXPECT_CONTAINS(self->r.out, "== s (\"multi\\nline\")\n");
	EXPECT_CONTAINS(self->r.out, "to contain \"needle\" (\"needle\")\n");
	EXPECT_CONTAINS(self->r.out, "\nnot ok 1 prints_values\n");
}

TEST_F(victim, hang_times_out_and_group_dies)
{
	become_subreaper();
	ASSERT_EQ(0, VICTIM(&self->r, victim_env, "-t", "hang_with_grandchild"));
	EXPECT_EQ(1, self->r.status);
	/* 1 s scaled by 0.5 */
	EXPECT_CONTAINS(self->r.out,
			"\nnot ok 1 hang_with_grandchild # TIMEOUT after 0.5s\n");
	expect_killed(pid_after(self->r.out, "# grandchild "));
}

TEST_F(victim, fixture_test_times_out)
{
	ASSERT_EQ(0, VICTIM(&self->r, victim_env, "-t", "sleeper.hangs"));
	EXPECT_EQ(1, self->r.status);
	EXPECT_CONTAINS(self->r.out, "\nnot ok 1 sleeper.hangs # TIMEOUT after 0.5s\n");
}

TEST_F(victim, expected_exit_status_passes)
{
	ASSERT_EQ(0, VICTIM(&self->r, victim_env, "-t", "exit_two_expected"));
	EXPECT_EQ(0, self->r.status);
	EXPECT_CONTAINS(self->r.out, "\nok 1 exit_two_expected\n");
}

TEST_F(victim, unexpected_exit_status_fails)
{
	ASSERT_EQ(0, VICTIM(&self->r, victim_env, "-t", "exit_two_unexpected"));
	EXPECT_EQ(1, self->r.status);
	EXPECT_CONTAINS(self->r.out, "exited with status 2, expected 0");
	EXPECT_CONTAINS(self->r.out, "\nnot ok 1 exit_two_unexpected\n");
	th_result_free(&self->r);

	ASSERT_EQ(0, VICTIM(&self->r, victim_env, "-t", "exit_two_missing"));
	EXPECT_EQ(1, self->r.status);
	EXPECT_CONTAINS(self->r.out, "exited with status 0, expected 2");
	EXPECT_CONTAINS(self->r.out, "\nnot ok 1 exit_two_missing\n");
}

TEST_F(victim, expected_signal_passes)
{
	ASSERT_EQ(0, VICTIM(&self->r, victim_env, "-t", "abort_expected"));
	EXPECT_EQ(0, self->r.status);
	EXPECT_CONTAINS(self->r.out, "\nok 1 abort_expected\n");
	th_result_free(&self->r);

	ASSERT_EQ(0, VICTIM(&self->r, victim_env, "-t", "abort_unexpected"));
	EXPECT_EQ(1, self->r.status);
	EXPECT_CONTAINS(self->r.out, "killed by signal 6");
	EXPECT_CONTAINS(self->r.out, "\nnot ok 1 abort_unexpected\n");
}

TEST_F(victim, skip_is_reported_as_skip)
{
	ASSERT_EQ(0, VICTIM(&self->r, victim_env, "-t", "skips"));
	EXPECT_EQ(0, self->r.status);
	EXPECT_CONTAINS(self->r.out, "\nok 1 skips # SKIP no frobnicator (42)\n");
	EXPECT_EQ(NULL, strstr(self->r.out, "after the skip"));
	EXPECT_CONTAINS(self->r.out,
			"# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0\n");
}

TEST_F(victim, bpf_skip_without_requirement)
{
	ASSERT_EQ(0, VICTIM(&self->r, victim_env, "-t", "needs_bpf"));
	EXPECT_EQ(0, self->r.status);
	EXPECT_CONTAINS(self->r.out, "\nok 1 needs_bpf # SKIP no CAP_BPF\n");
	EXPECT_EQ(NULL, strstr(self->r.out, "after the bpf skip"));
}

TEST_F(victim, bpf_skip_fails_when_required)
{
	ASSERT_EQ(0, VICTIM(&self->r, victim_env_bpf, "-t", "needs_bpf"));
	EXPECT_EQ(1, self->r.status);
	EXPECT_CONTAINS(self->r.out, "\nnot ok 1 needs_bpf\n");
	EXPECT_CONTAINS(self->r.out, "LOCKSTEP_REQUIRE_BPF is set");
	EXPECT_CONTAINS(self->r.out, "no CAP_BPF");
	EXPECT_CONTAINS(self->r.out,
			"# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0\n");
}

TEST_F(victim, checks_in_other_threads)
{
	ASSERT_EQ(0, VICTIM(&self->r, victim_env, "-t", "assert_other_thread"));
	EXPECT_CONTAINS(self->r.out, "\nnot ok 1 assert_other_thread\n");
	EXPECT_EQ(NULL, strstr(self->r.out, "joined after assert"));
	th_result_free(&self->r);

	ASSERT_EQ(0, VICTIM(&self->r, victim_env, "-t", "expect_other_thread"));
	EXPECT_CONTAINS(self->r.out, "\nnot ok 1 expect_other_thread\n");
	EXPECT_CONTAINS(self->r.out, "# joined after expect\n");
}

TEST_F(victim, fixture_setup_and_teardown_run)
{
	ASSERT_EQ(0, VICTIM(&self->r, victim_env, "-t", "counter.two.holds_start"));
	EXPECT_EQ(0, self->r.status);
	EXPECT_CONTAINS(self->r.out,
			"# setup start=2\n# teardown value=2\n"
			"#            OK  counter.two.holds_start\n"
			"ok 1 counter.two.holds_start\n");
}

TEST_F(victim, teardown_runs_after_failed_assert)
{
	ASSERT_EQ(0, VICTIM(&self->r, victim_env, "-t",
			    "counter.one.assert_then_teardown"));
	EXPECT_EQ(1, self->r.status);
	EXPECT_CONTAINS(self->r.out, "# teardown value=99\n");
	EXPECT_EQ(NULL, strstr(self->r.out, "after the fixture assert"));
	EXPECT_CONTAINS(self->r.out, "\nnot ok 1 counter.one.assert_then_teardown\n");
}

TEST_F(victim, variants_multiply_tests)
{
	/* "holds_start" names no test exactly: it selects by substring */
	ASSERT_EQ(0, VICTIM(&self->r, victim_env, "-t", "holds_start"));
	EXPECT_EQ(0, self->r.status);
	EXPECT_CONTAINS(self->r.out, "1..2\n# Starting 2 tests from 2 test cases.\n");
	EXPECT_CONTAINS(self->r.out, "\nok 1 counter.one.holds_start\n");
	EXPECT_CONTAINS(self->r.out, "\nok 2 counter.two.holds_start\n");
}

TEST_F(victim, setup_skip_skips_the_body)
{
	ASSERT_EQ(0, VICTIM(&self->r, victim_env, "-t", "skipper."));
	EXPECT_EQ(0, self->r.status);
	EXPECT_CONTAINS(self->r.out, "\nok 1 skipper.body_not_run # SKIP setup says no\n");
	EXPECT_CONTAINS(self->r.out, "\nok 2 skipper.also_skipped # SKIP setup says no\n");
	EXPECT_CONTAINS(self->r.out, "# skipper teardown\n");
	EXPECT_EQ(NULL, strstr(self->r.out, "skipper body ran"));
}

TEST_F(victim, filters_exact_then_substring)
{
	/* "passes" is a name: exactly one test, not also "..._passes" */
	ASSERT_EQ(0, VICTIM(&self->r, victim_env, "-l", "-t", "passes"));
	EXPECT_STREQ("passes\n", self->r.out);
	th_result_free(&self->r);

	ASSERT_EQ(0, VICTIM(&self->r, victim_env, "-l", "-t", "exit_two",
			    "-T", "exit_two_missing"));
	EXPECT_STREQ("exit_two_expected\nexit_two_unexpected\n", self->r.out);
	th_result_free(&self->r);

	ASSERT_EQ(0, VICTIM(&self->r, victim_env, "-t", "no_such_test"));
	EXPECT_EQ(0, self->r.status);
	EXPECT_CONTAINS(self->r.out, "1..0\n");
}

/* ---- th_run_fn ---- */

static void print_both(void *arg)
{
	printf("to stdout %s\n", (const char *)arg);
	fprintf(stderr, "to stderr\n");
}

TEST(run_fn_captures_each_stream)
{
	struct th_result r;

	ASSERT_EQ(0, th_run_fn(print_both, "x", 30, &r));
	EXPECT_EQ(1, r.exited);
	EXPECT_EQ(0, r.status);
	EXPECT_EQ(0, r.signo);
	EXPECT_FALSE(r.timed_out);
	EXPECT_STREQ("to stdout x\n", r.out);
	EXPECT_STREQ("to stderr\n", r.err);
	EXPECT_EQ(strlen(r.out), r.out_len);
	th_result_free(&r);
}

#define FLOOD_BYTES (1 << 20)

/* Alternate between the two pipes: a reader that drains only one blocks. */
static void flood(void *arg)
{
	static char chunk[4096];

	memset(chunk, 'z', sizeof(chunk));
	for (int i = 0; i < FLOOD_BYTES / (int)sizeof(chunk); i++) {
		ASSERT_EQ((ssize_t)sizeof(chunk),
			  write(STDOUT_FILENO, chunk, sizeof(chunk)));
		ASSERT_EQ((ssize_t)sizeof(chunk),
			  write(STDERR_FILENO, chunk, sizeof(chunk)));
	}
}

TEST(run_fn_large_output_does_not_block)
{
	struct th_result r;

	ASSERT_EQ(0, th_run_fn(flood, NULL, 60, &r));
	EXPECT_FALSE(r.timed_out);
	EXPECT_EQ(0, r.status);
	EXPECT_EQ(FLOOD_BYTES, r.out_len);
	EXPECT_EQ(FLOOD_BYTES, r.err_len);
	th_result_free(&r);
}

static void exit_two(void *arg)
{
	printf("about to exit\n");
	exit(2);
}

static void go_fatal(void *arg)
{
	ls_fatal("boom");
}

static void do_abort(void *arg)
{
	abort();
}

TEST(run_fn_reports_status_and_signal)
{
	struct th_result r;

	ASSERT_EQ(0, th_run_fn(exit_two, NULL, 30, &r));
	EXPECT_EQ(1, r.exited);
	EXPECT_EQ(2, r.status);
	EXPECT_STREQ("about to exit\n", r.out);
	th_result_free(&r);

	ASSERT_EQ(0, th_run_fn(do_abort, NULL, 30, &r));
	EXPECT_EQ(0, r.exited);
	EXPECT_EQ(SIGABRT, r.signo);
	th_result_free(&r);
}

TEST(run_fn_sees_go_style_fatal)
{
	struct th_result r;

	ASSERT_EQ(0, th_run_fn(go_fatal, NULL, 30, &r));
	EXPECT_EQ(1, r.exited);
	EXPECT_EQ(2, r.status);
	EXPECT_CONTAINS(r.err, "fatal error: boom\n");
	EXPECT_CONTAINS(r.err, "goroutine 1 [running]:");
	th_result_free(&r);
}

static void failing_assert(void *arg)
{
	ASSERT_EQ(1, 2);
	printf("not reached\n");
}

/* A check inside the child ends the child; it does not fail us. */
TEST(run_fn_assert_ends_only_the_child)
{
	struct th_result r;

	ASSERT_EQ(0, th_run_fn(failing_assert, NULL, 30, &r));
	EXPECT_EQ(1, r.exited);
	EXPECT_EQ(TH_EXIT_FAIL, r.status);
	EXPECT_CONTAINS(r.err, "Expected 1 (1) == 2 (2)");
	EXPECT_STREQ("", r.out);
	th_result_free(&r);
}

static void hang_with_child(void *arg)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			pause();
	}
	printf("grandchild %d\n", (int)pid);
	fflush(stdout);
	for (;;)
		pause();
}

TEST(run_fn_timeout_kills_its_group)
{
	struct th_result r;

	become_subreaper();
	ASSERT_EQ(0, th_run_fn(hang_with_child, NULL, 0.5, &r));
	EXPECT_TRUE(r.timed_out);
	EXPECT_EQ(0, r.exited);
	EXPECT_EQ(SIGKILL, r.signo);
	expect_killed(pid_after(r.out, "grandchild "));
	th_result_free(&r);
}

/* ---- th_run_argv ---- */

TEST(run_argv_environment_and_status)
{
	char *const argv[] = {
		"sh", "-c",
		"echo \"$TH_SELFTEST_VAR\"; echo \"${HOME-unset}\"; echo e >&2; exit 3",
		NULL,
	};
	const char *const env[] = { "TH_SELFTEST_VAR=hello", "HOME", NULL };
	struct th_result r;

	ASSERT_EQ(0, th_run_argv(argv, env, 30, &r));
	EXPECT_EQ(1, r.exited);
	EXPECT_EQ(3, r.status);
	EXPECT_STREQ("hello\nunset\n", r.out);
	EXPECT_STREQ("e\n", r.err);
	th_result_free(&r);
}

TEST(run_argv_missing_program)
{
	char *const argv[] = { "/nonexistent/lockstep-program", NULL };
	struct th_result r;

	ASSERT_EQ(0, th_run_argv(argv, NULL, 30, &r));
	EXPECT_EQ(127, r.status);
	EXPECT_CONTAINS(r.err, "cannot run /nonexistent/lockstep-program");
	th_result_free(&r);
}

TEST_HARNESS_MAIN
