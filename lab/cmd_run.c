// SPDX-License-Identifier: MIT
/*
 * cmd_run.c - `lockstep run`: run an exercise or any program linked with
 * liblockstep, watch it live (the UI) or not, and end with one verdict and
 * its exit status (ARCHITECTURE.md, "The lockstep command").
 *
 * The run loop is lab/runner.c, shared with `check` and `demo`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "registry.h"
#include "runner.h"

#include "../viz/ui.h"

#define RUN_DEFAULT_TIMEOUT	60	/* seconds, without the UI */

static const char run_usage[] =
	"usage: lockstep run EXERCISE [--solution] [OPTIONS]\n"
	"       lockstep run [OPTIONS] -- PROGRAM [ARGS...]\n"
	"\n"
	"Run an exercise (an id from 'lockstep list', or its name alone when that\n"
	"is unambiguous) or any program linked with liblockstep, with every event\n"
	"traced, and end with one verdict.  An exercise is rebuilt first when its\n"
	"source is newer than its program.\n"
	"\n"
	"options:\n"
	"  --solution         run the exercise's solution instead\n"
	"  --no-ui            no live UI: print the verdict and a short report\n"
	"                     (also when stdin or stdout is not a terminal)\n"
	"  --json             print the verdict as one JSON object on stdout and\n"
	"                     nothing else (implies --no-ui); the program's own\n"
	"                     stdout goes to stderr\n"
	"  --record FILE      also write the events to a trace file\n"
	"  --timeout SEC      stop the program after SEC seconds and report\n"
	"                     'timeout' (default: none with the UI, 60 without;\n"
	"                     0: none)\n"
	"  --paused           UI: start paused (space resumes, n steps)\n"
	"  --speed N          UI: events per second to start with\n"
	"  --ascii            UI: ASCII boxes and arrows (the default when the\n"
	"                     locale is not UTF-8)\n"
	"  --mono             UI: no colours (also when NO_COLOR is set)\n"
	"  --no-watch         do not stop a program whose goroutines deadlocked\n"
	"                     while others still run (wait for it, or --timeout)\n"
	LS_PROGRAM_HELP
	"  -h, --help         this text\n"
	"\n"
	"verdicts and exit status:\n"
	"  ok                  0  ran to the end, no problem found\n"
	"  deadlock           10  a wait-for cycle, or every goroutine parked\n"
	"  leak               11  main finished while goroutines stayed parked\n"
	"  potential-deadlock 12  no hang this run, but a lock-order cycle\n"
	"  race               13  conflicting accesses not ordered by happens-before\n"
	"  panic              14  a Go-style panic or fatal error, or a death by a\n"
	"                         signal (SIGSEGV, SIGABRT, ...)\n"
	"  timeout            15  no verdict within --timeout\n"
	"\n"
	"A deadlock that does not end the program (some goroutines wait for each\n"
	"other while another still runs) is found while it runs: the program is\n"
	"stopped and the verdict is 'deadlock'.  1: lockstep itself failed;\n"
	"2: usage error.  The JSON object is described in docs/lab.md.\n";

enum {
	OPT_SOLUTION = 0x2000,
	OPT_NO_UI,
	OPT_JSON,
	OPT_RECORD,
	OPT_TIMEOUT,
	OPT_NO_WATCH,
	OPT_PAUSED,
	OPT_SPEED,
	OPT_ASCII,
	OPT_MONO,
};

struct run_args {
	struct ls_run_opts	ro;
	const char		*exercise;
	bool			solution, no_ui, json, timeout_set;
	bool			paused, ascii, mono;
	uint32_t		speed;
	char			*prog_argv[2];
};

static int parse_timeout(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < 0 || v > 86400 * 365)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Options come before "--"; what follows it is the program. */
static int parse(int argc, char **argv, struct run_args *a)
{
	static const struct option longopts[] = {
		LS_PROGRAM_LONGOPTS,
		{ "solution", no_argument, NULL, OPT_SOLUTION },
		{ "no-ui", no_argument, NULL, OPT_NO_UI },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "record", required_argument, NULL, OPT_RECORD },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "no-watch", no_argument, NULL, OPT_NO_WATCH },
		{ "paused", no_argument, NULL, OPT_PAUSED },
		{ "speed", required_argument, NULL, OPT_SPEED },
		{ "ascii", no_argument, NULL, OPT_ASCII },
		{ "mono", no_argument, NULL, OPT_MONO },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int end = argc, opt, ret;
	long long v;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			end = i;
			break;
		}
	}
	optind = 1;
	while ((opt = getopt_long(end, argv, "vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(run_usage, stdout);
			return 1;
		case OPT_SOLUTION:
			a->solution = true;
			break;
		case OPT_NO_UI:
			a->no_ui = true;
			break;
		case OPT_JSON:
			a->json = a->no_ui = true;
			break;
		case OPT_RECORD:
			a->ro.record = optarg;
			break;
		case OPT_TIMEOUT:
			if (parse_timeout(optarg, &a->ro.timeout_s))
				return ls_usage_error("run", "--timeout %s: expected seconds",
						      optarg);
			a->timeout_set = true;
			break;
		case OPT_NO_WATCH:
			a->ro.no_watch = true;
			break;
		case OPT_PAUSED:
			a->paused = true;
			break;
		case OPT_ASCII:
			a->ascii = true;
			break;
		case OPT_MONO:
			a->mono = true;
			break;
		case OPT_SPEED:
			if (ls_parse_num(optarg, 1, 1000000, &v))
				return ls_usage_error("run", "--speed %s: expected events "
						      "per second (1 to 1000000)", optarg);
			a->speed = (uint32_t)v;
			break;
		case '?':
			return ls_bad_option("run", argv);
		default:
			ret = ls_target_opt("run", opt, optarg, &a->ro.target);
			if (ret)
				return ret == 1 ? ls_bad_option("run", argv) : ret;
		}
	}
	if (end < argc) {
		if (optind < end)
			return ls_usage_error("run", "give an exercise or '-- PROGRAM', not both");
		if (end + 1 >= argc)
			return ls_usage_error("run", "no program after '--'");
		a->ro.target.argv = &argv[end + 1];
	} else if (optind == end) {
		return ls_usage_error("run", "nothing to run: give an EXERCISE or "
				      "-- PROGRAM [ARGS...]");
	} else if (optind + 1 < end) {
		return ls_usage_error("run", "one exercise at a time (put a program's "
				      "arguments after '--')");
	} else {
		a->exercise = argv[optind];
	}
	if (a->solution && !a->exercise)
		return ls_usage_error("run", "--solution needs an EXERCISE");
	return 0;
}

/*
 * The exercise's program, rebuilt when its source (or liblockstep) is
 * newer; *ex points into reg.  0, or the command's exit status.
 */
static int resolve_exercise(struct run_args *a, struct ls_registry *reg,
			    const struct ls_exercise **exp, char *bin, size_t len)
{
	struct ls_lab_paths paths;
	const struct ls_exercise *ex;
	char root[PATH_MAX], err[256];
	const char *src;
	int ret;

	if (ls_registry_find_root(root, sizeof(root))) {
		ls_error("cannot find the exercises (set LOCKSTEP_ROOT to the lockstep tree)");
		return 1;
	}
	if (ls_registry_load(reg, root, NULL)) {
		ls_error("cannot read %s/exercises", root);
		return 1;
	}
	ex = ls_registry_lookup(reg, a->exercise, err, sizeof(err));
	if (!ex) {
		fprintf(stderr, "lockstep run: %s%s\n", err, reg->nr_errors ?
			" (some exercise files did not parse: see 'lockstep list')" : "");
		return LS_EXIT_USAGE;
	}
	if (ls_lab_paths(&paths))
		return 1;
	if (ls_exercise_binary(ex, paths.build, a->solution, bin, len)) {
		ls_error("%s: path too long", ex->id);
		return 1;
	}
	src = a->solution ? ex->solution : ex->path;
	if (a->solution && access(src, R_OK)) {
		ls_error("%s has no solution (%s)", ex->id, src);
		return 1;
	}
	ret = ls_lab_build(&paths, src, bin);
	if (ret > 0)
		ls_error("%s does not compile; fix the errors above (or build "
			 "everything with 'make exercises')", src);
	if (ret)
		return 1;
	*exp = ex;
	return 0;
}

/*
 * The UI polls the transport; every event reaches the run (detectors, trace
 * file, goal) through ls_run_with_ui before the UI sees it.  The UI's banner
 * comes from its own detector, finished when the stream ends; the run's is
 * finished by ls_run_finish, which knows whether the program was stopped.
 * Without a terminal after all, the loop of --no-ui takes over.
 */
static int ui_loop(struct ls_run *r, const struct run_args *a, const char *title)
{
	struct ls_ui_opts uo = {
		.title = title, .paused = a->paused, .speed = a->speed,
		.ascii = a->ascii, .mono = a->mono,
	};

	return ls_run_with_ui(r, &uo, NULL, NULL);
}

/* What the student does next, after running their exercise. */
static void next_step(const struct ls_exercise *ex, const struct ls_run *r)
{
	bool done = ex->kind == LS_EX_FIX ? r->verdict == LS_VERDICT_OK && !r->exit_status
					  : r->goal.reached;

	if (ex->kind == LS_EX_OBSERVE)
		printf("exercise %s: %s; answer the question on the 'answer:' line "
		       "of the file, then 'lockstep check %s' (stuck? 'lockstep hint "
		       "%s')\n", ex->id, r->goal.reached ? "you saw it happen"
		       : "the event to watch did not happen this run", ex->id, ex->id);
	else if (done)
		printf("exercise %s: %s this run; 'lockstep check %s' runs it several "
		       "times\n", ex->id, ex->kind == LS_EX_FIX ? "no problem found"
		       : "goal reached", ex->id);
	else if (ex->kind == LS_EX_FIX)
		printf("exercise %s: this run shows '%s' (as given, the exercise shows "
		       "'%s'); fix it, then 'lockstep check %s' (stuck? 'lockstep "
		       "hint %s')\n", ex->id, ls_verdict_name(r->verdict),
		       ex->verdict, ex->id, ex->id);
	else
		printf("exercise %s: the goal was not reached this run; change the "
		       "program until it is, then 'lockstep check %s' (stuck? "
		       "'lockstep hint %s')\n", ex->id, ex->id, ex->id);
}

int cmd_run(int argc, char **argv)
{
	struct run_args a = { 0 };
	struct ls_registry reg = { 0 };
	const struct ls_exercise *ex = NULL;
	char bin[PATH_MAX], extra[PATH_MAX + 64];
	struct ls_run r = { 0 };
	bool ui;
	int ret, err, status;

	ret = parse(argc, argv, &a);
	if (ret)
		return ret == 1 ? 0 : ret;
	if (a.exercise) {
		status = resolve_exercise(&a, &reg, &ex, bin, sizeof(bin));
		if (status)
			goto out_reg;
		a.prog_argv[0] = bin;
		a.ro.target.argv = a.prog_argv;
		a.ro.goal = ex->goal;
	}
	/* no terminal: the report, as with --no-ui */
	ui = !a.no_ui && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	if (!ui && !a.timeout_set)
		a.ro.timeout_s = RUN_DEFAULT_TIMEOUT;
	if (a.json) {
		a.ro.output = LS_RUN_OUT_STDERR;
		a.ro.target.quiet = true;
	} else if (ui) {
		/* the UI owns the terminal: the program's output comes after it */
		a.ro.output = LS_RUN_OUT_CAPTURE;
	}
	ret = ls_run_start(&r, &a.ro);
	if (ret) {
		status = 1;	/* it never ran; the reason is on stderr */
		goto out_run;
	}
	ret = ui ? ui_loop(&r, &a, a.ro.target.argv[0]) : ls_run_loop(&r);
	err = ls_run_finish(&r);
	if (!ret)
		ret = err;
	extra[0] = '\0';
	if (ex)
		snprintf(extra, sizeof(extra), "\"exercise\": \"%s\", \"solution\": %s",
			 ex->id, a.solution ? "true" : "false");
	if (a.json) {
		ls_run_json(&r, stdout, extra);
	} else {
		if (r.out_len)
			fwrite(r.out, 1, r.out_len, stdout);
		fflush(stdout);
		ls_run_report(&r, stdout);
		if (ex && !a.solution)
			next_step(ex, &r);
	}
	fflush(stdout);
	status = ret ? 1 : ls_verdict_exit(r.verdict);
out_run:
	ls_run_release(&r);
out_reg:
	if (a.exercise)
		ls_registry_free(&reg);
	return status;
}
