// SPDX-License-Identifier: MIT
/*
 * errgroup.c - errgroup.Group (golang.org/x/sync/errgroup/errgroup.go).
 *
 * A Group is a WaitGroup, an optional limit, an optional cancel function
 * and the first error:
 *
 *   sem     a channel of tokens with capacity = the limit (NULL: no limit).
 *           Go() sends a token before starting a goroutine, so it blocks
 *           while `limit` goroutines are active; the goroutine receives its
 *           token back when it returns.  TryGo() sends without blocking and
 *           reports false when the channel is full.
 *   wg      counts the goroutines; Wait() waits for it.
 *   errOnce the first non-zero result is recorded exactly once, and that
 *           same moment cancels the group's context (WithContext).
 *   cancel  the group's context is also cancelled when Wait returns.
 *
 * SetLimit(n): n < 0 removes the limit; otherwise a new channel of
 * capacity n replaces the old one.  Changing it while goroutines hold
 * tokens panics: "errgroup: modify limit while N goroutines in the group
 * are still active".  SetLimit(0) makes Go block forever and TryGo fail.
 *
 * Events: EG_GO when a goroutine starts (active count, limit), EG_DONE when
 * one returns (active count after, its result, the group's first error).
 *
 * Deviations: errors are ints (0 = nil); a context is created only when
 * ls_errgroup_new gets a parent (Go's zero Group has none).  Go cancels
 * with the error as the cause; our contexts have no causes, so the group's
 * ctx reports -ECANCELED.  A replaced token channel is kept until
 * ls_errgroup_free, since a Go() blocked on a limit of 0 may still hold it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <lockstep/chan.h>
#include <lockstep/context.h>
#include <lockstep/runtime.h>
#include <lockstep/xsync.h>
#include "../trace.h"
#include "internal.h"

/* wg is not first: its own events must not share the group's address */
struct ls_errgroup {
	struct ls_chan		*sem;		/* NULL: unlimited */
	struct ls_waitgroup	wg;
	struct ls_chan		**old_sems;
	size_t			nold;
	struct ls_ctx		*ctx;		/* NULL: no context */
	struct ls_once		err_once;
	int			err;
	int			active;		/* atomic, for the events */
	int			limit;		/* -1: none */
	struct ls_objname	on;
};

struct eg_task {
	struct ls_errgroup	*g;
	int			(*fn)(void *arg);
	void			*arg;
	int			err;
};

#define EG_TRACE(ev, g, ...) LS_TRACE_OBJ(ev, LS_OBJ_ERRGROUP, (g), __VA_ARGS__)

struct ls_errgroup *ls_errgroup_new(struct ls_ctx *parent, struct ls_ctx **ctx_out)
{
	struct ls_errgroup *g = ls__xcalloc(1, sizeof(*g));

	ls_waitgroup_init(&g->wg, "errgroup");
	g->err_once = (struct ls_once)LS_ONCE_INIT("errgroup");
	g->limit = -1;
	g->on.name = "errgroup";
	if (parent) {
		g->ctx = ls_ctx_with_cancel(parent);
		if (!g->ctx)
			ls_fatal("runtime: out of memory");
	}
	if (ctx_out)
		*ctx_out = g->ctx;
	return g;
}

void ls_errgroup_free(struct ls_errgroup *g)
{
	if (!g)
		return;
	if (g->ctx)
		ls_ctx_release(g->ctx);
	if (g->sem)
		ls_chan_free(g->sem);
	for (size_t i = 0; i < g->nold; i++)
		ls_chan_free(g->old_sems[i]);
	free(g->old_sems);
	free(g);
}

static void record_err(void *arg)
{
	struct eg_task *t = arg;

	__atomic_store_n(&t->g->err, t->err, __ATOMIC_RELAXED);
	if (t->g->ctx)
		ls_ctx_cancel(t->g->ctx);
}

static void task_main(void *arg)
{
	struct eg_task *t = arg;
	struct ls_errgroup *g = t->g;
	int active;

	t->err = t->fn(t->arg);
	if (t->err)
		ls_once_do(&g->err_once, record_err, t);
	active = __atomic_sub_fetch(&g->active, 1, __ATOMIC_RELAXED);
	EG_TRACE(eg_done, g, active, t->err, __atomic_load_n(&g->err, __ATOMIC_RELAXED));
	free(t);
	/* done(): give the token back, then wg.Done() */
	if (g->sem)
		ls_chan_recv(g->sem, NULL);
	ls_waitgroup_done(&g->wg);
}

static void start(struct ls_errgroup *g, int (*fn)(void *), void *arg,
		  const char *name)
{
	struct eg_task *t = ls__xcalloc(1, sizeof(*t));
	int active;

	t->g = g;
	t->fn = fn;
	t->arg = arg;
	ls_waitgroup_add(&g->wg, 1);
	active = __atomic_add_fetch(&g->active, 1, __ATOMIC_RELAXED);
	EG_TRACE(eg_go, g, active, g->limit);
	if (ls_go(task_main, t, name))
		ls_fatal("errgroup: cannot start a goroutine");
}

void ls_errgroup_go(struct ls_errgroup *g, int (*fn)(void *arg), void *arg,
		    const char *name)
{
	if (g->sem)
		ls_chan_send(g->sem, NULL);	/* blocks at the limit */
	start(g, fn, arg, name);
}

bool ls_errgroup_trygo(struct ls_errgroup *g, int (*fn)(void *arg), void *arg,
		       const char *name)
{
	if (g->sem && !ls_chan_trysend(g->sem, NULL))
		return false;
	start(g, fn, arg, name);
	return true;
}

/* Set the limit channel aside until ls_errgroup_free: a task may still use it. */
static void retire_sem(struct ls_errgroup *g)
{
	if (!g->sem)
		return;
	g->old_sems = ls__xrealloc(g->old_sems, (g->nold + 1) * sizeof(*g->old_sems));
	g->old_sems[g->nold++] = g->sem;
	g->sem = NULL;
}

void ls_errgroup_set_limit(struct ls_errgroup *g, int n)
{
	size_t held = ls_chan_len(g->sem);
	char msg[128];

	if (n < 0) {
		retire_sem(g);
		g->limit = -1;
		return;
	}
	if (held) {
		snprintf(msg, sizeof(msg),
			 "errgroup: modify limit while %zu goroutines in the group are still active",
			 held);
		ls_panic(msg);
	}
	retire_sem(g);
	g->sem = ls_chan_make(0, (size_t)n, "errgroup limit");
	if (!g->sem)
		ls_fatal("runtime: out of memory");
	g->limit = n;
}

int ls_errgroup_wait(struct ls_errgroup *g)
{
	ls_waitgroup_wait(&g->wg);
	if (g->ctx)
		ls_ctx_cancel(g->ctx);
	return g->err;
}
