// SPDX-License-Identifier: MIT
/*
 * once.c - sync.Once (Go: src/sync/once.go).
 *
 * Two fields: a done flag and a Mutex.
 *
 * The fast path is one atomic load: done == 1 means f has run and returned,
 * so Do returns at once, and everything f wrote is visible (the load pairs
 * with the store that set done).
 *
 * Otherwise the slow path locks the mutex and checks done again: the first
 * goroutine through runs f while holding the mutex, and only after f
 * returns sets done.  Every other caller meanwhile blocks on the mutex, so
 * no Do returns before f has finished; that is the guarantee a
 * "CAS done 0 -> 1, then call f" version would break (the losers would
 * return while f is still running).
 *
 *	          Do: done == 0, lock m        f returns: done = 1, unlock m
 *	  not done ----------------------> running f ------------------------> done
 *	                                     ^   other Do calls block on m     |
 *	                                     |   then see done == 1            |
 *	                                                  Do: load done == 1 <-'
 *
 * f calling Do on the same Once re-locks the non-reentrant mutex and
 * deadlocks, as in Go: with nothing else running the process dies with
 * "all goroutines are asleep - deadlock!" and the dump shows the goroutine
 * waiting in [sync.Mutex.Lock] on the Once (Go's dump shows the same
 * wait reason, with Once.doSlow in the stack).
 *
 * Deviations from Go: none in the algorithm.  A Go f that panics still
 * counts as done (Do's deferred store); in C a panic ends the process, so
 * the question never arises.
 */
#include <lockstep/sync.h>
#include "../runtime/runtime.h"
#include "../trace.h"
#include "internal.h"

#define OTRACE(nm, o) LS_TRACE_OBJ(nm, LS_OBJ_ONCE, o)

static void do_slow(struct ls_once *o, void (*fn)(void *), void *arg)
{
	/* A goroutine blocked here shows as waiting on the Once. */
	ls__mutex_lock_as(&o->m, LS_WAIT_MUTEX_LOCK, LS_OBJ_ONCE, o, o->on.name);
	/* Under m, done only changes here: a relaxed read is enough. */
	if (__atomic_load_n(&o->done, __ATOMIC_RELAXED) == 0) {
		OTRACE(once_begin, o);
		fn(arg);
		__atomic_store_n(&o->done, 1, __ATOMIC_SEQ_CST);
		OTRACE(once_done, o);
	}
	ls_mutex_unlock(&o->m);
}

void ls_once_do(struct ls_once *o, void (*fn)(void *arg), void *arg)
{
	if (__builtin_expect(__atomic_load_n(&o->done, __ATOMIC_SEQ_CST) == 0, 0)) {
		do_slow(o, fn, arg);
		return;
	}
	/* The race detector orders this caller after f (done's store). */
	OTRACE(once_skip, o);
}
