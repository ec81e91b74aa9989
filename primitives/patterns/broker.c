// SPDX-License-Identifier: MIT
/*
 * broker.c - the pub/sub broker of the course notes (seed 001,
 * "发布订阅模式": one channel per subscriber, guarded by an RWMutex).
 *
 * State: the list of subscriber channels, under an RWMutex.
 *
 *   Subscribe(cap):  make a channel of capacity cap; Lock; append; Unlock.
 *   Publish(m):      RLock (publishers do not exclude each other, only
 *                    changes to the list); for each channel, a non-blocking
 *                    send (select with default): a full channel ends the
 *                    publish with an error at once rather than blocking every
 *                    publisher behind one slow consumer; RUnlock.
 *   Unsubscribe(ch): Lock; remove; Unlock; close(ch).
 *   Close():         Lock; take the list and set it to nil; Unlock; close
 *                    every channel.  Setting the list to nil under the lock
 *                    is what makes a second Close harmless: it finds nothing
 *                    to close (the notes point this out).
 *
 * Channels are closed outside the lock, and only after they left the list,
 * so no publisher can send on a closed channel.
 *
 * Events: BROKER_SUB (subscribers after, capacity; when one leaves, by
 * Unsubscribe or Close, a0 is ~subscribers after, which is negative),
 * BROKER_PUB (subscribers, delivered, 1 if a full subscriber stopped it).
 *
 * Deviations from the notes: messages are byte blobs copied by value (the
 * notes' Msg struct, passed by value for the same reason); a `closed` flag
 * makes Subscribe and Publish after Close fail with -ESHUTDOWN instead of
 * silently subscribing to a dead broker; Unsubscribe is added (the notes
 * have none, so a consumer could never leave).
 */
#include <errno.h>
#include <stdlib.h>

#include <lockstep/broker.h>
#include <lockstep/chan.h>
#include <lockstep/sync.h>
#include "../trace.h"

/* mu is not first: its own events must not share the broker's address */
struct ls_broker {
	struct ls_chan		**chans;
	struct ls_rwmutex	mu;
	size_t			n, cap;
	size_t			msg_size;
	bool			closed;
	struct ls_objname	on;
};

#define BROKER_TRACE(ev, b, ...) LS_TRACE_OBJ(ev, LS_OBJ_BROKER, (b), __VA_ARGS__)

/* BROKER_SUB's a0 for a departure: ~subscribers after, always < 0. */
static inline int64_t left(size_t after)
{
	return ~(int64_t)after;
}

struct ls_broker *ls_broker_new(size_t msg_size, const char *name)
{
	struct ls_broker *b;

	if (!msg_size) {
		errno = EINVAL;
		return NULL;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		errno = ENOMEM;
		return NULL;
	}
	ls_rwmutex_init(&b->mu, name);
	b->msg_size = msg_size;
	b->on.name = name;
	return b;
}

struct ls_chan *ls_broker_subscribe(struct ls_broker *b, size_t cap)
{
	struct ls_chan *ch = ls_chan_make(b->msg_size, cap, b->on.name);

	if (!ch)
		return NULL;
	ls_rwmutex_lock(&b->mu);
	if (b->closed) {
		ls_rwmutex_unlock(&b->mu);
		ls_chan_free(ch);
		errno = ESHUTDOWN;
		return NULL;
	}
	if (b->n == b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 4;
		struct ls_chan **p = realloc(b->chans, ncap * sizeof(*p));

		if (!p) {
			ls_rwmutex_unlock(&b->mu);
			ls_chan_free(ch);
			errno = ENOMEM;
			return NULL;
		}
		b->chans = p;
		b->cap = ncap;
	}
	b->chans[b->n++] = ch;
	BROKER_TRACE(broker_sub, b, b->n, cap);
	ls_rwmutex_unlock(&b->mu);
	return ch;
}

int ls_broker_unsubscribe(struct ls_broker *b, struct ls_chan *ch)
{
	size_t i;

	ls_rwmutex_lock(&b->mu);
	for (i = 0; i < b->n && b->chans[i] != ch; i++)
		;
	if (i == b->n) {
		ls_rwmutex_unlock(&b->mu);
		return -ENOENT;
	}
	b->chans[i] = b->chans[--b->n];
	BROKER_TRACE(broker_sub, b, left(b->n), ls_chan_cap(ch));
	ls_rwmutex_unlock(&b->mu);
	ls_chan_close(ch);
	return 0;
}

int ls_broker_publish(struct ls_broker *b, const void *msg)
{
	size_t delivered = 0, n;
	int err = 0;

	ls_rwmutex_rlock(&b->mu);
	n = b->n;
	if (b->closed) {
		err = -ESHUTDOWN;
	} else {
		for (size_t i = 0; i < n; i++) {
			if (!ls_chan_trysend(b->chans[i], msg)) {
				err = -EAGAIN;	/* "消息队列已满": queue full */
				break;
			}
			delivered++;
		}
	}
	BROKER_TRACE(broker_pub, b, n, delivered, err == -EAGAIN);
	ls_rwmutex_runlock(&b->mu);
	return err;
}

void ls_broker_close(struct ls_broker *b)
{
	struct ls_chan **chans;
	size_t n;

	ls_rwmutex_lock(&b->mu);
	chans = b->chans;
	n = b->n;
	b->chans = NULL;
	b->n = b->cap = 0;
	b->closed = true;
	for (size_t i = n; i-- > 0;)
		BROKER_TRACE(broker_sub, b, left(i), ls_chan_cap(chans[i]));
	ls_rwmutex_unlock(&b->mu);
	for (size_t i = 0; i < n; i++)
		ls_chan_close(chans[i]);
	free(chans);
}

void ls_broker_free(struct ls_broker *b)
{
	if (!b)
		return;
	ls_broker_close(b);
	free(b);
}
