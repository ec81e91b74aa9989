// SPDX-License-Identifier: MIT
/*
 * trace_work.c - the traced programs of the tracing benchmarks (bench/run
 * --trace, docs/performance.md "Tracing").  Linked with liblockstep.a and
 * nothing else, as a student's program is, so that `lockstep record` and
 * `lockstep run` attach to it exactly as they would to an exercise.
 *
 *	bench-trace-work emit KIND N
 *		N operations of KIND in a tight loop (after 10000 untimed ones):
 *		  store	 ls_store: one mem_store event per operation
 *		  name	 ls_set_name: one go_name event
 *		  mutex	 an uncontended Lock+Unlock: four events (mutex_state
 *			 and mutex_acquire, mutex_state and mutex_unlock)
 *	bench-trace-work pace KIND RATE SECONDS THREADS
 *		RATE events per second in all for SECONDS, from THREADS
 *		goroutines: each tops its own share up every millisecond
 *		(clock_nanosleep to an absolute deadline) and never runs ahead.
 *		A producer that cannot keep up falls behind; the achieved rate
 *		is printed.
 *	bench-trace-work mix WORKERS ITERS WORK
 *		WORKERS goroutines, ITERS rounds each of: WORK rounds of local
 *		work (bench_local_work), then Lock, ls_load and ls_store of a
 *		counter, Unlock, and a send on a channel of 16 that main
 *		receives from.  There are four counters, each with its mutex;
 *		a goroutine moves to the next one every round.  A WaitGroup
 *		ends it; the counters and the sum received are checked.
 *
 * Every mode ends with one line on stdout, "result" and key=value pairs:
 *	result mode=emit kind=store ops=1000000 events=1000000 ns=2345678
 * where ns is the time of the measured loop only (start-up, the tracer's
 * attach and exit are outside it) and events what the loop emitted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lockstep/lockstep.h>

#include "bench.h"

#define BENCH_PROG "bench-trace-work"
#include "trace_common.h"

#define WARMUP_OPS	10000
#define PACE_PERIOD_NS	1000000		/* 1 ms */
#define MIX_MAX_WORKERS	256
#define MIX_CHAN_CAP	16
#define MIX_LOCKS	4

/* ---- one kind of operation ---- */

enum kind { K_STORE, K_NAME, K_MUTEX };

static const struct {
	const char	*name;
	unsigned	events;		/* per operation */
} kinds[] = {
	[K_STORE] = { "store", 1 },
	[K_NAME] = { "name", 1 },
	[K_MUTEX] = { "mutex", 4 },
};

static enum kind parse_kind(const char *s)
{
	for (unsigned k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (!strcmp(s, kinds[k].name))
			return (enum kind)k;
	die("unknown kind '%s' (store, name, mutex)", s);
}

struct op_state {
	struct ls_mutex	mu;
	int64_t		var;
};

static void ops(enum kind k, struct op_state *st, uint64_t n)
{
	switch (k) {
	case K_STORE:
		for (uint64_t i = 0; i < n; i++)
			ls_store(&st->var, (int64_t)i, "v");
		break;
	case K_NAME:
		for (uint64_t i = 0; i < n; i++)
			ls_set_name(i & 1 ? "odd" : "even");
		break;
	case K_MUTEX:
		for (uint64_t i = 0; i < n; i++) {
			ls_mutex_lock(&st->mu);
			ls_mutex_unlock(&st->mu);
		}
		break;
	}
}

static int cmd_emit(int argc, char **argv)
{
	static struct op_state st = { .mu = LS_MUTEX_INIT("mu") };
	enum kind k;
	uint64_t n;
	int64_t t0, t1;

	if (argc != 2)
		die("usage: emit KIND N");
	k = parse_kind(argv[0]);
	n = parse_u64(argv[1], "N");
	ops(k, &st, WARMUP_OPS);
	t0 = now_ns();
	ops(k, &st, n);
	t1 = now_ns();
	printf("result mode=emit kind=%s ops=%llu events=%llu warmup_events=%llu ns=%lld\n",
	       kinds[k].name, (unsigned long long)n,
	       (unsigned long long)n * kinds[k].events,
	       (unsigned long long)WARMUP_OPS * kinds[k].events, (long long)(t1 - t0));
	return 0;
}

/* ---- pace ---- */

struct pacer {
	enum kind	k;
	double		ops_per_ns;	/* this goroutine's share */
	int64_t		start, end;
	uint64_t	done;		/* operations */
	int64_t		finished;
	int64_t		max_lag;	/* worst operations behind schedule */
	struct ls_waitgroup *wg;
	struct op_state	st;
} __attribute__((aligned(128)));

static void pace_worker(void *arg)
{
	struct pacer *p = arg;
	struct timespec ts;

	for (int64_t tick = 1;; tick++) {
		int64_t next = p->start + tick * PACE_PERIOD_NS;
		uint64_t want;

		if (next > p->end)
			break;
		want = (uint64_t)(p->ops_per_ns * (double)(next - p->start));
		if (want > p->done) {
			if ((int64_t)(want - p->done) > p->max_lag)
				p->max_lag = (int64_t)(want - p->done);
			ops(p->k, &p->st, want - p->done);
			p->done = want;
		}
		ts.tv_sec = next / 1000000000;
		ts.tv_nsec = next % 1000000000;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
	}
	p->finished = now_ns();
	ls_waitgroup_done(p->wg);
}

static int cmd_pace(int argc, char **argv)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("pacers");
	struct pacer *p;
	uint64_t rate, secs, threads, events = 0;
	int64_t start, last = 0, lag = 0;
	enum kind k;

	if (argc != 4)
		die("usage: pace KIND RATE SECONDS THREADS");
	k = parse_kind(argv[0]);
	rate = parse_u64(argv[1], "RATE");
	secs = parse_u64(argv[2], "SECONDS");
	threads = parse_u64(argv[3], "THREADS");
	if (!rate || !secs || !threads || threads > 64)
		die("RATE, SECONDS and THREADS (<= 64) must be positive");
	p = aligned_alloc(128, threads * sizeof(*p));
	if (!p)
		die("out of memory");
	/* A little ahead: every goroutine exists before the clock starts. */
	start = now_ns() + 20 * PACE_PERIOD_NS;
	for (uint64_t i = 0; i < threads; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		p[i].k = k;
		p[i].ops_per_ns = (double)rate / kinds[k].events / 1e9 / (double)threads;
		p[i].start = start;
		p[i].end = start + (int64_t)secs * 1000000000;
		p[i].wg = &wg;
		ls_mutex_init(&p[i].st.mu, "mu");
		ls_waitgroup_add(&wg, 1);
		if (ls_go(pace_worker, &p[i], "pacer"))
			die("cannot start a goroutine");
	}
	ls_waitgroup_wait(&wg);
	for (uint64_t i = 0; i < threads; i++) {
		events += p[i].done * kinds[k].events;
		if (p[i].finished > last)
			last = p[i].finished;
		if (p[i].max_lag > lag)
			lag = p[i].max_lag;
	}
	printf("result mode=pace kind=%s rate=%llu threads=%llu events=%llu ns=%lld "
	       "achieved=%.0f max_lag_events=%lld\n", kinds[k].name,
	       (unsigned long long)rate, (unsigned long long)threads,
	       (unsigned long long)events, (long long)(last - start),
	       (double)events * 1e9 / (double)(last - start),
	       (long long)lag * kinds[k].events);
	free(p);
	return 0;
}

/* ---- mix ---- */

struct mix_slot {
	struct ls_mutex		mu;
	int64_t			counter;
	const char		*name;
} __attribute__((aligned(128)));

struct mix {
	struct mix_slot		slot[MIX_LOCKS];
	struct ls_chan		*ch;
	struct ls_waitgroup	wg;
	uint64_t		workers;
	uint64_t		iters;
	int			work;
	uint64_t		next_id;
};

static void mix_worker(void *arg)
{
	struct mix *m = arg;
	uint64_t id = __atomic_fetch_add(&m->next_id, 1, __ATOMIC_RELAXED);
	int64_t foo = 1;

	for (uint64_t i = 0; i < m->iters; i++) {
		struct mix_slot *s = &m->slot[(id + i) % MIX_LOCKS];

		foo = bench_local_work(foo, m->work);
		ls_mutex_lock(&s->mu);
		ls_store(&s->counter, ls_load(&s->counter, s->name) + 1, s->name);
		ls_mutex_unlock(&s->mu);
		ls_chan_send(m->ch, &i);
	}
	ls_waitgroup_done(&m->wg);
}

static int cmd_mix(int argc, char **argv)
{
	static struct mix m = {
		.slot = {
			{ .mu = LS_MUTEX_INIT("mu0"), .name = "count0" },
			{ .mu = LS_MUTEX_INIT("mu1"), .name = "count1" },
			{ .mu = LS_MUTEX_INIT("mu2"), .name = "count2" },
			{ .mu = LS_MUTEX_INIT("mu3"), .name = "count3" },
		},
		.wg = LS_WAITGROUP_INIT("workers"),
	};
	uint64_t got = 0, v, sum = 0;
	int64_t t0, t1, total = 0;

	if (argc != 3)
		die("usage: mix WORKERS ITERS WORK");
	m.workers = parse_u64(argv[0], "WORKERS");
	m.iters = parse_u64(argv[1], "ITERS");
	m.work = (int)parse_u64(argv[2], "WORK");
	if (!m.workers || m.workers > MIX_MAX_WORKERS)
		die("WORKERS must be 1..%d", MIX_MAX_WORKERS);
	m.ch = ls_chan_make(sizeof(uint64_t), MIX_CHAN_CAP, "results");
	if (!m.ch)
		die("cannot make a channel");
	t0 = now_ns();
	for (uint64_t i = 0; i < m.workers; i++) {
		ls_waitgroup_add(&m.wg, 1);
		if (ls_go(mix_worker, &m, "worker"))
			die("cannot start a goroutine");
	}
	while (got < m.workers * m.iters && ls_chan_recv(m.ch, &v)) {
		sum += v;
		got++;
	}
	ls_waitgroup_wait(&m.wg);
	t1 = now_ns();
	for (int i = 0; i < MIX_LOCKS; i++)
		total += m.slot[i].counter;
	if (total != (int64_t)(m.workers * m.iters) ||
	    sum != m.workers * (m.iters * (m.iters - 1) / 2)) {
		fprintf(stderr, "bench-trace-work: mix: counter %lld, expected %llu\n",
			(long long)total, (unsigned long long)(m.workers * m.iters));
		return 1;
	}
	printf("result mode=mix workers=%llu iters=%llu work=%d ns=%lld\n",
	       (unsigned long long)m.workers, (unsigned long long)m.iters, m.work,
	       (long long)(t1 - t0));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "emit"))
		return cmd_emit(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "pace"))
		return cmd_pace(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "mix"))
		return cmd_mix(argc - 2, argv + 2);
	fprintf(stderr, "usage: bench-trace-work emit KIND N\n"
		"       bench-trace-work pace KIND RATE SECONDS THREADS\n"
		"       bench-trace-work mix WORKERS ITERS WORK\n");
	return 2;
}
