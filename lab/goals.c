// SPDX-License-Identifier: MIT
/*
 * goals.c - the goals of "make it happen" and "observe it" exercises, as
 * predicates on single events (see goals.h).
 *
 * A goal is one line of the table below: its name (as the exercise metadata
 * spells it), the state in words, and a test on one event.  A test may use
 * what the checker remembers of earlier events: channel capacities from
 * CHAN_MAKE, names from OBJ_NAME, GO_CREATE and GO_NAME.  To add a goal,
 * add a test and a line here, the name to ls_ex_goals (lab/registry.c) and
 * a line to docs/lab.md.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <lockstep/sync.h>

#include "goals.h"

struct ls_name {
	char	s[LS_EVENT_STRMAX];
};

static void event_str(const struct ls_event *e, char *buf)
{
	size_t len = strnlen((const char *)&e->args[1], LS_EVENT_STRMAX - 1);

	memcpy(buf, &e->args[1], len);
	buf[len] = '\0';
}

/* `mutex "mu"`, or `mutex 0x5555...` when it has no name. */
static const char *obj_label(struct ls_goal_check *g, const char *noun, uint64_t addr,
			     char *buf, size_t len)
{
	const struct ls_name *n = ls_u64map_find(&g->obj_name, addr);

	if (n && n->s[0])
		snprintf(buf, len, "%s \"%s\"", noun, n->s);
	else
		snprintf(buf, len, "%s %#" PRIx64, noun, addr);
	return buf;
}

static const char *go_label(struct ls_goal_check *g, uint64_t goid, char *buf, size_t len)
{
	const struct ls_name *n = ls_u64map_find(&g->go_name, goid);

	if (n && n->s[0])
		snprintf(buf, len, "%s", n->s);
	else
		snprintf(buf, len, "goroutine %" PRIu64, goid);
	return buf;
}

#define OBJ(noun)	obj_label(g, noun, ev->obj, ob, sizeof(ob))
#define WHO		go_label(g, ev->goid, who, sizeof(who))

static bool mutex_starving(struct ls_goal_check *g, const struct ls_event *ev,
			   char *why, size_t len)
{
	char ob[64];

	if (ev->id != LS_EV_MUTEX_STARVE)
		return false;
	snprintf(why, len, "%s entered starvation mode (a waiter had waited %.2f ms)",
		 OBJ("mutex"), (uint64_t)ev->args[2] / 1e6);
	return true;
}

static bool mutex_woken_spinner(struct ls_goal_check *g, const struct ls_event *ev,
				char *why, size_t len)
{
	char ob[64], who[LS_EVENT_STRMAX + 16];
	uint32_t waiters = (uint32_t)ev->args[1] >> LS_MUTEX_WAITER_SHIFT;

	if (ev->id != LS_EV_MUTEX_STATE || ev->args[2] != LS_MUTEX_OP_SPIN_WOKEN ||
	    !waiters)
		return false;
	snprintf(why, len, "%s set the woken bit of %s while spinning, with %u waiter%s queued",
		 WHO, OBJ("mutex"), waiters, waiters == 1 ? "" : "s");
	return true;
}

static bool mutex_lifo_requeue(struct ls_goal_check *g, const struct ls_event *ev,
			       char *why, size_t len)
{
	char ob[64], who[LS_EVENT_STRMAX + 16];

	if (ev->id != LS_EV_MUTEX_PARK || ev->args[0] != 1)
		return false;
	snprintf(why, len, "%s was re-queued at the head of %s (LIFO) after waiting %.2f ms",
		 WHO, OBJ("mutex"), (uint64_t)ev->args[2] / 1e6);
	return true;
}

static bool rw_negative_2readers(struct ls_goal_check *g, const struct ls_event *ev,
				 char *why, size_t len)
{
	char ob[64], who[LS_EVENT_STRMAX + 16];

	if (ev->id != LS_EV_RW_WLOCK || ev->args[1] != 2)
		return false;
	snprintf(why, len, "%s announced itself on %s while 2 readers were inside: "
		 "readerCount %" PRId64 " = -2^30 + 2", WHO, OBJ("rwmutex"),
		 (int64_t)(int32_t)ev->args[0]);
	return true;
}

static bool chan_sender_parks_full(struct ls_goal_check *g, const struct ls_event *ev,
				   char *why, size_t len)
{
	char ob[64], who[LS_EVENT_STRMAX + 16];
	const uint64_t *cap1;

	if (ev->id != LS_EV_CHAN_PARK || ev->args[0] != 0)
		return false;
	cap1 = ls_u64map_find(&g->chan_cap, ev->obj);
	if (!cap1 || *cap1 <= 1 || ev->args[1] != *cap1 - 1)
		return false;
	snprintf(why, len, "%s parked sending on %s: its buffer is full (%" PRIu64 " of %"
		 PRIu64 ")", WHO, OBJ("channel"), (uint64_t)ev->args[1], *cap1 - 1);
	return true;
}

static bool wg_waiters_2(struct ls_goal_check *g, const struct ls_event *ev,
			 char *why, size_t len)
{
	char ob[64], who[LS_EVENT_STRMAX + 16];

	if (ev->id != LS_EV_WG_WAIT || ev->args[1] < 2)
		return false;
	snprintf(why, len, "%s is waiter number %" PRIu64 " on %s (counter %" PRId64 ")",
		 WHO, (uint64_t)ev->args[1], OBJ("waitgroup"), (int64_t)ev->args[0]);
	return true;
}

static bool cond_broadcast_3(struct ls_goal_check *g, const struct ls_event *ev,
			     char *why, size_t len)
{
	char ob[64], who[LS_EVENT_STRMAX + 16];

	if (ev->id != LS_EV_COND_BROADCAST || (int64_t)ev->args[2] < 3)
		return false;
	snprintf(why, len, "%s's Broadcast on %s woke %" PRIu64 " waiters", WHO,
		 OBJ("cond"), (uint64_t)ev->args[2]);
	return true;
}

static bool pool_victim_hit(struct ls_goal_check *g, const struct ls_event *ev,
			    char *why, size_t len)
{
	char ob[64], who[LS_EVENT_STRMAX + 16];

	if (ev->id != LS_EV_POOL_GET || ev->args[0] != 3)
		return false;
	snprintf(why, len, "%s got an object of %s from its victim cache", WHO, OBJ("pool"));
	return true;
}

static bool map_promote(struct ls_goal_check *g, const struct ls_event *ev,
			char *why, size_t len)
{
	char ob[64];

	if (ev->id != LS_EV_MAP_PROMOTE)
		return false;
	snprintf(why, len, "%s promoted its dirty map (%" PRIu64 " entries) after %" PRIu64
		 " misses", OBJ("sync.Map"), (uint64_t)ev->args[0], (uint64_t)ev->args[1]);
	return true;
}

static bool sem_fifo_wait(struct ls_goal_check *g, const struct ls_event *ev,
			  char *why, size_t len)
{
	char ob[64], who[LS_EVENT_STRMAX + 16];

	if (ev->id != LS_EV_SEM_WAIT || (int64_t)ev->args[3] < 2)
		return false;
	snprintf(why, len, "%s queued for %" PRIu64 " token%s of %s behind %" PRId64
		 " other waiter%s", WHO, (uint64_t)ev->args[0], ev->args[0] == 1 ? "" : "s",
		 OBJ("semaphore"), (int64_t)ev->args[3] - 1,
		 ev->args[3] == 2 ? "" : "s");
	return true;
}

static const struct ls_goal goals[] = {
	{ "chan-sender-parks-full", "a sender parks on a buffered channel whose buffer is full",
	  chan_sender_parks_full },
	{ "cond-broadcast-3", "one Cond Broadcast wakes three or more waiters", cond_broadcast_3 },
	{ "map-promote", "a sync.Map promotes its dirty map to the read map", map_promote },
	{ "mutex-lifo-requeue", "a woken mutex waiter is re-queued at the head (LIFO)",
	  mutex_lifo_requeue },
	{ "mutex-starving", "a mutex enters starvation mode", mutex_starving },
	{ "mutex-woken-spinner", "a spinner sets the mutex's woken bit while others wait",
	  mutex_woken_spinner },
	{ "pool-victim-hit", "a sync.Pool Get is served from the victim cache", pool_victim_hit },
	{ "rw-readercount-negative-2readers",
	  "a writer arrives while two readers hold the RWMutex (readerCount -2^30 + 2)",
	  rw_negative_2readers },
	{ "sem-fifo-wait", "a semaphore Acquire queues behind another waiter", sem_fifo_wait },
	{ "wg-waiters-2", "two goroutines wait on the same WaitGroup", wg_waiters_2 },
	{ NULL, NULL, NULL },
};

const struct ls_goal *ls_goal_find(const char *name)
{
	for (const struct ls_goal *gl = goals; name && gl->name; gl++)
		if (!strcmp(gl->name, name))
			return gl;
	return NULL;
}

const struct ls_goal *ls_goal_at(size_t i)
{
	return i < sizeof(goals) / sizeof(goals[0]) - 1 ? &goals[i] : NULL;
}

void ls_goal_init(struct ls_goal_check *g, const struct ls_goal *goal)
{
	memset(g, 0, sizeof(*g));
	g->goal = goal;
	ls_u64map_init(&g->chan_cap, sizeof(uint64_t));
	ls_u64map_init(&g->obj_name, sizeof(struct ls_name));
	ls_u64map_init(&g->go_name, sizeof(struct ls_name));
}

/* What the tests need to know of earlier events. */
static void remember(struct ls_goal_check *g, const struct ls_event *ev)
{
	struct ls_name *n;
	uint64_t *cap1;

	switch (ev->id) {
	case LS_EV_CHAN_MAKE:
		cap1 = ls_u64map_get(&g->chan_cap, ev->obj);
		if (cap1)
			*cap1 = ev->args[1] + 1;
		break;
	case LS_EV_OBJ_NAME:
		n = ls_u64map_get(&g->obj_name, ev->obj);
		if (n)
			event_str(ev, n->s);
		break;
	case LS_EV_GO_CREATE:
	case LS_EV_GO_NAME:
		n = ls_u64map_get(&g->go_name, ev->obj);
		if (n)
			event_str(ev, n->s);
		break;
	}
}

bool ls_goal_feed(struct ls_goal_check *g, const struct ls_event *ev, uint64_t idx)
{
	g->events++;
	if (!g->goal || g->reached)
		return g->reached;
	remember(g, ev);
	if (g->goal->test(g, ev, g->why, sizeof(g->why))) {
		g->reached = true;
		g->ev = idx;
	}
	return g->reached;
}

void ls_goal_release(struct ls_goal_check *g)
{
	ls_u64map_free(&g->chan_cap);
	ls_u64map_free(&g->obj_name);
	ls_u64map_free(&g->go_name);
	g->goal = NULL;
}
