/* SPDX-License-Identifier: MIT */
/*
 * evtext.h - events as people read them.
 *
 * Names travel once: a goroutine's in GO_CREATE and GO_NAME, an object's in
 * OBJ_NAME, a thread's goroutine in GO_START (its record's tid is the
 * thread).  struct ls_names remembers them so that every later event can be
 * printed with names instead of numbers; feed it every event, in order,
 * before formatting that event.
 *
 * Arguments are printed from the labels of the event table: "old state" is
 * old=0x1, "step (enum ls_mutex_op)" is step=lock_slow, "wait reason" is
 * reason="sync.Mutex.Lock", "0 send, 1 recv" is just recv.
 */
#ifndef LS_LAB_EVTEXT_H
#define LS_LAB_EVTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lockstep/events.h>

struct ls_names;

struct ls_names	*ls_names_new(void);
void		 ls_names_free(struct ls_names *n);
void		 ls_names_update(struct ls_names *n, const struct ls_event *e);
/* "" when unknown. */
const char	*ls_names_goroutine(const struct ls_names *n, uint64_t goid);
/* NULL when the object was never named; kind may be NULL. */
const char	*ls_names_object(const struct ls_names *n, uint64_t obj, unsigned *kind);
/* The event's goroutine: its goid, or for kernel events the goroutine that
 * runs on its thread; 0 when unknown. */
uint64_t	 ls_names_goid(const struct ls_names *n, const struct ls_event *e);

struct ls_arg_text {
	char key[24];		/* "" for a bare value ("recv") */
	char val[80];
	bool quoted;		/* a string: print it in quotes */
};

/* The event's arguments as key/value text; returns how many. */
int	ls_event_args(const struct ls_event *e, struct ls_arg_text out[LS_EVENT_NARGS]);
/* The object, as the trace line shows it: mutex "counter-lock", g5, or "". */
void	ls_event_obj_text(const struct ls_names *n, const struct ls_event *e,
			  char *buf, size_t len);
/* One `lockstep trace` line (no newline); t0 is the time of the first event. */
void	ls_event_line(const struct ls_names *n, const struct ls_event *e,
		      uint64_t t0, char *buf, size_t len);

#endif /* LS_LAB_EVTEXT_H */
