// SPDX-License-Identifier: MIT
/*
 * trace_file.c - trace files and their exports (docs/trace-format.md).
 *
 *  - what the writer writes, the reader reads back, record for record,
 *    streamed or not, with or without the trailer;
 *  - a corpus of broken files, made from a good one, each rejected by
 *    `lockstep export` with exit status 1 and one line naming the byte and
 *    what was expected;
 *  - JSON lines round-trip to identical records, bad lines are rejected
 *    with their line number, and the Perfetto export is valid JSON;
 *  - every input the fuzzer kept (tests/fuzz/corpus/) is read without a
 *    crash (make fuzz grows the corpus).
 */
#include "harness.h"
#include "trace_util.h"
#include "export.h"

static void set_str(struct ls_event *e, const char *s)
{
	memset(&e->args[1], 0, LS_EVENT_STRMAX);
	memcpy(&e->args[1], s, strlen(s));
}

/* A little of everything: string events, a cut string, kernel and lost. */
static size_t sample_events(struct ls_event *ev)
{
	size_t n = 0;

	ev[n++] = (struct ls_event){ .ts = 100, .pid = 7, .tid = 7, .id = LS_EV_GO_CREATE,
				     .flags = LS_EVF_STR, .cpu = 1, .obj = 1, .goid = 1 };
	set_str(&ev[n - 1], "main");
	ev[n++] = (struct ls_event){ .ts = 110, .pid = 7, .tid = 8, .id = LS_EV_GO_NAME,
				     .flags = LS_EVF_STR | LS_RECF_STRTRUNC, .obj = 2, .goid = 2 };
	set_str(&ev[n - 1], "a-name-that-was-cut-at-31-bytes");
	ev[n++] = (struct ls_event){ .ts = 120, .pid = 7, .tid = 7, .id = LS_EV_OBJ_NAME,
				     .flags = LS_EVF_STR, .obj = 0x5000, .goid = 1,
				     .args = { LS_OBJ_MUTEX } };
	set_str(&ev[n - 1], "counter-lock");
	ev[n++] = (struct ls_event){ .ts = 130, .pid = 7, .tid = 7, .id = LS_EV_MUTEX_STATE,
				     .obj = 0x5000, .goid = 1,
				     .args = { 1, 9, LS_MUTEX_OP_LOCK_SLOW, 0, 0 } };
	ev[n++] = (struct ls_event){ .ts = 140, .pid = 7, .tid = 8, .id = LS_EV_SCHED_OFF,
				     .flags = LS_EVF_KERNEL, .args = { 1, 1 } };
	ev[n++] = (struct ls_event){ .ts = 150, .pid = 7, .id = LS_EV_TRACE_LOST,
				     .flags = LS_EVF_SYNTH, .args = { 42 } };
	ev[n++] = (struct ls_event){ .ts = 160, .pid = 7, .tid = 7, .id = LS_EV_MAIN_EXIT,
				     .goid = 1, .args = { 0, 1, 0, 0, 0xffffffffffffffffULL } };
	return n;
}

static int write_trace(const char *path, const struct ls_event *ev, size_t n, bool trailer)
{
	struct ls_trace_writer *w;
	int ret = ls_trace_writer_open(&w, path, 7);

	for (size_t i = 0; !ret && i < n; i++)
		ret = ls_trace_writer_add(w, &ev[i]);
	if (ret)
		return ret;
	if (!trailer) {
		ls_trace_writer_abort(w);
		return 0;
	}
	return ls_trace_writer_close(w, 42);
}

static void expect_same(const char *path, const struct ls_event *ev, size_t n)
{
	char err[800];
	size_t m;
	struct ls_event *got = tu_read_trace(path, &m, err, sizeof(err));

	ASSERT_NOT_NULL(got);
	ASSERT_EQ(n, m);
	for (size_t i = 0; i < n; i++)
		ASSERT_EQ(0, memcmp(&ev[i], &got[i], sizeof(ev[i])));
	free(got);
}

TEST(write_then_read_gives_the_same_records)
{
	struct ls_event ev[16];
	struct ls_trace_reader *r;
	size_t n = sample_events(ev);
	char *dir = tu_tmpdir(), err[800];

	ASSERT_NOT_NULL(dir);
	ASSERT_EQ(0, write_trace(tu_path(dir, "a.lst"), ev, n, true));
	expect_same(tu_path(dir, "a.lst"), ev, n);
	ASSERT_EQ(0, ls_trace_reader_open(&r, tu_path(dir, "a.lst"), err, sizeof(err)));
	EXPECT_EQ((uint64_t)n, ls_trace_reader_info(r)->record_count);
	EXPECT_TRUE(ls_trace_reader_info(r)->has_trailer);
	EXPECT_EQ((uint64_t)42, ls_trace_reader_info(r)->lost);
	EXPECT_EQ(7u, ls_trace_reader_info(r)->pid);
	ls_trace_reader_close(r);
	/* a recorder that died: no trailer, no count, still readable */
	ASSERT_EQ(0, write_trace(tu_path(dir, "b.lst"), ev, n, false));
	expect_same(tu_path(dir, "b.lst"), ev, n);
	tu_rmtree(dir);
}

TEST(streamed_to_a_pipe)
{
	struct ls_event ev[16];
	struct ls_trace_writer *w;
	size_t n = sample_events(ev);
	char *dir = tu_tmpdir();
	char cmd[TU_PATH * 2];
	FILE *p;

	ASSERT_NOT_NULL(dir);
	/* not seekable: the count stays 0, the trailer has it */
	snprintf(cmd, sizeof(cmd), "cat > '%s'", tu_path(dir, "s.lst"));
	p = popen(cmd, "w");
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(0, ls_trace_writer_fopen(&w, p, 7));
	for (size_t i = 0; i < n; i++)
		ASSERT_EQ(0, ls_trace_writer_add(w, &ev[i]));
	ASSERT_EQ(0, ls_trace_writer_close(w, 0));
	ASSERT_EQ(0, pclose(p));
	expect_same(tu_path(dir, "s.lst"), ev, n);
	tu_rmtree(dir);
}

/* ---- broken files ---- */

struct good {
	unsigned char *buf;
	size_t len;
	size_t table;		/* event table bytes */
	size_t recs;		/* first record */
	size_t n;
};

static void make_good(struct good *g)
{
	struct ls_event ev[16];
	char *dir = tu_tmpdir();

	g->n = sample_events(ev);
	if (!dir || write_trace(tu_path(dir, "g.lst"), ev, g->n, true))
		abort();
	g->buf = (unsigned char *)tu_read_file(tu_path(dir, "g.lst"), &g->len);
	tu_rmtree(dir);
	if (!g->buf)
		abort();
	memcpy(&g->table, g->buf + 44, 4);
	g->table &= 0xffffffff;
	g->recs = 64 + g->table;
}

static void put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4);	/* little-endian host: the format's order */
}

static void put64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/*
 * Write buf[0..len) as a file, run `lockstep export` on it, and check the
 * one-line rejection: "lockstep: FILE: byte N: <want>".
 */
static void rejected(const unsigned char *buf, size_t len, long byte, const char *want)
{
	char *dir = tu_tmpdir();
	char *file, expect[512];
	struct th_result r;
	char *argv[] = { (char *)tu_lockstep(), "export", NULL, "--format", "jsonl", NULL };
	struct ls_trace_reader *rd;
	struct ls_event e;
	char err[800];
	int ret;

	ASSERT_NOT_NULL(dir);
	file = tu_path(dir, "bad.lst");
	ASSERT_EQ(0, tu_write_file(file, buf, len));
	argv[2] = file;
	ASSERT_EQ(0, th_run_argv(argv, NULL, 30, &r));
	TH_LOG("%s", r.err);
	EXPECT_TRUE(r.exited);
	EXPECT_EQ(1, r.status);
	EXPECT_EQ((size_t)1, tu_count_lines(r.err));
	snprintf(expect, sizeof(expect), "lockstep: %s: byte %ld: ", file, byte);
	EXPECT_EQ(0, strncmp(r.err, expect, strlen(expect)));
	EXPECT_CONTAINS(r.err, want);
	th_result_free(&r);

	/* the library says the same, from memory */
	ret = ls_trace_reader_open_mem(&rd, buf, len, "mem", err, sizeof(err));
	if (!ret) {
		while ((ret = ls_trace_reader_next(rd, &e)) > 0)
			;
		snprintf(err, sizeof(err), "%s", ls_trace_reader_error(rd));
		ls_trace_reader_close(rd);
	}
	EXPECT_EQ(-EINVAL, ret);
	EXPECT_CONTAINS(err, want);
	tu_rmtree(dir);
}

/* A good file with the 32-bit header field at byte off set to v. */
static void rejected_header32(long off, uint32_t v, const char *want)
{
	struct good g;

	make_good(&g);
	put32(g.buf + off, v);
	rejected(g.buf, g.len, off, want);
	free(g.buf);
}

TEST(empty_file)
{
	rejected((const unsigned char *)"", 0, 0, "empty file");
}

TEST(truncated_header)
{
	struct good g;

	make_good(&g);
	rejected(g.buf, 30, 30, "truncated header: the file ends at byte 30 (expected 64 header bytes)");
	free(g.buf);
}

TEST(wrong_magic)
{
	struct good g;

	make_good(&g);
	memcpy(g.buf, "PK\3\4zip!", 8);
	rejected(g.buf, g.len, 0, "not a lockstep trace: magic \"PK\\x03\\x04zip!\"");
	free(g.buf);
}

TEST(wrong_version)
{
	rejected_header32(8, 7, "unsupported format version 7 (expected 1)");
}

TEST(bad_header_size)
{
	rejected_header32(12, 100, "header size 100 (expected 64)");
}

TEST(bad_record_size)
{
	rejected_header32(16, 96, "record size 96 (expected 80)");
}

TEST(bad_clock)
{
	rejected_header32(20, 5, "clock 5 (expected 1, CLOCK_MONOTONIC)");
}

TEST(unknown_header_flags)
{
	rejected_header32(28, 4, "header flags 0x4 (expected 0)");
}

TEST(no_event_names)
{
	rejected_header32(40, 0, "0 event names (expected 1..1024)");
}

TEST(bad_event_table_size)
{
	rejected_header32(44, 5, "event table of 5 bytes");
}

TEST(bad_event_name)
{
	struct good g;

	make_good(&g);
	g.buf[66] = 'X';
	rejected(g.buf, g.len, 66, "event name 1: byte 0x58 (expected a-z, 0-9 or _)");
	free(g.buf);
}

/* More names than the table holds: the first missing one is empty. */
TEST(event_table_runs_out)
{
	struct good g;
	long at = 64;
	char want[128];

	make_good(&g);
	for (unsigned id = 1; id < LS_EV__COUNT; id++)
		at += (long)strlen(ls_event_name(id)) + 1;
	put32(g.buf + 40, (uint32_t)(g.table / 2));
	snprintf(want, sizeof(want), "event name %u is 0 bytes long (expected 1..31)",
		 LS_EV__COUNT);
	rejected(g.buf, g.len, at, want);
	free(g.buf);
}

TEST(truncated_record)
{
	struct good g;
	size_t cut;

	make_good(&g);
	/* drop the trailer and 30 bytes of the last record */
	cut = g.recs + g.n * 80 - 30;
	rejected(g.buf, cut, (long)(g.recs + (g.n - 1) * 80),
		 "record 6 is truncated (50 of 80 bytes)");
	/* the same, streamed (no count in the header) */
	put64(g.buf + 32, 0);
	rejected(g.buf, cut, (long)(g.recs + (g.n - 1) * 80),
		 "record 6 is truncated (50 of 80 bytes)");
	free(g.buf);
}

TEST(bad_event_id)
{
	struct good g;

	make_good(&g);
	g.buf[g.recs + 80 + 16] = 0xe7;		/* record 1's id: 999 */
	g.buf[g.recs + 80 + 17] = 0x03;
	rejected(g.buf, g.len, (long)(g.recs + 80 + 16),
		 "record 1: event id 999 out of range");
	free(g.buf);
}

TEST(event_unknown_to_this_lockstep)
{
	struct good g;

	make_good(&g);
	g.buf[64 + 3] = 'z';			/* "go_create" -> "go_zreate" */
	rejected(g.buf, g.len, (long)(g.recs + 16),
		 "record 0: event 'go_zreate' (id 1) is not known to this lockstep");
	free(g.buf);
}

TEST(bad_record_flags)
{
	struct good g;

	make_good(&g);
	g.buf[g.recs + 3 * 80 + 18] = 0x80;	/* mutex_state with flags 0x80 */
	rejected(g.buf, g.len, (long)(g.recs + 3 * 80 + 18),
		 "record 3: mutex_state: flags 0x80 (expected 0x0)");
	free(g.buf);
}

TEST(unterminated_string)
{
	struct good g;

	make_good(&g);
	memset(g.buf + g.recs + 40 + 8, 'A', 32);	/* record 0's string */
	rejected(g.buf, g.len, (long)(g.recs + 48),
		 "record 0: go_create: string not NUL-terminated within 32 bytes");
	free(g.buf);
}

TEST(huge_count)
{
	struct good g;

	make_good(&g);
	put64(g.buf + 32, (uint64_t)1 << 60);
	rejected(g.buf, g.len, 32, "record count 1152921504606846976 does not fit in the file");
	free(g.buf);
}

TEST(trailing_garbage)
{
	struct good g;
	unsigned char *big;

	make_good(&g);
	big = malloc(g.len + 7);
	ASSERT_NOT_NULL(big);
	memcpy(big, g.buf, g.len);
	memcpy(big + g.len, "garbage", 7);
	rejected(big, g.len + 7, (long)(g.recs + g.n * 80),
		 "31 unexpected bytes after record 6");
	free(big);
	free(g.buf);
}

TEST(trailer_disagrees)
{
	struct good g;

	make_good(&g);
	put64(g.buf + g.len - 16, g.n + 1);
	rejected(g.buf, g.len, (long)(g.len - 16), "trailer counts 8 records (the file has 7)");
	free(g.buf);
}

/* ---- exports ---- */

static int run(char *const argv[], struct th_result *r)
{
	int ret = th_run_argv(argv, NULL, 60, r);

	if (!ret && (!r->exited || r->status))
		TH_LOG("%s: status %d: %s", argv[1], r->status, r->err);
	return ret ? ret : (r->exited ? r->status : -1);
}

TEST_TIMEOUT(export_round_trips, 60)
{
	char *dir = tu_tmpdir();
	char *a, *j, *b, *j2;
	char *rec[] = { (char *)tu_lockstep(), "record", "--transport", "shm", "-q", "-o",
			NULL, "--", (char *)tu_workload("trace_workers"), "20", NULL };
	char *tojsonl[] = { (char *)tu_lockstep(), "export", NULL, "--format", "jsonl",
			    "-o", NULL, NULL };
	char *totrace[] = { (char *)tu_lockstep(), "export", NULL, "--format", "trace",
			    "-o", NULL, NULL };
	struct th_result r;
	char *ta, *tb, *tj, *tj2;
	size_t la = 0, lb = 0;

	ASSERT_NOT_NULL(dir);
	a = strdup(tu_path(dir, "a.lst"));
	j = strdup(tu_path(dir, "a.jsonl"));
	b = strdup(tu_path(dir, "b.lst"));
	j2 = strdup(tu_path(dir, "b.jsonl"));
	rec[6] = a;
	ASSERT_EQ(0, run(rec, &r));
	th_result_free(&r);
	tojsonl[2] = a;
	tojsonl[6] = j;
	ASSERT_EQ(0, run(tojsonl, &r));
	th_result_free(&r);
	totrace[2] = j;
	totrace[6] = b;
	ASSERT_EQ(0, run(totrace, &r));
	th_result_free(&r);
	/* JSON lines -> trace file: the very same bytes */
	ta = tu_read_file(a, &la);
	tb = tu_read_file(b, &lb);
	ASSERT_NOT_NULL(ta);
	ASSERT_NOT_NULL(tb);
	ASSERT_EQ(la, lb);
	ASSERT_EQ(0, memcmp(ta, tb, la));
	/* and the JSON lines of the copy are the JSON lines of the original */
	tojsonl[2] = b;
	tojsonl[6] = j2;
	ASSERT_EQ(0, run(tojsonl, &r));
	th_result_free(&r);
	tj = tu_read_file(j, NULL);
	tj2 = tu_read_file(j2, NULL);
	ASSERT_NOT_NULL(tj);
	ASSERT_NOT_NULL(tj2);
	ASSERT_STREQ(tj, tj2);
	ASSERT_CONTAINS(tj, "\"event\":\"go_create\"");
	ASSERT_CONTAINS(tj, "\"g\":\"worker-2\"");
	ASSERT_CONTAINS(tj, "\"obj_name\":\"counter-lock\"");
	free(ta);
	free(tb);
	free(tj);
	free(tj2);
	free(a);
	free(j);
	free(b);
	free(j2);
	tu_rmtree(dir);
}

TEST_TIMEOUT(perfetto_is_json, 60)
{
	char *dir = tu_tmpdir();
	char *a, *p;
	char *rec[] = { (char *)tu_lockstep(), "record", "--transport", "shm", "-q", "-o",
			NULL, "--", (char *)tu_workload("trace_workers"), "20", NULL };
	char *exp[] = { (char *)tu_lockstep(), "export", NULL, "--format", "perfetto",
			"-o", NULL, NULL };
	char *py[] = { "python3", "-c",
		"import json, sys\n"
		"d = json.load(open(sys.argv[1]))\n"
		"ev = d['traceEvents']\n"
		"names = {e['args']['name'] for e in ev if e.get('name') == 'thread_name'}\n"
		"phases = {e['ph'] for e in ev}\n"
		"assert 'g2 worker-1' in names, names\n"
		"assert {'M', 'B', 'E', 'i'} <= phases, phases\n"
		"assert all(e['ts'] >= 0 for e in ev if 'ts' in e)\n"
		"print(len(ev), 'events')\n", NULL, NULL };
	struct th_result r;

	ASSERT_NOT_NULL(dir);
	a = strdup(tu_path(dir, "a.lst"));
	p = strdup(tu_path(dir, "a.json"));
	rec[6] = a;
	ASSERT_EQ(0, run(rec, &r));
	th_result_free(&r);
	exp[2] = a;
	exp[6] = p;
	ASSERT_EQ(0, run(exp, &r));
	th_result_free(&r);
	py[3] = p;
	if (access("/usr/bin/python3", X_OK))
		SKIP(goto out, "no python3");
	ASSERT_EQ(0, run(py, &r));
	TH_LOG("%s", r.out);
	th_result_free(&r);
out:
	free(a);
	free(p);
	tu_rmtree(dir);
}

/* Bad JSON lines: one line naming the line, exit 1. */
static void bad_jsonl(const char *text, const char *want)
{
	char *dir = tu_tmpdir();
	char *file;
	char *argv[] = { (char *)tu_lockstep(), "export", NULL, "--format", "jsonl", NULL };
	struct th_result r;

	ASSERT_NOT_NULL(dir);
	file = tu_path(dir, "bad.jsonl");
	ASSERT_EQ(0, tu_write_file(file, text, strlen(text)));
	argv[2] = file;
	ASSERT_EQ(0, th_run_argv(argv, NULL, 30, &r));
	TH_LOG("%s", r.err);
	EXPECT_EQ(1, r.status);
	EXPECT_EQ((size_t)1, tu_count_lines(r.err));
	EXPECT_CONTAINS(r.err, want);
	th_result_free(&r);
	tu_rmtree(dir);
}

#define GOOD_LINE "{\"ts\":1,\"pid\":2,\"tid\":3,\"cpu\":0,\"event\":\"mutex_state\"," \
		  "\"flags\":0,\"obj\":4096,\"goid\":1,\"args\":[0,1,0,0,0]}\n"

TEST(jsonl_errors_name_the_line)
{
	bad_jsonl(GOOD_LINE "{\"ts\":1}\n", "line 2, column 9: missing \"pid\"");
	bad_jsonl(GOOD_LINE GOOD_LINE "{\"ts\":-1}\n", "line 3, column 7: expected a non-negative integer");
	bad_jsonl("{\"ts\":1,\"pid\":2,\"tid\":3,\"cpu\":0,\"event\":\"frobnicate\"}\n",
		  "line 1, column 53: unknown event \"frobnicate\"");
	bad_jsonl("{\"ts\":18446744073709551616}\n", "does not fit in 64 bits");
	bad_jsonl(GOOD_LINE "{\"ts\":1} x\n", "line 2, column 10: text after the object");
	bad_jsonl("{\"ts\":1,\"pid\":2,\"tid\":3,\"cpu\":0,\"event\":\"go_name\",\"flags\":0,"
		  "\"obj\":1,\"goid\":1,\"args\":[0,0,0,0,0]}\n",
		  "line 1: go_name: flags 0x0 (expected 0x1 or 0x101)");
}

/* Every input the fuzzer kept: a clean answer, never a crash. */
TEST(fuzz_corpus_replays)
{
	const char *dirname = "tests/fuzz/corpus";
	DIR *d = opendir(dirname);
	struct dirent *de;
	size_t files = 0, ok = 0;

	if (!d)
		SKIP(return, "no %s (run make fuzz)", dirname);
	while ((de = readdir(d))) {
		char path[TU_PATH], err[800];
		struct ls_trace_reader *r;
		struct ls_event e;
		size_t len = 0;
		char *buf;
		int ret;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dirname, de->d_name);
		buf = tu_read_file(path, &len);
		ASSERT_NOT_NULL(buf);
		files++;
		ret = ls_trace_reader_open_mem(&r, buf, len, de->d_name, err, sizeof(err));
		if (ret) {
			EXPECT_CONTAINS(err, "byte ");
		} else {
			while ((ret = ls_trace_reader_next(r, &e)) > 0)
				EXPECT_TRUE(e.id > 0 && e.id < LS_EV__COUNT);
			if (ret < 0)
				EXPECT_CONTAINS(ls_trace_reader_error(r), "byte ");
			else
				ok++;
			ls_trace_reader_close(r);
		}
		if (len && buf[0] == '{') {
			char *line = buf, *nl;

			for (; line && *line; line = nl ? nl + 1 : NULL) {
				nl = strchr(line, '\n');
				ls_jsonl_parse_line(line, nl ? (size_t)(nl - line) : strlen(line),
						    &e, err, sizeof(err));
			}
		}
		free(buf);
	}
	closedir(d);
	TH_LOG("%zu files, %zu read to the end", files, ok);
	if (!files)
		SKIP(return, "%s is empty (run make fuzz)", dirname);
}

TEST_HARNESS_MAIN
