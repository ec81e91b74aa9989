// SPDX-License-Identifier: MIT
/*
 * detect_waitfor.c - the wait-for graph: deadlock cycles, "all goroutines
 * are asleep", and leaks.  Pure functions of a model state.
 *
 * Every parked goroutine (not sleeping, not waiting for a runtime timer) is
 * given the set of goroutines that could wake it:
 *
 *	sync.Mutex.Lock		the holder (last acquirer).  Held by nobody:
 *				the unlocker is about to wake it (not stuck).
 *				Held by an exited goroutine: anyone (a Go mutex
 *				is not owned: any goroutine may unlock it).
 *	sync.RWMutex.Lock	as the pending writer: the readers holding the
 *				lock; queued behind another writer: that writer
 *	sync.RWMutex.RLock	the pending or active writer
 *	chan receive		goroutines that have sent on or closed it
 *	chan send		goroutines that have received from it
 *	select			the union over its channels, by direction
 *	nil chan, select {}	nobody: stuck for good
 *	WaitGroup, Cond, ...	anyone: every other live goroutine
 *
 * A channel nobody else has used yet also gets "anyone", since the
 * goroutine that will use it may not have started.  A closed channel, a
 * WaitGroup at zero, a goroutine already taken off its queue by a waker:
 * not stuck.
 *
 * Stuck goroutines are the greatest set S of parked goroutines such that
 * every waker of each member is in S ("anyone" means: all other live
 * goroutines are in S).  Computed by removing, until nothing changes, any
 * goroutine one of whose wakers is not in S.  Then:
 *   - a cycle of S through definite wakers (holders, writers, readers,
 *     channel peers: not "anyone") is a deadlock, reported goroutine by
 *     goroutine with Go's wait reasons;
 *   - S holding every live goroutine is "all goroutines are asleep", even
 *     when the program did not die (the runtime's own check missed it, or
 *     a goroutine is blocked outside lockstep).
 */
#include <stdlib.h>
#include <string.h>

#include "detect_priv.h"

enum wake_kind {
	W_NONE,		/* nobody can wake it: stuck */
	W_FREE,		/* about to be woken: not stuck */
	W_SET,		/* these goroutines */
	W_ANY,		/* any other live goroutine */
};

struct wf {
	const struct ls_mstate	*st;
	uint32_t		ng;
	uint8_t			*cand;	/* in S */
	uint8_t			*kind;	/* enum wake_kind */
	uint32_t		*off, *cnt;
	uint32_t		*wk;	/* wakers, a slice per goroutine */
	uint8_t			*role;
	uint32_t		nwk, capwk, caprole;
};

static bool live(const struct ls_mgoroutine *g)
{
	return g->state != LS_GS_EXITED;
}

static const struct ls_mobject *obj_at(const struct ls_mstate *st, uint32_t i)
{
	return i < st->no ? &st->o[i] : NULL;
}

static bool timer_chan(const struct ls_mobject *c)
{
	return c && c->kind == LS_OBJ_CHAN && c->u.ch.timer && !c->u.ch.sends &&
	       !c->u.ch.closed && !c->u.ch.freed;
}

/* Parked waiting for a runtime timer (time.After): asleep, never stuck. */
static bool timer_wait(const struct ls_mstate *st, const struct ls_mgoroutine *g)
{
	if (g->reason == LS_WAIT_SLEEP)
		return true;
	if (g->reason == LS_WAIT_CHAN_RECV)
		return timer_chan(obj_at(st, g->waitobj));
	if (g->reason == LS_WAIT_SELECT)
		for (uint32_t k = 0; k < g->sel.n; k++)
			if (timer_chan(obj_at(st, g->sel.v[k])))
				return true;
	return false;
}

static bool blocked(const struct ls_mstate *st, const struct ls_mgoroutine *g)
{
	return g->state == LS_GS_PARKED && !g->dequeued && !timer_wait(st, g);
}

static void push_waker(struct wf *w, uint32_t i, uint8_t role)
{
	if (ls__grow((void **)&w->wk, &w->capwk, w->nwk + 1, sizeof(*w->wk)) ||
	    ls__grow((void **)&w->role, &w->caprole, w->nwk + 1, sizeof(*w->role)))
		return;
	w->wk[w->nwk] = i;
	w->role[w->nwk] = role;
	w->nwk++;
}

/* goid can wake self; self itself is allowed (a goroutine waiting for itself). */
static void add_waker(struct wf *w, uint32_t self, uint64_t goid, uint8_t role)
{
	uint32_t i = ls_mstate_gidx(w->st, goid);

	if (i == LS_UMAP_NONE || !live(&w->st->g[i]))
		return;
	for (uint32_t k = w->off[self]; k < w->nwk; k++)
		if (w->wk[k] == i)
			return;
	push_waker(w, i, role);
}

static bool q_has(const struct ls_mqueue *q, uint64_t goid)
{
	for (uint32_t k = 0; k < q->n; k++)
		if (q->w[k].goid == goid)
			return true;
	return false;
}

/* Goroutines holding or having used an object, as wakers. */
static enum wake_kind holder_wakers(struct wf *w, uint32_t self, uint64_t holder,
				    uint8_t role)
{
	uint32_t i;

	if (!holder)
		return W_FREE;
	i = ls_mstate_gidx(w->st, holder);
	if (i == LS_UMAP_NONE || !live(&w->st->g[i]))
		return W_ANY;
	/* holder == self: it waits for itself, a cycle of one */
	add_waker(w, self, holder, role);
	return W_SET;
}

static enum wake_kind mutex_wakers(struct wf *w, uint32_t self,
				   const struct ls_mobject *m)
{
	if (!m || m->kind != LS_OBJ_MUTEX)
		return W_ANY;
	return holder_wakers(w, self, m->u.mu.holder, LS_ROLE_HOLDER);
}

static enum wake_kind rw_wakers(struct wf *w, uint32_t self, const struct ls_mobject *o,
				unsigned reason)
{
	const struct ls_mgoroutine *g = &w->st->g[self];

	if (o->kind == LS_OBJ_MUTEX)
		return mutex_wakers(w, self, o);
	if (o->kind != LS_OBJ_RWMUTEX)
		return W_ANY;
	if (reason == LS_WAIT_RW_RLOCK)
		return holder_wakers(w, self, o->u.rw.writer, LS_ROLE_WRITER);
	if (o->u.rw.writer == g->goid && !o->u.rw.writer_active) {
		/* The pending writer waits for the readers inside. */
		if (!o->hold.n)
			return W_FREE;
		/* RLock then Lock: the writer is one of the readers */
		for (uint32_t k = 0; k < o->hold.n; k++)
			add_waker(w, self, o->hold.w[k].goid, LS_ROLE_READER);
		return W_SET;
	}
	/* Queued on w behind another writer. */
	if (o->u.rw.wmutex != LS_NOIDX) {
		const struct ls_mobject *m = obj_at(w->st, o->u.rw.wmutex);

		if (m && m->u.mu.holder)
			return holder_wakers(w, self, m->u.mu.holder, LS_ROLE_WRITER);
	}
	return holder_wakers(w, self, o->u.rw.writer, LS_ROLE_WRITER);
}

/* Peers of a channel for a goroutine waiting in direction recv (or send). */
static bool chan_peers(struct wf *w, uint32_t self, const struct ls_mobject *c, bool recv)
{
	uint32_t need = recv ? LS_MW_SEND | LS_MW_CLOSE : LS_MW_RECV;
	uint32_t before = w->nwk;

	for (uint32_t k = 0; k < c->users.n; k++)
		if ((c->users.w[k].flags & need) && c->users.w[k].goid != w->st->g[self].goid)
			add_waker(w, self, c->users.w[k].goid,
				  recv ? LS_ROLE_SENDER : LS_ROLE_RECEIVER);
	return w->nwk > before;
}

static enum wake_kind select_wakers(struct wf *w, uint32_t self)
{
	const struct ls_mgoroutine *g = &w->st->g[self];

	if (!g->sel.n)
		return W_NONE;	/* every case on a nil channel */
	for (uint32_t k = 0; k < g->sel.n; k++) {
		const struct ls_mobject *c = obj_at(w->st, g->sel.v[k]);
		bool recv;

		if (!c)
			return W_ANY;
		if (c->u.ch.closed)
			return W_FREE;
		recv = q_has(&c->wq[0], g->goid);
		if (!chan_peers(w, self, c, recv))
			return W_ANY;
	}
	return W_SET;
}

static enum wake_kind wakers(struct wf *w, uint32_t self)
{
	const struct ls_mgoroutine *g = &w->st->g[self];
	const struct ls_mobject *o = obj_at(w->st, g->waitobj);

	switch (g->reason) {
	case LS_WAIT_CHAN_SEND_NIL:
	case LS_WAIT_CHAN_RECV_NIL:
	case LS_WAIT_SELECT_NO_CASES:
		return W_NONE;
	case LS_WAIT_MUTEX_LOCK:
		if (o && o->kind == LS_OBJ_ONCE)
			return mutex_wakers(w, self, obj_at(w->st, o->u.once.mutex));
		return mutex_wakers(w, self, o);
	case LS_WAIT_RW_LOCK:
	case LS_WAIT_RW_RLOCK:
		return o ? rw_wakers(w, self, o, g->reason) : W_ANY;
	case LS_WAIT_CHAN_SEND:
	case LS_WAIT_CHAN_RECV:
		if (!o || o->kind != LS_OBJ_CHAN)
			return W_ANY;
		if (o->u.ch.closed)
			return W_FREE;
		return chan_peers(w, self, o, g->reason == LS_WAIT_CHAN_RECV) ? W_SET : W_ANY;
	case LS_WAIT_SELECT:
		return select_wakers(w, self);
	case LS_WAIT_WG_WAIT:
		if (o && o->kind == LS_OBJ_WAITGROUP && o->u.wg.known && o->u.wg.counter <= 0)
			return W_FREE;
		return W_ANY;
	default:
		return W_ANY;
	}
}

static void wf_free(struct wf *w)
{
	free(w->cand);
	free(w->kind);
	free(w->off);
	free(w->cnt);
	free(w->wk);
	free(w->role);
}

static int wf_build(struct wf *w, const struct ls_mstate *st)
{
	memset(w, 0, sizeof(*w));
	w->st = st;
	w->ng = st->ng;
	w->cand = calloc(st->ng + 1, 1);
	w->kind = calloc(st->ng + 1, 1);
	w->off = calloc(st->ng + 1, sizeof(*w->off));
	w->cnt = calloc(st->ng + 1, sizeof(*w->cnt));
	if (!w->cand || !w->kind || !w->off || !w->cnt)
		return -1;
	for (uint32_t i = 0; i < st->ng; i++) {
		enum wake_kind k;

		w->off[i] = w->nwk;
		if (!live(&st->g[i]) || !blocked(st, &st->g[i]))
			continue;
		k = wakers(w, i);
		w->cnt[i] = w->nwk - w->off[i];
		/* Every known waker exited: whoever is left might help. */
		if (k == W_SET && !w->cnt[i])
			k = W_ANY;
		if (k != W_SET) {
			w->nwk = w->off[i];
			w->cnt[i] = 0;
		}
		w->kind[i] = (uint8_t)k;
		w->cand[i] = k != W_FREE;
	}
	return 0;
}

/* Shrink the candidates to the stuck set; returns live goroutines outside. */
static uint32_t wf_fixpoint(struct wf *w)
{
	const struct ls_mstate *st = w->st;
	uint32_t outside = 0;
	bool changed = true;

	for (uint32_t i = 0; i < w->ng; i++)
		if (live(&st->g[i]) && !w->cand[i])
			outside++;
	while (changed) {
		changed = false;
		for (uint32_t i = 0; i < w->ng; i++) {
			bool stuck = true;

			if (!w->cand[i])
				continue;
			if (w->kind[i] == W_ANY) {
				stuck = outside == 0;
			} else if (w->kind[i] == W_SET) {
				for (uint32_t k = 0; k < w->cnt[i]; k++)
					if (!w->cand[w->wk[w->off[i] + k]])
						stuck = false;
			}
			if (!stuck) {
				w->cand[i] = 0;
				outside++;
				changed = true;
			}
		}
	}
	return outside;
}

static void fill_wait(const struct ls_mstate *st, const struct ls_mgoroutine *g,
		      struct ls_fwait *out)
{
	memset(out, 0, sizeof(*out));
	ls__fgo(st, g->goid, &out->g);
	out->reason = g->reason;
	ls__fobj(obj_at(st, g->waitobj), &out->obj);
	if (!out->obj.addr && g->waitaddr) {
		out->obj.addr = g->waitaddr;
		out->obj.kind = LS_OBJ_NONE;
	}
	out->since_ts = g->since;
	out->park_ev = g->park_ev;
}

struct cyc {
	struct wf		*w;
	uint8_t			*color;
	uint8_t			*reported;
	uint32_t		*stk, *pos;
	struct ls_finding	*out;
	size_t			max, n;
	uint64_t		ev;
};

static void report_cycle(struct cyc *c, uint32_t from, uint32_t sp, uint32_t back)
{
	const struct ls_mstate *st = c->w->st;
	struct ls_fwaits *ws;
	struct ls_finding *f;

	for (uint32_t k = from; k < sp; k++)
		if (c->reported[c->stk[k]])
			return;
	for (uint32_t k = from; k < sp; k++)
		c->reported[c->stk[k]] = 1;
	if (c->n++ >= c->max)
		return;
	f = &c->out[c->n - 1];
	memset(f, 0, sizeof(*f));
	f->kind = LS_FIND_CYCLE;
	f->ev = c->ev;
	f->ts = st->last_ts;
	ws = &f->u.waits;
	ws->total = sp - from;
	for (uint32_t k = from; k < sp && ws->n < LS_FIND_MAX_STEPS; k++) {
		uint32_t gi = c->stk[k], e = c->w->off[gi] + c->pos[k] - 1;
		uint32_t next = k + 1 < sp ? c->stk[k + 1] : back;
		struct ls_fwait *fw = &ws->w[ws->n++];

		fill_wait(st, &st->g[gi], fw);
		ls__fgo(st, st->g[next].goid, &fw->next);
		fw->role = c->w->role[e];
	}
}

/* Depth-first search over the stuck goroutines' definite wakers. */
static void find_cycles(struct cyc *c)
{
	struct wf *w = c->w;

	for (uint32_t s = 0; s < w->ng; s++) {
		uint32_t sp = 0;

		if (!w->cand[s] || c->color[s])
			continue;
		c->stk[sp] = s;
		c->pos[sp++] = 0;
		c->color[s] = 1;
		while (sp) {
			uint32_t gi = c->stk[sp - 1], nx;

			if (w->kind[gi] != W_SET || c->pos[sp - 1] >= w->cnt[gi]) {
				c->color[gi] = 2;
				sp--;
				continue;
			}
			nx = w->wk[w->off[gi] + c->pos[sp - 1]++];
			if (!w->cand[nx])
				continue;
			if (c->color[nx] == 1) {
				uint32_t from = sp;

				while (from && c->stk[from - 1] != nx)
					from--;
				if (from)
					report_cycle(c, from - 1, sp, nx);
			} else if (!c->color[nx]) {
				c->stk[sp] = nx;
				c->pos[sp++] = 0;
				c->color[nx] = 1;
			}
		}
	}
}

void ls__asleep_list(const struct ls_mstate *st, struct ls_fwaits *out)
{
	memset(out, 0, sizeof(*out));
	for (uint32_t i = 0; i < st->ng; i++) {
		const struct ls_mgoroutine *g = &st->g[i];

		if (!live(g))
			continue;
		out->total++;
		if (out->n < LS_FIND_MAX_STEPS)
			fill_wait(st, g, &out->w[out->n++]);
	}
}

size_t ls_detect_waitfor(const struct ls_mstate *st, struct ls_finding *out,
			 size_t max, uint64_t ev)
{
	struct cyc c = { .out = out, .max = max, .ev = ev };
	struct wf w;
	uint32_t outside;

	if (wf_build(&w, st))
		goto out_free;
	outside = wf_fixpoint(&w);
	c.w = &w;
	c.color = calloc(st->ng + 1, 1);
	c.reported = calloc(st->ng + 1, 1);
	c.stk = calloc(st->ng + 1, sizeof(*c.stk));
	c.pos = calloc(st->ng + 1, sizeof(*c.pos));
	if (!c.color || !c.reported || !c.stk || !c.pos)
		goto out_free;
	find_cycles(&c);
	if (st->live && outside == 0) {
		if (c.n++ < max) {
			struct ls_finding *f = &out[c.n - 1];

			memset(f, 0, sizeof(*f));
			f->kind = LS_FIND_ALL_ASLEEP;
			f->ev = ev;
			f->ts = st->last_ts;
			ls__asleep_list(st, &f->u.waits);
		}
	}
out_free:
	free(c.color);
	free(c.reported);
	free(c.stk);
	free(c.pos);
	wf_free(&w);
	return c.n;
}

bool ls__leak_finding(const struct ls_mstate *st, const struct ls_mgoroutine *g,
			 struct ls_finding *out, uint64_t ev)
{
	if (!live(g) || g->state != LS_GS_PARKED || timer_wait(st, g))
		return false;
	memset(out, 0, sizeof(*out));
	out->kind = LS_FIND_LEAK;
	out->ev = ev;
	out->ts = st->last_ts;
	fill_wait(st, g, &out->u.leak);
	return true;
}
