/* SPDX-License-Identifier: MIT */
/*
 * trace_common.h - what the two tracing-benchmark programs share: the
 * measuring side (bench/trace.c) and the traced side (bench/trace_work.c).
 * Each defines BENCH_PROG (its name in error lines) before including this.
 */
#ifndef BENCH_TRACE_COMMON_H
#define BENCH_TRACE_COMMON_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One line on stderr, then exit 2: a benchmark that cannot run says why. */
static __attribute__((noreturn, format(printf, 1, 2), unused))
void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs(BENCH_PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* A whole number (decimal, or 0x hexadecimal), or die naming what. */
static inline uint64_t parse_u64(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		die("bad %s '%s'", what, s);
	return v;
}

#endif /* BENCH_TRACE_COMMON_H */
