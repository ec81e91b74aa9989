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
 * Four requests need the same configuration at the same moment, just after
 * the cache was emptied.  Each looks in the cache, misses, queries the
 * database and fills the cache.
 *
 * The database is fragile: a second identical query while one is running
 * brings it down (the panic).  It is also slow: a query finishes only after
 * all four requests have looked in the cache, which makes the stampede
 * happen on every run.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define REQUESTS	4

static struct ls_mutex cache_mu = LS_MUTEX_INIT("cache.mu");
static int64_t cached;			/* 0 = missing */
static int64_t in_flight, queries;
static struct ls_waitgroup looked = LS_WAITGROUP_INIT("looked");

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

static void request(void *arg)
{
	int64_t v = cache_get();

	ls_waitgroup_done(&looked);
	if (!v) {
		v = query_db("config");
		cache_set(v);
	}
	printf("request: config = %lld\n", (long long)v);
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
	return 0;
}
