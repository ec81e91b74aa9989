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
 * save() validates a value, stores it under the store's mutex, and has a
 * single exit path at the end, kernel style.  The first call works.  The
 * second call is given a bad value.
 *
 * Go (and lockstep) treat "unlock of unlocked mutex" as a fatal error: it
 * cannot be recovered, because the lock's state is already wrong.
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
	int err = 0;

	if (v < 0) {
		err = -EINVAL;
		goto out;
	}
	ls_mutex_lock(&s->mu);
	s->value = v;
	s->writes++;
out:
	ls_mutex_unlock(&s->mu);
	return err;
}

int main(void)
{
	struct store s = { .mu = LS_MUTEX_INIT("store.mu") };

	printf("save(42) = %d\n", save(&s, 42));
	printf("save(-1) = %d\n", save(&s, -1));
	printf("value = %lld after %d write(s)\n", (long long)s.value, s.writes);
	return 0;
}
