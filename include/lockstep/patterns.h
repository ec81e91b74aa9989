/* SPDX-License-Identifier: MIT */
/*
 * patterns.h - the seed patterns of the course notes.
 *
 * The Batcher's API is fixed by API.md.  The channel-backed mutex, task pool,
 * broker and expiring cache declare their own APIs in their headers under
 * lockstep/, included here (sync.Pool and sync.Map come with xsync.h).
 */
#ifndef LOCKSTEP_PATTERNS_H
#define LOCKSTEP_PATTERNS_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include <lockstep/chanmutex.h>
#include <lockstep/taskpool.h>
#include <lockstep/broker.h>
#include <lockstep/cache.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Batcher (docs/primitives/batcher.md): a batch completes at max_items, at
 * max_bytes (calc_bytes measures each item), on Flush, or when a Get has
 * waited max_time (it then returns what has accumulated, possibly nothing).
 * A 0 limit is off.  Up to queue_len completed batches wait for a Get; a
 * Put that completes a batch blocks while the queue is full.  Get hands
 * over a malloc'd array of *n items (free it).  After Dispose, Put, Flush
 * and Get fail with -ESHUTDOWN; queued batches are dropped (their arrays
 * freed, the items untouched).  ls_batcher_free disposes first.
 */
struct ls_batcher;
struct ls_batcher *ls_batcher_new(int64_t max_time_ns, unsigned max_items,
				  unsigned max_bytes, unsigned queue_len,
				  size_t (*calc_bytes)(const void *item));
int	ls_batcher_put(struct ls_batcher *b, void *item);
int	ls_batcher_get(struct ls_batcher *b, void ***items, size_t *n);
int	ls_batcher_flush(struct ls_batcher *b);
void	ls_batcher_dispose(struct ls_batcher *b);
bool	ls_batcher_is_disposed(struct ls_batcher *b);
void	ls_batcher_free(struct ls_batcher *b);

#ifdef __cplusplus
}
#endif
#endif /* LOCKSTEP_PATTERNS_H */
