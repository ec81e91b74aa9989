// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       03-mutex-pitfalls/unlock-unlocked
 * chapter:  03
 * lesson:   03-mutex-pitfalls
 * title:    An error path that unlocks a lock it never took
 * kind:     fix
 * verdict:  panic
 * achieve:  Make every path through save() unlock exactly what it locked, so
 *           that both calls complete.
 * hint:     Read the fatal message, then follow save(-1) line by line.
 * hint:     The goto jumps over ls_mutex_lock() but not over ls_mutex_unlock().
 * hint:     Use two labels: one for "unlock, then return" and one for "just
 *           return", or validate before anything else.
 */
/*
 * Solution: the error path that runs before the lock is taken returns
 * without unlocking; only the path that locked goes through the unlock.
 */
#include <errno.h>
#include <stdio.h>
#include <lockstep/lockstep.h>

struct store {
	struct ls_mutex	mu;
	int64_t		value;
	int		writes;
};

static int save(struct store *s, int64_t v)
{
	if (v < 0)
		return -EINVAL;

	ls_mutex_lock(&s->mu);
	s->value = v;
	s->writes++;
	ls_mutex_unlock(&s->mu);
	return 0;
}

int main(void)
{
	struct store s = { .mu = LS_MUTEX_INIT("store.mu") };
	int a = save(&s, 42), b = save(&s, -1);

	printf("save(42) = %d\n", a);
	printf("save(-1) = %d\n", b);
	printf("value = %lld after %d write(s)\n", (long long)s.value, s.writes);
	if (a != 0 || b != -EINVAL || s.value != 42 || s.writes != 1 ||
	    ls_mutex_state(&s.mu) != 0) {
		fprintf(stderr, "FAIL: unexpected store state\n");
		return 1;
	}
	return 0;
}
