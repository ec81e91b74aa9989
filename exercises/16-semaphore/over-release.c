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
 * A memory budget of 10 units shared by jobs of different sizes, as a
 * semaphore.Weighted: each job acquires its weight before it runs.  A job
 * that finds its input empty releases its weight early and returns, but
 * the cleanup at the end releases it again.
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
		ls_semaphore_release(budget, j->weight);
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

	budget = ls_semaphore_new(10, "memory");
	for (int i = 0; i < 3; i++)
		run(&jobs[i]);
	printf("all jobs done\n");
	ls_semaphore_free(budget);
	return 0;
}
