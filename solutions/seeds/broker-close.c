// SPDX-License-Identifier: MIT
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
 * Solution: publish() delivers under the read lock, as the course notes'
 * Send does.  close_broker() asks for the write lock and waits (RW_WLOCK,
 * then parked) until the delivery in progress has finished; only then are
 * the channels closed.  Subscriber 2 drains its copy, then sees the close.
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
	int err = 0;

	ls_rwmutex_rlock(&b.rw);		/* held for the whole delivery */
	for (int i = 0; i < b.nsubs; i++) {
		if (!ls_chan_trysend(b.subs[i], &msg)) {
			err = -EAGAIN;		/* subscriber full */
			break;
		}
		ls_sleep(50 * LS_MSEC);		/* the network */
	}
	ls_rwmutex_runlock(&b.rw);
	return err;
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

static int published = -1;

static void publisher(void *arg)
{
	published = publish(42);
	printf("publisher: publish = %d\n", published);
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");
	struct ls_chan *s1 = subscribe(1), *s2 = subscribe(1);
	int64_t v;
	int got2 = 0;

	ls_waitgroup_go(&wg, publisher, NULL, "publisher");
	ls_chan_recv(s1, &v);
	printf("main: subscriber 1 got %lld; closing the broker\n", (long long)v);
	close_broker();
	ls_waitgroup_wait(&wg);
	while (ls_chan_recv(s2, &v)) {
		printf("main: subscriber 2 got %lld\n", (long long)v);
		got2++;
	}
	ls_chan_free(s1);
	ls_chan_free(s2);
	if (published != 0 || got2 != 1) {
		fprintf(stderr, "FAIL: subscriber 2 missed the message\n");
		return 1;
	}
	return 0;
}
