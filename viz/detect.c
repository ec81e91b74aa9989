// SPDX-License-Identifier: MIT
/*
 * detect.c - the one-pass detector: feeding, the reorder stage, and the
 * checks made when the program dies (PANIC), when main returns (MAIN_EXIT)
 * and at the end of the stream.
 *
 * Late releases.  A primitive emits its event just after the atomic
 * operation it reports, so a release can reach the stream after the
 * acquire it enabled: G1 unlocks (atomic add), G2 locks (CAS) and emits
 * MUTEX_ACQUIRE, and only then does G1 emit MUTEX_UNLOCK, maybe much later
 * if G1 was preempted in between.  Taken in stream order, G2's critical
 * section would look unordered with G1's and the race detector would cry
 * wolf.  But mutual exclusion proves that G1's unlock has happened, and
 * every event G1 emitted before it is already in the stream: so the
 * detectors perform G1's release right there, on G1's behalf, and
 * remember that G1 owes an unlock event, which is skipped when it comes.
 * The same holds for an RWMutex: a reader acquiring while a writer still
 * looks active, a writer acquiring while readers still look inside.
 *
 * The reorder stage covers what a late release cannot.  Before an event
 * reaches the model and the detectors it must be *ready*:
 *
 *	MUTEX_ACQUIRE,	the goroutine whose release is done early has no
 *	RW_*ACQUIRE	held-back events itself (its clock is complete)
 *	GO_WAKE		the goroutine was readied (GO_READY seen); for a
 *			WaitGroup waiter, the counter reached zero since it
 *			parked (the Done events of others may be late)
 *	ATOMIC_OP	the value it found is the last value written (the
 *			write it read from has been seen)
 *	GO_READY	the readied goroutine's own earlier events are in
 *	chan events	no earlier event on the same channel is held back
 *			(channel events are emitted under the channel lock,
 *			so their stream order is the true order)
 *	PANIC,
 *	MAIN_EXIT	nothing earlier is held back
 *
 * An event that is not ready is held back with every later event of the
 * same goroutine (program order is kept); held events are released, oldest
 * first, as soon as they are ready.  If the missing event never comes (lost
 * records, a tracer attached late), a held event is forced through after
 * REORDER_WINDOW more events, or at the end.  With nothing held back, an
 * event costs one switch.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "detect_priv.h"

#define DEFAULT_MAX_FINDINGS	256
#define REORDER_WINDOW		65536
#define REORDER_MAX_PENDING	(1 << 20)

/* ------------------------------------------------------------------ */
/* Shared by the detector files                                       */
/* ------------------------------------------------------------------ */

uint32_t ls__dgo_idx(struct ls_detect *d, uint64_t goid)
{
	uint32_t i = ls_umap_get(&d->gmap, goid);
	struct dgo *g;

	if (i != LS_UMAP_NONE)
		return i;
	if (ls__grow((void **)&d->g, &d->capg, d->ng + 1, sizeof(*d->g)) ||
	    ls_umap_put(&d->gmap, goid, d->ng))
		return LS_NOIDX;
	g = &d->g[d->ng];
	memset(g, 0, sizeof(*g));
	g->goid = goid;
	/* Own time starts at 1: epoch 0 means "no access yet". */
	if (ls_vc_set(&g->vc, d->ng, 1))
		return LS_NOIDX;
	return d->ng++;
}

struct dgo *ls__dgo(struct ls_detect *d, uint64_t goid)
{
	uint32_t i = ls__dgo_idx(d, goid);

	return i == LS_NOIDX ? NULL : &d->g[i];
}

struct dvar *ls__dvar(struct ls_detect *d, uint64_t addr)
{
	uint32_t i = ls_umap_get(&d->vmap, addr);
	struct dvar *v;

	if (i != LS_UMAP_NONE)
		return &d->v[i];
	if (ls__grow((void **)&d->v, &d->capv, d->nv + 1, sizeof(*d->v)) ||
	    ls_umap_put(&d->vmap, addr, d->nv))
		return NULL;
	v = &d->v[d->nv++];
	memset(v, 0, sizeof(*v));
	v->addr = addr;
	v->finding = LS_NOIDX;
	return v;
}

/* A finding that counts for the verdict but is not kept. */
static void drop_finding(struct ls_detect *d, unsigned kind)
{
	d->kinds |= 1u << kind;
	d->dropped++;
}

struct ls_finding *ls__add_finding(struct ls_detect *d, unsigned kind, uint64_t ev,
				   uint64_t ts)
{
	struct ls_finding *f;

	if (d->nf == d->maxf) {
		drop_finding(d, kind);
		return NULL;
	}
	d->kinds |= 1u << kind;
	f = &d->f[d->nf++];
	memset(f, 0, sizeof(*f));
	f->kind = (uint8_t)kind;
	f->ev = ev;
	f->ts = ts;
	return f;
}

void ls__fgo(const struct ls_mstate *st, uint64_t goid, struct ls_fgo *out)
{
	out->goid = goid;
	ls_mstate_goname(st, goid, out->name, sizeof(out->name));
}

void ls__fobj(const struct ls_mobject *o, struct ls_fobj *out)
{
	memset(out, 0, sizeof(*out));
	if (!o)
		return;
	out->addr = o->addr;
	out->kind = o->kind;
	memcpy(out->name, o->name, sizeof(out->name));
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                          */
/* ------------------------------------------------------------------ */

struct ls_detect *ls_detect_new(const struct ls_detect_opts *opts)
{
	struct ls_model_opts mo = { .no_timeline = true };
	struct ls_detect *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	if (opts)
		d->opts = *opts;
	d->maxf = d->opts.max_findings ? d->opts.max_findings : DEFAULT_MAX_FINDINGS;
	d->f = calloc(d->maxf, sizeof(*d->f));
	d->model = ls_model_new(&mo);
	if (!d->f || !d->model) {
		ls_detect_free(d);
		return NULL;
	}
	d->st = ls_model_state(d->model);
	return d;
}

void ls_detect_free(struct ls_detect *d)
{
	if (!d)
		return;
	ls__race_free(d);
	ls__lockorder_free(d);
	for (uint32_t i = 0; i < d->ng; i++) {
		ls_vc_free(&d->g[i].vc);
		free(d->g[i].held);
		free(d->g[i].owed);
		free(d->g[i].pq);
	}
	free(d->g);
	free(d->blocked);
	for (uint32_t i = 0; i < d->nchq; i++)
		free(d->chq[i].v);
	free(d->chq);
	ls_umap_free(&d->chqmap);
	ls_umap_free(&d->gmap);
	ls_model_free(d->model);
	free(d->f);
	free(d);
}

size_t ls_detect_count(const struct ls_detect *d)
{
	return d->nf;
}

const struct ls_finding *ls_detect_finding(const struct ls_detect *d, size_t i)
{
	return i < d->nf ? &d->f[i] : NULL;
}

uint64_t ls_detect_dropped(const struct ls_detect *d)
{
	return d->dropped;
}

uint64_t ls_detect_events(const struct ls_detect *d)
{
	return d->nin;
}

const struct ls_mstate *ls_detect_state(const struct ls_detect *d)
{
	return d->st;
}

/* ------------------------------------------------------------------ */
/* End-of-run checks                                                   */
/* ------------------------------------------------------------------ */

static bool in_cycle(const struct ls_detect *d, uint64_t goid)
{
	for (uint32_t i = 0; i < d->nf; i++) {
		const struct ls_finding *f = &d->f[i];

		if (f->kind != LS_FIND_CYCLE)
			continue;
		for (uint32_t k = 0; k < f->u.waits.n; k++)
			if (f->u.waits.w[k].g.goid == goid)
				return true;
	}
	return false;
}

#define MAX_DEADLOCK_FINDINGS	64

/* Wait-for cycles and all-asleep at this point; true if any was found. */
static bool check_deadlock(struct ls_detect *d, uint64_t ev, uint64_t ts)
{
	struct ls_finding *tmp = malloc(MAX_DEADLOCK_FINDINGS * sizeof(*tmp));
	size_t n;

	if (!tmp)
		return false;
	n = ls_detect_waitfor(d->st, tmp, MAX_DEADLOCK_FINDINGS, ev);
	for (size_t i = 0; i < n; i++) {
		struct ls_finding *f;

		if (i >= MAX_DEADLOCK_FINDINGS) {
			drop_finding(d, LS_FIND_CYCLE);	/* counted, not listed */
			continue;
		}
		f = ls__add_finding(d, tmp[i].kind, ev, ts);
		if (f) {
			*f = tmp[i];
			f->ts = ts;
		}
	}
	free(tmp);
	return n > 0;
}

static void check_leaks(struct ls_detect *d, uint64_t ev, uint64_t ts, bool skip_main)
{
	const struct ls_mstate *st = d->st;
	struct ls_finding tmp;

	for (uint32_t i = 0; i < st->ng; i++) {
		const struct ls_mgoroutine *g = &st->g[i];
		struct ls_finding *f;

		if (skip_main && g->goid == 1)
			continue;
		if (in_cycle(d, g->goid))
			continue;
		if (!ls__leak_finding(st, g, &tmp, ev))
			continue;
		f = ls__add_finding(d, LS_FIND_LEAK, ev, ts);
		if (f) {
			*f = tmp;
			f->ts = ts;
		}
	}
}

static bool deadlock_message(const char *msg)
{
	/* The record holds 31 bytes: match on what always fits. */
	return !strncmp(msg, "all goroutines are asleep", 25) ||
	       !strncmp(msg, "no goroutines (main called", 26);
}

static void on_panic(struct ls_detect *d, const struct ls_event *ev, uint64_t idx)
{
	const struct ls_mpanic *p = &d->st->panic;
	struct ls_finding *f;

	if (d->ended)
		return;
	d->ended = true;
	if (deadlock_message(p->msg)) {
		/* The runtime saw everyone asleep: say who waits for whom. */
		check_deadlock(d, idx, ev->ts);
		if (!(d->kinds & (1u << LS_FIND_ALL_ASLEEP))) {
			f = ls__add_finding(d, LS_FIND_ALL_ASLEEP, idx, ev->ts);
			if (f)
				ls__asleep_list(d->st, &f->u.waits);
		}
		return;
	}
	f = ls__add_finding(d, LS_FIND_PANIC, idx, ev->ts);
	if (!f)
		return;
	f->u.panic.is_panic = p->is_panic;
	f->u.panic.truncated = p->truncated;
	memcpy(f->u.panic.msg, p->msg, sizeof(f->u.panic.msg));
	ls__fgo(d->st, p->goid, &f->u.panic.g);
}

static void on_main_exit(struct ls_detect *d, const struct ls_event *ev, uint64_t idx)
{
	if (d->ended)
		return;
	d->ended = true;
	check_deadlock(d, idx, ev->ts);
	check_leaks(d, idx, ev->ts, false);
}

/* ------------------------------------------------------------------ */
/* Processing one event                                                */
/* ------------------------------------------------------------------ */

/* ------------------------------------------------------------------ */
/* Late releases                                                       */
/* ------------------------------------------------------------------ */

static bool has_pending(struct ls_detect *d, uint64_t goid)
{
	uint32_t i = ls_umap_get(&d->gmap, goid);

	return i != LS_UMAP_NONE && d->g[i].pq_n;
}

/* Forget (or with pay, consume) goid's debt of an unlock of obj in mode. */
static bool settle(struct ls_detect *d, uint64_t goid, uint64_t obj, unsigned kind,
		   unsigned mode)
{
	uint32_t i = ls_umap_get(&d->gmap, goid);
	struct dgo *g;

	if (i == LS_UMAP_NONE)
		return false;
	g = &d->g[i];
	for (uint32_t k = 0; k < g->nowed; k++) {
		const struct dowed *w = &g->owed[k];

		if (w->obj == obj && w->kind == kind && w->mode == mode) {
			g->owed[k] = g->owed[--g->nowed];
			return true;
		}
	}
	return false;
}

static void release_early(struct ls_detect *d, uint64_t goid, uint64_t obj,
			  unsigned kind, unsigned mode, unsigned sub)
{
	struct dgo *g = ls__dgo(d, goid);

	if (!g || ls__grow((void **)&g->owed, &g->capowed, g->nowed + 1, sizeof(*g->owed)))
		return;
	g->owed[g->nowed++] = (struct dowed){ obj, (uint8_t)kind, (uint8_t)mode };
	ls__race_release_for(d, goid, obj, kind, sub);
	ls__lockorder_release_for(d, goid, obj, kind, mode);
}

/* Before the model sees ev: releases it proves, unlocks that are late. */
static void late_releases(struct ls_detect *d, const struct ls_event *ev)
{
	const struct ls_mobject *o;
	uint64_t me = ev->goid;

	d->late = false;
	switch (ev->id) {
	case LS_EV_MUTEX_ACQUIRE:
		/* a debt for this very mutex was not ours after all */
		settle(d, me, ev->obj, LS_OBJ_MUTEX, LS_LOCK_WRITE);
		o = ls_mstate_object(d->st, ev->obj, LS_OBJ_MUTEX);
		if (o && o->u.mu.holder && o->u.mu.holder != me)
			release_early(d, o->u.mu.holder, ev->obj, LS_OBJ_MUTEX,
				      LS_LOCK_WRITE, 0);
		break;
	case LS_EV_RW_RACQUIRE:
		o = ls_mstate_object(d->st, ev->obj, LS_OBJ_RWMUTEX);
		if (o && o->u.rw.writer_active && o->u.rw.writer != me)
			release_early(d, o->u.rw.writer, ev->obj, LS_OBJ_RWMUTEX,
				      LS_LOCK_WRITE, 0);
		break;
	case LS_EV_RW_WACQUIRE:
		settle(d, me, ev->obj, LS_OBJ_RWMUTEX, LS_LOCK_WRITE);
		o = ls_mstate_object(d->st, ev->obj, LS_OBJ_RWMUTEX);
		for (uint32_t k = 0; o && k < o->hold.n; k++)
			for (uint64_t c = 0; c < o->hold.w[k].val; c++)
				if (o->hold.w[k].goid != me)
					release_early(d, o->hold.w[k].goid, ev->obj,
						      LS_OBJ_RWMUTEX, LS_LOCK_READ,
						      LS_SUB_RW_READERS);
		break;
	case LS_EV_MUTEX_UNLOCK:
		d->late = settle(d, me, ev->obj, LS_OBJ_MUTEX, LS_LOCK_WRITE);
		break;
	case LS_EV_RW_UNLOCK:
		d->late = settle(d, me, ev->obj, LS_OBJ_RWMUTEX, LS_LOCK_WRITE);
		break;
	case LS_EV_RW_RUNLOCK:
		d->late = settle(d, me, ev->obj, LS_OBJ_RWMUTEX, LS_LOCK_READ);
		break;
	}
}

/* What the reorder stage needs to remember about an applied event. */
static void reorder_note(struct ls_detect *d, const struct ls_event *ev)
{
	const struct ls_mobject *o;
	struct dvar *v;
	struct dgo *g;

	switch (ev->id) {
	case LS_EV_WG_WAIT:
		o = ls_mstate_object(d->st, ev->obj, LS_OBJ_WAITGROUP);
		g = ls__dgo(d, ev->goid);
		if (!o || !g)
			break;
		/* The last Done may have been seen first: that zero counts. */
		g->wg_gen = o->u.wg.zero_gen;
		if (o->u.wg.counter == 0 && g->wg_gen)
			g->wg_gen--;
		break;
	case LS_EV_MEM_STORE:
	case LS_EV_ATOMIC_OP:
		v = ls__dvar(d, ev->obj);
		if (!v)
			break;
		v->aval = (int64_t)(ev->id == LS_EV_MEM_STORE ? ev->args[0] : ev->args[2]);
		v->aval_known = true;
		break;
	}
}

static void process(struct ls_detect *d, const struct ls_event *ev, uint64_t idx)
{
	late_releases(d, ev);
	ls_model_apply_as(d->model, ev, idx);
	if (!d->opts.no_reorder)
		reorder_note(d, ev);
	if (!d->opts.no_race)
		ls__race_event(d, ev, idx);
	if (!d->opts.no_lockorder)
		ls__lockorder_event(d, ev, idx);
	if (ev->id == LS_EV_PANIC)
		on_panic(d, ev, idx);
	else if (ev->id == LS_EV_MAIN_EXIT)
		on_main_exit(d, ev, idx);
	d->late = false;
}

/* ------------------------------------------------------------------ */
/* The reorder stage                                                   */
/* ------------------------------------------------------------------ */

static bool is_chan_event(const struct ls_event *ev)
{
	return (ev->id >= LS_EV_CHAN_MAKE && ev->id <= LS_EV_CHAN_FREE) ||
	       ev->id == LS_EV_SELECT_ENQUEUE ||
	       (ev->id == LS_EV_SELECT_CHOSEN && ev->obj);
}

static struct dpend *pq_head(struct dgo *g)
{
	return g->pq_n ? &g->pq[g->pq_head] : NULL;
}

/* Is any event older than idx held back (PANIC, MAIN_EXIT wait for it)? */
static bool older_held(struct ls_detect *d, uint32_t self, uint64_t idx)
{
	for (uint32_t b = 0; b < d->nblocked; b++) {
		struct dpend *p = pq_head(&d->g[d->blocked[b]]);

		/* queues are in stream order: the head is the oldest */
		if (d->blocked[b] != self && p->idx < idx)
			return true;
	}
	return false;
}

static struct dchq *chq_get(struct ls_detect *d, uint64_t chan, bool create)
{
	uint32_t i = ls_umap_get(&d->chqmap, chan);

	if (i != LS_UMAP_NONE)
		return &d->chq[i];
	if (!create ||
	    ls__grow((void **)&d->chq, &d->capchq, d->nchq + 1, sizeof(*d->chq)) ||
	    ls_umap_put(&d->chqmap, chan, d->nchq))
		return NULL;
	memset(&d->chq[d->nchq], 0, sizeof(d->chq[0]));
	return &d->chq[d->nchq++];
}

/* Is an event of another goroutine on this channel, older than idx, held? */
static bool older_held_chan(struct ls_detect *d, uint32_t self, uint64_t idx,
			    uint64_t chan)
{
	struct dchq *q = chq_get(d, chan, false);

	for (uint32_t k = q ? q->head : 0; q && k < q->n && q->v[k].idx < idx; k++)
		if (q->v[k].g != self && q->v[k].g != LS_NOIDX)
			return true;
	return false;
}

static bool goroutine_has_older(struct ls_detect *d, uint64_t goid, uint64_t idx)
{
	uint32_t i = ls_umap_get(&d->gmap, goid);
	struct dpend *p;

	if (i == LS_UMAP_NONE)
		return false;
	p = pq_head(&d->g[i]);
	return p && p->idx < idx;
}

static bool ready(struct ls_detect *d, uint32_t self, const struct ls_event *ev,
		  uint64_t idx)
{
	const struct ls_mstate *st = d->st;
	const struct ls_mobject *o;
	const struct ls_mgoroutine *g;
	const struct dvar *v;

	switch (ev->id) {
	case LS_EV_MUTEX_ACQUIRE:
		o = ls_mstate_object(st, ev->obj, LS_OBJ_MUTEX);
		if (o && o->u.mu.holder && o->u.mu.holder != ev->goid &&
		    has_pending(d, o->u.mu.holder))
			return false;
		break;
	case LS_EV_RW_RACQUIRE:
		o = ls_mstate_object(st, ev->obj, LS_OBJ_RWMUTEX);
		if (o && o->u.rw.writer_active && o->u.rw.writer != ev->goid &&
		    has_pending(d, o->u.rw.writer))
			return false;
		break;
	case LS_EV_RW_WACQUIRE:
		o = ls_mstate_object(st, ev->obj, LS_OBJ_RWMUTEX);
		for (uint32_t k = 0; o && k < o->hold.n; k++)
			if (o->hold.w[k].goid != ev->goid && has_pending(d, o->hold.w[k].goid))
				return false;
		break;
	case LS_EV_GO_WAKE:
		if (ev->args[0] == LS_WAIT_SLEEP)
			break;
		g = ls_mstate_goroutine(st, ev->goid);
		if (g && g->state == LS_GS_PARKED)
			return false;
		if (g && ev->args[0] == LS_WAIT_WG_WAIT) {
			o = ls_mstate_object(st, ev->obj, LS_OBJ_WAITGROUP);
			if (o && o->u.wg.zero_gen <= d->g[self].wg_gen)
				return false;
		}
		break;
	case LS_EV_GO_READY:
		if (goroutine_has_older(d, ev->args[0], idx))
			return false;
		break;
	case LS_EV_ATOMIC_OP:
		v = ls_umap_get(&d->vmap, ev->obj) == LS_UMAP_NONE ? NULL
			: &d->v[ls_umap_get(&d->vmap, ev->obj)];
		if (v && v->aval_known && !v->untracked &&
		    (int64_t)ev->args[1] != v->aval)
			return false;
		break;
	case LS_EV_PANIC:
	case LS_EV_MAIN_EXIT:
		if (older_held(d, self, idx))
			return false;
		break;
	}
	if (d->nblocked && is_chan_event(ev) && older_held_chan(d, self, idx, ev->obj))
		return false;
	return true;
}

static int pq_push(struct ls_detect *d, uint32_t gi, const struct ls_event *ev,
		   uint64_t idx)
{
	struct dgo *g = &d->g[gi];

	if (g->pq_head && g->pq_head + g->pq_n == g->pq_cap) {
		memmove(g->pq, g->pq + g->pq_head, (size_t)g->pq_n * sizeof(*g->pq));
		g->pq_head = 0;
	}
	if (ls__grow((void **)&g->pq, &g->pq_cap, g->pq_head + g->pq_n + 1,
		     sizeof(*g->pq)))
		return -ENOMEM;
	if (!g->pq_n) {
		if (ls__grow((void **)&d->blocked, &d->capblocked, d->nblocked + 1,
			     sizeof(*d->blocked)))
			return -ENOMEM;
		d->blocked[d->nblocked++] = gi;
	}
	if (is_chan_event(ev)) {
		struct dchq *q = chq_get(d, ev->obj, true);

		if (q && q->head && q->n == q->cap) {
			memmove(q->v, q->v + q->head, (q->n - q->head) * sizeof(*q->v));
			q->n -= q->head;
			q->head = 0;
		}
		if (!q || ls__grow((void **)&q->v, &q->cap, q->n + 1, sizeof(*q->v)))
			return -ENOMEM;
		q->v[q->n++] = (struct dchpend){ idx, gi };
	}
	g->pq[g->pq_head + g->pq_n].ev = *ev;
	g->pq[g->pq_head + g->pq_n].idx = idx;
	g->pq_n++;
	d->npending++;
	return 0;
}

static void pq_pop(struct ls_detect *d, uint32_t gi, struct dpend *out)
{
	struct dgo *g = &d->g[gi];

	*out = g->pq[g->pq_head];
	if (is_chan_event(&out->ev)) {
		struct dchq *q = chq_get(d, out->ev.obj, false);

		/* Released mostly oldest first: mark it, then trim the front. */
		for (uint32_t k = q ? q->head : 0; q && k < q->n; k++) {
			if (q->v[k].idx == out->idx) {
				q->v[k].g = LS_NOIDX;
				break;
			}
		}
		while (q && q->head < q->n && q->v[q->head].g == LS_NOIDX)
			q->head++;
		if (q && q->head == q->n)
			q->head = q->n = 0;
	}
	g->pq_head++;
	g->pq_n--;
	d->npending--;
	if (g->pq_n)
		return;
	g->pq_head = 0;
	for (uint32_t b = 0; b < d->nblocked; b++) {
		if (d->blocked[b] == gi) {
			d->blocked[b] = d->blocked[--d->nblocked];
			break;
		}
	}
}

/* The oldest held head that is ready (or, forcing, the oldest head). */
static int32_t pick_head(struct ls_detect *d, bool force)
{
	int32_t best = -1;
	uint64_t best_idx = UINT64_MAX;

	for (uint32_t b = 0; b < d->nblocked; b++) {
		uint32_t gi = d->blocked[b];
		struct dpend *p = pq_head(&d->g[gi]);

		if (p->idx >= best_idx)
			continue;
		if (!force && !ready(d, gi, &p->ev, p->idx))
			continue;
		best = (int32_t)gi;
		best_idx = p->idx;
	}
	return best;
}

static void release_one(struct ls_detect *d, uint32_t gi, bool forced)
{
	struct dpend p;

	pq_pop(d, gi, &p);
	if (forced && p.ev.id == LS_EV_ATOMIC_OP) {
		struct dvar *v = ls__dvar(d, p.ev.obj);

		/* Its writes are not (all) traced: stop waiting for them. */
		if (v)
			v->untracked = true;
	}
	process(d, &p.ev, p.idx);
}

static void drain(struct ls_detect *d)
{
	int32_t gi;

	while (d->nblocked && (gi = pick_head(d, false)) >= 0)
		release_one(d, (uint32_t)gi, false);
}

static void valve(struct ls_detect *d)
{
	while (d->nblocked) {
		int32_t gi = pick_head(d, true);

		if (d->g[gi].pq[d->g[gi].pq_head].idx + REORDER_WINDOW > d->nin &&
		    d->npending < REORDER_MAX_PENDING)
			break;
		release_one(d, (uint32_t)gi, true);
		drain(d);
	}
}

int ls_detect_feed(struct ls_detect *d, const struct ls_event *ev)
{
	uint64_t idx = d->nin;
	uint32_t gi;
	int err;

	if (d->finished)
		return -EINVAL;
	d->nin++;
	if (d->opts.no_reorder || (ev->flags & (LS_EVF_KERNEL | LS_EVF_SYNTH)) ||
	    ev->id >= LS_EV_SCHED_OFF) {
		process(d, ev, idx);
		return 0;
	}
	gi = ls__dgo_idx(d, ev->goid);
	if (gi == LS_NOIDX)
		return -ENOMEM;
	if (d->g[gi].pq_n || !ready(d, gi, ev, idx)) {
		err = pq_push(d, gi, ev, idx);
		if (err)
			return err;
		valve(d);
		return 0;
	}
	process(d, ev, idx);
	if (d->nblocked) {
		drain(d);
		valve(d);
	}
	return 0;
}

int ls_detect_finish(struct ls_detect *d, unsigned flags)
{
	const struct ls_mstate *st = d->st;
	uint64_t idx, ts;

	if (d->finished)
		return 0;
	while (d->nblocked) {
		drain(d);
		if (d->nblocked)
			release_one(d, (uint32_t)pick_head(d, true), true);
	}
	d->finished = true;
	d->timed_out = flags & LS_DETECT_TIMED_OUT;
	if (d->ended)
		return 0;
	idx = d->nin ? d->nin - 1 : 0;
	ts = st->last_ts;
	/* The stream ended without PANIC or MAIN_EXIT. */
	if (check_deadlock(d, idx, ts))
		return 0;
	if (!d->timed_out)
		check_leaks(d, idx, ts, true);
	return 0;
}

int ls_detect_run(struct ls_detect *d, const struct ls_event *ev, size_t n,
		  unsigned flags)
{
	for (size_t i = 0; i < n; i++) {
		int err = ls_detect_feed(d, &ev[i]);

		if (err)
			return err;
	}
	return ls_detect_finish(d, flags);
}
