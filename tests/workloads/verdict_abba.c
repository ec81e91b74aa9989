// SPDX-License-Identifier: MIT
/*
 * verdict_abba - two goroutines take two mutexes in opposite orders
 * (tests/lab_verdicts.c, docs/lab.md).
 *
 *	verdict_abba hang	each takes its first lock, waits for the other to
 *				take its own, then asks for the second: a wait-for
 *				cycle every run (verdict deadlock)
 *	verdict_abba lucky	the same two orders, one goroutine after the
 *				other: no hang this run, but a lock-order cycle
 *				(verdict potential-deadlock)
 */
#include <stdio.h>
#include <string.h>

#include <lockstep/lockstep.h>

static struct ls_mutex a = LS_MUTEX_INIT("a");
static struct ls_mutex b = LS_MUTEX_INIT("b");
static struct ls_waitgroup both_hold = LS_WAITGROUP_INIT("both-hold");
static struct ls_waitgroup done = LS_WAITGROUP_INIT("done");
static bool hang;

static void take(struct ls_mutex *first, struct ls_mutex *second)
{
	ls_mutex_lock(first);
	if (hang) {
		/* Wait until the other goroutine holds its first lock. */
		ls_waitgroup_done(&both_hold);
		ls_waitgroup_wait(&both_hold);
	}
	ls_mutex_lock(second);
	ls_mutex_unlock(second);
	ls_mutex_unlock(first);
}

static void ab(void *arg)
{
	(void)arg;
	take(&a, &b);
	ls_waitgroup_done(&done);
}

static void ba(void *arg)
{
	(void)arg;
	take(&b, &a);
	ls_waitgroup_done(&done);
}

int main(int argc, char **argv)
{
	hang = argc < 2 || strcmp(argv[1], "lucky");
	ls_waitgroup_add(&both_hold, 2);
	ls_waitgroup_add(&done, hang ? 2 : 1);
	ls_go(ab, NULL, "a-then-b");
	if (!hang) {
		/* One at a time: the first is done before the second starts. */
		ls_waitgroup_wait(&done);
		ls_waitgroup_add(&done, 1);
	}
	ls_go(ba, NULL, "b-then-a");
	ls_waitgroup_wait(&done);
	printf("both done\n");
	return 0;
}
