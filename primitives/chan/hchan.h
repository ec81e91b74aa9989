/* SPDX-License-Identifier: MIT */
/*
 * hchan.h (internal) - the channel structure and the pieces of chan.c that
 * select.c and after.c share (Go: the hchan and waitq of runtime/chan.go).
 *
 * Everything in struct ls_chan is guarded by its lock, a runtime lock.  A few
 * fields are also read without it, by the non-blocking fast paths and by the
 * events a woken goroutine emits; those are written with atomic stores (under
 * the lock) and read with atomic loads: closed, qcount, sendx, recvx and the
 * two queue heads.
 */
#ifndef LS_PRIV_HCHAN_H
#define LS_PRIV_HCHAN_H

#include <stddef.h>
#include <stdint.h>

#include <lockstep/chan.h>
#include "../runtime/runtime.h"
#include "../trace.h"

/* A FIFO of parked goroutines (sudogs on their own stacks). */
struct waitq {
	struct ls_sudog	*first, *last;
	uint32_t	len;		/* for the events only */
};

struct ls_chan {
	uint32_t	lock;
	uint32_t	closed;
	size_t		qcount;		/* values in the ring */
	size_t		dataqsiz;	/* capacity, immutable */
	size_t		elemsize;	/* immutable, < 64 KiB, may be 0 */
	size_t		sendx;		/* ring index of the next send */
	size_t		recvx;		/* ring index of the next receive */
	struct waitq	recvq;		/* parked receivers */
	struct waitq	sendq;		/* parked senders */
	uint32_t	refs;		/* 1; 2 while ls_after's timer holds it */
	uint64_t	timer;		/* ls_after: the timer feeding it */
	struct ls_objname on;
	unsigned char	*buf;		/* dataqsiz * elemsize bytes, after us */
};

/*
 * Every sudog a channel queues is the first member of one of these, on the
 * waiter's stack.  Whoever completes the waiter's operation records the
 * channel's indices in it, so the woken goroutine can report them without
 * touching the channel again (its peer may already have freed it).
 */
struct chan_waiter {
	struct ls_sudog	sg;
	size_t		qcount, sendx, recvx;
};

static inline struct chan_waiter *waiter_of(struct ls_sudog *sg)
{
	return (struct chan_waiter *)sg;
}

#define CHAN_LOAD(f)		__atomic_load_n(&(f), __ATOMIC_ACQUIRE)
#define CHAN_STORE(f, v)	__atomic_store_n(&(f), (v), __ATOMIC_RELEASE)

/* Queues (Go: waitq.enqueue, dequeue, dequeueSudoG). */
LS_HIDDEN void ls__waitq_enqueue(struct waitq *q, struct ls_sudog *sg);
LS_HIDDEN struct ls_sudog *ls__waitq_dequeue(struct waitq *q);
LS_HIDDEN void ls__waitq_remove(struct waitq *q, struct ls_sudog *sg);

/*
 * The steps of chansend/chanrecv that select reuses.  Called with c locked.
 * The direct ones call unlockf(arg) (which must release c's lock, and may
 * release others) before readying the peer; the buffer ones leave c locked.
 */
LS_HIDDEN void ls__chan_send_direct(struct ls_chan *c, struct ls_sudog *sg,
				    const void *ep, void (*unlockf)(void *),
				    void *arg);
LS_HIDDEN void ls__chan_recv_direct(struct ls_chan *c, struct ls_sudog *sg,
				    void *ep, void (*unlockf)(void *), void *arg);
LS_HIDDEN void ls__chan_buf_put(struct ls_chan *c, const void *ep);
LS_HIDDEN void ls__chan_buf_take(struct ls_chan *c, void *ep);
LS_HIDDEN void ls__chan_recv_closed(struct ls_chan *c, void *ep);

/*
 * The event a woken sender/receiver emits (WOKEN, or CLOSED for a receiver
 * woken by close), from its waiter's snapshot: c is not dereferenced.
 */
LS_HIDDEN void ls__chan_trace_woken(const struct ls_chan *c, size_t elemsize,
				    enum ls_dir dir, const struct chan_waiter *w,
				    const void *ep);

/* Drop one reference; the last one frees the channel. */
LS_HIDDEN void ls__chan_put(struct ls_chan *c);

#endif /* LS_PRIV_HCHAN_H */
