/* SPDX-License-Identifier: MIT */
/*
 * impl-pthread.h - the anchor: what a C programmer reaches for.
 *
 *	Mutex		pthread_mutex_t, default attributes (glibc's NORMAL
 *			mutex: one CAS to lock, no spinning, futex to wait)
 *	RWMutex		pthread_rwlock_t, default attributes (glibc prefers
 *			readers; Go's RWMutex prefers writers)
 *	WaitGroup	a counter under a pthread_mutex_t with a
 *			pthread_cond_t: the usual C idiom, since POSIX has no
 *			wait group (pthread_barrier_t needs a fixed party count
 *			known in advance, which is not what Add/Done/Wait do)
 *	Semaphore	POSIX sem_t (sem_wait/sem_post)
 */
#ifndef BENCH_IMPL_PTHREAD_H
#define BENCH_IMPL_PTHREAD_H

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>

#define BENCH_HAVE_MUTEX	1
#define BENCH_HAVE_RWMUTEX	1
#define BENCH_HAVE_WAITGROUP	1
#define BENCH_HAVE_SEMAPHORE	1

struct bm_mutex {
	pthread_mutex_t	m;
};

static inline void bm_mutex_init(struct bm_mutex *m)
{
	pthread_mutex_init(&m->m, NULL);
}

static inline void bm_mutex_lock(struct bm_mutex *m)
{
	pthread_mutex_lock(&m->m);
}

static inline void bm_mutex_unlock(struct bm_mutex *m)
{
	pthread_mutex_unlock(&m->m);
}

struct bm_rwmutex {
	pthread_rwlock_t rw;
};

static inline void bm_rwmutex_init(struct bm_rwmutex *rw)
{
	pthread_rwlock_init(&rw->rw, NULL);
}

static inline void bm_rwmutex_lock(struct bm_rwmutex *rw)
{
	pthread_rwlock_wrlock(&rw->rw);
}

static inline void bm_rwmutex_unlock(struct bm_rwmutex *rw)
{
	pthread_rwlock_unlock(&rw->rw);
}

static inline void bm_rwmutex_rlock(struct bm_rwmutex *rw)
{
	pthread_rwlock_rdlock(&rw->rw);
}

static inline void bm_rwmutex_runlock(struct bm_rwmutex *rw)
{
	pthread_rwlock_unlock(&rw->rw);
}

struct bm_waitgroup {
	pthread_mutex_t	mu;
	pthread_cond_t	cv;
	int64_t		n;
};

static inline void bm_waitgroup_init(struct bm_waitgroup *wg)
{
	pthread_mutex_init(&wg->mu, NULL);
	pthread_cond_init(&wg->cv, NULL);
	wg->n = 0;
}

static inline void bm_waitgroup_add(struct bm_waitgroup *wg, int delta)
{
	pthread_mutex_lock(&wg->mu);
	wg->n += delta;
	if (wg->n == 0)
		pthread_cond_broadcast(&wg->cv);
	pthread_mutex_unlock(&wg->mu);
}

static inline void bm_waitgroup_done(struct bm_waitgroup *wg)
{
	bm_waitgroup_add(wg, -1);
}

static inline void bm_waitgroup_wait(struct bm_waitgroup *wg)
{
	pthread_mutex_lock(&wg->mu);
	while (wg->n)
		pthread_cond_wait(&wg->cv, &wg->mu);
	pthread_mutex_unlock(&wg->mu);
}

struct bm_sema {
	sem_t		s;
};

static inline void bm_sema_init(struct bm_sema *s, int64_t n)
{
	sem_init(&s->s, 0, (unsigned int)n);
}

static inline void bm_sema_acquire(struct bm_sema *s)
{
	while (sem_wait(&s->s) && errno == EINTR)
		;
}

static inline void bm_sema_release(struct bm_sema *s)
{
	sem_post(&s->s);
}

static inline void bm_sema_destroy(struct bm_sema *s)
{
	sem_destroy(&s->s);
}

#endif /* BENCH_IMPL_PTHREAD_H */
