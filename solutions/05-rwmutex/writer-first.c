// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       05-rwmutex/writer-first
 * chapter:  05
 * lesson:   05-rwmutex
 * title:    A waiting writer holds back new readers
 * kind:     observe
 * goal:     rw-readercount-negative-2readers
 * achieve:  Run it, follow readerCount through the trace, and answer who gets
 *           the lock first: the writer or the late reader.
 * hint:     R3 calls RLock while two readers are still inside.  What sign does
 *           readerCount have at that moment?
 * hint:     A negative readerCount means "a writer is pending": RLock parks.
 * hint:     Unlock releases the readers that blocked; they come after the
 *           writer.
 */
/*
 * Two readers are inside.  A writer arrives and waits for them.  Then a
 * third reader, R3, arrives, while the first two are still reading.
 *
 * If readers could always join other readers, a steady stream of them would
 * keep a writer out forever.  Go's RWMutex prevents that.
 *
 * Question: who gets the lock first, the writer or R3?  Write "writer" or
 * "R3" in ANSWER below and run again.
 */
#include <stdio.h>
#include <string.h>
#include <lockstep/lockstep.h>

#define ANSWER	"writer"	/* R3 saw readerCount < 0 and waited */

static struct ls_rwmutex rw = LS_RWMUTEX_INIT("rw");
static struct ls_waitgroup reading = LS_WAITGROUP_INIT("reading");
static struct ls_waitgroup gate = LS_WAITGROUP_INIT("gate");
static struct ls_mutex order_mu = LS_MUTEX_INIT("order.mu");
static const char *first;

static void got(const char *who)
{
	ls_mutex_lock(&order_mu);
	if (!first)
		first = who;
	ls_mutex_unlock(&order_mu);
	printf("%s: in\n", who);
}

/* R1 and R2 read until the writer and R3 are both waiting. */
static void early_reader(void *arg)
{
	ls_rwmutex_rlock(&rw);
	printf("%s: in\n", (const char *)arg);
	ls_waitgroup_done(&reading);
	ls_waitgroup_wait(&gate);
	ls_rwmutex_runlock(&rw);
}

static void late_reader(void *arg)
{
	ls_rwmutex_rlock(&rw);
	got("R3");
	ls_rwmutex_runlock(&rw);
}

static void writer(void *arg)
{
	ls_rwmutex_lock(&rw);
	got("writer");
	ls_rwmutex_unlock(&rw);
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	ls_waitgroup_add(&reading, 2);
	ls_waitgroup_add(&gate, 1);
	ls_waitgroup_go(&wg, early_reader, "R1", "R1");
	ls_waitgroup_go(&wg, early_reader, "R2", "R2");
	ls_waitgroup_wait(&reading);

	ls_waitgroup_go(&wg, writer, NULL, "writer");
	while (ls_rwmutex_reader_count(&rw) >= 0)	/* writer pending */
		ls_sleep(100 * LS_USEC);
	ls_waitgroup_go(&wg, late_reader, NULL, "R3");
	while (ls_rwmutex_reader_count(&rw) != 3 - LS_RWMUTEX_MAX_READERS)
		ls_sleep(100 * LS_USEC);		/* R3 is in RLock */
	ls_waitgroup_done(&gate);		/* R1 and R2 may leave */
	ls_waitgroup_wait(&wg);

	printf("first in: %s\n", first);
	if (!*ANSWER) {
		printf("answer: not given yet (edit ANSWER)\n");
		return 0;
	}
	if (strcmp(ANSWER, first)) {
		printf("answer: %s is not right; look at R3's RW_RLOCK\n", ANSWER);
		return 1;
	}
	printf("answer: correct\n");
	return 0;
}
