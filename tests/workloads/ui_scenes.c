// SPDX-License-Identifier: MIT
/*
 * ui_scenes - programs whose traces end in a state worth looking at, for
 * the UI's tests (tests/ui_tmux.c) and the captures in docs/ui.md.
 *
 *	ui_scenes SCENE
 *
 *	mutex      "queue-lock" held by main, worker-1 and worker-2 parked on
 *	           it (2 waiters, worker-1 at the head); main returns: leak
 *	starve     "hot-lock" in starvation mode: worker-1 waited over 1 ms,
 *	           lost the race to main and was re-queued at the head (LIFO),
 *	           worker-2 queued behind it; main returns holding it: leak
 *	handoff    starve, then main unlocks: Unlock hands the mutex to worker-1
 *	           (the head), worker-1 to worker-2, the last waiter, and the
 *	           mutex is back in normal mode; no leak
 *	rwmutex    the recursive read lock: reader holds "config.rw", writer
 *	           announces itself (readerCount goes negative), reader's
 *	           second RLock parks: all goroutines asleep, exit 2
 *	chan       "results" (cap 5) holds 2 and 3 in slots 1 and 2; "jobs"
 *	           (cap 2) is full and producer is parked sending 30; waiter is
 *	           parked receiving from the unbuffered "done": leak
 *	sync       WaitGroup "workers" with a waiter, Cond "ready" with two
 *	           waiters, Once "init" running f while another caller waits
 *	lockorder  worker-1 locks A then B; later worker-2 locks B then A: no
 *	           hang, a potential deadlock
 *	panic      closer closes "events", main sends on it: panic, exit 2
 *
 * Orderings between goroutines are forced by polling the primitives' state,
 * never by sleeping, so each trace ends in the same state every run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lockstep/lockstep.h>

static void die(const char *what)
{
	fprintf(stderr, "ui_scenes: %s\n", what);
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
#define ST(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)

static void go(void (*fn)(void *), void *arg, const char *name)
{
	if (ls_go(fn, arg, name))
		die("ls_go failed");
}

static int waiters(const struct ls_mutex *m)
{
	return ls_mutex_state(m) >> LS_MUTEX_WAITER_SHIFT;
}

/* ---- mutex ---- */

static void lock_forever(void *p)
{
	ls_mutex_lock(p);
	ls_mutex_unlock(p);
}

static void scene_mutex(void)
{
	static struct ls_mutex m = LS_MUTEX_INIT("queue-lock");

	ls_mutex_lock(&m);
	go(lock_forever, &m, "worker-1");
	WAIT_FOR(waiters(&m) == 1);
	go(lock_forever, &m, "worker-2");
	WAIT_FOR(waiters(&m) == 2);
}

/* ---- starvation and LIFO re-queueing ---- */

struct starver {
	struct ls_mutex	m;
	int		got;	/* worker-1 has held it */
};

static struct ls_mutex *starved;

static void lock_once(void *p)
{
	struct starver *s = p;

	ls_mutex_lock(&s->m);
	ST(&s->got, 1);
	ls_mutex_unlock(&s->m);
}

static void scene_starve(void)
{
	static struct starver ss[20];

	for (int i = 0; i < 20; i++) {
		struct ls_mutex *m = &ss[i].m;

		ls_mutex_init(m, "hot-lock");
		ls_mutex_lock(m);
		go(lock_once, &ss[i], "worker-1");
		WAIT_FOR(waiters(m) == 1);
		ls_sleep(3 * LS_MSEC);
		ls_mutex_unlock(m);
		/* barge in before the woken worker-1 runs */
		if (!ls_mutex_trylock(m)) {
			ls_mutex_lock(m);
			ls_mutex_unlock(m);
			continue;
		}
		if (LD(&ss[i].got)) {
			/* worker-1 was quicker: it took the lock and left */
			ls_mutex_unlock(m);
			continue;
		}
		/* worker-1 lost: back in the queue, at the head */
		WAIT_FOR(waiters(m) == 1 && !(ls_mutex_state(m) & LS_MUTEX_WOKEN));
		if (!(ls_mutex_state(m) & LS_MUTEX_STARVING)) {
			/* it parked late and has not waited 1 ms yet: again */
			ls_mutex_unlock(m);
			continue;
		}
		go(lock_forever, m, "worker-2");
		WAIT_FOR(waiters(m) == 2);
		starved = m;
		return;
	}
	die("worker-1 never starved in 20 attempts");
}

static void scene_handoff(void)
{
	struct ls_mutex *m;

	scene_starve();
	m = starved;
	ls_mutex_unlock(m);		/* starvation mode: a direct handoff */
	WAIT_FOR(ls_mutex_state(m) == 0);
}

/* ---- rwmutex: the recursive read lock ---- */

static struct ls_rwmutex config = LS_RWMUTEX_INIT("config.rw");
static int reader_in;

static void reader(void *arg)
{
	ls_rwmutex_rlock(&config);
	ST(&reader_in, 1);
	WAIT_FOR(ls_rwmutex_reader_count(&config) < 0);	/* the writer arrived */
	ls_rwmutex_rlock(&config);			/* parks for good */
	ls_rwmutex_runlock(&config);
	ls_rwmutex_runlock(&config);
}

static void writer(void *arg)
{
	ls_rwmutex_lock(&config);
	ls_rwmutex_unlock(&config);
}

static void scene_rwmutex(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	ls_waitgroup_add(&wg, 2);
	go(reader, NULL, "reader");
	WAIT_FOR(LD(&reader_in));
	go(writer, NULL, "writer");
	ls_waitgroup_wait(&wg);		/* never returns: all asleep */
}

/* ---- channels ---- */

static struct ls_chan *jobs, *done;

static void producer(void *arg)
{
	for (int64_t v = 10; v <= 30; v += 10)
		ls_chan_send(jobs, &v);		/* 30 waits in sendq */
}

static void done_waiter(void *arg)
{
	ls_chan_recv(done, NULL);
}

/* globals: still reachable at exit, as a Go program's would be */
static struct ls_chan *results;

static void scene_chan(void)
{
	results = ls_chan_make(sizeof(int64_t), 5, "results");
	int64_t v;

	jobs = ls_chan_make(sizeof(int64_t), 2, "jobs");
	done = ls_chan_make(0, 0, "done");
	if (!results || !jobs || !done)
		die("ls_chan_make failed");
	for (v = 1; v <= 3; v++)
		ls_chan_send(results, &v);
	ls_chan_recv(results, &v);		/* takes 1: recvx 1, sendx 3 */
	go(producer, NULL, "producer");
	go(done_waiter, NULL, "waiter");
	WAIT_FOR(ls_chan_waiters(jobs, LS_SEND) == 1);
	WAIT_FOR(ls_chan_waiters(done, LS_RECV) == 1);
}

/* ---- WaitGroup, Cond, Once ---- */

static struct ls_waitgroup workers = LS_WAITGROUP_INIT("workers");
static struct ls_mutex ready_mu = LS_MUTEX_INIT("ready.L");
static struct ls_cond ready;
static struct ls_once init_once = LS_ONCE_INIT("init");
static int init_started;

static void wg_waiter(void *arg)
{
	ls_waitgroup_wait(&workers);
}

static void cond_waiter(void *arg)
{
	ls_mutex_lock(&ready_mu);
	ls_cond_wait(&ready);
	ls_mutex_unlock(&ready_mu);
}

static void slow_init(void *arg)
{
	ST(&init_started, 1);
	ls_sleep(60 * LS_SEC);
}

static void init_caller(void *arg)
{
	ls_once_do(&init_once, slow_init, NULL);
}

static void scene_sync(void)
{
	ls_cond_init(&ready, &ready_mu, "ready");
	ls_waitgroup_add(&workers, 2);
	go(wg_waiter, NULL, "waiter");
	WAIT_FOR(ls_waitgroup_waiters(&workers) == 1);
	go(cond_waiter, NULL, "consumer-1");
	WAIT_FOR(LD(&ready.notify.wait) == 1 && !(ls_mutex_state(&ready_mu) & 1));
	go(cond_waiter, NULL, "consumer-2");
	WAIT_FOR(LD(&ready.notify.wait) == 2 && !(ls_mutex_state(&ready_mu) & 1));
	go(init_caller, NULL, "init-1");
	WAIT_FOR(LD(&init_started));
	go(init_caller, NULL, "init-2");
	WAIT_FOR(waiters(&init_once.m) == 1);
	ls_waitgroup_done(&workers);
}

/* ---- lock order ---- */

static struct ls_mutex lock_a = LS_MUTEX_INIT("A"), lock_b = LS_MUTEX_INIT("B");

static void a_then_b(void *arg)
{
	ls_mutex_lock(&lock_a);
	ls_mutex_lock(&lock_b);
	ls_mutex_unlock(&lock_b);
	ls_mutex_unlock(&lock_a);
}

static void b_then_a(void *arg)
{
	ls_mutex_lock(&lock_b);
	ls_mutex_lock(&lock_a);
	ls_mutex_unlock(&lock_a);
	ls_mutex_unlock(&lock_b);
}

static void scene_lockorder(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	ls_waitgroup_go(&wg, a_then_b, NULL, "worker-1");
	ls_waitgroup_wait(&wg);
	ls_waitgroup_go(&wg, b_then_a, NULL, "worker-2");
	ls_waitgroup_wait(&wg);
}

/* ---- panic ---- */

static void closer(void *arg)
{
	ls_chan_close(arg);
}

static void scene_panic(void)
{
	struct ls_chan *events = ls_chan_make(sizeof(int64_t), 1, "events");
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");
	int64_t v = 7;

	if (!events)
		die("ls_chan_make failed");
	ls_waitgroup_go(&wg, closer, events, "closer");
	ls_waitgroup_wait(&wg);
	ls_chan_send(events, &v);	/* panic: send on closed channel */
}

static const struct {
	const char *name;
	void (*fn)(void);
} scenes[] = {
	{ "mutex", scene_mutex },
	{ "starve", scene_starve },
	{ "handoff", scene_handoff },
	{ "rwmutex", scene_rwmutex },
	{ "chan", scene_chan },
	{ "sync", scene_sync },
	{ "lockorder", scene_lockorder },
	{ "panic", scene_panic },
};

int main(int argc, char **argv)
{
	for (size_t i = 0; argc == 2 && i < sizeof(scenes) / sizeof(scenes[0]); i++) {
		if (!strcmp(argv[1], scenes[i].name)) {
			scenes[i].fn();
			printf("ok\n");
			return 0;
		}
	}
	fprintf(stderr, "usage: ui_scenes mutex|starve|handoff|rwmutex|chan|sync|lockorder|"
		"panic\n");
	return 2;
}
