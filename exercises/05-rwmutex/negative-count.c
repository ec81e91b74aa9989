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
 * RWMutex.readerCount has two jobs.  Readers add 1 on RLock and subtract 1
 * on RUnlock.  A writer subtracts 1<<30 (rwmutexMaxReaders): the count goes
 * negative, which tells every new reader "a writer is pending, wait", while
 * readerCount + 1<<30 still says how many readers are inside.  The writer
 * then waits for exactly those readers to leave (readerWait).
 *
 * Rearrange main() and reader() so that the writer arrives while both
 * readers are reading.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

static struct ls_rwmutex rw = LS_RWMUTEX_INIT("rw");
static int64_t data = 1;

static void reader(void *arg)
{
	ls_rwmutex_rlock(&rw);
	printf("%s: data = %lld\n", (const char *)arg, (long long)data);
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

	ls_waitgroup_go(&wg, reader, "reader1", "reader1");
	ls_waitgroup_go(&wg, reader, "reader2", "reader2");
	ls_waitgroup_wait(&wg);

	ls_waitgroup_go(&wg, writer, NULL, "writer");
	ls_waitgroup_wait(&wg);
	return 0;
}
