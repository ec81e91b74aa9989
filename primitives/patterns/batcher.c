// SPDX-License-Identifier: MIT
/*
 * batcher.c - the Batcher of the course notes (seed 000: basicBatcher and
 * its channel mutex with TryLock).
 *
 * A Batcher gathers items into batches.  State, guarded by a channel mutex
 * (lockstep/chanmutex.h): the batch being filled (items, bytes), and
 * `disposed`.  Completed batches wait in batch_chan, a channel of capacity
 * queue_len, until a Get takes them.
 *
 *   Put(item):  lock; disposed -> -ESHUTDOWN.  Append; add calc_bytes(item).
 *               If the batch is ready (items >= max_items, or bytes >=
 *               max_bytes; a 0 limit is off), flush it: send it on
 *               batch_chan (blocking, still locked, while the queue is full)
 *               and start an empty one.  Unlock.
 *   Flush():    lock; disposed -> -ESHUTDOWN; flush whatever is there (even
 *               an empty batch); unlock.
 *   Get():      select on batch_chan and, if max_time > 0, a timer:
 *                 a batch: return it (batch_chan closed: -ESHUTDOWN);
 *                 timeout: a batch may have been queued just after the timer
 *                 fired, and order matters, so loop:
 *                   TryLock ok: take a queued batch if there is one, else
 *                     take the partial batch being filled (possibly empty)
 *                     and start a new one; unlock; return;
 *                   TryLock failed: a Put/Flush holds the lock, perhaps
 *                     blocked on a full batch_chan: take a queued batch if
 *                     there is one, else try again.
 *               Get never blocks on the lock: that is why the mutex needs
 *               TryLock.
 *   Dispose():  loop: TryLock ok: if already disposed, unlock and return;
 *               else mark disposed, drop the batch being filled, drain
 *               batch_chan, close it, unlock (and loop once more to
 *               return).  TryLock failed: drain batch_chan (a Put blocked on
 *               a full queue holds the lock; draining lets it finish) and
 *               try again.
 *
 * Events: BATCH_PUT per item (items, bytes so far), BATCH_DONE when a batch
 * completes (items, bytes, why: max_items, max_bytes, max_time, flush),
 * BATCH_DISPOSE.
 *
 * Deviations from the notes: errors are -ESHUTDOWN (ErrDisposed) and -EINVAL
 * (the missing CalculateBytes); the busy retry loops of Get and Dispose yield
 * (ls_gosched) between attempts, which Go's scheduler does implicitly.
 * Batches are malloc'd arrays the caller of Get frees; batches dropped by
 * Dispose are freed, their items are not touched.
 */
#include <errno.h>
#include <stdlib.h>

#include <lockstep/chan.h>
#include <lockstep/chanmutex.h>
#include <lockstep/patterns.h>
#include <lockstep/runtime.h>
#include "../trace.h"
#include "../xsync/internal.h"

struct batch {
	void	**items;
	size_t	n;
};

struct ls_batcher {
	int64_t			max_time;
	unsigned		max_items;
	unsigned		max_bytes;
	size_t			(*calc_bytes)(const void *item);
	bool			disposed;
	struct batch		cur;
	size_t			cap;
	size_t			bytes;
	struct ls_chan		*batch_chan;	/* of struct batch */
	struct ls_chanmutex	*lock;
	struct ls_objname	on;
};

#define BATCH_TRACE(ev, b, ...) LS_TRACE_OBJ(ev, LS_OBJ_BATCHER, (b), __VA_ARGS__)

struct ls_batcher *ls_batcher_new(int64_t max_time_ns, unsigned max_items,
				  unsigned max_bytes, unsigned queue_len,
				  size_t (*calc_bytes)(const void *item))
{
	struct ls_batcher *b;

	if (max_bytes > 0 && !calc_bytes) {
		errno = EINVAL;	/* "batcher: must provide CalculateBytes function" */
		return NULL;
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		goto out_nomem;
	b->max_time = max_time_ns;
	b->max_items = max_items;
	b->max_bytes = max_bytes;
	b->calc_bytes = calc_bytes;
	b->on.name = "batcher";
	b->batch_chan = ls_chan_make(sizeof(struct batch), queue_len, "batchChan");
	if (!b->batch_chan)
		goto out_free;
	b->lock = ls_chanmutex_new("batcher lock");
	if (!b->lock)
		goto out_chan;
	return b;

out_chan:
	ls_chan_free(b->batch_chan);
out_free:
	free(b);
out_nomem:
	errno = ENOMEM;
	return NULL;
}

static void append(struct ls_batcher *b, void *item)
{
	if (b->cur.n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : (b->max_items ? b->max_items : 8);

		b->cur.items = ls__xrealloc(b->cur.items, cap * sizeof(void *));
		b->cap = cap;
	}
	b->cur.items[b->cur.n++] = item;
}

/* Hand the batch being filled to the caller; start an empty one. */
static struct batch take(struct ls_batcher *b)
{
	struct batch out = b->cur;

	b->cur = (struct batch){ 0 };
	b->cap = 0;
	b->bytes = 0;
	return out;
}

/* Called locked.  Blocks (still locked) while batch_chan is full. */
static void flush(struct ls_batcher *b, enum ls_batch_why why)
{
	struct batch out;

	BATCH_TRACE(batch_done, b, b->cur.n, b->bytes, why);
	out = take(b);
	ls_chan_send(b->batch_chan, &out);
}

/* Which limit the batch reached, or -1 (Go: ready()). */
static int ready(const struct ls_batcher *b)
{
	if (b->max_items && b->cur.n >= b->max_items)
		return LS_BATCH_ITEMS;
	if (b->max_bytes && b->bytes >= b->max_bytes)
		return LS_BATCH_BYTES;
	return -1;
}

int ls_batcher_put(struct ls_batcher *b, void *item)
{
	int why;

	ls_chanmutex_lock(b->lock);
	if (b->disposed) {
		ls_chanmutex_unlock(b->lock);
		return -ESHUTDOWN;
	}
	append(b, item);
	if (b->calc_bytes)
		b->bytes += b->calc_bytes(item);
	BATCH_TRACE(batch_put, b, b->cur.n, b->bytes);
	why = ready(b);
	if (why >= 0)
		flush(b, why);
	ls_chanmutex_unlock(b->lock);
	return 0;
}

int ls_batcher_flush(struct ls_batcher *b)
{
	ls_chanmutex_lock(b->lock);
	if (b->disposed) {
		ls_chanmutex_unlock(b->lock);
		return -ESHUTDOWN;
	}
	flush(b, LS_BATCH_FLUSH);
	ls_chanmutex_unlock(b->lock);
	return 0;
}

static int give(struct batch *bt, bool ok, void ***items, size_t *n)
{
	if (!ok)
		return -ESHUTDOWN;
	*items = bt->items;
	*n = bt->n;
	return 0;
}

/* The timer fired: a queued batch first, else the partial one. */
static int get_after_timeout(struct ls_batcher *b, void ***items, size_t *n)
{
	struct batch bt;
	bool ok;

	for (;;) {
		if (ls_chanmutex_trylock(b->lock)) {
			if (ls_chan_tryrecv(b->batch_chan, &bt, &ok)) {
				ls_chanmutex_unlock(b->lock);
				return give(&bt, ok, items, n);
			}
			/* Nothing queued, and nobody can add to the batch
			 * while we hold the lock: take it as it is. */
			BATCH_TRACE(batch_done, b, b->cur.n, b->bytes, LS_BATCH_TIME);
			bt = take(b);
			ls_chanmutex_unlock(b->lock);
			return give(&bt, true, items, n);
		}
		/* A Put or Flush holds the lock, maybe blocked on a full
		 * queue: there is then a batch for us in it. */
		if (ls_chan_tryrecv(b->batch_chan, &bt, &ok))
			return give(&bt, ok, items, n);
		ls_gosched();
	}
}

int ls_batcher_get(struct ls_batcher *b, void ***items, size_t *n)
{
	struct ls_chan *timeout = b->max_time > 0 ? ls_after(b->max_time) : NULL;
	struct batch bt;
	struct ls_case cases[2] = {
		{ .ch = b->batch_chan, .dir = LS_RECV, .elem = &bt },
		{ .ch = timeout, .dir = LS_RECV },
	};
	int i;

	*items = NULL;
	*n = 0;
	i = ls_select(cases, 2, true);
	ls_chan_free(timeout);
	if (i == 0)
		return give(&bt, cases[0].ok, items, n);
	return get_after_timeout(b, items, n);
}

static void drain(struct ls_batcher *b)
{
	struct batch bt;
	bool ok;

	while (ls_chan_tryrecv(b->batch_chan, &bt, &ok) && ok)
		free(bt.items);
}

void ls_batcher_dispose(struct ls_batcher *b)
{
	for (;;) {
		if (ls_chanmutex_trylock(b->lock)) {
			if (b->disposed) {
				ls_chanmutex_unlock(b->lock);
				return;
			}
			b->disposed = true;
			free(take(b).items);
			drain(b);
			ls_chan_close(b->batch_chan);
			BATCH_TRACE(batch_dispose, b);
			ls_chanmutex_unlock(b->lock);
		} else {
			/* A Put blocked on a full queue holds the lock. */
			drain(b);
			ls_gosched();
		}
	}
}

bool ls_batcher_is_disposed(struct ls_batcher *b)
{
	bool d;

	ls_chanmutex_lock(b->lock);
	d = b->disposed;
	ls_chanmutex_unlock(b->lock);
	return d;
}

void ls_batcher_free(struct ls_batcher *b)
{
	if (!b)
		return;
	ls_batcher_dispose(b);
	ls_chanmutex_free(b->lock);
	ls_chan_free(b->batch_chan);
	free(b);
}
