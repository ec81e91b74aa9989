// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       06-waitgroup/done-too-many
 * chapter:  06
 * lesson:   06-waitgroup
 * title:    Done called twice by one worker
 * kind:     fix
 * verdict:  panic
 * achieve:  Make each worker call Done exactly once, on every path.
 * hint:     Count the Done calls a worker makes when its job fails.
 * hint:     The counter may never go below zero: Go panics rather than let a
 *           later Wait return early.
 * hint:     Keep a single Done at the single exit of the function.
 */
/*
 * Three workers process jobs; job 2 is the slow one, and it fails.  The
 * failure path reports the error and calls Done so that main is not kept
 * waiting, then falls through to the normal end of the function, which
 * calls Done as well.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define JOBS	3

static struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");
static int processed;
static struct ls_mutex mu = LS_MUTEX_INIT("mu");

static void worker(void *arg)
{
	int job = (int)(intptr_t)arg;

	ls_sleep(job == 2 ? 60 * LS_MSEC : 5 * LS_MSEC);	/* the work */
	if (job == 2) {
		printf("job %d: failed\n", job);
		ls_waitgroup_done(&wg);
	} else {
		ls_mutex_lock(&mu);
		processed++;
		ls_mutex_unlock(&mu);
		printf("job %d: ok\n", job);
	}
	ls_waitgroup_done(&wg);
}

int main(void)
{
	for (int i = 1; i <= JOBS; i++) {
		ls_waitgroup_add(&wg, 1);
		ls_go(worker, (void *)(intptr_t)i, "worker");
	}
	ls_waitgroup_wait(&wg);
	printf("%d job(s) processed\n", processed);
	ls_sleep(100 * LS_MSEC);		/* write the report */
	return 0;
}
