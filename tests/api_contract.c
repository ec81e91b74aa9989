// SPDX-License-Identifier: MIT
/*
 * api_contract.c - the public API is exactly what API.md promises.
 *
 * Programs and acceptance tests outside this repository compile against the
 * names and signatures of API.md.  Each function below is bound to a
 * pointer of the type API.md gives it, so a changed signature is a compile
 * error here, and the constants and zero-value rules are checked at run
 * time.
 */
#include <errno.h>
#include <string.h>

#include <lockstep/lockstep.h>
#include "harness.h"

/* Bind f to a pointer of exactly this type (no conversion allowed). */
#define SIG(f, ret, ...)	ret (*const f##_p)(__VA_ARGS__) = f; (void)f##_p

TEST(signatures_match_api_md)
{
	/* Goroutines (runtime) */
	SIG(ls_go, int, void (*)(void *), void *, const char *);
	SIG(ls_gosched, void, void);
	SIG(ls_sleep, void, int64_t);
	SIG(ls_now, int64_t, void);
	SIG(ls_set_name, void, const char *);
	/* sync.Mutex */
	SIG(ls_mutex_init, void, struct ls_mutex *, const char *);
	SIG(ls_mutex_lock, void, struct ls_mutex *);
	SIG(ls_mutex_trylock, bool, struct ls_mutex *);
	SIG(ls_mutex_unlock, void, struct ls_mutex *);
	SIG(ls_mutex_state, int32_t, const struct ls_mutex *);
	/* sync.RWMutex */
	SIG(ls_rwmutex_init, void, struct ls_rwmutex *, const char *);
	SIG(ls_rwmutex_lock, void, struct ls_rwmutex *);
	SIG(ls_rwmutex_unlock, void, struct ls_rwmutex *);
	SIG(ls_rwmutex_rlock, void, struct ls_rwmutex *);
	SIG(ls_rwmutex_runlock, void, struct ls_rwmutex *);
	SIG(ls_rwmutex_trylock, bool, struct ls_rwmutex *);
	SIG(ls_rwmutex_tryrlock, bool, struct ls_rwmutex *);
	SIG(ls_rwmutex_reader_count, int32_t, const struct ls_rwmutex *);
	SIG(ls_rwmutex_reader_wait, int32_t, const struct ls_rwmutex *);
	/* sync.WaitGroup */
	SIG(ls_waitgroup_init, void, struct ls_waitgroup *, const char *);
	SIG(ls_waitgroup_add, void, struct ls_waitgroup *, int);
	SIG(ls_waitgroup_done, void, struct ls_waitgroup *);
	SIG(ls_waitgroup_wait, void, struct ls_waitgroup *);
	SIG(ls_waitgroup_go, void, struct ls_waitgroup *, void (*)(void *), void *,
	    const char *);
	SIG(ls_waitgroup_counter, int32_t, const struct ls_waitgroup *);
	SIG(ls_waitgroup_waiters, uint32_t, const struct ls_waitgroup *);
	/* sync.Cond and sync.Once */
	SIG(ls_cond_init, void, struct ls_cond *, struct ls_mutex *, const char *);
	SIG(ls_cond_wait, void, struct ls_cond *);
	SIG(ls_cond_signal, void, struct ls_cond *);
	SIG(ls_cond_broadcast, void, struct ls_cond *);
	SIG(ls_once_do, void, struct ls_once *, void (*)(void *), void *);
	/* Channels and select */
	SIG(ls_chan_make, struct ls_chan *, size_t, size_t, const char *);
	SIG(ls_chan_send, void, struct ls_chan *, const void *);
	SIG(ls_chan_recv, bool, struct ls_chan *, void *);
	SIG(ls_chan_trysend, bool, struct ls_chan *, const void *);
	SIG(ls_chan_tryrecv, bool, struct ls_chan *, void *, bool *);
	SIG(ls_chan_close, void, struct ls_chan *);
	SIG(ls_chan_len, size_t, const struct ls_chan *);
	SIG(ls_chan_cap, size_t, const struct ls_chan *);
	SIG(ls_chan_free, void, struct ls_chan *);
	SIG(ls_select, int, struct ls_case *, int, bool);
	SIG(ls_after, struct ls_chan *, int64_t);
	/* context */
	SIG(ls_ctx_background, struct ls_ctx *, void);
	SIG(ls_ctx_with_cancel, struct ls_ctx *, struct ls_ctx *);
	SIG(ls_ctx_with_timeout, struct ls_ctx *, struct ls_ctx *, int64_t);
	SIG(ls_ctx_with_value, struct ls_ctx *, struct ls_ctx *, const void *, void *);
	SIG(ls_ctx_cancel, void, struct ls_ctx *);
	SIG(ls_ctx_done, struct ls_chan *, struct ls_ctx *);
	SIG(ls_ctx_err, int, struct ls_ctx *);
	SIG(ls_ctx_value, void *, struct ls_ctx *, const void *);
	SIG(ls_ctx_release, void, struct ls_ctx *);
	/* x/sync */
	SIG(ls_semaphore_new, struct ls_semaphore *, int64_t, const char *);
	SIG(ls_semaphore_acquire, int, struct ls_semaphore *, struct ls_ctx *, int64_t);
	SIG(ls_semaphore_tryacquire, bool, struct ls_semaphore *, int64_t);
	SIG(ls_semaphore_release, void, struct ls_semaphore *, int64_t);
	SIG(ls_semaphore_free, void, struct ls_semaphore *);
	SIG(ls_singleflight_do, void *, struct ls_singleflight *, const char *,
	    void *(*)(void *, int *), void *, int *, bool *);
	SIG(ls_singleflight_dochan, struct ls_chan *, struct ls_singleflight *,
	    const char *, void *(*)(void *, int *), void *);
	SIG(ls_singleflight_forget, void, struct ls_singleflight *, const char *);
	SIG(ls_errgroup_new, struct ls_errgroup *, struct ls_ctx *, struct ls_ctx **);
	SIG(ls_errgroup_go, void, struct ls_errgroup *, int (*)(void *), void *,
	    const char *);
	SIG(ls_errgroup_trygo, bool, struct ls_errgroup *, int (*)(void *), void *,
	    const char *);
	SIG(ls_errgroup_set_limit, void, struct ls_errgroup *, int);
	SIG(ls_errgroup_wait, int, struct ls_errgroup *);
	SIG(ls_errgroup_free, void, struct ls_errgroup *);
	SIG(ls_barrier_new, struct ls_barrier *, int, void (*)(void *), void *,
	    const char *);
	SIG(ls_barrier_await, int, struct ls_barrier *, struct ls_ctx *);
	SIG(ls_barrier_reset, void, struct ls_barrier *);
	SIG(ls_barrier_free, void, struct ls_barrier *);
	/* The seed patterns: the Batcher */
	SIG(ls_batcher_new, struct ls_batcher *, int64_t, unsigned, unsigned, unsigned,
	    size_t (*)(const void *));
	SIG(ls_batcher_put, int, struct ls_batcher *, void *);
	SIG(ls_batcher_get, int, struct ls_batcher *, void ***, size_t *);
	SIG(ls_batcher_flush, int, struct ls_batcher *);
	SIG(ls_batcher_dispose, void, struct ls_batcher *);
	SIG(ls_batcher_is_disposed, bool, struct ls_batcher *);
	SIG(ls_batcher_free, void, struct ls_batcher *);
	/* Instrumented shared variables */
	SIG(ls_load, int64_t, const int64_t *, const char *);
	SIG(ls_store, void, int64_t *, int64_t, const char *);
}

TEST(constants_match_api_md)
{
	struct ls_case c = { .ch = NULL, .dir = LS_RECV, .elem = NULL, .ok = true };
	struct ls_sf_result r = { .val = NULL, .err = 0, .shared = false };

	ASSERT_EQ(1, LS_MUTEX_LOCKED);
	ASSERT_EQ(2, LS_MUTEX_WOKEN);
	ASSERT_EQ(4, LS_MUTEX_STARVING);
	ASSERT_EQ(3, LS_MUTEX_WAITER_SHIFT);
	ASSERT_EQ(1 << 30, LS_RWMUTEX_MAX_READERS);
	ASSERT_NE((int)LS_SEND, (int)LS_RECV);
	ASSERT_TRUE(c.ok);
	ASSERT_FALSE(r.shared);
}

/* As in Go, an all-zero mutex, rwmutex, waitgroup, once is ready to use. */
static struct ls_mutex zero_m;
static struct ls_rwmutex zero_rw;
static struct ls_waitgroup zero_wg;
static struct ls_once zero_once;
static struct ls_singleflight zero_sf;
static int once_runs;

static void once_fn(void *arg)
{
	(void)arg;
	once_runs++;
}

static void *sf_fn(void *arg, int *err)
{
	*err = 0;
	return arg;
}

TEST(zero_values_are_ready)
{
	int err = -1;
	bool shared = true;

	ls_mutex_lock(&zero_m);
	ASSERT_EQ(LS_MUTEX_LOCKED, ls_mutex_state(&zero_m));
	ls_mutex_unlock(&zero_m);
	ls_rwmutex_rlock(&zero_rw);
	ASSERT_EQ(1, ls_rwmutex_reader_count(&zero_rw));
	ls_rwmutex_runlock(&zero_rw);
	ls_rwmutex_lock(&zero_rw);
	ls_rwmutex_unlock(&zero_rw);
	ls_waitgroup_add(&zero_wg, 1);
	ls_waitgroup_done(&zero_wg);
	ls_waitgroup_wait(&zero_wg);
	ls_once_do(&zero_once, once_fn, NULL);
	ls_once_do(&zero_once, once_fn, NULL);
	ASSERT_EQ(1, once_runs);
	ASSERT_EQ(&zero_sf, ls_singleflight_do(&zero_sf, "k", sf_fn, &zero_sf, &err, &shared));
	ASSERT_EQ(0, err);
	ASSERT_FALSE(shared);
}

TEST(documented_error_returns)
{
	/* NULL channel: len and cap are 0; a non-blocking op never happens */
	ASSERT_EQ((size_t)0, ls_chan_len(NULL));
	ASSERT_EQ((size_t)0, ls_chan_cap(NULL));
	ASSERT_FALSE(ls_chan_trysend(NULL, NULL));
	/* background is never done */
	ASSERT_NULL(ls_ctx_done(ls_ctx_background()));
	ASSERT_EQ(0, ls_ctx_err(ls_ctx_background()));
	/* the Batcher wants calc_bytes when it counts bytes */
	errno = 0;
	ASSERT_NULL(ls_batcher_new(0, 10, 10, 4, NULL));
	ASSERT_EQ(EINVAL, errno);
	/* ls_go rejects a NULL function with -errno */
	ASSERT_GT(0, ls_go(NULL, NULL, "nobody"));
	/* ls_select with no case and no blocking: the default */
	ASSERT_EQ(-1, ls_select(NULL, 0, false));
}

TEST_HARNESS_MAIN
