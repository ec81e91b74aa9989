// SPDX-License-Identifier: MIT
/*
 * singleflight.c - singleflight.Group (golang.org/x/sync/singleflight/
 * singleflight.go; the course notes walk through the same code).
 *
 * A Group maps keys to in-flight calls.  Everything about the map happens
 * under g->mu:
 *
 *   Do(key, fn):
 *     - key in flight: this caller is a duplicate.  dups++, unlock, wait on
 *       the call's WaitGroup, return the leader's (val, err) with
 *       shared = true.
 *     - key absent: this caller is the leader.  A new call with wg.Add(1)
 *       goes into the map, the lock is dropped, and fn runs right here, in
 *       the caller's goroutine.  shared = (dups > 0) afterwards.
 *   DoChan(key, fn): the same, but every caller gets a channel (buffer 1,
 *     never closed) that receives one struct ls_sf_result.  Duplicates
 *     append their channel to the call; a leader starts a new goroutine
 *     that runs fn.
 *   doCall: run fn; wg.Done() (releases the Do duplicates); lock; delete
 *     the key if it still maps to this call (Forget may have removed it,
 *     and a newer call may own the key now); send the result to every
 *     DoChan channel; unlock.
 *   Forget(key): delete the key, so the next Do starts a fresh call even
 *     while the old one is still running.
 *
 * The map is created lazily under g->mu, so an all-zero group works; it is
 * also dropped when its last call leaves, so an idle group holds no memory
 * and needs no destructor.
 *
 * A call is reference-counted: the leader and every Do duplicate hold one
 * reference, and the last to let go frees it.  Go leaves this to the
 * garbage collector; here it also guarantees that the leader has returned
 * from wg.Done() before the call (and its WaitGroup) is freed.
 *
 * Deviations: C has no panic to recover nor runtime.Goexit, so Go's
 * panicError / errGoexit paths do not exist: an ls_panic in fn kills the
 * process, as an unrecovered panic would.  Errors are ints (0 = nil).
 * The DoChan channel belongs to the caller: receive the result, then
 * ls_chan_free it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <lockstep/chan.h>
#include <lockstep/runtime.h>
#include <lockstep/xsync.h>
#include "../trace.h"
#include "internal.h"

struct sf_call {
	struct ls_waitgroup	wg;
	void			*val;
	int			err;
	int			dups;
	int			refs;	/* leader + Do duplicates */
	struct ls_chan		**chans;
	size_t			nchans;
	void			*(*fn)(void *arg, int *err);
	void			*arg;
	struct ls_singleflight	*g;
	char			key[];
};

#define SF_TRACE(ev, g, ...) LS_TRACE_OBJ(ev, LS_OBJ_SINGLEFLIGHT, (g), __VA_ARGS__)

static struct ls__strmap *group_map(struct ls_singleflight *g)
{
	if (!g->m)
		g->m = ls__xcalloc(1, sizeof(struct ls__strmap));
	return g->m;
}

/* Remove key if it still maps to c, dropping the map when it empties. */
static void group_del(struct ls_singleflight *g, const char *key, struct sf_call *c)
{
	struct ls__strmap *m = g->m;

	if (!m || (c && ls__strmap_get(m, key) != c))
		return;
	ls__strmap_del(m, key);
	if (!ls__strmap_len(m)) {
		ls__strmap_destroy(m);
		free(m);
		g->m = NULL;
	}
}

static struct sf_call *call_new(struct ls_singleflight *g, const char *key,
				void *(*fn)(void *, int *), void *arg)
{
	size_t klen = strlen(key) + 1;
	struct sf_call *c = ls__xcalloc(1, sizeof(*c) + klen);

	memcpy(c->key, key, klen);
	c->g = g;
	c->fn = fn;
	c->arg = arg;
	c->refs = 1;
	ls_waitgroup_init(&c->wg, g->on.name);
	ls_waitgroup_add(&c->wg, 1);
	ls__strmap_put(group_map(g), c->key, c);
	SF_TRACE(sf_leader, g, 0, c->key);
	return c;
}

static void call_put(struct sf_call *c)
{
	if (__atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL))
		return;
	free(c->chans);
	free(c);
}

static void do_call(struct sf_call *c)
{
	struct ls_singleflight *g = c->g;
	struct ls_sf_result res;
	int err = 0;

	c->val = c->fn(c->arg, &err);
	c->err = err;
	ls_waitgroup_done(&c->wg);

	ls_mutex_lock(&g->mu);
	group_del(g, c->key, c);
	SF_TRACE(sf_done, g, c->dups, c->key);
	res = (struct ls_sf_result){ .val = c->val, .err = c->err, .shared = c->dups > 0 };
	for (size_t i = 0; i < c->nchans; i++)
		ls_chan_send(c->chans[i], &res);	/* buffer 1: never blocks */
	ls_mutex_unlock(&g->mu);
}

void *ls_singleflight_do(struct ls_singleflight *g, const char *key,
			 void *(*fn)(void *arg, int *err), void *arg,
			 int *err, bool *shared)
{
	struct sf_call *c;
	bool dup;
	void *val;

	ls_mutex_lock(&g->mu);
	c = ls__strmap_get(g->m, key);
	if (c) {
		c->dups++;
		__atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
		SF_TRACE(sf_dup, g, c->dups, c->key);
		ls_mutex_unlock(&g->mu);
		ls_waitgroup_wait(&c->wg);
		dup = true;
	} else {
		c = call_new(g, key, fn, arg);
		ls_mutex_unlock(&g->mu);
		do_call(c);
		dup = false;
	}
	if (err)
		*err = c->err;
	if (shared)
		*shared = dup || c->dups > 0;
	val = c->val;
	call_put(c);
	return val;
}

static void dochan_main(void *arg)
{
	struct sf_call *c = arg;

	do_call(c);
	call_put(c);
}

struct ls_chan *ls_singleflight_dochan(struct ls_singleflight *g, const char *key,
				       void *(*fn)(void *arg, int *err), void *arg)
{
	struct ls_chan *ch = ls_chan_make(sizeof(struct ls_sf_result), 1, key);
	struct sf_call *c;
	bool leader = false;
	int rc;

	if (!ch)
		ls_fatal("runtime: out of memory");
	ls_mutex_lock(&g->mu);
	c = ls__strmap_get(g->m, key);
	if (c) {
		c->dups++;
		SF_TRACE(sf_dup, g, c->dups, c->key);
	} else {
		c = call_new(g, key, fn, arg);
		leader = true;
	}
	c->chans = ls__xrealloc(c->chans, (c->nchans + 1) * sizeof(*c->chans));
	c->chans[c->nchans++] = ch;
	ls_mutex_unlock(&g->mu);

	if (leader) {
		rc = ls_go(dochan_main, c, key);
		if (rc)
			ls_fatal("singleflight: cannot start the DoChan goroutine");
	}
	return ch;
}

void ls_singleflight_forget(struct ls_singleflight *g, const char *key)
{
	ls_mutex_lock(&g->mu);
	group_del(g, key, NULL);
	ls_mutex_unlock(&g->mu);
}

int ls_singleflight_dups(struct ls_singleflight *g, const char *key)
{
	struct sf_call *c;
	int dups;

	ls_mutex_lock(&g->mu);
	c = ls__strmap_get(g->m, key);
	dups = c ? c->dups : -1;
	ls_mutex_unlock(&g->mu);
	return dups;
}
