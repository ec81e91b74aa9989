// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       realworld/cockroach-10214
 * chapter:  realworld
 * lesson:   03-mutex-pitfalls
 * title:    Heartbeats and ticks take three mutexes in different orders
 * kind:     fix
 * verdict:  deadlock
 * achieve:  Let the heartbeat sender and the replica tick run at the same time
 *           without a lock-order cycle.
 * hint:     Write down, for each path, which locks it holds when it asks for
 *           the next one.
 * hint:     send_queued_heartbeats: coalesced_mu, then raft_mu.  tick: raft_mu,
 *           then mu, then coalesced_mu.  That is a cycle.
 * hint:     Collect what has to be reported while holding coalesced_mu, release
 *           it, and only then call report_unreachable().
 * origin:   cockroach#10214 (GoBench GoKer)
 */
/*
 * Solution: send_queued_heartbeats() only decides under coalesced_mu that a
 * report is needed, and makes the report after unlocking, as cockroach's
 * fix did.  No path now holds coalesced_mu while asking for raft_mu, so the
 * lock-order graph has no cycle.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

struct store {
	struct ls_mutex	coalesced_mu;
	int		queued;		/* heartbeats waiting to be sent */
};

struct replica {
	struct ls_mutex	raft_mu;
	struct ls_mutex	mu;
	struct store	*store;
	int		unreachable;
};

static struct store store = { .coalesced_mu = LS_MUTEX_INIT("store.coalesced_mu") };
static struct replica rep = {
	.raft_mu = LS_MUTEX_INIT("replica.raft_mu"),
	.mu = LS_MUTEX_INIT("replica.mu"),
	.store = &store,
};

static void report_unreachable(struct replica *r)
{
	ls_mutex_lock(&r->raft_mu);
	r->unreachable++;
	ls_mutex_unlock(&r->raft_mu);
}

static void send_queued_heartbeats(void *arg)
{
	struct store *s = &store;
	bool unreachable = false;

	ls_mutex_lock(&s->coalesced_mu);
	ls_sleep(50 * LS_MSEC);			/* talk to the network */
	if (s->queued) {
		s->queued = 0;
		unreachable = true;		/* the peer did not answer */
	}
	ls_mutex_unlock(&s->coalesced_mu);
	if (unreachable)			/* reported with no lock held */
		report_unreachable(&rep);
	printf("heartbeats: sent\n");
}

static void coalesce_heartbeat(struct replica *r)
{
	ls_mutex_lock(&r->store->coalesced_mu);
	r->store->queued++;
	ls_mutex_unlock(&r->store->coalesced_mu);
}

static void tick(void *arg)
{
	struct replica *r = &rep;

	ls_mutex_lock(&r->raft_mu);
	ls_sleep(50 * LS_MSEC);			/* advance raft */
	ls_mutex_lock(&r->mu);
	coalesce_heartbeat(r);
	ls_mutex_unlock(&r->mu);
	ls_mutex_unlock(&r->raft_mu);
	printf("tick: done\n");
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	store.queued = 1;
	ls_waitgroup_go(&wg, send_queued_heartbeats, NULL, "heartbeats");
	ls_waitgroup_go(&wg, tick, NULL, "tick");
	ls_waitgroup_wait(&wg);
	printf("unreachable reports: %d, queued: %d\n", rep.unreachable, store.queued);
	if (rep.unreachable < 1) {
		fprintf(stderr, "FAIL: the unreachable peer was not reported\n");
		return 1;
	}
	return 0;
}
