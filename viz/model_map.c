// SPDX-License-Identifier: MIT
/*
 * model_map.c - the open-addressing map of model_map.h.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "model_map.h"

#define MIN_CAP	16

static int rehash(struct ls_umap *m, uint32_t cap)
{
	uint64_t *keys = malloc((size_t)cap * sizeof(*keys));
	uint32_t *vals = malloc((size_t)cap * sizeof(*vals));
	uint32_t mask = cap - 1;

	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	memset(keys, 0xff, (size_t)cap * sizeof(*keys));
	for (uint32_t j = 0; j < m->cap; j++) {
		uint32_t i;

		if (m->keys[j] == LS_UMAP_EMPTY)
			continue;
		for (i = (uint32_t)ls_umap_hash(m->keys[j]) & mask;
		     keys[i] != LS_UMAP_EMPTY; i = (i + 1) & mask)
			;
		keys[i] = m->keys[j];
		vals[i] = m->vals[j];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = cap;
	return 0;
}

int ls_umap_put(struct ls_umap *m, uint64_t key, uint32_t val)
{
	uint32_t mask, i;

	/* Grow at 70%: linear probing degrades quickly beyond that. */
	if ((uint64_t)(m->n + 1) * 10 > (uint64_t)m->cap * 7) {
		int err = rehash(m, m->cap ? m->cap * 2 : MIN_CAP);

		if (err)
			return err;
	}
	mask = m->cap - 1;
	for (i = (uint32_t)ls_umap_hash(key) & mask;; i = (i + 1) & mask) {
		if (m->keys[i] == key) {
			m->vals[i] = val;
			return 0;
		}
		if (m->keys[i] == LS_UMAP_EMPTY)
			break;
	}
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
	return 0;
}

int ls_umap_copy(struct ls_umap *dst, const struct ls_umap *src)
{
	if (dst->cap != src->cap) {
		uint64_t *keys = NULL;
		uint32_t *vals = NULL;

		if (src->cap) {
			keys = malloc((size_t)src->cap * sizeof(*keys));
			vals = malloc((size_t)src->cap * sizeof(*vals));
			if (!keys || !vals) {
				free(keys);
				free(vals);
				return -ENOMEM;
			}
		}
		free(dst->keys);
		free(dst->vals);
		dst->keys = keys;
		dst->vals = vals;
		dst->cap = src->cap;
	}
	if (src->cap) {
		memcpy(dst->keys, src->keys, (size_t)src->cap * sizeof(*dst->keys));
		memcpy(dst->vals, src->vals, (size_t)src->cap * sizeof(*dst->vals));
	}
	dst->n = src->n;
	return 0;
}

void ls_umap_free(struct ls_umap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

size_t ls_umap_bytes(const struct ls_umap *m)
{
	return (size_t)m->cap * (sizeof(*m->keys) + sizeof(*m->vals));
}

int ls__grow(void **p, uint32_t *cap, uint32_t need, size_t size)
{
	uint32_t ncap;
	void *np;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 8;
	while (ncap < need)
		ncap *= 2;
	np = realloc(*p, (size_t)ncap * size);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}
