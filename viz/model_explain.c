// SPDX-License-Identifier: MIT
/*
 * model_explain.c - the model in words: names of events, wait reasons and
 * kinds, decoded state words, and one line per event for the UI's event
 * log and `lockstep trace`.
 *
 * The tables are generated here from the X-macros of events.h, like
 * primitives/trace.c does for liblockstep, so that libviz depends on the
 * headers only and can be linked in any order.
 *
 * An explanation uses the model for names only (goroutine and object
 * names), and the event's own arguments for everything else, so the log
 * can explain any past event whatever the position of the model.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model.h"

/* ---- tables ---- */

struct ev_words {
	const char *name, *doc, *args[LS_EVENT_NARGS];
};

#define LS__WORDS(ID, nm, fl, o, x0, x1, x2, x3, x4, d)			\
	[LS_EV_##ID] = { #nm, d, { x0, x1, x2, x3, x4 } },
static const struct ev_words ev_words[LS_EV__COUNT] = {
	LS_EVENTS(LS__WORDS)
};
#undef LS__WORDS

#define LS__WAIT_STR(id, str) [LS_WAIT_##id] = str,
static const char *const wait_str[LS_WAIT__COUNT] = { LS_WAIT_REASONS(LS__WAIT_STR) };
#undef LS__WAIT_STR

#define LS__KIND_STR(id, str) [LS_OBJ_##id] = str,
static const char *const kind_str[LS_OBJ__COUNT] = { LS_OBJ_KINDS(LS__KIND_STR) };
#undef LS__KIND_STR

/* What the kinds are called in a sentence. */
static const char *const kind_noun[LS_OBJ__COUNT] = {
	[LS_OBJ_NONE] = "object",	[LS_OBJ_MUTEX] = "mutex",
	[LS_OBJ_RWMUTEX] = "rwmutex",	[LS_OBJ_WAITGROUP] = "waitgroup",
	[LS_OBJ_COND] = "cond",		[LS_OBJ_ONCE] = "once",
	[LS_OBJ_CHAN] = "channel",	[LS_OBJ_CTX] = "context",
	[LS_OBJ_SEMAPHORE] = "semaphore", [LS_OBJ_SINGLEFLIGHT] = "singleflight group",
	[LS_OBJ_ERRGROUP] = "errgroup",	[LS_OBJ_BARRIER] = "barrier",
	[LS_OBJ_POOL] = "pool",		[LS_OBJ_MAP] = "sync.Map",
	[LS_OBJ_BATCHER] = "batcher",	[LS_OBJ_CHANMUTEX] = "channel mutex",
	[LS_OBJ_TASKPOOL] = "task pool", [LS_OBJ_BROKER] = "broker",
	[LS_OBJ_CACHE] = "cache",	[LS_OBJ_VAR] = "variable",
};

const char *ls_model_event_name(unsigned id)
{
	return id && id < LS_EV__COUNT ? ev_words[id].name : "?";
}

const char *ls_model_wait_str(unsigned reason)
{
	return reason < LS_WAIT__COUNT ? wait_str[reason] : "?";
}

const char *ls_model_kind_str(unsigned kind)
{
	return kind < LS_OBJ__COUNT ? kind_str[kind] : "object";
}

const char *ls_model_kind_noun(unsigned kind)
{
	return kind < LS_OBJ__COUNT && kind_noun[kind] ? kind_noun[kind] : "object";
}

const char *ls_model_gstate_str(unsigned state)
{
	static const char *const s[] = {
		[LS_GS_RUNNABLE] = "runnable", [LS_GS_RUNNING] = "running",
		[LS_GS_PARKED] = "parked", [LS_GS_EXITED] = "exited",
	};

	return state <= LS_GS_EXITED ? s[state] : "?";
}

void ls_model_event_str(const struct ls_event *e, char *buf, size_t n)
{
	size_t len;

	if (!n)
		return;
	len = strnlen((const char *)&e->args[1], LS_EVENT_STRMAX);
	if (len >= n)
		len = n - 1;
	memcpy(buf, &e->args[1], len);
	buf[len] = '\0';
}

/* ---- a tiny appending printf ---- */

struct out {
	char	*buf;
	size_t	len;
	size_t	pos;	/* what snprintf would have written */
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	size_t room = o->pos < o->len ? o->len - o->pos : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->pos : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->pos += (size_t)n;
}

static int done(struct out *o)
{
	if (o->len && o->pos >= o->len)
		o->buf[o->len - 1] = '\0';
	return (int)o->pos;
}

/* "830 ns", "12.5 us", "1.4 ms", "2.00 s" */
static void put_dur(struct out *o, uint64_t ns)
{
	if (ns < 1000)
		put(o, "%" PRIu64 " ns", ns);
	else if (ns < 1000000)
		put(o, "%.1f us", (double)ns / 1e3);
	else if (ns < 1000000000)
		put(o, "%.1f ms", (double)ns / 1e6);
	else
		put(o, "%.2f s", (double)ns / 1e9);
}

/* ---- names ---- */

int ls_mstate_goname(const struct ls_mstate *st, uint64_t goid, char *buf, size_t len)
{
	const struct ls_mgoroutine *g = st ? ls_mstate_goroutine(st, goid) : NULL;

	if (g && g->name[0])
		return snprintf(buf, len, "%s", g->name);
	return snprintf(buf, len, "goroutine %" PRIu64, goid);
}

int ls_mobject_label(const struct ls_mobject *o, char *buf, size_t len)
{
	if (o->name[0])
		return snprintf(buf, len, "%s \"%s\"", ls_model_kind_noun(o->kind), o->name);
	return snprintf(buf, len, "%s %#" PRIx64, ls_model_kind_noun(o->kind), o->addr);
}

int ls_mutex_state_str(int32_t state, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	int32_t waiters = state >> 3;

	put(&o, "%s", state & 1 ? "locked" : "unlocked");
	if (state & 2)
		put(&o, ", woken");
	if (state & 4)
		put(&o, ", starving");
	if (waiters)
		put(&o, ", %d waiter%s", waiters, waiters == 1 ? "" : "s");
	return done(&o);
}

static void put_rw_count(struct out *o, int32_t rc, int32_t rwait, bool active)
{
	int32_t n;

	if (rc >= 0) {
		if (rc == 0)
			put(o, "free: no reader, no writer: 0");
		else
			put(o, "%d reader%s active, no writer: %d", rc, rc == 1 ? "" : "s", rc);
		return;
	}
	n = rc + LS_RW_MAX_READERS;
	if (active) {
		put(o, "writer holds the lock");
		if (n > 0)
			put(o, ", %d reader%s parked behind it", n, n == 1 ? "" : "s");
		put(o, ": -2^30 + %d", n);
		return;
	}
	/* readerWait readers are still inside; the rest arrived later and wait */
	if (rwait < 0)
		rwait = 0;
	if (rwait > n)
		rwait = n;
	put(o, "%d reader%s active", rwait, rwait == 1 ? "" : "s");
	if (n - rwait > 0)
		put(o, ", %d parked", n - rwait);
	put(o, ", writer pending: -2^30 + %d", n);
}

int ls_rw_explain(const struct ls_mobject *obj, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	const struct ls_mrw *rw = &obj->u.rw;

	put_rw_count(&o, rw->reader_count, rw->reader_wait, rw->writer_active);
	return done(&o);
}

/* ---- explanations ---- */

struct ectx {
	const struct ls_mstate	*st;
	const struct ls_event	*ev;
	struct out		o;
	char			who[64];
	char			what[80];
	char			str[LS_EVENT_STRMAX];
};

static const struct ls_mobject *ev_object(const struct ls_mstate *st, uint64_t addr,
					  int kind)
{
	const struct ls_mobject *o = NULL;
	uint32_t i;

	if (kind >= 0)
		o = ls_mstate_object(st, addr, (unsigned)kind);
	if (!o && addr) {
		i = ls_umap_get(&st->amap, addr);
		if (i != LS_UMAP_NONE)
			o = &st->o[i];
	}
	return o;
}

static void label_obj(struct ectx *e, uint64_t addr, int kind)
{
	const struct ls_mobject *o = ev_object(e->st, addr, kind);

	if (o)
		ls_mobject_label(o, e->what, sizeof(e->what));
	else if (kind >= 0)
		snprintf(e->what, sizeof(e->what), "%s %#" PRIx64,
			 ls_model_kind_noun((unsigned)kind), addr);
	else
		snprintf(e->what, sizeof(e->what), "%#" PRIx64, addr);
}

static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

static void explain_go(struct ectx *e)
{
	const struct ls_event *ev = e->ev;
	struct out *o = &e->o;
	char other[64];

	switch (ev->id) {
	case LS_EV_GO_CREATE:
		ls_model_event_str(ev, e->str, sizeof(e->str));
		if ((uint64_t)ev->args[0]) {
			ls_mstate_goname(e->st, (uint64_t)ev->args[0], other, sizeof(other));
			put(o, "%s creates goroutine %" PRIu64 " \"%s\"", other, (uint64_t)ev->obj, e->str);
		} else {
			put(o, "goroutine %" PRIu64 " \"%s\" is registered", (uint64_t)ev->obj, e->str);
		}
		break;
	case LS_EV_GO_START:
		ls_mstate_goname(e->st, (uint64_t)ev->obj, other, sizeof(other));
		put(o, "%s starts running on thread %u", other, ev->tid);
		break;
	case LS_EV_GO_EXIT:
		ls_mstate_goname(e->st, (uint64_t)ev->obj, other, sizeof(other));
		put(o, "%s exits (%" PRId64 " goroutine%s left)", other,
		    (int64_t)ev->args[0], plural((uint64_t)ev->args[0]));
		break;
	case LS_EV_GO_NAME:
		ls_model_event_str(ev, e->str, sizeof(e->str));
		put(o, "goroutine %" PRIu64 " is now called \"%s\"", (uint64_t)ev->obj, e->str);
		break;
	case LS_EV_GO_PARK:
		if ((uint64_t)ev->args[0] == LS_WAIT_SLEEP) {
			put(o, "%s sleeps", e->who);
			break;
		}
		put(o, "%s parks [%s]", e->who, ls_model_wait_str((unsigned)ev->args[0]));
		if ((uint64_t)ev->obj) {
			label_obj(e, (uint64_t)ev->obj, -1);
			put(o, " on %s", e->what);
		}
		break;
	case LS_EV_GO_READY:
		ls_mstate_goname(e->st, (uint64_t)ev->args[0], other, sizeof(other));
		put(o, "%s readies %s", e->who, other);
		if ((uint64_t)ev->obj) {
			label_obj(e, (uint64_t)ev->obj, -1);
			put(o, ", parked on %s", e->what);
		}
		if ((uint64_t)ev->args[1])
			put(o, " (direct handoff)");
		break;
	case LS_EV_GO_WAKE:
		if ((uint64_t)ev->args[0] == LS_WAIT_SLEEP)
			put(o, "%s wakes up after sleeping ", e->who);
		else
			put(o, "%s runs again after %s ", e->who,
			    ls_model_wait_str((unsigned)ev->args[0]));
		put_dur(o, (uint64_t)ev->args[1]);
		break;
	case LS_EV_OBJ_NAME:
		ls_model_event_str(ev, e->str, sizeof(e->str));
		put(o, "%s \"%s\" at %#" PRIx64, ls_model_kind_str((unsigned)ev->args[0]),
		    e->str, (uint64_t)ev->obj);
		break;
	case LS_EV_PANIC:
		ls_model_event_str(ev, e->str, sizeof(e->str));
		put(o, "%s dies: %s: %s%s", e->who, (uint64_t)ev->args[0] ? "panic" : "fatal error",
		    e->str, ev->flags & LS_RECF_STRTRUNC ? "..." : "");
		break;
	case LS_EV_MAIN_EXIT:
		put(o, "main exits with status %" PRId64 ": %" PRIu64 " goroutine%s alive, %"
		    PRIu64 " parked", (int64_t)ev->args[0], (uint64_t)ev->args[1], plural((uint64_t)ev->args[1]),
		    (uint64_t)ev->args[2]);
		if ((uint64_t)ev->args[2])
			put(o, " (they leak)");
		break;
	}
}

static const char *mutex_step(uint64_t step)
{
	static const char *const s[] = {
		[LS_MUTEX_OP_LOCK_FAST] = "Lock, fast path",
		[LS_MUTEX_OP_LOCK_SLOW] = "lockSlow",
		[LS_MUTEX_OP_SPIN_WOKEN] = "a spinner claims the wake-up",
		[LS_MUTEX_OP_HANDOFF_TAKE] = "the waiter takes the handoff",
		[LS_MUTEX_OP_UNLOCK] = "Unlock",
		[LS_MUTEX_OP_UNLOCK_WAKE] = "Unlock wakes a waiter",
		[LS_MUTEX_OP_TRYLOCK] = "TryLock",
	};

	return step <= LS_MUTEX_OP_TRYLOCK ? s[step] : "?";
}

static void explain_mutex(struct ectx *e)
{
	const struct ls_event *ev = e->ev;
	struct out *o = &e->o;
	char s1[64], s2[64];

	switch (ev->id) {
	case LS_EV_MUTEX_STATE:
		ls_mutex_state_str((int32_t)ev->args[0], s1, sizeof(s1));
		ls_mutex_state_str((int32_t)ev->args[1], s2, sizeof(s2));
		put(o, "%s: %s: %s -> %s", e->what, mutex_step((uint64_t)ev->args[2]), s1, s2);
		break;
	case LS_EV_MUTEX_SPIN:
		put(o, "%s spins on %s (round %" PRIu64 " of 4)", e->who, e->what,
		    (uint64_t)ev->args[0] + 1);
		break;
	case LS_EV_MUTEX_PARK:
		if ((uint64_t)ev->args[0]) {
			put(o, "%s parks on %s at the head of the queue (LIFO: it already waited ",
			    e->who, e->what);
			put_dur(o, (uint64_t)ev->args[2]);
			put(o, ")");
		} else {
			int32_t w = (int32_t)ev->args[1] >> 3;

			put(o, "%s parks on %s at the tail of the queue (%d waiter%s)",
			    e->who, e->what, w, plural((uint64_t)w));
		}
		break;
	case LS_EV_MUTEX_WAKE:
		put(o, "%s wakes on %s after waiting ", e->who, e->what);
		put_dur(o, (uint64_t)ev->args[1]);
		if ((uint64_t)ev->args[2])
			put(o, ": starving (waited more than 1 ms)");
		break;
	case LS_EV_MUTEX_HANDOFF:
		put(o, "%s unlocks %s in starvation mode and hands it to the head waiter",
		    e->who, e->what);
		break;
	case LS_EV_MUTEX_STARVE:
		put(o, "%s enters starvation mode: a waiter waited ", e->what);
		put_dur(o, (uint64_t)ev->args[2]);
		put(o, " (over 1 ms)");
		break;
	case LS_EV_MUTEX_NORMAL:
		put(o, "%s goes back to normal mode (%s)", e->what,
		    (uint64_t)ev->args[2] ? "the new owner waited less than 1 ms"
				: "the new owner was the last waiter");
		break;
	case LS_EV_MUTEX_ACQUIRE:
		put(o, "%s locks %s", e->who, e->what);
		switch ((uint64_t)ev->args[2]) {
		case LS_ACQ_FAST:
			put(o, " (fast path)");
			break;
		case LS_ACQ_TRY:
			put(o, " (TryLock)");
			break;
		case LS_ACQ_HANDOFF:
			put(o, " by handoff after waiting ");
			put_dur(o, (uint64_t)ev->args[1]);
			break;
		default:
			if ((uint64_t)ev->args[1]) {
				put(o, " after waiting ");
				put_dur(o, (uint64_t)ev->args[1]);
			}
		}
		break;
	case LS_EV_MUTEX_UNLOCK:
		ls_mutex_state_str((int32_t)ev->args[0], s1, sizeof(s1));
		put(o, "%s unlocks %s (%s)", e->who, e->what, s1);
		break;
	case LS_EV_MUTEX_TRYFAIL:
		ls_mutex_state_str((int32_t)ev->args[0], s1, sizeof(s1));
		put(o, "%s's TryLock on %s fails (%s)", e->who, e->what, s1);
		break;
	}
}

static void explain_rw(struct ectx *e)
{
	const struct ls_event *ev = e->ev;
	struct out *o = &e->o;
	int32_t rc = (int32_t)ev->args[0];

	switch (ev->id) {
	case LS_EV_RW_RLOCK:
		put(o, "%s RLocks %s: readerCount %d", e->who, e->what, rc);
		if ((uint64_t)ev->args[1])
			put(o, " < 0, a writer is pending: it parks");
		break;
	case LS_EV_RW_RACQUIRE:
		put(o, "%s holds %s for reading", e->who, e->what);
		if ((uint64_t)ev->args[1]) {
			put(o, " after waiting ");
			put_dur(o, (uint64_t)ev->args[1]);
		}
		break;
	case LS_EV_RW_RUNLOCK:
		put(o, "%s RUnlocks %s: readerCount %d", e->who, e->what, rc);
		if (rc < 0)
			put(o, ", readerWait %d", (int32_t)ev->args[1]);
		if ((uint64_t)ev->args[2])
			put(o, ": the last reader the writer waited for, it wakes the writer");
		break;
	case LS_EV_RW_WLOCK:
		put(o, "%s announces a writer on %s: readerCount -= 2^30 -> ", e->who, e->what);
		put_rw_count(o, rc, (int32_t)ev->args[2], false);
		if ((uint64_t)ev->args[1] && (int32_t)ev->args[2] > 0)
			put(o, "; it waits for %d reader%s to leave", (int32_t)ev->args[2],
			    plural((uint64_t)ev->args[2]));
		break;
	case LS_EV_RW_WACQUIRE:
		put(o, "%s holds %s for writing", e->who, e->what);
		if ((uint64_t)ev->args[1]) {
			put(o, " after waiting ");
			put_dur(o, (uint64_t)ev->args[1]);
		}
		break;
	case LS_EV_RW_UNLOCK:
		put(o, "%s unlocks %s for writing: readerCount %d, wakes %" PRIu64
		    " reader%s", e->who, e->what, rc, (uint64_t)ev->args[1], plural((uint64_t)ev->args[1]));
		break;
	case LS_EV_RW_TRYFAIL:
		put(o, "%s's %s on %s fails (readerCount %d)", e->who,
		    (uint64_t)ev->args[0] ? "TryRLock" : "TryLock", e->what, (int32_t)ev->args[1]);
		break;
	}
}

static void explain_wg_cond_once(struct ectx *e)
{
	const struct ls_event *ev = e->ev;
	struct out *o = &e->o;
	int64_t delta = (int64_t)ev->args[0];

	switch (ev->id) {
	case LS_EV_WG_ADD:
		if (delta == -1)
			put(o, "%s calls Done on %s: counter %d", e->who, e->what,
			    (int32_t)ev->args[1]);
		else
			put(o, "%s calls Add(%" PRId64 ") on %s: counter %d", e->who, delta,
			    e->what, (int32_t)ev->args[1]);
		if ((uint64_t)ev->args[2])
			put(o, ", %" PRIu64 " waiter%s", (uint64_t)ev->args[2], plural((uint64_t)ev->args[2]));
		break;
	case LS_EV_WG_WAIT:
		if ((int32_t)ev->args[0] == 0)
			put(o, "%s waits on %s: counter is 0, it returns at once", e->who, e->what);
		else
			put(o, "%s waits on %s: counter %d, %" PRIu64 " waiter%s", e->who,
			    e->what, (int32_t)ev->args[0], (uint64_t)ev->args[1], plural((uint64_t)ev->args[1]));
		break;
	case LS_EV_WG_RELEASE:
		put(o, "%s reaches zero: %" PRIu64 " waiter%s released", e->what,
		    (uint64_t)ev->args[0], plural((uint64_t)ev->args[0]));
		break;
	case LS_EV_COND_WAIT:
		put(o, "%s waits on %s with ticket %" PRIu64 " (next to wake: %" PRIu64 ")",
		    e->who, e->what, (uint64_t)ev->args[0], (uint64_t)ev->args[1]);
		break;
	case LS_EV_COND_SIGNAL:
		if ((int64_t)ev->args[0] < 0)
			put(o, "%s signals %s: nobody waits, nothing happens", e->who, e->what);
		else
			put(o, "%s signals %s: ticket %" PRIu64 " (the oldest) wakes", e->who,
			    e->what, (uint64_t)ev->args[0]);
		break;
	case LS_EV_COND_BROADCAST:
		put(o, "%s broadcasts on %s: %" PRIu64 " waiter%s wake (tickets %" PRIu64
		    " to %" PRIu64 ")", e->who, e->what, (uint64_t)ev->args[2], plural((uint64_t)ev->args[2]),
		    (uint64_t)ev->args[0], (uint64_t)ev->args[1] ? (uint64_t)ev->args[1] - 1 : 0);
		break;
	case LS_EV_COND_WAKE:
		put(o, "%s returns from waiting on %s (ticket %" PRIu64 ")", e->who, e->what,
		    (uint64_t)ev->args[0]);
		break;
	case LS_EV_ONCE_BEGIN:
		put(o, "%s runs the function of %s", e->who, e->what);
		break;
	case LS_EV_ONCE_DONE:
		put(o, "%s: the function returned, done is set", e->what);
		break;
	case LS_EV_ONCE_SKIP:
		put(o, "%s calls Do on %s: done is already set, it returns at once",
		    e->who, e->what);
		break;
	}
}

static void explain_mem(struct ectx *e)
{
	static const char *const op[] = {
		[LS_ATOMIC_LOAD] = "loads", [LS_ATOMIC_STORE] = "stores",
		[LS_ATOMIC_ADD] = "adds to", [LS_ATOMIC_CAS] = "compares-and-swaps",
		[LS_ATOMIC_SWAP] = "swaps",
	};
	const struct ls_event *ev = e->ev;
	const struct ls_mvar *v = ls_mstate_var(e->st, (uint64_t)ev->obj);
	struct out *o = &e->o;

	if (ev->id != LS_EV_ATOMIC_OP) {
		ls_model_event_str(ev, e->str, sizeof(e->str));
		if (!e->str[0])
			snprintf(e->str, sizeof(e->str), "%#" PRIx64, (uint64_t)ev->obj);
		put(o, "%s %s %s = %" PRId64, e->who,
		    ev->id == LS_EV_MEM_LOAD ? "reads" : "writes", e->str,
		    (int64_t)ev->args[0]);
		return;
	}
	if (v && v->name[0])
		snprintf(e->str, sizeof(e->str), "%s", v->name);
	else
		snprintf(e->str, sizeof(e->str), "%#" PRIx64, (uint64_t)ev->obj);
	put(o, "%s atomically %s %s: %" PRId64 " -> %" PRId64, e->who,
	    (uint64_t)ev->args[0] <= LS_ATOMIC_SWAP ? op[(uint64_t)ev->args[0]] : "updates", e->str,
	    (int64_t)ev->args[1], (int64_t)ev->args[2]);
}

static void explain_chan_xfer(struct ectx *e)
{
	const struct ls_event *ev = e->ev;
	struct out *o = &e->o;
	bool send = ev->id == LS_EV_CHAN_SEND;
	const struct ls_mobject *c = ls_mstate_object(e->st, (uint64_t)ev->obj, LS_OBJ_CHAN);
	uint64_t cap = c ? c->u.ch.cap : 0;
	int64_t v = (int64_t)ev->args[4];

	switch ((uint64_t)ev->args[0]) {
	case LS_CHAN_BUFFERED:
		if (send)
			put(o, "%s sends %" PRId64 " into %s, slot %" PRIu64, e->who, v,
			    e->what, cap ? ((uint64_t)ev->args[2] + cap - 1) % cap : 0);
		else
			put(o, "%s receives %" PRId64 " from %s, slot %" PRIu64, e->who, v,
			    e->what, cap ? ((uint64_t)ev->args[3] + cap - 1) % cap : 0);
		put(o, " (%" PRIu64 "/%" PRIu64 " full, sendx %" PRIu64 ", recvx %" PRIu64 ")",
		    (uint64_t)ev->args[1], cap, (uint64_t)ev->args[2], (uint64_t)ev->args[3]);
		break;
	case LS_CHAN_DIRECT:
		put(o, "%s %s %" PRId64 " %s a parked %s on %s", e->who,
		    send ? "hands" : "takes", v, send ? "straight to" : "straight from",
		    send ? "receiver" : "sender", e->what);
		break;
	case LS_CHAN_BUF_REFILL:
		put(o, "%s receives %" PRId64 " from slot %" PRIu64 " of full %s; the parked "
		    "sender's value takes that slot", e->who, v, (uint64_t)ev->args[3], e->what);
		break;
	case LS_CHAN_CLOSED:
		put(o, "%s receives the zero value from closed %s (ok = false)", e->who, e->what);
		break;
	case LS_CHAN_WOKEN:
		if (send)
			put(o, "%s's send of %" PRId64 " on %s completes: a receiver took it "
			    "while it was parked", e->who, v, e->what);
		else
			put(o, "%s's receive on %s completes: a sender handed it %" PRId64
			    " while it was parked", e->who, e->what, v);
		break;
	}
}

static void explain_chan(struct ectx *e)
{
	const struct ls_event *ev = e->ev;
	struct out *o = &e->o;
	static const char *const dir[] = { "send", "receive" };

	switch (ev->id) {
	case LS_EV_CHAN_MAKE:
		put(o, "%s makes %s (capacity %" PRIu64 ", %" PRIu64 "-byte elements)",
		    e->who, e->what, (uint64_t)ev->args[1], (uint64_t)ev->args[0]);
		break;
	case LS_EV_CHAN_SEND:
	case LS_EV_CHAN_RECV:
		explain_chan_xfer(e);
		break;
	case LS_EV_CHAN_PARK:
		if ((uint64_t)ev->args[0])
			put(o, "%s parks to receive from %s (recvq %" PRIu64 ")", e->who,
			    e->what, (uint64_t)ev->args[3]);
		else
			put(o, "%s parks to send %" PRId64 " on %s (%" PRIu64 " buffered, sendq %"
			    PRIu64 ")", e->who, (int64_t)ev->args[4], e->what, (uint64_t)ev->args[1],
			    (uint64_t)ev->args[2]);
		break;
	case LS_EV_CHAN_CLOSE:
		put(o, "%s closes %s: %" PRIu64 " receiver%s and %" PRIu64 " sender%s woken, %"
		    PRIu64 " value%s left", e->who, e->what, (uint64_t)ev->args[0], plural((uint64_t)ev->args[0]),
		    (uint64_t)ev->args[1], plural((uint64_t)ev->args[1]), (uint64_t)ev->args[2], plural((uint64_t)ev->args[2]));
		break;
	case LS_EV_CHAN_FREE:
		put(o, "%s frees %s", e->who, e->what);
		break;
	case LS_EV_SELECT_BEGIN:
		put(o, "%s enters a select over %" PRIu64 " case%s (%" PRIu64 " non-nil)%s",
		    e->who, (uint64_t)ev->args[0], plural((uint64_t)ev->args[0]), (uint64_t)ev->args[2],
		    (uint64_t)ev->args[1] ? "" : " with a default");
		break;
	case LS_EV_SELECT_ENQUEUE:
		put(o, "%s's select queues case %" PRIu64 " (%s) on %s", e->who, (uint64_t)ev->args[0],
		    dir[(uint64_t)ev->args[1] ? 1 : 0], e->what);
		break;
	case LS_EV_SELECT_CHOSEN:
		if ((int64_t)ev->args[0] < 0) {
			put(o, "%s's select takes the default case", e->who);
			break;
		}
		put(o, "%s's select picks case %" PRId64 " (%s on %s)%s", e->who,
		    (int64_t)ev->args[0], dir[(uint64_t)ev->args[1] ? 1 : 0], e->what,
		    (uint64_t)ev->args[2] ? " after parking" : "");
		break;
	}
}

/* Events without a sentence of their own: name, object and labelled args. */
static void explain_generic(struct ectx *e)
{
	const struct ls_event *ev = e->ev;
	const struct ev_words *w = &ev_words[ev->id];
	struct out *o = &e->o;
	bool first = true;

	put(o, "%s: %s", e->who, w->name);
	if ((uint64_t)ev->obj)
		put(o, " on %s", e->what);
	for (unsigned k = 0; k < LS_EVENT_NARGS; k++) {
		if (!w->args[k][0])
			continue;
		if ((ev->flags & LS_EVF_STR) && k == 1) {
			ls_model_event_str(ev, e->str, sizeof(e->str));
			put(o, "%s%s \"%s\"", first ? ": " : ", ", w->args[k], e->str);
			break;	/* args[1..4] are the string */
		}
		put(o, "%s%s %" PRId64, first ? ": " : ", ", w->args[k], (int64_t)ev->args[k]);
		first = false;
	}
}

static void explain_kernel(struct ectx *e)
{
	const struct ls_event *ev = e->ev;
	struct out *o = &e->o;

	switch (ev->id) {
	case LS_EV_SCHED_OFF:
		put(o, "%s leaves the CPU (%s)", e->who, (uint64_t)ev->args[0] ? "blocked" : "preempted");
		break;
	case LS_EV_SCHED_ON:
		put(o, "%s gets the CPU", e->who);
		break;
	case LS_EV_FUTEX_WAIT:
		put(o, "%s sleeps in futex(FUTEX_WAIT) on %#" PRIx64, e->who, (uint64_t)ev->obj);
		break;
	case LS_EV_FUTEX_WAIT_END:
		put(o, "%s returns from futex(FUTEX_WAIT) (%" PRId64 ")", e->who,
		    (int64_t)ev->args[0]);
		break;
	case LS_EV_FUTEX_WAKE:
		put(o, "%s wakes up to %" PRIu64 " thread%s on futex %#" PRIx64, e->who,
		    (uint64_t)ev->args[0], plural((uint64_t)ev->args[0]), (uint64_t)ev->obj);
		break;
	case LS_EV_TRACE_LOST:
		put(o, "%" PRIu64 " record%s lost: the trace buffer overflowed", (uint64_t)ev->args[0],
		    plural((uint64_t)ev->args[0]));
		break;
	}
}

int ls_mstate_explain(const struct ls_mstate *st, const struct ls_event *ev,
		      char *buf, size_t len)
{
	struct ectx e = { .st = st, .ev = ev, .o = { buf, len, 0 } };
	unsigned id = ev->id;

	if (len)
		buf[0] = '\0';
	if (!id || id >= LS_EV__COUNT) {
		put(&e.o, "unknown event %u", id);
		return done(&e.o);
	}
	if (ev->flags & LS_EVF_KERNEL || id >= LS_EV_SCHED_OFF) {
		uint32_t i = ls_umap_get(&st->tidmap, ev->tid);

		if (i != LS_UMAP_NONE)
			snprintf(e.who, sizeof(e.who), "%s", st->g[i].name);
		if (!e.who[0])
			snprintf(e.who, sizeof(e.who), "thread %u", ev->tid);
		explain_kernel(&e);
		return done(&e.o);
	}
	if (ev->goid)
		ls_mstate_goname(st, ev->goid, e.who, sizeof(e.who));
	else
		snprintf(e.who, sizeof(e.who), "the runtime");
	label_obj(&e, (uint64_t)ev->obj, id == LS_EV_SELECT_CHOSEN ? LS_OBJ_CHAN
								 : ls_model_event_kind(id));

	if (id <= LS_EV_MAIN_EXIT)
		explain_go(&e);
	else if (id <= LS_EV_MUTEX_TRYFAIL)
		explain_mutex(&e);
	else if (id <= LS_EV_RW_TRYFAIL)
		explain_rw(&e);
	else if (id <= LS_EV_ONCE_SKIP)
		explain_wg_cond_once(&e);
	else if (id <= LS_EV_ATOMIC_OP)
		explain_mem(&e);
	else if (id <= LS_EV_SELECT_CHOSEN)
		explain_chan(&e);
	else
		explain_generic(&e);
	return done(&e.o);
}

int ls_model_explain(const struct ls_model *m, const struct ls_event *ev,
		     char *buf, size_t len)
{
	return ls_mstate_explain(ls_model_state(m), ev, buf, len);
}
