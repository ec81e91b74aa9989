// SPDX-License-Identifier: MIT
/*
 * bench.c - the benchmark runner (Go: src/testing/benchmark.go).
 *
 *	bench-IMPL [-l] [REGEX]
 *
 * runs every registered benchmark whose name matches REGEX (POSIX extended,
 * unanchored, like go test -bench; default: env BENCH_FILTER, or all), and
 * prints one Go-style result line each.  -l lists the names and exits.
 *
 * Environment:
 *	BENCH_TIME	"1s" (default), "500ms", "2.5s", ... or a count, "1000x"
 *	BENCH_PROCS	P, the GOMAXPROCS of RunParallel (default: usable CPUs)
 *
 * N grows as in B.launch: the next N is the goal time times the previous
 * N over the previous duration, plus a fifth, at most 100 times the previous
 * N, at least one more, at most 1e9; it stops at the first run that lasted
 * the bench time.  With "Nx" it runs N = 1, then N = the given count.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <regex.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define MAX_BENCHES	64
#define MAX_N		1000000000ull

struct bench_def {
	const char	*name;
	bench_fn	*fn;
};

static struct bench_def benches[MAX_BENCHES];
static int nr_benches;
static int procs;
static int64_t bench_time_ns = 1000000000;
static uint64_t bench_time_n;		/* "Nx": fixed count, else 0 */

void bench_fatal(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void bench_register(const char *name, bench_fn *fn)
{
	if (nr_benches == MAX_BENCHES)
		bench_fatal("too many benchmarks (raise MAX_BENCHES)");
	benches[nr_benches].name = name;
	benches[nr_benches].fn = fn;
	nr_benches++;
}

static int64_t bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int bench_procs(void)
{
	return procs;
}

void bench_start_timer(struct bench_b *b)
{
	if (!b->timer_on) {
		b->start = bench_now();
		b->timer_on = true;
	}
}

void bench_stop_timer(struct bench_b *b)
{
	if (b->timer_on) {
		b->duration += bench_now() - b->start;
		b->timer_on = false;
	}
}

void bench_reset_timer(struct bench_b *b)
{
	if (b->timer_on)
		b->start = bench_now();
	b->duration = 0;
}

void bench_set_parallelism(struct bench_b *b, int p)
{
	if (p >= 1)
		b->parallelism = p;
}

/* ---- RunParallel ---- */

struct par {
	pthread_mutex_t	mu;
	pthread_cond_t	cv;
	bool		open;		/* the start gate */
	int		left;		/* workers still running */
	uint64_t	global_n;
	uint64_t	grain;
	uint64_t	bn;
	bench_body_fn	*body;
	void		*arg;
};

static void par_worker(void *arg)
{
	struct par *par = arg;
	struct bench_pb pb = {
		.global_n = &par->global_n,
		.grain = par->grain,
		.bn = par->bn,
	};

	pthread_mutex_lock(&par->mu);
	while (!par->open)
		pthread_cond_wait(&par->cv, &par->mu);
	pthread_mutex_unlock(&par->mu);

	par->body(&pb, par->arg);

	pthread_mutex_lock(&par->mu);
	if (--par->left == 0)
		pthread_cond_broadcast(&par->cv);
	pthread_mutex_unlock(&par->mu);
}

void bench_run_parallel(struct bench_b *b, bench_body_fn *body, void *arg)
{
	struct par par = {
		.mu = PTHREAD_MUTEX_INITIALIZER,
		.cv = PTHREAD_COND_INITIALIZER,
		.bn = b->n,
		.body = body,
		.arg = arg,
	};
	int64_t t0, t1;
	int nr, err;

	if (b->n == 0)
		return;
	/* Iterations done in ~100 us last time, in [1, 1e4]. */
	par.grain = 0;
	if (b->prev_n > 0 && b->prev_duration > 0)
		par.grain = 100000 * b->prev_n / (uint64_t)b->prev_duration;
	if (par.grain < 1)
		par.grain = 1;
	if (par.grain > 10000)
		par.grain = 10000;

	nr = b->parallelism * procs;
	par.left = nr;
	t0 = bench_now();
	for (int i = 0; i < nr; i++) {
		err = bench_go(par_worker, &par);
		if (err)
			bench_fatal("starting worker %d of %d: %s", i + 1, nr,
				    strerror(-err));
	}
	pthread_mutex_lock(&par.mu);
	t1 = bench_now();
	if (b->timer_on)
		b->start += t1 - t0;	/* do not count thread creation */
	par.open = true;
	pthread_cond_broadcast(&par.cv);
	while (par.left)
		pthread_cond_wait(&par.cv, &par.mu);
	pthread_mutex_unlock(&par.mu);
}

/*
 * Loop: RunParallel with an empty body, the harness's own cost per
 * iteration (bench/run --instr subtracts it from the other shapes).
 */
static void loop_body(struct bench_pb *pb, void *arg)
{
	while (bench_pb_next(pb))
		__asm__ volatile("");
}

BENCH(Loop)
{
	bench_run_parallel(b, loop_body, NULL);
}

/* ---- the runner ---- */

static void run_n(struct bench_b *b, bench_fn *fn, uint64_t n)
{
	b->n = n;
	b->parallelism = 1;
	b->duration = 0;
	b->timer_on = false;
	bench_start_timer(b);
	fn(b);
	bench_stop_timer(b);
	b->prev_n = n;
	b->prev_duration = b->duration;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static void run_bench(const struct bench_def *d, int namew)
{
	struct bench_b b = { 0 };
	char name[128];

	run_n(&b, d->fn, 1);
	if (bench_time_n) {
		if (bench_time_n > 1)
			run_n(&b, d->fn, bench_time_n);
	} else {
		uint64_t n = 1;

		while (b.duration < bench_time_ns && n < MAX_N) {
			uint64_t last = n;
			int64_t prevns = b.duration > 0 ? b.duration : 1;

			n = (uint64_t)((__int128)bench_time_ns * b.n / prevns);
			n += n / 5;
			n = min_u64(n, 100 * last);
			n = max_u64(n, last + 1);
			n = min_u64(n, MAX_N);
			run_n(&b, d->fn, n);
		}
	}
	if (procs != 1)
		snprintf(name, sizeof(name), "Benchmark%s-%d", d->name, procs);
	else
		snprintf(name, sizeof(name), "Benchmark%s", d->name);
	printf("%-*s\t%10llu\t%12.2f ns/op\n", namew, name,
	       (unsigned long long)b.n, (double)b.duration / (double)b.n);
	fflush(stdout);
}

/* Go's duration syntax, the subset -benchtime needs: 1s, 500ms, 1.5s, 100x. */
static void parse_bench_time(const char *s)
{
	static const struct { const char *unit; double ns; } units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
		{ "m", 60e9 },
	};
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || v <= 0)
		goto bad;
	if (!strcmp(end, "x")) {
		if (v != (double)(uint64_t)v)
			goto bad;
		bench_time_n = (uint64_t)v;
		return;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(end, units[i].unit)) {
			bench_time_ns = (int64_t)(v * units[i].ns);
			return;
		}
	}
bad:
	bench_fatal("BENCH_TIME=%s: want a duration (1s, 500ms) or a count (1000x)", s);
}

static int usable_cpus(void)
{
	cpu_set_t set;
	long n;

	if (!sched_getaffinity(0, sizeof(set), &set) && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-%s [-l] [REGEX]\n"
		"  env BENCH_TIME=1s|500ms|1000x  BENCH_PROCS=P  BENCH_FILTER=REGEX\n",
		bench_impl_name);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *filter = getenv("BENCH_FILTER");
	const char *s;
	bool list = false;
	regex_t re;
	int namew = 0, err;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-l"))
			list = true;
		else if (argv[i][0] == '-')
			usage();
		else
			filter = argv[i];
	}
	if (filter && !*filter)
		filter = NULL;
	if (filter) {
		err = regcomp(&re, filter, REG_EXTENDED | REG_NOSUB);
		if (err) {
			char msg[128];

			regerror(err, &re, msg, sizeof(msg));
			bench_fatal("bad regex '%s': %s", filter, msg);
		}
	}

	procs = usable_cpus();
	s = getenv("BENCH_PROCS");
	if (s && *s) {
		procs = atoi(s);
		if (procs < 1)
			bench_fatal("BENCH_PROCS=%s: want a positive count", s);
	}
	s = getenv("BENCH_TIME");
	if (s && *s)
		parse_bench_time(s);

	for (int i = 0; i < nr_benches; i++) {
		int w = (int)strlen(benches[i].name) + 9 + 4;

		if (w > namew)
			namew = w;
	}
	if (!list)
		printf("impl: %s\nprocs: %d\n", bench_impl_name, procs);
	for (int i = 0; i < nr_benches; i++) {
		if (filter && regexec(&re, benches[i].name, 0, NULL, 0))
			continue;
		if (list)
			printf("%s\n", benches[i].name);
		else
			run_bench(&benches[i], namew);
	}
	if (filter)
		regfree(&re);
	return 0;
}
