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
 * The holder keeps the mutex for 50 ms.  An early waiter arrives and parks.
 * Then a late goroutine arrives.
 *
 * A goroutine that finds the mutex locked may spin a few rounds instead of
 * parking at once, hoping the holder lets go soon.  A spinner that sees
 * parked waiters also sets mutexWoken: that tells Unlock "someone is awake
 * already, do not wake a sleeper", so the spinner can take the lock without
 * a futex wake-up.
 *
 * Go spins only when it can pay off: the holder must be running on another
 * CPU.  Change holder() so that the late goroutine spins and sets the woken
 * bit (MUTEX_STATE with step SPIN_WOKEN in the trace).
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

static struct ls_mutex mu = LS_MUTEX_INIT("mu");
static struct ls_waitgroup holding = LS_WAITGROUP_INIT("holding");

static void holder(void *arg)
{
	ls_mutex_lock(&mu);
	ls_waitgroup_done(&holding);
	ls_sleep(50 * LS_MSEC);			/* hold it for a while */
	ls_mutex_unlock(&mu);
}

static void contender(void *arg)
{
	ls_mutex_lock(&mu);
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
	while (waiters() < 1)			/* until "early" has parked */
		ls_sleep(100 * LS_USEC);

	ls_waitgroup_go(&wg, contender, "late", "late");
	ls_waitgroup_wait(&wg);
	return 0;
}
