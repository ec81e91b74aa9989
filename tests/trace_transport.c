// SPDX-License-Identifier: MIT
/*
 * trace_transport.c - the two transports deliver one stream
 * (ARCHITECTURE.md, principle 7), losses are never silent, attaching to a
 * running program works, and without BPF privileges lockstep falls back to
 * the in-process ring with one notice.
 *
 * Most tests run `lockstep record` and read the trace file back; the BPF
 * ones skip without privileges (and fail then under LOCKSTEP_REQUIRE_BPF=1).
 */
#include "harness.h"
#include "trace_util.h"

#define NEED_BPF()							\
	do {								\
		char why_[256];						\
		if (!tu_bpf_ok(why_, sizeof(why_)))			\
			SKIP_NEEDS_BPF(return, "no BPF: %s", why_);	\
	} while (0)

/* Record argv with lockstep into dir/name; returns the records. */
static struct ls_event *record_env(const char *dir, const char *name,
				   const char *const extra[], char *const prog[],
				   const char *const env[], size_t *n, struct th_result *r)
{
	char *argv[32];
	char err[800];
	struct ls_event *ev;
	int a = 0;

	argv[a++] = (char *)tu_lockstep();
	argv[a++] = "record";
	argv[a++] = "-o";
	argv[a++] = tu_path(dir, name);
	for (int i = 0; extra && extra[i]; i++)
		argv[a++] = (char *)extra[i];
	argv[a++] = "--";
	for (int i = 0; prog[i] && a < 31; i++)
		argv[a++] = prog[i];
	argv[a] = NULL;
	if (th_run_argv(argv, env, 120, r) || !r->exited || r->status) {
		TH_LOG("lockstep record failed (status %d, signal %d): %s",
		       r->status, r->signo, r->err ? r->err : "");
		return NULL;
	}
	ev = tu_read_trace(tu_path(dir, name), n, err, sizeof(err));
	if (!ev)
		TH_LOG("%s", err);
	return ev;
}

static struct ls_event *record(const char *dir, const char *name,
			       const char *const extra[], char *const prog[],
			       size_t *n, struct th_result *r)
{
	return record_env(dir, name, extra, prog, NULL, n, r);
}

/*
 * What must match between transports: the event, its goroutine, and its
 * arguments, with addresses replaced by the order of their first
 * appearance (ASLR) and durations ("ns ..." arguments) left out.  Kernel
 * events exist only with BPF; timestamps, cpu, tid and pid differ anyway.
 */
struct canon {
	uint16_t id;
	uint64_t goid, obj, args[LS_EVENT_NARGS];
};

static uint64_t addr_index(uint64_t *seen, size_t *nseen, uint64_t addr)
{
	if (!addr)
		return 0;
	for (size_t i = 0; i < *nseen; i++)
		if (seen[i] == addr)
			return i + 1;
	seen[(*nseen)++] = addr;
	return *nseen;
}

static size_t canonical(const struct ls_event *ev, size_t n, struct canon *out)
{
	uint64_t seen[256];
	size_t nseen = 0, m = 0;

	for (size_t i = 0; i < n; i++) {
		const struct ls_event *e = &ev[i];
		unsigned fl = ls_event_def_flags(e->id);
		const char *olabel = ls_event_obj_label(e->id);
		struct canon *c = &out[m++];

		if (fl & (LS_EVF_KERNEL | LS_EVF_SYNTH)) {
			m--;
			continue;
		}
		memset(c, 0, sizeof(*c));
		c->id = e->id;
		c->goid = e->goid;
		c->obj = strstr(olabel, "goid") || !olabel[0] ? e->obj :
			 addr_index(seen, &nseen, e->obj);
		for (int k = 0; k < LS_EVENT_NARGS; k++) {
			const char *l = ls_event_arg_label(e->id, k);

			if ((fl & LS_EVF_STR) && k >= 1)
				c->args[k] = e->args[k];
			else if (!strncmp(l, "ns ", 3))
				c->args[k] = 0;
			else if (strstr(l, "address") || strstr(l, "array"))
				c->args[k] = addr_index(seen, &nseen, e->args[k]);
			else
				c->args[k] = e->args[k];
		}
		if (nseen > 250)
			nseen = 250;	/* the workload names a handful */
	}
	return m;
}

/* The same program through BPF (env: how it attaches) and through shm. */
static void same_events(const char *const env[])
{
	char *prog[] = { (char *)tu_workload("trace_seq"), "40", NULL };
	const char *bpf[] = { "--transport", "bpf", NULL };
	const char *shm[] = { "--transport", "shm", NULL };
	struct th_result rb, rs;
	struct ls_event *eb, *es;
	struct canon *cb, *cs;
	size_t nb, ns, mb, ms;
	char *dir;

	dir = tu_tmpdir();
	ASSERT_NOT_NULL(dir);
	eb = record_env(dir, "bpf.lst", bpf, prog, env, &nb, &rb);
	es = record(dir, "shm.lst", shm, prog, &ns, &rs);
	ASSERT_NOT_NULL(eb);
	ASSERT_NOT_NULL(es);
	cb = calloc(nb, sizeof(*cb));
	cs = calloc(ns, sizeof(*cs));
	ASSERT_NOT_NULL(cb);
	ASSERT_NOT_NULL(cs);
	mb = canonical(eb, nb, cb);
	ms = canonical(es, ns, cs);
	TH_LOG("bpf: %zu records (%zu from probes), shm: %zu", nb, mb, ms);
	/* 40 rounds of at least 9 mutex events each */
	EXPECT_LE((size_t)360, ms);
	ASSERT_EQ(ms, mb);
	for (size_t i = 0; i < mb; i++) {
		if (memcmp(&cb[i], &cs[i], sizeof(cb[i]))) {
			TH_LOG("record %zu differs: bpf %s, shm %s", i,
			       ls_event_name(cb[i].id), ls_event_name(cs[i].id));
			ASSERT_EQ(0, memcmp(&cb[i], &cs[i], sizeof(cb[i])));
		}
	}
	/* Only the BPF stream has the kernel's view. */
	EXPECT_LT(mb, nb);
	free(cb);
	free(cs);
	free(eb);
	free(es);
	th_result_free(&rb);
	th_result_free(&rs);
	tu_rmtree(dir);
}

TEST_TIMEOUT(bpf_and_shm_deliver_the_same_events, 120)
{
	NEED_BPF();
	same_events(NULL);
}

/* The fallback for kernels without uprobe_multi: a perf uprobe per probe. */
TEST_TIMEOUT(bpf_per_probe_attach_delivers_the_same_events, 180)
{
	const char *env[] = { "LOCKSTEP_BPF_USDT=libbpf", NULL };

	NEED_BPF();
	same_events(env);
}

/* Count go_name records and the losses the stream reports. */
static void count(const struct ls_event *ev, size_t n, size_t *names, uint64_t *lost,
		  size_t *probes)
{
	*names = 0;
	*lost = 0;
	*probes = 0;
	for (size_t i = 0; i < n; i++) {
		if (ev[i].id == LS_EV_GO_NAME)
			(*names)++;
		if (ev[i].id == LS_EV_TRACE_LOST)
			*lost += ev[i].args[0];
		if (!(ls_event_def_flags(ev[i].id) & (LS_EVF_KERNEL | LS_EVF_SYNTH)))
			(*probes)++;
	}
}

static void million(const char *transport)
{
	char *prog[] = { (char *)tu_workload("name_loop"), "1000000", NULL };
	const char *opts[] = { "--transport", transport, NULL };
	size_t n, names, probes;
	struct th_result r;
	struct ls_event *ev;
	uint64_t lost;
	char *dir = tu_tmpdir();

	ASSERT_NOT_NULL(dir);
	ev = record(dir, "m.lst", opts, prog, &n, &r);
	ASSERT_NOT_NULL(ev);
	count(ev, n, &names, &lost, &probes);
	TH_LOG("%s: %zu records, %zu go_name, %llu lost", transport, n, names,
	       (unsigned long long)lost);
	/* Every event arrived, or its loss is in the stream and on stderr. */
	ASSERT_EQ((uint64_t)1000000, names + lost);
	if (lost)
		EXPECT_CONTAINS(r.err, "records lost");
	else
		EXPECT_FALSE(strstr(r.err, "lost") != NULL);
	/*
	 * The ring blocks its producer rather than drop: nothing is lost.  The
	 * BPF side cannot wait; on a busy machine the reader may fall 190 000
	 * records behind, and then the count above is what must hold.
	 */
	if (!strcmp(transport, "shm"))
		EXPECT_EQ((uint64_t)0, lost);
	free(ev);
	th_result_free(&r);
	tu_rmtree(dir);
}

TEST_TIMEOUT(million_events_through_bpf, 120)
{
	NEED_BPF();
	million("bpf");
}

TEST_TIMEOUT(million_events_through_shm, 120)
{
	million("shm");
}

/*
 * A ring far too small: records are lost, and every loss is accounted for.
 * With --no-kernel only the probes produce records: start, create, the
 * renames and main_exit, so received + lost is exactly that many.
 */
TEST_TIMEOUT(bpf_losses_are_counted_and_reported, 120)
{
	char *prog[] = { (char *)tu_workload("name_loop"), "100000", NULL };
	const char *opts[] = { "--transport", "bpf", "--no-kernel", "--ring-size", "4096", NULL };
	/* the reader waits for the exit: 100000 records cannot fit in 4 KiB */
	const char *env[] = { "LOCKSTEP_TEST_STALL_READER=1", NULL };
	struct ls_trace_reader *rd;
	size_t n, names, probes;
	struct th_result r;
	struct ls_event *ev;
	uint64_t lost;
	char err[800];
	char *dir;

	NEED_BPF();
	dir = tu_tmpdir();
	ASSERT_NOT_NULL(dir);
	ev = record_env(dir, "small.lst", opts, prog, env, &n, &r);
	ASSERT_NOT_NULL(ev);
	count(ev, n, &names, &lost, &probes);
	TH_LOG("%zu records, %zu go_name, %llu lost", n, names, (unsigned long long)lost);
	ASSERT_LT((uint64_t)0, lost);
	ASSERT_EQ((uint64_t)100000 + 3, probes + lost);
	ASSERT_CONTAINS(r.err, "records lost");
	/* the trailer carries the total too */
	ASSERT_EQ(0, ls_trace_reader_open(&rd, tu_path(dir, "small.lst"), err, sizeof(err)));
	EXPECT_EQ(lost, ls_trace_reader_info(rd)->lost);
	ls_trace_reader_close(rd);
	free(ev);
	th_result_free(&r);
	tu_rmtree(dir);
}

TEST_TIMEOUT(attach_to_a_running_program, 60)
{
	char *tick[] = { (char *)tu_workload("trace_ticker"), "3", NULL };
	char pid[16], *dir;
	char *argv[] = { (char *)tu_lockstep(), "trace", "-p", pid, NULL };
	struct tu_bg bg = { 0 };
	struct th_result r;
	size_t len;
	char *out;

	NEED_BPF();
	dir = tu_tmpdir();
	ASSERT_NOT_NULL(dir);
	ASSERT_EQ(0, tu_bg_start(&bg, dir, "ticker", tick));
	ASSERT_TRUE(tu_wait_for_text(bg.out, "ready", 10));
	snprintf(pid, sizeof(pid), "%d", (int)bg.pid);
	ASSERT_EQ(0, th_run_argv(argv, NULL, 30, &r));
	/* lockstep returns when the ticker does, about 3 s after it began */
	EXPECT_TRUE(r.exited);
	EXPECT_EQ(0, r.status);
	ASSERT_CONTAINS(r.out, "mutex_state");
	ASSERT_CONTAINS(r.out, "mutex \"tick-lock\"");
	EXPECT_CONTAINS(r.out, "go_name");
	EXPECT_EQ(0, tu_bg_wait(&bg, 10));
	out = tu_read_file(bg.out, &len);
	EXPECT_CONTAINS(out, "done");
	free(out);
	th_result_free(&r);
	tu_bg_free(&bg);
	tu_rmtree(dir);
}

/*
 * As an unprivileged user, auto falls back to the ring with one notice,
 * and attaching by pid (which needs BPF) fails with one clear line.  The
 * binaries are copied to a directory nobody can read.
 */
TEST_TIMEOUT(unprivileged_falls_back_to_shm, 60)
{
	char *dir, lock[TU_PATH], seq[TU_PATH];
	char *fallback[] = { "/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup",
			     "--clear-groups", lock, "trace", "--", seq, "3", NULL };
	char *attach[] = { "/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup",
			   "--clear-groups", lock, "trace", "-p", "1", NULL };
	const char *env[] = { "TMPDIR=/tmp", NULL };
	struct th_result r;

	if (geteuid() != 0)
		SKIP(return, "needs root to become nobody");
	if (access("/usr/bin/setpriv", X_OK))
		SKIP(return, "no setpriv (util-linux)");
	dir = tu_tmpdir();
	ASSERT_NOT_NULL(dir);
	ASSERT_EQ(0, chmod(dir, 0755));
	snprintf(lock, sizeof(lock), "%s/lockstep", dir);
	snprintf(seq, sizeof(seq), "%s/trace_seq", dir);
	ASSERT_EQ(0, tu_copy_file(tu_lockstep(), lock, 0755));
	ASSERT_EQ(0, tu_copy_file(tu_workload("trace_seq"), seq, 0755));
	ASSERT_EQ(0, th_run_argv(fallback, env, 30, &r));
	EXPECT_TRUE(r.exited);
	EXPECT_EQ(0, r.status);
	ASSERT_CONTAINS(r.err, "lockstep: BPF not permitted (");
	ASSERT_CONTAINS(r.err, "); using the in-process ring\n");
	EXPECT_EQ((size_t)1, tu_count_lines(r.err));
	ASSERT_CONTAINS(r.out, "mutex_state");
	ASSERT_CONTAINS(r.out, "g1    seq-main");
	th_result_free(&r);
	ASSERT_EQ(0, th_run_argv(attach, NULL, 30, &r));
	EXPECT_EQ(1, r.status);
	EXPECT_EQ((size_t)1, tu_count_lines(r.err));
	th_result_free(&r);
	tu_rmtree(dir);
}

/* A program linked dynamically with liblockstep.so: probes live in the .so. */
TEST_TIMEOUT(probes_in_a_shared_library, 60)
{
	char *dir, bin[TU_PATH], cmd[4 * TU_PATH];
	char *argv[] = { (char *)tu_lockstep(), "trace", "--transport", "bpf",
			 "-v", "--", bin, "2", NULL };
	const char *so = tu_build("liblockstep.so");
	struct th_result r;

	NEED_BPF();
	if (access(so, R_OK))
		SKIP(return, "no %s", so);
	dir = tu_tmpdir();
	ASSERT_NOT_NULL(dir);
	snprintf(bin, sizeof(bin), "%s/seq_dyn", dir);
	snprintf(cmd, sizeof(cmd), "cc -Iinclude -o '%s' tests/workloads/trace_seq.c "
		 "-L'%s' -llockstep -Wl,-rpath,'%s' -lpthread", bin,
		 tu_build_dir(), tu_build_dir());
	if (system(cmd) != 0)
		SKIP(goto out, "cannot build a dynamically linked workload");
	ASSERT_EQ(0, th_run_argv(argv, NULL, 30, &r));
	EXPECT_EQ(0, r.status);
	EXPECT_CONTAINS(r.err, "probes attached");
	ASSERT_CONTAINS(r.out, "mutex \"seq-lock\"");
	ASSERT_CONTAINS(r.out, "go_create");
	th_result_free(&r);
out:
	tu_rmtree(dir);
}

TEST_HARNESS_MAIN
