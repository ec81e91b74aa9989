// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       12-atomic/increment
 * chapter:  12
 * lesson:   12-atomic
 * title:    Request counters without a lock, and without atomics
 * kind:     fix
 * verdict:  race
 * achieve:  Count every request and every byte exactly, using atomic
 *           operations instead of a mutex.
 * hint:     A counter that is only ever incremented still needs its
 *           read-modify-write to be indivisible.
 * hint:     An atomic add is one instruction (LOCK XADD on x86): no other
 *           core can slip in between the load and the store.
 * hint:     Replace each ls_load/ls_store pair with ls_atomic_add, and read
 *           the totals with ls_atomic_load.
 */
/*
 * Solution: ls_atomic_add does the read-modify-write in one indivisible
 * step, and its events count as synchronisation for the race detector.
 * Each counter is exact on its own; note that the pair is not a snapshot
 * (a reader could see a request counted before its bytes), which is fine
 * for statistics and is what a mutex would be for.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define HANDLERS	3
#define REQUESTS	1000

static int64_t requests, bytes_sent;

static void handler(void *arg)
{
	for (int i = 0; i < REQUESTS; i++) {
		ls_atomic_add(&requests, 1);
		ls_atomic_add(&bytes_sent, 512);
	}
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");
	int64_t r, b;

	for (int i = 0; i < HANDLERS; i++)
		ls_waitgroup_go(&wg, handler, NULL, "handler");
	ls_waitgroup_wait(&wg);
	r = ls_atomic_load(&requests);
	b = ls_atomic_load(&bytes_sent);
	printf("%lld requests, %lld bytes (expected %d, %d)\n", (long long)r,
	       (long long)b, HANDLERS * REQUESTS, HANDLERS * REQUESTS * 512);
	if (r != HANDLERS * REQUESTS || b != HANDLERS * REQUESTS * 512) {
		fprintf(stderr, "FAIL: updates were lost\n");
		return 1;
	}
	return 0;
}
