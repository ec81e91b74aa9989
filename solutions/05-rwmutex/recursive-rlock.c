// SPDX-License-Identifier: MIT
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
 * Solution: total_locked() documents that its caller holds the read lock
 * and does not take it again.  The reader finishes, releases its single
 * read lock, and the waiting writer gets in.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

static struct ls_rwmutex rw = LS_RWMUTEX_INIT("config.rw");
static struct ls_waitgroup reading = LS_WAITGROUP_INIT("reading");
static int64_t limits[3] = { 10, 20, 30 };
static int64_t reported_first, reported_sum;

/* Caller holds rw for reading (or writing). */
static int64_t total_locked(void)
{
	int64_t t = 0;

	for (int i = 0; i < 3; i++)
		t += limits[i];
	return t;
}

static void report(void *arg)
{
	ls_rwmutex_rlock(&rw);
	ls_waitgroup_done(&reading);			/* let the admin start */
	reported_first = limits[0];
	while (ls_rwmutex_reader_count(&rw) >= 0)	/* the writer arrives */
		ls_sleep(100 * LS_USEC);
	reported_sum = total_locked();
	ls_rwmutex_runlock(&rw);
	printf("report: first %lld, total %lld\n", (long long)reported_first,
	       (long long)reported_sum);
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

	/* The reader held its lock across the writer's arrival: old values. */
	if (reported_first != 10 || reported_sum != 60 || limits[0] != 15) {
		fprintf(stderr, "FAIL: inconsistent report\n");
		return 1;
	}
	return 0;
}
