// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       17-singleflight-barrier/stampede
 * chapter:  17
 * lesson:   17-singleflight-barrier
 * title:    Four cache misses, four identical database queries
 * kind:     fix
 * verdict:  panic
 * achieve:  Let only one of the simultaneous misses query the database while
 *           the others wait for its answer.
 * hint:     Every request that misses the cache queries the database itself:
 *           a cache stampede (or "thundering herd").
 * hint:     singleflight.Do runs fn once per key at a time; callers that
 *           arrive meanwhile wait and share the result.
 * hint:     Wrap "look again in the cache, else query and fill it" in
 *           ls_singleflight_do with the key as the flight's name.
 */
/*
 * Solution: a miss goes through singleflight.  The first caller for
 * "config" runs load() (SF_LEADER); the others join its flight and share
 * the result (SF_DUP, shared = true).  load() looks in the cache again
 * first: a request that arrives after the flight landed starts a new
 * flight, which then finds the value instead of querying.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define REQUESTS	4

static struct ls_mutex cache_mu = LS_MUTEX_INIT("cache.mu");
static int64_t cached;
static int64_t in_flight, queries;
static struct ls_waitgroup looked = LS_WAITGROUP_INIT("looked");
static struct ls_singleflight group = LS_SINGLEFLIGHT_INIT("config.flights");

static int64_t query_db(const char *key)
{
	if (ls_atomic_add(&in_flight, 1) > 1)
		ls_panic("database: too many identical queries, giving up");
	ls_atomic_add(&queries, 1);
	ls_waitgroup_wait(&looked);		/* slow */
	ls_atomic_add(&in_flight, -1);
	return 42;
}

static int64_t cache_get(void)
{
	int64_t v;

	ls_mutex_lock(&cache_mu);
	v = cached;
	ls_mutex_unlock(&cache_mu);
	return v;
}

static void cache_set(int64_t v)
{
	ls_mutex_lock(&cache_mu);
	cached = v;
	ls_mutex_unlock(&cache_mu);
}

/* Runs once per flight: look again, else query and fill the cache. */
static void *load(void *arg, int *err)
{
	int64_t v = cache_get();

	if (!v) {
		v = query_db("config");
		cache_set(v);
	}
	*err = 0;
	return (void *)(intptr_t)v;
}

static void request(void *arg)
{
	int64_t v = cache_get();
	bool shared = false;
	int err;

	ls_waitgroup_done(&looked);
	if (!v)
		v = (int64_t)(intptr_t)ls_singleflight_do(&group, "config", load,
							  NULL, &err, &shared);
	printf("request: config = %lld%s\n", (long long)v,
	       shared ? " (shared)" : "");
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	ls_waitgroup_add(&looked, REQUESTS);
	for (int i = 0; i < REQUESTS; i++)
		ls_waitgroup_go(&wg, request, NULL, "request");
	ls_waitgroup_wait(&wg);
	printf("%lld database quer%s\n", (long long)queries,
	       queries == 1 ? "y" : "ies");
	if (queries != 1 || cache_get() != 42) {
		fprintf(stderr, "FAIL: expected exactly one query\n");
		return 1;
	}
	return 0;
}
