// SPDX-License-Identifier: MIT
/*
 * cache.c - the expiring local cache of the course notes (seed 001,
 * "缓存模块": BuildInMapCache with expiry, a polling goroutine and an
 * eviction callback).
 *
 * State: a map key -> item { val, deadline (0: none) } under an RWMutex.
 * An item is expired when deadline != 0 and deadline < now.
 *
 * The notes weigh three ways to expire keys:
 *   1. one timer per key: one goroutine (or AfterFunc) per key is costly,
 *      and a timer set for an old value deletes a newer one;
 *   2. a goroutine polling the map: must bound each round's work;
 *   3. check on access: cheap, but a key nobody reads again stays forever.
 * and keep 2 + 3, as Redis does.  So:
 *
 *   Get(k):  RLock; look; RUnlock.  Absent: -ENOENT.  Live: return it.
 *            Expired: the key cannot just be deleted, because between the
 *            RUnlock and a Lock another goroutine may Set it anew.  So:
 *            Lock, look again (double-check), and evict only if it is still
 *            there and still expired; if it was replaced by a live value,
 *            return that one.
 *   janitor: every interval (select on a timer and on `closing`): Lock;
 *            examine up to scan_limit keys starting where the previous
 *            round stopped, evicting the expired ones; Unlock.
 *   Set:     Lock; store {val, now + ttl}; Unlock.
 *   Delete:  Lock; remove, call on_evict; Unlock.
 *   Close:   close(closing), which the janitor's select sees, and wait
 *            for the janitor to return.
 *
 * Events: CACHE_SET (ttl, key), CACHE_EVICT (0 lazy by Get, 1 janitor,
 * 2 Delete; key).
 *
 * Deviations, all fixing bugs the notes themselves point out or contain:
 *   - the notes' Get returns the expired value after deleting it; ours
 *     reports -ENOENT;
 *   - the notes' Delete reads under RLock and deletes without any lock;
 *     ours holds the write lock throughout;
 *   - the notes' Close does a non-blocking send on `close`, which "most
 *     likely lands in default" (the janitor is rarely at its select); ours
 *     closes the channel, and a second Close returns -EALREADY (the notes'
 *     "cache closed twice" error) instead of panicking;
 *   - the notes' janitor ranges over a Go map, whose random order covers
 *     the keys only statistically; ours resumes at a cursor, so every key
 *     is examined within ceil(len / scan_limit) ticks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <lockstep/cache.h>
#include <lockstep/chan.h>
#include <lockstep/runtime.h>
#include <lockstep/sync.h>
#include "../trace.h"
#include "../xsync/internal.h"

#define DEFAULT_SCAN_LIMIT	1000

enum { EVICT_LAZY, EVICT_JANITOR, EVICT_DELETE };

struct item {
	void	*val;
	int64_t	deadline;	/* ls_now() ns; 0: never */
	char	key[];
};

/* mu is not first: its own events must not share the cache's address */
struct ls_cache {
	struct ls__strmap	data;	/* key -> struct item * */
	struct ls_rwmutex	mu;
	size_t			cursor;	/* where the janitor resumes */
	int64_t			interval;
	unsigned		scan_limit;
	void			(*on_evict)(const char *key, void *val, void *arg);
	void			*arg;
	bool			closed;
	struct ls_chan		*closing;
	struct ls_waitgroup	janitor;
	struct ls_objname	on;
};

#define CACHE_TRACE(ev, c, ...) LS_TRACE_OBJ(ev, LS_OBJ_CACHE, (c), __VA_ARGS__)

static bool expired(const struct item *it, int64_t now)
{
	return it->deadline && it->deadline < now;
}

/* Remove it and tell on_evict.  Write lock held. */
static void evict(struct ls_cache *c, struct item *it, int why)
{
	ls__strmap_del(&c->data, it->key);
	CACHE_TRACE(cache_evict, c, why, it->key);
	if (c->on_evict)
		c->on_evict(it->key, it->val, c->arg);
	free(it);
}

static void janitor_round(struct ls_cache *c)
{
	struct item *it;
	int64_t now;

	ls_rwmutex_lock(&c->mu);
	now = ls_now();
	for (unsigned n = 0; n < c->scan_limit; n++) {
		if (!ls__strmap_next(&c->data, &c->cursor, NULL, (void **)&it)) {
			c->cursor = 0;	/* wrapped: the next round starts over */
			break;
		}
		if (expired(it, now))
			evict(c, it, EVICT_JANITOR);	/* a tombstone: nothing moves */
	}
	ls_rwmutex_unlock(&c->mu);
}

static void janitor(void *arg)
{
	struct ls_cache *c = arg;

	for (;;) {
		struct ls_chan *tick = ls_after(c->interval);
		struct ls_case cases[2] = {
			{ .ch = tick, .dir = LS_RECV },
			{ .ch = c->closing, .dir = LS_RECV },
		};
		int i;

		if (!tick)
			ls_fatal("runtime: out of memory");
		i = ls_select(cases, 2, true);
		ls_chan_free(tick);
		if (i == 1)
			break;
		janitor_round(c);
	}
	ls_waitgroup_done(&c->janitor);
}

struct ls_cache *ls_cache_new(int64_t interval_ns, unsigned scan_limit,
			      void (*on_evict)(const char *key, void *val, void *arg),
			      void *arg, const char *name)
{
	struct ls_cache *c = calloc(1, sizeof(*c));

	if (!c)
		goto out_nomem;
	ls_rwmutex_init(&c->mu, name);
	ls_waitgroup_init(&c->janitor, name);
	c->interval = interval_ns;
	c->scan_limit = scan_limit ? scan_limit : DEFAULT_SCAN_LIMIT;
	c->on_evict = on_evict;
	c->arg = arg;
	c->on.name = name;
	c->closing = ls_chan_make(0, 0, "closing");
	if (!c->closing)
		goto out_free;
	if (interval_ns > 0) {
		ls_waitgroup_add(&c->janitor, 1);
		if (ls_go(janitor, c, "cache janitor"))
			ls_fatal("cache: cannot start the janitor");
	}
	return c;

out_free:
	free(c);
out_nomem:
	errno = ENOMEM;
	return NULL;
}

int ls_cache_set(struct ls_cache *c, const char *key, void *val, int64_t ttl_ns)
{
	int64_t now = ls_now();
	/* a TTL past the end of time never expires (and never overflows) */
	int64_t deadline = ttl_ns <= 0 ? 0 : ttl_ns > INT64_MAX - now ? INT64_MAX
				: now + ttl_ns;
	struct item *it;

	ls_rwmutex_lock(&c->mu);
	it = ls__strmap_get(&c->data, key);
	if (!it) {
		size_t n = strlen(key) + 1;

		it = ls__xcalloc(1, sizeof(*it) + n);
		memcpy(it->key, key, n);
		ls__strmap_put(&c->data, it->key, it);
	}
	it->val = val;
	it->deadline = deadline;
	CACHE_TRACE(cache_set, c, ttl_ns > 0 ? ttl_ns : 0, it->key);
	ls_rwmutex_unlock(&c->mu);
	return 0;
}

int ls_cache_get(struct ls_cache *c, const char *key, void **val)
{
	struct item *it;
	int err = 0;

	ls_rwmutex_rlock(&c->mu);
	it = ls__strmap_get(&c->data, key);
	if (it && !expired(it, ls_now())) {
		if (val)
			*val = it->val;
		ls_rwmutex_runlock(&c->mu);
		return 0;
	}
	ls_rwmutex_runlock(&c->mu);
	if (!it)
		return -ENOENT;

	/* Expired when we looked: check again under the write lock. */
	ls_rwmutex_lock(&c->mu);
	it = ls__strmap_get(&c->data, key);
	if (!it) {
		err = -ENOENT;		/* someone else removed it */
	} else if (expired(it, ls_now())) {
		evict(c, it, EVICT_LAZY);
		err = -ENOENT;
	} else if (val) {
		*val = it->val;		/* Set anew meanwhile: it is live */
	}
	ls_rwmutex_unlock(&c->mu);
	return err;
}

int ls_cache_delete(struct ls_cache *c, const char *key, void **val)
{
	struct item *it;

	ls_rwmutex_lock(&c->mu);
	it = ls__strmap_get(&c->data, key);
	if (!it) {
		ls_rwmutex_unlock(&c->mu);
		return -ENOENT;
	}
	if (val)
		*val = it->val;
	evict(c, it, EVICT_DELETE);
	ls_rwmutex_unlock(&c->mu);
	return 0;
}

size_t ls_cache_len(struct ls_cache *c)
{
	size_t n;

	ls_rwmutex_rlock(&c->mu);
	n = ls__strmap_len(&c->data);
	ls_rwmutex_runlock(&c->mu);
	return n;
}

int ls_cache_close(struct ls_cache *c)
{
	bool was;

	ls_rwmutex_lock(&c->mu);
	was = c->closed;
	c->closed = true;
	ls_rwmutex_unlock(&c->mu);
	if (was)
		return -EALREADY;
	ls_chan_close(c->closing);
	ls_waitgroup_wait(&c->janitor);
	return 0;
}

void ls_cache_free(struct ls_cache *c)
{
	size_t pos = 0;
	struct item *it;

	if (!c)
		return;
	ls_cache_close(c);
	while (ls__strmap_next(&c->data, &pos, NULL, (void **)&it))
		free(it);
	ls__strmap_destroy(&c->data);
	ls_chan_free(c->closing);
	free(c);
}
