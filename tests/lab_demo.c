// SPDX-License-Identifier: MIT
/*
 * lab_demo.c - `lockstep demo`: every demo plays to its end as planned
 * (--no-ui, fast), with its story and the state changes it is about in the
 * text; the list and the help name every demo; a wrong name, a bad speed
 * and a program that does not follow the story fail with one clear line;
 * and in a real terminal (tmux) the live UI opens on the narration, paused,
 * and stops again at the first step.
 *
 * docs/demos.md is the reference.  The demo programs are built by `make`
 * into $LOCKSTEP_BUILD_DIR/demos/.
 */
#include "harness.h"
#include "lab_util.h"
#include "trace_util.h"

#define FAST		"20"		/* --pace: a step every 35 ms */
#define WAIT_S		10.0		/* tmux: for text to appear */

#define lockstep(r, ...)	lu_lockstep(r, NULL, 30, __VA_ARGS__, NULL)

/* Show what the command said when a check fails. */
#define SHOW(r)	TH_LOG("exit %d\nstdout:\n%s\nstderr:\n%s", (r).status, (r).out, (r).err)

/* ---- the list and the help ---- */

TEST(list_names_every_demo)
{
	struct th_result r;

	ASSERT_EQ(0, lockstep(&r, "demo", "--list"));
	ASSERT_TRUE(r.exited);
	ASSERT_EQ(0, r.status);
	ASSERT_CONTAINS(r.out, "starvation");
	ASSERT_CONTAINS(r.out, "Mutex starvation mode, and back");
	ASSERT_CONTAINS(r.out, "rlock-deadlock");
	ASSERT_CONTAINS(r.out, "channels");
	ASSERT_EQ(3, tu_count_lines(r.out));
	/* the first line is the default demo, the one `make demo` plays */
	ASSERT_EQ(0, strncmp(r.out, "starvation ", 11));
	th_result_free(&r);
}

TEST(help_names_every_demo)
{
	const char *forms[][2] = { { "help", "demo" }, { "demo", "--help" } };
	struct th_result r;

	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(0, lockstep(&r, forms[i][0], forms[i][1]));
		ASSERT_EQ(0, r.status);
		ASSERT_CONTAINS(r.out, "usage: lockstep demo [NAME]");
		ASSERT_CONTAINS(r.out, "starvation");
		ASSERT_CONTAINS(r.out, "The recursive-RLock deadlock");
		ASSERT_CONTAINS(r.out, "Unbuffered handoff versus a buffer filling up");
		ASSERT_CONTAINS(r.out, "--no-ui");
		ASSERT_CONTAINS(r.out, "--pace");
		th_result_free(&r);
	}
	/* and `lockstep help` lists the command */
	ASSERT_EQ(0, lockstep(&r, "help"));
	ASSERT_CONTAINS(r.out, "  demo ");
	th_result_free(&r);
}

TEST(unknown_demo_one_line_exit_2)
{
	struct th_result r;

	ASSERT_EQ(0, lockstep(&r, "demo", "no-such-demo"));
	ASSERT_TRUE(r.exited);
	ASSERT_EQ(2, r.status);
	ASSERT_CONTAINS(r.err, "no demo 'no-such-demo'");
	ASSERT_CONTAINS(r.err, "starvation, rlock-deadlock, channels");
	ASSERT_EQ(1, tu_count_lines(r.err));
	ASSERT_STREQ("", r.out);
	th_result_free(&r);
}

TEST(bad_speed_exit_2)
{
	const char *const env[] = { "LOCKSTEP_DEMO_PACE=fast", NULL };
	struct th_result r;

	ASSERT_EQ(0, lockstep(&r, "demo", "--pace", "0", "--no-ui"));
	ASSERT_EQ(2, r.status);
	ASSERT_CONTAINS(r.err, "--pace 0");
	ASSERT_EQ(1, tu_count_lines(r.err));
	th_result_free(&r);
	ASSERT_EQ(0, lu_lockstep(&r, env, 30, "demo", "--no-ui", NULL));
	ASSERT_EQ(2, r.status);
	ASSERT_CONTAINS(r.err, "LOCKSTEP_DEMO_PACE=fast");
	th_result_free(&r);
}

/* ---- each demo, as text ---- */

/* `lockstep demo NAME --no-ui --pace FAST --transport shm`, as planned. */
static void run_text(struct th_result *r, const char *name)
{
	ASSERT_EQ(0, lockstep(r, "demo", name, "--no-ui", "--pace", FAST,
			      "--transport", "shm"));
	if (!r->exited || r->status != 0)
		SHOW(*r);
	ASSERT_TRUE(r->exited);
	ASSERT_EQ(0, r->status);
}

TEST_TIMEOUT(starvation_text, 40)
{
	struct th_result r;

	run_text(&r, "starvation");
	ASSERT_CONTAINS(r.out, "lockstep demo starvation: Mutex starvation mode, and back");
	/* every step, in order, with its event */
	ASSERT_CONTAINS(r.out, "(1/9) hog takes mu");
	ASSERT_CONTAINS(r.out, "(3/9) hog barges back in");
	ASSERT_CONTAINS(r.out, "(4/9) the victim sets STARVING");
	ASSERT_CONTAINS(r.out, "mutex_starve]");
	ASSERT_CONTAINS(r.out, "mutex_handoff]");
	ASSERT_CONTAINS(r.out, "(8/9) mu goes back to normal mode");
	ASSERT_CONTAINS(r.out, "mutex_normal]");
	ASSERT_TRUE(strstr(r.out, "(1/9)") < strstr(r.out, "(9/9)"));
	/* the state word, bit by bit */
	ASSERT_CONTAINS(r.out, "= mu = 0x9: locked, 1 waiter; held by hog; queue: victim");
	ASSERT_CONTAINS(r.out, "= mu = 0x3: locked, woken; held by hog");
	ASSERT_CONTAINS(r.out, "= mu = 0xd: locked, starving, 1 waiter; held by hog");
	ASSERT_CONTAINS(r.out, "mu = 0x15: locked, starving, 2 waiters; held by hog;");
	ASSERT_CONTAINS(r.out, "queue: victim, newcomer");
	ASSERT_CONTAINS(r.out, "held by victim");
	ASSERT_CONTAINS(r.out, "= mu = 0x1: locked");
	ASSERT_CONTAINS(r.out, "verdict: ok (exit 0)");
	ASSERT_CONTAINS(r.out, "demo starvation: ran as planned (9 of 9 steps, verdict ok)");
	th_result_free(&r);
}

TEST_TIMEOUT(rlock_deadlock_text, 40)
{
	struct th_result r;

	run_text(&r, "rlock-deadlock");
	ASSERT_CONTAINS(r.out, "(1/4) reader holds a read lock");
	ASSERT_CONTAINS(r.out, "rw: readerCount = 1 (1 reader, no writer), readerWait = 0");
	ASSERT_CONTAINS(r.out, "(2/4) writer announces itself");
	ASSERT_CONTAINS(r.out, "rw: readerCount = -1073741823 (1 - 2^30: a writer is pending),");
	ASSERT_CONTAINS(r.out, "readerWait = 1");
	ASSERT_CONTAINS(r.out, "(3/4) the reader's second RLock parks");
	ASSERT_CONTAINS(r.out, "readerCount = -1073741822 (2 - 2^30");
	ASSERT_CONTAINS(r.out, "parked behind the writer: reader");
	ASSERT_CONTAINS(r.out, "(4/4) all goroutines are asleep");
	/* the runtime's death, and the detectors' cycle */
	ASSERT_CONTAINS(r.out, "fatal error: all goroutines are asleep - deadlock!");
	ASSERT_CONTAINS(r.out, "verdict: deadlock (exit 10)");
	ASSERT_CONTAINS(r.out, "2 goroutines wait for each other in a cycle");
	ASSERT_CONTAINS(r.out, "reader [sync.RWMutex.RLock] on rwmutex \"rw\", behind the writer writer");
	ASSERT_CONTAINS(r.out, "writer [sync.RWMutex.Lock] on rwmutex \"rw\", read-locked by reader");
	/* a deadlock is what this demo is for: it ran as planned */
	ASSERT_CONTAINS(r.out, "demo rlock-deadlock: ran as planned (4 of 4 steps, verdict deadlock)");
	th_result_free(&r);
}

TEST_TIMEOUT(channels_text, 40)
{
	struct th_result r;

	run_text(&r, "channels");
	ASSERT_CONTAINS(r.out, "(1/9) sender parks on unbuffered");
	ASSERT_CONTAINS(r.out, "= unbuffered: no slots; sendq: sender");
	ASSERT_CONTAINS(r.out, "(2/9) receiver copies from the sender");
	ASSERT_CONTAINS(r.out, "= unbuffered: no slots; recvq: receiver");
	ASSERT_CONTAINS(r.out, "(4/9) sender hands 2 over");
	/* the slots fill, sendx wraps, the sender parks, a receive refills */
	ASSERT_CONTAINS(r.out, "= buffered: [10 _ _] qcount 1/3, sendx 1, recvx 0");
	ASSERT_CONTAINS(r.out, "= buffered: [10 20 30] qcount 3/3, sendx 0, recvx 0\n");
	ASSERT_CONTAINS(r.out, "= buffered: [10 20 30] qcount 3/3, sendx 0, recvx 0; sendq: sender");
	ASSERT_CONTAINS(r.out, "(8/9) a receive frees a slot, the sender refills it");
	ASSERT_CONTAINS(r.out, "= buffered: [40 20 30] qcount 3/3, sendx 1, recvx 1");
	ASSERT_CONTAINS(r.out, "= buffered: [_ _ _] qcount 0/3, sendx 1, recvx 1");
	ASSERT_CONTAINS(r.out, "verdict: ok (exit 0)");
	ASSERT_CONTAINS(r.out, "demo channels: ran as planned (9 of 9 steps, verdict ok)");
	th_result_free(&r);
}

/* No NAME: the first demo; the speed from the environment; auto transport. */
TEST_TIMEOUT(default_demo_auto_transport, 40)
{
	const char *const env[] = { "LOCKSTEP_DEMO_PACE=" FAST, NULL };
	struct th_result r;

	ASSERT_EQ(0, lu_lockstep(&r, env, 30, "demo", "--no-ui", NULL));
	if (r.status != 0)
		SHOW(r);
	ASSERT_EQ(0, r.status);
	ASSERT_CONTAINS(r.out, "lockstep demo starvation:");
	ASSERT_CONTAINS(r.out, "demo starvation: ran as planned");
	th_result_free(&r);
}

/* Output that is not a terminal gets the text, without --no-ui. */
TEST_TIMEOUT(no_terminal_falls_back_to_text, 40)
{
	struct th_result r;

	ASSERT_EQ(0, lockstep(&r, "demo", "channels", "--pace", FAST, "--transport", "shm"));
	ASSERT_EQ(0, r.status);
	ASSERT_CONTAINS(r.out, "(9/9) the buffer is drained");
	ASSERT_CONTAINS(r.out, "demo channels: ran as planned");
	th_result_free(&r);
}

/* A program that does not follow the story: one line says which step. */
TEST_TIMEOUT(story_not_followed_fails, 40)
{
	char prog[TU_PATH];
	struct th_result r;

	snprintf(prog, sizeof(prog), "%s", tu_build("demos/channels"));
	ASSERT_EQ(0, lockstep(&r, "demo", "starvation", "--no-ui", "--pace", FAST,
			      "--transport", "shm", "--program", prog));
	ASSERT_TRUE(r.exited);
	ASSERT_EQ(1, r.status);
	ASSERT_CONTAINS(r.err, "lockstep demo: starvation did not go as planned: "
			"step 1 of 9 (hog takes mu) never happened");
	ASSERT_EQ(NULL, strstr(r.out, "ran as planned"));
	th_result_free(&r);
}

/* ---- the live UI, in tmux ---- */

FIXTURE(tm) {
	char	*dir;
	char	sock[64];
	char	cwd[TU_PATH];
	char	*screen;
	bool	started;
};

FIXTURE_SETUP(tm)
{
	if (!lu_have_tmux())
		SKIP(return, "tmux is not installed");
	self->dir = tu_tmpdir();
	ASSERT_NOT_NULL(self->dir);
	ASSERT_NOT_NULL(getcwd(self->cwd, sizeof(self->cwd)));
	snprintf(self->sock, sizeof(self->sock), "lockstep-demo-%d", (int)getpid());
}

FIXTURE_TEARDOWN(tm)
{
	if (self->started)
		lu_tmux_kill(self->sock);
	free(self->screen);
	if (self->dir)
		tu_rmtree(self->dir);
}

static bool wait_screen(FIXTURE_DATA(tm) *self, const char *needle)
{
	const char *const cap[] = { "capture-pane", "-p", "-t", "demo", NULL };
	struct timespec nap = { 0, 50 * 1000 * 1000 };

	for (int i = 0; i < (int)(WAIT_S * 20); i++) {
		struct th_result r;

		if (!lu_tmux(self->sock, &r, cap)) {
			if (r.exited && r.status == 0) {
				free(self->screen);
				self->screen = strdup(r.out);
			}
			th_result_free(&r);
		}
		if (self->screen && strstr(self->screen, needle))
			return true;
		nanosleep(&nap, NULL);
	}
	return false;
}

#define WAIT_FOR(needle) do {							\
	if (!wait_screen(self, needle))						\
		TH_LOG("waited %.0f s for \"%s\"; the screen:\n%s", WAIT_S,	\
		       needle, self->screen ? self->screen : "(none)");		\
	ASSERT_NOT_NULL(self->screen);						\
	ASSERT_CONTAINS(self->screen, needle);					\
} while (0)

TEST_F_TIMEOUT(tm, live_ui_narrates_and_pauses, 50)
{
	char line[TU_PATH * 2];
	const char *args[] = { "new-session", "-d", "-s", "demo", "-x", "120", "-y", "35",
			       "-c", self->cwd, line, NULL };
	const char *space[] = { "send-keys", "-t", "demo", "space", NULL };
	const char *quit[] = { "send-keys", "-t", "demo", "q", NULL };

	snprintf(line, sizeof(line), "env TERM=screen LANG=C.UTF-8 LC_ALL=C.UTF-8 "
		 "TMPDIR=%s %s demo starvation --pace 4 --transport shm; "
		 "echo EXIT=$?; sleep 60", self->dir, tu_lockstep());
	self->started = true;
	ASSERT_EQ(0, lu_tmux_ok(self->sock, args));

	/* the title page: paused, the narration pane with the introduction */
	WAIT_FOR("narration");
	WAIT_FOR("Mutex starvation mode, and back.");
	ASSERT_CONTAINS(self->screen, "PAUSED");
	ASSERT_CONTAINS(self->screen, "space: start");
	ASSERT_CONTAINS(self->screen, "live demo starvation");

	/* space: it plays, and stops by itself at the first step */
	ASSERT_EQ(0, lu_tmux_ok(self->sock, space));
	WAIT_FOR("(1/9) hog: Lock()");
	ASSERT_CONTAINS(self->screen, "PAUSED");
	ASSERT_CONTAINS(self->screen, "mu = 0x1: locked; held by hog");
	ASSERT_CONTAINS(self->screen, "sync.Mutex \"mu\"");

	/* again: the next step, the victim in the queue */
	ASSERT_EQ(0, lu_tmux_ok(self->sock, space));
	WAIT_FOR("(2/9) victim: Lock()");
	ASSERT_CONTAINS(self->screen, "PAUSED");

	/* q leaves; the terminal is back and the exit status is 0 */
	ASSERT_EQ(0, lu_tmux_ok(self->sock, quit));
	WAIT_FOR("EXIT=");
	ASSERT_CONTAINS(self->screen, "EXIT=0");
	ASSERT_CONTAINS(self->screen, "demo starvation: ");
}

TEST_HARNESS_MAIN
