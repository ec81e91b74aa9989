/* SPDX-License-Identifier: MIT */
/*
 * model_synth.h - building event streams by hand, for the model's and the
 * detectors' tests, the benchmarks and guided demos.
 *
 * These functions emit exactly the records the primitives emit for the same
 * step (primitives/runtime/g.c, park.c, sync/mutex.c, mem.c, chan/chan.c),
 * in the same order, so a synthetic stream reads like a recorded one.
 * Timestamps advance by 1 us per event unless set with ls_synth_at().
 * Thread ids are 1000 + goid.
 */
#ifndef LS_VIZ_MODEL_SYNTH_H
#define LS_VIZ_MODEL_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include <lockstep/events.h>

struct ls_synth {
	struct ls_event	*ev;
	size_t		n;
	uint32_t	cap;
	uint64_t	ts;
	int		err;	/* -ENOMEM once an append failed */
};

void	ls_synth_init(struct ls_synth *s);
void	ls_synth_free(struct ls_synth *s);
/* Move the clock: the next event is stamped ts. */
void	ls_synth_at(struct ls_synth *s, uint64_t ts);
/* Append one record; the returned pointer is valid until the next append. */
struct ls_event *ls_synth_add(struct ls_synth *s, unsigned id, uint64_t goid,
			      uint64_t obj, uint64_t a0, uint64_t a1, uint64_t a2,
			      uint64_t a3, uint64_t a4);
/* Put a string in args[1..4] (LS_EVF_STR events), as the ring does. */
void	ls_synth_set_str(struct ls_event *e, const char *str);

/* Goroutines: GO_CREATE by parent (0: main or a lazy thread) and GO_START. */
void	ls_synth_go(struct ls_synth *s, uint64_t parent, uint64_t goid, const char *name);
void	ls_synth_exit(struct ls_synth *s, uint64_t goid);
void	ls_synth_obj(struct ls_synth *s, uint64_t goid, uint64_t addr, unsigned kind,
		     const char *name);
void	ls_synth_park(struct ls_synth *s, uint64_t goid, uint64_t obj, unsigned reason);
void	ls_synth_ready(struct ls_synth *s, uint64_t waker, uint64_t goid, uint64_t obj);
void	ls_synth_wake(struct ls_synth *s, uint64_t goid, uint64_t obj, unsigned reason);

/* An uncontended Mutex: Lock's fast path and Unlock with no waiters. */
void	ls_synth_lock(struct ls_synth *s, uint64_t goid, uint64_t m);
void	ls_synth_unlock(struct ls_synth *s, uint64_t goid, uint64_t m);

/* Instrumented variables. */
void	ls_synth_load(struct ls_synth *s, uint64_t goid, uint64_t addr, int64_t v,
		      const char *name);
void	ls_synth_store(struct ls_synth *s, uint64_t goid, uint64_t addr, int64_t v,
		       const char *name);

#endif /* LS_VIZ_MODEL_SYNTH_H */
