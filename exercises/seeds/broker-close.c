// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       seeds/broker-close
 * chapter:  seeds
 * lesson:   13-channel
 * title:    A broker closed while a message is being delivered
 * kind:     fix
 * verdict:  panic
 * achieve:  Make Close wait for any delivery in progress, so that no send
 *           ever meets a closed subscriber channel.
 * hint:     publish() copies the subscriber list under the read lock, then
 *           delivers with no lock held.  What can Close do meanwhile?
 * hint:     In the course notes, Send holds the read lock for the whole
 *           delivery, and Close takes the write lock: the writer waits for
 *           the reader.
 * hint:     Keep the read lock in publish() until the last subscriber has its
 *           copy.
 */
/*
 * A small pub/sub broker from the course notes: one buffered channel per
 * subscriber, publish() delivers a copy of the message to each channel
 * without blocking (a full subscriber makes it fail fast), close() closes
 * every subscriber's channel.  lockstep's ls_broker is the finished
 * version; this one was "optimized" to hold its lock for less time.
 *
 * Delivering to a subscriber takes a while (the ls_sleep, a slow network).
 * main subscribes twice, reads its first copy, and closes the broker.
 */
#include <errno.h>
#include <stdio.h>
#include <lockstep/lockstep.h>

#define MAXSUB	4

struct broker {
	struct ls_rwmutex	rw;
	struct ls_chan		*subs[MAXSUB];
	int			nsubs;
};

static struct broker b = { .rw = LS_RWMUTEX_INIT("broker.rw") };

static struct ls_chan *subscribe(size_t cap)
{
	struct ls_chan *ch = ls_chan_make(sizeof(int64_t), cap, "subscriber");

	ls_rwmutex_lock(&b.rw);
	b.subs[b.nsubs++] = ch;
	ls_rwmutex_unlock(&b.rw);
	return ch;
}

static int publish(int64_t msg)
{
	struct ls_chan *subs[MAXSUB];
	int n;

	ls_rwmutex_rlock(&b.rw);
	n = b.nsubs;
	for (int i = 0; i < n; i++)
		subs[i] = b.subs[i];
	ls_rwmutex_runlock(&b.rw);

	for (int i = 0; i < n; i++) {
		if (!ls_chan_trysend(subs[i], &msg))
			return -EAGAIN;		/* subscriber full */
		ls_sleep(50 * LS_MSEC);		/* the network */
	}
	return 0;
}

static void close_broker(void)
{
	struct ls_chan *subs[MAXSUB];
	int n;

	ls_rwmutex_lock(&b.rw);
	n = b.nsubs;
	for (int i = 0; i < n; i++)
		subs[i] = b.subs[i];
	b.nsubs = 0;
	ls_rwmutex_unlock(&b.rw);
	for (int i = 0; i < n; i++)
		ls_chan_close(subs[i]);
}

static void publisher(void *arg)
{
	printf("publisher: publish = %d\n", publish(42));
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");
	struct ls_chan *s1 = subscribe(1), *s2 = subscribe(1);
	int64_t v;

	ls_waitgroup_go(&wg, publisher, NULL, "publisher");
	ls_chan_recv(s1, &v);
	printf("main: subscriber 1 got %lld; closing the broker\n", (long long)v);
	close_broker();
	ls_waitgroup_wait(&wg);
	while (ls_chan_recv(s2, &v))
		printf("main: subscriber 2 got %lld\n", (long long)v);
	ls_chan_free(s1);
	ls_chan_free(s2);
	return 0;
}
