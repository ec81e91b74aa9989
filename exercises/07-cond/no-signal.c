// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       07-cond/no-signal
 * chapter:  07
 * lesson:   07-cond
 * title:    The condition changes, but nobody is told
 * kind:     fix
 * verdict:  deadlock
 * achieve:  Wake the waiting goroutine when the configuration is loaded.
 * hint:     The dump shows the server in sync.Cond.Wait.  Who was supposed to
 *           wake it?
 * hint:     A Cond does not watch your variables: changing "loaded" wakes
 *           nobody.
 * hint:     After setting loaded under the lock, call ls_cond_signal (or
 *           ls_cond_broadcast if several goroutines may wait).
 */
/*
 * The server waits until its configuration has been loaded.  The loader
 * reads the configuration, sets "loaded" under the mutex, and returns.
 *
 * The loader starts only once the server is already waiting, which is the
 * usual order in a real program and makes the outcome the same every run.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

static struct ls_mutex mu = LS_MUTEX_INIT("config.mu");
static struct ls_cond ready;
static bool loaded, waiting;
static int64_t port;

static void server(void *arg)
{
	ls_mutex_lock(&mu);
	while (!loaded) {
		waiting = true;
		ls_cond_wait(&ready);
	}
	printf("server: listening on port %lld\n", (long long)port);
	ls_mutex_unlock(&mu);
}

static void loader(void *arg)
{
	ls_mutex_lock(&mu);
	port = 8080;
	loaded = true;
	ls_mutex_unlock(&mu);
	printf("loader: configuration loaded\n");
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");
	bool w = false;

	ls_cond_init(&ready, &mu, "config.ready");
	ls_waitgroup_go(&wg, server, NULL, "server");
	while (!w) {				/* until the server waits */
		ls_sleep(100 * LS_USEC);
		ls_mutex_lock(&mu);
		w = waiting;
		ls_mutex_unlock(&mu);
	}
	ls_waitgroup_go(&wg, loader, NULL, "loader");
	ls_waitgroup_wait(&wg);
	return 0;
}
