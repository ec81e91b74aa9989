// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       13-channel/nil-select
 * chapter:  13
 * lesson:   13-channel
 * title:    A select case on a nil channel never fires
 * kind:     fix
 * verdict:  leak
 * achieve:  Make the worker see the quit channel that main closes, and exit.
 * hint:     Look at the worker's SELECT_BEGIN: how many non-nil cases does it
 *           have?
 * hint:     The worker got a copy of the configuration before main created
 *           the quit channel.  A nil channel in a select is simply ignored.
 * hint:     Create the quit channel before starting the worker (or pass the
 *           worker a pointer to the shared configuration).
 */
/*
 * Solution: every channel exists before the worker copies the
 * configuration, so its select has two live cases and the close of quit
 * reaches it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <lockstep/lockstep.h>

struct config {
	struct ls_chan	*jobs;		/* int64_t */
	struct ls_chan	*quit;		/* closed to stop the worker */
	struct ls_chan	*done;		/* closed by the worker on exit */
};

static struct config cfg;

static void worker(void *arg)
{
	struct config c = *(struct config *)arg;
	int64_t job;

	for (;;) {
		struct ls_case cs[] = {
			{ .ch = c.jobs, .dir = LS_RECV, .elem = &job },
			{ .ch = c.quit, .dir = LS_RECV },
		};

		if (ls_select(cs, 2, true) == 1)
			break;
		printf("worker: job %lld\n", (long long)job);
	}
	printf("worker: quitting\n");
	ls_chan_close(c.done);
	free(arg);
}

/* Start a worker with its own copy of the configuration. */
static void start_worker(struct config c)
{
	struct config *mine = malloc(sizeof(*mine));

	*mine = c;
	ls_go(worker, mine, "worker");
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
	cfg.jobs = ls_chan_make(sizeof(int64_t), 0, "jobs");
	cfg.done = ls_chan_make(0, 0, "done");
	cfg.quit = ls_chan_make(0, 0, "quit");
	start_worker(cfg);		/* copies a complete config */

	for (int64_t j = 1; j <= 2; j++)
		ls_chan_send(cfg.jobs, &j);
	ls_chan_close(cfg.quit);
	if (!wait_for(cfg.done, 100 * LS_MSEC)) {
		fprintf(stderr, "FAIL: worker did not stop\n");
		return 1;
	}
	printf("main: worker stopped\n");
	return 0;
}
