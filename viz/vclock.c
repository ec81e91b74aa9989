// SPDX-License-Identifier: MIT
/*
 * vclock.c - growable vector clocks (see vclock.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model_map.h"
#include "vclock.h"

static int reserve(struct ls_vclock *v, uint32_t n)
{
	if (ls__grow((void **)&v->c, &v->cap, n, sizeof(*v->c)))
		return -ENOMEM;
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

void ls_vc_free(struct ls_vclock *v)
{
	free(v->c);
	memset(v, 0, sizeof(*v));
}
