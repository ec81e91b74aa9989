// SPDX-License-Identifier: MIT
/*
 * cmd_check.c - `lockstep check`: rebuild an exercise from the student's
 * file (or its solution), run it several times under the detectors, and
 * say whether it passes:
 *
 *	fix	every run's verdict is `ok` and the program exits 0 (its own
 *		assertions held);
 *	make	every run reaches the exercise's goal (lab/goals.c), and ends
 *		by itself without a panic or a deadlock;
 *	observe	the same, the program exits 0, and if it prints "answer: ..."
 *		lines the last one is "answer: correct".
 *
 * Runs go through lab/runner.c with the program's output captured; a run
 * that fails is described in one line, with the end of the program's own
 * output when that explains it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "registry.h"
#include "runner.h"

#define CHECK_DEFAULT_RUNS	3
#define CHECK_MAX_RUNS		100
#define CHECK_DEFAULT_TIMEOUT	30	/* seconds per run */
#define CHECK_TAIL_LINES	8

static const char check_usage[] =
	"usage: lockstep check EXERCISE [--solution] [OPTIONS]\n"
	"       lockstep check --all [--solution] [OPTIONS]\n"
	"\n"
	"Rebuild an exercise from its file (exercises/<id>.c, or solutions/<id>.c\n"
	"with --solution), run it several times with every event traced, and say\n"
	"whether it passes:\n"
	"  fix      every run's verdict is 'ok' and the program exits 0\n"
	"  make     every run reaches the exercise's goal on the trace and ends\n"
	"           by itself (no panic, no deadlock, no timeout)\n"
	"  observe  as make, the program exits 0, and its last 'answer:' line\n"
	"           (if it prints one) is 'answer: correct'\n"
	"\n"
	"One line per exercise: 'PASS <id> (3/3 runs ok)' or 'FAIL <id>: run N:\n"
	"<verdict> - <what was found>', then which hint to read next.\n"
	"\n"
	"options:\n"
	"  --all              every exercise (every solution with --solution)\n"
	"  --solution         check the solution instead of the exercise file\n"
	"  --json             a JSON array of results on stdout (docs/lab.md)\n"
	"  --runs N           runs per exercise (default 3, or $LOCKSTEP_CHECK_RUNS)\n"
	"  --timeout SEC      give up on a run after SEC seconds (default 30)\n"
	"  --transport auto|bpf|shm  how events travel (default auto)\n"
	"  -v, --verbose      each run's verdict on stderr, and the compiler's\n"
	"                     warnings; twice: and the program's output\n"
	"  -h, --help         this text\n"
	"\n"
	"The compiler is $CC (default cc), with -std=gnu11 -g -O2 -Wall against the\n"
	"build's liblockstep.a; its errors are shown when the file does not compile.\n"
	"\n"
	"verdicts of a run (as 'lockstep run'):\n"
	"  ok 0, deadlock 10, leak 11, potential-deadlock 12, race 13, panic 14,\n"
	"  timeout 15\n"
	"\n"
	"Exit status: 0 when every exercise checked passes, 1 when one fails (or\n"
	"cannot be built or run), 2 on a usage error or an unknown exercise.\n";

enum {
	OPT_ALL = 0x2000,
	OPT_SOLUTION,
	OPT_JSON,
	OPT_RUNS,
	OPT_TIMEOUT,
};

struct check_opts {
	bool			all, solution, json;
	int			verbose;
	int			runs;
	double			timeout_s;
	enum ls_transport_kind	transport;
	const char		*name;
};

struct check_result {
	const struct ls_exercise *ex;
	bool		compiled, passed, goal_reached;
	bool		env_error;		/* lockstep could not build or run it */
	int		runs;			/* runs done */
	int		verdicts[CHECK_MAX_RUNS];
	int		statuses[CHECK_MAX_RUNS];
	char		message[512];
	char		*log;			/* compiler output */
	char		*output;		/* the failing run's output */
};

static int parse_runs(const char *s, int *out)
{
	long long v;

	if (ls_parse_num(s, 1, CHECK_MAX_RUNS, &v))
		return -EINVAL;
	*out = (int)v;
	return 0;
}

static int parse(int argc, char **argv, struct check_opts *c)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, OPT_ALL },
		{ "solution", no_argument, NULL, OPT_SOLUTION },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "runs", required_argument, NULL, OPT_RUNS },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "transport", required_argument, NULL, LS_OPT_TRANSPORT },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *env = getenv("LOCKSTEP_CHECK_RUNS");
	char *end;
	int opt;

	c->runs = CHECK_DEFAULT_RUNS;
	c->timeout_s = CHECK_DEFAULT_TIMEOUT;
	if (env && *env && parse_runs(env, &c->runs)) {
		fprintf(stderr, "lockstep check: LOCKSTEP_CHECK_RUNS=%s: expected 1..%d\n",
			env, CHECK_MAX_RUNS);
		return LS_EXIT_USAGE;
	}
	optind = 1;
	while ((opt = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(check_usage, stdout);
			return 1;
		case OPT_ALL:
			c->all = true;
			break;
		case OPT_SOLUTION:
			c->solution = true;
			break;
		case OPT_JSON:
			c->json = true;
			break;
		case OPT_RUNS:
			if (parse_runs(optarg, &c->runs))
				return ls_usage_error("check", "--runs %s: expected 1..%d",
						      optarg, CHECK_MAX_RUNS);
			break;
		case OPT_TIMEOUT:
			errno = 0;
			c->timeout_s = strtod(optarg, &end);
			if (errno || end == optarg || *end || c->timeout_s < 0)
				return ls_usage_error("check", "--timeout %s: expected seconds",
						      optarg);
			break;
		case LS_OPT_TRANSPORT:
			if (ls_transport_parse_kind(optarg, &c->transport))
				return ls_usage_error("check", "--transport %s: expected auto, "
						      "bpf or shm", optarg);
			break;
		case 'v':
			c->verbose++;
			break;
		default:
			return ls_bad_option("check", argv);
		}
	}
	if (optind < argc)
		c->name = argv[optind++];
	if (optind < argc)
		return ls_usage_error("check", "one exercise at a time, or --all");
	if (c->all == !!c->name)
		return ls_usage_error("check", c->all ? "give an EXERCISE or --all, not both"
				      : "nothing to check: give an EXERCISE or --all");
	return 0;
}

/* ---- judging one run ---- */

/* The last "answer: ..." line the program printed, or NULL. */
static const char *last_answer(const char *out, size_t *len)
{
	const char *found = NULL;

	for (const char *p = out; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, "answer:", 7))
			found = p;
	}
	if (found)
		*len = strcspn(found, "\n");
	return found;
}

static bool ended_cleanly(const struct ls_run *r)
{
	return r->verdict != LS_VERDICT_PANIC && r->verdict != LS_VERDICT_DEADLOCK &&
	       r->verdict != LS_VERDICT_TIMEOUT;
}

/* Does the line start with "<verdict>: " ("potential deadlock: " too)? */
static size_t verdict_prefix(const char *line, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < n; i++)
		if (line[i] != name[i] && !(name[i] == '-' && line[i] == ' '))
			return 0;
	return line[n] == ':' && line[n + 1] == ' ' ? n + 2 : 0;
}

/* "deadlock: a -> b" is said as "deadlock \u2014 a -> b" */
static void finding_words(const struct ls_run *r, char *buf, size_t len)
{
	const char *name = ls_verdict_name(r->verdict);
	char line[320];

	ls_run_summary(r, line, sizeof(line));
	if (!strcmp(line, name))
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%s \u2014 %s", name, line + verdict_prefix(line, name));
}

/* true if the run passes; else why, in msg */
static bool judge(const struct ls_exercise *ex, const struct ls_run *r, int run,
		  char *msg, size_t len)
{
	char words[400];
	const char *ans;
	size_t alen = 0;

	if (ex->kind == LS_EX_FIX) {
		if (r->verdict != LS_VERDICT_OK) {
			finding_words(r, words, sizeof(words));
			snprintf(msg, len, "run %d: %s", run, words);
			return false;
		}
		if (r->exit_status != 0) {
			snprintf(msg, len, "run %d: ok, but the program exited with status %d "
				 "(its own checks failed)", run, r->exit_status);
			return false;
		}
		return true;
	}
	if (!ended_cleanly(r)) {
		finding_words(r, words, sizeof(words));
		snprintf(msg, len, "run %d: %s", run, words);
		return false;
	}
	if (!r->goal.reached) {
		snprintf(msg, len, "run %d: goal %s not reached (wanted: %s)", run,
			 r->goal.goal->name, r->goal.goal->what);
		return false;
	}
	if (ex->kind == LS_EX_OBSERVE) {
		if (r->exit_status != 0) {
			snprintf(msg, len, "run %d: the program exited with status %d", run,
				 r->exit_status);
			return false;
		}
		ans = r->out ? last_answer(r->out, &alen) : NULL;
		if (ans && strncmp(ans, "answer: correct", alen > 15 ? alen : 15)) {
			snprintf(msg, len, "run %d: goal reached, but the program says "
				 "'%.*s'", run, (int)(alen > 200 ? 200 : alen), ans);
			return false;
		}
	}
	return true;
}

/* ---- one exercise ---- */

static int check_one(const struct ls_lab_paths *paths, const struct ls_exercise *ex,
		     const struct check_opts *c, struct check_result *res)
{
	const char *src = c->solution ? ex->solution : ex->path;
	char bin[PATH_MAX], *argv[2] = { bin, NULL };
	struct ls_run_opts ro = {
		.target = { .kind = c->transport, .quiet = true, .argv = argv },
		.timeout_s = c->timeout_s,
		.output = LS_RUN_OUT_CAPTURE,
		.goal = ex->goal,
	};
	int ret;

	res->ex = ex;
	if (access(src, R_OK)) {
		snprintf(res->message, sizeof(res->message), "%s: %s", src, strerror(errno));
		return 0;
	}
	if (ls_exercise_binary(ex, paths->build, c->solution, bin, sizeof(bin)))
		return -ENAMETOOLONG;
	ret = ls_lab_compile(paths, src, bin, &res->log);
	if (ret < 0) {
		/* not the exercise's fault: the reason is on stderr */
		free(res->log);
		res->log = NULL;
		snprintf(res->message, sizeof(res->message), "cannot build it (see above)");
		return ret;
	}
	if (ret > 0) {
		snprintf(res->message, sizeof(res->message), "%s does not compile", src);
		return 0;
	}
	res->compiled = true;
	res->goal_reached = true;
	for (int i = 1; i <= c->runs; i++) {
		struct ls_run r;
		bool ok;

		ret = ls_run(&r, &ro);
		if (ret && !r.events && r.exit_status < 0) {
			ls_run_release(&r);
			snprintf(res->message, sizeof(res->message), "run %d: %.400s could "
				 "not be run", i, bin);
			return ret;
		}
		res->verdicts[res->runs] = r.verdict;
		res->statuses[res->runs] = r.exit_status;
		res->runs++;
		if (r.has_goal && !r.goal.reached)
			res->goal_reached = false;
		ok = judge(ex, &r, i, res->message, sizeof(res->message));
		if (c->verbose && !c->json) {
			fprintf(stderr, "  run %d: %s, exit status %d\n", i,
				ls_verdict_name(r.verdict), r.exit_status);
			if (c->verbose > 1 && r.out)
				fputs(r.out, stderr);
		}
		if (!ok) {
			res->output = r.out;
			r.out = NULL;
			ls_run_release(&r);
			return 0;
		}
		ls_run_release(&r);
	}
	res->passed = true;
	snprintf(res->message, sizeof(res->message), "%d/%d runs ok", c->runs, c->runs);
	return 0;
}

/* ---- output ---- */

/* The last lines of out before end. */
static void print_tail(const char *out, const char *end, int lines)
{
	const char *p = end;
	int n = 0;

	while (p > out && (p[-1] == '\n'))
		p--;
	while (p > out && n < lines) {
		p--;
		if (*p == '\n')
			n++;
	}
	if (*p == '\n')
		p++;
	for (const char *l = p; l < end; ) {
		size_t k = strcspn(l, "\n");

		if (l + k > end)
			k = (size_t)(end - l);
		printf("  | %.*s\n", (int)k, l);
		l += k;
		if (*l)
			l++;
	}
}

static void print_human(const struct check_result *res, const struct check_opts *c)
{
	const char *id = res->ex->id;

	if (res->log && *res->log && (!res->compiled || c->verbose))
		fputs(res->log, stdout);
	if (res->passed) {
		printf("PASS %s (%s)\n", id, res->message);
		return;
	}
	printf("FAIL %s: %s\n", id, res->message);
	if (res->output && *res->output && res->runs &&
	    res->verdicts[res->runs - 1] != LS_VERDICT_DEADLOCK) {
		/* up to its panic message, not the goroutine dump after it */
		const char *end = res->output + strlen(res->output);
		const char *p = strstr(res->output, "panic: ");

		if (!p || (p != res->output && p[-1] != '\n'))
			p = strstr(res->output, "fatal error: ");
		if (p && (p == res->output || p[-1] == '\n'))
			end = p + strcspn(p, "\n");
		printf("  the program's last words:\n");
		print_tail(res->output, end, CHECK_TAIL_LINES);
	}
	if (!c->solution && !res->env_error)
		printf("  next: 'lockstep run %s' to watch it, 'lockstep hint %s' for a hint\n",
		       id, id);
}

static void print_json(const struct check_result *res, const struct check_opts *c,
		       bool first)
{
	const struct ls_exercise *ex = res->ex;

	printf("%s{\"id\": ", first ? "" : ",\n ");
	ls_json_str(stdout, ex->id);
	printf(", \"kind\": \"%s\", \"solution\": %s, \"passed\": %s, \"compiled\": %s, "
	       "\"runs\": %d, \"runs_wanted\": %d, \"verdicts\": [",
	       ls_ex_kind_name(ex->kind), c->solution ? "true" : "false",
	       res->passed ? "true" : "false", res->compiled ? "true" : "false",
	       res->runs, c->runs);
	for (int i = 0; i < res->runs; i++)
		printf("%s\"%s\"", i ? ", " : "", ls_verdict_name(res->verdicts[i]));
	printf("], \"exit_statuses\": [");
	for (int i = 0; i < res->runs; i++)
		printf("%s%d", i ? ", " : "", res->statuses[i]);
	printf("], \"expected\": ");
	if (ex->kind == LS_EX_FIX)
		printf("\"ok\", \"goal\": null, \"goal_reached\": null");
	else {
		printf("null, \"goal\": ");
		ls_json_str(stdout, ex->goal);
		printf(", \"goal_reached\": %s",
		       res->compiled && res->runs && res->goal_reached ? "true" : "false");
	}
	printf(", \"message\": ");
	ls_json_str(stdout, res->message);
	printf(", \"compiler_output\": ");
	if (res->log && *res->log)
		ls_json_str(stdout, res->log);
	else
		printf("null");
	printf("}");
}

static void result_release(struct check_result *res)
{
	free(res->log);
	free(res->output);
	memset(res, 0, sizeof(*res));
}

int cmd_check(int argc, char **argv)
{
	struct check_opts c = { 0 };
	struct ls_registry reg = { 0 };
	struct ls_lab_paths paths;
	const struct ls_exercise *one = NULL;
	char root[PATH_MAX], err[256];
	size_t first, last, failed = 0;
	int ret, status = 0;

	ret = parse(argc, argv, &c);
	if (ret)
		return ret == 1 ? 0 : ret;
	if (ls_registry_find_root(root, sizeof(root))) {
		ls_error("cannot find the exercises (set LOCKSTEP_ROOT to the lockstep tree)");
		return 1;
	}
	if (ls_registry_load(&reg, root, c.all ? stderr : NULL)) {
		ls_error("cannot read %s/exercises", root);
		return 1;
	}
	if (!c.all) {
		one = ls_registry_lookup(&reg, c.name, err, sizeof(err));
		if (!one) {
			fprintf(stderr, "lockstep check: %s%s\n", err, reg.nr_errors ?
				" (some exercise files did not parse: see 'lockstep list')" : "");
			status = LS_EXIT_USAGE;
			goto out_reg;
		}
	}
	if (ls_lab_paths(&paths)) {
		status = 1;
		goto out_reg;
	}
	first = one ? (size_t)(one - reg.ex) : 0;
	last = one ? first + 1 : reg.nr;
	if (c.json)
		printf("[");
	for (size_t i = first; i < last; i++) {
		struct check_result res = { 0 };

		ret = check_one(&paths, &reg.ex[i], &c, &res);
		res.env_error = ret < 0;
		if (ret && !res.message[0])
			snprintf(res.message, sizeof(res.message), "%s", strerror(-ret));
		if (c.json)
			print_json(&res, &c, i == first);
		else
			print_human(&res, &c);
		fflush(stdout);
		if (!res.passed)
			failed++;
		result_release(&res);
		/* lockstep cannot build or run anything here: stop */
		if (ret < 0) {
			last = i + 1;
			break;
		}
	}
	if (c.json)
		printf("]\n");
	else if (c.all)
		printf("%zu passed, %zu failed%s\n", last - first - failed, failed,
		       reg.nr_errors ? ", and some exercise files did not parse (above)" : "");
	status = failed || (c.all && reg.nr_errors) ? 1 : 0;
out_reg:
	ls_registry_free(&reg);
	return status;
}
