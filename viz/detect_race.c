// SPDX-License-Identifier: MIT
/*
 * detect_race.c - data races: happens-before by vector clocks over the
 * instrumented accesses (MEM_LOAD, MEM_STORE), FastTrack style.
 *
 * Each goroutine has a clock; each synchronising object a clock its
 * releases leave and its acquires take:
 *
 *	goroutine create -> start	child starts with the parent's clock
 *	GO_READY -> the readied one	it resumes with the waker's clock
 *	Mutex: Unlock -> next Lock	MUTEX_UNLOCK releases, MUTEX_ACQUIRE acquires
 *	RWMutex: Unlock -> Lock/RLock,	RW_UNLOCK releases "w", RW_RUNLOCK
 *	  RUnlock -> Lock		releases "r"; RW_RACQUIRE takes w,
 *					RW_WACQUIRE takes w and r
 *	channel: k-th send -> k-th	one clock per ring slot, taken and left
 *	  receive, k-th receive ->	by every send and receive on it (what
 *	  (k+cap)-th send		Go's race detector does); a direct
 *					handoff joins the two goroutines both ways
 *	close -> a receive that		CHAN_CLOSE releases, CHAN_RECV with how
 *	  observed it			CLOSED acquires
 *	WaitGroup: Add, Done -> Wait	WG_ADD releases (merge),
 *					the waiter's GO_WAKE (or a WG_WAIT that
 *					found the counter at 0) acquires
 *	Cond: Signal/Broadcast -> wake	COND_SIGNAL / BROADCAST release,
 *					COND_WAKE acquires
 *	Once: f returned -> later Do	ONCE_DONE releases; later callers
 *					acquire through the Once's mutex, or
 *					with ONCE_SKIP on the fast path
 *	atomics				every ATOMIC_OP acquires and releases
 *					the address (sequentially consistent)
 *	x/sync semaphore, barrier	Release -> Acquire, arrivals -> trip
 *
 * Releases merge into the object's clock (race.ReleaseMerge): they can only
 * add orderings, never lose one.  After each release the releaser's own
 * entry moves on, so its later accesses are not covered by it.
 *
 * An access by t is ordered after an earlier access by u at u's time c iff
 * c <= C(t)[u].  A write checks the last write and every read since; a read
 * checks the last write.  The first race on a variable becomes a finding
 * (both accesses: events, goroutines, values); later ones only count.
 */
#include <stdlib.h>
#include <string.h>

#include "detect_priv.h"

#define CHAN_MAX_SLOT_CLOCKS	1024

static struct ls_vclock *sync_clock(struct ls_detect *d, uint64_t addr, unsigned kind,
				    unsigned sub)
{
	uint64_t key = (addr & 0x000fffffffffffffULL) | ((uint64_t)kind << 56) |
		       ((uint64_t)sub << 52);
	uint32_t i = ls_umap_get(&d->syncmap, key);

	if (i != LS_UMAP_NONE)
		return &d->sync[i];
	if (ls__grow((void **)&d->sync, &d->capsync, d->nsync + 1, sizeof(*d->sync)) ||
	    ls_umap_put(&d->syncmap, key, d->nsync))
		return NULL;
	memset(&d->sync[d->nsync], 0, sizeof(d->sync[0]));
	return &d->sync[d->nsync++];
}

/* The clock of goroutine goid (created with its own entry at 1). */
static struct ls_vclock *gclock(struct ls_detect *d, uint64_t goid, uint32_t *idx)
{
	uint32_t i = ls__dgo_idx(d, goid);

	if (i == LS_NOIDX)
		return NULL;
	if (idx)
		*idx = i;
	return &d->g[i].vc;
}

static void acquire(struct ls_detect *d, uint64_t goid, const struct ls_vclock *s)
{
	struct ls_vclock *c = gclock(d, goid, NULL);

	if (c && s)
		ls_vc_join(c, s);
}

static void release(struct ls_detect *d, uint64_t goid, struct ls_vclock *s)
{
	uint32_t t;
	struct ls_vclock *c = gclock(d, goid, &t);

	if (!c || !s)
		return;
	ls_vc_join(s, c);
	ls_vc_tick(c, t);
}

/* Both goroutines leave with the join of their clocks. */
static void pair(struct ls_detect *d, uint64_t a, uint64_t b)
{
	uint32_t ta, tb;
	struct ls_vclock *ca = gclock(d, a, &ta), *cb;

	if (!ca || !b || a == b)
		return;
	cb = gclock(d, b, &tb);
	ca = &d->g[ta].vc;	/* gclock may have moved d->g */
	if (!cb)
		return;
	ls_vc_join(ca, cb);
	ls_vc_join(cb, ca);
	ls_vc_tick(ca, ta);
}

void ls__race_release_for(struct ls_detect *d, uint64_t goid, uint64_t obj,
			  unsigned kind, unsigned sub)
{
	if (!d->opts.no_race)
		release(d, goid, sync_clock(d, obj, kind, sub));
}

/* ---- channels ---- */

static struct dchan *dchan_get(struct ls_detect *d, uint64_t addr)
{
	uint32_t i = ls_umap_get(&d->chmap, addr);

	if (i != LS_UMAP_NONE)
		return &d->ch[i];
	if (ls__grow((void **)&d->ch, &d->capch, d->nch + 1, sizeof(*d->ch)) ||
	    ls_umap_put(&d->chmap, addr, d->nch))
		return NULL;
	memset(&d->ch[d->nch], 0, sizeof(d->ch[0]));
	return &d->ch[d->nch++];
}

static void dchan_reset(struct dchan *c, uint64_t cap)
{
	for (uint32_t i = 0; i < c->nslots; i++)
		ls_vc_free(&c->slot[i]);
	free(c->slot);
	ls_vc_free(&c->close);
	/* Slots beyond the limit share clocks: more order, never less. */
	c->nslots = cap < CHAN_MAX_SLOT_CLOCKS ? (uint32_t)cap : CHAN_MAX_SLOT_CLOCKS;
	c->slot = c->nslots ? calloc(c->nslots, sizeof(*c->slot)) : NULL;
	if (!c->slot)
		c->nslots = 0;
}

static struct ls_vclock *slot_clock(struct dchan *c, int64_t slot)
{
	if (slot < 0 || !c->nslots)
		return NULL;
	return &c->slot[(uint64_t)slot % c->nslots];
}

/* A buffered transfer through one slot: take its clock, leave ours. */
static void slot_xfer(struct ls_detect *d, uint64_t goid, struct ls_vclock *s)
{
	acquire(d, goid, s);
	release(d, goid, s);
}

static void race_chan(struct ls_detect *d, const struct ls_event *ev)
{
	const struct ls_mobject *o = ls_mstate_object(d->st, ev->obj, LS_OBJ_CHAN);
	struct dchan *c = dchan_get(d, ev->obj);
	const struct ls_mchan *ch;
	struct ls_vclock *s;

	if (!o || !c)
		return;
	ch = &o->u.ch;
	switch (ev->id) {
	case LS_EV_CHAN_MAKE:
		dchan_reset(c, ch->cap);
		return;
	case LS_EV_CHAN_CLOSE:
		release(d, ev->goid, &c->close);
		return;
	case LS_EV_CHAN_SEND:
	case LS_EV_CHAN_RECV:
		break;
	default:
		return;
	}
	if (!c->slot && ch->cap)
		dchan_reset(c, ch->cap);	/* made before we were listening */
	switch (ev->args[0]) {
	case LS_CHAN_BUFFERED:
		s = slot_clock(c, ch->last_slot);
		if (s)
			slot_xfer(d, ev->goid, s);
		break;
	case LS_CHAN_BUF_REFILL:
		/* take the oldest value, then the parked sender's fills the slot */
		s = slot_clock(c, ch->last_slot);
		if (s) {
			acquire(d, ev->goid, s);
			if (ch->last_peer) {
				struct ls_vclock *pc = gclock(d, ch->last_peer, NULL);

				if (pc)
					ls_vc_join(s, pc);
			}
			release(d, ev->goid, s);
		}
		break;
	case LS_CHAN_DIRECT:
		pair(d, ev->goid, ch->last_peer);
		break;
	case LS_CHAN_CLOSED:
		acquire(d, ev->goid, &c->close);
		break;
	}
}

/* ---- accesses ---- */

static void fill_access(struct ls_detect *d, uint32_t g, uint64_t ev, bool write,
			int64_t val, struct ls_faccess *out)
{
	ls__fgo(d->st, d->g[g].goid, &out->g);
	out->ev = ev;
	out->write = write;
	out->value = val;
}

static void report(struct ls_detect *d, struct dvar *v, const struct ls_event *ev,
		   uint64_t idx, uint32_t pg, uint64_t pev, bool pwrite, int64_t pval,
		   uint32_t t, bool write)
{
	const struct ls_mvar *mv;
	struct ls_finding *f;

	if (v->finding != LS_NOIDX) {
		d->f[v->finding].u.race.more++;
		return;
	}
	f = ls__add_finding(d, LS_FIND_RACE, idx, ev->ts);
	if (!f)
		return;
	v->finding = (uint32_t)(f - d->f);
	mv = ls_mstate_var(d->st, v->addr);
	f->u.race.var.addr = v->addr;
	f->u.race.var.kind = LS_OBJ_VAR;
	if (mv)
		memcpy(f->u.race.var.name, mv->name, sizeof(f->u.race.var.name));
	fill_access(d, pg, pev, pwrite, pval, &f->u.race.first);
	fill_access(d, t, idx, write, (int64_t)ev->args[0], &f->u.race.second);
}

static void access(struct ls_detect *d, const struct ls_event *ev, uint64_t idx,
		   bool write)
{
	struct dvar *v = ls__dvar(d, ev->obj);
	int64_t val = (int64_t)ev->args[0];
	struct ls_vclock *c;
	uint32_t t, clk;

	c = gclock(d, ev->goid, &t);
	if (!v || !c)
		return;
	clk = ls_vc_get(c, t);
	if (v->has_write && v->wg != t && v->wclk > ls_vc_get(c, v->wg)) {
		report(d, v, ev, idx, v->wg, v->wev, true, v->wval, t, write);
	} else if (write) {
		for (uint32_t k = 0; k < v->nr; k++) {
			const struct dread *r = &v->r[k];

			if (r->g != t && r->clk > ls_vc_get(c, r->g)) {
				report(d, v, ev, idx, r->g, r->ev, false, r->val, t, true);
				break;
			}
		}
	}
	if (write) {
		v->has_write = true;
		v->wg = t;
		v->wclk = clk;
		v->wev = idx;
		v->wval = val;
		v->nr = 0;
		return;
	}
	for (uint32_t k = 0; k < v->nr; k++) {
		if (v->r[k].g == t) {
			v->r[k] = (struct dread){ t, clk, idx, val };
			return;
		}
	}
	if (ls__grow((void **)&v->r, &v->capr, v->nr + 1, sizeof(*v->r)))
		return;
	v->r[v->nr++] = (struct dread){ t, clk, idx, val };
}

/* ---- the dispatcher ---- */

/* to goes on with from's clock (a child its parent's, the readied its waker's). */
static void inherit(struct ls_detect *d, uint64_t from, uint64_t to)
{
	uint32_t p;
	struct ls_vclock *pc = gclock(d, from, &p), *cc;

	cc = gclock(d, to, NULL);
	if (!pc || !cc)
		return;
	pc = &d->g[p].vc;	/* gclock may have moved d->g */
	ls_vc_join(cc, pc);
	ls_vc_tick(pc, p);
}

static void race_goroutines(struct ls_detect *d, const struct ls_event *ev)
{
	switch (ev->id) {
	case LS_EV_GO_CREATE:
		/* a parent of 0: main or a thread registered lazily */
		if (ev->args[0])
			inherit(d, ev->args[0], ev->obj);
		return;
	case LS_EV_GO_READY:
		inherit(d, ev->goid, ev->args[0]);
		return;
	case LS_EV_GO_WAKE:
		/* the waiter of a WaitGroup takes every Done's clock */
		if (ev->args[0] == LS_WAIT_WG_WAIT)
			acquire(d, ev->goid, sync_clock(d, ev->obj, LS_OBJ_WAITGROUP, 0));
		return;
	}
}

/*
 * The edges of the table at the top that are one release into, or one
 * acquire from, a clock of the event's object; the others are in
 * ls__race_event's switch.  An unlock releases only if its release did not
 * already happen early (d->late, see detect.c).
 */
enum { HB_NONE, HB_ACQUIRE, HB_RELEASE, HB_UNLOCK };

static const struct hb_edge {
	unsigned char	op, kind, sub;
} hb_edges[LS_EV__COUNT] = {
	[LS_EV_MUTEX_UNLOCK]	= { HB_UNLOCK, LS_OBJ_MUTEX, 0 },
	[LS_EV_MUTEX_ACQUIRE]	= { HB_ACQUIRE, LS_OBJ_MUTEX, 0 },
	[LS_EV_RW_UNLOCK]	= { HB_UNLOCK, LS_OBJ_RWMUTEX, 0 },
	[LS_EV_RW_RUNLOCK]	= { HB_UNLOCK, LS_OBJ_RWMUTEX, LS_SUB_RW_READERS },
	[LS_EV_RW_RACQUIRE]	= { HB_ACQUIRE, LS_OBJ_RWMUTEX, 0 },
	/* Go releases on Done only; Add too can only add orderings */
	[LS_EV_WG_ADD]		= { HB_RELEASE, LS_OBJ_WAITGROUP, 0 },
	[LS_EV_COND_SIGNAL]	= { HB_RELEASE, LS_OBJ_COND, 0 },
	[LS_EV_COND_BROADCAST]	= { HB_RELEASE, LS_OBJ_COND, 0 },
	[LS_EV_COND_WAKE]	= { HB_ACQUIRE, LS_OBJ_COND, 0 },
	[LS_EV_ONCE_DONE]	= { HB_RELEASE, LS_OBJ_ONCE, 0 },
	/* Do's fast path: the load of done pairs with ONCE_DONE's store */
	[LS_EV_ONCE_SKIP]	= { HB_ACQUIRE, LS_OBJ_ONCE, 0 },
	[LS_EV_SEM_RELEASE]	= { HB_RELEASE, LS_OBJ_SEMAPHORE, 0 },
	[LS_EV_SEM_ACQUIRE]	= { HB_ACQUIRE, LS_OBJ_SEMAPHORE, 0 },
	[LS_EV_BARRIER_AWAIT]	= { HB_RELEASE, LS_OBJ_BARRIER, 0 },
	[LS_EV_BARRIER_TRIP]	= { HB_ACQUIRE, LS_OBJ_BARRIER, 0 },
};

void ls__race_event(struct ls_detect *d, const struct ls_event *ev, uint64_t idx)
{
	const struct hb_edge *edge;
	uint64_t me = ev->goid;

	/*
	 * Kernel records have no goroutine.  Registering the emitter first
	 * means the clock pointers taken below are not moved by a later one.
	 */
	if ((ev->flags & LS_EVF_KERNEL) || ev->id >= LS_EV_SCHED_OFF || !ls__dgo(d, me))
		return;
	edge = &hb_edges[ev->id];
	if (edge->op == HB_ACQUIRE) {
		acquire(d, me, sync_clock(d, ev->obj, edge->kind, edge->sub));
		return;
	}
	if (edge->op == HB_RELEASE || (edge->op == HB_UNLOCK && !d->late)) {
		release(d, me, sync_clock(d, ev->obj, edge->kind, edge->sub));
		return;
	}
	switch (ev->id) {
	case LS_EV_GO_CREATE:
	case LS_EV_GO_READY:
	case LS_EV_GO_WAKE:
		race_goroutines(d, ev);
		break;
	case LS_EV_RW_WACQUIRE:
		acquire(d, me, sync_clock(d, ev->obj, LS_OBJ_RWMUTEX, 0));
		acquire(d, me, sync_clock(d, ev->obj, LS_OBJ_RWMUTEX, LS_SUB_RW_READERS));
		break;
	case LS_EV_WG_WAIT:
		if ((int32_t)ev->args[0] == 0)	/* returned at once */
			acquire(d, me, sync_clock(d, ev->obj, LS_OBJ_WAITGROUP, 0));
		break;
	case LS_EV_ATOMIC_OP: {
		struct dvar *v = ls__dvar(d, ev->obj);

		if (v) {
			acquire(d, me, &v->sync);
			release(d, me, &v->sync);
		}
		break;
	}
	case LS_EV_CHAN_MAKE:
	case LS_EV_CHAN_SEND:
	case LS_EV_CHAN_RECV:
	case LS_EV_CHAN_CLOSE:
		race_chan(d, ev);
		break;
	case LS_EV_MEM_LOAD:
		access(d, ev, idx, false);
		break;
	case LS_EV_MEM_STORE:
		access(d, ev, idx, true);
		break;
	}
}

void ls__race_free(struct ls_detect *d)
{
	for (uint32_t i = 0; i < d->nsync; i++)
		ls_vc_free(&d->sync[i]);
	free(d->sync);
	ls_umap_free(&d->syncmap);
	for (uint32_t i = 0; i < d->nch; i++) {
		for (uint32_t k = 0; k < d->ch[i].nslots; k++)
			ls_vc_free(&d->ch[i].slot[k]);
		free(d->ch[i].slot);
		ls_vc_free(&d->ch[i].close);
	}
	free(d->ch);
	ls_umap_free(&d->chmap);
	for (uint32_t i = 0; i < d->nv; i++) {
		free(d->v[i].r);
		ls_vc_free(&d->v[i].sync);
	}
	free(d->v);
	ls_umap_free(&d->vmap);
}
