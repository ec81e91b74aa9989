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

#ifdef __cplusplus
extern "C" {
#endif

struct ls_ctx;
struct ls_chan;

/* semaphore.Weighted: strict FIFO, no barging. */
struct ls_semaphore;
struct ls_semaphore *ls_semaphore_new(int64_t n, const char *name);
int	ls_semaphore_acquire(struct ls_semaphore *s, struct ls_ctx *ctx, int64_t n);
bool	ls_semaphore_tryacquire(struct ls_semaphore *s, int64_t n);
void	ls_semaphore_release(struct ls_semaphore *s, int64_t n);
void	ls_semaphore_free(struct ls_semaphore *s);

/* singleflight.Group; all-zero is ready to use. */
struct ls_singleflight {
	struct ls_mutex		mu;
	void			*m;	/* key -> call, owned by the implementation */
	struct ls_objname	on;
};
#define LS_SINGLEFLIGHT_INIT(nm) { .mu = LS_MUTEX_INIT(nm), .m = 0, .on = { .name = (nm) } }
struct ls_sf_result { void *val; int err; bool shared; };
void	*ls_singleflight_do(struct ls_singleflight *g, const char *key,
			    void *(*fn)(void *arg, int *err), void *arg,
			    int *err, bool *shared);
struct ls_chan *ls_singleflight_dochan(struct ls_singleflight *g, const char *key,
				       void *(*fn)(void *arg, int *err), void *arg);
void	ls_singleflight_forget(struct ls_singleflight *g, const char *key);

/* errgroup.Group */
struct ls_errgroup;
struct ls_errgroup *ls_errgroup_new(struct ls_ctx *parent, struct ls_ctx **ctx_out);
void	ls_errgroup_go(struct ls_errgroup *g, int (*fn)(void *arg), void *arg,
		       const char *name);
bool	ls_errgroup_trygo(struct ls_errgroup *g, int (*fn)(void *arg), void *arg,
			  const char *name);
void	ls_errgroup_set_limit(struct ls_errgroup *g, int n);
int	ls_errgroup_wait(struct ls_errgroup *g);
void	ls_errgroup_free(struct ls_errgroup *g);

/* CyclicBarrier */
struct ls_barrier;
struct ls_barrier *ls_barrier_new(int parties, void (*action)(void *arg), void *arg,
				  const char *name);
int	ls_barrier_await(struct ls_barrier *b, struct ls_ctx *ctx);	/* 0, ctx err, -EPIPE */
void	ls_barrier_reset(struct ls_barrier *b);
void	ls_barrier_free(struct ls_barrier *b);

#ifdef __cplusplus
}
#endif
#endif /* LOCKSTEP_XSYNC_H */
