/* SPDX-License-Identifier: MIT */
/*
 * chanmutex.h - a mutex made of a channel, with TryLock and LockTimeout
 * (the course notes' "lock from a channel" appendix).
 *
 * The channel has capacity 1 and holds one token while the mutex is free:
 * Lock receives the token (blocking while someone else has it), Unlock puts
 * it back.  Because it is just a channel, the non-blocking and timed
 * variants come from select: TryLock is a receive with a default case,
 * LockTimeout races the receive against a timer.  Like sync.Mutex it is not
 * owned: any goroutine may unlock it.  Unlocking a free mutex panics with
 * "unlock of unlocked mutex" (the token would not fit).  The events are
 * those of the channel, which carries the mutex's name.
 */
#ifndef LOCKSTEP_CHANMUTEX_H
#define LOCKSTEP_CHANMUTEX_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ls_chanmutex;

struct ls_chanmutex *ls_chanmutex_new(const char *name);	/* NULL + errno */
void	ls_chanmutex_lock(struct ls_chanmutex *m);
void	ls_chanmutex_unlock(struct ls_chanmutex *m);
bool	ls_chanmutex_trylock(struct ls_chanmutex *m);
/* true if the lock was taken within ns nanoseconds */
bool	ls_chanmutex_lock_timeout(struct ls_chanmutex *m, int64_t ns);
/* A snapshot: true while somebody holds it. */
bool	ls_chanmutex_is_locked(struct ls_chanmutex *m);
void	ls_chanmutex_free(struct ls_chanmutex *m);

#ifdef __cplusplus
}
#endif
#endif /* LOCKSTEP_CHANMUTEX_H */
