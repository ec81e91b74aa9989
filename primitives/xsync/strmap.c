// SPDX-License-Identifier: MIT
/*
 * strmap.c - the string-keyed hash table behind singleflight's call map,
 * sync.Map's read and dirty maps and the expiring cache.
 *
 * Open addressing with linear probing over a power-of-two slot array.  A
 * deleted key leaves a tombstone instead of shifting its neighbours, so a
 * scan that deletes as it goes (the cache janitor) never skips or repeats a
 * key.  The table grows (and drops its tombstones) when live keys plus
 * tombstones pass three quarters of the slots.  FNV-1a hashes the keys.
 *
 * Go's maps iterate in a random order; ours iterate in slot order, which is
 * what lets the cache janitor resume its bounded scan where it stopped.
 */
#include <string.h>

#include "internal.h"

static const char tomb_key[1];
#define TOMB	(&tomb_key[0])

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void rehash(struct ls__strmap *m, size_t newcap)
{
	struct ls__strmap_slot *old = m->slots;
	size_t oldcap = m->cap;

	m->slots = ls__xcalloc(newcap, sizeof(*m->slots));
	m->cap = newcap;
	m->used = m->len;
	for (size_t i = 0; i < oldcap; i++) {
		struct ls__strmap_slot *s = &old[i];
		size_t j;

		if (!s->key || s->key == TOMB)
			continue;
		for (j = s->hash & (newcap - 1); m->slots[j].key; j = (j + 1) & (newcap - 1))
			;
		m->slots[j] = *s;
	}
	free(old);
}

void ls__strmap_reserve(struct ls__strmap *m, size_t n)
{
	size_t cap = 8;

	while (cap * 3 / 4 < n + 1)
		cap *= 2;
	if (cap > m->cap)
		rehash(m, cap);
}

static struct ls__strmap_slot *lookup(const struct ls__strmap *m, const char *key,
				      uint64_t h)
{
	size_t mask = m->cap - 1;

	if (!m->cap)
		return NULL;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct ls__strmap_slot *s = &m->slots[i];

		if (!s->key)
			return NULL;
		if (s->key != TOMB && s->hash == h && !strcmp(s->key, key))
			return s;
	}
}

void *ls__strmap_get(const struct ls__strmap *m, const char *key)
{
	struct ls__strmap_slot *s;

	if (!m)
		return NULL;
	s = lookup(m, key, hash_str(key));
	return s ? s->val : NULL;
}

void *ls__strmap_put(struct ls__strmap *m, const char *key, void *val)
{
	uint64_t h = hash_str(key);
	struct ls__strmap_slot *s = lookup(m, key, h);
	struct ls__strmap_slot *tomb = NULL;
	size_t mask, i;
	void *old;

	if (s) {
		old = s->val;
		s->key = key;
		s->val = val;
		return old;
	}
	if ((m->used + 1) > m->cap * 3 / 4) {
		size_t cap = m->cap ? m->cap : 8;

		while (cap * 3 / 4 < (m->len + 1) * 2)
			cap *= 2;
		rehash(m, cap);
	}
	mask = m->cap - 1;
	for (i = h & mask; m->slots[i].key; i = (i + 1) & mask)
		if (m->slots[i].key == TOMB && !tomb)
			tomb = &m->slots[i];
	s = tomb ? tomb : &m->slots[i];
	if (!tomb)
		m->used++;
	s->hash = h;
	s->key = key;
	s->val = val;
	m->len++;
	return NULL;
}

void *ls__strmap_del(struct ls__strmap *m, const char *key)
{
	struct ls__strmap_slot *s;
	void *val;

	if (!m)
		return NULL;
	s = lookup(m, key, hash_str(key));
	if (!s)
		return NULL;
	val = s->val;
	s->key = TOMB;
	s->val = NULL;
	m->len--;
	return val;
}

bool ls__strmap_next(const struct ls__strmap *m, size_t *pos, const char **key,
		     void **val)
{
	if (!m)
		return false;
	for (size_t i = *pos; i < m->cap; i++) {
		const struct ls__strmap_slot *s = &m->slots[i];

		if (!s->key || s->key == TOMB)
			continue;
		*pos = i + 1;
		if (key)
			*key = s->key;
		if (val)
			*val = s->val;
		return true;
	}
	*pos = m->cap;
	return false;
}

void ls__strmap_destroy(struct ls__strmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
