// SPDX-License-Identifier: MIT
/*
 * after.c - ls_after, Go's time.After (src/time/sleep.go: NewTimer,
 * sendTime; the timer itself is runtime/timer.c).
 *
 * ls_after(ns) makes a channel of int64_t with capacity 1 and arms a runtime
 * timer for now + ns.  When the timer fires, its callback, running on the
 * timer thread, does what Go's sendTime does: a non-blocking send of the
 * current time (ls_now()).  The capacity of 1 is what makes non-blocking
 * enough: the single value always fits, whether or not anybody is receiving
 * yet.  A goroutine parked on the channel is readied by that send; until
 * then the pending timer keeps the all-asleep check quiet, as in Go.
 *
 * Ownership.  Go's garbage collector keeps the channel alive for the timer;
 * here the channel carries two references: the caller's and the pending
 * timer's.  The callback drops the timer's reference after its send;
 * ls_chan_free drops the caller's and, if it manages to stop a timer that
 * has not fired yet, the timer's too.  Whoever drops the last one frees the
 * channel, so freeing an unfired ls_after channel (the other case of a select
 * won) is safe at any moment.
 */
#include <errno.h>
#include <stdint.h>

#include "hchan.h"

static void send_time(void *arg)
{
	struct ls_chan *c = arg;
	int64_t now = ls_now();

	ls_chan_trysend(c, &now);
	ls__chan_put(c);
}

struct ls_chan *ls_after(int64_t ns)
{
	struct ls_chan *c = ls_chan_make(sizeof(int64_t), 1, "time.After");
	int64_t now = ls_now(), when;
	int err;

	if (!c)
		return NULL;
	if (ns < 0)
		ns = 0;
	when = ns > INT64_MAX - now ? INT64_MAX : now + ns;
	c->refs = 2;
	c->timer = ls__timer_add(when, send_time, c);
	if (!c->timer) {
		err = errno;
		c->refs = 1;
		ls_chan_free(c);
		errno = err;
		return NULL;
	}
	return c;
}
