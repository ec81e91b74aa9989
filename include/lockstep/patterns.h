/* SPDX-License-Identifier: MIT */
/*
 * patterns.h - the seed patterns of the course notes.
 *
 * The Batcher's API is fixed by API.md.  The channel-backed mutex, task pool,
 * broker, expiring cache, sync.Pool and sync.Map declare their own APIs in
 * their headers under lockstep/ as they land; this header includes them.
 */
#ifndef LOCKSTEP_PATTERNS_H
#define LOCKSTEP_PATTERNS_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

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
