// SPDX-License-Identifier: MIT
/*
 * cond.c - sync.Cond (Go: src/sync/cond.go; the notify list is in
 * src/runtime/sema.go, ours in primitives/runtime/sema.c).
 *
 * A condition variable is a lock L plus a ticket machine, the notify list:
 *
 *	wait	the next ticket to hand out
 *	notify	the next ticket to wake
 *
 * Wait takes a ticket (wait++) while still holding L, then unlocks L and
 * parks until its ticket has been notified, then locks L again.  Taking
 * the ticket before unlocking is what makes a Signal sent after Wait
 * released L impossible to miss: the ticket already counts.
 *
 * Signal wakes ticket `notify` and advances it; Broadcast sets notify =
 * wait, waking every ticket handed out so far.  A ticket notified before
 * its owner managed to park is simply not parked at all.  So:
 *   - Signal wakes the oldest waiter (FIFO by ticket);
 *   - a goroutine that calls Wait after a Broadcast has a newer ticket and
 *     cannot steal the wake-up meant for an earlier waiter;
 *   - there are no spurious wake-ups, but callers still loop on their
 *     condition, since another goroutine may change it before they re-lock.
 *
 *	      Wait: ticket t = wait++, unlock L      Signal: notify++ (wakes t)
 *	  holds L ------------------------------> parked ------------------> runs,
 *	                                             ^   Broadcast:         locks L
 *	                                             |   notify = wait
 *
 * Signal and Broadcast do not require L to be held.
 *
 * A Cond must not be copied after first use.  The checker field records
 * the address of itself on first use; a copy carries the old address, and
 * its first method call dies with "panic: sync.Cond is copied".
 *
 * Deviations from Go: L is a struct ls_mutex, not any Locker; ls_cond_init
 * stores it (Go: NewCond, or setting L).  The first ticket reported by
 * COND_BROADCAST is read just before the broadcast, for display only.
 */
#include <lockstep/sync.h>
#include "../runtime/runtime.h"
#include "../trace.h"

#define CTRACE(nm, c, ...) LS_TRACE_OBJ(nm, LS_OBJ_COND, c, __VA_ARGS__)

/* Go's copyChecker: the field must hold its own address. */
static void check_not_copied(struct ls_cond *c)
{
	uintptr_t self = (uintptr_t)&c->checker;
	uintptr_t seen = __atomic_load_n(&c->checker, __ATOMIC_SEQ_CST);

	if (seen == self)
		return;
	seen = 0;
	if (__atomic_compare_exchange_n(&c->checker, &seen, self, false,
					__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return;
	/* Lost the first-use race to a goroutine that stored the same value? */
	if (__atomic_load_n(&c->checker, __ATOMIC_SEQ_CST) != self)
		ls__die(1, "sync.Cond is copied");
}

static uint32_t load32(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

void ls_cond_init(struct ls_cond *c, struct ls_mutex *l, const char *name)
{
	*c = (struct ls_cond){ .L = l, .on = { .name = name } };
}

void ls_cond_wait(struct ls_cond *c)
{
	uint32_t t;

	check_not_copied(c);
	t = ls__notify_list_add(&c->notify);
	CTRACE(cond_wait, c, t, load32(&c->notify.notify));
	ls_mutex_unlock(c->L);
	ls__notify_list_wait(&c->notify, t, c, c->on.name);
	CTRACE(cond_wake, c, t);
	ls_mutex_lock(c->L);
}

void ls_cond_signal(struct ls_cond *c)
{
	int64_t t;

	check_not_copied(c);
	ls__notify_list_notify_one(&c->notify, c, &t);
	CTRACE(cond_signal, c, t, load32(&c->notify.wait),
	       load32(&c->notify.notify));
}

void ls_cond_broadcast(struct ls_cond *c)
{
	uint32_t first = LS_TRACE_ON(cond_broadcast) ? load32(&c->notify.notify) : 0;
	int n;

	check_not_copied(c);
	n = ls__notify_list_notify_all(&c->notify, c);
	CTRACE(cond_broadcast, c, first, load32(&c->notify.wait), n);
}
