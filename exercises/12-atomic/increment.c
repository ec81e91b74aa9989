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
 * Three handlers bump two statistics for every request they serve: the
 * number of requests and the number of bytes sent.  A mutex would be
 * correct, but for two counters the atomic package is the tool: the
 * course's lesson on atomics (add, CAS, load, store, swap).
 *
 * As written, each bump is a plain load followed by a plain store.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define HANDLERS	3
#define REQUESTS	1000

static int64_t requests, bytes_sent;

static void handler(void *arg)
{
	for (int i = 0; i < REQUESTS; i++) {
		ls_store(&requests, ls_load(&requests, "requests") + 1, "requests");
		ls_store(&bytes_sent, ls_load(&bytes_sent, "bytes") + 512, "bytes");
	}
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	for (int i = 0; i < HANDLERS; i++)
		ls_waitgroup_go(&wg, handler, NULL, "handler");
	ls_waitgroup_wait(&wg);
	printf("%lld requests, %lld bytes (expected %d, %d)\n",
	       (long long)requests, (long long)bytes_sent,
	       HANDLERS * REQUESTS, HANDLERS * REQUESTS * 512);
	return 0;
}
