// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       09-map/sharded
 * chapter:  09
 * lesson:   09-map
 * title:    A sharded map with one counter for all shards
 * kind:     fix
 * verdict:  race
 * achieve:  Keep the total number of entries correct without giving up the
 *           per-shard locks.
 * hint:     Each shard's lock protects that shard.  What protects "total"?
 * hint:     Two writers on different shards hold different locks, so nothing
 *           orders their updates of the same counter.
 * hint:     Count per shard (under the shard's lock) and add the counts up in
 *           size(), or make total an atomic counter.
 */
/*
 * Solution: each shard counts its own entries under its own lock, and
 * size() visits the shards one at a time.  The answer is a sum of
 * per-shard snapshots, exact once the writers are done, and every access
 * is ordered by the lock that guards it.  (An atomic total, ls_atomic_add,
 * would also do.)
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define SHARDS	4
#define SLOTS	64
#define PER	30

struct shard {
	struct ls_mutex	mu;		/* guards everything in the shard */
	int64_t		keys[SLOTS];
	int64_t		vals[SLOTS];
	int64_t		count;
};

struct sharded_map {
	struct shard	shard[SHARDS];
};

static struct sharded_map m;

static struct shard *shard_of(struct sharded_map *m, int64_t k)
{
	return &m->shard[(uint64_t)k % SHARDS];
}

static void put(struct sharded_map *m, int64_t k, int64_t v)
{
	struct shard *s = shard_of(m, k);

	ls_mutex_lock(&s->mu);
	for (int i = k % SLOTS; ; i = (i + 1) % SLOTS) {
		if (s->keys[i] == k) {
			s->vals[i] = v;
			break;
		}
		if (s->keys[i] == 0) {
			s->keys[i] = k;
			s->vals[i] = v;
			ls_store(&s->count, ls_load(&s->count, "count") + 1, "count");
			break;
		}
	}
	ls_mutex_unlock(&s->mu);
}

static int64_t size(struct sharded_map *m)
{
	int64_t n = 0;

	for (int i = 0; i < SHARDS; i++) {
		ls_mutex_lock(&m->shard[i].mu);
		n += ls_load(&m->shard[i].count, "count");
		ls_mutex_unlock(&m->shard[i].mu);
	}
	return n;
}

static void writer(void *arg)
{
	int64_t base = (int64_t)(intptr_t)arg;

	for (int64_t k = base; k < base + PER; k++)
		put(&m, k, k);
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	for (int i = 0; i < SHARDS; i++)
		ls_mutex_init(&m.shard[i].mu, "shard.mu");
	ls_waitgroup_go(&wg, writer, (void *)(intptr_t)1, "writer-a");
	ls_waitgroup_go(&wg, writer, (void *)(intptr_t)1001, "writer-b");
	ls_waitgroup_wait(&wg);
	printf("size = %lld (expected %d)\n", (long long)size(&m), 2 * PER);
	if (size(&m) != 2 * PER) {
		fprintf(stderr, "FAIL: entries were miscounted\n");
		return 1;
	}
	return 0;
}
