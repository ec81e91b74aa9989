/* SPDX-License-Identifier: MIT */
/*
 * broker.h - an in-process publish/subscribe broker (the course notes'
 * Broker: one channel per subscriber).
 *
 * Messages are fixed-size values of msg_size bytes, copied into every
 * subscriber's channel, so one consumer changing its copy never affects
 * another.  Subscribe returns a new channel with the capacity the
 * subscriber asks for; the subscriber receives from it.  Publish never
 * blocks: it fails fast with -EAGAIN at the first subscriber whose channel
 * is full (the subscribers before it have the message, those after it do
 * not).  Unsubscribe and Close close the subscribers' channels; a
 * subscriber drains its channel until it reports closed, then frees it
 * with ls_chan_free: after Unsubscribe or Close the channel is its own.
 */
#ifndef LOCKSTEP_BROKER_H
#define LOCKSTEP_BROKER_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ls_chan;
struct ls_broker;

/* NULL with errno EINVAL (msg_size 0) or ENOMEM. */
struct ls_broker *ls_broker_new(size_t msg_size, const char *name);
/* A channel of msg_size elements, capacity cap; NULL with errno
 * ESHUTDOWN after Close, or ENOMEM. */
struct ls_chan *ls_broker_subscribe(struct ls_broker *b, size_t cap);
/* Stop delivering to ch and close it: 0, or -ENOENT if not subscribed. */
int	ls_broker_unsubscribe(struct ls_broker *b, struct ls_chan *ch);
/* 0, -EAGAIN when a subscriber is full, -ESHUTDOWN after Close. */
int	ls_broker_publish(struct ls_broker *b, const void *msg);
/* Close every subscriber's channel; later calls do nothing. */
void	ls_broker_close(struct ls_broker *b);
/* Close if needed and free the broker (not the subscribers' channels). */
void	ls_broker_free(struct ls_broker *b);

#ifdef __cplusplus
}
#endif
#endif /* LOCKSTEP_BROKER_H */
