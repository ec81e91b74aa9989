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
 * conn() connects to a server the first time it is needed.  The first
 * attempt fails (the network is not up yet); the caller reports the error
 * and tries again a moment later.
 *
 * The course's fix is a Once variant whose f returns an error and which
 * marks itself done only when f succeeded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <lockstep/lockstep.h>

struct connection {
	const char	*server;
};

static struct ls_once once = LS_ONCE_INIT("conn.once");
static struct connection *the_conn;
static int attempts;

/* Fails on the first attempt: the network is still coming up. */
static struct connection *dial(const char *server)
{
	static struct connection c;

	if (++attempts == 1)
		return NULL;
	c.server = server;
	return &c;
}

static void connect_once(void *arg)
{
	the_conn = dial("db:5432");
}

static struct connection *conn(void)
{
	ls_once_do(&once, connect_once, NULL);
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
	printf("%d connection attempt(s)\n", attempts);
	return 0;
}
