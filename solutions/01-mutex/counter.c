// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       01-mutex/counter
 * chapter:  01
 * lesson:   01-mutex
 * title:    Four goroutines, one counter, lost updates
 * kind:     fix
 * verdict:  race
 * achieve:  Make the final count exactly 4 x 1000 on every run, with no race reported.
 * hint:     "count = count + 1" is three steps: load, add, store.  What if two
 *           goroutines both load 41?
 * hint:     The load and the store must happen with nobody else in between:
 *           that is a critical section.
 * hint:     Put ls_mutex_lock/ls_mutex_unlock around the load and the store,
 *           with one struct ls_mutex shared by all four workers.
 */
/*
 * Solution: one mutex guards the counter.  The load and the store now form
 * a critical section, so no update is lost, and each Unlock happens before
 * the next Lock, which orders every access for the race detector.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define WORKERS	4
#define ROUNDS	1000

static int64_t count;
static struct ls_mutex mu = LS_MUTEX_INIT("count.mu");
static struct ls_waitgroup wg = LS_WAITGROUP_INIT("workers");

static void worker(void *arg)
{
	for (int i = 0; i < ROUNDS; i++) {
		ls_mutex_lock(&mu);
		ls_store(&count, ls_load(&count, "count") + 1, "count");
		ls_mutex_unlock(&mu);
	}
}

int main(void)
{
	for (int i = 0; i < WORKERS; i++)
		ls_waitgroup_go(&wg, worker, NULL, "worker");
	ls_waitgroup_wait(&wg);

	printf("count = %lld (expected %d)\n", (long long)count, WORKERS * ROUNDS);
	if (count != WORKERS * ROUNDS) {
		fprintf(stderr, "FAIL: updates were lost\n");
		return 1;
	}
	return 0;
}
