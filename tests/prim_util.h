/* SPDX-License-Identifier: MIT */
/*
 * prim_util.h - small tools shared by the prim_*.c suites.
 *
 * The suites must never depend on timing luck: a test that needs "B happens
 * after A" waits for A to be visible (a counter, a flag, the state word of a
 * primitive) with POLL_UNTIL, which gives up after a bound and fails the
 * test instead of hanging.  Goroutines report problems with ls_panic(): the
 * test child then dies with "panic: ..." and exit status 2, which the
 * harness reports as a failure with the message in the log.
 */
#ifndef PRIM_UTIL_H
#define PRIM_UTIL_H

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <lockstep/lockstep.h>
#include "primitives/runtime/runtime.h"

/* How long a poll may take before it counts as a hang. */
#define POLL_LIMIT_NS	(20 * LS_SEC)

/* Back off politely: the machine is shared and has two CPUs. */
static inline void poll_pause(int i)
{
	if (i < 50)
		ls_gosched();
	else
		ls_sleep(50 * LS_USEC);
}

/* Evaluates to true once cond holds, false if it did not within the limit. */
#define POLL_UNTIL(cond) ({						\
	int64_t _deadline = ls_now() + POLL_LIMIT_NS;			\
	bool _ok;							\
	for (int _i = 0; !(_ok = (cond)) && ls_now() < _deadline; _i++)	\
		poll_pause(_i);						\
	_ok;								\
})

/* Sequentially consistent shorthands for test-owned shared counters. */
#define LD(p)		__atomic_load_n((p), __ATOMIC_SEQ_CST)
#define ST(p, v)	__atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#define INC(p)		__atomic_add_fetch((p), 1, __ATOMIC_SEQ_CST)
#define DEC(p)		__atomic_sub_fetch((p), 1, __ATOMIC_SEQ_CST)

/* In a goroutine: fail the whole test with a message. */
#define GO_CHECK(cond, ...) do {					\
	if (!(cond)) {							\
		char _m[160];						\
		snprintf(_m, sizeof(_m), __VA_ARGS__);			\
		ls_panic(_m);						\
	}								\
} while (0)

/* Start a goroutine or fail the test child at once. */
static inline void go_or_die(void (*fn)(void *), void *arg, const char *name)
{
	if (ls_go(fn, arg, name))
		ls_panic("test: ls_go failed");
}

/*
 * A start line for hammer tests: goroutines arrive with gate_arrive(),
 * which returns when gate_open() was called after all of them arrived, so
 * that they really run at the same time (thread start-up takes longer than
 * many a loop).
 */
struct gate {
	int arrived;
	int open;
};

static inline void gate_arrive(struct gate *g)
{
	INC(&g->arrived);
	/* Yield, never sleep: a sleeper would start late. */
	while (!LD(&g->open))
		ls_gosched();
}

static inline bool gate_open(struct gate *g, int n)
{
	bool ok = POLL_UNTIL(LD(&g->arrived) == n);

	ST(&g->open, 1);
	return ok;
}

/*
 * Is the goroutine called name parked (on anything but a sleep)?  Read from
 * the runtime's registry: how a test knows that a goroutine really blocked
 * where it should, without sleeping and hoping.
 */
static inline bool g_parked(const char *name)
{
	bool parked = false;

	ls__allgs_lock();
	for (struct ls_g *gp = ls__allgs_first(); gp; gp = gp->allnext)
		if (!strcmp(gp->name, name) &&
		    __atomic_load_n(&gp->status, __ATOMIC_ACQUIRE) == LS_G_WAITING &&
		    __atomic_load_n(&gp->waitreason, __ATOMIC_RELAXED) != LS_WAIT_SLEEP)
			parked = true;
	ls__allgs_unlock();
	return parked;
}

/* Threads of this process, from /proc/self/task; -1 if unreadable. */
static inline int count_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static inline int mutex_waiters(const struct ls_mutex *m)
{
	return ls_mutex_state(m) >> LS_MUTEX_WAITER_SHIFT;
}

/*
 * In a goroutine dump, the line after "goroutine N [reason]:" for the
 * first goroutine whose header has that reason (with its brackets), copied
 * into buf; false if there is none.
 */
static inline bool dump_line_for(const char *dump, const char *reason,
				 char *buf, size_t n)
{
	char want[64];
	const char *p = dump, *eol;

	snprintf(want, sizeof(want), " [%s]:\n", reason);
	while (dump && (p = strstr(p, "goroutine "))) {
		eol = strchr(p, '\n');
		if (!eol)
			return false;
		if ((size_t)(eol + 1 - p) > strlen(want) &&
		    !strncmp(eol + 1 - strlen(want), want, strlen(want))) {
			const char *l = eol + 1, *e = strchr(l, '\n');
			size_t len = e ? (size_t)(e - l) : strlen(l);

			if (len >= n)
				len = n - 1;
			memcpy(buf, l, len);
			buf[len] = '\0';
			return true;
		}
		p = eol;
	}
	return false;
}

/*
 * Run fn(arg) in a child (th_run_fn, from harness.h) and expect a Go-style
 * death: exit status 2 with text (e.g. "fatal error: sync: unlock of
 * unlocked mutex") on stderr.  The child's stderr is left in *r for more
 * checks; the caller frees it with th_result_free.
 */
#define EXPECT_GO_DEATH(fn, arg, text, r) do {				\
	ASSERT_EQ(0, th_run_fn((fn), (arg), 20, (r)));			\
	if (!(r)->exited || (r)->status != 2 ||				\
	    !strstr((r)->err ? (r)->err : "", (text)))			\
		TH_LOG("want exit 2 and \"%s\"; exited %d status %d signal %d%s\n" \
		       "stderr:\n%s", (text), (r)->exited, (r)->status,	\
		       (r)->signo, (r)->timed_out ? " (timed out)" : "", \
		       (r)->err ? (r)->err : "");			\
	EXPECT_TRUE((r)->exited);					\
	EXPECT_EQ(2, (r)->status);					\
	EXPECT_TRUE(strstr((r)->err ? (r)->err : "", (text)) != NULL);	\
} while (0)

#endif /* PRIM_UTIL_H */
