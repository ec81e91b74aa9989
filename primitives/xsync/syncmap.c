// SPDX-License-Identifier: MIT
/*
 * syncmap.c - sync.Map (src/sync/map.go as of Go 1.19).
 *
 * Two maps share one set of entries:
 *
 *   read   an immutable map (plus an `amended` flag) published through an
 *          atomic pointer.  Loads, and Stores to keys it already has, use it
 *          without taking mu.
 *   dirty  a plain map, only touched under mu, holding every live key: the
 *          read map's keys plus the new ones.  amended == true means dirty
 *          has keys that read lacks.
 *
 * An entry holds an atomic pointer p:
 *   value      live (a NULL value is stored as a private "nil" marker);
 *   NULL       deleted, but still in dirty (if dirty exists);
 *   EXPUNGED   deleted and *not* in dirty: it only lingers in read.
 * Deleting a key found in read just sets p = NULL, so deletes, like loads,
 * stay lock-free.
 *
 * Load(k): look in read.  Miss and amended: lock, look again in read (it
 * may have been promoted meanwhile), then in dirty, and count a miss.
 * Store(k, v): found in read and not expunged: CAS the value in, done.
 * Otherwise lock: in read (un-expunge it into dirty if needed) or in dirty:
 * store; a new key: if !amended, build dirty from read (dirtyLocked) and
 * republish read with amended = true; add the entry to dirty.
 * dirtyLocked copies every read entry into the new dirty map except the
 * deleted ones, which it turns into EXPUNGED on the way.
 * missLocked: misses++; once misses >= len(dirty), the slow path has cost
 * as much as copying the map, so dirty becomes the new read map (promotion),
 * dirty = nil, misses = 0.
 * LoadOrStore, LoadAndDelete/Delete and Range follow the same pattern;
 * Range first promotes dirty when amended, so that it ranges over one
 * immutable snapshot.
 *
 * Memory.  Go's collector frees a read map once no reader can see it.
 * Here a lock-free reader pins itself (procpin.c) while it looks at read;
 * a writer that replaces read waits a grace period (ls__synchronize) and
 * then drops the old one.  Range holds a reference on its snapshot instead
 * of a pin, because its callback may block.  Entries that were EXPUNGED
 * when their read map was replaced are reachable from nowhere else and
 * are freed with that map; an entry deleted from dirty that was never in a
 * read map is freed at once.
 *
 * Events: MAP_OP for every operation (op, found in the read map, misses,
 * dirty entries), MAP_PROMOTE when dirty becomes read.
 *
 * Deviations: keys are C strings (copied), values void * (Go: any, any).
 * The slow-path entry read happens before mu is released rather than just
 * after, so that the entry cannot be freed under us.
 */
#include <stdlib.h>
#include <string.h>

#include <lockstep/sync.h>
#include <lockstep/syncmap.h>
#include "../trace.h"
#include "internal.h"

static char nil_marker, expunged_marker;
#define NILVAL		((void *)&nil_marker)
#define EXPUNGED	((void *)&expunged_marker)

enum { OP_LOAD, OP_STORE, OP_DELETE, OP_LOADORSTORE, OP_RANGE };

struct entry {
	void	*p;		/* atomic */
	char	key[];
};

struct table {
	struct ls__strmap	m;	/* key -> struct entry * */
	int			refs;	/* read snapshots using it */
	struct entry		**dead;	/* expunged when it was replaced */
	size_t			ndead;
};

struct readonly {
	struct table	*t;	/* NULL: empty */
	bool		amended;
	int		refs;	/* 1 while published, +1 per Range */
};

/* mu is not first: its own events must not share the map's address */
struct ls_syncmap {
	struct readonly		*read;	/* atomic */
	struct ls_mutex		mu;
	struct table		*dirty;
	int			misses;
	/* copies of misses and len(dirty) that lock-free paths may read
	 * for their events */
	int			ev_misses;
	size_t			ev_dirty;
	struct ls_objname	on;
};

#define MAP_TRACE(ev, m, ...) LS_TRACE_OBJ(ev, LS_OBJ_MAP, (m), __VA_ARGS__)

/* ---- entries ---- */

static struct entry *entry_new(const char *key, void *val)
{
	size_t n = strlen(key) + 1;
	struct entry *e = ls__xcalloc(1, sizeof(*e) + n);

	memcpy(e->key, key, n);
	e->p = val ? val : NILVAL;
	return e;
}

static bool entry_load(struct entry *e, void **val)
{
	void *p = __atomic_load_n(&e->p, __ATOMIC_ACQUIRE);

	if (!p || p == EXPUNGED)
		return false;
	if (val)
		*val = p == NILVAL ? NULL : p;
	return true;
}

/* Store unless expunged (then the key must go through dirty, under mu). */
static bool entry_try_store(struct entry *e, void *val)
{
	void *p = __atomic_load_n(&e->p, __ATOMIC_ACQUIRE);
	void *nv = val ? val : NILVAL;

	for (;;) {
		if (p == EXPUNGED)
			return false;
		if (__atomic_compare_exchange_n(&e->p, &p, nv, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			return true;
	}
}

static bool entry_unexpunge_locked(struct entry *e)
{
	void *p = EXPUNGED;

	return __atomic_compare_exchange_n(&e->p, &p, NULL, false,
					   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

static void entry_store_locked(struct entry *e, void *val)
{
	__atomic_store_n(&e->p, val ? val : NILVAL, __ATOMIC_RELEASE);
}

/* Returns false if expunged; else loaded/actual as LoadOrStore. */
static bool entry_try_load_or_store(struct entry *e, void *val, void **actual,
				    bool *loaded)
{
	void *p = __atomic_load_n(&e->p, __ATOMIC_ACQUIRE);
	void *nv = val ? val : NILVAL;

	for (;;) {
		if (p == EXPUNGED)
			return false;
		if (p) {
			*actual = p == NILVAL ? NULL : p;
			*loaded = true;
			return true;
		}
		if (__atomic_compare_exchange_n(&e->p, &p, nv, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			*actual = val;
			*loaded = false;
			return true;
		}
	}
}

static bool entry_delete(struct entry *e, void **val)
{
	void *p = __atomic_load_n(&e->p, __ATOMIC_ACQUIRE);

	for (;;) {
		if (!p || p == EXPUNGED)
			return false;
		if (__atomic_compare_exchange_n(&e->p, &p, NULL, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			if (val)
				*val = p == NILVAL ? NULL : p;
			return true;
		}
	}
}

static bool entry_try_expunge_locked(struct entry *e)
{
	void *p = __atomic_load_n(&e->p, __ATOMIC_ACQUIRE);

	while (!p) {
		if (__atomic_compare_exchange_n(&e->p, &p, EXPUNGED, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			return true;
	}
	return p == EXPUNGED;
}

/* ---- tables and read snapshots ---- */

static struct entry *table_get(const struct table *t, const char *key)
{
	return t ? ls__strmap_get(&t->m, key) : NULL;
}

static size_t table_len(const struct table *t)
{
	return t ? ls__strmap_len(&t->m) : 0;
}

static void table_put(struct table *t)
{
	if (!t || __atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL))
		return;
	for (size_t i = 0; i < t->ndead; i++)
		free(t->dead[i]);
	free(t->dead);
	ls__strmap_destroy(&t->m);
	free(t);
}

static struct readonly *ro_new(struct table *t, bool amended)
{
	struct readonly *ro = ls__xcalloc(1, sizeof(*ro));

	ro->t = t;
	ro->amended = amended;
	ro->refs = 1;
	if (t)
		__atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED);
	return ro;
}

static void ro_put(struct readonly *ro)
{
	if (__atomic_sub_fetch(&ro->refs, 1, __ATOMIC_ACQ_REL))
		return;
	table_put(ro->t);
	free(ro);
}

static struct readonly *load_read(struct ls_syncmap *m)
{
	return __atomic_load_n(&m->read, __ATOMIC_SEQ_CST);
}

/* Replace read; free the old one once no pinned reader can hold it. */
static void publish_locked(struct ls_syncmap *m, struct readonly *ro)
{
	struct readonly *old = m->read;

	__atomic_store_n(&m->read, ro, __ATOMIC_SEQ_CST);
	ls__synchronize();
	ro_put(old);
}

/* dirty becomes read.  mu held. */
static void promote_locked(struct ls_syncmap *m)
{
	struct table *t = m->read->t;
	size_t pos = 0;
	struct entry *e;

	/* The expunged entries of the old map are in no other map. */
	while (t && ls__strmap_next(&t->m, &pos, NULL, (void **)&e)) {
		if (__atomic_load_n(&e->p, __ATOMIC_RELAXED) != EXPUNGED)
			continue;
		t->dead = ls__xrealloc(t->dead, (t->ndead + 1) * sizeof(*t->dead));
		t->dead[t->ndead++] = e;
	}
	MAP_TRACE(map_promote, m, table_len(m->dirty), m->misses);
	publish_locked(m, ro_new(m->dirty, false));
	m->dirty = NULL;
	m->misses = 0;
}

static void miss_locked(struct ls_syncmap *m)
{
	m->misses++;
	if ((size_t)m->misses < table_len(m->dirty))
		return;
	promote_locked(m);
}

static void dirty_locked(struct ls_syncmap *m)
{
	struct table *t = m->read->t;
	size_t pos = 0;
	struct entry *e;

	if (m->dirty)
		return;
	m->dirty = ls__xcalloc(1, sizeof(*m->dirty));
	ls__strmap_reserve(&m->dirty->m, table_len(t));
	while (t && ls__strmap_next(&t->m, &pos, NULL, (void **)&e))
		if (!entry_try_expunge_locked(e))
			ls__strmap_put(&m->dirty->m, e->key, e);
}

/* A read entry that was expunged goes back into dirty.  mu held. */
static void unexpunge_locked(struct ls_syncmap *m, struct entry *e)
{
	if (entry_unexpunge_locked(e))
		ls__strmap_put(&m->dirty->m, e->key, e);
}

/* A key in neither map goes into dirty, building dirty first.  mu held. */
static void add_locked(struct ls_syncmap *m, const char *key, void *val)
{
	struct entry *e;

	if (!m->read->amended) {
		dirty_locked(m);
		publish_locked(m, ro_new(m->read->t, true));
	}
	e = entry_new(key, val);
	ls__strmap_put(&m->dirty->m, e->key, e);
}

static void trace_op(struct ls_syncmap *m, int op, bool hit)
{
	MAP_TRACE(map_op, m, op, hit, __atomic_load_n(&m->ev_misses, __ATOMIC_RELAXED),
		  __atomic_load_n(&m->ev_dirty, __ATOMIC_RELAXED));
}

/* Refresh the copies the events read.  mu held. */
static void stats_locked(struct ls_syncmap *m)
{
	__atomic_store_n(&m->ev_misses, m->misses, __ATOMIC_RELAXED);
	__atomic_store_n(&m->ev_dirty, table_len(m->dirty), __ATOMIC_RELAXED);
}

static void trace_op_locked(struct ls_syncmap *m, int op, bool hit)
{
	stats_locked(m);
	trace_op(m, op, hit);
}

/* ---- the API ---- */

struct ls_syncmap *ls_syncmap_new(const char *name)
{
	struct ls_syncmap *m = ls__xcalloc(1, sizeof(*m));

	ls_mutex_init(&m->mu, name);
	m->on.name = name;
	m->read = ro_new(NULL, false);
	return m;
}

static inline bool entry_act(struct entry *e, void **val, bool del)
{
	return del ? entry_delete(e, val) : entry_load(e, val);
}

/*
 * Load and LoadAndDelete: the same lookup, then entry_load or entry_delete.
 * A key found only in dirty is also taken out of it when deleting.  Inlined
 * into both, so that each fast path keeps its own straight-line code.
 */
static inline __attribute__((always_inline)) bool
load_or_delete(struct ls_syncmap *m, const char *key, void **val, bool del)
{
	int op = del ? OP_DELETE : OP_LOAD;
	struct readonly *ro;
	struct entry *e;
	bool ok;

	ls__pin();
	ro = load_read(m);
	e = table_get(ro->t, key);
	if (e || !ro->amended) {
		ok = e && entry_act(e, val, del);
		ls__unpin();
		trace_op(m, op, e != NULL);
		return ok;
	}
	ls__unpin();

	ls_mutex_lock(&m->mu);
	ro = m->read;
	e = table_get(ro->t, key);
	if (e || !ro->amended) {
		ok = e && entry_act(e, val, del);
	} else if (del) {
		e = ls__strmap_del(&m->dirty->m, key);
		ok = e && entry_delete(e, val);
		/* Only ever in dirty, never in a read map: nobody else sees it. */
		free(e);
		miss_locked(m);
	} else {
		e = table_get(m->dirty, key);
		ok = e && entry_load(e, val);
		miss_locked(m);
	}
	trace_op_locked(m, op, false);
	ls_mutex_unlock(&m->mu);
	return ok;
}

bool ls_syncmap_load(struct ls_syncmap *m, const char *key, void **val)
{
	return load_or_delete(m, key, val, false);
}

void ls_syncmap_store(struct ls_syncmap *m, const char *key, void *val)
{
	struct entry *e;

	ls__pin();
	e = table_get(load_read(m)->t, key);
	if (e && entry_try_store(e, val)) {
		ls__unpin();
		trace_op(m, OP_STORE, true);
		return;
	}
	ls__unpin();

	ls_mutex_lock(&m->mu);
	if ((e = table_get(m->read->t, key))) {
		unexpunge_locked(m, e);
		entry_store_locked(e, val);
	} else if ((e = table_get(m->dirty, key))) {
		entry_store_locked(e, val);
	} else {
		add_locked(m, key, val);
	}
	trace_op_locked(m, OP_STORE, false);
	ls_mutex_unlock(&m->mu);
}

bool ls_syncmap_load_or_store(struct ls_syncmap *m, const char *key, void *val,
			      void **actual)
{
	struct entry *e;
	bool loaded = false;
	void *act = NULL;

	ls__pin();
	e = table_get(load_read(m)->t, key);
	if (e && entry_try_load_or_store(e, val, &act, &loaded)) {
		ls__unpin();
		trace_op(m, OP_LOADORSTORE, true);
		goto out;
	}
	ls__unpin();

	ls_mutex_lock(&m->mu);
	if ((e = table_get(m->read->t, key))) {
		unexpunge_locked(m, e);
		entry_try_load_or_store(e, val, &act, &loaded);
	} else if ((e = table_get(m->dirty, key))) {
		entry_try_load_or_store(e, val, &act, &loaded);
		miss_locked(m);
	} else {
		add_locked(m, key, val);
		act = val;
		loaded = false;
	}
	trace_op_locked(m, OP_LOADORSTORE, false);
	ls_mutex_unlock(&m->mu);
out:
	if (actual)
		*actual = act;
	return loaded;
}

bool ls_syncmap_load_and_delete(struct ls_syncmap *m, const char *key, void **val)
{
	return load_or_delete(m, key, val, true);
}

void ls_syncmap_delete(struct ls_syncmap *m, const char *key)
{
	ls_syncmap_load_and_delete(m, key, NULL);
}

void ls_syncmap_range(struct ls_syncmap *m,
		      bool (*fn)(const char *key, void *val, void *arg), void *arg)
{
	struct readonly *ro;
	struct entry *e;
	size_t pos = 0;
	void *v;

	ls__pin();
	ro = load_read(m);
	__atomic_add_fetch(&ro->refs, 1, __ATOMIC_RELAXED);
	ls__unpin();
	if (ro->amended) {
		struct readonly *cur;

		ls_mutex_lock(&m->mu);
		if (m->read->amended) {
			promote_locked(m);
			stats_locked(m);
		}
		cur = m->read;
		__atomic_add_fetch(&cur->refs, 1, __ATOMIC_RELAXED);
		ls_mutex_unlock(&m->mu);
		ro_put(ro);
		ro = cur;
	}
	trace_op(m, OP_RANGE, true);
	while (ro->t && ls__strmap_next(&ro->t->m, &pos, NULL, (void **)&e)) {
		if (!entry_load(e, &v))
			continue;
		if (!fn(e->key, v, arg))
			break;
	}
	ro_put(ro);
}

void ls_syncmap_free(struct ls_syncmap *m)
{
	struct table *t, *d;
	size_t pos = 0;
	struct entry *e;

	if (!m)
		return;
	t = m->read->t;
	d = m->dirty;
	while (t && ls__strmap_next(&t->m, &pos, NULL, (void **)&e))
		if (table_get(d, e->key) != e)
			free(e);
	pos = 0;
	while (d && ls__strmap_next(&d->m, &pos, NULL, (void **)&e))
		free(e);
	if (d) {
		ls__strmap_destroy(&d->m);
		free(d);
	}
	ro_put(m->read);
	free(m);
}

void ls_syncmap_stats(struct ls_syncmap *m, struct ls_syncmap_stats *st)
{
	ls_mutex_lock(&m->mu);
	st->read_len = table_len(m->read->t);
	st->amended = m->read->amended;
	st->dirty_len = table_len(m->dirty);
	st->misses = m->misses;
	ls_mutex_unlock(&m->mu);
}
