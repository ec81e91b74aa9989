// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       03-mutex-pitfalls/copied-mutex
 * chapter:  03
 * lesson:   03-mutex-pitfalls
 * title:    Every booth got its own copy of the lock
 * kind:     fix
 * verdict:  race
 * achieve:  Make all booths count votes under one and the same mutex, so that
 *           no vote is lost.
 * hint:     How many struct ls_mutex objects exist while the booths run?
 * hint:     Assigning a struct copies the mutex inside it; the copies know
 *           nothing of each other.
 * hint:     Give each booth a pointer to the shared tally instead of a copy.
 */
/*
 * Solution: the booths hold a pointer to the one shared tally, so they all
 * lock the same mutex.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define BOOTHS	3
#define VOTERS	500

struct tally {
	struct ls_mutex	mu;
	int64_t		*votes;
};

struct booth {
	int		id;
	struct tally	*tally;		/* shared, never copied */
};

static int64_t votes;

static void booth_run(void *arg)
{
	struct booth *b = arg;

	for (int i = 0; i < VOTERS; i++) {
		ls_mutex_lock(&b->tally->mu);
		ls_store(b->tally->votes, ls_load(b->tally->votes, "votes") + 1, "votes");
		ls_mutex_unlock(&b->tally->mu);
	}
}

int main(void)
{
	struct tally shared = { .mu = LS_MUTEX_INIT("tally.mu"), .votes = &votes };
	struct booth booths[BOOTHS];
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	for (int i = 0; i < BOOTHS; i++) {
		booths[i].id = i;
		booths[i].tally = &shared;
		ls_waitgroup_go(&wg, booth_run, &booths[i], "booth");
	}
	ls_waitgroup_wait(&wg);

	printf("votes = %lld (expected %d)\n", (long long)votes, BOOTHS * VOTERS);
	if (votes != BOOTHS * VOTERS) {
		fprintf(stderr, "FAIL: votes were lost\n");
		return 1;
	}
	return 0;
}
