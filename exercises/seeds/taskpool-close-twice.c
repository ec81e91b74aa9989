// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       seeds/taskpool-close-twice
 * chapter:  seeds
 * lesson:   14-channel-patterns
 * title:    A task pool closed from two places
 * kind:     fix
 * verdict:  panic
 * achieve:  Let a failing task and main both ask for shutdown, with the pool
 *           closed exactly once.
 * hint:     The dump shows main dying in ls_taskpool_close.  Who closed the
 *           pool before?
 * hint:     The task pool closes a channel to stop its workers, and a channel
 *           can only be closed once.  The course notes leave that to the
 *           caller ("do not call Close twice").
 * hint:     Make shutdown() idempotent with ls_once_do.
 */
/*
 * The course notes' task pool: a fixed number of workers take tasks from a
 * bounded queue; Close stops them by closing a channel they all select on.
 * lockstep's ls_taskpool is that pool.
 *
 * A task that hits a fatal error shuts the service down.  main shuts it
 * down too once its own work is submitted and done.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

static struct ls_taskpool *pool;
static struct ls_chan *failed;		/* closed by the failing task */

static void shutdown_service(void)
{
	ls_taskpool_close(pool);
}

static void task(void *arg)
{
	int id = (int)(intptr_t)arg;

	if (id == 3) {
		printf("task %d: corrupted input, shutting down\n", id);
		shutdown_service();
		ls_chan_close(failed);
		return;
	}
	printf("task %d: done\n", id);
}

int main(void)
{
	pool = ls_taskpool_new(2, 4, "pool");
	failed = ls_chan_make(0, 0, "failed");
	for (int i = 1; i <= 3; i++)
		ls_taskpool_submit(pool, NULL, task, (void *)(intptr_t)i);

	ls_chan_recv(failed, NULL);		/* task 3 has run */
	printf("main: finished, shutting down\n");
	shutdown_service();
	ls_taskpool_free(pool);
	ls_chan_free(failed);
	return 0;
}
