/* SPDX-License-Identifier: MIT */
/*
 * bench.h - a small benchmark harness in the manner of Go's testing.B.
 *
 * A benchmark is a function of a struct bench_b that does b->n iterations
 * of the operation being measured; the harness grows n until one run lasts
 * at least the bench time (env BENCH_TIME, Go's -benchtime syntax: "1s",
 * "500ms" or "1000x" for a fixed count) and prints Go's result line:
 *
 *	BenchmarkMutex-2   	 1000000	        52.3 ns/op
 *
 * so that one parser reads the C and the Go columns alike.
 *
 * bench_run_parallel() is Go's b.RunParallel: P workers (P = the CPUs this
 * process may run on, or env BENCH_PROCS; times bench_set_parallelism's k)
 * pull iterations in grains from one shared atomic counter, through
 * bench_pb_next(), exactly as testing.PB.Next does.  The grain is the number
 * of iterations the previous run did in 100 us, clamped to [1, 10000].
 *
 * Workers are started by bench_go(), which each implementation defines:
 * pthread_create for the pthread anchor, ls_go for liblockstep (so that the
 * workers are lockstep goroutines).  One deliberate difference from Go: the
 * workers wait at a start gate until all of them exist, and the clock starts
 * when the gate opens, so that thread creation (tens of microseconds per
 * thread, against Go's one for a goroutine) is not measured.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdbool.h>
#include <stdint.h>

struct bench_b {
	uint64_t	n;		/* b.N: iterations to do in this run */
	int		parallelism;	/* b.SetParallelism */
	int64_t		start;		/* clock at the last timer start */
	int64_t		duration;	/* accumulated while the timer ran */
	bool		timer_on;
	uint64_t	prev_n;		/* the previous run, for the grain */
	int64_t		prev_duration;
};

struct bench_pb {
	uint64_t	*global_n;	/* iterations handed out so far */
	uint64_t	grain;
	uint64_t	bn;
	uint64_t	cache;		/* iterations left in this grain */
};

/* testing.PB.Next: true while this worker should do one more iteration. */
static inline bool bench_pb_next(struct bench_pb *pb)
{
	if (pb->cache == 0) {
		uint64_t n = __atomic_add_fetch(pb->global_n, pb->grain,
						__ATOMIC_SEQ_CST);

		if (n <= pb->bn)
			pb->cache = pb->grain;
		else if (n < pb->bn + pb->grain)
			pb->cache = pb->bn + pb->grain - n;
		else
			return false;
	}
	pb->cache--;
	return true;
}

/* "Work 100" of Go's shapes: foo *= 2; foo /= 2, kept from the optimiser. */
static inline int64_t bench_local_work(int64_t foo, int rounds)
{
	for (int i = 0; i < rounds; i++) {
		foo = (int64_t)((uint64_t)foo * 2);
		foo /= 2;
		__asm__ volatile("" : "+r"(foo));
	}
	return foo;
}

typedef void bench_fn(struct bench_b *b);
typedef void bench_body_fn(struct bench_pb *pb, void *arg);

void	bench_register(const char *name, bench_fn *fn);
void	bench_run_parallel(struct bench_b *b, bench_body_fn *body, void *arg);
void	bench_set_parallelism(struct bench_b *b, int p);
void	bench_reset_timer(struct bench_b *b);
void	bench_start_timer(struct bench_b *b);
void	bench_stop_timer(struct bench_b *b);
int	bench_procs(void);		/* GOMAXPROCS */
void	bench_fatal(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

/*
 * Defined by the implementation (impl-*.c): start fn(arg) on a new detached
 * thread of that implementation.  0 or -errno.
 */
int	bench_go(void (*fn)(void *arg), void *arg);
/* The implementation's name, printed in the header ("pthread", ...). */
extern const char bench_impl_name[];

/* Declare and register a benchmark: BENCH(Mutex) { ... b->n ... } */
#define BENCH(nm)							\
	static void bench_##nm(struct bench_b *b);			\
	__attribute__((constructor)) static void bench_reg_##nm(void)	\
	{								\
		bench_register(#nm, bench_##nm);			\
	}								\
	static void bench_##nm(struct bench_b *b)

#endif /* BENCH_H */
