// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       09-map/plain-map
 * chapter:  09
 * lesson:   09-map
 * title:    Two writers, one hash map, no lock
 * kind:     fix
 * verdict:  race
 * achieve:  Make the map safe for concurrent use so that every key written is
 *           found afterwards, with no race reported.
 * hint:     Two inserts can probe the same empty slot at the same time; both
 *           see it empty, one key is lost.  And len is a shared counter too.
 * hint:     Go's map is not safe for concurrent use either: the runtime
 *           detects concurrent writes and dies with "concurrent map writes".
 * hint:     Wrap the map in a struct with an RWMutex: Lock in put, RLock in
 *           get.
 */
/*
 * Solution: the map carries an RWMutex.  put() takes it for writing, get()
 * for reading, and the probing code is split out into *_locked() functions
 * that expect the caller to hold it.  Go's own answer for this case is the
 * same: a struct holding the map and a sync.RWMutex (or a sharded map, see
 * 09-map/sharded, or sync.Map for write-once keys).
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define SLOTS	128
#define PER	40

struct map {
	struct ls_rwmutex	rw;	/* guards everything below */
	int64_t			keys[SLOTS];	/* 0 = empty */
	int64_t			vals[SLOTS];
	int64_t			len;
};

static struct map m = { .rw = LS_RWMUTEX_INIT("map.rw") };

static void put_locked(struct map *m, int64_t k, int64_t v)
{
	for (int64_t i = k % SLOTS; ; i = (i + 1) % SLOTS) {
		int64_t cur = ls_load(&m->keys[i], "keys[i]");

		if (cur == k) {
			ls_store(&m->vals[i], v, "vals[i]");
			return;
		}
		if (cur == 0) {
			ls_store(&m->keys[i], k, "keys[i]");
			ls_store(&m->vals[i], v, "vals[i]");
			ls_store(&m->len, ls_load(&m->len, "len") + 1, "len");
			return;
		}
	}
}

static bool get_locked(struct map *m, int64_t k, int64_t *v)
{
	for (int64_t i = k % SLOTS, n = 0; n < SLOTS; i = (i + 1) % SLOTS, n++) {
		int64_t cur = ls_load(&m->keys[i], "keys[i]");

		if (cur == 0)
			return false;
		if (cur == k) {
			*v = ls_load(&m->vals[i], "vals[i]");
			return true;
		}
	}
	return false;
}

static void put(struct map *m, int64_t k, int64_t v)
{
	ls_rwmutex_lock(&m->rw);
	put_locked(m, k, v);
	ls_rwmutex_unlock(&m->rw);
}

static bool get(struct map *m, int64_t k, int64_t *v)
{
	bool ok;

	ls_rwmutex_rlock(&m->rw);
	ok = get_locked(m, k, v);
	ls_rwmutex_runlock(&m->rw);
	return ok;
}

static void writer(void *arg)
{
	int64_t base = (int64_t)(intptr_t)arg;

	for (int64_t k = base; k < base + PER; k++)
		put(&m, k, k * 10);
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");
	int64_t v;
	int found = 0;

	ls_waitgroup_go(&wg, writer, (void *)(intptr_t)1, "writer-a");
	ls_waitgroup_go(&wg, writer, (void *)(intptr_t)1001, "writer-b");
	ls_waitgroup_wait(&wg);

	for (int64_t k = 1; k < 1 + PER; k++)
		found += get(&m, k, &v) && v == k * 10;
	for (int64_t k = 1001; k < 1001 + PER; k++)
		found += get(&m, k, &v) && v == k * 10;
	printf("found %d of %d keys, len = %lld\n", found, 2 * PER, (long long)m.len);
	if (found != 2 * PER || m.len != 2 * PER) {
		fprintf(stderr, "FAIL: keys were lost\n");
		return 1;
	}
	return 0;
}
