// SPDX-License-Identifier: MIT
/*
 * prim_patterns.c - the seed patterns of the course notes.
 *
 *   batcher    the notes' scenario (hello + world complete a 10-byte batch;
 *              abc + 123456 come back as a partial batch after max_time;
 *              after Dispose, Put, Flush and Get fail), max_items and Flush,
 *              EINVAL without calc_bytes, Dispose unblocking a Put stuck on
 *              a full queue, and producers/consumer keeping every item once
 *              and in order;
 *   chanmutex  Lock/TryLock/LockTimeout/IsLocked, mutual exclusion, and the
 *              panic on unlocking a free mutex;
 *   taskpool   every task runs, the queue is bounded and Submit honours
 *              ctx, Submit after Close fails, a second Close panics;
 *   broker     fan-out, fail fast on a full subscriber, Unsubscribe, Close;
 *   cache      Set/Get/Delete, lazy expiry on Get, the janitor's bounded
 *              scans, the eviction callback, Close twice.
 *
 * Where a time limit is part of the behaviour (max_time, TTLs, LockTimeout)
 * only outcomes are checked, never how long something took.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "harness.h"
#include "prim_util.h"

#define P(x)	((void *)(uintptr_t)(x))
#define I(p)	((int)(uintptr_t)(p))

/* ================= Batcher ================= */

static size_t str_bytes(const void *item)
{
	return strlen(item);
}

struct got {
	void **items;
	size_t n;
	int err;
};

struct consumer {
	struct ls_batcher *b;
	struct ls_chan *go;	/* one Get per value received */
	struct ls_chan *out;	/* of struct got */
	int done;
};

static void consume(void *arg)
{
	struct consumer *c = arg;
	struct got g;

	while (ls_chan_recv(c->go, NULL)) {
		g.err = ls_batcher_get(c->b, &g.items, &g.n);
		ls_chan_send(c->out, &g);
	}
	ST(&c->done, 1);
}

static bool batch_is(const struct got *g, const char *a, const char *b)
{
	return !g->err && g->n == 2 && !strcmp(g->items[0], a) && !strcmp(g->items[1], b);
}

/* The course notes' example, with 200 ms for max_time instead of 2 s. */
TEST(batcher_seed_scenario)
{
	struct consumer c = { 0 };
	struct got g;

	c.b = ls_batcher_new(200 * LS_MSEC, 5, 10, 3, str_bytes);
	ASSERT_NOT_NULL(c.b);
	c.go = ls_chan_make(0, 0, "go");
	c.out = ls_chan_make(sizeof(struct got), 0, "out");
	go_or_die(consume, &c, "consumer");

	/* hello (5 bytes) + world (5 bytes) reach max_bytes: a full batch. */
	ASSERT_EQ(0, ls_batcher_put(c.b, "hello"));
	ASSERT_EQ(0, ls_batcher_put(c.b, "world"));
	ls_chan_send(c.go, NULL);
	ls_chan_recv(c.out, &g);
	EXPECT_TRUE(batch_is(&g, "hello", "world"));
	free(g.items);

	/* abc + 123456 = 9 bytes: no batch until the Get has waited max_time,
	 * then it takes the partial batch. */
	ASSERT_EQ(0, ls_batcher_put(c.b, "abc"));
	ASSERT_EQ(0, ls_batcher_put(c.b, "123456"));
	ls_chan_send(c.go, NULL);
	ls_chan_recv(c.out, &g);
	EXPECT_TRUE(batch_is(&g, "abc", "123456")) TH_LOG("got %zu items, err %d", g.n, g.err);
	free(g.items);

	/* Dispose: everything fails from now on. */
	EXPECT_FALSE(ls_batcher_is_disposed(c.b));
	ls_batcher_dispose(c.b);
	EXPECT_TRUE(ls_batcher_is_disposed(c.b));
	EXPECT_EQ(-ESHUTDOWN, ls_batcher_put(c.b, "late"));
	EXPECT_EQ(-ESHUTDOWN, ls_batcher_flush(c.b));
	ls_chan_send(c.go, NULL);
	ls_chan_recv(c.out, &g);
	EXPECT_EQ(-ESHUTDOWN, g.err);
	ls_batcher_dispose(c.b);	/* twice is harmless */

	ls_chan_close(c.go);
	ASSERT_TRUE(POLL_UNTIL(LD(&c.done)));
	ls_batcher_free(c.b);
	ls_chan_free(c.out);
	ls_chan_free(c.go);
}

TEST(batcher_max_bytes_needs_calc_bytes)
{
	errno = 0;
	EXPECT_NULL(ls_batcher_new(0, 0, 10, 1, NULL));
	EXPECT_EQ(EINVAL, errno);
}

TEST(batcher_max_items_and_flush)
{
	struct ls_batcher *b = ls_batcher_new(0, 3, 0, 10, NULL);
	void **items;
	size_t n;

	for (int i = 1; i <= 4; i++)
		ASSERT_EQ(0, ls_batcher_put(b, P(i)));
	ASSERT_EQ(0, ls_batcher_flush(b));	/* [4] */
	ASSERT_EQ(0, ls_batcher_flush(b));	/* [] : Flush always makes a batch */

	ASSERT_EQ(0, ls_batcher_get(b, &items, &n));
	ASSERT_EQ(3u, n);
	EXPECT_EQ(1, I(items[0]));
	EXPECT_EQ(3, I(items[2]));
	free(items);
	ASSERT_EQ(0, ls_batcher_get(b, &items, &n));
	ASSERT_EQ(1u, n);
	EXPECT_EQ(4, I(items[0]));
	free(items);
	ASSERT_EQ(0, ls_batcher_get(b, &items, &n));
	EXPECT_EQ(0u, n);
	free(items);
	ls_batcher_free(b);
}

TEST(batcher_get_times_out_empty)
{
	struct ls_batcher *b = ls_batcher_new(5 * LS_MSEC, 10, 0, 1, NULL);
	void **items = P(1);
	size_t n = 7;

	ASSERT_EQ(0, ls_batcher_get(b, &items, &n));
	EXPECT_EQ(0u, n);
	free(items);
	ls_batcher_free(b);
}

struct blocked_put {
	struct ls_batcher *b;
	int ret, done;
};

static void put_b(void *arg)
{
	struct blocked_put *p = arg;

	p->ret = ls_batcher_put(p->b, "b");
	ST(&p->done, 1);
}

/* A Put blocked on a full queue holds the lock; Dispose still gets through. */
TEST(batcher_dispose_unblocks_full_queue)
{
	struct blocked_put p = { ls_batcher_new(0, 1, 0, 1, NULL) };

	ASSERT_EQ(0, ls_batcher_put(p.b, "a"));	/* the queue (1) is now full */
	go_or_die(put_b, &p, "put");
	ASSERT_TRUE(POLL_UNTIL(g_parked("put")));	/* blocked on the full queue */
	ls_batcher_dispose(p.b);
	ASSERT_TRUE(POLL_UNTIL(LD(&p.done)));
	EXPECT_TRUE(p.ret == 0 || p.ret == -ESHUTDOWN) TH_LOG("put returned %d", p.ret);
	ls_batcher_free(p.b);
}

#define PRODUCERS	2
#define PER_PRODUCER	1000

struct producer {
	struct ls_batcher *b;
	int id;
	int *done;
};

static void produce(void *arg)
{
	struct producer *p = arg;

	for (int i = 0; i < PER_PRODUCER; i++)
		GO_CHECK(ls_batcher_put(p->b, P((p->id << 16) | (i + 1))) == 0, "put failed");
	INC(p->done);
}

/* Items come out exactly once, each producer's in the order it put them. */
TEST(batcher_keeps_order)
{
	static struct producer prod[PRODUCERS];
	static int done;
	struct ls_batcher *b = ls_batcher_new(2 * LS_MSEC, 7, 0, 4, NULL);
	int next[PRODUCERS] = { 0 }, total = 0;

	for (int i = 0; i < PRODUCERS; i++) {
		prod[i] = (struct producer){ b, i, &done };
		go_or_die(produce, &prod[i], "producer");
	}
	while (total < PRODUCERS * PER_PRODUCER) {
		void **items;
		size_t n;

		ASSERT_EQ(0, ls_batcher_get(b, &items, &n));
		for (size_t k = 0; k < n; k++) {
			int v = I(items[k]), who = v >> 16, seq = v & 0xffff;

			ASSERT_TRUE(who >= 0 && who < PRODUCERS);
			ASSERT_EQ(next[who] + 1, seq) TH_LOG("producer %d", who);
			next[who] = seq;
			total++;
		}
		free(items);
	}
	ASSERT_TRUE(POLL_UNTIL(LD(&done) == PRODUCERS));
	ls_batcher_free(b);
}

/* ================= channel mutex ================= */

TEST(chanmutex_basic)
{
	struct ls_chanmutex *m = ls_chanmutex_new("mu");

	ASSERT_NOT_NULL(m);
	EXPECT_FALSE(ls_chanmutex_is_locked(m));
	EXPECT_TRUE(ls_chanmutex_trylock(m));
	EXPECT_TRUE(ls_chanmutex_is_locked(m));
	EXPECT_FALSE(ls_chanmutex_trylock(m));
	EXPECT_FALSE(ls_chanmutex_lock_timeout(m, 2 * LS_MSEC));
	ls_chanmutex_unlock(m);
	EXPECT_TRUE(ls_chanmutex_lock_timeout(m, LS_SEC));
	ls_chanmutex_unlock(m);
	ls_chanmutex_lock(m);
	ls_chanmutex_unlock(m);
	ls_chanmutex_free(m);
}

static void unlock_later(void *arg)
{
	/* only once main is really waiting in lock_timeout */
	GO_CHECK(POLL_UNTIL(g_parked("main")), "main never blocked in lock_timeout");
	ls_chanmutex_unlock(arg);	/* not owned: anyone may unlock */
}

TEST(chanmutex_lock_timeout_gets_it_when_released)
{
	struct ls_chanmutex *m = ls_chanmutex_new("mu");

	ls_chanmutex_lock(m);
	go_or_die(unlock_later, m, "unlocker");
	EXPECT_TRUE(ls_chanmutex_lock_timeout(m, 20 * LS_SEC));
	ls_chanmutex_unlock(m);
	ls_chanmutex_free(m);
}

struct excl {
	struct ls_chanmutex *m;
	long counter;	/* plain: the mutex must protect it */
	int done;
};

static void excl_worker(void *arg)
{
	struct excl *e = arg;

	for (int i = 0; i < 2000; i++) {
		if (i % 3 == 0) {
			while (!ls_chanmutex_trylock(e->m))
				ls_gosched();
		} else {
			ls_chanmutex_lock(e->m);
		}
		e->counter++;
		ls_chanmutex_unlock(e->m);
	}
	INC(&e->done);
}

TEST(chanmutex_mutual_exclusion)
{
	static struct excl e;

	e.m = ls_chanmutex_new("mu");
	for (int i = 0; i < 4; i++)
		go_or_die(excl_worker, &e, "worker");
	ASSERT_TRUE(POLL_UNTIL(LD(&e.done) == 4));
	EXPECT_EQ(8000, e.counter);
	ls_chanmutex_free(e.m);
}

static void unlock_unlocked(void *arg)
{
	ls_chanmutex_unlock(ls_chanmutex_new("mu"));
}

TEST(chanmutex_unlock_of_unlocked_panics)
{
	struct th_result r;

	EXPECT_GO_DEATH(unlock_unlocked, NULL, "panic: unlock of unlocked mutex", &r);
	th_result_free(&r);
}

/* ================= task pool ================= */

struct tasks {
	int ran;
	struct ls_waitgroup wg;
};

static void count_task(void *arg)
{
	struct tasks *t = arg;

	INC(&t->ran);
	ls_waitgroup_done(&t->wg);
}

TEST(taskpool_runs_every_task)
{
	struct ls_taskpool *p = ls_taskpool_new(3, 4, "pool");
	struct tasks t = { .wg = LS_WAITGROUP_INIT("wg") };

	ASSERT_NOT_NULL(p);
	ls_waitgroup_add(&t.wg, 100);
	for (int i = 0; i < 100; i++)
		ASSERT_EQ(0, ls_taskpool_submit(p, NULL, count_task, &t));
	ls_waitgroup_wait(&t.wg);
	EXPECT_EQ(100, LD(&t.ran));
	ls_taskpool_close(p);
	ls_taskpool_free(p);
}

struct blocker {
	struct ls_chan *release;
	int started, ran;
};

static void blocking_task(void *arg)
{
	struct blocker *b = arg;

	ST(&b->started, 1);
	ls_chan_recv(b->release, NULL);
	INC(&b->ran);
}

static void quick_task(void *arg)
{
	INC(&((struct blocker *)arg)->ran);
}

TEST(taskpool_bounded_queue_and_ctx)
{
	struct ls_taskpool *p = ls_taskpool_new(1, 2, "pool");
	struct blocker b = { ls_chan_make(0, 0, "release") };
	struct ls_ctx *timeout, *cancelled;

	ASSERT_EQ(0, ls_taskpool_submit(p, NULL, blocking_task, &b));
	ASSERT_TRUE(POLL_UNTIL(LD(&b.started)));	/* the only worker is busy */
	ASSERT_EQ(0, ls_taskpool_submit(p, NULL, quick_task, &b));
	ASSERT_EQ(0, ls_taskpool_submit(p, NULL, quick_task, &b));	/* queue full */

	timeout = ls_ctx_with_timeout(ls_ctx_background(), 5 * LS_MSEC);
	EXPECT_EQ(-ETIMEDOUT, ls_taskpool_submit(p, timeout, quick_task, &b));
	cancelled = ls_ctx_with_cancel(ls_ctx_background());
	ls_ctx_cancel(cancelled);
	EXPECT_EQ(-ECANCELED, ls_taskpool_submit(p, cancelled, quick_task, &b));

	ls_chan_close(b.release);
	ASSERT_TRUE(POLL_UNTIL(LD(&b.ran) == 3));
	ls_taskpool_close(p);
	EXPECT_EQ(-ESHUTDOWN, ls_taskpool_submit(p, NULL, quick_task, &b));
	ls_taskpool_free(p);
	ls_ctx_release(timeout);
	ls_ctx_release(cancelled);
	ls_chan_free(b.release);
}

static void hold_task(void *arg)
{
	ls_chan_recv(arg, NULL);
}

static void close_twice(void *arg)
{
	struct ls_taskpool *p = ls_taskpool_new(2, 1, "pool");
	struct ls_chan *hold = ls_chan_make(0, 0, "hold");

	/* Park both workers first, so that nothing moves during the dump. */
	ls_taskpool_submit(p, NULL, hold_task, hold);
	ls_taskpool_submit(p, NULL, hold_task, hold);
	if (!POLL_UNTIL(ls_chan_waiters(hold, LS_RECV) == 2))
		ls_panic("test: the workers never parked");
	ls_taskpool_close(p);
	ls_taskpool_close(p);
}

TEST(taskpool_close_twice_panics)
{
	struct th_result r;

	EXPECT_GO_DEATH(close_twice, NULL, "panic: close of closed channel", &r);
	th_result_free(&r);
}

/* ================= broker ================= */

struct msg {
	int v;
};

static int recv_v(struct ls_chan *ch)
{
	struct msg m = { -1 };

	return ls_chan_recv(ch, &m) ? m.v : -1;
}

TEST(broker_full_subscriber_fails_fast)
{
	struct ls_broker *b = ls_broker_new(sizeof(struct msg), "broker");
	struct ls_chan *s1, *s2;
	struct msg m;

	s1 = ls_broker_subscribe(b, 1);
	s2 = ls_broker_subscribe(b, 2);
	ASSERT_NOT_NULL(s1);
	ASSERT_NOT_NULL(s2);

	m.v = 1;
	ASSERT_EQ(0, ls_broker_publish(b, &m));		/* both get 1 */
	m.v = 2;
	EXPECT_EQ(-EAGAIN, ls_broker_publish(b, &m));	/* s1 is full */
	EXPECT_EQ(1u, ls_chan_len(s2)) TH_LOG("subscribers after the full one miss it");
	EXPECT_EQ(1, recv_v(s1));
	m.v = 3;
	ASSERT_EQ(0, ls_broker_publish(b, &m));
	EXPECT_EQ(3, recv_v(s1));
	EXPECT_EQ(1, recv_v(s2));
	EXPECT_EQ(3, recv_v(s2));

	/* Each subscriber has its own copy. */
	EXPECT_EQ(0u, ls_chan_len(s1));

	/* Unsubscribe closes s1; publishing goes on for s2. */
	EXPECT_EQ(0, ls_broker_unsubscribe(b, s1));
	EXPECT_EQ(-ENOENT, ls_broker_unsubscribe(b, s1));
	EXPECT_EQ(-1, recv_v(s1));
	m.v = 4;
	EXPECT_EQ(0, ls_broker_publish(b, &m));
	EXPECT_EQ(0u, ls_chan_len(s1));
	EXPECT_EQ(4, recv_v(s2));

	/* Close: the subscribers see their channels closed. */
	m.v = 5;
	ASSERT_EQ(0, ls_broker_publish(b, &m));
	ls_broker_close(b);
	EXPECT_EQ(5, recv_v(s2));	/* buffered values first */
	EXPECT_EQ(-1, recv_v(s2));
	EXPECT_EQ(-ESHUTDOWN, ls_broker_publish(b, &m));
	errno = 0;
	EXPECT_NULL(ls_broker_subscribe(b, 1));
	EXPECT_EQ(ESHUTDOWN, errno);
	ls_broker_close(b);		/* twice: nothing left to close */
	ls_broker_free(b);
	ls_chan_free(s1);
	ls_chan_free(s2);
}

struct sub {
	struct ls_chan *ch;
	int got, bad, done;
};

static void subscriber(void *arg)
{
	struct sub *s = arg;
	struct msg m;
	int last = 0;

	while (ls_chan_recv(s->ch, &m)) {
		if (m.v <= last)
			s->bad++;
		last = m.v;
		s->got++;
	}
	ST(&s->done, 1);
}

/* Concurrent consumers see messages in publish order; none is invented. */
TEST(broker_concurrent_subscribers)
{
	struct ls_broker *b = ls_broker_new(sizeof(struct msg), "broker");
	struct sub subs[3];
	int ok = 0;

	for (int i = 0; i < 3; i++) {
		subs[i] = (struct sub){ ls_broker_subscribe(b, 8) };
		go_or_die(subscriber, &subs[i], "subscriber");
	}
	for (int v = 1; v <= 2000; v++) {
		struct msg m = { v };

		if (ls_broker_publish(b, &m) == 0)
			ok++;
		if (v % 16 == 0)
			ls_gosched();
	}
	ls_broker_close(b);
	for (int i = 0; i < 3; i++) {
		ASSERT_TRUE(POLL_UNTIL(LD(&subs[i].done)));
		EXPECT_EQ(0, subs[i].bad);
		EXPECT_LE(ok, subs[i].got) TH_LOG("every successful publish reached everyone");
		ls_chan_free(subs[i].ch);
	}
	ls_broker_free(b);
}

/* ================= expiring cache ================= */

struct evictions {
	int n;
	char last[32];
	void *last_val;
};

static void on_evict(const char *key, void *val, void *arg)
{
	struct evictions *e = arg;

	snprintf(e->last, sizeof(e->last), "%s", key);
	e->last_val = val;
	INC(&e->n);
}

TEST(cache_set_get_delete)
{
	struct evictions e = { 0 };
	struct ls_cache *c = ls_cache_new(0, 0, on_evict, &e, "cache");
	void *v = NULL;

	ASSERT_NOT_NULL(c);
	EXPECT_EQ(-ENOENT, ls_cache_get(c, "a", &v));
	ASSERT_EQ(0, ls_cache_set(c, "a", P(1), 0));
	ASSERT_EQ(0, ls_cache_get(c, "a", &v));
	EXPECT_EQ(1, I(v));
	ASSERT_EQ(0, ls_cache_set(c, "a", P(2), 0));	/* replaced: no eviction */
	EXPECT_EQ(0, LD(&e.n));
	ASSERT_EQ(0, ls_cache_delete(c, "a", &v));
	EXPECT_EQ(2, I(v));
	EXPECT_EQ(1, LD(&e.n));
	EXPECT_STREQ("a", e.last);
	EXPECT_EQ(2, I(e.last_val));
	EXPECT_EQ(-ENOENT, ls_cache_delete(c, "a", NULL));
	EXPECT_EQ(0u, ls_cache_len(c));
	ls_cache_free(c);
}

TEST(cache_lazy_expiry_on_get)
{
	struct evictions e = { 0 };
	struct ls_cache *c = ls_cache_new(0, 0, on_evict, &e, "cache");	/* no janitor */
	void *v = NULL;

	ASSERT_EQ(0, ls_cache_set(c, "short", P(7), LS_MSEC));
	ASSERT_EQ(0, ls_cache_set(c, "forever", P(8), 0));
	ls_sleep(3 * LS_MSEC);
	EXPECT_EQ(2u, ls_cache_len(c));		/* nobody removed it yet */
	EXPECT_EQ(-ENOENT, ls_cache_get(c, "short", &v));
	EXPECT_EQ(1, LD(&e.n));
	EXPECT_STREQ("short", e.last);
	EXPECT_EQ(7, I(e.last_val));
	EXPECT_EQ(1u, ls_cache_len(c));
	ASSERT_EQ(0, ls_cache_get(c, "forever", &v));
	EXPECT_EQ(8, I(v));
	ls_cache_free(c);
	EXPECT_EQ(1, LD(&e.n)) TH_LOG("free does not call on_evict");
}

TEST(cache_set_renews_the_deadline)
{
	struct ls_cache *c = ls_cache_new(0, 0, NULL, NULL, "cache");
	void *v = NULL;

	ASSERT_EQ(0, ls_cache_set(c, "k", P(1), LS_MSEC));
	ASSERT_EQ(0, ls_cache_set(c, "k", P(2), 0));
	ls_sleep(3 * LS_MSEC);
	ASSERT_EQ(0, ls_cache_get(c, "k", &v));
	EXPECT_EQ(2, I(v));
	ls_cache_free(c);
}

/* The janitor reclaims keys nobody reads, a few per tick. */
TEST(cache_janitor_expiry_with_callback)
{
	struct evictions e = { 0 };
	struct ls_cache *c = ls_cache_new(2 * LS_MSEC, 3, on_evict, &e, "cache");
	char key[16];
	void *v;

	for (int i = 0; i < 10; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		ASSERT_EQ(0, ls_cache_set(c, key, P(i), LS_MSEC));
	}
	ASSERT_EQ(0, ls_cache_set(c, "keep", P(99), 0));
	ASSERT_TRUE(POLL_UNTIL(LD(&e.n) == 10)) TH_LOG("%d evicted", LD(&e.n));
	EXPECT_EQ(1u, ls_cache_len(c));
	ASSERT_EQ(0, ls_cache_get(c, "keep", &v));
	EXPECT_EQ(99, I(v));
	EXPECT_EQ(0, ls_cache_close(c));
	EXPECT_EQ(-EALREADY, ls_cache_close(c));
	ls_cache_free(c);
}

TEST_HARNESS_MAIN
