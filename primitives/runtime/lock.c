// SPDX-License-Identifier: MIT
/*
 * lock.c - the runtime's own lock (Go: runtime.lock, lock_futex.go).
 *
 * Three states, as in Drepper's "Futexes are tricky" mutex #2:
 *   0 unlocked, 1 locked with no sleepers, 2 locked and someone may sleep.
 * Held only for a handful of instructions (queue manipulation), so the
 * contended path spins briefly before sleeping.  Never traced, never counted
 * by the all-asleep check: a goroutine blocked here is not parked.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime.h"

static void futex_wait(uint32_t *addr, uint32_t val)
{
	syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(uint32_t *addr, int n)
{
	syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

void ls__lock(uint32_t *l)
{
	uint32_t c = 0;

	if (__atomic_compare_exchange_n(l, &c, 1, false, __ATOMIC_ACQUIRE,
					__ATOMIC_RELAXED))
		return;
	for (int i = 0; i < 100; i++) {
		ls__procyield(10);
		c = 0;
		if (__atomic_load_n(l, __ATOMIC_RELAXED) == 0 &&
		    __atomic_compare_exchange_n(l, &c, 1, false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return;
	}
	if (c != 2)
		c = __atomic_exchange_n(l, 2, __ATOMIC_ACQUIRE);
	while (c != 0) {
		futex_wait(l, 2);
		c = __atomic_exchange_n(l, 2, __ATOMIC_ACQUIRE);
	}
}

void ls__unlock(uint32_t *l)
{
	if (__atomic_exchange_n(l, 0, __ATOMIC_RELEASE) == 2)
		futex_wake(l, 1);
}

void ls__unlock_cb(void *l)
{
	ls__unlock(l);
}
