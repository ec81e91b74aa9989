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
 * The writer prepares a message and then raises a flag; the reader spins
 * until it sees the flag and reads the message.  It seems to work.
 *
 * Go's memory model (and C11's) promise nothing here: a plain write is
 * guaranteed visible to a plain read only if a happens-before edge orders
 * them, and spinning on a plain variable creates no edge.  The course's
 * rules: a send happens before the matching receive completes; a close
 * happens before a receive that returns because of it.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

static int64_t msg, ready;

static void writer(void *arg)
{
	ls_store(&msg, 42, "msg");
	ls_store(&ready, 1, "ready");
}

static void reader(void *arg)
{
	while (!ls_load(&ready, "ready"))
		ls_gosched();
	printf("reader: msg = %lld\n", (long long)ls_load(&msg, "msg"));
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	ls_waitgroup_go(&wg, reader, NULL, "reader");
	ls_waitgroup_go(&wg, writer, NULL, "writer");
	ls_waitgroup_wait(&wg);
	return 0;
}
