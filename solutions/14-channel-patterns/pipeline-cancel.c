// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       14-channel-patterns/pipeline-cancel
 * chapter:  14
 * lesson:   14-channel-patterns
 * title:    A pipeline whose stages ignore cancellation
 * kind:     fix
 * verdict:  leak
 * achieve:  Make both stages stop and close their outputs when the consumer
 *           cancels, wherever they are blocked.
 * hint:     When main stops reading, where is each stage parked?
 * hint:     Cancelling closes ls_ctx_done(ctx), but a stage only notices if
 *           it is waiting on that channel too.
 * hint:     Turn every blocking send into a select with a second case on
 *           ls_ctx_done(ctx), and return when it fires.
 */
/*
 * Solution: each stage sends through send_or_done(), a select between the
 * send and the context's done channel.  After the cancel, gen returns and
 * closes nums; square either sees nums closed or its own select fire on
 * done; both close their outputs and leave.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

static struct ls_ctx *ctx;
static struct ls_chan *nums, *squares, *stages_done;
static struct ls_waitgroup stages = LS_WAITGROUP_INIT("stages");

/* Send *v on ch unless ctx is cancelled first; false if cancelled. */
static bool send_or_done(struct ls_chan *ch, int64_t *v)
{
	struct ls_case cs[] = {
		{ .ch = ch, .dir = LS_SEND, .elem = v },
		{ .ch = ls_ctx_done(ctx), .dir = LS_RECV },
	};

	return ls_select(cs, 2, true) == 0;
}

static void gen(void *arg)
{
	for (int64_t i = 1; i <= 1000000; i++)
		if (!send_or_done(nums, &i))
			break;
	ls_chan_close(nums);
	ls_waitgroup_done(&stages);
}

static void square(void *arg)
{
	int64_t v, sq;

	while (ls_chan_recv(nums, &v)) {
		sq = v * v;
		if (!send_or_done(squares, &sq))
			break;
	}
	ls_chan_close(squares);
	ls_waitgroup_done(&stages);
}

/* Closes stages_done once every stage has returned. */
static void reaper(void *arg)
{
	ls_waitgroup_wait(&stages);
	ls_chan_close(stages_done);
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
	int64_t v, sum = 0;

	ctx = ls_ctx_with_cancel(ls_ctx_background());
	nums = ls_chan_make(sizeof(int64_t), 0, "nums");
	squares = ls_chan_make(sizeof(int64_t), 0, "squares");
	stages_done = ls_chan_make(0, 0, "stages_done");
	ls_waitgroup_add(&stages, 2);
	ls_go(gen, NULL, "gen");
	ls_go(square, NULL, "square");
	ls_go(reaper, NULL, "reaper");

	for (int i = 0; i < 3; i++) {
		ls_chan_recv(squares, &v);
		sum += v;
	}
	printf("main: 1 + 4 + 9 = %lld; cancelling\n", (long long)sum);
	ls_ctx_cancel(ctx);

	if (!wait_for(stages_done, 100 * LS_MSEC)) {
		fprintf(stderr, "FAIL: pipeline still running after 100 ms\n");
		return 1;
	}
	printf("main: pipeline stopped\n");
	ls_ctx_release(ctx);
	if (sum != 14) {
		fprintf(stderr, "FAIL: wrong sum\n");
		return 1;
	}
	return 0;
}
