// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       realworld/cockroach-584
 * chapter:  realworld
 * lesson:   03-mutex-pitfalls
 * title:    A loop that breaks out while holding the lock
 * kind:     fix
 * verdict:  deadlock
 * achieve:  Let the gossip goroutine leave bootstrap() and manage() cleanly
 *           when the node stops, so that stop() returns.
 * hint:     After bootstrap() returns, what state is g->mu in?
 * hint:     "break" leaves the loop, not the critical section.
 * hint:     Unlock before breaking out (or break to a label that unlocks).
 * origin:   cockroach#584 (GoBench GoKer)
 */
/*
 * Modelled on cockroach issue 584 (reduced in GoBench "GoKer"): the gossip
 * goroutine first bootstraps, then manages the network, each in a loop
 * that checks under the mutex whether the node has been stopped.  When it
 * sees the flag, the bootstrap loop breaks out of the loop with the mutex
 * still held; the manage loop then waits for that mutex forever, and so
 * does whoever waits for the gossip goroutine to finish.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

struct gossip {
	struct ls_mutex	mu;
	bool		closed;
	int		rounds;
};

static struct gossip g = { .mu = LS_MUTEX_INIT("gossip.mu") };
static struct ls_waitgroup running = LS_WAITGROUP_INIT("running");

static void bootstrap(struct gossip *g)
{
	for (;;) {
		ls_mutex_lock(&g->mu);
		if (g->closed)
			break;
		g->rounds++;
		ls_mutex_unlock(&g->mu);
		ls_sleep(LS_MSEC);		/* contact a peer */
	}
}

static void manage(struct gossip *g)
{
	for (;;) {
		ls_mutex_lock(&g->mu);
		if (g->closed) {
			ls_mutex_unlock(&g->mu);
			break;
		}
		ls_mutex_unlock(&g->mu);
		ls_sleep(LS_MSEC);
	}
}

static void gossip_run(void *arg)
{
	bootstrap(&g);
	manage(&g);
	printf("gossip: stopped after %d bootstrap round(s)\n", g.rounds);
}

static void stop(void)
{
	ls_mutex_lock(&g.mu);
	g.closed = true;
	ls_mutex_unlock(&g.mu);
	ls_waitgroup_wait(&running);
}

int main(void)
{
	ls_waitgroup_go(&running, gossip_run, NULL, "gossip");
	ls_sleep(5 * LS_MSEC);			/* the node runs a while */
	stop();
	printf("main: node stopped\n");
	return 0;
}
