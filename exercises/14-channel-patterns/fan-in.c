// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       14-channel-patterns/fan-in
 * chapter:  14
 * lesson:   14-channel-patterns
 * title:    Fan-in where every forwarder closes the output
 * kind:     fix
 * verdict:  panic
 * achieve:  Close the merged channel exactly once, after both inputs are
 *           exhausted, so that every value arrives.
 * hint:     Source a is empty.  What does its forwarder do right away?
 * hint:     Two forwarders send on out; either one closing it is wrong while
 *           the other may still send.
 * hint:     Count the forwarders with a WaitGroup and let one extra goroutine
 *           close out after ls_waitgroup_wait.
 */
/*
 * merge() fans two input channels into one: a forwarder goroutine per
 * input copies its values to out, and main reads out until it is closed.
 * Source a has nothing to say today; source b is slow and sends one value
 * after 50 ms.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

static struct ls_chan *a, *b, *out;
static struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

static void forward(void *arg)
{
	struct ls_chan *in = arg;
	int64_t v;

	while (ls_chan_recv(in, &v))
		ls_chan_send(out, &v);
	ls_chan_close(out);			/* my input is done */
	ls_waitgroup_done(&wg);
}

static void source_a(void *arg)
{
	ls_chan_close(a);			/* nothing today */
	ls_waitgroup_done(&wg);
}

static void source_b(void *arg)
{
	int64_t v = 7;

	ls_sleep(50 * LS_MSEC);			/* slow */
	ls_chan_send(b, &v);
	ls_chan_close(b);
	ls_waitgroup_done(&wg);
}

static void merge(void)
{
	ls_go(forward, a, "forward-a");
	ls_go(forward, b, "forward-b");
}

int main(void)
{
	int64_t v, sum = 0;
	int n = 0;

	a = ls_chan_make(sizeof(int64_t), 0, "a");
	b = ls_chan_make(sizeof(int64_t), 0, "b");
	out = ls_chan_make(sizeof(int64_t), 0, "out");
	ls_waitgroup_add(&wg, 4);
	ls_go(source_a, NULL, "source-a");
	ls_go(source_b, NULL, "source-b");
	merge();

	while (ls_chan_recv(out, &v)) {
		sum += v;
		n++;
	}
	printf("main: %d value(s), sum %lld\n", n, (long long)sum);
	ls_waitgroup_wait(&wg);
	return 0;
}
