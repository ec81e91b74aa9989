// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       06-waitgroup/add-inside
 * chapter:  06
 * lesson:   06-waitgroup
 * title:    Add called inside the goroutine it counts
 * kind:     fix
 * verdict:  race
 * achieve:  Make Wait return only after all four workers have stored their
 *           results, so that main reads the final sum.
 * hint:     What is the WaitGroup's counter when main calls Wait?
 * hint:     Wait returns at once when the counter is 0, and nothing the
 *           workers do later is ordered before main's reads.
 * hint:     Call ls_waitgroup_add before ls_go, in the goroutine that will
 *           Wait (or use ls_waitgroup_go, which does both).
 */
/*
 * Four workers each compute a part of a sum.  Each worker registers itself
 * with Add(1) when it starts and calls Done when it has stored its part.
 * main waits for the group and adds the parts up.
 *
 * The workers take a moment to get going (the ls_sleep), which makes the
 * bad timing happen every run.  main then carries on with other work for a
 * while before it exits.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define WORKERS	4

static struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");
static int64_t part[WORKERS];

static void worker(void *arg)
{
	int id = (int)(intptr_t)arg;

	ls_sleep(50 * LS_MSEC);			/* slow to start */
	ls_waitgroup_add(&wg, 1);
	ls_store(&part[id], (id + 1) * 100, "part");
	ls_waitgroup_done(&wg);
}

int main(void)
{
	int64_t sum = 0;

	for (int i = 0; i < WORKERS; i++)
		ls_go(worker, (void *)(intptr_t)i, "worker");
	ls_waitgroup_wait(&wg);

	for (int i = 0; i < WORKERS; i++)
		sum += ls_load(&part[i], "part");
	printf("sum = %lld (expected 1000)\n", (long long)sum);

	ls_sleep(150 * LS_MSEC);		/* other work */
	return 0;
}
