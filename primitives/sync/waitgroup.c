// SPDX-License-Identifier: MIT
/*
 * waitgroup.c - sync.WaitGroup (Go: src/sync/waitgroup.go; WaitGroup.Go
 * from Go 1.25).
 *
 * One 64-bit word holds everything, so that "the counter reached zero" and
 * "how many are waiting" are read together, atomically:
 *
 *	bits 63..32	counter v (int32): Add(n) adds n, Done subtracts one
 *	bits 31..0	waiters w (uint32): goroutines parked in Wait
 *
 * plus a runtime semaphore the waiters park on.
 *
 * Wait returns at once when v == 0; otherwise it CASes w+1 into the word
 * and parks.  Add adds delta << 32 and looks at the result:
 *
 *   v < 0                    panic: the counter went negative;
 *   v > 0, or no waiters     nothing else to do;
 *   v == 0 with w waiters    the last Done: reset the whole word to zero
 *                            and release the semaphore w times.
 *
 *	            Add(n)              Wait (CAS w+1)
 *	  idle  ------------> counting -----------------> counting, w parked
 *	 (v=0)  <------------    |     Done: v -> 0       |
 *	           Done: v -> 0  |     <------------------'
 *	                         |     store 0, wake all w
 *
 * Because the word is reset to exactly 0 before the waiters are released,
 * two kinds of misuse can be detected, and panic with Go's words:
 *   - Add(n > 0) that starts a new round while waiters of the last round
 *     are still counted: "sync: WaitGroup misuse: Add called concurrently
 *     with Wait" (also when the word changed between the last Done and the
 *     reset);
 *   - a woken waiter that finds the word non-zero: the group was re-used
 *     before it returned, "sync: WaitGroup is reused before previous Wait
 *     has returned".
 * And "sync: negative WaitGroup counter" for one Done too many.
 *
 * Deviations from Go:
 *   - Go 1.25 reserves bit 31 of the waiter half for its synctest bubbles;
 *     we keep Go 1.19's plain 32/32 split.
 *   - ls_waitgroup_go allocates a small record for the wrapper goroutine;
 *     if that or starting the goroutine fails the process dies with a fatal
 *     error, as Go does when it cannot create a goroutine.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lockstep/sync.h>
#include "../runtime/runtime.h"
#include "../trace.h"
#include "../race.h"

#define WGTRACE(nm, wg, ...) LS_TRACE_OBJ(nm, LS_OBJ_WAITGROUP, wg, __VA_ARGS__)

static inline int32_t counter_of(uint64_t state)
{
	return (int32_t)(state >> 32);
}

static inline uint32_t waiters_of(uint64_t state)
{
	return (uint32_t)state;
}

static inline uint64_t load_state(const struct ls_waitgroup *wg)
{
	return __atomic_load_n(&wg->state, __ATOMIC_SEQ_CST);
}

static void misuse_concurrent_add(void)
{
	ls__die(1, "sync: WaitGroup misuse: Add called concurrently with Wait");
}

void ls_waitgroup_init(struct ls_waitgroup *wg, const char *name)
{
	*wg = (struct ls_waitgroup)LS_WAITGROUP_INIT(name);
}

int32_t ls_waitgroup_counter(const struct ls_waitgroup *wg)
{
	return counter_of(load_state(wg));
}

uint32_t ls_waitgroup_waiters(const struct ls_waitgroup *wg)
{
	return waiters_of(load_state(wg));
}

void ls_waitgroup_add(struct ls_waitgroup *wg, int delta)
{
	uint64_t state;
	int32_t v;
	uint32_t w;

	if (delta < 0)
		ls_race_release_merge(wg);	/* Done orders with Wait's return */
	state = __atomic_add_fetch(&wg->state, (uint64_t)(int64_t)delta << 32,
				   __ATOMIC_SEQ_CST);
	v = counter_of(state);
	w = waiters_of(state);
	WGTRACE(wg_add, wg, (int64_t)delta, (int64_t)v, w);
	if (v < 0)
		ls__die(1, "sync: negative WaitGroup counter");
	/* A new round started while the last round's waiters are counted. */
	if (w != 0 && delta > 0 && v == delta)
		misuse_concurrent_add();
	if (v > 0 || w == 0)
		return;

	/*
	 * v == 0 with waiters: we made the last Done.  Nobody may touch the
	 * word now (Adds must happen before Wait, and Wait does not change
	 * it while v == 0); reset it, then release every waiter.
	 */
	if (load_state(wg) != state)
		misuse_concurrent_add();
	__atomic_store_n(&wg->state, 0, __ATOMIC_SEQ_CST);
	WGTRACE(wg_release, wg, w);
	for (; w != 0; w--)
		ls__semrelease(&wg->sema, false, wg);
}

void ls_waitgroup_done(struct ls_waitgroup *wg)
{
	ls_waitgroup_add(wg, -1);
}

void ls_waitgroup_wait(struct ls_waitgroup *wg)
{
	uint64_t state = load_state(wg);

	for (;;) {
		if (counter_of(state) == 0) {
			/* Returning at once still orders us after every Done. */
			WGTRACE(wg_wait, wg, 0, waiters_of(state));
			ls_race_acquire(wg);
			return;
		}
		/* Count ourselves as a waiter; on failure state is refreshed. */
		if (__atomic_compare_exchange_n(&wg->state, &state, state + 1, false,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			break;
	}
	WGTRACE(wg_wait, wg, (int64_t)counter_of(state), waiters_of(state) + 1);
	ls__semacquire(&wg->sema, false, LS_WAIT_WG_WAIT, LS_OBJ_WAITGROUP, wg,
		       wg->on.name);
	if (load_state(wg) != 0)
		ls__die(1, "sync: WaitGroup is reused before previous Wait has returned");
	ls_race_acquire(wg);
}

/* ---- WaitGroup.Go ---- */

struct wg_call {
	struct ls_waitgroup *wg;
	void (*fn)(void *);
	void *arg;
};

static void wg_call_run(void *p)
{
	struct wg_call call = *(struct wg_call *)p;

	free(p);
	call.fn(call.arg);
	/* A panic in fn kills the process before this: Wait never returns. */
	ls_waitgroup_done(call.wg);
}

void ls_waitgroup_go(struct ls_waitgroup *wg, void (*fn)(void *), void *arg,
		     const char *name)
{
	struct wg_call *call = malloc(sizeof(*call));
	char msg[96];
	int err;

	if (!call) {
		err = -ENOMEM;
		goto out_fatal;
	}
	*call = (struct wg_call){ .wg = wg, .fn = fn, .arg = arg };
	ls_waitgroup_add(wg, 1);
	err = ls_go(wg_call_run, call, name);
	if (!err)
		return;
	free(call);
	ls_waitgroup_done(wg);
out_fatal:
	snprintf(msg, sizeof(msg), "WaitGroup.Go: cannot start a goroutine: %s",
		 strerror(-err));
	ls__die(0, msg);
}
