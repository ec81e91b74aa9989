// SPDX-License-Identifier: MIT
/*
 * trace.c - the measuring side of the tracing and detector benchmarks
 * (bench/run --trace, docs/performance.md "Tracing" and "Detectors").  The
 * traced programs are in trace_work.c.
 *
 *	bench-trace ring [-c RECORDS] [-a] -- PROGRAM [ARGS...]
 *		Create an in-process ring (ls_ring_create, LS_RING_BLOCK as
 *		lockstep's shm transport does; default 65536 records) in a
 *		private directory, run PROGRAM with LOCKSTEP_TRACE=shm:PATH and
 *		drain it while it runs, throwing the records away: the ring's
 *		cost with the cheapest consumer there is.  -a: no LS_RING_BLOCK,
 *		and drain only after PROGRAM has exited (the ring must hold
 *		everything; for runs under valgrind, where a consumer that
 *		keeps pace would only add noise).
 *	bench-trace info [-v] FILE
 *		Records in a trace file, the trailer's loss count and the sum
 *		of its trace_lost records; -v: and how many of each event.
 *	bench-trace tracefile DIR N ROUNDS
 *		Write then read back an N-record trace file in DIR with
 *		lab/tracefile's writer and reader, ROUNDS times.
 *	bench-trace detect [--no-race] [--no-lockorder] (FILE | --synth N) ROUNDS
 *		Feed every event of a trace file (read into memory first) or of
 *		a synthetic stream of about N events to ls_detect_feed, then
 *		ls_detect_finish, ROUNDS times with a new detector each.
 *
 * Each measurement ends in one line on stdout, "result" and key=value pairs,
 * which bench/run reads; times are in ns.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lockstep/events.h>
#include <lockstep/trace.h>

#include "tracefile.h"
#include "detect.h"
#include "model_synth.h"

#define BENCH_PROG "bench-trace"
#include "trace_common.h"

#define RING_BATCH	4096
#define RING_NAP_NS	100000		/* 100 us when the ring is empty */

/* ---- ring ---- */

static char ring_dir[4096];
static char ring_path[4200];

static void ring_cleanup(void)
{
	if (ring_path[0])
		unlink(ring_path);
	if (ring_dir[0])
		rmdir(ring_dir);
}

static int cmd_ring(int argc, char **argv)
{
	static struct ls_event buf[RING_BATCH];
	const char *tmp = getenv("TMPDIR");
	uint32_t cap = LS_RING_DEFAULT_CAPACITY;
	bool after = false;
	uint64_t records = 0;
	struct ls_ring *r;
	char env[4300];
	int i, status = 0;
	bool exited = false;
	pid_t pid;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-c") && i + 1 < argc) {
			cap = (uint32_t)parse_u64(argv[++i], "ring size");
		} else if (!strcmp(argv[i], "-a")) {
			after = true;
		} else {
			if (!strcmp(argv[i], "--"))
				i++;
			break;
		}
	}
	if (i >= argc)
		die("usage: ring [-c RECORDS] [-a] -- PROGRAM [ARGS...]");
	snprintf(ring_dir, sizeof(ring_dir), "%s/bench-ring.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(ring_dir))
		die("mkdtemp %s: %s", ring_dir, strerror(errno));
	atexit(ring_cleanup);
	snprintf(ring_path, sizeof(ring_path), "%s/ring", ring_dir);
	r = ls_ring_create(ring_path, cap, after ? 0 : LS_RING_BLOCK);
	if (!r)
		die("cannot create a ring of %u records: %s", cap, strerror(errno));
	snprintf(env, sizeof(env), "LOCKSTEP_TRACE=shm:%s", ring_path);

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		putenv(env);
		execvp(argv[i], argv + i);
		fprintf(stderr, "bench-trace: %s: %s\n", argv[i], strerror(errno));
		_exit(127);
	}
	for (;;) {
		size_t n = 0;

		if (!after || exited)
			n = ls_ring_read(r, buf, RING_BATCH);
		records += n;
		if (n)
			continue;
		if (exited)
			break;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			exited = true;	/* one more pass for the last records */
			continue;
		}
		nanosleep(&(struct timespec){ .tv_nsec = RING_NAP_NS }, NULL);
	}
	printf("result mode=ring records=%llu dropped=%llu capacity=%u status=%d\n",
	       (unsigned long long)records, (unsigned long long)ls_ring_dropped(r), cap,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	ls_ring_close(r);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* ---- info ---- */

static int cmd_info(int argc, char **argv)
{
	struct ls_trace_reader *rd;
	const struct ls_trace_info *info;
	struct ls_event e;
	static uint64_t by_id[65536];
	uint64_t n = 0, lost_ev = 0;
	bool verbose = argc == 2 && !strcmp(argv[0], "-v");
	char err[512];
	int ret;

	if (argc != 1 + verbose)
		die("usage: info [-v] FILE");
	ret = ls_trace_reader_open(&rd, argv[verbose], err, sizeof(err));
	if (ret)
		die("%s", err);
	while ((ret = ls_trace_reader_next(rd, &e)) == 1) {
		n++;
		by_id[e.id]++;
		if (e.id == LS_EV_TRACE_LOST)
			lost_ev += e.args[0];
	}
	if (ret < 0)
		die("%s", ls_trace_reader_error(rd));
	for (unsigned id = 0; verbose && id < 65536; id++)
		if (by_id[id])
			printf("%10llu %s\n", (unsigned long long)by_id[id],
			       ls_event_name(id));
	info = ls_trace_reader_info(rd);
	printf("result mode=info records=%llu trailer=%d lost=%llu lost_records=%llu\n",
	       (unsigned long long)n, info->has_trailer,
	       (unsigned long long)info->lost, (unsigned long long)lost_ev);
	ls_trace_reader_close(rd);
	return 0;
}

/* ---- synthetic streams ---- */

#define SYN_GOROUTINES	16
#define SYN_MUTEXES	4
#define SYN_VARS	8

/*
 * About n events of a correct program: SYN_GOROUTINES goroutines take turns
 * at Lock, ls_load, ls_store, Unlock on SYN_MUTEXES mutexes, each guarding
 * SYN_VARS / SYN_MUTEXES variables (so the race detector has vector clocks
 * to compare and nothing to report), every Lock+Unlock uncontended as in
 * the primitives' fast paths.
 */
static void synth_stream(struct ls_synth *s, uint64_t n)
{
	static const char *const var_names[SYN_VARS] = {
		"hits", "misses", "total", "head", "tail", "count", "sum", "max",
	};
	const uint64_t mu0 = 0x10000, var0 = 0x20000;
	int64_t vals[SYN_VARS] = { 0 };
	uint64_t i;

	ls_synth_init(s);
	for (uint64_t g = 2; g < 2 + SYN_GOROUTINES; g++)
		ls_synth_go(s, 1, g, "worker");
	for (unsigned m = 0; m < SYN_MUTEXES; m++)
		ls_synth_obj(s, 1, mu0 + 64 * m, LS_OBJ_MUTEX, "mu");
	for (i = 0; s->n < n && !s->err; i++) {
		uint64_t g = 2 + i % SYN_GOROUTINES;
		unsigned v = (unsigned)((i * 7 + i / SYN_GOROUTINES) % SYN_VARS);
		uint64_t mu = mu0 + 64 * (v % SYN_MUTEXES);
		uint64_t addr = var0 + 8 * v;

		ls_synth_lock(s, g, mu);
		ls_synth_load(s, g, addr, vals[v], var_names[v]);
		vals[v]++;
		ls_synth_store(s, g, addr, vals[v], var_names[v]);
		ls_synth_unlock(s, g, mu);
	}
	for (uint64_t g = 2; g < 2 + SYN_GOROUTINES; g++)
		ls_synth_exit(s, g);
	if (s->err)
		die("out of memory for %llu synthetic events", (unsigned long long)n);
}

/* ---- tracefile ---- */

static int cmd_tracefile(int argc, char **argv)
{
	struct ls_synth s;
	char path[4200];
	uint64_t n, rounds;

	if (argc != 3)
		die("usage: tracefile DIR N ROUNDS");
	n = parse_u64(argv[1], "N");
	rounds = parse_u64(argv[2], "ROUNDS");
	snprintf(path, sizeof(path), "%s/bench.lst", argv[0]);
	synth_stream(&s, n);
	n = s.n;

	for (uint64_t k = 0; k < rounds; k++) {
		struct ls_trace_writer *w;
		struct ls_trace_reader *rd;
		struct ls_event e;
		struct stat st;
		char err[512];
		int64_t t0, t1, t2;
		uint64_t got = 0;
		int ret;

		unlink(path);
		t0 = now_ns();
		ret = ls_trace_writer_open(&w, path, 1234);
		if (ret)
			die("%s: %s", path, strerror(-ret));
		for (uint64_t i = 0; i < n; i++) {
			ret = ls_trace_writer_add(w, &s.ev[i]);
			if (ret)
				die("%s: %s", path, strerror(-ret));
		}
		ret = ls_trace_writer_close(w, 0);
		if (ret)
			die("%s: %s", path, strerror(-ret));
		t1 = now_ns();
		ret = ls_trace_reader_open(&rd, path, err, sizeof(err));
		if (ret)
			die("%s", err);
		while ((ret = ls_trace_reader_next(rd, &e)) == 1)
			got++;
		if (ret < 0)
			die("%s", ls_trace_reader_error(rd));
		ls_trace_reader_close(rd);
		t2 = now_ns();
		if (got != n)
			die("%s: read %llu records, wrote %llu", path,
			    (unsigned long long)got, (unsigned long long)n);
		if (stat(path, &st))
			die("%s: %s", path, strerror(errno));
		printf("result mode=tracefile records=%llu bytes=%lld write_ns=%lld read_ns=%lld\n",
		       (unsigned long long)n, (long long)st.st_size,
		       (long long)(t1 - t0), (long long)(t2 - t1));
		fflush(stdout);
	}
	unlink(path);
	ls_synth_free(&s);
	return 0;
}

/* ---- detect ---- */

static struct ls_event *load_trace(const char *path, size_t *np)
{
	struct ls_trace_reader *rd;
	struct ls_event *ev = NULL;
	size_t n = 0, cap = 0;
	char err[512];
	int ret;

	ret = ls_trace_reader_open(&rd, path, err, sizeof(err));
	if (ret)
		die("%s", err);
	for (;;) {
		if (n == cap) {
			cap = cap ? 2 * cap : 1 << 16;
			ev = realloc(ev, cap * sizeof(*ev));
			if (!ev)
				die("out of memory");
		}
		ret = ls_trace_reader_next(rd, &ev[n]);
		if (ret <= 0)
			break;
		n++;
	}
	if (ret < 0)
		die("%s", ls_trace_reader_error(rd));
	ls_trace_reader_close(rd);
	*np = n;
	return ev;
}

static int cmd_detect(int argc, char **argv)
{
	struct ls_detect_opts opts = { 0 };
	struct ls_synth s = { 0 };
	const char *synth_n = NULL, *source;
	struct ls_event *ev;
	uint64_t rounds, goroutines = 0;
	size_t n;
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--no-race"))
			opts.no_race = true;
		else if (!strcmp(argv[i], "--no-lockorder"))
			opts.no_lockorder = true;
		else if (!strcmp(argv[i], "--synth") && i + 1 < argc)
			synth_n = argv[++i];
		else
			break;
	}
	if (argc - i != (synth_n ? 1 : 2))
		die("usage: detect [--no-race] [--no-lockorder] (FILE | --synth N) ROUNDS");
	if (synth_n) {
		synth_stream(&s, parse_u64(synth_n, "N"));
		ev = s.ev;
		n = s.n;
		source = "synth";
	} else {
		ev = load_trace(argv[i++], &n);
		source = "file";
	}
	rounds = parse_u64(argv[i], "ROUNDS");
	for (size_t k = 0; k < n; k++)
		if (ev[k].id == LS_EV_GO_CREATE)
			goroutines++;

	for (uint64_t k = 0; k < rounds; k++) {
		struct ls_detect *d = ls_detect_new(&opts);
		int64_t t0, t1;
		int ret;

		if (!d)
			die("out of memory");
		t0 = now_ns();
		for (size_t j = 0; j < n; j++) {
			ret = ls_detect_feed(d, &ev[j]);
			if (ret)
				die("ls_detect_feed: %s", strerror(-ret));
		}
		ret = ls_detect_finish(d, 0);
		t1 = now_ns();
		if (ret)
			die("ls_detect_finish: %s", strerror(-ret));
		printf("result mode=detect source=%s race=%d lockorder=%d events=%zu "
		       "goroutines=%llu ns=%lld verdict=%s findings=%zu\n", source,
		       !opts.no_race, !opts.no_lockorder, n,
		       (unsigned long long)goroutines, (long long)(t1 - t0),
		       ls_verdict_name(ls_detect_verdict(d)), ls_detect_count(d));
		fflush(stdout);
		ls_detect_free(d);
	}
	if (s.ev)
		ls_synth_free(&s);
	else
		free(ev);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{ "ring", cmd_ring },
		{ "info", cmd_info },
		{ "tracefile", cmd_tracefile },
		{ "detect", cmd_detect },
	};

	signal(SIGPIPE, SIG_DFL);
	for (size_t k = 0; argc >= 2 && k < sizeof(cmds) / sizeof(cmds[0]); k++)
		if (!strcmp(argv[1], cmds[k].name))
			return cmds[k].fn(argc - 2, argv + 2);
	fprintf(stderr,
		"usage: bench-trace ring [-c RECORDS] [-a] -- PROGRAM [ARGS...]\n"
		"       bench-trace info [-v] FILE\n"
		"       bench-trace tracefile DIR N ROUNDS\n"
		"       bench-trace detect [--no-race] [--no-lockorder] (FILE | --synth N) ROUNDS\n");
	return 2;
}
