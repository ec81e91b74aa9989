// SPDX-License-Identifier: MIT
/*
 * mutex.c - sync.Mutex (Go: src/sync/mutex.go, 1.19; the same algorithm
 * lives in src/internal/sync/mutex.go since Go 1.24).
 *
 * The whole mutex is one int32 state word and one runtime semaphore:
 *
 *	bit 0	LOCKED    somebody holds the mutex
 *	bit 1	WOKEN     a waiter is awake (woken by Unlock, or a spinner that
 *	                  claimed the wake-up), so Unlock must not wake another
 *	bit 2	STARVING  starvation mode (below)
 *	bits 3+	          the number of goroutines parked on the semaphore
 *
 * Lock first tries one CAS 0 -> LOCKED; that is the whole uncontended cost.
 * Otherwise it loops in lock_slow, recomputing a new state from the old one
 * and publishing it with a CAS:
 *
 *   - while the mutex is held in normal mode it may spin a few rounds
 *     (ls__can_spin, 30 PAUSEs each), setting WOKEN if there are waiters so
 *     that Unlock does not wake one for nothing;
 *   - then it either takes the lock (it was free) or counts itself as a
 *     waiter and parks on the semaphore: at the tail the first time, at the
 *     head (LIFO) when it has waited before, so a woken waiter that lost the
 *     race to a newcomer keeps its place;
 *   - woken, it knows how long it has waited in total.  Over 1 ms it turns
 *     "starving": its next CAS also sets STARVING on the (held) mutex.
 *
 * Normal mode: Unlock clears LOCKED and, if there are waiters and nobody is
 * awake, removes one from the count, sets WOKEN and wakes it.  The woken
 * waiter does not own the mutex: it competes with goroutines arriving right
 * now, which are on a CPU already and usually win.
 *
 * Starvation mode: Unlock hands the mutex straight to the head waiter
 * (semrelease with handoff); LOCKED stays clear while the handoff is in
 * flight, but newcomers treat a STARVING mutex as held: they neither spin
 * nor grab it, they queue at the tail.  The waiter that receives the mutex
 * sets LOCKED, drops itself from the count, and switches the mutex back to
 * normal mode if it was the last waiter or did not wait more than 1 ms.
 *
 *	            Lock (CAS 0->L)                Unlock, no waiters
 *	  unlocked ----------------> locked -----------------------> unlocked
 *	    ^                        |   ^ \  Lock: waiters+1, park
 *	    |   Unlock: waiters-1,   |   |  `----------------------> waiter
 *	    |   WOKEN, wake one      v   |  woken, lost the race:       |
 *	    `------------------- woken --'  park again at the head <----'
 *	                             |  a waiter waited > 1 ms and lost
 *	                             v
 *	                         starving: Unlock hands off to the head
 *	                             |  last waiter, or waited < 1 ms
 *	                             v
 *	                           normal
 *
 * Every successful change of the state word emits MUTEX_STATE (old, new and
 * which step made it), so a viewer can replay the word exactly.
 *
 * Deviations from Go:
 *   - "sync: unlock of unlocked mutex" and "sync: inconsistent mutex state"
 *     both die as fatal errors (Go 1.19 throws the second; the text and
 *     effect are the same: "fatal error: ...", exit 2).
 *   - ls__mutex_lock_as lets RWMutex block on its writer mutex while the
 *     goroutine dump still says [sync.RWMutex.Lock] and names the RWMutex.
 *     Go reaches the same dump through a different wait-reason argument.
 */
#include <stdbool.h>
#include <stdint.h>

#include <lockstep/sync.h>
#include "../runtime/runtime.h"
#include "../trace.h"
#include "../race.h"
#include "internal.h"

#define LOCKED		LS_MUTEX_LOCKED
#define WOKEN		LS_MUTEX_WOKEN
#define STARVING	LS_MUTEX_STARVING
#define WAITER_SHIFT	LS_MUTEX_WAITER_SHIFT
#define ONE_WAITER	(1 << WAITER_SHIFT)
#define STARVATION_NS	LS_MUTEX_STARVATION_THRESHOLD_NS

#define MTRACE(nm, m, ...) LS_TRACE_OBJ(nm, LS_OBJ_MUTEX, m, __VA_ARGS__)

static inline int32_t waiters(int32_t state)
{
	return state >> WAITER_SHIFT;
}

static inline int32_t load_state(const struct ls_mutex *m)
{
	return __atomic_load_n(&m->state, __ATOMIC_SEQ_CST);
}

/* CAS with Go's semantics; on failure *old is refreshed with the state. */
static inline bool cas_state(struct ls_mutex *m, int32_t *old, int32_t new)
{
	return __atomic_compare_exchange_n(&m->state, old, new, false,
					   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

static void inconsistent(void)
{
	ls__die(0, "sync: inconsistent mutex state");
}

void ls_mutex_init(struct ls_mutex *m, const char *name)
{
	*m = (struct ls_mutex)LS_MUTEX_INIT(name);
}

int32_t ls_mutex_state(const struct ls_mutex *m)
{
	return load_state(m);
}

/*
 * Woken with the mutex in starvation mode: the unlocker handed it to us.
 * LOCKED is still clear and we are still counted as a waiter; fix both in
 * one add, and leave starvation mode if nobody else needs it.
 */
static void take_handoff(struct ls_mutex *m, int32_t old, bool starving,
			 int64_t waited)
{
	int32_t delta = LOCKED - ONE_WAITER;
	int32_t new;

	if ((old & (LOCKED | WOKEN)) || waiters(old) == 0)
		inconsistent();
	if (!starving || waiters(old) == 1)
		delta -= STARVING;
	new = __atomic_add_fetch(&m->state, delta, __ATOMIC_SEQ_CST);
	MTRACE(mutex_state, m, new - delta, new, LS_MUTEX_OP_HANDOFF_TAKE);
	if (delta & STARVING)
		MTRACE(mutex_normal, m, new - delta, new,
		       waiters(old) == 1 ? 0 : 1);
	MTRACE(mutex_acquire, m, new, waited, LS_ACQ_HANDOFF);
}

static void lock_slow(struct ls_mutex *m, enum ls_wait_reason reason,
		      enum ls_obj_kind kind, const void *obj, const char *name)
{
	int64_t wait_start = 0, waited = 0;
	bool starving = false, awoke = false, lifo;
	int iter = 0;
	int32_t old = load_state(m), new;

	for (;;) {
		/* Spin only in normal mode while somebody holds the mutex. */
		if ((old & (LOCKED | STARVING)) == LOCKED && ls__can_spin(iter)) {
			if (!awoke && !(old & WOKEN) && waiters(old) != 0) {
				int32_t seen = old;

				if (cas_state(m, &seen, old | WOKEN)) {
					awoke = true;
					MTRACE(mutex_state, m, old, old | WOKEN,
					       LS_MUTEX_OP_SPIN_WOKEN);
				}
			}
			MTRACE(mutex_spin, m, iter, old);
			ls__procyield(30);
			iter++;
			old = load_state(m);
			continue;
		}

		new = old;
		if (!(old & STARVING))
			new |= LOCKED;		/* never grab a starving mutex */
		if (old & (LOCKED | STARVING))
			new += ONE_WAITER;	/* we will have to park */
		if (starving && (old & LOCKED))
			new |= STARVING;	/* only a held mutex starves */
		if (awoke) {
			if (!(new & WOKEN))
				inconsistent();
			new &= ~WOKEN;		/* we are no longer the woken one */
		}
		if (!cas_state(m, &old, new))
			continue;		/* old now holds the fresh state */

		MTRACE(mutex_state, m, old, new, LS_MUTEX_OP_LOCK_SLOW);
		if ((new & STARVING) && !(old & STARVING))
			MTRACE(mutex_starve, m, old, new, waited);
		if (!(old & (LOCKED | STARVING))) {
			MTRACE(mutex_acquire, m, new, waited, LS_ACQ_SLOW);
			break;
		}

		/* Counted as a waiter: park.  A returning waiter goes first. */
		lifo = wait_start != 0;
		if (!wait_start)
			wait_start = ls_now();
		MTRACE(mutex_park, m, lifo, new, ls_now() - wait_start);
		ls__semacquire(&m->sema, lifo, reason, kind, obj, name);
		waited = ls_now() - wait_start;
		starving = starving || waited > STARVATION_NS;
		old = load_state(m);
		MTRACE(mutex_wake, m, old, waited, starving);
		if (old & STARVING) {
			take_handoff(m, old, starving, waited);
			break;
		}
		awoke = true;
		iter = 0;
	}
	ls_race_acquire(m);
}

static LS_COLD void trace_lock_fast(struct ls_mutex *m)
{
	MTRACE(mutex_state, m, 0, LOCKED, LS_MUTEX_OP_LOCK_FAST);
	MTRACE(mutex_acquire, m, LOCKED, 0, LS_ACQ_FAST);
}

/*
 * The uncontended case: one CAS, and one test of the two probes it would
 * fire (both off unless a tracer listens).
 */
static inline bool lock_fast(struct ls_mutex *m)
{
	int32_t old = 0;

	if (__builtin_expect(!cas_state(m, &old, LOCKED), 0))
		return false;
	if (LS_TRACE_ON2(mutex_state, mutex_acquire))
		trace_lock_fast(m);
	ls_race_acquire(m);
	return true;
}

void ls__mutex_lock_as(struct ls_mutex *m, enum ls_wait_reason reason,
		       enum ls_obj_kind kind, const void *obj, const char *name)
{
	if (!lock_fast(m))
		lock_slow(m, reason, kind, obj, name);
}

void ls_mutex_lock(struct ls_mutex *m)
{
	if (!lock_fast(m))
		lock_slow(m, LS_WAIT_MUTEX_LOCK, LS_OBJ_MUTEX, m, m->on.name);
}

bool ls_mutex_trylock(struct ls_mutex *m)
{
	int32_t old = load_state(m);

	/* Never barge past a starvation-mode handoff; never spin or park. */
	if ((old & (LOCKED | STARVING)) || !cas_state(m, &old, old | LOCKED)) {
		MTRACE(mutex_tryfail, m, old);
		return false;
	}
	MTRACE(mutex_state, m, old, old | LOCKED, LS_MUTEX_OP_TRYLOCK);
	MTRACE(mutex_acquire, m, old | LOCKED, 0, LS_ACQ_TRY);
	ls_race_acquire(m);
	return true;
}

/* Out of line, as Go keeps unlockSlow: the fast path stays frameless. */
static __attribute__((noinline)) void unlock_slow(struct ls_mutex *m, int32_t new)
{
	int32_t old;

	MTRACE(mutex_state, m, new + LOCKED, new, LS_MUTEX_OP_UNLOCK);
	if (!((new + LOCKED) & LOCKED))
		ls__die(0, "sync: unlock of unlocked mutex");
	MTRACE(mutex_unlock, m, new);

	if (new & STARVING) {
		/*
		 * Hand the mutex to the head waiter and yield to it.  LOCKED
		 * stays clear until it takes over, but STARVING keeps
		 * newcomers off.
		 */
		MTRACE(mutex_handoff, m, new);
		ls__semrelease(&m->sema, true, m);
		return;
	}

	old = new;
	for (;;) {
		/*
		 * Nobody to wake, or somebody already holds the mutex, is
		 * awake, or it is being handed off: they will take care of
		 * the waiters.
		 */
		if (waiters(old) == 0 || (old & (LOCKED | WOKEN | STARVING)))
			return;
		new = (old - ONE_WAITER) | WOKEN;
		if (cas_state(m, &old, new)) {
			MTRACE(mutex_state, m, old, new, LS_MUTEX_OP_UNLOCK_WAKE);
			ls__semrelease(&m->sema, false, m);
			return;
		}
	}
}

static LS_COLD void trace_unlock_fast(struct ls_mutex *m)
{
	MTRACE(mutex_state, m, LOCKED, 0, LS_MUTEX_OP_UNLOCK);
	MTRACE(mutex_unlock, m, 0);
}

void ls_mutex_unlock(struct ls_mutex *m)
{
	int32_t new;

	ls_race_release(m);
	new = __atomic_add_fetch(&m->state, -LOCKED, __ATOMIC_SEQ_CST);
	if (__builtin_expect(new != 0, 0)) {
		unlock_slow(m, new);
		return;
	}
	if (LS_TRACE_ON2(mutex_state, mutex_unlock))
		trace_unlock_fast(m);
}
