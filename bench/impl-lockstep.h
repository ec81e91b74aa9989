/* SPDX-License-Identifier: MIT */
/*
 * impl-lockstep.h - the shapes' primitives from liblockstep.
 *
 * Objects are all-zero and unnamed, like Go's `var mu sync.Mutex`.
 * "bench-features.h" is generated at build time from the symbols the
 * library defines (bench/features.sh).
 */
#ifndef BENCH_IMPL_LOCKSTEP_H
#define BENCH_IMPL_LOCKSTEP_H

#include <stdint.h>
#include <string.h>
#include <lockstep/lockstep.h>

#include "bench-features.h"

struct bm_mutex {
	struct ls_mutex	m;
};

static inline void bm_mutex_init(struct bm_mutex *m)
{
	memset(m, 0, sizeof(*m));
}

static inline void bm_mutex_lock(struct bm_mutex *m)
{
	ls_mutex_lock(&m->m);
}

static inline void bm_mutex_unlock(struct bm_mutex *m)
{
	ls_mutex_unlock(&m->m);
}

struct bm_rwmutex {
	struct ls_rwmutex rw;
};

static inline void bm_rwmutex_init(struct bm_rwmutex *rw)
{
	memset(rw, 0, sizeof(*rw));
}

static inline void bm_rwmutex_lock(struct bm_rwmutex *rw)
{
	ls_rwmutex_lock(&rw->rw);
}

static inline void bm_rwmutex_unlock(struct bm_rwmutex *rw)
{
	ls_rwmutex_unlock(&rw->rw);
}

static inline void bm_rwmutex_rlock(struct bm_rwmutex *rw)
{
	ls_rwmutex_rlock(&rw->rw);
}

static inline void bm_rwmutex_runlock(struct bm_rwmutex *rw)
{
	ls_rwmutex_runlock(&rw->rw);
}

struct bm_waitgroup {
	struct ls_waitgroup wg;
};

static inline void bm_waitgroup_init(struct bm_waitgroup *wg)
{
	memset(wg, 0, sizeof(*wg));
}

static inline void bm_waitgroup_add(struct bm_waitgroup *wg, int delta)
{
	ls_waitgroup_add(&wg->wg, delta);
}

static inline void bm_waitgroup_done(struct bm_waitgroup *wg)
{
	ls_waitgroup_done(&wg->wg);
}

static inline void bm_waitgroup_wait(struct bm_waitgroup *wg)
{
	ls_waitgroup_wait(&wg->wg);
}

struct bm_sema {
	struct ls_semaphore *s;
};

static inline void bm_sema_init(struct bm_sema *s, int64_t n)
{
	s->s = ls_semaphore_new(n, "bench");
}

static inline void bm_sema_acquire(struct bm_sema *s)
{
	ls_semaphore_acquire(s->s, NULL, 1);
}

static inline void bm_sema_release(struct bm_sema *s)
{
	ls_semaphore_release(s->s, 1);
}

static inline void bm_sema_destroy(struct bm_sema *s)
{
	ls_semaphore_free(s->s);
}

#endif /* BENCH_IMPL_LOCKSTEP_H */
