// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       16-semaphore/rendezvous
 * chapter:  16
 * lesson:   16-semaphore
 * title:    Rendezvous: each waits for the other before signalling
 * kind:     fix
 * verdict:  deadlock
 * achieve:  Make a1 happen before b2 and b1 happen before a2, with neither
 *           thread waiting forever.
 * hint:     Each thread waits for the other's "arrived" signal.  Who sends a
 *           signal first?
 * hint:     Waiting before signalling is a circular wait: nobody ever gets to
 *           the signal.
 * hint:     Signal your own arrival first, then wait for the other's.
 */
/*
 * Solution: signal, then wait.  Whichever thread arrives first announces
 * itself and waits; the second announces itself, finds the first one's
 * signal already there, and both go on.  The steps are numbered to check
 * the two orderings.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

static struct ls_semaphore *a_arrived, *b_arrived;
static int64_t step, at_a1, at_a2, at_b1, at_b2;

static struct ls_semaphore *sem0(const char *name)
{
	struct ls_semaphore *s = ls_semaphore_new(1, name);

	ls_semaphore_acquire(s, NULL, 1);
	return s;
}

static void thread_a(void *arg)
{
	at_a1 = ls_atomic_add(&step, 1);
	printf("a1\n");
	ls_semaphore_release(a_arrived, 1);
	ls_semaphore_acquire(b_arrived, NULL, 1);
	at_a2 = ls_atomic_add(&step, 1);
	printf("a2\n");
}

static void thread_b(void *arg)
{
	at_b1 = ls_atomic_add(&step, 1);
	printf("b1\n");
	ls_semaphore_release(b_arrived, 1);
	ls_semaphore_acquire(a_arrived, NULL, 1);
	at_b2 = ls_atomic_add(&step, 1);
	printf("b2\n");
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	a_arrived = sem0("a_arrived");
	b_arrived = sem0("b_arrived");
	ls_waitgroup_go(&wg, thread_a, NULL, "A");
	ls_waitgroup_go(&wg, thread_b, NULL, "B");
	ls_waitgroup_wait(&wg);
	if (!(at_a1 < at_b2 && at_b1 < at_a2)) {
		fprintf(stderr, "FAIL: the rendezvous did not hold\n");
		return 1;
	}
	return 0;
}
