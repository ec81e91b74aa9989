// SPDX-License-Identifier: MIT
/*
 * chan.c - the channel shapes of Go's own benchmarks (src/runtime/
 * chan_test.go), liblockstep only: there is no pthread channel to compare
 * with, so these rows are measured against Go alone.  bench/go/chan_test.go
 * holds the Go twins.  Elements are int64_t where Go's are int.
 *
 * Shapes that start their own goroutines (ChanSync, ChanProdCons*,
 * ChanPopular) stop the clock while they create them: an OS thread costs
 * tens of microseconds to create, a goroutine about one.  They join through
 * a `done` channel, as Go's do, and never free it: a goroutine's last send
 * on it may still be on its way out of ls_chan_send when the main receive
 * returns, so no moment is provably safe (Go has a collector for that).
 * One small channel per run is all that leaks.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "bench.h"
#include "impl.h"

#if BENCH_HAVE_CHAN

#define CALLS_PER_SCHED	1000

static struct ls_chan *make_chan(size_t elem_size, size_t cap)
{
	struct ls_chan *c = ls_chan_make(elem_size, cap, "myc");

	if (!c)
		bench_fatal("ls_chan_make(%zu, %zu) failed", elem_size, cap);
	return c;
}

static void go(struct bench_b *b, void (*fn)(void *arg), void *arg)
{
	int err;

	bench_stop_timer(b);
	err = bench_go(fn, arg);
	if (err)
		bench_fatal("starting a goroutine: error %d", err);
	bench_start_timer(b);
}

/* A non-blocking receive on an empty unbuffered channel: the fast fail. */
static void chan_nonblocking(struct bench_pb *pb, void *p)
{
	struct ls_chan *myc = p;
	int64_t v;
	bool ok;

	while (bench_pb_next(pb))
		ls_chan_tryrecv(myc, &v, &ok);
}

BENCH(ChanNonblocking)
{
	struct ls_chan *myc = make_chan(sizeof(int64_t), 0);

	bench_run_parallel(b, chan_nonblocking, myc);
	ls_chan_free(myc);
}

/* A private pair of capacity-1 channels ping-ponging one token. */
static void select_uncontended(struct bench_pb *pb, void *arg)
{
	struct ls_chan *myc1 = make_chan(sizeof(int64_t), 1);
	struct ls_chan *myc2 = make_chan(sizeof(int64_t), 1);
	int64_t v = 0, zero = 0;
	struct ls_case cases[2] = {
		{ .ch = myc1, .dir = LS_RECV, .elem = &v },
		{ .ch = myc2, .dir = LS_RECV, .elem = &v },
	};

	ls_chan_send(myc1, &zero);
	while (bench_pb_next(pb)) {
		if (ls_select(cases, 2, true) == 0)
			ls_chan_send(myc2, &zero);
		else
			ls_chan_send(myc1, &zero);
	}
	ls_chan_free(myc1);
	ls_chan_free(myc2);
}

BENCH(SelectUncontended)
{
	bench_run_parallel(b, select_uncontended, NULL);
}

/* 100 sends, then 100 receives, on a channel of capacity 100. */
static void send_recv_100(struct ls_chan *myc)
{
	int64_t v = 0;

	for (int i = 0; i < 100; i++)
		ls_chan_send(myc, &v);
	for (int i = 0; i < 100; i++)
		ls_chan_recv(myc, &v);
}

static void chan_uncontended(struct bench_pb *pb, void *arg)
{
	struct ls_chan *myc = make_chan(sizeof(int64_t), 100);

	while (bench_pb_next(pb))
		send_recv_100(myc);
	ls_chan_free(myc);
}

BENCH(ChanUncontended)
{
	bench_run_parallel(b, chan_uncontended, NULL);
}

static void chan_contended(struct bench_pb *pb, void *p)
{
	while (bench_pb_next(pb))
		send_recv_100(p);
}

BENCH(ChanContended)
{
	struct ls_chan *myc = make_chan(sizeof(int64_t), 100 * (size_t)bench_procs());

	bench_run_parallel(b, chan_contended, myc);
	ls_chan_free(myc);
}

struct sync_arg {
	struct ls_chan	*myc;		/* unbuffered: the ping-pong */
	struct ls_chan	*done;
	int32_t		n;		/* chunks of CALLS_PER_SCHED left */
};

/* Two goroutines hand a token back and forth on an unbuffered channel. */
static void chan_sync_worker(void *p)
{
	struct sync_arg *a = p;
	int64_t v = 0;
	bool t = true;
	int32_t i;

	while ((i = __atomic_sub_fetch(&a->n, 1, __ATOMIC_SEQ_CST)) >= 0) {
		for (int g = 0; g < CALLS_PER_SCHED; g++) {
			if (i % 2 == 0) {
				ls_chan_recv(a->myc, &v);
				ls_chan_send(a->myc, &v);
			} else {
				ls_chan_send(a->myc, &v);
				ls_chan_recv(a->myc, &v);
			}
		}
	}
	ls_chan_send(a->done, &t);
}

BENCH(ChanSync)
{
	const int procs = 2;
	struct sync_arg a = {
		.myc = make_chan(sizeof(int64_t), 0),
		.done = make_chan(sizeof(bool), procs),
		.n = (int32_t)(b->n / CALLS_PER_SCHED / procs * procs),
	};

	for (int p = 0; p < procs; p++)
		go(b, chan_sync_worker, &a);
	for (int p = 0; p < procs; p++)
		ls_chan_recv(a.done, NULL);
	ls_chan_free(a.myc);
}

struct prodcons_arg {
	struct ls_chan	*myc;
	struct ls_chan	*done;
	int32_t		n;		/* chunks of CALLS_PER_SCHED left */
	int		work;
};

static void producer(void *p)
{
	struct prodcons_arg *a = p;
	int64_t one = 1, zero = 0, foo = 0;
	bool r;

	while (__atomic_sub_fetch(&a->n, 1, __ATOMIC_SEQ_CST) >= 0) {
		for (int g = 0; g < CALLS_PER_SCHED; g++) {
			foo = bench_local_work(foo, a->work);
			ls_chan_send(a->myc, &one);
		}
	}
	ls_chan_send(a->myc, &zero);
	r = foo == 42;
	ls_chan_send(a->done, &r);
}

static void consumer(void *p)
{
	struct prodcons_arg *a = p;
	int64_t v, foo = 0;
	bool r;

	for (;;) {
		ls_chan_recv(a->myc, &v);
		if (v == 0)
			break;
		foo = bench_local_work(foo, a->work);
	}
	r = foo == 42;
	ls_chan_send(a->done, &r);
}

/* P producers and P consumers on one channel; 0 ends a consumer. */
static void bench_prodcons(struct bench_b *b, size_t chan_size, int work)
{
	int procs = bench_procs();
	struct prodcons_arg a = {
		.myc = make_chan(sizeof(int64_t), chan_size),
		.done = make_chan(sizeof(bool), 2 * (size_t)procs),
		.n = (int32_t)(b->n / CALLS_PER_SCHED),
		.work = work,
	};

	for (int p = 0; p < procs; p++) {
		go(b, producer, &a);
		go(b, consumer, &a);
	}
	for (int p = 0; p < 2 * procs; p++)
		ls_chan_recv(a.done, NULL);
	ls_chan_free(a.myc);
}

BENCH(ChanProdCons0)
{
	bench_prodcons(b, 0, 0);
}

BENCH(ChanProdCons10)
{
	bench_prodcons(b, 10, 0);
}

BENCH(ChanProdCons100)
{
	bench_prodcons(b, 100, 0);
}

#define POPULAR	1000

struct popular {
	struct ls_chan	*c;		/* shared, never sent on */
	struct ls_chan	*done;
	uint64_t	n;
};

struct popular_g {
	struct popular	*pop;
	struct ls_chan	*d;		/* this goroutine's own channel */
};

static void popular_worker(void *p)
{
	struct popular_g *pg = p;
	bool v, t = true;
	struct ls_case cases[2] = {
		{ .ch = pg->pop->c, .dir = LS_RECV, .elem = &v },
		{ .ch = pg->d, .dir = LS_RECV, .elem = &v },
	};

	for (uint64_t i = 0; i < pg->pop->n; i++)
		ls_select(cases, 2, true);
	ls_chan_send(pg->pop->done, &t);
}

/*
 * 1000 goroutines each select on one shared idle channel and their own;
 * the benchmark feeds every own channel b.N times.  Go joins with a
 * WaitGroup; this joins with a buffered channel, so that the shape needs
 * channels only.
 */
BENCH(ChanPopular)
{
	struct popular pop = {
		.c = make_chan(sizeof(bool), 0),
		.done = make_chan(sizeof(bool), POPULAR),
		.n = b->n,
	};
	struct popular_g *gs = calloc(POPULAR, sizeof(*gs));
	bool t = true;

	if (!gs)
		bench_fatal("out of memory");
	for (int j = 0; j < POPULAR; j++) {
		gs[j].pop = &pop;
		gs[j].d = make_chan(sizeof(bool), 0);
		go(b, popular_worker, &gs[j]);
	}
	for (uint64_t i = 0; i < b->n; i++)
		for (int j = 0; j < POPULAR; j++)
			ls_chan_send(gs[j].d, &t);
	for (int j = 0; j < POPULAR; j++)
		ls_chan_recv(pop.done, NULL);
	for (int j = 0; j < POPULAR; j++)
		ls_chan_free(gs[j].d);
	ls_chan_free(pop.c);
	free(gs);
}

#endif /* BENCH_HAVE_CHAN */
