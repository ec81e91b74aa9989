// SPDX-License-Identifier: MIT
/*
 * verdict_spin - programs that never end by themselves.
 *
 *	verdict_spin forever	one goroutine spins, main waits for it: no
 *				deadlock, only --timeout ends it (verdict timeout)
 *	verdict_spin self	main locks a mutex it already holds while another
 *				goroutine spins: Go's runtime does not notice (one
 *				goroutine still runs), the wait-for graph does
 *				(verdict deadlock, without waiting for a timeout)
 *	verdict_spin cycle	two goroutines deadlock AB-BA, main waits for them
 *				on a WaitGroup, a third goroutine spins (verdict
 *				deadlock)
 */
#include <stdio.h>
#include <string.h>

#include <lockstep/lockstep.h>

static struct ls_mutex a = LS_MUTEX_INIT("a");
static struct ls_mutex b = LS_MUTEX_INIT("b");
static struct ls_waitgroup both_hold = LS_WAITGROUP_INIT("both-hold");
static struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");
static volatile unsigned long spins;

static void spinner(void *arg)
{
	(void)arg;
	for (;;)
		spins++;
}

static void take(struct ls_mutex *first, struct ls_mutex *second)
{
	ls_mutex_lock(first);
	ls_waitgroup_done(&both_hold);
	ls_waitgroup_wait(&both_hold);
	ls_mutex_lock(second);
	ls_mutex_unlock(second);
	ls_mutex_unlock(first);
}

static void ab(void *arg)
{
	(void)arg;
	take(&a, &b);
}

static void ba(void *arg)
{
	(void)arg;
	take(&b, &a);
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "forever";

	if (!strcmp(what, "forever")) {
		ls_waitgroup_go(&wg, spinner, NULL, "spinner");
	} else if (!strcmp(what, "self")) {
		ls_go(spinner, NULL, "spinner");
		ls_mutex_lock(&a);
		ls_mutex_lock(&a);
	} else if (!strcmp(what, "cycle")) {
		ls_go(spinner, NULL, "spinner");
		ls_waitgroup_add(&both_hold, 2);
		ls_waitgroup_go(&wg, ab, NULL, "a-then-b");
		ls_waitgroup_go(&wg, ba, NULL, "b-then-a");
	} else {
		fprintf(stderr, "verdict_spin: unknown mode '%s'\n", what);
		return 64;
	}
	ls_waitgroup_wait(&wg);
	printf("not reached\n");
	return 1;
}
