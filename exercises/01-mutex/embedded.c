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
 * A server counts its connections under srv.mu.  It also embeds a struct stats,
 * which has its own mutex for its own field, hits: the reporter goroutine
 * collects and resets hits under stats.mu every so often.
 *
 * The handlers were written when hits was still a server field: they bump it
 * under srv.mu.  Both paths hold "a lock", but not the same one.
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

static void handler(void *arg)
{
	for (int i = 0; i < REQUESTS; i++) {
		ls_mutex_lock(&srv.mu);
		srv.connections++;
		ls_store(&srv.stats.hits, ls_load(&srv.stats.hits, "hits") + 1, "hits");
		ls_mutex_unlock(&srv.mu);
	}
}

/* Collect the hits counted so far and start again from zero. */
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
	return 0;
}
