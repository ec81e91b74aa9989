// SPDX-License-Identifier: MIT
/*
 * sema.c - runtime semaphores and the notify list (Go: runtime/sema.go).
 *
 * Semaphores.  A semaphore is a uint32 count somewhere in a primitive (for
 * example ls_mutex.sema).  semacquire takes one unit, parking while the
 * count is zero; semrelease adds one and wakes a waiter.  Waiters live in a
 * table of 251 buckets keyed by the count's address; each bucket has a lock,
 * a waiter count (nwait, so that semrelease can skip the lock when nobody
 * waits) and a list of sudogs.  Within one address the list is FIFO, except
 * that a waiter asking for LIFO (a mutex waiter that already waited once)
 * goes to the head.  With handoff, semrelease gives the unit it just added
 * straight to the woken waiter (ticket = 1) so nobody can barge in between,
 * then yields so the waiter runs at once.  Go keeps a treap of addresses per
 * bucket; we keep one list per bucket and take the first match, which gives
 * the same order per address.
 *
 * Notify list.  sync.Cond hands out tickets (wait++) before unlocking its
 * lock; Signal wakes exactly ticket `notify` and advances it; Broadcast sets
 * notify = wait and wakes everyone queued.  A waiter whose ticket is already
 * below `notify` when it gets here does not park at all.  Hence FIFO wake-up
 * and no stolen signals.
 */
#include <stddef.h>

#include "runtime.h"
#include "../trace.h"

#define SEM_TAB_SIZE 251

struct sema_root {
	uint32_t lock;
	uint32_t nwait;
	struct ls_sudog *head, *tail;
} __attribute__((aligned(64)));

static struct sema_root semtable[SEM_TAB_SIZE];

static struct sema_root *root_for(const uint32_t *addr)
{
	return &semtable[((uintptr_t)addr >> 3) % SEM_TAB_SIZE];
}

static bool cansemacquire(uint32_t *addr)
{
	uint32_t v = __atomic_load_n(addr, __ATOMIC_SEQ_CST);

	while (v != 0) {
		if (__atomic_compare_exchange_n(addr, &v, v - 1, false,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			return true;
	}
	return false;
}

static void root_queue(struct sema_root *root, struct ls_sudog *s, bool lifo)
{
	if (lifo) {
		s->prev = NULL;
		s->next = root->head;
		if (root->head)
			root->head->prev = s;
		else
			root->tail = s;
		root->head = s;
	} else {
		s->next = NULL;
		s->prev = root->tail;
		if (root->tail)
			root->tail->next = s;
		else
			root->head = s;
		root->tail = s;
	}
}

static struct ls_sudog *root_dequeue(struct sema_root *root, const uint32_t *addr)
{
	struct ls_sudog *s;

	for (s = root->head; s; s = s->next)
		if (s->addr == addr)
			break;
	if (!s)
		return NULL;
	if (s->prev)
		s->prev->next = s->next;
	else
		root->head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	else
		root->tail = s->prev;
	s->next = s->prev = NULL;
	return s;
}

void ls__semacquire(uint32_t *addr, bool lifo, enum ls_wait_reason reason,
		    enum ls_obj_kind kind, const void *obj, const char *objname)
{
	struct sema_root *root;
	struct ls_sudog s = { 0 };

	if (cansemacquire(addr))
		return;
	root = root_for(addr);
	s.g = ls__getg();
	s.addr = addr;
	for (;;) {
		ls__lock(&root->lock);
		/* Counted before the re-check: a semrelease after it sees us. */
		__atomic_add_fetch(&root->nwait, 1, __ATOMIC_SEQ_CST);
		if (cansemacquire(addr)) {
			__atomic_sub_fetch(&root->nwait, 1, __ATOMIC_SEQ_CST);
			ls__unlock(&root->lock);
			break;
		}
		s.ticket = 0;
		root_queue(root, &s, lifo);
		ls__gopark(ls__unlock_cb, &root->lock, reason, kind, obj, objname);
		if (s.ticket != 0 || cansemacquire(addr))
			break;
	}
}

void ls__semrelease(uint32_t *addr, bool handoff, const void *obj)
{
	struct sema_root *root = root_for(addr);
	struct ls_sudog *s;

	__atomic_add_fetch(addr, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&root->nwait, __ATOMIC_SEQ_CST) == 0)
		return;
	ls__lock(&root->lock);
	if (__atomic_load_n(&root->nwait, __ATOMIC_SEQ_CST) == 0) {
		ls__unlock(&root->lock);
		return;
	}
	s = root_dequeue(root, addr);
	if (s)
		__atomic_sub_fetch(&root->nwait, 1, __ATOMIC_SEQ_CST);
	ls__unlock(&root->lock);
	if (!s)
		return;
	if (s->ticket != 0)
		ls__die(0, "corrupted semaphore ticket");
	if (handoff && cansemacquire(addr))
		s->ticket = 1;
	ls__goready(s->g, obj, handoff);
	if (handoff)
		ls_gosched();
}

/* ---- notify list ---- */

static bool less(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

uint32_t ls__notify_list_add(struct ls_notify_list *l)
{
	return __atomic_fetch_add(&l->wait, 1, __ATOMIC_SEQ_CST);
}

void ls__notify_list_wait(struct ls_notify_list *l, uint32_t t, const void *obj,
			  const char *objname)
{
	struct ls_sudog s = { 0 };

	ls__lock(&l->lock);
	if (less(t, __atomic_load_n(&l->notify, __ATOMIC_SEQ_CST))) {
		ls__unlock(&l->lock);
		return;
	}
	s.g = ls__getg();
	s.ticket = t;
	if (l->tail)
		((struct ls_sudog *)l->tail)->next = &s;
	else
		l->head = &s;
	l->tail = &s;
	ls__gopark(ls__unlock_cb, &l->lock, LS_WAIT_COND_WAIT, LS_OBJ_COND, obj,
		   objname);
}

int ls__notify_list_notify_all(struct ls_notify_list *l, const void *obj)
{
	struct ls_sudog *s, *next;
	int n = 0;

	if (__atomic_load_n(&l->wait, __ATOMIC_SEQ_CST) ==
	    __atomic_load_n(&l->notify, __ATOMIC_SEQ_CST))
		return 0;
	ls__lock(&l->lock);
	s = l->head;
	l->head = l->tail = NULL;
	__atomic_store_n(&l->notify, __atomic_load_n(&l->wait, __ATOMIC_SEQ_CST),
			 __ATOMIC_SEQ_CST);
	ls__unlock(&l->lock);
	for (; s; s = next) {
		next = s->next;	/* read before the waiter may return */
		s->next = NULL;
		ls__goready(s->g, obj, false);
		n++;
	}
	return n;
}

int ls__notify_list_notify_one(struct ls_notify_list *l, const void *obj,
			       int64_t *ticket)
{
	struct ls_sudog *s, *p;
	uint32_t t;

	*ticket = -1;
	if (__atomic_load_n(&l->wait, __ATOMIC_SEQ_CST) ==
	    __atomic_load_n(&l->notify, __ATOMIC_SEQ_CST))
		return 0;
	ls__lock(&l->lock);
	t = l->notify;
	if (t == __atomic_load_n(&l->wait, __ATOMIC_SEQ_CST)) {
		ls__unlock(&l->lock);
		return 0;
	}
	__atomic_store_n(&l->notify, t + 1, __ATOMIC_SEQ_CST);
	*ticket = t;
	for (p = NULL, s = l->head; s; p = s, s = s->next) {
		if (s->ticket != t)
			continue;
		if (p)
			p->next = s->next;
		else
			l->head = s->next;
		if (l->tail == s)
			l->tail = p;
		ls__unlock(&l->lock);
		s->next = NULL;
		ls__goready(s->g, obj, false);
		return 1;
	}
	/* Ticket t has not parked yet: it will see less(t, notify). */
	ls__unlock(&l->lock);
	return 0;
}
