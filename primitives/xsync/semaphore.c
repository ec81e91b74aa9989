// SPDX-License-Identifier: MIT
/*
 * semaphore.c - semaphore.Weighted (golang.org/x/sync/semaphore/semaphore.go).
 *
 * State, all under mu: size (the capacity), cur (tokens held), and a FIFO
 * list of waiters, each asking for n tokens and owning a "ready" channel.
 *
 * Acquire(ctx, n):
 *   1. ctx already done: fail with ctx's error, even if tokens are free
 *      (failing is preferred, so a cancelled caller never takes tokens).
 *   2. size - cur >= n and nobody is waiting: take them (cur += n).  With
 *      waiters queued a newcomer never barges past them, even if it fits.
 *   3. n > size: the request can never be granted; it is not queued (it
 *      would block everyone behind it forever) and just waits for ctx.
 *   4. Otherwise join the back of the queue and select on ready and on
 *      ctx's done channel:
 *        ready first: the tokens are ours; if ctx is done by now, give
 *          them back (Release) and report ctx's error anyway;
 *        done first:  under mu, if ready was closed meanwhile we were
 *          granted: give the tokens back (cur -= n) and notify; otherwise
 *          leave the queue, and if we were at its front and tokens are
 *          free, notify (the waiter behind us may fit where we did not).
 *
 * Release(n): cur -= n (below zero: panic "semaphore: released more than
 * held"), then notify.
 *
 * notifyWaiters: grant waiters from the front while the *front* fits,
 * closing their ready channels.  It stops at the first one that does not
 * fit even if a later, smaller one would: strict FIFO is what keeps a
 * large request from starving behind a stream of small ones.
 *
 * TryAcquire(n): succeeds only if n fits and nobody is waiting.
 *
 * Events: SEM_WAIT when a waiter queues, SEM_RELEASE for every give-back
 * (followed by one SEM_ACQUIRE per waiter it grants, emitted by the
 * releasing goroutine at the moment of the grant), SEM_ACQUIRE when a
 * caller takes tokens itself, SEM_CANCEL when ctx ends an Acquire.
 *
 * Deviations: ctx NULL stands for context.Background().  The ready channel
 * is freed by its waiter under mu, so that the granting goroutine (which
 * closes it under mu) is done with it first.
 */
#include <errno.h>
#include <stdlib.h>

#include <lockstep/chan.h>
#include <lockstep/context.h>
#include <lockstep/xsync.h>
#include "../trace.h"
#include "internal.h"

struct sem_waiter {
	int64_t			n;
	struct ls_chan		*ready;
	struct sem_waiter	*next, *prev;
};

struct ls_semaphore {
	int64_t			size;
	int64_t			cur;
	struct ls_mutex		mu;
	struct sem_waiter	*head, *tail;
	int64_t			nwaiters;
	struct ls_objname	on;
};

#define SEM_TRACE(ev, s, ...) LS_TRACE_OBJ(ev, LS_OBJ_SEMAPHORE, (s), __VA_ARGS__)

struct ls_semaphore *ls_semaphore_new(int64_t n, const char *name)
{
	struct ls_semaphore *s = ls__xcalloc(1, sizeof(*s));

	s->size = n;
	s->on.name = name;
	ls_mutex_init(&s->mu, name);
	return s;
}

void ls_semaphore_free(struct ls_semaphore *s)
{
	free(s);
}

static void waiter_push(struct ls_semaphore *s, struct sem_waiter *w)
{
	w->next = NULL;
	w->prev = s->tail;
	if (s->tail)
		s->tail->next = w;
	else
		s->head = w;
	s->tail = w;
	s->nwaiters++;
}

static void waiter_remove(struct ls_semaphore *s, struct sem_waiter *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		s->head = w->next;
	if (w->next)
		w->next->prev = w->prev;
	else
		s->tail = w->prev;
	s->nwaiters--;
}

/* Grant waiters from the front while the front fits.  Called with mu held. */
static void notify_waiters(struct ls_semaphore *s)
{
	struct sem_waiter *w;

	while ((w = s->head)) {
		if (s->size - s->cur < w->n)
			break;	/* strict FIFO: no one may jump the queue */
		s->cur += w->n;
		waiter_remove(s, w);
		SEM_TRACE(sem_acquire, s, w->n, s->cur, s->size, s->nwaiters);
		ls_chan_close(w->ready);
	}
}

/* How many waiters notify_waiters would grant right now (for the event). */
static int64_t grantable(const struct ls_semaphore *s)
{
	int64_t cur = s->cur, n = 0;

	for (struct sem_waiter *w = s->head; w && s->size - cur >= w->n; w = w->next) {
		cur += w->n;
		n++;
	}
	return n;
}

/* cur -= n and notify.  Called with mu held. */
static void give_back(struct ls_semaphore *s, int64_t n)
{
	s->cur -= n;
	if (s->cur < 0) {
		ls_mutex_unlock(&s->mu);
		ls_panic("semaphore: released more than held");
	}
	SEM_TRACE(sem_release, s, n, s->cur, s->size, grantable(s));
	notify_waiters(s);
}

/* Take n tokens if they fit and nobody is queued.  Called with mu held. */
static bool take_locked(struct ls_semaphore *s, int64_t n)
{
	if (s->size - s->cur < n || s->head)
		return false;
	s->cur += n;
	SEM_TRACE(sem_acquire, s, n, s->cur, s->size, s->nwaiters);
	return true;
}

/* Queued at the back: wait for ready or for ctx.  mu is held on entry. */
static int acquire_wait(struct ls_semaphore *s, struct ls_ctx *ctx, int64_t n)
{
	struct sem_waiter w = { .n = n };
	struct ls_case cases[2];
	int err = 0;

	w.ready = ls_chan_make(0, 0, s->on.name);
	if (!w.ready)
		ls_fatal("runtime: out of memory");
	waiter_push(s, &w);
	SEM_TRACE(sem_wait, s, n, s->cur, s->size, s->nwaiters);
	ls_mutex_unlock(&s->mu);

	cases[0] = (struct ls_case){ .ch = ctx ? ls_ctx_done(ctx) : NULL, .dir = LS_RECV };
	cases[1] = (struct ls_case){ .ch = w.ready, .dir = LS_RECV };
	if (ls_select(cases, 2, true) == 0) {
		bool ready_closed;

		err = ls_ctx_err(ctx);
		ls_mutex_lock(&s->mu);
		ready_closed = ls_chan_tryrecv(w.ready, NULL, NULL);
		SEM_TRACE(sem_cancel, s, n, err);
		if (ready_closed) {
			/* Granted just as ctx ended: hand the tokens on. */
			give_back(s, n);
		} else {
			bool front = s->head == &w;

			waiter_remove(s, &w);
			if (front && s->size > s->cur)
				notify_waiters(s);
		}
	} else {
		ls_mutex_lock(&s->mu);
		err = ls_ctx_err(ctx);
		if (err) {
			/* Acquired, but the caller gave up meanwhile. */
			SEM_TRACE(sem_cancel, s, n, err);
			give_back(s, n);
		}
	}
	ls_chan_free(w.ready);
	ls_mutex_unlock(&s->mu);
	return err;
}

int ls_semaphore_acquire(struct ls_semaphore *s, struct ls_ctx *ctx, int64_t n)
{
	int err;

	ls_mutex_lock(&s->mu);
	err = ls_ctx_err(ctx);
	if (err) {
		SEM_TRACE(sem_cancel, s, n, err);
		ls_mutex_unlock(&s->mu);
		return err;
	}
	if (take_locked(s, n)) {
		ls_mutex_unlock(&s->mu);
		return 0;
	}
	if (n > s->size) {
		/* Can never be granted: do not block the queue, wait for ctx. */
		ls_mutex_unlock(&s->mu);
		ls_chan_recv(ctx ? ls_ctx_done(ctx) : NULL, NULL);
		err = ls_ctx_err(ctx);
		SEM_TRACE(sem_cancel, s, n, err);
		return err;
	}
	return acquire_wait(s, ctx, n);
}

bool ls_semaphore_tryacquire(struct ls_semaphore *s, int64_t n)
{
	bool ok;

	ls_mutex_lock(&s->mu);
	ok = take_locked(s, n);
	ls_mutex_unlock(&s->mu);
	return ok;
}

void ls_semaphore_release(struct ls_semaphore *s, int64_t n)
{
	ls_mutex_lock(&s->mu);
	give_back(s, n);
	ls_mutex_unlock(&s->mu);
}

int64_t ls_semaphore_waiters(struct ls_semaphore *s)
{
	int64_t n;

	ls_mutex_lock(&s->mu);
	n = s->nwaiters;
	ls_mutex_unlock(&s->mu);
	return n;
}
