// SPDX-License-Identifier: MIT
/*
 * prim_runtime_smoke.c - goroutines start, run, sleep and end.
 *
 * The smallest workload that puts threads, the goroutine registry and the
 * sleep path under ThreadSanitizer and ASan (make check runs prim_* suites
 * in all three builds).  The runtime's own suite tests it in depth.
 *
 * Goroutines here report through channels made of plain atomics, on
 * purpose: this suite must not depend on any sync primitive.
 */
#include <stdint.h>

#include <lockstep/runtime.h>

#include "harness.h"

struct probe {
	int64_t	goid;		/* written by the goroutine */
	int	done;		/* atomic: 1 when it has written goid */
};

static void record_goid(void *arg)
{
	struct probe *p = arg;

	p->goid = ls_goid();
	__atomic_store_n(&p->done, 1, __ATOMIC_RELEASE);
}

/* Wait for a flag by sleeping through the runtime, never by spinning. */
static void wait_flag(int *flag)
{
	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE))
		ls_sleep(LS_MSEC);
}

TEST(main_is_goroutine_one)
{
	EXPECT_EQ(1, ls_goid());
	EXPECT_EQ(1, ls_num_goroutine());
}

TEST(go_runs_fn_on_a_new_goroutine)
{
	struct probe p = { 0 };

	ASSERT_EQ(0, ls_go(record_goid, &p, "probe"));
	wait_flag(&p.done);
	EXPECT_LT(1, p.goid);
	EXPECT_NE(ls_goid(), p.goid);
}

TEST(go_rejects_null_fn)
{
	EXPECT_EQ(-EINVAL, ls_go(NULL, NULL, "nothing"));
}

#define NR_SLEEPERS 8

static void sleep_then_count(void *arg)
{
	int *left = arg;

	ls_sleep(2 * LS_MSEC);
	__atomic_fetch_sub(left, 1, __ATOMIC_ACQ_REL);
}

/* Many goroutines sleeping at once; all of them end and are counted out. */
TEST(sleepers_all_finish)
{
	int left = NR_SLEEPERS;

	for (int i = 0; i < NR_SLEEPERS; i++)
		ASSERT_EQ(0, ls_go(sleep_then_count, &left, NULL));
	while (__atomic_load_n(&left, __ATOMIC_ACQUIRE) > 0)
		ls_sleep(LS_MSEC);
	/* The last one may still be unregistering: wait for the count. */
	while (ls_num_goroutine() > 1)
		ls_sleep(LS_MSEC);
	EXPECT_EQ(1, ls_num_goroutine());
}

TEST(sleep_waits_at_least_the_duration)
{
	int64_t t0 = ls_now();

	ls_sleep(5 * LS_MSEC);
	EXPECT_LE(5 * LS_MSEC, ls_now() - t0);
}

TEST_HARNESS_MAIN
