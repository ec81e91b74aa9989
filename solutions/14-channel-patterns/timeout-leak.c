// SPDX-License-Identifier: MIT
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
 * Solution: the result channel has room for the one result, so the late
 * send completes into the buffer and the lookup goroutine exits.  Whoever
 * finishes last frees the channel (a small reference count), since the
 * caller may have given up on it long before.
 */
#include <stdio.h>
#include <stdlib.h>
#include <lockstep/lockstep.h>

struct call {
	struct ls_chan	*result;	/* capacity 1 */
	int64_t		refs;		/* caller and lookup */
};

static int64_t delivered;

static void call_put(struct call *c)
{
	if (ls_atomic_add(&c->refs, -1) == 0) {
		ls_chan_free(c->result);
		free(c);
	}
}

static void lookup(void *arg)
{
	struct call *c = arg;
	int64_t v = 42;

	ls_sleep(100 * LS_MSEC);		/* the slow part */
	ls_chan_send(c->result, &v);
	printf("lookup: delivered\n");
	ls_atomic_store(&delivered, 1);
	call_put(c);
}

static int query(int64_t *v)
{
	struct call *c = malloc(sizeof(*c));
	struct ls_chan *timer = ls_after(10 * LS_MSEC);
	struct ls_case cs[2];
	int i;

	c->result = ls_chan_make(sizeof(int64_t), 1, "result");
	c->refs = 2;
	cs[0] = (struct ls_case){ .ch = c->result, .dir = LS_RECV, .elem = v };
	cs[1] = (struct ls_case){ .ch = timer, .dir = LS_RECV };

	ls_go(lookup, c, "lookup");
	i = ls_select(cs, 2, true);
	ls_chan_free(timer);
	call_put(c);
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
	if (!ls_atomic_load(&delivered)) {
		fprintf(stderr, "FAIL: the lookup never finished\n");
		return 1;
	}
	return 0;
}
