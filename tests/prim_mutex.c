// SPDX-License-Identifier: MIT
/*
 * prim_mutex.c - sync.Mutex: Go's behavioural tests (sync/mutex_test.go:
 * TestMutex, TestMutexMisuse, TestMutexFairness) and the state word.
 *
 * TestMutexMisuse's eight cases cover RWMutex too, as Go's does; each runs
 * in a child that must die with the exact fatal error and exit status 2.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "prim_util.h"

#define LOCKED		LS_MUTEX_LOCKED
#define WOKEN		LS_MUTEX_WOKEN
#define STARVING	LS_MUTEX_STARVING
#define SHIFT		LS_MUTEX_WAITER_SHIFT

/* ---- TestMutex ---- */

struct hammer {
	struct ls_mutex *m;
	int loops;
	int *done;
	int *inside;
	struct gate start;
};

static void hammer_mutex(void *p)
{
	struct hammer *h = p;

	gate_arrive(&h->start);
	for (int i = 0; i < h->loops; i++) {
		if (i % 3 == 0) {
			if (ls_mutex_trylock(h->m)) {
				GO_CHECK(INC(h->inside) == 1, "two holders (trylock)");
				DEC(h->inside);
				ls_mutex_unlock(h->m);
			}
			continue;
		}
		ls_mutex_lock(h->m);
		GO_CHECK(INC(h->inside) == 1, "two holders (lock)");
		DEC(h->inside);
		ls_mutex_unlock(h->m);
	}
	INC(h->done);
}

/*
 * TestSemaphore: the runtime semaphore itself, on a count of one, under ten
 * goroutines taking and giving it back a thousand times each.  It must not
 * hang (no lost wake-up) and must never let two holders in at once.
 */
struct sema_hammer {
	uint32_t	sema;
	int		inside, overlap, done;
};

static void sema_hammer_goroutine(void *arg)
{
	struct sema_hammer *h = arg;

	for (int i = 0; i < 1000; i++) {
		ls__semacquire(&h->sema, false, LS_WAIT_SEMACQUIRE, LS_OBJ_NONE, h, "sema");
		if (INC(&h->inside) != 1)
			INC(&h->overlap);
		DEC(&h->inside);
		ls__semrelease(&h->sema, false, h);
	}
	INC(&h->done);
}

TEST(runtime_semaphore)
{
	static struct sema_hammer h = { .sema = 1 };

	for (int i = 0; i < 10; i++)
		go_or_die(sema_hammer_goroutine, &h, "hammer");
	ASSERT_TRUE(POLL_UNTIL(LD(&h.done) == 10));
	EXPECT_EQ(0, LD(&h.overlap));
	EXPECT_EQ(1u, LD(&h.sema));
}

TEST(mutex)
{
	static struct ls_mutex m;
	static int done, inside;
	static struct hammer h = { .m = &m, .loops = 1000, .done = &done,
				   .inside = &inside };

	ls_mutex_lock(&m);
	ASSERT_FALSE(ls_mutex_trylock(&m)) TH_LOG("TryLock succeeded with mutex locked");
	ls_mutex_unlock(&m);
	ASSERT_TRUE(ls_mutex_trylock(&m)) TH_LOG("TryLock failed with mutex unlocked");
	ls_mutex_unlock(&m);

	for (int i = 0; i < 10; i++)
		go_or_die(hammer_mutex, &h, "hammer");
	ASSERT_TRUE(gate_open(&h.start, 10));
	ASSERT_TRUE(POLL_UNTIL(LD(&done) == 10));
	ASSERT_EQ(0, ls_mutex_state(&m));
}

/* ---- TestMutexMisuse ---- */

static void mutex_unlock(void *arg)
{
	struct ls_mutex mu = { 0 };

	ls_mutex_unlock(&mu);
}

static void mutex_unlock2(void *arg)
{
	struct ls_mutex mu = { 0 };

	ls_mutex_lock(&mu);
	ls_mutex_unlock(&mu);
	ls_mutex_unlock(&mu);
}

static void rwmutex_unlock(void *arg)
{
	struct ls_rwmutex mu = { 0 };

	ls_rwmutex_unlock(&mu);
}

static void rwmutex_unlock2(void *arg)
{
	struct ls_rwmutex mu = { 0 };

	ls_rwmutex_rlock(&mu);
	ls_rwmutex_unlock(&mu);
}

static void rwmutex_unlock3(void *arg)
{
	struct ls_rwmutex mu = { 0 };

	ls_rwmutex_lock(&mu);
	ls_rwmutex_unlock(&mu);
	ls_rwmutex_unlock(&mu);
}

static void rwmutex_runlock(void *arg)
{
	struct ls_rwmutex mu = { 0 };

	ls_rwmutex_runlock(&mu);
}

static void rwmutex_runlock2(void *arg)
{
	struct ls_rwmutex mu = { 0 };

	ls_rwmutex_lock(&mu);
	ls_rwmutex_runlock(&mu);
}

static void rwmutex_runlock3(void *arg)
{
	struct ls_rwmutex mu = { 0 };

	ls_rwmutex_rlock(&mu);
	ls_rwmutex_runlock(&mu);
	ls_rwmutex_runlock(&mu);
}

#define MUTEX_FATAL	"fatal error: sync: unlock of unlocked mutex\n"
#define RW_UNLOCK_FATAL	"fatal error: sync: Unlock of unlocked RWMutex\n"
#define RW_RUNLOCK_FATAL "fatal error: sync: RUnlock of unlocked RWMutex\n"

#define MISUSE_TEST(fn, text)						\
TEST(misuse_##fn)							\
{									\
	struct th_result r;						\
									\
	EXPECT_GO_DEATH(fn, NULL, text, &r);				\
	/* the fatal error comes first, then the goroutine dump */	\
	EXPECT_EQ(0, strncmp(r.err ? r.err : "", text, strlen(text)));	\
	EXPECT_TRUE(strstr(r.err ? r.err : "", "goroutine ") != NULL);	\
	th_result_free(&r);						\
}

MISUSE_TEST(mutex_unlock, MUTEX_FATAL)
MISUSE_TEST(mutex_unlock2, MUTEX_FATAL)
MISUSE_TEST(rwmutex_unlock, RW_UNLOCK_FATAL)
MISUSE_TEST(rwmutex_unlock2, RW_UNLOCK_FATAL)
MISUSE_TEST(rwmutex_unlock3, RW_UNLOCK_FATAL)
MISUSE_TEST(rwmutex_runlock, RW_RUNLOCK_FATAL)
MISUSE_TEST(rwmutex_runlock2, RW_RUNLOCK_FATAL)
MISUSE_TEST(rwmutex_runlock3, RW_RUNLOCK_FATAL)

/* ---- TestMutexFairness ---- */

struct fairness {
	struct ls_mutex mu;
	int stop, hog_done, done;
};

static void fairness_hog(void *p)
{
	struct fairness *f = p;

	while (!LD(&f->stop)) {
		ls_mutex_lock(&f->mu);
		ls_sleep(100 * LS_USEC);
		ls_mutex_unlock(&f->mu);
	}
	ST(&f->hog_done, 1);
}

static void fairness_other(void *p)
{
	struct fairness *f = p;

	for (int i = 0; i < 10; i++) {
		ls_sleep(100 * LS_USEC);
		ls_mutex_lock(&f->mu);
		ls_mutex_unlock(&f->mu);
	}
	ST(&f->done, 1);
}

/* The one timed assertion of Go's suite: starvation mode bounds the wait. */
TEST(mutex_fairness)
{
	static struct fairness f;
	int64_t deadline;

	go_or_die(fairness_hog, &f, "hog");
	go_or_die(fairness_other, &f, "other");
	deadline = ls_now() + 10 * LS_SEC;
	while (!LD(&f.done) && ls_now() < deadline)
		ls_sleep(LS_MSEC);
	ST(&f.stop, 1);
	ASSERT_TRUE(LD(&f.done)) TH_LOG("can't acquire Mutex in 10 seconds");
	ASSERT_TRUE(POLL_UNTIL(LD(&f.hog_done)));
}

/* ---- the state word ---- */

struct waiter {
	struct ls_mutex *m;
	int *got;
	int *done;
};

static void lock_once(void *p)
{
	struct waiter *w = p;

	ls_mutex_lock(w->m);
	INC(w->got);
	ls_mutex_unlock(w->m);
	INC(w->done);
}

/* Park N goroutines on a held mutex: state == LOCKED | N << 3. */
TEST(mutex_state_waiters)
{
	static struct ls_mutex m = LS_MUTEX_INIT("held");
	static int got, done;
	struct waiter w = { .m = &m, .got = &got, .done = &done };
	const int n = 4;

	ls_mutex_lock(&m);
	ASSERT_EQ(LOCKED, ls_mutex_state(&m));
	for (int i = 0; i < n; i++)
		go_or_die(lock_once, &w, "waiter");
	/* Spinners clear the woken bit they set once they queue. */
	ASSERT_TRUE(POLL_UNTIL(ls_mutex_state(&m) == (LOCKED | n << SHIFT)))
		TH_LOG("state 0x%x", ls_mutex_state(&m));
	ASSERT_EQ(0, LD(&got));
	ls_mutex_unlock(&m);
	ASSERT_TRUE(POLL_UNTIL(LD(&done) == n));
	ASSERT_EQ(n, LD(&got));
	ASSERT_EQ(0, ls_mutex_state(&m));
}

/*
 * Starvation mode, made deterministic.  A waiter parks on a held mutex
 * and we keep holding it well past 1 ms.  Unlock wakes it (normal mode:
 * state = WOKEN, no waiters) and we lock again at once; the waiter, woken
 * after more than 1 ms, finds the mutex held, sets STARVING and re-queues
 * at the head.  Our Unlock then hands the mutex over directly, and the
 * waiter, the last one, switches the mutex back to normal.
 *
 * The only race is our re-lock against the waiter's wake-up (which takes a
 * futex wake and a context switch, against our next few instructions).  In
 * the rare case that the waiter wins, or that it was preempted so long
 * before noting the time it started waiting that it did not wait 1 ms, the
 * attempt is recognised and repeated on a fresh mutex.
 */
enum starve_result { STARVE_SEEN, STARVE_WAITER_WON, STARVE_NOT_STARVING };

static enum starve_result starve_attempt(struct ls_mutex *m, int32_t *seen)
{
	int got = 0, done = 0;
	struct waiter w = { .m = m, .got = &got, .done = &done };
	enum starve_result res;
	int32_t s;

	ls_mutex_lock(m);
	go_or_die(lock_once, &w, "starving");
	if (!POLL_UNTIL(mutex_waiters(m) == 1))
		ls_panic("test: waiter never queued");
	ls_sleep(3 * LS_MSEC);
	ls_mutex_unlock(m);	/* wakes the waiter: state = WOKEN */
	ls_mutex_lock(m);	/* barge in before it runs */
	if (LD(&got)) {
		res = STARVE_WAITER_WON;
	} else {
		/* The waiter re-queues: waiters == 1 again, WOKEN cleared. */
		if (!POLL_UNTIL((s = ls_mutex_state(m)) >> SHIFT == 1 && !(s & WOKEN)))
			ls_panic("test: waiter never re-queued");
		*seen = s;
		res = s & STARVING ? STARVE_SEEN : STARVE_NOT_STARVING;
	}
	ls_mutex_unlock(m);	/* starving: hand-off to the waiter */
	if (!POLL_UNTIL(LD(&done) == 1))
		ls_panic("test: waiter never finished");
	return res;
}

TEST(mutex_starvation)
{
	static struct ls_mutex ms[20];
	enum starve_result res = STARVE_WAITER_WON;
	int32_t seen = 0;
	int i, won = 0, short_wait = 0;

	for (i = 0; i < 20 && res != STARVE_SEEN; i++) {
		ls_mutex_init(&ms[i], "starving");
		res = starve_attempt(&ms[i], &seen);
		won += res == STARVE_WAITER_WON;
		short_wait += res == STARVE_NOT_STARVING;
		ASSERT_EQ(0, ls_mutex_state(&ms[i]));
	}
	TH_LOG("attempts %d (waiter won %d, waited < 1 ms %d)", i, won, short_wait);
	ASSERT_EQ(STARVE_SEEN, res);
	/* held by us, starving, one waiter parked at the head */
	ASSERT_EQ(LOCKED | STARVING | 1 << SHIFT, seen);
}

/* Not owned: any goroutine may unlock. */
static void unlock_other(void *p)
{
	struct waiter *w = p;

	ls_mutex_unlock(w->m);
	INC(w->done);
}

TEST(mutex_unlock_by_other_goroutine)
{
	static struct ls_mutex m;
	static int done;
	struct waiter w = { .m = &m, .done = &done };

	ls_mutex_lock(&m);
	go_or_die(unlock_other, &w, "unlocker");
	ASSERT_TRUE(POLL_UNTIL(LD(&done) == 1));
	ASSERT_EQ(0, ls_mutex_state(&m));
	ASSERT_TRUE(ls_mutex_trylock(&m));
	ls_mutex_unlock(&m);
}

TEST(mutex_init)
{
	struct ls_mutex a = LS_MUTEX_INIT("a"), b;

	memset(&b, 0xff, sizeof(b));
	ls_mutex_init(&b, "b");
	ASSERT_EQ(0, ls_mutex_state(&a));
	ASSERT_EQ(0, ls_mutex_state(&b));
	ASSERT_STREQ("a", a.on.name);
	ASSERT_STREQ("b", b.on.name);
	ls_mutex_lock(&b);
	ASSERT_EQ(LOCKED, ls_mutex_state(&b));
	ls_mutex_unlock(&b);
}

TEST_HARNESS_MAIN
