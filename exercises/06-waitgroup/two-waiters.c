// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       06-waitgroup/two-waiters
 * chapter:  06
 * lesson:   06-waitgroup
 * title:    Two goroutines waiting on one WaitGroup
 * kind:     make
 * goal:     wg-waiters-2
 * achieve:  Have the reporter and main both parked in Wait on the same group
 *           before the workers are let go.
 * hint:     Wait is not only for the goroutine that called Add: any number of
 *           goroutines may wait, and all are released when the counter hits 0.
 * hint:     The waiter count lives in the low 32 bits of the state word;
 *           ls_waitgroup_waiters() reads it.
 * hint:     Start the reporter before opening the gate, and open it only once
 *           ls_waitgroup_waiters() says 2 ... but who will open it, if main
 *           is one of the waiters?
 */
/*
 * Three workers wait at a gate (a mutex that main holds until it opens the
 * gate) and then do their job.  main opens the gate and waits for the
 * workers; afterwards a reporter waits on the same group and prints.
 *
 * A WaitGroup keeps its counter in the high 32 bits of one 64-bit word and
 * the number of parked waiters in the low 32 bits: Wait increments the
 * waiter count with a CAS and parks; the Done that brings the counter to 0
 * releases every waiter at once (WG_RELEASE).
 *
 * Change the program so that two goroutines are parked in Wait on "workers"
 * at the same time (WG_WAIT with 2 waiters).
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define WORKERS	3

static struct ls_waitgroup workers = LS_WAITGROUP_INIT("workers");
static struct ls_mutex gate = LS_MUTEX_INIT("gate");	/* held = closed */

static void worker(void *arg)
{
	ls_mutex_lock(&gate);			/* wait for the gate to open */
	ls_mutex_unlock(&gate);
	ls_waitgroup_done(&workers);
}

static void reporter(void *arg)
{
	ls_waitgroup_wait(&workers);
	printf("reporter: all workers done\n");
}

int main(void)
{
	struct ls_waitgroup all = LS_WAITGROUP_INIT("all");

	ls_mutex_lock(&gate);
	ls_waitgroup_add(&workers, WORKERS);
	for (int i = 0; i < WORKERS; i++)
		ls_go(worker, NULL, "worker");

	ls_mutex_unlock(&gate);			/* open the gate */
	ls_waitgroup_wait(&workers);
	printf("main: all workers done\n");

	ls_waitgroup_go(&all, reporter, NULL, "reporter");
	ls_waitgroup_wait(&all);
	return 0;
}
