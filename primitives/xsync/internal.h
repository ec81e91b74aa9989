/* SPDX-License-Identifier: MIT */
/*
 * internal.h (xsync, patterns) - mechanics shared by the x/sync primitives
 * and the seed patterns, kept in one place.
 *
 *   ls__strmap	a string-keyed open-addressing hash table (Go's map[string]T
 *		for our purposes): singleflight's call map, sync.Map's read and
 *		dirty maps, the expiring cache.  Not synchronised: callers lock.
 *
 *   ls__pin	the per-thread "P" of procpin.c (Go: runtime_procPin).  A
 *		pinned thread owns a small integer pid that no other live
 *		thread has; sync.Pool indexes its per-P locals with it.  Pins
 *		are also what ls__synchronize() waits for (a grace period, so
 *		that sync.Map can free a read map no lock-free reader still
 *		uses) and what ls__stop_the_world() stops (ls_pool_gc's STW).
 */
#ifndef LS_PRIV_XSYNC_INTERNAL_H
#define LS_PRIV_XSYNC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <lockstep/runtime.h>

#define LS_HIDDEN __attribute__((visibility("hidden")))

/* ---- allocation: Go throws on out-of-memory, and so do we ---- */
static inline void *ls__xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		ls_fatal("runtime: out of memory");
	return p;
}

static inline void *ls__xrealloc(void *old, size_t size)
{
	void *p = realloc(old, size ? size : 1);

	if (!p)
		ls_fatal("runtime: out of memory");
	return p;
}

/* ---- string-keyed hash table ---- */
struct ls__strmap_slot {
	uint64_t	hash;
	const char	*key;	/* NULL: empty; ls__strmap_tomb: deleted */
	void		*val;
};

struct ls__strmap {
	struct ls__strmap_slot	*slots;
	size_t			cap;	/* power of two, or 0 */
	size_t			len;	/* live keys */
	size_t			used;	/* live keys + tombstones */
};

/*
 * Keys are borrowed: the caller keeps each key string alive while it is in
 * the table (the value usually owns it).  Values must not be NULL.
 */
LS_HIDDEN void	ls__strmap_reserve(struct ls__strmap *m, size_t n);
LS_HIDDEN void	*ls__strmap_get(const struct ls__strmap *m, const char *key);
LS_HIDDEN void	*ls__strmap_put(struct ls__strmap *m, const char *key, void *val);
LS_HIDDEN void	*ls__strmap_del(struct ls__strmap *m, const char *key);
LS_HIDDEN void	ls__strmap_destroy(struct ls__strmap *m);
/*
 * Iterate from slot *pos: the next live slot at or after it, or false at
 * the end.  Deleting the returned key while iterating is allowed (deletion
 * leaves a tombstone; nothing moves); inserting is not.
 */
LS_HIDDEN bool	ls__strmap_next(const struct ls__strmap *m, size_t *pos,
				const char **key, void **val);

static inline size_t ls__strmap_len(const struct ls__strmap *m)
{
	return m ? m->len : 0;
}

/* ---- per-thread P, grace periods, stop-the-world (procpin.c) ---- */
#define LS_PIN_MAXP	1024	/* threads using Pool or Map at the same time */

LS_HIDDEN int	ls__pin(void);		/* returns pid; no nesting */
LS_HIDDEN void	ls__unpin(void);
LS_HIDDEN int	ls__pin_hwm(void);	/* 1 + the highest pid handed out */
LS_HIDDEN void	ls__synchronize(void);	/* wait until every current pin ends */
LS_HIDDEN void	ls__stop_the_world(void);
LS_HIDDEN void	ls__start_the_world(void);

#endif /* LS_PRIV_XSYNC_INTERNAL_H */
