// SPDX-License-Identifier: MIT
/*
 * select.c - select (Go: runtime/select.go, selectgo).
 *
 * ls_select(cases, n, block) is Go's selectgo, in three passes:
 *
 *   0. Orders.  Cases on a nil channel are dropped.  The poll order is a
 *      uniformly random permutation of the rest (an inside-out Fisher-Yates
 *      shuffle from a cheap per-thread generator): that is what makes the
 *      choice among several ready cases fair.  The lock order is the same
 *      cases heap-sorted by channel address; every channel is locked once,
 *      in that order, whatever the order of the cases, so two selects on the
 *      same channels can never deadlock on their locks.
 *
 *   1. With every channel locked, look at the cases in poll order; the first
 *      that can proceed wins.  Receive: a parked sender, then a buffered
 *      value, then closed (zero value, ok = false).  Send: closed panics
 *      "send on closed channel", then a parked receiver, then buffer space.
 *      The transfer is chan.c's, and the channels are unlocked before any
 *      goroutine is readied.
 *
 *      Nothing ready and !block: unlock, return -1 (the default case).
 *
 *   2. Queue one sudog per case (is_select, chained on g->waiting in lock
 *      order) on its channel's sendq or recvq, then park; the park unlocks
 *      every channel.  Any channel can now wake us: its sender, receiver or
 *      close takes our sudog off its queue only if it moves our selectdone
 *      from 0 to 1.  The first one does; it completes the transfer, stores
 *      the winning sudog in g->param and readies us.  Later ones find the CAS
 *      failing and skip our sudogs.
 *
 *   3. Awake: lock everything again, reset selectdone, and take the losing
 *      sudogs off their queues (some may already be gone, dropped by a waker
 *      that lost the CAS).  Holding every lock is what makes it safe: no
 *      waker is still looking at our sudogs, which live on this stack.  A
 *      send case won by close panics; a receive case reports ok.
 *
 * ls_select(_, 0, true) is Go's `select {}`: park forever, "select (no
 * cases)".  A select whose cases are all on nil channels parks forever too,
 * as "select".  Go's compiler lowers a one-case select to a plain channel
 * operation and a one-case-plus-default select to a non-blocking one; we run
 * every select through selectgo, which behaves the same.
 *
 * Deviations from Go: the cases come in the caller's order, sends and
 * receives mixed (Go's compiler puts the sends first; nothing depends on it);
 * the sudogs live on this stack (or in one allocation for more than
 * SMALL_SELECT cases) instead of the sudog cache.
 */
#include <stdlib.h>
#include <string.h>

#include "hchan.h"

#define SMALL_SELECT	8

struct selstate {
	struct ls_case	*cases;
	int		*lockorder;
	int		norder;
};

/* ---- cheap per-thread random numbers (wyrand, like Go's cheaprand) ---- */

static __thread uint64_t rand_state;

static uint32_t cheaprand(void)
{
	__uint128_t m;

	if (__builtin_expect(rand_state == 0, 0))
		rand_state = (uint64_t)ls_now() ^ ((uint64_t)ls__gettid() << 32) ^
			     (uint64_t)(uintptr_t)&rand_state;
	rand_state += 0xa0761d6478bd642full;
	m = (__uint128_t)rand_state * (rand_state ^ 0xe7037ed1a0b428dbull);
	return (uint32_t)((uint64_t)(m >> 64) ^ (uint64_t)m);
}

/* Uniform in [0, n), by multiply-shift (Lemire). */
static uint32_t cheaprandn(uint32_t n)
{
	return (uint32_t)(((uint64_t)cheaprand() * n) >> 32);
}

/* ---- lock order ---- */

static uintptr_t chan_key(const struct selstate *st, int i)
{
	return (uintptr_t)st->cases[st->lockorder[i]].ch;
}

static void sift_down(struct selstate *st, int i, int n)
{
	int v = st->lockorder[i];
	uintptr_t key = (uintptr_t)st->cases[v].ch;

	for (;;) {
		int k = 2 * i + 1;

		if (k >= n)
			break;
		if (k + 1 < n && chan_key(st, k) < chan_key(st, k + 1))
			k++;
		if (key >= chan_key(st, k))
			break;
		st->lockorder[i] = st->lockorder[k];
		i = k;
	}
	st->lockorder[i] = v;
}

/* Heap sort by channel address, as selectgo does (no allocation). */
static void sort_lockorder(struct selstate *st)
{
	int n = st->norder;

	for (int i = n / 2 - 1; i >= 0; i--)
		sift_down(st, i, n);
	for (int i = n - 1; i > 0; i--) {
		int t = st->lockorder[0];

		st->lockorder[0] = st->lockorder[i];
		st->lockorder[i] = t;
		sift_down(st, 0, i);
	}
}

static void sellock(struct selstate *st)
{
	struct ls_chan *prev = NULL;

	for (int i = 0; i < st->norder; i++) {
		struct ls_chan *c = st->cases[st->lockorder[i]].ch;

		if (c != prev)
			ls__lock(&c->lock);
		prev = c;
	}
}

static void selunlock(struct selstate *st)
{
	for (int i = st->norder - 1; i >= 0; i--) {
		struct ls_chan *c = st->cases[st->lockorder[i]].ch;

		if (i > 0 && c == st->cases[st->lockorder[i - 1]].ch)
			continue;	/* unlocked at the next step */
		ls__unlock(&c->lock);
	}
}

static void selunlock_cb(void *arg)
{
	selunlock(arg);
}

/* ---- pass 1 ---- */

/* Try case i with everything locked; true if it fired (channels unlocked). */
static bool try_case(struct selstate *st, int i)
{
	struct ls_case *cas = &st->cases[i];
	struct ls_chan *c = cas->ch;
	struct ls_sudog *sg;

	if (cas->dir == LS_RECV) {
		sg = ls__waitq_dequeue(&c->sendq);
		if (sg) {
			cas->ok = true;
			LS_TRACE_OBJ(select_chosen, LS_OBJ_CHAN, c, i, 1, 0);
			ls__chan_recv_direct(c, sg, cas->elem, selunlock_cb, st);
			return true;
		}
		if (c->qcount > 0) {
			cas->ok = true;
			LS_TRACE_OBJ(select_chosen, LS_OBJ_CHAN, c, i, 1, 0);
			ls__chan_buf_take(c, cas->elem);
		} else if (c->closed) {
			cas->ok = false;
			LS_TRACE_OBJ(select_chosen, LS_OBJ_CHAN, c, i, 1, 0);
			ls__chan_recv_closed(c, cas->elem);
		} else {
			return false;
		}
		selunlock(st);
		return true;
	}

	if (c->closed) {
		selunlock(st);
		ls__die(1, "send on closed channel");
	}
	sg = ls__waitq_dequeue(&c->recvq);
	if (sg) {
		LS_TRACE_OBJ(select_chosen, LS_OBJ_CHAN, c, i, 0, 0);
		ls__chan_send_direct(c, sg, cas->elem, selunlock_cb, st);
		return true;
	}
	if (c->qcount < c->dataqsiz) {
		LS_TRACE_OBJ(select_chosen, LS_OBJ_CHAN, c, i, 0, 0);
		ls__chan_buf_put(c, cas->elem);
		selunlock(st);
		return true;
	}
	return false;
}

/* ---- passes 2 and 3 ---- */

static int park_and_wait(struct selstate *st, struct chan_waiter *ws)
{
	struct ls_g *gp = ls__getg();
	struct ls_sudog **nextp = &gp->waiting, *won, *sg;
	struct ls_case *cas;
	int casi = -1;
	bool success = false;

	if (gp->waiting)
		ls__die(0, "gp.waiting != nil");
	for (int k = 0; k < st->norder; k++) {
		int i = st->lockorder[k];
		struct ls_chan *c;

		cas = &st->cases[i];
		c = cas->ch;
		memset(&ws[k], 0, sizeof(ws[k]));
		sg = &ws[k].sg;
		sg->g = gp;
		sg->addr = c;
		sg->elem = cas->elem;
		sg->is_select = true;
		sg->case_index = i;
		*nextp = sg;
		nextp = &sg->waitlink;
		ls__waitq_enqueue(cas->dir == LS_SEND ? &c->sendq : &c->recvq, sg);
		LS_TRACE_OBJ(select_enqueue, LS_OBJ_CHAN, c, i, cas->dir == LS_RECV);
	}
	gp->param = NULL;
	ls__gopark(selunlock_cb, st, LS_WAIT_SELECT, LS_OBJ_NONE, NULL, NULL);

	sellock(st);
	__atomic_store_n(&gp->selectdone, 0, __ATOMIC_RELEASE);
	won = gp->param;
	gp->param = NULL;

	/* Pass 3: off every queue but the winner's, unchaining as we go. */
	for (sg = gp->waiting; sg; ) {
		struct ls_sudog *next = sg->waitlink;
		struct ls_chan *c;

		cas = &st->cases[sg->case_index];
		c = cas->ch;
		if (sg == won) {
			casi = sg->case_index;
			success = sg->success;
		} else {
			ls__waitq_remove(cas->dir == LS_SEND ? &c->sendq : &c->recvq, sg);
		}
		sg->waitlink = NULL;
		sg = next;
	}
	gp->waiting = NULL;
	if (casi < 0)
		ls__die(0, "selectgo: bad wakeup");

	cas = &st->cases[casi];
	if (cas->dir == LS_SEND && !success) {
		selunlock(st);
		ls__die(1, "send on closed channel");
	}
	if (cas->dir == LS_RECV)
		cas->ok = success;
	LS_TRACE_OBJ(select_chosen, LS_OBJ_CHAN, cas->ch, casi, cas->dir == LS_RECV, 1);
	ls__chan_trace_woken(cas->ch, cas->ch->elemsize, cas->dir, waiter_of(won),
			     cas->elem);
	selunlock(st);
	return casi;
}

static int selectgo(struct ls_case *cases, int ncases, bool block,
		    int *pollorder, int *lockorder, struct chan_waiter *ws)
{
	struct selstate st = { .cases = cases, .lockorder = lockorder };
	int norder = 0;

	for (int i = 0; i < ncases; i++) {
		uint32_t j;

		if (cases[i].dir != LS_SEND && cases[i].dir != LS_RECV)
			ls__die(1, "select: bad case direction");
		if (!cases[i].ch)
			continue;
		j = cheaprandn((uint32_t)norder + 1);
		pollorder[norder] = pollorder[j];
		pollorder[j] = i;
		norder++;
	}
	LS_TRACE(select_begin, cases, ncases, block, norder);
	memcpy(lockorder, pollorder, (size_t)norder * sizeof(*lockorder));
	st.norder = norder;
	sort_lockorder(&st);

	sellock(&st);
	for (int k = 0; k < norder; k++)
		if (try_case(&st, pollorder[k]))
			return pollorder[k];
	if (!block) {
		selunlock(&st);
		LS_TRACE(select_chosen, 0, -1, 0, 0);
		return -1;
	}
	return park_and_wait(&st, ws);
}

int ls_select(struct ls_case *cases, int ncases, bool block)
{
	int po_small[SMALL_SELECT], lo_small[SMALL_SELECT];
	struct chan_waiter ws_small[SMALL_SELECT];
	int *po = po_small, *lo = lo_small;
	struct chan_waiter *ws = ws_small;
	void *mem = NULL;
	int r;

	if (ncases < 0 || (ncases > 0 && !cases))
		ls__die(1, "select: bad case list");
	if (ncases == 0) {
		if (!block) {
			LS_TRACE(select_chosen, 0, -1, 0, 0);
			return -1;
		}
		ls__gopark(NULL, NULL, LS_WAIT_SELECT_NO_CASES, LS_OBJ_NONE, NULL, NULL);
		ls__die(0, "unreachable");
	}
	if (ncases > SMALL_SELECT) {
		size_t n = (size_t)ncases;

		mem = malloc(n * (2 * sizeof(int) + sizeof(struct chan_waiter)));
		if (!mem)
			ls__die(0, "select: out of memory");
		ws = mem;
		po = (int *)(ws + n);
		lo = po + n;
	}
	r = selectgo(cases, ncases, block, po, lo, ws);
	free(mem);
	return r;
}
