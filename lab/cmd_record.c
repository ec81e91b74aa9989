// SPDX-License-Identifier: MIT
/*
 * cmd_record.c - `lockstep record -o FILE`: a program's events into a trace
 * file (lab/tracefile.c, docs/trace-format.md).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "tracefile.h"

static const char record_usage[] =
	"usage: lockstep record [OPTIONS] -o FILE -p PID\n"
	"       lockstep record [OPTIONS] -o FILE [--] PROGRAM [ARGS...]\n"
	"\n"
	"Write every event of a program linked with liblockstep to a trace file,\n"
	"for 'lockstep replay', 'lockstep export' and the tests.  The format is\n"
	"docs/trace-format.md.\n"
	"\n"
	"options:\n"
	"  -o, --output FILE  the trace file ('-' for stdout); required\n"
	LS_TARGET_HELP
	"  -q, --quiet        no summary line on stderr\n"
	"  -h, --help         this text\n"
	"\n"
	"Exit status: the program's (128+N if signal N killed it); 0 when an\n"
	"attached process exits or lockstep is interrupted; 1 on errors.\n";

static int on_event(const struct ls_event *e, void *ctx)
{
	return ls_trace_writer_add(ctx, e);
}

int cmd_record(int argc, char **argv)
{
	static const struct option longopts[] = {
		LS_TARGET_LONGOPTS,
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ls_transport_opts o = { 0 };
	struct ls_trace_writer *w;
	struct ls_transport *t;
	const char *output = NULL;
	bool quiet = false, reported = false;
	int opt, ret, err, status = -1;
	FILE *f;
	uint64_t count, lost;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+" LS_TARGET_SHORTOPTS "o:qh",
				  longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(record_usage, stdout);
			return 0;
		case 'o':
			output = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case '?':
			return ls_bad_option("record", argv);
		default:
			ret = ls_target_opt("record", opt, optarg, &o);
			if (ret)
				return ret == 1 ? ls_bad_option("record", argv) : ret;
		}
	}
	if (!output)
		return ls_usage_error("record", "no output file: give -o FILE");
	ret = ls_target_finish("record", argc, argv, optind, &o);
	if (ret)
		return ret;

	/* A file we cannot write is found out before the program starts. */
	f = strcmp(output, "-") ? fopen(output, "wbe") : stdout;
	if (!f) {
		ls_error("%s: %s", output, strerror(errno));
		return 1;
	}
	ls_transport_catch_signals();
	ret = ls_transport_open(&t, &o);
	if (ret) {
		/* the reason is on stderr already; leave no empty trace behind */
		if (f != stdout)
			unlink(output);
		reported = true;
		goto out_file;
	}
	ret = ls_trace_writer_fopen(&w, f, (uint32_t)ls_transport_pid(t));
	if (ret) {
		ls_transport_close(t);
		goto out_file;
	}
	ret = ls_transport_run(t, on_event, w);
	status = ls_transport_exit_status(t);
	lost = ls_transport_lost(t);
	ls_transport_close(t);
	count = ls_trace_writer_count(w);
	err = ls_trace_writer_close(w, lost);
	if (!ret)
		ret = err;
out_file:
	if (f != stdout && fclose(f) && !ret)
		ret = -errno;
	if (ret) {
		if (!reported)
			ls_error("%s: %s", output, strerror(-ret));
		return 1;
	}
	if (!quiet)
		ls_error("recorded %llu events to %s%s", (unsigned long long)count,
			 output, lost ? " (some were lost: see above)" : "");
	return status >= 0 ? status : 0;
}
