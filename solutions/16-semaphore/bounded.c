// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       16-semaphore/bounded
 * chapter:  16
 * lesson:   16-semaphore
 * title:    Bounded parallelism that loses its permits on errors
 * kind:     fix
 * verdict:  deadlock
 * achieve:  Keep at most two downloads running at once and still get through
 *           all five, failures included.
 * hint:     main acquires a permit before each download.  After two failures,
 *           how many permits are left?
 * hint:     Every path out of download() must give its permit back, or the
 *           limit shrinks with every error until nothing can run.
 * hint:     Release in one place at the end of download(), reached by the
 *           error path too.
 */
/*
 * Solution: download() has one exit, and the permit is released there, for
 * failures and successes alike.  The limit stays at two for the whole run.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define FILES	5
#define LIMIT	2

static struct ls_semaphore *slots;
static struct ls_waitgroup wg = LS_WAITGROUP_INIT("downloads");
static int64_t finished;

static void download(void *arg)
{
	int id = (int)(intptr_t)arg;

	if (id < 2) {
		printf("file %d: not found\n", id);
		goto out;
	}
	printf("file %d: downloaded\n", id);
out:
	ls_atomic_add(&finished, 1);
	ls_semaphore_release(slots, 1);
}

int main(void)
{
	slots = ls_semaphore_new(LIMIT, "slots");
	for (int i = 0; i < FILES; i++) {
		ls_semaphore_acquire(slots, NULL, 1);
		ls_waitgroup_go(&wg, download, (void *)(intptr_t)i, "download");
	}
	ls_waitgroup_wait(&wg);
	printf("all downloads finished\n");
	ls_semaphore_free(slots);
	if (ls_atomic_load(&finished) != FILES) {
		fprintf(stderr, "FAIL: downloads missing\n");
		return 1;
	}
	return 0;
}
