// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       05-rwmutex/upgrade
 * chapter:  05
 * lesson:   05-rwmutex
 * title:    Upgrading a read lock to a write lock
 * kind:     fix
 * verdict:  deadlock
 * achieve:  Fill the cache on a miss without ever asking for the write lock
 *           while holding the read lock.
 * hint:     Lock waits until every reader has left.  Which reader is still
 *           there?
 * hint:     RWMutex has no upgrade: release the read lock first, then take the
 *           write lock.
 * hint:     Between the two, another goroutine may have filled the entry:
 *           check again once you hold the write lock.
 */
/*
 * Solution: a miss releases the read lock, takes the write lock, and looks
 * again (double-checked), because another goroutine may have stored the
 * value in between.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define SLOTS	16

struct cache {
	struct ls_rwmutex	rw;
	int64_t			val[SLOTS];
	int			computed;
};

static int64_t slow_square(int k)
{
	return (int64_t)k * k + 1;
}

static int64_t get(struct cache *c, int k)
{
	int64_t v;

	ls_rwmutex_rlock(&c->rw);
	v = c->val[k];
	ls_rwmutex_runlock(&c->rw);
	if (v)
		return v;

	ls_rwmutex_lock(&c->rw);
	v = c->val[k];
	if (!v) {
		v = slow_square(k);
		c->val[k] = v;
		c->computed++;
	}
	ls_rwmutex_unlock(&c->rw);
	return v;
}

int main(void)
{
	struct cache c = { .rw = LS_RWMUTEX_INIT("cache.rw") };
	int64_t a = get(&c, 3), b = get(&c, 3);

	printf("get(3) = %lld\n", (long long)a);
	printf("get(3) = %lld\n", (long long)b);
	printf("computed %d value(s)\n", c.computed);
	if (a != 10 || b != 10 || c.computed != 1) {
		fprintf(stderr, "FAIL: wrong cache contents\n");
		return 1;
	}
	return 0;
}
