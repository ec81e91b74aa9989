// SPDX-License-Identifier: MIT
/*
 * detect_report.c - from findings to the one verdict, its JSON object and
 * a short report in words.
 *
 * Precedence, highest first (why in docs/detectors.md):
 *	panic > deadlock > race > timeout > leak > potential-deadlock > ok
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "detect_priv.h"

static const struct {
	const char	*name;
	int		exit;
	int		rank;
} verdicts[LS_VERDICT__COUNT] = {
	[LS_VERDICT_OK]			= { "ok", 0, 0 },
	[LS_VERDICT_POTENTIAL_DEADLOCK]	= { "potential-deadlock", 12, 1 },
	[LS_VERDICT_LEAK]		= { "leak", 11, 2 },
	[LS_VERDICT_TIMEOUT]		= { "timeout", 15, 3 },
	[LS_VERDICT_RACE]		= { "race", 13, 4 },
	[LS_VERDICT_DEADLOCK]		= { "deadlock", 10, 5 },
	[LS_VERDICT_PANIC]		= { "panic", 14, 6 },
};

const char *ls_verdict_name(enum ls_verdict v)
{
	return v < LS_VERDICT__COUNT ? verdicts[v].name : "?";
}

int ls_verdict_exit(enum ls_verdict v)
{
	return v < LS_VERDICT__COUNT ? verdicts[v].exit : 1;
}

int ls_verdict_rank(enum ls_verdict v)
{
	return v < LS_VERDICT__COUNT ? verdicts[v].rank : -1;
}

int ls_verdict_by_name(const char *name)
{
	for (int v = 0; v < LS_VERDICT__COUNT; v++)
		if (!strcmp(verdicts[v].name, name))
			return v;
	return -1;
}

static enum ls_verdict kind_verdict(unsigned kind)
{
	switch (kind) {
	case LS_FIND_PANIC:
		return LS_VERDICT_PANIC;
	case LS_FIND_CYCLE:
	case LS_FIND_ALL_ASLEEP:
		return LS_VERDICT_DEADLOCK;
	case LS_FIND_LEAK:
		return LS_VERDICT_LEAK;
	case LS_FIND_LOCK_ORDER:
		return LS_VERDICT_POTENTIAL_DEADLOCK;
	case LS_FIND_RACE:
		return LS_VERDICT_RACE;
	}
	return LS_VERDICT_OK;
}

enum ls_verdict ls_finding_verdict(const struct ls_finding *f)
{
	return kind_verdict(f->kind);
}

enum ls_verdict ls_detect_verdict(const struct ls_detect *d)
{
	enum ls_verdict best = LS_VERDICT_OK;

	/* kinds also counts findings dropped past max_findings */
	for (unsigned k = 0; k < LS_FIND__COUNT; k++) {
		enum ls_verdict v = kind_verdict(k);

		if ((d->kinds & (1u << k)) && verdicts[v].rank > verdicts[best].rank)
			best = v;
	}
	if (d->timed_out && verdicts[LS_VERDICT_TIMEOUT].rank > verdicts[best].rank)
		best = LS_VERDICT_TIMEOUT;
	return best;
}

/* ---- output to a FILE or a buffer ---- */

struct out {
	FILE	*f;
	char	*buf;
	size_t	len, pos;
	bool	err;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	if (o->f) {
		n = vfprintf(o->f, fmt, ap);
		if (n < 0)
			o->err = true;
	} else {
		size_t room = o->pos < o->len ? o->len - o->pos : 0;

		n = vsnprintf(room ? o->buf + o->pos : NULL, room, fmt, ap);
	}
	va_end(ap);
	if (n > 0)
		o->pos += (size_t)n;
}

static int finish_out(struct out *o)
{
	if (!o->f && o->len && o->pos >= o->len)
		o->buf[o->len - 1] = '\0';
	if (o->err)
		return -1;
	return o->pos > INT32_MAX ? INT32_MAX : (int)o->pos;
}

/* ---- JSON ---- */

static void jstr(struct out *o, const char *s)
{
	put(o, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			put(o, "\\%c", c);
		else if (c < 0x20)
			put(o, "\\u%04x", c);
		else
			put(o, "%c", c);
	}
	put(o, "\"");
}

static void jgo(struct out *o, const struct ls_fgo *g)
{
	put(o, "{\"id\": %" PRIu64 ", \"name\": ", g->goid);
	jstr(o, g->name);
	put(o, "}");
}

static void jobj(struct out *o, const struct ls_fobj *ob)
{
	if (!ob->addr) {
		put(o, "null");
		return;
	}
	put(o, "{\"kind\": ");
	jstr(o, ls_model_kind_str(ob->kind));
	put(o, ", \"name\": ");
	jstr(o, ob->name);
	put(o, ", \"addr\": \"%#" PRIx64 "\"}", ob->addr);
}

static const char *role_str(unsigned role)
{
	static const char *const s[] = {
		[LS_ROLE_NONE] = "none", [LS_ROLE_HOLDER] = "holder",
		[LS_ROLE_WRITER] = "writer", [LS_ROLE_READER] = "reader",
		[LS_ROLE_SENDER] = "sender", [LS_ROLE_RECEIVER] = "receiver",
		[LS_ROLE_ANYONE] = "anyone",
	};

	return role <= LS_ROLE_ANYONE ? s[role] : "?";
}

static const char *mode_str(unsigned mode)
{
	return mode == LS_LOCK_READ ? "read" : "write";
}

static void jwait(struct out *o, const struct ls_fwait *w, bool cycle)
{
	put(o, "{\"goroutine\": ");
	jgo(o, &w->g);
	put(o, ", \"waits\": ");
	jstr(o, ls_model_wait_str(w->reason));
	put(o, ", \"object\": ");
	jobj(o, &w->obj);
	put(o, ", \"park_event\": %" PRIu64 ", \"since_ns\": %" PRIu64, w->park_ev,
	    w->since_ts);
	if (cycle) {
		put(o, ", \"waits_for\": ");
		jgo(o, &w->next);
		put(o, ", \"role\": \"%s\"", role_str(w->role));
	}
	put(o, "}");
}

static void jwaits(struct out *o, const char *key, const struct ls_fwaits *ws, bool cycle)
{
	put(o, ", \"%s\": [", key);
	for (uint32_t i = 0; i < ws->n; i++) {
		if (i)
			put(o, ", ");
		jwait(o, &ws->w[i], cycle);
	}
	put(o, "], \"total\": %u", ws->total);
}

static void jaccess(struct out *o, const struct ls_faccess *a)
{
	put(o, "{\"goroutine\": ");
	jgo(o, &a->g);
	put(o, ", \"event\": %" PRIu64 ", \"op\": \"%s\", \"value\": %" PRId64 "}", a->ev,
	    a->write ? "write" : "read", a->value);
}

static void jfinding(struct out *o, const struct ls_finding *f)
{
	put(o, "{\"kind\": \"%s\", ", ls_verdict_name(kind_verdict(f->kind)));
	switch (f->kind) {
	case LS_FIND_PANIC:
		put(o, "\"rule\": \"%s\", \"event\": %" PRIu64 ", \"message\": ",
		    f->u.panic.is_panic ? "panic" : "fatal-error", f->ev);
		jstr(o, f->u.panic.msg);
		put(o, ", \"truncated\": %s, \"goroutine\": ",
		    f->u.panic.truncated ? "true" : "false");
		jgo(o, &f->u.panic.g);
		break;
	case LS_FIND_CYCLE:
		put(o, "\"rule\": \"wait-for-cycle\", \"event\": %" PRIu64, f->ev);
		jwaits(o, "cycle", &f->u.waits, true);
		break;
	case LS_FIND_ALL_ASLEEP:
		put(o, "\"rule\": \"all-asleep\", \"event\": %" PRIu64, f->ev);
		jwaits(o, "goroutines", &f->u.waits, false);
		break;
	case LS_FIND_LEAK:
		put(o, "\"rule\": \"parked-at-exit\", \"event\": %" PRIu64 ", \"goroutine\": ",
		    f->ev);
		jgo(o, &f->u.leak.g);
		put(o, ", \"waits\": ");
		jstr(o, ls_model_wait_str(f->u.leak.reason));
		put(o, ", \"object\": ");
		jobj(o, &f->u.leak.obj);
		put(o, ", \"park_event\": %" PRIu64 ", \"since_ns\": %" PRIu64,
		    f->u.leak.park_ev, f->u.leak.since_ts);
		break;
	case LS_FIND_LOCK_ORDER:
		put(o, "\"rule\": \"lock-order-cycle\", \"event\": %" PRIu64 ", \"cycle\": [",
		    f->ev);
		for (uint32_t i = 0; i < f->u.order.n; i++) {
			const struct ls_fedge *e = &f->u.order.e[i];

			put(o, "%s{\"held\": ", i ? ", " : "");
			jobj(o, &e->held);
			put(o, ", \"held_mode\": \"%s\", \"acquired\": ", mode_str(e->held_mode));
			jobj(o, &e->acq);
			put(o, ", \"acquired_mode\": \"%s\", \"goroutine\": ", mode_str(e->acq_mode));
			jgo(o, &e->g);
			put(o, ", \"held_event\": %" PRIu64 ", \"acquired_event\": %" PRIu64 "}",
			    e->held_ev, e->acq_ev);
		}
		put(o, "], \"total\": %u", f->u.order.total);
		break;
	case LS_FIND_RACE:
		put(o, "\"rule\": \"unordered-accesses\", \"event\": %" PRIu64 ", \"variable\": ",
		    f->ev);
		put(o, "{\"name\": ");
		jstr(o, f->u.race.var.name);
		put(o, ", \"addr\": \"%#" PRIx64 "\"}, \"first\": ", f->u.race.var.addr);
		jaccess(o, &f->u.race.first);
		put(o, ", \"second\": ");
		jaccess(o, &f->u.race.second);
		put(o, ", \"more\": %" PRIu64, f->u.race.more);
		break;
	}
	put(o, "}");
}

static void json(const struct ls_detect *d, struct out *o)
{
	enum ls_verdict v = ls_detect_verdict(d);

	put(o, "{\"verdict\": \"%s\", \"exit\": %d, \"events\": %" PRIu64 ", \"lost\": %"
	    PRIu64 ", \"timed_out\": %s, \"findings\": [", ls_verdict_name(v),
	    ls_verdict_exit(v), d->nin, d->st->lost, d->timed_out ? "true" : "false");
	for (uint32_t i = 0; i < d->nf; i++) {
		if (i)
			put(o, ", ");
		jfinding(o, &d->f[i]);
	}
	put(o, "], \"dropped\": %" PRIu64 "}\n", d->dropped);
}

int ls_detect_json(const struct ls_detect *d, FILE *f)
{
	struct out o = { .f = f };

	json(d, &o);
	return finish_out(&o);
}

int ls_detect_json_buf(const struct ls_detect *d, char *buf, size_t len)
{
	struct out o = { .buf = buf, .len = len };

	json(d, &o);
	return finish_out(&o);
}

/* ---- words ---- */

static void wobj(struct out *o, const struct ls_fobj *ob)
{
	if (!ob->addr)
		put(o, "nothing (nil)");
	else if (ob->name[0])
		put(o, "%s \"%s\"", ls_model_kind_noun(ob->kind), ob->name);
	else
		put(o, "%s %#" PRIx64, ls_model_kind_noun(ob->kind), ob->addr);
}

/* "held by worker-2", "behind the writer worker-2", ... */
static void wrole(struct out *o, unsigned role, const char *who)
{
	switch (role) {
	case LS_ROLE_HOLDER:
		put(o, "held by %s", who);
		break;
	case LS_ROLE_WRITER:
		put(o, "behind the writer %s", who);
		break;
	case LS_ROLE_READER:
		put(o, "read-locked by %s", who);
		break;
	case LS_ROLE_SENDER:
		put(o, "waiting for a send from %s", who);
		break;
	case LS_ROLE_RECEIVER:
		put(o, "waiting for a receive by %s", who);
		break;
	default:
		put(o, "waiting for %s", who);
	}
}

static void wwait(struct out *o, const struct ls_fwait *w, bool cycle)
{
	put(o, "  %s [%s]", w->g.name, ls_model_wait_str(w->reason));
	if (w->obj.addr) {
		put(o, " on ");
		wobj(o, &w->obj);
	}
	if (cycle) {
		put(o, ", ");
		wrole(o, w->role, w->next.name);
		if (w->next.goid == w->g.goid)
			put(o, " itself");
	}
	put(o, " (parked at event %" PRIu64 ")\n", w->park_ev + 1);
}

/* "locked", or for an RWMutex "read-locked" / "write-locked" */
static const char *lock_verb(const struct ls_fobj *ob, unsigned mode)
{
	if (ob->kind != LS_OBJ_RWMUTEX)
		return "locked";
	return mode == LS_LOCK_READ ? "read-locked" : "write-locked";
}

/*
 * Events are numbered from 1 in everything a person reads (this report, the
 * UI's log, `replay --at N`); the JSON and the findings carry the 0-based
 * index of the record in the stream.
 */
static void wfinding(struct out *o, const struct ls_finding *f)
{
	switch (f->kind) {
	case LS_FIND_PANIC:
		put(o, "%s: %s%s (in %s, event %" PRIu64 ")\n",
		    f->u.panic.is_panic ? "panic" : "fatal error", f->u.panic.msg,
		    f->u.panic.truncated ? "..." : "", f->u.panic.g.name, f->ev + 1);
		break;
	case LS_FIND_CYCLE:
		if (f->u.waits.total == 1)
			put(o, "deadlock: a goroutine waits for itself:\n");
		else
			put(o, "deadlock: %u goroutines wait for each other in a cycle:\n",
			    f->u.waits.total);
		for (uint32_t i = 0; i < f->u.waits.n; i++)
			wwait(o, &f->u.waits.w[i], true);
		break;
	case LS_FIND_ALL_ASLEEP:
		put(o, "deadlock: all goroutines are asleep (%u):\n", f->u.waits.total);
		for (uint32_t i = 0; i < f->u.waits.n; i++)
			wwait(o, &f->u.waits.w[i], false);
		break;
	case LS_FIND_LEAK:
		put(o, "leak: %s is still parked [%s]", f->u.leak.g.name,
		    ls_model_wait_str(f->u.leak.reason));
		if (f->u.leak.obj.addr) {
			put(o, " on ");
			wobj(o, &f->u.leak.obj);
		}
		put(o, " since event %" PRIu64 "\n", f->u.leak.park_ev + 1);
		break;
	case LS_FIND_LOCK_ORDER:
		put(o, "potential deadlock: locks taken in a cycle, no hang this run "
		    "(%u step%s):\n", f->u.order.total, f->u.order.total == 1 ? "" : "s");
		for (uint32_t i = 0; i < f->u.order.n; i++) {
			const struct ls_fedge *e = &f->u.order.e[i];

			put(o, "  %s %s ", e->g.name, lock_verb(&e->acq, e->acq_mode));
			wobj(o, &e->acq);
			put(o, " (event %" PRIu64 ") while holding ", e->acq_ev + 1);
			wobj(o, &e->held);
			if (e->held.kind == LS_OBJ_RWMUTEX)
				put(o, " for %s", e->held_mode == LS_LOCK_READ ? "reading" : "writing");
			put(o, " (since event %" PRIu64 ")\n", e->held_ev + 1);
		}
		break;
	case LS_FIND_RACE:
		put(o, "race on %s (%#" PRIx64 "):\n",
		    f->u.race.var.name[0] ? f->u.race.var.name : "a variable",
		    f->u.race.var.addr);
		put(o, "  %s %s %" PRId64 " (event %" PRIu64 ")\n", f->u.race.first.g.name,
		    f->u.race.first.write ? "wrote" : "read", f->u.race.first.value,
		    f->u.race.first.ev + 1);
		put(o, "  %s %s %" PRId64 " (event %" PRIu64 "), with nothing ordering the two\n",
		    f->u.race.second.g.name, f->u.race.second.write ? "wrote" : "read",
		    f->u.race.second.value, f->u.race.second.ev + 1);
		if (f->u.race.more)
			put(o, "  and %" PRIu64 " more unordered access%s to it\n", f->u.race.more,
			    f->u.race.more == 1 ? "" : "es");
		break;
	}
}

static void report(const struct ls_detect *d, struct out *o)
{
	enum ls_verdict v = ls_detect_verdict(d);

	put(o, "verdict: %s (exit %d)\n", ls_verdict_name(v), ls_verdict_exit(v));
	if (d->timed_out)
		put(o, "the program did not finish in time\n");
	for (uint32_t i = 0; i < d->nf; i++)
		wfinding(o, &d->f[i]);
	if (d->dropped)
		put(o, "(%" PRIu64 " more finding%s not shown)\n", d->dropped,
		    d->dropped == 1 ? "" : "s");
	if (d->st->lost)
		put(o, "warning: %" PRIu64 " trace records were lost; findings may be "
		    "incomplete\n", d->st->lost);
}

int ls_detect_report(const struct ls_detect *d, FILE *f)
{
	struct out o = { .f = f };

	report(d, &o);
	return finish_out(&o);
}

int ls_detect_report_buf(const struct ls_detect *d, char *buf, size_t len)
{
	struct out o = { .buf = buf, .len = len };

	report(d, &o);
	return finish_out(&o);
}

int ls_finding_line(const struct ls_finding *f, char *buf, size_t len)
{
	struct out o = { .buf = buf, .len = len };

	switch (f->kind) {
	case LS_FIND_PANIC:
		put(&o, "%s: %s%s", f->u.panic.is_panic ? "panic" : "fatal error",
		    f->u.panic.msg, f->u.panic.truncated ? "..." : "");
		break;
	case LS_FIND_CYCLE:
		put(&o, "deadlock:");
		for (uint32_t i = 0; i < f->u.waits.n; i++) {
			put(&o, " %s -> ", f->u.waits.w[i].g.name);
			wobj(&o, &f->u.waits.w[i].obj);
			put(&o, " ->");
		}
		if (f->u.waits.n)
			put(&o, " %s", f->u.waits.w[0].g.name);
		break;
	case LS_FIND_ALL_ASLEEP:
		put(&o, "deadlock: all %u goroutines are asleep", f->u.waits.total);
		break;
	case LS_FIND_LEAK:
		put(&o, "leak: %s parked [%s]", f->u.leak.g.name,
		    ls_model_wait_str(f->u.leak.reason));
		break;
	case LS_FIND_LOCK_ORDER:
		put(&o, "potential deadlock:");
		for (uint32_t i = 0; i < f->u.order.n; i++) {
			put(&o, " ");
			wobj(&o, &f->u.order.e[i].held);
			put(&o, " ->");
		}
		if (f->u.order.n) {
			put(&o, " ");
			wobj(&o, &f->u.order.e[0].held);
		}
		break;
	case LS_FIND_RACE:
		put(&o, "race on %s: %s and %s", f->u.race.var.name[0] ? f->u.race.var.name : "?",
		    f->u.race.first.g.name, f->u.race.second.g.name);
		break;
	}
	return finish_out(&o);
}
