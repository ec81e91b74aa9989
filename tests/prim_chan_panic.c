// SPDX-License-Identifier: MIT
/*
 * prim_chan_panic.c - channels and select die the way Go does.
 *
 * Panics, each with Go's exact text and exit status 2: close of a closed
 * channel, close of nil channel, send on a closed channel (plain, select,
 * and a sender or select parked on a full channel when it is closed).
 *
 * Deadlocks: "fatal error: all goroutines are asleep - deadlock!" with the
 * goroutine dump naming the wait in Go's words: [chan send (nil chan)],
 * [chan receive (nil chan)], [select (no cases)], [select], [chan send],
 * [chan receive].  A pending timer keeps the check quiet; a stopped or fired
 * one no longer does, and the timer thread never shows up in the dump.
 *
 * Every scenario runs in a child (th_run_fn) and reaches its end by forced
 * ordering: it waits until the other goroutine is queued on the channel.
 */
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "prim_util.h"

#define ALL_ASLEEP	"fatal error: all goroutines are asleep - deadlock!\n"

static struct ls_chan *mk(size_t cap)
{
	struct ls_chan *c = ls_chan_make(sizeof(int), cap, "ch");

	if (!c)
		ls_panic("test: ls_chan_make failed");
	return c;
}

/* Expect exit 2 with text at the very start of stderr, then a dump. */
#define EXPECT_DEATH_FIRST(fn, text) do {				\
	struct th_result r;						\
									\
	EXPECT_GO_DEATH(fn, NULL, text, &r);				\
	EXPECT_EQ(0, strncmp(r.err, text, strlen(text)));		\
	EXPECT_CONTAINS(r.err, "\ngoroutine 1 [");			\
	th_result_free(&r);						\
} while (0)

/* The dump must show a goroutine blocked for reason, named who. */
#define EXPECT_WAIT_LINE(r, reason, who) do {				\
	char _line[256] = "";						\
									\
	EXPECT_TRUE(dump_line_for((r)->err, (reason), _line, sizeof(_line))); \
	EXPECT_CONTAINS(_line, (who));					\
} while (0)

/* ---- panics ---- */

static void close_closed(void *arg)
{
	struct ls_chan *c = mk(1);

	ls_chan_close(c);
	ls_chan_close(c);
}

TEST(panic_close_of_closed_channel)
{
	EXPECT_DEATH_FIRST(close_closed, "panic: close of closed channel\n");
}

static void close_nil(void *arg)
{
	ls_chan_close(NULL);
}

TEST(panic_close_of_nil_channel)
{
	EXPECT_DEATH_FIRST(close_nil, "panic: close of nil channel\n");
}

static void send_closed(void *arg)
{
	struct ls_chan *c = mk(1);
	int v = 1;

	ls_chan_close(c);
	ls_chan_send(c, &v);
}

TEST(panic_send_on_closed_channel)
{
	EXPECT_DEATH_FIRST(send_closed, "panic: send on closed channel\n");
}

/* A non-blocking send panics too: closed is checked before "full". */
static void trysend_closed(void *arg)
{
	struct ls_chan *c = mk(0);
	int v = 1;

	ls_chan_close(c);
	ls_chan_trysend(c, &v);
}

TEST(panic_trysend_on_closed_channel)
{
	EXPECT_DEATH_FIRST(trysend_closed, "panic: send on closed channel\n");
}

static void select_send_closed(void *arg)
{
	struct ls_chan *c = mk(1), *d = mk(0);
	int v = 1;
	struct ls_case cs[2] = {
		{ .ch = d, .dir = LS_RECV },
		{ .ch = c, .dir = LS_SEND, .elem = &v },
	};

	ls_chan_close(c);
	ls_select(cs, 2, false);
}

TEST(panic_select_send_on_closed_channel)
{
	EXPECT_DEATH_FIRST(select_send_closed, "panic: send on closed channel\n");
}

static struct ls_chan *full;

static void blocked_sender(void *arg)
{
	int v = 2;

	ls_set_name("sender");
	ls_chan_send(full, &v);
	ls_panic("test: the send on a full channel returned");
}

/*
 * A sender parked on a full channel when it is closed wakes up without
 * success and panics; the closer carries on (and would exit 0).
 */
static void close_with_parked_sender(void *arg)
{
	int v = 1;

	full = mk(1);
	ls_chan_send(full, &v);
	go_or_die(blocked_sender, NULL, "sender");
	if (!POLL_UNTIL(ls_chan_waiters(full, LS_SEND) == 1))
		ls_panic("test: the sender never parked");
	ls_chan_close(full);
	/*
	 * The sender's panic ends the process.  Wait without parking, so
	 * that main's own state does not change while the dump is printed.
	 */
	for (;;)
		pause();
}

TEST(panic_parked_sender_on_close)
{
	struct th_result r;

	EXPECT_GO_DEATH(close_with_parked_sender, NULL,
			"panic: send on closed channel\n", &r);
	EXPECT_EQ(0, strncmp(r.err, "panic: send on closed channel\n", 30));
	/* The panicking goroutine is listed first, as running. */
	EXPECT_CONTAINS(r.err, "[running]:\nsender");
	th_result_free(&r);
}

static void blocked_select_sender(void *arg)
{
	int v = 2;
	struct ls_case cs[2] = {
		{ .ch = full, .dir = LS_SEND, .elem = &v },
		{ .ch = NULL, .dir = LS_RECV },
	};

	ls_select(cs, 2, true);
	ls_panic("test: the select returned");
}

static void close_with_parked_select(void *arg)
{
	int v = 1;

	full = mk(1);
	ls_chan_send(full, &v);
	go_or_die(blocked_select_sender, NULL, "selector");
	if (!POLL_UNTIL(ls_chan_waiters(full, LS_SEND) == 1))
		ls_panic("test: the select never parked");
	ls_chan_close(full);
	for (;;)
		pause();
}

TEST(panic_parked_select_sender_on_close)
{
	struct th_result r;

	EXPECT_GO_DEATH(close_with_parked_select, NULL,
			"panic: send on closed channel\n", &r);
	EXPECT_CONTAINS(r.err, "[running]:\nselector");
	th_result_free(&r);
}

/* ---- deadlocks ---- */

static void nil_send(void *arg)
{
	int v = 1;

	ls_chan_send(NULL, &v);
}

TEST(deadlock_nil_send)
{
	struct th_result r;

	EXPECT_GO_DEATH(nil_send, NULL, ALL_ASLEEP, &r);
	EXPECT_CONTAINS(r.err, "goroutine 1 [chan send (nil chan)]:\nmain");
	th_result_free(&r);
}

static void nil_recv(void *arg)
{
	ls_chan_recv(NULL, NULL);
}

TEST(deadlock_nil_recv)
{
	struct th_result r;

	EXPECT_GO_DEATH(nil_recv, NULL, ALL_ASLEEP, &r);
	EXPECT_CONTAINS(r.err, "goroutine 1 [chan receive (nil chan)]:\nmain");
	th_result_free(&r);
}

static void select_no_cases(void *arg)
{
	ls_select(NULL, 0, true);
}

TEST(deadlock_select_no_cases)
{
	struct th_result r;

	EXPECT_GO_DEATH(select_no_cases, NULL, ALL_ASLEEP, &r);
	EXPECT_CONTAINS(r.err, "goroutine 1 [select (no cases)]:\nmain");
	th_result_free(&r);
}

static void select_nil_cases(void *arg)
{
	struct ls_case cs[2] = {
		{ .ch = NULL, .dir = LS_RECV },
		{ .ch = NULL, .dir = LS_SEND },
	};

	ls_select(cs, 2, true);
}

TEST(deadlock_select_only_nil_channels)
{
	struct th_result r;

	EXPECT_GO_DEATH(select_nil_cases, NULL, ALL_ASLEEP, &r);
	EXPECT_CONTAINS(r.err, "goroutine 1 [select]:\nmain");
	th_result_free(&r);
}

static struct ls_chan *unbuf;

static void lonely_receiver(void *arg)
{
	ls_chan_recv(unbuf, NULL);
}

/* Main sends on one channel, a goroutine receives on another: neither proceeds. */
static void send_recv_mismatch(void *arg)
{
	struct ls_chan *other = ls_chan_make(sizeof(int), 0, "other");
	int v = 1;

	unbuf = ls_chan_make(sizeof(int), 0, "unbuf");
	go_or_die(lonely_receiver, NULL, "receiver");
	if (!POLL_UNTIL(ls_chan_waiters(unbuf, LS_RECV) == 1))
		ls_panic("test: the receiver never parked");
	ls_chan_send(other, &v);
}

TEST(deadlock_chan_send_and_receive)
{
	struct th_result r;

	EXPECT_GO_DEATH(send_recv_mismatch, NULL, ALL_ASLEEP, &r);
	EXPECT_WAIT_LINE(&r, "chan send", "main: waiting on chan \"other\"");
	EXPECT_WAIT_LINE(&r, "chan receive", "receiver: waiting on chan \"unbuf\"");
	th_result_free(&r);
}

static void select_forever(void *arg)
{
	struct ls_chan *a = mk(0), *b = mk(0);
	int v = 0;
	struct ls_case cs[2] = {
		{ .ch = a, .dir = LS_RECV },
		{ .ch = b, .dir = LS_SEND, .elem = &v },
	};

	ls_select(cs, 2, true);
}

TEST(deadlock_select)
{
	struct th_result r;

	EXPECT_GO_DEATH(select_forever, NULL, ALL_ASLEEP, &r);
	EXPECT_CONTAINS(r.err, "goroutine 1 [select]:\nmain");
	th_result_free(&r);
}

/*
 * A timer channel fires into its buffer while main waits on another
 * channel: once the timer is gone nothing can wake main.  The check runs
 * when the timer thread drops the pending count, and the timer thread,
 * which is not a goroutine, does not appear in the dump.
 */
static void deadlock_after_timer_fired(void *arg)
{
	struct ls_chan *t = ls_after(5 * LS_MSEC);
	struct ls_chan *never = ls_chan_make(sizeof(int), 0, "never");

	(void)t;
	ls_chan_recv(never, NULL);
}

TEST_TIMEOUT(deadlock_once_timer_fired, 10)
{
	struct th_result r;

	EXPECT_GO_DEATH(deadlock_after_timer_fired, NULL, ALL_ASLEEP, &r);
	EXPECT_CONTAINS(r.err, "goroutine 1 [chan receive]:\nmain: waiting on chan \"never\"");
	/* Exactly one goroutine in the dump: main. */
	const char *g1 = strstr(r.err, "goroutine 1 [");

	EXPECT_NOT_NULL(g1);
	EXPECT_NULL(g1 ? strstr(g1 + 1, "goroutine ") : NULL);
	th_result_free(&r);
}

/*
 * A stopped timer no longer counts: freeing an unfired ls_after channel
 * (10 s away) and then blocking is a deadlock seen at once, not in 10 s.
 */
static void deadlock_after_timer_stopped(void *arg)
{
	struct ls_chan *t = ls_after(10 * LS_SEC);

	ls_chan_free(t);
	ls_chan_recv(mk(0), NULL);
}

TEST_TIMEOUT(deadlock_once_timer_stopped, 10)
{
	struct th_result r;

	ASSERT_EQ(0, th_run_fn(deadlock_after_timer_stopped, NULL, 5, &r));
	EXPECT_FALSE(r.timed_out);
	EXPECT_EQ(2, r.status);
	EXPECT_CONTAINS(r.err, ALL_ASLEEP);
	th_result_free(&r);
}

TEST_HARNESS_MAIN
