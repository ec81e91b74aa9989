// SPDX-License-Identifier: MIT
/*
 * cmd_record.c - `lockstep record -o FILE`: a program's events into a trace
 * file (lab/tracefile.c, docs/trace-format.md).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "outfile.h"
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
	struct ls_outfile of = { 0 };
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

	/*
	 * A file we cannot write is found out before the program starts.
	 * With "-" the trace goes to our stdout: the program's own stdout is
	 * pointed at stderr, so that its output cannot corrupt the trace.
	 */
	if (strcmp(output, "-")) {
		f = ls_outfile_open(&of, output);
	} else {
		int fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);

		f = fd >= 0 ? fdopen(fd, "wb") : NULL;
		if (f)
			dup2(STDERR_FILENO, STDOUT_FILENO);
		else if (fd >= 0)
			close(fd);
	}
	if (!f) {
		ls_error("%s: %s", output, strerror(errno));
		return 1;
	}
	ls_transport_catch_signals();
	ret = ls_transport_open(&t, &o);
	if (ret) {
		/* the reason is on stderr already; leave no empty trace behind */
		fclose(f);
		f = NULL;
		ls_outfile_discard(&of);
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
	if (f && fclose(f) && !ret)
		ret = -errno;
	if (f && !ret)
		ret = ls_outfile_commit(&of);
	if (f && ret)
		ls_outfile_discard(&of);
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
