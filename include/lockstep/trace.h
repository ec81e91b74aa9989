/* SPDX-License-Identifier: MIT */
/*
 * trace.h - consuming lockstep events: metadata about the event table and
 * the reader side of the in-process shared-memory ring.
 *
 * A traced process writes its events into a ring when its environment has
 * LOCKSTEP_TRACE=shm:PATH (see primitives/trace_ring.c for the layout).  A
 * consumer creates the ring file first with ls_ring_create(), starts the
 * program with that variable, and drains it with ls_ring_read().
 */
#ifndef LOCKSTEP_TRACE_H
#define LOCKSTEP_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <lockstep/events.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the event table at run time ---- */
const char	*ls_event_name(unsigned id);		/* "mutex_state"; "?" if unknown */
const char	*ls_event_doc(unsigned id);
const char	*ls_event_obj_label(unsigned id);
const char	*ls_event_arg_label(unsigned id, unsigned k);	/* "" if unused */
unsigned	 ls_event_def_flags(unsigned id);
int		 ls_event_by_name(const char *name);	/* id, or -1 */
const char	*ls_wait_reason_str(unsigned reason);	/* Go's words */
const char	*ls_obj_kind_str(unsigned kind);
/* Copy an LS_EVF_STR event's string into buf (always NUL-terminated). */
void		 ls_event_str(const struct ls_event *e, char *buf, size_t n);

/* ---- shared-memory ring, consumer side ---- */
#define LS_RING_DEFAULT_CAPACITY (1u << 16)	/* records */
#define LS_RING_BLOCK	0x1	/* producers wait (bounded) instead of dropping */

struct ls_ring;
/* Create (or truncate) PATH as an empty ring; capacity is rounded up to a
 * power of two.  NULL with errno on failure. */
struct ls_ring	*ls_ring_create(const char *path, uint32_t capacity, unsigned flags);
/* Open an existing ring to consume it; NULL with errno. */
struct ls_ring	*ls_ring_open(const char *path);
/* Move up to max records out of the ring; returns how many. */
size_t		 ls_ring_read(struct ls_ring *r, struct ls_event *out, size_t max);
uint64_t	 ls_ring_dropped(const struct ls_ring *r);
/*
 * Only once the producer process has exited: skip the slots its threads
 * claimed but never published (a thread killed mid-record by the exit),
 * counting them as dropped, so that the records after them can be read.
 * Returns how many were skipped (0: nothing is stuck).
 */
size_t		 ls_ring_skip_dead(struct ls_ring *r);
uint32_t	 ls_ring_producer_pid(const struct ls_ring *r);
void		 ls_ring_close(struct ls_ring *r);

#ifdef __cplusplus
}
#endif
#endif /* LOCKSTEP_TRACE_H */
