// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       04-mutex-extensions/trylock-give-up
 * chapter:  04
 * lesson:   04-mutex-extensions
 * title:    Try a few times, give up, and unlock anyway
 * kind:     fix
 * verdict:  panic
 * achieve:  Make the worker release the lock only if one of its TryLock calls
 *           succeeded, so that main's own unlock stays valid.
 * hint:     The fatal error comes from main, not from the worker.  Why is the
 *           mutex already unlocked when main releases it?
 * hint:     A Go mutex has no owner: any goroutine may unlock it, even one that
 *           never locked it.
 * hint:     Remember whether TryLock returned true, and unlock only then.
 */
/*
 * The worker wants the lock but has something better to do than wait: it
 * tries a few times (TryLock, yield, TryLock, ...) and then gives up.  Here
 * main holds the lock the whole time, so the worker always gives up.
 *
 * TryLock returning false creates no obligation to unlock, and no ordering
 * either.  Look at what the worker's unlock really released.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define TRIES	5

static struct ls_mutex mu = LS_MUTEX_INIT("mu");

static void worker(void *arg)
{
	bool got = false;

	for (int i = 0; i < TRIES && !got; i++) {
		got = ls_mutex_trylock(&mu);
		if (!got)
			ls_gosched();
	}
	if (got)
		printf("worker: got the lock, doing the optional work\n");
	else
		printf("worker: busy, skipping the optional work\n");
	ls_mutex_unlock(&mu);
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	ls_mutex_lock(&mu);
	printf("main: holding the lock\n");
	ls_waitgroup_go(&wg, worker, NULL, "worker");
	ls_waitgroup_wait(&wg);
	printf("main: releasing the lock\n");
	ls_mutex_unlock(&mu);
	return 0;
}
