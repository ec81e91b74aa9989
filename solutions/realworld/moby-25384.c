// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       realworld/moby-25384
 * chapter:  realworld
 * lesson:   06-waitgroup
 * title:    Waiting for all plugins inside the loop that enables them
 * kind:     fix
 * verdict:  deadlock
 * achieve:  Enable every plugin in parallel and wait for all of them once.
 * hint:     The counter is set to the number of plugins before the loop.  How
 *           many plugins are running when the first Wait starts?
 * hint:     Wait returns when the counter reaches zero; one Done is not
 *           enough.
 * hint:     Move the Wait after the loop.
 * origin:   moby#25384 (GoBench GoKer)
 */
/*
 * Solution: start all the plugins, then wait once, as moby's fix does.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define PLUGINS	2

static struct ls_waitgroup group = LS_WAITGROUP_INIT("group");
static const char *names[PLUGINS] = { "volume-driver", "network-driver" };
static int64_t enabled;

static void enable(void *arg)
{
	printf("plugin %s: enabled\n", (const char *)arg);
	ls_atomic_add(&enabled, 1);
	ls_waitgroup_done(&group);
}

int main(void)
{
	ls_waitgroup_add(&group, PLUGINS);
	for (int i = 0; i < PLUGINS; i++)
		ls_go(enable, (void *)names[i], names[i]);
	ls_waitgroup_wait(&group);
	printf("%lld plugin(s) enabled\n", (long long)ls_atomic_load(&enabled));
	if (ls_atomic_load(&enabled) != PLUGINS) {
		fprintf(stderr, "FAIL: plugins missing\n");
		return 1;
	}
	return 0;
}
