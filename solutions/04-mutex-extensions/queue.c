// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       04-mutex-extensions/queue
 * chapter:  04
 * lesson:   04-mutex-extensions
 * title:    A thread-safe queue with one unguarded method
 * kind:     fix
 * verdict:  race
 * achieve:  Make every method of the queue read and write its fields under
 *           the queue's mutex.
 * hint:     Which function touches q->tail without holding q->mu?
 * hint:     "It only reads one number" is still a data race: nothing orders
 *           that read against the producer's write.
 * hint:     Take the lock in queue_len() too.
 */
/*
 * Solution: queue_len() takes the mutex like the other methods.  A length
 * read under the lock is a snapshot that may be stale a moment later, which
 * is fine for monitoring and for a polling loop, but it is ordered against
 * every push and pop.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define QCAP	4
#define ITEMS	50

struct queue {
	struct ls_mutex	mu;
	int64_t		buf[QCAP];
	int64_t		head, tail;	/* tail - head = items queued */
};

static struct queue q = { .mu = LS_MUTEX_INIT("queue.mu") };

static bool queue_push(struct queue *q, int64_t v)
{
	bool ok = false;
	int64_t t;

	ls_mutex_lock(&q->mu);
	t = ls_load(&q->tail, "tail");

	if (t - ls_load(&q->head, "head") < QCAP) {
		q->buf[t % QCAP] = v;
		ls_store(&q->tail, t + 1, "tail");
		ok = true;
	}
	ls_mutex_unlock(&q->mu);
	return ok;
}

static bool queue_pop(struct queue *q, int64_t *v)
{
	bool ok = false;
	int64_t h;

	ls_mutex_lock(&q->mu);
	h = ls_load(&q->head, "head");

	if (ls_load(&q->tail, "tail") > h) {
		*v = q->buf[h % QCAP];
		ls_store(&q->head, h + 1, "head");
		ok = true;
	}
	ls_mutex_unlock(&q->mu);
	return ok;
}

static int64_t queue_len(struct queue *q)
{
	int64_t n;

	ls_mutex_lock(&q->mu);
	n = ls_load(&q->tail, "tail") - ls_load(&q->head, "head");
	ls_mutex_unlock(&q->mu);
	return n;
}

static void producer(void *arg)
{
	for (int64_t i = 1; i <= ITEMS; i++)
		while (!queue_push(&q, i))
			ls_gosched();
}

static int64_t sum;

static void consumer(void *arg)
{
	int64_t v;

	for (int got = 0; got < ITEMS; ) {
		if (queue_len(&q) == 0) {
			ls_gosched();
			continue;
		}
		if (queue_pop(&q, &v)) {
			sum += v;
			got++;
		}
	}
	printf("consumer: sum = %lld (expected %d)\n", (long long)sum,
	       ITEMS * (ITEMS + 1) / 2);
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	ls_waitgroup_go(&wg, producer, NULL, "producer");
	ls_waitgroup_go(&wg, consumer, NULL, "consumer");
	ls_waitgroup_wait(&wg);
	if (sum != ITEMS * (ITEMS + 1) / 2) {
		fprintf(stderr, "FAIL: items were lost\n");
		return 1;
	}
	return 0;
}
