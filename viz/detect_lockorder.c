// SPDX-License-Identifier: MIT
/*
 * detect_lockorder.c - potential deadlocks, the way the kernel's lockdep
 * finds them: a graph over every lock acquisition (Documentation/locking/
 * lockdep-design.rst).
 *
 * Nodes are locks: each sync.Mutex, and each sync.RWMutex (acquired for
 * reading or for writing).  When a goroutine acquires B while it holds A,
 * the edge A -> B is added, labelled with the two modes (A held for
 * reading or writing, B acquired for reading or writing) and remembered
 * with where it was first seen: the goroutine and the indices of the two
 * acquiring events.  A cycle A -> B -> ... -> A means that some schedule
 * lets each goroutine hold its lock while waiting for the next: a deadlock
 * this run may not have hit.
 *
 * Not every cycle can block.  Along the cycle, the goroutine that comes to
 * node N asks for it in mode r while the next one holds it in mode h; that
 * waits only if the two conflict:
 *	- r or h is a write: always;
 *	- both reads: only if some goroutine ever write-locks N.  Go's
 *	  RWMutex prefers writers: once a writer waits, RLock blocks, so two
 *	  readers can deadlock through a third, writing goroutine (recursive
 *	  read locking, GO-SEMANTICS.md 2).  An RWMutex nobody write-locks
 *	  cannot block a reader, so read/read links through it are dropped.
 * A cycle is reported only if every one of its links can wait.
 *
 * Not edges: a TryLock (it never waits, though what it holds afterwards
 * makes edges); the writer mutex inside an RWMutex (its order is the
 * RWMutex's own); re-acquiring a Mutex one holds (it hangs at once, and
 * the wait-for detector reports it).  Each cycle is reported once.
 */
#include <stdlib.h>
#include <string.h>

#include "detect_priv.h"

#define COMBO(h, a)	((h) * 2 + (a))

static uint32_t node_find(struct ls_detect *d, uint64_t addr, unsigned kind)
{
	return ls_umap_get(&d->lnmap, (addr & 0x00ffffffffffffffULL) | (uint64_t)kind << 56);
}

static uint32_t node_get(struct ls_detect *d, uint64_t addr, unsigned kind)
{
	uint64_t key = (addr & 0x00ffffffffffffffULL) | (uint64_t)kind << 56;
	uint32_t i = ls_umap_get(&d->lnmap, key);
	struct lnode *n;

	if (i != LS_UMAP_NONE)
		return i;
	if (ls__grow((void **)&d->ln, &d->capln, d->nln + 1, sizeof(*d->ln)) ||
	    ls_umap_put(&d->lnmap, key, d->nln))
		return LS_NOIDX;
	n = &d->ln[d->nln];
	memset(n, 0, sizeof(*n));
	n->addr = addr;
	n->kind = (uint8_t)kind;
	n->holder = LS_NOIDX;
	n->first = LS_NOIDX;
	return d->nln++;
}

static bool blocking(const struct ls_detect *d, uint32_t node, unsigned req, unsigned held)
{
	return req == LS_LOCK_WRITE || held == LS_LOCK_WRITE || d->ln[node].written;
}

/* ---- reporting ---- */

static uint64_t cycle_sig(uint32_t *nodes, uint32_t n)
{
	uint64_t h = 1469598103934665603ULL;

	/* insertion sort: cycles are short */
	for (uint32_t i = 1; i < n; i++)
		for (uint32_t j = i; j && nodes[j - 1] > nodes[j]; j--) {
			uint32_t t = nodes[j];

			nodes[j] = nodes[j - 1];
			nodes[j - 1] = t;
		}
	for (uint32_t i = 0; i < n; i++)
		h = (h ^ nodes[i]) * 1099511628211ULL;
	return h ^ n;
}

static void lock_fobj(struct ls_detect *d, uint32_t node, struct ls_fobj *out)
{
	const struct lnode *n = &d->ln[node];
	const struct ls_mobject *o = ls_mstate_object(d->st, n->addr, n->kind);

	/* A Once's mutex is shown as the Once. */
	if (o && o->kind == LS_OBJ_MUTEX && o->u.mu.parent < d->st->no)
		o = &d->st->o[o->u.mu.parent];
	ls__fobj(o, out);
	if (!o) {
		out->addr = n->addr;
		out->kind = n->kind;
	}
}

struct step {
	uint32_t	edge;
	uint8_t		combo;
};

static void report(struct ls_detect *d, const struct step *steps, uint32_t n, uint64_t idx,
		   uint64_t ts)
{
	uint32_t nodes[LS_FIND_MAX_STEPS * 2];
	uint32_t nn = 0;
	struct ls_finding *f;
	uint64_t sig;

	for (uint32_t i = 0; i < n && nn < LS_FIND_MAX_STEPS * 2; i++)
		nodes[nn++] = d->le[steps[i].edge].from;
	sig = cycle_sig(nodes, nn);
	for (uint32_t i = 0; i < d->ncycsig; i++)
		if (d->cycsig[i] == sig)
			return;
	if (ls__grow((void **)&d->cycsig, &d->capcycsig, d->ncycsig + 1, sizeof(*d->cycsig)))
		return;
	d->cycsig[d->ncycsig++] = sig;
	f = ls__add_finding(d, LS_FIND_LOCK_ORDER, idx, ts);
	if (!f)
		return;
	f->u.order.total = n;
	for (uint32_t i = 0; i < n && i < LS_FIND_MAX_STEPS; i++) {
		const struct ledge *e = &d->le[steps[i].edge];
		const struct locc *oc = &e->occ[steps[i].combo];
		struct ls_fedge *fe = &f->u.order.e[f->u.order.n++];

		lock_fobj(d, e->from, &fe->held);
		lock_fobj(d, e->to, &fe->acq);
		fe->held_mode = steps[i].combo >> 1;
		fe->acq_mode = steps[i].combo & 1;
		ls__fgo(d->st, oc->goid, &fe->g);
		fe->held_ev = oc->held_ev;
		fe->acq_ev = oc->acq_ev;
	}
}

/* ---- cycle search ---- */

struct search {
	uint8_t		*vis;		/* per state: node * 2 + mode */
	uint32_t	*stack;
	uint32_t	*par_state, *par_edge;
	uint8_t		*par_combo;
};

static void search_free(struct search *s)
{
	free(s->vis);
	free(s->stack);
	free(s->par_state);
	free(s->par_edge);
	free(s->par_combo);
}

static int search_alloc(struct search *s, uint32_t nstates)
{
	memset(s, 0, sizeof(*s));
	s->vis = calloc(nstates, 1);
	s->stack = malloc(nstates * sizeof(*s->stack));
	s->par_state = malloc(nstates * sizeof(*s->par_state));
	s->par_edge = malloc(nstates * sizeof(*s->par_edge));
	s->par_combo = malloc(nstates);
	if (!s->vis || !s->stack || !s->par_state || !s->par_edge || !s->par_combo) {
		search_free(s);
		return -1;
	}
	return 0;
}

/*
 * Is there a cycle through edge e0 taken with combo c0?  Search the states
 * (node, mode it is requested in) from (to, acq mode) back to (from, r)
 * with r compatible with c0's held mode, moving through a node only along
 * edges whose held mode can block the request that brought us there.
 */
static void check_cycle(struct ls_detect *d, uint32_t e0, uint8_t c0, uint64_t idx,
			uint64_t ts)
{
	const struct ledge *e = &d->le[e0];
	uint32_t a = e->from, b = e->to, sp = 0, start, found = LS_NOIDX;
	unsigned h0 = c0 >> 1, q0 = c0 & 1;
	struct step steps[LS_FIND_MAX_STEPS];
	struct search s;
	uint32_t n = 0;

	if (a == b) {
		if (blocking(d, a, q0, h0)) {
			steps[0] = (struct step){ e0, c0 };
			report(d, steps, 1, idx, ts);
		}
		return;
	}
	if (search_alloc(&s, d->nln * 2))
		return;
	start = b * 2 + q0;
	s.vis[start] = 1;
	s.stack[sp++] = start;
	while (sp && found == LS_NOIDX) {
		uint32_t st = s.stack[--sp], node = st / 2, r = st % 2;

		if (node == a) {
			if (blocking(d, a, r, h0))
				found = st;
			continue;	/* the target is never a way through */
		}
		for (uint32_t ei = d->ln[node].first; ei != LS_NOIDX; ei = d->le[ei].next) {
			const struct ledge *x = &d->le[ei];

			if (d->ln[x->to].alias)
				continue;
			for (uint8_t c = 0; c < 4; c++) {
				uint32_t ns = x->to * 2 + (c & 1);

				if (!(x->combos & (1u << c)) || !blocking(d, node, r, c >> 1) ||
				    s.vis[ns])
					continue;
				s.vis[ns] = 1;
				s.par_state[ns] = st;
				s.par_edge[ns] = ei;
				s.par_combo[ns] = c;
				s.stack[sp++] = ns;
			}
		}
	}
	if (found != LS_NOIDX) {
		struct step rev[LS_FIND_MAX_STEPS];
		uint32_t nr = 0, total = 1;

		for (uint32_t x = found; x != start; x = s.par_state[x]) {
			if (nr < LS_FIND_MAX_STEPS)
				rev[nr++] = (struct step){ s.par_edge[x], s.par_combo[x] };
			total++;
		}
		steps[n++] = (struct step){ e0, c0 };
		while (nr && n < LS_FIND_MAX_STEPS)
			steps[n++] = rev[--nr];
		report(d, steps, n, idx, ts);
		if (total > n && d->nf && d->f[d->nf - 1].kind == LS_FIND_LOCK_ORDER)
			d->f[d->nf - 1].u.order.total = total;
	}
	search_free(&s);
}

/* A node became write-locked: read/read links through it now block. */
static void recheck_all(struct ls_detect *d, uint64_t idx, uint64_t ts)
{
	for (uint32_t i = 0; i < d->nle; i++)
		for (uint8_t c = 0; c < 4; c++)
			if ((d->le[i].combos & (1u << c)) && !d->ln[d->le[i].from].alias &&
			    !d->ln[d->le[i].to].alias)
				check_cycle(d, i, c, idx, ts);
}

static void add_edge(struct ls_detect *d, uint32_t from, uint32_t to, unsigned hm,
		     unsigned am, uint64_t goid, uint64_t hev, uint64_t aev, uint64_t ts)
{
	uint64_t key = (uint64_t)from << 32 | to;
	uint32_t i = ls_umap_get(&d->lemap, key);
	uint8_t c = COMBO(hm, am);
	struct ledge *e;

	if (i == LS_UMAP_NONE) {
		if (ls__grow((void **)&d->le, &d->caple, d->nle + 1, sizeof(*d->le)) ||
		    ls_umap_put(&d->lemap, key, d->nle))
			return;
		i = d->nle++;
		e = &d->le[i];
		memset(e, 0, sizeof(*e));
		e->from = from;
		e->to = to;
		e->next = d->ln[from].first;
		d->ln[from].first = i;
	}
	e = &d->le[i];
	if (e->combos & (1u << c))
		return;
	e->combos |= 1u << c;
	e->occ[c] = (struct locc){ goid, hev, aev };
	if (!d->ln[from].alias && !d->ln[to].alias)
		check_cycle(d, i, c, aev, ts);
}

/* ---- held locks ---- */

static void acquire(struct ls_detect *d, uint32_t t, uint32_t node, unsigned mode,
		    bool try, uint64_t idx, uint64_t ts)
{
	struct dgo *g = &d->g[t];

	if (!try) {
		for (uint32_t k = 0; k < g->nheld; k++) {
			const struct dheld *h = &g->held[k];

			if (d->ln[h->node].alias)
				continue;
			if (h->node == node && d->ln[node].kind == LS_OBJ_MUTEX)
				continue;
			add_edge(d, h->node, node, h->mode, mode, g->goid, h->ev, idx, ts);
		}
	}
	if (!ls__grow((void **)&g->held, &g->capheld, g->nheld + 1, sizeof(*g->held)))
		g->held[g->nheld++] = (struct dheld){ node, (uint8_t)mode, idx };
	if (mode == LS_LOCK_WRITE && d->ln[node].kind == LS_OBJ_RWMUTEX &&
	    !d->ln[node].written) {
		d->ln[node].written = true;
		recheck_all(d, idx, ts);
	}
}

static bool drop_held(struct dgo *g, uint32_t node, unsigned mode)
{
	for (uint32_t k = g->nheld; k--;) {
		if (g->held[k].node != node || g->held[k].mode != mode)
			continue;
		memmove(&g->held[k], &g->held[k + 1], (g->nheld - k - 1) * sizeof(*g->held));
		g->nheld--;
		return true;
	}
	return false;
}

/* Release by t, or by whoever holds it (a Go lock is not owned). */
static void release(struct ls_detect *d, uint32_t t, uint32_t node, unsigned mode)
{
	if (t != LS_NOIDX && drop_held(&d->g[t], node, mode))
		return;
	for (uint32_t i = 0; i < d->ng; i++)
		if (drop_held(&d->g[i], node, mode))
			return;
}

void ls__lockorder_release_for(struct ls_detect *d, uint64_t goid, uint64_t obj,
			       unsigned kind, unsigned mode)
{
	uint32_t t, n;

	if (d->opts.no_lockorder)
		return;
	n = node_find(d, obj, kind);
	t = ls_umap_get(&d->gmap, goid);
	if (n == LS_UMAP_NONE || t == LS_UMAP_NONE)
		return;
	drop_held(&d->g[t], n, mode);
	if (d->ln[n].holder == t)
		d->ln[n].holder = LS_NOIDX;
}

void ls__lockorder_event(struct ls_detect *d, const struct ls_event *ev, uint64_t idx)
{
	const struct ls_mobject *o;
	uint32_t t, n;

	if (ev->id < LS_EV_MUTEX_ACQUIRE || ev->id > LS_EV_RW_TRYFAIL)
		return;
	if (d->late)
		return;		/* released already, when the next owner came */
	t = ls__dgo_idx(d, ev->goid);
	if (t == LS_NOIDX)
		return;
	switch (ev->id) {
	case LS_EV_MUTEX_ACQUIRE:
		d->g[t].last_try = ev->args[2] == LS_ACQ_TRY;
		o = ls_mstate_object(d->st, ev->obj, LS_OBJ_MUTEX);
		if (o && o->u.mu.parent < d->st->no &&
		    d->st->o[o->u.mu.parent].kind == LS_OBJ_RWMUTEX)
			return;		/* an RWMutex's writer mutex */
		n = node_get(d, ev->obj, LS_OBJ_MUTEX);
		if (n == LS_NOIDX || d->ln[n].alias)
			return;
		acquire(d, t, n, LS_LOCK_WRITE, d->g[t].last_try, idx, ev->ts);
		d->ln[n].holder = t;
		break;
	case LS_EV_MUTEX_UNLOCK:
		n = node_find(d, ev->obj, LS_OBJ_MUTEX);
		if (n == LS_UMAP_NONE || d->ln[n].alias)
			return;
		release(d, d->ln[n].holder != LS_NOIDX ? d->ln[n].holder : t, n, LS_LOCK_WRITE);
		d->ln[n].holder = LS_NOIDX;
		break;
	case LS_EV_RW_WLOCK:
		d->g[t].rw_try = d->g[t].last_try;
		o = ls_mstate_object(d->st, ev->obj, LS_OBJ_RWMUTEX);
		if (o && o->u.rw.wmutex < d->st->no) {
			n = node_find(d, d->st->o[o->u.rw.wmutex].addr, LS_OBJ_MUTEX);
			if (n != LS_UMAP_NONE && !d->ln[n].alias) {
				d->ln[n].alias = true;
				drop_held(&d->g[t], n, LS_LOCK_WRITE);
			}
		}
		break;
	case LS_EV_RW_WACQUIRE:
		n = node_get(d, ev->obj, LS_OBJ_RWMUTEX);
		if (n == LS_NOIDX)
			return;
		acquire(d, t, n, LS_LOCK_WRITE, d->g[t].rw_try, idx, ev->ts);
		d->ln[n].holder = t;
		break;
	case LS_EV_RW_RACQUIRE:
		n = node_get(d, ev->obj, LS_OBJ_RWMUTEX);
		if (n != LS_NOIDX)
			acquire(d, t, n, LS_LOCK_READ, false, idx, ev->ts);
		break;
	case LS_EV_RW_RUNLOCK:
		n = node_find(d, ev->obj, LS_OBJ_RWMUTEX);
		if (n != LS_UMAP_NONE)
			release(d, t, n, LS_LOCK_READ);
		break;
	case LS_EV_RW_UNLOCK:
		n = node_find(d, ev->obj, LS_OBJ_RWMUTEX);
		if (n == LS_UMAP_NONE)
			return;
		release(d, d->ln[n].holder != LS_NOIDX ? d->ln[n].holder : t, n, LS_LOCK_WRITE);
		d->ln[n].holder = LS_NOIDX;
		break;
	}
}

void ls__lockorder_free(struct ls_detect *d)
{
	free(d->ln);
	free(d->le);
	free(d->cycsig);
	ls_umap_free(&d->lnmap);
	ls_umap_free(&d->lemap);
}
