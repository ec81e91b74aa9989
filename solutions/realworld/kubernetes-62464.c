// SPDX-License-Identifier: MIT
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
 * Solution: get_cpuset_or_default() takes the read lock once and uses
 * *_locked getters inside it.  The public getters (not needed here) would
 * wrap the same functions with their own RLock.  The writer waits for the
 * single read lock to go, then runs.
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

/* The *_locked getters expect the caller to hold s->rw. */
static int64_t get_cpuset_locked(struct state *s)
{
	return s->assigned;
}

static int64_t get_default_cpuset_locked(struct state *s)
{
	return s->default_set;
}

static int64_t get_cpuset_or_default(struct state *s)
{
	int64_t v;

	ls_rwmutex_rlock(&s->rw);
	ls_waitgroup_done(&reading);
	while (ls_rwmutex_reader_count(&s->rw) >= 0)	/* the writer arrives */
		ls_sleep(100 * LS_USEC);
	v = get_cpuset_locked(s);
	if (!v)
		v = get_default_cpuset_locked(s);
	ls_rwmutex_runlock(&s->rw);
	return v;
}

static void set_default_cpuset(struct state *s, int64_t v)
{
	ls_rwmutex_lock(&s->rw);
	s->default_set = v;
	ls_rwmutex_unlock(&s->rw);
}

static int64_t seen;

static void container(void *arg)
{
	seen = get_cpuset_or_default(&st);
	printf("container: cpus 0x%llx\n", (long long)seen);
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
	if (seen != 0xf || st.default_set != 0x3) {
		fprintf(stderr, "FAIL: unexpected state\n");
		return 1;
	}
	return 0;
}
