// SPDX-License-Identifier: MIT
/*
 * context.c - the context tree (Go: src/context/context.go).
 *
 * Four kinds of node, as in Go:
 *
 *   background   the root: never cancelled, no values, done == NULL.  One
 *                static node.
 *   cancel       (cancelCtx) err, a done channel, and the set of children
 *                to cancel with it, all under its lock.
 *   timeout      (timerCtx) a cancel node plus a deadline and a runtime
 *                timer that cancels it with -ETIMEDOUT.
 *   value        (valueCtx) one key/value pair; done and err are its
 *                parent's.
 *
 * Cancellation.  A cancel or timeout node registers with its nearest
 * cancellable ancestor (Go's propagateCancel/parentCancelCtx), skipping value
 * nodes; with only background above it, nothing can cancel it from above and
 * it registers nowhere.  If that ancestor is already cancelled, the new node
 * is born cancelled with the ancestor's error.
 *
 * cancel(c, err): under c's lock, if c has an error already, stop (the first
 * cancel wins); else record err, close the done channel (or, if nobody ever
 * asked for it, install a shared channel that is already closed: done is
 * made lazily), and cancel every registered child, each taking its own lock
 * while c's is held (always ancestor before descendant).  Each child does the
 * same for its own children before c moves to the next one: the tree is
 * cancelled depth first, a node before its descendants.  Then c leaves its
 * ancestor's set (unless that ancestor is the one cancelling it: the whole
 * set is being dropped) and a timeout node stops its timer.
 *
 *	background
 *	    └─ A (cancel) ── children {B, D}
 *	         ├─ B (value) ─ C (timeout)   C registers with A, not with B
 *	         └─ D (cancel)
 *	cancel(A): A, then C, then D (set order), each done channel closed
 *
 * Ownership (the garbage collector's job in Go; spelled out in context.h):
 *   - the caller of ls_ctx_with_* owns one reference, given back by
 *     ls_ctx_release (which cancels first);
 *   - every node holds a reference on its parent, so a parent, its values
 *     and its done channel outlive all of its descendants;
 *   - the ancestor's set holds a reference on each registered child, from
 *     registration until the child is cancelled;
 *   - a pending timer holds a reference on its timeout node; whoever stops
 *     it, or the timer callback after cancelling, drops it.
 * The last reference frees the node and its done channel.  The background
 * node is static and never counted.
 *
 * Deviations from Go: errors are -ECANCELED and -ETIMEDOUT (DeadlineExceeded);
 * ls_ctx_cancel and ls_ctx_release on a value or background node cancel
 * nothing (Go gives those no cancel function at all); out of memory while
 * making a done channel lazily is fatal, as an allocation failure is in Go.
 * No goroutine is ever started to watch a parent: every context is ours, so
 * Go's fallback for foreign contexts does not arise.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <lockstep/chan.h>
#include <lockstep/context.h>
#include "runtime/runtime.h"
#include "trace.h"

enum ctx_kind { CTX_BACKGROUND = 0, CTX_CANCEL, CTX_TIMEOUT, CTX_VALUE };

struct ls_ctx {
	enum ctx_kind	kind;
	uint32_t	refs;
	struct ls_ctx	*parent;	/* NULL for background */
	const void	*key;		/* value */
	void		*val;
	/* cancel and timeout: */
	uint32_t	mu;		/* runtime lock over the fields below */
	struct ls_chan	*done;		/* made lazily; read without mu too */
	int		err;		/* 0 until cancelled */
	struct ls_ctx	*children;	/* registered children (a set) */
	struct ls_ctx	*owner;		/* the ancestor we are registered with */
	struct ls_ctx	*sib_next, *sib_prev;	/* in owner->children, under owner->mu */
	bool		linked;		/* in owner->children, under owner->mu */
	int64_t		deadline;	/* timeout */
	uint64_t	timer;		/* timeout: pending timer, under mu */
	struct ls_objname on;
};

static struct ls_ctx background = {
	.kind = CTX_BACKGROUND,
	.on = { .name = "context.Background" },
};

/* Go's closedchan: the done channel of a node cancelled before Done(). */
static struct ls_chan *closedchan;

static const char *const kind_name[] = {
	[CTX_BACKGROUND] = "context.Background",
	[CTX_CANCEL] = "WithCancel",
	[CTX_TIMEOUT] = "WithTimeout",
	[CTX_VALUE] = "WithValue",
};

static bool cancellable(const struct ls_ctx *c)
{
	return c->kind == CTX_CANCEL || c->kind == CTX_TIMEOUT;
}

/* Go's parentCancelCtx: the nearest ancestor that can be cancelled. */
static struct ls_ctx *nearest_canceller(struct ls_ctx *c)
{
	while (c && !cancellable(c))
		c = c->parent;
	return c;
}

/* Go's Deadline(): the nearest timeout ancestor's, or false. */
static bool deadline_of(struct ls_ctx *c, int64_t *when)
{
	for (; c; c = c->parent) {
		if (c->kind == CTX_TIMEOUT) {
			*when = c->deadline;
			return true;
		}
	}
	return false;
}

static void ctx_get(struct ls_ctx *c)
{
	if (c->kind != CTX_BACKGROUND)
		__atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
}

/* Drop a reference; the last one frees the node, then its parent's turn. */
static void ctx_put(struct ls_ctx *c)
{
	while (c && c->kind != CTX_BACKGROUND &&
	       __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		struct ls_ctx *parent = c->parent;

		if (c->done && c->done != closedchan)
			ls_chan_free(c->done);
		free(c);
		c = parent;
	}
}

static void children_link(struct ls_ctx *owner, struct ls_ctx *c)
{
	c->sib_prev = NULL;
	c->sib_next = owner->children;
	if (owner->children)
		owner->children->sib_prev = c;
	owner->children = c;
	c->linked = true;
}

static void children_unlink(struct ls_ctx *owner, struct ls_ctx *c)
{
	if (c->sib_prev)
		c->sib_prev->sib_next = c->sib_next;
	else
		owner->children = c->sib_next;
	if (c->sib_next)
		c->sib_next->sib_prev = c->sib_prev;
	c->sib_next = c->sib_prev = NULL;
	c->linked = false;
}

/*
 * Go's cancelCtx.cancel and timerCtx.cancel.  cause is the ancestor whose
 * cancellation reached us (NULL when cancelled directly or by the timer);
 * an ancestor drops its whole set itself, so then we do not remove ourselves.
 */
static void ctx_cancel(struct ls_ctx *c, int err, struct ls_ctx *cause)
{
	struct ls_ctx *child, *next, *list;
	uint64_t timer;
	bool unlinked = false;
	int n = 0;

	ls__lock(&c->mu);
	if (c->err) {
		ls__unlock(&c->mu);
		return;
	}
	c->err = err;
	if (c->done)
		ls_chan_close(c->done);
	else
		__atomic_store_n(&c->done, closedchan, __ATOMIC_RELEASE);
	list = c->children;
	c->children = NULL;
	for (child = list; child; child = child->sib_next)
		n++;
	LS_TRACE_OBJ(ctx_cancel, LS_OBJ_CTX, c, err, n, cause);
	/* Depth first: each child and its subtree before the next child. */
	for (child = list; child; child = child->sib_next) {
		child->linked = false;
		ctx_cancel(child, err, c);
	}
	timer = c->timer;
	c->timer = 0;
	ls__unlock(&c->mu);

	/* The set's references on the children we just cancelled. */
	for (child = list; child; child = next) {
		next = child->sib_next;
		child->sib_next = child->sib_prev = NULL;
		ctx_put(child);
	}
	if (!cause && c->owner) {
		ls__lock(&c->owner->mu);
		if (c->linked) {
			children_unlink(c->owner, c);
			unlinked = true;
		}
		ls__unlock(&c->owner->mu);
		if (unlinked)
			ctx_put(c);
	}
	/* The pending timer's reference, if we stopped it before it fired. */
	if (timer && ls__timer_stop(timer))
		ctx_put(c);
}

/* Go's propagateCancel: register with the nearest cancellable ancestor. */
static void propagate_cancel(struct ls_ctx *c)
{
	struct ls_ctx *owner = nearest_canceller(c->parent);

	if (!owner)
		return;		/* only background above: never cancelled */
	ls__lock(&owner->mu);
	if (owner->err) {
		int err = owner->err;

		ls__unlock(&owner->mu);
		ctx_cancel(c, err, owner);
		return;
	}
	c->owner = owner;
	ctx_get(c);		/* the set's reference */
	children_link(owner, c);
	ls__unlock(&owner->mu);
}

static struct ls_ctx *ctx_new(struct ls_ctx *parent, enum ctx_kind kind)
{
	struct ls_ctx *c;

	if (!parent)
		ls__die(1, "cannot create context from nil parent");
	c = calloc(1, sizeof(*c));
	if (!c) {
		errno = ENOMEM;
		return NULL;
	}
	c->kind = kind;
	c->refs = 1;
	c->parent = parent;
	c->on.name = kind_name[kind];
	ctx_get(parent);
	return c;
}

struct ls_ctx *ls_ctx_background(void)
{
	static uint32_t announced;

	if (!__atomic_exchange_n(&announced, 1, __ATOMIC_RELAXED))
		LS_TRACE_OBJ(ctx_new, LS_OBJ_CTX, &background, 0, CTX_BACKGROUND, 0);
	return &background;
}

struct ls_ctx *ls_ctx_with_cancel(struct ls_ctx *parent)
{
	struct ls_ctx *c = ctx_new(parent, CTX_CANCEL);

	if (!c)
		return NULL;
	LS_TRACE_OBJ(ctx_new, LS_OBJ_CTX, c, parent, CTX_CANCEL, 0);
	propagate_cancel(c);
	return c;
}

static void timeout_fire(void *arg)
{
	struct ls_ctx *c = arg;

	ctx_cancel(c, -ETIMEDOUT, NULL);
	ctx_put(c);		/* the timer's reference */
}

/* Go's WithDeadline(parent, now + ns). */
struct ls_ctx *ls_ctx_with_timeout(struct ls_ctx *parent, int64_t ns)
{
	int64_t now = ls_now(), d, cur;
	struct ls_ctx *c;

	if (!parent)
		ls__die(1, "cannot create context from nil parent");
	d = ns > INT64_MAX - now ? INT64_MAX : now + ns;
	/* The parent's deadline comes first anyway: a plain cancel node. */
	if (deadline_of(parent, &cur) && cur < d)
		return ls_ctx_with_cancel(parent);
	c = ctx_new(parent, CTX_TIMEOUT);
	if (!c)
		return NULL;
	c->deadline = d;
	LS_TRACE_OBJ(ctx_new, LS_OBJ_CTX, c, parent, CTX_TIMEOUT, d);
	propagate_cancel(c);
	if (ns <= 0) {
		ctx_cancel(c, -ETIMEDOUT, NULL);	/* already past */
		return c;
	}
	ls__lock(&c->mu);
	if (!c->err) {
		ctx_get(c);	/* the timer's reference */
		c->timer = ls__timer_add(d, timeout_fire, c);
		if (!c->timer) {
			int err = errno;

			ls__unlock(&c->mu);
			ctx_put(c);
			ls_ctx_release(c);
			errno = err;
			return NULL;
		}
	}
	ls__unlock(&c->mu);
	return c;
}

struct ls_ctx *ls_ctx_with_value(struct ls_ctx *parent, const void *key, void *val)
{
	struct ls_ctx *c;

	if (parent && !key)
		ls__die(1, "nil key");
	c = ctx_new(parent, CTX_VALUE);
	if (!c)
		return NULL;
	c->key = key;
	c->val = val;
	LS_TRACE_OBJ(ctx_new, LS_OBJ_CTX, c, parent, CTX_VALUE, 0);
	return c;
}

void ls_ctx_cancel(struct ls_ctx *ctx)
{
	if (ctx && cancellable(ctx))
		ctx_cancel(ctx, -ECANCELED, NULL);
}

void ls_ctx_release(struct ls_ctx *ctx)
{
	if (!ctx || ctx->kind == CTX_BACKGROUND)
		return;
	ls_ctx_cancel(ctx);
	ctx_put(ctx);
}

struct ls_chan *ls_ctx_done(struct ls_ctx *ctx)
{
	struct ls_chan *d;

	ctx = nearest_canceller(ctx);
	if (!ctx)
		return NULL;		/* background: never done */
	d = __atomic_load_n(&ctx->done, __ATOMIC_ACQUIRE);
	if (d)
		return d;
	ls__lock(&ctx->mu);
	d = ctx->done;
	if (!d) {
		int64_t when;

		/*
		 * A done channel that a deadline will close is fed by a
		 * runtime timer, like time.After: its name says so, so that
		 * the detectors count a goroutine waiting on it as asleep
		 * with a timer pending, not as stuck.
		 */
		d = ls_chan_make(0, 0, deadline_of(ctx, &when) ?
				 "WithTimeout.Done" : "ctx.Done");
		if (!d)
			ls__die(0, "out of memory");
		__atomic_store_n(&ctx->done, d, __ATOMIC_RELEASE);
	}
	ls__unlock(&ctx->mu);
	return d;
}

int ls_ctx_err(struct ls_ctx *ctx)
{
	int err;

	ctx = nearest_canceller(ctx);
	if (!ctx)
		return 0;
	ls__lock(&ctx->mu);
	err = ctx->err;
	ls__unlock(&ctx->mu);
	return err;
}

void *ls_ctx_value(struct ls_ctx *ctx, const void *key)
{
	for (; ctx; ctx = ctx->parent)
		if (ctx->kind == CTX_VALUE && ctx->key == key)
			return ctx->val;
	return NULL;
}

__attribute__((constructor(103)))
static void ctx_init(void)
{
	closedchan = ls_chan_make(0, 0, "closedchan");
	if (!closedchan)
		ls__die(0, "out of memory");
	ls_chan_close(closedchan);
}
