/* SPDX-License-Identifier: MIT */
/*
 * impl.h - the primitives a shape uses, from the implementation under test.
 *
 * Each shape is written once against these names and compiled once per
 * implementation (-DBENCH_IMPL_LOCKSTEP or -DBENCH_IMPL_PTHREAD):
 *
 *	struct bm_mutex		bm_mutex_init/lock/unlock
 *	struct bm_rwmutex	bm_rwmutex_init/lock/unlock/rlock/runlock
 *	struct bm_waitgroup	bm_waitgroup_init/add/done/wait
 *	struct bm_sema		bm_sema_init/acquire/release/destroy
 *
 * BENCH_HAVE_<GROUP> says which of them the implementation has: always all
 * for pthread; for liblockstep, what `nm liblockstep.a` showed at build
 * time (bench/features.sh), so that the benchmarks follow the primitives as
 * they land.  Channels exist only for liblockstep (BENCH_HAVE_CHAN).
 */
#ifndef BENCH_IMPL_H
#define BENCH_IMPL_H

#if defined(BENCH_IMPL_LOCKSTEP)
#include "impl-lockstep.h"
#elif defined(BENCH_IMPL_PTHREAD)
#include "impl-pthread.h"
#else
#error "build with -DBENCH_IMPL_LOCKSTEP or -DBENCH_IMPL_PTHREAD"
#endif

#endif /* BENCH_IMPL_H */
