// SPDX-License-Identifier: MIT
/*
 * cmd_export.c - `lockstep export`: a trace file (or JSON lines) as JSON
 * lines, as a Chrome/Perfetto trace, or as a trace file again.
 *
 * JSON lines read back into the very same records, so
 *	lockstep export a.lstrace --format jsonl -o a.jsonl
 *	lockstep export a.jsonl --format trace -o b.lstrace
 * gives b.lstrace with the records of a.lstrace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "outfile.h"
#include "evtext.h"
#include "export.h"
#include "tracefile.h"

static const char export_usage[] =
	"usage: lockstep export FILE --format jsonl|perfetto|trace [-o OUT]\n"
	"\n"
	"Convert a trace file (from 'lockstep record') or a JSON lines file:\n"
	"  jsonl     one JSON object per event, every field of the record plus the\n"
	"            goroutine and object names; reads back into the same records\n"
	"  perfetto  Chrome trace-event JSON for https://ui.perfetto.dev: a track\n"
	"            per goroutine with its parked intervals, a track per thread\n"
	"            with off-CPU and futex intervals, every event as an instant\n"
	"  trace     a lockstep trace file (from JSON lines, or a clean copy)\n"
	"The input is checked record by record; a bad one stops the export with\n"
	"one line naming its place.  docs/trace-format.md has the details.\n"
	"\n"
	"options:\n"
	"  -f, --format FMT   jsonl, perfetto or trace (required)\n"
	"  -o, --output OUT   write to OUT instead of stdout\n"
	"  -h, --help         this text\n";

enum fmt { FMT_NONE, FMT_JSONL, FMT_PERFETTO, FMT_TRACE };

struct source {
	struct ls_trace_reader *tr;
	struct ls_jsonl_reader *jr;
	uint32_t pid;
};

/* JSON lines start with '{'; anything else goes to the trace reader. */
static bool looks_like_jsonl(const char *path)
{
	FILE *f = fopen(path, "re");
	int c;

	if (!f)
		return false;
	do
		c = fgetc(f);
	while (c == ' ' || c == '\t' || c == '\n' || c == '\r');
	fclose(f);
	return c == '{';
}

static int source_open(struct source *s, const char *path)
{
	char err[800];
	int ret;

	memset(s, 0, sizeof(*s));
	if (looks_like_jsonl(path))
		ret = ls_jsonl_reader_open(&s->jr, path, err, sizeof(err));
	else
		ret = ls_trace_reader_open(&s->tr, path, err, sizeof(err));
	if (ret) {
		ls_error("%s", err);
		return ret;
	}
	if (s->tr)
		s->pid = ls_trace_reader_info(s->tr)->pid;
	return 0;
}

static int source_next(struct source *s, struct ls_event *e)
{
	int ret = s->tr ? ls_trace_reader_next(s->tr, e) : ls_jsonl_reader_next(s->jr, e);

	if (ret < 0)
		ls_error("%s", s->tr ? ls_trace_reader_error(s->tr) : ls_jsonl_reader_error(s->jr));
	return ret;
}

static uint64_t source_lost(const struct source *s)
{
	return s->tr ? ls_trace_reader_info(s->tr)->lost : 0;
}

static void source_close(struct source *s)
{
	ls_trace_reader_close(s->tr);
	ls_jsonl_reader_close(s->jr);
}

static int convert(struct source *src, enum fmt fmt, FILE *out, const char *outname)
{
	struct ls_trace_writer *w = NULL;
	struct ls_perfetto *pf = NULL;
	struct ls_names *names = ls_names_new();
	struct ls_event e;
	bool first = true;
	int ret;

	if (!names)
		return -ENOMEM;
	while ((ret = source_next(src, &e)) > 0) {
		if (first) {
			uint32_t pid = src->pid ? src->pid : e.pid;

			first = false;
			if (fmt == FMT_TRACE)
				ret = ls_trace_writer_fopen(&w, out, pid);
			else if (fmt == FMT_PERFETTO)
				ret = ls_perfetto_begin(&pf, out, pid);
			if (ret < 0)
				break;
		}
		ls_names_update(names, &e);
		if (fmt == FMT_JSONL)
			ret = ls_jsonl_write(out, names, &e);
		else if (fmt == FMT_PERFETTO)
			ret = ls_perfetto_event(pf, names, &e);
		else
			ret = ls_trace_writer_add(w, &e);
		if (ret < 0)
			break;
	}
	if (first && ret == 0) {
		/* an empty trace is still a valid document */
		if (fmt == FMT_TRACE)
			ret = ls_trace_writer_fopen(&w, out, src->pid);
		else if (fmt == FMT_PERFETTO)
			ret = ls_perfetto_begin(&pf, out, src->pid);
	}
	if (w) {
		int r = ls_trace_writer_close(w, source_lost(src));

		if (!ret)
			ret = r;
	}
	if (pf) {
		int r = ls_perfetto_end(pf);

		if (!ret)
			ret = r;
	}
	if (ret < 0 && ret != -EINVAL)
		ls_error("%s: %s", outname, strerror(-ret));
	ls_names_free(names);
	return ret;
}

int cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *input = NULL, *output = NULL;
	enum fmt fmt = FMT_NONE;
	struct source src;
	FILE *out = stdout;
	struct ls_outfile of = { 0 };
	int opt, ret;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "f:o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			if (!strcmp(optarg, "jsonl"))
				fmt = FMT_JSONL;
			else if (!strcmp(optarg, "perfetto"))
				fmt = FMT_PERFETTO;
			else if (!strcmp(optarg, "trace"))
				fmt = FMT_TRACE;
			else
				return ls_usage_error("export", "--format %s: expected jsonl,"
						      " perfetto or trace", optarg);
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			fputs(export_usage, stdout);
			return 0;
		default:
			return ls_bad_option("export", argv);
		}
	}
	if (optind < argc)
		input = argv[optind++];
	if (!input)
		return ls_usage_error("export", "no input file");
	if (optind < argc)
		return ls_usage_error("export", "unexpected argument '%s'", argv[optind]);
	if (fmt == FMT_NONE)
		return ls_usage_error("export", "no --format: give jsonl, perfetto or trace");
	if (fmt == FMT_TRACE && !output && isatty(STDOUT_FILENO))
		return ls_usage_error("export", "--format trace is binary: give -o FILE");

	if (source_open(&src, input))
		return 1;
	if (output) {
		out = ls_outfile_open(&of, output);
		if (!out) {
			ls_error("%s: %s", output, strerror(errno));
			source_close(&src);
			return 1;
		}
	}
	ret = convert(&src, fmt, out, output ? output : "stdout");
	if (output) {
		if (fclose(out) && !ret) {
			ret = -errno;
			ls_error("%s: %s", output, strerror(-ret));
		}
		if (!ret && (ret = ls_outfile_commit(&of)))
			ls_error("%s: %s", output, strerror(-ret));
		if (ret)
			ls_outfile_discard(&of);	/* no half-converted files */
	} else if (fflush(out) && !ret) {
		ret = -EIO;
	}
	source_close(&src);
	return ret ? 1 : 0;
}
