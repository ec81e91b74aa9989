// SPDX-License-Identifier: MIT
/*
 * viz_model.c - the pure model (viz/model.h) on hand-built event streams.
 *
 * Each scenario replays the records the primitives emit for that step, in
 * their order (viz/model_synth.h and the comments below name the source),
 * and checks the state after event k: mutex bits and the waiter queue with
 * its LIFO re-queue, the RWMutex readerCount going negative and its
 * explanation, channel slots with sendx and recvx.  Then seeking: the state
 * reached by ls_model_seek(k), in any order, equals replaying 0..k-1 from
 * scratch, for every k of a few hundred events.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "viz/model.h"
#include "viz/model_synth.h"

#define M	0x1000
#define RW	0x2000
#define RWW	0x2010		/* the RWMutex's writer mutex */
#define C	0x3000
#define WG	0x4000
#define V	0x5000
#define CV	0x6000
#define ONCE	0x7000
#define ONCEM	0x7004

#define MAX_READERS	(1 << 30)

#define E(s, id, g, obj, a0, a1, a2, a3, a4) \
	ls_synth_add((s), LS_EV_##id, (g), (obj), (a0), (a1), (a2), (a3), (a4))

static struct ls_model *model_of(const struct ls_synth *s, size_t upto)
{
	struct ls_model *m = ls_model_new(NULL);

	for (size_t i = 0; m && i < upto && i < s->n; i++)
		ls_model_push(m, &s->ev[i]);
	return m;
}

static const struct ls_mobject *obj(const struct ls_model *m, uint64_t addr, unsigned kind)
{
	return ls_mstate_object(ls_model_state(m), addr, kind);
}

static const struct ls_mgoroutine *gor(const struct ls_model *m, uint64_t goid)
{
	return ls_mstate_goroutine(ls_model_state(m), goid);
}

static void five_goroutines(struct ls_synth *s)
{
	ls_synth_go(s, 0, 1, "main");
	ls_synth_go(s, 1, 2, "worker-1");
	ls_synth_go(s, 1, 3, "worker-2");
	ls_synth_go(s, 1, 4, "worker-3");
	ls_synth_go(s, 1, 5, "late");
}

/* ---- goroutines ---- */

TEST(goroutine_life)
{
	struct ls_synth s;
	struct ls_model *m;
	const struct ls_mgoroutine *g;
	size_t k_created, k_parked, k_ready;

	ls_synth_init(&s);
	ls_synth_go(&s, 0, 1, "main");
	ls_synth_set_str(E(&s, GO_CREATE, 1, 2, 1, 0, 0, 0, 0), "worker");
	k_created = s.n;
	E(&s, GO_START, 2, 2, 0, 0, 0, 0, 0);
	ls_synth_obj(&s, 2, M, LS_OBJ_MUTEX, "m");
	ls_synth_park(&s, 2, M, LS_WAIT_MUTEX_LOCK);
	k_parked = s.n;
	ls_synth_ready(&s, 1, 2, M);
	k_ready = s.n;
	ls_synth_wake(&s, 2, M, LS_WAIT_MUTEX_LOCK);
	E(&s, SCHED_OFF, 0, 0, 1, 0, 0, 0, 0)->tid = 1002;
	E(&s, FUTEX_WAIT, 0, 0x999, 2, 0, 0, 0, 0)->tid = 1002;
	ls_synth_exit(&s, 2);

	m = model_of(&s, k_created);
	g = gor(m, 2);
	ASSERT_NOT_NULL(g);
	EXPECT_EQ(LS_GS_RUNNABLE, g->state);
	EXPECT_EQ(1, g->parent);
	EXPECT_STREQ("worker", g->name);
	EXPECT_EQ(2, ls_model_state(m)->live);
	ls_model_free(m);

	m = model_of(&s, k_parked);
	g = gor(m, 2);
	EXPECT_EQ(LS_GS_PARKED, g->state);
	EXPECT_EQ(LS_WAIT_MUTEX_LOCK, g->reason);
	EXPECT_EQ(1002, g->tid);
	ASSERT_NE(LS_NOIDX, g->waitobj);
	EXPECT_EQ(M, ls_model_state(m)->o[g->waitobj].addr);
	EXPECT_EQ(1, ls_model_state(m)->parked);
	ls_model_free(m);

	m = model_of(&s, k_ready);
	g = gor(m, 2);
	EXPECT_EQ(LS_GS_RUNNABLE, g->state);
	EXPECT_EQ(1, g->readied_by);
	EXPECT_EQ(0, ls_model_state(m)->parked);
	ls_model_free(m);

	m = model_of(&s, s.n - 1);
	g = gor(m, 2);
	EXPECT_EQ(LS_GS_RUNNING, g->state);
	EXPECT_FALSE(g->oncpu);
	EXPECT_TRUE(g->in_futex);
	EXPECT_EQ(0x999, g->futex_addr);
	ls_model_free(m);

	m = model_of(&s, s.n);
	EXPECT_EQ(LS_GS_EXITED, gor(m, 2)->state);
	EXPECT_EQ(1, ls_model_state(m)->live);
	ls_model_free(m);
	ls_synth_free(&s);
}

/* ---- sync.Mutex ---- */

/*
 * worker-1 holds m; worker-2 and worker-3 queue; Unlock wakes worker-2,
 * but "late" barges in; worker-2 re-queues at the head (LIFO).
 * The records are mutex.c's lock_slow / unlock_slow, step by step.
 */
static void mutex_requeue(struct ls_synth *s, size_t *k_queued, size_t *k_woken)
{
	five_goroutines(s);
	ls_synth_obj(s, 2, M, LS_OBJ_MUTEX, "m");
	ls_synth_lock(s, 2, M);					/* state 1 */
	E(s, MUTEX_STATE, 3, M, 1, 9, LS_MUTEX_OP_LOCK_SLOW, 0, 0);
	E(s, MUTEX_PARK, 3, M, 0, 9, 0, 0, 0);
	ls_synth_park(s, 3, M, LS_WAIT_MUTEX_LOCK);
	E(s, MUTEX_STATE, 4, M, 9, 17, LS_MUTEX_OP_LOCK_SLOW, 0, 0);
	E(s, MUTEX_PARK, 4, M, 0, 17, 0, 0, 0);
	ls_synth_park(s, 4, M, LS_WAIT_MUTEX_LOCK);
	*k_queued = s->n;
	/* worker-1 unlocks: 17 -> 16, unlockSlow: waiters-1 | woken = 10 */
	E(s, MUTEX_STATE, 2, M, 17, 16, LS_MUTEX_OP_UNLOCK, 0, 0);
	E(s, MUTEX_UNLOCK, 2, M, 16, 0, 0, 0, 0);
	E(s, MUTEX_STATE, 2, M, 16, 10, LS_MUTEX_OP_UNLOCK_WAKE, 0, 0);
	ls_synth_ready(s, 2, 3, M);
	*k_woken = s->n;
	/* late barges: 10 -> 11 */
	E(s, MUTEX_STATE, 5, M, 10, 11, LS_MUTEX_OP_LOCK_SLOW, 0, 0);
	E(s, MUTEX_ACQUIRE, 5, M, 11, 0, LS_ACQ_SLOW, 0, 0);
	/* worker-2 wakes, finds it locked: (11 + 8) &^ woken = 17, LIFO */
	ls_synth_wake(s, 3, M, LS_WAIT_MUTEX_LOCK);
	E(s, MUTEX_WAKE, 3, M, 11, 1400000, 0, 0, 0);
	E(s, MUTEX_STATE, 3, M, 11, 17, LS_MUTEX_OP_LOCK_SLOW, 0, 0);
	E(s, MUTEX_PARK, 3, M, 1, 17, 1400000, 0, 0);
	ls_synth_park(s, 3, M, LS_WAIT_MUTEX_LOCK);
}

TEST(mutex_queue_and_lifo_requeue)
{
	struct ls_synth s;
	struct ls_model *m;
	const struct ls_mobject *o;
	size_t k_queued, k_woken;
	char buf[160];

	ls_synth_init(&s);
	mutex_requeue(&s, &k_queued, &k_woken);

	m = model_of(&s, k_queued);
	o = obj(m, M, LS_OBJ_MUTEX);
	ASSERT_NOT_NULL(o);
	EXPECT_STREQ("m", o->name);
	EXPECT_EQ(17, o->u.mu.state);
	EXPECT_EQ(2, o->u.mu.holder);
	ASSERT_EQ(2, o->wq[0].n);
	EXPECT_EQ(3, o->wq[0].w[0].goid);
	EXPECT_EQ(4, o->wq[0].w[1].goid);
	ls_mutex_state_str(o->u.mu.state, buf, sizeof(buf));
	EXPECT_STREQ("locked, 2 waiters", buf);
	ls_model_free(m);

	m = model_of(&s, k_woken);
	o = obj(m, M, LS_OBJ_MUTEX);
	EXPECT_EQ(10, o->u.mu.state);
	EXPECT_EQ(0, o->u.mu.holder);
	EXPECT_EQ(3, o->u.mu.woken);
	ASSERT_EQ(1, o->wq[0].n);
	EXPECT_EQ(4, o->wq[0].w[0].goid);
	ls_mutex_state_str(o->u.mu.state, buf, sizeof(buf));
	EXPECT_STREQ("unlocked, woken, 1 waiter", buf);
	EXPECT_EQ(LS_GS_RUNNABLE, gor(m, 3)->state);
	ls_model_free(m);

	m = model_of(&s, s.n);
	o = obj(m, M, LS_OBJ_MUTEX);
	EXPECT_EQ(17, o->u.mu.state);
	EXPECT_EQ(5, o->u.mu.holder);
	EXPECT_EQ(3, o->u.mu.requeued);
	ASSERT_EQ(2, o->wq[0].n);
	EXPECT_EQ(3, o->wq[0].w[0].goid);	/* back at the head */
	EXPECT_TRUE(o->wq[0].w[0].flags & LS_MW_LIFO);
	EXPECT_EQ(4, o->wq[0].w[1].goid);
	EXPECT_FALSE(o->u.mu.starving);
	ls_model_explain(m, &s.ev[s.n - 2], buf, sizeof(buf));
	EXPECT_STREQ("worker-2 parks on mutex \"m\" at the head of the queue "
		     "(LIFO: it already waited 1.4 ms)", buf);
	ls_model_explain(m, &s.ev[k_queued - 2], buf, sizeof(buf));
	EXPECT_STREQ("worker-3 parks on mutex \"m\" at the tail of the queue (2 waiters)", buf);
	ls_model_free(m);
	ls_synth_free(&s);
}

TEST(mutex_starvation_and_handoff)
{
	struct ls_synth s;
	struct ls_model *m;
	const struct ls_mobject *o;
	size_t k_starving;
	size_t dummy1, dummy2;
	uint64_t t_starve;

	ls_synth_init(&s);
	mutex_requeue(&s, &dummy1, &dummy2);		/* late holds, 3 and 4 queued */
	/* late unlocks and wakes worker-2 (17 -> 16 -> 10) */
	E(&s, MUTEX_STATE, 5, M, 17, 16, LS_MUTEX_OP_UNLOCK, 0, 0);
	E(&s, MUTEX_UNLOCK, 5, M, 16, 0, 0, 0, 0);
	E(&s, MUTEX_STATE, 5, M, 16, 10, LS_MUTEX_OP_UNLOCK_WAKE, 0, 0);
	ls_synth_ready(&s, 5, 3, M);
	/* main barges (10 -> 11); worker-2, starving, sets STARVING: 11+8|4 &^2 = 21 */
	E(&s, MUTEX_STATE, 1, M, 10, 11, LS_MUTEX_OP_LOCK_SLOW, 0, 0);
	E(&s, MUTEX_ACQUIRE, 1, M, 11, 0, LS_ACQ_SLOW, 0, 0);
	ls_synth_wake(&s, 3, M, LS_WAIT_MUTEX_LOCK);
	E(&s, MUTEX_WAKE, 3, M, 11, 2100000, 1, 0, 0);
	t_starve = s.ts;
	E(&s, MUTEX_STATE, 3, M, 11, 21, LS_MUTEX_OP_LOCK_SLOW, 0, 0);
	E(&s, MUTEX_STARVE, 3, M, 11, 21, 2100000, 0, 0);
	E(&s, MUTEX_PARK, 3, M, 1, 21, 2100000, 0, 0);
	ls_synth_park(&s, 3, M, LS_WAIT_MUTEX_LOCK);
	k_starving = s.n;
	/* main unlocks in starvation mode: 21 -> 20, handoff to the head */
	E(&s, MUTEX_STATE, 1, M, 21, 20, LS_MUTEX_OP_UNLOCK, 0, 0);
	E(&s, MUTEX_UNLOCK, 1, M, 20, 0, 0, 0, 0);
	E(&s, MUTEX_HANDOFF, 1, M, 20, 0, 0, 0, 0);
	E(&s, GO_READY, 1, M, 3, 1, 0, 0, 0);
	ls_synth_wake(&s, 3, M, LS_WAIT_MUTEX_LOCK);
	E(&s, MUTEX_WAKE, 3, M, 20, 2500000, 1, 0, 0);
	/* take_handoff: delta = locked - 1 waiter; 2 waiters, starving: stays */
	E(&s, MUTEX_STATE, 3, M, 20, 13, LS_MUTEX_OP_HANDOFF_TAKE, 0, 0);
	E(&s, MUTEX_ACQUIRE, 3, M, 13, 2500000, LS_ACQ_HANDOFF, 0, 0);

	m = model_of(&s, k_starving);
	o = obj(m, M, LS_OBJ_MUTEX);
	EXPECT_TRUE(o->u.mu.starving);
	EXPECT_EQ(t_starve, o->u.mu.mode_since);
	EXPECT_EQ(21, o->u.mu.state);
	EXPECT_EQ(1, o->u.mu.holder);
	ASSERT_EQ(2, o->wq[0].n);
	EXPECT_EQ(3, o->wq[0].w[0].goid);
	ls_model_free(m);

	m = model_of(&s, s.n);
	o = obj(m, M, LS_OBJ_MUTEX);
	EXPECT_EQ(13, o->u.mu.state);		/* locked | starving | 1 waiter */
	EXPECT_EQ(3, o->u.mu.holder);
	EXPECT_EQ(LS_ACQ_HANDOFF, o->u.mu.holder_how);
	EXPECT_EQ(3, o->u.mu.handoff_to);
	EXPECT_TRUE(o->u.mu.starving);
	ASSERT_EQ(1, o->wq[0].n);
	EXPECT_EQ(4, o->wq[0].w[0].goid);
	EXPECT_EQ(1, o->u.mu.handoffs);
	ls_model_free(m);
	ls_synth_free(&s);
}

/* An unlock event that arrives after the next acquire must not free it. */
TEST(mutex_late_unlock)
{
	struct ls_synth s;
	struct ls_model *m;
	const struct ls_mobject *o;

	ls_synth_init(&s);
	five_goroutines(&s);
	ls_synth_lock(&s, 2, M);
	/* 2's unlock happened (state 0), 3 locks and reports before 2 does */
	ls_synth_lock(&s, 3, M);
	ls_synth_unlock(&s, 2, M);
	m = model_of(&s, s.n);
	o = obj(m, M, LS_OBJ_MUTEX);
	EXPECT_EQ(3, o->u.mu.holder);
	EXPECT_EQ(1, o->u.mu.state);
	EXPECT_EQ(0, o->u.mu.owed_unlocks);
	ls_model_free(m);
	ls_synth_free(&s);
}

/* ---- sync.RWMutex ---- */

TEST(rwmutex_negative_reader_count)
{
	struct ls_synth s;
	struct ls_model *m;
	const struct ls_mobject *o;
	size_t k_pending, k_parked, k_writer, k_end;
	char buf[160];

	ls_synth_init(&s);
	five_goroutines(&s);
	ls_synth_obj(&s, 2, RW, LS_OBJ_RWMUTEX, "rw");
	/* rwmutex.c: RLock = readerCount+1 then RW_RLOCK, RW_RACQUIRE */
	E(&s, RW_RLOCK, 2, RW, 1, 0, 0, 0, 0);
	E(&s, RW_RACQUIRE, 2, RW, 1, 0, 0, 0, 0);
	E(&s, RW_RLOCK, 3, RW, 2, 0, 0, 0, 0);
	E(&s, RW_RACQUIRE, 3, RW, 2, 0, 0, 0, 0);
	/* Lock: w first (its own mutex events), then readerCount -= 2^30 */
	ls_synth_obj(&s, 4, RWW, LS_OBJ_MUTEX, "rw");
	ls_synth_lock(&s, 4, RWW);
	E(&s, RW_WLOCK, 4, RW, (uint64_t)(int64_t)(2 - MAX_READERS), 2, 2, 0, 0);
	ls_synth_park(&s, 4, RW, LS_WAIT_RW_LOCK);
	k_pending = s.n;
	E(&s, RW_RLOCK, 5, RW, (uint64_t)(int64_t)(3 - MAX_READERS), 1, 0, 0, 0);
	ls_synth_park(&s, 5, RW, LS_WAIT_RW_RLOCK);
	k_parked = s.n;
	/* the readers leave; the last one wakes the writer */
	E(&s, RW_RUNLOCK, 2, RW, (uint64_t)(int64_t)(2 - MAX_READERS), 1, 0, 0, 0);
	E(&s, RW_RUNLOCK, 3, RW, (uint64_t)(int64_t)(1 - MAX_READERS), 0, 1, 0, 0);
	ls_synth_ready(&s, 3, 4, RW);
	ls_synth_wake(&s, 4, RW, LS_WAIT_RW_LOCK);
	E(&s, RW_WACQUIRE, 4, RW, (uint64_t)(int64_t)(1 - MAX_READERS), 5000, 0, 0, 0);
	k_writer = s.n;
	/* Unlock: readerCount += 2^30 = 1, wake that reader, unlock w */
	E(&s, RW_UNLOCK, 4, RW, 1, 1, 0, 0, 0);
	ls_synth_ready(&s, 4, 5, RW);
	ls_synth_unlock(&s, 4, RWW);
	ls_synth_wake(&s, 5, RW, LS_WAIT_RW_RLOCK);
	E(&s, RW_RACQUIRE, 5, RW, 1, 7000, 0, 0, 0);
	k_end = s.n;

	m = model_of(&s, k_pending);
	o = obj(m, RW, LS_OBJ_RWMUTEX);
	ASSERT_NOT_NULL(o);
	EXPECT_EQ(2 - MAX_READERS, o->u.rw.reader_count);
	EXPECT_EQ(-1073741822, o->u.rw.reader_count);
	EXPECT_EQ(2, o->u.rw.reader_wait);
	EXPECT_EQ(4, o->u.rw.writer);
	EXPECT_FALSE(o->u.rw.writer_active);
	EXPECT_EQ(2, o->hold.n);
	ls_rw_explain(o, buf, sizeof(buf));
	EXPECT_STREQ("2 readers active, writer pending: -2^30 + 2", buf);
	/* the writer's mutex is recognised as the RWMutex's own */
	ASSERT_NE(LS_NOIDX, o->u.rw.wmutex);
	EXPECT_EQ(RWW, ls_model_state(m)->o[o->u.rw.wmutex].addr);
	EXPECT_EQ(RW, ls_model_state(m)->o[obj(m, RWW, LS_OBJ_MUTEX)->u.mu.parent].addr);
	ls_model_free(m);

	m = model_of(&s, k_parked);
	o = obj(m, RW, LS_OBJ_RWMUTEX);
	ls_rw_explain(o, buf, sizeof(buf));
	EXPECT_STREQ("2 readers active, 1 parked, writer pending: -2^30 + 3", buf);
	ASSERT_EQ(1, o->wq[0].n);
	EXPECT_EQ(5, o->wq[0].w[0].goid);
	ls_model_explain(m, &s.ev[k_parked - 2], buf, sizeof(buf));
	EXPECT_STREQ("late RLocks rwmutex \"rw\": readerCount -1073741821 < 0, "
		     "a writer is pending: it parks", buf);
	ls_model_free(m);

	m = model_of(&s, k_writer);
	o = obj(m, RW, LS_OBJ_RWMUTEX);
	EXPECT_TRUE(o->u.rw.writer_active);
	EXPECT_EQ(0, o->hold.n);
	EXPECT_EQ(0, o->u.rw.reader_wait);
	ls_rw_explain(o, buf, sizeof(buf));
	EXPECT_STREQ("writer holds the lock, 1 reader parked behind it: -2^30 + 1", buf);
	ls_model_free(m);

	m = model_of(&s, k_end);
	o = obj(m, RW, LS_OBJ_RWMUTEX);
	EXPECT_EQ(1, o->u.rw.reader_count);
	EXPECT_EQ(0, o->u.rw.writer);
	EXPECT_EQ(4, o->u.rw.last_writer);
	ASSERT_EQ(1, o->hold.n);
	EXPECT_EQ(5, o->hold.w[0].goid);
	EXPECT_EQ(0, o->wq[0].n);
	ls_rw_explain(o, buf, sizeof(buf));
	EXPECT_STREQ("1 reader active, no writer: 1", buf);
	ls_model_free(m);
	ls_synth_free(&s);
}

/* ---- channels ---- */

TEST(chan_slots_and_indices)
{
	struct ls_synth s;
	struct ls_model *m;
	const struct ls_mobject *o;
	size_t k_full, k_parked, k_refill;
	char buf[200];

	ls_synth_init(&s);
	five_goroutines(&s);
	ls_synth_obj(&s, 1, C, LS_OBJ_CHAN, "jobs");
	E(&s, CHAN_MAKE, 1, C, 8, 3, 0, 0, 0);
	/* chan.c: buf_put stores, moves sendx, counts, then traces (after) */
	E(&s, CHAN_SEND, 1, C, LS_CHAN_BUFFERED, 1, 1, 0, 10);
	E(&s, CHAN_SEND, 1, C, LS_CHAN_BUFFERED, 2, 2, 0, 11);
	E(&s, CHAN_RECV, 2, C, LS_CHAN_BUFFERED, 1, 2, 1, 10);
	E(&s, CHAN_SEND, 1, C, LS_CHAN_BUFFERED, 2, 0, 1, 12);
	E(&s, CHAN_SEND, 1, C, LS_CHAN_BUFFERED, 3, 1, 1, 13);
	k_full = s.n;
	/* full: the sender parks with its value */
	E(&s, CHAN_PARK, 1, C, 0, 3, 1, 0, 14);
	ls_synth_park(&s, 1, C, LS_WAIT_CHAN_SEND);
	k_parked = s.n;
	/* recv_direct on a full buffer: traced before recvx moves */
	E(&s, CHAN_RECV, 2, C, LS_CHAN_BUF_REFILL, 3, 1, 1, 11);
	E(&s, GO_READY, 2, C, 1, 1, 0, 0, 0);
	k_refill = s.n;
	ls_synth_wake(&s, 1, C, LS_WAIT_CHAN_SEND);
	E(&s, CHAN_SEND, 1, C, LS_CHAN_WOKEN, 3, 2, 2, 14);

	m = model_of(&s, k_full);
	o = obj(m, C, LS_OBJ_CHAN);
	ASSERT_NOT_NULL(o);
	ASSERT_EQ(3, o->nslots);
	EXPECT_EQ(3, o->u.ch.qcount);
	EXPECT_EQ(1, o->u.ch.sendx);
	EXPECT_EQ(1, o->u.ch.recvx);
	EXPECT_EQ(13, o->slot_val[0]);
	EXPECT_EQ(11, o->slot_val[1]);
	EXPECT_EQ(12, o->slot_val[2]);
	EXPECT_TRUE(o->slot_full[0] && o->slot_full[1] && o->slot_full[2]);
	ls_model_explain(m, &s.ev[k_full - 1], buf, sizeof(buf));
	EXPECT_STREQ("main sends 13 into channel \"jobs\", slot 0 (3/3 full, sendx 1, recvx 1)",
		     buf);
	ls_model_free(m);

	m = model_of(&s, k_parked);
	o = obj(m, C, LS_OBJ_CHAN);
	ASSERT_EQ(1, o->wq[1].n);
	EXPECT_EQ(1, o->wq[1].w[0].goid);
	EXPECT_EQ(14, o->wq[1].w[0].val);
	ls_model_free(m);

	m = model_of(&s, k_refill);
	o = obj(m, C, LS_OBJ_CHAN);
	EXPECT_EQ(0, o->wq[1].n);
	EXPECT_EQ(14, o->slot_val[1]);		/* the sender's value took the slot */
	EXPECT_EQ(2, o->u.ch.recvx);
	EXPECT_EQ(2, o->u.ch.sendx);
	EXPECT_EQ(3, o->u.ch.qcount);
	EXPECT_EQ(1, o->u.ch.last_peer);
	EXPECT_EQ(LS_GS_RUNNABLE, gor(m, 1)->state);
	ls_model_free(m);
	ls_synth_free(&s);
}

TEST(chan_unbuffered_select_and_close)
{
	struct ls_synth s;
	struct ls_model *m;
	const struct ls_mobject *c1, *c2;
	size_t k_sel, k_direct, k_closed;

	ls_synth_init(&s);
	five_goroutines(&s);
	E(&s, CHAN_MAKE, 1, C, 8, 0, 0, 0, 0);
	E(&s, CHAN_MAKE, 1, C + 0x100, 8, 0, 0, 0, 0);
	/* select.c pass 2: a sudog on every channel, then park */
	E(&s, SELECT_BEGIN, 2, 0x77, 2, 1, 2, 0, 0);
	E(&s, SELECT_ENQUEUE, 2, C, 0, 1, 0, 0, 0);
	E(&s, SELECT_ENQUEUE, 2, C + 0x100, 1, 1, 0, 0, 0);
	ls_synth_park(&s, 2, 0, LS_WAIT_SELECT);
	E(&s, CHAN_PARK, 3, C + 0x100, 1, 0, 0, 2, 0);
	ls_synth_park(&s, 3, C + 0x100, LS_WAIT_CHAN_RECV);
	k_sel = s.n;
	/* a sender on C wins worker-1's whole select */
	E(&s, CHAN_SEND, 1, C, LS_CHAN_DIRECT, 0, 0, 0, 42);
	E(&s, GO_READY, 1, C, 2, 1, 0, 0, 0);
	k_direct = s.n;
	E(&s, CHAN_CLOSE, 1, C + 0x100, 1, 0, 0, 0, 0);
	ls_synth_ready(&s, 1, 3, C + 0x100);
	k_closed = s.n;

	m = model_of(&s, k_sel);
	c1 = obj(m, C, LS_OBJ_CHAN);
	c2 = obj(m, C + 0x100, LS_OBJ_CHAN);
	EXPECT_EQ(1, c1->wq[0].n);
	ASSERT_EQ(2, c2->wq[0].n);
	EXPECT_EQ(2, c2->wq[0].w[0].goid);
	EXPECT_TRUE(c2->wq[0].w[0].flags & LS_MW_SELECT);
	EXPECT_EQ(2, gor(m, 2)->sel.n);
	ls_model_free(m);

	m = model_of(&s, k_direct);
	c1 = obj(m, C, LS_OBJ_CHAN);
	c2 = obj(m, C + 0x100, LS_OBJ_CHAN);
	EXPECT_EQ(0, c1->wq[0].n);
	ASSERT_EQ(1, c2->wq[0].n);		/* its other case is gone too */
	EXPECT_EQ(3, c2->wq[0].w[0].goid);
	EXPECT_EQ(2, c1->u.ch.last_peer);
	EXPECT_EQ(0, gor(m, 2)->sel.n);
	ls_model_free(m);

	m = model_of(&s, k_closed);
	c2 = obj(m, C + 0x100, LS_OBJ_CHAN);
	EXPECT_TRUE(c2->u.ch.closed);
	EXPECT_EQ(1, c2->u.ch.closer);
	EXPECT_EQ(0, c2->wq[0].n);
	EXPECT_EQ(LS_GS_RUNNABLE, gor(m, 3)->state);
	ls_model_free(m);
	ls_synth_free(&s);
}

/* ---- WaitGroup, Cond, Once, variables, panic ---- */

TEST(waitgroup_cond_once_vars)
{
	struct ls_synth s;
	struct ls_model *m;
	const struct ls_mobject *o;
	const struct ls_mvar *v;
	const struct ls_mstate *st;

	ls_synth_init(&s);
	five_goroutines(&s);
	E(&s, WG_ADD, 1, WG, 2, 2, 0, 0, 0);
	E(&s, WG_WAIT, 1, WG, 2, 1, 0, 0, 0);
	ls_synth_park(&s, 1, WG, LS_WAIT_WG_WAIT);
	E(&s, WG_ADD, 2, WG, (uint64_t)-1, 1, 1, 0, 0);
	E(&s, COND_WAIT, 3, CV, 0, 0, 0, 0, 0);
	E(&s, COND_WAIT, 4, CV, 1, 0, 0, 0, 0);
	E(&s, COND_SIGNAL, 5, CV, 0, 2, 1, 0, 0);
	E(&s, ONCE_BEGIN, 5, ONCE, 0, 0, 0, 0, 0);
	ls_synth_store(&s, 5, V, 7, "counter");
	ls_synth_load(&s, 4, V, 7, "counter");
	E(&s, ATOMIC_OP, 3, V, LS_ATOMIC_ADD, 7, 8, 0, 0);
	ls_synth_set_str(E(&s, PANIC, 4, 0, 1, 0, 0, 0, 0), "send on closed channel");

	m = model_of(&s, s.n);
	st = ls_model_state(m);
	o = obj(m, WG, LS_OBJ_WAITGROUP);
	EXPECT_EQ(1, o->u.wg.counter);
	ASSERT_EQ(1, o->wq[0].n);
	EXPECT_EQ(1, o->wq[0].w[0].goid);
	o = obj(m, CV, LS_OBJ_COND);
	ASSERT_EQ(1, o->wq[0].n);		/* ticket 0 was notified */
	EXPECT_EQ(4, o->wq[0].w[0].goid);
	EXPECT_EQ(1, o->u.cond.notify);
	o = obj(m, ONCE, LS_OBJ_ONCE);
	EXPECT_EQ(LS_ONCE_RUNNING, o->u.once.state);
	EXPECT_EQ(5, o->u.once.runner);
	v = ls_mstate_var(st, V);
	ASSERT_NOT_NULL(v);
	EXPECT_STREQ("counter", v->name);
	EXPECT_EQ(8, v->value);
	EXPECT_EQ(3, v->last_writer);
	EXPECT_EQ(4, v->last_reader);
	EXPECT_EQ(1, v->loads);
	EXPECT_EQ(1, v->stores);
	EXPECT_EQ(1, v->atomics);
	EXPECT_TRUE(st->panic.happened);
	EXPECT_TRUE(st->panic.is_panic);
	EXPECT_STREQ("send on closed channel", st->panic.msg);
	EXPECT_EQ(4, st->panic.goid);
	EXPECT_EQ(s.n - 1, st->panic.ev);
	ls_model_free(m);
	ls_synth_free(&s);
}

/* ---- seeking ---- */

/* A hash of everything a view may read (field by field: no padding). */
struct dig {
	uint64_t h;
};

static void dmix(struct dig *d, uint64_t x)
{
	d->h = (d->h ^ x) * 0x100000001b3ULL;
	d->h ^= d->h >> 29;
}

static void dbytes(struct dig *d, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		dmix(d, b[i]);
}

static void dqueue(struct dig *d, const struct ls_mqueue *q)
{
	dmix(d, q->n);
	for (uint32_t i = 0; i < q->n; i++) {
		dmix(d, q->w[i].goid);
		dmix(d, q->w[i].ts);
		dmix(d, q->w[i].val);
		dmix(d, q->w[i].flags);
		dmix(d, (uint64_t)(int64_t)q->w[i].aux);
	}
}

static uint64_t digest(const struct ls_mstate *st)
{
	struct dig d = { 0xcbf29ce484222325ULL };

	dmix(&d, st->nev);
	dmix(&d, st->at);
	dmix(&d, st->first_ts);
	dmix(&d, st->last_ts);
	dmix(&d, st->live);
	dmix(&d, st->parked);
	dmix(&d, st->lost);
	dmix(&d, st->unplaced);
	for (uint32_t i = 0; i < st->ng; i++) {
		const struct ls_mgoroutine *g = &st->g[i];

		dmix(&d, g->goid);
		dmix(&d, g->parent);
		dbytes(&d, g->name, sizeof(g->name));
		dmix(&d, g->tid);
		dmix(&d, g->state);
		dmix(&d, g->reason);
		dmix(&d, g->oncpu);
		dmix(&d, g->in_futex);
		dmix(&d, g->dequeued);
		dmix(&d, g->waitobj);
		dmix(&d, g->waitaddr);
		dmix(&d, g->since);
		dmix(&d, g->park_ev);
		dmix(&d, g->readied_by);
		dmix(&d, g->nevents);
		dmix(&d, g->last_obj);
		dmix(&d, g->last_id);
		dmix(&d, g->sel.n);
		for (uint32_t k = 0; k < g->sel.n; k++)
			dmix(&d, g->sel.v[k]);
	}
	for (uint32_t i = 0; i < st->no; i++) {
		const struct ls_mobject *o = &st->o[i];

		dmix(&d, o->addr);
		dmix(&d, o->kind);
		dbytes(&d, o->name, sizeof(o->name));
		dmix(&d, o->first_ev);
		dmix(&d, o->nevents);
		dmix(&d, o->last_ev);
		dmix(&d, o->last_id);
		dmix(&d, o->last_goid);
		dbytes(&d, o->last_args, sizeof(o->last_args));
		dqueue(&d, &o->wq[0]);
		dqueue(&d, &o->wq[1]);
		dqueue(&d, &o->hold);
		dqueue(&d, &o->users);
		dmix(&d, o->nslots);
		for (uint32_t k = 0; k < o->nslots; k++) {
			dmix(&d, o->slot_val[k]);
			dmix(&d, o->slot_full[k]);
		}
		dbytes(&d, &o->u, sizeof(o->u));
	}
	for (uint32_t i = 0; i < st->nv; i++) {
		const struct ls_mvar *v = &st->v[i];

		dmix(&d, v->addr);
		dbytes(&d, v->name, sizeof(v->name));
		dmix(&d, (uint64_t)v->value);
		dmix(&d, v->last_writer);
		dmix(&d, v->last_reader);
		dmix(&d, v->loads + 3 * v->stores + 7 * v->atomics);
	}
	dmix(&d, st->panic.happened);
	dmix(&d, st->exit.happened);
	return d.h;
}

static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* A few hundred events exercising every queue, with some nonsense mixed in. */
static void random_stream(struct ls_synth *s, size_t n, uint64_t seed)
{
	uint64_t x = seed;

	five_goroutines(s);
	ls_synth_obj(s, 1, M, LS_OBJ_MUTEX, "m");
	ls_synth_obj(s, 1, C, LS_OBJ_CHAN, "c");
	E(s, CHAN_MAKE, 1, C, 8, 4, 0, 0, 0);
	while (s->n < n) {
		uint64_t g = 1 + rnd(&x) % 5, v = rnd(&x) % 100;

		switch (rnd(&x) % 12) {
		case 0:
			ls_synth_lock(s, g, M);
			break;
		case 1:
			ls_synth_unlock(s, g, M);
			break;
		case 2:
			E(s, MUTEX_STATE, g, M, 1, 9, LS_MUTEX_OP_LOCK_SLOW, 0, 0);
			E(s, MUTEX_PARK, g, M, v & 1, 9, v * 1000, 0, 0);
			ls_synth_park(s, g, M, LS_WAIT_MUTEX_LOCK);
			break;
		case 3:
			ls_synth_ready(s, 1 + (g % 5), g, M);
			break;
		case 4:
			ls_synth_wake(s, g, M, LS_WAIT_MUTEX_LOCK);
			E(s, MUTEX_WAKE, g, M, 0, v, 0, 0, 0);
			break;
		case 5:
			E(s, CHAN_SEND, g, C, LS_CHAN_BUFFERED, v % 5, v % 4, (v / 4) % 4, v);
			break;
		case 6:
			E(s, CHAN_RECV, g, C, v % 3, v % 5, v % 4, (v / 4) % 4, v);
			break;
		case 7:
			E(s, CHAN_PARK, g, C, v & 1, 4, 1, 1, v);
			ls_synth_park(s, g, C, v & 1 ? LS_WAIT_CHAN_RECV : LS_WAIT_CHAN_SEND);
			break;
		case 8:
			ls_synth_store(s, g, V + 8 * (v % 3), (int64_t)v, "x");
			break;
		case 9:
			E(s, RW_RLOCK, g, RW, v % 3, 0, 0, 0, 0);
			E(s, RW_RACQUIRE, g, RW, v % 3, 0, 0, 0, 0);
			break;
		case 10:
			E(s, RW_RUNLOCK, g, RW, v % 3, 0, 0, 0, 0);
			break;
		case 11:
			E(s, SELECT_ENQUEUE, g, C + 0x100 * (v % 3), v % 2, v & 1, 0, 0, 0);
			if (v & 4)
				E(s, SELECT_CHOSEN, g, C, 0, 1, 1, 0, 0);
			break;
		}
	}
}

TEST(seek_equals_replay)
{
	struct ls_model_opts small = { .snapshot_every = 16, .max_snapshots = 4 };
	struct ls_model_opts flat = { .no_timeline = true };
	struct ls_synth s;
	struct ls_model *m, *ref;
	uint64_t *want;
	uint64_t x = 7;
	size_t n;

	ls_synth_init(&s);
	random_stream(&s, 600, 0x9e3779b97f4a7c15ULL);
	n = s.n;
	want = calloc(n + 1, sizeof(*want));
	ASSERT_NOT_NULL(want);

	/* The truth: apply 0..k-1 in one go. */
	ref = ls_model_new(&flat);
	ASSERT_NOT_NULL(ref);
	want[0] = digest(ls_model_state(ref));
	for (size_t k = 0; k < n; k++) {
		ASSERT_EQ(0, ls_model_push(ref, &s.ev[k]));
		want[k + 1] = digest(ls_model_state(ref));
	}
	ls_model_free(ref);

	m = ls_model_new(&small);
	ASSERT_NOT_NULL(m);
	for (size_t k = 0; k < n; k++)
		ASSERT_EQ(0, ls_model_push(m, &s.ev[k]));
	EXPECT_EQ(n, ls_model_count(m));
	EXPECT_EQ(n, ls_model_pos(m));
	EXPECT_EQ(want[n], digest(ls_model_state(m)));
	/* four snapshots at most: the interval grew */
	EXPECT_GT(16, 0);
	EXPECT_LE(n / 4, (size_t)ls_model_snapshot_every(m) * 2);
	ls_model_set_follow(m, false);

	for (size_t k = n + 1; k--;) {		/* backwards */
		ASSERT_EQ(0, ls_model_seek(m, k));
		ASSERT_EQ(want[k], digest(ls_model_state(m)));
	}
	for (size_t k = 0; k <= n; k++) {	/* forwards */
		ASSERT_EQ(0, ls_model_seek(m, k));
		ASSERT_EQ(want[k], digest(ls_model_state(m)));
	}
	for (int i = 0; i < 2000; i++) {	/* anywhere */
		size_t k = rnd(&x) % (n + 1);

		ASSERT_EQ(0, ls_model_seek(m, k));
		if (want[k] != digest(ls_model_state(m))) {
			TH_LOG("seek to %zu differs from replay", k);
			ASSERT_TRUE(false);
		}
	}
	EXPECT_EQ(-ERANGE, ls_model_seek(m, n + 1));
	/* not following: a push only appends */
	ASSERT_EQ(0, ls_model_seek(m, 10));
	ASSERT_EQ(0, ls_model_push(m, &s.ev[0]));
	EXPECT_EQ(10, ls_model_pos(m));
	EXPECT_EQ(n + 1, ls_model_count(m));
	EXPECT_EQ(s.ev[5].id, ls_model_event(m, 5)->id);
	EXPECT_NULL(ls_model_event(m, n + 1));
	ls_model_free(m);

	m = ls_model_new(&flat);
	EXPECT_EQ(-ENOTSUP, ls_model_seek(m, 0));
	ls_model_free(m);
	free(want);
	ls_synth_free(&s);
}

/* Many events: snapshots stay bounded, seeking stays quick. */
TEST(snapshots_bounded)
{
	struct ls_model_opts o = { .snapshot_every = 256, .max_snapshots = 16 };
	struct ls_synth s;
	struct ls_model *m;
	size_t before;

	ls_synth_init(&s);
	random_stream(&s, 200000, 42);
	m = ls_model_new(&o);
	ASSERT_NOT_NULL(m);
	for (size_t k = 0; k < s.n; k++)
		ASSERT_EQ(0, ls_model_push(m, &s.ev[k]));
	/* 16 snapshots cover 200k events: the interval is now >= 12500 */
	EXPECT_LE(s.n / 16, (size_t)ls_model_snapshot_every(m));
	before = ls_model_mem(m);
	TH_LOG("%zu events, snapshot every %u, %zu KiB", s.n, ls_model_snapshot_every(m),
	       before / 1024);
	ls_model_set_follow(m, false);
	ASSERT_EQ(0, ls_model_seek(m, 12345));
	ASSERT_EQ(0, ls_model_seek(m, s.n));
	EXPECT_EQ(s.n, ls_model_pos(m));
	ls_model_free(m);
	ls_synth_free(&s);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A UI replaying a million events must reach any frame within 1/30 s. */
TEST_TIMEOUT(seek_speed, 120)
{
	struct ls_synth s;
	struct ls_model *m;
	double t0, push, worst = 0, total = 0;
	uint64_t x = 99;
	const int seeks = 200;

	ls_synth_init(&s);
	random_stream(&s, 1000000, 1234);
	m = ls_model_new(NULL);
	ASSERT_NOT_NULL(m);
	t0 = now_s();
	for (size_t k = 0; k < s.n; k++)
		ASSERT_EQ(0, ls_model_push(m, &s.ev[k]));
	push = now_s() - t0;
	ls_model_set_follow(m, false);
	for (int i = 0; i < seeks; i++) {
		double t;

		t0 = now_s();
		ASSERT_EQ(0, ls_model_seek(m, rnd(&x) % (s.n + 1)));
		t = now_s() - t0;
		total += t;
		worst = t > worst ? t : worst;
	}
	TH_LOG("push %.0f events/s; seek over %zu events: mean %.2f ms, worst %.2f ms, "
	       "snapshot every %u, %zu MiB", (double)s.n / push, s.n, total / seeks * 1e3,
	       worst * 1e3, ls_model_snapshot_every(m), ls_model_mem(m) >> 20);
	EXPECT_GT(1.0 / 30, total / seeks);
	ls_model_free(m);
	ls_synth_free(&s);
}

TEST(explain_lines)
{
	struct ls_synth s;
	struct ls_model *m;
	char buf[200];

	ls_synth_init(&s);
	five_goroutines(&s);
	ls_synth_obj(&s, 1, M, LS_OBJ_MUTEX, "m");
	ls_synth_obj(&s, 1, WG, LS_OBJ_WAITGROUP, "wg");
	m = model_of(&s, s.n);

	ls_model_explain(m, E(&s, MUTEX_ACQUIRE, 2, M, 1, 0, LS_ACQ_FAST, 0, 0),
			 buf, sizeof(buf));
	EXPECT_STREQ("worker-1 locks mutex \"m\" (fast path)", buf);
	ls_model_explain(m, E(&s, MUTEX_STATE, 3, M, 9, 17, LS_MUTEX_OP_LOCK_SLOW, 0, 0),
			 buf, sizeof(buf));
	EXPECT_STREQ("mutex \"m\": lockSlow: locked, 1 waiter -> locked, 2 waiters", buf);
	ls_model_explain(m, E(&s, WG_ADD, 2, WG, (uint64_t)-1, 0, 1, 0, 0), buf, sizeof(buf));
	EXPECT_STREQ("worker-1 calls Done on waitgroup \"wg\": counter 0, 1 waiter", buf);
	ls_model_explain(m, E(&s, GO_PARK, 4, 0, LS_WAIT_SELECT_NO_CASES, 0, 0, 0, 0),
			 buf, sizeof(buf));
	EXPECT_STREQ("worker-3 parks [select (no cases)]", buf);
	ls_model_explain(m, E(&s, MAIN_EXIT, 1, 0, 0, 3, 2, 0, 0), buf, sizeof(buf));
	EXPECT_STREQ("main exits with status 0: 3 goroutines alive, 2 parked (they leak)", buf);
	ls_model_explain(m, E(&s, COND_SIGNAL, 5, CV, (uint64_t)-1, 0, 0, 0, 0), buf,
			 sizeof(buf));
	EXPECT_STREQ("late signals cond 0x6000: nobody waits, nothing happens", buf);
	/* events of no sentence of their own still read well */
	ls_model_explain(m, E(&s, SEM_ACQUIRE, 2, 0x8000, 2, 3, 4, 0, 0), buf, sizeof(buf));
	EXPECT_STREQ("worker-1: sem_acquire on semaphore 0x8000: n 2, cur after 3, size 4, "
		     "waiters 0", buf);
	/* a short buffer is cut, terminated, and the full length returned */
	EXPECT_LT(8, ls_model_explain(m, E(&s, GO_EXIT, 2, 2, 4, 0, 0, 0, 0), buf, 8));
	EXPECT_STREQ("worker-", buf);
	ls_model_free(m);
	ls_synth_free(&s);
}

TEST_HARNESS_MAIN
