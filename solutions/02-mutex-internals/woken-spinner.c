// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       02-mutex-internals/woken-spinner
 * chapter:  02
 * lesson:   02-mutex-internals
 * title:    A spinner sets the woken bit
 * kind:     make
 * goal:     mutex-woken-spinner
 * achieve:  Make the late goroutine spin on the held mutex while another waiter
 *           is parked, so that it sets the mutexWoken bit.
 * hint:     A goroutine spins in Lock only while the mutex is locked in normal
 *           mode, on a multi-core machine, and while some other goroutine is
 *           running.
 * hint:     While the holder sleeps, nobody else is running: the late goroutine
 *           has no reason to spin, since nobody can release the lock soon.
 * hint:     Keep the holder busy on the CPU (a loop that reads ls_now) instead
 *           of sleeping while it holds the lock.
 */
/*
 * Solution: the holder works on the CPU while it holds the lock.  The late
 * goroutine finds the mutex locked, in normal mode, with the holder running:
 * it spins, sees a parked waiter and no woken bit, and sets mutexWoken
 * (MUTEX_STATE step SPIN_WOKEN).  The early waiter found no waiters when it
 * spun, so it could not do the same.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

static struct ls_mutex mu = LS_MUTEX_INIT("mu");
static struct ls_waitgroup holding = LS_WAITGROUP_INIT("holding");
static int got;

static void holder(void *arg)
{
	int64_t t0;

	ls_mutex_lock(&mu);
	ls_waitgroup_done(&holding);
	t0 = ls_now();
	while (ls_now() - t0 < 50 * LS_MSEC)	/* busy, on a CPU */
		;
	ls_mutex_unlock(&mu);
}

static void contender(void *arg)
{
	ls_mutex_lock(&mu);
	got++;
	printf("%s: got the lock\n", (const char *)arg);
	ls_mutex_unlock(&mu);
}

static int waiters(void)
{
	return ls_mutex_state(&mu) >> LS_MUTEX_WAITER_SHIFT;
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	ls_waitgroup_add(&holding, 1);
	ls_waitgroup_go(&wg, holder, NULL, "holder");
	ls_waitgroup_wait(&holding);

	ls_waitgroup_go(&wg, contender, "early", "early");
	while (waiters() < 1)
		ls_sleep(100 * LS_USEC);

	ls_waitgroup_go(&wg, contender, "late", "late");
	ls_waitgroup_wait(&wg);

	if (got != 2) {
		fprintf(stderr, "FAIL: %d of 2 contenders got the lock\n", got);
		return 1;
	}
	return 0;
}
