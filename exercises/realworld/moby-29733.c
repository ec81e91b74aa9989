// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       realworld/moby-29733
 * chapter:  realworld
 * lesson:   07-cond
 * title:    A condition reset to false that nobody will set again
 * kind:     fix
 * verdict:  deadlock
 * achieve:  Let a plugin that is active stay usable after a new handler is
 *           registered, so that wait_active() returns.
 * hint:     The second wait_active() waits for "activated".  Who sets it to
 *           true again, and who broadcasts?
 * hint:     A Cond waiter only wakes when someone changes the condition and
 *           signals.  handle() changes it in the wrong direction and tells no
 *           one.
 * hint:     Registering a handler has nothing to do with activation: leave
 *           "activated" alone in handle() (or re-activate and broadcast).
 * origin:   moby#29733 (GoBench GoKer)
 */
/*
 * Modelled on moby issue 29733 (reduced in GoBench "GoKer"): the plugin
 * system waits for a plugin to become active with a Cond loop,
 * "while (!activated) wait".  Registering a new extension-point handler
 * walked every plugin and reset its activated flag, so that the plugin
 * would be activated again for the new handler, but nothing ever activated
 * an already running plugin again: every later waiter waits forever.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

struct plugin {
	struct ls_mutex	mu;
	struct ls_cond	activate_wait;
	bool		activated;
	int		handlers;
};

static struct plugin p = { .mu = LS_MUTEX_INIT("plugin.mu") };

static void activate(struct plugin *pl)
{
	ls_mutex_lock(&pl->mu);
	pl->activated = true;
	ls_cond_broadcast(&pl->activate_wait);
	ls_mutex_unlock(&pl->mu);
}

static void wait_active(struct plugin *pl)
{
	ls_mutex_lock(&pl->mu);
	while (!pl->activated)
		ls_cond_wait(&pl->activate_wait);
	ls_mutex_unlock(&pl->mu);
}

/* A new handler for an extension point: every plugin must learn of it. */
static void handle(struct plugin *pl)
{
	ls_mutex_lock(&pl->mu);
	pl->handlers++;
	pl->activated = false;
	ls_mutex_unlock(&pl->mu);
}

static void client(void *arg)
{
	wait_active(&p);
	printf("client %s: plugin is active\n", (const char *)arg);
}

/* Run a client and wait for it, as moby's test does. */
static void test_active(const char *name)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("client");

	ls_waitgroup_go(&wg, client, (void *)name, name);
	ls_waitgroup_wait(&wg);
}

int main(void)
{
	ls_cond_init(&p.activate_wait, &p.mu, "plugin.activate_wait");
	activate(&p);
	test_active("1");
	handle(&p);
	test_active("2");
	printf("main: %d handler(s) registered\n", p.handlers);
	return 0;
}
