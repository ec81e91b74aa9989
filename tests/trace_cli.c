// SPDX-License-Identifier: MIT
/*
 * trace_cli.c - the `lockstep` command's contract: help on stdout with
 * status 0, usage errors as one line with status 2, and `lockstep trace`
 * lines with names resolved (through the in-process ring, so this suite
 * needs no privileges).
 */
#include "harness.h"
#include "trace_util.h"

static void lockstep(struct th_result *r, char *a1, char *a2, char *a3, char *a4)
{
	char *argv[] = { (char *)tu_lockstep(), a1, a2, a3, a4, NULL };

	if (th_run_argv(argv, NULL, 30, r))
		memset(r, 0, sizeof(*r));
}

TEST(no_arguments_is_a_usage_error)
{
	struct th_result r;

	lockstep(&r, NULL, NULL, NULL, NULL);
	EXPECT_EQ(2, r.status);
	ASSERT_CONTAINS(r.err, "usage: lockstep COMMAND");
	EXPECT_STREQ("", r.out);
	th_result_free(&r);
}

/* Every subcommand of ARCHITECTURE.md, and record. */
static const char *const cmds[] = {
	"list", "run", "check", "hint", "replay", "trace", "top", "export",
	"doctor", "demo", "record",
};
#define NR_CMDS (sizeof(cmds) / sizeof(cmds[0]))

TEST(help_lists_every_command)
{
	struct th_result r;

	lockstep(&r, "help", NULL, NULL, NULL);
	EXPECT_EQ(0, r.status);
	for (size_t i = 0; i < NR_CMDS; i++) {
		char *argv[] = { (char *)tu_lockstep(), (char *)cmds[i], "--help", NULL };
		char line[64];
		struct th_result h, h2;

		snprintf(line, sizeof(line), "\n  %-10s ", cmds[i]);
		EXPECT_CONTAINS(r.out, line);
		ASSERT_EQ(0, th_run_argv(argv, NULL, 30, &h));
		EXPECT_EQ(0, h.status);
		snprintf(line, sizeof(line), "usage: lockstep %s", cmds[i]);
		EXPECT_CONTAINS(h.out, line);
		/* `lockstep help CMD` is `lockstep CMD --help` */
		lockstep(&h2, "help", (char *)cmds[i], NULL, NULL);
		EXPECT_EQ(0, h2.status);
		EXPECT_STREQ(h.out, h2.out);
		th_result_free(&h);
		th_result_free(&h2);
	}
	th_result_free(&r);
	lockstep(&r, "--help", NULL, NULL, NULL);
	EXPECT_EQ(0, r.status);
	EXPECT_CONTAINS(r.out, "commands:");
	th_result_free(&r);
}

TEST(unknown_command)
{
	struct th_result r;

	lockstep(&r, "frobnicate", "--help", NULL, NULL);
	EXPECT_EQ(2, r.status);
	ASSERT_STREQ("lockstep: unknown command 'frobnicate' (try 'lockstep help')\n", r.err);
	th_result_free(&r);
	lockstep(&r, "help", "frobnicate", NULL, NULL);
	EXPECT_EQ(2, r.status);
	EXPECT_EQ((size_t)1, tu_count_lines(r.err));
	th_result_free(&r);
}

TEST(usage_errors_are_one_line)
{
	struct th_result r;

	lockstep(&r, "trace", NULL, NULL, NULL);
	EXPECT_EQ(2, r.status);
	EXPECT_EQ((size_t)1, tu_count_lines(r.err));
	EXPECT_CONTAINS(r.err, "lockstep trace: nothing to trace");
	th_result_free(&r);
	lockstep(&r, "trace", "--transport", "carrier-pigeon", "true");
	EXPECT_EQ(2, r.status);
	EXPECT_CONTAINS(r.err, "expected auto, bpf or shm");
	th_result_free(&r);
	lockstep(&r, "record", "--", "true", NULL);
	EXPECT_EQ(2, r.status);
	EXPECT_CONTAINS(r.err, "give -o FILE");
	th_result_free(&r);
	lockstep(&r, "export", "x.lst", NULL, NULL);
	EXPECT_EQ(2, r.status);
	EXPECT_CONTAINS(r.err, "no --format");
	th_result_free(&r);
	lockstep(&r, "trace", "-p", "12x", NULL);
	EXPECT_EQ(2, r.status);
	EXPECT_CONTAINS(r.err, "expected a process id");
	th_result_free(&r);
}

TEST(unknown_options_are_one_line_naming_them)
{
	for (size_t i = 0; i < NR_CMDS; i++) {
		struct th_result r;

		lockstep(&r, (char *)cmds[i], "--no-such-option", NULL, NULL);
		EXPECT_EQ(2, r.status) TH_LOG("lockstep %s --no-such-option", cmds[i]);
		EXPECT_EQ((size_t)1, tu_count_lines(r.err)) TH_LOG("%s said: %s", cmds[i], r.err);
		EXPECT_CONTAINS(r.err, "--no-such-option");
		th_result_free(&r);
	}
}

TEST(program_that_cannot_run)
{
	struct th_result r;

	lockstep(&r, "trace", "--", "/nonexistent/program", NULL);
	EXPECT_EQ(1, r.status);
	EXPECT_STREQ("lockstep: cannot run '/nonexistent/program': No such file or directory\n",
		     r.err);
	th_result_free(&r);
	lockstep(&r, "trace", "--transport", "shm", "no-such-command-anywhere");
	EXPECT_EQ(1, r.status);
	EXPECT_CONTAINS(r.err, "command not found");
	th_result_free(&r);
}

/* The trace line: time, goroutine, its name, event, object, arguments. */
TEST(trace_lines_have_names)
{
	char *argv[] = { (char *)tu_lockstep(), "trace", "--transport", "shm", "--",
			 (char *)tu_workload("trace_workers"), "5", NULL };
	const char *me, *eol;
	struct th_result r;

	ASSERT_EQ(0, th_run_argv(argv, NULL, 30, &r));
	EXPECT_EQ(0, r.status);
	ASSERT_CONTAINS(r.out, " g1    main         go_create       g2 \"worker-1\"  parent=g1 name=\"worker-1\"\n");
	ASSERT_CONTAINS(r.out, "mutex_state     mutex \"counter-lock\"  old=0x0 new=0x1 step=lock_fast\n");
	ASSERT_CONTAINS(r.out, "wg_add          waitgroup \"workers\"  delta=3 counter=3 waiters=0\n");
	/*
	 * How many workers are still live at main's exit depends on whether
	 * their threads got to finish after Done; none is parked, ever.
	 */
	me = strstr(r.out, "main_exit       exit=0 live=");
	ASSERT_NOT_NULL(me);
	eol = strchr(me, '\n');
	ASSERT_NOT_NULL(eol);
	EXPECT_EQ(0, strncmp(eol - 9, " parked=0", 9)) TH_LOG("%.*s", (int)(eol - me), me);
	/* the program's own output passes through; its exit status too */
	ASSERT_CONTAINS(r.out, "counter 15\n");
	th_result_free(&r);
}

/* lockstep exits with the traced program's status. */
TEST(exit_status_of_the_program)
{
	char *argv[] = { (char *)tu_lockstep(), "trace", "--transport", "shm", "--",
			 "/bin/sh", "-c", "exit 7", NULL };
	char *killed[] = { (char *)tu_lockstep(), "record", "-q", "--transport", "shm",
			   "-o", "/dev/null", "--", "/bin/sh", "-c", "kill -TERM $$", NULL };
	struct th_result r;

	ASSERT_EQ(0, th_run_argv(argv, NULL, 30, &r));
	EXPECT_EQ(7, r.status);
	th_result_free(&r);
	ASSERT_EQ(0, th_run_argv(killed, NULL, 30, &r));
	EXPECT_EQ(128 + SIGTERM, r.status);
	th_result_free(&r);
}

/*
 * A program that ignores SIGINT: lockstep passes the signal on, waits 2 s,
 * then kills it; lockstep itself never hangs.
 */
TEST_TIMEOUT(stubborn_program_is_killed_after_a_grace_period, 30)
{
	char *argv[] = { (char *)tu_lockstep(), "trace", "--transport", "shm", "--",
			 "/bin/sh", "-c", "trap '' INT; exec sleep 20", NULL };
	struct tu_bg bg = { 0 };
	char *dir = tu_tmpdir();
	struct timespec t0, t1;
	int st;

	ASSERT_NOT_NULL(dir);
	ASSERT_EQ(0, tu_bg_start(&bg, dir, "lockstep", argv));
	usleep(300 * 1000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(0, kill(bg.pid, SIGINT));
	st = tu_bg_wait(&bg, 10);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(128 + SIGKILL, WEXITSTATUS(st));
	EXPECT_LE(1.5, (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	tu_bg_free(&bg);
	tu_rmtree(dir);
}

TEST_HARNESS_MAIN
