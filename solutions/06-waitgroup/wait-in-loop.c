// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       06-waitgroup/wait-in-loop
 * chapter:  06
 * lesson:   06-waitgroup
 * title:    Wait inside the loop that starts the workers
 * kind:     fix
 * verdict:  deadlock
 * achieve:  Start all the fetchers and wait for all of them once.
 * hint:     When main calls Wait for the first time, what is the counter and
 *           how many goroutines exist that could call Done?
 * hint:     The counter was set for three workers before the first one was
 *           even started.
 * hint:     Move the Wait out of the loop, after the last ls_go.
 */
/*
 * Solution: start everything, then wait once.  The fetchers run in
 * parallel and the single Wait returns when the last one is done.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define PAGES	3

static struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");
static int64_t bytes[PAGES];

static void fetch(void *arg)
{
	int page = (int)(intptr_t)arg;

	bytes[page] = 1000 + page;
	printf("fetched page %d\n", page);
	ls_waitgroup_done(&wg);
}

int main(void)
{
	int64_t total = 0;

	ls_waitgroup_add(&wg, PAGES);
	for (int i = 0; i < PAGES; i++)
		ls_go(fetch, (void *)(intptr_t)i, "fetch");
	ls_waitgroup_wait(&wg);

	for (int i = 0; i < PAGES; i++)
		total += bytes[i];
	printf("%lld bytes\n", (long long)total);
	if (total != 3003) {
		fprintf(stderr, "FAIL: pages missing\n");
		return 1;
	}
	return 0;
}
