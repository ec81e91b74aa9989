// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       12-atomic/cas-max
 * chapter:  12
 * lesson:   12-atomic
 * title:    A high-water mark updated with check-then-set
 * kind:     fix
 * verdict:  race
 * achieve:  Keep the maximum latency ever seen correct under concurrent
 *           updates, without a mutex.
 * hint:     Between "is mine bigger?" and "store mine", another goroutine may
 *           store an even bigger value, which yours then overwrites.
 * hint:     An atomic add cannot express "max"; compare-and-swap can: store
 *           the new value only if the old one is still what you compared.
 * hint:     Loop: old = ls_atomic_load(&max); if (v <= old) stop; if
 *           (ls_atomic_cas(&max, old, v)) stop; otherwise try again.
 */
/*
 * Solution: a compare-and-swap loop.  The store happens only if max is
 * still the value the comparison was made against; if another worker got
 * there first, reload and decide again.  The loop ends when our value is
 * not bigger, or when our CAS wins.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define WORKERS	3
#define SAMPLES	300

static int64_t max_latency;

static void observe(int64_t v)
{
	for (;;) {
		int64_t old = ls_atomic_load(&max_latency);

		if (v <= old || ls_atomic_cas(&max_latency, old, v))
			return;
	}
}

static void worker(void *arg)
{
	int64_t id = (int64_t)(intptr_t)arg;

	for (int64_t i = 1; i <= SAMPLES; i++)
		observe(i * WORKERS + id);
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");
	int64_t max;

	for (int i = 0; i < WORKERS; i++)
		ls_waitgroup_go(&wg, worker, (void *)(intptr_t)i, "worker");
	ls_waitgroup_wait(&wg);
	max = ls_atomic_load(&max_latency);
	printf("max latency %lld (expected %d)\n", (long long)max,
	       SAMPLES * WORKERS + WORKERS - 1);
	if (max != SAMPLES * WORKERS + WORKERS - 1) {
		fprintf(stderr, "FAIL: the maximum was lost\n");
		return 1;
	}
	return 0;
}
