// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       seeds/batcher-dispose
 * chapter:  seeds
 * lesson:   14-channel-patterns
 * title:    A batcher disposed while a Get is waiting
 * kind:     fix
 * verdict:  deadlock
 * achieve:  Make a Get that is waiting (or comes later) return -ESHUTDOWN once
 *           the batcher is disposed.
 * hint:     The consumer is parked in "chan receive" on the batches channel.
 *           What could still wake it?
 * hint:     Setting a flag wakes nobody.  Closing the channel wakes every
 *           receiver, and every later receive returns at once.
 * hint:     Close the batches channel in dispose(), under the lock, so that
 *           no put() can flush into it afterwards.
 */
/*
 * Solution: dispose() closes the batches channel, while holding the lock
 * that put() takes, so no flush can ever send on the closed channel.  The
 * parked get() wakes with "closed" (CHAN_CLOSE wakes its receiver) and
 * returns -ESHUTDOWN, as does any later get().
 */
#include <errno.h>
#include <stdio.h>
#include <lockstep/lockstep.h>

#define BATCH	2

struct batch {
	int64_t	items[BATCH];
	int	n;
};

struct batcher {
	struct ls_mutex	mu;		/* guards cur and disposed */
	struct batch	cur;
	bool		disposed;
	struct ls_chan	*batches;	/* completed batches, capacity 4 */
};

static struct batcher b = { .mu = LS_MUTEX_INIT("batcher.mu") };

static int put(int64_t item)
{
	ls_mutex_lock(&b.mu);
	if (b.disposed) {
		ls_mutex_unlock(&b.mu);
		return -ESHUTDOWN;
	}
	b.cur.items[b.cur.n++] = item;
	if (b.cur.n == BATCH) {
		ls_chan_send(b.batches, &b.cur);	/* flush */
		b.cur.n = 0;
	}
	ls_mutex_unlock(&b.mu);
	return 0;
}

static int get(struct batch *out)
{
	return ls_chan_recv(b.batches, out) ? 0 : -ESHUTDOWN;
}

static void dispose(void)
{
	struct batch dropped;

	ls_mutex_lock(&b.mu);
	b.disposed = true;
	b.cur.n = 0;
	while (ls_chan_tryrecv(b.batches, &dropped, NULL))
		;				/* drop queued batches */
	ls_chan_close(b.batches);		/* wakes every get() */
	ls_mutex_unlock(&b.mu);
}

static int consumer_err;

static void consumer(void *arg)
{
	struct batch bt;
	int err;

	while (!(err = get(&bt)))
		printf("consumer: batch of %d\n", bt.n);
	printf("consumer: get = %d, stopping\n", err);
	consumer_err = err;
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");
	int late;

	b.batches = ls_chan_make(sizeof(struct batch), 4, "batches");
	ls_waitgroup_go(&wg, consumer, NULL, "consumer");
	for (int64_t i = 1; i <= 5; i++)
		put(i);
	dispose();
	late = put(6);

	printf("main: disposed; put = %d\n", late);
	ls_waitgroup_wait(&wg);
	ls_chan_free(b.batches);
	if (consumer_err != -ESHUTDOWN || late != -ESHUTDOWN) {
		fprintf(stderr, "FAIL: the batcher did not shut down\n");
		return 1;
	}
	return 0;
}
