// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       07-cond/signal-vs-broadcast
 * chapter:  07
 * lesson:   07-cond
 * title:    One starting shot for three runners
 * kind:     fix
 * verdict:  deadlock
 * achieve:  Start all three runners with the one starting shot.
 * hint:     How many runners does COND_SIGNAL wake in the trace?
 * hint:     Signal wakes the oldest waiter only; the others keep waiting for a
 *           notification that never comes.
 * hint:     Use ls_cond_broadcast for "everyone may go now".
 */
/*
 * Solution: the shot is a Broadcast.  COND_BROADCAST wakes all three
 * tickets; each runner re-checks "started" under the lock and goes.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define RUNNERS	3

static struct ls_mutex mu = LS_MUTEX_INIT("race.mu");
static struct ls_cond shot;
static bool started;
static int at_line, finished;

static void runner(void *arg)
{
	ls_mutex_lock(&mu);
	at_line++;
	while (!started)
		ls_cond_wait(&shot);
	finished++;
	ls_mutex_unlock(&mu);
	printf("%s: running\n", (const char *)arg);
}

static void starter(void *arg)
{
	ls_mutex_lock(&mu);
	while (at_line < RUNNERS) {		/* until everyone is ready */
		ls_mutex_unlock(&mu);
		ls_sleep(100 * LS_USEC);
		ls_mutex_lock(&mu);
	}
	started = true;
	ls_cond_broadcast(&shot);
	ls_mutex_unlock(&mu);
	printf("starter: bang!\n");
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");
	static const char *names[RUNNERS] = { "runner1", "runner2", "runner3" };

	ls_cond_init(&shot, &mu, "shot");
	for (int i = 0; i < RUNNERS; i++)
		ls_waitgroup_go(&wg, runner, (void *)names[i], names[i]);
	ls_waitgroup_go(&wg, starter, NULL, "starter");
	ls_waitgroup_wait(&wg);
	printf("%d runner(s) finished\n", finished);
	if (finished != RUNNERS) {
		fprintf(stderr, "FAIL: not everyone ran\n");
		return 1;
	}
	return 0;
}
