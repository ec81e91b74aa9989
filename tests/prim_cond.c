// SPDX-License-Identifier: MIT
/*
 * prim_cond.c - sync.Cond: Go's behavioural tests (sync/cond_test.go:
 * TestCondSignal, TestCondSignalGenerations, TestCondBroadcast, TestRace,
 * TestCondSignalStealing, TestCondCopy).
 *
 * Go's tests learn that a waiter is inside Wait by receiving from a channel
 * it sent on while holding L, then locking L themselves: Wait took its
 * ticket before it released L.  We do the same with a counter bumped under
 * L.
 */
#include <stdlib.h>

#include "harness.h"
#include "prim_util.h"

struct condtest {
	struct ls_mutex m;
	struct ls_cond c;
	int running, awake, exited;
	int last_awake;		/* written under m */
	int n;
	bool exit;		/* under m */
	int *wakes;		/* per goroutine, under m */
};

static struct condtest *condtest_new(int n, int nwakes)
{
	struct condtest *t = calloc(1, sizeof(*t));

	if (!t || !(t->wakes = calloc((size_t)(nwakes ? nwakes : 1), sizeof(int))))
		ls_panic("test: out of memory");
	ls_mutex_init(&t->m, "m");
	ls_cond_init(&t->c, &t->m, "c");
	t->n = n;
	return t;
}

static void condtest_free(struct condtest *t)
{
	free(t->wakes);
	free(t);
}

/* Every goroutine bumped running under m and then went into Wait. */
static bool all_waiting(struct condtest *t, int running)
{
	if (!POLL_UNTIL(LD(&t->running) == running))
		return false;
	ls_mutex_lock(&t->m);
	ls_mutex_unlock(&t->m);
	return true;
}

/* ---- TestCondSignal ---- */

static void signal_waiter(void *p)
{
	struct condtest *t = p;

	ls_mutex_lock(&t->m);
	INC(&t->running);
	ls_cond_wait(&t->c);
	INC(&t->awake);
	ls_mutex_unlock(&t->m);
	INC(&t->exited);
}

TEST(cond_signal)
{
	struct condtest *t = condtest_new(2, 0);
	int n = t->n;

	for (int i = 0; i < n; i++)
		go_or_die(signal_waiter, t, "waiter");
	ASSERT_TRUE(all_waiting(t, n));
	for (int woken = 0; woken < n; woken++) {
		ASSERT_EQ(woken, LD(&t->awake)) TH_LOG("goroutine not asleep");
		ls_mutex_lock(&t->m);
		ls_cond_signal(&t->c);
		ls_mutex_unlock(&t->m);
		ASSERT_TRUE(POLL_UNTIL(LD(&t->awake) == woken + 1));
		/* Exactly one: the other one is still parked. */
		ASSERT_EQ(woken + 1, LD(&t->awake)) TH_LOG("too many goroutines awake");
	}
	ls_cond_signal(&t->c);	/* nobody waits: a no-op */
	ASSERT_TRUE(POLL_UNTIL(LD(&t->exited) == n));
	ASSERT_EQ(t->c.notify.wait, t->c.notify.notify);
	condtest_free(t);
}

/* ---- TestCondSignalGenerations: FIFO by ticket ---- */

struct gen_arg {
	struct condtest *t;
	int i;
};

static void generation_waiter(void *p)
{
	struct gen_arg *a = p;
	struct condtest *t = a->t;

	ls_mutex_lock(&t->m);
	INC(&t->running);
	ls_cond_wait(&t->c);
	ST(&t->last_awake, a->i);
	INC(&t->awake);
	ls_mutex_unlock(&t->m);
	INC(&t->exited);
}

TEST(cond_signal_generations)
{
	enum { N = 100 };
	struct condtest *t = condtest_new(N, 0);
	static struct gen_arg args[N];

	for (int i = 0; i < N; i++) {
		args[i] = (struct gen_arg){ .t = t, .i = i };
		go_or_die(generation_waiter, &args[i], "waiter");
		if (i > 0) {
			/* The Signal below woke the oldest waiter, i - 1. */
			ASSERT_TRUE(POLL_UNTIL(LD(&t->awake) == i));
			ASSERT_EQ(i - 1, LD(&t->last_awake))
				TH_LOG("wrong goroutine woke up: want %d, got %d",
				       i - 1, LD(&t->last_awake));
		}
		ASSERT_TRUE(all_waiting(t, i + 1));
		ls_mutex_lock(&t->m);
		ls_cond_signal(&t->c);
		ls_mutex_unlock(&t->m);
	}
	ASSERT_TRUE(POLL_UNTIL(LD(&t->exited) == N));
	ASSERT_EQ(N - 1, LD(&t->last_awake));
	condtest_free(t);
}

/* ---- TestCondBroadcast ---- */

struct bc_arg {
	struct condtest *t;
	int g;
};

static void broadcast_waiter(void *p)
{
	struct bc_arg *a = p;
	struct condtest *t = a->t;

	ls_mutex_lock(&t->m);
	while (!t->exit) {
		INC(&t->running);
		ls_cond_wait(&t->c);
		t->wakes[a->g]++;
		INC(&t->awake);
	}
	ls_mutex_unlock(&t->m);
	INC(&t->exited);
}

/* Go's sizes: 200 goroutines, 200 rounds (about 2 s, 5 s under TSan). */
TEST(cond_broadcast)
{
	enum { N = 200 };
	struct condtest *t = condtest_new(N, N);
	static struct bc_arg args[N];

	for (int g = 0; g < N; g++) {
		args[g] = (struct bc_arg){ .t = t, .g = g };
		go_or_die(broadcast_waiter, &args[g], "waiter");
	}
	for (int round = 0; round < N; round++) {
		ASSERT_TRUE(all_waiting(t, N * (round + 1)));
		if (round == N - 1) {
			ls_mutex_lock(&t->m);
			t->exit = true;
			ls_mutex_unlock(&t->m);
		}
		ASSERT_EQ(N * round, LD(&t->awake)) TH_LOG("goroutine not asleep");
		ls_mutex_lock(&t->m);
		ls_cond_broadcast(&t->c);
		ls_mutex_unlock(&t->m);
		ASSERT_TRUE(POLL_UNTIL(LD(&t->awake) == N * (round + 1)));
		ls_mutex_lock(&t->m);
		for (int g = 0; g < N; g++)
			ASSERT_EQ(round + 1, t->wakes[g])
				TH_LOG("goroutine %d woke %d times by round %d",
				       g, t->wakes[g], round + 1);
		ls_mutex_unlock(&t->m);
	}
	ASSERT_TRUE(POLL_UNTIL(LD(&t->exited) == N));
	ASSERT_EQ(N * N, LD(&t->running)) TH_LOG("goroutine did not exit");
	ls_cond_broadcast(&t->c);
	condtest_free(t);
}

/* ---- TestRace: x goes 1 -> 2 -> 3 across three goroutines ---- */

struct race {
	struct ls_mutex m;
	struct ls_cond c;
	int x;		/* under m */
	int done;
};

static void race_a(void *p)
{
	struct race *r = p;

	ls_mutex_lock(&r->m);
	r->x = 1;
	ls_cond_wait(&r->c);
	GO_CHECK(r->x == 2, "want 2, got %d", r->x);
	r->x = 3;
	ls_cond_signal(&r->c);
	ls_mutex_unlock(&r->m);
	INC(&r->done);
}

static void race_b(void *p)
{
	struct race *r = p;

	ls_mutex_lock(&r->m);
	for (;;) {
		if (r->x == 1) {
			r->x = 2;
			ls_cond_signal(&r->c);
			break;
		}
		ls_mutex_unlock(&r->m);
		ls_gosched();
		ls_mutex_lock(&r->m);
	}
	ls_mutex_unlock(&r->m);
	INC(&r->done);
}

static void race_c(void *p)
{
	struct race *r = p;

	ls_mutex_lock(&r->m);
	for (;;) {
		if (r->x == 2) {
			ls_cond_wait(&r->c);
			GO_CHECK(r->x == 3, "want 3, got %d", r->x);
			break;
		}
		if (r->x == 3)
			break;
		ls_mutex_unlock(&r->m);
		ls_gosched();
		ls_mutex_lock(&r->m);
	}
	ls_mutex_unlock(&r->m);
	INC(&r->done);
}

TEST(cond_race)
{
	static struct race r = { .m = LS_MUTEX_INIT("m") };

	ls_cond_init(&r.c, &r.m, "c");
	go_or_die(race_a, &r, "a");
	go_or_die(race_b, &r, "b");
	go_or_die(race_c, &r, "c");
	ASSERT_TRUE(POLL_UNTIL(LD(&r.done) == 3));
}

/* ---- TestCondSignalStealing ---- */

struct stealing {
	struct ls_mutex m;
	struct ls_cond cond;
	bool done;		/* under m */
	int ch;			/* the first waiter's channel: 1 in Wait, 2 woke */
	int finished;
};

static void first_waiter(void *p)
{
	struct stealing *s = p;

	ls_mutex_lock(&s->m);
	ST(&s->ch, 1);
	ls_cond_wait(&s->cond);
	ls_mutex_unlock(&s->m);
	ST(&s->ch, 2);
	INC(&s->finished);
}

static void broadcaster(void *p)
{
	struct stealing *s = p;

	ls_cond_broadcast(&s->cond);
	INC(&s->finished);
}

static void late_waiter(void *p)
{
	struct stealing *s = p;

	ls_mutex_lock(&s->m);
	while (!s->done)
		ls_cond_wait(&s->cond);
	ls_mutex_unlock(&s->m);
	INC(&s->finished);
}

/* A Broadcast racing a new Wait must still wake the earlier waiter. */
TEST(cond_signal_stealing)
{
	for (int iters = 0; iters < 1000; iters++) {
		struct stealing *s = calloc(1, sizeof(*s));
		int64_t deadline;

		ASSERT_NE(NULL, s);
		ls_mutex_init(&s->m, "m");
		ls_cond_init(&s->cond, &s->m, "cond");
		go_or_die(first_waiter, s, "first");
		ASSERT_TRUE(POLL_UNTIL(LD(&s->ch) == 1));
		/* It holds m until it is inside Wait. */
		ls_mutex_lock(&s->m);
		ls_mutex_unlock(&s->m);

		go_or_die(broadcaster, s, "broadcast");
		go_or_die(late_waiter, s, "late");

		/* Go's limit: 2 s, the only timed check of this test. */
		deadline = ls_now() + 2 * LS_SEC;
		for (int i = 0; LD(&s->ch) != 2 && ls_now() < deadline; i++)
			poll_pause(i);
		ASSERT_EQ(2, LD(&s->ch)) TH_LOG("First waiter didn't get broadcast (iteration %d)",
						 iters);

		ls_mutex_lock(&s->m);
		s->done = true;
		ls_mutex_unlock(&s->m);
		ls_cond_broadcast(&s->cond);
		ASSERT_TRUE(POLL_UNTIL(LD(&s->finished) == 3));
		free(s);
	}
}

/* ---- TestCondCopy ---- */

static void copy_cond(void *arg)
{
	static struct ls_mutex m;
	struct ls_cond c, c2;

	ls_cond_init(&c, &m, "c");
	ls_cond_signal(&c);
	memcpy(&c2, &c, sizeof(c));
	ls_cond_signal(&c2);
}

TEST(cond_copy)
{
	struct th_result r;

	EXPECT_GO_DEATH(copy_cond, NULL, "panic: sync.Cond is copied\n", &r);
	th_result_free(&r);
}

/* A Cond used before any copy is fine, however often. */
TEST(cond_checker)
{
	static struct ls_mutex m;
	struct ls_cond c;

	ls_cond_init(&c, &m, "c");
	ASSERT_EQ(0u, c.checker);
	ls_cond_signal(&c);
	ASSERT_EQ((uintptr_t)&c.checker, c.checker);
	ls_cond_broadcast(&c);
	ls_cond_signal(&c);
	ASSERT_EQ(&m, c.L);
	ASSERT_STREQ("c", c.on.name);
}

TEST_HARNESS_MAIN
