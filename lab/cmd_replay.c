// SPDX-License-Identifier: MIT
/*
 * cmd_replay.c - `lockstep replay FILE`: a recorded trace in the UI, or,
 * with --no-ui, the detectors' report and the final state as text.
 *
 * The whole file is read first (the reader checks every record; a bad file
 * stops here with its one line, before the terminal is touched), into the
 * model's timeline and through the detectors, then the UI moves through it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cmd.h"
#include "detect.h"
#include "export.h"
#include "model.h"
#include "tracefile.h"
#include "ui.h"

static const char replay_usage[] =
	"usage: lockstep replay FILE [OPTIONS]\n"
	"\n"
	"Play a trace file (from 'lockstep record', or JSON lines from 'lockstep\n"
	"export') in the terminal UI: the objects drawn as cards, the goroutines,\n"
	"the events explained one by one, and the detectors' verdict.  Keys: space\n"
	"pauses, n/p step, g/G jump, +/- speed, Tab focus, f follow, / filter,\n"
	"? help (every key), q quit.  docs/ui.md describes every screen.\n"
	"\n"
	"options:\n"
	"  --no-ui            no UI: print the detectors' report and the state at\n"
	"                     the end (or at --at), and exit with the verdict's status\n"
	"  --at N             start at event N (the state after N events)\n"
	"  --paused           start paused\n"
	"  --speed N          events per second to start with (default 20)\n"
	"  --ascii            ASCII boxes and arrows (the default when the locale is\n"
	"                     not UTF-8)\n"
	"  --mono             no colours (also when NO_COLOR is set)\n"
	"  --narrate FILE     show narration beside the animation and pause where\n"
	"                     the script says (the format is in docs/ui.md)\n"
	"  --width N          --no-ui: width of the state (default $COLUMNS, or 100)\n"
	"  --bench            measure the UI: play the whole trace into a virtual\n"
	"                     screen, a frame after every batch of events, then\n"
	"                     jump to 1000 random events; print frames per second,\n"
	"                     jump times and memory (docs/performance.md)\n"
	"  --size COLSxROWS   --bench: the virtual screen (default 80x24)\n"
	"  --batch N          --bench: events per frame (default: 1/2000 of the trace)\n"
	"  -h, --help         this text\n"
	"\n"
	"Exit status: with --no-ui the verdict's (0 ok, 10 deadlock, 11 leak,\n"
	"12 potential-deadlock, 13 race, 14 panic); else 0; 1 on errors (a bad\n"
	"trace file, no terminal); 2 on usage errors.\n";

enum {
	OPT_NO_UI = 0x2000, OPT_AT, OPT_PAUSED, OPT_SPEED, OPT_ASCII, OPT_MONO,
	OPT_WIDTH, OPT_BENCH, OPT_SIZE, OPT_BATCH, OPT_NARRATE,
};

struct replay_opts {
	const char	*file;
	bool		no_ui, bench;
	int64_t		at;
	int		width, cols, rows;
	uint64_t	batch;
	const char	*narrate;
	struct ls_ui_opts ui;
};

/* A narration script, read from --narrate FILE. */
struct script {
	struct ls_ui_cue *cues;
	size_t		n, cap;
	char		*intro;
	char		**strings;	/* everything to free */
	size_t		nstrings, capstrings;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int parse_args(int argc, char **argv, struct replay_opts *r)
{
	static const struct option longopts[] = {
		{ "no-ui", no_argument, NULL, OPT_NO_UI },
		{ "at", required_argument, NULL, OPT_AT },
		{ "paused", no_argument, NULL, OPT_PAUSED },
		{ "speed", required_argument, NULL, OPT_SPEED },
		{ "ascii", no_argument, NULL, OPT_ASCII },
		{ "mono", no_argument, NULL, OPT_MONO },
		{ "width", required_argument, NULL, OPT_WIDTH },
		{ "bench", no_argument, NULL, OPT_BENCH },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "batch", required_argument, NULL, OPT_BATCH },
		{ "narrate", required_argument, NULL, OPT_NARRATE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long long v;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(replay_usage, stdout);
			return 1;
		case OPT_NO_UI:
			r->no_ui = true;
			break;
		case OPT_AT:
			if (ls_parse_num(optarg, 0, INT64_MAX, &v))
				return ls_usage_error("replay", "--at %s: expected an event number",
						      optarg);
			r->at = v;
			break;
		case OPT_PAUSED:
			r->ui.paused = true;
			break;
		case OPT_SPEED:
			if (ls_parse_num(optarg, 1, 100000000, &v))
				return ls_usage_error("replay", "--speed %s: expected events per"
						      " second", optarg);
			r->ui.speed = (uint32_t)v;
			break;
		case OPT_ASCII:
			r->ui.ascii = true;
			break;
		case OPT_MONO:
			r->ui.mono = true;
			break;
		case OPT_WIDTH:
			if (ls_parse_num(optarg, 40, 1000, &v))
				return ls_usage_error("replay", "--width %s: expected 40..1000",
						      optarg);
			r->width = (int)v;
			break;
		case OPT_BENCH:
			r->bench = true;
			break;
		case OPT_SIZE:
			if (sscanf(optarg, "%dx%d", &r->cols, &r->rows) != 2 || r->cols < 20 ||
			    r->rows < 5 || r->cols > 1000 || r->rows > 1000)
				return ls_usage_error("replay", "--size %s: expected COLSxROWS,"
						      " e.g. 200x60", optarg);
			break;
		case OPT_NARRATE:
			r->narrate = optarg;
			break;
		case OPT_BATCH:
			if (ls_parse_num(optarg, 1, INT64_MAX, &v))
				return ls_usage_error("replay", "--batch %s: expected events per"
						      " frame", optarg);
			r->batch = (uint64_t)v;
			break;
		default:
			return ls_bad_option("replay", argv);
		}
	}
	if (optind >= argc)
		return ls_usage_error("replay", "no trace file");
	r->file = argv[optind++];
	if (optind < argc)
		return ls_usage_error("replay", "unexpected argument '%s'", argv[optind]);
	if (r->no_ui && r->bench)
		return ls_usage_error("replay", "--bench draws: it does not go with --no-ui");
	return 0;
}

/* ---- narration scripts ---- */

static char *keep(struct script *sc, const char *s, size_t len)
{
	char *copy;

	if (sc->nstrings == sc->capstrings) {
		size_t cap = sc->capstrings ? sc->capstrings * 2 : 16;
		char **p = realloc(sc->strings, cap * sizeof(*p));

		if (!p)
			return NULL;
		sc->strings = p;
		sc->capstrings = cap;
	}
	copy = strndup(s, len);
	if (copy)
		sc->strings[sc->nstrings++] = copy;
	return copy;
}

/* "\n" in a script's text is a line break. */
static char *unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] == 'n') {
			*w++ = '\n';
			r++;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	return s;
}

static int event_id(const char *name)
{
	for (unsigned id = 1; id < LS_EV__COUNT; id++)
		if (!strcmp(ls_model_event_name(id), name))
			return (int)id;
	return -1;
}

/* One "cue [pause] [event=E] [goroutine=G] [object=O]: text" line. */
static int parse_cue(struct script *sc, char *line, const char *file, int lineno)
{
	char *colon = strchr(line, ':'), *tok, *save = NULL;
	struct ls_ui_cue c = { 0 };

	if (!colon) {
		ls_error("%s: line %d: expected 'cue [pause] [event=NAME] [goroutine=NAME]"
			 " [object=NAME]: text'", file, lineno);
		return -EINVAL;
	}
	*colon = '\0';
	for (tok = strtok_r(line + 3, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(tok, '=');

		if (!strcmp(tok, "pause")) {
			c.note.pause = true;
		} else if (eq && !strncmp(tok, "event=", 6)) {
			int id = event_id(eq + 1);

			if (id < 0) {
				ls_error("%s: line %d: no event called '%s' (see docs/probes.md)",
					 file, lineno, eq + 1);
				return -EINVAL;
			}
			c.event = (uint16_t)id;
		} else if (eq && !strncmp(tok, "goroutine=", 10)) {
			c.goroutine = keep(sc, eq + 1, strlen(eq + 1));
		} else if (eq && !strncmp(tok, "object=", 7)) {
			c.object = keep(sc, eq + 1, strlen(eq + 1));
		} else {
			ls_error("%s: line %d: unknown word '%s'", file, lineno, tok);
			return -EINVAL;
		}
	}
	colon++;
	colon += strspn(colon, " \t");
	c.note.text = *colon ? unescape(keep(sc, colon, strlen(colon))) : NULL;
	if (sc->n == sc->cap) {
		size_t cap = sc->cap ? sc->cap * 2 : 16;
		struct ls_ui_cue *p = realloc(sc->cues, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		sc->cues = p;
		sc->cap = cap;
	}
	sc->cues[sc->n++] = c;
	return 0;
}

static int load_script(struct script *sc, const char *file)
{
	FILE *f = fopen(file, "re");
	char line[1024];
	int lineno = 0, ret = 0;

	if (!f) {
		ls_error("%s: %s", file, strerror(errno));
		return -errno;
	}
	while (!ret && fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " \t");

		lineno++;
		p[strcspn(p, "\r\n")] = '\0';
		if (!*p || *p == '#')
			continue;
		if (!strncmp(p, "intro:", 6)) {
			p += 6 + strspn(p + 6, " \t");
			sc->intro = unescape(keep(sc, p, strlen(p)));
		} else if (!strncmp(p, "cue", 3) && (p[3] == ' ' || p[3] == '\t' || p[3] == ':')) {
			ret = parse_cue(sc, p, file, lineno);
		} else {
			ls_error("%s: line %d: expected 'intro: text' or 'cue ...: text'", file,
				 lineno);
			ret = -EINVAL;
		}
	}
	fclose(f);
	return ret;
}

static void free_script(struct script *sc)
{
	for (size_t i = 0; i < sc->nstrings; i++)
		free(sc->strings[i]);
	free(sc->strings);
	free(sc->cues);
}

/* JSON lines start with '{'; anything else is a trace file. */
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

/* Every record into the model's timeline and through the detectors. */
static int load(const char *path, struct ls_model *m, struct ls_detect *d)
{
	struct ls_trace_reader *tr = NULL;
	struct ls_jsonl_reader *jr = NULL;
	struct ls_event e;
	char err[800];
	int ret;

	if (looks_like_jsonl(path))
		ret = ls_jsonl_reader_open(&jr, path, err, sizeof(err));
	else
		ret = ls_trace_reader_open(&tr, path, err, sizeof(err));
	if (ret) {
		ls_error("%s", err);
		return ret;
	}
	while ((ret = tr ? ls_trace_reader_next(tr, &e) : ls_jsonl_reader_next(jr, &e)) > 0) {
		ret = ls_model_push(m, &e);
		if (ret) {
			ls_error("%s: %s", path, strerror(-ret));
			break;
		}
		ls_detect_feed(d, &e);
	}
	if (ret < 0 && ret != -ENOMEM)
		ls_error("%s", tr ? ls_trace_reader_error(tr) : ls_jsonl_reader_error(jr));
	ls_trace_reader_close(tr);
	ls_jsonl_reader_close(jr);
	if (!ret)
		ls_detect_finish(d, 0);
	return ret;
}

static int text_width(int width)
{
	const char *c = getenv("COLUMNS");
	int v;

	if (width)
		return width;
	v = c ? atoi(c) : 0;
	return v >= 40 && v <= 1000 ? v : 100;
}

static bool utf8_locale(void)
{
	const char *cs;

	setlocale(LC_CTYPE, "");	/* characters only: numbers stay "C" */
	cs = nl_langinfo(CODESET);
	return cs && !strcmp(cs, "UTF-8");
}

static int no_ui(struct replay_opts *r, struct ls_model *m, struct ls_detect *d)
{
	uint64_t count = ls_model_count(m), at = r->at >= 0 && (uint64_t)r->at < count ?
						  (uint64_t)r->at : count;
	enum ls_verdict v = ls_detect_verdict(d);

	ls_detect_report(d, stdout);
	printf("\nstate after event %llu of %llu%s:\n", (unsigned long long)at,
	       (unsigned long long)count, at == count ? " (the end of the trace)" : "");
	if (ls_model_seek(m, at) ||
	    ls_ui_print_state(m, text_width(r->width), r->ui.ascii || !utf8_locale(), stdout)) {
		ls_error("%s: cannot build the state", r->file);
		return 1;
	}
	if (fflush(stdout))
		return 1;
	return ls_verdict_exit(v);
}

static int bench(struct replay_opts *r, struct ls_model *m, struct ls_detect *d,
		 uint64_t load_ns)
{
	struct ls_ui_stats s = { .batch = r->batch };
	struct rusage ru;
	double secs;
	int err;

	r->ui.bench = true;
	r->ui.bench_cols = r->cols;
	r->ui.bench_rows = r->rows;
	r->ui.stats = &s;
	r->ui.at = 0;
	r->ui.detect = d;
	err = ls_ui_replay(m, &r->ui);
	if (err) {
		ls_error("bench: %s", strerror(-err));
		return 1;
	}
	getrusage(RUSAGE_SELF, &ru);
	secs = s.ns / 1e9;
	printf("trace     %s: %llu events, loaded and checked in %.2f s\n", r->file,
	       (unsigned long long)ls_model_count(m), load_ns / 1e9);
	printf("playing   %llu events on a %dx%d screen, a frame every %llu events: "
	       "%.2f s, %.0f events/s\n", (unsigned long long)s.events, r->cols ? r->cols : 80,
	       r->rows ? r->rows : 24, (unsigned long long)s.batch, secs,
	       secs > 0 ? s.events / secs : 0.0);
	printf("frames    %llu: %.1f frames/s; slowest %.2f ms; drawing %.2f ms a frame\n",
	       (unsigned long long)s.frames, secs > 0 ? s.frames / secs : 0.0,
	       s.max_frame_ns / 1e6, s.frames ? s.draw_ns / 1e6 / (double)s.frames : 0.0);
	printf("jumps     %llu to random events, each drawn: %.2f ms on average, "
	       "slowest %.2f ms\n", (unsigned long long)s.seeks,
	       s.seeks ? s.seek_ns / 1e6 / (double)s.seeks : 0.0, s.max_seek_ns / 1e6);
	printf("memory    peak RSS %.1f MiB; model %.1f MiB (the timeline, and a snapshot "
	       "every %u events)\n", ru.ru_maxrss / 1024.0, ls_model_mem(m) / 1048576.0,
	       ls_model_snapshot_every(m));
	return 0;
}

int cmd_replay(int argc, char **argv)
{
	struct replay_opts r = { .at = -1 };
	struct script sc = { 0 };
	struct ls_model *m;
	struct ls_detect *d;
	uint64_t t0;
	int ret;

	ret = parse_args(argc, argv, &r);
	if (ret)
		return ret == 1 ? 0 : ret;
	m = ls_model_new(NULL);
	d = ls_detect_new(NULL);
	if (!m || !d) {
		ls_error("out of memory");
		ret = 1;
		goto out;
	}
	if (r.narrate) {
		if (load_script(&sc, r.narrate)) {
			ret = 1;
			goto out;
		}
		r.ui.cues = sc.cues;
		r.ui.ncues = sc.n;
		r.ui.intro = sc.intro;
	}
	ls_model_set_follow(m, false);
	t0 = now_ns();
	if (load(r.file, m, d)) {
		ret = 1;
		goto out;
	}
	if (r.no_ui) {
		ret = no_ui(&r, m, d);
		goto out;
	}
	if (r.bench) {
		ret = bench(&r, m, d, now_ns() - t0);
		goto out;
	}
	r.ui.title = r.file;
	r.ui.detect = d;
	r.ui.at = r.at;
	ret = ls_ui_replay(m, &r.ui);
	if (ret == -ENOTTY)
		ls_error("the UI needs a terminal (stdin and stdout); try --no-ui");
	else if (ret && ret != -EINTR)
		ls_error("replay: %s", strerror(-ret));
	ret = ret == -EINTR ? 130 : ret ? 1 : 0;
out:
	free_script(&sc);
	ls_detect_free(d);
	ls_model_free(m);
	return ret;
}
