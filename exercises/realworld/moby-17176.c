// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       realworld/moby-17176
 * chapter:  realworld
 * lesson:   03-mutex-pitfalls
 * title:    A cleanup that returns early with the device lock held
 * kind:     fix
 * verdict:  leak
 * achieve:  Release the device-set lock on the early-return path, so that the
 *           next user gets it in time.
 * hint:     The goroutine that timed out is still parked on devices.mu.  Which
 *           call took that lock last?
 * hint:     cleanup_deleted() has two exits; only one of them unlocks.
 * hint:     Unlock before "return 0", or use a single exit with one unlock.
 * origin:   moby#17176 (GoBench GoKer)
 */
/*
 * Modelled on moby issue 17176 (reduced in GoBench "GoKer"): the devmapper
 * driver's cleanup of deleted devices takes the device-set lock and returns
 * early when there is nothing to clean up, without releasing it.  The test
 * that found it starts a goroutine that needs the lock and gives it a short
 * deadline: the goroutine times out and is left behind, parked for good.
 */
#include <errno.h>
#include <stdio.h>
#include <lockstep/lockstep.h>

struct device_set {
	struct ls_mutex	mu;
	int		deleted;	/* devices waiting for cleanup */
};

static struct device_set devices = { .mu = LS_MUTEX_INIT("devices.mu") };
static struct ls_chan *done;

static int cleanup_deleted(struct device_set *ds)
{
	ls_mutex_lock(&ds->mu);
	if (ds->deleted == 0)
		return 0;			/* nothing to do */
	ds->deleted = 0;
	ls_mutex_unlock(&ds->mu);
	return -EAGAIN;
}

static void user(void *arg)
{
	ls_mutex_lock(&devices.mu);
	ls_mutex_unlock(&devices.mu);
	ls_chan_close(done);
}

/* Wait up to ns for ch to deliver or be closed; false on timeout. */
static bool wait_for(struct ls_chan *ch, int64_t ns)
{
	struct ls_chan *timer = ls_after(ns);
	struct ls_case cs[] = {
		{ .ch = ch, .dir = LS_RECV },
		{ .ch = timer, .dir = LS_RECV },
	};
	int i = ls_select(cs, 2, true);

	ls_chan_free(timer);
	return i == 0;
}

int main(void)
{
	bool got;

	done = ls_chan_make(0, 0, "done");
	cleanup_deleted(&devices);
	ls_go(user, NULL, "user");
	got = wait_for(done, 50 * LS_MSEC);
	printf("main: %s\n", got ? "the lock was released" :
	       "timed out waiting for the device lock");
	return 0;
}
