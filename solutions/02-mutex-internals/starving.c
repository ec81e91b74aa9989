// SPDX-License-Identifier: MIT
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
 * Solution: the hog rests while holding the lock and re-locks at once after
 * each unlock.  The victim parks; each Unlock wakes it, but the hog, already
 * running, takes the lock again before the victim gets going.  The victim
 * has by then waited more than 1 ms, so its next attempt sets the starving
 * bit (MUTEX_STARVE), and the following Unlock hands the lock directly to
 * it (MUTEX_HANDOFF).  The victim comes back a few times: on a busy
 * machine the woken victim occasionally gets going before the hog re-locks.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define ROUNDS	20
#define TRIES	5

static struct ls_mutex mu = LS_MUTEX_INIT("mu");
static struct ls_waitgroup holding = LS_WAITGROUP_INIT("holding");
static int64_t victim_waited;

static void hog(void *arg)
{
	ls_mutex_lock(&mu);
	ls_waitgroup_done(&holding);
	for (int i = 0; i < ROUNDS; i++) {
		ls_sleep(2 * LS_MSEC);		/* rest with the lock held */
		ls_mutex_unlock(&mu);
		ls_mutex_lock(&mu);		/* and barge straight back in */
	}
	ls_mutex_unlock(&mu);
}

static void victim(void *arg)
{
	for (int i = 0; i < TRIES; i++) {
		int64_t t0 = ls_now(), waited;

		ls_mutex_lock(&mu);
		waited = ls_now() - t0;
		printf("victim: got the lock after %.2f ms\n", waited / 1e6);
		ls_mutex_unlock(&mu);
		if (waited > victim_waited)
			victim_waited = waited;
		ls_sleep(LS_MSEC);		/* let the hog back in */
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

	if (victim_waited <= LS_MUTEX_STARVATION_THRESHOLD_NS) {
		fprintf(stderr, "FAIL: the victim waited only %lld ns\n",
			(long long)victim_waited);
		return 1;
	}
	return 0;
}
