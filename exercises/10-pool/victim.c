// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       10-pool/victim
 * chapter:  10
 * lesson:   10-pool
 * title:    An object that survives one garbage collection
 * kind:     make
 * goal:     pool-victim-hit
 * achieve:  Get the pooled buffer back from the victim cache instead of
 *           allocating a new one.
 * hint:     Count the ls_pool_gc() calls between the Put and the Get.
 * hint:     The first collection moves the pool's objects to the victim cache;
 *           the second drops them.
 * hint:     Ask for the buffer between the two collections.
 */
/*
 * Go empties every sync.Pool at each garbage collection, but not at once:
 * since Go 1.13 the objects first move to a victim cache, and only the
 * next collection drops them.  A Get between the two still finds them, so
 * a single collection no longer causes a burst of allocations.  lockstep
 * has no collector; ls_pool_gc() plays its part.
 *
 * Here a buffer goes back to the pool, two collections happen, and then
 * the buffer is needed again.  Watch POOL_GC and POOL_GET ("from").
 * Rearrange main() so the Get is served by the victim cache.
 */
#include <stdio.h>
#include <stdlib.h>
#include <lockstep/lockstep.h>

static int allocated;

static void *new_buf(void *arg)
{
	allocated++;
	return calloc(1, 4096);
}

static void free_buf(void *obj, void *arg)
{
	free(obj);
}

int main(void)
{
	struct ls_pool *pool = ls_pool_new(new_buf, free_buf, NULL, "buffers");
	void *a, *b;

	a = ls_pool_get(pool);
	printf("working with buffer %p\n", a);
	ls_pool_put(pool, a);

	ls_pool_gc();
	ls_pool_gc();
	b = ls_pool_get(pool);
	printf("got buffer %p; %d allocation(s) so far\n", b, allocated);

	ls_pool_put(pool, b);
	ls_pool_free(pool);
	return 0;
}
