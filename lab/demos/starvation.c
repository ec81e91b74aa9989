// SPDX-License-Identifier: MIT
/*
 * starvation.c - `lockstep demo starvation`: a mutex driven into
 * starvation mode and back (GO-SEMANTICS.md, section 1).
 *
 *   1. hog locks mu and keeps it for a step.
 *   2. victim calls Lock and parks: mu = locked | 1 waiter.
 *   3. hog unlocks, which wakes the victim (woken bit), and locks again
 *      at once.  The hog is on a CPU, the victim is still waking up: the
 *      hog wins, and the victim finds mu locked again.
 *   4. victim has waited more than 1 ms: it sets the starving bit and
 *      parks again, at the head of the queue.
 *   5. newcomer calls Lock: in starvation mode it may not take the mutex
 *      or spin, it queues at the tail.
 *   6. hog unlocks: the mutex is handed to the head waiter, the victim.
 *      It stays in starvation mode: the newcomer still waits.
 *   7. victim unlocks: handed to the newcomer, the last waiter, so the
 *      mutex goes back to normal mode.
 *
 * Step 3 is a race, the one the demo is about.  In Go the hog wins it:
 * goready puts the woken goroutine on a run queue, and the unlocker keeps
 * its CPU and re-locks first.  Goroutines here are threads, and the kernel
 * may run the woken victim at once, on another CPU or in the hog's place.
 * So the victim runs on the hog's CPU only, as SCHED_BATCH, a policy that
 * never preempts a running thread when it wakes: like Go's woken
 * goroutine it waits for the hog to give up the CPU (ls_sleep), and the
 * hog's re-lock comes first on every run, even on a busy machine.  Should
 * the victim win all the same (the calls may fail), it got the lock in
 * normal mode: it gives the lock back, lets the hog take it again, queues
 * again, and the round is played once more.
 */
#define _GNU_SOURCE
#include <sched.h>

#include <lockstep/lockstep.h>

#include "demo.h"

#define MAX_ROUNDS	10

static struct ls_mutex mu = LS_MUTEX_INIT("mu");
static struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");
static int hog_locks;		/* times the hog got mu */
static int handing_off;		/* the hog's next Unlock hands mu off */
static int hog_cpu = -1;

/* Run the calling thread on cpu only (see the top). */
static void pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static int waiters(void)
{
	return ls_mutex_state(&mu) >> LS_MUTEX_WAITER_SHIFT;
}

static void newcomer(void *arg)
{
	ls_mutex_lock(&mu);		/* starving: to the tail of the queue */
	demo_step(1);
	ls_mutex_unlock(&mu);
}

static void hog(void *arg)
{
	__atomic_store_n(&hog_cpu, sched_getcpu(), __ATOMIC_SEQ_CST);
	pin(hog_cpu);
	ls_mutex_lock(&mu);
	__atomic_add_fetch(&hog_locks, 1, __ATOMIC_SEQ_CST);
	demo_step(2);				/* holding mu; the victim queues */
	for (int round = 0;; round++) {
		DEMO_WAIT_UNTIL(waiters() >= 1);
		if (ls_mutex_state(&mu) & LS_MUTEX_STARVING)
			break;
		if (round == MAX_ROUNDS) {
			fprintf(stderr, "demo: the victim won the race %d times in a row\n",
				MAX_ROUNDS);
			exit(3);
		}
		ls_mutex_unlock(&mu);		/* wakes the victim ... */
		ls_mutex_lock(&mu);		/* ... and barges straight back in */
		__atomic_add_fetch(&hog_locks, 1, __ATOMIC_SEQ_CST);
		demo_step(1);			/* the victim wakes, starves, queues */
	}

	/* Starvation mode, the victim at the head: a newcomer arrives. */
	ls_waitgroup_go(&wg, newcomer, NULL, "newcomer");
	demo_step(1);
	DEMO_WAIT_UNTIL(waiters() >= 2);
	__atomic_store_n(&handing_off, 1, __ATOMIC_SEQ_CST);
	ls_mutex_unlock(&mu);			/* hand-off to the victim */
}

static void victim(void *arg)
{
	struct sched_param sp = { 0 };

	/* see the top */
	pin(__atomic_load_n(&hog_cpu, __ATOMIC_SEQ_CST));
	sched_setscheduler(0, SCHED_BATCH, &sp);
	for (;;) {
		int seen;

		ls_mutex_lock(&mu);
		if (__atomic_load_n(&handing_off, __ATOMIC_SEQ_CST))
			break;
		/* It won the race this time: give mu back, queue again. */
		seen = __atomic_load_n(&hog_locks, __ATOMIC_SEQ_CST);
		ls_mutex_unlock(&mu);
		DEMO_WAIT_UNTIL(__atomic_load_n(&hog_locks, __ATOMIC_SEQ_CST) > seen);
	}
	demo_step(1);
	ls_mutex_unlock(&mu);			/* hand-off to the newcomer */
}

int main(void)
{
	ls_waitgroup_go(&wg, hog, NULL, "hog");
	demo_step(1);
	DEMO_WAIT_UNTIL(ls_mutex_state(&mu) & LS_MUTEX_LOCKED);
	ls_waitgroup_go(&wg, victim, NULL, "victim");
	ls_waitgroup_wait(&wg);
	return 0;
}
