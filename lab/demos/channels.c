// SPDX-License-Identifier: MIT
/*
 * channels.c - `lockstep demo channels`: an unbuffered channel's handoff
 * versus a buffered channel filling up (GO-SEMANTICS.md, section 5).
 *
 * Unbuffered ("unbuffered", no slots):
 *   1. sender sends 1: no receiver is waiting, it parks in sendq.
 *   2. receiver receives: it copies the value straight from the parked
 *      sender and wakes it.
 *   3. receiver receives again first: it parks in recvq.
 *   4. sender sends 2: straight into the parked receiver.
 *
 * Buffered ("buffered", 3 slots):
 *   5. sender sends 10, 20, 30: the slots fill, sendx moves 1, 2 and wraps
 *      to 0; qcount = 3 = cap, full.
 *   6. sender sends 40: no room, it parks in sendq.
 *   7. receiver receives: it takes 10 from slot recvx = 0, and the parked
 *      sender's 40 goes into that slot at once; recvx = sendx = 1.
 *   8. receiver drains 20, 30, 40; recvx goes round the ring too.
 */
#include <lockstep/lockstep.h>

#include "demo.h"

static struct ls_chan *unbuf, *buf;
static struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

static void send(struct ls_chan *c, int64_t v)
{
	ls_chan_send(c, &v);
}

static int64_t recv(struct ls_chan *c)
{
	int64_t v = 0;

	ls_chan_recv(c, &v);
	return v;
}

static void sender(void *arg)
{
	send(unbuf, 1);				/* parks: nobody receives yet */
	demo_step(1.5);
	DEMO_WAIT_UNTIL(ls_chan_waiters(unbuf, LS_RECV) >= 1);
	send(unbuf, 2);				/* to the parked receiver */

	for (int64_t v = 10; v <= 30; v += 10) {
		demo_step(1);
		send(buf, v);			/* into the ring */
	}
	demo_step(1);
	send(buf, 40);				/* full: parks */
}

static void receiver(void *arg)
{
	demo_step(1);
	DEMO_WAIT_UNTIL(ls_chan_waiters(unbuf, LS_SEND) >= 1);
	recv(unbuf);				/* from the parked sender */
	demo_step(1);
	recv(unbuf);				/* parks: nothing sent yet */

	demo_step(5);
	DEMO_WAIT_UNTIL(ls_chan_waiters(buf, LS_SEND) >= 1);
	recv(buf);				/* frees a slot; the sender refills it */
	for (int i = 0; i < 3; i++) {
		demo_step(1);
		recv(buf);
	}
}

int main(void)
{
	unbuf = ls_chan_make(sizeof(int64_t), 0, "unbuffered");
	buf = ls_chan_make(sizeof(int64_t), 3, "buffered");
	if (!unbuf || !buf)
		return 1;
	ls_waitgroup_go(&wg, sender, NULL, "sender");
	ls_waitgroup_go(&wg, receiver, NULL, "receiver");
	ls_waitgroup_wait(&wg);
	ls_chan_free(unbuf);
	ls_chan_free(buf);
	return 0;
}
