// SPDX-License-Identifier: MIT
/*
 * harness_victim.c - tests that misbehave on purpose.
 *
 * Not a suite: `make check` never runs it directly.  harness_selftest runs
 * it, usually one test at a time with -t, and checks that the harness
 * reports each misbehaviour the way harness.h promises.  Each test's
 * expected verdict is in the comment above it; harness_selftest.c keeps the
 * totals of a full run in VICTIM_PASS / VICTIM_FAIL / VICTIM_SKIP, so a test
 * added here must be counted there too.
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"

/* pass */
TEST(passes)
{
	ASSERT_EQ(4, 2 + 2);
	printf("passes printed this\n");
}

/* fail: the ASSERT ends the test, its TH_LOG adds context */
TEST(assert_fails)
{
	int two = 2;

	ASSERT_EQ(1, two) TH_LOG("context %d", 7);
	printf("after the assert\n");
}

/* fail: both EXPECTs report, the test goes on to the end */
TEST(expect_continues)
{
	int three = 3;

	EXPECT_EQ(-5, three);
	EXPECT_STREQ("abc", "abd");
	printf("still running\n");
}

/* pass: values compare by value, whatever their types */
TEST(mixed_signedness)
{
	size_t zero = 0;
	int minus_one = -1;
	uint64_t big = UINT64_MAX;
	char c = 'a';
	const char *p = NULL;
	void *q = &zero;

	EXPECT_LT(minus_one, zero);
	EXPECT_GT(zero, minus_one);
	EXPECT_NE(minus_one, big);
	EXPECT_EQ(UINT64_MAX, big);
	EXPECT_EQ('a', c);
	EXPECT_NULL(p);
	EXPECT_NOT_NULL(q);
	EXPECT_TRUE(q);
	EXPECT_FALSE(p);
	EXPECT_EQ(0.5, 1.0 / 2);
	EXPECT_STREQ("x", "x");
	EXPECT_STRNE("x", "y");
	EXPECT_CONTAINS("fatal error: boom", "boom");
	EXPECT_LE(3, 3);
	EXPECT_GE(3, 3);
}

/* fail: shows how each kind of value is printed */
TEST(prints_values)
{
	size_t big = SIZE_MAX;
	int *p = (int *)0x1000;
	const char *s = "multi\nline";

	EXPECT_EQ(0, big);
	EXPECT_NULL(p);
	EXPECT_TRUE(0);
	EXPECT_STREQ("one", s);
	EXPECT_CONTAINS(s, "needle");
}

/* TIMEOUT: it and the child it forked are killed */
TEST_TIMEOUT(hang_with_grandchild, 1)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		for (;;)
			pause();
	}
	printf("grandchild %d\n", (int)pid);
	fflush(stdout);
	for (;;)
		pause();
}

/* pass: the expected Go-style exit status */
TEST_EXIT(exit_two_expected, 2)
{
	exit(2);
}

/* fail: exit(2) where nothing was expected */
TEST(exit_two_unexpected)
{
	exit(2);
}

/* fail: returned normally where exit(2) was expected */
TEST_EXIT(exit_two_missing, 2)
{
}

/* pass */
TEST_SIGNAL(abort_expected, SIGABRT)
{
	abort();
}

/* fail */
TEST(abort_unexpected)
{
	abort();
}

/* skip */
TEST(skips)
{
	SKIP(return, "no frobnicator (%d)", 42);
	printf("after the skip\n");
}

/* skip, or fail with LOCKSTEP_REQUIRE_BPF=1 */
TEST(needs_bpf)
{
	SKIP_NEEDS_BPF(return, "no CAP_BPF");
	printf("after the bpf skip\n");
}

static void *assert_in_thread(void *arg)
{
	ASSERT_EQ(1, 2);
	return arg;
}

/* fail: an ASSERT in another thread ends the test process */
TEST(assert_other_thread)
{
	pthread_t th;

	ASSERT_EQ(0, pthread_create(&th, NULL, assert_in_thread, NULL));
	pthread_join(th, NULL);
	printf("joined after assert\n");
}

static void *expect_in_thread(void *arg)
{
	EXPECT_EQ(1, 2);
	return arg;
}

/* fail: an EXPECT in another thread fails the test, which goes on */
TEST(expect_other_thread)
{
	pthread_t th;

	ASSERT_EQ(0, pthread_create(&th, NULL, expect_in_thread, NULL));
	pthread_join(th, NULL);
	printf("joined after expect\n");
}

/* 4 tests: counter.{one,two}.{holds_start,assert_then_teardown} */
FIXTURE(counter) {
	int value;
};

FIXTURE_VARIANT(counter) {
	int start;
};

FIXTURE_VARIANT_ADD(counter, one) {
	.start = 1,
};

FIXTURE_VARIANT_ADD(counter, two) {
	.start = 2,
};

FIXTURE_SETUP(counter)
{
	self->value = variant->start;
	printf("setup start=%d\n", variant->start);
}

FIXTURE_TEARDOWN(counter)
{
	printf("teardown value=%d\n", self->value);
}

/* pass (both variants) */
TEST_F(counter, holds_start)
{
	ASSERT_EQ(variant->start, self->value);
}

/* fail (both variants), and the teardown still runs */
TEST_F(counter, assert_then_teardown)
{
	self->value = 99;
	ASSERT_EQ(0, 1);
	printf("after the fixture assert\n");
}

/* A fixture without variants, whose setup skips. */
FIXTURE(skipper) {
	int unused;
};

FIXTURE_SETUP(skipper)
{
	SKIP(return, "setup says no");
}

FIXTURE_TEARDOWN(skipper)
{
	printf("skipper teardown\n");
}

/* skip: the body never runs */
TEST_F(skipper, body_not_run)
{
	printf("skipper body ran\n");
}

/* skip as well: every test of the fixture is */
TEST_F(skipper, also_skipped)
{
	printf("skipper body ran\n");
}

/* A fixture with neither setup nor teardown. */
FIXTURE(sleeper) {
	int unused;
};

/* TIMEOUT */
TEST_F_TIMEOUT(sleeper, hangs, 1)
{
	for (;;)
		pause();
}

TEST_HARNESS_MAIN
