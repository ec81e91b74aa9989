// SPDX-License-Identifier: MIT
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
 * Solution: three slots for six lines.  The first three sends fill the
 * buffer, the fourth parks (CHAN_PARK, qcount 3 of 3) until the shipper's
 * first receive takes line 1 and refills the slot with line 4.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define BUFFER	3
#define LINES	6

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
	int64_t t0 = ls_now(), blocked;

	lines = ls_chan_make(sizeof(int64_t), BUFFER, "log lines");
	ls_waitgroup_go(&wg, shipper, NULL, "shipper");
	for (int64_t i = 1; i <= LINES; i++)
		ls_chan_send(lines, &i);
	blocked = ls_now() - t0;
	ls_chan_close(lines);
	ls_waitgroup_wait(&wg);
	ls_chan_free(lines);
	printf("main: logging took %.1f ms\n", blocked / 1e6);
	if (shipped != LINES || blocked < 10 * LS_MSEC) {
		fprintf(stderr, "FAIL: the logger never waited for the shipper\n");
		return 1;
	}
	return 0;
}
