// SPDX-License-Identifier: MIT
/*
 * barrier.c - a CyclicBarrier (the course's extended primitive; the model
 * is java.util.concurrent.CyclicBarrier, built here from Go parts: a mutex
 * and a channel closed per generation).
 *
 * `parties` goroutines meet at the barrier; each Await blocks until the
 * last one arrives.  The barrier then "trips": the last arriver runs the
 * optional action (before anyone is released), every waiter returns 0, and
 * the barrier is ready for the next round.  Each round is a generation:
 *
 *   struct bgen { done channel; broken; waiters }
 *
 * Await, under mu:
 *   - the current generation is broken: return -EPIPE at once;
 *   - ctx already done: break the generation, return ctx's error;
 *   - arrived++.  If arrived == parties: run the action, close the
 *     generation's done channel (releasing everyone parked on it), start a
 *     new generation, return 0.
 *   - otherwise unlock and select on the generation's done channel and on
 *     ctx's done channel:
 *       done closed:  return 0, or -EPIPE if the generation was broken;
 *       ctx done:     if our generation is still the current one and not
 *                     broken, break it (everyone else gets -EPIPE) and
 *                     return ctx's error; if it tripped or broke meanwhile,
 *                     report that instead, as Java does.
 *
 * Breaking marks the generation broken and closes its done channel.  A
 * broken barrier stays broken (every Await fails with -EPIPE) until
 * Reset, which breaks the current generation (its waiters get -EPIPE) and
 * starts a fresh one.
 *
 * A generation's memory belongs to the barrier while it is current and to
 * its waiters afterwards: the last waiter to leave a retired generation
 * frees it, under mu, so the goroutine that closed its channel (also under
 * mu) is finished with it.
 *
 * Events: BARRIER_AWAIT per arrival, BARRIER_TRIP when the last arrives,
 * BARRIER_BROKEN on a break (Reset or a waiter's ctx).
 *
 * Deviation from Java: Await returns 0 (not the arrival index), and a
 * waiter that gives up because of its ctx breaks the barrier just as a
 * timed-out or interrupted Java thread does.  The action runs with mu held
 * and must not call the barrier.
 */
#include <errno.h>
#include <stdlib.h>

#include <lockstep/chan.h>
#include <lockstep/context.h>
#include <lockstep/xsync.h>
#include "../trace.h"
#include "internal.h"

struct bgen {
	struct ls_chan	*done;
	bool		broken;
	int		waiters;	/* parked on done */
};

/* mu is not first: its own events must not share the barrier's address */
struct ls_barrier {
	int			parties;
	struct ls_mutex		mu;
	int			arrived;
	uint64_t		generation;
	struct bgen		*gen;
	void			(*action)(void *arg);
	void			*arg;
	struct ls_objname	on;
};

#define BAR_TRACE(ev, b, ...) LS_TRACE_OBJ(ev, LS_OBJ_BARRIER, (b), __VA_ARGS__)

static struct bgen *gen_new(struct ls_barrier *b)
{
	struct bgen *g = ls__xcalloc(1, sizeof(*g));

	g->done = ls_chan_make(0, 0, b->on.name);
	if (!g->done)
		ls_fatal("runtime: out of memory");
	return g;
}

static void gen_free(struct bgen *g)
{
	ls_chan_free(g->done);
	free(g);
}

struct ls_barrier *ls_barrier_new(int parties, void (*action)(void *arg), void *arg,
				  const char *name)
{
	struct ls_barrier *b;

	if (parties <= 0) {
		errno = EINVAL;
		return NULL;
	}
	b = ls__xcalloc(1, sizeof(*b));
	ls_mutex_init(&b->mu, name);
	b->parties = parties;
	b->action = action;
	b->arg = arg;
	b->on.name = name;
	b->gen = gen_new(b);
	return b;
}

void ls_barrier_free(struct ls_barrier *b)
{
	if (!b)
		return;
	gen_free(b->gen);
	free(b);
}

/* Retire the current generation and start the next one.  mu held. */
static void next_generation(struct ls_barrier *b)
{
	struct bgen *old = b->gen;

	if (!old->broken)	/* a broken one is closed already */
		ls_chan_close(old->done);
	b->gen = gen_new(b);
	b->arrived = 0;
	b->generation++;
	if (!old->waiters)
		gen_free(old);
}

/* Break the current generation: its waiters get -EPIPE.  mu held. */
static void break_barrier(struct ls_barrier *b)
{
	struct bgen *g = b->gen;

	if (g->broken)
		return;
	g->broken = true;
	BAR_TRACE(barrier_broken, b, b->generation, g->waiters);
	ls_chan_close(g->done);
	b->arrived = 0;
}

/* A waiter leaves generation g.  mu held. */
static void gen_leave(struct ls_barrier *b, struct bgen *g)
{
	if (!--g->waiters && g != b->gen)
		gen_free(g);
}

int ls_barrier_await(struct ls_barrier *b, struct ls_ctx *ctx)
{
	struct ls_case cases[2];
	struct bgen *g;
	int ret;

	ls_mutex_lock(&b->mu);
	g = b->gen;
	if (g->broken) {
		ls_mutex_unlock(&b->mu);
		return -EPIPE;
	}
	ret = ls_ctx_err(ctx);
	if (ret) {
		break_barrier(b);
		ls_mutex_unlock(&b->mu);
		return ret;
	}
	b->arrived++;
	BAR_TRACE(barrier_await, b, b->arrived, b->parties, b->generation);
	if (b->arrived == b->parties) {
		if (b->action)
			b->action(b->arg);
		BAR_TRACE(barrier_trip, b, b->generation, b->parties);
		next_generation(b);
		ls_mutex_unlock(&b->mu);
		return 0;
	}
	g->waiters++;
	ls_mutex_unlock(&b->mu);

	cases[0] = (struct ls_case){ .ch = g->done, .dir = LS_RECV };
	cases[1] = (struct ls_case){ .ch = ctx ? ls_ctx_done(ctx) : NULL, .dir = LS_RECV };
	ls_select(cases, 2, true);

	ls_mutex_lock(&b->mu);
	if (g->broken) {
		ret = -EPIPE;
	} else if (g != b->gen) {
		ret = 0;		/* tripped */
	} else {
		ret = ls_ctx_err(ctx);	/* our ctx ended first: break it */
		break_barrier(b);
	}
	gen_leave(b, g);
	ls_mutex_unlock(&b->mu);
	return ret;
}

void ls_barrier_reset(struct ls_barrier *b)
{
	ls_mutex_lock(&b->mu);
	break_barrier(b);
	next_generation(b);
	ls_mutex_unlock(&b->mu);
}

int ls_barrier_waiting(struct ls_barrier *b)
{
	int n;

	ls_mutex_lock(&b->mu);
	n = b->arrived;
	ls_mutex_unlock(&b->mu);
	return n;
}

bool ls_barrier_is_broken(struct ls_barrier *b)
{
	bool broken;

	ls_mutex_lock(&b->mu);
	broken = b->gen->broken;
	ls_mutex_unlock(&b->mu);
	return broken;
}
