// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       08-once/recursive-do
 * chapter:  08
 * lesson:   08-once
 * title:    The initializer asks for what it is initializing
 * kind:     fix
 * verdict:  deadlock
 * achieve:  Initialize the settings once without calling ls_once_do from
 *           inside the function it runs.
 * hint:     The dump shows main waiting on a mutex you never declared.  Where
 *           does it come from?
 * hint:     Once.Do holds an internal mutex while f runs, and marks itself
 *           done only after f returns.  f calling Do again waits for itself.
 * hint:     Inside the initializer, use the fields directly (or a function that
 *           does not go through settings()).
 */
/*
 * settings() returns the process-wide settings, initialized on first use
 * with Once.  The initializer fills in the defaults and then derives the
 * timeout from the retry count, which it reads through settings().
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

struct settings {
	int	retries;
	int64_t	timeout_ms;
};

static struct ls_once once = LS_ONCE_INIT("settings.once");
static struct settings the_settings;

static struct settings *settings(void);

static void init_settings(void *arg)
{
	the_settings.retries = 3;
	the_settings.timeout_ms = 250 * settings()->retries;
}

static struct settings *settings(void)
{
	ls_once_do(&once, init_settings, NULL);
	return &the_settings;
}

int main(void)
{
	printf("retries %d, timeout %lld ms\n", settings()->retries,
	       (long long)settings()->timeout_ms);
	return 0;
}
