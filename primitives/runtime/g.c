// SPDX-License-Identifier: MIT
/*
 * g.c - the goroutine registry (Go: allgs, newproc, goexit).
 *
 * A goroutine is a detached pthread plus a struct ls_g.  Main is goroutine 1
 * and is registered by a constructor before main() runs; ls_go creates the
 * others; any other thread that touches a primitive is registered lazily the
 * first time it needs a g (and unregistered by a thread-key destructor when
 * it exits).  As in Go, g structures are never freed: a dead g goes on a free
 * list and is reused, so a late futex wake-up never touches freed memory.
 *
 * Life cycle:  ls_go: IDLE -> RUNNABLE (counted as runnable at once, so the
 * all-asleep check cannot fire while it is starting) -> RUNNING <-> WAITING
 * (park.c) -> DEAD -> IDLE (free list).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime.h"
#include "sched.h"
#include "../trace.h"

static __thread struct ls_g *curg;
static __thread pid_t cur_tid;

/*
 * A runtime thread (the timer thread, or a goroutine's thread after its
 * function returned) is not a goroutine: it is never registered, so it is
 * neither counted by the all-asleep check nor listed in the goroutine dump,
 * and events it emits carry goid 0.
 */
static __thread bool systhread;

void ls__systhread_enter(void)
{
	systhread = true;
}

static uint32_t allgs_lock;
static struct ls_g *allgs;		/* live goroutines */
static struct ls_g *freegs;		/* dead ones, for reuse */
static int64_t next_goid = 1;
static int nr_live;
static pthread_key_t lazy_key;

pid_t ls__gettid(void)
{
	if (!cur_tid)
		cur_tid = (pid_t)syscall(SYS_gettid);
	return cur_tid;
}

void ls__allgs_lock(void)
{
	ls__lock(&allgs_lock);
}

void ls__allgs_unlock(void)
{
	ls__unlock(&allgs_lock);
}

struct ls_g *ls__allgs_first(void)
{
	return allgs;
}

static struct ls_g *g_alloc(const char *name, int64_t parent)
{
	struct ls_g *gp;

	ls__allgs_lock();
	gp = freegs;
	if (gp)
		freegs = gp->allnext;
	ls__allgs_unlock();
	if (!gp) {
		gp = calloc(1, sizeof(*gp));
		if (!gp)
			return NULL;
	} else {
		memset(gp, 0, sizeof(*gp));
	}
	gp->goid = __atomic_fetch_add(&next_goid, 1, __ATOMIC_RELAXED);
	gp->parent = parent;
	snprintf(gp->name, sizeof(gp->name), "%s", name ? name : "");
	return gp;
}

static void g_link(struct ls_g *gp)
{
	ls__allgs_lock();
	gp->allnext = allgs;
	gp->allprev = NULL;
	if (allgs)
		allgs->allprev = gp;
	allgs = gp;
	__atomic_add_fetch(&nr_live, 1, __ATOMIC_RELAXED);	/* read unlocked */
	ls__allgs_unlock();
}

/* Unlink a dead g and put it on the free list. */
static void g_unlink(struct ls_g *gp)
{
	ls__allgs_lock();
	if (gp->allprev)
		gp->allprev->allnext = gp->allnext;
	else
		allgs = gp->allnext;
	if (gp->allnext)
		gp->allnext->allprev = gp->allprev;
	__atomic_sub_fetch(&nr_live, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&gp->status, LS_G_IDLE, __ATOMIC_RELEASE);
	gp->allnext = freegs;
	freegs = gp;
	ls__allgs_unlock();
}

int ls_num_goroutine(void)
{
	return __atomic_load_n(&nr_live, __ATOMIC_RELAXED);
}

/* The end of goroutine gp, on its own thread (curg == gp). */
static void g_exit(struct ls_g *gp)
{
	__atomic_store_n(&gp->status, LS_G_DEAD, __ATOMIC_RELEASE);
	LS_TRACE(go_exit, gp->goid, ls_num_goroutine() - 1);
	curg = NULL;
	/* gone: a fatal error found by the exit check must not re-register us */
	systhread = true;
	g_unlink(gp);
	/* Last: this may find everyone else asleep and die with the dump. */
	ls__sched_exit();
}

static void lazy_exit(void *arg)
{
	struct ls_g *gp = arg;

	curg = gp;	/* the destructor runs after TLS was cleared */
	g_exit(gp);
}

/* Register the calling thread as a goroutine (main, or lazily). */
static struct ls_g *register_self(const char *name, bool lazy)
{
	struct ls_g *gp = g_alloc(name, 0);

	if (!gp) {
		fputs("fatal error: lockstep: out of memory registering a thread\n", stderr);
		_exit(2);
	}
	gp->tid = ls__gettid();
	gp->status = LS_G_RUNNING;
	if (lazy && !gp->name[0])
		snprintf(gp->name, sizeof(gp->name), "thread-%d", (int)gp->tid);
	curg = gp;
	ls__sched_add_running(1);
	g_link(gp);
	LS_TRACE(go_create, gp->goid, 0, gp->name);
	LS_TRACE(go_start, gp->goid);
	if (lazy)
		pthread_setspecific(lazy_key, gp);
	return gp;
}

struct ls_g *ls__getg(void)
{
	if (__builtin_expect(curg != NULL, 1))
		return curg;
	if (systhread)
		return NULL;
	return register_self(NULL, true);
}

int64_t ls_goid(void)
{
	struct ls_g *gp = ls__getg();

	return gp ? gp->goid : 0;
}

void ls_set_name(const char *name)
{
	struct ls_g *gp = ls__getg();

	ls__allgs_lock();
	snprintf(gp->name, sizeof(gp->name), "%s", name ? name : "");
	ls__allgs_unlock();
	LS_TRACE(go_name, gp->goid, 0, gp->name);
}

static void *go_trampoline(void *arg)
{
	struct ls_g *gp = arg;

	curg = gp;
	gp->tid = ls__gettid();
	__atomic_store_n(&gp->status, LS_G_RUNNING, __ATOMIC_RELEASE);
	LS_TRACE(go_start, gp->goid);
	gp->fn(gp->arg);
	g_exit(gp);
	return NULL;
}

int ls_go(void (*fn)(void *arg), void *arg, const char *name)
{
	struct ls_g *self = ls__getg();
	struct ls_g *gp;
	pthread_attr_t attr;
	pthread_t th;
	int err;

	if (!fn)
		return -EINVAL;
	gp = g_alloc(name, self->goid);
	if (!gp)
		return -ENOMEM;
	if (!gp->name[0])
		snprintf(gp->name, sizeof(gp->name), "goroutine-%lld",
			 (long long)gp->goid);
	gp->fn = fn;
	gp->arg = arg;
	gp->status = LS_G_RUNNABLE;
	/* Runnable from now on: counted before the creator can park. */
	ls__sched_add_running(1);
	g_link(gp);
	LS_TRACE(go_create, gp->goid, self->goid, gp->name);

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&th, &attr, go_trampoline, gp);
	pthread_attr_destroy(&attr);
	if (err) {
		__atomic_store_n(&gp->status, LS_G_DEAD, __ATOMIC_RELEASE);
		LS_TRACE(go_exit, gp->goid, ls_num_goroutine() - 1);
		g_unlink(gp);
		ls__sched_add_running(-1);
		return -err;
	}
	return 0;
}

/*
 * After fork() only the forking thread exists in the child: forget every
 * other goroutine and make the forking thread the child's only one.
 */
static void atfork_child(void)
{
	struct ls_g *self = curg;

	allgs_lock = 0;
	allgs = NULL;
	nr_live = 0;
	cur_tid = 0;
	ls__sched_reset();
	if (self) {
		self->tid = ls__gettid();
		self->allnext = self->allprev = NULL;
		self->status = LS_G_RUNNING;
		allgs = self;
		nr_live = 1;
		ls__sched_add_running(1);
	}
}

static void on_main_exit(int status, void *arg)
{
	int parked = 0, live = 0;

	(void)arg;
	ls__allgs_lock();
	for (struct ls_g *gp = allgs; gp; gp = gp->allnext) {
		live++;
		if (__atomic_load_n(&gp->status, __ATOMIC_ACQUIRE) == LS_G_WAITING)
			parked++;
	}
	ls__allgs_unlock();
	LS_TRACE(main_exit, 0, status, live, parked);
}

__attribute__((constructor(101)))
static void runtime_init(void)
{
	ls__ring_setup_from_env();
	pthread_key_create(&lazy_key, lazy_exit);
	pthread_atfork(NULL, NULL, atfork_child);
	register_self("main", false);
	on_exit(on_main_exit, NULL);
}
