// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       14-channel-patterns/token-ring
 * chapter:  14
 * lesson:   14-channel-patterns
 * title:    Four workers pass a token around a ring
 * kind:     fix
 * verdict:  deadlock
 * achieve:  Let the ring print 0 1 2 3 three times over and then shut down
 *           cleanly.
 * hint:     After the last round, worker 3 passes the token on.  Who is left
 *           to take it?
 * hint:     Worker 0 has finished its rounds and returned; an unbuffered send
 *           waits for a receiver that will never come.
 * hint:     Give each ring channel room for the token (capacity 1): the last
 *           pass then completes with nobody there, and main takes the token
 *           out once the workers are done.
 */
/*
 * Solution: each ring channel holds one token.  There is only one token,
 * so the order is unchanged, but worker 3's last pass now lands in
 * ring[0]'s buffer instead of waiting for worker 0, who has returned.
 * main takes the token out once every worker is done.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define WORKERS	4
#define ROUNDS	3

static struct ls_chan *ring[WORKERS];
static int order[WORKERS * ROUNDS], norder;

static void worker(void *arg)
{
	int id = (int)(intptr_t)arg;
	int64_t token;

	for (int r = 0; r < ROUNDS; r++) {
		ls_chan_recv(ring[id], &token);
		order[norder++] = id;		/* the token orders these writes */
		printf("%d%s", id, id == WORKERS - 1 ? "\n" : " ");
		ls_chan_send(ring[(id + 1) % WORKERS], &token);
	}
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");
	int64_t token = 1;

	for (int i = 0; i < WORKERS; i++)
		ring[i] = ls_chan_make(sizeof(int64_t), 1, "ring");
	for (int i = 0; i < WORKERS; i++)
		ls_waitgroup_go(&wg, worker, (void *)(intptr_t)i, "worker");

	ls_chan_send(ring[0], &token);
	ls_waitgroup_wait(&wg);
	if (!ls_chan_tryrecv(ring[0], &token, NULL)) {	/* the token comes home */
		fprintf(stderr, "FAIL: the token is lost\n");
		return 1;
	}
	printf("done after %d turns\n", norder);
	for (int i = 0; i < norder; i++) {
		if (order[i] != i % WORKERS) {
			fprintf(stderr, "FAIL: out of order at turn %d\n", i);
			return 1;
		}
	}
	if (norder != WORKERS * ROUNDS) {
		fprintf(stderr, "FAIL: %d turns\n", norder);
		return 1;
	}
	for (int i = 0; i < WORKERS; i++)
		ls_chan_free(ring[i]);
	return 0;
}
