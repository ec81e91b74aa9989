// SPDX-License-Identifier: MIT
/*
 * cmd_trace.c - `lockstep trace`: every event of a program as one line of
 * text, as it happens, with goroutine and object names resolved from the
 * GO_CREATE, GO_NAME and OBJ_NAME events seen so far.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "evtext.h"

static const char trace_usage[] =
	"usage: lockstep trace [OPTIONS] -p PID\n"
	"       lockstep trace [OPTIONS] [--] PROGRAM [ARGS...]\n"
	"\n"
	"Print every event of a program linked with liblockstep, one line each,\n"
	"as it happens:\n"
	"\n"
	"   seconds   goroutine          event           object   arguments\n"
	"   0.004211 g3    worker-1     mutex_state     mutex \"counter-lock\"  old=0x1 new=0x9 step=lock_slow\n"
	"\n"
	"Kernel events (sched_off/on, futex_*) name the thread's goroutine when\n"
	"known, else the thread (t1234).  Lost records show as trace_lost.\n"
	"\n"
	"options:\n"
	LS_TARGET_HELP
	"  -o, --output FILE  write the lines to FILE instead of stdout\n"
	"  -h, --help         this text\n"
	"\n"
	"Exit status: the program's (128+N if signal N killed it); 0 when an\n"
	"attached process exits or lockstep is interrupted; 1 on errors.\n";

struct trace_ctx {
	FILE *out;
	struct ls_names *names;
	uint64_t t0;
	bool started;
};

static int on_event(const struct ls_event *e, void *ctx)
{
	struct trace_ctx *c = ctx;
	char line[512];

	if (!c->started) {
		c->t0 = e->ts;
		c->started = true;
	}
	ls_names_update(c->names, e);
	ls_event_line(c->names, e, c->t0, line, sizeof(line));
	fputs(line, c->out);
	fputc('\n', c->out);
	return ferror(c->out) ? -EIO : 0;
}

int cmd_trace(int argc, char **argv)
{
	static const struct option longopts[] = {
		LS_TARGET_LONGOPTS,
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ls_transport_opts o = { 0 };
	struct trace_ctx c = { .out = stdout };
	struct ls_transport *t;
	const char *output = NULL;
	int opt, ret, status;
	struct stat st;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+" LS_TARGET_SHORTOPTS "o:h",
				  longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(trace_usage, stdout);
			return 0;
		case 'o':
			output = optarg;
			break;
		case '?':
			return ls_bad_option("trace", argv);
		default:
			ret = ls_target_opt("trace", opt, optarg, &o);
			if (ret)
				return ret == 1 ? ls_bad_option("trace", argv) : ret;
		}
	}
	ret = ls_target_finish("trace", argc, argv, optind, &o);
	if (ret)
		return ret;
	/*
	 * A program we start writes to the same stdout: one write per line
	 * keeps its output from landing in the middle of ours in a file.
	 */
	if (!output && !isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOLBF, 0);
	if (output) {
		c.out = fopen(output, "we");
		if (!c.out) {
			ls_error("%s: %s", output, strerror(errno));
			return 1;
		}
	}
	c.names = ls_names_new();
	if (!c.names) {
		ret = -ENOMEM;
		goto out_close;
	}
	/*
	 * Live through a pipe (| grep): a line at a time, unless the lines go
	 * to a file.  A closed pipe (| head) ends the trace instead of killing
	 * us.
	 */
	if (!fstat(fileno(c.out), &st) && !S_ISREG(st.st_mode))
		setvbuf(c.out, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	ls_transport_catch_signals();
	ret = ls_transport_open(&t, &o);
	if (ret)
		goto out_names;
	ret = ls_transport_run(t, on_event, &c);
	if (fflush(c.out) && !ret)
		ret = -errno;
	status = ls_transport_exit_status(t);
	ls_transport_close(t);
	if (ret && ret != -EPIPE)
		ls_error("trace: %s", strerror(-ret));
	else if (ret != -EPIPE)
		ret = 0;
out_names:
	ls_names_free(c.names);
out_close:
	if (output)
		fclose(c.out);
	if (ret)
		return 1;
	return status >= 0 ? status : 0;
}
