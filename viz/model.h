/* SPDX-License-Identifier: MIT */
/*
 * model.h - the pure model: lockstep events in, the state of every
 * goroutine and object out.  No curses, no BPF, no files, no globals.
 *
 * A struct ls_model owns three things:
 *
 *   the timeline   every event pushed so far, in order (a growable array of
 *                  chunks; disabled with opts.no_timeline for a one-pass
 *                  consumer such as the detectors or `--no-ui`);
 *   the state      struct ls_mstate after applying events [0, pos): what a
 *                  view draws.  Views only read it (htop's rule: the model
 *                  and the drawing are separate modules);
 *   snapshots      a copy of the state every `snapshot_every` events, so that
 *                  ls_model_seek(m, k) restores the nearest snapshot <= k and
 *                  applies at most snapshot_every events.  Their number is
 *                  bounded (max_snapshots): when full, every other one is
 *                  dropped and the interval doubles, so memory stays bounded
 *                  however long the trace.
 *
 * Typical use:
 *
 *	struct ls_model *m = ls_model_new(NULL);
 *	while (read events)
 *		ls_model_push(m, &ev);		// appended, and applied while following
 *	ls_model_set_follow(m, false);		// the user paused
 *	ls_model_seek(m, k);			// state after events 0..k-1
 *	draw(ls_model_state(m));
 *	ls_model_explain(m, ls_model_event(m, k - 1), line, sizeof(line));
 *
 * Indices: event k is the k-th record pushed (0-based).  The state at
 * position k has applied events 0..k-1; after ls_model_seek(m, k + 1) the
 * state includes event k.
 *
 * Event semantics the model relies on are listed in docs/model.md; the event
 * table itself is include/lockstep/events.h.
 */
#ifndef LS_VIZ_MODEL_H
#define LS_VIZ_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lockstep/events.h>
#include "model_map.h"

#define LS_NOIDX		UINT32_MAX	/* no object / goroutine */
#define LS_MODEL_MAX_SLOTS	4096	/* channel slots tracked one by one */
#define LS_RW_MAX_READERS	(1 << 30)	/* rwmutexMaxReaders */

/* ---- goroutines ---- */

enum ls_gstate {
	LS_GS_RUNNABLE = 0,	/* created and not started, or readied */
	LS_GS_RUNNING,
	LS_GS_PARKED,		/* reason says why; SLEEP is a timed wait */
	LS_GS_EXITED,
};

/* One entry of a queue: a waiter, a holder, or a user of a channel. */
struct ls_mwaiter {
	uint64_t	goid;
	uint64_t	ts;	/* when it joined */
	uint64_t	val;	/* see the queue's description */
	uint32_t	flags;	/* LS_MW_* */
	int32_t		aux;	/* select case index */
};

#define LS_MW_LIFO	0x01	/* mutex: re-queued at the head */
#define LS_MW_SELECT	0x02	/* channel: one case of a blocked select */
#define LS_MW_SEND	0x10	/* channel users: sent (or parked to send) */
#define LS_MW_RECV	0x20	/* channel users: received (or parked to) */
#define LS_MW_CLOSE	0x40	/* channel users: closed it */

struct ls_mqueue {
	uint32_t		n, cap;
	struct ls_mwaiter	*w;	/* w[0] is the head */
};

struct ls_midxv {
	uint32_t	n, cap;
	uint32_t	*v;
};

struct ls_mgoroutine {
	uint64_t	goid;
	uint64_t	parent;		/* goid of the creator, 0 if none */
	char		name[LS_EVENT_STRMAX];
	uint32_t	tid;		/* from GO_START's record; 0 unknown */
	uint8_t		state;		/* enum ls_gstate */
	uint8_t		reason;		/* enum ls_wait_reason while parked */
	bool		oncpu;		/* SCHED_ON / SCHED_OFF (BPF only) */
	bool		in_futex;	/* between FUTEX_WAIT and its end */
	bool		dequeued;	/* a waker took it off its queue; the
					   GO_READY is on its way */
	uint32_t	waitobj;	/* object parked on, LS_NOIDX if none */
	uint64_t	waitaddr;	/* GO_PARK's obj as emitted */
	uint64_t	since;		/* ts of the last state change */
	uint64_t	park_ev;	/* index of the GO_PARK */
	uint64_t	created_ts;
	uint64_t	readied_by;	/* goid of the last GO_READY's emitter */
	uint64_t	futex_addr;
	uint64_t	nevents;	/* events it emitted */
	struct ls_midxv	sel;		/* channels its blocked select is queued on */
	/* The goroutine's previous event, to recognise inner mutexes. */
	uint32_t	last_obj;
	uint16_t	last_id;
};

/* ---- objects ---- */

struct ls_mmutex {
	int32_t		state;		/* state word: LS_MUTEX_* | waiters << 3 */
	bool		state_known;
	bool		starving;	/* starvation mode */
	uint64_t	mode_since;	/* ts of the last mode change */
	uint64_t	holder;		/* last acquirer while held, 0 if free */
	uint64_t	holder_since;
	uint8_t		holder_how;	/* enum ls_acquire_how */
	uint64_t	last_holder;
	uint32_t	owed_unlocks;	/* see docs/model.md, "late unlocks" */
	uint64_t	requeued;	/* last waiter re-queued at the head */
	uint64_t	handoff_to;	/* last goroutine handed the mutex */
	uint64_t	woken;		/* last waiter woken by Unlock */
	uint64_t	spinner;	/* last goroutine seen spinning */
	uint32_t	spin_iter;
	uint32_t	parent;		/* RWMutex / Once it is the inner mutex of */
	uint64_t	acquisitions, contended, handoffs, starvations;
};

struct ls_mrw {
	int32_t		reader_count;	/* readerCount, may be < 0 */
	int32_t		reader_wait;	/* readerWait */
	bool		known;
	uint64_t	writer;		/* holds w: pending or active writer */
	bool		writer_active;	/* past RW_WACQUIRE */
	uint64_t	writer_since;
	uint64_t	last_writer;
	uint32_t	wmutex;		/* the inner writer mutex, LS_NOIDX */
	uint32_t	readers;	/* read locks held (sum over hold) */
};

struct ls_mwg {
	int32_t		counter;
	uint32_t	waiters;	/* as reported by the last event */
	bool		known;
	uint64_t	zero_gen;	/* times the counter reached zero */
	uint64_t	releases;
};

struct ls_mcond {
	uint32_t	wait;		/* next ticket */
	uint32_t	notify;		/* next ticket to wake */
	uint64_t	signals, broadcasts;
	uint64_t	last_signaler;
};

enum ls_once_state { LS_ONCE_NOT_DONE = 0, LS_ONCE_RUNNING, LS_ONCE_DONE };

struct ls_monce {
	uint8_t		state;		/* enum ls_once_state */
	uint64_t	runner;		/* goroutine running f */
	uint32_t	mutex;		/* the inner mutex, LS_NOIDX */
};

struct ls_mchan {
	uint64_t	elemsize, cap;
	uint64_t	qcount, sendx, recvx;
	bool		closed, freed, made;
	bool		timer;		/* ls_after's channel: a runtime timer feeds it */
	uint64_t	closer;
	uint64_t	sends, recvs;
	uint64_t	last_peer;	/* goroutine the last direct op took off a queue */
	uint64_t	last_peer_val;
	int64_t		last_slot;	/* slot of the last buffered op, -1 none */
};

struct ls_msem {
	int64_t		size, cur;
	uint32_t	waiters;
};

struct ls_mbarrier {
	int64_t		arrived, parties, generation;
	bool		broken;
};

struct ls_mctx {
	uint64_t	parent;
	uint8_t		ctx_kind;	/* 0 background, 1 cancel, 2 timeout, 3 value */
	int64_t		deadline;
	bool		cancelled;
	int64_t		err;
};

struct ls_meg {
	int64_t		active, limit, first_err;
};

/*
 * Queues, by kind:
 *	mutex		wq[0] waiters, head first (val: ts the wait began)
 *	rwmutex		wq[0] readers parked behind the writer,
 *			wq[1] writers queued on w; hold: readers holding
 *			the read lock (val: how many times)
 *	waitgroup	wq[0] waiters (val: zero_gen when they started)
 *	cond		wq[0] waiters (val: ticket)
 *	chan		wq[0] recvq, wq[1] sendq (val: first 8 bytes);
 *			users: who sent, received, closed (flags)
 *	semaphore	wq[0] waiters (val: n); hold: tokens held (val)
 *	barrier		wq[0] parties waiting
 */
struct ls_mobject {
	uint64_t		addr;
	uint8_t			kind;		/* enum ls_obj_kind */
	bool			named;
	char			name[LS_EVENT_STRMAX];
	uint64_t		first_ev;
	uint64_t		nevents;
	uint64_t		last_ev;	/* index of its last event */
	uint16_t		last_id;
	uint64_t		last_goid;
	uint64_t		last_args[LS_EVENT_NARGS];
	struct ls_mqueue	wq[2];
	struct ls_mqueue	hold;
	struct ls_mqueue	users;
	uint32_t		nslots;		/* min(cap, LS_MODEL_MAX_SLOTS) */
	uint64_t		*slot_val;	/* channel ring: first 8 bytes */
	uint8_t			*slot_full;
	union {
		struct ls_mmutex	mu;
		struct ls_mrw		rw;
		struct ls_mwg		wg;
		struct ls_mcond		cond;
		struct ls_monce		once;
		struct ls_mchan		ch;
		struct ls_msem		sem;
		struct ls_mbarrier	bar;
		struct ls_mctx		ctx;
		struct ls_meg		eg;
	} u;
};

/* Instrumented variables (MEM_LOAD / MEM_STORE / ATOMIC_OP). */
struct ls_mvar {
	uint64_t	addr;
	char		name[LS_EVENT_STRMAX];
	int64_t		value;		/* last value seen */
	bool		known;
	uint64_t	last_writer, last_reader;
	uint64_t	last_ev;
	uint64_t	loads, stores, atomics;
};

struct ls_mpanic {
	bool		happened;
	bool		is_panic;	/* false: "fatal error: ..." */
	bool		truncated;	/* the message was cut to fit the record */
	char		msg[LS_EVENT_STRMAX];
	uint64_t	goid;
	uint64_t	ev, ts;
};

struct ls_mexit {
	bool		happened;
	int64_t		status;
	uint32_t	live, parked;	/* as the runtime counted them */
	uint64_t	goid;
	uint64_t	ev, ts;
};

struct ls_mstate {
	uint64_t		nev;		/* events applied */
	uint64_t		at;		/* index of the last one */
	uint64_t		first_ts, last_ts;
	struct ls_mgoroutine	*g;
	uint32_t		ng, capg;
	struct ls_mobject	*o;
	uint32_t		no, capo;
	struct ls_mvar		*v;
	uint32_t		nv, capv;
	uint32_t		live;		/* goroutines not exited */
	uint32_t		parked;		/* of which parked (sleep included) */
	struct ls_mpanic	panic;
	struct ls_mexit		exit;
	uint64_t		lost;		/* records lost (TRACE_LOST) */
	uint64_t		unplaced;	/* events the model could not place */
	struct ls_umap		gmap;		/* goid -> g[] */
	struct ls_umap		tidmap;		/* tid -> g[] */
	struct ls_umap		omap;		/* addr | kind << 56 -> o[] */
	struct ls_umap		amap;		/* addr -> last object at addr */
	struct ls_umap		vmap;		/* addr -> v[] */
	struct ls_umap		usermap;	/* o[] << 32 | g[] -> users entry */
};

/* ---- the model ---- */

struct ls_model_opts {
	uint32_t	snapshot_every;	/* events between snapshots; 0: 4096 */
	uint32_t	max_snapshots;	/* 0: 256 */
	bool		no_timeline;	/* keep no events: push = apply, no seek */
};

struct ls_model;

struct ls_model	*ls_model_new(const struct ls_model_opts *opts);	/* NULL: ENOMEM */
void		 ls_model_free(struct ls_model *m);
/* Append ev to the timeline; apply it if following.  0 or -ENOMEM. */
int		 ls_model_push(struct ls_model *m, const struct ls_event *ev);
/*
 * Following (the default): every pushed event is applied at once, provided
 * the state is at the end of the timeline.  Not following: push only
 * appends, and the state moves with ls_model_seek.
 */
void		 ls_model_set_follow(struct ls_model *m, bool follow);
/* State after events 0..k-1.  0, -ERANGE (k > count), -ENOTSUP, -ENOMEM. */
int		 ls_model_seek(struct ls_model *m, uint64_t k);
uint64_t	 ls_model_count(const struct ls_model *m);	/* events pushed */
uint64_t	 ls_model_pos(const struct ls_model *m);	/* events applied */
/*
 * For a model without timeline whose caller applies events out of their
 * stream order (the detectors' reorder stage): apply ev, recording index as
 * its position wherever the state keeps one (park_ev, last_ev, ...).
 * -ENOTSUP on a model with a timeline.
 */
int		 ls_model_apply_as(struct ls_model *m, const struct ls_event *ev,
				   uint64_t index);
/* Event k of the timeline; NULL if out of range or no timeline. */
const struct ls_event *ls_model_event(const struct ls_model *m, uint64_t k);
const struct ls_mstate *ls_model_state(const struct ls_model *m);
/* Bytes held by snapshots and the timeline (for the benchmarks). */
size_t		 ls_model_mem(const struct ls_model *m);
uint32_t	 ls_model_snapshot_every(const struct ls_model *m);

/*
 * A one-line explanation of ev in words, e.g.
 *	worker-2 parks on mutex "m" at the head of the queue (LIFO: it
 *	already waited 1.4 ms)
 * Names come from the model's current state; everything else from the
 * event itself, so any event of the timeline can be explained whatever
 * the position.  Returns the length snprintf would (buf always terminated).
 */
int		 ls_model_explain(const struct ls_model *m, const struct ls_event *ev,
				  char *buf, size_t len);
int		 ls_mstate_explain(const struct ls_mstate *st, const struct ls_event *ev,
				   char *buf, size_t len);

/* ---- lookups on a state (NULL / LS_NOIDX when unknown) ---- */
const struct ls_mgoroutine *ls_mstate_goroutine(const struct ls_mstate *st, uint64_t goid);
uint32_t	 ls_mstate_gidx(const struct ls_mstate *st, uint64_t goid);
const struct ls_mobject *ls_mstate_object(const struct ls_mstate *st, uint64_t addr,
					  unsigned kind);
const struct ls_mvar *ls_mstate_var(const struct ls_mstate *st, uint64_t addr);

/* ---- words ---- */
const char	*ls_model_event_name(unsigned id);	/* "mutex_park" */
const char	*ls_model_wait_str(unsigned reason);	/* Go's words */
const char	*ls_model_kind_str(unsigned kind);	/* "sync.Mutex" */
const char	*ls_model_kind_noun(unsigned kind);	/* "mutex", "channel" */
const char	*ls_model_gstate_str(unsigned state);	/* "parked" */
/* The kind of object an event is about, from its family (MUTEX_* is a
 * sync.Mutex...); -1 for events about no object or any (GO_PARK). */
int		 ls_model_event_kind(unsigned id);
/* `worker-2` or `goroutine 7`. */
int		 ls_mstate_goname(const struct ls_mstate *st, uint64_t goid,
				  char *buf, size_t len);
/* `mutex "m"` or `mutex 0x55d0c0a0e040`. */
int		 ls_mobject_label(const struct ls_mobject *o, char *buf, size_t len);
/* "locked, woken, 2 waiters" */
int		 ls_mutex_state_str(int32_t state, char *buf, size_t len);
/* "2 readers active, writer pending: -2^30 + 2" */
int		 ls_rw_explain(const struct ls_mobject *o, char *buf, size_t len);
/* Copy an LS_EVF_STR event's string (the viz library needs no liblockstep). */
void		 ls_model_event_str(const struct ls_event *e, char *buf, size_t n);

#endif /* LS_VIZ_MODEL_H */
