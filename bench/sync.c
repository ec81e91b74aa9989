// SPDX-License-Identifier: MIT
/*
 * sync.c - the sync shapes of Go's own benchmarks (src/sync/mutex_test.go,
 * rwmutex_test.go, waitgroup_test.go), written once against impl.h and
 * built for each implementation.  bench/go/sync_test.go holds the Go twins;
 * a shape and its twin carry the same name.
 */
#include <stdlib.h>

#include "bench.h"
#include "impl.h"

/* A per-worker object on its own cache lines (Go pads to 128 bytes). */
#define PADDED(type)	struct { type v; } __attribute__((aligned(128)))

#if BENCH_HAVE_MUTEX
/* Lock/Unlock on a mutex nobody else touches: the fast path. */
static void mutex_uncontended(struct bench_pb *pb, void *arg)
{
	PADDED(struct bm_mutex) mu;

	bm_mutex_init(&mu.v);
	while (bench_pb_next(pb)) {
		bm_mutex_lock(&mu.v);
		bm_mutex_unlock(&mu.v);
	}
}

BENCH(MutexUncontended)
{
	bench_run_parallel(b, mutex_uncontended, NULL);
}

struct mutex_arg {
	PADDED(struct bm_mutex) mu;
	int	work;
};

/* Every worker on one mutex, an empty critical section, optional work. */
static void mutex_shared(struct bench_pb *pb, void *p)
{
	struct mutex_arg *a = p;
	int64_t foo = 0;

	while (bench_pb_next(pb)) {
		bm_mutex_lock(&a->mu.v);
		bm_mutex_unlock(&a->mu.v);
		if (a->work)
			foo = bench_local_work(foo, a->work);
	}
}

static void bench_mutex(struct bench_b *b, int slack, int work)
{
	struct mutex_arg *a = aligned_alloc(128, sizeof(*a));

	if (!a)
		bench_fatal("out of memory");
	bm_mutex_init(&a->mu.v);
	a->work = work;
	if (slack)
		bench_set_parallelism(b, 10);
	bench_run_parallel(b, mutex_shared, a);
	free(a);
}

BENCH(Mutex)
{
	bench_mutex(b, 0, 0);
}

BENCH(MutexSlack)
{
	bench_mutex(b, 1, 0);
}

BENCH(MutexWork)
{
	bench_mutex(b, 0, 100);
}
#endif /* BENCH_HAVE_MUTEX */

#if BENCH_HAVE_RWMUTEX
/* RLock, RLock, RUnlock, RUnlock, Lock, Unlock on a private RWMutex. */
static void rwmutex_uncontended(struct bench_pb *pb, void *arg)
{
	PADDED(struct bm_rwmutex) rw;

	bm_rwmutex_init(&rw.v);
	while (bench_pb_next(pb)) {
		bm_rwmutex_rlock(&rw.v);
		bm_rwmutex_rlock(&rw.v);
		bm_rwmutex_runlock(&rw.v);
		bm_rwmutex_runlock(&rw.v);
		bm_rwmutex_lock(&rw.v);
		bm_rwmutex_unlock(&rw.v);
	}
}

BENCH(RWMutexUncontended)
{
	bench_run_parallel(b, rwmutex_uncontended, NULL);
}

struct rwmutex_arg {
	PADDED(struct bm_rwmutex) rw;
	int	work;
	int	write_ratio;
};

/* One shared RWMutex: every write_ratio-th operation writes. */
static void rwmutex_shared(struct bench_pb *pb, void *p)
{
	struct rwmutex_arg *a = p;
	int64_t foo = 0;

	while (bench_pb_next(pb)) {
		foo++;
		if (foo % a->write_ratio == 0) {
			bm_rwmutex_lock(&a->rw.v);
			bm_rwmutex_unlock(&a->rw.v);
		} else {
			bm_rwmutex_rlock(&a->rw.v);
			foo = bench_local_work(foo, a->work);
			bm_rwmutex_runlock(&a->rw.v);
		}
	}
}

static void bench_rwmutex(struct bench_b *b, int work, int write_ratio)
{
	struct rwmutex_arg *a = aligned_alloc(128, sizeof(*a));

	if (!a)
		bench_fatal("out of memory");
	bm_rwmutex_init(&a->rw.v);
	a->work = work;
	a->write_ratio = write_ratio;
	bench_run_parallel(b, rwmutex_shared, a);
	free(a);
}

BENCH(RWMutexWrite100)
{
	bench_rwmutex(b, 0, 100);
}

BENCH(RWMutexWrite10)
{
	bench_rwmutex(b, 0, 10);
}
#endif /* BENCH_HAVE_RWMUTEX */

#if BENCH_HAVE_WAITGROUP
/* Add(1), Done, Wait on a private WaitGroup: Wait never blocks. */
static void waitgroup_uncontended(struct bench_pb *pb, void *arg)
{
	PADDED(struct bm_waitgroup) wg;

	bm_waitgroup_init(&wg.v);
	while (bench_pb_next(pb)) {
		bm_waitgroup_add(&wg.v, 1);
		bm_waitgroup_done(&wg.v);
		bm_waitgroup_wait(&wg.v);
	}
}

BENCH(WaitGroupUncontended)
{
	bench_run_parallel(b, waitgroup_uncontended, NULL);
}
#endif /* BENCH_HAVE_WAITGROUP */

#if BENCH_HAVE_SEMAPHORE
/*
 * Acquire(1), Release(1) on one semaphore of P units shared by P workers
 * (Go's ChanSem shape): it never has to block, so this is the cost of the
 * shared word under contention.
 */
static void semaphore_shared(struct bench_pb *pb, void *p)
{
	struct bm_sema *s = p;

	while (bench_pb_next(pb)) {
		bm_sema_acquire(s);
		bm_sema_release(s);
	}
}

BENCH(Semaphore)
{
	struct bm_sema s;

	bm_sema_init(&s, bench_procs());
	bench_run_parallel(b, semaphore_shared, &s);
	bm_sema_destroy(&s);
}
#endif /* BENCH_HAVE_SEMAPHORE */
