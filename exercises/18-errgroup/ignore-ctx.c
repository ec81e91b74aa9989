// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       18-errgroup/ignore-ctx
 * chapter:  18
 * lesson:   18-errgroup
 * title:    Searchers that keep trying to deliver after the winner is chosen
 * kind:     fix
 * verdict:  leak
 * achieve:  Let the losing searchers give up when the request is done, so the
 *           whole group finishes.
 * hint:     After main takes the first result, where are the other two
 *           searchers parked?
 * hint:     Cancelling the request cancels the group's context, but the
 *           searchers never look at it.
 * hint:     Deliver with a select between the send and ls_ctx_done(group_ctx);
 *           return -ECANCELED when the context wins.
 */
/*
 * Three replicas are searched in parallel in an errgroup; main wants the
 * first hit only.  It takes the first result from an unbuffered channel,
 * cancels the request, and gives the group 100 ms to finish (a small
 * goroutine runs Wait and reports back).
 */
#include <errno.h>
#include <stdio.h>
#include <lockstep/lockstep.h>

#define REPLICAS	3

static struct ls_ctx *request_ctx, *group_ctx;
static struct ls_errgroup *g;
static struct ls_chan *results, *group_done;

static int search(void *arg)
{
	int64_t id = (int64_t)(intptr_t)arg, hit = 100 + id;

	ls_sleep(id * LS_MSEC);			/* replica id is slower */
	ls_chan_send(results, &hit);
	return 0;
}

static void group_waiter(void *arg)
{
	ls_errgroup_wait(g);
	ls_chan_close(group_done);
}

/* Wait up to ns for ch to deliver or be closed; false on timeout. */
static bool wait_for(struct ls_chan *ch, int64_t ns)
{
	struct ls_chan *timer = ls_after(ns);
	struct ls_case cs[] = {
		{ .ch = ch, .dir = LS_RECV },
		{ .ch = timer, .dir = LS_RECV },
	};
	int i = ls_select(cs, 2, true);

	ls_chan_free(timer);
	return i == 0;
}

int main(void)
{
	int64_t hit;

	request_ctx = ls_ctx_with_cancel(ls_ctx_background());
	results = ls_chan_make(sizeof(int64_t), 0, "results");
	group_done = ls_chan_make(0, 0, "group_done");
	g = ls_errgroup_new(request_ctx, &group_ctx);
	for (int i = 0; i < REPLICAS; i++)
		ls_errgroup_go(g, search, (void *)(intptr_t)i, "search");
	ls_go(group_waiter, NULL, "group-waiter");

	ls_chan_recv(results, &hit);
	printf("main: first hit %lld\n", (long long)hit);
	ls_ctx_cancel(request_ctx);

	if (wait_for(group_done, 100 * LS_MSEC))
		printf("main: all searchers finished\n");
	else
		printf("main: searchers still busy after 100 ms; leaving them\n");
	return 0;
}
