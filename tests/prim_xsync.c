// SPDX-License-Identifier: MIT
/*
 * prim_xsync.c - golang.org/x/sync ports and the CyclicBarrier:
 *
 *   semaphore     Go's semaphore_test.go: TestWeighted, TestWeightedPanic,
 *                 TestWeightedTryAcquire, TestWeightedAcquire,
 *                 TestWeightedDoesntBlockIfTooBig, TestLargeAcquireDoesntStarve,
 *                 TestAllocCancelDoesntStarve; plus no barging and "ctx done
 *                 wins over free tokens";
 *   singleflight  singleflight_test.go: TestDo, TestDoErr, TestDoDupSuppress
 *                 (made deterministic: the leader waits until every other
 *                 caller is a duplicate), TestForget, and DoChan;
 *   errgroup      errgroup_test.go: TestZeroGroup, TestWithContext, TestTryGo,
 *                 TestGoLimit, the SetLimit panic, cancel on first error;
 *   barrier       round trips with the action, Reset and ctx breaking it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "harness.h"
#include "prim_util.h"

/* ================= semaphore ================= */

struct hammer {
	struct ls_semaphore *sem;
	struct ls_waitgroup *wg;
	int64_t n, size;
	int loops;
	int64_t *held;
};

static void hammer_weighted(void *p)
{
	struct hammer *h = p;

	for (int i = 0; i < h->loops; i++) {
		int64_t now;

		GO_CHECK(ls_semaphore_acquire(h->sem, NULL, h->n) == 0, "acquire failed");
		now = __atomic_add_fetch(h->held, h->n, __ATOMIC_SEQ_CST);
		GO_CHECK(now <= h->size, "%lld tokens held, size %lld",
			 (long long)now, (long long)h->size);
		if (i % 16 == 0)
			ls_gosched();
		__atomic_sub_fetch(h->held, h->n, __ATOMIC_SEQ_CST);
		ls_semaphore_release(h->sem, h->n);
	}
	ls_waitgroup_done(h->wg);
}

TEST(semaphore_weighted)
{
	const int n = 4, loops = 2000;
	struct ls_semaphore *sem = ls_semaphore_new(n, "sem");
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");
	struct hammer h[4];
	int64_t held = 0;

	ls_waitgroup_add(&wg, n);
	for (int i = 0; i < n; i++) {
		h[i] = (struct hammer){ sem, &wg, i + 1, n, loops, &held };
		go_or_die(hammer_weighted, &h[i], "hammer");
	}
	ls_waitgroup_wait(&wg);
	EXPECT_EQ(0, held);
	/* Everything was given back: all n tokens are free again. */
	EXPECT_TRUE(ls_semaphore_tryacquire(sem, n));
	ls_semaphore_free(sem);
}

static void release_unheld(void *arg)
{
	struct ls_semaphore *sem = ls_semaphore_new(1, "sem");

	ls_semaphore_release(sem, 1);
}

TEST(semaphore_released_more_than_held_panics)
{
	struct th_result r;

	EXPECT_GO_DEATH(release_unheld, NULL, "panic: semaphore: released more than held", &r);
	/* The message is the first line, Go-style. */
	EXPECT_EQ(0, strncmp(r.err ? r.err : "", "panic: semaphore: released more than held\n",
			     strlen("panic: semaphore: released more than held\n")));
	th_result_free(&r);
}

TEST(semaphore_try_acquire)
{
	struct ls_semaphore *sem = ls_semaphore_new(2, "sem");

	ASSERT_EQ(0, ls_semaphore_acquire(sem, NULL, 1));
	EXPECT_TRUE(ls_semaphore_tryacquire(sem, 1));
	EXPECT_FALSE(ls_semaphore_tryacquire(sem, 1));
	ls_semaphore_release(sem, 2);
	EXPECT_TRUE(ls_semaphore_tryacquire(sem, 1));
	ASSERT_EQ(0, ls_semaphore_acquire(sem, NULL, 1));
	EXPECT_FALSE(ls_semaphore_tryacquire(sem, 1));
	ls_semaphore_free(sem);
}

static bool acquire_within(struct ls_semaphore *sem, int64_t n, int64_t ns)
{
	struct ls_ctx *ctx = ls_ctx_with_timeout(ls_ctx_background(), ns);
	int err = ls_semaphore_acquire(sem, ctx, n);

	ls_ctx_release(ctx);
	if (err && err != -ETIMEDOUT)
		ls_panic("acquire: unexpected error");
	return err == 0;
}

TEST(semaphore_acquire)
{
	struct ls_semaphore *sem = ls_semaphore_new(2, "sem");

	/* Go's test uses 10 ms for all four; where success is expected, a
	 * long timeout keeps a loaded machine from turning it into a failure. */
	ASSERT_EQ(0, ls_semaphore_acquire(sem, NULL, 1));
	EXPECT_TRUE(acquire_within(sem, 1, 20 * LS_SEC));
	EXPECT_FALSE(acquire_within(sem, 1, 10 * LS_MSEC));	/* queued, then timed out */
	ls_semaphore_release(sem, 2);
	EXPECT_TRUE(acquire_within(sem, 1, 20 * LS_SEC));
	ASSERT_EQ(0, ls_semaphore_acquire(sem, NULL, 1));
	EXPECT_FALSE(acquire_within(sem, 1, 10 * LS_MSEC));
	EXPECT_EQ(0, ls_semaphore_waiters(sem));	/* the timed-out waiters left */
	ls_semaphore_free(sem);
}

TEST(semaphore_ctx_done_wins_over_free_tokens)
{
	struct ls_semaphore *sem = ls_semaphore_new(5, "sem");
	struct ls_ctx *ctx = ls_ctx_with_cancel(ls_ctx_background());

	ls_ctx_cancel(ctx);
	EXPECT_EQ(-ECANCELED, ls_semaphore_acquire(sem, ctx, 1));
	/* Nothing was taken. */
	EXPECT_TRUE(ls_semaphore_tryacquire(sem, 5));
	ls_ctx_release(ctx);
	ls_semaphore_free(sem);
}

struct too_big {
	struct ls_semaphore *sem;
	struct ls_ctx *ctx;
	int err, done;
};

static void acquire_too_big(void *p)
{
	struct too_big *t = p;

	t->err = ls_semaphore_acquire(t->sem, t->ctx, 3);
	ST(&t->done, 1);
}

struct small_user {
	struct ls_semaphore *sem;
	struct ls_ctx *ctx;
};

static int use_one(void *p)
{
	struct small_user *u = p;
	int err = ls_semaphore_acquire(u->sem, u->ctx, 1);

	if (!err) {
		ls_sleep(LS_MSEC);
		ls_semaphore_release(u->sem, 1);
	}
	return err;
}

TEST(semaphore_doesnt_block_if_too_big)
{
	struct ls_semaphore *sem = ls_semaphore_new(2, "sem");
	struct too_big big = { sem, ls_ctx_with_cancel(ls_ctx_background()) };
	struct ls_ctx *gctx;
	struct ls_errgroup *g = ls_errgroup_new(ls_ctx_background(), &gctx);
	struct small_user u = { sem, gctx };

	go_or_die(acquire_too_big, &big, "too big");
	for (int i = 0; i < 6; i++)
		ls_errgroup_go(g, use_one, &u, "small");
	EXPECT_EQ(0, ls_errgroup_wait(g));
	/* The oversized request never queued: it still waits for its ctx. */
	EXPECT_EQ(0, ls_semaphore_waiters(sem));
	EXPECT_EQ(0, LD(&big.done));
	ls_ctx_cancel(big.ctx);
	ASSERT_TRUE(POLL_UNTIL(LD(&big.done)));
	EXPECT_EQ(-ECANCELED, big.err);
	ls_errgroup_free(g);
	ls_ctx_release(big.ctx);
	ls_semaphore_free(sem);
}

struct starve {
	struct ls_semaphore *sem;
	struct ls_waitgroup *wg;
	int *running;
};

static void small_loop(void *p)
{
	struct starve *s = p;

	while (LD(s->running)) {
		ls_sleep(LS_MSEC);
		ls_semaphore_release(s->sem, 1);
		GO_CHECK(ls_semaphore_acquire(s->sem, NULL, 1) == 0, "acquire(1) failed");
	}
	ls_semaphore_release(s->sem, 1);
	ls_waitgroup_done(s->wg);
}

/* A request for every token is served although small ones keep coming. */
TEST(semaphore_large_acquire_doesnt_starve)
{
	const int n = 4;
	struct ls_semaphore *sem = ls_semaphore_new(n, "sem");
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");
	int running = 1;
	struct starve s = { sem, &wg, &running };

	ls_waitgroup_add(&wg, n);
	for (int i = 0; i < n; i++) {
		ASSERT_EQ(0, ls_semaphore_acquire(sem, NULL, 1));
		go_or_die(small_loop, &s, "small");
	}
	ASSERT_EQ(0, ls_semaphore_acquire(sem, NULL, n));
	ST(&running, 0);
	ls_semaphore_release(sem, n);
	ls_waitgroup_wait(&wg);
	ls_semaphore_free(sem);
}

struct cancel_arg {
	struct ls_semaphore *sem;
	struct ls_ctx *ctx;
	int err, done, cancelled;
};

static void acquire_ten(void *p)
{
	struct cancel_arg *a = p;

	a->err = ls_semaphore_acquire(a->sem, a->ctx, 10);
	ST(&a->done, 1);
}

static void cancel_it(void *p)
{
	struct cancel_arg *a = p;

	ls_ctx_cancel(a->ctx);
	ST(&a->cancelled, 1);
}

/*
 * A waiter at the front that gives up must pass the turn on: the
 * Acquire(1) queued behind the cancelled Acquire(10) fits and is granted.
 */
TEST(semaphore_alloc_cancel_doesnt_starve)
{
	struct ls_semaphore *sem = ls_semaphore_new(10, "sem");
	struct cancel_arg a = { .sem = sem };

	ASSERT_EQ(0, ls_semaphore_acquire(sem, NULL, 1));
	a.ctx = ls_ctx_with_cancel(ls_ctx_background());
	go_or_die(acquire_ten, &a, "acquire 10");
	/* Until Acquire(10) queues, a token can be tried and given back. */
	while (ls_semaphore_tryacquire(sem, 1)) {
		ls_semaphore_release(sem, 1);
		ls_gosched();
	}
	go_or_die(cancel_it, &a, "cancel");
	ASSERT_EQ(0, ls_semaphore_acquire(sem, NULL, 1));
	ls_semaphore_release(sem, 1);
	ASSERT_TRUE(POLL_UNTIL(LD(&a.done) && LD(&a.cancelled)));
	/* Either order is fine; if Acquire(10) won, it gave the tokens back. */
	if (!a.err)
		ls_semaphore_release(sem, 10);
	else
		EXPECT_EQ(-ECANCELED, a.err);
	ls_semaphore_release(sem, 1);
	EXPECT_TRUE(ls_semaphore_tryacquire(sem, 10));
	ls_ctx_release(a.ctx);
	ls_semaphore_free(sem);
}

struct fifo_arg {
	struct ls_semaphore *sem;
	int got;
};

static void acquire_two(void *p)
{
	struct fifo_arg *a = p;

	GO_CHECK(ls_semaphore_acquire(a->sem, NULL, 2) == 0, "acquire(2) failed");
	ST(&a->got, 1);
}

/* With a waiter queued, a request that fits must still not barge past it. */
TEST(semaphore_no_barging)
{
	struct ls_semaphore *sem = ls_semaphore_new(3, "sem");
	struct fifo_arg a = { sem, 0 };

	ASSERT_EQ(0, ls_semaphore_acquire(sem, NULL, 2));
	go_or_die(acquire_two, &a, "acquire 2");
	ASSERT_TRUE(POLL_UNTIL(ls_semaphore_waiters(sem) == 1));
	EXPECT_FALSE(ls_semaphore_tryacquire(sem, 1));	/* 1 token is free */
	EXPECT_EQ(0, LD(&a.got));
	ls_semaphore_release(sem, 2);
	ASSERT_TRUE(POLL_UNTIL(LD(&a.got)));
	EXPECT_TRUE(ls_semaphore_tryacquire(sem, 1));
	ls_semaphore_release(sem, 3);
	ls_semaphore_free(sem);
}

/* ================= singleflight ================= */

static void *ret_bar(void *arg, int *err)
{
	return "bar";
}

TEST(singleflight_do)
{
	struct ls_singleflight g = { 0 };	/* the zero value is ready */
	bool shared = true;
	int err = -1;
	void *v = ls_singleflight_do(&g, "key", ret_bar, NULL, &err, &shared);

	EXPECT_STREQ("bar", (char *)v);
	EXPECT_EQ(0, err);
	EXPECT_FALSE(shared);
	EXPECT_NULL(g.m);	/* an idle group holds no map */
}

static void *fail_eio(void *arg, int *err)
{
	*err = -EIO;
	return NULL;
}

TEST(singleflight_do_err)
{
	struct ls_singleflight g = LS_SINGLEFLIGHT_INIT("g");
	int err = 0;
	void *v = ls_singleflight_do(&g, "key", fail_eio, NULL, &err, NULL);

	EXPECT_EQ(-EIO, err);
	EXPECT_NULL(v);
}

struct dup {
	struct ls_singleflight g;
	int n, calls, done;
	int bad;
};

static void *dup_fn(void *arg, int *err)
{
	struct dup *d = arg;

	INC(&d->calls);
	/* Stay in flight until everybody else has joined as a duplicate. */
	GO_CHECK(POLL_UNTIL(ls_singleflight_dups(&d->g, "key") == d->n - 1),
		 "duplicates never arrived: %d", ls_singleflight_dups(&d->g, "key"));
	return "bar";
}

static void dup_caller(void *p)
{
	struct dup *d = p;
	bool shared = false;
	int err = -1;
	void *v = ls_singleflight_do(&d->g, "key", dup_fn, d, &err, &shared);

	if (!v || strcmp(v, "bar") || err || !shared)
		INC(&d->bad);
	INC(&d->done);
}

TEST(singleflight_do_dup_suppress)
{
	static struct dup d = { .g = LS_SINGLEFLIGHT_INIT("g"), .n = 10 };

	for (int i = 0; i < d.n; i++)
		go_or_die(dup_caller, &d, "caller");
	ASSERT_TRUE(POLL_UNTIL(LD(&d.done) == d.n));
	EXPECT_EQ(1, LD(&d.calls));
	EXPECT_EQ(0, LD(&d.bad));
	EXPECT_EQ(-1, ls_singleflight_dups(&d.g, "key"));
}

struct forget {
	struct ls_singleflight g;
	struct ls_chan *first_started, *unblock_first, *first_finished;
	struct ls_chan *unblock_second;
};

static void *first_fn(void *arg, int *err)
{
	struct forget *f = arg;

	ls_chan_close(f->first_started);
	ls_chan_recv(f->unblock_first, NULL);
	ls_chan_close(f->first_finished);
	return NULL;
}

static void first_caller(void *p)
{
	struct forget *f = p;

	ls_singleflight_do(&f->g, "key", first_fn, f, NULL, NULL);
}

static void *second_fn(void *arg, int *err)
{
	struct forget *f = arg;

	ls_chan_recv(f->unblock_second, NULL);
	return (void *)2;
}

static void *third_fn(void *arg, int *err)
{
	return (void *)3;
}

TEST(singleflight_forget)
{
	static struct forget f = { .g = LS_SINGLEFLIGHT_INIT("g") };
	struct ls_sf_result r2, r3;
	struct ls_chan *second, *third;

	f.first_started = ls_chan_make(0, 0, "firstStarted");
	f.unblock_first = ls_chan_make(0, 0, "unblockFirst");
	f.first_finished = ls_chan_make(0, 0, "firstFinished");
	f.unblock_second = ls_chan_make(0, 0, "unblockSecond");
	go_or_die(first_caller, &f, "first");
	ls_chan_recv(f.first_started, NULL);
	ls_singleflight_forget(&f.g, "key");

	second = ls_singleflight_dochan(&f.g, "key", second_fn, &f);
	ls_chan_close(f.unblock_first);
	ls_chan_recv(f.first_finished, NULL);

	/* The first call ending must not remove the second from the map. */
	third = ls_singleflight_dochan(&f.g, "key", third_fn, &f);
	ls_chan_close(f.unblock_second);
	ASSERT_TRUE(ls_chan_recv(second, &r2));
	ASSERT_TRUE(ls_chan_recv(third, &r3));
	EXPECT_EQ(2, (int)(intptr_t)r2.val);
	EXPECT_EQ(2, (int)(intptr_t)r3.val) TH_LOG("the third call must share the second's result");
	EXPECT_TRUE(r3.shared);
	EXPECT_TRUE(r2.shared);
	ls_chan_free(second);
	ls_chan_free(third);
	ls_chan_free(f.first_started);
	ls_chan_free(f.unblock_first);
	ls_chan_free(f.first_finished);
	ls_chan_free(f.unblock_second);
}

struct chan_dup {
	struct ls_singleflight g;
	struct ls_chan *release;
	int calls;
};

static void *chan_fn(void *arg, int *err)
{
	struct chan_dup *d = arg;

	INC(&d->calls);
	ls_chan_recv(d->release, NULL);
	*err = -EAGAIN;
	return "v";
}

TEST(singleflight_dochan)
{
	static struct chan_dup d = { .g = LS_SINGLEFLIGHT_INIT("g") };
	struct ls_chan *ch[3];
	struct ls_sf_result r;

	d.release = ls_chan_make(0, 0, "release");
	for (int i = 0; i < 3; i++)
		ch[i] = ls_singleflight_dochan(&d.g, "k", chan_fn, &d);
	EXPECT_EQ(2, ls_singleflight_dups(&d.g, "k"));
	ls_chan_close(d.release);
	for (int i = 0; i < 3; i++) {
		ASSERT_TRUE(ls_chan_recv(ch[i], &r));
		EXPECT_STREQ("v", (char *)r.val);
		EXPECT_EQ(-EAGAIN, r.err);
		EXPECT_TRUE(r.shared);
		ls_chan_free(ch[i]);
	}
	EXPECT_EQ(1, LD(&d.calls));
	ls_chan_free(d.release);
}

/* ================= errgroup ================= */

static int ret_int(void *p)
{
	return (int)(intptr_t)p;
}

TEST(errgroup_zero_group)
{
	static const int cases[][3] = {
		{ 0 }, { 0, 0 }, { -1 }, { -1, 0 }, { -1, 0, -2 },
	};
	static const int lens[] = { 0, 1, 1, 2, 3 };

	for (size_t c = 0; c < sizeof(lens) / sizeof(lens[0]); c++) {
		struct ls_errgroup *g = ls_errgroup_new(NULL, NULL);
		int first = 0;

		for (int i = 0; i < lens[c]; i++) {
			ls_errgroup_go(g, ret_int, (void *)(intptr_t)cases[c][i], "g");
			if (!first)
				first = cases[c][i];
			EXPECT_EQ(first, ls_errgroup_wait(g)) TH_LOG("case %zu, step %d", c, i);
		}
		ls_errgroup_free(g);
	}
}

TEST(errgroup_with_context)
{
	static const int cases[][2] = { { 0 }, { 0 }, { -EDOM }, { -EDOM, 0 } };
	static const int lens[] = { 0, 1, 1, 2 };
	static const int want[] = { 0, 0, -EDOM, -EDOM };

	for (size_t c = 0; c < 4; c++) {
		struct ls_ctx *ctx = NULL;
		struct ls_errgroup *g = ls_errgroup_new(ls_ctx_background(), &ctx);

		ASSERT_NOT_NULL(ctx);
		for (int i = 0; i < lens[c]; i++)
			ls_errgroup_go(g, ret_int, (void *)(intptr_t)cases[c][i], "g");
		EXPECT_EQ(want[c], ls_errgroup_wait(g));
		/* ctx.Done() is closed once Wait returned. */
		EXPECT_TRUE(ls_chan_tryrecv(ls_ctx_done(ctx), NULL, NULL)) TH_LOG("case %zu", c);
		ls_errgroup_free(g);
	}
}

struct wait_ctx {
	struct ls_ctx *ctx;
};

static int wait_for_cancel(void *p)
{
	struct wait_ctx *w = p;

	ls_chan_recv(ls_ctx_done(w->ctx), NULL);
	return 0;
}

/* The first error cancels the group's ctx at once, before Wait. */
TEST(errgroup_first_error_cancels)
{
	struct wait_ctx w;
	struct ls_errgroup *g = ls_errgroup_new(ls_ctx_background(), &w.ctx);

	ls_errgroup_go(g, wait_for_cancel, &w, "waiter");
	ls_errgroup_go(g, ret_int, (void *)(intptr_t)-EIO, "failer");
	EXPECT_EQ(-EIO, ls_errgroup_wait(g));
	EXPECT_EQ(-ECANCELED, ls_ctx_err(w.ctx));
	ls_errgroup_free(g);
}

struct trygo {
	struct ls_chan *ch;
	int n;
};

static int send_one(void *p)
{
	ls_chan_send(((struct trygo *)p)->ch, NULL);
	return 0;
}

static void recv_n(void *p)
{
	struct trygo *t = p;

	for (int i = 0; i < t->n; i++)
		ls_chan_recv(t->ch, NULL);
}

TEST(errgroup_trygo)
{
	const int n = 42;
	struct ls_errgroup *g = ls_errgroup_new(NULL, NULL);
	struct trygo all = { ls_chan_make(0, 0, "ch"), n }, one = { all.ch, 1 };

	ls_errgroup_set_limit(g, n);
	for (int i = 0; i < n; i++)
		ASSERT_TRUE(ls_errgroup_trygo(g, send_one, &all, "g")) TH_LOG("call %d", i);
	ASSERT_FALSE(ls_errgroup_trygo(g, send_one, &all, "g"));
	go_or_die(recv_n, &all, "drain");
	ls_errgroup_wait(g);

	ASSERT_TRUE(ls_errgroup_trygo(g, send_one, &all, "g"));
	go_or_die(recv_n, &one, "drain");
	ls_errgroup_wait(g);

	ls_errgroup_set_limit(g, 1);
	ASSERT_TRUE(ls_errgroup_trygo(g, send_one, &all, "g"));
	ASSERT_FALSE(ls_errgroup_trygo(g, send_one, &all, "g"));
	go_or_die(recv_n, &one, "drain");
	ls_errgroup_wait(g);

	ls_errgroup_set_limit(g, 0);	/* blocks every call */
	for (int i = 0; i < 1 << 10; i++)
		ASSERT_FALSE(ls_errgroup_trygo(g, send_one, &all, "g"));
	ls_errgroup_wait(g);
	ls_errgroup_free(g);
	ls_chan_free(all.ch);
}

struct limit {
	int active, limit;
};

static int limited(void *p)
{
	struct limit *l = p;
	int n = INC(&l->active);

	if (n > l->limit)
		return n;
	ls_gosched();
	DEC(&l->active);
	return 0;
}

TEST(errgroup_go_limit)
{
	struct limit l = { 0, 10 };
	struct ls_errgroup *g = ls_errgroup_new(NULL, NULL);

	ls_errgroup_set_limit(g, l.limit);
	for (int i = 0; i <= 256; i++)
		ls_errgroup_go(g, limited, &l, "limited");
	EXPECT_EQ(0, ls_errgroup_wait(g)) TH_LOG("saw more than %d active goroutines", l.limit);
	ls_errgroup_free(g);
}

static int block_on(void *p)
{
	ls_chan_recv(p, NULL);
	return 0;
}

static void set_limit_while_active(void *arg)
{
	struct ls_errgroup *g = ls_errgroup_new(NULL, NULL);
	struct ls_chan *ch = ls_chan_make(0, 0, "ch");

	ls_errgroup_set_limit(g, 2);
	ls_errgroup_go(g, block_on, ch, "blocked");
	/* Let it park first, so that nothing moves during the dump. */
	if (!POLL_UNTIL(ls_chan_waiters(ch, LS_RECV) == 1))
		ls_panic("test: the goroutine never parked");
	ls_errgroup_set_limit(g, 3);
}

TEST(errgroup_set_limit_while_active_panics)
{
	struct th_result r;

	EXPECT_GO_DEATH(set_limit_while_active, NULL,
			"panic: errgroup: modify limit while 1 goroutines in the group are still active",
			&r);
	th_result_free(&r);
}

/* ================= CyclicBarrier ================= */

struct round {
	struct ls_barrier *b;
	int rounds, tripped;
	struct ls_waitgroup wg;
};

static void on_trip(void *p)
{
	INC(&((struct round *)p)->tripped);
}

static void party(void *p)
{
	struct round *r = p;

	for (int i = 0; i < r->rounds; i++) {
		GO_CHECK(ls_barrier_await(r->b, NULL) == 0, "await failed");
		/* The action ran before anybody was released. */
		GO_CHECK(LD(&r->tripped) >= i + 1, "round %d: released before the action", i);
	}
	ls_waitgroup_done(&r->wg);
}

TEST(barrier_round_trips)
{
	static struct round r = { .rounds = 200, .wg = LS_WAITGROUP_INIT("wg") };
	const int parties = 3;

	r.b = ls_barrier_new(parties, on_trip, &r, "barrier");
	ASSERT_NOT_NULL(r.b);
	ls_waitgroup_add(&r.wg, parties);
	for (int i = 0; i < parties; i++)
		go_or_die(party, &r, "party");
	ls_waitgroup_wait(&r.wg);
	EXPECT_EQ(r.rounds, LD(&r.tripped));
	EXPECT_EQ(0, ls_barrier_waiting(r.b));
	EXPECT_FALSE(ls_barrier_is_broken(r.b));
	ls_barrier_free(r.b);
}

TEST(barrier_rejects_no_parties)
{
	errno = 0;
	EXPECT_NULL(ls_barrier_new(0, NULL, NULL, "b"));
	EXPECT_EQ(EINVAL, errno);
}

struct awaiter {
	struct ls_barrier *b;
	struct ls_ctx *ctx;
	int ret, done;
};

static void await_once(void *p)
{
	struct awaiter *a = p;

	a->ret = ls_barrier_await(a->b, a->ctx);
	ST(&a->done, 1);
}

TEST(barrier_reset_breaks_waiters)
{
	struct ls_barrier *b = ls_barrier_new(3, NULL, NULL, "barrier");
	struct awaiter a[2] = { { b }, { b } };
	struct awaiter again[3] = { { b }, { b }, { b } };

	for (int i = 0; i < 2; i++)
		go_or_die(await_once, &a[i], "waiter");
	ASSERT_TRUE(POLL_UNTIL(ls_barrier_waiting(b) == 2));
	ls_barrier_reset(b);
	for (int i = 0; i < 2; i++) {
		ASSERT_TRUE(POLL_UNTIL(LD(&a[i].done)));
		EXPECT_EQ(-EPIPE, a[i].ret);
	}
	/* Reset also starts a fresh generation: a full round works. */
	EXPECT_FALSE(ls_barrier_is_broken(b));
	EXPECT_EQ(0, ls_barrier_waiting(b));
	for (int i = 0; i < 2; i++)
		go_or_die(await_once, &again[i], "waiter");
	ASSERT_TRUE(POLL_UNTIL(ls_barrier_waiting(b) == 2));
	EXPECT_EQ(0, ls_barrier_await(b, NULL));
	for (int i = 0; i < 2; i++) {
		ASSERT_TRUE(POLL_UNTIL(LD(&again[i].done)));
		EXPECT_EQ(0, again[i].ret);
	}
	ls_barrier_free(b);
}

TEST(barrier_ctx_done_breaks_it_for_everyone)
{
	struct ls_barrier *b = ls_barrier_new(3, NULL, NULL, "barrier");
	struct awaiter timed = { b, ls_ctx_with_cancel(ls_ctx_background()) };
	struct awaiter plain = { b };

	go_or_die(await_once, &plain, "plain");
	ASSERT_TRUE(POLL_UNTIL(ls_barrier_waiting(b) == 1));
	go_or_die(await_once, &timed, "timed");
	ASSERT_TRUE(POLL_UNTIL(ls_barrier_waiting(b) == 2));
	ls_ctx_cancel(timed.ctx);
	ASSERT_TRUE(POLL_UNTIL(LD(&timed.done) && LD(&plain.done)));
	EXPECT_EQ(-ECANCELED, timed.ret);
	EXPECT_EQ(-EPIPE, plain.ret);
	/* Broken until Reset. */
	EXPECT_TRUE(ls_barrier_is_broken(b));
	EXPECT_EQ(-EPIPE, ls_barrier_await(b, NULL));
	ls_barrier_reset(b);
	EXPECT_FALSE(ls_barrier_is_broken(b));
	/* A ctx already done breaks the barrier without waiting. */
	EXPECT_EQ(-ECANCELED, ls_barrier_await(b, timed.ctx));
	EXPECT_TRUE(ls_barrier_is_broken(b));
	ls_ctx_release(timed.ctx);
	ls_barrier_free(b);
}

TEST_HARNESS_MAIN
