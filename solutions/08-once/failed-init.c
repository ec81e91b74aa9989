// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       08-once/failed-init
 * chapter:  08
 * lesson:   08-once
 * title:    An initialization that failed is never tried again
 * kind:     fix
 * verdict:  panic
 * achieve:  Retry the connection on the next call when the first attempt
 *           fails, and connect at most once when it succeeds.
 * hint:     After the first call, is the Once done?  Did the connection
 *           succeed?
 * hint:     Once counts f as done when it returns, whatever happened inside.
 * hint:     Write your own "once that can fail": a mutex, a done flag set only
 *           on success (read with ls_atomic_load on the fast path).
 */
/*
 * Solution: a small "once with error".  The fast path is an atomic load of
 * done; the slow path takes the mutex, checks done again, and sets it only
 * when f succeeded, with an atomic store after the connection is in place.
 * A failed attempt leaves done at 0, so the next caller tries again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <lockstep/lockstep.h>

struct connection {
	const char	*server;
};

struct once_err {
	int64_t		done;
	struct ls_mutex	mu;
};

static struct once_err once = { .mu = LS_MUTEX_INIT("conn.once.mu") };
static struct connection *the_conn;
static int attempts;

static int once_err_do(struct once_err *o, int (*f)(void *), void *arg)
{
	int err = 0;

	if (ls_atomic_load(&o->done))
		return 0;
	ls_mutex_lock(&o->mu);
	if (!o->done) {
		err = f(arg);
		if (!err)
			ls_atomic_store(&o->done, 1);
	}
	ls_mutex_unlock(&o->mu);
	return err;
}

static struct connection *dial(const char *server)
{
	static struct connection c;

	if (++attempts == 1)
		return NULL;
	c.server = server;
	return &c;
}

static int connect_once(void *arg)
{
	the_conn = dial("db:5432");
	return the_conn ? 0 : -ECONNREFUSED;
}

static struct connection *conn(void)
{
	if (once_err_do(&once, connect_once, NULL))
		return NULL;
	return the_conn;
}

static void query(const char *sql)
{
	struct connection *c = conn();

	if (!c) {
		printf("query: not connected yet\n");
		return;
	}
	printf("query on %s: %s\n", c->server, sql);
}

static void must_query(const char *sql)
{
	struct connection *c = conn();

	if (!c)
		ls_panic("runtime error: invalid memory address or nil pointer dereference");
	printf("query on %s: %s\n", c->server, sql);
}

int main(void)
{
	query("SELECT 1");
	ls_sleep(10 * LS_MSEC);			/* the network comes up */
	must_query("SELECT 2");
	must_query("SELECT 3");
	printf("%d connection attempt(s)\n", attempts);
	if (attempts != 2) {
		fprintf(stderr, "FAIL: expected exactly one retry\n");
		return 1;
	}
	return 0;
}
