// SPDX-License-Identifier: MIT
/*
 * rwmutex.c - sync.RWMutex (Go: src/sync/rwmutex.go).
 *
 * A reader/writer lock built from a Mutex, two runtime semaphores and two
 * counters:
 *
 *	w		a sync.Mutex every writer takes first: writers queue there
 *	readerCount	readers that hold or want the lock; minus 2^30 while a
 *			writer is pending or active
 *	readerWait	readers the pending writer still waits for
 *	readerSem	readers park here while a writer is pending or active
 *	writerSem	the pending writer parks here until the last reader
 *			it waits for leaves
 *
 * A reader adds one to readerCount.  A non-negative result means no writer:
 * it holds the read lock, with no lock and no CAS.  A negative result means a
 * writer announced itself, and the reader parks on readerSem.  This is the
 * writer preference: once a writer waits, new readers queue behind it, so
 * writers cannot starve, and a goroutine that read-locks twice can deadlock
 * against a writer that arrived in between.
 *
 * A writer takes w, then subtracts 2^30 from readerCount: the value before
 * that tells it how many readers are active, and from now on new readers
 * see a negative count.  It adds that number to readerWait and, unless the
 * departing readers have already driven readerWait to zero (each reader
 * that leaves while readerCount is negative subtracts one), it parks on
 * writerSem.  The last departing reader wakes it.
 *
 * Unlock adds 2^30 back: the result is the number of readers that arrived
 * and parked meanwhile; it wakes exactly that many, then releases w.
 *
 *	               RLock: count+1 >= 0          Lock: w, count -= 2^30
 *	  readers  <---------------------  free  --------------------------+
 *	  (count = n)                                                      |
 *	      |  Lock: count = n - 2^30, readerWait += n                   v
 *	      +------------------------------------------------->  writer pending
 *	                                  last reader leaves:        (new readers
 *	                                  readerWait == 0, wake      park: count
 *	                                  the writer                 stays < 0)
 *	                                                                   |
 *	  readers woken  <---- Unlock: count += 2^30, wake r readers --- writer
 *
 * Misuse dies with Go's fatal errors: "sync: RUnlock of unlocked RWMutex"
 * when RUnlock finds no reader (count was 0, or -2^30: write-locked), and
 * "sync: Unlock of unlocked RWMutex" when Unlock finds no writer.
 *
 * Deviations from Go:
 *   - The writer mutex w is locked through ls__mutex_lock_as, so a second
 *     writer queued on w shows in the goroutine dump as [sync.RWMutex.Lock]
 *     waiting on this RWMutex, as in Go's dumps.  w keeps its own events
 *     (it is a sync.Mutex with the RWMutex's name, at &rw->w).
 *   - No RLocker(): C has no interfaces; call rlock/runlock.
 */
#include <stdbool.h>
#include <stdint.h>

#include <lockstep/sync.h>
#include "../runtime/runtime.h"
#include "../trace.h"
#include "internal.h"
#include "../race.h"

#define MAX_READERS	LS_RWMUTEX_MAX_READERS

#define RWTRACE(nm, rw, ...) LS_TRACE_OBJ(nm, LS_OBJ_RWMUTEX, rw, __VA_ARGS__)

static inline int32_t add32(int32_t *p, int32_t delta)
{
	return __atomic_add_fetch(p, delta, __ATOMIC_SEQ_CST);
}

static inline int32_t load32(const int32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static void park(struct ls_rwmutex *rw, uint32_t *sem, enum ls_wait_reason why)
{
	ls__semacquire(sem, false, why, LS_OBJ_RWMUTEX, rw, rw->on.name);
}

void ls_rwmutex_init(struct ls_rwmutex *rw, const char *name)
{
	*rw = (struct ls_rwmutex)LS_RWMUTEX_INIT(name);
}

int32_t ls_rwmutex_reader_count(const struct ls_rwmutex *rw)
{
	return load32(&rw->reader_count);
}

int32_t ls_rwmutex_reader_wait(const struct ls_rwmutex *rw)
{
	return load32(&rw->reader_wait);
}

/*
 * The fast paths (a reader arriving or leaving with no writer around) test
 * the probe switch once and keep the rest out of line, so that they stay a
 * single atomic add when nobody traces.
 */
static LS_COLD void trace_rlock_fast(struct ls_rwmutex *rw, int32_t r)
{
	RWTRACE(rw_rlock, rw, r, 0);
	RWTRACE(rw_racquire, rw, r, 0);
}

/* A writer is pending or active: wait for its Unlock. */
static __attribute__((noinline)) void rlock_slow(struct ls_rwmutex *rw, int32_t r)
{
	int64_t t0 = ls_now();

	RWTRACE(rw_rlock, rw, r, 1);
	park(rw, &rw->reader_sem, LS_WAIT_RW_RLOCK);
	ls_race_acquire(&rw->reader_sem);
	RWTRACE(rw_racquire, rw, load32(&rw->reader_count), ls_now() - t0);
}

void ls_rwmutex_rlock(struct ls_rwmutex *rw)
{
	int32_t r = add32(&rw->reader_count, 1);

	if (__builtin_expect(r < 0, 0)) {
		rlock_slow(rw, r);
		return;
	}
	if (LS_TRACE_ON(rw_rlock))
		trace_rlock_fast(rw, r);
	ls_race_acquire(&rw->reader_sem);
}

bool ls_rwmutex_tryrlock(struct ls_rwmutex *rw)
{
	int32_t c = load32(&rw->reader_count);

	for (;;) {
		if (c < 0) {
			RWTRACE(rw_tryfail, rw, 1, c);
			return false;
		}
		if (__atomic_compare_exchange_n(&rw->reader_count, &c, c + 1, false,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			break;
	}
	ls_race_acquire(&rw->reader_sem);
	RWTRACE(rw_rlock, rw, c + 1, 0);
	RWTRACE(rw_racquire, rw, c + 1, 0);
	return true;
}

/* RUnlock while a writer is pending: maybe we are the reader it waits for. */
static __attribute__((noinline)) void runlock_slow(struct ls_rwmutex *rw, int32_t r)
{
	int32_t wait;

	if (r + 1 == 0 || r + 1 == -MAX_READERS)
		ls__die(0, "sync: RUnlock of unlocked RWMutex");
	wait = add32(&rw->reader_wait, -1);
	RWTRACE(rw_runlock, rw, r, wait, wait == 0);
	if (wait == 0)
		ls__semrelease(&rw->writer_sem, false, rw);
}

static LS_COLD void trace_runlock_fast(struct ls_rwmutex *rw, int32_t r)
{
	RWTRACE(rw_runlock, rw, r, load32(&rw->reader_wait), 0);
}

void ls_rwmutex_runlock(struct ls_rwmutex *rw)
{
	int32_t r;

	ls_race_release_merge(&rw->writer_sem);
	r = add32(&rw->reader_count, -1);
	if (__builtin_expect(r < 0, 0)) {
		runlock_slow(rw, r);
		return;
	}
	if (LS_TRACE_ON(rw_runlock))
		trace_runlock_fast(rw, r);
}

static LS_COLD void trace_wlock(struct ls_rwmutex *rw, int32_t r, int32_t wait)
{
	RWTRACE(rw_wlock, rw, r - MAX_READERS, r, r ? wait : load32(&rw->reader_wait));
}

static LS_COLD void trace_wacquire(struct ls_rwmutex *rw, int64_t t0)
{
	RWTRACE(rw_wacquire, rw, load32(&rw->reader_count), ls_now() - t0);
}

void ls_rwmutex_lock(struct ls_rwmutex *rw)
{
	bool traced = LS_TRACE_ON(rw_wlock);
	int64_t t0 = traced ? ls_now() : 0;
	int32_t r, wait = 0;

	/* First, exclude the other writers. */
	ls__mutex_lock_as(&rw->w, LS_WAIT_RW_LOCK, LS_OBJ_RWMUTEX, rw, rw->on.name);
	/* Announce ourselves to readers; r is how many are still inside. */
	r = add32(&rw->reader_count, -MAX_READERS) + MAX_READERS;
	if (r != 0)
		wait = add32(&rw->reader_wait, r);
	if (traced)
		trace_wlock(rw, r, wait);
	/* Wait for them, unless they all left already (wait is 0 if r is). */
	if (wait != 0)
		park(rw, &rw->writer_sem, LS_WAIT_RW_LOCK);
	ls_race_acquire(&rw->reader_sem);
	ls_race_acquire(&rw->writer_sem);
	if (traced)
		trace_wacquire(rw, t0);
}

bool ls_rwmutex_trylock(struct ls_rwmutex *rw)
{
	int32_t c = 0;

	if (!ls_mutex_trylock(&rw->w)) {
		RWTRACE(rw_tryfail, rw, 0, load32(&rw->reader_count));
		return false;
	}
	if (!__atomic_compare_exchange_n(&rw->reader_count, &c, -MAX_READERS, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		ls_mutex_unlock(&rw->w);
		RWTRACE(rw_tryfail, rw, 0, c);
		return false;
	}
	ls_race_acquire(&rw->reader_sem);
	ls_race_acquire(&rw->writer_sem);
	RWTRACE(rw_wlock, rw, -MAX_READERS, 0, load32(&rw->reader_wait));
	RWTRACE(rw_wacquire, rw, -MAX_READERS, 0);
	return true;
}

static LS_COLD void trace_unlock(struct ls_rwmutex *rw, int32_t r)
{
	RWTRACE(rw_unlock, rw, r, r);
}

void ls_rwmutex_unlock(struct ls_rwmutex *rw)
{
	int32_t r;

	ls_race_release(&rw->reader_sem);
	/* Let new readers in; r readers arrived meanwhile and are parked. */
	r = add32(&rw->reader_count, MAX_READERS);
	if (r >= MAX_READERS)
		ls__die(0, "sync: Unlock of unlocked RWMutex");
	if (LS_TRACE_ON(rw_unlock))
		trace_unlock(rw, r);
	for (int32_t i = 0; i < r; i++)
		ls__semrelease(&rw->reader_sem, false, rw);
	/* Let the next writer in. */
	ls_mutex_unlock(&rw->w);
}
