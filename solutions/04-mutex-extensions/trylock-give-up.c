// SPDX-License-Identifier: MIT
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
 * Solution: the worker unlocks only on the path where TryLock succeeded.
 * main's lock is left alone, and main releases it normally.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define TRIES	5

static struct ls_mutex mu = LS_MUTEX_INIT("mu");
static bool worker_got;

static void worker(void *arg)
{
	bool got = false;

	for (int i = 0; i < TRIES && !got; i++) {
		got = ls_mutex_trylock(&mu);
		if (!got)
			ls_gosched();
	}
	if (!got) {
		printf("worker: busy, skipping the optional work\n");
		return;
	}
	printf("worker: got the lock, doing the optional work\n");
	worker_got = true;
	ls_mutex_unlock(&mu);
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	ls_mutex_lock(&mu);
	printf("main: holding the lock\n");
	ls_waitgroup_go(&wg, worker, NULL, "worker");
	ls_waitgroup_wait(&wg);
	if (worker_got || !(ls_mutex_state(&mu) & LS_MUTEX_LOCKED)) {
		fprintf(stderr, "FAIL: main's lock was taken from it\n");
		return 1;
	}
	printf("main: releasing the lock\n");
	ls_mutex_unlock(&mu);
	return 0;
}
