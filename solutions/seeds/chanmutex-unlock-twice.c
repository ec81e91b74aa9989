// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       seeds/chanmutex-unlock-twice
 * chapter:  seeds
 * lesson:   04-mutex-extensions
 * title:    A channel-backed mutex released twice on the error path
 * kind:     fix
 * verdict:  panic
 * achieve:  Release the mutex exactly once on every path through save().
 * hint:     Count the unlocks on the path where v < 0.
 * hint:     This mutex is a channel holding one token: Lock takes it, Unlock
 *           puts it back.  A second Unlock finds no room for the token.
 * hint:     Let the error path only set err, and keep the single unlock at
 *           the end.
 */
/*
 * Solution: the error path only records the error; the one unlock at the
 * end serves both paths.
 */
#include <errno.h>
#include <stdio.h>
#include <lockstep/lockstep.h>

struct store {
	struct ls_chanmutex	*mu;
	int64_t			value;
};

static int save(struct store *s, int64_t v)
{
	int err = 0;

	if (!ls_chanmutex_lock_timeout(s->mu, 50 * LS_MSEC))
		return -ETIMEDOUT;
	if (v < 0)
		err = -EINVAL;
	else
		s->value = v;
	ls_chanmutex_unlock(s->mu);
	return err;
}

int main(void)
{
	struct store s = { .mu = ls_chanmutex_new("store.mu") };
	int a = save(&s, 7), b = save(&s, -1), c = save(&s, 9);

	printf("save(7) = %d\n", a);
	printf("save(-1) = %d\n", b);
	printf("save(9) = %d\n", c);
	printf("value = %lld\n", (long long)s.value);
	if (a || b != -EINVAL || c || s.value != 9 || ls_chanmutex_is_locked(s.mu)) {
		fprintf(stderr, "FAIL: wrong store state\n");
		return 1;
	}
	ls_chanmutex_free(s.mu);
	return 0;
}
