// SPDX-License-Identifier: MIT
/*
 * timer.c - runtime timers (Go: runtime/time.go, the timer heap and
 * checkdead's "timers exist" test in proc.go).
 *
 * Go keeps a 4-ary min-heap of timers per P and runs them from the
 * scheduler; a timer's function (sendTime for time.After, the AfterFunc
 * goroutine for a context deadline) must not block.  We have no scheduler
 * loop to piggyback on, so one runtime thread owns one 4-ary min-heap keyed
 * by the deadline (CLOCK_MONOTONIC ns), whatever the number of timers: timers
 * do not cost a thread each.
 *
 * Life of a timer:
 *
 *	ls__timer_add ──▶ PENDING (in the heap, counted by ls__timers_add(+1))
 *	                    │                          │
 *	        deadline reached: the timer     ls__timer_stop: removed from the
 *	        thread pops it, unlocks, runs   heap, uncounted, returns true
 *	        fn(arg), then uncounts it
 *
 * The pending count is what keeps the all-asleep check quiet while a
 * goroutine waits for a timer, exactly as checkdead returns early when any P
 * has timers.  It is dropped only after fn returned: fn usually readies a
 * goroutine, and counting that goroutine before uncounting the timer means
 * the running+timers word never touches zero by mistake.  If fn readied
 * nobody and every goroutine is parked, the drop itself reports the
 * deadlock, as Go would on its next checkdead.
 *
 * Timers live in a slot table owned by this file.  A handle is the slot
 * index plus the slot's generation, which is bumped each time the slot is
 * freed, so a stale handle (the timer already fired) is recognised and
 * ls__timer_stop returns false instead of removing somebody else's timer
 * (a slot would have to be reused 2^31 times for a handle to come back).
 *
 * The timer thread sleeps on a futex word (wakeseq) with an absolute
 * CLOCK_MONOTONIC deadline: that of the heap's root, or none when the heap is
 * empty.  Adding a timer that becomes the new root bumps wakeseq and wakes it.
 * The thread is started by the first ls__timer_add, with every signal
 * blocked, and marks itself a runtime thread (never a goroutine).
 *
 * Deviations from Go: one heap for the process instead of one per P (there
 * are no Ps); no timer modification (Reset) is needed by our callers, so a
 * timer is only added or stopped; after fork() the child has no timer thread
 * and its copy of the parent's timers is discarded (Go does not fork).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "runtime.h"

#define HEAP_ARITY	4

struct timer {
	int64_t		when;
	void		(*fn)(void *arg);
	void		*arg;
	uint32_t	gen;	/* odd while pending: part of the handle */
	int32_t		heapi;	/* index in heap[] while pending; next free slot otherwise */
};

static struct {
	uint32_t	lock;		/* runtime lock over everything below */
	uint32_t	wakeseq;	/* futex word the timer thread sleeps on */
	bool		started;
	struct timer	*slots;
	uint32_t	nslots, capslots;	/* capslots: also heap[]'s length */
	int32_t		freeslot;	/* head of the free slot list, -1 if none */
	uint32_t	*heap;		/* slot indices, a 4-ary min-heap on when */
	uint32_t	nheap;
} tm = { .freeslot = -1 };

static bool before(uint32_t a, uint32_t b)
{
	return tm.slots[a].when < tm.slots[b].when;
}

static void heap_set(uint32_t i, uint32_t slot)
{
	tm.heap[i] = slot;
	tm.slots[slot].heapi = (int32_t)i;
}

static void siftup(uint32_t i)
{
	uint32_t s = tm.heap[i];

	while (i > 0) {
		uint32_t p = (i - 1) / HEAP_ARITY;

		if (!before(s, tm.heap[p]))
			break;
		heap_set(i, tm.heap[p]);
		i = p;
	}
	heap_set(i, s);
}

static void siftdown(uint32_t i)
{
	uint32_t s = tm.heap[i];

	for (;;) {
		uint32_t c = i * HEAP_ARITY + 1, best = UINT32_MAX;

		for (uint32_t k = c; k < c + HEAP_ARITY && k < tm.nheap; k++)
			if (best == UINT32_MAX || before(tm.heap[k], tm.heap[best]))
				best = k;
		if (best == UINT32_MAX || !before(tm.heap[best], s))
			break;
		heap_set(i, tm.heap[best]);
		i = best;
	}
	heap_set(i, s);
}

/* Take heap[i] out of the heap (Go: deltimer's heap surgery). */
static void heap_remove(uint32_t i)
{
	uint32_t last = --tm.nheap;

	if (i != last) {
		heap_set(i, tm.heap[last]);
		siftdown(i);
		siftup(i);
	}
}

static int32_t slot_alloc(void)
{
	int32_t i = tm.freeslot;

	if (i >= 0) {
		tm.freeslot = tm.slots[i].heapi;
		return i;
	}
	if (tm.nslots == tm.capslots) {
		uint32_t n = tm.capslots ? tm.capslots * 2 : 64;
		struct timer *s = realloc(tm.slots, n * sizeof(*s));
		uint32_t *h = realloc(tm.heap, n * sizeof(*h));

		if (s)
			tm.slots = s;
		if (h)
			tm.heap = h;
		if (!s || !h)
			return -1;
		tm.capslots = n;
	}
	tm.slots[tm.nslots].gen = 0;
	return (int32_t)tm.nslots++;
}

static void slot_free(uint32_t i)
{
	tm.slots[i].gen++;		/* even: free; stale handles no longer match */
	tm.slots[i].fn = NULL;
	tm.slots[i].arg = NULL;
	tm.slots[i].heapi = tm.freeslot;
	tm.freeslot = (int32_t)i;
}

static void futex_wake_timer(void)
{
	syscall(SYS_futex, &tm.wakeseq, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Sleep while wakeseq == seq, until the absolute time when (< 0: forever). */
static void futex_sleep_until(uint32_t seq, int64_t when)
{
	struct timespec ts, *tp = NULL;

	if (when >= 0) {
		ts.tv_sec = when / 1000000000;
		ts.tv_nsec = when % 1000000000;
		tp = &ts;
	}
	/* FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline. */
	syscall(SYS_futex, &tm.wakeseq, FUTEX_WAIT_BITSET_PRIVATE, seq, tp, NULL,
		FUTEX_BITSET_MATCH_ANY);
}

static void *timer_main(void *unused)
{
	(void)unused;
	ls__systhread_enter();
	ls__lock(&tm.lock);
	for (;;) {
		int64_t when = -1;
		uint32_t seq;

		if (tm.nheap > 0) {
			uint32_t s = tm.heap[0];
			struct timer *t = &tm.slots[s];

			if (t->when <= ls_now()) {
				void (*fn)(void *) = t->fn;
				void *arg = t->arg;

				heap_remove(0);
				slot_free(s);
				ls__unlock(&tm.lock);
				fn(arg);
				ls__timers_add(-1);
				ls__lock(&tm.lock);
				continue;
			}
			when = t->when;
		}
		seq = __atomic_load_n(&tm.wakeseq, __ATOMIC_RELAXED);
		ls__unlock(&tm.lock);
		futex_sleep_until(seq, when);
		ls__lock(&tm.lock);
	}
	return NULL;
}

/* Called with tm.lock held.  The thread inherits a mask blocking everything. */
static int start_timer_thread(void)
{
	pthread_attr_t attr;
	sigset_t all, old;
	pthread_t th;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&th, &attr, timer_main, NULL);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!err)
		tm.started = true;
	return err;
}

uint64_t ls__timer_add(int64_t when, void (*fn)(void *arg), void *arg)
{
	struct timer *t;
	uint64_t handle;
	bool wake;
	int32_t s;
	int err;

	ls__lock(&tm.lock);
	if (!tm.started && (err = start_timer_thread())) {
		ls__unlock(&tm.lock);
		errno = err;
		return 0;
	}
	s = slot_alloc();
	if (s < 0) {
		ls__unlock(&tm.lock);
		errno = ENOMEM;
		return 0;
	}
	/* Counted before it can fire (and be uncounted). */
	ls__timers_add(1);
	t = &tm.slots[s];
	t->when = when;
	t->fn = fn;
	t->arg = arg;
	t->gen++;			/* odd: pending */
	tm.heap[tm.nheap++] = (uint32_t)s;
	siftup(tm.nheap - 1);
	wake = t->heapi == 0;
	if (wake)
		__atomic_add_fetch(&tm.wakeseq, 1, __ATOMIC_RELAXED);
	handle = (uint64_t)t->gen << 32 | (uint32_t)(s + 1);
	ls__unlock(&tm.lock);
	if (wake)
		futex_wake_timer();
	return handle;
}

bool ls__timer_stop(uint64_t handle)
{
	uint32_t s = (uint32_t)handle - 1;
	uint32_t gen = (uint32_t)(handle >> 32);
	bool stopped = false;

	if (!handle)
		return false;
	ls__lock(&tm.lock);
	if (s < tm.nslots && tm.slots[s].gen == gen && (gen & 1)) {
		heap_remove((uint32_t)tm.slots[s].heapi);
		slot_free(s);
		stopped = true;
	}
	ls__unlock(&tm.lock);
	if (stopped)
		ls__timers_add(-1);
	return stopped;
}

/*
 * fork(): hold the lock across it so the child inherits a consistent table,
 * then give the child an empty one.  Its pending count went with the
 * runtime's own reset of the all-asleep word.
 */
static void timer_prefork(void)
{
	ls__lock(&tm.lock);
}

static void timer_postfork_parent(void)
{
	ls__unlock(&tm.lock);
}

static void timer_postfork_child(void)
{
	free(tm.slots);
	free(tm.heap);
	tm.slots = NULL;
	tm.heap = NULL;
	tm.nslots = tm.capslots = tm.nheap = 0;
	tm.freeslot = -1;
	tm.started = false;
	tm.wakeseq = 0;
	tm.lock = 0;
}

__attribute__((constructor(102)))
static void timer_init(void)
{
	pthread_atfork(timer_prefork, timer_postfork_parent, timer_postfork_child);
}
