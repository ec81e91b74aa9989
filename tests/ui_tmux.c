// SPDX-License-Identifier: MIT
/*
 * ui_tmux - the terminal UI, driven in a real terminal (tmux) and read back
 * the way a person would see it.
 *
 * Each test records a trace with `lockstep record --transport shm` from a
 * workload that ends in a known state (tests/workloads/ui_scenes.c), runs
 * `lockstep replay` in a detached tmux session of a given size on a server
 * of its own (-L, a private socket), sends keys, and polls capture-pane
 * until the expected text appears (10 s at most) instead of sleeping.  The
 * server is killed in the teardown, whatever happened.
 *
 * Skips when tmux is not installed.  The live test (`lockstep top -p`)
 * needs BPF and skips without it (SKIP_NEEDS_BPF).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "lab_util.h"
#include "trace_util.h"

#define WAIT_S		10.0	/* for text to appear */
#define SESSION		"ui"

FIXTURE(ui) {
	char	*dir;
	char	sock[64];
	char	cwd[TU_PATH];
	char	*screen;	/* the last capture */
	bool	have_tmux;
	bool	started;
	int	servers;
};

FIXTURE_SETUP(ui)
{
	static int n;

	self->have_tmux = lu_have_tmux();
	if (!self->have_tmux)
		SKIP(return, "tmux is not installed");
	self->dir = tu_tmpdir();
	ASSERT_NOT_NULL(self->dir);
	ASSERT_NOT_NULL(getcwd(self->cwd, sizeof(self->cwd)));
	snprintf(self->sock, sizeof(self->sock), "lockstep-ui-%d-%d", (int)getpid(), n++);
}

FIXTURE_TEARDOWN(ui)
{
	if (self->started)
		lu_tmux_kill(self->sock);
	free(self->screen);
	tu_rmtree(self->dir);
}

/*
 * Start cmd (a shell command line) in a cols x rows session.  It runs
 * with TERM=screen, and the shell then prints "EXIT=<status>" and the
 * terminal's modes, and stays, so the tests can look at what is left.
 */
static int start(FIXTURE_DATA(ui) *self, int cols, int rows, const char *env,
		 const char *cmd)
{
	char line[8192], x[16], y[16];
	const char *args[] = { "new-session", "-d", "-s", SESSION, "-x", x, "-y", y,
			       "-c", self->cwd, line, NULL };

	/* a server of our own each time: a killed one may still be exiting */
	if (self->started) {
		lu_tmux_kill(self->sock);
		snprintf(self->sock + strcspn(self->sock, "+"), sizeof(self->sock) -
			 strcspn(self->sock, "+"), "+%d", ++self->servers);
	}
	snprintf(x, sizeof(x), "%d", cols);
	snprintf(y, sizeof(y), "%d", rows);
	snprintf(line, sizeof(line), "env TERM=screen LANG=C.UTF-8 LC_ALL=C.UTF-8 "
		 "TMPDIR=%s %s %s; echo EXIT=$?; stty -a | tr -s ' ;' '\\n\\n' | "
		 "grep -x -e -icanon -e -echo -e icanon -e echo | tr '\\n' ' '; "
		 "echo; sleep 60", self->dir, env ? env : "", cmd);
	self->started = true;
	return lu_tmux_ok(self->sock, args);
}

static char *capture(FIXTURE_DATA(ui) *self, bool escapes)
{
	const char *plain[] = { "capture-pane", "-p", "-t", SESSION, NULL };
	const char *esc[] = { "capture-pane", "-p", "-e", "-t", SESSION, NULL };
	struct th_result r;
	char *out;

	if (lu_tmux(self->sock, &r, escapes ? esc : plain))
		return NULL;
	out = r.exited && r.status == 0 ? strdup(r.out) : NULL;
	th_result_free(&r);
	return out;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * Poll the screen until it contains needle (or, with gone, until it does
 * not), and is settled: two captures 100 ms apart are the same, so that a
 * frame tmux has only half received is never what the test reads.
 */
static bool wait_screen(FIXTURE_DATA(ui) *self, const char *needle, bool gone)
{
	char *prev = NULL;

	for (int i = 0; i < (int)(WAIT_S * 10); i++) {
		free(self->screen);
		self->screen = capture(self, false);
		if (self->screen && (strstr(self->screen, needle) != NULL) != gone) {
			if (prev && !strcmp(prev, self->screen)) {
				free(prev);
				return true;
			}
			free(prev);
			prev = strdup(self->screen);
		} else {
			free(prev);
			prev = NULL;
		}
		sleep_ms(100);
	}
	free(prev);
	return false;
}

#define WAIT_FOR(needle) do {							\
	if (!wait_screen(self, needle, false))					\
		TH_LOG("waited %.0f s for \"%s\"; the screen:\n%s", WAIT_S, needle,	\
		       self->screen ? self->screen : "(none)");			\
	ASSERT_CONTAINS(self->screen, needle);					\
} while (0)

#define WAIT_GONE(needle) do {							\
	if (!wait_screen(self, needle, true))					\
		TH_LOG("\"%s\" stayed on the screen:\n%s", needle,		\
		       self->screen ? self->screen : "(none)");			\
	ASSERT_EQ(NULL, strstr(self->screen, needle));				\
} while (0)

static int keys(FIXTURE_DATA(ui) *self, const char *k1, const char *k2)
{
	const char *args[] = { "send-keys", "-t", SESSION, k1, k2, NULL };

	return lu_tmux_ok(self->sock, args);
}

/* Record ui_scenes SCENE into DIR/SCENE.lst; returns the path. */
static const char *record(FIXTURE_DATA(ui) *self, const char *scene)
{
	static char path[TU_PATH];
	char *argv[] = { (char *)tu_lockstep(), "record", "-q", "--transport", "shm", "-o",
			 path, "--", (char *)tu_workload("ui_scenes"), (char *)scene, NULL };
	struct th_result r;

	snprintf(path, sizeof(path), "%s/%s.lst", self->dir, scene);
	if (th_run_argv(argv, NULL, 30, &r))
		return NULL;
	if (!r.exited || (r.status != 0 && r.status != 2)) {
		fprintf(stderr, "# record %s: status %d\n%s", scene, r.status, r.err);
		th_result_free(&r);
		return NULL;
	}
	th_result_free(&r);
	return path;
}

static void replay_cmd(char *buf, size_t len, const char *file, const char *opts)
{
	snprintf(buf, len, "%s replay %s %s", tu_lockstep(), file, opts ? opts : "");
}

/* The line of the screen that contains needle (a copy), or NULL. */
static char *line_with(const char *screen, const char *needle)
{
	const char *p = strstr(screen, needle), *b, *e;

	if (!p)
		return NULL;
	for (b = p; b > screen && b[-1] != '\n'; b--)
		;
	e = strchr(p, '\n');
	return strndup(b, e ? (size_t)(e - b) : strlen(b));
}

/* Columns before p in its line (every character is one column wide). */
static int column(const char *line, const char *p)
{
	int c = 0;

	for (; line < p; line++)
		if (((unsigned char)*line & 0xc0) != 0x80)
			c++;
	return c;
}

/* ---- the cards ---- */

TEST_F_TIMEOUT(ui, mutex_bits_and_waiters, 60)
{
	const char *t = record(self, "mutex");
	char cmd[TU_PATH * 2], *q, *a, *b;

	ASSERT_NOT_NULL(t);
	replay_cmd(cmd, sizeof(cmd), t, "--paused");
	ASSERT_EQ(0, start(self, 80, 24, NULL, cmd));
	WAIT_FOR("PAUSED");
	ASSERT_EQ(0, keys(self, "End", NULL));
	WAIT_FOR("[waiters=2 │ S W L]");
	/* each bit's value under its letter: starving 0, woken 0, locked 1 */
	WAIT_FOR("0 0 1");
	ASSERT_CONTAINS(self->screen, "held by main");
	ASSERT_CONTAINS(self->screen, "LOCKED");
	/* the queue, head to tail, with the waiters' names */
	ASSERT_CONTAINS(self->screen, "head→");
	ASSERT_CONTAINS(self->screen, "←tail");
	q = line_with(self->screen, "head→");
	ASSERT_NOT_NULL(q);
	a = strstr(q, "worker-1");
	b = strstr(q, "worker-2");
	ASSERT_NOT_NULL(a);
	ASSERT_NOT_NULL(b);
	ASSERT_TRUE(a < b);
	free(q);
	/* the goroutines pane says why they wait, in Go's words */
	ASSERT_CONTAINS(self->screen, "‖ worker-1");
	ASSERT_CONTAINS(self->screen, "sync.Mutex.Lock");
	/* main returned with both parked: the leak banner */
	ASSERT_CONTAINS(self->screen, "LEAK");
}

TEST_F_TIMEOUT(ui, starvation_and_lifo, 60)
{
	const char *t = record(self, "starve");
	char cmd[TU_PATH * 2], *q, *lifo;

	ASSERT_NOT_NULL(t);
	replay_cmd(cmd, sizeof(cmd), t, "--paused");
	ASSERT_EQ(0, start(self, 80, 24, NULL, cmd));
	ASSERT_EQ(0, keys(self, "End", NULL));
	WAIT_FOR("STARVATION mode");
	ASSERT_CONTAINS(self->screen, "STARVING");
	ASSERT_CONTAINS(self->screen, "1 0 1");
	/* worker-1 lost to a newcomer and went back to the head */
	q = line_with(self->screen, "head→");
	lifo = line_with(self->screen, "LIFO");
	ASSERT_NOT_NULL(q);
	ASSERT_NOT_NULL(lifo);
	ASSERT_CONTAINS(q, "worker-1");
	/* the LIFO label sits under worker-1's box */
	ASSERT_TRUE(column(lifo, strstr(lifo, "LIFO")) < column(q, strstr(q, "worker-2")));
	free(q);
	free(lifo);
}

TEST_F_TIMEOUT(ui, rwmutex_negative_reader_count, 60)
{
	const char *t = record(self, "rwmutex");
	char cmd[TU_PATH * 2];

	ASSERT_NOT_NULL(t);
	replay_cmd(cmd, sizeof(cmd), t, "--paused");
	ASSERT_EQ(0, start(self, 80, 24, NULL, cmd));
	ASSERT_EQ(0, keys(self, "End", NULL));
	/* one reader inside, one parked behind the pending writer */
	WAIT_FOR("readerCount -1073741822 = -2^30 + 2");
	ASSERT_CONTAINS(self->screen, "1 reader active, 1 parked, writer pending");
	ASSERT_CONTAINS(self->screen, "WRITER PENDING");
	/* the deadlock, drawn as a cycle with Go's wait reasons */
	ASSERT_CONTAINS(self->screen, "DEADLOCK");
	ASSERT_CONTAINS(self->screen, "reader ─[sync.RWMutex.RLock]→ rwmutex \"config.rw\"");
	ASSERT_CONTAINS(self->screen, "behind the writer→ writer");
	ASSERT_CONTAINS(self->screen, "writer ─[sync.RWMutex.Lock]→");
	ASSERT_CONTAINS(self->screen, "read-locked by→ reader");
}

TEST_F_TIMEOUT(ui, chan_slots_and_indices, 60)
{
	const char *t = record(self, "chan");
	char cmd[TU_PATH * 2], *slots, *marks, *p;

	ASSERT_NOT_NULL(t);
	replay_cmd(cmd, sizeof(cmd), t, "--paused");
	/* big enough for every card in full */
	ASSERT_EQ(0, start(self, 200, 60, NULL, cmd));
	ASSERT_EQ(0, keys(self, "End", NULL));
	WAIT_FOR("qcount 2/5");
	ASSERT_CONTAINS(self->screen, "chan \"results\"");
	/* results holds 2 and 3 in slots 1 and 2: recvx 1, sendx 3 */
	slots = line_with(self->screen, "│ 2 │ 3 │");
	ASSERT_NOT_NULL(slots);
	marks = line_with(self->screen, "↑recvx");
	ASSERT_NOT_NULL(marks);
	ASSERT_CONTAINS(marks, "↑sendx");
	/* the arrows stand under their slots: recvx under the 2 */
	p = strstr(slots, "│ 2 │ 3 │");
	ASSERT_EQ(column(slots, p) + 2, column(marks, strstr(marks, "↑recvx")));
	/* sendx under slot 3, two slots (4 columns each) to the right */
	ASSERT_EQ(column(slots, p) + 2 + 8, column(marks, strstr(marks, "↑sendx")));
	free(slots);
	free(marks);
	/* jobs is full, producer waits in sendq with its value; done's recvq */
	ASSERT_CONTAINS(self->screen, "qcount 2/2");
	ASSERT_CONTAINS(self->screen, "↑recvx=sendx");
	ASSERT_CONTAINS(self->screen, "│producer│");
	ASSERT_CONTAINS(self->screen, "30");
	ASSERT_CONTAINS(self->screen, "│waiter│");
	ASSERT_CONTAINS(self->screen, "unbuffered");
}

TEST_F_TIMEOUT(ui, sync_cards_big_terminal, 60)
{
	const char *t = record(self, "sync");
	char cmd[TU_PATH * 2];
	bool side_by_side = false;

	ASSERT_NOT_NULL(t);
	replay_cmd(cmd, sizeof(cmd), t, "--paused");
	ASSERT_EQ(0, start(self, 200, 60, NULL, cmd));
	ASSERT_EQ(0, keys(self, "End", NULL));
	WAIT_FOR("sync.Once \"init\"");
	ASSERT_CONTAINS(self->screen, "sync.WaitGroup \"workers\"");
	ASSERT_CONTAINS(self->screen, "counter 1   waiters 1");
	ASSERT_CONTAINS(self->screen, "sync.Cond \"ready\"");
	ASSERT_CONTAINS(self->screen, "tickets: next 2, notify 0");
	ASSERT_CONTAINS(self->screen, "running f in init-1");
	ASSERT_CONTAINS(self->screen, "blocked in Do: [init-2");
	/* the inner mutex of the Once has no card of its own */
	ASSERT_EQ(NULL, strstr(self->screen, "sync.Mutex \"init\""));
	/* a large terminal puts cards side by side */
	for (char *l = self->screen; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		char *e = strchr(l, '\n'), *first = strstr(l, "┌ sync.");

		if (first && (!e || first < e) && strstr(first + 1, "┌ sync.") &&
		    (!e || strstr(first + 1, "┌ sync.") < e))
			side_by_side = true;
	}
	ASSERT_TRUE(side_by_side);
}

TEST_F_TIMEOUT(ui, lock_order_scenario, 60)
{
	const char *t = record(self, "lockorder");
	char cmd[TU_PATH * 2];

	ASSERT_NOT_NULL(t);
	replay_cmd(cmd, sizeof(cmd), t, "--paused");
	ASSERT_EQ(0, start(self, 100, 40, NULL, cmd));
	ASSERT_EQ(0, keys(self, "End", NULL));
	WAIT_FOR("POSSIBLE DEADLOCK");
	/* one column per goroutine, in the order the detector found the edges */
	ASSERT_CONTAINS(self->screen, "CPU0 (worker-");
	ASSERT_CONTAINS(self->screen, "CPU1 (worker-");
	ASSERT_CONTAINS(self->screen, "(worker-1)");
	ASSERT_CONTAINS(self->screen, "(worker-2)");
	ASSERT_CONTAINS(self->screen, "lock(A);");
	ASSERT_CONTAINS(self->screen, "lock(B);");
	ASSERT_CONTAINS(self->screen, "*** DEADLOCK ***");
	/* v: the whole report, lockdep's table with its ---- rows */
	ASSERT_EQ(0, keys(self, "v", NULL));
	WAIT_FOR("Possible unsafe locking scenario:");
	ASSERT_CONTAINS(self->screen, "----");
	ASSERT_CONTAINS(self->screen, "verdict: potential-deadlock");
}

TEST_F_TIMEOUT(ui, panic_banner_and_dump, 60)
{
	const char *t = record(self, "panic");
	char cmd[TU_PATH * 2];

	ASSERT_NOT_NULL(t);
	replay_cmd(cmd, sizeof(cmd), t, "--paused");
	ASSERT_EQ(0, start(self, 80, 24, NULL, cmd));
	ASSERT_EQ(0, keys(self, "End", NULL));
	WAIT_FOR("PANIC: send on closed channel");
	ASSERT_CONTAINS(self->screen, "goroutine 1 [running]");
	ASSERT_CONTAINS(self->screen, "CLOSED");
}

/* ---- keys ---- */

TEST_F_TIMEOUT(ui, paused_banner, 60)
{
	const char *t = record(self, "mutex");
	char cmd[TU_PATH * 2];

	ASSERT_NOT_NULL(t);
	replay_cmd(cmd, sizeof(cmd), t, "--speed 1");
	ASSERT_EQ(0, start(self, 80, 24, NULL, cmd));
	WAIT_FOR("PLAYING");
	ASSERT_EQ(NULL, strstr(self->screen, "PAUSED"));
	ASSERT_EQ(0, keys(self, "Space", NULL));
	WAIT_FOR("❚❚ PAUSED ❚❚");
	ASSERT_CONTAINS(self->screen, "space play");
	ASSERT_EQ(0, keys(self, "Space", NULL));
	WAIT_GONE("PAUSED");
	ASSERT_CONTAINS(self->screen, "space pause");
}

TEST_F_TIMEOUT(ui, step_moves_one_event, 60)
{
	const char *t = record(self, "mutex");
	char cmd[TU_PATH * 2], *before, *after;

	ASSERT_NOT_NULL(t);
	replay_cmd(cmd, sizeof(cmd), t, "--paused --at 5");
	ASSERT_EQ(0, start(self, 80, 24, NULL, cmd));
	WAIT_FOR("event 5/");
	before = line_with(self->screen, "▶ #5 ");
	ASSERT_NOT_NULL(before);
	ASSERT_EQ(0, keys(self, "n", NULL));
	WAIT_FOR("event 6/");
	/* the log's current line is the next event now */
	after = line_with(self->screen, "▶ #6 ");
	ASSERT_NOT_NULL(after);
	ASSERT_NE(0, strcmp(before, after));
	ASSERT_EQ(NULL, strstr(self->screen, "▶ #5 "));
	free(after);
	ASSERT_EQ(0, keys(self, "Right", NULL));
	WAIT_FOR("event 7/");
	ASSERT_EQ(0, keys(self, "p", NULL));
	WAIT_FOR("event 6/");
	ASSERT_EQ(0, keys(self, "Left", NULL));
	WAIT_FOR("event 5/");
	after = line_with(self->screen, "▶ #5 ");
	ASSERT_NOT_NULL(after);
	ASSERT_EQ(0, strcmp(before, after));
	free(before);
	free(after);
	/* g and G: the start and the end */
	ASSERT_EQ(0, keys(self, "g", NULL));
	WAIT_FOR("event 0/");
	ASSERT_EQ(0, keys(self, "G", NULL));
	WAIT_FOR("■ END");
}

TEST_F_TIMEOUT(ui, help_lists_every_key, 60)
{
	static const char *const shown[] = {
		"space", "Right  n", "Left  p", "PgDn", "PgUp", "Home  g", "End  G", "+ ",
		"- ", "Tab", "Shift-Tab", "f ", "] ", "[ ", "/ ", "v ", "c ", "e ", "s ",
		"?  h  F1",
	};
	const char *t = record(self, "mutex");
	char cmd[TU_PATH * 2];

	ASSERT_NOT_NULL(t);
	replay_cmd(cmd, sizeof(cmd), t, "--paused");
	ASSERT_EQ(0, start(self, 80, 24, NULL, cmd));
	WAIT_FOR("? help");
	ASSERT_EQ(0, keys(self, "?", NULL));
	WAIT_FOR("lockstep: keys");
	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		char needle[32];

		snprintf(needle, sizeof(needle), "  %s", shown[i]);
		ASSERT_CONTAINS(self->screen, needle);
	}
	/* the rest is below: the help scrolls */
	ASSERT_EQ(0, keys(self, "Down", "Down"));
	ASSERT_EQ(0, keys(self, "Down", "Down"));
	WAIT_FOR("  q           quit");
	ASSERT_CONTAINS(self->screen, "Ctrl-L");
	ASSERT_CONTAINS(self->screen, "Esc");
	/* any other key goes back */
	ASSERT_EQ(0, keys(self, "x", NULL));
	WAIT_GONE("lockstep: keys");
}

TEST_F_TIMEOUT(ui, filter_focus_follow, 60)
{
	const char *t = record(self, "sync");
	char cmd[TU_PATH * 2];

	ASSERT_NOT_NULL(t);
	replay_cmd(cmd, sizeof(cmd), t, "--paused");
	ASSERT_EQ(0, start(self, 120, 40, NULL, cmd));
	ASSERT_EQ(0, keys(self, "End", NULL));
	WAIT_FOR("■ END");
	ASSERT_EQ(0, keys(self, "/", NULL));
	WAIT_FOR("filter the log: /");
	ASSERT_EQ(0, keys(self, "-l", "Cond"));
	ASSERT_EQ(0, keys(self, "Enter", NULL));
	WAIT_FOR("events matching \"Cond\"");
	ASSERT_CONTAINS(self->screen, "sync.Cond.Wait");
	/* Esc clears; Tab focuses the first card (heavy lines), f follows it */
	ASSERT_EQ(0, keys(self, "Escape", NULL));
	WAIT_GONE("events matching");
	ASSERT_EQ(0, keys(self, "Tab", NULL));
	WAIT_FOR("focus: waitgroup \"workers\"");
	ASSERT_CONTAINS(self->screen, "┏ sync.WaitGroup \"workers\"");
	ASSERT_EQ(0, keys(self, "f", NULL));
	WAIT_FOR("events of waitgroup \"workers\"");
	ASSERT_CONTAINS(self->screen, "[follow]");
	ASSERT_CONTAINS(self->screen, "main calls Done on waitgroup \"workers\"");
	ASSERT_EQ(NULL, strstr(self->screen, "init-2 parks"));
}

TEST_F_TIMEOUT(ui, save_screen, 60)
{
	const char *t = record(self, "mutex");
	char cmd[TU_PATH * 2], path[TU_PATH], *p, *text;
	FILE *f;
	long n;

	ASSERT_NOT_NULL(t);
	replay_cmd(cmd, sizeof(cmd), t, "--paused --at 3");
	ASSERT_EQ(0, start(self, 80, 24, NULL, cmd));
	WAIT_FOR("event 3/");
	ASSERT_EQ(0, keys(self, "s", NULL));
	WAIT_FOR("screen saved to ");
	p = strstr(self->screen, "screen saved to ") + strlen("screen saved to ");
	snprintf(path, sizeof(path), "%.*s", (int)strcspn(p, " \n"), p);
	/* in TMPDIR, which the test set to its own directory */
	ASSERT_EQ(0, strncmp(path, self->dir, strlen(self->dir)));
	f = fopen(path, "r");
	ASSERT_NOT_NULL(f);
	text = calloc(1, 65536);
	n = (long)fread(text, 1, 65535, f);
	fclose(f);
	ASSERT_TRUE(n > 0);
	ASSERT_CONTAINS(text, "lockstep replay mutex.lst");
	ASSERT_CONTAINS(text, "event 3/");
	free(text);
}

TEST_F_TIMEOUT(ui, narration_pauses_at_its_cue, 60)
{
	static const char script[] =
		"# the mutex scene, narrated\n"
		"intro: main takes the lock; two workers will queue behind it.\n"
		"cue event=mutex_park goroutine=worker-1: worker-1 finds the lock held\n"
		"cue pause event=mutex_park goroutine=worker-2: worker-2 queues behind"
		" worker-1:\\n2 waiters now.\n";
	const char *t = record(self, "mutex");
	char cmd[TU_PATH * 3], path[TU_PATH], *cur;

	ASSERT_NOT_NULL(t);
	snprintf(path, sizeof(path), "%s/demo.txt", self->dir);
	ASSERT_EQ(0, tu_write_file(path, script, strlen(script)));
	snprintf(cmd, sizeof(cmd), "%s replay %s --narrate %s --speed 50", tu_lockstep(), t,
		 path);
	ASSERT_EQ(0, start(self, 100, 30, NULL, cmd));
	/* it plays, and stops by itself where the script says */
	WAIT_FOR("2 waiters now.");
	ASSERT_CONTAINS(self->screen, "narration");
	ASSERT_CONTAINS(self->screen, "worker-2 queues behind worker-1:");
	ASSERT_CONTAINS(self->screen, "❚❚ PAUSED ❚❚");
	cur = line_with(self->screen, "▶ #");
	ASSERT_NOT_NULL(cur);
	ASSERT_CONTAINS(cur, "worker-2 parks on mutex \"queue-lock\"");
	free(cur);
	/* back before the cues: the intro again */
	ASSERT_EQ(0, keys(self, "g", NULL));
	WAIT_FOR("main takes the lock; two workers");
	ASSERT_EQ(0, keys(self, "q", NULL));
	WAIT_FOR("EXIT=0");
}

/* ---- terminals ---- */

TEST_F_TIMEOUT(ui, resize, 60)
{
	const char *t = record(self, "mutex");
	const char *grow[] = { "resize-window", "-t", SESSION, "-x", "160", "-y", "50", NULL };
	const char *shrink[] = { "resize-window", "-t", SESSION, "-x", "40", "-y", "10", NULL };
	char cmd[TU_PATH * 2];

	ASSERT_NOT_NULL(t);
	replay_cmd(cmd, sizeof(cmd), t, "--paused");
	ASSERT_EQ(0, start(self, 80, 24, NULL, cmd));
	ASSERT_EQ(0, keys(self, "End", NULL));
	WAIT_FOR("[waiters=2");
	ASSERT_EQ(NULL, strstr(self->screen, "v verdict"));	/* no room at 80 */
	ASSERT_EQ(0, lu_tmux_ok(self->sock, grow));
	WAIT_FOR("v verdict");
	ASSERT_CONTAINS(self->screen, "[waiters=2");
	ASSERT_EQ(0, lu_tmux_ok(self->sock, shrink));
	WAIT_FOR("terminal too small");
	ASSERT_EQ(0, keys(self, "q", NULL));
	WAIT_FOR("EXIT=0");
}

/* SGR colour parameters (30-37, 38, 40-47, 48, 90-97, 100-107) in text. */
static bool has_colour(const char *s)
{
	for (; (s = strstr(s, "\033[")); ) {
		s += 2;
		while (*s && *s != 'm' && (isdigit((unsigned char)*s) || *s == ';')) {
			int v = atoi(s);

			if ((v >= 30 && v <= 38) || (v >= 40 && v <= 48) ||
			    (v >= 90 && v <= 97) || (v >= 100 && v <= 107))
				return true;
			while (isdigit((unsigned char)*s))
				s++;
			if (*s == ';')
				s++;
		}
	}
	return false;
}

TEST_F_TIMEOUT(ui, monochrome_with_no_color, 60)
{
	const char *t = record(self, "mutex");
	const char *stop[] = { "kill-server", NULL };
	char cmd[TU_PATH * 2], *esc;

	ASSERT_NOT_NULL(t);
	replay_cmd(cmd, sizeof(cmd), t, "--paused");
	/* with colours first, so that the check is known to see them */
	ASSERT_EQ(0, start(self, 80, 24, NULL, cmd));
	ASSERT_EQ(0, keys(self, "End", NULL));
	WAIT_FOR("[waiters=2");
	esc = capture(self, true);
	ASSERT_NOT_NULL(esc);
	ASSERT_TRUE(has_colour(esc));
	free(esc);
	ASSERT_EQ(0, keys(self, "q", NULL));
	WAIT_FOR("EXIT=0");
	ASSERT_EQ(0, lu_tmux_ok(self->sock, stop));
	ASSERT_EQ(0, start(self, 80, 24, "NO_COLOR=1", cmd));
	ASSERT_EQ(0, keys(self, "End", NULL));
	WAIT_FOR("[waiters=2");
	ASSERT_CONTAINS(self->screen, "❚❚ PAUSED ❚❚");
	esc = capture(self, true);
	ASSERT_NOT_NULL(esc);
	if (has_colour(esc))
		TH_LOG("colour codes with NO_COLOR=1:\n%s", esc);
	ASSERT_FALSE(has_colour(esc));
	/* still bold and reverse: the PAUSED header stands out */
	ASSERT_CONTAINS(esc, "\033[");
	free(esc);
}

static bool ascii_only(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

TEST_F_TIMEOUT(ui, ascii_fallback, 60)
{
	const char *t = record(self, "chan");
	const char *stop[] = { "kill-server", NULL };
	char cmd[TU_PATH * 2];

	ASSERT_NOT_NULL(t);
	replay_cmd(cmd, sizeof(cmd), t, "--paused --ascii");
	ASSERT_EQ(0, start(self, 200, 60, NULL, cmd));
	ASSERT_EQ(0, keys(self, "End", NULL));
	WAIT_FOR("qcount 2/5");
	ASSERT_TRUE(ascii_only(self->screen));
	ASSERT_CONTAINS(self->screen, "+ chan \"results\" ---");
	ASSERT_CONTAINS(self->screen, "| 2 | 3 |");
	ASSERT_CONTAINS(self->screen, "^recvx");
	ASSERT_CONTAINS(self->screen, "head-> |producer|<-tail");
	ASSERT_CONTAINS(self->screen, "|| PAUSED ||");
	ASSERT_EQ(0, keys(self, "q", NULL));
	WAIT_FOR("EXIT=0");
	ASSERT_EQ(0, lu_tmux_ok(self->sock, stop));
	/* a locale that is not UTF-8 gets ASCII without asking */
	replay_cmd(cmd, sizeof(cmd), t, "--paused");
	ASSERT_EQ(0, start(self, 200, 60, "LANG=C LC_ALL=C", cmd));
	ASSERT_EQ(0, keys(self, "End", NULL));
	WAIT_FOR("qcount 2/5");
	ASSERT_TRUE(ascii_only(self->screen));
}

/* ---- errors leave the terminal as it was ---- */

/* After the UI: out of the alternate screen, echo and canonical mode back. */
static void assert_sane(struct __test_metadata *_metadata, FIXTURE_DATA(ui) *self)
{
	const char *args[] = { "display-message", "-p", "-t", SESSION, "#{alternate_on}", NULL };
	struct th_result r;
	char *modes;

	WAIT_FOR("EXIT=");
	WAIT_FOR(" echo");
	modes = line_with(self->screen, " echo");
	ASSERT_NOT_NULL(modes);
	ASSERT_CONTAINS(modes, "icanon");
	ASSERT_EQ(NULL, strstr(modes, "-icanon"));
	ASSERT_EQ(NULL, strstr(modes, "-echo"));
	free(modes);
	ASSERT_EQ(0, lu_tmux(self->sock, &r, args));
	ASSERT_EQ(0, strcmp(r.out, "0\n"));
	th_result_free(&r);
}

TEST_F_TIMEOUT(ui, malformed_trace, 60)
{
	static const char junk[] = "LSTRACE\0this is not a trace file at all";
	char path[TU_PATH], cmd[TU_PATH * 2];

	snprintf(path, sizeof(path), "%s/bad.lst", self->dir);
	ASSERT_EQ(0, tu_write_file(path, junk, sizeof(junk)));
	replay_cmd(cmd, sizeof(cmd), path, NULL);
	ASSERT_EQ(0, start(self, 80, 24, NULL, cmd));
	WAIT_FOR("EXIT=1");
	/* one line naming the file and the byte, no crash */
	ASSERT_CONTAINS(self->screen, "bad.lst: byte ");
	assert_sane(_metadata, self);
}

/* The process the pane runs: its shell's child. */
static int ui_pid(FIXTURE_DATA(ui) *self)
{
	const char *args[] = { "display-message", "-p", "-t", SESSION, "#{pane_pid}", NULL };
	char shell[32];
	char *argv[] = { "pgrep", "-P", shell, NULL };
	struct th_result r;
	int pid = 0;

	if (lu_tmux(self->sock, &r, args))
		return 0;
	snprintf(shell, sizeof(shell), "%d", atoi(r.out));
	th_result_free(&r);
	if (th_run_argv(argv, NULL, 10, &r))
		return 0;
	pid = atoi(r.out);
	th_result_free(&r);
	return pid;
}

TEST_F_TIMEOUT(ui, quit_and_signals_restore_terminal, 90)
{
	const char *t = record(self, "mutex");
	const char *stop[] = { "kill-server", NULL };
	char cmd[TU_PATH * 2];
	int pid;

	ASSERT_NOT_NULL(t);
	replay_cmd(cmd, sizeof(cmd), t, "--paused");
	ASSERT_EQ(0, start(self, 80, 24, NULL, cmd));
	WAIT_FOR("PAUSED");
	ASSERT_EQ(0, keys(self, "q", NULL));
	WAIT_FOR("EXIT=0");
	assert_sane(_metadata, self);
	ASSERT_EQ(0, lu_tmux_ok(self->sock, stop));

	/* ^C: SIGINT to the foreground process group */
	ASSERT_EQ(0, start(self, 80, 24, NULL, cmd));
	WAIT_FOR("PAUSED");
	ASSERT_EQ(0, keys(self, "C-c", NULL));
	WAIT_FOR("EXIT=130");
	assert_sane(_metadata, self);
	ASSERT_EQ(0, lu_tmux_ok(self->sock, stop));

	/* SIGTERM from outside, to lockstep: the pane's shell's child */
	ASSERT_EQ(0, start(self, 80, 24, NULL, cmd));
	WAIT_FOR("PAUSED");
	pid = ui_pid(self);
	ASSERT_TRUE(pid > 0);
	ASSERT_EQ(0, kill(pid, SIGTERM));
	WAIT_FOR("EXIT=130");
	assert_sane(_metadata, self);
}

/* ---- --no-ui ---- */

TEST_F_TIMEOUT(ui, no_ui_report_and_state, 60)
{
	const char *t = record(self, "mutex");
	char *argv[] = { (char *)tu_lockstep(), "replay", (char *)t, "--no-ui", "--width", "90",
			 NULL };
	struct th_result r;

	ASSERT_NOT_NULL(t);
	ASSERT_EQ(0, th_run_argv(argv, (const char *const[]){ "LANG=C.UTF-8", "LC_ALL=C.UTF-8",
							      NULL }, 30, &r));
	ASSERT_TRUE(r.exited);
	ASSERT_EQ(11, r.status);	/* leak */
	ASSERT_CONTAINS(r.out, "verdict: leak (exit 11)");
	ASSERT_CONTAINS(r.out, "state after event");
	ASSERT_CONTAINS(r.out, "[waiters=2 │ S W L]");
	ASSERT_CONTAINS(r.out, "worker-2");
	th_result_free(&r);
}

/* ---- live ---- */

TEST_F_TIMEOUT(ui, live_top_attached, 90)
{
	char why[256], cmd[TU_PATH * 2], line[64];
	char *argv[] = { (char *)tu_workload("trace_ticker"), "6", NULL };
	FILE *p;
	int pid = 0;

	if (!tu_bpf_ok(why, sizeof(why)))
		SKIP_NEEDS_BPF(return, "lockstep top attaches with BPF: %s", why);
	/* the ticker prints "ready PID" and runs for 6 s */
	snprintf(cmd, sizeof(cmd), "%s 6", argv[0]);
	p = popen(cmd, "r");
	ASSERT_NOT_NULL(p);
	ASSERT_NOT_NULL(fgets(line, sizeof(line), p));
	ASSERT_EQ(1, sscanf(line, "ready %d", &pid));
	snprintf(cmd, sizeof(cmd), "%s top -p %d", tu_lockstep(), pid);
	ASSERT_EQ(0, start(self, 100, 30, NULL, cmd));
	WAIT_FOR("sync.Mutex \"tick-lock\"");
	ASSERT_CONTAINS(self->screen, "lockstep live pid");
	/* the program ends; its final state stays until q */
	for (int i = 0; i < 3 && !strstr(self->screen, "the program has ended"); i++)
		wait_screen(self, "the program has ended", false);
	ASSERT_CONTAINS(self->screen, "the program has ended");
	ASSERT_CONTAINS(self->screen, "tick-lock");
	pclose(p);
	ASSERT_EQ(0, keys(self, "q", NULL));
	WAIT_FOR("EXIT=0");
	assert_sane(_metadata, self);
}

TEST_HARNESS_MAIN
