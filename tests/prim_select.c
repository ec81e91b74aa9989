// SPDX-License-Identifier: MIT
/*
 * prim_select.c - select: Go's behavioural tests (runtime/chan_test.go:
 * TestNonblockSelectRace and Race2, TestSelfSelect, TestSelectStress,
 * TestSelectFairness, TestPseudoRandomSend, TestSelectDuplicateChannel) and
 * the cases of selectgo: default, nil channels, closed channels, wake-up by
 * a sender, a receiver or close, and the losing sudogs leaving their queues.
 *
 * Interleavings are forced with ls_chan_waiters (a select parked on n
 * channels shows one waiter on each), never with sleeps.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "prim_util.h"

#define WAIT_DONE(done, n)	ASSERT_TRUE(POLL_UNTIL(LD(done) == (n)))

static struct ls_chan *mk(size_t cap)
{
	struct ls_chan *c = ls_chan_make(sizeof(int), cap, "c");

	if (!c)
		ls_panic("test: ls_chan_make failed");
	return c;
}

/* ---- TestNonblockSelectRace, Race2 ---- */

struct nbsel {
	struct ls_chan	*c1, *c2, *done;
};

static void select_c1_c2_default(void *p)
{
	struct nbsel *s = p;
	struct ls_case cs[2] = {
		{ .ch = s->c1, .dir = LS_RECV },
		{ .ch = s->c2, .dir = LS_RECV },
	};
	bool fired = ls_select(cs, 2, false) != -1;

	ls_chan_send(s->done, &fired);
}

/*
 * One goroutine makes c1 ready, starts the selector, makes c2 ready (by a
 * send, or by closing it for Race2), then takes c1's value back if it can.
 * From the selector's start one of them is always ready, so a select that
 * sees the channels at one instant never takes the default.
 */
static void nonblock_select_race(bool close_c2)
{
	enum { N = 1000 };
	struct nbsel s = { .done = ls_chan_make(sizeof(bool), 1, "done") };
	int one = 1;

	ASSERT_NOT_NULL(s.done);
	for (int i = 0; i < N; i++) {
		struct ls_case c1case;
		bool fired = false;

		s.c1 = mk(1);
		s.c2 = mk(close_c2 ? 0 : 1);
		c1case = (struct ls_case){ .ch = s.c1, .dir = LS_RECV };
		ls_chan_send(s.c1, &one);
		go_or_die(select_c1_c2_default, &s, "selector");
		if (close_c2)
			ls_chan_close(s.c2);
		else
			ls_chan_send(s.c2, &one);
		ls_select(&c1case, 1, false);
		ASSERT_TRUE(ls_chan_recv(s.done, &fired));
		if (!fired)
			TH_LOG("iteration %d: default taken, no chan was ready", i);
		ASSERT_TRUE(fired);
		/* The selector is done with c1 and c2 once it reported. */
		ls_chan_free(s.c1);
		ls_chan_free(s.c2);
	}
	ASSERT_TRUE(POLL_UNTIL(ls_num_goroutine() == 1));
	ls_chan_free(s.done);
}

TEST(nonblock_select_race)
{
	nonblock_select_race(false);
}

TEST(nonblock_select_race2)
{
	nonblock_select_race(true);
}

/* ---- TestSelfSelect ---- */

struct selfsel {
	struct ls_chan	*c;
	size_t		cap;
	int		p;
	int		*bad, *done;
};

static void self_select(void *arg)
{
	struct selfsel *s = arg;

	for (int i = 0; i < 1000; i++) {
		int v = -1, me = s->p;
		struct ls_case cs[2];
		int r, recv_idx;

		if (s->p == 0 || i % 2 == 0) {
			cs[0] = (struct ls_case){ .ch = s->c, .dir = LS_SEND, .elem = &me };
			cs[1] = (struct ls_case){ .ch = s->c, .dir = LS_RECV, .elem = &v };
			recv_idx = 1;
		} else {
			cs[0] = (struct ls_case){ .ch = s->c, .dir = LS_RECV, .elem = &v };
			cs[1] = (struct ls_case){ .ch = s->c, .dir = LS_SEND, .elem = &me };
			recv_idx = 0;
		}
		r = ls_select(cs, 2, true);
		if (r == recv_idx && s->cap == 0 && v == s->p) {
			INC(s->bad);	/* an unbuffered channel received its own value */
			break;
		}
	}
	INC(s->done);
}

/* Send and receive on the same channel in one select: no crash, no deadlock. */
TEST(self_select)
{
	static const size_t caps[] = { 0, 10 };

	for (int k = 0; k < 2; k++) {
		int bad = 0, done = 0;
		struct ls_chan *c = mk(caps[k]);
		struct selfsel s[2];

		for (int p = 0; p < 2; p++) {
			s[p] = (struct selfsel){ .c = c, .cap = caps[k], .p = p,
						 .bad = &bad, .done = &done };
			go_or_die(self_select, &s[p], "selfselect");
		}
		WAIT_DONE(&done, 2);
		EXPECT_EQ(0, LD(&bad));
		ls_chan_free(c);
	}
}

/* ---- TestSelectStress ---- */

enum { STRESS_N = 10000 };

struct stress {
	struct ls_chan	*c[4];
	int		k;
	int		done;
};

struct stress_arg {
	struct stress	*s;
	int		k;
};

static void stress_send(void *p)
{
	struct stress_arg *a = p;
	int zero = 0;

	for (int i = 0; i < STRESS_N; i++)
		ls_chan_send(a->s->c[a->k], &zero);
	INC(&a->s->done);
}

static void stress_recv(void *p)
{
	struct stress_arg *a = p;

	for (int i = 0; i < STRESS_N; i++)
		ls_chan_recv(a->s->c[a->k], NULL);
	INC(&a->s->done);
}

/* One select sends on (or receives from) all four, dropping each when done. */
static void stress_select(struct stress *s, enum ls_dir dir)
{
	static const int order[2][4] = { { 3, 2, 0, 1 }, { 0, 1, 2, 3 } };
	struct ls_case cs[4];
	int n[4] = { 0 }, zero = 0;

	for (int j = 0; j < 4; j++) {
		int k = order[dir][j];

		cs[j] = (struct ls_case){ .ch = s->c[k], .dir = dir,
					  .elem = dir == LS_SEND ? &zero : NULL };
	}
	for (int i = 0; i < 4 * STRESS_N; i++) {
		int j = ls_select(cs, 4, true);

		if (j < 0 || j > 3 || !cs[j].ch)
			ls_panic("select returned a dropped case");
		if (++n[j] == STRESS_N)
			cs[j].ch = NULL;	/* a nil channel: never again */
	}
	INC(&s->done);
}

static void stress_select_send(void *p)
{
	stress_select(p, LS_SEND);
}

static void stress_select_recv(void *p)
{
	stress_select(p, LS_RECV);
}

/*
 * Channels of capacity 0, 0, 2, 3; on each a sender and a receiver of N
 * values, plus one select sending N on each and one receiving N from each,
 * nil-ing the finished cases.  Everything interleaves; nothing deadlocks.
 * Go uses N = 100000; we use 10000.
 */
TEST_TIMEOUT(select_stress, 120)
{
	struct stress s = { 0 };
	struct stress_arg a[4];
	static const size_t caps[4] = { 0, 0, 2, 3 };

	for (int k = 0; k < 4; k++)
		s.c[k] = mk(caps[k]);
	for (int k = 0; k < 4; k++) {
		a[k] = (struct stress_arg){ .s = &s, .k = k };
		go_or_die(stress_send, &a[k], "sender");
		go_or_die(stress_recv, &a[k], "receiver");
	}
	go_or_die(stress_select_send, &s, "select-send");
	go_or_die(stress_select_recv, &s, "select-recv");
	WAIT_DONE(&s.done, 10);
	for (int k = 0; k < 4; k++) {
		EXPECT_EQ(0, ls_chan_len(s.c[k]));
		EXPECT_EQ(0, ls_chan_waiters(s.c[k], LS_SEND));
		EXPECT_EQ(0, ls_chan_waiters(s.c[k], LS_RECV));
		ls_chan_free(s.c[k]);
	}
}

/* ---- TestSelectFairness ---- */

enum { TRIALS = 10000 };

struct fair {
	struct ls_chan	*c1, *c2, *c3, *c4, *out, *done;
	int		finished;
};

static void fair_picker(void *p)
{
	struct fair *f = p;

	for (;;) {
		unsigned char b = 0;
		struct ls_case pick[4] = {
			{ .ch = f->c3, .dir = LS_RECV, .elem = &b },
			{ .ch = f->c4, .dir = LS_RECV, .elem = &b },
			{ .ch = f->c1, .dir = LS_RECV, .elem = &b },
			{ .ch = f->c2, .dir = LS_RECV, .elem = &b },
		};
		struct ls_case fwd[2] = {
			{ .ch = f->out, .dir = LS_SEND, .elem = &b },
			{ .ch = f->done, .dir = LS_RECV },
		};

		ls_select(pick, 4, true);
		if (ls_select(fwd, 2, true) == 1)
			break;
	}
	INC(&f->finished);
}

/*
 * Two channels always ready, two never: over 10000 selects each ready one
 * must win about half the time.  Go allows 4.89 / (2 sqrt(10000)) = 2.4%;
 * we allow 500 (10 standard deviations).
 */
TEST(select_fairness)
{
	struct fair f;
	int cnt1 = 0, cnt2 = 0;
	unsigned char one = 1, two = 2, b;

	f.c1 = ls_chan_make(1, TRIALS + 1, "c1");
	f.c2 = ls_chan_make(1, TRIALS + 1, "c2");
	f.c3 = ls_chan_make(1, 0, "c3");
	f.c4 = ls_chan_make(1, 0, "c4");
	f.out = ls_chan_make(1, 0, "out");
	f.done = ls_chan_make(0, 0, "done");
	f.finished = 0;
	ASSERT_TRUE(f.c1 && f.c2 && f.c3 && f.c4 && f.out && f.done);
	for (int i = 0; i < TRIALS + 1; i++) {
		ls_chan_send(f.c1, &one);
		ls_chan_send(f.c2, &two);
	}
	go_or_die(fair_picker, &f, "picker");
	for (int i = 0; i < TRIALS; i++) {
		ASSERT_TRUE(ls_chan_recv(f.out, &b));
		if (b == 1)
			cnt1++;
		else if (b == 2)
			cnt2++;
		else
			ASSERT_EQ(1, b);
	}
	TH_LOG("cnt1 %d cnt2 %d", cnt1, cnt2);
	EXPECT_LE(abs(cnt1 - TRIALS / 2), 500);
	ls_chan_close(f.done);
	WAIT_DONE(&f.finished, 1);
	ls_chan_free(f.c1);
	ls_chan_free(f.c2);
	ls_chan_free(f.c3);
	ls_chan_free(f.c4);
	ls_chan_free(f.out);
	ls_chan_free(f.done);
}

/* ---- TestPseudoRandomSend ---- */

struct prs {
	struct ls_chan	*c;
	int		l[100];
	int		done;
};

static void prs_reader(void *p)
{
	struct prs *r = p;

	for (int i = 0; i < 100; i++) {
		ls_gosched();
		ls_chan_recv(r->c, &r->l[i]);
	}
	INC(&r->done);
}

/* A select choosing between `c <- 1` and `c <- 0` picks both, often. */
TEST(pseudo_random_send)
{
	static const size_t caps[] = { 0, 100 };

	for (int k = 0; k < 2; k++) {
		struct prs r = { .c = mk(caps[k]) };
		int one = 1, zero = 0, n0 = 0, n1 = 0;
		struct ls_case cs[2] = {
			{ .ch = r.c, .dir = LS_SEND, .elem = &one },
			{ .ch = r.c, .dir = LS_SEND, .elem = &zero },
		};

		go_or_die(prs_reader, &r, "reader");
		for (int i = 0; i < 100; i++)
			ls_select(cs, 2, true);
		WAIT_DONE(&r.done, 1);
		for (int i = 0; i < 100; i++) {
			n0 += (r.l[i] + 1) % 2;
			n1 += r.l[i];
		}
		if (n0 <= 10 || n1 <= 10)
			TH_LOG("want pseudo-random, got %d zeros and %d ones (cap %zu)",
			       n0, n1, caps[k]);
		EXPECT_GT(n0, 10);
		EXPECT_GT(n1, 10);
		ls_chan_free(r.c);
	}
}

/* ---- TestSelectDuplicateChannel ---- */

struct dup {
	struct ls_chan	*c, *d, *e;
	int		done;
};

static void dup_a(void *p)
{
	struct dup *t = p;
	int nine = 9;
	struct ls_case cs[3] = {
		{ .ch = t->c, .dir = LS_RECV },
		{ .ch = t->c, .dir = LS_RECV },
		{ .ch = t->d, .dir = LS_RECV },
	};

	if (ls_select(cs, 3, true) != 2)
		ls_panic("A was woken through c");
	ls_chan_send(t->e, &nine);
	INC(&t->done);
}

static void dup_b(void *p)
{
	struct dup *t = p;
	int v = 0;

	ls_chan_recv(t->c, &v);
	if (v != 8)
		ls_panic("B received the wrong value");
	INC(&t->done);
}

/*
 * The same channel twice in one select queues the goroutine twice on it.
 * Waking it through another channel must take both entries off cleanly, or
 * the next send on c would find a stale entry instead of B.
 */
TEST(select_duplicate_channel)
{
	struct dup t = { .c = mk(0), .d = mk(0), .e = mk(0) };
	int v;

	go_or_die(dup_a, &t, "A");
	ASSERT_TRUE(POLL_UNTIL(ls_chan_waiters(t.c, LS_RECV) == 2 &&
			       ls_chan_waiters(t.d, LS_RECV) == 1));
	go_or_die(dup_b, &t, "B");
	ASSERT_TRUE(POLL_UNTIL(ls_chan_waiters(t.c, LS_RECV) == 3));
	v = 7;
	ls_chan_send(t.d, &v);		/* wakes A, which leaves c's queue */
	ASSERT_TRUE(ls_chan_recv(t.e, &v));
	EXPECT_EQ(9, v);
	EXPECT_EQ(1, ls_chan_waiters(t.c, LS_RECV));
	v = 8;
	ls_chan_send(t.c, &v);		/* must reach B */
	WAIT_DONE(&t.done, 2);
	ls_chan_free(t.c);
	ls_chan_free(t.d);
	ls_chan_free(t.e);
}

/* ---- the cases of selectgo ---- */

TEST(select_default_and_empty)
{
	struct ls_chan *c = mk(0);
	struct ls_case cs[2] = {
		{ .ch = c, .dir = LS_RECV },
		{ .ch = c, .dir = LS_SEND },
	};

	EXPECT_EQ(-1, ls_select(NULL, 0, false));	/* select { default: } */
	EXPECT_EQ(-1, ls_select(cs, 2, false));
	cs[0].ch = cs[1].ch = NULL;
	EXPECT_EQ(-1, ls_select(cs, 2, false));		/* nil channels never fire */
	ls_chan_free(c);
}

TEST(select_ready_buffered)
{
	struct ls_chan *a = mk(1), *b = mk(1);
	int v = 5, got = 0;
	struct ls_case cs[3] = {
		{ .ch = NULL, .dir = LS_RECV, .elem = &got },
		{ .ch = a, .dir = LS_RECV, .elem = &got },
		{ .ch = b, .dir = LS_SEND, .elem = &v },
	};

	/* Only the send can proceed. */
	EXPECT_EQ(2, ls_select(cs, 3, false));
	EXPECT_EQ(1, ls_chan_len(b));
	/* Now b is full and a empty: nothing. */
	EXPECT_EQ(-1, ls_select(cs, 3, false));
	ls_chan_send(a, &v);
	EXPECT_EQ(1, ls_select(cs, 3, true));
	EXPECT_TRUE(cs[1].ok);
	EXPECT_EQ(5, got);
	ls_chan_free(a);
	ls_chan_free(b);
}

TEST(select_recv_closed)
{
	struct ls_chan *c = mk(2);
	int v = 3, got = -1;
	struct ls_case cs[2] = {
		{ .ch = NULL, .dir = LS_SEND, .elem = &v },
		{ .ch = c, .dir = LS_RECV, .elem = &got },
	};

	ls_chan_send(c, &v);
	ls_chan_close(c);
	EXPECT_EQ(1, ls_select(cs, 2, true));	/* buffered value first */
	EXPECT_TRUE(cs[1].ok);
	EXPECT_EQ(3, got);
	got = -1;
	EXPECT_EQ(1, ls_select(cs, 2, false));	/* then zero, !ok; never default */
	EXPECT_FALSE(cs[1].ok);
	EXPECT_EQ(0, got);
	ls_chan_free(c);
}

struct waker {
	struct ls_chan	*a, *b;
	int		idx, got, done;
	bool		ok;
};

static void select_a_b(void *p)
{
	struct waker *w = p;
	struct ls_case cs[2] = {
		{ .ch = w->a, .dir = LS_RECV, .elem = &w->got },
		{ .ch = w->b, .dir = LS_RECV, .elem = &w->got },
	};

	w->got = -1;
	w->idx = ls_select(cs, 2, true);
	w->ok = cs[w->idx].ok;
	INC(&w->done);
}

static void park_on_a_b(struct waker *w)
{
	go_or_die(select_a_b, w, "selector");
	ASSERT_TRUE(POLL_UNTIL(ls_chan_waiters(w->a, LS_RECV) == 1 &&
			       ls_chan_waiters(w->b, LS_RECV) == 1));
}

/* A parked select woken by a sender, by close; the losing case is dequeued. */
TEST(select_parked_wakeups)
{
	struct waker w = { .a = mk(0), .b = mk(3) };
	int v = 11;

	park_on_a_b(&w);
	ls_chan_send(w.b, &v);			/* direct handoff into the select */
	WAIT_DONE(&w.done, 1);
	EXPECT_EQ(1, w.idx);
	EXPECT_TRUE(w.ok);
	EXPECT_EQ(11, w.got);
	EXPECT_EQ(0, ls_chan_len(w.b));
	EXPECT_EQ(0, ls_chan_waiters(w.a, LS_RECV));	/* pass 3 cleaned up */

	park_on_a_b(&w);
	ls_chan_close(w.a);
	WAIT_DONE(&w.done, 2);
	EXPECT_EQ(0, w.idx);
	EXPECT_FALSE(w.ok);
	EXPECT_EQ(0, w.got);
	EXPECT_EQ(0, ls_chan_waiters(w.b, LS_RECV));
	ls_chan_free(w.a);
	ls_chan_free(w.b);
}

struct sendsel {
	struct ls_chan	*a, *b;
	int		idx, done;
};

static void select_send_a_b(void *p)
{
	struct sendsel *s = p;
	int va = 1, vb = 2;
	struct ls_case cs[2] = {
		{ .ch = s->a, .dir = LS_SEND, .elem = &va },
		{ .ch = s->b, .dir = LS_SEND, .elem = &vb },
	};

	s->idx = ls_select(cs, 2, true);
	INC(&s->done);
}

/* A parked sending select, woken by a receiver: plain and select receives. */
TEST(select_parked_send)
{
	struct sendsel s = { .a = mk(0), .b = mk(0) };
	int v = 0;
	struct ls_case rc = { .ch = s.b, .dir = LS_RECV, .elem = &v };

	go_or_die(select_send_a_b, &s, "sender");
	ASSERT_TRUE(POLL_UNTIL(ls_chan_waiters(s.a, LS_SEND) == 1 &&
			       ls_chan_waiters(s.b, LS_SEND) == 1));
	ASSERT_TRUE(ls_chan_recv(s.a, &v));
	WAIT_DONE(&s.done, 1);
	EXPECT_EQ(0, s.idx);
	EXPECT_EQ(1, v);
	EXPECT_EQ(0, ls_chan_waiters(s.b, LS_SEND));

	go_or_die(select_send_a_b, &s, "sender");
	ASSERT_TRUE(POLL_UNTIL(ls_chan_waiters(s.a, LS_SEND) == 1 &&
			       ls_chan_waiters(s.b, LS_SEND) == 1));
	EXPECT_EQ(0, ls_select(&rc, 1, true));	/* select meets select */
	EXPECT_TRUE(rc.ok);
	WAIT_DONE(&s.done, 2);
	EXPECT_EQ(1, s.idx);
	EXPECT_EQ(2, v);
	ls_chan_free(s.a);
	ls_chan_free(s.b);
}

/* More cases than fit on the stack: the allocated path. */
TEST(select_many_cases)
{
	enum { N = 40 };
	struct ls_chan *cs[N];
	struct ls_case cases[N];
	int v = 0, seen[N] = { 0 };

	for (int i = 0; i < N; i++) {
		cs[i] = mk(1);
		ls_chan_send(cs[i], &i);
		cases[i] = (struct ls_case){ .ch = cs[i], .dir = LS_RECV, .elem = &v };
	}
	for (int i = 0; i < N; i++) {
		int r = ls_select(cases, N, false);

		ASSERT_LE(0, r);
		EXPECT_EQ(r, v);
		seen[r]++;
		cases[r].ch = NULL;
	}
	EXPECT_EQ(-1, ls_select(cases, N, false));
	for (int i = 0; i < N; i++) {
		EXPECT_EQ(1, seen[i]);
		ls_chan_free(cs[i]);
	}
}

TEST_HARNESS_MAIN
