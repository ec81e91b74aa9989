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
 * Workers stop when the quit channel is closed.  The service can be
 * stopped two ways: a worker that hits a fatal error calls stop(), and
 * main calls stop() when it is done.  Both are reasonable on their own.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define WORKERS	2

static struct ls_chan *quit;
static struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

static void stop(void)
{
	ls_chan_close(quit);
}

static void worker(void *arg)
{
	int id = (int)(intptr_t)arg;

	if (id == 1) {
		printf("worker %d: disk full, stopping the service\n", id);
		stop();
	}
	ls_chan_recv(quit, NULL);		/* run until told to quit */
	printf("worker %d: quitting\n", id);
	ls_waitgroup_done(&wg);
}

int main(void)
{
	quit = ls_chan_make(0, 0, "quit");
	ls_waitgroup_add(&wg, WORKERS);
	for (int i = 0; i < WORKERS; i++)
		ls_go(worker, (void *)(intptr_t)i, "worker");
	ls_waitgroup_wait(&wg);			/* the workers have quit */

	printf("main: shutting down\n");
	stop();
	return 0;
}
