// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       realworld/moby-27037
 * chapter:  realworld
 * lesson:   15-memory-model
 * title:    Goroutines handed the address of the loop variable
 * kind:     fix
 * verdict:  race
 * achieve:  Give each goroutine its own copy of the version number, so each
 *           prints a different API version and no race is reported.
 * hint:     How many variables named "v" exist while the goroutines run?
 * hint:     Every goroutine reads *arg, which main keeps changing: a write
 *           and reads with nothing ordering them.
 * hint:     Copy v into a per-goroutine slot (an array indexed by the loop
 *           count) before ls_go, and pass that slot's address.
 * origin:   moby#27037 (GoBench GoKer)
 */
/*
 * Solution: each goroutine gets its own slot, written before ls_go (which
 * orders it before everything the new goroutine does) and never written
 * again.  Go 1.22 made each iteration's loop variable a fresh variable for
 * the same reason.  The versions printed are checked: each exactly once.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define FIRST	17
#define LAST	21

static struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");
static int64_t seen[LAST + 1];

static void format_version(void *arg)
{
	int64_t v = ls_load(arg, "slot");

	printf("API version v1.%lld\n", (long long)v);
	ls_atomic_add(&seen[v], 1);
}

int main(void)
{
	int64_t slot[LAST - FIRST + 1];

	for (int64_t v = FIRST; v <= LAST; v++) {
		ls_store(&slot[v - FIRST], v, "slot");
		ls_waitgroup_go(&wg, format_version, &slot[v - FIRST], "format");
	}
	ls_waitgroup_wait(&wg);
	for (int64_t v = FIRST; v <= LAST; v++) {
		if (ls_atomic_load(&seen[v]) != 1) {
			fprintf(stderr, "FAIL: v1.%lld printed %lld times\n",
				(long long)v, (long long)ls_atomic_load(&seen[v]));
			return 1;
		}
	}
	return 0;
}
