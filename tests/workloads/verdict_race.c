// SPDX-License-Identifier: MIT
/*
 * verdict_race - two goroutines increment a counter with ls_load and
 * ls_store.
 *
 *	verdict_race racy	no lock: the accesses are unordered (verdict race)
 *	verdict_race locked	under a mutex (verdict ok: no false race)
 */
#include <stdio.h>
#include <string.h>

#include <lockstep/lockstep.h>

#define ROUNDS	200

static struct ls_mutex mu = LS_MUTEX_INIT("counter.mu");
static struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");
static int64_t counter;
static bool locked;

static void adder(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		if (locked)
			ls_mutex_lock(&mu);
		ls_store(&counter, ls_load(&counter, "counter") + 1, "counter");
		if (locked)
			ls_mutex_unlock(&mu);
		if (i % 16 == 0)
			ls_gosched();
	}
}

int main(int argc, char **argv)
{
	locked = argc > 1 && !strcmp(argv[1], "locked");
	ls_waitgroup_go(&wg, adder, NULL, "adder-1");
	ls_waitgroup_go(&wg, adder, NULL, "adder-2");
	ls_waitgroup_wait(&wg);
	printf("counter %lld\n", (long long)counter);
	return locked && counter != 2 * ROUNDS ? 1 : 0;
}
