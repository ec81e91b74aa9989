// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       13-channel/range-unclosed
 * chapter:  13
 * lesson:   13-channel
 * title:    Receiving until the channel is closed, but nobody closes it
 * kind:     fix
 * verdict:  deadlock
 * achieve:  Let the consumer's loop end after the last value.
 * hint:     How does the consumer's loop ever end?
 * hint:     ls_chan_recv returns false only once the channel is closed and
 *           drained: Go's "for v := range ch" works the same way.
 * hint:     The producer knows when it is done: let it close the channel.
 */
/*
 * The producer sends the numbers 1 to 3; the consumer adds up whatever
 * arrives, until there is nothing more (a range loop over the channel).
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

static struct ls_chan *numbers;
static int64_t sum;

static void producer(void *arg)
{
	for (int64_t i = 1; i <= 3; i++)
		ls_chan_send(numbers, &i);
	printf("producer: done\n");
}

static void consumer(void *arg)
{
	int64_t v;

	while (ls_chan_recv(numbers, &v))
		sum += v;
	printf("consumer: sum %lld\n", (long long)sum);
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	numbers = ls_chan_make(sizeof(int64_t), 0, "numbers");
	ls_waitgroup_go(&wg, producer, NULL, "producer");
	ls_waitgroup_go(&wg, consumer, NULL, "consumer");
	ls_waitgroup_wait(&wg);
	ls_chan_free(numbers);
	return 0;
}
