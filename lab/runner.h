/* SPDX-License-Identifier: MIT */
/*
 * runner.h - run a program under lockstep and reach one verdict: the loop
 * shared by `lockstep run`, `lockstep check` and `lockstep demo`.
 *
 *	struct ls_run_opts o = { .target.argv = argv, .timeout_s = 60 };
 *	struct ls_run r;
 *
 *	ret = ls_run(&r, &o);			start, loop, finish
 *	ls_run_report(&r, stdout);		or ls_run_json(&r, stdout, NULL)
 *	status = ls_verdict_exit(r.verdict);
 *	ls_run_release(&r);
 *
 * Every event goes, in stream order, to the detectors (viz/detect.h), to
 * the trace file with `record`, to the goal checker with `goal`
 * (lab/goals.h) and to `on_event`.  The live UI polls the transport
 * itself: ls_run_start(), ls_run_with_ui() in place of ls_run_loop(), and
 * ls_run_finish().
 *
 * Deadlocks that do not end the program.  Go's runtime dies of "all
 * goroutines are asleep" only when every goroutine is parked; a wait-for
 * cycle among some goroutines while another one still runs (or spins) hangs
 * for ever.  The loop looks at the detectors' state with ls_detect_waitfor()
 * when the stream has been quiet for LS_RUN_QUIET_MS, and every
 * LS_RUN_PERIOD_MS while it is not; when the same goroutines are found stuck
 * (same cycle or all asleep, same park events) at two checks at least
 * LS_RUN_CONFIRM_MS apart, it kills the program and the verdict is
 * `deadlock`, without waiting for a timeout.
 *
 * SIGINT, SIGTERM and SIGHUP are caught from ls_run_start() to
 * ls_run_finish(): the loop passes the first one on to the program and kills
 * it 2 s later, or at a second one; the verdict is then reached on what was
 * seen (a deadlock if one is there, else `timeout`: no verdict).
 *
 * A program killed by a signal (SIGSEGV, SIGABRT, ...) that lockstep did not
 * send died without a Go-style panic: the verdict is `panic` all the same,
 * with the signal named in the report and in the JSON findings.
 */
#ifndef LS_LAB_RUNNER_H
#define LS_LAB_RUNNER_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../viz/detect.h"
#include "goals.h"
#include "tracefile.h"
#include "outfile.h"
#include "transport.h"

#define LS_RUN_QUIET_MS		300
#define LS_RUN_PERIOD_MS	500
#define LS_RUN_CONFIRM_MS	500
#define LS_RUN_CAPTURE_MAX	(4u << 20)	/* bytes of output kept */
#define LS_RUN_NSIGS		3		/* SIGINT, SIGTERM, SIGHUP */

/* Where the program's own stdout and stderr go. */
enum ls_run_output {
	LS_RUN_OUT_INHERIT = 0,	/* ours */
	LS_RUN_OUT_STDERR,	/* its stdout to our stderr (`--json`) */
	LS_RUN_OUT_CAPTURE,	/* both into a buffer: ls_run_output() */
};

/* Why lockstep ended the program. */
enum ls_run_stop {
	LS_RUN_ENDED = 0,	/* it ended by itself */
	LS_RUN_STOP_DEADLOCK,	/* stuck goroutines that would never wake */
	LS_RUN_STOP_TIMEOUT,	/* --timeout */
	LS_RUN_STOP_SIGNAL,	/* lockstep got SIGINT, SIGTERM or SIGHUP */
	LS_RUN_STOP_QUIT,	/* the user left the UI */
	LS_RUN_STOP_ERROR,	/* lockstep could not go on (see the message) */
};

struct ls_run_opts {
	struct ls_transport_opts target;	/* .argv: the program (no -p) */
	double			timeout_s;	/* 0: none */
	bool			no_watch;	/* no deadlock watch while it runs */
	enum ls_run_output	output;
	const char		*record;	/* also write this trace file */
	const char		*goal;		/* a goal of goals.c, or NULL */
	ls_event_cb		on_event;	/* also sees every event */
	void			*ctx;
};

struct ls_run {
	/* ---- results, valid after ls_run_finish() ---- */
	enum ls_verdict		verdict;
	int			exit_status;	/* shell-style: 0..255, 128+N; -1 unknown */
	int			signal;		/* killed it (not sent by us), or 0 */
	enum ls_run_stop	stopped;
	int			stop_signal;	/* LS_RUN_STOP_SIGNAL: which */
	bool			timed_out;	/* the detectors were told so */
	uint64_t		events;		/* events seen */
	uint64_t		lost;		/* records the transport lost */
	uint64_t		bad;		/* records not of our event table */
	char			bad_why[96];	/* the first one's problem */
	double			seconds;	/* from start to the end of the stream */
	enum ls_transport_kind	transport;	/* the one used */
	struct ls_detect	*d;		/* the findings */
	bool			has_goal;
	struct ls_goal_check	goal;
	char			*out;		/* LS_RUN_OUT_CAPTURE: the output */
	size_t			out_len;

	/* ---- private ---- */
	struct ls_run_opts	o;
	struct ls_transport	*t;
	FILE			*rec;
	struct ls_outfile	recf;	/* rec's file, taken back on failure */
	struct ls_trace_writer	*w;
	int			out_fd;
	int			err;		/* first error of a consumer */
	uint64_t		t0, last_event, last_check;
	uint64_t		stuck_sig, stuck_since;
	uint64_t		deadline, kill_at;
	bool			killed;
	bool			catching, alarm_armed;
	struct sigaction	old_sa[LS_RUN_NSIGS], old_alarm;
};

/*
 * Start the program.  0, or -errno with the reason printed on stderr; call
 * ls_run_release() either way.
 */
int	ls_run_start(struct ls_run *r, const struct ls_run_opts *o);
/* Poll and watch until the stream ends.  0 or -errno (printed). */
int	ls_run_loop(struct ls_run *r);

struct ls_ui_opts;
/*
 * Instead of ls_run_loop: show the run in the live UI until the user quits
 * (run's and demo's default).  The UI polls the transport; uo gets the
 * run's hooks (every event reaches the run's consumers before the UI sees
 * it; --timeout is a SIGALRM timer, disarmed by ls_run_finish, and its
 * verdict); the rest of uo is the caller's.  Without a terminal after all,
 * no_tty(ctx) runs (if given) and ls_run_loop takes over; Ctrl-C stops the
 * run.  0, or a negative errno already reported.
 */
int	ls_run_with_ui(struct ls_run *r, struct ls_ui_opts *uo,
		       void (*no_tty)(void *ctx), void *ctx);
/* End the program now (it is killed); the stream still drains. */
void	ls_run_stop(struct ls_run *r, enum ls_run_stop why);
/* Drain, close the transport and the trace file, reach the verdict. */
int	ls_run_finish(struct ls_run *r);
/* All three. */
int	ls_run(struct ls_run *r, const struct ls_run_opts *o);
void	ls_run_release(struct ls_run *r);

/* The verdict, the findings in words, how the program ended, the goal. */
int	ls_run_report(const struct ls_run *r, FILE *f);
/*
 * The verdict object of docs/detectors.md with the run's own fields
 * (docs/lab.md): program, exit_status, signal, stopped, transport,
 * seconds, goal.  extra, if not NULL, is inserted as more members
 * ("\"exercise\": \"...\"").  One line.
 */
int	ls_run_json(const struct ls_run *r, FILE *f, const char *extra);
/* The main finding in one line: "deadlock: a-then-b -> mutex "b" -> ...". */
int	ls_run_summary(const struct ls_run *r, char *buf, size_t len);
/* LS_RUN_OUT_CAPTURE: the "panic: ..." or "fatal error: ..." line it printed. */
const char *ls_run_panic_line(const struct ls_run *r, size_t *len);
/* "SIGSEGV" */
const char *ls_signal_name(int sig);
/* A JSON string, quoted and escaped. */
void	ls_json_str(FILE *f, const char *s);

/* ---- exercises: where the tree and the build are, building one ---- */

struct ls_lab_paths {
	char	build[PATH_MAX];	/* the directory of the lockstep binary */
	char	root[PATH_MAX];		/* the tree with include/lockstep/ */
};

/*
 * The build directory is where this lockstep binary lives (build/, or
 * build/h-run with O=build/h-run); the root is $LOCKSTEP_ROOT if it holds
 * include/lockstep/lockstep.h, else the nearest ancestor of the build
 * directory that does.  0, or -ENOENT with the reason printed.
 */
int	ls_lab_paths(struct ls_lab_paths *p);
/*
 * cc -std=gnu11 -g -O2 -Wall -I<root>/include SRC <build>/liblockstep.a
 *    -lpthread -o OUT		($CC instead of cc when set)
 * Returns 0 when it built, 1 when the compiler failed, -errno when it could
 * not be run (printed).  *log (may be NULL) gets what the compiler said.
 */
int	ls_lab_compile(const struct ls_lab_paths *p, const char *src, const char *out,
		       char **log);
/* 1 when out is missing or older than src or liblockstep.a, else 0. */
int	ls_lab_stale(const struct ls_lab_paths *p, const char *src, const char *out);
/*
 * Rebuild out from src when it is stale, saying "lockstep: building OUT"
 * and then what the compiler said on stderr.  0 when out is up to date (or
 * now built), 1 when the compiler failed, -errno as ls_lab_compile.
 */
int	ls_lab_build(const struct ls_lab_paths *p, const char *src, const char *out);

#endif /* LS_LAB_RUNNER_H */
