// SPDX-License-Identifier: MIT
/*
 * model.c - applying events to the model, snapshots and seeking.
 *
 * Every event is applied in O(1) expected time (hash lookups, a push or pop
 * on a short queue), except the removal of one goroutine from a queue, which
 * is linear in the queue's length.  What each event does to the state is
 * written next to its handler; the cross-cutting rules are:
 *
 *   - Goroutine state comes from the runtime's events only: GO_CREATE
 *     (runnable), GO_START and GO_WAKE (running), GO_PARK (parked), GO_READY
 *     (runnable again), GO_EXIT.  A goroutine first seen through some other
 *     event (the tracer attached late) is created as running.
 *   - Objects are keyed by (address, kind): the kind comes from OBJ_NAME or
 *     from the family of the event (MUTEX_* is a sync.Mutex, ...).  GO_PARK
 *     says only "address and wait reason"; the reason picks the kind, and
 *     failing that the object last seen at that address is taken.
 *   - A waiter leaves its queue when the runtime readies it (GO_READY), not
 *     when it runs again (GO_WAKE): that is when Go takes its sudog off.
 *   - Counters that primitives change with atomic adds (the mutex state
 *     word, readerCount, readerWait, the WaitGroup counter) are tracked by
 *     applying each event's delta, not by copying its "after" value.  An
 *     event is emitted just after its atomic operation, so two goroutines'
 *     events can reach the stream in the opposite order of their atomics;
 *     deltas commute, so once both are applied the value is exact.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

#define DEFAULT_SNAPSHOT_EVERY	4096
#define DEFAULT_MAX_SNAPSHOTS	256
#define CHUNK_SHIFT		16
#define CHUNK_EVENTS		(1u << CHUNK_SHIFT)

#define MUTEX_LOCKED	1
#define MUTEX_STARVING	4

struct msnap {
	uint64_t	pos;
	struct ls_mstate st;
};

struct ls_model {
	struct ls_mstate	cur;
	bool			follow;
	bool			no_timeline;
	uint32_t		every;
	uint32_t		max_snaps;
	struct ls_event		**chunks;
	uint32_t		nchunks, capchunks;
	uint64_t		count;
	struct msnap		*snaps;
	uint32_t		nsnaps;
};

/* ------------------------------------------------------------------ */
/* Small containers                                                    */
/* ------------------------------------------------------------------ */

static int q_insert(struct ls_mqueue *q, uint32_t at, const struct ls_mwaiter *w)
{
	int err = ls__grow((void **)&q->w, &q->cap, q->n + 1, sizeof(*q->w));

	if (err)
		return err;
	memmove(&q->w[at + 1], &q->w[at], (size_t)(q->n - at) * sizeof(*q->w));
	q->w[at] = *w;
	q->n++;
	return 0;
}

static int q_find(const struct ls_mqueue *q, uint64_t goid)
{
	for (uint32_t i = 0; i < q->n; i++)
		if (q->w[i].goid == goid)
			return (int)i;
	return -1;
}

static void q_remove_at(struct ls_mqueue *q, uint32_t at)
{
	memmove(&q->w[at], &q->w[at + 1], (size_t)(q->n - at - 1) * sizeof(*q->w));
	q->n--;
}

static bool q_remove(struct ls_mqueue *q, uint64_t goid)
{
	int i = q_find(q, goid);

	if (i < 0)
		return false;
	q_remove_at(q, (uint32_t)i);
	return true;
}

static int q_copy(struct ls_mqueue *dst, const struct ls_mqueue *src)
{
	int err = ls__grow((void **)&dst->w, &dst->cap, src->n, sizeof(*dst->w));

	if (err)
		return err;
	if (src->n)
		memcpy(dst->w, src->w, (size_t)src->n * sizeof(*dst->w));
	dst->n = src->n;
	return 0;
}

static int idx_push(struct ls_midxv *v, uint32_t x)
{
	int err = ls__grow((void **)&v->v, &v->cap, v->n + 1, sizeof(*v->v));

	if (err)
		return err;
	v->v[v->n++] = x;
	return 0;
}

static int idx_copy(struct ls_midxv *dst, const struct ls_midxv *src)
{
	int err = ls__grow((void **)&dst->v, &dst->cap, src->n, sizeof(*dst->v));

	if (err)
		return err;
	if (src->n)
		memcpy(dst->v, src->v, (size_t)src->n * sizeof(*dst->v));
	dst->n = src->n;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Lookups                                                             */
/* ------------------------------------------------------------------ */

static uint64_t okey(uint64_t addr, unsigned kind)
{
	return (addr & 0x00ffffffffffffffULL) | ((uint64_t)kind << 56);
}

uint32_t ls_mstate_gidx(const struct ls_mstate *st, uint64_t goid)
{
	return ls_umap_get(&st->gmap, goid);
}

const struct ls_mgoroutine *ls_mstate_goroutine(const struct ls_mstate *st,
						uint64_t goid)
{
	uint32_t i = ls_umap_get(&st->gmap, goid);

	return i == LS_UMAP_NONE ? NULL : &st->g[i];
}

const struct ls_mobject *ls_mstate_object(const struct ls_mstate *st, uint64_t addr,
					  unsigned kind)
{
	uint32_t i = ls_umap_get(&st->omap, okey(addr, kind));

	return i == LS_UMAP_NONE ? NULL : &st->o[i];
}

const struct ls_mvar *ls_mstate_var(const struct ls_mstate *st, uint64_t addr)
{
	uint32_t i = ls_umap_get(&st->vmap, addr);

	return i == LS_UMAP_NONE ? NULL : &st->v[i];
}

/* ------------------------------------------------------------------ */
/* Goroutines                                                          */
/* ------------------------------------------------------------------ */

/* Keep st->live and st->parked right whatever the transition. */
static void g_set_state(struct ls_mstate *st, struct ls_mgoroutine *g,
			unsigned state, uint64_t ts)
{
	if (g->state == LS_GS_PARKED)
		st->parked--;
	if (g->state != LS_GS_EXITED && state == LS_GS_EXITED)
		st->live--;
	if (g->state == LS_GS_EXITED && state != LS_GS_EXITED)
		st->live++;
	if (state == LS_GS_PARKED)
		st->parked++;
	g->state = (uint8_t)state;
	g->since = ts;
	g->dequeued = false;
	if (state != LS_GS_PARKED) {
		g->reason = LS_WAIT_NONE;
		g->waitobj = LS_NOIDX;
		g->waitaddr = 0;
	}
}

static struct ls_mgoroutine *g_get(struct ls_mstate *st, uint64_t goid, uint64_t ts)
{
	uint32_t i = ls_umap_get(&st->gmap, goid);
	struct ls_mgoroutine *g;

	if (i != LS_UMAP_NONE)
		return &st->g[i];
	if (ls__grow((void **)&st->g, &st->capg, st->ng + 1, sizeof(*st->g)))
		return NULL;
	if (ls_umap_put(&st->gmap, goid, st->ng))
		return NULL;
	g = &st->g[st->ng++];
	memset(g, 0, sizeof(*g));
	g->goid = goid;
	g->state = LS_GS_RUNNING;	/* seen acting: it runs */
	g->waitobj = LS_NOIDX;
	g->last_obj = LS_NOIDX;
	g->since = ts;
	g->created_ts = ts;
	st->live++;
	return g;
}

static uint32_t gidx(const struct ls_mstate *st, const struct ls_mgoroutine *g)
{
	return (uint32_t)(g - st->g);
}

/* ------------------------------------------------------------------ */
/* Objects                                                             */
/* ------------------------------------------------------------------ */

static void obj_init_kind(struct ls_mobject *o)
{
	memset(&o->u, 0, sizeof(o->u));
	switch (o->kind) {
	case LS_OBJ_MUTEX:
		o->u.mu.parent = LS_NOIDX;
		break;
	case LS_OBJ_RWMUTEX:
		o->u.rw.wmutex = LS_NOIDX;
		break;
	case LS_OBJ_ONCE:
		o->u.once.mutex = LS_NOIDX;
		break;
	case LS_OBJ_CHAN:
		o->u.ch.last_slot = -1;
		break;
	}
}

static struct ls_mobject *obj_get(struct ls_mstate *st, uint64_t addr,
				  unsigned kind)
{
	uint64_t key = okey(addr, kind);
	uint32_t i = ls_umap_get(&st->omap, key);
	struct ls_mobject *o;

	if (i != LS_UMAP_NONE)
		return &st->o[i];
	if (ls__grow((void **)&st->o, &st->capo, st->no + 1, sizeof(*st->o)))
		return NULL;
	if (ls_umap_put(&st->omap, key, st->no) || ls_umap_put(&st->amap, addr, st->no))
		return NULL;
	o = &st->o[st->no++];
	memset(o, 0, sizeof(*o));
	o->addr = addr;
	o->kind = (uint8_t)kind;
	o->first_ev = st->at;
	obj_init_kind(o);
	return o;
}

static uint32_t oidx(const struct ls_mstate *st, const struct ls_mobject *o)
{
	return (uint32_t)(o - st->o);
}

static struct ls_mobject *obj_at(struct ls_mstate *st, uint32_t i)
{
	return i < st->no ? &st->o[i] : NULL;
}

static void obj_free_bufs(struct ls_mobject *o)
{
	free(o->wq[0].w);
	free(o->wq[1].w);
	free(o->hold.w);
	free(o->users.w);
	free(o->slot_val);
	free(o->slot_full);
}

/* The kind of object a goroutine parked for this reason waits on. */
static int reason_kind(unsigned reason)
{
	switch (reason) {
	case LS_WAIT_MUTEX_LOCK:
		return LS_OBJ_MUTEX;
	case LS_WAIT_RW_RLOCK:
	case LS_WAIT_RW_LOCK:
		return LS_OBJ_RWMUTEX;
	case LS_WAIT_WG_WAIT:
		return LS_OBJ_WAITGROUP;
	case LS_WAIT_COND_WAIT:
		return LS_OBJ_COND;
	case LS_WAIT_CHAN_SEND:
	case LS_WAIT_CHAN_RECV:
		return LS_OBJ_CHAN;
	default:
		return -1;
	}
}

static uint32_t resolve_park(struct ls_mstate *st, uint64_t addr, unsigned reason)
{
	int kind = reason_kind(reason);
	uint32_t i = LS_UMAP_NONE;

	if (!addr)
		return LS_NOIDX;
	if (kind >= 0)
		i = ls_umap_get(&st->omap, okey(addr, (unsigned)kind));
	/* e.g. Once.Do blocked on its inner mutex parks "on the Once" */
	if (i == LS_UMAP_NONE)
		i = ls_umap_get(&st->amap, addr);
	if (i == LS_UMAP_NONE && kind >= 0) {
		struct ls_mobject *o = obj_get(st, addr, (unsigned)kind);

		return o ? oidx(st, o) : LS_NOIDX;
	}
	return i == LS_UMAP_NONE ? LS_NOIDX : i;
}

/* Record that goroutine g used channel o in some way (for the wait-for graph). */
static void chan_user(struct ls_mstate *st, struct ls_mobject *o,
		      struct ls_mgoroutine *g, uint32_t flags, uint64_t ts)
{
	uint64_t key = (uint64_t)oidx(st, o) << 32 | gidx(st, g);
	uint32_t i = ls_umap_get(&st->usermap, key);
	struct ls_mwaiter w = { .goid = g->goid, .ts = ts, .flags = flags };

	if (i != LS_UMAP_NONE && i < o->users.n && o->users.w[i].goid == g->goid) {
		o->users.w[i].flags |= flags;
		return;
	}
	if (q_insert(&o->users, o->users.n, &w) == 0)
		ls_umap_put(&st->usermap, key, o->users.n - 1);
}

/* ------------------------------------------------------------------ */
/* Select bookkeeping                                                  */
/* ------------------------------------------------------------------ */

/* g's select is over (it won somewhere, or returned): off every queue. */
static void select_done(struct ls_mstate *st, struct ls_mgoroutine *g)
{
	for (uint32_t k = 0; k < g->sel.n; k++) {
		struct ls_mobject *c = obj_at(st, g->sel.v[k]);

		if (!c)
			continue;
		for (int q = 0; q < 2; q++) {
			int i;

			while ((i = q_find(&c->wq[q], g->goid)) >= 0)
				q_remove_at(&c->wq[q], (uint32_t)i);
		}
	}
	g->sel.n = 0;
}

/* Take the head of a channel queue, as Go's dequeue does (a select wins). */
static bool chan_dequeue(struct ls_mstate *st, struct ls_mqueue *q,
			 struct ls_mwaiter *out)
{
	struct ls_mgoroutine *g;

	uint32_t i;

	if (!q->n)
		return false;
	*out = q->w[0];
	q_remove_at(q, 0);
	i = ls_umap_get(&st->gmap, out->goid);
	g = i == LS_UMAP_NONE ? NULL : &st->g[i];
	if (g) {
		if (out->flags & LS_MW_SELECT)
			select_done(st, g);
		g->dequeued = true;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Event handlers                                                      */
/* ------------------------------------------------------------------ */

struct actx {
	struct ls_mstate	*st;
	const struct ls_event	*ev;
	struct ls_mgoroutine	*g;	/* the emitter, NULL for goid 0 */
	struct ls_mobject	*o;	/* the object the event is about */
};

static void ev_str(const struct ls_event *e, char *buf)
{
	ls_model_event_str(e, buf, LS_EVENT_STRMAX);
}

static void apply_go_create(struct actx *a)
{
	const struct ls_event *ev = a->ev;
	struct ls_mgoroutine *c = g_get(a->st, ev->obj, ev->ts);

	if (!c)
		return;
	c->parent = ev->args[0];
	ev_str(ev, c->name);
	c->created_ts = ev->ts;
	/* Created, not yet running; main and lazy threads start at once. */
	g_set_state(a->st, c, LS_GS_RUNNABLE, ev->ts);
}

static void apply_go_start(struct actx *a)
{
	const struct ls_event *ev = a->ev;
	struct ls_mgoroutine *c = g_get(a->st, ev->obj, ev->ts);

	if (!c)
		return;
	c->tid = ev->tid;
	c->oncpu = true;
	g_set_state(a->st, c, LS_GS_RUNNING, ev->ts);
	ls_umap_put(&a->st->tidmap, ev->tid, gidx(a->st, c));
}

static void apply_go_exit(struct actx *a)
{
	const struct ls_event *ev = a->ev;
	struct ls_mgoroutine *c = g_get(a->st, ev->obj, ev->ts);

	if (!c)
		return;
	select_done(a->st, c);
	g_set_state(a->st, c, LS_GS_EXITED, ev->ts);
	c->oncpu = false;
	if (c->tid && ls_umap_get(&a->st->tidmap, c->tid) == gidx(a->st, c))
		ls_umap_put(&a->st->tidmap, c->tid, LS_UMAP_NONE);
}

static void apply_go_name(struct actx *a)
{
	struct ls_mgoroutine *c = g_get(a->st, a->ev->obj, a->ev->ts);

	if (c)
		ev_str(a->ev, c->name);
}

static void apply_go_park(struct actx *a)
{
	struct ls_mstate *st = a->st;
	const struct ls_event *ev = a->ev;
	struct ls_mgoroutine *g = a->g;
	struct ls_mobject *o;

	if (!g)
		return;
	g_set_state(st, g, LS_GS_PARKED, ev->ts);
	g->reason = (uint8_t)(ev->args[0] < LS_WAIT__COUNT ? ev->args[0] : LS_WAIT_NONE);
	g->waitaddr = ev->obj;
	g->waitobj = resolve_park(st, ev->obj, g->reason);
	g->park_ev = st->at;
	o = obj_at(st, g->waitobj);
	a->o = o;
	/*
	 * The semaphore may re-queue a waiter that lost the count to a
	 * newcomer without a new MUTEX_PARK: keep it in the queue.
	 */
	if (o && o->kind == LS_OBJ_MUTEX && q_find(&o->wq[0], g->goid) < 0) {
		struct ls_mwaiter w = { .goid = g->goid, .ts = ev->ts, .val = ev->ts };

		q_insert(&o->wq[0], o->wq[0].n, &w);
	}
}

/* Take a readied goroutine off whatever queue it waited in. */
static void unqueue_waiter(struct ls_mstate *st, struct ls_mobject *o,
			   struct ls_mgoroutine *t)
{
	if (!o)
		return;
	q_remove(&o->wq[0], t->goid);
	if (o->kind != LS_OBJ_CHAN)
		q_remove(&o->wq[1], t->goid);
}

static void apply_go_ready(struct actx *a)
{
	struct ls_mstate *st = a->st;
	const struct ls_event *ev = a->ev;
	struct ls_mgoroutine *t = g_get(st, ev->args[0], ev->ts);
	struct ls_mobject *o = NULL;
	uint32_t i = ev->obj ? ls_umap_get(&st->amap, ev->obj) : LS_UMAP_NONE;

	if (!t)
		return;
	if (i != LS_UMAP_NONE)
		o = &st->o[i];
	a->o = o;
	unqueue_waiter(st, obj_at(st, t->waitobj), t);
	if (o && o != obj_at(st, t->waitobj))
		unqueue_waiter(st, o, t);
	if (o && o->kind == LS_OBJ_MUTEX) {
		o->u.mu.woken = t->goid;
		if (ev->args[1])
			o->u.mu.handoff_to = t->goid;
	}
	select_done(st, t);
	/* Keep the wait reason on display until it actually runs. */
	if (t->state == LS_GS_PARKED) {
		uint8_t reason = t->reason;
		uint32_t wo = t->waitobj;

		g_set_state(st, t, LS_GS_RUNNABLE, ev->ts);
		t->reason = reason;
		t->waitobj = wo;
	}
	t->readied_by = ev->goid;
}

static void apply_go_wake(struct actx *a)
{
	struct ls_mgoroutine *g = a->g;

	if (!g)
		return;
	unqueue_waiter(a->st, obj_at(a->st, g->waitobj), g);
	select_done(a->st, g);
	g_set_state(a->st, g, LS_GS_RUNNING, a->ev->ts);
}

static void apply_obj_name(struct actx *a)
{
	const struct ls_event *ev = a->ev;
	unsigned kind = ev->args[0] < LS_OBJ__COUNT ? (unsigned)ev->args[0] : LS_OBJ_NONE;
	struct ls_mobject *o = obj_get(a->st, ev->obj, kind);

	if (!o)
		return;
	/* A freed channel's address came back: a new channel. */
	if (kind == LS_OBJ_CHAN && o->u.ch.freed) {
		o->u.ch.freed = false;
		o->u.ch.made = false;
	}
	ev_str(ev, o->name);
	o->named = o->name[0] != '\0';
	ls_umap_put(&a->st->amap, ev->obj, oidx(a->st, o));
	a->o = o;
}

/* ---- sync.Mutex ---- */

static void mutex_set_mode(struct ls_mmutex *mu, bool starving, uint64_t ts)
{
	if (mu->starving != starving) {
		mu->starving = starving;
		mu->mode_since = ts;
	}
}

static void apply_mutex(struct actx *a)
{
	const struct ls_event *ev = a->ev;
	struct ls_mobject *o = a->o;
	struct ls_mmutex *mu = &o->u.mu;
	uint64_t me = ev->goid;

	switch (ev->id) {
	case LS_EV_MUTEX_STATE: {
		int32_t old = (int32_t)ev->args[0], new = (int32_t)ev->args[1];

		if (!mu->state_known) {
			mu->state = new;
			mu->state_known = true;
		} else {
			mu->state += new - old;
			if (mu->state < 0)	/* lost events: resynchronise */
				mu->state = new;
		}
		mutex_set_mode(mu, mu->state & MUTEX_STARVING, ev->ts);
		break;
	}
	case LS_EV_MUTEX_SPIN:
		mu->spinner = me;
		mu->spin_iter = (uint32_t)ev->args[0];
		break;
	case LS_EV_MUTEX_PARK: {
		struct ls_mwaiter w = {
			.goid = me, .ts = ev->ts,
			.val = ev->ts - (ev->args[2] < ev->ts ? ev->args[2] : 0),
			.flags = ev->args[0] ? LS_MW_LIFO : 0,
		};

		q_remove(&o->wq[0], me);
		q_insert(&o->wq[0], ev->args[0] ? 0 : o->wq[0].n, &w);
		if (ev->args[0])
			mu->requeued = me;
		if (mu->spinner == me)
			mu->spinner = 0;
		mu->contended++;
		break;
	}
	case LS_EV_MUTEX_WAKE:
		q_remove(&o->wq[0], me);
		mu->woken = me;
		break;
	case LS_EV_MUTEX_HANDOFF:
		if (o->wq[0].n)
			mu->handoff_to = o->wq[0].w[0].goid;
		mu->handoffs++;
		break;
	case LS_EV_MUTEX_STARVE:
		mutex_set_mode(mu, true, ev->ts);
		mu->starvations++;
		break;
	case LS_EV_MUTEX_NORMAL:
		mutex_set_mode(mu, false, ev->ts);
		break;
	case LS_EV_MUTEX_ACQUIRE:
		/* The previous holder's unlock is still in flight. */
		if (mu->holder && mu->holder != me)
			mu->owed_unlocks++;
		mu->holder = me;
		mu->holder_since = ev->ts;
		mu->holder_how = (uint8_t)ev->args[2];
		if (ev->args[2] == LS_ACQ_HANDOFF)
			mu->handoff_to = me;
		if (mu->spinner == me)
			mu->spinner = 0;
		mu->acquisitions++;
		q_remove(&o->wq[0], me);
		break;
	case LS_EV_MUTEX_UNLOCK:
		if (mu->holder == me || !mu->owed_unlocks) {
			if (mu->holder)
				mu->last_holder = mu->holder;
			mu->holder = 0;
		} else {
			mu->owed_unlocks--;	/* the late one arrived */
		}
		break;
	}
}

/* The goroutine's previous event acquired a mutex: the inner one of o. */
static uint32_t inner_mutex(struct actx *a)
{
	struct ls_mobject *m;

	if (!a->g || a->g->last_id != LS_EV_MUTEX_ACQUIRE)
		return LS_NOIDX;
	m = obj_at(a->st, a->g->last_obj);
	if (!m || m->kind != LS_OBJ_MUTEX)
		return LS_NOIDX;
	m->u.mu.parent = oidx(a->st, a->o);
	return a->g->last_obj;
}

/* ---- sync.RWMutex ---- */

static void rw_hold(struct ls_mobject *o, uint64_t goid, int delta, uint64_t ts)
{
	int i = q_find(&o->hold, goid);

	if (delta > 0) {
		struct ls_mwaiter w = { .goid = goid, .ts = ts, .val = 1 };

		if (i >= 0)
			o->hold.w[i].val++;
		else
			q_insert(&o->hold, o->hold.n, &w);
		o->u.rw.readers++;
		return;
	}
	/* RUnlock need not come from the reader (not owned): take any. */
	if (i < 0) {
		if (!o->hold.n)
			return;
		i = 0;
	}
	if (--o->hold.w[i].val == 0)
		q_remove_at(&o->hold, (uint32_t)i);
	if (o->u.rw.readers)
		o->u.rw.readers--;
}

static void apply_rw(struct actx *a)
{
	const struct ls_event *ev = a->ev;
	struct ls_mobject *o = a->o;
	struct ls_mrw *rw = &o->u.rw;
	uint64_t me = ev->goid;
	int32_t after = (int32_t)ev->args[0];

	if (!rw->known && ev->id != LS_EV_RW_TRYFAIL && ev->id != LS_EV_RW_RACQUIRE &&
	    ev->id != LS_EV_RW_WACQUIRE) {
		/* First sight (or attached late): take the event's values. */
		rw->known = true;
		rw->reader_count = after;
		if (ev->id == LS_EV_RW_WLOCK)
			rw->reader_wait = (int32_t)ev->args[2];
		else if (ev->id == LS_EV_RW_RUNLOCK)
			rw->reader_wait = (int32_t)ev->args[1];
		goto holders;
	}
	switch (ev->id) {
	case LS_EV_RW_RLOCK:
		rw->reader_count += 1;
		break;
	case LS_EV_RW_RUNLOCK:
		rw->reader_count -= 1;
		if (after < 0)
			rw->reader_wait -= 1;
		break;
	case LS_EV_RW_WLOCK:
		rw->reader_count -= LS_RW_MAX_READERS;
		rw->reader_wait += (int32_t)ev->args[1];
		break;
	case LS_EV_RW_UNLOCK:
		rw->reader_count += LS_RW_MAX_READERS;
		break;
	}
holders:
	switch (ev->id) {
	case LS_EV_RW_RLOCK:
		if (ev->args[1]) {
			struct ls_mwaiter w = { .goid = me, .ts = ev->ts };

			q_insert(&o->wq[0], o->wq[0].n, &w);
		}
		break;
	case LS_EV_RW_RACQUIRE:
		q_remove(&o->wq[0], me);
		rw_hold(o, me, 1, ev->ts);
		break;
	case LS_EV_RW_RUNLOCK:
		rw_hold(o, me, -1, ev->ts);
		break;
	case LS_EV_RW_WLOCK: {
		uint32_t m = inner_mutex(a);

		if (m != LS_NOIDX)
			rw->wmutex = m;
		q_remove(&o->wq[1], me);
		rw->writer = me;
		rw->writer_active = false;
		rw->writer_since = ev->ts;
		break;
	}
	case LS_EV_RW_WACQUIRE:
		rw->writer = me;
		rw->writer_active = true;
		break;
	case LS_EV_RW_UNLOCK:
		if (rw->writer)
			rw->last_writer = rw->writer;
		rw->writer = 0;
		rw->writer_active = false;
		break;
	}
}

/* ---- sync.WaitGroup, sync.Cond, sync.Once ---- */

static void apply_wg(struct actx *a)
{
	const struct ls_event *ev = a->ev;
	struct ls_mobject *o = a->o;
	struct ls_mwg *wg = &o->u.wg;

	switch (ev->id) {
	case LS_EV_WG_ADD:
		if (!wg->known) {
			wg->known = true;
			wg->counter = (int32_t)ev->args[1];
		} else {
			wg->counter += (int32_t)(int64_t)ev->args[0];
		}
		if (wg->counter == 0)
			wg->zero_gen++;
		wg->waiters = (uint32_t)ev->args[2];
		break;
	case LS_EV_WG_WAIT:
		wg->waiters = (uint32_t)ev->args[1];
		/* counter 0: Wait returned at once (if a primitive says so) */
		if ((int32_t)ev->args[0] != 0) {
			struct ls_mwaiter w = { .goid = ev->goid, .ts = ev->ts,
						.val = wg->zero_gen };

			q_remove(&o->wq[0], ev->goid);
			q_insert(&o->wq[0], o->wq[0].n, &w);
		}
		break;
	case LS_EV_WG_RELEASE:
		wg->releases++;
		wg->waiters = 0;
		break;
	}
}

static void mark_dequeued(struct ls_mstate *st, uint64_t goid)
{
	uint32_t i = ls_umap_get(&st->gmap, goid);

	if (i != LS_UMAP_NONE && st->g[i].state == LS_GS_PARKED)
		st->g[i].dequeued = true;
}

static bool ticket_less(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static void apply_cond(struct actx *a)
{
	const struct ls_event *ev = a->ev;
	struct ls_mobject *o = a->o;
	struct ls_mcond *c = &o->u.cond;

	switch (ev->id) {
	case LS_EV_COND_WAIT: {
		struct ls_mwaiter w = { .goid = ev->goid, .ts = ev->ts,
					.val = (uint32_t)ev->args[0] };

		q_remove(&o->wq[0], ev->goid);
		q_insert(&o->wq[0], o->wq[0].n, &w);
		if (!ticket_less((uint32_t)ev->args[0], c->wait))
			c->wait = (uint32_t)ev->args[0] + 1;
		c->notify = (uint32_t)ev->args[1];
		break;
	}
	case LS_EV_COND_SIGNAL:
		if ((int64_t)ev->args[0] >= 0) {
			for (uint32_t i = 0; i < o->wq[0].n; i++) {
				if (o->wq[0].w[i].val == (uint32_t)ev->args[0]) {
					mark_dequeued(a->st, o->wq[0].w[i].goid);
					q_remove_at(&o->wq[0], i);
					break;
				}
			}
		}
		c->wait = (uint32_t)ev->args[1];
		c->notify = (uint32_t)ev->args[2];
		c->signals++;
		c->last_signaler = ev->goid;
		break;
	case LS_EV_COND_BROADCAST:
		c->wait = c->notify = (uint32_t)ev->args[1];
		for (uint32_t i = 0; i < o->wq[0].n;) {
			if (ticket_less((uint32_t)o->wq[0].w[i].val, c->wait)) {
				mark_dequeued(a->st, o->wq[0].w[i].goid);
				q_remove_at(&o->wq[0], i);
			}
			else
				i++;
		}
		c->broadcasts++;
		c->last_signaler = ev->goid;
		break;
	case LS_EV_COND_WAKE:
		q_remove(&o->wq[0], ev->goid);
		break;
	}
}

static void apply_once(struct actx *a)
{
	struct ls_monce *once = &a->o->u.once;

	if (a->ev->id == LS_EV_ONCE_BEGIN) {
		uint32_t m = inner_mutex(a);

		if (m != LS_NOIDX)
			once->mutex = m;
		once->state = LS_ONCE_RUNNING;
		once->runner = a->ev->goid;
	} else {
		once->state = LS_ONCE_DONE;
	}
}

/* ---- channels and select ---- */

static void chan_make(struct ls_mobject *o, const struct ls_event *ev)
{
	struct ls_mchan *ch = &o->u.ch;
	uint32_t nslots = ev->args[1] < LS_MODEL_MAX_SLOTS ? (uint32_t)ev->args[1]
							    : LS_MODEL_MAX_SLOTS;

	memset(ch, 0, sizeof(*ch));
	ch->elemsize = ev->args[0];
	ch->cap = ev->args[1];
	ch->made = true;
	ch->last_slot = -1;
	/*
	 * Fed by a runtime timer, which is no goroutine: ls_after names its
	 * channel "time.After"; a timeout context's done channel would say so
	 * in its name.  Such a channel is pending until its first send or
	 * its close.
	 */
	ch->timer = !strcmp(o->name, "time.After") || !strncmp(o->name, "WithTimeout", 11) ||
		    !strncmp(o->name, "WithDeadline", 12);
	o->wq[0].n = o->wq[1].n = 0;
	o->users.n = 0;
	free(o->slot_val);
	free(o->slot_full);
	o->slot_val = nslots ? calloc(nslots, sizeof(*o->slot_val)) : NULL;
	o->slot_full = nslots ? calloc(nslots, sizeof(*o->slot_full)) : NULL;
	o->nslots = o->slot_val && o->slot_full ? nslots : 0;
}

static void slot_set(struct ls_mobject *o, uint64_t slot, bool full, uint64_t val)
{
	if (slot >= o->nslots)
		return;
	o->slot_full[slot] = full;
	o->slot_val[slot] = full ? val : 0;
}

static uint64_t ring_prev(uint64_t x, uint64_t cap)
{
	return cap ? (x + cap - 1) % cap : 0;
}

static void chan_take_peer(struct actx *a, struct ls_mqueue *q)
{
	struct ls_mchan *ch = &a->o->u.ch;
	struct ls_mwaiter w;

	if (chan_dequeue(a->st, q, &w)) {
		ch->last_peer = w.goid;
		ch->last_peer_val = w.val;
	} else {
		ch->last_peer = 0;
		ch->last_peer_val = 0;
	}
}

static void chan_indices(struct ls_mchan *ch, const struct ls_event *ev)
{
	ch->qcount = ev->args[1];
	ch->sendx = ev->args[2];
	ch->recvx = ev->args[3];
}

static void apply_chan_send(struct actx *a)
{
	const struct ls_event *ev = a->ev;
	struct ls_mobject *o = a->o;
	struct ls_mchan *ch = &o->u.ch;

	switch (ev->args[0]) {
	case LS_CHAN_BUFFERED:
		chan_indices(ch, ev);
		/* sendx has already moved on */
		ch->last_slot = (int64_t)ring_prev(ch->sendx, ch->cap);
		slot_set(o, (uint64_t)ch->last_slot, true, ev->args[4]);
		break;
	case LS_CHAN_DIRECT:
		chan_indices(ch, ev);
		chan_take_peer(a, &o->wq[0]);
		break;
	case LS_CHAN_WOKEN:
		if (a->g)
			q_remove(&o->wq[1], a->g->goid);
		break;
	}
	ch->sends++;
}

static void apply_chan_recv(struct actx *a)
{
	const struct ls_event *ev = a->ev;
	struct ls_mobject *o = a->o;
	struct ls_mchan *ch = &o->u.ch;

	switch (ev->args[0]) {
	case LS_CHAN_BUFFERED:
		chan_indices(ch, ev);
		ch->last_slot = (int64_t)ring_prev(ch->recvx, ch->cap);
		slot_set(o, (uint64_t)ch->last_slot, false, 0);
		break;
	case LS_CHAN_DIRECT:
		chan_indices(ch, ev);
		chan_take_peer(a, &o->wq[1]);
		break;
	case LS_CHAN_BUF_REFILL:
		/* Emitted before recvx moves: the slot taken is args[3]. */
		chan_indices(ch, ev);
		ch->last_slot = (int64_t)ch->recvx;
		chan_take_peer(a, &o->wq[1]);
		slot_set(o, ch->recvx, true, ch->last_peer_val);
		ch->recvx = ch->cap ? (ch->recvx + 1) % ch->cap : 0;
		ch->sendx = ch->recvx;
		break;
	case LS_CHAN_CLOSED:
	case LS_CHAN_WOKEN:
		if (a->g)
			q_remove(&o->wq[0], a->g->goid);
		break;
	}
	ch->recvs++;
}

static void apply_chan(struct actx *a)
{
	const struct ls_event *ev = a->ev;
	struct ls_mstate *st = a->st;
	struct ls_mobject *o = a->o;
	struct ls_mchan *ch = &o->u.ch;
	struct ls_mgoroutine *g = a->g;

	switch (ev->id) {
	case LS_EV_CHAN_MAKE:
		chan_make(o, ev);
		break;
	case LS_EV_CHAN_SEND:
	case LS_EV_CHAN_RECV: {
		bool send = ev->id == LS_EV_CHAN_SEND;

		if (g)
			chan_user(st, o, g, send ? LS_MW_SEND : LS_MW_RECV, ev->ts);
		ch->last_slot = -1;
		ch->last_peer = 0;
		if (send)
			apply_chan_send(a);
		else
			apply_chan_recv(a);
		break;
	}
	case LS_EV_CHAN_PARK: {
		struct ls_mqueue *q = &o->wq[ev->args[0] ? 0 : 1];
		struct ls_mwaiter w = { .ts = ev->ts, .val = ev->args[4], .aux = -1 };

		if (!g)
			break;
		w.goid = g->goid;
		chan_user(st, o, g, ev->args[0] ? LS_MW_RECV : LS_MW_SEND, ev->ts);
		if (q_find(q, g->goid) < 0)
			q_insert(q, q->n, &w);
		ch->qcount = ev->args[1];
		break;
	}
	case LS_EV_CHAN_CLOSE: {
		struct ls_mwaiter w;

		ch->closed = true;
		ch->closer = ev->goid;
		if (g)
			chan_user(st, o, g, LS_MW_CLOSE, ev->ts);
		/* closechan takes every waiter off; each is readied next */
		while (chan_dequeue(st, &o->wq[0], &w))
			;
		while (chan_dequeue(st, &o->wq[1], &w))
			;
		break;
	}
	case LS_EV_CHAN_FREE:
		ch->freed = true;
		break;
	case LS_EV_SELECT_ENQUEUE: {
		struct ls_mqueue *q = &o->wq[ev->args[1] ? 0 : 1];
		struct ls_mwaiter w = { .ts = ev->ts, .flags = LS_MW_SELECT,
					.aux = (int32_t)ev->args[0] };

		if (!g)
			break;
		w.goid = g->goid;
		chan_user(st, o, g, ev->args[1] ? LS_MW_RECV : LS_MW_SEND, ev->ts);
		if (q_find(q, g->goid) < 0)
			q_insert(q, q->n, &w);
		idx_push(&g->sel, oidx(st, o));
		break;
	}
	}
}

/* ---- x/sync, context and the rest ---- */

static void apply_xsync(struct actx *a)
{
	const struct ls_event *ev = a->ev;
	struct ls_mobject *o = a->o;
	uint64_t me = ev->goid;

	switch (ev->id) {
	case LS_EV_SEM_ACQUIRE: {
		int i = q_find(&o->hold, me);
		struct ls_mwaiter w = { .goid = me, .ts = ev->ts, .val = ev->args[0] };

		q_remove(&o->wq[0], me);
		if (i >= 0)
			o->hold.w[i].val += ev->args[0];
		else
			q_insert(&o->hold, o->hold.n, &w);
		o->u.sem.cur = (int64_t)ev->args[1];
		o->u.sem.size = (int64_t)ev->args[2];
		o->u.sem.waiters = (uint32_t)ev->args[3];
		break;
	}
	case LS_EV_SEM_WAIT: {
		struct ls_mwaiter w = { .goid = me, .ts = ev->ts, .val = ev->args[0] };

		q_remove(&o->wq[0], me);
		q_insert(&o->wq[0], o->wq[0].n, &w);
		o->u.sem.cur = (int64_t)ev->args[1];
		o->u.sem.size = (int64_t)ev->args[2];
		o->u.sem.waiters = (uint32_t)ev->args[3];
		break;
	}
	case LS_EV_SEM_RELEASE: {
		int i = q_find(&o->hold, me);

		if (i < 0 && o->hold.n)
			i = 0;	/* released by someone else */
		if (i >= 0) {
			if (o->hold.w[i].val <= ev->args[0])
				q_remove_at(&o->hold, (uint32_t)i);
			else
				o->hold.w[i].val -= ev->args[0];
		}
		o->u.sem.cur = (int64_t)ev->args[1];
		o->u.sem.size = (int64_t)ev->args[2];
		break;
	}
	case LS_EV_SEM_CANCEL:
		q_remove(&o->wq[0], me);
		break;
	case LS_EV_BARRIER_AWAIT: {
		struct ls_mwaiter w = { .goid = me, .ts = ev->ts };

		o->u.bar.arrived = (int64_t)ev->args[0];
		o->u.bar.parties = (int64_t)ev->args[1];
		o->u.bar.generation = (int64_t)ev->args[2];
		if (q_find(&o->wq[0], me) < 0)
			q_insert(&o->wq[0], o->wq[0].n, &w);
		break;
	}
	case LS_EV_BARRIER_TRIP:
	case LS_EV_BARRIER_BROKEN:
		o->u.bar.generation = (int64_t)ev->args[0];
		o->u.bar.arrived = 0;
		o->u.bar.broken = ev->id == LS_EV_BARRIER_BROKEN;
		o->wq[0].n = 0;
		break;
	case LS_EV_CTX_NEW:
		o->u.ctx.parent = ev->args[0];
		o->u.ctx.ctx_kind = (uint8_t)ev->args[1];
		o->u.ctx.deadline = (int64_t)ev->args[2];
		break;
	case LS_EV_CTX_CANCEL:
		o->u.ctx.cancelled = true;
		o->u.ctx.err = (int64_t)ev->args[0];
		break;
	case LS_EV_EG_GO:
		o->u.eg.active = (int64_t)ev->args[0];
		o->u.eg.limit = (int64_t)ev->args[1];
		break;
	case LS_EV_EG_DONE:
		o->u.eg.active = (int64_t)ev->args[0];
		o->u.eg.first_err = (int64_t)ev->args[2];
		break;
	}
}

/* ---- variables ---- */

static void apply_var(struct actx *a)
{
	struct ls_mstate *st = a->st;
	const struct ls_event *ev = a->ev;
	uint32_t i = ls_umap_get(&st->vmap, ev->obj);
	struct ls_mvar *v;

	if (i == LS_UMAP_NONE) {
		if (ls__grow((void **)&st->v, &st->capv, st->nv + 1, sizeof(*st->v)) ||
		    ls_umap_put(&st->vmap, ev->obj, st->nv))
			return;
		i = st->nv++;
		memset(&st->v[i], 0, sizeof(st->v[i]));
		st->v[i].addr = ev->obj;
	}
	v = &st->v[i];
	if (!v->name[0] && ev->id != LS_EV_ATOMIC_OP)
		ev_str(ev, v->name);
	v->last_ev = st->at;
	v->known = true;
	switch (ev->id) {
	case LS_EV_MEM_LOAD:
		v->value = (int64_t)ev->args[0];
		v->last_reader = ev->goid;
		v->loads++;
		break;
	case LS_EV_MEM_STORE:
		v->value = (int64_t)ev->args[0];
		v->last_writer = ev->goid;
		v->stores++;
		break;
	case LS_EV_ATOMIC_OP:
		v->value = (int64_t)ev->args[2];
		if (ev->args[0] == LS_ATOMIC_LOAD)
			v->last_reader = ev->goid;
		else
			v->last_writer = ev->goid;
		v->atomics++;
		break;
	}
}

/* ---- process-wide and kernel events ---- */

static void apply_panic(struct actx *a)
{
	struct ls_mpanic *p = &a->st->panic;

	if (p->happened)	/* the first death is the one that counts */
		return;
	p->happened = true;
	p->is_panic = a->ev->args[0] != 0;
	p->truncated = a->ev->flags & LS_RECF_STRTRUNC;
	ev_str(a->ev, p->msg);
	p->goid = a->ev->goid;
	p->ev = a->st->at;
	p->ts = a->ev->ts;
}

static void apply_main_exit(struct actx *a)
{
	struct ls_mexit *x = &a->st->exit;

	x->happened = true;
	x->status = (int64_t)a->ev->args[0];
	x->live = (uint32_t)a->ev->args[1];
	x->parked = (uint32_t)a->ev->args[2];
	x->goid = a->ev->goid;
	x->ev = a->st->at;
	x->ts = a->ev->ts;
}

static void apply_kernel(struct actx *a)
{
	const struct ls_event *ev = a->ev;
	uint32_t i = ls_umap_get(&a->st->tidmap, ev->tid);
	struct ls_mgoroutine *g = i == LS_UMAP_NONE ? NULL : &a->st->g[i];

	if (ev->id == LS_EV_TRACE_LOST) {
		a->st->lost += ev->args[0];
		return;
	}
	if (!g)
		return;
	switch (ev->id) {
	case LS_EV_SCHED_OFF:
		g->oncpu = false;
		break;
	case LS_EV_SCHED_ON:
		g->oncpu = true;
		break;
	case LS_EV_FUTEX_WAIT:
		g->in_futex = true;
		g->futex_addr = ev->obj;
		break;
	case LS_EV_FUTEX_WAIT_END:
		g->in_futex = false;
		break;
	}
}

int ls_model_event_kind(unsigned id)
{
	if (id >= LS_EV_MUTEX_STATE && id <= LS_EV_MUTEX_TRYFAIL)
		return LS_OBJ_MUTEX;
	if (id >= LS_EV_RW_RLOCK && id <= LS_EV_RW_TRYFAIL)
		return LS_OBJ_RWMUTEX;
	if (id >= LS_EV_WG_ADD && id <= LS_EV_WG_RELEASE)
		return LS_OBJ_WAITGROUP;
	if (id >= LS_EV_COND_WAIT && id <= LS_EV_COND_WAKE)
		return LS_OBJ_COND;
	if (id >= LS_EV_ONCE_BEGIN && id <= LS_EV_ONCE_SKIP)
		return LS_OBJ_ONCE;
	if ((id >= LS_EV_CHAN_MAKE && id <= LS_EV_CHAN_FREE) ||
	    id == LS_EV_SELECT_ENQUEUE)
		return LS_OBJ_CHAN;
	if (id == LS_EV_CTX_NEW || id == LS_EV_CTX_CANCEL)
		return LS_OBJ_CTX;
	if (id >= LS_EV_SEM_ACQUIRE && id <= LS_EV_SEM_CANCEL)
		return LS_OBJ_SEMAPHORE;
	if (id >= LS_EV_SF_LEADER && id <= LS_EV_SF_DONE)
		return LS_OBJ_SINGLEFLIGHT;
	if (id == LS_EV_EG_GO || id == LS_EV_EG_DONE)
		return LS_OBJ_ERRGROUP;
	if (id >= LS_EV_BARRIER_AWAIT && id <= LS_EV_BARRIER_BROKEN)
		return LS_OBJ_BARRIER;
	if (id >= LS_EV_POOL_PUT && id <= LS_EV_POOL_GC)
		return LS_OBJ_POOL;
	if (id == LS_EV_MAP_OP || id == LS_EV_MAP_PROMOTE)
		return LS_OBJ_MAP;
	if (id >= LS_EV_BATCH_PUT && id <= LS_EV_BATCH_DISPOSE)
		return LS_OBJ_BATCHER;
	if (id == LS_EV_TASK_SUBMIT || id == LS_EV_TASK_CLOSE)
		return LS_OBJ_TASKPOOL;
	if (id == LS_EV_BROKER_PUB || id == LS_EV_BROKER_SUB)
		return LS_OBJ_BROKER;
	if (id == LS_EV_CACHE_SET || id == LS_EV_CACHE_EVICT)
		return LS_OBJ_CACHE;
	return -1;
}

/*
 * Handlers may grow st->g or st->o (a new goroutine, a new object), so the
 * pointers are taken again from their indices: gi is the emitter's, and
 * a->o, when a handler set it, was taken after any growth.
 */
static void touch(struct actx *a, uint32_t gi)
{
	struct ls_mobject *o = a->o;
	const struct ls_event *ev = a->ev;

	a->g = gi < a->st->ng ? &a->st->g[gi] : NULL;

	if (o) {
		o->nevents++;
		o->last_ev = a->st->at;
		o->last_id = ev->id;
		o->last_goid = ev->goid;
		memcpy(o->last_args, ev->args, sizeof(o->last_args));
	}
	if (a->g) {
		a->g->nevents++;
		/*
		 * A name is not a step of the algorithm: Once.Do names the
		 * Once between its inner mutex's MUTEX_ACQUIRE and ONCE_BEGIN,
		 * and inner_mutex() must still see the acquire.
		 */
		if (ev->id != LS_EV_OBJ_NAME) {
			a->g->last_id = ev->id;
			a->g->last_obj = o ? oidx(a->st, o) : LS_NOIDX;
		}
	}
}

static void state_apply(struct ls_mstate *st, const struct ls_event *ev,
			uint64_t index)
{
	struct actx a = { .st = st, .ev = ev };
	int kind = ls_model_event_kind(ev->id);
	uint32_t gi;

	st->at = index;

	if (!st->nev)
		st->first_ts = ev->ts;
	st->last_ts = ev->ts;
	if (ev->goid && !(ev->flags & LS_EVF_KERNEL))
		a.g = g_get(st, ev->goid, ev->ts);
	gi = a.g ? gidx(st, a.g) : LS_NOIDX;
	/* SELECT_CHOSEN for default has no channel. */
	if (ev->id == LS_EV_SELECT_CHOSEN && ev->obj)
		kind = LS_OBJ_CHAN;
	if (kind >= 0) {
		a.o = obj_get(st, ev->obj, (unsigned)kind);
		if (!a.o) {
			st->unplaced++;
			goto out;
		}
		if (ls_umap_get(&st->amap, ev->obj) != oidx(st, a.o))
			ls_umap_put(&st->amap, ev->obj, oidx(st, a.o));
	}

	switch (ev->id) {
	case LS_EV_GO_CREATE:	apply_go_create(&a); break;
	case LS_EV_GO_START:	apply_go_start(&a); break;
	case LS_EV_GO_EXIT:	apply_go_exit(&a); break;
	case LS_EV_GO_NAME:	apply_go_name(&a); break;
	case LS_EV_GO_PARK:	apply_go_park(&a); break;
	case LS_EV_GO_READY:	apply_go_ready(&a); break;
	case LS_EV_GO_WAKE:	apply_go_wake(&a); break;
	case LS_EV_OBJ_NAME:	apply_obj_name(&a); break;
	case LS_EV_PANIC:	apply_panic(&a); break;
	case LS_EV_MAIN_EXIT:	apply_main_exit(&a); break;
	case LS_EV_MEM_LOAD:
	case LS_EV_MEM_STORE:
	case LS_EV_ATOMIC_OP:	apply_var(&a); break;
	case LS_EV_SELECT_BEGIN:
		break;
	case LS_EV_SELECT_CHOSEN:	/* the select is over, whichever case */
		if (a.g)
			select_done(st, a.g);
		break;
	default:
		if (ev->flags & (LS_EVF_KERNEL | LS_EVF_SYNTH) ||
		    ev->id >= LS_EV_SCHED_OFF) {
			apply_kernel(&a);
			break;
		}
		switch (kind) {
		case LS_OBJ_MUTEX:	apply_mutex(&a); break;
		case LS_OBJ_RWMUTEX:	apply_rw(&a); break;
		case LS_OBJ_WAITGROUP:	apply_wg(&a); break;
		case LS_OBJ_COND:	apply_cond(&a); break;
		case LS_OBJ_ONCE:	apply_once(&a); break;
		case LS_OBJ_CHAN:	apply_chan(&a); break;
		case -1:		st->unplaced++; break;
		default:		apply_xsync(&a); break;
		}
	}
out:
	touch(&a, gi);
	st->nev++;
}

/* ------------------------------------------------------------------ */
/* State copies                                                        */
/* ------------------------------------------------------------------ */

static void state_free(struct ls_mstate *st)
{
	for (uint32_t i = 0; i < st->no; i++)
		obj_free_bufs(&st->o[i]);
	for (uint32_t i = 0; i < st->ng; i++)
		free(st->g[i].sel.v);
	free(st->g);
	free(st->o);
	free(st->v);
	ls_umap_free(&st->gmap);
	ls_umap_free(&st->tidmap);
	ls_umap_free(&st->omap);
	ls_umap_free(&st->amap);
	ls_umap_free(&st->vmap);
	ls_umap_free(&st->usermap);
	memset(st, 0, sizeof(*st));
}

static int obj_copy(struct ls_mobject *d, const struct ls_mobject *s)
{
	struct ls_mqueue wq0 = d->wq[0], wq1 = d->wq[1], hold = d->hold, users = d->users;
	uint64_t *sv = d->slot_val;
	uint8_t *sf = d->slot_full;
	uint32_t dslots = d->nslots;

	*d = *s;
	d->wq[0] = wq0;
	d->wq[1] = wq1;
	d->hold = hold;
	d->users = users;
	if (dslots != s->nslots) {
		free(sv);
		free(sf);
		sv = s->nslots ? malloc((size_t)s->nslots * sizeof(*sv)) : NULL;
		sf = s->nslots ? malloc(s->nslots) : NULL;
	}
	d->slot_val = sv;
	d->slot_full = sf;
	d->nslots = sv && sf ? s->nslots : 0;
	if (d->nslots) {
		memcpy(sv, s->slot_val, (size_t)s->nslots * sizeof(*sv));
		memcpy(sf, s->slot_full, s->nslots);
	}
	if (q_copy(&d->wq[0], &s->wq[0]) || q_copy(&d->wq[1], &s->wq[1]) ||
	    q_copy(&d->hold, &s->hold) || q_copy(&d->users, &s->users) ||
	    d->nslots != s->nslots)
		return -ENOMEM;
	return 0;
}

/* Make dst equal to src, reusing dst's memory where it can. */
static int state_copy(struct ls_mstate *dst, const struct ls_mstate *src)
{
	struct ls_mstate keep;
	int err = 0;

	/* Allocate first: on failure dst is left as it was. */
	if (ls__grow((void **)&dst->g, &dst->capg, src->ng, sizeof(*dst->g)) ||
	    ls__grow((void **)&dst->o, &dst->capo, src->no, sizeof(*dst->o)) ||
	    ls__grow((void **)&dst->v, &dst->capv, src->nv, sizeof(*dst->v)))
		return -ENOMEM;
	for (uint32_t i = src->no; i < dst->no; i++)
		obj_free_bufs(&dst->o[i]);
	for (uint32_t i = dst->no; i < src->no; i++)
		memset(&dst->o[i], 0, sizeof(dst->o[i]));
	for (uint32_t i = src->ng; i < dst->ng; i++)
		free(dst->g[i].sel.v);
	for (uint32_t i = dst->ng; i < src->ng; i++)
		memset(&dst->g[i], 0, sizeof(dst->g[i]));

	for (uint32_t i = 0; i < src->ng; i++) {
		struct ls_midxv sel = dst->g[i].sel;

		dst->g[i] = src->g[i];
		dst->g[i].sel = sel;
		if (idx_copy(&dst->g[i].sel, &src->g[i].sel))
			err = -ENOMEM;
	}
	for (uint32_t i = 0; i < src->no; i++)
		if (obj_copy(&dst->o[i], &src->o[i]))
			err = -ENOMEM;
	if (src->nv)
		memcpy(dst->v, src->v, (size_t)src->nv * sizeof(*dst->v));
	if (ls_umap_copy(&dst->gmap, &src->gmap) ||
	    ls_umap_copy(&dst->tidmap, &src->tidmap) ||
	    ls_umap_copy(&dst->omap, &src->omap) ||
	    ls_umap_copy(&dst->amap, &src->amap) ||
	    ls_umap_copy(&dst->vmap, &src->vmap) ||
	    ls_umap_copy(&dst->usermap, &src->usermap))
		err = -ENOMEM;

	/* The scalars; the arrays and maps stay dst's own. */
	keep = *dst;
	*dst = *src;
	dst->g = keep.g;
	dst->capg = keep.capg;
	dst->o = keep.o;
	dst->capo = keep.capo;
	dst->v = keep.v;
	dst->capv = keep.capv;
	dst->gmap = keep.gmap;
	dst->tidmap = keep.tidmap;
	dst->omap = keep.omap;
	dst->amap = keep.amap;
	dst->vmap = keep.vmap;
	dst->usermap = keep.usermap;
	return err;
}

static size_t state_bytes(const struct ls_mstate *st)
{
	size_t n = sizeof(*st);

	n += (size_t)st->capg * sizeof(*st->g) + (size_t)st->capo * sizeof(*st->o) +
	     (size_t)st->capv * sizeof(*st->v);
	for (uint32_t i = 0; i < st->no; i++) {
		const struct ls_mobject *o = &st->o[i];

		n += (size_t)(o->wq[0].cap + o->wq[1].cap + o->hold.cap + o->users.cap) *
		     sizeof(struct ls_mwaiter);
		n += (size_t)o->nslots * (sizeof(*o->slot_val) + 1);
	}
	n += ls_umap_bytes(&st->gmap) + ls_umap_bytes(&st->tidmap) +
	     ls_umap_bytes(&st->omap) + ls_umap_bytes(&st->amap) +
	     ls_umap_bytes(&st->vmap) + ls_umap_bytes(&st->usermap);
	return n;
}

/* ------------------------------------------------------------------ */
/* The model: timeline, snapshots, seek                                */
/* ------------------------------------------------------------------ */

struct ls_model *ls_model_new(const struct ls_model_opts *opts)
{
	struct ls_model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->follow = true;
	m->every = opts && opts->snapshot_every ? opts->snapshot_every
						: DEFAULT_SNAPSHOT_EVERY;
	m->max_snaps = opts && opts->max_snapshots ? opts->max_snapshots
						   : DEFAULT_MAX_SNAPSHOTS;
	if (m->max_snaps < 2)
		m->max_snaps = 2;
	m->no_timeline = opts && opts->no_timeline;
	return m;
}

void ls_model_free(struct ls_model *m)
{
	if (!m)
		return;
	state_free(&m->cur);
	for (uint32_t i = 0; i < m->nsnaps; i++)
		state_free(&m->snaps[i].st);
	free(m->snaps);
	for (uint32_t i = 0; i < m->nchunks; i++)
		free(m->chunks[i]);
	free(m->chunks);
	free(m);
}

uint64_t ls_model_count(const struct ls_model *m)
{
	return m->no_timeline ? m->cur.nev : m->count;
}

uint64_t ls_model_pos(const struct ls_model *m)
{
	return m->cur.nev;
}

const struct ls_mstate *ls_model_state(const struct ls_model *m)
{
	return &m->cur;
}

uint32_t ls_model_snapshot_every(const struct ls_model *m)
{
	return m->every;
}

const struct ls_event *ls_model_event(const struct ls_model *m, uint64_t k)
{
	if (m->no_timeline || k >= m->count)
		return NULL;
	return &m->chunks[k >> CHUNK_SHIFT][k & (CHUNK_EVENTS - 1)];
}

void ls_model_set_follow(struct ls_model *m, bool follow)
{
	m->follow = follow;
}

size_t ls_model_mem(const struct ls_model *m)
{
	size_t n = (size_t)m->nchunks * CHUNK_EVENTS * sizeof(struct ls_event);

	for (uint32_t i = 0; i < m->nsnaps; i++)
		n += state_bytes(&m->snaps[i].st);
	return n;
}

/*
 * Too many snapshots: keep every other one and double the interval.  The
 * survivors are exactly those a model with the doubled interval would
 * have taken, so positions stay multiples of the interval.
 */
static void thin_snapshots(struct ls_model *m)
{
	uint32_t j = 0;

	m->every *= 2;
	for (uint32_t i = 0; i < m->nsnaps; i++) {
		if (m->snaps[i].pos % m->every == 0)
			m->snaps[j++] = m->snaps[i];
		else
			state_free(&m->snaps[i].st);
	}
	m->nsnaps = j;
}

static void maybe_snapshot(struct ls_model *m)
{
	uint64_t pos = m->cur.nev;
	struct msnap *s;

	if (m->no_timeline || pos % m->every)
		return;
	if (m->nsnaps && m->snaps[m->nsnaps - 1].pos >= pos)
		return;		/* already have it (seeking forward again) */
	if (m->nsnaps == m->max_snaps) {
		thin_snapshots(m);
		if (pos % m->every)
			return;
	}
	if (!m->snaps) {
		m->snaps = calloc(m->max_snaps, sizeof(*m->snaps));
		if (!m->snaps)
			return;
	}
	s = &m->snaps[m->nsnaps];
	memset(s, 0, sizeof(*s));
	if (state_copy(&s->st, &m->cur)) {
		state_free(&s->st);
		return;		/* no snapshot: seeking is only slower */
	}
	s->pos = pos;
	m->nsnaps++;
}

static void apply_one(struct ls_model *m, const struct ls_event *ev)
{
	state_apply(&m->cur, ev, m->cur.nev);
	maybe_snapshot(m);
}

static int timeline_append(struct ls_model *m, const struct ls_event *ev)
{
	uint32_t c = (uint32_t)(m->count >> CHUNK_SHIFT);

	if (c == m->nchunks) {
		if (ls__grow((void **)&m->chunks, &m->capchunks, c + 1, sizeof(*m->chunks)))
			return -ENOMEM;
		m->chunks[c] = malloc(CHUNK_EVENTS * sizeof(struct ls_event));
		if (!m->chunks[c])
			return -ENOMEM;
		m->nchunks++;
	}
	m->chunks[c][m->count & (CHUNK_EVENTS - 1)] = *ev;
	m->count++;
	return 0;
}

int ls_model_push(struct ls_model *m, const struct ls_event *ev)
{
	bool at_end = m->cur.nev == m->count;
	int err;

	if (m->no_timeline) {
		state_apply(&m->cur, ev, m->cur.nev);
		return 0;
	}
	err = timeline_append(m, ev);
	if (err)
		return err;
	if (m->follow && at_end)
		apply_one(m, ev);
	return 0;
}

int ls_model_apply_as(struct ls_model *m, const struct ls_event *ev, uint64_t index)
{
	if (!m->no_timeline)
		return -ENOTSUP;
	state_apply(&m->cur, ev, index);
	return 0;
}

int ls_model_seek(struct ls_model *m, uint64_t k)
{
	uint64_t pos = m->cur.nev;

	if (m->no_timeline)
		return -ENOTSUP;
	if (k > m->count)
		return -ERANGE;
	/* Restore only if that saves work: going back, or far forward. */
	if (k < pos || k - pos > m->every) {
		uint32_t lo = 0, hi = m->nsnaps;
		int err;

		while (lo < hi) {	/* first snapshot with pos > k */
			uint32_t mid = (lo + hi) / 2;

			if (m->snaps[mid].pos <= k)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == 0) {
			if (k < pos) {
				state_free(&m->cur);
				pos = 0;
			}
		} else if (k < pos || m->snaps[lo - 1].pos > pos) {
			err = state_copy(&m->cur, &m->snaps[lo - 1].st);
			if (err) {
				state_free(&m->cur);
				return err;
			}
			pos = m->cur.nev;
		}
	}
	while (pos < k) {
		apply_one(m, ls_model_event(m, pos));
		pos++;
	}
	return 0;
}
