// SPDX-License-Identifier: MIT
/*
 * prim_events.c - what the sync primitives tell a tracer, event by event.
 *
 * Each test runs one scenario of the workload tests/workloads/sync_events
 * with LOCKSTEP_TRACE=shm:PATH (the in-process ring, no privileges needed),
 * drains the ring and compares the events on one object, goroutine by
 * goroutine, with the sequence the algorithm must produce.  Events are
 * rendered as short strings ("mutex_state 0 1 0": name, then the arguments
 * that are deterministic; times are left out) so that a failure prints
 * both sequences readably.  Spinning rounds (MUTEX_SPIN) depend on the
 * scheduler and are skipped.
 *
 * Across goroutines only causal orderings are checked (an Unlock's wake-up
 * comes before the waiter's wake): two events of different goroutines
 * that are not ordered by the program may reach the ring in either order.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <lockstep/events.h>
#include <lockstep/trace.h>

#include "harness.h"
#include "prim_util.h"

#define MAX_EVENTS	(1 << 16)
#define MAX_OBJS	8
#define SEQ_MAX		4096

struct traced {
	struct ls_event *ev;
	size_t n;
	uint64_t dropped;
	struct { char label[16]; uint64_t addr; } objs[MAX_OBJS];
	int nobjs;
	char *out, *err;
};

static const char *workload_path(void)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (len <= 0)
		return NULL;
	exe[len] = '\0';
	snprintf(path, sizeof(path), "%s/workloads/sync_events", dirname(exe));
	return path;
}

static void parse_objs(struct traced *t)
{
	char *save = NULL, *copy = strdup(t->out ? t->out : "");

	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char label[16];
		unsigned long long addr;

		if (t->nobjs < MAX_OBJS &&
		    sscanf(l, "obj %15s %llx", label, &addr) == 2) {
			snprintf(t->objs[t->nobjs].label, sizeof(label), "%s", label);
			t->objs[t->nobjs++].addr = addr;
		}
	}
	free(copy);
}

/* Run the scenario traced; 0 or -errno / -1 (the workload failed). */
static int run_traced(const char *scenario, struct traced *t)
{
	char dir[] = "/tmp/prim_events.XXXXXX", ring_path[64], env[96];
	const char *wl = workload_path();
	struct th_result r = { 0 };
	struct ls_ring *ring;
	int err = 0;

	memset(t, 0, sizeof(*t));
	if (!wl || access(wl, X_OK))
		return -ENOENT;
	if (!mkdtemp(dir))
		return -errno;
	snprintf(ring_path, sizeof(ring_path), "%s/ring", dir);
	snprintf(env, sizeof(env), "LOCKSTEP_TRACE=shm:%s", ring_path);
	ring = ls_ring_create(ring_path, MAX_EVENTS, 0);
	if (!ring) {
		err = -errno;
		goto out_rmdir;
	}
	{
		char *const argv[] = { (char *)wl, (char *)scenario, NULL };
		const char *const envp[] = { env, NULL };

		if (th_run_argv(argv, envp, 60, &r) || !r.exited || r.status != 0) {
			TH_LOG("%s %s: exited %d status %d signal %d\nstdout:\n%s\nstderr:\n%s",
			       wl, scenario, r.exited, r.status, r.signo,
			       r.out ? r.out : "", r.err ? r.err : "");
			err = -1;
			goto out_close;
		}
	}
	t->ev = calloc(MAX_EVENTS, sizeof(*t->ev));
	if (!t->ev) {
		err = -ENOMEM;
		goto out_close;
	}
	t->n = ls_ring_read(ring, t->ev, MAX_EVENTS);
	t->dropped = ls_ring_dropped(ring);
	t->out = r.out ? strdup(r.out) : NULL;
	parse_objs(t);
out_close:
	th_result_free(&r);
	ls_ring_close(ring);
	unlink(ring_path);
out_rmdir:
	rmdir(dir);
	return err;
}

static void traced_free(struct traced *t)
{
	free(t->ev);
	free(t->out);
}

static uint64_t obj_addr(const struct traced *t, const char *label)
{
	for (int i = 0; i < t->nobjs; i++)
		if (!strcmp(t->objs[i].label, label))
			return t->objs[i].addr;
	return 0;
}

/* goid of the k-th goroutine created with this name (k from 0), or 0. */
static uint64_t goid_named(const struct traced *t, const char *name, int k)
{
	char buf[LS_EVENT_STRMAX];

	for (size_t i = 0; i < t->n; i++) {
		if (t->ev[i].id != LS_EV_GO_CREATE)
			continue;
		ls_event_str(&t->ev[i], buf, sizeof(buf));
		if (!strcmp(buf, name) && k-- == 0)
			return t->ev[i].obj;
	}
	return 0;
}

/* Which arguments of an event are deterministic enough to compare. */
static unsigned arg_mask(unsigned id)
{
	switch (id) {
	case LS_EV_MUTEX_PARK:		return 0x3;	/* lifo, state */
	case LS_EV_MUTEX_WAKE:		return 0x0;	/* state may still change */
	case LS_EV_MUTEX_STARVE:	return 0x3;	/* old, new */
	case LS_EV_MUTEX_ACQUIRE:	return 0x5;	/* state, how */
	case LS_EV_RW_RACQUIRE:		return 0x1;	/* readerCount */
	case LS_EV_RW_WACQUIRE:		return 0x1;
	case LS_EV_COND_BROADCAST:	return 0x3;	/* woken: 0 if not parked yet */
	case LS_EV_ONCE_BEGIN:
	case LS_EV_ONCE_DONE:		return 0x0;
	default:			return 0x1f;
	}
}

static void render(const struct ls_event *e, char *buf, size_t n)
{
	unsigned mask = arg_mask(e->id), flags = ls_event_def_flags(e->id);
	int len = snprintf(buf, n, "%s", ls_event_name(e->id));
	char str[LS_EVENT_STRMAX];

	if (e->id == LS_EV_OBJ_NAME) {
		ls_event_str(e, str, sizeof(str));
		snprintf(buf + len, n - (size_t)len, " %s %s",
			 ls_obj_kind_str((unsigned)e->args[0]), str);
		return;
	}
	for (unsigned k = 0; k < LS_EVENT_NARGS; k++) {
		if (!(mask & (1u << k)) || !ls_event_arg_label(e->id, k)[0])
			continue;
		if ((flags & LS_EVF_STR) && k >= 1)
			break;
		len += snprintf(buf + len, n - (size_t)len, " %" PRId64,
				(int64_t)e->args[k]);
	}
	if (flags & LS_EVF_STR) {
		ls_event_str(e, str, sizeof(str));
		snprintf(buf + len, n - (size_t)len, " %s", str);
	}
}

/*
 * The events on obj emitted by goroutine goid (0: any), excluding spins and
 * the runtime's park/ready/wake records, as "a; b; c".
 */
static char *sequence(const struct traced *t, uint64_t obj, uint64_t goid)
{
	static char seq[4][SEQ_MAX];
	static int which;
	char *s = seq[which++ & 3], one[96];
	size_t len = 0;

	s[0] = '\0';
	for (size_t i = 0; i < t->n; i++) {
		const struct ls_event *e = &t->ev[i];

		if (e->obj != obj || (goid && e->goid != goid))
			continue;
		if (e->id == LS_EV_MUTEX_SPIN || e->id == LS_EV_GO_PARK ||
		    e->id == LS_EV_GO_READY || e->id == LS_EV_GO_WAKE)
			continue;
		render(e, one, sizeof(one));
		len += (size_t)snprintf(s + len, SEQ_MAX - len, "%s%s", len ? "; " : "", one);
		if (len >= SEQ_MAX)
			break;
	}
	return s;
}

/* Index in the stream of the first event on obj by goid rendering as want. */
static long find(const struct traced *t, uint64_t obj, uint64_t goid, const char *want)
{
	char one[96];

	for (size_t i = 0; i < t->n; i++) {
		if (t->ev[i].obj != obj || (goid && t->ev[i].goid != goid))
			continue;
		render(&t->ev[i], one, sizeof(one));
		if (!strcmp(one, want))
			return (long)i;
	}
	return -1;
}

#define ASSERT_SEQ(want, seen) do {					\
	const char *_w = (want), *_s = (seen);				\
	if (strcmp(_w, _s))						\
		TH_LOG("events differ\n  want: %s\n  seen: %s", _w, _s);	\
	ASSERT_STREQ(_w, _s);						\
} while (0)

#define RUN(scenario, t) do {						\
	int _e = run_traced((scenario), (t));				\
	if (_e == -ENOENT) {						\
		SKIP(return, "workload %s not built", workload_path());	\
	}								\
	ASSERT_EQ(0, _e);						\
	ASSERT_EQ(0u, (t)->dropped);					\
} while (0)

#define MAIN_GOID	1

TEST(mutex_uncontended_events)
{
	struct traced t;
	uint64_t m;

	RUN("mutex-uncontended", &t);
	m = obj_addr(&t, "m");
	ASSERT_NE(0u, m);
	ASSERT_SEQ("obj_name sync.Mutex m; "
		   "mutex_state 0 1 0; mutex_acquire 1 0; "	/* fast path */
		   "mutex_state 1 0 4; mutex_unlock 0; "
		   "mutex_state 0 1 6; mutex_acquire 1 3; "	/* TryLock */
		   "mutex_tryfail 1; "
		   "mutex_state 1 0 4; mutex_unlock 0",
		   sequence(&t, m, 0));
	traced_free(&t);
}

TEST(mutex_contended_events)
{
	struct traced t;
	uint64_t m, w;

	RUN("mutex-contended", &t);
	m = obj_addr(&t, "m");
	w = goid_named(&t, "waiter", 0);
	ASSERT_NE(0u, w);
	/* main: holds it, then Unlock finds a waiter: waiters-1 | WOKEN */
	ASSERT_SEQ("obj_name sync.Mutex m; mutex_state 0 1 0; mutex_acquire 1 0; "
		   "mutex_state 9 8 4; mutex_unlock 8; mutex_state 8 2 5",
		   sequence(&t, m, MAIN_GOID));
	/* the waiter: queues (+8), parks at the tail, wakes, takes it */
	ASSERT_SEQ("mutex_state 1 9 1; mutex_park 0 9; mutex_wake; "
		   "mutex_state 2 1 1; mutex_acquire 1 1; "
		   "mutex_state 1 0 4; mutex_unlock 0",
		   sequence(&t, m, w));
	/* the wake-up was caused by the Unlock */
	ASSERT_LT(find(&t, m, MAIN_GOID, "mutex_state 8 2 5"),
		  find(&t, m, w, "mutex_wake"));
	traced_free(&t);
}

TEST(mutex_starvation_handoff_events)
{
	struct traced t;
	uint64_t m, w = 0;

	RUN("mutex-starve", &t);
	m = obj_addr(&t, "m");
	ASSERT_NE(0u, m);
	for (size_t i = 0; i < t.n && !w; i++)
		if (t.ev[i].obj == m && t.ev[i].goid != MAIN_GOID &&
		    t.ev[i].id == LS_EV_MUTEX_STATE)
			w = t.ev[i].goid;
	ASSERT_NE(0u, w);
	/*
	 * main: lock; Unlock wakes the waiter (8 -> WOKEN); lock again at
	 * once (2 -> 3); Unlock in starvation mode: hand-off, LOCKED stays
	 * clear (13 -> 12).
	 */
	ASSERT_SEQ("obj_name sync.Mutex starving; mutex_state 0 1 0; mutex_acquire 1 0; "
		   "mutex_state 9 8 4; mutex_unlock 8; mutex_state 8 2 5; "
		   "mutex_state 2 3 1; mutex_acquire 3 1; "
		   "mutex_state 13 12 4; mutex_unlock 12; mutex_handoff 12",
		   sequence(&t, m, MAIN_GOID));
	/*
	 * the waiter: parks at the tail; woken after > 1 ms it finds the
	 * mutex held, sets STARVING as it re-queues (3 -> 1|4|8) and parks at
	 * the head (lifo 1); handed the mutex, it sets LOCKED, leaves the
	 * queue and, being the last waiter, ends starvation (12 -> 1).
	 */
	ASSERT_SEQ("mutex_state 1 9 1; mutex_park 0 9; mutex_wake; "
		   "mutex_state 3 13 1; mutex_starve 3 13; mutex_park 1 13; "
		   "mutex_wake; mutex_state 12 1 3; mutex_normal 12 1 0; "
		   "mutex_acquire 1 2; mutex_state 1 0 4; mutex_unlock 0",
		   sequence(&t, m, w));
	ASSERT_LT(find(&t, m, MAIN_GOID, "mutex_handoff 12"),
		  find(&t, m, w, "mutex_state 12 1 3"));
	traced_free(&t);
}

TEST(rwmutex_writer_pending_events)
{
	struct traced t;
	uint64_t rw, w;
	char want[512], acq[64];

	RUN("rwmutex-writer-pending", &t);
	rw = obj_addr(&t, "rw");
	w = goid_named(&t, "writer", 0);
	ASSERT_NE(0u, w);
	/* the reader; it leaves while the writer waits: releases it */
	snprintf(want, sizeof(want),
		 "obj_name sync.RWMutex rw; rw_rlock 1 0; rw_racquire 1; "
		 "rw_runlock %d 0 1", -LS_RWMUTEX_MAX_READERS);
	ASSERT_SEQ(want, sequence(&t, rw, MAIN_GOID));
	/* the writer: readerCount flips to 1 - 2^30, one reader to wait for */
	snprintf(want, sizeof(want),
		 "rw_wlock %d 1 1; rw_wacquire %d; rw_unlock 0 0",
		 1 - LS_RWMUTEX_MAX_READERS, -LS_RWMUTEX_MAX_READERS);
	ASSERT_SEQ(want, sequence(&t, rw, w));
	/* the last reader out released the writer */
	snprintf(want, sizeof(want), "rw_runlock %d 0 1", -LS_RWMUTEX_MAX_READERS);
	snprintf(acq, sizeof(acq), "rw_wacquire %d", -LS_RWMUTEX_MAX_READERS);
	ASSERT_LT(find(&t, rw, MAIN_GOID, want), find(&t, rw, w, acq));
	traced_free(&t);
}

TEST(waitgroup_events)
{
	struct traced t;
	uint64_t wg, w;

	RUN("waitgroup", &t);
	wg = obj_addr(&t, "wg");
	w = goid_named(&t, "waiter", 0);
	ASSERT_SEQ("obj_name sync.WaitGroup wg; wg_add 2 2 0; "
		   "wg_add -1 1 1; wg_add -1 0 1; wg_release 1",
		   sequence(&t, wg, MAIN_GOID));
	ASSERT_SEQ("wg_wait 2 1", sequence(&t, wg, w));
	traced_free(&t);
}

TEST(cond_ticket_events)
{
	struct traced t;
	uint64_t c, w0, w1;

	RUN("cond", &t);
	c = obj_addr(&t, "c");
	w0 = goid_named(&t, "waiter", 0);
	w1 = goid_named(&t, "waiter", 1);
	ASSERT_NE(0u, w1);
	/* tickets 0 and 1; nothing notified yet */
	ASSERT_SEQ("obj_name sync.Cond c; cond_wait 0 0; cond_wake 0", sequence(&t, c, w0));
	ASSERT_SEQ("cond_wait 1 0; cond_wake 1", sequence(&t, c, w1));
	/* Signal wakes the oldest ticket; Broadcast the rest; then nobody */
	ASSERT_SEQ("cond_signal 0 2 1; cond_broadcast 1 2; cond_signal -1 2 2",
		   sequence(&t, c, MAIN_GOID));
	traced_free(&t);
}

TEST(once_events)
{
	struct traced t;

	RUN("once", &t);
	ASSERT_SEQ("obj_name sync.Once o; once_begin; once_done; once_skip",
		   sequence(&t, obj_addr(&t, "o"), 0));
	traced_free(&t);
}

TEST(mem_events)
{
	struct traced t;

	RUN("mem", &t);
	ASSERT_SEQ("mem_store 41 x; mem_load 41 x; mem_store 42 x",
		   sequence(&t, obj_addr(&t, "x"), 0));
	/* atomic_op: op (load 0, store 1, add 2, cas 3, swap 4), old, new */
	ASSERT_SEQ("atomic_op 1 0 5; atomic_op 2 5 7; atomic_op 3 7 7; "
		   "atomic_op 3 7 8; atomic_op 4 8 9; atomic_op 0 9 9",
		   sequence(&t, obj_addr(&t, "y"), 0));
	traced_free(&t);
}

/* Every object announces its name before its first state change. */
TEST(names_come_first)
{
	struct traced t;
	uint64_t m;
	long first = -1, name = -1;

	RUN("mutex-contended", &t);
	m = obj_addr(&t, "m");
	for (size_t i = 0; i < t.n; i++) {
		if (t.ev[i].obj != m)
			continue;
		if (t.ev[i].id == LS_EV_OBJ_NAME && name < 0)
			name = (long)i;
		else if (t.ev[i].id != LS_EV_OBJ_NAME && first < 0)
			first = (long)i;
	}
	ASSERT_LE(0, name);
	ASSERT_LT(name, first);
	traced_free(&t);
}

/*
 * A thread killed by the process's exit between claiming a ring slot and
 * publishing it leaves a hole: the records after it must still be read
 * (the program's last words are among them) and the hole counted as lost.
 * The ring file is built by hand: slot 0 claimed, never published; slot 1
 * published.  Layout: a 4096-byte header with head at byte 64, then slots
 * of { u64 seq; struct ls_event }.
 */
TEST(ring_reads_past_a_slot_its_dead_producer_never_published)
{
	const size_t hdr = 4096, slot = 8 + sizeof(struct ls_event);
	char dir[] = "/tmp/lockstep-ring-XXXXXX", path[64];
	struct ls_event ev[4];
	struct ls_ring *r;
	uint64_t *seq1;
	char *map;
	int fd;

	ASSERT_NOT_NULL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ring", dir);
	r = ls_ring_create(path, 8, 0);
	ASSERT_NOT_NULL(r);
	fd = open(path, O_RDWR);
	ASSERT_LE(0, fd);
	map = mmap(NULL, hdr + 8 * slot, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	*(uint64_t *)(map + 64) = 2;			/* head: two slots claimed */
	seq1 = (uint64_t *)(map + hdr + slot);		/* slot 1 published ... */
	memset(seq1 + 1, 0, sizeof(struct ls_event));
	((struct ls_event *)(seq1 + 1))->id = LS_EV_PANIC;
	*seq1 = 2;					/* ... slot 0 never */

	ASSERT_EQ((size_t)0, ls_ring_read(r, ev, 4));	/* stuck at the hole */
	ASSERT_EQ((size_t)1, ls_ring_skip_dead(r));
	ASSERT_EQ((size_t)1, ls_ring_read(r, ev, 4));
	EXPECT_EQ(LS_EV_PANIC, ev[0].id);
	EXPECT_EQ((uint64_t)1, ls_ring_dropped(r));
	EXPECT_EQ((size_t)0, ls_ring_skip_dead(r));	/* nothing else is stuck */
	munmap(map, hdr + 8 * slot);
	close(fd);
	ls_ring_close(r);
	unlink(path);
	rmdir(dir);
}

TEST_HARNESS_MAIN
