// SPDX-License-Identifier: MIT
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
 * Solution: fetch() cancels its context on the way out (Go's defer
 * cancel()): the watcher wakes, finds the request over, and exits.  The
 * watcher is the last one to use the context, so it releases it; main
 * counts the watchers out with a WaitGroup to check that none is left.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

struct request {
	struct ls_ctx	*ctx;
	const char	*url;
	bool		done;
};

static struct request reqs[3];
static struct ls_waitgroup watchers = LS_WAITGROUP_INIT("watchers");

static void watcher(void *arg)
{
	struct request *r = arg;

	ls_chan_recv(ls_ctx_done(r->ctx), NULL);
	if (!r->done)
		printf("watcher: aborting %s\n", r->url);
	ls_ctx_release(r->ctx);			/* the watcher's own reference */
}

static int64_t fetch(struct request *r, const char *url)
{
	int64_t resp;

	r->url = url;
	r->ctx = ls_ctx_with_cancel(ls_ctx_background());
	ls_waitgroup_go(&watchers, watcher, r, "watcher");
	while (!ls_chan_waiters(ls_ctx_done(r->ctx), LS_RECV))
		ls_sleep(50 * LS_USEC);

	resp = 100 + (int64_t)(r - reqs);
	r->done = true;
	ls_ctx_cancel(r->ctx);			/* defer cancel() */
	return resp;
}

int main(void)
{
	int64_t total = 0;

	total += fetch(&reqs[0], "/a");
	total += fetch(&reqs[1], "/b");
	total += fetch(&reqs[2], "/c");
	printf("main: fetched 3 pages, checksum %lld\n", (long long)total);
	ls_waitgroup_wait(&watchers);
	printf("main: every watcher has exited\n");
	if (total != 303) {
		fprintf(stderr, "FAIL: wrong checksum\n");
		return 1;
	}
	return 0;
}
