/* SPDX-License-Identifier: MIT */
/*
 * model_map.h - a small open-addressing hash map from 64-bit keys to 32-bit
 * values, used everywhere the model and the detectors need "the record for
 * this address / goroutine id" in O(1).
 *
 * Linear probing over a power-of-two table kept at most 70% full.  Keys are
 * object addresses, goroutine ids, thread ids, or such values with a kind
 * tag in the top byte; all-ones is never one of them and marks an empty
 * slot.  There is no deletion: the model never forgets an object (it only
 * marks it freed), and a stale entry is overwritten with LS_UMAP_NONE.
 *
 * A map is plain data (two arrays), so copying a model snapshot copies its
 * maps with two memcpy calls.
 */
#ifndef LS_VIZ_MODEL_MAP_H
#define LS_VIZ_MODEL_MAP_H

#include <stdint.h>

#define LS_UMAP_NONE	UINT32_MAX		/* "no value" */
#define LS_UMAP_EMPTY	UINT64_MAX		/* key of an unused slot */

struct ls_umap {
	uint64_t	*keys;
	uint32_t	*vals;
	uint32_t	cap;	/* slots, a power of two, 0 before the first put */
	uint32_t	n;	/* keys present */
};

static inline uint64_t ls_umap_hash(uint64_t k)
{
	/* splitmix64's finaliser: addresses differ in few low bits */
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

static inline uint32_t ls_umap_get(const struct ls_umap *m, uint64_t key)
{
	uint32_t mask, i;

	if (!m->cap)
		return LS_UMAP_NONE;
	mask = m->cap - 1;
	for (i = (uint32_t)ls_umap_hash(key) & mask;; i = (i + 1) & mask) {
		if (m->keys[i] == key)
			return m->vals[i];
		if (m->keys[i] == LS_UMAP_EMPTY)
			return LS_UMAP_NONE;
	}
}

/* Insert or overwrite.  0 or -ENOMEM. */
int	ls_umap_put(struct ls_umap *m, uint64_t key, uint32_t val);
/* Make dst an exact copy of src, reusing dst's memory.  0 or -ENOMEM. */
int	ls_umap_copy(struct ls_umap *dst, const struct ls_umap *src);
void	ls_umap_free(struct ls_umap *m);
size_t	ls_umap_bytes(const struct ls_umap *m);

/*
 * Make room for need elements of size bytes in the array *p of capacity
 * *cap, doubling; 0 or -ENOMEM (then *p and *cap are unchanged).  The
 * growable arrays of viz/ (model, detectors, clocks, UI) go through here.
 */
int	ls__grow(void **p, uint32_t *cap, uint32_t need, size_t size);

#endif /* LS_VIZ_MODEL_MAP_H */
