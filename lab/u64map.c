// SPDX-License-Identifier: MIT
/*
 * u64map.c - see u64map.h.  A slot is { u64 key; u64 used; value }.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "u64map.h"

#define SLOT_HDR	16

static size_t slot_size(const struct ls_u64map *m)
{
	return SLOT_HDR + ((m->vsize + 7) & ~(size_t)7);
}

static unsigned char *slot(const struct ls_u64map *m, size_t i)
{
	return m->slots + i * slot_size(m);
}

static uint64_t *slot_key(unsigned char *s)
{
	return (uint64_t *)s;
}

static bool slot_used(unsigned char *s)
{
	return ((uint64_t *)s)[1] != 0;
}

static size_t hash64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)k;
}

void ls_u64map_init(struct ls_u64map *m, size_t vsize)
{
	memset(m, 0, sizeof(*m));
	m->vsize = vsize;
}

/* The slot holding key, or the empty slot where it would go. */
static unsigned char *probe(const struct ls_u64map *m, uint64_t key)
{
	for (size_t i = hash64(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		unsigned char *s = slot(m, i);

		if (!slot_used(s) || *slot_key(s) == key)
			return s;
	}
}

void *ls_u64map_find(const struct ls_u64map *m, uint64_t key)
{
	unsigned char *s;

	if (!m->cap)
		return NULL;
	s = probe(m, key);
	return slot_used(s) ? s + SLOT_HDR : NULL;
}

static int grow(struct ls_u64map *m)
{
	struct ls_u64map big = *m;

	big.cap = m->cap ? 2 * m->cap : 64;
	big.len = m->len;
	big.slots = calloc(big.cap, slot_size(m));
	if (!big.slots)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		unsigned char *s = slot(m, i);

		if (slot_used(s))
			memcpy(probe(&big, *slot_key(s)), s, slot_size(m));
	}
	free(m->slots);
	*m = big;
	return 0;
}

void *ls_u64map_get(struct ls_u64map *m, uint64_t key)
{
	unsigned char *s;

	if (m->cap) {
		s = probe(m, key);
		if (slot_used(s))
			return s + SLOT_HDR;
	}
	if (2 * (m->len + 1) > m->cap && grow(m))
		return NULL;
	s = probe(m, key);
	*slot_key(s) = key;
	((uint64_t *)s)[1] = 1;
	m->len++;
	return s + SLOT_HDR;
}

void ls_u64map_free(struct ls_u64map *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->len = 0;
}
