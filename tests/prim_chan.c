// SPDX-License-Identifier: MIT
/*
 * prim_chan.c - channels: Go's behavioural tests (runtime/chan_test.go:
 * TestChan, TestNonblockRecvRace, TestMultiConsumer), the ring buffer seen
 * through len/cap and ls_chan_waiters, direct handoff, close, element sizes,
 * and ls_after (time.After) with the runtime timer behind it.
 *
 * Where Go sleeps a millisecond "to make sure" a goroutine is blocked, we
 * wait until ls_chan_waiters shows it queued on the channel: the interleaving
 * is forced, not hoped for.  Checks that something did *not* happen (a
 * receive on an empty channel) are made once the goroutine is queued, so
 * they cannot pass or fail by luck.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>

#include "harness.h"
#include "prim_util.h"

/* Wait until every goroutine counted by *done has finished (or fail). */
#define WAIT_DONE(done, n)	ASSERT_TRUE(POLL_UNTIL(LD(done) == (n)))

/* ---- TestChan ---- */

struct ctest {
	struct ls_chan	*c;
	int		done;		/* goroutines finished */
	int		flag;		/* something happened */
	int		bad;		/* a goroutine saw a wrong value */
	int		*counts;	/* values seen, for the P x L part */
	int		loops;
};

static void recv_one(void *p)
{
	struct ctest *t = p;
	int v;

	ls_chan_recv(t->c, &v);
	ST(&t->flag, 1);
	INC(&t->done);
}

static void send_zero(void *p)
{
	struct ctest *t = p;
	int v = 0;

	ls_chan_send(t->c, &v);
	ST(&t->flag, 1);
	INC(&t->done);
}

static void recv_expect_closed(void *p)
{
	struct ctest *t = p;
	int v = 42;
	bool ok = ls_chan_recv(t->c, &v);

	if (ok || v != 0)
		INC(&t->bad);
	INC(&t->done);
}

static void send_0_to_loops(void *p)
{
	struct ctest *t = p;

	for (int i = 0; i < t->loops; i++)
		ls_chan_send(t->c, &i);
	INC(&t->done);
}

static void recv_count(void *p)
{
	struct ctest *t = p;
	int v;

	for (int i = 0; i < t->loops; i++) {
		if (!ls_chan_recv(t->c, &v) || v < 0 || v >= t->loops)
			INC(&t->bad);
		else
			INC(&t->counts[v]);
	}
	INC(&t->done);
}

static struct ls_chan *make_int_chan(size_t cap)
{
	struct ls_chan *c = ls_chan_make(sizeof(int), cap, "c");

	if (!c)
		ls_panic("test: ls_chan_make failed");
	return c;
}

/* Receive from an empty channel blocks; a non-blocking receive does not. */
static void chan_recv_blocks(size_t cap)
{
	struct ctest t = { .c = make_int_chan(cap) };
	struct ls_case cs = { .ch = t.c, .dir = LS_RECV };
	int v = 0;
	bool ok;

	go_or_die(recv_one, &t, "recv1");
	go_or_die(recv_one, &t, "recv2");
	ASSERT_TRUE(POLL_UNTIL(ls_chan_waiters(t.c, LS_RECV) == 2));
	ASSERT_EQ(0, LD(&t.flag));
	EXPECT_FALSE(ls_chan_tryrecv(t.c, &v, &ok));
	EXPECT_EQ(-1, ls_select(&cs, 1, false));
	ls_chan_send(t.c, &v);
	ls_chan_send(t.c, &v);
	WAIT_DONE(&t.done, 2);
	EXPECT_EQ(0, ls_chan_len(t.c));
	ls_chan_free(t.c);
}

/* Send to a full channel blocks; a non-blocking send does not. */
static void chan_send_blocks(size_t cap)
{
	struct ctest t = { .c = make_int_chan(cap) };
	int v = 7;
	struct ls_case cs = { .ch = t.c, .dir = LS_SEND, .elem = &v };

	for (int i = 0; i < (int)cap; i++)
		ls_chan_send(t.c, &i);
	go_or_die(send_zero, &t, "sender");
	ASSERT_TRUE(POLL_UNTIL(ls_chan_waiters(t.c, LS_SEND) == 1));
	ASSERT_EQ(0, LD(&t.flag));
	EXPECT_FALSE(ls_chan_trysend(t.c, &v));
	EXPECT_EQ(-1, ls_select(&cs, 1, false));
	EXPECT_TRUE(ls_chan_recv(t.c, &v));
	EXPECT_EQ(0, v);	/* the oldest value: 0 from the buffer or the sender */
	WAIT_DONE(&t.done, 1);
	/* The parked sender's value went into the freed slot, at the back. */
	EXPECT_EQ(cap, ls_chan_len(t.c));
	for (int i = 1; i < (int)cap; i++) {
		EXPECT_TRUE(ls_chan_recv(t.c, &v));
		EXPECT_EQ(i, v);
	}
	if (cap) {
		EXPECT_TRUE(ls_chan_recv(t.c, &v));
		EXPECT_EQ(0, v);
	}
	ls_chan_free(t.c);
}

/* A closed channel delivers its buffered values, then zero and !ok. */
static void chan_closed_drains(size_t cap)
{
	struct ls_chan *c = make_int_chan(cap);
	int v;
	bool ok;

	for (int i = 0; i < (int)cap; i++)
		ls_chan_send(c, &i);
	ls_chan_close(c);
	for (int i = 0; i < (int)cap; i++) {
		v = -1;
		EXPECT_TRUE(ls_chan_recv(c, &v));
		EXPECT_EQ(i, v);
	}
	v = 42;
	EXPECT_FALSE(ls_chan_recv(c, &v));
	EXPECT_EQ(0, v);
	v = 42;
	EXPECT_TRUE(ls_chan_tryrecv(c, &v, &ok));
	EXPECT_FALSE(ok);
	EXPECT_EQ(0, v);
	ls_chan_free(c);
}

/* Close wakes a parked receiver with the zero value and !ok. */
static void chan_close_unblocks(size_t cap)
{
	struct ctest t = { .c = make_int_chan(cap) };

	go_or_die(recv_expect_closed, &t, "receiver");
	ASSERT_TRUE(POLL_UNTIL(ls_chan_waiters(t.c, LS_RECV) == 1));
	ls_chan_close(t.c);
	WAIT_DONE(&t.done, 1);
	EXPECT_EQ(0, LD(&t.bad));
	EXPECT_EQ(0, ls_chan_waiters(t.c, LS_RECV));
	ls_chan_free(t.c);
}

/* 100 values in FIFO order; then 4 senders x 1000 values, each seen 4 times. */
static void chan_fifo_and_fanin(size_t cap)
{
	enum { P = 4, L = 1000 };
	int counts[L] = { 0 };
	struct ctest t = { .c = make_int_chan(cap), .loops = 100, .counts = counts };
	int v;

	for (int round = 0; round < 2; round++) {
		go_or_die(send_0_to_loops, &t, "sender");
		for (int i = 0; i < 100; i++) {
			v = -1;
			ASSERT_TRUE(ls_chan_recv(t.c, &v));
			ASSERT_EQ(i, v);
		}
		WAIT_DONE(&t.done, round + 1);
	}

	t.done = 0;
	t.loops = L;
	for (int p = 0; p < P; p++) {
		go_or_die(send_0_to_loops, &t, "sender");
		go_or_die(recv_count, &t, "receiver");
	}
	WAIT_DONE(&t.done, 2 * P);
	EXPECT_EQ(0, LD(&t.bad));
	for (int i = 0; i < L; i++)
		if (LD(&counts[i]) != P) {
			TH_LOG("cap %zu: value %d received %d times", cap, i, counts[i]);
			EXPECT_EQ(P, LD(&counts[i]));
			break;
		}
	ls_chan_free(t.c);
}

static void chan_len_cap(size_t cap)
{
	struct ls_chan *c = make_int_chan(cap);

	EXPECT_EQ(0, ls_chan_len(c));
	EXPECT_EQ(cap, ls_chan_cap(c));
	for (int i = 0; i < (int)cap; i++)
		ls_chan_send(c, &i);
	EXPECT_EQ(cap, ls_chan_len(c));
	EXPECT_EQ(cap, ls_chan_cap(c));
	ls_chan_free(c);
}

/* Go runs capacities 0..199; we run 0..19 and two larger ones. */
TEST_TIMEOUT(chan, 120)
{
	static const size_t caps[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
				       12, 13, 14, 15, 16, 17, 18, 19, 100, 199 };

	for (size_t k = 0; k < sizeof(caps) / sizeof(caps[0]); k++) {
		chan_recv_blocks(caps[k]);
		chan_send_blocks(caps[k]);
		chan_closed_drains(caps[k]);
		chan_close_unblocks(caps[k]);
		chan_fifo_and_fanin(caps[k]);
		chan_len_cap(caps[k]);
		if (_metadata->res->failed) {
			TH_LOG("failed at capacity %zu", caps[k]);
			break;
		}
	}
}

/* ---- TestNonblockRecvRace ---- */

struct nbrace {
	struct ls_chan	*c;
	bool		use_select;
	int		*bad;
	int		*done;
};

static void nonblock_recv(void *p)
{
	struct nbrace *r = p;
	int v;
	bool ok;

	if (r->use_select) {
		struct ls_case cs = { .ch = r->c, .dir = LS_RECV, .elem = &v };

		if (ls_select(&cs, 1, false) == -1)
			INC(r->bad);
	} else if (!ls_chan_tryrecv(r->c, &v, &ok)) {
		INC(r->bad);
	}
	INC(r->done);
}

/*
 * After `c <- 1; close(c)` a racing non-blocking receive must never take
 * the default: the channel is never empty-and-open from its point of view.
 */
TEST(nonblock_recv_race)
{
	enum { N = 1000 };
	static struct nbrace rs[N];
	int bad = 0, done = 0, one = 1;

	for (int i = 0; i < N; i++) {
		rs[i] = (struct nbrace){ .c = make_int_chan(1), .use_select = i & 1,
					 .bad = &bad, .done = &done };
		ls_chan_send(rs[i].c, &one);
		go_or_die(nonblock_recv, &rs[i], "nbrecv");
		ls_chan_close(rs[i].c);
		ls_chan_recv(rs[i].c, NULL);
		if (LD(&bad))
			break;
	}
	WAIT_DONE(&done, N);
	EXPECT_EQ(0, LD(&bad));
	for (int i = 0; i < N; i++)
		ls_chan_free(rs[i].c);
}

/* ---- TestMultiConsumer ---- */

struct multi {
	struct ls_chan	*q, *r;
	int		workers_left;
	int64_t		expect;
	int		niter;
	int		done;
};

static const int pn[] = { 2, 3, 7, 11, 13, 17, 19, 23, 27, 31 };
#define NPN ((int)(sizeof(pn) / sizeof(pn[0])))

struct worker {
	struct multi	*m;
	int		w;
};

static void mc_worker(void *p)
{
	struct worker *wk = p;
	struct multi *m = wk->m;
	int v;

	while (ls_chan_recv(m->q, &v)) {
		if (pn[wk->w % NPN] == v)
			ls_gosched();	/* mess with the FIFO-ish hand-out */
		ls_chan_send(m->r, &v);
	}
	/* The last worker out closes the results (Go: wg.Wait; close(r)). */
	if (DEC(&m->workers_left) == 0)
		ls_chan_close(m->r);
	INC(&m->done);
}

static void mc_feeder(void *p)
{
	struct multi *m = p;

	for (int i = 0; i < m->niter; i++) {
		int v = pn[i % NPN];

		m->expect += v;
		ls_chan_send(m->q, &v);
	}
	ls_chan_close(m->q);
	INC(&m->done);
}

/* Go uses 271828 items; a tenth keeps the suite quick under sanitizers. */
TEST_TIMEOUT(multi_consumer, 120)
{
	enum { NWORK = 23, NITER = 27183 };
	struct worker wk[NWORK];
	struct multi m = { .q = make_int_chan(NWORK * 3), .r = make_int_chan(NWORK * 3),
			   .workers_left = NWORK, .niter = NITER };
	int64_t sum = 0;
	int n = 0, v;

	for (int i = 0; i < NWORK; i++) {
		wk[i] = (struct worker){ .m = &m, .w = i };
		go_or_die(mc_worker, &wk[i], "worker");
	}
	go_or_die(mc_feeder, &m, "feeder");
	while (ls_chan_recv(m.r, &v)) {
		n++;
		sum += v;
	}
	WAIT_DONE(&m.done, NWORK + 1);
	EXPECT_EQ(NITER, n);
	EXPECT_EQ(m.expect, sum);
	ls_chan_free(m.q);
	ls_chan_free(m.r);
}

/* ---- making channels, element sizes ---- */

TEST(make_rejects_absurd_sizes)
{
	errno = 0;
	EXPECT_NULL(ls_chan_make(1u << 16, 1, "big elem"));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_NULL(ls_chan_make(8, SIZE_MAX / 4, "overflow"));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_NULL(ls_chan_make(1, SIZE_MAX, "too many"));
	EXPECT_EQ(EINVAL, errno);

	struct ls_chan *c = ls_chan_make((1u << 16) - 1, 2, "largest elem");

	ASSERT_NOT_NULL(c);
	ls_chan_free(c);
	/* Zero-sized elements: any capacity is just a counter. */
	c = ls_chan_make(0, SIZE_MAX / 2, "semaphore");
	ASSERT_NOT_NULL(c);
	EXPECT_EQ(SIZE_MAX / 2, ls_chan_cap(c));
	ls_chan_free(c);
}

TEST(zero_size_elements)
{
	struct ls_chan *c = ls_chan_make(0, 3, "struct{}");
	bool ok;

	ASSERT_NOT_NULL(c);
	for (int i = 0; i < 3; i++)
		EXPECT_TRUE(ls_chan_trysend(c, NULL));
	EXPECT_FALSE(ls_chan_trysend(c, NULL));
	EXPECT_EQ(3, ls_chan_len(c));
	EXPECT_TRUE(ls_chan_recv(c, NULL));
	EXPECT_TRUE(ls_chan_tryrecv(c, NULL, &ok));
	EXPECT_TRUE(ok);
	ls_chan_close(c);
	EXPECT_TRUE(ls_chan_recv(c, NULL));	/* the last buffered one */
	EXPECT_FALSE(ls_chan_recv(c, NULL));
	ls_chan_free(c);
}

struct big {
	char	bytes[1000];
};

static void send_big(void *p)
{
	struct ctest *t = p;
	struct big b;

	for (int i = 0; i < 10; i++) {
		memset(b.bytes, 'a' + i, sizeof(b.bytes));
		ls_chan_send(t->c, &b);
	}
	INC(&t->done);
}

/* Elements are copied whole: through the ring and by direct handoff. */
TEST(large_elements)
{
	for (size_t cap = 0; cap <= 3; cap += 3) {
		struct ctest t = { .c = ls_chan_make(sizeof(struct big), cap, "big") };
		struct big b;

		ASSERT_NOT_NULL(t.c);
		go_or_die(send_big, &t, "sender");
		for (int i = 0; i < 10; i++) {
			ASSERT_TRUE(ls_chan_recv(t.c, &b));
			for (size_t k = 0; k < sizeof(b.bytes); k++)
				ASSERT_EQ('a' + i, b.bytes[k]);
		}
		WAIT_DONE(&t.done, 1);
		ls_chan_free(t.c);
	}
}

/* A NULL value sends zeroes; a NULL buffer drops the value. */
TEST(null_value_pointers)
{
	struct ls_chan *c = make_int_chan(2);
	int v = 5;

	ls_chan_send(c, NULL);
	ls_chan_send(c, &v);
	v = 9;
	EXPECT_TRUE(ls_chan_recv(c, &v));
	EXPECT_EQ(0, v);
	EXPECT_TRUE(ls_chan_recv(c, NULL));
	EXPECT_EQ(0, ls_chan_len(c));
	ls_chan_free(c);
}

static void recv_into(void *p)
{
	struct ctest *t = p;
	int v = -1;

	if (!ls_chan_recv(t->c, &v))
		INC(&t->bad);
	ST(&t->flag, v);
	INC(&t->done);
}

/*
 * Direct handoff: a value sent to a buffered channel with a parked receiver
 * goes straight to the receiver; the ring is never used.
 */
TEST(direct_handoff_skips_buffer)
{
	struct ctest t = { .c = make_int_chan(4) };
	int v = 77;

	go_or_die(recv_into, &t, "receiver");
	ASSERT_TRUE(POLL_UNTIL(ls_chan_waiters(t.c, LS_RECV) == 1));
	ls_chan_send(t.c, &v);
	EXPECT_EQ(0, ls_chan_len(t.c));		/* never buffered */
	WAIT_DONE(&t.done, 1);
	EXPECT_EQ(77, LD(&t.flag));
	EXPECT_EQ(0, LD(&t.bad));
	ls_chan_free(t.c);
}

static void send_n(void *p)
{
	struct ctest *t = p;

	for (int i = 0; i < t->loops; i++) {
		int v = 100 + i;

		ls_chan_send(t->c, &v);
	}
	INC(&t->done);
}

/*
 * A full buffer with parked senders: each receive takes the oldest value
 * and the first parked sender's value moves into the freed slot, so the
 * order stays FIFO across the buffer and the queue.
 */
TEST(full_buffer_refilled_by_parked_sender)
{
	struct ctest t = { .c = make_int_chan(2), .loops = 1 };
	int v;

	for (int i = 0; i < 2; i++)
		ls_chan_send(t.c, &i);
	go_or_die(send_n, &t, "sender1");
	ASSERT_TRUE(POLL_UNTIL(ls_chan_waiters(t.c, LS_SEND) == 1));
	for (int i = 0; i < 3; i++) {
		ASSERT_TRUE(ls_chan_recv(t.c, &v));
		EXPECT_EQ(i < 2 ? i : 100, v);
		if (i == 0) {
			/* refilled: still full, the sender is done */
			EXPECT_EQ(2, ls_chan_len(t.c));
			WAIT_DONE(&t.done, 1);
		}
	}
	EXPECT_EQ(0, ls_chan_len(t.c));
	ls_chan_free(t.c);
}

/* Close wakes every parked receiver, and a later receive does not block. */
TEST(close_wakes_all_receivers)
{
	enum { N = 5 };
	struct ctest t = { .c = make_int_chan(0) };

	for (int i = 0; i < N; i++)
		go_or_die(recv_expect_closed, &t, "receiver");
	ASSERT_TRUE(POLL_UNTIL(ls_chan_waiters(t.c, LS_RECV) == N));
	ls_chan_close(t.c);
	WAIT_DONE(&t.done, N);
	EXPECT_EQ(0, LD(&t.bad));
	EXPECT_FALSE(ls_chan_recv(t.c, NULL));
	ls_chan_free(t.c);
}

TEST(nil_channel_nonblocking)
{
	int v = 3;
	bool ok = true;

	EXPECT_FALSE(ls_chan_trysend(NULL, &v));
	EXPECT_FALSE(ls_chan_tryrecv(NULL, &v, &ok));
	EXPECT_EQ(0, ls_chan_len(NULL));
	EXPECT_EQ(0, ls_chan_cap(NULL));
	EXPECT_EQ(0, ls_chan_waiters(NULL, LS_RECV));
	ls_chan_free(NULL);
}

/* ---- ls_after ---- */

/* Only main, waiting for the timer: a pending timer is not a deadlock. */
TEST(after_fires)
{
	int64_t t0 = ls_now(), at = 0;
	struct ls_chan *c = ls_after(20 * LS_MSEC);

	ASSERT_NOT_NULL(c);
	EXPECT_EQ(1, ls_chan_cap(c));
	ASSERT_TRUE(ls_chan_recv(c, &at));
	EXPECT_LE(t0 + 20 * LS_MSEC, at);
	EXPECT_GE(ls_now(), at);
	ls_chan_free(c);
}

TEST(after_zero_and_negative)
{
	struct ls_chan *c = ls_after(0), *d = ls_after(-5);
	int64_t at;

	ASSERT_NOT_NULL(c);
	ASSERT_NOT_NULL(d);
	EXPECT_TRUE(ls_chan_recv(c, &at));
	EXPECT_TRUE(ls_chan_recv(d, &at));
	ls_chan_free(c);
	ls_chan_free(d);
}

struct afterwait {
	struct ls_chan	*timer, *done;
};

static void wait_timer_then_report(void *p)
{
	struct afterwait *a = p;
	int64_t at = 0;

	if (!ls_chan_recv(a->timer, &at))
		ls_panic("timer channel closed");
	ls_chan_send(a->done, &at);
}

/*
 * Main waits for a goroutine that waits for the timer: for 30 ms every
 * goroutine is parked and only the timer is pending.  Go's checkdead stays
 * quiet when timers exist, and so must we.
 */
TEST(after_wait_is_not_a_deadlock)
{
	struct afterwait a = { .timer = ls_after(30 * LS_MSEC),
			       .done = ls_chan_make(sizeof(int64_t), 0, "done") };
	int64_t at = 0;

	ASSERT_NOT_NULL(a.timer);
	ASSERT_NOT_NULL(a.done);
	go_or_die(wait_timer_then_report, &a, "waiter");
	ASSERT_TRUE(ls_chan_recv(a.done, &at));
	EXPECT_NE(0, at);
	ASSERT_TRUE(POLL_UNTIL(ls_num_goroutine() == 1));
	ls_chan_free(a.timer);
	ls_chan_free(a.done);
}

/* The timeout pattern: select on a channel and ls_after. */
TEST(after_as_select_timeout)
{
	struct ls_chan *c = make_int_chan(0), *timeout = ls_after(10 * LS_MSEC);
	int v;
	int64_t at;
	struct ls_case cs[2] = {
		{ .ch = c, .dir = LS_RECV, .elem = &v },
		{ .ch = timeout, .dir = LS_RECV, .elem = &at },
	};

	ASSERT_NOT_NULL(timeout);
	EXPECT_EQ(1, ls_select(cs, 2, true));
	EXPECT_TRUE(cs[1].ok);
	ls_chan_free(timeout);
	ls_chan_free(c);
}

/* Freeing a timer channel before it fires stops the timer (no use after free). */
TEST(after_free_before_fire)
{
	for (int i = 0; i < 100; i++) {
		struct ls_chan *c = ls_after(i % 2 ? 0 : 50 * LS_MSEC);

		ASSERT_NOT_NULL(c);
		ls_chan_free(c);
	}
}

/*
 * Timers do not leak threads: the first timer starts the timer thread, the
 * next 199 start nothing.  (Counted from the first timer on, so that a
 * sanitizer's own background thread does not count.)
 */
TEST(after_one_timer_thread)
{
	enum { N = 200 };
	struct ls_chan *cs[N];
	int before;

	cs[0] = ls_after(10 * LS_SEC);
	ASSERT_NOT_NULL(cs[0]);
	before = count_threads();
	ASSERT_LT(0, before);
	for (int i = 1; i < N; i++) {
		cs[i] = ls_after(10 * LS_SEC + i);
		ASSERT_NOT_NULL(cs[i]);
	}
	EXPECT_EQ(before, count_threads());
	for (int i = 0; i < N; i++)
		ls_chan_free(cs[i]);
}

/* Timers fire in deadline order, whatever the order they were armed in. */
TEST(after_fires_in_deadline_order)
{
	enum { N = 6 };
	static const int ms[N] = { 60, 10, 50, 20, 40, 30 };
	struct ls_chan *cs[N];
	int64_t at[N];

	for (int i = 0; i < N; i++) {
		cs[i] = ls_after(ms[i] * LS_MSEC);
		ASSERT_NOT_NULL(cs[i]);
	}
	for (int i = 0; i < N; i++)
		ASSERT_TRUE(ls_chan_recv(cs[i], &at[i]));
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++)
			if (ms[i] < ms[j])
				EXPECT_LE(at[i], at[j]);
	for (int i = 0; i < N; i++)
		ls_chan_free(cs[i]);
}

TEST_HARNESS_MAIN
