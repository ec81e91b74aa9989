// SPDX-License-Identifier: MIT
/*
 * trace_ticker - a program that keeps producing events until it is told to
 * stop, for attaching by pid and for the signal tests
 * (tests/trace_transport.c, tests/trace_cleanup.c).
 *
 *	trace_ticker [SECONDS]	(default 10)
 *
 * Prints "ready PID" once running, then every 2 ms locks and unlocks the
 * mutex "tick-lock" and every 50th time renames itself "tick-N", until
 * SECONDS have passed; prints "done" and exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <lockstep/lockstep.h>

static struct ls_mutex tick_lock = LS_MUTEX_INIT("tick-lock");

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 10;
	int64_t end = ls_now() + (int64_t)(secs * LS_SEC);
	char name[32];

	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	for (int i = 0; ls_now() < end; i++) {
		ls_mutex_lock(&tick_lock);
		ls_mutex_unlock(&tick_lock);
		if (i % 50 == 0) {
			snprintf(name, sizeof(name), "tick-%d", i / 50);
			ls_set_name(name);
		}
		ls_sleep(2 * LS_MSEC);
	}
	printf("done\n");
	return 0;
}
