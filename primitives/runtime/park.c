// SPDX-License-Identifier: MIT
/*
 * park.c - gopark/goready on a futex, sleeping, yielding, spinning, and the
 * all-asleep check (Go: proc.go gopark/goready/checkdead, time.Sleep).
 *
 * Each g has a park word:
 *	0  parked, still spinning on the word
 *	2  parked and asleep in futex(FUTEX_WAIT)
 *	1  readied
 * The parker spins a little (a waker on another CPU is often microseconds
 * away: that is the price difference between Go switching goroutines in
 * user space and us switching OS threads), then moves 0 -> 2 and sleeps.
 * It spins only while at most two goroutines per CPU are running: with
 * many more, its spin would only take the CPU from the goroutine that is
 * to wake it (Go's canSpin asks for an idle P in the same spirit).  Measured
 * with make bench: a producer/consumer pair per CPU runs at 1.1-1.5x Go
 * with the spin and 8-15x without; 1000 goroutines on one channel
 * (ChanPopular) run 4x slower if everybody spins.
 * The waker exchanges in 1 and calls futex(FUTEX_WAKE) only if it saw 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "runtime.h"
#include "sched.h"
#include "../trace.h"

#define TIMER_ONE	((uint64_t)1 << 32)
#define RUNNING_MASK	0xffffffffull
#define PARK_SPINS	200

static uint64_t sched_word;	/* running | timers << 32 */

static void all_asleep(void)
{
	ls__die(0, "all goroutines are asleep - deadlock!");
}

void ls__sched_add_running(int delta)
{
	__atomic_add_fetch(&sched_word, (uint64_t)(int64_t)delta, __ATOMIC_SEQ_CST);
}

uint32_t ls__sched_running(void)
{
	return (uint32_t)(__atomic_load_n(&sched_word, __ATOMIC_RELAXED) & RUNNING_MASK);
}

void ls__sched_reset(void)
{
	__atomic_store_n(&sched_word, 0, __ATOMIC_SEQ_CST);
}

/* One goroutine fewer running: the one that parks or ends. */
static void running_dec(void)
{
	if (__atomic_sub_fetch(&sched_word, 1, __ATOMIC_SEQ_CST) == 0)
		all_asleep();
}

void ls__sched_exit(void)
{
	running_dec();
}

void ls__timers_add(int delta)
{
	uint64_t w = __atomic_add_fetch(&sched_word, (uint64_t)(int64_t)delta << 32,
					__ATOMIC_SEQ_CST);
	if (w == 0)
		all_asleep();
}

int ls__ncpu(void)
{
	static int ncpu;	/* cached; spinners race to fill it in */
	int n = __atomic_load_n(&ncpu, __ATOMIC_RELAXED);

	if (!n) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);

		n = c > 0 ? (int)c : 1;
		__atomic_store_n(&ncpu, n, __ATOMIC_RELAXED);
	}
	return n;
}

void ls__procyield(int cycles)
{
	while (cycles-- > 0)
		__builtin_ia32_pause();
}

/*
 * sync_runtime_canSpin: at most 4 rounds, only on a multicore machine, and
 * only while some other goroutine is running (the holder may be about to
 * release; with everyone else parked, spinning cannot help).
 */
bool ls__can_spin(int iter)
{
	if (iter >= 4 || ls__ncpu() <= 1)
		return false;
	return ls__sched_running() > 1;
}

static long futex(uint32_t *addr, int op, uint32_t val)
{
	return syscall(SYS_futex, addr, op, val, NULL, NULL, 0);
}

void ls__gopark(void (*unlockf)(void *), void *lock, enum ls_wait_reason reason,
		enum ls_obj_kind kind, const void *obj, const char *objname)
{
	struct ls_g *gp = ls__getg();
	int64_t t0 = ls_now();
	uint32_t w;

	__atomic_store_n(&gp->waitreason, reason, __ATOMIC_RELAXED);
	__atomic_store_n(&gp->waitkind, kind, __ATOMIC_RELAXED);
	__atomic_store_n(&gp->waitobj, obj, __ATOMIC_RELAXED);
	__atomic_store_n(&gp->waitname, objname, __ATOMIC_RELAXED);
	__atomic_store_n(&gp->waitsince, t0, __ATOMIC_RELAXED);
	__atomic_store_n(&gp->status, LS_G_WAITING, __ATOMIC_RELEASE);
	LS_TRACE(go_park, obj, reason, 0, 0);
	if (unlockf)
		unlockf(lock);
	running_dec();

	if (ls__sched_running() <= 2 * (uint32_t)ls__ncpu()) {
		for (int i = 0; i < PARK_SPINS; i++) {
			if (__atomic_load_n(&gp->parkword, __ATOMIC_ACQUIRE) == 1)
				goto woken;
			ls__procyield(10);
		}
	}
	w = 0;
	if (__atomic_compare_exchange_n(&gp->parkword, &w, 2, false,
					__ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&gp->parkword, __ATOMIC_ACQUIRE) != 1)
			futex(&gp->parkword, FUTEX_WAIT_PRIVATE, 2);
	}
woken:
	__atomic_store_n(&gp->parkword, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&gp->waitobj, NULL, __ATOMIC_RELAXED);
	__atomic_store_n(&gp->waitname, NULL, __ATOMIC_RELAXED);
	__atomic_store_n(&gp->waitreason, LS_WAIT_NONE, __ATOMIC_RELAXED);
	__atomic_store_n(&gp->status, LS_G_RUNNING, __ATOMIC_RELEASE);
	LS_TRACE(go_wake, obj, reason, ls_now() - t0);
}

void ls__goready(struct ls_g *gp, const void *obj, bool handoff)
{
	LS_TRACE(go_ready, obj, gp->goid, handoff);
	__atomic_add_fetch(&sched_word, 1, __ATOMIC_SEQ_CST);
	if (__atomic_exchange_n(&gp->parkword, 1, __ATOMIC_RELEASE) == 2)
		futex(&gp->parkword, FUTEX_WAKE_PRIVATE, 1);
}

int64_t ls_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void ls_gosched(void)
{
	sched_yield();
}

/*
 * time.Sleep: the goroutine waits with a timer pending, so it is asleep but
 * never part of a deadlock.  One atomic add moves it from "running" to
 * "timer" and back, so the word never reads zero in between.
 */
void ls_sleep(int64_t ns)
{
	struct ls_g *gp = ls__getg();
	struct timespec ts;
	int64_t t0 = ls_now();

	if (ns <= 0) {
		ls_gosched();
		return;
	}
	__atomic_store_n(&gp->waitreason, LS_WAIT_SLEEP, __ATOMIC_RELAXED);
	__atomic_store_n(&gp->waitkind, LS_OBJ_NONE, __ATOMIC_RELAXED);
	__atomic_store_n(&gp->waitobj, NULL, __ATOMIC_RELAXED);
	__atomic_store_n(&gp->waitsince, t0, __ATOMIC_RELAXED);
	__atomic_store_n(&gp->status, LS_G_WAITING, __ATOMIC_RELEASE);
	LS_TRACE(go_park, 0, LS_WAIT_SLEEP, 0, 0);
	__atomic_add_fetch(&sched_word, TIMER_ONE - 1, __ATOMIC_SEQ_CST);

	/* a deadline past the end of time is the end of time */
	ns = ns > INT64_MAX - t0 ? INT64_MAX : t0 + ns;
	ts.tv_sec = ns / 1000000000;
	ts.tv_nsec = ns % 1000000000;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;

	__atomic_sub_fetch(&sched_word, TIMER_ONE - 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&gp->waitreason, LS_WAIT_NONE, __ATOMIC_RELAXED);
	__atomic_store_n(&gp->status, LS_G_RUNNING, __ATOMIC_RELEASE);
	LS_TRACE(go_wake, 0, LS_WAIT_SLEEP, ls_now() - t0);
}
