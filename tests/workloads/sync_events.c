// SPDX-License-Identifier: MIT
/*
 * sync_events - deterministic sync workloads for the event-sequence tests
 * (tests/prim_events.c), run with LOCKSTEP_TRACE=shm:PATH.
 *
 *	sync_events SCENARIO
 *
 * Each scenario prints "obj LABEL 0xADDRESS" for the objects whose events
 * the test checks, then "ok".  Orderings between goroutines are forced by
 * polling the primitives' state words, never by sleeping; the one sleep
 * (mutex-starve) only has to exceed the 1 ms starvation threshold.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lockstep/lockstep.h>

static void show(const char *label, const void *obj)
{
	printf("obj %s %p\n", label, obj);
}

static void die(const char *what)
{
	fprintf(stderr, "sync_events: %s\n", what);
	exit(1);
}

/* Poll until cond holds, or give up after 20 s. */
#define WAIT_FOR(cond) do {						\
	int64_t _dl = ls_now() + 20 * LS_SEC;				\
	while (!(cond)) {						\
		if (ls_now() > _dl)					\
			die("timed out waiting for " #cond);		\
		ls_sleep(20 * LS_USEC);					\
	}								\
} while (0)

#define LD(p)	__atomic_load_n((p), __ATOMIC_SEQ_CST)
#define INC(p)	__atomic_add_fetch((p), 1, __ATOMIC_SEQ_CST)

static int mutex_waiters(const struct ls_mutex *m)
{
	return ls_mutex_state(m) >> LS_MUTEX_WAITER_SHIFT;
}

/* ---- mutex ---- */

static void mutex_uncontended(void)
{
	static struct ls_mutex m = LS_MUTEX_INIT("m");

	show("m", &m);
	ls_mutex_lock(&m);
	ls_mutex_unlock(&m);
	if (!ls_mutex_trylock(&m) || ls_mutex_trylock(&m))
		die("trylock");
	ls_mutex_unlock(&m);
}

struct locker {
	struct ls_mutex *m;
	int got, done;
};

static void lock_unlock(void *p)
{
	struct locker *l = p;

	ls_mutex_lock(l->m);
	INC(&l->got);
	ls_mutex_unlock(l->m);
	INC(&l->done);
}

/* Normal mode: one waiter parks, Unlock wakes it, it takes the mutex. */
static void mutex_contended(void)
{
	static struct ls_mutex m = LS_MUTEX_INIT("m");
	static struct locker l = { .m = &m };

	show("m", &m);
	ls_mutex_lock(&m);
	if (ls_go(lock_unlock, &l, "waiter"))
		die("ls_go");
	WAIT_FOR(mutex_waiters(&m) == 1);
	ls_mutex_unlock(&m);
	WAIT_FOR(LD(&l.done) == 1);
}

/*
 * Starvation and hand-off: the waiter waits over 1 ms, is woken, finds the
 * mutex taken again, sets STARVING and re-queues at the head; our next
 * Unlock hands it the mutex.  If the waiter wins the race against our
 * re-lock (rare), the attempt is repeated on a fresh mutex; the one that
 * went through starvation is printed.
 */
static void mutex_starve(void)
{
	static struct ls_mutex ms[20];
	static struct locker lks[20];

	for (int i = 0; i < 20; i++) {
		struct ls_mutex *m = &ms[i];
		struct locker *l = &lks[i];
		int32_t s;

		ls_mutex_init(m, "starving");
		l->m = m;
		ls_mutex_lock(m);
		if (ls_go(lock_unlock, l, "waiter"))
			die("ls_go");
		WAIT_FOR(mutex_waiters(m) == 1);
		ls_sleep(3 * LS_MSEC);
		ls_mutex_unlock(m);
		ls_mutex_lock(m);
		if (!LD(&l->got))
			WAIT_FOR(((s = ls_mutex_state(m)) >> LS_MUTEX_WAITER_SHIFT) == 1 &&
				 !(s & LS_MUTEX_WOKEN));
		s = ls_mutex_state(m);
		ls_mutex_unlock(m);
		WAIT_FOR(LD(&l->done) == 1);
		if (s & LS_MUTEX_STARVING) {
			show("m", m);
			return;
		}
	}
	die("the waiter never starved in 20 attempts");
}

/* ---- rwmutex: a writer arrives while a reader is inside ---- */

struct rwtest {
	struct ls_rwmutex rw;
	int done;
};

static void rw_writer(void *p)
{
	struct rwtest *t = p;

	ls_rwmutex_lock(&t->rw);
	ls_rwmutex_unlock(&t->rw);
	INC(&t->done);
}

static void rwmutex_writer_pending(void)
{
	static struct rwtest t = { .rw = LS_RWMUTEX_INIT("rw") };

	show("rw", &t.rw);
	ls_rwmutex_rlock(&t.rw);
	if (ls_go(rw_writer, &t, "writer"))
		die("ls_go");
	WAIT_FOR(ls_rwmutex_reader_wait(&t.rw) == 1);
	ls_rwmutex_runlock(&t.rw);
	WAIT_FOR(LD(&t.done) == 1);
}

/* ---- waitgroup: one waiter released by the last Done ---- */

struct wgtest {
	struct ls_waitgroup wg;
	int done;
};

static void wg_waiter(void *p)
{
	struct wgtest *t = p;

	ls_waitgroup_wait(&t->wg);
	INC(&t->done);
}

static void waitgroup(void)
{
	static struct wgtest t = { .wg = LS_WAITGROUP_INIT("wg") };

	show("wg", &t.wg);
	ls_waitgroup_add(&t.wg, 2);
	if (ls_go(wg_waiter, &t, "waiter"))
		die("ls_go");
	WAIT_FOR(ls_waitgroup_waiters(&t.wg) == 1);
	ls_waitgroup_done(&t.wg);
	ls_waitgroup_done(&t.wg);
	WAIT_FOR(LD(&t.done) == 1);
}

/* ---- cond: two tickets, Signal wakes ticket 0, Broadcast the rest ---- */

struct condtest {
	struct ls_mutex m;
	struct ls_cond c;
	int running, woke;
};

static void cond_waiter(void *p)
{
	struct condtest *t = p;

	ls_mutex_lock(&t->m);
	INC(&t->running);
	ls_cond_wait(&t->c);
	ls_mutex_unlock(&t->m);
	INC(&t->woke);
}

static void cond(void)
{
	static struct condtest t = { .m = LS_MUTEX_INIT("m") };

	ls_cond_init(&t.c, &t.m, "c");
	show("c", &t.c);
	for (int i = 0; i < 2; i++) {
		if (ls_go(cond_waiter, &t, "waiter"))
			die("ls_go");
		WAIT_FOR(LD(&t.running) == i + 1);
		/* It holds m until it is inside Wait with its ticket. */
		ls_mutex_lock(&t.m);
		ls_mutex_unlock(&t.m);
	}
	ls_cond_signal(&t.c);
	WAIT_FOR(LD(&t.woke) == 1);
	ls_cond_broadcast(&t.c);
	WAIT_FOR(LD(&t.woke) == 2);
	ls_cond_signal(&t.c);
}

/* ---- once ---- */

static void nothing(void *arg)
{
}

static void once(void)
{
	static struct ls_once o = LS_ONCE_INIT("o");

	show("o", &o);
	ls_once_do(&o, nothing, NULL);
	ls_once_do(&o, nothing, NULL);
}

/* ---- instrumented memory ---- */

static void mem(void)
{
	static int64_t x, y;

	show("x", &x);
	show("y", &y);
	ls_store(&x, 41, "x");
	ls_store(&x, ls_load(&x, "x") + 1, "x");
	ls_atomic_store(&y, 5);
	ls_atomic_add(&y, 2);
	if (ls_atomic_cas(&y, 0, 1) || !ls_atomic_cas(&y, 7, 8))
		die("cas");
	if (ls_atomic_swap(&y, 9) != 8 || ls_atomic_load(&y) != 9)
		die("swap");
}

static const struct {
	const char *name;
	void (*fn)(void);
} scenarios[] = {
	{ "mutex-uncontended", mutex_uncontended },
	{ "mutex-contended", mutex_contended },
	{ "mutex-starve", mutex_starve },
	{ "rwmutex-writer-pending", rwmutex_writer_pending },
	{ "waitgroup", waitgroup },
	{ "cond", cond },
	{ "once", once },
	{ "mem", mem },
};

int main(int argc, char **argv)
{
	for (size_t i = 0; argc == 2 && i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		if (strcmp(argv[1], scenarios[i].name))
			continue;
		scenarios[i].fn();
		printf("ok\n");
		return 0;
	}
	fprintf(stderr, "usage: sync_events SCENARIO\nscenarios:");
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		fprintf(stderr, " %s", scenarios[i].name);
	fputc('\n', stderr);
	return 2;
}
