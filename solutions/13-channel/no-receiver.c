// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       13-channel/no-receiver
 * chapter:  13
 * lesson:   13-channel
 * title:    Sending on an unbuffered channel that nobody reads yet
 * kind:     fix
 * verdict:  deadlock
 * achieve:  Deliver both results without any goroutine blocking forever.
 * hint:     An unbuffered send completes only when a receiver takes the value
 *           at the same moment.  Who receives while main is sending?
 * hint:     main receives, but only after it has finished sending, which it
 *           never does.
 * hint:     Either give the channel room for the results (capacity 2), or
 *           send from a separate goroutine while main receives.
 */
/*
 * Solution: the channel is given room for both results, so each send
 * completes at once into the buffer (CHAN_SEND how=buffered) and the later
 * receives take them out in FIFO order.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

int main(void)
{
	struct ls_chan *results = ls_chan_make(sizeof(int64_t), 2, "results");
	int64_t a = 6 * 7, b = 6 * 9, x, y;

	ls_chan_send(results, &a);
	ls_chan_send(results, &b);
	printf("results sent\n");

	ls_chan_recv(results, &x);
	ls_chan_recv(results, &y);
	printf("collected %lld and %lld\n", (long long)x, (long long)y);
	ls_chan_free(results);
	if (x != 42 || y != 54) {
		fprintf(stderr, "FAIL: wrong results\n");
		return 1;
	}
	return 0;
}
