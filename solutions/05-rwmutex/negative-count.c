// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       05-rwmutex/negative-count
 * chapter:  05
 * lesson:   05-rwmutex
 * title:    Make readerCount negative while two readers hold the lock
 * kind:     make
 * goal:     rw-readercount-negative-2readers
 * achieve:  Arrange for the writer to call Lock while both readers still hold
 *           their read locks.
 * hint:     RW_WLOCK shows "readers still active" when a writer announces
 *           itself.  Right now that number is 0: the readers are long gone.
 * hint:     The readers must still be inside their read sections when the
 *           writer arrives, and stay there until it has announced itself.
 * hint:     Start the writer once both readers hold RLock; let the readers
 *           RUnlock only after ls_rwmutex_reader_count() has gone negative.
 */
/*
 * Solution: main starts the writer once both readers hold the read lock,
 * and lets the readers leave (the gate) only after the writer has
 * announced itself.  The
 * writer's RW_WLOCK shows readerCount = 2 - 1<<30 and two readers still
 * active; the last RUnlock wakes the writer.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

static struct ls_rwmutex rw = LS_RWMUTEX_INIT("rw");
static struct ls_waitgroup reading = LS_WAITGROUP_INIT("reading");
static struct ls_waitgroup gate = LS_WAITGROUP_INIT("gate");
static int64_t data = 1;
static int32_t seen_count;

static void reader(void *arg)
{
	ls_rwmutex_rlock(&rw);
	printf("%s: data = %lld\n", (const char *)arg, (long long)data);
	ls_waitgroup_done(&reading);
	ls_waitgroup_wait(&gate);		/* until the writer has arrived */
	ls_rwmutex_runlock(&rw);
}

static void writer(void *arg)
{
	ls_rwmutex_lock(&rw);
	data = 2;
	printf("writer: data = 2\n");
	ls_rwmutex_unlock(&rw);
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	ls_waitgroup_add(&reading, 2);
	ls_waitgroup_add(&gate, 1);
	ls_waitgroup_go(&wg, reader, "reader1", "reader1");
	ls_waitgroup_go(&wg, reader, "reader2", "reader2");
	ls_waitgroup_wait(&reading);			/* both are inside */

	ls_waitgroup_go(&wg, writer, NULL, "writer");
	while ((seen_count = ls_rwmutex_reader_count(&rw)) >= 0)
		ls_sleep(100 * LS_USEC);
	printf("main: readerCount = %d = 2 - (1 << 30)\n", seen_count);
	ls_waitgroup_done(&gate);		/* readers may leave now */
	ls_waitgroup_wait(&wg);

	if (seen_count != 2 - LS_RWMUTEX_MAX_READERS || data != 2) {
		fprintf(stderr, "FAIL: the writer did not meet two readers\n");
		return 1;
	}
	return 0;
}
