// SPDX-License-Identifier: MIT
/*
 * runner.c - run a program under lockstep, feed every event to the
 * detectors, watch for deadlocks that do not end the program, and reach
 * one verdict (see runner.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "runner.h"
#include "../viz/ui.h"

#define POLL_MS		50
#define NS_PER_MS	1000000ull
#define STOP_GRACE_NS	(2000 * NS_PER_MS)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const char *ls_signal_name(int sig)
{
	static char buf[16];
	const char *abbrev = sigabbrev_np(sig);

	if (!abbrev) {
		snprintf(buf, sizeof(buf), "signal %d", sig);
		return buf;
	}
	snprintf(buf, sizeof(buf), "SIG%s", abbrev);
	return buf;
}

/* ------------------------------------------------------------------ */
/* Starting: signals, the program's output, the trace file, the transport */
/* ------------------------------------------------------------------ */

static const int stop_sigs[LS_RUN_NSIGS] = { SIGINT, SIGTERM, SIGHUP };
static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

/*
 * From before the program starts (a Ctrl-C while it starts is not lost) to
 * the end of the run.  No SA_RESTART: a signal must cut the poll short.
 */
static void catch_signals(struct ls_run *r)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	got_signal = 0;
	for (int i = 0; i < LS_RUN_NSIGS; i++)
		sigaction(stop_sigs[i], &sa, &r->old_sa[i]);
	r->catching = true;
}

static void release_signals(struct ls_run *r)
{
	if (!r->catching)
		return;
	for (int i = 0; i < LS_RUN_NSIGS; i++)
		sigaction(stop_sigs[i], &r->old_sa[i], NULL);
	r->catching = false;
}

/*
 * --timeout while the UI runs its own loop (ls_run_with_ui): SIGALRM kills
 * the program, and the stream ends as it would at the deadline.
 */
static volatile sig_atomic_t alarm_pid, alarm_fired;

static void on_alarm(int sig)
{
	(void)sig;
	if (alarm_pid > 0)
		kill((pid_t)alarm_pid, SIGKILL);
	alarm_fired = 1;
}

static void arm_timeout(struct ls_run *r)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	struct itimerval it = { 0 };

	if (!r->t || r->o.timeout_s <= 0 || r->alarm_armed)
		return;
	sigemptyset(&sa.sa_mask);
	alarm_pid = ls_transport_pid(r->t);
	alarm_fired = 0;
	sigaction(SIGALRM, &sa, &r->old_alarm);
	it.it_value.tv_sec = (time_t)r->o.timeout_s;
	it.it_value.tv_usec = (suseconds_t)((r->o.timeout_s - (double)it.it_value.tv_sec) * 1e6);
	if (!it.it_value.tv_sec && !it.it_value.tv_usec)
		it.it_value.tv_usec = 1;
	setitimer(ITIMER_REAL, &it, NULL);
	r->alarm_armed = true;
}

static unsigned run_detect_flags(void *ctx)
{
	(void)ctx;
	return alarm_fired ? LS_DETECT_TIMED_OUT : 0;
}

static void disarm_timeout(struct ls_run *r)
{
	struct itimerval off = { 0 };

	if (!r->alarm_armed)
		return;
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &r->old_alarm, NULL);
	alarm_pid = 0;
	r->alarm_armed = false;
	if (alarm_fired && !r->killed) {
		r->killed = true;
		if (r->stopped == LS_RUN_ENDED)
			r->stopped = LS_RUN_STOP_TIMEOUT;
	}
}

/*
 * The program inherits our stdout and stderr when the transport forks it:
 * point them where it should write for as long as ls_transport_open runs.
 */
static void redirect(const struct ls_run *r, int saved[2])
{
	saved[0] = saved[1] = -1;
	if (r->o.output == LS_RUN_OUT_INHERIT)
		return;
	fflush(stdout);
	fflush(stderr);
	saved[0] = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (r->o.output == LS_RUN_OUT_STDERR) {
		dup2(STDERR_FILENO, STDOUT_FILENO);
		return;
	}
	saved[1] = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	dup2(r->out_fd, STDOUT_FILENO);
	dup2(r->out_fd, STDERR_FILENO);
}

static void restore(int saved[2])
{
	fflush(stdout);
	fflush(stderr);
	if (saved[0] >= 0) {
		dup2(saved[0], STDOUT_FILENO);
		close(saved[0]);
	}
	if (saved[1] >= 0) {
		dup2(saved[1], STDERR_FILENO);
		close(saved[1]);
	}
}

/* What the program (and the transport, while redirected) wrote. */
static void read_capture(struct ls_run *r)
{
	off_t size;
	ssize_t n;

	if (r->out_fd < 0 || r->out)
		return;
	size = lseek(r->out_fd, 0, SEEK_END);
	if (size < 0)
		return;
	if ((uint64_t)size > LS_RUN_CAPTURE_MAX)
		size = LS_RUN_CAPTURE_MAX;
	r->out = malloc((size_t)size + 1);
	if (!r->out)
		return;
	n = pread(r->out_fd, r->out, (size_t)size, 0);
	r->out_len = n > 0 ? (size_t)n : 0;
	r->out[r->out_len] = '\0';
}

int ls_run_start(struct ls_run *r, const struct ls_run_opts *o)
{
	struct ls_transport_opts to = o->target;
	int saved[2], ret;

	memset(r, 0, sizeof(*r));
	r->o = *o;
	r->out_fd = -1;
	r->exit_status = -1;
	r->d = ls_detect_new(NULL);
	if (!r->d) {
		ls_error("out of memory");
		return -ENOMEM;
	}
	if (o->goal) {
		const struct ls_goal *goal = ls_goal_find(o->goal);

		if (!goal) {
			ls_error("no goal '%s' (see docs/lab.md)", o->goal);
			return -EINVAL;
		}
		ls_goal_init(&r->goal, goal);
		r->has_goal = true;
	}
	/* A trace file we cannot write is found out before the program starts. */
	if (o->record) {
		r->rec = ls_outfile_open(&r->recf, o->record);
		if (!r->rec) {
			ret = -errno;
			ls_error("%s: %s", o->record, strerror(errno));
			return ret;
		}
	}
	if (o->output == LS_RUN_OUT_CAPTURE) {
		r->out_fd = memfd_create("lockstep-output", MFD_CLOEXEC);
		if (r->out_fd < 0) {
			ret = -errno;
			ls_error("cannot capture the program's output: %s", strerror(errno));
			goto out_rec;
		}
	}
	catch_signals(r);
	redirect(r, saved);
	ret = ls_transport_open(&r->t, &to);
	restore(saved);
	if (ret) {
		/* the reason went where the program's output goes: show it */
		read_capture(r);
		if (r->out_len)
			fwrite(r->out, 1, r->out_len, stderr);
		r->t = NULL;
		goto out_rec;
	}
	r->transport = ls_transport_kind(r->t);
	if (r->rec) {
		ret = ls_trace_writer_fopen(&r->w, r->rec, (uint32_t)ls_transport_pid(r->t));
		if (ret) {
			ls_error("%s: %s", o->record, strerror(-ret));
			ls_transport_close(r->t);
			r->t = NULL;
			goto out_rec;
		}
	}
	r->t0 = now_ns();
	r->last_event = r->last_check = r->t0;
	if (o->timeout_s > 0)
		r->deadline = r->t0 + (uint64_t)(o->timeout_s * 1e9);
	return 0;

out_rec:
	if (r->rec) {
		fclose(r->rec);
		r->rec = NULL;
		ls_outfile_discard(&r->recf);	/* leave no empty trace behind */
	}
	return ret;
}

/* ------------------------------------------------------------------ */
/* The stream                                                           */
/* ------------------------------------------------------------------ */

/* Every event, in stream order: the detectors, the trace file, the goal, on_event. */
static int run_event(const struct ls_event *e, void *run)
{
	struct ls_run *r = run;
	char why[sizeof(r->bad_why)];
	unsigned field;
	uint64_t idx;
	int ret;

	/* A program built against another event table: do not guess. */
	if (ls_event_check(e, why, sizeof(why), &field)) {
		if (!r->bad++)
			memcpy(r->bad_why, why, sizeof(why));
		return 0;
	}
	ret = ls_detect_feed(r->d, e);
	if (ret && !r->err) {
		r->err = ret;
		ls_error("the detectors stopped: %s", strerror(-ret));
	}
	idx = r->events++;
	if (r->w && !r->err) {
		ret = ls_trace_writer_add(r->w, e);
		if (ret) {
			r->err = ret;
			ls_error("%s: %s", r->o.record, strerror(-ret));
		}
	}
	if (r->has_goal)
		ls_goal_feed(&r->goal, e, idx);
	if (r->o.on_event)
		return r->o.on_event(e, r->o.ctx);
	return 0;
}

void ls_run_stop(struct ls_run *r, enum ls_run_stop why)
{
	if (!r->t)
		return;
	if (r->stopped == LS_RUN_ENDED)
		r->stopped = why;
	if (!r->killed && !ls_transport_done(r->t)) {
		kill(ls_transport_pid(r->t), SIGKILL);
		r->killed = true;
	}
}

/* FNV-1a over what identifies the stuck goroutines. */
static uint64_t mix(uint64_t h, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8) {
		h ^= v & 0xff;
		h *= 0x100000001b3ull;
	}
	return h;
}

static uint64_t stuck_signature(const struct ls_finding *f, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		if (f[i].kind != LS_FIND_CYCLE && f[i].kind != LS_FIND_ALL_ASLEEP)
			continue;
		h = mix(h, f[i].kind);
		for (uint32_t k = 0; k < f[i].u.waits.n; k++) {
			h = mix(h, f[i].u.waits.w[k].g.goid);
			h = mix(h, f[i].u.waits.w[k].park_ev);
		}
	}
	return h;
}

/*
 * The deadlock watch (runner.h): the same stuck goroutines, parked on the
 * same events, at two checks LS_RUN_CONFIRM_MS apart, stop the program.
 */
static void watch(struct ls_run *r, uint64_t now)
{
	struct ls_finding f[8];
	uint64_t since_check = now - r->last_check, sig;
	bool quiet = now - r->last_event >= LS_RUN_QUIET_MS * NS_PER_MS;
	size_t n;

	if (since_check < (quiet ? LS_RUN_QUIET_MS : LS_RUN_PERIOD_MS) * NS_PER_MS)
		return;
	r->last_check = now;
	n = ls_detect_waitfor(ls_detect_state(r->d), f, 8,
			      r->events ? r->events - 1 : 0);
	if (n > 8)
		n = 8;
	if (!n) {
		r->stuck_sig = 0;
		return;
	}
	sig = stuck_signature(f, n);
	if (sig != r->stuck_sig) {
		r->stuck_sig = sig;
		r->stuck_since = now;
		return;
	}
	if (now - r->stuck_since >= LS_RUN_CONFIRM_MS * NS_PER_MS)
		ls_run_stop(r, LS_RUN_STOP_DEADLOCK);
}

/* ^C: pass it on to the program; a second one, or 2 s later, SIGKILL. */
static void forward_signal(struct ls_run *r, uint64_t now)
{
	int sig = got_signal;

	got_signal = 0;
	if (r->stopped == LS_RUN_ENDED) {
		r->stopped = LS_RUN_STOP_SIGNAL;
		r->stop_signal = sig;
		kill(ls_transport_pid(r->t), sig);
		r->kill_at = now + STOP_GRACE_NS;
		return;
	}
	ls_run_stop(r, LS_RUN_STOP_SIGNAL);
}

int ls_run_loop(struct ls_run *r)
{
	int ret = 0;

	while (!ls_transport_done(r->t)) {
		int n = ls_transport_poll(r->t, POLL_MS, run_event, r);
		uint64_t now = now_ns();

		if (n < 0 && n != -EINTR) {
			ls_error("reading events: %s", strerror(-n));
			ret = n;
			ls_run_stop(r, LS_RUN_STOP_ERROR);
			break;
		}
		if (n > 0)
			r->last_event = now;
		if (got_signal)
			forward_signal(r, now);
		if (r->kill_at && now >= r->kill_at)
			ls_run_stop(r, LS_RUN_STOP_SIGNAL);
		if (r->stopped != LS_RUN_ENDED || r->killed)
			continue;
		if (r->deadline && now >= r->deadline)
			ls_run_stop(r, LS_RUN_STOP_TIMEOUT);
		else if (!r->o.no_watch)
			watch(r, now);
	}
	return ret;
}

/* ------------------------------------------------------------------ */
/* The end                                                              */
/* ------------------------------------------------------------------ */

/* The program never ended by itself: the detectors must not call it a leak. */
static bool unfinished(const struct ls_run *r)
{
	const struct ls_mstate *st = ls_detect_state(r->d);

	if (st->exit.happened || st->panic.happened)
		return false;
	return r->stopped == LS_RUN_STOP_TIMEOUT || r->stopped == LS_RUN_STOP_SIGNAL ||
	       r->stopped == LS_RUN_STOP_QUIT || r->stopped == LS_RUN_STOP_ERROR;
}

int ls_run_finish(struct ls_run *r)
{
	uint64_t end = now_ns();
	int ret = 0;

	disarm_timeout(r);
	if (r->t) {
		/* A front end that returns early has given up on the program. */
		if (!ls_transport_done(r->t) && !r->killed)
			ls_run_stop(r, LS_RUN_STOP_QUIT);
		while (!ls_transport_done(r->t)) {
			int n = ls_transport_poll(r->t, POLL_MS, run_event, r);

			if (n < 0 && n != -EINTR)
				break;
		}
		end = now_ns();
		r->exit_status = ls_transport_exit_status(r->t);
		r->lost = ls_transport_lost(r->t);
		ls_transport_close(r->t);
		r->t = NULL;
	}
	if (r->w) {
		int err = ls_trace_writer_close(r->w, r->lost);

		r->w = NULL;
		if (err && !r->err) {
			r->err = err;
			ls_error("%s: %s", r->o.record, strerror(-err));
		}
	}
	if (r->rec) {
		if (fclose(r->rec) && !r->err) {
			r->err = -errno;
			ls_error("%s: %s", r->o.record, strerror(-r->err));
		}
		r->rec = NULL;
		if (!r->err && (r->err = ls_outfile_commit(&r->recf)))
			ls_error("%s: %s", r->o.record, strerror(-r->err));
		if (r->err)
			ls_outfile_discard(&r->recf);
	}
	release_signals(r);
	read_capture(r);
	r->seconds = r->t0 ? (double)(end - r->t0) / 1e9 : 0;

	if (r->bad && r->o.output != LS_RUN_OUT_INHERIT)
		ls_error("%" PRIu64 " records do not match this lockstep's event table (%s): "
			 "rebuild %s against this build's liblockstep", r->bad, r->bad_why,
			 r->o.target.argv ? r->o.target.argv[0] : "the program");
	r->timed_out = unfinished(r);
	ls_detect_finish(r->d, r->timed_out ? LS_DETECT_TIMED_OUT : 0);
	r->verdict = ls_detect_verdict(r->d);
	/* 128+N: killed by signal N, as a shell reads it; not by us */
	if (!r->killed && r->stopped == LS_RUN_ENDED && r->exit_status > 128 &&
	    r->exit_status < 128 + 65) {
		r->signal = r->exit_status - 128;
		if (ls_verdict_rank(LS_VERDICT_PANIC) > ls_verdict_rank(r->verdict))
			r->verdict = LS_VERDICT_PANIC;
	}
	if (r->err)
		ret = r->err;
	return ret;
}

int ls_run(struct ls_run *r, const struct ls_run_opts *o)
{
	int ret = ls_run_start(r, o);

	if (ret)
		return ret;
	ret = ls_run_loop(r);
	if (!ret)
		return ls_run_finish(r);
	ls_run_finish(r);
	return ret;
}

void ls_run_release(struct ls_run *r)
{
	disarm_timeout(r);
	release_signals(r);
	if (r->t)
		ls_transport_close(r->t);
	if (r->w)
		ls_trace_writer_abort(r->w);
	if (r->rec)
		fclose(r->rec);
	if (r->out_fd >= 0)
		close(r->out_fd);
	if (r->has_goal)
		ls_goal_release(&r->goal);
	ls_detect_free(r->d);
	free(r->out);
	memset(r, 0, sizeof(*r));
	r->out_fd = -1;
}

/* ------------------------------------------------------------------ */
/* Words and JSON                                                       */
/* ------------------------------------------------------------------ */

static const char *stop_name(enum ls_run_stop s)
{
	static const char *const names[] = {
		[LS_RUN_ENDED] = NULL, [LS_RUN_STOP_DEADLOCK] = "deadlock",
		[LS_RUN_STOP_TIMEOUT] = "timeout", [LS_RUN_STOP_SIGNAL] = "signal",
		[LS_RUN_STOP_QUIT] = "quit", [LS_RUN_STOP_ERROR] = "error",
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : NULL;
}

/* The detectors' own text, without its first line (we print the verdict). */
static char *detect_report(const struct ls_run *r)
{
	int n = ls_detect_report_buf(r->d, NULL, 0);
	char *buf;

	if (n < 0)
		return NULL;
	buf = malloc((size_t)n + 1);
	if (buf)
		ls_detect_report_buf(r->d, buf, (size_t)n + 1);
	return buf;
}

static void report_end(const struct ls_run *r, FILE *f)
{
	const char *prog = r->o.target.argv ? r->o.target.argv[0] : "the program";

	switch (r->stopped) {
	case LS_RUN_ENDED:
		if (r->signal)
			fprintf(f, "%s was killed by %s (%s)\n", prog,
				ls_signal_name(r->signal), strsignal(r->signal));
		else if (r->exit_status >= 0)
			fprintf(f, "%s exited with status %d\n", prog, r->exit_status);
		break;
	case LS_RUN_STOP_DEADLOCK:
		fprintf(f, "lockstep stopped %s after %.1f s: those goroutines would never "
			"wake up, and it would not have ended\n", prog, r->seconds);
		break;
	case LS_RUN_STOP_TIMEOUT:
		fprintf(f, "lockstep stopped %s at --timeout %g s\n", prog, r->o.timeout_s);
		break;
	case LS_RUN_STOP_SIGNAL:
		fprintf(f, "lockstep was interrupted (%s) and stopped %s\n",
			ls_signal_name(r->stop_signal ? r->stop_signal : SIGINT), prog);
		break;
	case LS_RUN_STOP_QUIT:
		fprintf(f, "%s was stopped when the UI ended\n", prog);
		break;
	case LS_RUN_STOP_ERROR:
		fprintf(f, "lockstep stopped %s after an error\n", prog);
		break;
	}
}

int ls_run_report(const struct ls_run *r, FILE *f)
{
	char *body = detect_report(r), *rest = NULL;

	fprintf(f, "verdict: %s (exit %d)\n", ls_verdict_name(r->verdict),
		ls_verdict_exit(r->verdict));
	if (r->signal)
		fprintf(f, "panic: killed by %s (%s), without a Go-style panic message\n",
			ls_signal_name(r->signal), strsignal(r->signal));
	if (body) {
		rest = strchr(body, '\n');
		rest = rest ? rest + 1 : body;
		/* "did not finish in time" is the detectors' word for a timeout */
		if (r->stopped != LS_RUN_STOP_TIMEOUT &&
		    !strncmp(rest, "the program did not finish in time\n", 35))
			rest += 35;
		fputs(rest, f);
	}
	free(body);
	report_end(r, f);
	if (r->has_goal) {
		if (r->goal.reached)
			fprintf(f, "goal %s: reached at event %" PRIu64 ": %s\n",
				r->goal.goal->name, r->goal.ev + 1, r->goal.why);
		else
			fprintf(f, "goal %s: not reached (%s)\n", r->goal.goal->name,
				r->goal.goal->what);
	}
	if (r->bad)
		fprintf(f, "warning: %" PRIu64 " records do not match this lockstep's event "
			"table (%s): rebuild %s against this build's liblockstep; the "
			"verdict cannot be trusted\n", r->bad, r->bad_why,
			r->o.target.argv ? r->o.target.argv[0] : "the program");
	if (!r->events && !r->bad)
		fprintf(f, "note: no lockstep events at all: is %s linked with liblockstep?\n",
			r->o.target.argv ? r->o.target.argv[0] : "the program");
	return ferror(f) ? -EIO : 0;
}

void ls_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* The detectors' findings array, inside its brackets. */
static char *detect_findings(const struct ls_run *r, size_t *len)
{
	static const char open[] = "\"findings\": [", close[] = "], \"dropped\": ";
	int n = ls_detect_json_buf(r->d, NULL, 0);
	char *buf, *a, *b, *p;

	if (n < 0)
		return NULL;
	buf = malloc((size_t)n + 1);
	if (!buf)
		return NULL;
	ls_detect_json_buf(r->d, buf, (size_t)n + 1);
	a = strstr(buf, open);
	b = NULL;
	/* the last one: names inside findings could hold anything */
	for (p = a; p && (p = strstr(p, close)); p++)
		b = p;
	if (!a || !b || b < a + sizeof(open) - 1) {
		free(buf);
		return NULL;
	}
	a += sizeof(open) - 1;
	*len = (size_t)(b - a);
	memmove(buf, a, *len);
	buf[*len] = '\0';
	return buf;
}

int ls_run_json(const struct ls_run *r, FILE *f, const char *extra)
{
	const char *stop = stop_name(r->stopped);
	size_t flen = 0;
	char *findings = detect_findings(r, &flen);

	fprintf(f, "{\"verdict\": \"%s\", \"exit\": %d, ", ls_verdict_name(r->verdict),
		ls_verdict_exit(r->verdict));
	if (extra && *extra)
		fprintf(f, "%s, ", extra);
	fputs("\"program\": ", f);
	ls_json_str(f, r->o.target.argv ? r->o.target.argv[0] : "");
	fprintf(f, ", \"exit_status\": %d, \"signal\": ", r->exit_status);
	if (r->signal)
		fprintf(f, "\"%s\"", ls_signal_name(r->signal));
	else
		fputs("null", f);
	fputs(", \"stopped\": ", f);
	if (stop)
		fprintf(f, "\"%s\"", stop);
	else
		fputs("null", f);
	fprintf(f, ", \"transport\": \"%s\", \"seconds\": %.3f, \"events\": %" PRIu64
		", \"lost\": %" PRIu64 ", \"timed_out\": %s, \"findings\": [",
		ls_transport_kind_str(r->transport), r->seconds, ls_detect_events(r->d),
		ls_detect_state(r->d)->lost, r->timed_out ? "true" : "false");
	if (findings)
		fwrite(findings, 1, flen, f);
	if (r->signal) {
		char msg[96];

		snprintf(msg, sizeof(msg), "killed by %s (%s)", ls_signal_name(r->signal),
			 strsignal(r->signal));
		fprintf(f, "%s{\"kind\": \"panic\", \"rule\": \"signal\", \"signal\": \"%s\", "
			"\"message\": ", flen ? ", " : "", ls_signal_name(r->signal));
		ls_json_str(f, msg);
		fputs("}", f);
	}
	fprintf(f, "], \"dropped\": %" PRIu64 ", \"bad_records\": %" PRIu64 ", \"goal\": ",
		ls_detect_dropped(r->d), r->bad);
	if (r->has_goal) {
		fputs("{\"name\": ", f);
		ls_json_str(f, r->goal.goal->name);
		fprintf(f, ", \"reached\": %s, \"event\": ", r->goal.reached ? "true" : "false");
		if (r->goal.reached)
			fprintf(f, "%" PRIu64, r->goal.ev);
		else
			fputs("null", f);
		fputs(", \"why\": ", f);
		ls_json_str(f, r->goal.reached ? r->goal.why : r->goal.goal->what);
		fputs("}", f);
	} else {
		fputs("null", f);
	}
	fputs("}\n", f);
	free(findings);
	return ferror(f) ? -EIO : 0;
}

const char *ls_run_panic_line(const struct ls_run *r, size_t *len)
{
	for (const char *p = r->out; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, "panic: ", 7) || !strncmp(p, "fatal error: ", 13)) {
			*len = strcspn(p, "\n");
			return p;
		}
	}
	return NULL;
}

int ls_run_summary(const struct ls_run *r, char *buf, size_t len)
{
	size_t n = ls_detect_count(r->d), plen;
	const char *p;

	/* the record holds 31 bytes of the message; the output has it all */
	if (r->verdict == LS_VERDICT_PANIC && !r->signal &&
	    (p = ls_run_panic_line(r, &plen)))
		return snprintf(buf, len, "%.*s", (int)plen, p);
	if (r->signal)
		return snprintf(buf, len, "killed by %s (%s)", ls_signal_name(r->signal),
				strsignal(r->signal));
	if (r->verdict == LS_VERDICT_TIMEOUT)
		return snprintf(buf, len, "no verdict within %g s", r->o.timeout_s);
	for (size_t i = 0; i < n; i++) {
		const struct ls_finding *f = ls_detect_finding(r->d, i);

		if (ls_finding_verdict(f) == r->verdict)
			return ls_finding_line(f, buf, len);
	}
	if (r->verdict == LS_VERDICT_OK && r->exit_status > 0)
		return snprintf(buf, len, "the program exited with status %d", r->exit_status);
	return snprintf(buf, len, "%s", ls_verdict_name(r->verdict));
}

/* ------------------------------------------------------------------ */
/* Exercises: where the tree and the build are, building one            */
/* ------------------------------------------------------------------ */

static bool has_header(const char *dir)
{
	char p[PATH_MAX + 32];

	snprintf(p, sizeof(p), "%s/include/lockstep/lockstep.h", dir);
	return access(p, R_OK) == 0;
}

int ls_lab_paths(struct ls_lab_paths *p)
{
	const char *env = getenv("LOCKSTEP_ROOT");
	char *slash;
	ssize_t n;

	memset(p, 0, sizeof(*p));
	n = readlink("/proc/self/exe", p->build, sizeof(p->build) - 1);
	if (n <= 0) {
		ls_error("cannot find the lockstep binary: %s", strerror(errno));
		return -ENOENT;
	}
	p->build[n] = '\0';
	slash = strrchr(p->build, '/');
	if (slash)
		*slash = '\0';
	if (env && *env && has_header(env) && strlen(env) < sizeof(p->root)) {
		strcpy(p->root, env);
		return 0;
	}
	strcpy(p->root, p->build);
	for (;;) {
		if (has_header(p->root))
			return 0;
		slash = strrchr(p->root, '/');
		if (!slash || slash == p->root)
			break;
		*slash = '\0';
	}
	ls_error("cannot find include/lockstep/lockstep.h above %s: set LOCKSTEP_ROOT "
		 "to the lockstep source tree", p->build);
	return -ENOENT;
}

static int mkdir_parents(const char *path)
{
	char d[PATH_MAX];

	if (strlen(path) >= sizeof(d))
		return -ENAMETOOLONG;
	strcpy(d, path);
	for (char *s = strchr(d + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(d, 0777) && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return 0;
}

/* Read fd to the end into a NUL-terminated buffer. */
static char *slurp(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *nb;
	ssize_t n;

	if (!buf)
		return NULL;
	for (;;) {
		if (cap - len < 1024) {
			nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
}

int ls_lab_compile(const struct ls_lab_paths *p, const char *src, const char *out,
		   char **log)
{
	char inc[PATH_MAX + 16], lib[PATH_MAX + 16];
	/* through sh, so that CC="ccache gcc" works as in make */
	char *argv[] = {
		"sh", "-c", "exec ${CC:-cc} \"$@\"", "cc",
		"-std=gnu11", "-g", "-O2", "-Wall", inc, (char *)src, lib,
		"-lpthread", "-o", (char *)out, NULL,
	};
	int fds[2], status = 0, ret;
	bool no_cc;
	char *text;
	pid_t pid;

	if (log)
		*log = NULL;
	snprintf(inc, sizeof(inc), "-I%s/include", p->root);
	snprintf(lib, sizeof(lib), "%s/liblockstep.a", p->build);
	if (access(lib, R_OK)) {
		ls_error("%s is missing: build lockstep first ('make' in %s)", lib, p->root);
		return -ENOENT;
	}
	ret = mkdir_parents(out);
	if (ret) {
		ls_error("%s: %s", out, strerror(-ret));
		return ret;
	}
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(fds[0]);
		close(fds[1]);
		return ret;
	}
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	text = slurp(fds[0]);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			status = 0x7f00;	/* as exit status 127 */
			break;
		}
	}
	no_cc = WIFEXITED(status) && WEXITSTATUS(status) == 127 && text &&
		strstr(text, "not found");
	if (log)
		*log = text;
	else
		free(text);
	if (no_cc) {
		ls_error("cannot run the C compiler (%s): set CC",
			 getenv("CC") ? getenv("CC") : "cc");
		return -ENOENT;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

/* Is path a newer than the time t?  (A missing file is not.) */
static bool newer(const char *path, const struct timespec *t)
{
	struct stat st;

	if (stat(path, &st))
		return false;
	return st.st_mtim.tv_sec > t->tv_sec ||
	       (st.st_mtim.tv_sec == t->tv_sec && st.st_mtim.tv_nsec > t->tv_nsec);
}

int ls_lab_stale(const struct ls_lab_paths *p, const char *src, const char *out)
{
	char lib[PATH_MAX + 16];
	struct stat so;

	if (stat(out, &so))
		return 1;
	snprintf(lib, sizeof(lib), "%s/liblockstep.a", p->build);
	return newer(src, &so.st_mtim) || newer(lib, &so.st_mtim);
}

int ls_lab_build(const struct ls_lab_paths *p, const char *src, const char *out)
{
	char *log = NULL;
	int ret;

	if (!ls_lab_stale(p, src, out))
		return 0;
	fprintf(stderr, "lockstep: building %s\n", out);
	ret = ls_lab_compile(p, src, out, &log);
	if (log && *log)	/* the errors, or warnings */
		fputs(log, stderr);
	free(log);
	return ret;
}

int ls_run_with_ui(struct ls_run *r, struct ls_ui_opts *uo,
		   void (*no_tty)(void *ctx), void *ctx)
{
	struct ls_model *m;
	int ret;

	uo->on_event = run_event;
	uo->on_event_ctx = r;
	uo->detect_flags = run_detect_flags;
	m = ls_model_new(NULL);
	if (!m) {
		ls_error("out of memory");
		return -ENOMEM;
	}
	arm_timeout(r);
	ret = ls_ui_live(r->t, m, uo);
	ls_model_free(m);
	if (ret == -ENOTTY) {
		if (no_tty)
			no_tty(ctx);
		return ls_run_loop(r);
	}
	if (ret == -EINTR) {
		ls_run_stop(r, LS_RUN_STOP_SIGNAL);
		return 0;
	}
	if (ret < 0)
		ls_error("the UI stopped: %s", strerror(-ret));
	return ret;
}
