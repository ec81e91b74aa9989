/* SPDX-License-Identifier: MIT */
/*
 * syncmap.h - sync.Map (src/sync/map.go, the read/dirty design of Go 1.9
 * to 1.23).
 *
 * A concurrent map from strings to pointers, tuned for keys that are
 * written once and read many times, or for goroutines working on disjoint
 * keys.  Loads of keys already in the read-only map take no lock.  Keys
 * are copied; values are opaque pointers (NULL is a valid value) that the
 * map never frees.
 *
 * ls_syncmap_range calls fn(key, value, arg) for a snapshot of the keys
 * until fn returns false; fn may call the map (it runs without any lock).
 */
#ifndef LOCKSTEP_SYNCMAP_H
#define LOCKSTEP_SYNCMAP_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ls_syncmap;

struct ls_syncmap *ls_syncmap_new(const char *name);
bool	ls_syncmap_load(struct ls_syncmap *m, const char *key, void **val);
void	ls_syncmap_store(struct ls_syncmap *m, const char *key, void *val);
/* Returns true (and the existing value in *actual) if key was present;
 * otherwise stores val, sets *actual = val and returns false. */
bool	ls_syncmap_load_or_store(struct ls_syncmap *m, const char *key, void *val,
				 void **actual);
/* Returns true (and the old value in *val) if key was present. */
bool	ls_syncmap_load_and_delete(struct ls_syncmap *m, const char *key, void **val);
void	ls_syncmap_delete(struct ls_syncmap *m, const char *key);
void	ls_syncmap_range(struct ls_syncmap *m,
			 bool (*fn)(const char *key, void *val, void *arg), void *arg);
/*
 * Extra, a snapshot for tests and tools (taken under the map's mutex): the
 * sizes of the read and dirty maps, amended, and the miss count.
 */
struct ls_syncmap_stats {
	size_t	read_len;	/* keys in the read map, deleted ones included */
	bool	amended;	/* dirty holds keys read lacks */
	size_t	dirty_len;	/* 0 when there is no dirty map */
	int	misses;		/* slow-path lookups since the last promotion */
};
void	ls_syncmap_stats(struct ls_syncmap *m, struct ls_syncmap_stats *st);
/* The caller guarantees nobody uses the map any more. */
void	ls_syncmap_free(struct ls_syncmap *m);

#ifdef __cplusplus
}
#endif
#endif /* LOCKSTEP_SYNCMAP_H */
