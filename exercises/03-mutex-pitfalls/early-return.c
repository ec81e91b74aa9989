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
 * lookup() finds a key in a small cache under its mutex.  A key that is not
 * there returns -ENOENT straight from the middle of the function.
 *
 * Afterwards, a refresher goroutine wants to add a key.  main gives it 100
 * ms, like a request with a deadline, then gives up and exits: the
 * refresher is left behind, parked on the mutex.  That is a goroutine leak:
 * in a long-running server it would pile up, one stuck goroutine per miss.
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
	ls_mutex_lock(&c->mu);
	for (int i = 0; i < c->n; i++) {
		if (!strcmp(c->keys[i], key)) {
			*val = c->vals[i];
			ls_mutex_unlock(&c->mu);
			return 0;
		}
	}
	return -ENOENT;
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
	if (!ls_atomic_load(&refreshed))
		printf("refresher did not finish within 100 ms; giving up\n");
	else
		printf("refresher done\n");
	return 0;
}
