// SPDX-License-Identifier: MIT
/*
 * cmd_demo.c - `lockstep demo [NAME]`: guided demonstrations.  A small
 * program (lab/demos/) runs live in the UI while a narration beside the
 * animation tells its story step by step, pausing at the moments that
 * matter; without a terminal, or with --no-ui, the same narration is
 * printed as text with a line of state for every step.
 *
 * The run itself is lab/runner.c, as for `run`: the detectors, the trace
 * file, and the UI's events all go through it.  Every event also reaches a
 * narrator of our own (lab/demos.c) on a model of our own, which checks
 * that the story happened as planned, whatever the UI showed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "demos.h"
#include "runner.h"

#define WRAP_COLS		76
#define INDENT			"      "
#define DEMO_EXIT_SIGNAL	130	/* as a shell reports SIGINT */

static const char demo_usage_head[] =
	"usage: lockstep demo [NAME] [OPTIONS]\n"
	"       lockstep demo --list\n"
	"\n"
	"Guided demonstrations for a projector: a small program runs live in the\n"
	"UI while a narration beside the animation explains each step, and the UI\n"
	"pauses at the moments that matter (space goes on; every key of 'lockstep\n"
	"run' works).  Without NAME, the first demo.  docs/demos.md is the\n"
	"presenter's guide.\n"
	"\n"
	"demos:\n";

static const char demo_usage_tail[] =
	"\n"
	"options:\n"
	"  --list             the demos, one per line: name and title\n"
	"  --no-ui            no UI: print the narration, each step with a line of\n"
	"                     state, then the verdict (also when stdin or stdout is\n"
	"                     not a terminal)\n"
	"  --pace X           X times faster (default 1: the program takes a step\n"
	"                     every 0.7 s, the UI plays 10 events a second; 0.5 is\n"
	"                     twice as slow); LOCKSTEP_DEMO_PACE sets the default\n"
	"  --record FILE      also write the events to a trace file, to replay later\n"
	"  --program PATH     run PATH with this demo's narration instead of the\n"
	"                     demo's own program (to try a changed demo)\n"
	"  --ascii            ASCII boxes and arrows\n"
	"  --mono             no colours (also when NO_COLOR is set)\n"
	LS_PROGRAM_HELP
	"  -h, --help         this text\n"
	"\n"
	"Exit status: 0 the demo ran as planned (or you left the UI before its\n"
	"end); 1 it did not (a line says which step never happened), or lockstep\n"
	"failed; 2 usage error; 130 interrupted (Ctrl-C).\n";

static void usage(FILE *f)
{
	fputs(demo_usage_head, f);
	for (size_t i = 0; i < ls_ndemos; i++)
		fprintf(f, "  %-16s %s%s\n", ls_demos[i].name, ls_demos[i].title,
			i ? "" : " (the default)");
	fputs(demo_usage_tail, f);
}

enum {
	OPT_LIST = 0x2000,
	OPT_NO_UI,
	OPT_PACE,
	OPT_RECORD,
	OPT_ASCII,
	OPT_MONO,
	OPT_PROGRAM,
};

struct demo_args {
	const struct ls_demo	*demo;
	const char		*program;	/* --program */
	bool			list, no_ui, ascii, mono;
	double			pace;		/* --pace */
	struct ls_run_opts	ro;
	char			*prog_argv[2];
	char			bin[PATH_MAX];
};

static int parse_pace(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 1000)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse(int argc, char **argv, struct demo_args *a)
{
	static const struct option longopts[] = {
		{ "list", no_argument, NULL, OPT_LIST },
		{ "no-ui", no_argument, NULL, OPT_NO_UI },
		{ "pace", required_argument, NULL, OPT_PACE },
		{ "record", required_argument, NULL, OPT_RECORD },
		{ "ascii", no_argument, NULL, OPT_ASCII },
		{ "mono", no_argument, NULL, OPT_MONO },
		{ "program", required_argument, NULL, OPT_PROGRAM },
		LS_PROGRAM_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *env = getenv("LOCKSTEP_DEMO_PACE");
	bool pace_set = false;
	int opt, ret;

	a->pace = 1;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return 1;
		case OPT_LIST:
			a->list = true;
			break;
		case OPT_NO_UI:
			a->no_ui = true;
			break;
		case OPT_PACE:
			if (parse_pace(optarg, &a->pace))
				return ls_usage_error("demo", "--pace %s: expected a number "
						      "above 0 (times faster)", optarg);
			pace_set = true;
			break;
		case OPT_RECORD:
			a->ro.record = optarg;
			break;
		case OPT_ASCII:
			a->ascii = true;
			break;
		case OPT_MONO:
			a->mono = true;
			break;
		case OPT_PROGRAM:
			a->program = optarg;
			break;
		case '?':
			return ls_bad_option("demo", argv);
		default:
			ret = ls_target_opt("demo", opt, optarg, &a->ro.target);
			if (ret)
				return ret == 1 ? ls_bad_option("demo", argv) : ret;
		}
	}
	if (optind + 1 < argc)
		return ls_usage_error("demo", "one demo at a time");
	if (a->list)
		return 0;
	if (!pace_set && env && *env && parse_pace(env, &a->pace))
		return ls_usage_error("demo", "LOCKSTEP_DEMO_PACE=%s: expected a number "
				      "above 0 (times faster)", env);
	if (optind == argc) {
		a->demo = &ls_demos[0];
		return 0;
	}
	a->demo = ls_demo_find(argv[optind]);
	if (!a->demo) {
		char names[256] = "";

		for (size_t i = 0; i < ls_ndemos; i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 i ? ", " : "", ls_demos[i].name);
		return ls_usage_error("demo", "no demo '%s' (the demos: %s)", argv[optind],
				      names);
	}
	return 0;
}

/*
 * <build>/demos/<program>, rebuilt from <root>/lab/demos/<program>.c when
 * that is newer (or liblockstep.a is), as `run` does for exercises.
 */
static int find_program(const struct ls_demo *d, char *bin, size_t len)
{
	struct ls_lab_paths paths;
	char src[PATH_MAX + 64];
	int ret;

	if (ls_lab_paths(&paths))
		return -ENOENT;
	if ((size_t)snprintf(bin, len, "%s/demos/%s", paths.build, d->program) >= len ||
	    (size_t)snprintf(src, sizeof(src), "%s/lab/demos/%s.c", paths.root,
			     d->program) >= sizeof(src)) {
		ls_error("%s: path too long", d->program);
		return -ENAMETOOLONG;
	}
	if (access(src, R_OK)) {
		if (!access(bin, X_OK))
			return 0;
		ls_error("no program for the demo %s: neither %s nor %s (build it with "
			 "'make demos')", d->name, bin, src);
		return -ENOENT;
	}
	ret = ls_lab_build(&paths, src, bin);
	if (ret > 0)
		ls_error("%s does not compile (or run 'make demos')", src);
	return ret ? -EINVAL : 0;
}

/* ---- the story, as the events arrive ---- */

struct story {
	const struct ls_demo		*d;
	struct ls_model			*m;	/* no timeline: the state only */
	struct ls_demo_narrator		n;
	bool				print;	/* text mode */
	uint64_t			index;
	uint64_t			t0;	/* ts of the first event */
};

/* text, wrapped at WRAP_COLS: the first line after first, the others after indent. */
static void print_wrapped(FILE *f, const char *first, const char *indent, const char *text)
{
	const char *lead = first;

	while (*text) {
		int width = WRAP_COLS - (int)strlen(lead), col = 0;
		const char *p = text, *brk = NULL;

		while (*p && *p != '\n' && col < width) {
			if (*p == ' ')
				brk = p;
			p++;
			col++;
		}
		if (*p && *p != '\n' && brk)
			p = brk;
		fprintf(f, "%s%.*s\n", lead, (int)(p - text), text);
		lead = indent;
		text = p;
		while (*text == ' ')
			text++;
		if (*text == '\n')
			text++;
	}
}

static void print_intro(const struct ls_demo *d)
{
	printf("lockstep demo %s: %s\n", d->name, d->title);
	print_wrapped(stdout, "  ", "  ", d->intro);
	puts("  (steps marked || are where the UI pauses)\n");
	fflush(stdout);
}

static void print_step(struct story *s, int hit, const struct ls_event *e)
{
	const struct ls_demo *d = s->d;
	const struct ls_demo_cue *c = s->n.cue;
	double t = s->t0 && e->ts >= s->t0 ? (double)(e->ts - s->t0) / 1e9 : 0;
	char head[64];

	if (hit >= 0)
		snprintf(head, sizeof(head), "(%d/%zu)", hit + 1, d->ncues);
	else
		snprintf(head, sizeof(head), "(note)");
	/* (events are numbered from 1 wherever a person reads them) */
	printf("%s %s  [%.2f s, event %" PRIu64 ", %s]%s\n", head, c->what, t,
	       s->index, ls_model_event_name(e->id), hit >= 0 && c->pause ? "  ||" : "");
	print_wrapped(stdout, INDENT, INDENT, c->text);
	if (s->n.state[0])
		print_wrapped(stdout, INDENT "= ", INDENT "  ", s->n.state);
	fflush(stdout);
}

static int story_event(const struct ls_event *e, void *ctx)
{
	struct story *s = ctx;
	int hit, err;

	if (!s->t0)
		s->t0 = e->ts;
	err = ls_model_push(s->m, e);
	if (err)
		return err;
	hit = ls_demo_see(&s->n, ls_model_state(s->m), e, s->index++);
	if (hit != -1 && s->print)
		print_step(s, hit, e);
	return 0;
}

/* ---- the live UI ---- */

/* Events per second the UI plays at: LS_DEMO_UI_EPS, times --pace. */
static uint32_t ui_speed(double pace)
{
	double eps = LS_DEMO_UI_EPS * pace;

	return eps < 1 ? 1 : eps > 100000 ? 100000 : (uint32_t)eps;
}

/* No terminal after all: the story goes on as text. */
static void text_after_all(void *ctx)
{
	struct story *s = ctx;

	s->print = true;
	print_intro(s->d);
}

static int ui_loop(struct ls_run *r, const struct demo_args *a, struct story *s)
{
	const struct ls_demo *d = a->demo;
	struct ls_demo_narrator un;
	char title[96], intro[LS_DEMO_NOTE_MAX];
	struct ls_ui_opts uo = {
		.title = title, .intro = intro, .narrate = ls_demo_narrate,
		.narrate_ctx = &un, .ascii = a->ascii, .mono = a->mono,
		/* the title page first; then a pace the room can follow */
		.paused = true, .speed = ui_speed(a->pace),
	};

	snprintf(title, sizeof(title), "demo %s", d->name);
	snprintf(intro, sizeof(intro), "%s.\n\n%s\n\nspace: start, and go on after "
		 "each pause.", d->title, d->intro);
	ls_demo_narrator_init(&un, d);
	return ls_run_with_ui(r, &uo, text_after_all, s);
}

/* ---- the end: did it go as planned? ---- */

static int judge(const struct ls_run *r, const struct story *s)
{
	const struct ls_demo *d = s->d;
	const char *why = NULL;
	char buf[256];

	if (r->stopped == LS_RUN_STOP_QUIT) {
		printf("demo %s: left before its end (%zu of %zu steps seen)\n", d->name,
		       s->n.next, d->ncues);
		return 0;
	}
	if (r->stopped == LS_RUN_STOP_SIGNAL) {
		fflush(stdout);
		fprintf(stderr, "lockstep demo: %s was interrupted (%zu of %zu steps seen)\n",
			d->name, s->n.next, d->ncues);
		return DEMO_EXIT_SIGNAL;
	}
	if (!ls_demo_complete(&s->n)) {
		snprintf(buf, sizeof(buf), "%sstep %zu of %zu (%s) never happened",
			 r->stopped == LS_RUN_STOP_TIMEOUT ? "it did not end in time, and " : "",
			 s->n.next + 1, d->ncues, d->cues[s->n.next].what);
		why = buf;
	} else if (r->verdict != d->verdict) {
		snprintf(buf, sizeof(buf), "it ended with the verdict '%s', not '%s'",
			 ls_verdict_name(r->verdict), ls_verdict_name(d->verdict));
		why = buf;
	} else if (r->stopped != LS_RUN_ENDED) {
		snprintf(buf, sizeof(buf), "lockstep had to stop the program");
		why = buf;
	} else if (r->exit_status != d->exit_status) {
		snprintf(buf, sizeof(buf), "the program exited with status %d, not %d",
			 r->exit_status, d->exit_status);
		why = buf;
	}
	if (why) {
		fflush(stdout);
		fprintf(stderr, "lockstep demo: %s did not go as planned: %s\n", d->name, why);
		return 1;
	}
	printf("demo %s: ran as planned (%zu of %zu steps, verdict %s)\n", d->name,
	       s->n.next, d->ncues, ls_verdict_name(r->verdict));
	return 0;
}

int cmd_demo(int argc, char **argv)
{
	struct demo_args a = { 0 };
	struct story s = { 0 };
	struct ls_run r = { 0 };
	struct ls_model_opts mo = { .no_timeline = true };
	char step[32];
	double step_s;
	bool ui;
	int ret, err, status;

	ret = parse(argc, argv, &a);
	if (ret)
		return ret == 1 ? 0 : ret;
	if (a.list) {
		for (size_t i = 0; i < ls_ndemos; i++)
			printf("%-16s %s\n", ls_demos[i].name, ls_demos[i].title);
		return 0;
	}
	if (a.program) {
		if (strlen(a.program) >= sizeof(a.bin))
			return ls_usage_error("demo", "--program: path too long");
		strcpy(a.bin, a.program);
	} else if (find_program(a.demo, a.bin, sizeof(a.bin))) {
		return 1;
	}

	/* the pace, for the program (lab/demos/demo.h) */
	step_s = LS_DEMO_STEP_MS / a.pace / 1000;
	if (step_s < LS_DEMO_STEP_MS_MIN / 1000.0)
		step_s = LS_DEMO_STEP_MS_MIN / 1000.0;
	snprintf(step, sizeof(step), "%.0f", step_s * 1000);
	setenv("LOCKSTEP_DEMO_STEP_MS", step, 1);

	s.d = a.demo;
	s.m = ls_model_new(&mo);
	if (!s.m) {
		ls_error("out of memory");
		return 1;
	}
	ls_demo_narrator_init(&s.n, a.demo);

	ui = !a.no_ui && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	a.prog_argv[0] = a.bin;
	a.ro.target.argv = a.prog_argv;
	a.ro.on_event = story_event;
	a.ro.ctx = &s;
	/* the program's own output comes after the story (or the UI) */
	a.ro.output = LS_RUN_OUT_CAPTURE;
	if (!ui) {
		/* a demo takes a few dozen steps: far more is a hang */
		a.ro.timeout_s = 30 + 60 * step_s;
		s.print = true;
		print_intro(a.demo);
	}
	ret = ls_run_start(&r, &a.ro);
	if (ret) {
		status = 1;	/* it never ran; the reason is on stderr */
		goto out;
	}
	ret = ui ? ui_loop(&r, &a, &s) : ls_run_loop(&r);
	err = ls_run_finish(&r);
	if (!ret)
		ret = err;
	if (s.print)
		putchar('\n');
	if (r.out_len) {
		fputs("the program's output:\n", stdout);
		fwrite(r.out, 1, r.out_len, stdout);
		if (r.out[r.out_len - 1] != '\n')
			putchar('\n');
		putchar('\n');
	}
	fflush(stdout);
	/* left early: the report of a program stopped half-way says nothing */
	if (r.stopped != LS_RUN_STOP_QUIT)
		ls_run_report(&r, stdout);
	status = ret ? 1 : judge(&r, &s);
	fflush(stdout);
out:
	ls_run_release(&r);
	ls_model_free(s.m);
	return status;
}
