// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       03-mutex-pitfalls/early-return
 * chapter:  03
 * lesson:   03-mutex-pitfalls
 * title:    A lookup that returns early and keeps the lock
 * kind:     fix
 * verdict:  leak
 * achieve:  Make every return from lookup() release the cache lock, so that
 *           the refresher finishes.
 * hint:     The refresher waits on cache.mu.  Who locked it last, and did they
 *           ever unlock it?
 * hint:     Look at each return statement in lookup().
 * hint:     In C, keep one exit path: set the result, then "goto out" to a
 *           single unlock (the C form of Go's defer mu.Unlock()).
 */
/*
 * Solution: lookup() has one exit, through the unlock.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <lockstep/lockstep.h>

#define SLOTS	8

struct cache {
	struct ls_mutex	mu;
	const char	*keys[SLOTS];
	int64_t		vals[SLOTS];
	int		n;
};

static struct cache cache = { .mu = LS_MUTEX_INIT("cache.mu") };
static int64_t refreshed;

static int lookup(struct cache *c, const char *key, int64_t *val)
{
	int ret = -ENOENT;

	ls_mutex_lock(&c->mu);
	for (int i = 0; i < c->n; i++) {
		if (!strcmp(c->keys[i], key)) {
			*val = c->vals[i];
			ret = 0;
			goto out;
		}
	}
out:
	ls_mutex_unlock(&c->mu);
	return ret;
}

static void put(struct cache *c, const char *key, int64_t val)
{
	ls_mutex_lock(&c->mu);
	if (c->n < SLOTS) {
		c->keys[c->n] = key;
		c->vals[c->n++] = val;
	}
	ls_mutex_unlock(&c->mu);
}

static void refresher(void *arg)
{
	put(&cache, "b", 2);
	ls_atomic_store(&refreshed, 1);
}

int main(void)
{
	int64_t v = 0;

	put(&cache, "a", 1);
	printf("lookup(a) = %d\n", lookup(&cache, "a", &v));
	printf("lookup(z) = %d\n", lookup(&cache, "z", &v));

	ls_go(refresher, NULL, "refresher");
	for (int ms = 0; ms < 100 && !ls_atomic_load(&refreshed); ms++)
		ls_sleep(LS_MSEC);
	if (!ls_atomic_load(&refreshed)) {
		fprintf(stderr, "FAIL: refresher did not finish\n");
		return 1;
	}
	printf("refresher done\n");
	if (lookup(&cache, "b", &v) || v != 2) {
		fprintf(stderr, "FAIL: b was not added\n");
		return 1;
	}
	return 0;
}
