/* SPDX-License-Identifier: MIT */
/*
 * transport.h - one stream of struct ls_event, from BPF or from the
 * in-process ring (ARCHITECTURE.md, principle 7).
 *
 *	struct ls_transport_opts o = { .kind = LS_TRANSPORT_AUTO, .argv = argv };
 *	ls_transport_open(&t, &o);		starts the program, probes attached
 *	ls_transport_run(t, cb, ctx);		until it exits, or SIGINT/SIGTERM
 *	status = ls_transport_exit_status(t);
 *	ls_transport_close(t);
 *
 * A program is started stopped before exec: the BPF transport attaches its
 * probes to the program file (and its shared objects) for the child's pid
 * and only then lets it exec, so not one event of main() is missed.  The shm
 * transport creates a ring in a private directory and passes it to the
 * program as LOCKSTEP_TRACE=shm:PATH; the ring blocks the producer rather
 * than dropping while we read.
 *
 * auto is BPF when this process may use it, else shm with one notice on
 * stderr.  Records either transport loses are counted and delivered in the
 * stream as TRACE_LOST events, and the total is printed on stderr at close.
 */
#ifndef LS_LAB_TRANSPORT_H
#define LS_LAB_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <lockstep/events.h>

enum ls_transport_kind {
	LS_TRANSPORT_AUTO = 0,
	LS_TRANSPORT_BPF,
	LS_TRANSPORT_SHM,
};

struct ls_transport_opts {
	enum ls_transport_kind kind;
	pid_t pid;		/* attach to this running process, or */
	char *const *argv;	/* start this program (argv[0] looked up in PATH) */
	size_t bpf_ring_bytes;	/* 0: 16 MiB */
	uint32_t shm_records;	/* 0: the ring's default */
	bool no_kernel;		/* BPF: USDT events only, no sched/futex */
	int verbose;		/* 1: what was attached; 2: and libbpf's messages */
	bool quiet;		/* no notices on stderr (errors still) */
};

struct ls_transport;

/* Return a negative errno to stop the stream (e.g. a write error). */
typedef int (*ls_event_cb)(const struct ls_event *e, void *ctx);

/* Returns 0 or -errno; the reason has been printed on stderr. */
int	ls_transport_open(struct ls_transport **tp, const struct ls_transport_opts *o);
enum ls_transport_kind ls_transport_kind(const struct ls_transport *t);
const char *ls_transport_kind_str(enum ls_transport_kind k);
int	ls_transport_parse_kind(const char *s, enum ls_transport_kind *k);
pid_t	ls_transport_pid(const struct ls_transport *t);

/*
 * Deliver what has arrived, waiting up to timeout_ms for the first record.
 * Returns records delivered (>= 0) or -errno.  Once the target has exited
 * and everything is delivered, ls_transport_done() is true.
 */
int	ls_transport_poll(struct ls_transport *t, int timeout_ms, ls_event_cb cb, void *ctx);
bool	ls_transport_done(const struct ls_transport *t);
/*
 * Poll until done, or until SIGINT, SIGTERM or SIGHUP: a program we started
 * gets the signal too and is waited for (killed after 2 s, or at a second
 * signal); an attached process is left running.  Returns 0 or the
 * callback's error.
 */
int	ls_transport_run(struct ls_transport *t, ls_event_cb cb, void *ctx);
/*
 * Catch those signals from now on (ls_transport_run does it too).  Call it
 * before ls_transport_open so that a Ctrl-C while the program starts is
 * not lost: it ends the run as soon as it begins.
 */
void	ls_transport_catch_signals(void);
/* Shell-style status of a program we started: 0..255, 128+signal, -1 n/a. */
int	ls_transport_exit_status(const struct ls_transport *t);
uint64_t ls_transport_lost(const struct ls_transport *t);
/* Detach and free; a program we started that still runs is killed. */
void	ls_transport_close(struct ls_transport *t);

#endif /* LS_LAB_TRANSPORT_H */
