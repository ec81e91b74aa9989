// SPDX-License-Identifier: MIT
/*
 * verdict_leak - a goroutine sends its result on an unbuffered channel
 * that nobody receives from; main returns without waiting: the sender
 * stays parked in [chan send] (verdict leak).
 */
#include <stdio.h>

#include <lockstep/lockstep.h>

static struct ls_chan *result;

static void worker(void *arg)
{
	long v = 42;

	(void)arg;
	ls_chan_send(result, &v);
}

int main(void)
{
	result = ls_chan_make(sizeof(long), 0, "result");
	ls_go(worker, NULL, "worker");
	ls_sleep(50 * LS_MSEC);		/* the worker is parked by now */
	printf("main gives up on the result\n");
	return 0;
}
