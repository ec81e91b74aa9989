// SPDX-License-Identifier: MIT
/*
 * chan.c - channels (Go: runtime/chan.go).
 *
 * A channel is Go's hchan: a lock, a ring buffer of dataqsiz slots of
 * elemsize bytes with a send index, a receive index and a count, a closed
 * flag, and two FIFO queues of parked goroutines (sudogs), receivers and
 * senders.  See docs/primitives/chan.md for the pictures.
 *
 * Invariants, all under the lock:
 *   - qcount > 0 implies recvq is empty (a receiver would have taken it);
 *   - qcount < dataqsiz implies sendq is empty (a sender would have put it);
 *   - so at most one of the queues is non-empty, except when one goroutine's
 *     select waits to send and to receive on the same unbuffered channel.
 *
 * Send (chansend):
 *   1. nil channel: park forever ("chan send (nil chan)").
 *   2. non-blocking and the channel is open and full: fail without locking.
 *   3. lock; closed: panic "send on closed channel".
 *   4. a receiver is parked: copy the value straight into its slot (direct
 *      handoff: the buffer, necessarily empty, is skipped), unlock, ready it.
 *   5. room in the buffer: buf[sendx] = value, sendx++ (mod dataqsiz),
 *      qcount++.
 *   6. non-blocking: unlock, fail.
 *   7. queue a sudog pointing at the value on sendq and park; the park
 *      releases the lock.  Whoever wakes us has already taken the value
 *      (success) or closed the channel (no success: panic).
 *
 * Receive (chanrecv):
 *   1. nil channel: park forever ("chan receive (nil chan)").
 *   2. non-blocking and empty: if not closed, fail without locking; if
 *      closed and still empty, return the zero value, !ok.  The order of the
 *      two loads matters: "empty, then not closed" proves the channel was
 *      open and empty at the moment of the first load, so a default taken
 *      here is correct (TestNonblockRecvRace).
 *   3. lock; closed and drained: zero value, !ok.  Closed with values left:
 *      carry on, buffered values are delivered first.
 *   4. a sender is parked (so the buffer is full or absent): unbuffered,
 *      copy straight from it; buffered, take buf[recvx] and put the sender's
 *      value in that slot, so the FIFO order holds and the buffer stays full
 *      (recvx++, sendx = recvx).  Unlock, ready the sender.
 *   5. values in the buffer: take buf[recvx], clear the slot, recvx++,
 *      qcount--.
 *   6. non-blocking: fail.  Otherwise queue on recvq and park; on wake-up,
 *      success means a sender filled our slot, no success means close did
 *      (and zeroed it).
 *
 * Close (closechan): nil: panic "close of nil channel"; closed: panic
 * "close of closed channel"; else set closed, take every receiver (zero its
 * slot, no success) and every sender (no success: it will panic) off the
 * queues, unlock, and only then ready them all.
 *
 * Nobody is readied while a channel lock is held: the waker unlocks first,
 * then calls goready (for the direct handoffs Go does the same; for close Go
 * collects a list first, as here).  A select sudog is only taken off a queue
 * if its goroutine's selectdone can be moved 0 -> 1: the first waker wins the
 * whole select and later ones skip its other sudogs (Go: waitq.dequeue).
 *
 * Deviations from Go: makechan's "size out of range" panic and its
 * element-size throw become NULL with errno EINVAL (a C constructor reports
 * errors), and elements of 64 KiB or more are refused the same way (Go
 * throws).  A NULL value pointer sends the zero value, and a NULL receive
 * buffer discards the value.  ls_chan_free replaces the garbage collector:
 * the caller guarantees nobody uses the channel any more (a channel from
 * ls_after is freed when both the caller and its timer are done with it).
 * Go's channel race annotations are not needed: the lock and the park word
 * are atomics ThreadSanitizer already sees.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hchan.h"

#define MAX_ELEM_SIZE	(1u << 16)
#define BUF_ALIGN	16

static uint64_t first8(const void *p, size_t size)
{
	uint64_t v = 0;

	if (p && size)
		memcpy(&v, p, size < sizeof(v) ? size : sizeof(v));
	return v;
}

static void elem_copy(void *dst, const void *src, size_t size)
{
	if (!dst || !size)
		return;
	if (src)
		memcpy(dst, src, size);
	else
		memset(dst, 0, size);
}

static unsigned char *chanbuf(struct ls_chan *c, size_t i)
{
	return c->buf + i * c->elemsize;
}

/* The ring index after i. */
static size_t ring_next(const struct ls_chan *c, size_t i)
{
	return i + 1 == c->dataqsiz ? 0 : i + 1;
}

static void trace_xfer(struct ls_chan *c, enum ls_dir dir, enum ls_chan_how how,
		       const void *ep)
{
	if (dir == LS_SEND)
		LS_TRACE_OBJ(chan_send, LS_OBJ_CHAN, c, how, CHAN_LOAD(c->qcount),
			     CHAN_LOAD(c->sendx), CHAN_LOAD(c->recvx),
			     first8(ep, c->elemsize));
	else
		LS_TRACE_OBJ(chan_recv, LS_OBJ_CHAN, c, how, CHAN_LOAD(c->qcount),
			     CHAN_LOAD(c->sendx), CHAN_LOAD(c->recvx),
			     first8(ep, c->elemsize));
}

/* ---- wait queues ---- */

void ls__waitq_enqueue(struct waitq *q, struct ls_sudog *sg)
{
	sg->next = NULL;
	sg->prev = q->last;
	if (q->last)
		q->last->next = sg;
	else
		CHAN_STORE(q->first, sg);
	q->last = sg;
	CHAN_STORE(q->len, q->len + 1);
}

/*
 * Take the first waiter that can still be woken.  A select sudog whose
 * goroutine was already won through another channel is dropped from the
 * queue and skipped; that goroutine will not find it in pass 3.
 */
struct ls_sudog *ls__waitq_dequeue(struct waitq *q)
{
	for (;;) {
		struct ls_sudog *sg = q->first, *y;
		uint32_t zero = 0;

		if (!sg)
			return NULL;
		y = sg->next;
		if (!y) {
			CHAN_STORE(q->first, NULL);
			q->last = NULL;
		} else {
			y->prev = NULL;
			CHAN_STORE(q->first, y);
			sg->next = NULL;
		}
		CHAN_STORE(q->len, q->len - 1);
		if (sg->is_select &&
		    !__atomic_compare_exchange_n(&sg->g->selectdone, &zero, 1, false,
						 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			continue;
		return sg;
	}
}

/* Unlink sg if it is still queued (a select's losing case, pass 3). */
void ls__waitq_remove(struct waitq *q, struct ls_sudog *sg)
{
	struct ls_sudog *x = sg->prev, *y = sg->next;

	if (x) {
		x->next = y;
		if (y)
			y->prev = x;
		else
			q->last = x;
	} else if (y) {
		y->prev = NULL;
		CHAN_STORE(q->first, y);
	} else if (q->first == sg) {
		CHAN_STORE(q->first, NULL);
		q->last = NULL;
	} else {
		return;		/* already dequeued by a waker that lost */
	}
	sg->next = sg->prev = NULL;
	CHAN_STORE(q->len, q->len - 1);
}

/* ---- making and freeing ---- */

struct ls_chan *ls_chan_make(size_t elem_size, size_t cap, const char *name)
{
	size_t hdr = (sizeof(struct ls_chan) + BUF_ALIGN - 1) & ~(size_t)(BUF_ALIGN - 1);
	size_t mem;
	struct ls_chan *c;

	if (elem_size >= MAX_ELEM_SIZE || cap > PTRDIFF_MAX ||
	    __builtin_mul_overflow(elem_size, cap, &mem) ||
	    mem > PTRDIFF_MAX - hdr) {
		errno = EINVAL;
		return NULL;
	}
	c = calloc(1, hdr + mem);
	if (!c) {
		errno = ENOMEM;
		return NULL;
	}
	c->elemsize = elem_size;
	c->dataqsiz = cap;
	c->buf = (unsigned char *)c + hdr;
	c->refs = 1;
	c->on.name = name;
	LS_TRACE_OBJ(chan_make, LS_OBJ_CHAN, c, elem_size, cap);
	return c;
}

void ls__chan_put(struct ls_chan *c)
{
	if (__atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(c);
}

void ls_chan_free(struct ls_chan *c)
{
	if (!c)
		return;
	LS_TRACE_OBJ(chan_free, LS_OBJ_CHAN, c);
	/* An ls_after channel whose timer has not fired: the timer lets go. */
	if (c->timer && ls__timer_stop(c->timer))
		ls__chan_put(c);
	ls__chan_put(c);
}

size_t ls_chan_len(const struct ls_chan *c)
{
	return c ? __atomic_load_n(&c->qcount, __ATOMIC_RELAXED) : 0;
}

size_t ls_chan_cap(const struct ls_chan *c)
{
	return c ? c->dataqsiz : 0;
}

size_t ls_chan_waiters(const struct ls_chan *c, enum ls_dir dir)
{
	if (!c)
		return 0;
	return __atomic_load_n(dir == LS_SEND ? &c->sendq.len : &c->recvq.len,
			       __ATOMIC_ACQUIRE);
}

/* ---- the steps shared with select ---- */

/* Called with c locked, by whoever completes a parked goroutine's operation. */
static void snapshot(struct ls_chan *c, struct ls_sudog *sg)
{
	struct chan_waiter *w = waiter_of(sg);

	w->qcount = c->qcount;
	w->sendx = c->sendx;
	w->recvx = c->recvx;
}

/*
 * Plain LS_TRACE, not LS_TRACE_OBJ: the channel was announced by this
 * goroutine's own CHAN_PARK or SELECT_ENQUEUE, and must not be touched now.
 */
void ls__chan_trace_woken(const struct ls_chan *c, size_t elemsize,
			  enum ls_dir dir, const struct chan_waiter *w,
			  const void *ep)
{
	enum ls_chan_how how = w->sg.success ? LS_CHAN_WOKEN : LS_CHAN_CLOSED;
	uint64_t v = w->sg.success ? first8(ep, elemsize) : 0;

	if (dir == LS_SEND)
		LS_TRACE(chan_send, c, how, w->qcount, w->sendx, w->recvx, v);
	else
		LS_TRACE(chan_recv, c, how, w->qcount, w->sendx, w->recvx, v);
}

void ls__chan_buf_put(struct ls_chan *c, const void *ep)
{
	elem_copy(chanbuf(c, c->sendx), ep, c->elemsize);
	CHAN_STORE(c->sendx, ring_next(c, c->sendx));
	CHAN_STORE(c->qcount, c->qcount + 1);
	trace_xfer(c, LS_SEND, LS_CHAN_BUFFERED, ep);
}

void ls__chan_buf_take(struct ls_chan *c, void *ep)
{
	unsigned char *qp = chanbuf(c, c->recvx);

	elem_copy(ep, qp, c->elemsize);
	CHAN_STORE(c->recvx, ring_next(c, c->recvx));
	CHAN_STORE(c->qcount, c->qcount - 1);
	trace_xfer(c, LS_RECV, LS_CHAN_BUFFERED, qp);
	if (c->elemsize)
		memset(qp, 0, c->elemsize);
}

void ls__chan_recv_closed(struct ls_chan *c, void *ep)
{
	elem_copy(ep, NULL, c->elemsize);
	trace_xfer(c, LS_RECV, LS_CHAN_CLOSED, NULL);
}

/* A receiver is parked on sg: hand it the value, unlock, ready it. */
void ls__chan_send_direct(struct ls_chan *c, struct ls_sudog *sg, const void *ep,
			  void (*unlockf)(void *), void *arg)
{
	struct ls_g *gp = sg->g;

	elem_copy(sg->elem, ep, c->elemsize);
	sg->elem = NULL;
	sg->success = true;
	gp->param = sg;
	snapshot(c, sg);
	trace_xfer(c, LS_SEND, LS_CHAN_DIRECT, ep);
	unlockf(arg);
	ls__goready(gp, c, true);
}

/*
 * A sender is parked on sg.  Unbuffered: take its value.  Buffered (and so
 * full): take the oldest value and let the sender's value take its slot.
 */
void ls__chan_recv_direct(struct ls_chan *c, struct ls_sudog *sg, void *ep,
			  void (*unlockf)(void *), void *arg)
{
	struct ls_g *gp = sg->g;

	if (c->dataqsiz == 0) {
		elem_copy(ep, sg->elem, c->elemsize);
		trace_xfer(c, LS_RECV, LS_CHAN_DIRECT, sg->elem);
	} else {
		unsigned char *qp = chanbuf(c, c->recvx);

		elem_copy(ep, qp, c->elemsize);
		trace_xfer(c, LS_RECV, LS_CHAN_BUF_REFILL, qp);
		elem_copy(qp, sg->elem, c->elemsize);
		CHAN_STORE(c->recvx, ring_next(c, c->recvx));
		CHAN_STORE(c->sendx, c->recvx);
	}
	sg->elem = NULL;
	sg->success = true;
	gp->param = sg;
	snapshot(c, sg);
	unlockf(arg);
	ls__goready(gp, c, true);
}

/* ---- send ---- */

/* Go's full(): would a send block right now?  Read without the lock. */
static bool chan_full(struct ls_chan *c)
{
	if (c->dataqsiz == 0)
		return CHAN_LOAD(c->recvq.first) == NULL;
	return CHAN_LOAD(c->qcount) == c->dataqsiz;
}

static void park_forever(enum ls_wait_reason reason)
{
	ls__gopark(NULL, NULL, reason, LS_OBJ_CHAN, NULL, NULL);
	ls__die(0, "unreachable");
}

/*
 * Called with c->lock held: queue on sendq and park until a receiver takes
 * the value (or close wakes us).  Out of line so that the waiter record
 * (and its zeroing) costs nothing on the paths that do not block.
 */
static __attribute__((noinline)) void chansend_park(struct ls_chan *c, const void *ep)
{
	struct chan_waiter me = { 0 };
	struct ls_sudog *mysg = &me.sg;
	struct ls_g *gp = ls__getg();
	size_t elemsize = c->elemsize;	/* c is not touched once we are woken */

	mysg->g = gp;
	mysg->addr = c;
	mysg->elem = (void *)ep;
	gp->param = NULL;
	ls__waitq_enqueue(&c->sendq, mysg);
	LS_TRACE_OBJ(chan_park, LS_OBJ_CHAN, c, 0, c->qcount, c->sendq.len,
		     c->recvq.len, first8(ep, c->elemsize));
	ls__gopark(ls__unlock_cb, &c->lock, LS_WAIT_CHAN_SEND, LS_OBJ_CHAN, c,
		   c->on.name);
	gp->param = NULL;
	/*
	 * Not woken with success: only close does that.  Decide from our own
	 * sudog, as Go does: c may already be freed by whoever closed it.
	 */
	if (!mysg->success)
		ls__die(1, "send on closed channel");
	ls__chan_trace_woken(c, elemsize, LS_SEND, &me, ep);
}

static bool chansend(struct ls_chan *c, const void *ep, bool block)
{
	struct ls_sudog *sg;

	/* Steps 1 and 2 for a non-blocking send are ls_chan_trysend's. */
	if (!c)
		park_forever(LS_WAIT_CHAN_SEND_NIL);

	ls__lock(&c->lock);
	if (c->closed) {
		ls__unlock(&c->lock);
		ls__die(1, "send on closed channel");
	}
	sg = ls__waitq_dequeue(&c->recvq);
	if (sg) {
		ls__chan_send_direct(c, sg, ep, ls__unlock_cb, &c->lock);
		return true;
	}
	if (c->qcount < c->dataqsiz) {
		ls__chan_buf_put(c, ep);
		ls__unlock(&c->lock);
		return true;
	}
	if (!block) {
		ls__unlock(&c->lock);
		return false;
	}
	chansend_park(c, ep);
	return true;
}

void ls_chan_send(struct ls_chan *c, const void *elem)
{
	chansend(c, elem, true);
}

bool ls_chan_trysend(struct ls_chan *c, const void *elem)
{
	/* Steps 1 and 2 (selectnbsend): fail without locking. */
	if (!c || (!CHAN_LOAD(c->closed) && chan_full(c)))
		return false;
	return chansend(c, elem, false);
}

/* ---- receive ---- */

/* Go's empty(): would a receive block right now?  Read without the lock. */
static bool chan_empty(struct ls_chan *c)
{
	if (c->dataqsiz == 0)
		return CHAN_LOAD(c->sendq.first) == NULL;
	return CHAN_LOAD(c->qcount) == 0;
}

enum { RECV_NONE = -1, RECV_CLOSED = 0, RECV_OK = 1 };

/* Called with c->lock held: queue on recvq and park (see chansend_park). */
static __attribute__((noinline)) int chanrecv_park(struct ls_chan *c, void *ep)
{
	struct chan_waiter me = { 0 };
	struct ls_sudog *mysg = &me.sg;
	struct ls_g *gp = ls__getg();
	size_t elemsize = c->elemsize;	/* c is not touched once we are woken */

	mysg->g = gp;
	mysg->addr = c;
	mysg->elem = ep;
	gp->param = NULL;
	ls__waitq_enqueue(&c->recvq, mysg);
	LS_TRACE_OBJ(chan_park, LS_OBJ_CHAN, c, 1, c->qcount, c->sendq.len,
		     c->recvq.len, 0);
	ls__gopark(ls__unlock_cb, &c->lock, LS_WAIT_CHAN_RECV, LS_OBJ_CHAN, c,
		   c->on.name);
	gp->param = NULL;
	ls__chan_trace_woken(c, elemsize, LS_RECV, &me, ep);
	return mysg->success ? RECV_OK : RECV_CLOSED;
}

static int chanrecv(struct ls_chan *c, void *ep, bool block)
{
	struct ls_sudog *sg;

	/* Steps 1 and 2 for a non-blocking receive are ls_chan_tryrecv's. */
	if (!c)
		park_forever(LS_WAIT_CHAN_RECV_NIL);

	ls__lock(&c->lock);
	if (c->closed && c->qcount == 0) {
		ls__chan_recv_closed(c, ep);
		ls__unlock(&c->lock);
		return RECV_CLOSED;
	}
	sg = ls__waitq_dequeue(&c->sendq);
	if (sg) {
		ls__chan_recv_direct(c, sg, ep, ls__unlock_cb, &c->lock);
		return RECV_OK;
	}
	if (c->qcount > 0) {
		ls__chan_buf_take(c, ep);
		ls__unlock(&c->lock);
		return RECV_OK;
	}
	if (!block) {
		ls__unlock(&c->lock);
		return RECV_NONE;
	}
	return chanrecv_park(c, ep);
}

bool ls_chan_recv(struct ls_chan *c, void *elem)
{
	return chanrecv(c, elem, true) == RECV_OK;
}

bool ls_chan_tryrecv(struct ls_chan *c, void *elem, bool *ok)
{
	int r;

	/* Steps 1 and 2 (selectnbrecv): empty is decided without locking. */
	if (!c)
		return false;
	if (chan_empty(c)) {
		if (!CHAN_LOAD(c->closed))
			return false;
		/* Closed: it may have been filled and closed after the first look. */
		if (chan_empty(c)) {
			ls__chan_recv_closed(c, elem);
			if (ok)
				*ok = false;
			return true;
		}
	}
	r = chanrecv(c, elem, false);
	if (ok)
		*ok = r == RECV_OK;
	return r != RECV_NONE;
}

/* ---- close ---- */

void ls_chan_close(struct ls_chan *c)
{
	struct ls_sudog *sg, *glist = NULL, **tail = &glist;
	int nrecv = 0, nsend = 0;

	if (!c)
		ls__die(1, "close of nil channel");
	ls__lock(&c->lock);
	if (c->closed) {
		ls__unlock(&c->lock);
		ls__die(1, "close of closed channel");
	}
	CHAN_STORE(c->closed, 1);

	/* Every receiver gets the zero value and !ok. */
	while ((sg = ls__waitq_dequeue(&c->recvq))) {
		elem_copy(sg->elem, NULL, c->elemsize);
		sg->elem = NULL;
		sg->success = false;
		sg->g->param = sg;
		snapshot(c, sg);
		*tail = sg;
		tail = &sg->next;
		nrecv++;
	}
	/* Every sender wakes without success, and panics. */
	while ((sg = ls__waitq_dequeue(&c->sendq))) {
		sg->elem = NULL;
		sg->success = false;
		sg->g->param = sg;
		*tail = sg;
		tail = &sg->next;
		nsend++;
	}
	LS_TRACE_OBJ(chan_close, LS_OBJ_CHAN, c, nrecv, nsend, c->qcount);
	ls__unlock(&c->lock);

	/* Ready them with the lock dropped.  Read next before each wake-up:
	 * the sudog lives on a stack that may be gone right after. */
	while (glist) {
		sg = glist;
		glist = sg->next;
		sg->next = NULL;
		ls__goready(sg->g, c, false);
	}
}
