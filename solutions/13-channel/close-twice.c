// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       13-channel/close-twice
 * chapter:  13
 * lesson:   13-channel
 * title:    Two shutdown paths close the same channel
 * kind:     fix
 * verdict:  panic
 * achieve:  Let both the error path and the normal path ask for shutdown
 *           without closing the quit channel twice.
 * hint:     Who closes quit first, and who closes it again?
 * hint:     A channel can be closed once; there is no "is it closed?" check
 *           that is safe to act on, because the answer can change right after.
 * hint:     Guard the close with ls_once_do, so that "stop" may be called any
 *           number of times.
 */
/*
 * Solution: stop() closes quit through a Once.  The first caller closes
 * it; every later call is a no-op.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define WORKERS	2

static struct ls_chan *quit;
static struct ls_once quit_once = LS_ONCE_INIT("quit.once");
static struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");
static int closes;

static void close_quit(void *arg)
{
	closes++;
	ls_chan_close(quit);
}

static void stop(void)
{
	ls_once_do(&quit_once, close_quit, NULL);
}

static void worker(void *arg)
{
	int id = (int)(intptr_t)arg;

	if (id == 1) {
		printf("worker %d: disk full, stopping the service\n", id);
		stop();
	}
	ls_chan_recv(quit, NULL);
	printf("worker %d: quitting\n", id);
	ls_waitgroup_done(&wg);
}

int main(void)
{
	quit = ls_chan_make(0, 0, "quit");
	ls_waitgroup_add(&wg, WORKERS);
	for (int i = 0; i < WORKERS; i++)
		ls_go(worker, (void *)(intptr_t)i, "worker");
	ls_waitgroup_wait(&wg);

	printf("main: shutting down\n");
	stop();
	if (closes != 1) {
		fprintf(stderr, "FAIL: quit closed %d times\n", closes);
		return 1;
	}
	return 0;
}
