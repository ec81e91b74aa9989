// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       11-context/no-cancel
 * chapter:  11
 * lesson:   11-context
 * title:    A context that is never cancelled
 * kind:     fix
 * verdict:  leak
 * achieve:  Make every fetch() end its context when it returns, so that its
 *           watcher goroutine exits.
 * hint:     Each watcher is parked on ls_ctx_done(ctx).  Who would close that
 *           channel?
 * hint:     Go's vet reports this as "lostcancel": WithCancel returns a
 *           cancel function that must be called on every path.
 * hint:     Call ls_ctx_cancel(ctx) before fetch() returns (C's "defer
 *           cancel()"); the watcher, last to use the context, then calls
 *           ls_ctx_release(ctx).
 */
/*
 * fetch() creates a cancellable context for each request and starts a
 * watcher that aborts the request's connection if the context is
 * cancelled (the usual "go func() { <-ctx.Done(); conn.Close() }()").
 * The request then runs to completion and fetch() returns its result.
 *
 * After three fetches main exits.  Look at what is still parked.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

struct request {
	struct ls_ctx	*ctx;
	const char	*url;
};

static struct request reqs[3];

static void watcher(void *arg)
{
	struct request *r = arg;

	ls_chan_recv(ls_ctx_done(r->ctx), NULL);
	printf("watcher: aborting %s\n", r->url);
}

static int64_t fetch(struct request *r, const char *url)
{
	r->url = url;
	r->ctx = ls_ctx_with_cancel(ls_ctx_background());
	ls_go(watcher, r, "watcher");
	/* The watcher must be in place before the request starts. */
	while (!ls_chan_waiters(ls_ctx_done(r->ctx), LS_RECV))
		ls_sleep(50 * LS_USEC);

	return 100 + (int64_t)(r - reqs);	/* the response */
}

int main(void)
{
	int64_t total = 0;

	total += fetch(&reqs[0], "/a");
	total += fetch(&reqs[1], "/b");
	total += fetch(&reqs[2], "/c");
	printf("main: fetched 3 pages, checksum %lld\n", (long long)total);
	return 0;
}
