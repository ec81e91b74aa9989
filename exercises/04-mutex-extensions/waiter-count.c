// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       04-mutex-extensions/waiter-count
 * chapter:  04
 * lesson:   04-mutex-extensions
 * title:    Reading the number of waiters from the state word
 * kind:     fix
 * verdict:  deadlock
 * achieve:  Decode the waiter count from the mutex state word correctly, so
 *           that main waits for exactly the workers that queued.
 * hint:     Print the raw state next to what waiters() returns.
 * hint:     The low three bits are flags: locked (1), woken (2), starving (4).
 *           The rest is the waiter count.
 * hint:     Shift by LS_MUTEX_WAITER_SHIFT, not by 1.
 */
/*
 * Go's Mutex packs everything into one int32: three flag bits and, above
 * them, the number of goroutines parked on it.  Reading that word is how
 * the course's extended mutex reports its waiters (and how lockstep's UI
 * draws the queue).
 *
 * main holds the lock, starts three workers, and waits until they have
 * queued.  It then counts the waiters and expects one "done" per waiter.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define WORKERS	3

static struct ls_mutex mu = LS_MUTEX_INIT("mu");
static struct ls_waitgroup finished = LS_WAITGROUP_INIT("finished");

static int waiters(const struct ls_mutex *m)
{
	return ls_mutex_state(m) >> 1;
}

static void worker(void *arg)
{
	ls_mutex_lock(&mu);
	ls_mutex_unlock(&mu);
	ls_waitgroup_done(&finished);
}

int main(void)
{
	int n;

	ls_mutex_lock(&mu);
	for (int i = 0; i < WORKERS; i++)
		ls_go(worker, NULL, "worker");
	while (waiters(&mu) < WORKERS)
		ls_sleep(100 * LS_USEC);

	n = waiters(&mu);
	printf("state 0x%x: %d waiter(s)\n", (unsigned)ls_mutex_state(&mu), n);
	ls_waitgroup_add(&finished, n);
	ls_mutex_unlock(&mu);
	ls_waitgroup_wait(&finished);
	printf("all %d done\n", n);
	return 0;
}
