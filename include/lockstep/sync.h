/* SPDX-License-Identifier: MIT */
/*
 * sync.h - sync.Mutex, sync.RWMutex, sync.WaitGroup, sync.Cond, sync.Once.
 *
 * As in Go, an all-zero struct ls_mutex, ls_rwmutex, ls_waitgroup or ls_once
 * is ready to use (unnamed).  The _INIT(name) macros and _init() functions
 * only add a name for the UI and the goroutine dump.  Fields are public only
 * so that the structures can live on the stack or in other structures; touch
 * them through the functions.
 */
#ifndef LOCKSTEP_SYNC_H
#define LOCKSTEP_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Tracing bookkeeping shared by every named object (see primitives/trace.c). */
struct ls_objname {
	const char	*name;
	uint32_t	announced;	/* trace epoch in which OBJ_NAME was sent */
};

/* ---- sync.Mutex (src/sync/mutex.go) ---- */
struct ls_mutex {
	int32_t			state;	/* LS_MUTEX_* bits | waiters << 3 */
	uint32_t		sema;	/* runtime semaphore waiters park on */
	struct ls_objname	on;
};
#define LS_MUTEX_INIT(nm)	{ .state = 0, .sema = 0, .on = { .name = (nm) } }
#define LS_MUTEX_LOCKED		1
#define LS_MUTEX_WOKEN		2
#define LS_MUTEX_STARVING	4
#define LS_MUTEX_WAITER_SHIFT	3
#define LS_MUTEX_STARVATION_THRESHOLD_NS 1000000

void	ls_mutex_init(struct ls_mutex *m, const char *name);
void	ls_mutex_lock(struct ls_mutex *m);
bool	ls_mutex_trylock(struct ls_mutex *m);
void	ls_mutex_unlock(struct ls_mutex *m);
int32_t	ls_mutex_state(const struct ls_mutex *m);

/* ---- sync.RWMutex (src/sync/rwmutex.go) ---- */
/*
 * w is not the first member so that its own events (it is a sync.Mutex of
 * the same name) never share an address with the RWMutex's.
 */
struct ls_rwmutex {
	uint32_t		writer_sem;	/* writer waits for departing readers */
	uint32_t		reader_sem;	/* readers wait for the writer */
	int32_t			reader_count;	/* pending readers (- 1<<30 if a writer) */
	int32_t			reader_wait;	/* departing readers the writer waits for */
	struct ls_mutex		w;		/* held by a pending or active writer */
	struct ls_objname	on;
};
#define LS_RWMUTEX_INIT(nm)	{ .w = LS_MUTEX_INIT(nm), .on = { .name = (nm) } }
#define LS_RWMUTEX_MAX_READERS	(1 << 30)

void	ls_rwmutex_init(struct ls_rwmutex *rw, const char *name);
void	ls_rwmutex_lock(struct ls_rwmutex *rw);
void	ls_rwmutex_unlock(struct ls_rwmutex *rw);
void	ls_rwmutex_rlock(struct ls_rwmutex *rw);
void	ls_rwmutex_runlock(struct ls_rwmutex *rw);
bool	ls_rwmutex_trylock(struct ls_rwmutex *rw);
bool	ls_rwmutex_tryrlock(struct ls_rwmutex *rw);
int32_t	ls_rwmutex_reader_count(const struct ls_rwmutex *rw);
int32_t	ls_rwmutex_reader_wait(const struct ls_rwmutex *rw);

/* ---- sync.WaitGroup (src/sync/waitgroup.go) ---- */
struct ls_waitgroup {
	uint64_t		state;	/* counter << 32 | waiters */
	uint32_t		sema;
	struct ls_objname	on;
};
#define LS_WAITGROUP_INIT(nm)	{ .on = { .name = (nm) } }

void	 ls_waitgroup_init(struct ls_waitgroup *wg, const char *name);
void	 ls_waitgroup_add(struct ls_waitgroup *wg, int delta);
void	 ls_waitgroup_done(struct ls_waitgroup *wg);
void	 ls_waitgroup_wait(struct ls_waitgroup *wg);
void	 ls_waitgroup_go(struct ls_waitgroup *wg, void (*fn)(void *), void *arg,
			 const char *name);
int32_t	 ls_waitgroup_counter(const struct ls_waitgroup *wg);
uint32_t ls_waitgroup_waiters(const struct ls_waitgroup *wg);

/* ---- sync.Cond (src/sync/cond.go, runtime notifyList) ---- */
struct ls_notify_list {
	uint32_t	wait;	/* next ticket to hand out */
	uint32_t	notify;	/* next ticket to wake (written under lock) */
	uint32_t	lock;	/* runtime lock */
	void		*head, *tail;	/* parked waiters (runtime sudogs) */
};
struct ls_cond {
	struct ls_mutex		*L;
	struct ls_notify_list	notify;
	uintptr_t		checker;	/* copyChecker: its own address */
	struct ls_objname	on;
};
void	ls_cond_init(struct ls_cond *c, struct ls_mutex *l, const char *name);
void	ls_cond_wait(struct ls_cond *c);
void	ls_cond_signal(struct ls_cond *c);
void	ls_cond_broadcast(struct ls_cond *c);

/* ---- sync.Once (src/sync/once.go) ---- */
struct ls_once {
	uint32_t		done;
	struct ls_mutex		m;
	struct ls_objname	on;
};
#define LS_ONCE_INIT(nm)	{ .done = 0, .m = LS_MUTEX_INIT(nm), .on = { .name = (nm) } }
void	ls_once_do(struct ls_once *o, void (*fn)(void *arg), void *arg);

#ifdef __cplusplus
}
#endif
#endif /* LOCKSTEP_SYNC_H */
