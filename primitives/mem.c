// SPDX-License-Identifier: MIT
/*
 * mem.c - instrumented shared variables for the race exercises.
 *
 * ls_load and ls_store are deliberately ordinary memory accesses: two
 * goroutines doing "v = ls_load(&x); ls_store(&x, v + 1)" lose updates
 * exactly as "x++" does, and ThreadSanitizer reports them.  The only extra
 * is the event (MEM_LOAD / MEM_STORE, with the value and the variable's
 * name) emitted right after the access, so that a viewer can line up the
 * interleaving that lost the update.  The access is volatile so that the
 * compiler neither drops nor merges it.
 *
 * The ls_atomic_* functions are real sequentially consistent atomics (Go's
 * sync/atomic) and emit ATOMIC_OP with the old and the new value; the race
 * detector treats them as synchronising.
 *
 * Deviation: to report the value it replaced, a traced ls_atomic_store is
 * done as an atomic exchange; untraced it is a plain atomic store.  Both are
 * sequentially consistent stores as far as any other goroutine can tell.
 */
#include <lockstep/mem.h>
#include "trace.h"

int64_t ls_load(const int64_t *p, const char *name)
{
	int64_t v = *(const volatile int64_t *)p;

	LS_TRACE(mem_load, p, v, name);
	return v;
}

void ls_store(int64_t *p, int64_t v, const char *name)
{
	*(volatile int64_t *)p = v;
	LS_TRACE(mem_store, p, v, name);
}

int64_t ls_atomic_load(const int64_t *p)
{
	int64_t v = __atomic_load_n(p, __ATOMIC_SEQ_CST);

	LS_TRACE(atomic_op, p, LS_ATOMIC_LOAD, v, v);
	return v;
}

void ls_atomic_store(int64_t *p, int64_t v)
{
	if (LS_TRACE_ON(atomic_op)) {
		int64_t old = __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);

		LS_TRACE(atomic_op, p, LS_ATOMIC_STORE, old, v);
		return;
	}
	__atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}

int64_t ls_atomic_add(int64_t *p, int64_t delta)
{
	int64_t new = __atomic_add_fetch(p, delta, __ATOMIC_SEQ_CST);

	LS_TRACE(atomic_op, p, LS_ATOMIC_ADD, new - delta, new);
	return new;
}

bool ls_atomic_cas(int64_t *p, int64_t old, int64_t new_val)
{
	int64_t seen = old;
	bool ok = __atomic_compare_exchange_n(p, &seen, new_val, false,
					      __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);

	/* A failed CAS changes nothing: old == new == the value it saw. */
	LS_TRACE(atomic_op, p, LS_ATOMIC_CAS, seen, ok ? new_val : seen);
	return ok;
}

int64_t ls_atomic_swap(int64_t *p, int64_t v)
{
	int64_t old = __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);

	LS_TRACE(atomic_op, p, LS_ATOMIC_SWAP, old, v);
	return old;
}
