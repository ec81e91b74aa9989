// SPDX-License-Identifier: MIT
/*
 * prim_waitgroup.c - sync.WaitGroup: Go's behavioural tests
 * (sync/waitgroup_test.go: TestWaitGroup, TestWaitGroupMisuse,
 * TestWaitGroupRace, TestWaitGroupGo) and the state word.
 */
#include <stdlib.h>

#include "harness.h"
#include "prim_util.h"

/* ---- TestWaitGroup: a barrier, eight times on the same WaitGroups ---- */

struct barrier {
	struct ls_waitgroup wg1, wg2;
	int exited;
};

static void barrier_member(void *p)
{
	struct barrier *b = p;

	ls_waitgroup_done(&b->wg1);
	ls_waitgroup_wait(&b->wg2);
	INC(&b->exited);
}

static bool barrier_round(struct barrier *b, int n)
{
	ST(&b->exited, 0);
	ls_waitgroup_add(&b->wg1, n);
	ls_waitgroup_add(&b->wg2, n);
	for (int i = 0; i < n; i++)
		go_or_die(barrier_member, b, "member");
	ls_waitgroup_wait(&b->wg1);
	for (int i = 0; i < n; i++) {
		if (LD(&b->exited) != 0)
			return false;	/* WaitGroup released group too soon */
		ls_waitgroup_done(&b->wg2);
	}
	return POLL_UNTIL(LD(&b->exited) == n);
}

TEST(waitgroup)
{
	static struct barrier b = {
		.wg1 = LS_WAITGROUP_INIT("wg1"), .wg2 = LS_WAITGROUP_INIT("wg2"),
	};

	for (int i = 0; i < 8; i++) {
		ASSERT_TRUE(barrier_round(&b, 16)) TH_LOG("round %d", i);
		ASSERT_EQ(0, ls_waitgroup_counter(&b.wg1));
		ASSERT_EQ(0, ls_waitgroup_counter(&b.wg2));
		ASSERT_EQ(0, ls_waitgroup_waiters(&b.wg2));
	}
}

/* ---- TestWaitGroupMisuse ---- */

static void add_done_done(void *arg)
{
	struct ls_waitgroup wg = { 0 };

	ls_waitgroup_add(&wg, 1);
	ls_waitgroup_done(&wg);
	ls_waitgroup_done(&wg);
}

TEST(waitgroup_misuse)
{
	struct th_result r;
	const char *want = "panic: sync: negative WaitGroup counter\n";

	EXPECT_GO_DEATH(add_done_done, NULL, want, &r);
	EXPECT_EQ(0, strncmp(r.err ? r.err : "", want, strlen(want)));
	/* The dying goroutine is shown first, running. */
	EXPECT_TRUE(strstr(r.err ? r.err : "", "[running]:") != NULL);
	th_result_free(&r);
}

static void add_negative(void *arg)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	ls_waitgroup_add(&wg, -1);
}

TEST(waitgroup_add_negative)
{
	struct th_result r;

	EXPECT_GO_DEATH(add_negative, NULL, "panic: sync: negative WaitGroup counter\n", &r);
	th_result_free(&r);
}

/* ---- TestWaitGroupRace ---- */

struct race_round {
	struct ls_waitgroup wg;
	int n;
	int finished;	/* the members' last touch of the round */
};

static void race_member(void *p)
{
	struct race_round *rr = p;

	INC(&rr->n);
	ls_waitgroup_done(&rr->wg);
	INC(&rr->finished);
}

TEST(waitgroup_race)
{
	for (int i = 0; i < 1000; i++) {
		struct race_round *rr = calloc(1, sizeof(*rr));

		ASSERT_NE(NULL, rr);
		ls_waitgroup_add(&rr->wg, 1);
		go_or_die(race_member, rr, "g1");
		ls_waitgroup_add(&rr->wg, 1);
		go_or_die(race_member, rr, "g2");
		ls_waitgroup_wait(&rr->wg);
		ASSERT_EQ(2, LD(&rr->n)) TH_LOG("Spurious wakeup from Wait");
		/* Done may still be returning: free the round after it. */
		ASSERT_TRUE(POLL_UNTIL(LD(&rr->finished) == 2));
		free(rr);
	}
}

/* ---- TestWaitGroupGo ---- */

static void go_body(void *p)
{
	INC((int *)p);
}

TEST(waitgroup_go)
{
	static struct ls_waitgroup wg = LS_WAITGROUP_INIT("go");
	static int ran;

	for (int i = 0; i < 8; i++)
		ls_waitgroup_go(&wg, go_body, &ran, "worker");
	ls_waitgroup_wait(&wg);
	ASSERT_EQ(8, LD(&ran));
	ASSERT_EQ(0, ls_waitgroup_counter(&wg));
}

/* ---- the state word: counter << 32 | waiters ---- */

struct waiter {
	struct ls_waitgroup *wg;
	int *done;
};

static void wait_once(void *p)
{
	struct waiter *w = p;

	ls_waitgroup_wait(w->wg);
	INC(w->done);
}

TEST(waitgroup_state)
{
	static struct ls_waitgroup wg = LS_WAITGROUP_INIT("state");
	static int done;
	struct waiter w = { .wg = &wg, .done = &done };

	ls_waitgroup_add(&wg, 3);
	ASSERT_EQ(3, ls_waitgroup_counter(&wg));
	ASSERT_EQ(0u, ls_waitgroup_waiters(&wg));
	ASSERT_EQ((uint64_t)3 << 32, wg.state);
	go_or_die(wait_once, &w, "waiter1");
	go_or_die(wait_once, &w, "waiter2");
	ASSERT_TRUE(POLL_UNTIL(ls_waitgroup_waiters(&wg) == 2));
	ASSERT_EQ(((uint64_t)3 << 32) | 2, LD(&wg.state));
	ls_waitgroup_done(&wg);
	ls_waitgroup_done(&wg);
	ASSERT_EQ(1, ls_waitgroup_counter(&wg));
	ASSERT_EQ(0, LD(&done));
	ls_waitgroup_done(&wg);
	/* The last Done resets the whole word before releasing the waiters. */
	ASSERT_EQ(0u, LD(&wg.state));
	ASSERT_TRUE(POLL_UNTIL(LD(&done) == 2));
	/* Wait on a zero counter returns at once. */
	ls_waitgroup_wait(&wg);
}

TEST(waitgroup_init)
{
	struct ls_waitgroup wg;

	memset(&wg, 0xff, sizeof(wg));
	ls_waitgroup_init(&wg, "named");
	ASSERT_STREQ("named", wg.on.name);
	ASSERT_EQ(0, ls_waitgroup_counter(&wg));
	ASSERT_EQ(0u, ls_waitgroup_waiters(&wg));
}

TEST_HARNESS_MAIN
