// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       13-channel/fill-buffer
 * chapter:  13
 * lesson:   13-channel
 * title:    Fill the buffer so that the sender parks
 * kind:     make
 * goal:     chan-sender-parks-full
 * achieve:  Make the logger block on a full buffer while the shipper is
 *           still busy, and watch the parked value move into the buffer.
 * hint:     A send on a buffered channel blocks only when the buffer is full
 *           (qcount == cap).
 * hint:     The shipper takes 50 ms before it reads anything: everything
 *           logged until then has to fit in the buffer.
 * hint:     Log more lines than the buffer holds, or give it less room.
 */
/*
 * The logger (main) hands log lines to a shipper goroutine through a
 * buffered channel.  The shipper is slow to start (the network).
 *
 * Watch CHAN_SEND/CHAN_RECV with their qcount, sendx and recvx: the buffer
 * is a ring.  When a sender finds it full it parks (CHAN_PARK); the
 * receive that makes room takes the oldest value and moves the parked
 * sender's value straight into the freed slot (how=refill).
 *
 * As written, the buffer never fills.  Change the numbers so it does.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define BUFFER	8
#define LINES	5

static struct ls_chan *lines;
static int64_t shipped;

static void shipper(void *arg)
{
	int64_t line;

	ls_sleep(50 * LS_MSEC);			/* connecting */
	while (ls_chan_recv(lines, &line))
		shipped++;
	printf("shipper: %lld line(s) shipped\n", (long long)shipped);
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	lines = ls_chan_make(sizeof(int64_t), BUFFER, "log lines");
	ls_waitgroup_go(&wg, shipper, NULL, "shipper");
	for (int64_t i = 1; i <= LINES; i++)
		ls_chan_send(lines, &i);
	ls_chan_close(lines);
	ls_waitgroup_wait(&wg);
	ls_chan_free(lines);
	return 0;
}
