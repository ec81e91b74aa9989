// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       14-channel-patterns/timeout-leak
 * chapter:  14
 * lesson:   14-channel-patterns
 * title:    The caller times out; the worker cannot deliver its result
 * kind:     fix
 * verdict:  leak
 * achieve:  Let the worker finish and exit even when nobody waits for its
 *           result any more.
 * hint:     After the timeout, where is the worker parked, and who could
 *           ever receive from that channel?
 * hint:     An unbuffered send needs a receiver at that moment.  The caller
 *           has moved on.
 * hint:     Give the result channel a capacity of 1: the one send always
 *           completes, and the value is dropped with the channel.
 */
/*
 * query() runs a slow lookup in a goroutine and waits for its answer, or
 * for a 10 ms timeout, whichever comes first: the select-with-timer idiom.
 * The lookup takes 100 ms.  main then serves other requests for a while.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

static void lookup(void *arg)
{
	struct ls_chan *result = arg;
	int64_t v = 42;

	ls_sleep(100 * LS_MSEC);		/* the slow part */
	ls_chan_send(result, &v);
	printf("lookup: delivered\n");
}

static int query(int64_t *v)
{
	struct ls_chan *result = ls_chan_make(sizeof(int64_t), 0, "result");
	struct ls_chan *timer = ls_after(10 * LS_MSEC);
	struct ls_case cs[] = {
		{ .ch = result, .dir = LS_RECV, .elem = v },
		{ .ch = timer, .dir = LS_RECV },
	};
	int i;

	ls_go(lookup, result, "lookup");
	i = ls_select(cs, 2, true);
	ls_chan_free(timer);
	return i == 0 ? 0 : -1;
}

int main(void)
{
	int64_t v;

	if (query(&v))
		printf("main: query timed out\n");
	else
		printf("main: answer %lld\n", (long long)v);

	ls_sleep(150 * LS_MSEC);		/* serve other requests */
	return 0;
}
