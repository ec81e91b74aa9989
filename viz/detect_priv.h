/* SPDX-License-Identifier: MIT */
/*
 * detect_priv.h (internal) - what the detector's files share: the state of
 * struct ls_detect, and the entry points of each detector.
 *
 *	detect.c		feeding, reordering, PANIC / MAIN_EXIT / end checks
 *	detect_waitfor.c	wait-for graph: cycles, all asleep, leaks (pure)
 *	detect_race.c		vector clocks and the race check
 *	detect_lockorder.c	the lock-order graph (lockdep)
 *	detect_report.c		verdict, JSON, human report
 */
#ifndef LS_VIZ_DETECT_PRIV_H
#define LS_VIZ_DETECT_PRIV_H

#include "detect.h"
#include "model_map.h"
#include "vclock.h"

/* An event held back by the reorder stage, with its index in the stream. */
struct dpend {
	struct ls_event	ev;
	uint64_t	idx;
};

/* Held-back events on one channel, oldest first. */
struct dchpend {
	uint64_t	idx;
	uint32_t	g;
};

struct dchq {
	struct dchpend	*v;	/* [head, n): g == LS_NOIDX marks one released */
	uint32_t	head, n, cap;
};

/* A lock a goroutine holds, for the lock-order graph. */
struct dheld {
	uint32_t	node;
	uint8_t		mode;		/* enum ls_lock_mode */
	uint64_t	ev;		/* index of the acquiring event */
};

/* An unlock whose event is still to come (see "late releases", detect.c). */
struct dowed {
	uint64_t	obj;
	uint8_t		kind;		/* LS_OBJ_MUTEX or LS_OBJ_RWMUTEX */
	uint8_t		mode;		/* enum ls_lock_mode */
};

/* The detector's view of one goroutine (goid 0: the runtime's threads). */
struct dgo {
	uint64_t	goid;
	struct ls_vclock vc;
	struct dheld	*held;
	uint32_t	nheld, capheld;
	struct dowed	*owed;
	uint32_t	nowed, capowed;
	struct dpend	*pq;		/* held-back events, FIFO */
	uint32_t	pq_head, pq_n, pq_cap;
	uint64_t	wg_gen;		/* zero_gen of the WaitGroup it waits on */
	bool		last_try;	/* its last mutex acquisition was TryLock */
	bool		rw_try;		/* ... and the RWMutex it write-locks */
};

/* Channel clocks: one per ring slot (Go's race detector does the same). */
struct dchan {
	uint32_t	nslots;
	struct ls_vclock *slot;
	struct ls_vclock close;
};

struct dread {
	uint32_t	g;
	uint32_t	clk;
	uint64_t	ev;
	int64_t		val;
};

/* An instrumented variable: last write epoch, reads since, atomics clock. */
struct dvar {
	uint64_t	addr;
	bool		has_write;
	uint32_t	wg, wclk;
	uint64_t	wev;
	int64_t		wval;
	struct dread	*r;
	uint32_t	nr, capr;
	uint32_t	finding;	/* race finding index, or LS_NOIDX */
	struct ls_vclock sync;		/* release/acquire clock of its atomics */
	int64_t		aval;		/* value after the last write seen */
	bool		aval_known;
	bool		untracked;	/* stop waiting for its writes (reorder) */
};

/* Lock-order graph. */
struct lnode {
	uint64_t	addr;
	uint8_t		kind;		/* LS_OBJ_MUTEX or LS_OBJ_RWMUTEX */
	bool		written;	/* ever acquired for writing */
	bool		alias;		/* an RWMutex's inner writer mutex */
	uint32_t	holder;		/* dgo index of the writer, LS_NOIDX */
	uint32_t	first;		/* first outgoing edge, LS_NOIDX */
};

struct locc {
	uint64_t	goid;
	uint64_t	held_ev, acq_ev;
};

struct ledge {
	uint32_t	from, to;
	uint32_t	next;		/* next edge out of `from` */
	uint8_t		combos;		/* bit held_mode * 2 + acq_mode */
	struct locc	occ[4];
};

struct ls_detect {
	struct ls_detect_opts	opts;
	struct ls_model		*model;		/* no timeline */
	const struct ls_mstate	*st;

	struct ls_finding	*f;
	uint32_t		nf, maxf;
	uint64_t		dropped;
	uint32_t		kinds;		/* 1 << kind of every finding, kept or not */

	uint64_t		nin;		/* events fed */
	bool			finished;
	bool			timed_out;
	bool			ended;		/* PANIC or MAIN_EXIT processed */
	bool			late;		/* this event's release was done early */

	struct dgo		*g;
	uint32_t		ng, capg;
	struct ls_umap		gmap;		/* goid -> g[] */
	uint32_t		*blocked;	/* g[] with held-back events */
	uint32_t		nblocked, capblocked;
	uint64_t		npending;
	struct dchq		*chq;		/* held-back channel events, per channel */
	uint32_t		nchq, capchq;
	struct ls_umap		chqmap;		/* channel addr -> chq[] */

	struct ls_vclock	*sync;		/* clocks of sync objects */
	uint32_t		nsync, capsync;
	struct ls_umap		syncmap;	/* addr | kind << 56 | sub << 52 -> sync[] */
	struct dchan		*ch;
	uint32_t		nch, capch;
	struct ls_umap		chmap;		/* addr -> ch[] */
	struct dvar		*v;
	uint32_t		nv, capv;
	struct ls_umap		vmap;		/* addr -> v[] */

	struct lnode		*ln;
	uint32_t		nln, capln;
	struct ls_umap		lnmap;		/* addr | kind << 56 -> ln[] */
	struct ledge		*le;
	uint32_t		nle, caple;
	struct ls_umap		lemap;		/* from << 32 | to -> le[] */
	uint64_t		*cycsig;	/* lock-order cycles reported */
	uint32_t		ncycsig, capcycsig;
};

/* detect.c (ls__grow is in model_map.h) */
struct dgo	*ls__dgo(struct ls_detect *d, uint64_t goid);
uint32_t	 ls__dgo_idx(struct ls_detect *d, uint64_t goid);	/* LS_NOIDX: ENOMEM */
struct ls_finding *ls__add_finding(struct ls_detect *d, unsigned kind, uint64_t ev,
				   uint64_t ts);
void		 ls__fgo(const struct ls_mstate *st, uint64_t goid, struct ls_fgo *out);
void		 ls__fobj(const struct ls_mobject *o, struct ls_fobj *out);
struct dvar	*ls__dvar(struct ls_detect *d, uint64_t addr);

/* detect_waitfor.c */
bool		 ls__leak_finding(const struct ls_mstate *st, const struct ls_mgoroutine *g,
				     struct ls_finding *out, uint64_t ev);
void		 ls__asleep_list(const struct ls_mstate *st, struct ls_fwaits *out);

/* Sync clocks of an object: sub 1 is an RWMutex's readers' clock. */
#define LS_SUB_RW_READERS	1

/* detect_race.c */
void		 ls__race_event(struct ls_detect *d, const struct ls_event *ev, uint64_t idx);
/* goid's release of obj happened; its event is late.  sub: RWMutex readers. */
void		 ls__race_release_for(struct ls_detect *d, uint64_t goid, uint64_t obj,
				      unsigned kind, unsigned sub);
void		 ls__race_free(struct ls_detect *d);

/* detect_lockorder.c */
void		 ls__lockorder_event(struct ls_detect *d, const struct ls_event *ev,
				     uint64_t idx);
/* goid no longer holds obj in mode (its unlock event is late). */
void		 ls__lockorder_release_for(struct ls_detect *d, uint64_t goid, uint64_t obj,
					   unsigned kind, unsigned mode);
void		 ls__lockorder_free(struct ls_detect *d);

#endif /* LS_VIZ_DETECT_PRIV_H */
