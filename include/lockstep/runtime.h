/* SPDX-License-Identifier: MIT */
/*
 * runtime.h - goroutines: creation, naming, sleeping, yielding.
 *
 * A goroutine is a detached OS thread that the runtime knows about.  Main is
 * goroutine 1 ("main"); any other thread that uses a lockstep primitive is
 * registered on first use.  When every registered goroutine is parked on a
 * lockstep primitive and no timer is pending, the process dies the way Go
 * does: "fatal error: all goroutines are asleep - deadlock!", a goroutine
 * dump, exit status 2.
 *
 * Two consequences of "the runtime knows":
 *   - a plain pthread that has never called into lockstep is not counted:
 *     if it is the only one left to wake a parked goroutine, the process is
 *     declared deadlocked.  Start such threads with ls_go, or have them
 *     call ls_set_name() first (which registers them);
 *   - after fork() the child has one goroutine, the one that forked.
 *     Goroutines that were parked in the parent do not exist in the child:
 *     do not use, in the child, a primitive that had waiters at the fork
 *     (as with pthread mutexes held by other threads at fork).
 */
#ifndef LOCKSTEP_RUNTIME_H
#define LOCKSTEP_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Start fn(arg) on a new detached goroutine.  Returns 0 or -errno. */
int	ls_go(void (*fn)(void *arg), void *arg, const char *name);
/* Yield the processor (runtime.Gosched). */
void	ls_gosched(void);
/* Sleep ns nanoseconds (time.Sleep): a timed wait, never a deadlock. */
void	ls_sleep(int64_t ns);
/* CLOCK_MONOTONIC in nanoseconds. */
int64_t	ls_now(void);
/* Name the calling goroutine (main is "main"). */
void	ls_set_name(const char *name);

/* Extras, not in API.md's fixed list but useful to tests and tools. */
int64_t	ls_goid(void);			/* id of the calling goroutine */
int	ls_num_goroutine(void);		/* live goroutines (runtime.NumGoroutine) */
/* Die Go-style: "panic: MSG", goroutine dump, exit 2. */
void	ls_panic(const char *msg) __attribute__((noreturn));
/* Die Go-style: "fatal error: MSG", goroutine dump, exit 2. */
void	ls_fatal(const char *msg) __attribute__((noreturn));

#define LS_NSEC		((int64_t)1)
#define LS_USEC		((int64_t)1000)
#define LS_MSEC		((int64_t)1000000)
#define LS_SEC		((int64_t)1000000000)

#ifdef __cplusplus
}
#endif
#endif /* LOCKSTEP_RUNTIME_H */
