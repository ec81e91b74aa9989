// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       18-errgroup/first-error
 * chapter:  18
 * lesson:   18-errgroup
 * title:    The first error cancels a context nobody is watching
 * kind:     fix
 * verdict:  deadlock
 * achieve:  When one fetch fails, make the other fetches stop so that Wait
 *           returns the first error.
 * hint:     The group cancels the context it gave you in ctx_out.  Which
 *           context do the fetchers watch?
 * hint:     The request context is the group context's parent: cancelling a
 *           child never cancels its parent.
 * hint:     Give the fetchers the group's context (gctx), not the request's.
 */
/*
 * An errgroup runs three fetches for one request.  Each fetch waits for its
 * backend, or gives up when the request is cancelled.  Fetch 1's backend
 * fails at once.  errgroup.WithContext promises: the first error cancels
 * the group's context, so the other members can stop early, and Wait
 * returns that first error.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <lockstep/lockstep.h>

#define FETCHES	3

static struct ls_ctx *request_ctx, *group_ctx;
static struct ls_chan *backend;		/* slow: never answers today */

static int fetch(void *arg)
{
	int id = (int)(intptr_t)arg;
	struct ls_case cs[] = {
		{ .ch = backend, .dir = LS_RECV },
		{ .ch = ls_ctx_done(request_ctx), .dir = LS_RECV },
	};

	if (id == 1) {
		printf("fetch %d: backend error\n", id);
		return -EIO;
	}
	if (ls_select(cs, 2, true) == 1) {
		printf("fetch %d: cancelled\n", id);
		return -ECANCELED;
	}
	return 0;
}

int main(void)
{
	struct ls_errgroup *g;
	int err;

	request_ctx = ls_ctx_with_cancel(ls_ctx_background());
	backend = ls_chan_make(0, 0, "backend");
	g = ls_errgroup_new(request_ctx, &group_ctx);
	for (int i = 0; i < FETCHES; i++)
		ls_errgroup_go(g, fetch, (void *)(intptr_t)i, "fetch");

	err = ls_errgroup_wait(g);
	printf("main: request failed: %s\n", strerror(-err));
	ls_errgroup_free(g);
	ls_ctx_release(request_ctx);
	return 0;
}
