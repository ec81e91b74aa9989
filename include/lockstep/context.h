/* SPDX-License-Identifier: MIT */
/*
 * context.h - the context tree (src/context/context.go).
 *
 * A context is a node in a tree rooted at ls_ctx_background().  Cancelling
 * a node closes its done channel, sets its error and cancels every node below
 * it, depth first (a node before its descendants), as Go does.  A timeout
 * node cancels itself with -ETIMEDOUT when its time is up; all timeouts of
 * the process share one runtime timer thread.
 *
 * Ownership.  Go leaves the lifetime of contexts to its garbage collector;
 * here it is reference counted:
 *   - ls_ctx_with_cancel, _with_timeout and _with_value return a node with one
 *     reference, owned by the caller.  ls_ctx_release(ctx) gives it back: it
 *     cancels ctx (as Go's `defer cancel()` would) and drops the reference.
 *     Release every context you create, exactly once; a context never
 *     released and never cancelled stays registered with its parent for as
 *     long as the parent lives (Go's "lost cancel" leak).
 *   - A node keeps its parent alive: a parent released before its children is
 *     cancelled at once (and so are they), but its memory, its values and its
 *     done channel stay valid until the last descendant is released.
 *   - While a cancel or timeout node is live, the nearest cancellable
 *     ancestor holds it in its set of children (with a reference), so that
 *     cancelling the ancestor reaches it; it leaves the set when cancelled.
 *   - A pending timeout holds a reference on its node until it fires or is
 *     stopped by a cancel.
 *   - ls_ctx_done's channel belongs to the context: do not close or free it;
 *     it is valid while you hold a reference on a context that uses it.
 *   - The background context is static: releasing it does nothing.
 * Every function may be called from any goroutine, concurrently.
 */
#ifndef LOCKSTEP_CONTEXT_H
#define LOCKSTEP_CONTEXT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ls_chan;
struct ls_ctx;

/* The root: never cancelled, no values, no done channel.  Static. */
struct ls_ctx	*ls_ctx_background(void);
/*
 * Children of parent (which must not be NULL: Go's "cannot create context
 * from nil parent" panic).  NULL with errno ENOMEM on failure.  A child of
 * an already cancelled parent is born cancelled with the parent's error.
 */
struct ls_ctx	*ls_ctx_with_cancel(struct ls_ctx *parent);
/* Cancelled with -ETIMEDOUT after ns (at once if ns <= 0).  If the parent's
 * own deadline comes first this is a plain cancel context, as in Go. */
struct ls_ctx	*ls_ctx_with_timeout(struct ls_ctx *parent, int64_t ns);
/* Carries key -> val; key is compared by address and must not be NULL. */
struct ls_ctx	*ls_ctx_with_value(struct ls_ctx *parent, const void *key, void *val);
/* Cancel with -ECANCELED (first cancel wins; no-op on value and background
 * nodes, which have no cancel of their own). */
void		 ls_ctx_cancel(struct ls_ctx *ctx);
/* Closed when ctx is cancelled (a channel of elem size 0); NULL when
 * nothing above ctx can be cancelled (background). */
struct ls_chan	*ls_ctx_done(struct ls_ctx *ctx);
int		 ls_ctx_err(struct ls_ctx *ctx);	/* 0, -ECANCELED, -ETIMEDOUT */
/* The value of the nearest ancestor-or-self WithValue node for key, or NULL. */
void		*ls_ctx_value(struct ls_ctx *ctx, const void *key);
/* Cancel ctx and drop the caller's reference (see Ownership above). */
void		 ls_ctx_release(struct ls_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif /* LOCKSTEP_CONTEXT_H */
