// SPDX-License-Identifier: MIT
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
 * Solution: the fetchers select on the group's context.  Fetch 1's error
 * cancels it (CTX_CANCEL), the other two wake and return, and Wait reports
 * the first error, EIO.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <lockstep/lockstep.h>

#define FETCHES	3

static struct ls_ctx *request_ctx, *group_ctx;
static struct ls_chan *backend;		/* slow: never answers today */
static int64_t cancelled;

static int fetch(void *arg)
{
	int id = (int)(intptr_t)arg;
	struct ls_case cs[] = {
		{ .ch = backend, .dir = LS_RECV },
		{ .ch = ls_ctx_done(group_ctx), .dir = LS_RECV },
	};

	if (id == 1) {
		printf("fetch %d: backend error\n", id);
		return -EIO;
	}
	if (ls_select(cs, 2, true) == 1) {
		printf("fetch %d: cancelled\n", id);
		ls_atomic_add(&cancelled, 1);
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
	ls_chan_free(backend);
	if (err != -EIO || ls_atomic_load(&cancelled) != FETCHES - 1) {
		fprintf(stderr, "FAIL: expected EIO and two cancelled fetches\n");
		return 1;
	}
	return 0;
}
