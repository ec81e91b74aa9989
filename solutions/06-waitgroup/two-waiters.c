// SPDX-License-Identifier: MIT
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
 * Solution: a small "opener" goroutine waits until both main and the
 * reporter are parked on "workers" (ls_waitgroup_waiters() == 2), then
 * opens the gate.  The workers' last Done releases both waiters at once.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define WORKERS	3

static struct ls_waitgroup workers = LS_WAITGROUP_INIT("workers");
static struct ls_mutex gate = LS_MUTEX_INIT("gate");	/* held = closed */
static uint32_t seen_waiters;

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

static void opener(void *arg)
{
	while ((seen_waiters = ls_waitgroup_waiters(&workers)) < 2)
		ls_sleep(100 * LS_USEC);
	ls_mutex_unlock(&gate);		/* main locked it; any goroutine may unlock */
}

int main(void)
{
	struct ls_waitgroup all = LS_WAITGROUP_INIT("all");

	ls_mutex_lock(&gate);
	ls_waitgroup_add(&workers, WORKERS);
	for (int i = 0; i < WORKERS; i++)
		ls_go(worker, NULL, "worker");

	ls_waitgroup_go(&all, reporter, NULL, "reporter");
	ls_waitgroup_go(&all, opener, NULL, "opener");
	ls_waitgroup_wait(&workers);
	printf("main: all workers done (%u waiters were parked)\n", seen_waiters);

	ls_waitgroup_wait(&all);
	if (seen_waiters != 2) {
		fprintf(stderr, "FAIL: expected two waiters\n");
		return 1;
	}
	return 0;
}
