// SPDX-License-Identifier: MIT
/*
 * rlock-deadlock.c - `lockstep demo rlock-deadlock`: the recursive-RLock
 * deadlock, with readerCount going negative (GO-SEMANTICS.md, section 2).
 *
 *   1. reader takes the read lock: readerCount 0 -> 1.
 *   2. writer calls Lock: it takes the inner mutex w, then announces
 *      itself, readerCount = 1 - 2^30 = -1073741823, and waits for the one
 *      active reader (readerWait = 1).
 *   3. reader calls RLock again (a function that read-locks, called with
 *      the read lock held): readerCount + 1 is still negative, so it parks
 *      behind the writer, which waits for it.
 *   4. main waits for both: every goroutine is asleep, the runtime dies
 *      with "fatal error: all goroutines are asleep - deadlock!".
 */
#include <lockstep/lockstep.h>

#include "demo.h"

static struct ls_rwmutex rw = LS_RWMUTEX_INIT("rw");
static struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

static void writer(void *arg)
{
	ls_rwmutex_lock(&rw);		/* waits for the reader, for ever */
	ls_rwmutex_unlock(&rw);
}

static void reader(void *arg)
{
	ls_rwmutex_rlock(&rw);
	demo_step(1);
	ls_waitgroup_go(&wg, writer, NULL, "writer");
	demo_step(1.5);
	DEMO_WAIT_UNTIL(ls_rwmutex_reader_count(&rw) < 0);	/* it announced itself */
	ls_rwmutex_rlock(&rw);		/* the second, recursive RLock */
	ls_rwmutex_runlock(&rw);
	ls_rwmutex_runlock(&rw);
}

int main(void)
{
	ls_waitgroup_go(&wg, reader, NULL, "reader");
	ls_waitgroup_wait(&wg);
	return 0;
}
