// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       15-memory-model/double-checked
 * chapter:  15
 * lesson:   15-memory-model
 * title:    Double-checked locking with a plain first check
 * kind:     fix
 * verdict:  race
 * achieve:  Initialize the table once and let every goroutine read it safely,
 *           without taking a lock on every call.
 * hint:     The first check reads "table" with no lock.  What orders that read
 *           against the store made under the lock by another goroutine?
 * hint:     Seeing the pointer is not enough: without a happens-before edge
 *           the reader may see the pointer and not the contents.
 * hint:     Use ls_once_do (its fast path is an atomic load), or make the
 *           first check an ls_atomic_load and the publication an
 *           ls_atomic_store.
 */
/*
 * get_table() builds a lookup table on first use.  To avoid locking on
 * every call, it checks the pointer first without the lock and takes the
 * lock only when the table is missing, checking again under it: the
 * classic double-checked locking, broken in C and Go alike unless the first
 * check is a synchronizing (atomic) load.
 */
#include <stdio.h>
#include <stdlib.h>
#include <lockstep/lockstep.h>

static struct ls_mutex mu = LS_MUTEX_INIT("table.mu");
static int64_t table;			/* really a pointer: int64_t[16] */
static int builds;

static int64_t *build(void)
{
	int64_t *t = malloc(16 * sizeof(*t));

	for (int i = 0; i < 16; i++)
		t[i] = (int64_t)i * i;
	builds++;
	return t;
}

static int64_t *get_table(void)
{
	if (!ls_load(&table, "table")) {
		ls_mutex_lock(&mu);
		if (!ls_load(&table, "table"))
			ls_store(&table, (int64_t)(intptr_t)build(), "table");
		ls_mutex_unlock(&mu);
	}
	return (int64_t *)(intptr_t)ls_load(&table, "table");
}

static void user(void *arg)
{
	printf("%s: 7 squared is %lld\n", (const char *)arg,
	       (long long)get_table()[7]);
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	ls_waitgroup_go(&wg, user, "user1", "user1");
	ls_waitgroup_go(&wg, user, "user2", "user2");
	ls_waitgroup_wait(&wg);
	printf("built %d time(s)\n", builds);
	return 0;
}
