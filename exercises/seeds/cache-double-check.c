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
 * A local cache with expiring keys (the course notes' BuildInMapCache; the
 * finished version is lockstep's ls_cache).  get() expires keys lazily: it
 * finds the item under the read lock, and if its deadline has passed,
 * deletes it under the write lock.
 *
 * between_locks() is a test hook: it lets the refresher goroutine run
 * between get()'s two critical sections, where the trouble is, while get()
 * is slow.  The refresher sets the key again with a fresh deadline.
 */
#include <errno.h>
#include <stdio.h>
#include <lockstep/lockstep.h>

struct item {
	int64_t	val;
	int64_t	deadline;		/* ls_now() after which it is gone */
	bool	present;
};

static struct ls_rwmutex rw = LS_RWMUTEX_INIT("cache.rw");
static struct item config;		/* a one-key cache, for brevity */
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
	ls_chan_send(window, NULL);		/* refresher: go */
	ls_sleep(100 * LS_MSEC);		/* ... while we are slow */
}

static int get(int64_t *val)
{
	struct item *it;

	ls_rwmutex_rlock(&rw);
	it = config.present ? &config : NULL;
	ls_rwmutex_runlock(&rw);
	if (!it)
		return -ENOENT;

	between_locks();
	if (ls_load(&it->deadline, "config.deadline") < ls_now()) {
		ls_rwmutex_lock(&rw);
		it->present = false;		/* expired: delete */
		ls_rwmutex_unlock(&rw);
		return -ENOENT;
	}
	*val = ls_load(&it->val, "config.val");
	return 0;
}

static void refresher(void *arg)
{
	ls_chan_recv(window, NULL);
	set(2, LS_SEC);				/* fresh for a second */
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");
	int64_t v = 0;
	int err;

	window = ls_chan_make(0, 0, "window");
	set(1, LS_MSEC);
	ls_sleep(2 * LS_MSEC);			/* config expires */

	ls_waitgroup_go(&wg, refresher, NULL, "refresher");
	err = get(&v);
	ls_waitgroup_wait(&wg);
	printf("get = %d (value %lld); key present afterwards: %s\n", err,
	       (long long)v, config.present ? "yes" : "no");
	return 0;
}
