// SPDX-License-Identifier: MIT
/*
 * procpin.c - a per-thread "P", pins, grace periods and stop-the-world
 * (Go: runtime_procPin/procUnpin in proc.go, and the STW of the collector
 * that runs poolCleanup).
 *
 * Go's sync.Pool keeps one poolLocal per P and touches it only while pinned
 * (preemption off), so the owner never races with itself, and the garbage
 * collector's stop-the-world cannot happen in the middle of a Get or Put.
 * We have threads, not Ps, and no collector, so this file provides the same
 * three guarantees:
 *
 *   pid	every thread that uses a Pool or a Map gets a small integer,
 *		unique among live threads; it is handed back when the thread
 *		exits and reused by the next one (as a P outlives the Ms that
 *		run it).
 *
 *   pin	a per-P sequence number, odd while pinned.  Pinning is one
 *		atomic add; it then checks the stop-the-world flag and, if a
 *		stop is under way, steps back and waits for it to end.
 *
 *   grace	ls__synchronize() waits until every P that was pinned when it
 *		started has unpinned (its sequence number moved).  sync.Map
 *		swaps its read map, waits a grace period, and then knows that
 *		no lock-free reader still holds the old one: that is what
 *		Go's garbage collector gives it for free.
 *
 *   STW	ls__stop_the_world() raises the flag and waits a grace period:
 *		afterwards no thread is inside a Get or Put, and none can
 *		enter until ls__start_the_world().  ls_pool_gc runs its
 *		poolCleanup in between.
 *
 * Waiting here is a yield loop, not a park: pins last a few dozen
 * instructions and never block, so the wait is short, and a spinning thread
 * is still counted as running by the all-asleep check.
 */
#include <pthread.h>

#include <lockstep/sync.h>
#include "internal.h"

struct pin_p {
	uint64_t	seq;	/* odd while pinned */
	int		used;	/* owned by a live thread */
} __attribute__((aligned(64)));

static struct pin_p allp[LS_PIN_MAXP];
static int pin_hwm;
static int stw;
static struct ls_mutex stw_mu = LS_MUTEX_INIT("pool STW");
static pthread_key_t pid_key;
static pthread_once_t pid_key_once = PTHREAD_ONCE_INIT;
static __thread int my_pid = -1;

static void pid_release(void *arg)
{
	int pid = (int)(intptr_t)arg - 1;

	__atomic_store_n(&allp[pid].used, 0, __ATOMIC_RELEASE);
}

/*
 * After fork() only the forking thread is left: every other P is free, and
 * none can be pinned or stopping the world (fork is never called pinned).
 */
static void pin_atfork_child(void)
{
	for (int i = 0; i < LS_PIN_MAXP; i++) {
		if (i == my_pid)
			continue;
		allp[i].used = 0;
		allp[i].seq = 0;
	}
	stw = 0;
	stw_mu = (struct ls_mutex)LS_MUTEX_INIT("pool STW");
}

static void pid_key_init(void)
{
	pthread_key_create(&pid_key, pid_release);
	pthread_atfork(NULL, NULL, pin_atfork_child);
}

static int pid_alloc(void)
{
	pthread_once(&pid_key_once, pid_key_init);
	for (int i = 0; i < LS_PIN_MAXP; i++) {
		int zero = 0, hwm;

		if (__atomic_load_n(&allp[i].used, __ATOMIC_RELAXED) ||
		    !__atomic_compare_exchange_n(&allp[i].used, &zero, 1, false,
						 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			continue;
		/* seq_cst: a grace period that misses this pid must also
		 * precede its first pin in the total order. */
		hwm = __atomic_load_n(&pin_hwm, __ATOMIC_SEQ_CST);
		while (hwm < i + 1 &&
		       !__atomic_compare_exchange_n(&pin_hwm, &hwm, i + 1, false,
						    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			;
		pthread_setspecific(pid_key, (void *)(intptr_t)(i + 1));
		my_pid = i;
		return i;
	}
	ls_fatal("lockstep: more than 1024 threads use sync.Pool or sync.Map at once");
}

int ls__pin(void)
{
	int pid = my_pid >= 0 ? my_pid : pid_alloc();
	struct pin_p *p = &allp[pid];

	for (;;) {
		__atomic_add_fetch(&p->seq, 1, __ATOMIC_SEQ_CST);
		if (!__atomic_load_n(&stw, __ATOMIC_SEQ_CST))
			return pid;
		__atomic_add_fetch(&p->seq, 1, __ATOMIC_SEQ_CST);
		while (__atomic_load_n(&stw, __ATOMIC_ACQUIRE))
			ls_gosched();
	}
}

void ls__unpin(void)
{
	__atomic_add_fetch(&allp[my_pid].seq, 1, __ATOMIC_RELEASE);
}

int ls__pin_hwm(void)
{
	return __atomic_load_n(&pin_hwm, __ATOMIC_SEQ_CST);
}

void ls__synchronize(void)
{
	int n = ls__pin_hwm();

	for (int i = 0; i < n; i++) {
		uint64_t s = __atomic_load_n(&allp[i].seq, __ATOMIC_SEQ_CST);

		if (!(s & 1))
			continue;
		while (__atomic_load_n(&allp[i].seq, __ATOMIC_ACQUIRE) == s)
			ls_gosched();
	}
}

void ls__stop_the_world(void)
{
	ls_mutex_lock(&stw_mu);
	__atomic_store_n(&stw, 1, __ATOMIC_SEQ_CST);
	ls__synchronize();
}

void ls__start_the_world(void)
{
	__atomic_store_n(&stw, 0, __ATOMIC_SEQ_CST);
	ls_mutex_unlock(&stw_mu);
}
