// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       realworld/grpc-1687
 * chapter:  realworld
 * lesson:   13-channel
 * title:    A writes channel closed while another write may still send on it
 * kind:     fix
 * verdict:  panic
 * achieve:  Shut the stream down so that a later write gets an error instead
 *           of sending on a closed channel.
 * hint:     do() first checks "closed", then selects on a send to writes.
 *           Which channel did write_status() close?
 * hint:     A send case on a closed channel panics even inside a select; only
 *           the senders may close a channel, and here there are several.
 * hint:     Signal the end by closing the "closed" channel (which nobody sends
 *           on) and let run_stream() return when it sees it; never close
 *           writes.
 * origin:   grpc#1687 (GoBench GoKer)
 */
/*
 * Modelled on grpc-go pull request 1687 (reduced in GoBench "GoKer"): the
 * server's HTTP handler transport runs a loop, run_stream(), that executes
 * queued writes.  Writers hand it work through do(), which gives up if the
 * transport is closed.  write_status() ends the stream: it queues the
 * status and then closes the writes channel to stop the loop.  A handler
 * that writes once more after the status makes its send case meet the
 * closed channel.
 */
#include <errno.h>
#include <stdio.h>
#include <lockstep/lockstep.h>

struct transport {
	struct ls_mutex	mu;
	bool		stream_done;
	struct ls_chan	*writes;	/* int64_t frames to run */
	struct ls_chan	*closed;	/* closed when the transport is done */
	struct ls_chan	*loop_done;
};

static struct transport t = { .mu = LS_MUTEX_INIT("transport.mu") };

static int do_write(struct transport *tr, int64_t frame)
{
	struct ls_case check[] = { { .ch = tr->closed, .dir = LS_RECV } };
	struct ls_case cs[] = {
		{ .ch = tr->writes, .dir = LS_SEND, .elem = &frame },
		{ .ch = tr->closed, .dir = LS_RECV },
	};

	if (ls_select(check, 1, false) == 0)
		return -EPIPE;			/* already closed */
	return ls_select(cs, 2, true) == 0 ? 0 : -EPIPE;
}

static void write_status(struct transport *tr)
{
	ls_mutex_lock(&tr->mu);
	if (!tr->stream_done) {
		tr->stream_done = true;
		do_write(tr, 200);		/* the status frame */
		ls_chan_close(tr->writes);	/* stop run_stream() */
	}
	ls_mutex_unlock(&tr->mu);
}

static void run_stream(void *arg)
{
	struct transport *tr = arg;
	int64_t frame;

	for (;;) {
		struct ls_case cs[] = {
			{ .ch = tr->writes, .dir = LS_RECV, .elem = &frame },
			{ .ch = tr->closed, .dir = LS_RECV },
		};

		if (ls_select(cs, 2, true) == 1 || !cs[0].ok)
			break;
		printf("stream: wrote frame %lld\n", (long long)frame);
	}
	ls_chan_close(tr->loop_done);
}

static void handler(void *arg)
{
	write_status(&t);
	printf("handler: late write = %d\n", do_write(&t, 7));
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	t.writes = ls_chan_make(sizeof(int64_t), 0, "writes");
	t.closed = ls_chan_make(0, 0, "closed");
	t.loop_done = ls_chan_make(0, 0, "loop_done");
	ls_go(run_stream, &t, "run_stream");
	ls_waitgroup_go(&wg, handler, NULL, "handler");
	ls_waitgroup_wait(&wg);
	ls_chan_recv(t.loop_done, NULL);
	printf("main: stream finished\n");
	return 0;
}
