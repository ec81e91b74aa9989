// SPDX-License-Identifier: MIT
/*
 * impl-pthread.c - the pthread anchor's workers are plain detached pthreads.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "bench.h"

const char bench_impl_name[] = "pthread";

struct start {
	void	(*fn)(void *arg);
	void	*arg;
};

static void *trampoline(void *p)
{
	struct start st = *(struct start *)p;

	free(p);
	st.fn(st.arg);
	return NULL;
}

int bench_go(void (*fn)(void *arg), void *arg)
{
	struct start *st = malloc(sizeof(*st));
	pthread_attr_t attr;
	pthread_t th;
	int err;

	if (!st)
		return -ENOMEM;
	st->fn = fn;
	st->arg = arg;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&th, &attr, trampoline, st);
	pthread_attr_destroy(&attr);
	if (err) {
		free(st);
		return -err;
	}
	return 0;
}
