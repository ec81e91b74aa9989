// SPDX-License-Identifier: MIT
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
 * Solution: the forwarders only forward.  A closer goroutine waits for both
 * of them and then closes out, once, when no send can follow.  (Go's
 * "pipelines" article writes merge() exactly like this.)
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

static struct ls_chan *a, *b, *out;
static struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");
static struct ls_waitgroup forwarders = LS_WAITGROUP_INIT("forwarders");

static void forward(void *arg)
{
	struct ls_chan *in = arg;
	int64_t v;

	while (ls_chan_recv(in, &v))
		ls_chan_send(out, &v);
	ls_waitgroup_done(&forwarders);
}

static void closer(void *arg)
{
	ls_waitgroup_wait(&forwarders);
	ls_chan_close(out);
	ls_waitgroup_done(&wg);
}

static void source_a(void *arg)
{
	ls_chan_close(a);
	ls_waitgroup_done(&wg);
}

static void source_b(void *arg)
{
	int64_t v = 7;

	ls_sleep(50 * LS_MSEC);
	ls_chan_send(b, &v);
	ls_chan_close(b);
	ls_waitgroup_done(&wg);
}

static void merge(void)
{
	ls_waitgroup_add(&forwarders, 2);
	ls_go(forward, a, "forward-a");
	ls_go(forward, b, "forward-b");
	ls_go(closer, NULL, "closer");
}

int main(void)
{
	int64_t v, sum = 0;
	int n = 0;

	a = ls_chan_make(sizeof(int64_t), 0, "a");
	b = ls_chan_make(sizeof(int64_t), 0, "b");
	out = ls_chan_make(sizeof(int64_t), 0, "out");
	ls_waitgroup_add(&wg, 3);
	ls_go(source_a, NULL, "source-a");
	ls_go(source_b, NULL, "source-b");
	merge();

	while (ls_chan_recv(out, &v)) {
		sum += v;
		n++;
	}
	printf("main: %d value(s), sum %lld\n", n, (long long)sum);
	ls_waitgroup_wait(&wg);
	if (n != 1 || sum != 7) {
		fprintf(stderr, "FAIL: values were lost\n");
		return 1;
	}
	return 0;
}
