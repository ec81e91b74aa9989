// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       01-mutex/embedded
 * chapter:  01
 * lesson:   01-mutex
 * title:    A struct with its own lock, inside a struct with another lock
 * kind:     fix
 * verdict:  race
 * achieve:  Make every access to stats.hits happen under the lock that guards it.
 * hint:     Two different mutexes never exclude each other.  Which one guards
 *           hits?
 * hint:     struct stats carries its own mutex, right next to the field it
 *           protects; the server's mutex guards only the server's fields.
 * hint:     Give struct stats a function that takes stats.mu and bumps hits,
 *           and call it from the handlers.
 */
/*
 * Solution: hits is touched only under stats.mu, through stats_hit().  The
 * handler may still hold srv.mu while it calls stats_hit(): the two locks
 * are always taken in the same order (srv.mu, then stats.mu), so nesting
 * them is safe.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define HANDLERS	2
#define REQUESTS	500
#define REPORTS		5

struct stats {
	struct ls_mutex	mu;		/* guards hits */
	int64_t		hits;
};

struct server {
	struct ls_mutex	mu;		/* guards connections */
	int64_t		connections;
	struct stats	stats;		/* embedded, with its own lock */
};

static struct server srv = {
	.mu	= LS_MUTEX_INIT("srv.mu"),
	.stats	= { .mu = LS_MUTEX_INIT("srv.stats.mu") },
};
static int64_t reported;

static void stats_hit(struct stats *st)
{
	ls_mutex_lock(&st->mu);
	ls_store(&st->hits, ls_load(&st->hits, "hits") + 1, "hits");
	ls_mutex_unlock(&st->mu);
}

static void handler(void *arg)
{
	for (int i = 0; i < REQUESTS; i++) {
		ls_mutex_lock(&srv.mu);
		srv.connections++;
		stats_hit(&srv.stats);
		ls_mutex_unlock(&srv.mu);
	}
}

static void report(void *arg)
{
	for (int i = 0; i < REPORTS; i++) {
		ls_mutex_lock(&srv.stats.mu);
		reported += ls_load(&srv.stats.hits, "hits");
		ls_store(&srv.stats.hits, 0, "hits");
		ls_mutex_unlock(&srv.stats.mu);
		ls_sleep(LS_MSEC);
	}
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	for (int i = 0; i < HANDLERS; i++)
		ls_waitgroup_go(&wg, handler, NULL, "handler");
	ls_waitgroup_go(&wg, report, NULL, "reporter");
	ls_waitgroup_wait(&wg);

	reported += srv.stats.hits;
	printf("connections = %lld, hits reported = %lld (expected %d)\n",
	       (long long)srv.connections, (long long)reported, HANDLERS * REQUESTS);
	if (reported != HANDLERS * REQUESTS || srv.connections != HANDLERS * REQUESTS) {
		fprintf(stderr, "FAIL: hits were lost\n");
		return 1;
	}
	return 0;
}
