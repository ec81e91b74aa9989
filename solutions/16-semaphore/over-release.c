// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       16-semaphore/over-release
 * chapter:  16
 * lesson:   16-semaphore
 * title:    Releasing more tokens than were acquired
 * kind:     fix
 * verdict:  panic
 * achieve:  Give back exactly the tokens each job took, on every path.
 * hint:     Add up, per job, what it acquired and what it released.
 * hint:     A weighted semaphore trusts the numbers you pass; if the total
 *           released exceeds the total held, it panics.
 * hint:     Release the job's weight, once, at the single end of the job.
 */
/*
 * Solution: the early path jumps to the one release at the end instead of
 * releasing on its own.  Every job gives back exactly its weight, and the
 * budget ends where it started (checked with a TryAcquire of all 10).
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

struct job {
	const char	*name;
	int64_t		weight;
	bool		empty;
};

static struct ls_semaphore *budget;

static void run(struct job *j)
{
	ls_semaphore_acquire(budget, NULL, j->weight);
	if (j->empty) {
		printf("%s: nothing to do\n", j->name);
		goto out;
	}
	printf("%s: working with %lld units\n", j->name, (long long)j->weight);
out:
	ls_semaphore_release(budget, j->weight);
}

int main(void)
{
	struct job jobs[] = {
		{ "resize", 4, false }, { "thumbnail", 2, true }, { "encode", 6, false },
	};
	bool all_back;

	budget = ls_semaphore_new(10, "memory");
	for (int i = 0; i < 3; i++)
		run(&jobs[i]);
	printf("all jobs done\n");
	all_back = ls_semaphore_tryacquire(budget, 10);
	if (all_back)
		ls_semaphore_release(budget, 10);
	ls_semaphore_free(budget);
	if (!all_back) {
		fprintf(stderr, "FAIL: units are missing from the budget\n");
		return 1;
	}
	return 0;
}
