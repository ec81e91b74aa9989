/* SPDX-License-Identifier: MIT */
/*
 * runtime.h (internal) - the runtime every primitive blocks through.
 *
 * Mirrors the parts of Go's runtime the sync package and channels rely on:
 *   g        a goroutine: here a detached OS thread, with an id, a name, a
 *            status and a park word (runtime2.go: g, allgs);
 *   sudog    a goroutine waiting in some queue; it lives on the waiter's
 *            stack (runtime2.go: sudog);
 *   gopark   park the current goroutine after running an unlock callback;
 *   goready  make a parked goroutine runnable;
 *   sema     semacquire/semrelease on a uint32 count, waiters in a
 *            251-bucket table keyed by address, FIFO or LIFO, with handoff
 *            (sema.go);
 *   notify   the ticket-based notify list behind sync.Cond (sema.go);
 *   fatal    Go-style death: message, goroutine dump, exit 2 (panic.go,
 *            traceback.go), and the all-asleep check (proc.go: checkdead).
 *
 * No primitive calls futex or pthread_cond itself: they park and wake only
 * through this file's functions.  That single door is what makes the
 * all-asleep check, the goroutine dump and leak reports possible.
 */
#ifndef LS_PRIV_RUNTIME_H
#define LS_PRIV_RUNTIME_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <lockstep/events.h>
#include <lockstep/runtime.h>
#include <lockstep/sync.h>

#define LS_HIDDEN __attribute__((visibility("hidden")))
#define LS_GONAME_MAX 32

enum ls_gstatus {
	LS_G_IDLE = 0,		/* on the free list */
	LS_G_RUNNABLE,		/* created, not yet started */
	LS_G_RUNNING,
	LS_G_WAITING,		/* parked: waitreason says why */
	LS_G_DEAD,
};

struct ls_sudog;

struct ls_g {
	int64_t		goid;
	int64_t		parent;		/* goid of the creator */
	char		name[LS_GONAME_MAX];
	pid_t		tid;
	int		status;		/* enum ls_gstatus, atomic */
	int		waitreason;	/* enum ls_wait_reason while waiting */
	int		waitkind;	/* enum ls_obj_kind of waitobj */
	const void	*waitobj;
	const char	*waitname;	/* name of waitobj, may be NULL */
	int64_t		waitsince;
	uint32_t	parkword;	/* futex: 0 parked, 1 readied, 2 sleeping */

	/* select (select.go): the winning sudog and the list of all of ours */
	struct ls_sudog	*param;
	struct ls_sudog	*waiting;
	uint32_t	selectdone;

	void		(*fn)(void *);
	void		*arg;
	struct ls_g	*allnext, *allprev;
};

struct ls_sudog {
	struct ls_g	*g;
	struct ls_sudog	*next, *prev;
	const void	*addr;		/* sema: the count; chan: the channel */
	uint32_t	ticket;
	void		*elem;
	bool		is_select;
	bool		success;
	int		case_index;
	struct ls_sudog	*waitlink;	/* g->waiting list (select) */
};

/* Runtime-internal lock (runtime.lock): a futex mutex, never traced. */
LS_HIDDEN void ls__lock(uint32_t *l);
LS_HIDDEN void ls__unlock(uint32_t *l);
LS_HIDDEN void ls__unlock_cb(void *l);	/* for gopark's unlockf */

/* The current goroutine, registering the thread on first use. */
LS_HIDDEN struct ls_g *ls__getg(void);
LS_HIDDEN pid_t ls__gettid(void);

/*
 * Park the current goroutine.  unlockf(lock), if given, runs after the
 * goroutine is marked waiting and before it sleeps (Go's park_m commit), so a
 * waker that takes the same lock cannot miss it.  Returns once goready'd.
 */
LS_HIDDEN void ls__gopark(void (*unlockf)(void *), void *lock,
			  enum ls_wait_reason reason, enum ls_obj_kind kind,
			  const void *obj, const char *objname);
/* Make gp runnable; obj is what it waited on (for the event). */
LS_HIDDEN void ls__goready(struct ls_g *gp, const void *obj, bool handoff);

/* Pending timers keep the all-asleep check quiet (checkdead's timer test). */
LS_HIDDEN void ls__timers_add(int delta);

/* Spinning as in runtime.sync_runtime_canSpin / procyield. */
LS_HIDDEN bool ls__can_spin(int iter);
LS_HIDDEN void ls__procyield(int cycles);
LS_HIDDEN int  ls__ncpu(void);

/* Semaphores (sema.go). */
LS_HIDDEN void ls__semacquire(uint32_t *addr, bool lifo, enum ls_wait_reason reason,
			      enum ls_obj_kind kind, const void *obj,
			      const char *objname);
LS_HIDDEN void ls__semrelease(uint32_t *addr, bool handoff, const void *obj);

/* notifyList (sema.go) behind sync.Cond. */
LS_HIDDEN uint32_t ls__notify_list_add(struct ls_notify_list *l);
LS_HIDDEN void ls__notify_list_wait(struct ls_notify_list *l, uint32_t t,
				    const void *obj, const char *objname);
LS_HIDDEN int  ls__notify_list_notify_one(struct ls_notify_list *l, const void *obj,
					  int64_t *ticket);
LS_HIDDEN int  ls__notify_list_notify_all(struct ls_notify_list *l, const void *obj);

/* Go-style deaths and warnings. */
LS_HIDDEN void ls__die(int is_panic, const char *msg) __attribute__((noreturn));
LS_HIDDEN void ls__warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Registry walk, for the goroutine dump (and the tests). */
LS_HIDDEN void ls__allgs_lock(void);
LS_HIDDEN void ls__allgs_unlock(void);
LS_HIDDEN struct ls_g *ls__allgs_first(void);

/*
 * ---- Timers (timer.c) and runtime threads ----
 *
 * One timer thread serves every timer of the process from a min-heap (Go:
 * the per-P timer heaps of runtime/time.go).  A pending timer counts in the
 * all-asleep check (ls__timers_add) from ls__timer_add until it fires or is
 * stopped, so a goroutine waiting for it is not deadlocked.
 *
 * fn runs on the timer thread, which is not a goroutine: fn must never
 * block (no gopark, no semacquire); it may take runtime locks briefly and
 * ready goroutines (a non-blocking channel send, closing a channel,
 * cancelling a context).  The timer thread drops the pending count only
 * after fn returned, so a goroutine fn readied is counted first.
 *
 * ls__timer_add returns a handle (never 0), or 0 with errno set when memory
 * or the timer thread could not be had.  ls__timer_stop(handle) removes the
 * timer if it has not fired and returns true; false means fn has run, is
 * running or is about to run (or the handle is stale): the caller must then
 * let fn finish with its argument (see the reference counts in after.c and
 * context.c).  A stale handle is recognised (slot generation), not confused
 * with a newer timer.
 */
LS_HIDDEN uint64_t ls__timer_add(int64_t when, void (*fn)(void *arg), void *arg);
LS_HIDDEN bool ls__timer_stop(uint64_t handle);

/*
 * Mark the calling thread as a runtime thread (the timer thread): it is
 * never registered as a goroutine, ls__getg() returns NULL on it and the
 * events it emits carry goid 0.
 */
LS_HIDDEN void ls__systhread_enter(void);

#endif /* LS_PRIV_RUNTIME_H */
