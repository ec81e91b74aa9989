/* SPDX-License-Identifier: MIT */
/*
 * u64map.h - a hash table from u64 keys (goids, addresses, tids) to small
 * fixed-size values, for the consumers that follow names and state per
 * goroutine, object or thread.  Open addressing, linear probing, grows at
 * half full; values start zeroed.  No removal: traces only add keys.
 */
#ifndef LS_LAB_U64MAP_H
#define LS_LAB_U64MAP_H

#include <stddef.h>
#include <stdint.h>

struct ls_u64map {
	unsigned char *slots;
	size_t cap;		/* slots, a power of two (0 until first insert) */
	size_t len;
	size_t vsize;		/* bytes of each value */
};

void	 ls_u64map_init(struct ls_u64map *m, size_t vsize);
void	*ls_u64map_find(const struct ls_u64map *m, uint64_t key);	/* NULL if absent */
void	*ls_u64map_get(struct ls_u64map *m, uint64_t key);	/* insert; NULL on ENOMEM */
void	 ls_u64map_free(struct ls_u64map *m);

#endif /* LS_LAB_U64MAP_H */
