// SPDX-License-Identifier: MIT
/*
 * lab_verdicts.c - `lockstep run` and `lockstep check` on real programs
 * (tests/workloads/verdict_*.c): every verdict and its exit status, the
 * JSON object, deadlocks found while the program still runs, deaths by
 * signal, both transports, and check's rebuild, compiler errors and
 * passes.  Also the goal table (lab/goals.c) on synthetic events.
 *
 * docs/lab.md is the reference this suite holds the command to.
 */
#include "harness.h"
#include "lab_util.h"
#include "trace_util.h"

#include "goals.h"
#include "registry.h"

#define lockstep(r, ...)	lu_lockstep(r, NULL, 60, __VA_ARGS__, NULL)

/*
 * python3 evaluates expr over d, the JSON document in text, and must find
 * it true; the document must parse.  Skips the caller when there is no
 * python3 (returns false with *skip).
 */
static bool json_holds(const char *text, const char *expr, bool *skip)
{
	static const char prog[] =
		"import json, sys\n"
		"d = json.load(open(sys.argv[1]))\n"
		"ok = eval(sys.argv[2])\n"
		"print('json:', 'holds' if ok else 'does not hold:', sys.argv[2])\n"
		"sys.exit(0 if ok else 3)\n";
	char *dir = tu_tmpdir(), *file;
	struct th_result r;
	bool ok = false;

	*skip = false;
	if (!dir)
		return false;
	file = tu_path(dir, "out.json");
	if (!tu_write_file(file, text, strlen(text))) {
		char *argv[] = { "python3", "-c", (char *)prog, file, (char *)expr, NULL };

		if (!th_run_argv(argv, NULL, 30, &r)) {
			*skip = r.status == 127;
			ok = r.exited && r.status == 0;
			if (!ok && !*skip)
				TH_LOG("%s%s", r.out, r.err);
			th_result_free(&r);
		}
	}
	tu_rmtree(dir);
	return ok;
}

#define EXPECT_JSON(text, expr)							\
	do {									\
		bool skip_;							\
		bool ok_ = json_holds(text, expr, &skip_);			\
		if (skip_)							\
			SKIP((void)0, "no python3 to read the JSON");		\
		else								\
			EXPECT_TRUE(ok_);					\
	} while (0)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- every verdict, on real programs (in-process ring: no privileges) ---- */

TEST(abba_that_hangs_is_a_deadlock)
{
	struct th_result r;

	lockstep(&r, "run", "--no-ui", "--transport", "shm", "--",
		 (char *)tu_workload("verdict_abba"), "hang");
	EXPECT_EQ(10, r.status);
	EXPECT_CONTAINS(r.out, "verdict: deadlock (exit 10)");
	EXPECT_CONTAINS(r.out, "deadlock: 2 goroutines wait for each other in a cycle:");
	EXPECT_CONTAINS(r.out, "a-then-b [sync.Mutex.Lock] on mutex \"b\", held by b-then-a");
	EXPECT_CONTAINS(r.out, "b-then-a [sync.Mutex.Lock] on mutex \"a\", held by a-then-b");
	/* the program died of Go's own check: its message is on stderr */
	EXPECT_CONTAINS(r.err, "fatal error: all goroutines are asleep - deadlock!");
	th_result_free(&r);
}

TEST(abba_that_does_not_hang_is_a_potential_deadlock)
{
	struct th_result r;

	lockstep(&r, "run", "--no-ui", "--transport", "shm", "--",
		 (char *)tu_workload("verdict_abba"), "lucky");
	EXPECT_EQ(12, r.status);
	EXPECT_CONTAINS(r.out, "verdict: potential-deadlock (exit 12)");
	EXPECT_CONTAINS(r.out, "locks taken in a cycle, no hang this run");
	EXPECT_CONTAINS(r.out, "exited with status 0");
	th_result_free(&r);
}

TEST(sender_left_behind_is_a_leak)
{
	struct th_result r;

	lockstep(&r, "run", "--no-ui", "--transport", "shm", "--",
		 (char *)tu_workload("verdict_leak"));
	EXPECT_EQ(11, r.status);
	EXPECT_CONTAINS(r.out, "leak: worker is still parked [chan send] on channel \"result\"");
	th_result_free(&r);
}

TEST(unlocked_counter_is_a_race)
{
	struct th_result r;

	lockstep(&r, "run", "--no-ui", "--transport", "shm", "--",
		 (char *)tu_workload("verdict_race"), "racy");
	EXPECT_EQ(13, r.status);
	EXPECT_CONTAINS(r.out, "race on counter");
	EXPECT_CONTAINS(r.out, "with nothing ordering the two");
	th_result_free(&r);
}

TEST(counter_under_a_mutex_is_ok)
{
	struct th_result r;

	lockstep(&r, "run", "--no-ui", "--transport", "shm", "--",
		 (char *)tu_workload("verdict_race"), "locked");
	EXPECT_EQ(0, r.status);
	EXPECT_CONTAINS(r.out, "verdict: ok (exit 0)");
	EXPECT_FALSE(strstr(r.out, "race on") != NULL);
	th_result_free(&r);
}

TEST(close_of_closed_channel_is_a_panic)
{
	struct th_result r;

	lockstep(&r, "run", "--no-ui", "--transport", "shm", "--",
		 (char *)tu_workload("verdict_death"), "close-closed");
	EXPECT_EQ(14, r.status);
	EXPECT_CONTAINS(r.out, "panic: close of closed channel (in main");
	EXPECT_CONTAINS(r.out, "exited with status 2");
	th_result_free(&r);
}

TEST(death_by_signal_is_a_panic)
{
	struct th_result r;

	lockstep(&r, "run", "--no-ui", "--transport", "shm", "--",
		 (char *)tu_workload("verdict_death"), "segv");
	EXPECT_EQ(14, r.status);
	EXPECT_CONTAINS(r.out, "panic: killed by SIGSEGV");
	EXPECT_FALSE(strstr(r.out, "leak") != NULL);
	th_result_free(&r);

	lockstep(&r, "run", "--json", "--transport", "shm", "--",
		 (char *)tu_workload("verdict_death"), "segv");
	EXPECT_EQ(14, r.status);
	EXPECT_JSON(r.out, "d['verdict'] == 'panic' and d['signal'] == 'SIGSEGV' and "
		    "d['exit_status'] == 128 + 11 and d['stopped'] is None and "
		    "any(f['kind'] == 'panic' and f.get('signal') == 'SIGSEGV' "
		    "for f in d['findings'])");
	th_result_free(&r);
}

TEST_TIMEOUT(program_that_runs_forever_times_out, 20)
{
	struct th_result r;
	double t0 = now_s();

	lockstep(&r, "run", "--no-ui", "--timeout", "2", "--transport", "shm", "--",
		 (char *)tu_workload("verdict_spin"), "forever");
	EXPECT_EQ(15, r.status);
	EXPECT_CONTAINS(r.out, "verdict: timeout (exit 15)");
	EXPECT_CONTAINS(r.out, "at --timeout 2 s");
	EXPECT_GE(now_s() - t0, 1.9);
	th_result_free(&r);
}

/* Go's runtime does not see these (one goroutine still runs); the watch does. */
TEST_TIMEOUT(partial_deadlock_is_found_while_the_program_runs, 40)
{
	static const char *const modes[] = { "self", "cycle" };

	for (size_t i = 0; i < 2; i++) {
		struct th_result r;
		double t0 = now_s();

		lockstep(&r, "run", "--json", "--timeout", "30", "--transport", "shm", "--",
			 (char *)tu_workload("verdict_spin"), (char *)modes[i]);
		TH_LOG("%s: %.1f s", modes[i], now_s() - t0);
		EXPECT_EQ(10, r.status);
		EXPECT_LT(now_s() - t0, 10.0);
		EXPECT_JSON(r.out, "d['verdict'] == 'deadlock' and d['stopped'] == 'deadlock' "
			    "and d['timed_out'] is False and "
			    "d['findings'][0]['rule'] == 'wait-for-cycle'");
		th_result_free(&r);
	}
}

TEST(json_is_the_only_thing_on_stdout)
{
	struct th_result r;

	/* the program prints JSON-looking text on its stdout: not ours */
	lockstep(&r, "run", "--json", "--transport", "shm", "--",
		 (char *)tu_workload("verdict_death"), "exit", "3");
	EXPECT_EQ(0, r.status);
	EXPECT_EQ((size_t)1, tu_count_lines(r.out));
	EXPECT_CONTAINS(r.err, "{\"not\": \"the verdict\"}");
	EXPECT_JSON(r.out, "set(['verdict', 'exit', 'events', 'lost', 'findings', "
		    "'exit_status', 'program', 'signal', 'stopped', 'transport', "
		    "'timed_out', 'goal']) <= set(d) and d['verdict'] == 'ok' and "
		    "d['exit'] == 0 and d['exit_status'] == 3 and d['findings'] == [] "
		    "and d['transport'] == 'shm' and d['events'] > 0");
	th_result_free(&r);

	lockstep(&r, "run", "--json", "--transport", "shm", "--",
		 (char *)tu_workload("verdict_abba"), "hang");
	EXPECT_EQ(10, r.status);
	EXPECT_JSON(r.out, "d['verdict'] == 'deadlock' and d['exit'] == 10 and "
		    "d['exit_status'] == 2 and any(f['kind'] == 'deadlock' and "
		    "f['rule'] == 'wait-for-cycle' and len(f['cycle']) == 2 and "
		    "set(w['goroutine']['name'] for w in f['cycle']) == "
		    "{'a-then-b', 'b-then-a'} for f in d['findings'])");
	th_result_free(&r);
}

TEST(record_writes_the_same_events)
{
	char *dir = tu_tmpdir(), *file, err[256], num[32];
	struct th_result r;
	struct ls_event *ev;
	size_t n = 0;
	char *p;

	ASSERT_NOT_NULL(dir);
	file = strdup(tu_path(dir, "race.lst"));
	lockstep(&r, "run", "--json", "--record", file, "--transport", "shm", "--",
		 (char *)tu_workload("verdict_race"), "racy");
	EXPECT_EQ(13, r.status);
	ev = tu_read_trace(file, &n, err, sizeof(err));
	if (!ev)
		TH_LOG("%s", err);
	EXPECT_NOT_NULL(ev);
	p = strstr(r.out, "\"events\": ");
	ASSERT_NOT_NULL(p);
	snprintf(num, sizeof(num), "%zu,", n);
	EXPECT_EQ(0, strncmp(p + 10, num, strlen(num)));
	free(ev);
	free(file);
	th_result_free(&r);
	tu_rmtree(dir);
}

/* ---- the same verdicts through BPF ---- */

TEST_TIMEOUT(both_transports_give_the_same_verdicts, 60)
{
	static const struct {
		const char *prog, *arg, *verdict;
		int exit;
	} cases[] = {
		{ "verdict_abba", "hang", "deadlock", 10 },
		{ "verdict_abba", "lucky", "potential-deadlock", 12 },
		{ "verdict_leak", NULL, "leak", 11 },
		{ "verdict_race", "racy", "race", 13 },
		{ "verdict_race", "locked", "ok", 0 },
		{ "verdict_death", "close-closed", "panic", 14 },
		/* found while it runs: events must flow live, not only at exit */
		{ "verdict_spin", "self", "deadlock", 10 },
	};
	char why[256], want[64];

	if (!tu_bpf_ok(why, sizeof(why)))
		SKIP_NEEDS_BPF(return, "no BPF: %s", why);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct th_result r;

		lockstep(&r, "run", "--json", "--timeout", "20", "--transport", "bpf", "--",
			 (char *)tu_workload(cases[i].prog), (char *)cases[i].arg);
		TH_LOG("bpf: %s %s: exit %d", cases[i].prog,
		       cases[i].arg ? cases[i].arg : "", r.status);
		EXPECT_EQ(cases[i].exit, r.status);
		snprintf(want, sizeof(want), "{\"verdict\": \"%s\", ", cases[i].verdict);
		EXPECT_EQ(0, strncmp(r.out, want, strlen(want)));
		EXPECT_CONTAINS(r.out, "\"transport\": \"bpf\"");
		if (!strcmp(cases[i].prog, "verdict_spin"))
			EXPECT_CONTAINS(r.out, "\"stopped\": \"deadlock\"");
		th_result_free(&r);
	}
}

/* ---- the live UI, in a real terminal ---- */

static int tmux(const char *sock, struct th_result *r, const char *const *args)
{
	char *argv[16] = { "tmux", "-L", (char *)sock };
	int n = 3;

	while (*args && n < 15)
		argv[n++] = (char *)*args++;
	argv[n] = NULL;
	return th_run_argv(argv, NULL, 10, r);
}

/* Wait until the pane shows text; the pane's text in *screen (caller frees). */
static bool pane_shows(const char *sock, const char *text, double secs, char **screen)
{
	static const char *const capture[] = { "capture-pane", "-p", "-t", "lsv", NULL };
	double end = now_s() + secs;
	struct th_result r;

	*screen = NULL;
	do {
		if (!tmux(sock, &r, capture)) {
			free(*screen);
			*screen = strdup(r.out);
			th_result_free(&r);
			if (*screen && strstr(*screen, text))
				return true;
		}
		usleep(100 * 1000);
	} while (now_s() < end);
	return false;
}

TEST_TIMEOUT(run_with_the_ui_ends_with_the_verdict, 40)
{
	char sock[64], cmd[2 * TU_PATH], cwd[TU_PATH], *screen = NULL;
	const char *const version[] = { "-V", NULL };
	const char *const kill_server[] = { "kill-server", NULL };
	const char *const quit[] = { "send-keys", "-t", "lsv", "q", NULL };
	struct th_result r;

	snprintf(sock, sizeof(sock), "lab-verdicts-%d", (int)getpid());
	if (tmux(sock, &r, version) || r.status) {
		th_result_free(&r);
		SKIP(return, "tmux is not installed");
	}
	th_result_free(&r);
	ASSERT_NOT_NULL(getcwd(cwd, sizeof(cwd)));
	snprintf(cmd, sizeof(cmd), "%s run --transport shm -- %s self; echo EXIT=$?; sleep 60",
		 tu_lockstep(), tu_workload("verdict_spin"));
	{
		const char *const start[] = { "new-session", "-d", "-s", "lsv", "-x", "100",
					      "-y", "30", "-c", cwd, cmd, NULL };

		ASSERT_EQ(0, tmux(sock, &r, start));
		EXPECT_EQ(0, r.status);
		th_result_free(&r);
	}
	/* the banner, while the program still runs (a worker spins) */
	EXPECT_TRUE(pane_shows(sock, "DEADLOCK", 15, &screen));
	free(screen);
	ASSERT_EQ(0, tmux(sock, &r, quit));
	th_result_free(&r);
	EXPECT_TRUE(pane_shows(sock, "EXIT=", 15, &screen));
	if (screen) {
		EXPECT_CONTAINS(screen, "verdict: deadlock (exit 10)");
		EXPECT_CONTAINS(screen, "main [sync.Mutex.Lock] on mutex \"a\", held by main itself");
		EXPECT_CONTAINS(screen, "stopped when the UI ended");
		EXPECT_CONTAINS(screen, "EXIT=10");
	}
	free(screen);
	tmux(sock, &r, kill_server);
	th_result_free(&r);
	/* the server leaves its socket behind */
	snprintf(cmd, sizeof(cmd), "%s/tmux-%u/%s",
		 getenv("TMUX_TMPDIR") && *getenv("TMUX_TMPDIR") ? getenv("TMUX_TMPDIR") : "/tmp",
		 (unsigned)getuid(), sock);
	unlink(cmd);
}

/* ---- usage ---- */

TEST(help_has_the_options_and_the_verdicts)
{
	static const char *const cmds[] = { "run", "check" };

	for (size_t i = 0; i < 2; i++) {
		struct th_result r;

		lockstep(&r, (char *)cmds[i], "--help");
		EXPECT_EQ(0, r.status);
		EXPECT_CONTAINS(r.out, "usage: lockstep ");
		EXPECT_CONTAINS(r.out, "--json");
		EXPECT_CONTAINS(r.out, "--solution");
		EXPECT_CONTAINS(r.out, "--timeout SEC");
		EXPECT_CONTAINS(r.out, "potential-deadlock");
		EXPECT_CONTAINS(r.out, "timeout");
		EXPECT_STREQ("", r.err);
		th_result_free(&r);
	}
}

TEST(usage_errors)
{
	struct th_result r;

	lockstep(&r, "run");
	EXPECT_EQ(2, r.status);
	EXPECT_EQ((size_t)1, tu_count_lines(r.err));
	th_result_free(&r);
	lockstep(&r, "run", "--timeout", "soon", "--", "true");
	EXPECT_EQ(2, r.status);
	EXPECT_CONTAINS(r.err, "--timeout soon");
	th_result_free(&r);
	lockstep(&r, "run", "--no-ui", "--", "/nonexistent/program");
	EXPECT_EQ(1, r.status);
	EXPECT_CONTAINS(r.err, "cannot run '/nonexistent/program'");
	th_result_free(&r);
	lockstep(&r, "check", "no-such-exercise-anywhere");
	EXPECT_EQ(2, r.status);
	EXPECT_EQ((size_t)1, tu_count_lines(r.err));
	EXPECT_CONTAINS(r.err, "no-such-exercise-anywhere");
	th_result_free(&r);
	lockstep(&r, "check");
	EXPECT_EQ(2, r.status);
	th_result_free(&r);
}

/* ---- check ---- */

#define BROKEN_ID	"99-lab-verdicts/broken"
#define FIXED_ID	"99-lab-verdicts/abba"

static const char broken_src[] =
	"/*\n"
	" * lockstep-exercise\n"
	" * id:       " BROKEN_ID "\n"
	" * chapter:  99\n"
	" * lesson:   99-lab-verdicts\n"
	" * title:    Does not compile\n"
	" * kind:     fix\n"
	" * verdict:  deadlock\n"
	" * achieve:  Compile.\n"
	" * hint:     Read the compiler's message.\n"
	" */\n"
	"#include <lockstep/lockstep.h>\n"
	"int main(void)\n"
	"{\n"
	"\tls_mutex_lock(&no_such_mutex);\n"
	"\treturn 0;\n"
	"}\n";

/* A private tree of exercises; check builds them in the build directory. */
static char *exercise_tree(void)
{
	char *dir = tu_tmpdir(), *sol, *at = NULL;
	char sub[TU_PATH], file[TU_PATH + 16];
	size_t len;
	int ret = 0;

	if (!dir)
		return NULL;
	snprintf(sub, sizeof(sub), "%s/exercises", dir);
	if (mkdir(sub, 0755))
		ret = -errno;
	snprintf(sub, sizeof(sub), "%s/exercises/99-lab-verdicts", dir);
	if (!ret && mkdir(sub, 0755))
		ret = -errno;
	snprintf(file, sizeof(file), "%s/broken.c", sub);
	if (!ret)
		ret = tu_write_file(file, broken_src, sizeof(broken_src) - 1);
	/* the abba solution, under another id */
	sol = tu_read_file("solutions/03-mutex-pitfalls/abba.c", &len);
	if (sol)
		at = strstr(sol, "03-mutex-pitfalls/abba");
	if (!ret && at) {
		char *copy = malloc(len + 16);

		snprintf(copy, len + 16, "%.*s%s%s", (int)(at - sol), sol, FIXED_ID,
			 at + strlen("03-mutex-pitfalls/abba"));
		snprintf(file, sizeof(file), "%s/abba.c", sub);
		ret = tu_write_file(file, copy, strlen(copy));
		free(copy);
	}
	free(sol);
	if (ret || !at) {
		tu_rmtree(dir);
		return NULL;
	}
	return dir;
}

static void remove_built(void)
{
	unlink(tu_build("exercises/" BROKEN_ID));
	unlink(tu_build("exercises/" FIXED_ID));
	rmdir(tu_build("exercises/99-lab-verdicts"));
}

TEST_TIMEOUT(check_shows_the_compiler_errors, 60)
{
	char *dir = exercise_tree(), env[TU_PATH + 32];
	const char *envp[] = { env, NULL };
	struct th_result r;

	ASSERT_NOT_NULL(dir);
	snprintf(env, sizeof(env), "LOCKSTEP_ROOT=%s", dir);
	lu_lockstep(&r, envp, 60, "check", BROKEN_ID, NULL);
	EXPECT_EQ(1, r.status);
	EXPECT_CONTAINS(r.out, "no_such_mutex");
	EXPECT_CONTAINS(r.out, "error");
	EXPECT_CONTAINS(r.out, "FAIL " BROKEN_ID ": ");
	EXPECT_CONTAINS(r.out, "does not compile");
	th_result_free(&r);

	lu_lockstep(&r, envp, 60, "check", "--json", BROKEN_ID, NULL);
	EXPECT_EQ(1, r.status);
	EXPECT_JSON(r.out, "len(d) == 1 and d[0]['id'] == '" BROKEN_ID "' and "
		    "d[0]['passed'] is False and d[0]['compiled'] is False and "
		    "'no_such_mutex' in d[0]['compiler_output']");
	th_result_free(&r);

	/* a fixed copy passes, and --all reports both */
	lu_lockstep(&r, envp, 60, "check", "--runs", "2", "abba", NULL);
	EXPECT_EQ(0, r.status);
	EXPECT_CONTAINS(r.out, "PASS " FIXED_ID " (2/2 runs ok)");
	th_result_free(&r);
	lu_lockstep(&r, envp, 60, "check", "--all", "--json", "--runs", "1", NULL);
	EXPECT_EQ(1, r.status);
	EXPECT_JSON(r.out, "[(x['id'], x['passed']) for x in d] == "
		    "[('" FIXED_ID "', True), ('" BROKEN_ID "', False)]");
	th_result_free(&r);
	remove_built();
	tu_rmtree(dir);
}

TEST_TIMEOUT(check_of_unfixed_and_solution, 60)
{
	struct th_result r;

	if (access("exercises/03-mutex-pitfalls/abba.c", R_OK))
		SKIP(return, "no exercise 03-mutex-pitfalls/abba in this tree");
	lockstep(&r, "check", "--transport", "shm", "03-mutex-pitfalls/abba");
	EXPECT_EQ(1, r.status);
	EXPECT_CONTAINS(r.out, "FAIL 03-mutex-pitfalls/abba: run 1: deadlock \u2014 ");
	EXPECT_CONTAINS(r.out, "lockstep hint 03-mutex-pitfalls/abba");
	th_result_free(&r);

	lockstep(&r, "check", "--solution", "--transport", "shm", "03-mutex-pitfalls/abba");
	EXPECT_EQ(0, r.status);
	EXPECT_CONTAINS(r.out, "PASS 03-mutex-pitfalls/abba (3/3 runs ok)");
	th_result_free(&r);

	if (access("solutions/02-mutex-internals/starving.c", R_OK))
		SKIP(return, "no exercise 02-mutex-internals/starving in this tree");
	/* a make-it-happen goal, on the trace */
	lockstep(&r, "check", "--solution", "--json", "--transport", "shm",
		 "02-mutex-internals/starving");
	EXPECT_EQ(0, r.status);
	EXPECT_JSON(r.out, "d[0]['passed'] and d[0]['kind'] == 'make' and "
		    "d[0]['goal'] == 'mutex-starving' and d[0]['goal_reached']");
	th_result_free(&r);
	lockstep(&r, "check", "--runs", "1", "--transport", "shm",
		 "02-mutex-internals/starving");
	EXPECT_EQ(1, r.status);
	EXPECT_CONTAINS(r.out, "goal mutex-starving not reached");
	th_result_free(&r);
}

TEST(run_an_exercise_by_name)
{
	struct th_result r;

	if (access("solutions/13-channel/close-twice.c", R_OK))
		SKIP(return, "no exercise 13-channel/close-twice in this tree");
	lockstep(&r, "run", "--json", "--transport", "shm", "13-channel/close-twice");
	EXPECT_EQ(14, r.status);
	EXPECT_JSON(r.out, "d['verdict'] == 'panic' and "
		    "d['exercise'] == '13-channel/close-twice' and d['solution'] is False");
	th_result_free(&r);
	lockstep(&r, "run", "--no-ui", "--solution", "--transport", "shm",
		 "13-channel/close-twice");
	EXPECT_EQ(0, r.status);
	EXPECT_CONTAINS(r.out, "verdict: ok (exit 0)");
	th_result_free(&r);
}

/* ---- goals on synthetic events ---- */

static struct ls_event ev(unsigned id, uint64_t obj, uint64_t a0, uint64_t a1,
			  uint64_t a2, uint64_t a3)
{
	struct ls_event e = { .id = (uint16_t)id, .obj = obj, .goid = 2,
			      .args = { a0, a1, a2, a3 } };

	return e;
}

static bool reaches(const char *goal, const struct ls_event *evs, size_t n,
		    uint64_t *at, char *why, size_t len)
{
	struct ls_goal_check g;
	bool ok;

	ls_goal_init(&g, ls_goal_find(goal));
	for (size_t i = 0; i < n; i++)
		ls_goal_feed(&g, &evs[i], i);
	ok = g.reached;
	if (at)
		*at = g.ev;
	if (why)
		snprintf(why, len, "%s", g.why);
	ls_goal_release(&g);
	return ok;
}

/* The goals exercise metadata may name (lab/registry.c) and the table agree. */
TEST(every_goal_of_the_exercises_exists)
{
	size_t n = 0, named = 0;

	for (const char *const *g = ls_ex_goals; *g; g++, named++) {
		EXPECT_NOT_NULL(ls_goal_find(*g));
		if (!ls_goal_find(*g))
			TH_LOG("goal %s has no test in lab/goals.c", *g);
	}
	for (const struct ls_goal *g; (g = ls_goal_at(n)); n++) {
		EXPECT_TRUE(ls_ex_is_goal(g->name));
		if (!ls_ex_is_goal(g->name))
			TH_LOG("goal %s is not in ls_ex_goals", g->name);
	}
	EXPECT_EQ(named, n);
	EXPECT_EQ((size_t)10, n);
	EXPECT_NULL(ls_goal_find("mutex-happy"));
}

TEST(goals_on_events)
{
	const uint64_t C = 0x1000, M = 0x2000;
	struct ls_event name = ev(LS_EV_OBJ_NAME, M, LS_OBJ_MUTEX, 0, 0, 0);
	char why[192];
	uint64_t at;

	memcpy(&name.args[1], "mu", 3);
	{
		struct ls_event e[] = { name, ev(LS_EV_MUTEX_PARK, M, 0, 9, 0, 0),
					ev(LS_EV_MUTEX_PARK, M, 1, 9, 2000000, 0) };

		EXPECT_TRUE(reaches("mutex-lifo-requeue", e, 3, &at, why, sizeof(why)));
		EXPECT_EQ(2, (int)at);
		EXPECT_CONTAINS(why, "mutex \"mu\"");
		EXPECT_FALSE(reaches("mutex-lifo-requeue", e, 2, NULL, NULL, 0));
		EXPECT_FALSE(reaches("mutex-starving", e, 3, NULL, NULL, 0));
	}
	{
		struct ls_event e[] = {
			/* woken bit set with no waiter: not the goal */
			ev(LS_EV_MUTEX_STATE, M, 1, 3, LS_MUTEX_OP_SPIN_WOKEN, 0),
			ev(LS_EV_MUTEX_STATE, M, 9, 11, LS_MUTEX_OP_SPIN_WOKEN, 0),
		};

		EXPECT_TRUE(reaches("mutex-woken-spinner", e, 2, &at, NULL, 0));
		EXPECT_EQ(1, (int)at);
		EXPECT_FALSE(reaches("mutex-woken-spinner", e, 1, NULL, NULL, 0));
	}
	{
		struct ls_event e[] = {
			ev(LS_EV_CHAN_MAKE, C, 8, 2, 0, 0),
			ev(LS_EV_CHAN_PARK, C, 0, 1, 0, 0),	/* not full */
			ev(LS_EV_CHAN_PARK, C, 1, 2, 0, 0),	/* a receiver */
			ev(LS_EV_CHAN_PARK, C + 8, 0, 0, 0, 0),	/* unbuffered */
			ev(LS_EV_CHAN_PARK, C, 0, 2, 0, 0),
		};

		EXPECT_TRUE(reaches("chan-sender-parks-full", e, 5, &at, why, sizeof(why)));
		EXPECT_EQ(4, (int)at);
		EXPECT_CONTAINS(why, "2 of 2");
		EXPECT_FALSE(reaches("chan-sender-parks-full", e, 4, NULL, NULL, 0));
	}
	{
		struct ls_event e[] = {
			ev(LS_EV_RW_WLOCK, M, (uint64_t)(int64_t)(-(1 << 30) + 1), 1, 1, 0),
			ev(LS_EV_RW_WLOCK, M, (uint64_t)(int64_t)(-(1 << 30) + 2), 2, 2, 0),
			ev(LS_EV_WG_WAIT, M, 3, 1, 0, 0),
			ev(LS_EV_WG_WAIT, M, 3, 2, 0, 0),
			ev(LS_EV_COND_BROADCAST, M, 0, 2, 2, 0),
			ev(LS_EV_COND_BROADCAST, M, 2, 5, 3, 0),
			ev(LS_EV_POOL_GET, M, 4, 0, 0, 0),
			ev(LS_EV_POOL_GET, M, 3, 0, 0, 0),
			ev(LS_EV_SEM_WAIT, M, 1, 0, 1, 1),
			ev(LS_EV_SEM_WAIT, M, 1, 0, 1, 2),
			ev(LS_EV_MAP_PROMOTE, M, 4, 4, 0, 0),
			ev(LS_EV_MUTEX_STARVE, M, 9, 13, 1500000, 0),
		};
		static const struct {
			const char *goal;
			int at;
		} want[] = {
			{ "rw-readercount-negative-2readers", 1 }, { "wg-waiters-2", 3 },
			{ "cond-broadcast-3", 5 }, { "pool-victim-hit", 7 },
			{ "sem-fifo-wait", 9 }, { "map-promote", 10 },
			{ "mutex-starving", 11 },
		};

		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			bool ok = reaches(want[i].goal, e, 12, &at, why, sizeof(why));

			TH_LOG("%s: %s", want[i].goal, why);
			EXPECT_TRUE(ok);
			EXPECT_EQ(want[i].at, (int)at);
		}
	}
}

TEST_HARNESS_MAIN
