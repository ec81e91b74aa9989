// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       15-memory-model/plain-flag
 * chapter:  15
 * lesson:   15-memory-model
 * title:    Publishing data through a plain boolean flag
 * kind:     fix
 * verdict:  race
 * achieve:  Hand the message from the writer to the reader with a
 *           happens-before edge, so that the reader is guaranteed to see it.
 * hint:     Nothing orders the writer's store of msg before the reader's load
 *           of msg: the flag is just another racy variable.
 * hint:     Compilers and CPUs may reorder the two stores, or keep the flag in
 *           a register; only synchronization creates "happens before".
 * hint:     Replace the flag with a channel: the writer sends (or closes)
 *           after setting msg, and the reader receives before reading it.
 */
/*
 * Solution: the flag is a channel.  The writer closes it after storing
 * msg; the reader's receive returns because of that close, so the store of
 * msg happens before the load.  No spinning either: the reader parks.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

static int64_t msg, seen;
static struct ls_chan *ready;

static void writer(void *arg)
{
	ls_store(&msg, 42, "msg");
	ls_chan_close(ready);
}

static void reader(void *arg)
{
	ls_chan_recv(ready, NULL);
	seen = ls_load(&msg, "msg");
	printf("reader: msg = %lld\n", (long long)seen);
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	ready = ls_chan_make(0, 0, "ready");
	ls_waitgroup_go(&wg, reader, NULL, "reader");
	ls_waitgroup_go(&wg, writer, NULL, "writer");
	ls_waitgroup_wait(&wg);
	ls_chan_free(ready);
	if (seen != 42) {
		fprintf(stderr, "FAIL: the reader saw %lld\n", (long long)seen);
		return 1;
	}
	return 0;
}
