// SPDX-License-Identifier: MIT
/*
 * prim_once.c - sync.Once: Go's TestOnce (sync/once_test.go), the
 * guarantee that no Do returns before f has returned, and the recursive
 * Do that deadlocks.
 */
#include "harness.h"
#include "prim_util.h"

/* ---- TestOnce ---- */

struct once_run {
	struct ls_once once;
	int o;		/* incremented by f, once */
	int done;
};

static void increment(void *p)
{
	INC((int *)p);
}

static void run(void *p)
{
	struct once_run *r = p;

	ls_once_do(&r->once, increment, &r->o);
	GO_CHECK(LD(&r->o) == 1, "once failed inside run: %d is not 1", LD(&r->o));
	INC(&r->done);
}

TEST(once)
{
	static struct once_run r = { .once = LS_ONCE_INIT("once") };
	const int n = 10;

	for (int i = 0; i < n; i++)
		go_or_die(run, &r, "run");
	ASSERT_TRUE(POLL_UNTIL(LD(&r.done) == n));
	ASSERT_EQ(1, LD(&r.o)) TH_LOG("once failed outside run: %d is not 1", LD(&r.o));
	ASSERT_EQ(1u, LD(&r.once.done));
	/* A later Do is a no-op. */
	ls_once_do(&r.once, increment, &r.o);
	ASSERT_EQ(1, LD(&r.o));
}

/* ---- no Do returns before f has returned ---- */

struct slow_once {
	struct ls_once once;
	int started, release, finished;
	int second_returned, finished_when_returned;
};

static void slow_f(void *p)
{
	struct slow_once *s = p;

	ST(&s->started, 1);
	if (!POLL_UNTIL(LD(&s->release)))
		ls_panic("test: f never released");
	ST(&s->finished, 1);
}

static void never_called(void *p)
{
	ls_panic("Once.Do called f twice");
}

static void first_caller(void *p)
{
	struct slow_once *s = p;

	ls_once_do(&s->once, slow_f, s);
}

static void second_caller(void *p)
{
	struct slow_once *s = p;

	ls_once_do(&s->once, never_called, s);
	ST(&s->finished_when_returned, LD(&s->finished));
	ST(&s->second_returned, 1);
}

TEST(once_waits_for_f)
{
	static struct slow_once s = { .once = LS_ONCE_INIT("slow") };

	go_or_die(first_caller, &s, "first");
	ASSERT_TRUE(POLL_UNTIL(LD(&s.started)));
	go_or_die(second_caller, &s, "second");
	/* The second caller is parked on the Once's mutex, not returning. */
	ASSERT_TRUE(POLL_UNTIL(mutex_waiters(&s.once.m) == 1));
	ASSERT_EQ(0, LD(&s.second_returned));
	ASSERT_EQ(0u, LD(&s.once.done));
	ST(&s.release, 1);
	ASSERT_TRUE(POLL_UNTIL(LD(&s.second_returned)));
	ASSERT_EQ(1, LD(&s.finished_when_returned));
	ASSERT_EQ(1u, LD(&s.once.done));
}

TEST(once_zero_value)
{
	static struct ls_once once;
	static int o;

	ls_once_do(&once, increment, &o);
	ls_once_do(&once, increment, &o);
	ASSERT_EQ(1, o);
}

/* ---- f calling Do on the same Once deadlocks, as in Go ---- */

static struct ls_once recursive = LS_ONCE_INIT("recursive");

static void inner(void *p)
{
	ls_panic("the inner f must never run");
}

static void outer(void *p)
{
	ls_once_do(&recursive, inner, NULL);
}

static void recursive_do(void *arg)
{
	ls_once_do(&recursive, outer, NULL);
}

TEST(once_recursive_deadlocks)
{
	struct th_result r;
	char line[256];

	EXPECT_GO_DEATH(recursive_do, NULL,
			"fatal error: all goroutines are asleep - deadlock!\n", &r);
	ASSERT_TRUE(dump_line_for(r.err, "sync.Mutex.Lock", line, sizeof(line)))
		TH_LOG("stderr:\n%s", r.err ? r.err : "");
	EXPECT_TRUE(strstr(line, "waiting on sync.Once \"recursive\"") != NULL)
		TH_LOG("line: %s", line);
	th_result_free(&r);
}

TEST_HARNESS_MAIN
