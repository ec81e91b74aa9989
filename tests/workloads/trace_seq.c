// SPDX-License-Identifier: MIT
/*
 * trace_seq - one goroutine, one fixed sequence of events, for the test
 * that BPF and the in-process ring deliver the same stream
 * (tests/trace_transport.c).
 *
 *	trace_seq [N]	N rounds (default 50) of: lock and unlock a named
 *			mutex, TryLock it twice (once failing), every 10th
 *			round a 100 us sleep (GO_PARK/GO_WAKE), then rename
 *
 * Only main runs, so the order of its events is the program order.
 */
#include <stdio.h>
#include <stdlib.h>

#include <lockstep/lockstep.h>

static struct ls_mutex seq_lock = LS_MUTEX_INIT("seq-lock");

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 50;

	ls_set_name("seq-main");
	for (int i = 0; i < n; i++) {
		ls_mutex_lock(&seq_lock);
		if (ls_mutex_trylock(&seq_lock))
			ls_panic("trace_seq: TryLock of a held mutex succeeded");
		ls_mutex_unlock(&seq_lock);
		if (!ls_mutex_trylock(&seq_lock))
			ls_panic("trace_seq: TryLock of a free mutex failed");
		ls_mutex_unlock(&seq_lock);
		if (i % 10 == 0)
			ls_sleep(100 * LS_USEC);
	}
	ls_set_name("seq-done");
	printf("done %d\n", n);
	return 0;
}
