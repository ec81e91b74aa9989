// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       seeds/cache-double-check
 * chapter:  seeds
 * lesson:   05-rwmutex
 * title:    Lazy expiry without the double check
 * kind:     fix
 * verdict:  race
 * achieve:  Read the entry only under the lock, and delete it only if it is
 *           still expired once the write lock is held.
 * hint:     Between the read lock and the write lock, nothing stops a Set
 *           from refreshing the entry.  What does get() read then, and
 *           without which lock?
 * hint:     The course notes call the fix a double check: decide under the
 *           read lock, take the write lock, and look again before deleting.
 * hint:     Check the deadline while holding the read lock; after taking the
 *           write lock, re-check it (and that the key is present) before
 *           removing it.
 */
/*
 * Solution: get() reads the item only under a lock.  It decides "expired"
 * under the read lock, then takes the write lock and checks again: a Set
 * that came in between is seen, and the fresh value survives (and is
 * returned).
 */
#include <errno.h>
#include <stdio.h>
#include <lockstep/lockstep.h>

struct item {
	int64_t	val;
	int64_t	deadline;
	bool	present;
};

static struct ls_rwmutex rw = LS_RWMUTEX_INIT("cache.rw");
static struct item config;
static struct ls_chan *window;

static void set(int64_t val, int64_t ttl)
{
	ls_rwmutex_lock(&rw);
	ls_store(&config.val, val, "config.val");
	ls_store(&config.deadline, ls_now() + ttl, "config.deadline");
	config.present = true;
	ls_rwmutex_unlock(&rw);
}

static void between_locks(void)
{
	ls_chan_send(window, NULL);
	ls_sleep(100 * LS_MSEC);
}

static bool expired(const struct item *it)
{
	return ls_load(&it->deadline, "config.deadline") < ls_now();
}

static int get(int64_t *val)
{
	int err = 0;

	ls_rwmutex_rlock(&rw);
	if (!config.present) {
		ls_rwmutex_runlock(&rw);
		return -ENOENT;
	}
	if (!expired(&config)) {
		*val = ls_load(&config.val, "config.val");
		ls_rwmutex_runlock(&rw);
		return 0;
	}
	ls_rwmutex_runlock(&rw);

	between_locks();
	ls_rwmutex_lock(&rw);
	if (!config.present) {			/* the double check */
		err = -ENOENT;
	} else if (expired(&config)) {
		config.present = false;
		err = -ENOENT;
	} else {
		*val = ls_load(&config.val, "config.val");
	}
	ls_rwmutex_unlock(&rw);
	return err;
}

static void refresher(void *arg)
{
	ls_chan_recv(window, NULL);
	set(2, LS_SEC);
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");
	int64_t v = 0;
	int err;

	window = ls_chan_make(0, 0, "window");
	set(1, LS_MSEC);
	ls_sleep(2 * LS_MSEC);

	ls_waitgroup_go(&wg, refresher, NULL, "refresher");
	err = get(&v);
	ls_waitgroup_wait(&wg);
	printf("get = %d (value %lld); key present afterwards: %s\n", err,
	       (long long)v, config.present ? "yes" : "no");
	/* Whatever the timing, the refresher's fresh value must survive. */
	if (!config.present || (err == 0 && v != 2) || (err && err != -ENOENT)) {
		fprintf(stderr, "FAIL: the fresh value was lost\n");
		return 1;
	}
	return 0;
}
