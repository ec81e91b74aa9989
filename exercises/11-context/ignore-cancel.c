// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       11-context/ignore-cancel
 * chapter:  11
 * lesson:   11-context
 * title:    A producer that does not listen to its context
 * kind:     fix
 * verdict:  leak
 * achieve:  Make the producer stop when the context is done, even while it is
 *           blocked sending on a full channel.
 * hint:     Where is the producer parked when main gives up on it?
 * hint:     A plain send blocks until there is room; nothing in it looks at
 *           the context.
 * hint:     Send with a select over two cases: the send itself, and a receive
 *           from ls_ctx_done(ctx).  Return when the second one fires.
 */
/*
 * main reads numbers from a producer, 20 ms of work per number, under a
 * 50 ms deadline (a context with a timeout).  When the deadline passes,
 * main stops reading, waits up to 100 ms for the producer to finish, and
 * exits.
 *
 * The producer was given the context but never looks at it: once the
 * buffer is full, it sits in "chan send" forever.  In a server, that is one
 * goroutine leaked per request.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define COUNT	100

struct job {
	struct ls_ctx	*ctx;
	struct ls_chan	*out;		/* int64_t, capacity 2 */
	struct ls_chan	*finished;	/* closed when the producer returns */
};

static void producer(void *arg)
{
	struct job *j = arg;

	for (int64_t i = 1; i <= COUNT; i++)
		ls_chan_send(j->out, &i);
	ls_chan_close(j->out);
	ls_chan_close(j->finished);
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
	struct job j = {
		.ctx = ls_ctx_with_timeout(ls_ctx_background(), 50 * LS_MSEC),
		.out = ls_chan_make(sizeof(int64_t), 2, "numbers"),
		.finished = ls_chan_make(0, 0, "finished"),
	};
	int64_t v, sum = 0;

	ls_go(producer, &j, "producer");
	for (;;) {
		struct ls_case cs[] = {
			{ .ch = j.out, .dir = LS_RECV, .elem = &v },
			{ .ch = ls_ctx_done(j.ctx), .dir = LS_RECV },
		};

		if (ls_select(cs, 2, true) == 1 || !cs[0].ok)
			break;
		sum += v;
		ls_sleep(20 * LS_MSEC);			/* work on v */
	}
	printf("main: deadline reached, sum so far %lld\n", (long long)sum);

	if (wait_for(j.finished, 100 * LS_MSEC))
		printf("main: producer finished\n");
	else
		printf("main: producer still busy after 100 ms; leaving it\n");
	ls_ctx_release(j.ctx);
	return 0;
}
