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
 * get() looks a key up under the read lock.  On a miss it computes the
 * value and takes the write lock to store it, still holding the read lock.
 * Some libraries offer "upgradeable" locks; Go's RWMutex does not.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define SLOTS	16

struct cache {
	struct ls_rwmutex	rw;
	int64_t			val[SLOTS];	/* 0 = not cached yet */
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
	if (!v) {
		v = slow_square(k);
		ls_rwmutex_lock(&c->rw);
		c->val[k] = v;
		c->computed++;
		ls_rwmutex_unlock(&c->rw);
	}
	ls_rwmutex_runlock(&c->rw);
	return v;
}

int main(void)
{
	struct cache c = { .rw = LS_RWMUTEX_INIT("cache.rw") };

	printf("get(3) = %lld\n", (long long)get(&c, 3));
	printf("get(3) = %lld\n", (long long)get(&c, 3));
	printf("computed %d value(s)\n", c.computed);
	return 0;
}
