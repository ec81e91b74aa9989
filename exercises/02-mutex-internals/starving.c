// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       02-mutex-internals/starving
 * chapter:  02
 * lesson:   02-mutex-internals
 * title:    Put the mutex into starvation mode
 * kind:     make
 * goal:     mutex-starving
 * achieve:  Change the hog so that the victim waits more than 1 ms and then
 *           still loses the lock, which switches the mutex into starvation mode.
 * hint:     Starvation mode starts when a woken waiter has waited over 1 ms in
 *           total and finds the mutex locked again.
 * hint:     A waiter that is woken does not own the lock: a goroutine that is
 *           already running and calls Lock at that moment usually gets it first.
 * hint:     Let the hog rest (ls_sleep) while it still holds the lock, and
 *           re-lock right after each unlock.
 */
/*
 * The hog takes the lock over and over.  The victim wants it a few times.
 *
 * In normal mode a woken waiter has to compete with goroutines that are
 * running right now, and those usually win: they are on a CPU, the waiter is
 * still being woken.  Go accepts that for throughput, but caps the
 * unfairness: a waiter that has waited more than 1 ms switches the mutex into
 * starvation mode, where Unlock hands the lock straight to the oldest waiter.
 *
 * As written, the hog rests between its rounds *after* unlocking, so the
 * victim simply gets the lock during a rest.  Rework hog() so that the
 * victim starves.  Watch MUTEX_STARVE in `lockstep run`.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define ROUNDS	20
#define TRIES	5

static struct ls_mutex mu = LS_MUTEX_INIT("mu");
static struct ls_waitgroup holding = LS_WAITGROUP_INIT("holding");

static void hog(void *arg)
{
	ls_mutex_lock(&mu);
	ls_waitgroup_done(&holding);		/* the victim may start now */
	for (int i = 0; i < ROUNDS; i++) {
		ls_mutex_unlock(&mu);
		ls_sleep(2 * LS_MSEC);		/* rest between rounds */
		ls_mutex_lock(&mu);
	}
	ls_mutex_unlock(&mu);
}

static void victim(void *arg)
{
	for (int i = 0; i < TRIES; i++) {
		int64_t t0 = ls_now();

		ls_mutex_lock(&mu);
		printf("victim: got the lock after %.2f ms\n", (ls_now() - t0) / 1e6);
		ls_mutex_unlock(&mu);
		ls_sleep(LS_MSEC);
	}
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	ls_waitgroup_add(&holding, 1);
	ls_waitgroup_go(&wg, hog, NULL, "hog");
	ls_waitgroup_wait(&holding);
	ls_waitgroup_go(&wg, victim, NULL, "victim");
	ls_waitgroup_wait(&wg);
	return 0;
}
