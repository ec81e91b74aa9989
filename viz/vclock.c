// SPDX-License-Identifier: MIT
/*
 * vclock.c - growable vector clocks (see vclock.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vclock.h"

static int reserve(struct ls_vclock *v, uint32_t n)
{
	uint32_t cap;
	uint32_t *c;

	if (n <= v->cap)
		goto out_zero;
	cap = v->cap ? v->cap : 8;
	while (cap < n)
		cap *= 2;
	c = realloc(v->c, (size_t)cap * sizeof(*c));
	if (!c)
		return -ENOMEM;
	v->c = c;
	v->cap = cap;
out_zero:
	if (n > v->n) {
		memset(v->c + v->n, 0, (size_t)(n - v->n) * sizeof(*v->c));
		v->n = n;
	}
	return 0;
}

int ls_vc_set(struct ls_vclock *v, uint32_t i, uint32_t val)
{
	int err = reserve(v, i + 1);

	if (err)
		return err;
	v->c[i] = val;
	return 0;
}

int ls_vc_tick(struct ls_vclock *v, uint32_t i)
{
	return ls_vc_set(v, i, ls_vc_get(v, i) + 1);
}

int ls_vc_join(struct ls_vclock *dst, const struct ls_vclock *src)
{
	int err = reserve(dst, src->n);

	if (err)
		return err;
	/* A plain loop: the compiler vectorises it. */
	for (uint32_t i = 0; i < src->n; i++)
		dst->c[i] = dst->c[i] > src->c[i] ? dst->c[i] : src->c[i];
	return 0;
}

int ls_vc_copy(struct ls_vclock *dst, const struct ls_vclock *src)
{
	int err = reserve(dst, src->n);

	if (err)
		return err;
	if (src->n)
		memcpy(dst->c, src->c, (size_t)src->n * sizeof(*dst->c));
	if (dst->n > src->n)
		memset(dst->c + src->n, 0, (size_t)(dst->n - src->n) * sizeof(*dst->c));
	return 0;
}

bool ls_vc_leq(const struct ls_vclock *a, const struct ls_vclock *b)
{
	for (uint32_t i = 0; i < a->n; i++)
		if (a->c[i] > ls_vc_get(b, i))
			return false;
	return true;
}

void ls_vc_free(struct ls_vclock *v)
{
	free(v->c);
	memset(v, 0, sizeof(*v));
}
