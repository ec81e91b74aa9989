// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       16-semaphore/fifo-queue
 * chapter:  16
 * lesson:   16-semaphore
 * title:    A big request at the head of the queue holds back a small one
 * kind:     observe
 * goal:     sem-fifo-wait
 * achieve:  Run it, look at the SEM_WAIT and SEM_ACQUIRE events, and answer
 *           which request gets its tokens first, "big" or "small".
 * hint:     When "small" asks for 1 token, one token is free.  Does it take it?
 * hint:     Weighted.Acquire succeeds at once only if the tokens are free and
 *           nobody is queued; otherwise it joins the back of the queue.
 * hint:     Release wakes waiters from the front, and stops at the first one
 *           that does not fit.
 */
/*
 * A semaphore.Weighted of 4 tokens.  The holder takes 3.  Then "big" asks
 * for 4 (it has to wait for the holder), and after it "small" asks for 1
 * (one token is free right now).
 *
 * Question: which of the two waiting requests gets its tokens first?
 * Write "big" or "small" in ANSWER and run again.
 */
#include <stdio.h>
#include <string.h>
#include <lockstep/lockstep.h>

#define ANSWER	""		/* "big" or "small" */

static struct ls_semaphore *sem;
static struct ls_mutex order_mu = LS_MUTEX_INIT("order.mu");
static const char *first;

static void request(void *arg)
{
	const char *who = arg;
	int64_t n = !strcmp(who, "big") ? 4 : 1;

	ls_semaphore_acquire(sem, NULL, n);
	ls_mutex_lock(&order_mu);
	if (!first)
		first = who;
	ls_mutex_unlock(&order_mu);
	printf("%s: got %lld token(s)\n", who, (long long)n);
	ls_semaphore_release(sem, n);
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	sem = ls_semaphore_new(4, "tokens");
	ls_semaphore_acquire(sem, NULL, 3);		/* the holder */
	ls_waitgroup_go(&wg, request, "big", "big");
	while (ls_semaphore_waiters(sem) < 1)
		ls_sleep(100 * LS_USEC);
	ls_waitgroup_go(&wg, request, "small", "small");
	while (ls_semaphore_waiters(sem) < 2)
		ls_sleep(100 * LS_USEC);
	printf("holder: releasing 3 tokens\n");
	ls_semaphore_release(sem, 3);
	ls_waitgroup_wait(&wg);
	ls_semaphore_free(sem);

	printf("first served: %s\n", first);
	if (!*ANSWER) {
		printf("answer: not given yet (edit ANSWER)\n");
		return 0;
	}
	if (strcmp(ANSWER, first)) {
		printf("answer: %s is not right; look at SEM_WAIT's waiters\n", ANSWER);
		return 1;
	}
	printf("answer: correct\n");
	return 0;
}
