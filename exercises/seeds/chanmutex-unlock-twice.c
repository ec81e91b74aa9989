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
 * The course notes build a mutex with TryLock from a channel of capacity
 * one (lockstep's ls_chanmutex): Lock receives the token, Unlock sends it
 * back, TryLock and LockTimeout are selects.  Go's own Unlock of a channel
 * like this would block forever on the second call; ls_chanmutex uses a
 * non-blocking send and panics instead, like sync.Mutex.
 *
 * save() waits at most 50 ms for the lock, then validates its input.
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
	if (v < 0) {
		err = -EINVAL;
		ls_chanmutex_unlock(s->mu);	/* nothing to do: let go early */
	} else {
		s->value = v;
	}
	ls_chanmutex_unlock(s->mu);
	return err;
}

int main(void)
{
	struct store s = { .mu = ls_chanmutex_new("store.mu") };

	printf("save(7) = %d\n", save(&s, 7));
	printf("save(-1) = %d\n", save(&s, -1));
	printf("value = %lld\n", (long long)s.value);
	ls_chanmutex_free(s.mu);
	return 0;
}
