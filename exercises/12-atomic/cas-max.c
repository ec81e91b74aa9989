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
 * Workers record request latencies; max_latency must end up as the largest
 * one any worker saw.  The update is "if mine is bigger, store mine".
 *
 * This is the CAS retry loop the course shows for lock-free updates: read,
 * compute, compare-and-swap, and start over if someone changed the value
 * in between.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define WORKERS	3
#define SAMPLES	300

static int64_t max_latency;

static void observe(int64_t v)
{
	if (v > ls_load(&max_latency, "max_latency"))
		ls_store(&max_latency, v, "max_latency");
}

static void worker(void *arg)
{
	int64_t id = (int64_t)(intptr_t)arg;

	for (int64_t i = 1; i <= SAMPLES; i++)
		observe(i * WORKERS + id);	/* rising, interleaved values */
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	for (int i = 0; i < WORKERS; i++)
		ls_waitgroup_go(&wg, worker, (void *)(intptr_t)i, "worker");
	ls_waitgroup_wait(&wg);
	printf("max latency %lld (expected %d)\n", (long long)max_latency,
	       SAMPLES * WORKERS + WORKERS - 1);
	return 0;
}
