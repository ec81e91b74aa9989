// SPDX-License-Identifier: MIT
/*
 * pool.c - sync.Pool (src/sync/pool.go, src/sync/poolqueue.go; the course
 * notes describe the same Put steps and the victim cache).
 *
 * Layout.  A pool has a primary cache and a victim cache.  Each is a table
 * of per-P locals (P = the pid procpin.c gives each thread):
 *
 *   poolLocal { private; shared }
 *     private  one object only the owning P touches, no atomics needed;
 *     shared   a poolChain: a doubly linked list of ring buffers
 *              (poolDequeue).  The owner pushes and pops at the head; any
 *              P may pop at the tail (steal).  The first ring holds 8
 *              slots; when the head ring is full a new one twice the size
 *              is linked in front of it.  An empty ring at the tail is
 *              unlinked by the stealer that finds it empty.
 *
 *   poolDequeue: a lock-free single-producer, multi-consumer ring.  One
 *   64-bit word packs head (high 32 bits) and tail (low 32 bits).
 *     pushHead (owner): full if tail + size == head, or if the slot at head
 *       is still being emptied by a popTail; else store the value and
 *       atomically add 1 << 32.
 *     popHead (owner): CAS head-1 into the word, then take the slot.
 *     popTail (anyone): CAS tail+1 into the word, take the value, then
 *       clear the slot (the release that tells pushHead it may reuse it).
 *     A CAS on the packed word decides every race between the owner and
 *     the stealers over the last element.
 *
 * Put(x): nil ignored.  Pin.  Empty private: x goes there; else pushHead on
 * the own shared chain.  Unpin.
 * Get: pin; take private; else popHead own chain; else getSlow: popTail
 * from every other P's chain (stealing), then the victim cache (own
 * private, then popTail on every victim chain; if that finds nothing the
 * victim cache is marked empty so later Gets skip it).  Unpin.  Still
 * nothing: call New (outside the pin).
 * Stealing comes before the victim cache on purpose: the pool wants victim
 * objects to be collected if nobody needs them.
 *
 * GC (ls_pool_gc, Go's poolCleanup, run with the world stopped): for every
 * pool, drop the victim cache, make the primary cache the victim, and start
 * an empty primary.  An object taken from the victim and Put back lands in
 * the primary again and is "revived".
 *
 * Events: POOL_PUT (0 private, 1 shared), POOL_GET (0 private, 1 shared,
 * 2 stolen, 3 victim, 4 New, 5 nil), POOL_GC (objects moved to the victim,
 * objects dropped).
 *
 * Deviations, with reasons:
 *   - Ps are threads (procpin.c): a thread's pid is unique while it lives
 *     and reused after it exits, as a P outlives its Ms.  The tables are
 *     chunked so they never move; Go reallocates them when GOMAXPROCS
 *     changes.
 *   - No collector: ls_pool_gc() is explicit, stops the world with pins
 *     instead of preemption, and hands dropped objects to drop_fn.  Rings
 *     unlinked by stealers are freed at the next ls_pool_gc (nobody can
 *     still be reading them then), as Go's collector would free them.
 *   - Pools register when created, not on first use (allPools/oldPools
 *     collapse into one list with the same outcome).
 *   - Go's race-detector mode (dropping a quarter of Puts) is not copied.
 */
#include <stdlib.h>
#include <string.h>

#include <lockstep/pool.h>
#include <lockstep/sync.h>
#include "../trace.h"
#include "internal.h"

#define DEQUEUE_BITS	32
#define DEQUEUE_LIMIT	((uint32_t)1 << 30)	/* poolqueue.go: dequeueLimit */
#define CHAIN_FIRST	8
#define CHUNK		32
#define NCHUNK		(LS_PIN_MAXP / CHUNK)

enum { FROM_PRIVATE, FROM_SHARED, FROM_STOLEN, FROM_VICTIM, FROM_NEW, FROM_NIL };

/* poolChainElt = poolDequeue + links */
struct chain_elt {
	uint64_t		head_tail;
	uint32_t		size;
	struct chain_elt	*next, *prev;	/* atomic */
	struct chain_elt	*retired_next;
	void			*vals[];	/* atomic */
};

struct pool_chain {
	struct chain_elt	*head;	/* owner only */
	struct chain_elt	*tail;	/* atomic */
};

struct pool_local {
	void			*private;
	struct pool_chain	shared;
} __attribute__((aligned(128)));	/* no false sharing between Ps */

struct pool_locals {
	struct pool_local	*chunks[NCHUNK];	/* atomic, lazily made */
};

struct ls_pool {
	void			*(*new_fn)(void *arg);
	void			(*drop_fn)(void *obj, void *arg);
	void			*arg;
	struct pool_locals	*local;		/* atomic; swapped only in STW */
	struct pool_locals	*victim;
	int			victim_empty;	/* atomic: victimSize == 0 */
	struct chain_elt	*retired;	/* atomic stack of unlinked rings */
	struct ls_pool		*allnext, *allprev;
	struct ls_objname	on;
};

static struct ls_mutex all_pools_mu = LS_MUTEX_INIT("allPoolsMu");
static struct ls_pool *all_pools;

#define POOL_TRACE(ev, p, ...) LS_TRACE_OBJ(ev, LS_OBJ_POOL, (p), __VA_ARGS__)

/* ---- poolDequeue ---- */

static inline uint64_t pack(uint32_t head, uint32_t tail)
{
	return ((uint64_t)head << DEQUEUE_BITS) | tail;
}

static inline void unpack(uint64_t ptrs, uint32_t *head, uint32_t *tail)
{
	*head = (uint32_t)(ptrs >> DEQUEUE_BITS);
	*tail = (uint32_t)ptrs;
}

static bool dq_push_head(struct chain_elt *d, void *val)
{
	uint64_t ptrs = __atomic_load_n(&d->head_tail, __ATOMIC_ACQUIRE);
	uint32_t head, tail;
	void **slot;

	unpack(ptrs, &head, &tail);
	if ((uint32_t)(tail + d->size) == head)
		return false;	/* full */
	slot = &d->vals[head & (d->size - 1)];
	if (__atomic_load_n(slot, __ATOMIC_ACQUIRE))
		return false;	/* a popTail is still emptying this slot */
	__atomic_store_n(slot, val, __ATOMIC_RELAXED);
	__atomic_add_fetch(&d->head_tail, (uint64_t)1 << DEQUEUE_BITS, __ATOMIC_RELEASE);
	return true;
}

static void *dq_pop_head(struct chain_elt *d)
{
	uint64_t ptrs = __atomic_load_n(&d->head_tail, __ATOMIC_ACQUIRE);
	uint32_t head, tail;
	void **slot, *val;

	for (;;) {
		unpack(ptrs, &head, &tail);
		if (tail == head)
			return NULL;
		head--;
		if (__atomic_compare_exchange_n(&d->head_tail, &ptrs, pack(head, tail),
						false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			break;
	}
	slot = &d->vals[head & (d->size - 1)];
	val = __atomic_load_n(slot, __ATOMIC_RELAXED);
	__atomic_store_n(slot, NULL, __ATOMIC_RELAXED);
	return val;
}

static void *dq_pop_tail(struct chain_elt *d)
{
	uint64_t ptrs = __atomic_load_n(&d->head_tail, __ATOMIC_ACQUIRE);
	uint32_t head, tail;
	void **slot, *val;

	for (;;) {
		unpack(ptrs, &head, &tail);
		if (tail == head)
			return NULL;
		if (__atomic_compare_exchange_n(&d->head_tail, &ptrs, pack(head, tail + 1),
						false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			break;
	}
	slot = &d->vals[tail & (d->size - 1)];
	val = __atomic_load_n(slot, __ATOMIC_RELAXED);
	__atomic_store_n(slot, NULL, __ATOMIC_RELEASE);	/* slot free for pushHead */
	return val;
}

/* ---- poolChain ---- */

static struct chain_elt *elt_new(uint32_t size)
{
	struct chain_elt *d = ls__xcalloc(1, sizeof(*d) + size * sizeof(void *));

	d->size = size;
	return d;
}

static void chain_push_head(struct pool_chain *c, void *val)
{
	struct chain_elt *d = c->head, *d2;
	uint32_t size;

	if (!d) {
		d = elt_new(CHAIN_FIRST);
		c->head = d;
		__atomic_store_n(&c->tail, d, __ATOMIC_RELEASE);
	}
	if (dq_push_head(d, val))
		return;
	size = d->size * 2;
	if (size >= DEQUEUE_LIMIT)
		size = DEQUEUE_LIMIT;
	d2 = elt_new(size);
	d2->prev = d;
	__atomic_store_n(&d->next, d2, __ATOMIC_RELEASE);
	c->head = d2;
	dq_push_head(d2, val);
}

static void *chain_pop_head(struct pool_chain *c)
{
	for (struct chain_elt *d = c->head; d; d = __atomic_load_n(&d->prev, __ATOMIC_ACQUIRE)) {
		void *val = dq_pop_head(d);

		if (val)
			return val;
	}
	return NULL;
}

static void retire(struct ls_pool *p, struct chain_elt *d)
{
	struct chain_elt *old = __atomic_load_n(&p->retired, __ATOMIC_RELAXED);

	do
		d->retired_next = old;
	while (!__atomic_compare_exchange_n(&p->retired, &old, d, false,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

static void *chain_pop_tail(struct ls_pool *p, struct pool_chain *c)
{
	struct chain_elt *d = __atomic_load_n(&c->tail, __ATOMIC_ACQUIRE);

	if (!d)
		return NULL;
	for (;;) {
		/* Load next before popping: if d is empty now and had no next
		 * before, nothing can have been pushed since. */
		struct chain_elt *d2 = __atomic_load_n(&d->next, __ATOMIC_ACQUIRE);
		void *val = dq_pop_tail(d);

		if (val)
			return val;
		if (!d2)
			return NULL;
		/* d is empty for good (the owner pushes only at the head):
		 * unlink it so the next stealer does not look at it again. */
		if (__atomic_compare_exchange_n(&c->tail, &d, d2, false,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
			__atomic_store_n(&d2->prev, NULL, __ATOMIC_RELEASE);
			retire(p, d);
		}
		d = d2;
	}
}

/* ---- per-P locals ---- */

static struct pool_local *local_of(struct pool_locals *t, int pid, bool create)
{
	struct pool_local **cp = &t->chunks[pid / CHUNK];
	struct pool_local *chunk = __atomic_load_n(cp, __ATOMIC_ACQUIRE);

	if (!chunk) {
		struct pool_local *fresh;

		if (!create)
			return NULL;
		fresh = aligned_alloc(128, CHUNK * sizeof(*fresh));
		if (!fresh)
			ls_fatal("runtime: out of memory");
		memset(fresh, 0, CHUNK * sizeof(*fresh));
		if (__atomic_compare_exchange_n(cp, &chunk, fresh, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			chunk = fresh;
		else
			free(fresh);
	}
	return &chunk[pid % CHUNK];
}

/* The primary table, made on first use (Go: pinSlow).  Called pinned. */
static struct pool_locals *primary(struct ls_pool *p)
{
	struct pool_locals *t = __atomic_load_n(&p->local, __ATOMIC_ACQUIRE);

	if (!t) {
		struct pool_locals *fresh = ls__xcalloc(1, sizeof(*fresh));

		if (__atomic_compare_exchange_n(&p->local, &t, fresh, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			t = fresh;
		else
			free(fresh);
	}
	return t;
}

/* ---- Put / Get ---- */

void ls_pool_put(struct ls_pool *p, void *obj)
{
	struct pool_local *l;
	int where = 0;
	int pid;

	if (!obj)
		return;
	pid = ls__pin();
	l = local_of(primary(p), pid, true);
	if (!l->private) {
		l->private = obj;
	} else {
		chain_push_head(&l->shared, obj);
		where = 1;
	}
	ls__unpin();
	POOL_TRACE(pool_put, p, where);
}

static void *steal(struct ls_pool *p, struct pool_locals *t, int pid, int from_self)
{
	int n = ls__pin_hwm();

	for (int i = 0; i < n; i++) {
		struct pool_local *l = local_of(t, (pid + i + 1 - from_self) % n, false);
		void *x;

		if (l && (x = chain_pop_tail(p, &l->shared)))
			return x;
	}
	return NULL;
}

static void *get_slow(struct ls_pool *p, int pid, int *from)
{
	struct pool_locals *v;
	struct pool_local *l;
	void *x;

	x = steal(p, primary(p), pid, 0);
	if (x) {
		*from = FROM_STOLEN;
		return x;
	}
	v = p->victim;
	if (!v || __atomic_load_n(&p->victim_empty, __ATOMIC_RELAXED))
		return NULL;
	*from = FROM_VICTIM;
	l = local_of(v, pid, false);
	if (l && l->private) {
		x = l->private;
		l->private = NULL;
		return x;
	}
	x = steal(p, v, pid, 1);	/* every victim chain, our own first */
	if (x)
		return x;
	/* Nothing there: later Gets need not look (Go: victimSize = 0). */
	__atomic_store_n(&p->victim_empty, 1, __ATOMIC_RELAXED);
	return NULL;
}

void *ls_pool_get(struct ls_pool *p)
{
	struct pool_local *l;
	int from = FROM_PRIVATE;
	void *x;
	int pid;

	pid = ls__pin();
	l = local_of(primary(p), pid, true);
	x = l->private;
	l->private = NULL;
	if (!x) {
		from = FROM_SHARED;
		x = chain_pop_head(&l->shared);
		if (!x)
			x = get_slow(p, pid, &from);
	}
	ls__unpin();
	if (!x && p->new_fn) {
		x = p->new_fn(p->arg);
		from = FROM_NEW;
	}
	if (!x)
		from = FROM_NIL;
	POOL_TRACE(pool_get, p, from);
	return x;
}

/* ---- cleanup (the world is stopped, or the pool is private to us) ---- */

struct drop_list {
	void	**objs;
	size_t	n, cap;
};

static void drop_add(struct drop_list *dl, void *obj)
{
	if (dl->n == dl->cap) {
		dl->cap = dl->cap ? dl->cap * 2 : 16;
		dl->objs = ls__xrealloc(dl->objs, dl->cap * sizeof(void *));
	}
	dl->objs[dl->n++] = obj;
}

/* Count (dl NULL) or collect and free (dl given) a table's objects. */
static size_t locals_walk(struct pool_locals *t, struct drop_list *dl)
{
	size_t n = 0;

	if (!t)
		return 0;
	for (int c = 0; c < NCHUNK; c++) {
		struct pool_local *chunk = t->chunks[c];

		if (!chunk)
			continue;
		for (int i = 0; i < CHUNK; i++) {
			struct pool_local *l = &chunk[i];
			struct chain_elt *d = l->shared.tail, *next;

			if (l->private) {
				n++;
				if (dl)
					drop_add(dl, l->private);
			}
			for (; d; d = next) {
				uint32_t head, tail;

				next = d->next;
				unpack(d->head_tail, &head, &tail);
				for (; tail != head; tail++) {
					n++;
					if (dl)
						drop_add(dl, d->vals[tail & (d->size - 1)]);
				}
				if (dl)
					free(d);
			}
		}
		if (dl)
			free(chunk);
	}
	if (dl)
		free(t);
	return n;
}

static void free_retired(struct ls_pool *p)
{
	struct chain_elt *d = p->retired, *next;

	for (; d; d = next) {
		next = d->retired_next;
		free(d);
	}
	p->retired = NULL;
}

struct drop_batch {
	void		(*drop_fn)(void *obj, void *arg);
	void		*arg;
	struct drop_list list;
};

static void drop_run(struct drop_batch *b)
{
	if (b->drop_fn)
		for (size_t i = 0; i < b->list.n; i++)
			b->drop_fn(b->list.objs[i], b->arg);
	free(b->list.objs);
}

void ls_pool_gc(void)
{
	struct drop_batch *batches = NULL;
	size_t nb = 0;

	ls_mutex_lock(&all_pools_mu);
	for (struct ls_pool *p = all_pools; p; p = p->allnext)
		nb++;
	batches = ls__xcalloc(nb, sizeof(*batches));
	ls__stop_the_world();
	nb = 0;
	for (struct ls_pool *p = all_pools; p; p = p->allnext, nb++) {
		struct drop_batch *b = &batches[nb];
		size_t moved;

		b->drop_fn = p->drop_fn;
		b->arg = p->arg;
		locals_walk(p->victim, &b->list);
		moved = locals_walk(p->local, NULL);
		p->victim = p->local;
		p->local = NULL;
		p->victim_empty = 0;
		free_retired(p);
		POOL_TRACE(pool_gc, p, moved, b->list.n);
	}
	ls__start_the_world();
	ls_mutex_unlock(&all_pools_mu);
	for (size_t i = 0; i < nb; i++)
		drop_run(&batches[i]);
	free(batches);
}

struct ls_pool *ls_pool_new(void *(*new_fn)(void *arg),
			    void (*drop_fn)(void *obj, void *arg), void *arg,
			    const char *name)
{
	struct ls_pool *p = ls__xcalloc(1, sizeof(*p));

	p->new_fn = new_fn;
	p->drop_fn = drop_fn;
	p->arg = arg;
	p->on.name = name;
	ls_mutex_lock(&all_pools_mu);
	p->allnext = all_pools;
	if (all_pools)
		all_pools->allprev = p;
	all_pools = p;
	ls_mutex_unlock(&all_pools_mu);
	return p;
}

void ls_pool_free(struct ls_pool *p)
{
	struct drop_batch b;

	if (!p)
		return;
	b = (struct drop_batch){ .drop_fn = p->drop_fn, .arg = p->arg };
	ls_mutex_lock(&all_pools_mu);
	if (p->allprev)
		p->allprev->allnext = p->allnext;
	else
		all_pools = p->allnext;
	if (p->allnext)
		p->allnext->allprev = p->allprev;
	ls_mutex_unlock(&all_pools_mu);
	locals_walk(p->victim, &b.list);
	locals_walk(p->local, &b.list);
	free_retired(p);
	free(p);
	drop_run(&b);
}
