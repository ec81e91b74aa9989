// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       07-cond/full-house
 * chapter:  07
 * lesson:   07-cond
 * title:    One Broadcast that wakes all three waiters
 * kind:     make
 * goal:     cond-broadcast-3
 * achieve:  Make the start signal a single Broadcast that wakes all three
 *           runners from Wait.
 * hint:     Look at COND_BROADCAST: how many tickets does it wake?
 * hint:     Broadcast wakes the goroutines that are waiting at that moment.  A
 *           runner that arrives later never waits: it sees "started" and runs.
 * hint:     Let the starter wait (under the mutex, a loop with ls_sleep) until
 *           all three runners sit in ls_cond_wait, then broadcast.
 */
/*
 * Three runners arrive at the start line one after another (5 ms apart);
 * the starter fires as soon as it can.  Every runner checks "started" in a
 * loop around ls_cond_wait, so the program is correct either way; what
 * changes is who waits and who is woken.
 *
 * Each Wait takes a ticket from the Cond's notify list; Broadcast wakes
 * every ticket handed out so far and no later one (the notify list's
 * "notify = wait").  Change the starter so that its one Broadcast wakes all
 * three runners.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define RUNNERS	3

static struct ls_mutex mu = LS_MUTEX_INIT("race.mu");
static struct ls_cond shot;
static bool started;
static int waiting, woken;

static void runner(void *arg)
{
	int id = (int)(intptr_t)arg;

	ls_sleep(id * 5 * LS_MSEC);		/* arrives late */
	ls_mutex_lock(&mu);
	while (!started) {
		waiting++;
		ls_cond_wait(&shot);
		waiting--;
		woken++;
	}
	ls_mutex_unlock(&mu);
	printf("runner %d: off\n", id);
}

static void starter(void *arg)
{
	ls_mutex_lock(&mu);
	started = true;
	ls_cond_broadcast(&shot);
	ls_mutex_unlock(&mu);
	printf("starter: bang!\n");
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	ls_cond_init(&shot, &mu, "shot");
	for (int i = 1; i <= RUNNERS; i++)
		ls_waitgroup_go(&wg, runner, (void *)(intptr_t)i, "runner");
	ls_waitgroup_go(&wg, starter, NULL, "starter");
	ls_waitgroup_wait(&wg);
	printf("%d runner(s) were woken from Wait\n", woken);
	return 0;
}
