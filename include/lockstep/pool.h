/* SPDX-License-Identifier: MIT */
/*
 * pool.h - sync.Pool (src/sync/pool.go, poolqueue.go).
 *
 * A Pool caches objects for reuse.  Each thread has a private slot and a
 * shared list of its own; Get looks in its private slot, then its own
 * shared list, then steals from other threads' lists, then looks in the
 * victim cache, and only then calls new_fn.  Go empties pools at every
 * garbage collection; lockstep has no collector, so ls_pool_gc() stands in
 * for it: every pool's victim cache is dropped and its primary cache
 * becomes the victim.  An object put in a pool therefore survives exactly
 * one ls_pool_gc() (and comes back from the victim cache if asked for in
 * between), and is dropped by the second.
 *
 * Objects are opaque pointers; NULL is never stored (Put ignores it, as Go
 * ignores nil).  A dropped object is handed to drop_fn (if given) so that
 * the program can free it; drop_fn is called outside every pool lock but
 * must not use a Pool itself.  Get/Put never block; ls_pool_gc waits for
 * running Gets and Puts to finish (Go's stop-the-world).
 */
#ifndef LOCKSTEP_POOL_H
#define LOCKSTEP_POOL_H

#ifdef __cplusplus
extern "C" {
#endif

struct ls_pool;

/*
 * new_fn(arg) makes an object when the pool is empty (NULL: Get returns
 * NULL instead, like a Pool without New); drop_fn(obj, arg) disposes of
 * an object the pool drops (NULL: the pool just forgets it).
 */
struct ls_pool *ls_pool_new(void *(*new_fn)(void *arg),
			    void (*drop_fn)(void *obj, void *arg), void *arg,
			    const char *name);
void	ls_pool_put(struct ls_pool *p, void *obj);
void	*ls_pool_get(struct ls_pool *p);
/* The garbage collector's poolCleanup, for every pool: victim dropped,
 * primary -> victim. */
void	ls_pool_gc(void);
/* Drop every cached object (through drop_fn) and free the pool. */
void	ls_pool_free(struct ls_pool *p);

#ifdef __cplusplus
}
#endif
#endif /* LOCKSTEP_POOL_H */
