// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       realworld/cockroach-18101
 * chapter:  realworld
 * lesson:   11-context
 * title:    The importer stops on cancel; the splitter blocks on a full buffer
 * kind:     fix
 * verdict:  leak
 * achieve:  Make the span splitter stop when the restore is cancelled instead
 *           of waiting forever for buffer space.
 * hint:     When restore() returns, the splitter is still trying to send.  Is
 *           anyone left to receive?
 * hint:     The buffer holds two spans; after that a plain send waits for a
 *           receiver, and it never looks at the context.
 * hint:     Send with a select that also watches ls_ctx_done(ctx), and return
 *           when the context is done.
 * origin:   cockroach#18101 (GoBench GoKer)
 */
/*
 * Solution: the splitter sends through a select on the span channel and
 * the job's done channel, as cockroach's fix does.  After the cancel, its
 * parked select wakes on the done case and the goroutine returns.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define SPANS	8

struct restore {
	struct ls_ctx	*ctx;
	struct ls_chan	*ready;		/* spans ready for import, capacity 2 */
};

static struct ls_chan *splitter_done;

static void split_and_scatter(void *arg)
{
	struct restore *r = arg;

	for (int64_t span = 1; span <= SPANS; span++) {
		struct ls_case cs[] = {
			{ .ch = r->ready, .dir = LS_SEND, .elem = &span },
			{ .ch = ls_ctx_done(r->ctx), .dir = LS_RECV },
		};

		if (ls_select(cs, 2, true) == 1)
			break;			/* cancelled */
	}
	ls_chan_close(r->ready);
	ls_chan_close(splitter_done);
}

/* Returns the number of spans imported before the job ended. */
static int restore(struct restore *r)
{
	int imported = 0;
	int64_t span;

	ls_go(split_and_scatter, r, "splitter");
	while (ls_chan_recv(r->ready, &span)) {
		if (ls_ctx_err(r->ctx))
			break;			/* the job was cancelled */
		imported++;
		if (imported == 1)
			ls_ctx_cancel(r->ctx);	/* the user cancels the job */
	}
	return imported;
}

int main(void)
{
	struct restore r = {
		.ctx = ls_ctx_with_cancel(ls_ctx_background()),
		.ready = ls_chan_make(sizeof(int64_t), 2, "ready"),
	};
	int n;

	splitter_done = ls_chan_make(0, 0, "splitter_done");
	n = restore(&r);
	printf("restore: %d span(s) imported before cancellation\n", n);
	ls_sleep(50 * LS_MSEC);			/* report the job's status */
	ls_chan_recv(splitter_done, NULL);	/* the splitter has returned */
	ls_ctx_release(r.ctx);
	if (n != 1) {
		fprintf(stderr, "FAIL: expected one span before the cancel\n");
		return 1;
	}
	return 0;
}
