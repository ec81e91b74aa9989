/* SPDX-License-Identifier: MIT */
/*
 * detect.h - the detectors and the one verdict (ARCHITECTURE.md, principle
 * 6): the TUI banner, `lockstep run --no-ui --json`, `lockstep check` and
 * the tests all call these functions.
 *
 * Two entry points:
 *
 *   struct ls_detect   a one-pass consumer of the event stream.  Feed it
 *                      every event in order, then call ls_detect_finish();
 *                      it keeps its own model (no timeline), runs every
 *                      detector and collects findings:
 *                        panic and fatal errors (PANIC);
 *                        deadlocks: wait-for cycles and "all goroutines are
 *                          asleep", at PANIC, at MAIN_EXIT and at the end;
 *                        leaks: goroutines still parked at MAIN_EXIT (or at
 *                          the end of the stream);
 *                        potential deadlocks: cycles in the lock-order graph
 *                          (lockdep), even when this run did not hang;
 *                        data races: MEM_LOAD / MEM_STORE pairs that no
 *                          happens-before edge orders (vector clocks).
 *
 *   ls_detect_waitfor  a pure function of any model state: the wait-for
 *                      cycles and the all-asleep check at that point.  The
 *                      UI calls it on the state it shows.
 *
 * The rules, the verdict precedence, the JSON shape and the known limits
 * are in docs/detectors.md.
 */
#ifndef LS_VIZ_DETECT_H
#define LS_VIZ_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <lockstep/events.h>
#include "model.h"

/* ---- verdicts (ARCHITECTURE.md) ---- */

enum ls_verdict {
	LS_VERDICT_OK = 0,
	LS_VERDICT_DEADLOCK,
	LS_VERDICT_LEAK,
	LS_VERDICT_POTENTIAL_DEADLOCK,
	LS_VERDICT_RACE,
	LS_VERDICT_PANIC,
	LS_VERDICT_TIMEOUT,
	LS_VERDICT__COUNT
};

const char	*ls_verdict_name(enum ls_verdict v);	/* "potential-deadlock" */
int		 ls_verdict_exit(enum ls_verdict v);	/* 0, 10..15 */
int		 ls_verdict_by_name(const char *name);	/* enum value or -1 */
/* Higher wins: panic > deadlock > race > timeout > leak > potential-deadlock > ok. */
int		 ls_verdict_rank(enum ls_verdict v);

/* ---- findings ---- */

enum ls_finding_kind {
	LS_FIND_PANIC = 0,	/* the program died: panic or fatal error */
	LS_FIND_CYCLE,		/* a wait-for cycle (deadlock) */
	LS_FIND_ALL_ASLEEP,	/* every goroutine parked, no timer (deadlock) */
	LS_FIND_LEAK,		/* a goroutine parked when main exited */
	LS_FIND_LOCK_ORDER,	/* a lock-order cycle (potential deadlock) */
	LS_FIND_RACE,		/* two unordered conflicting accesses */
	LS_FIND__COUNT
};

#define LS_FIND_MAX_STEPS	16

/* Who can wake a parked goroutine, in the wait-for graph. */
enum ls_wake_role {
	LS_ROLE_NONE = 0,
	LS_ROLE_HOLDER,		/* holds the mutex (last acquirer) */
	LS_ROLE_WRITER,		/* holds the RWMutex for writing, or is the
				   pending writer the readers queue behind */
	LS_ROLE_READER,		/* holds the RWMutex for reading */
	LS_ROLE_SENDER,		/* has sent on (or closed) the channel */
	LS_ROLE_RECEIVER,	/* has received from the channel */
	LS_ROLE_ANYONE,		/* any other goroutine (WaitGroup, Cond, ...) */
};

enum ls_lock_mode { LS_LOCK_WRITE = 0, LS_LOCK_READ = 1 };

struct ls_fgo {
	uint64_t	goid;
	char		name[LS_EVENT_STRMAX];
};

struct ls_fobj {
	uint64_t	addr;
	uint8_t		kind;		/* enum ls_obj_kind */
	char		name[LS_EVENT_STRMAX];
};

/* One goroutine blocked on one object, and (in a cycle) who it waits for. */
struct ls_fwait {
	struct ls_fgo	g;
	uint8_t		reason;		/* enum ls_wait_reason */
	struct ls_fobj	obj;		/* addr 0: none (nil channel, select) */
	uint64_t	since_ts;
	uint64_t	park_ev;	/* index of its GO_PARK */
	struct ls_fgo	next;		/* cycle: the goroutine it waits for */
	uint8_t		role;		/* enum ls_wake_role of next */
};

struct ls_fwaits {
	uint32_t	n;
	uint32_t	total;		/* n may be capped at LS_FIND_MAX_STEPS */
	struct ls_fwait	w[LS_FIND_MAX_STEPS];
};

/* Edge held -> acq of the lock-order graph, with where it was seen. */
struct ls_fedge {
	struct ls_fobj	held, acq;
	uint8_t		held_mode, acq_mode;	/* enum ls_lock_mode */
	struct ls_fgo	g;
	uint64_t	held_ev;	/* index of the event that acquired held */
	uint64_t	acq_ev;		/* index of the event that acquired acq */
};

struct ls_forder {
	uint32_t	n;
	uint32_t	total;
	struct ls_fedge	e[LS_FIND_MAX_STEPS];
};

struct ls_faccess {
	struct ls_fgo	g;
	uint64_t	ev;
	bool		write;
	int64_t		value;
};

struct ls_frace {
	struct ls_fobj		var;	/* kind LS_OBJ_VAR */
	struct ls_faccess	first, second;	/* first happened earlier */
	uint64_t		more;	/* further races on the variable */
};

struct ls_fpanic {
	bool		is_panic;	/* false: fatal error */
	bool		truncated;
	char		msg[LS_EVENT_STRMAX];
	struct ls_fgo	g;
};

struct ls_finding {
	uint8_t		kind;		/* enum ls_finding_kind */
	uint64_t	ev;		/* index of the event where it was found */
	uint64_t	ts;
	union {
		struct ls_fpanic	panic;
		struct ls_fwaits	waits;	/* CYCLE (in order), ALL_ASLEEP */
		struct ls_fwait		leak;
		struct ls_forder	order;
		struct ls_frace		race;
	} u;
};

/* The verdict a finding alone would give. */
enum ls_verdict	 ls_finding_verdict(const struct ls_finding *f);

/* ---- the one-pass detector ---- */

struct ls_detect_opts {
	bool		no_race;	/* skip the race detector */
	bool		no_lockorder;	/* skip the lock-order graph */
	bool		no_reorder;	/* apply events strictly in stream order */
	uint32_t	max_findings;	/* 0: 256 */
};

#define LS_DETECT_TIMED_OUT	0x1	/* finish: the run hit its --timeout */

struct ls_detect;

struct ls_detect *ls_detect_new(const struct ls_detect_opts *opts);	/* NULL: ENOMEM */
void		 ls_detect_free(struct ls_detect *d);
/* Feed the next event of the stream.  0, -ENOMEM, or -EINVAL after finish. */
int		 ls_detect_feed(struct ls_detect *d, const struct ls_event *ev);
/* End of stream (flags: LS_DETECT_*).  Runs the end-of-run checks once. */
int		 ls_detect_finish(struct ls_detect *d, unsigned flags);
/* Convenience: feed n events and finish. */
int		 ls_detect_run(struct ls_detect *d, const struct ls_event *ev, size_t n,
			       unsigned flags);

size_t		 ls_detect_count(const struct ls_detect *d);
const struct ls_finding *ls_detect_finding(const struct ls_detect *d, size_t i);
/* Findings not kept because max_findings was reached. */
uint64_t	 ls_detect_dropped(const struct ls_detect *d);
/* Events fed so far. */
uint64_t	 ls_detect_events(const struct ls_detect *d);
/* The detector's own model, after the events processed so far. */
const struct ls_mstate *ls_detect_state(const struct ls_detect *d);

/* Precedence over the findings so far (and the timeout flag of finish). */
enum ls_verdict	 ls_detect_verdict(const struct ls_detect *d);

/*
 * The verdict object, documented in docs/detectors.md:
 *	{"verdict": "deadlock", "exit": 10, "events": 1234, "lost": 0,
 *	 "findings": [ {"kind": "deadlock", ...}, ... ]}
 * ls_detect_json_buf works like snprintf: it returns the length of the
 * whole object and writes what fits, always NUL-terminated.
 */
int		 ls_detect_json(const struct ls_detect *d, FILE *f);
int		 ls_detect_json_buf(const struct ls_detect *d, char *buf, size_t len);
/* A short human report: the verdict, then one paragraph per finding. */
int		 ls_detect_report(const struct ls_detect *d, FILE *f);
int		 ls_detect_report_buf(const struct ls_detect *d, char *buf, size_t len);
/* One finding in one line (the UI banner). */
int		 ls_finding_line(const struct ls_finding *f, char *buf, size_t len);

/* ---- pure checks on any state ---- */

/*
 * Wait-for cycles (LS_FIND_CYCLE, one finding per cycle) and, when every
 * live goroutine is stuck, LS_FIND_ALL_ASLEEP.  Writes at most max findings
 * to out and returns how many there are.  ev is stored in the findings.
 */
size_t		 ls_detect_waitfor(const struct ls_mstate *st, struct ls_finding *out,
				   size_t max, uint64_t ev);

#endif /* LS_VIZ_DETECT_H */
