// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       13-channel/send-after-close
 * chapter:  13
 * lesson:   13-channel
 * title:    The receiver closes the channel while a sender is still working
 * kind:     fix
 * verdict:  panic
 * achieve:  Take the first answer and ignore the late one without any send
 *           ever hitting a closed channel.
 * hint:     Which goroutine panics, and what did main do just before?
 * hint:     close() tells receivers "no more values"; it does not stop
 *           senders.  A send on a closed channel panics.
 * hint:     Only a sender should close (or nobody): give the channel room for
 *           every answer so late sends never block, and do not close it.
 */
/*
 * Two replicas are asked the same question; main uses whichever answers
 * first.  To "cancel" the slower one, main closes the answers channel.
 * The slow replica answers 50 ms later, while main goes on with its work.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define REPLICAS	2

static struct ls_chan *answers;

static void replica(void *arg)
{
	int64_t id = (int64_t)(intptr_t)arg, answer = 42;

	if (id == 1)
		ls_sleep(50 * LS_MSEC);		/* the slow one */
	ls_chan_send(answers, &answer);
	printf("replica %lld: answered\n", (long long)id);
}

int main(void)
{
	int64_t v;

	answers = ls_chan_make(sizeof(int64_t), REPLICAS, "answers");
	for (int i = 0; i < REPLICAS; i++)
		ls_go(replica, (void *)(intptr_t)i, "replica");

	ls_chan_recv(answers, &v);
	printf("main: the answer is %lld\n", (long long)v);
	ls_chan_close(answers);			/* nobody else needs to answer */

	ls_sleep(100 * LS_MSEC);		/* main's other work */
	return 0;
}
