// SPDX-License-Identifier: MIT
/*
 * model_synth.c - hand-built event streams (see model_synth.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model_map.h"
#include "model_synth.h"

#define TICK_NS	1000

void ls_synth_init(struct ls_synth *s)
{
	memset(s, 0, sizeof(*s));
	s->ts = 1000000;
}

void ls_synth_free(struct ls_synth *s)
{
	free(s->ev);
	memset(s, 0, sizeof(*s));
}

void ls_synth_at(struct ls_synth *s, uint64_t ts)
{
	s->ts = ts;
}

static unsigned def_flags(unsigned id)
{
	switch (id) {
	case LS_EV_GO_CREATE:
	case LS_EV_GO_NAME:
	case LS_EV_OBJ_NAME:
	case LS_EV_PANIC:
	case LS_EV_MEM_LOAD:
	case LS_EV_MEM_STORE:
	case LS_EV_SF_LEADER:
	case LS_EV_SF_DUP:
	case LS_EV_SF_DONE:
	case LS_EV_CACHE_SET:
	case LS_EV_CACHE_EVICT:
		return LS_EVF_STR;
	case LS_EV_SCHED_OFF:
	case LS_EV_SCHED_ON:
	case LS_EV_FUTEX_WAIT:
	case LS_EV_FUTEX_WAIT_END:
	case LS_EV_FUTEX_WAKE:
		return LS_EVF_KERNEL;
	case LS_EV_TRACE_LOST:
		return LS_EVF_SYNTH;
	}
	return 0;
}

struct ls_event *ls_synth_add(struct ls_synth *s, unsigned id, uint64_t goid,
			      uint64_t obj, uint64_t a0, uint64_t a1, uint64_t a2,
			      uint64_t a3, uint64_t a4)
{
	static struct ls_event scratch;
	struct ls_event *e;

	if (ls__grow((void **)&s->ev, &s->cap, (uint32_t)s->n + 1, sizeof(*s->ev))) {
		s->err = -ENOMEM;
		return &scratch;	/* callers may still write to it */
	}
	e = &s->ev[s->n++];
	memset(e, 0, sizeof(*e));
	e->ts = s->ts;
	s->ts += TICK_NS;
	e->pid = 4242;
	e->tid = goid ? 1000 + (uint32_t)goid : 999;
	e->id = (uint16_t)id;
	e->flags = (uint16_t)def_flags(id);
	e->obj = obj;
	e->goid = goid;
	e->args[0] = a0;
	e->args[1] = a1;
	e->args[2] = a2;
	e->args[3] = a3;
	e->args[4] = a4;
	return e;
}

void ls_synth_set_str(struct ls_event *e, const char *str)
{
	size_t len = str ? strlen(str) : 0;

	memset(&e->args[1], 0, LS_EVENT_STRMAX);
	if (len >= LS_EVENT_STRMAX) {
		len = LS_EVENT_STRMAX - 1;
		e->flags |= LS_RECF_STRTRUNC;
	}
	memcpy(&e->args[1], str, len);
}

void ls_synth_go(struct ls_synth *s, uint64_t parent, uint64_t goid, const char *name)
{
	/* g.c: the creator emits GO_CREATE, the new thread GO_START. */
	ls_synth_set_str(ls_synth_add(s, LS_EV_GO_CREATE, parent ? parent : goid, goid,
				      parent, 0, 0, 0, 0), name);
	ls_synth_add(s, LS_EV_GO_START, goid, goid, 0, 0, 0, 0, 0);
}

void ls_synth_exit(struct ls_synth *s, uint64_t goid)
{
	ls_synth_add(s, LS_EV_GO_EXIT, goid, goid, 0, 0, 0, 0, 0);
}

void ls_synth_obj(struct ls_synth *s, uint64_t goid, uint64_t addr, unsigned kind,
		  const char *name)
{
	ls_synth_set_str(ls_synth_add(s, LS_EV_OBJ_NAME, goid, addr, kind, 0, 0, 0, 0),
			 name);
}

void ls_synth_park(struct ls_synth *s, uint64_t goid, uint64_t obj, unsigned reason)
{
	ls_synth_add(s, LS_EV_GO_PARK, goid, obj, reason, 0, 0, 0, 0);
}

void ls_synth_ready(struct ls_synth *s, uint64_t waker, uint64_t goid, uint64_t obj)
{
	ls_synth_add(s, LS_EV_GO_READY, waker, obj, goid, 0, 0, 0, 0);
}

void ls_synth_wake(struct ls_synth *s, uint64_t goid, uint64_t obj, unsigned reason)
{
	ls_synth_add(s, LS_EV_GO_WAKE, goid, obj, reason, 0, 0, 0, 0);
}

void ls_synth_lock(struct ls_synth *s, uint64_t goid, uint64_t m)
{
	/* mutex.c lock_fast */
	ls_synth_add(s, LS_EV_MUTEX_STATE, goid, m, 0, 1, LS_MUTEX_OP_LOCK_FAST, 0, 0);
	ls_synth_add(s, LS_EV_MUTEX_ACQUIRE, goid, m, 1, 0, LS_ACQ_FAST, 0, 0);
}

void ls_synth_unlock(struct ls_synth *s, uint64_t goid, uint64_t m)
{
	/* mutex.c ls_mutex_unlock, new == 0 */
	ls_synth_add(s, LS_EV_MUTEX_STATE, goid, m, 1, 0, LS_MUTEX_OP_UNLOCK, 0, 0);
	ls_synth_add(s, LS_EV_MUTEX_UNLOCK, goid, m, 0, 0, 0, 0, 0);
}

void ls_synth_load(struct ls_synth *s, uint64_t goid, uint64_t addr, int64_t v,
		   const char *name)
{
	ls_synth_set_str(ls_synth_add(s, LS_EV_MEM_LOAD, goid, addr, (uint64_t)v, 0, 0, 0, 0),
			 name);
}

void ls_synth_store(struct ls_synth *s, uint64_t goid, uint64_t addr, int64_t v,
		    const char *name)
{
	ls_synth_set_str(ls_synth_add(s, LS_EV_MEM_STORE, goid, addr, (uint64_t)v, 0, 0, 0, 0),
			 name);
}
