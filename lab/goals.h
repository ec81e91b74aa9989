/* SPDX-License-Identifier: MIT */
/*
 * goals.h - goals on the event stream, for the "make it happen" and
 * "observe it" exercises (EXERCISES.md): a goal is reached when some event
 * of the run shows the primitive in the asked-for state.
 *
 *	struct ls_goal_check g;
 *	ls_goal_init(&g, ls_goal_find("mutex-starving"));
 *	for each event, in stream order:
 *		ls_goal_feed(&g, &ev, index);
 *	g.reached, g.ev (the index of the first event that reached it), g.why
 *	ls_goal_release(&g);
 *
 * Event indices are the stream order, as `lockstep trace` and the
 * detectors' findings number them.  The names are the ones the exercise
 * metadata uses (lab/registry.c, ls_ex_goals); docs/lab.md lists them.
 */
#ifndef LS_LAB_GOALS_H
#define LS_LAB_GOALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lockstep/events.h>

#include "u64map.h"

struct ls_goal_check;

struct ls_goal {
	const char	*name;		/* "mutex-starving" */
	const char	*what;		/* the state, in words */
	/* true if ev reaches the goal; writes a one-line explanation */
	bool		(*test)(struct ls_goal_check *g, const struct ls_event *ev,
				char *why, size_t len);
};

struct ls_goal_check {
	const struct ls_goal	*goal;
	bool			reached;
	uint64_t		ev;		/* first event that reached it */
	uint64_t		events;		/* events fed */
	char			why[192];
	struct ls_u64map	chan_cap;	/* channel address -> capacity + 1 */
	struct ls_u64map	obj_name;	/* address -> OBJ_NAME's name */
	struct ls_u64map	go_name;	/* goid -> GO_CREATE/GO_NAME's name */
};

/* The table, NULL-terminated in name order; NULL if there is no such goal. */
const struct ls_goal *ls_goal_find(const char *name);
const struct ls_goal *ls_goal_at(size_t i);

void	ls_goal_init(struct ls_goal_check *g, const struct ls_goal *goal);
/* Feed the event with stream index idx; true once the goal is reached. */
bool	ls_goal_feed(struct ls_goal_check *g, const struct ls_event *ev, uint64_t idx);
void	ls_goal_release(struct ls_goal_check *g);

#endif /* LS_LAB_GOALS_H */
