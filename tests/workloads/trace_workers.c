// SPDX-License-Identifier: MIT
/*
 * trace_workers - three goroutines add to a counter under one mutex, main
 * waits for them with a WaitGroup: enough contention to see the mutex
 * state word change hands in `lockstep trace` (docs/tracing.md).
 *
 *	trace_workers [ROUNDS]	(default 200 per worker)
 */
#include <stdio.h>
#include <stdlib.h>

#include <lockstep/lockstep.h>

static struct ls_mutex counter_lock = LS_MUTEX_INIT("counter-lock");
static struct ls_waitgroup done = LS_WAITGROUP_INIT("workers");
static long counter;
static int rounds = 200;

static void worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < rounds; i++) {
		ls_mutex_lock(&counter_lock);
		counter++;
		if (i % 50 == 0)
			ls_sleep(50 * LS_USEC);	/* hold it a while: others queue */
		ls_mutex_unlock(&counter_lock);
	}
	ls_waitgroup_done(&done);
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "worker-1", "worker-2", "worker-3" };

	if (argc > 1)
		rounds = atoi(argv[1]);
	ls_waitgroup_add(&done, 3);
	for (int i = 0; i < 3; i++)
		if (ls_go(worker, NULL, names[i]))
			ls_panic("trace_workers: ls_go failed");
	ls_waitgroup_wait(&done);
	printf("counter %ld\n", counter);
	return counter == 3L * rounds ? 0 : 1;
}
