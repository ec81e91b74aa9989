/* SPDX-License-Identifier: MIT */
/*
 * cache.h - a local cache whose keys expire (the course notes'
 * BuildInMapCache).
 *
 * Set stores a value with a time to live (0: never expires).  An expired
 * key is removed in two ways, and both are needed: lazily, by the Get that
 * finds it expired, and by a janitor goroutine that wakes every `interval`
 * and examines at most `scan_limit` keys, resuming the next time where it
 * stopped, so that one tick never holds the lock for long however big the
 * cache is.  Keys nobody reads are reclaimed by the janitor; keys read
 * soon after expiring never come back from a Get.
 *
 * on_evict(key, val, arg), if given, is called for every key that leaves
 * the cache by expiry or by Delete (not for a value replaced by Set, nor at
 * ls_cache_free).  It runs with the cache's lock held: it must not call the
 * cache.  Keys are copied; values are opaque pointers the cache never
 * frees.
 */
#ifndef LOCKSTEP_CACHE_H
#define LOCKSTEP_CACHE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ls_cache;

/*
 * interval <= 0: no janitor (lazy expiry only); scan_limit 0: 1000 keys
 * per tick, as in the notes.  NULL with errno ENOMEM.
 */
struct ls_cache *ls_cache_new(int64_t interval_ns, unsigned scan_limit,
			      void (*on_evict)(const char *key, void *val, void *arg),
			      void *arg, const char *name);
/* ttl_ns <= 0: never expires.  Replaces any current value.  0. */
int	ls_cache_set(struct ls_cache *c, const char *key, void *val, int64_t ttl_ns);
/* 0 and *val, or -ENOENT (absent or expired). */
int	ls_cache_get(struct ls_cache *c, const char *key, void **val);
/* 0 and *val (if val), or -ENOENT.  Calls on_evict. */
int	ls_cache_delete(struct ls_cache *c, const char *key, void **val);
/* Keys stored, expired ones not yet removed included. */
size_t	ls_cache_len(struct ls_cache *c);
/* Stop the janitor and wait for it: 0, or -EALREADY if already closed. */
int	ls_cache_close(struct ls_cache *c);
/* Close if needed and free every key (without calling on_evict). */
void	ls_cache_free(struct ls_cache *c);

#ifdef __cplusplus
}
#endif
#endif /* LOCKSTEP_CACHE_H */
