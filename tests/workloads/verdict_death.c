// SPDX-License-Identifier: MIT
/*
 * verdict_death - ways for a program to end badly.
 *
 *	verdict_death close-closed	close of a closed channel: a Go-style
 *					panic (verdict panic, exit status 2)
 *	verdict_death segv		a NULL store: killed by SIGSEGV
 *	verdict_death exit N		prints to stdout, exits N (no problem)
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lockstep/lockstep.h>

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "close-closed";

	if (!strcmp(what, "close-closed")) {
		struct ls_chan *c = ls_chan_make(0, 0, "done");

		ls_chan_close(c);
		ls_chan_close(c);
	} else if (!strcmp(what, "segv")) {
		struct ls_mutex mu = LS_MUTEX_INIT("mu");

		ls_mutex_lock(&mu);
		raise(SIGSEGV);
	} else if (!strcmp(what, "exit")) {
		printf("{\"not\": \"the verdict\"}\n");
		return argc > 2 ? atoi(argv[2]) : 0;
	}
	fprintf(stderr, "verdict_death: unknown mode '%s'\n", what);
	return 64;
}
