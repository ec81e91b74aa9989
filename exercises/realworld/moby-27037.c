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
 * Modelled on moby issue 27037 (reduced in GoBench "GoKer"): a test built
 * one string per supported API version, "v1.17" to "v1.21", each in its
 * own goroutine, and the goroutines used the loop variable itself (before
 * Go 1.22, one variable shared by every iteration).  In C the same bug is
 * passing &v.  The loop variable is read and written with ls_load/ls_store
 * so that lockstep sees every access.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

static struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

static void format_version(void *arg)
{
	int64_t v = ls_load(arg, "v");

	printf("API version v1.%lld\n", (long long)v);
}

int main(void)
{
	int64_t v;

	for (ls_store(&v, 17, "v"); ls_load(&v, "v") <= 21;
	     ls_store(&v, ls_load(&v, "v") + 1, "v"))
		ls_waitgroup_go(&wg, format_version, &v, "format");
	ls_waitgroup_wait(&wg);
	return 0;
}
