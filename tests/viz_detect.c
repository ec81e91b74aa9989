// SPDX-License-Identifier: MIT
/*
 * viz_detect.c - the detectors (viz/detect.h) on hand-built event streams:
 * wait-for cycles of two and three goroutines, a cycle through a channel
 * and a mutex, the reader-writer-reader cycle of a recursive RLock, no
 * false cycle while a holder runs, all asleep, leaks at MAIN_EXIT,
 * lock-order cycles that did not hang (and the read/read rule), races and
 * their absence under a mutex, through channels, WaitGroups and atomics,
 * also when release events reach the stream late; then the verdict's
 * precedence, the JSON object and the report.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "viz/detect.h"
#include "viz/model_synth.h"

#define A	0x1000
#define B	0x1100
#define CC	0x1200
#define M	0x1300
#define RW	0x2000
#define RWW	0x2010
#define CH	0x3000
#define CH2	0x3100
#define WG	0x4000
#define V	0x5000
#define FLAG	0x5100
#define T	0x6000

#define MAX_READERS	(1 << 30)
#define NEG(x)		((uint64_t)(int64_t)(x))

#define E(s, id, g, obj, a0, a1, a2, a3, a4) \
	ls_synth_add((s), LS_EV_##id, (g), (obj), (a0), (a1), (a2), (a3), (a4))

static struct ls_detect *detect_opts(const struct ls_synth *s, unsigned flags,
				     const struct ls_detect_opts *opts)
{
	struct ls_detect *d = ls_detect_new(opts);

	if (d && ls_detect_run(d, s->ev, s->n, flags)) {
		ls_detect_free(d);
		return NULL;
	}
	return d;
}

static struct ls_detect *detect(const struct ls_synth *s, unsigned flags)
{
	return detect_opts(s, flags, NULL);
}

static size_t count(const struct ls_detect *d, unsigned kind)
{
	size_t n = 0;

	for (size_t i = 0; i < ls_detect_count(d); i++)
		n += ls_detect_finding(d, i)->kind == kind;
	return n;
}

static const struct ls_finding *first(const struct ls_detect *d, unsigned kind)
{
	for (size_t i = 0; i < ls_detect_count(d); i++)
		if (ls_detect_finding(d, i)->kind == kind)
			return ls_detect_finding(d, i);
	return NULL;
}

static void log_report(const struct ls_detect *d)
{
	char buf[4096];

	ls_detect_report_buf(d, buf, sizeof(buf));
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		TH_LOG("%s", line);
}

/* mutex.c lock_slow: count ourselves as a waiter, park on the semaphore. */
static void mutex_wait(struct ls_synth *s, uint64_t g, uint64_t m, int32_t old)
{
	E(s, MUTEX_STATE, g, m, (uint64_t)old, (uint64_t)(old + 8), LS_MUTEX_OP_LOCK_SLOW, 0, 0);
	E(s, MUTEX_PARK, g, m, 0, (uint64_t)(old + 8), 0, 0, 0);
	ls_synth_park(s, g, m, LS_WAIT_MUTEX_LOCK);
}

static void all_asleep_fatal(struct ls_synth *s, uint64_t g)
{
	/* park.c: the last goroutine to park dies; the record holds 31 bytes */
	ls_synth_set_str(E(s, PANIC, g, 0, 0, 0, 0, 0, 0),
			 "all goroutines are asleep - deadlock!");
}

static void start(struct ls_synth *s, int n)
{
	static const char *const names[] = {
		"main", "worker-1", "worker-2", "worker-3", "worker-4", "worker-5",
	};

	ls_synth_init(s);
	ls_synth_go(s, 0, 1, names[0]);
	for (int g = 2; g <= n; g++)
		ls_synth_go(s, 1, (uint64_t)g, names[g - 1]);
}

/* ---- wait-for cycles ---- */

TEST(cycle_of_two_at_main_exit)
{
	struct ls_synth s;
	struct ls_detect *d;
	const struct ls_finding *f;

	start(&s, 3);
	ls_synth_obj(&s, 2, A, LS_OBJ_MUTEX, "a");
	ls_synth_obj(&s, 3, B, LS_OBJ_MUTEX, "b");
	ls_synth_lock(&s, 2, A);
	ls_synth_lock(&s, 3, B);
	mutex_wait(&s, 2, B, 1);
	mutex_wait(&s, 3, A, 1);
	ls_synth_park(&s, 1, 0, LS_WAIT_SLEEP);
	ls_synth_wake(&s, 1, 0, LS_WAIT_SLEEP);
	E(&s, MAIN_EXIT, 1, 0, 0, 3, 2, 0, 0);

	d = detect(&s, 0);
	ASSERT_NOT_NULL(d);
	log_report(d);
	EXPECT_EQ(LS_VERDICT_DEADLOCK, ls_detect_verdict(d));
	EXPECT_EQ(10, ls_verdict_exit(ls_detect_verdict(d)));
	ASSERT_EQ(1, count(d, LS_FIND_CYCLE));
	EXPECT_EQ(0, count(d, LS_FIND_LEAK));	/* they are the cycle */
	EXPECT_EQ(0, count(d, LS_FIND_ALL_ASLEEP));	/* main was running */
	f = first(d, LS_FIND_CYCLE);
	ASSERT_EQ(2, f->u.waits.n);
	EXPECT_EQ(2, f->u.waits.w[0].g.goid);
	EXPECT_STREQ("worker-1", f->u.waits.w[0].g.name);
	EXPECT_EQ(LS_WAIT_MUTEX_LOCK, f->u.waits.w[0].reason);
	EXPECT_STREQ("b", f->u.waits.w[0].obj.name);
	EXPECT_EQ(3, f->u.waits.w[0].next.goid);
	EXPECT_EQ(LS_ROLE_HOLDER, f->u.waits.w[0].role);
	EXPECT_EQ(3, f->u.waits.w[1].g.goid);
	EXPECT_STREQ("a", f->u.waits.w[1].obj.name);
	EXPECT_EQ(2, f->u.waits.w[1].next.goid);
	EXPECT_EQ(s.n - 1, f->ev);
	ls_detect_free(d);
	ls_synth_free(&s);
}

TEST(cycle_of_three)
{
	struct ls_synth s;
	struct ls_detect *d;
	const struct ls_finding *f;

	start(&s, 4);
	ls_synth_lock(&s, 2, A);
	ls_synth_lock(&s, 3, B);
	ls_synth_lock(&s, 4, CC);
	mutex_wait(&s, 2, B, 1);
	mutex_wait(&s, 3, CC, 1);
	mutex_wait(&s, 4, A, 1);
	E(&s, WG_ADD, 1, WG, 3, 3, 0, 0, 0);
	E(&s, WG_WAIT, 1, WG, 3, 1, 0, 0, 0);
	ls_synth_park(&s, 1, WG, LS_WAIT_WG_WAIT);
	all_asleep_fatal(&s, 1);

	d = detect(&s, 0);
	ASSERT_NOT_NULL(d);
	log_report(d);
	EXPECT_EQ(LS_VERDICT_DEADLOCK, ls_detect_verdict(d));
	ASSERT_EQ(1, count(d, LS_FIND_CYCLE));
	EXPECT_EQ(1, count(d, LS_FIND_ALL_ASLEEP));
	EXPECT_EQ(0, count(d, LS_FIND_PANIC));	/* the fatal error is the deadlock */
	f = first(d, LS_FIND_CYCLE);
	ASSERT_EQ(3, f->u.waits.n);
	EXPECT_EQ(3, f->u.waits.total);
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(f->u.waits.w[(i + 1) % 3].g.goid, f->u.waits.w[i].next.goid);
	EXPECT_EQ(4, first(d, LS_FIND_ALL_ASLEEP)->u.waits.total);
	ls_detect_free(d);
	ls_synth_free(&s);
}

/* The producer holds m and blocks sending; the consumer needs m to receive. */
TEST(cycle_through_channel_and_mutex)
{
	struct ls_synth s;
	struct ls_detect *d;
	const struct ls_finding *f;
	const struct ls_fwait *send, *lock;

	start(&s, 3);
	ls_synth_obj(&s, 1, CH, LS_OBJ_CHAN, "results");
	E(&s, CHAN_MAKE, 1, CH, 8, 0, 0, 0, 0);
	ls_synth_obj(&s, 1, M, LS_OBJ_MUTEX, "m");
	E(&s, WG_ADD, 1, WG, 2, 2, 0, 0, 0);
	E(&s, WG_WAIT, 1, WG, 2, 1, 0, 0, 0);
	ls_synth_park(&s, 1, WG, LS_WAIT_WG_WAIT);
	/* one value goes through: worker-2 is a known receiver */
	E(&s, CHAN_PARK, 3, CH, 1, 0, 0, 1, 0);
	ls_synth_park(&s, 3, CH, LS_WAIT_CHAN_RECV);
	E(&s, CHAN_SEND, 2, CH, LS_CHAN_DIRECT, 0, 0, 0, 1);
	E(&s, GO_READY, 2, CH, 3, 1, 0, 0, 0);
	ls_synth_wake(&s, 3, CH, LS_WAIT_CHAN_RECV);
	E(&s, CHAN_RECV, 3, CH, LS_CHAN_WOKEN, 0, 0, 0, 1);
	/* then worker-1 sends while holding m */
	ls_synth_lock(&s, 2, M);
	E(&s, CHAN_PARK, 2, CH, 0, 0, 1, 0, 2);
	ls_synth_park(&s, 2, CH, LS_WAIT_CHAN_SEND);
	mutex_wait(&s, 3, M, 1);
	all_asleep_fatal(&s, 3);

	d = detect(&s, 0);
	ASSERT_NOT_NULL(d);
	log_report(d);
	EXPECT_EQ(LS_VERDICT_DEADLOCK, ls_detect_verdict(d));
	ASSERT_EQ(1, count(d, LS_FIND_CYCLE));
	f = first(d, LS_FIND_CYCLE);
	ASSERT_EQ(2, f->u.waits.n);
	send = f->u.waits.w[0].g.goid == 2 ? &f->u.waits.w[0] : &f->u.waits.w[1];
	lock = f->u.waits.w[0].g.goid == 2 ? &f->u.waits.w[1] : &f->u.waits.w[0];
	EXPECT_EQ(LS_WAIT_CHAN_SEND, send->reason);
	EXPECT_STREQ("results", send->obj.name);
	EXPECT_EQ(LS_ROLE_RECEIVER, send->role);
	EXPECT_EQ(3, send->next.goid);
	EXPECT_EQ(LS_WAIT_MUTEX_LOCK, lock->reason);
	EXPECT_EQ(LS_ROLE_HOLDER, lock->role);
	EXPECT_EQ(2, lock->next.goid);
	EXPECT_EQ(1, count(d, LS_FIND_ALL_ASLEEP));
	ls_detect_free(d);
	ls_synth_free(&s);
}

/* kubernetes#62464: RLock, a writer arrives, RLock again. */
TEST(cycle_reader_writer_reader)
{
	struct ls_synth s;
	struct ls_detect *d;
	const struct ls_finding *f;

	start(&s, 3);
	ls_synth_obj(&s, 2, RW, LS_OBJ_RWMUTEX, "rw");
	E(&s, RW_RLOCK, 2, RW, 1, 0, 0, 0, 0);
	E(&s, RW_RACQUIRE, 2, RW, 1, 0, 0, 0, 0);
	ls_synth_lock(&s, 3, RWW);
	E(&s, RW_WLOCK, 3, RW, NEG(1 - MAX_READERS), 1, 1, 0, 0);
	ls_synth_park(&s, 3, RW, LS_WAIT_RW_LOCK);
	E(&s, RW_RLOCK, 2, RW, NEG(2 - MAX_READERS), 1, 0, 0, 0);
	ls_synth_park(&s, 2, RW, LS_WAIT_RW_RLOCK);
	ls_synth_park(&s, 1, WG, LS_WAIT_WG_WAIT);
	all_asleep_fatal(&s, 1);

	d = detect(&s, 0);
	ASSERT_NOT_NULL(d);
	log_report(d);
	ASSERT_EQ(1, count(d, LS_FIND_CYCLE));
	f = first(d, LS_FIND_CYCLE);
	ASSERT_EQ(2, f->u.waits.n);
	for (int i = 0; i < 2; i++) {
		const struct ls_fwait *w = &f->u.waits.w[i];

		if (w->g.goid == 2) {
			EXPECT_EQ(LS_WAIT_RW_RLOCK, w->reason);
			EXPECT_EQ(LS_ROLE_WRITER, w->role);
			EXPECT_EQ(3, w->next.goid);
		} else {
			EXPECT_EQ(LS_WAIT_RW_LOCK, w->reason);
			EXPECT_EQ(LS_ROLE_READER, w->role);
			EXPECT_EQ(2, w->next.goid);
		}
		EXPECT_STREQ("rw", w->obj.name);
	}
	ls_detect_free(d);
	ls_synth_free(&s);
}

/* RLock then Lock on the same RWMutex: it waits for itself. */
TEST(cycle_of_one_rlock_then_lock)
{
	struct ls_synth s;
	struct ls_detect *d;
	const struct ls_finding *f;

	start(&s, 2);
	E(&s, RW_RLOCK, 2, RW, 1, 0, 0, 0, 0);
	E(&s, RW_RACQUIRE, 2, RW, 1, 0, 0, 0, 0);
	ls_synth_lock(&s, 2, RWW);
	E(&s, RW_WLOCK, 2, RW, NEG(1 - MAX_READERS), 1, 1, 0, 0);
	ls_synth_park(&s, 2, RW, LS_WAIT_RW_LOCK);
	E(&s, MAIN_EXIT, 1, 0, 0, 2, 1, 0, 0);

	d = detect(&s, 0);
	ASSERT_NOT_NULL(d);
	log_report(d);
	ASSERT_EQ(1, count(d, LS_FIND_CYCLE));
	f = first(d, LS_FIND_CYCLE);
	ASSERT_EQ(1, f->u.waits.n);
	EXPECT_EQ(2, f->u.waits.w[0].next.goid);
	EXPECT_EQ(LS_ROLE_READER, f->u.waits.w[0].role);
	EXPECT_EQ(0, count(d, LS_FIND_LEAK));
	ls_detect_free(d);
	ls_synth_free(&s);
}

TEST(no_false_cycle_while_holder_runs)
{
	struct ls_synth s;
	struct ls_model_opts flat = { .no_timeline = true };
	struct ls_finding out[4];
	struct ls_model *m;
	struct ls_detect *d;

	start(&s, 3);
	ls_synth_lock(&s, 2, A);
	mutex_wait(&s, 3, A, 1);
	E(&s, WG_WAIT, 1, WG, 2, 1, 0, 0, 0);
	ls_synth_park(&s, 1, WG, LS_WAIT_WG_WAIT);

	m = ls_model_new(&flat);
	ASSERT_NOT_NULL(m);
	for (size_t i = 0; i < s.n; i++)
		ls_model_push(m, &s.ev[i]);
	EXPECT_EQ(0, ls_detect_waitfor(ls_model_state(m), out, 4, s.n));
	ls_model_free(m);

	/* Main leaves: the waiter is left behind, a leak, not a deadlock. */
	ls_synth_wake(&s, 1, WG, LS_WAIT_WG_WAIT);
	E(&s, MAIN_EXIT, 1, 0, 0, 3, 1, 0, 0);
	d = detect(&s, 0);
	ASSERT_NOT_NULL(d);
	log_report(d);
	EXPECT_EQ(0, count(d, LS_FIND_CYCLE));
	EXPECT_EQ(1, count(d, LS_FIND_LEAK));
	EXPECT_EQ(LS_VERDICT_LEAK, ls_detect_verdict(d));
	ls_detect_free(d);
	ls_synth_free(&s);
}

/* ---- all asleep, leaks ---- */

TEST(all_asleep_without_dying)
{
	struct ls_synth s;
	struct ls_detect *d;
	const struct ls_finding *f;

	start(&s, 2);
	E(&s, CHAN_MAKE, 1, CH, 8, 0, 0, 0, 0);
	E(&s, CHAN_PARK, 2, CH, 1, 0, 0, 1, 0);
	ls_synth_park(&s, 2, CH, LS_WAIT_CHAN_RECV);
	E(&s, WG_ADD, 1, WG, 1, 1, 0, 0, 0);
	E(&s, WG_WAIT, 1, WG, 1, 1, 0, 0, 0);
	ls_synth_park(&s, 1, WG, LS_WAIT_WG_WAIT);

	d = detect(&s, 0);	/* the stream just ends: no PANIC, no exit */
	ASSERT_NOT_NULL(d);
	log_report(d);
	EXPECT_EQ(LS_VERDICT_DEADLOCK, ls_detect_verdict(d));
	EXPECT_EQ(0, count(d, LS_FIND_CYCLE));
	ASSERT_EQ(1, count(d, LS_FIND_ALL_ASLEEP));
	f = first(d, LS_FIND_ALL_ASLEEP);
	EXPECT_EQ(2, f->u.waits.total);
	ls_detect_free(d);

	/* A sleeper has a timer pending: nobody is deadlocked yet. */
	ls_synth_go(&s, 1, 3, "ticker");
	ls_synth_park(&s, 3, 0, LS_WAIT_SLEEP);
	d = detect(&s, 0);
	ASSERT_NOT_NULL(d);
	EXPECT_EQ(0, count(d, LS_FIND_ALL_ASLEEP));
	EXPECT_EQ(1, count(d, LS_FIND_LEAK));	/* worker-1; main is not a leak */
	EXPECT_EQ(LS_VERDICT_LEAK, ls_detect_verdict(d));
	ls_detect_free(d);
	d = detect(&s, LS_DETECT_TIMED_OUT);
	ASSERT_NOT_NULL(d);
	EXPECT_EQ(0, count(d, LS_FIND_LEAK));
	EXPECT_EQ(LS_VERDICT_TIMEOUT, ls_detect_verdict(d));
	EXPECT_EQ(15, ls_verdict_exit(ls_detect_verdict(d)));
	ls_detect_free(d);
	ls_synth_free(&s);
}

TEST(leak_at_main_exit)
{
	struct ls_synth s;
	struct ls_detect *d;
	const struct ls_finding *f;
	char json[4096];

	start(&s, 3);
	ls_synth_obj(&s, 1, CH, LS_OBJ_CHAN, "result");
	E(&s, CHAN_MAKE, 1, CH, 8, 0, 0, 0, 0);
	E(&s, CHAN_PARK, 2, CH, 0, 0, 1, 0, 5);
	ls_synth_park(&s, 2, CH, LS_WAIT_CHAN_SEND);
	/* worker-2 waits in a select with a time.After case: a timer, not a leak */
	ls_synth_obj(&s, 3, T, LS_OBJ_CHAN, "time.After");
	E(&s, CHAN_MAKE, 3, T, 8, 1, 0, 0, 0);
	E(&s, SELECT_BEGIN, 3, 0x99, 2, 1, 2, 0, 0);
	E(&s, SELECT_ENQUEUE, 3, CH2, 0, 1, 0, 0, 0);
	E(&s, SELECT_ENQUEUE, 3, T, 1, 1, 0, 0, 0);
	ls_synth_park(&s, 3, 0, LS_WAIT_SELECT);
	E(&s, MAIN_EXIT, 1, 0, 0, 3, 2, 0, 0);

	d = detect(&s, 0);
	ASSERT_NOT_NULL(d);
	log_report(d);
	EXPECT_EQ(LS_VERDICT_LEAK, ls_detect_verdict(d));
	EXPECT_EQ(11, ls_verdict_exit(ls_detect_verdict(d)));
	ASSERT_EQ(1, count(d, LS_FIND_LEAK));
	f = first(d, LS_FIND_LEAK);
	EXPECT_EQ(2, f->u.leak.g.goid);
	EXPECT_EQ(LS_WAIT_CHAN_SEND, f->u.leak.reason);
	EXPECT_STREQ("result", f->u.leak.obj.name);
	EXPECT_EQ(LS_OBJ_CHAN, f->u.leak.obj.kind);
	ls_detect_json_buf(d, json, sizeof(json));
	EXPECT_CONTAINS(json, "\"verdict\": \"leak\", \"exit\": 11");
	EXPECT_CONTAINS(json, "\"waits\": \"chan send\"");
	ls_detect_free(d);
	ls_synth_free(&s);
}

/* ---- lock order ---- */

TEST(lock_order_cycle_without_hang)
{
	struct ls_synth s;
	struct ls_detect *d;
	const struct ls_finding *f;
	size_t a1, b1, b2, a2;

	start(&s, 3);
	ls_synth_obj(&s, 1, A, LS_OBJ_MUTEX, "a");
	ls_synth_obj(&s, 1, B, LS_OBJ_MUTEX, "b");
	ls_synth_lock(&s, 2, A);
	a1 = s.n - 1;
	ls_synth_lock(&s, 2, B);
	b1 = s.n - 1;
	ls_synth_unlock(&s, 2, B);
	ls_synth_unlock(&s, 2, A);
	ls_synth_exit(&s, 2);
	ls_synth_lock(&s, 3, B);
	b2 = s.n - 1;
	ls_synth_lock(&s, 3, A);
	a2 = s.n - 1;
	ls_synth_unlock(&s, 3, A);
	ls_synth_unlock(&s, 3, B);
	ls_synth_exit(&s, 3);
	E(&s, MAIN_EXIT, 1, 0, 0, 1, 0, 0, 0);

	d = detect(&s, 0);
	ASSERT_NOT_NULL(d);
	log_report(d);
	EXPECT_EQ(LS_VERDICT_POTENTIAL_DEADLOCK, ls_detect_verdict(d));
	EXPECT_EQ(12, ls_verdict_exit(ls_detect_verdict(d)));
	ASSERT_EQ(1, count(d, LS_FIND_LOCK_ORDER));
	f = first(d, LS_FIND_LOCK_ORDER);
	ASSERT_EQ(2, f->u.order.n);
	/* found when worker-2 took a while holding b */
	EXPECT_STREQ("b", f->u.order.e[0].held.name);
	EXPECT_STREQ("a", f->u.order.e[0].acq.name);
	EXPECT_EQ(3, f->u.order.e[0].g.goid);
	EXPECT_EQ(b2, f->u.order.e[0].held_ev);
	EXPECT_EQ(a2, f->u.order.e[0].acq_ev);
	EXPECT_STREQ("a", f->u.order.e[1].held.name);
	EXPECT_EQ(2, f->u.order.e[1].g.goid);
	EXPECT_EQ(a1, f->u.order.e[1].held_ev);
	EXPECT_EQ(b1, f->u.order.e[1].acq_ev);
	EXPECT_EQ(LS_LOCK_WRITE, f->u.order.e[1].held_mode);
	ls_detect_free(d);
	ls_synth_free(&s);
}

TEST(lock_order_trylock_makes_no_edge)
{
	struct ls_synth s;
	struct ls_detect *d;

	start(&s, 3);
	ls_synth_lock(&s, 2, A);
	E(&s, MUTEX_STATE, 2, B, 0, 1, LS_MUTEX_OP_TRYLOCK, 0, 0);
	E(&s, MUTEX_ACQUIRE, 2, B, 1, 0, LS_ACQ_TRY, 0, 0);
	ls_synth_unlock(&s, 2, B);
	ls_synth_unlock(&s, 2, A);
	ls_synth_lock(&s, 3, B);
	ls_synth_lock(&s, 3, A);
	ls_synth_unlock(&s, 3, A);
	ls_synth_unlock(&s, 3, B);
	d = detect(&s, 0);
	ASSERT_NOT_NULL(d);
	EXPECT_EQ(0, count(d, LS_FIND_LOCK_ORDER));
	EXPECT_EQ(LS_VERDICT_OK, ls_detect_verdict(d));
	ls_detect_free(d);
	ls_synth_free(&s);
}

static void rlock(struct ls_synth *s, uint64_t g, int32_t after)
{
	E(s, RW_RLOCK, g, RW, NEG(after), 0, 0, 0, 0);
	E(s, RW_RACQUIRE, g, RW, NEG(after), 0, 0, 0, 0);
}

static void runlock(struct ls_synth *s, uint64_t g, int32_t after)
{
	E(s, RW_RUNLOCK, g, RW, NEG(after), 0, 0, 0, 0);
}

static void wlock_unlock(struct ls_synth *s, uint64_t g)
{
	ls_synth_lock(s, g, RWW);
	E(s, RW_WLOCK, g, RW, NEG(-MAX_READERS), 0, 0, 0, 0);
	E(s, RW_WACQUIRE, g, RW, NEG(-MAX_READERS), 0, 0, 0, 0);
	E(s, RW_UNLOCK, g, RW, 0, 0, 0, 0, 0);
	ls_synth_unlock(s, g, RWW);
}

/*
 * rw read -> m and m -> rw read: two readers never block each other, unless
 * somebody write-locks rw (then a waiting writer blocks the second RLock).
 */
TEST(lock_order_read_read_rule)
{
	struct ls_synth s;
	struct ls_detect *d;
	const struct ls_finding *f;

	start(&s, 4);
	ls_synth_obj(&s, 1, RW, LS_OBJ_RWMUTEX, "rw");
	ls_synth_obj(&s, 1, M, LS_OBJ_MUTEX, "m");
	rlock(&s, 2, 1);
	ls_synth_lock(&s, 2, M);
	ls_synth_unlock(&s, 2, M);
	runlock(&s, 2, 0);
	ls_synth_lock(&s, 3, M);
	rlock(&s, 3, 1);
	runlock(&s, 3, 0);
	ls_synth_unlock(&s, 3, M);
	d = detect(&s, 0);
	ASSERT_NOT_NULL(d);
	log_report(d);
	EXPECT_EQ(0, count(d, LS_FIND_LOCK_ORDER));
	ls_detect_free(d);

	/* a writer appears: now the cycle can block */
	wlock_unlock(&s, 4);
	d = detect(&s, 0);
	ASSERT_NOT_NULL(d);
	log_report(d);
	ASSERT_EQ(1, count(d, LS_FIND_LOCK_ORDER));
	f = first(d, LS_FIND_LOCK_ORDER);
	ASSERT_EQ(2, f->u.order.n);
	EXPECT_EQ(LS_LOCK_READ, f->u.order.e[0].acq_mode + f->u.order.e[1].acq_mode > 0 ?
				LS_LOCK_READ : LS_LOCK_WRITE);
	/* the RWMutex's own writer mutex never shows up as a lock */
	EXPECT_NE(RWW, f->u.order.e[0].held.addr);
	EXPECT_NE(RWW, f->u.order.e[1].held.addr);
	ls_detect_free(d);
	ls_synth_free(&s);
}

TEST(lock_order_recursive_rlock)
{
	struct ls_synth s;
	struct ls_detect *d;
	const struct ls_finding *f;

	start(&s, 3);
	rlock(&s, 2, 1);
	rlock(&s, 2, 2);	/* no writer waited this time */
	runlock(&s, 2, 1);
	runlock(&s, 2, 0);
	wlock_unlock(&s, 3);
	d = detect(&s, 0);
	ASSERT_NOT_NULL(d);
	log_report(d);
	ASSERT_EQ(1, count(d, LS_FIND_LOCK_ORDER));
	f = first(d, LS_FIND_LOCK_ORDER);
	ASSERT_EQ(1, f->u.order.n);
	EXPECT_EQ(LS_LOCK_READ, f->u.order.e[0].held_mode);
	EXPECT_EQ(LS_LOCK_READ, f->u.order.e[0].acq_mode);
	EXPECT_EQ(RW, f->u.order.e[0].held.addr);
	ls_detect_free(d);
	ls_synth_free(&s);
}

/* ---- races ---- */

static void rmw(struct ls_synth *s, uint64_t g, int64_t seen)
{
	ls_synth_load(s, g, V, seen, "counter");
	ls_synth_store(s, g, V, seen + 1, "counter");
}

TEST(race_on_unlocked_counter)
{
	struct ls_synth s;
	struct ls_detect *d;
	const struct ls_finding *f;
	size_t store1, load2;

	start(&s, 3);
	rmw(&s, 2, 0);
	store1 = s.n - 1;
	rmw(&s, 3, 0);		/* lost update: it read 0 too */
	load2 = s.n - 2;

	d = detect(&s, 0);
	ASSERT_NOT_NULL(d);
	log_report(d);
	EXPECT_EQ(LS_VERDICT_RACE, ls_detect_verdict(d));
	EXPECT_EQ(13, ls_verdict_exit(ls_detect_verdict(d)));
	ASSERT_EQ(1, count(d, LS_FIND_RACE));
	f = first(d, LS_FIND_RACE);
	EXPECT_STREQ("counter", f->u.race.var.name);
	EXPECT_EQ(V, f->u.race.var.addr);
	EXPECT_EQ(2, f->u.race.first.g.goid);
	EXPECT_TRUE(f->u.race.first.write);
	EXPECT_EQ(store1, f->u.race.first.ev);
	EXPECT_EQ(1, f->u.race.first.value);
	EXPECT_EQ(3, f->u.race.second.g.goid);
	EXPECT_FALSE(f->u.race.second.write);
	EXPECT_EQ(load2, f->u.race.second.ev);
	EXPECT_EQ(0, f->u.race.second.value);
	EXPECT_EQ(1, f->u.race.more);	/* and its store */
	ls_detect_free(d);
	ls_synth_free(&s);
}

TEST(no_race_under_mutex)
{
	struct ls_synth s;
	struct ls_detect *d;

	start(&s, 3);
	ls_synth_lock(&s, 2, M);
	rmw(&s, 2, 0);
	ls_synth_unlock(&s, 2, M);
	ls_synth_lock(&s, 3, M);
	rmw(&s, 3, 1);
	ls_synth_unlock(&s, 3, M);
	d = detect(&s, 0);
	ASSERT_NOT_NULL(d);
	EXPECT_EQ(0, count(d, LS_FIND_RACE));
	EXPECT_EQ(LS_VERDICT_OK, ls_detect_verdict(d));
	ls_detect_free(d);
	ls_synth_free(&s);
}

/*
 * Unlock's events are emitted after its atomic add: worker-2's lock and
 * first access reach the stream before worker-1's MUTEX_UNLOCK.
 */
TEST(no_race_under_mutex_with_late_unlock)
{
	struct ls_detect_opts raw = { .no_reorder = true };
	struct ls_synth s;
	struct ls_detect *d;

	start(&s, 3);
	ls_synth_lock(&s, 2, M);
	rmw(&s, 2, 0);
	ls_synth_lock(&s, 3, M);		/* CAS 0 -> 1 saw the unlock */
	ls_synth_load(&s, 3, V, 1, "counter");
	ls_synth_unlock(&s, 2, M);		/* late */
	ls_synth_store(&s, 3, V, 2, "counter");
	ls_synth_unlock(&s, 3, M);

	d = detect(&s, 0);
	ASSERT_NOT_NULL(d);
	log_report(d);
	EXPECT_EQ(0, count(d, LS_FIND_RACE));
	EXPECT_EQ(3, ls_mstate_object(ls_detect_state(d), M, LS_OBJ_MUTEX)->u.mu.last_holder);
	ls_detect_free(d);

	/* no reordering needed: worker-1's release is done when worker-2 locks */
	d = detect_opts(&s, 0, &raw);
	ASSERT_NOT_NULL(d);
	EXPECT_EQ(0, count(d, LS_FIND_RACE));
	ls_detect_free(d);
	ls_synth_free(&s);
}

/* The unlocker was preempted for a long while: its event is very late. */
TEST(no_race_under_mutex_with_very_late_unlock)
{
	struct ls_synth s;
	struct ls_detect *d;

	start(&s, 4);
	ls_synth_lock(&s, 2, M);
	rmw(&s, 2, 0);
	/* worker-1 unlocked (atomic) and lost its CPU; the others go on */
	for (int i = 0; i < 50000; i++) {
		uint64_t g = 3 + i % 2;

		ls_synth_lock(&s, g, M);
		rmw(&s, g, i + 1);
		ls_synth_unlock(&s, g, M);
	}
	ls_synth_unlock(&s, 2, M);
	ls_synth_lock(&s, 2, M);
	rmw(&s, 2, 50001);
	ls_synth_unlock(&s, 2, M);
	d = detect(&s, 0);
	ASSERT_NOT_NULL(d);
	log_report(d);
	EXPECT_EQ(0, count(d, LS_FIND_RACE));
	EXPECT_EQ(0, ls_mstate_object(ls_detect_state(d), M, LS_OBJ_MUTEX)->u.mu.holder);
	EXPECT_EQ(0, ls_mstate_object(ls_detect_state(d), M, LS_OBJ_MUTEX)->u.mu.owed_unlocks);
	ls_detect_free(d);
	ls_synth_free(&s);
}

TEST(no_race_through_channels)
{
	struct ls_synth s;
	struct ls_detect *d;

	start(&s, 4);
	E(&s, CHAN_MAKE, 1, CH, 8, 1, 0, 0, 0);
	E(&s, CHAN_MAKE, 1, CH2, 8, 0, 0, 0, 0);
	/* buffered: store, send; receive, load */
	ls_synth_store(&s, 2, V, 42, "data");
	E(&s, CHAN_SEND, 2, CH, LS_CHAN_BUFFERED, 1, 0, 0, 1);
	E(&s, CHAN_RECV, 3, CH, LS_CHAN_BUFFERED, 0, 0, 0, 1);
	ls_synth_load(&s, 3, V, 42, "data");
	/* unbuffered handoff to a parked receiver */
	E(&s, CHAN_PARK, 4, CH2, 1, 0, 0, 1, 0);
	ls_synth_park(&s, 4, CH2, LS_WAIT_CHAN_RECV);
	ls_synth_store(&s, 3, V, 43, "data");
	E(&s, CHAN_SEND, 3, CH2, LS_CHAN_DIRECT, 0, 0, 0, 7);
	E(&s, GO_READY, 3, CH2, 4, 1, 0, 0, 0);
	ls_synth_wake(&s, 4, CH2, LS_WAIT_CHAN_RECV);
	E(&s, CHAN_RECV, 4, CH2, LS_CHAN_WOKEN, 0, 0, 0, 7);
	ls_synth_load(&s, 4, V, 43, "data");
	/* a cap-1 channel used as a lock: send locks, receive unlocks */
	E(&s, CHAN_SEND, 2, CH, LS_CHAN_BUFFERED, 1, 0, 0, 1);
	ls_synth_store(&s, 2, V + 8, 1, "guarded");
	E(&s, CHAN_RECV, 2, CH, LS_CHAN_BUFFERED, 0, 0, 0, 1);
	E(&s, CHAN_SEND, 4, CH, LS_CHAN_BUFFERED, 1, 0, 0, 1);
	ls_synth_store(&s, 4, V + 8, 2, "guarded");
	E(&s, CHAN_RECV, 4, CH, LS_CHAN_BUFFERED, 0, 0, 0, 1);

	d = detect(&s, 0);
	ASSERT_NOT_NULL(d);
	log_report(d);
	EXPECT_EQ(0, count(d, LS_FIND_RACE));
	ls_detect_free(d);

	/* and without the channel, the same accesses race */
	ls_synth_store(&s, 2, V + 16, 1, "loose");
	E(&s, CHAN_SEND, 3, CH2 + 0x100, LS_CHAN_BUFFERED, 1, 0, 0, 1);
	ls_synth_load(&s, 3, V + 16, 1, "loose");
	d = detect(&s, 0);
	ASSERT_NOT_NULL(d);
	ASSERT_EQ(1, count(d, LS_FIND_RACE));
	EXPECT_STREQ("loose", first(d, LS_FIND_RACE)->u.race.var.name);
	ls_detect_free(d);
	ls_synth_free(&s);
}

/* Two Done calls; the one that does not reach zero is reported late. */
TEST(no_race_through_waitgroup_with_late_done)
{
	struct ls_synth s;
	struct ls_detect *d;

	start(&s, 3);
	E(&s, WG_ADD, 1, WG, 2, 2, 0, 0, 0);
	E(&s, WG_WAIT, 1, WG, 2, 1, 0, 0, 0);
	ls_synth_park(&s, 1, WG, LS_WAIT_WG_WAIT);
	ls_synth_store(&s, 2, V, 1, "a");
	ls_synth_store(&s, 3, V + 8, 2, "b");
	/* worker-2's add made 2 -> 1 first, but worker-3's event comes first */
	E(&s, WG_ADD, 3, WG, (uint64_t)-1, 0, 1, 0, 0);
	E(&s, WG_RELEASE, 3, WG, 1, 0, 0, 0, 0);
	ls_synth_ready(&s, 3, 1, WG);
	ls_synth_wake(&s, 1, WG, LS_WAIT_WG_WAIT);
	ls_synth_load(&s, 1, V, 1, "a");
	ls_synth_load(&s, 1, V + 8, 2, "b");
	E(&s, WG_ADD, 2, WG, (uint64_t)-1, 1, 1, 0, 0);

	d = detect(&s, 0);
	ASSERT_NOT_NULL(d);
	log_report(d);
	EXPECT_EQ(0, count(d, LS_FIND_RACE));
	ls_detect_free(d);

	/* taken strictly in stream order, "a" would look racy */
	d = detect_opts(&s, 0, &(struct ls_detect_opts){ .no_reorder = true });
	ASSERT_NOT_NULL(d);
	ASSERT_EQ(1, count(d, LS_FIND_RACE));
	EXPECT_STREQ("a", first(d, LS_FIND_RACE)->u.race.var.name);
	ls_detect_free(d);
	ls_synth_free(&s);
}

static double now_s(void);

/*
 * A WaitGroup waiter held back a long while (worker-1's Done is late) while
 * everybody, the waiter included, keeps using the same channel: the held
 * events must not make every later event slow.
 */
static void long_hold(struct ls_synth *s, int rounds)
{
	start(s, 4);
	E(s, CHAN_MAKE, 1, CH, 8, 4096, 0, 0, 0);
	E(s, WG_ADD, 1, WG, 2, 2, 0, 0, 0);
	E(s, WG_WAIT, 1, WG, 2, 1, 0, 0, 0);
	ls_synth_park(s, 1, WG, LS_WAIT_WG_WAIT);
	ls_synth_store(s, 2, V, 1, "a");
	E(s, WG_ADD, 3, WG, (uint64_t)-1, 0, 1, 0, 0);
	E(s, WG_RELEASE, 3, WG, 1, 0, 0, 0, 0);
	ls_synth_ready(s, 3, 1, WG);
	ls_synth_wake(s, 1, WG, LS_WAIT_WG_WAIT);
	ls_synth_load(s, 1, V, 1, "a");
	for (int i = 0; i < rounds; i++) {
		uint64_t g = 1 + (uint64_t)(i % 3) * (i % 3 == 2 ? 1 : 2);

		E(s, CHAN_SEND, g, CH, LS_CHAN_BUFFERED, 1, 1, 0, (uint64_t)i);
		E(s, CHAN_RECV, g == 1 ? 3 : 1, CH, LS_CHAN_BUFFERED, 0, 1, 1, (uint64_t)i);
	}
	E(s, WG_ADD, 2, WG, (uint64_t)-1, 1, 1, 0, 0);
}

TEST(reorder_long_hold_stays_fast)
{
	struct ls_synth s;
	struct ls_detect *d;
	double t0, dt;

	long_hold(&s, 25000);		/* 50000 events held back */
	t0 = now_s();
	d = detect(&s, 0);
	dt = now_s() - t0;
	ASSERT_NOT_NULL(d);
	TH_LOG("%zu events, most held back, in %.3f s", s.n, dt);
	EXPECT_EQ(0, count(d, LS_FIND_RACE));
	EXPECT_GT(0.5, dt);	/* 0.02 s on the lab machine */
	ls_detect_free(d);
	ls_synth_free(&s);

	/* longer than the window: forced through (no hang, maybe a false race) */
	long_hold(&s, 100000);
	t0 = now_s();
	d = detect(&s, 0);
	dt = now_s() - t0;
	ASSERT_NOT_NULL(d);
	TH_LOG("%zu events, window exceeded, in %.3f s", s.n, dt);
	EXPECT_GT(1.5, dt);
	ls_detect_free(d);
	ls_synth_free(&s);
}

/* Publishing through an atomic flag, the reader's event first. */
TEST(no_race_through_atomics_reordered)
{
	struct ls_synth s;
	struct ls_detect *d;

	start(&s, 3);
	E(&s, ATOMIC_OP, 1, FLAG, LS_ATOMIC_STORE, 0, 0, 0, 0);
	ls_synth_store(&s, 2, V, 42, "data");
	E(&s, ATOMIC_OP, 3, FLAG, LS_ATOMIC_LOAD, 1, 1, 0, 0);
	ls_synth_load(&s, 3, V, 42, "data");
	E(&s, ATOMIC_OP, 2, FLAG, LS_ATOMIC_STORE, 0, 1, 0, 0);
	d = detect(&s, 0);
	ASSERT_NOT_NULL(d);
	log_report(d);
	EXPECT_EQ(0, count(d, LS_FIND_RACE));
	ls_detect_free(d);

	d = detect_opts(&s, 0, &(struct ls_detect_opts){ .no_reorder = true });
	ASSERT_NOT_NULL(d);
	EXPECT_EQ(1, count(d, LS_FIND_RACE));
	ls_detect_free(d);
	ls_synth_free(&s);
}

/* ---- verdicts, JSON, report ---- */

TEST(verdict_names_and_precedence)
{
	static const enum ls_verdict order[] = {
		LS_VERDICT_OK, LS_VERDICT_POTENTIAL_DEADLOCK, LS_VERDICT_LEAK,
		LS_VERDICT_TIMEOUT, LS_VERDICT_RACE, LS_VERDICT_DEADLOCK, LS_VERDICT_PANIC,
	};
	struct ls_synth s;
	struct ls_detect *d;

	EXPECT_STREQ("ok", ls_verdict_name(LS_VERDICT_OK));
	EXPECT_STREQ("potential-deadlock", ls_verdict_name(LS_VERDICT_POTENTIAL_DEADLOCK));
	EXPECT_EQ(0, ls_verdict_exit(LS_VERDICT_OK));
	EXPECT_EQ(10, ls_verdict_exit(LS_VERDICT_DEADLOCK));
	EXPECT_EQ(11, ls_verdict_exit(LS_VERDICT_LEAK));
	EXPECT_EQ(12, ls_verdict_exit(LS_VERDICT_POTENTIAL_DEADLOCK));
	EXPECT_EQ(13, ls_verdict_exit(LS_VERDICT_RACE));
	EXPECT_EQ(14, ls_verdict_exit(LS_VERDICT_PANIC));
	EXPECT_EQ(15, ls_verdict_exit(LS_VERDICT_TIMEOUT));
	EXPECT_EQ(LS_VERDICT_TIMEOUT, ls_verdict_by_name("timeout"));
	EXPECT_EQ(-1, ls_verdict_by_name("fine"));
	for (size_t i = 1; i < sizeof(order) / sizeof(order[0]); i++)
		EXPECT_LT(ls_verdict_rank(order[i - 1]), ls_verdict_rank(order[i]));

	/* a race, a lock-order cycle, then a panic: panic wins */
	start(&s, 3);
	rmw(&s, 2, 0);
	rmw(&s, 3, 0);
	ls_synth_lock(&s, 2, A);
	ls_synth_lock(&s, 2, B);
	ls_synth_unlock(&s, 2, B);
	ls_synth_unlock(&s, 2, A);
	ls_synth_lock(&s, 3, B);
	ls_synth_lock(&s, 3, A);
	d = detect(&s, LS_DETECT_TIMED_OUT);
	ASSERT_NOT_NULL(d);
	EXPECT_EQ(LS_VERDICT_RACE, ls_detect_verdict(d));	/* race > timeout */
	ls_detect_free(d);
	ls_synth_set_str(E(&s, PANIC, 3, 0, 1, 0, 0, 0, 0), "send on closed channel");
	d = detect(&s, 0);
	ASSERT_NOT_NULL(d);
	log_report(d);
	EXPECT_EQ(1, count(d, LS_FIND_RACE));
	EXPECT_EQ(1, count(d, LS_FIND_LOCK_ORDER));
	ASSERT_EQ(1, count(d, LS_FIND_PANIC));
	EXPECT_STREQ("send on closed channel", first(d, LS_FIND_PANIC)->u.panic.msg);
	EXPECT_TRUE(first(d, LS_FIND_PANIC)->u.panic.is_panic);
	EXPECT_EQ(LS_VERDICT_PANIC, ls_detect_verdict(d));
	EXPECT_EQ(14, ls_verdict_exit(ls_detect_verdict(d)));
	ls_detect_free(d);
	ls_synth_free(&s);
}

/* ---- a minimal JSON syntax check ---- */

struct jp {
	const char	*p;
	bool		ok;
};

static void jws(struct jp *j)
{
	while (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r')
		j->p++;
}

static void jvalue(struct jp *j);

static void jstring(struct jp *j)
{
	if (*j->p != '"') {
		j->ok = false;
		return;
	}
	for (j->p++; *j->p && *j->p != '"'; j->p++) {
		if ((unsigned char)*j->p < 0x20)
			j->ok = false;
		if (*j->p == '\\' && !*++j->p)
			break;
	}
	if (*j->p != '"')
		j->ok = false;
	else
		j->p++;
}

static void jcontainer(struct jp *j, char close, bool object)
{
	j->p++;
	jws(j);
	if (*j->p == close) {
		j->p++;
		return;
	}
	while (j->ok) {
		jws(j);
		if (object) {
			jstring(j);
			jws(j);
			if (*j->p++ != ':')
				j->ok = false;
		}
		jvalue(j);
		jws(j);
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p++ != close)
			j->ok = false;
		return;
	}
}

static void jvalue(struct jp *j)
{
	jws(j);
	if (*j->p == '{')
		jcontainer(j, '}', true);
	else if (*j->p == '[')
		jcontainer(j, ']', false);
	else if (*j->p == '"')
		jstring(j);
	else if (!strncmp(j->p, "true", 4) || !strncmp(j->p, "null", 4))
		j->p += 4;
	else if (!strncmp(j->p, "false", 5))
		j->p += 5;
	else if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9'))
		j->p += strspn(j->p, "-+0123456789.eE");
	else
		j->ok = false;
}

static bool json_valid(const char *s)
{
	struct jp j = { s, true };

	jvalue(&j);
	jws(&j);
	return j.ok && !*j.p;
}

TEST(json_shape)
{
	struct ls_synth s;
	struct ls_detect *d;
	char *json, small[24];
	int n;

	/* every kind of finding in one object */
	start(&s, 4);
	ls_synth_set_str(E(&s, GO_NAME, 4, 4, 0, 0, 0, 0, 0), "odd \"name\"\\");
	rmw(&s, 2, 0);
	rmw(&s, 3, 0);
	ls_synth_lock(&s, 2, A);
	ls_synth_lock(&s, 2, B);
	ls_synth_unlock(&s, 2, B);
	ls_synth_unlock(&s, 2, A);
	ls_synth_lock(&s, 3, B);
	ls_synth_lock(&s, 3, A);
	ls_synth_unlock(&s, 3, A);
	ls_synth_unlock(&s, 3, B);
	ls_synth_lock(&s, 2, CC);
	mutex_wait(&s, 2, CC, 1);
	E(&s, CHAN_PARK, 4, CH, 0, 0, 1, 0, 9);
	ls_synth_park(&s, 4, CH, LS_WAIT_CHAN_SEND);
	E(&s, MAIN_EXIT, 1, 0, 0, 4, 2, 0, 0);
	d = detect(&s, 0);
	ASSERT_NOT_NULL(d);
	log_report(d);
	EXPECT_EQ(1, count(d, LS_FIND_CYCLE));
	EXPECT_EQ(1, count(d, LS_FIND_LEAK));
	EXPECT_EQ(1, count(d, LS_FIND_LOCK_ORDER));
	EXPECT_EQ(1, count(d, LS_FIND_RACE));
	EXPECT_EQ(LS_VERDICT_DEADLOCK, ls_detect_verdict(d));

	n = ls_detect_json_buf(d, NULL, 0);
	ASSERT_LT(100, n);
	json = malloc((size_t)n + 1);
	ASSERT_NOT_NULL(json);
	ASSERT_EQ(n, ls_detect_json_buf(d, json, (size_t)n + 1));
	TH_LOG("%s", json);
	EXPECT_TRUE(json_valid(json));
	EXPECT_EQ(0, strncmp(json, "{\"verdict\": \"deadlock\", \"exit\": 10, ", 36));
	EXPECT_CONTAINS(json, "\"findings\": [{\"kind\": ");
	EXPECT_CONTAINS(json, "\"kind\": \"race\", \"rule\": \"unordered-accesses\"");
	EXPECT_CONTAINS(json, "\"kind\": \"potential-deadlock\", \"rule\": \"lock-order-cycle\"");
	EXPECT_CONTAINS(json, "\"kind\": \"deadlock\", \"rule\": \"wait-for-cycle\"");
	EXPECT_CONTAINS(json, "\"kind\": \"leak\", \"rule\": \"parked-at-exit\"");
	EXPECT_CONTAINS(json, "\"name\": \"odd \\\"name\\\"\\\\\"");
	EXPECT_CONTAINS(json, "\"waits\": \"sync.Mutex.Lock\"");
	EXPECT_CONTAINS(json, "\"role\": \"holder\"");
	free(json);

	/* snprintf rules: cut, terminated, full length returned */
	EXPECT_EQ(n, ls_detect_json_buf(d, small, sizeof(small)));
	EXPECT_EQ(sizeof(small) - 1, strlen(small));
	ls_detect_free(d);
	ls_synth_free(&s);

	/* a clean run */
	start(&s, 2);
	ls_synth_exit(&s, 2);
	E(&s, MAIN_EXIT, 1, 0, 0, 1, 0, 0, 0);
	d = detect(&s, 0);
	ASSERT_NOT_NULL(d);
	json = malloc(512);
	ASSERT_NOT_NULL(json);
	ls_detect_json_buf(d, json, 512);
	EXPECT_TRUE(json_valid(json));
	EXPECT_STREQ("{\"verdict\": \"ok\", \"exit\": 0, \"events\": 6, \"lost\": 0, "
		     "\"timed_out\": false, \"findings\": [], \"dropped\": 0}\n", json);
	free(json);
	ls_detect_free(d);
	ls_synth_free(&s);
}

TEST(report_words)
{
	struct ls_synth s;
	struct ls_detect *d;
	char buf[2048], line[200];

	start(&s, 3);
	ls_synth_obj(&s, 1, A, LS_OBJ_MUTEX, "a");
	ls_synth_obj(&s, 1, B, LS_OBJ_MUTEX, "b");
	ls_synth_lock(&s, 2, A);
	ls_synth_lock(&s, 3, B);
	mutex_wait(&s, 2, B, 1);
	mutex_wait(&s, 3, A, 1);
	ls_synth_park(&s, 1, WG, LS_WAIT_WG_WAIT);
	all_asleep_fatal(&s, 1);
	d = detect(&s, 0);
	ASSERT_NOT_NULL(d);
	ls_detect_report_buf(d, buf, sizeof(buf));
	TH_LOG("%s", buf);
	EXPECT_CONTAINS(buf, "verdict: deadlock (exit 10)\n");
	EXPECT_CONTAINS(buf, "deadlock: 2 goroutines wait for each other in a cycle:\n");
	EXPECT_CONTAINS(buf, "  worker-1 [sync.Mutex.Lock] on mutex \"b\", held by worker-2");
	EXPECT_CONTAINS(buf, "  worker-2 [sync.Mutex.Lock] on mutex \"a\", held by worker-1");
	EXPECT_CONTAINS(buf, "deadlock: all goroutines are asleep (3):\n");
	ls_finding_line(first(d, LS_FIND_CYCLE), line, sizeof(line));
	EXPECT_STREQ("deadlock: worker-1 -> mutex \"b\" -> worker-2 -> mutex \"a\" -> worker-1",
		     line);
	ls_detect_free(d);
	ls_synth_free(&s);
}

/* ---- speed ---- */

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A plausible workload: 8 goroutines, locks, channel traffic, accesses. */
TEST_TIMEOUT(throughput, 120)
{
	struct ls_synth s;
	struct ls_detect *d;
	double t0, dt;
	size_t n;

	ls_synth_init(&s);
	ls_synth_go(&s, 0, 1, "main");
	for (uint64_t g = 2; g <= 8; g++)
		ls_synth_go(&s, 1, g, "worker");
	E(&s, CHAN_MAKE, 1, CH, 8, 64, 0, 0, 0);
	for (uint64_t i = 0, q = 0; s.n < 1000000; i++) {
		uint64_t g = 1 + i % 8, m = M + 0x40 * (i % 4);

		ls_synth_lock(&s, g, m);
		ls_synth_load(&s, g, V + 8 * (i % 4), (int64_t)i, "x");
		ls_synth_store(&s, g, V + 8 * (i % 4), (int64_t)i + 1, "x");
		ls_synth_unlock(&s, g, m);
		if (q < 64 && i % 2 == 0) {
			q++;
			E(&s, CHAN_SEND, g, CH, LS_CHAN_BUFFERED, q, (i / 2 + 1) % 64, 0, i);
		} else if (q) {
			q--;
			E(&s, CHAN_RECV, g, CH, LS_CHAN_BUFFERED, q, 0, 0, i);
		}
	}
	n = s.n;
	d = ls_detect_new(NULL);
	ASSERT_NOT_NULL(d);
	t0 = now_s();
	for (size_t i = 0; i < n; i++)
		ASSERT_EQ(0, ls_detect_feed(d, &s.ev[i]));
	ASSERT_EQ(0, ls_detect_finish(d, 0));
	dt = now_s() - t0;
	TH_LOG("%zu events in %.3f s: %.0f events/s", n, dt, (double)n / dt);
	EXPECT_EQ(0, count(d, LS_FIND_RACE));
	/* the bar is 500k/s on the lab machines; leave room for a busy CI box */
	EXPECT_LT(250000.0, (double)n / dt);
	ls_detect_free(d);
	ls_synth_free(&s);
}

TEST_HARNESS_MAIN
