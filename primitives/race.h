/* SPDX-License-Identifier: MIT */
/*
 * race.h (internal) - happens-before annotations for ThreadSanitizer.
 *
 * Go's sync package tells its race detector where a primitive creates an
 * ordering between goroutines (internal/race: Acquire, Release,
 * ReleaseMerge), because the detector cannot see through the runtime's
 * semaphores.  We make the same calls at the same places, and map them to
 * ThreadSanitizer when the library is built with -fsanitize=thread:
 *
 *	ls_race_acquire(addr)		race.Acquire	  __tsan_acquire
 *	ls_race_release(addr)		race.Release	  __tsan_release
 *	ls_race_release_merge(addr)	race.ReleaseMerge __tsan_release
 *
 * Go's race runtime distinguishes Release (the sync object's clock is
 * replaced by the releaser's) from ReleaseMerge (the clocks are joined).
 * The public TSan interface only offers the joining form, so both map to
 * __tsan_release: it can only add orderings that Go's Release would have
 * dropped, never miss one that Go records.
 *
 * Go also brackets some operations with race.Disable/Enable so that the
 * primitive's own bookkeeping is not reported; our bookkeeping is done with
 * __atomic builtins, which TSan already understands, so we need neither.
 *
 * Without ThreadSanitizer every annotation compiles to nothing.
 */
#ifndef LS_PRIV_RACE_H
#define LS_PRIV_RACE_H

#if defined(__SANITIZE_THREAD__)
#define LS_RACE_ENABLED 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define LS_RACE_ENABLED 1
#endif
#endif

#ifdef LS_RACE_ENABLED
#include <sanitizer/tsan_interface.h>

static inline void ls_race_acquire(const void *addr)
{
	__tsan_acquire((void *)addr);
}

static inline void ls_race_release(const void *addr)
{
	__tsan_release((void *)addr);
}

static inline void ls_race_release_merge(const void *addr)
{
	__tsan_release((void *)addr);
}
#else
static inline void ls_race_acquire(const void *addr) { (void)addr; }
static inline void ls_race_release(const void *addr) { (void)addr; }
static inline void ls_race_release_merge(const void *addr) { (void)addr; }
#endif

#endif /* LS_PRIV_RACE_H */
