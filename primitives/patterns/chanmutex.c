// SPDX-License-Identifier: MIT
/*
 * chanmutex.c - the channel-backed mutex of the course notes (seed 002,
 * appendix 1; seed 000 builds its Batcher on the same idea).
 *
 * State machine: one channel of capacity 1.
 *
 *	unlocked  ==  the channel holds the token (len 1)
 *	locked    ==  the channel is empty (len 0)
 *
 *	Lock         <-ch                  blocks while locked; waiters queue
 *	                                   FIFO on the channel's recvq
 *	Unlock       select { ch <- token; default: panic }
 *	TryLock      select { <-ch: true;  default: false }
 *	LockTimeout  select { <-ch: true;  <-time.After(d): false }
 *	IsLocked     len(ch) == 0
 *
 * Compared with sync.Mutex there is no spinning, no starvation mode and no
 * handoff logic: fairness is whatever the channel's FIFO queue of receivers
 * gives (a parked receiver is handed the token directly by Unlock's send,
 * so a newcomer cannot barge past it).
 *
 * Deviations from the notes' Go code: the notes' LockTimeout stops its
 * timer when the lock wins; ls_chan_free on the ls_after channel does the
 * same here.  The notes' version has small typos (m vs mu, time.C); the
 * behaviour is what they describe.
 */
#include <errno.h>
#include <stdlib.h>

#include <lockstep/chan.h>
#include <lockstep/chanmutex.h>
#include <lockstep/runtime.h>

struct ls_chanmutex {
	struct ls_chan	*ch;
};

struct ls_chanmutex *ls_chanmutex_new(const char *name)
{
	struct ls_chanmutex *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->ch = ls_chan_make(0, 1, name ? name : "chanmutex");
	if (!m->ch) {
		free(m);
		return NULL;
	}
	ls_chan_send(m->ch, NULL);	/* the token: starts unlocked */
	return m;
}

void ls_chanmutex_free(struct ls_chanmutex *m)
{
	if (!m)
		return;
	ls_chan_free(m->ch);
	free(m);
}

void ls_chanmutex_lock(struct ls_chanmutex *m)
{
	ls_chan_recv(m->ch, NULL);
}

void ls_chanmutex_unlock(struct ls_chanmutex *m)
{
	if (!ls_chan_trysend(m->ch, NULL))
		ls_panic("unlock of unlocked mutex");
}

bool ls_chanmutex_trylock(struct ls_chanmutex *m)
{
	return ls_chan_tryrecv(m->ch, NULL, NULL);
}

bool ls_chanmutex_lock_timeout(struct ls_chanmutex *m, int64_t ns)
{
	struct ls_chan *timer = ls_after(ns);
	struct ls_case cases[2] = {
		{ .ch = m->ch, .dir = LS_RECV },
		{ .ch = timer, .dir = LS_RECV },
	};
	int i;

	if (!timer)
		ls_fatal("runtime: out of memory");
	i = ls_select(cases, 2, true);
	ls_chan_free(timer);	/* stops it if it has not fired */
	return i == 0;
}

bool ls_chanmutex_is_locked(struct ls_chanmutex *m)
{
	return ls_chan_len(m->ch) == 0;
}
