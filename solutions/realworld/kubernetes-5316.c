// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       realworld/kubernetes-5316
 * chapter:  realworld
 * lesson:   14-channel-patterns
 * title:    The request timed out; its worker waits forever to report
 * kind:     fix
 * verdict:  leak
 * achieve:  Let the worker deliver its result or its error and exit, even when
 *           finish_request() has stopped listening.
 * hint:     After the timeout, which channel is the worker parked on, and who
 *           will ever receive from it?
 * hint:     The parent returns as soon as the timer fires; both result
 *           channels are unbuffered.
 * hint:     Give each result channel a buffer of one: the worker's single send
 *           then always completes.
 * origin:   kubernetes#5316 (GoBench GoKer)
 */
/*
 * Solution: both result channels have a buffer of one, which is what the
 * kubernetes fix did.  The late handler's send lands in the buffer and the
 * goroutine exits; the value is simply never read.
 */
#include <errno.h>
#include <stdio.h>
#include <lockstep/lockstep.h>

struct call {
	struct ls_chan	*result;	/* int64_t */
	struct ls_chan	*errc;		/* int */
	int		(*fn)(int64_t *out);
};

static int slow_handler(int64_t *out)
{
	ls_sleep(100 * LS_MSEC);
	*out = 200;
	return 0;
}

static int64_t delivered;

static void run(void *arg)
{
	struct call *c = arg;
	int64_t res;
	int err = c->fn(&res);

	if (err)
		ls_chan_send(c->errc, &err);
	else
		ls_chan_send(c->result, &res);
	ls_atomic_store(&delivered, 1);
}

static int finish_request(int64_t timeout, int (*fn)(int64_t *), int64_t *out)
{
	static struct call c;
	struct ls_case cs[3];
	int err = 0, i;

	c.result = ls_chan_make(sizeof(int64_t), 1, "result");
	c.errc = ls_chan_make(sizeof(int), 1, "err");
	c.fn = fn;
	ls_go(run, &c, "handler");

	cs[0] = (struct ls_case){ .ch = c.result, .dir = LS_RECV, .elem = out };
	cs[1] = (struct ls_case){ .ch = c.errc, .dir = LS_RECV, .elem = &err };
	cs[2] = (struct ls_case){ .ch = ls_after(timeout), .dir = LS_RECV };
	i = ls_select(cs, 3, true);
	ls_chan_free(cs[2].ch);
	return i == 2 ? -ETIMEDOUT : err;
}

int main(void)
{
	int64_t status = 0;
	int err = finish_request(10 * LS_MSEC, slow_handler, &status);

	printf("main: finish_request = %d, status %lld\n", err, (long long)status);
	ls_sleep(150 * LS_MSEC);		/* serve other requests */
	if (err != -ETIMEDOUT || !ls_atomic_load(&delivered)) {
		fprintf(stderr, "FAIL: the handler did not get its result out\n");
		return 1;
	}
	return 0;
}
