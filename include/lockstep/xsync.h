/* SPDX-License-Identifier: MIT */
/*
 * xsync.h - golang.org/x/sync (semaphore, singleflight, errgroup) and the
 * CyclicBarrier, sync.Pool and sync.Map of the course.
 */
#ifndef LOCKSTEP_XSYNC_H
#define LOCKSTEP_XSYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <lockstep/sync.h>
#include <lockstep/pool.h>
#include <lockstep/syncmap.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ls_ctx;
struct ls_chan;

/*
 * semaphore.Weighted: strict FIFO, no barging.  Acquire returns 0 or ctx's
 * error (ctx NULL: background); a request larger than the size waits for
 * ctx only.  Releasing more than held panics "semaphore: released more
 * than held".  Events: SEM_*.
 */
struct ls_semaphore;
struct ls_semaphore *ls_semaphore_new(int64_t n, const char *name);
int	ls_semaphore_acquire(struct ls_semaphore *s, struct ls_ctx *ctx, int64_t n);
bool	ls_semaphore_tryacquire(struct ls_semaphore *s, int64_t n);
void	ls_semaphore_release(struct ls_semaphore *s, int64_t n);
void	ls_semaphore_free(struct ls_semaphore *s);
/* Extra, a snapshot for tests and tools: goroutines queued in Acquire. */
int64_t	ls_semaphore_waiters(struct ls_semaphore *s);

/*
 * singleflight.Group; all-zero is ready to use, and an idle group holds no
 * memory (the map is created on demand and dropped when empty).
 * fn(arg, &err) returns the value and sets err (0 = nil).  Do runs fn in
 * the caller (the leader) or waits for the leader's result (shared =
 * true).  DoChan returns a channel (capacity 1, never closed) that receives
 * one struct ls_sf_result; the caller frees it after the receive.  Forget
 * makes the next call for key run fn again.  Events: SF_*.
 */
/* m comes first so that mu's own events never share the group's address */
struct ls_singleflight {
	void			*m;	/* key -> call, owned by the implementation */
	struct ls_mutex		mu;
	struct ls_objname	on;
};
#define LS_SINGLEFLIGHT_INIT(nm) { .m = 0, .mu = LS_MUTEX_INIT(nm), .on = { .name = (nm) } }
struct ls_sf_result { void *val; int err; bool shared; };
void	*ls_singleflight_do(struct ls_singleflight *g, const char *key,
			    void *(*fn)(void *arg, int *err), void *arg,
			    int *err, bool *shared);
struct ls_chan *ls_singleflight_dochan(struct ls_singleflight *g, const char *key,
				       void *(*fn)(void *arg, int *err), void *arg);
void	ls_singleflight_forget(struct ls_singleflight *g, const char *key);
/* Extra, a snapshot for tests and tools: the duplicates waiting on key's
 * in-flight call (Do and DoChan), or -1 if key is not in flight. */
int	ls_singleflight_dups(struct ls_singleflight *g, const char *key);

/*
 * errgroup.Group.  With a parent, *ctx_out receives a child context that
 * is cancelled by the first failing goroutine or when Wait returns; it
 * belongs to the group (ls_errgroup_free releases it).  Without a parent
 * there is no context (*ctx_out = NULL).  SetLimit while limited
 * goroutines are active panics "errgroup: modify limit while N goroutines
 * in the group are still active".  Events: EG_*.
 */
struct ls_errgroup;
struct ls_errgroup *ls_errgroup_new(struct ls_ctx *parent, struct ls_ctx **ctx_out);
void	ls_errgroup_go(struct ls_errgroup *g, int (*fn)(void *arg), void *arg,
		       const char *name);
bool	ls_errgroup_trygo(struct ls_errgroup *g, int (*fn)(void *arg), void *arg,
			  const char *name);
void	ls_errgroup_set_limit(struct ls_errgroup *g, int n);
int	ls_errgroup_wait(struct ls_errgroup *g);
void	ls_errgroup_free(struct ls_errgroup *g);

/*
 * CyclicBarrier: parties goroutines meet; the last to arrive runs action
 * (under the barrier's lock: it must not call the barrier) and releases
 * the others.  Await returns 0, ctx's error (the barrier is then broken
 * for everyone else), or -EPIPE when broken (by Reset or another waiter's
 * ctx).  A broken barrier stays broken until Reset.  ls_barrier_new
 * returns NULL with errno EINVAL for parties < 1.  Events: BARRIER_*.
 */
struct ls_barrier;
struct ls_barrier *ls_barrier_new(int parties, void (*action)(void *arg), void *arg,
				  const char *name);
int	ls_barrier_await(struct ls_barrier *b, struct ls_ctx *ctx);	/* 0, ctx err, -EPIPE */
void	ls_barrier_reset(struct ls_barrier *b);
/* Extras, snapshots as Java's getNumberWaiting() and isBroken(). */
int	ls_barrier_waiting(struct ls_barrier *b);
bool	ls_barrier_is_broken(struct ls_barrier *b);
void	ls_barrier_free(struct ls_barrier *b);

#ifdef __cplusplus
}
#endif
#endif /* LOCKSTEP_XSYNC_H */
