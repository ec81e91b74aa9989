// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       07-cond/no-loop
 * chapter:  07
 * lesson:   07-cond
 * title:    Wait without re-checking the condition
 * kind:     fix
 * verdict:  panic
 * achieve:  Make each consumer pop only when the queue really holds an item,
 *           however many goroutines a Broadcast wakes.
 * hint:     Two consumers wake up for one item.  What does the second one find?
 * hint:     Being woken only means "something changed"; the condition may be
 *           false again by the time you hold the lock.
 * hint:     Replace "if (empty) wait" with "while (empty) wait".
 */
/*
 * Solution: the consumer loops on the condition.  The second consumer woken
 * by the first Broadcast finds the queue empty again and goes back to
 * waiting; the second item wakes it for real.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define CONSUMERS	2

static struct ls_mutex mu = LS_MUTEX_INIT("queue.mu");
static struct ls_cond cond;
static int64_t items[CONSUMERS];
static int nitems, consumed;
static int waiting, woken;	/* consumers in ls_cond_wait, and returns from it */

static int64_t pop(void)
{
	if (nitems == 0)
		ls_panic("runtime error: index out of range [-1]");
	return items[--nitems];
}

static void consumer(void *arg)
{
	int64_t v;

	ls_mutex_lock(&mu);
	while (nitems == 0) {
		waiting++;
		ls_cond_wait(&cond);
		waiting--;
		woken++;
	}
	v = pop();
	consumed++;
	ls_mutex_unlock(&mu);
	printf("%s: got item %lld\n", (const char *)arg, (long long)v);
}

/* Poll (not part of the lesson) until the consumers reach a given state. */
static void until(int nwaiting, int nwoken)
{
	ls_mutex_lock(&mu);
	while (waiting != nwaiting || woken != nwoken) {
		ls_mutex_unlock(&mu);
		ls_sleep(100 * LS_USEC);
		ls_mutex_lock(&mu);
	}
	ls_mutex_unlock(&mu);
}

static void producer(void *arg)
{
	until(2, 0);			/* both consumers are waiting */
	ls_mutex_lock(&mu);
	items[nitems++] = 1;
	ls_cond_broadcast(&cond);
	ls_mutex_unlock(&mu);

	until(1, 2);			/* both woke; one is waiting again */
	ls_mutex_lock(&mu);
	items[nitems++] = 2;
	ls_cond_broadcast(&cond);
	ls_mutex_unlock(&mu);
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	ls_cond_init(&cond, &mu, "queue.nonempty");
	ls_waitgroup_go(&wg, consumer, "consumer1", "consumer1");
	ls_waitgroup_go(&wg, consumer, "consumer2", "consumer2");
	ls_waitgroup_go(&wg, producer, NULL, "producer");
	ls_waitgroup_wait(&wg);
	printf("%d item(s) consumed\n", consumed);
	if (consumed != CONSUMERS || nitems != 0) {
		fprintf(stderr, "FAIL: items left over or missing\n");
		return 1;
	}
	return 0;
}
