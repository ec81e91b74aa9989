// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       05-rwmutex/recursive-rlock
 * chapter:  05
 * lesson:   05-rwmutex
 * title:    A read lock taken twice, with a writer arriving in between
 * kind:     fix
 * verdict:  deadlock
 * achieve:  Let the reader compute the report while holding its read lock
 *           once, so that the writer can always get in afterwards.
 * hint:     Find the RW_WLOCK event: readerCount goes negative.  What does the
 *           reader's second RLock see?
 * hint:     Once a writer is waiting, new RLocks block, even from a goroutine
 *           that already holds a read lock.  The writer waits for that
 *           goroutine; it waits for the writer.
 * hint:     Make total() a function that expects the caller to hold the read
 *           lock, instead of taking it again.
 */
/*
 * report() read-locks the config and calls total(), which read-locks it
 * again: harmless with readers only.  Meanwhile an admin updates the config
 * with the write lock.
 *
 * The reader is slow: after its first RLock it waits until the writer has
 * announced itself (readerCount < 0).  That forces, every run, the timing
 * that only happens now and then in production.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

static struct ls_rwmutex rw = LS_RWMUTEX_INIT("config.rw");
static struct ls_waitgroup reading = LS_WAITGROUP_INIT("reading");
static int64_t limits[3] = { 10, 20, 30 };

static int64_t total(void)
{
	int64_t t = 0;

	ls_rwmutex_rlock(&rw);
	for (int i = 0; i < 3; i++)
		t += limits[i];
	ls_rwmutex_runlock(&rw);
	return t;
}

static void report(void *arg)
{
	int64_t first, sum;

	ls_rwmutex_rlock(&rw);
	ls_waitgroup_done(&reading);			/* let the admin start */
	first = limits[0];
	while (ls_rwmutex_reader_count(&rw) >= 0)	/* the writer arrives */
		ls_sleep(100 * LS_USEC);
	sum = total();
	ls_rwmutex_runlock(&rw);
	printf("report: first %lld, total %lld\n", (long long)first, (long long)sum);
}

static void admin(void *arg)
{
	ls_rwmutex_lock(&rw);
	limits[0] = 15;
	ls_rwmutex_unlock(&rw);
	printf("admin: updated\n");
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	ls_waitgroup_add(&reading, 1);
	ls_waitgroup_go(&wg, report, NULL, "reporter");
	ls_waitgroup_wait(&reading);
	ls_waitgroup_go(&wg, admin, NULL, "admin");
	ls_waitgroup_wait(&wg);
	return 0;
}
