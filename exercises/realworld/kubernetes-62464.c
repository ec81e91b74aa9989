// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       realworld/kubernetes-62464
 * chapter:  realworld
 * lesson:   05-rwmutex
 * title:    Nested read locks with a writer arriving in between
 * kind:     fix
 * verdict:  deadlock
 * achieve:  Read the CPU assignment or the default set while holding the read
 *           lock once, so that a writer can never wedge itself in between.
 * hint:     get_cpuset_or_default() holds a read lock and calls functions that
 *           read-lock again.  What does a pending writer do to that second
 *           RLock?
 * hint:     The writer waits for the outer read lock to go; the inner RLock
 *           waits for the writer: a cycle through one RWMutex.
 * hint:     Give the inner functions *_locked variants that assume the caller
 *           holds the lock, and use them from get_cpuset_or_default().
 * origin:   kubernetes#62464 (GoBench GoKer)
 */
/*
 * Modelled on kubernetes issue 62464 (reduced in GoBench "GoKer"): the
 * kubelet's CPU manager keeps its state behind an RWMutex.  Every getter
 * read-locks, and get_cpuset_or_default() is written in terms of two other
 * getters.  Recursive read locking works until a writer (the reconcile
 * loop setting the default set) arrives between the outer and the inner
 * RLock; the reader waits until that happens, to show it every run.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

struct state {
	struct ls_rwmutex	rw;
	int64_t			assigned;	/* 0 = none */
	int64_t			default_set;
};

static struct state st = { .rw = LS_RWMUTEX_INIT("state.rw"), .default_set = 0xf };
static struct ls_waitgroup reading = LS_WAITGROUP_INIT("reading");

static int64_t get_cpuset(struct state *s)
{
	int64_t v;

	ls_rwmutex_rlock(&s->rw);
	v = s->assigned;
	ls_rwmutex_runlock(&s->rw);
	return v;
}

static int64_t get_default_cpuset(struct state *s)
{
	int64_t v;

	ls_rwmutex_rlock(&s->rw);
	v = s->default_set;
	ls_rwmutex_runlock(&s->rw);
	return v;
}

static int64_t get_cpuset_or_default(struct state *s)
{
	int64_t v;

	ls_rwmutex_rlock(&s->rw);
	ls_waitgroup_done(&reading);
	while (ls_rwmutex_reader_count(&s->rw) >= 0)	/* the writer arrives */
		ls_sleep(100 * LS_USEC);
	v = get_cpuset(s);
	if (!v)
		v = get_default_cpuset(s);
	ls_rwmutex_runlock(&s->rw);
	return v;
}

static void set_default_cpuset(struct state *s, int64_t v)
{
	ls_rwmutex_lock(&s->rw);
	s->default_set = v;
	ls_rwmutex_unlock(&s->rw);
}

static void container(void *arg)
{
	printf("container: cpus 0x%llx\n", (long long)get_cpuset_or_default(&st));
}

static void reconcile(void *arg)
{
	set_default_cpuset(&st, 0x3);
	printf("reconcile: default set updated\n");
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	ls_waitgroup_add(&reading, 1);
	ls_waitgroup_go(&wg, container, NULL, "container");
	ls_waitgroup_wait(&reading);
	ls_waitgroup_go(&wg, reconcile, NULL, "reconcile");
	ls_waitgroup_wait(&wg);
	return 0;
}
