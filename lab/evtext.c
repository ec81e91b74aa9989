// SPDX-License-Identifier: MIT
/*
 * evtext.c - name tracking and text formatting of events (see evtext.h).
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lockstep/trace.h>

#include "evtext.h"
#include "u64map.h"

struct gname {
	char name[LS_EVENT_STRMAX];
};

struct oname {
	unsigned kind;
	char name[LS_EVENT_STRMAX];
};

struct ls_names {
	struct ls_u64map gs;	/* goid -> struct gname */
	struct ls_u64map objs;	/* address -> struct oname */
	struct ls_u64map tids;	/* tid -> goid */
};

struct ls_names *ls_names_new(void)
{
	struct ls_names *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	ls_u64map_init(&n->gs, sizeof(struct gname));
	ls_u64map_init(&n->objs, sizeof(struct oname));
	ls_u64map_init(&n->tids, sizeof(uint64_t));
	return n;
}

void ls_names_free(struct ls_names *n)
{
	if (!n)
		return;
	ls_u64map_free(&n->gs);
	ls_u64map_free(&n->objs);
	ls_u64map_free(&n->tids);
	free(n);
}

void ls_names_update(struct ls_names *n, const struct ls_event *e)
{
	struct gname *g;
	struct oname *o;
	uint64_t *goid;

	switch (e->id) {
	case LS_EV_GO_CREATE:
	case LS_EV_GO_NAME:
		g = ls_u64map_get(&n->gs, e->obj);
		if (g)
			ls_event_str(e, g->name, sizeof(g->name));
		break;
	case LS_EV_OBJ_NAME:
		o = ls_u64map_get(&n->objs, e->obj);
		if (o) {
			o->kind = (unsigned)e->args[0];
			ls_event_str(e, o->name, sizeof(o->name));
		}
		break;
	case LS_EV_GO_START:
		goid = ls_u64map_get(&n->tids, e->tid);
		if (goid)
			*goid = e->obj;
		break;
	default:
		break;
	}
}

const char *ls_names_goroutine(const struct ls_names *n, uint64_t goid)
{
	struct gname *g = ls_u64map_find(&n->gs, goid);

	return g ? g->name : "";
}

const char *ls_names_object(const struct ls_names *n, uint64_t obj, unsigned *kind)
{
	struct oname *o = ls_u64map_find(&n->objs, obj);

	if (!o)
		return NULL;
	if (kind)
		*kind = o->kind;
	return o->name;
}

uint64_t ls_names_goid(const struct ls_names *n, const struct ls_event *e)
{
	uint64_t *goid;

	if (e->goid || !(ls_event_def_flags(e->id) & LS_EVF_KERNEL))
		return e->goid;
	goid = ls_u64map_find(&n->tids, e->tid);
	return goid ? *goid : 0;
}

/* ---- arguments ---- */

/* Names of the small enums of events.h, in their order there. */
static const char *const mutex_ops[] = {
	"lock_fast", "lock_slow", "spin_woken", "handoff_take", "unlock",
	"unlock_wake", "trylock",
};
static const char *const acquire_hows[] = { "fast", "slow", "handoff", "try" };
static const char *const chan_hows[] = {
	"buffered", "direct", "buf_refill", "closed", "woken",
};
static const char *const batch_whys[] = { "items", "bytes", "time", "flush" };
static const char *const atomic_ops[] = { "load", "store", "add", "cas", "swap" };

struct enum_names {
	const char *tag;		/* as written in the label */
	const char *const *names;
	size_t n;
};

#define ENUM_NAMES(tag, a) { tag, a, sizeof(a) / sizeof(a[0]) }
static const struct enum_names enums[] = {
	ENUM_NAMES("enum ls_mutex_op", mutex_ops),
	ENUM_NAMES("enum ls_acquire_how", acquire_hows),
	ENUM_NAMES("enum ls_chan_how", chan_hows),
	ENUM_NAMES("enum ls_batch_why", batch_whys),
	ENUM_NAMES("enum ls_atomic_op", atomic_ops),
};

/* The first word of a label, lower case: "old state" -> "old". */
static void label_key(const char *label, char *key, size_t len)
{
	size_t o = 0;

	while (*label == ' ')
		label++;
	for (; *label && *label != ' ' && *label != '(' && *label != ':' &&
	       *label != ',' && o + 1 < len; label++)
		key[o++] = (char)(*label >= 'A' && *label <= 'Z' ? *label + 32 : *label);
	key[o] = '\0';
}

/*
 * "0 send, 1 recv" or "kind: 0 background, 1 cancel": find the text for
 * value v.  Returns false if the label is not such a list or v not in it.
 */
static bool label_choice(const char *label, uint64_t v, char *out, size_t len)
{
	const char *p = strchr(label, ':');

	p = p ? p + 1 : label;
	while (*p == ' ')
		p++;
	if (*p < '0' || *p > '9')
		return false;
	while (*p) {
		char *end;
		unsigned long long n = strtoull(p, &end, 10);
		size_t w;

		if (end == p || *end != ' ')
			return false;
		p = end + 1;
		w = strcspn(p, ",");
		if (n == v) {
			size_t k = w < len - 1 ? w : len - 1;

			memcpy(out, p, k);
			out[k] = '\0';
			/* "lazy (get)" -> "lazy": drop the remark */
			end = strstr(out, " (");
			if (end)
				*end = '\0';
			for (char *c = out; *c; c++)
				if (*c == ' ')
					*c = '-';
			return true;
		}
		p += w;
		while (*p == ',' || *p == ' ')
			p++;
	}
	return false;
}

static void duration(char *out, size_t len, uint64_t ns)
{
	if (ns < 1000)
		snprintf(out, len, "%" PRIu64 "ns", ns);
	else if (ns < 1000000)
		snprintf(out, len, "%.3gus", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(out, len, "%.3gms", ns / 1e6);
	else
		snprintf(out, len, "%.3gs", ns / 1e9);
}

static bool has(const char *label, const char *word)
{
	return strstr(label, word) != NULL;
}

static void one_arg(const struct ls_event *e, unsigned k, const char *label,
		    struct ls_arg_text *a)
{
	uint64_t v = e->args[k];
	const char *tag;

	label_key(label, a->key, sizeof(a->key));
	if ((e->id == LS_EV_GO_PARK || e->id == LS_EV_GO_WAKE) && k == 0) {
		snprintf(a->key, sizeof(a->key), "reason");
		snprintf(a->val, sizeof(a->val), "%s", ls_wait_reason_str((unsigned)v));
		a->quoted = true;
		return;
	}
	if (e->id == LS_EV_OBJ_NAME && k == 0) {
		snprintf(a->val, sizeof(a->val), "%s", ls_obj_kind_str((unsigned)v));
		return;
	}
	tag = strstr(label, "(enum ");
	if (tag) {
		for (size_t i = 0; i < sizeof(enums) / sizeof(enums[0]); i++) {
			if (strncmp(tag + 1, enums[i].tag, strlen(enums[i].tag)))
				continue;
			if (v < enums[i].n) {
				snprintf(a->val, sizeof(a->val), "%s", enums[i].names[v]);
				return;
			}
		}
	}
	if (label_choice(label, v, a->val, sizeof(a->val))) {
		if (!strchr(label, ':'))
			a->key[0] = '\0';
		return;
	}
	if (!strncmp(label, "ns ", 3)) {
		label_key(label + 3, a->key, sizeof(a->key));
		duration(a->val, sizeof(a->val), v);
		return;
	}
	if (has(label, "goid")) {
		snprintf(a->val, sizeof(a->val), "g%" PRIu64, v);
		return;
	}
	if (has(label, "state") || has(label, "address") || has(label, "array") ||
	    has(label, "bytes")) {
		snprintf(a->val, sizeof(a->val), "0x%" PRIx64, v);
		return;
	}
	snprintf(a->val, sizeof(a->val), "%" PRId64, (int64_t)v);
}

int ls_event_args(const struct ls_event *e, struct ls_arg_text out[LS_EVENT_NARGS])
{
	unsigned flags = ls_event_def_flags(e->id);
	int cnt = 0;

	for (unsigned k = 0; k < LS_EVENT_NARGS; k++) {
		const char *label = ls_event_arg_label(e->id, k);
		struct ls_arg_text *a = &out[cnt];

		if (!label[0])
			continue;
		memset(a, 0, sizeof(*a));
		if ((flags & LS_EVF_STR) && k >= 1) {
			if (k > 1)
				continue;
			label_key(label, a->key, sizeof(a->key));
			ls_event_str(e, a->val, sizeof(a->val));
			a->quoted = true;
		} else {
			one_arg(e, k, label, a);
		}
		cnt++;
	}
	return cnt;
}

void ls_event_obj_text(const struct ls_names *n, const struct ls_event *e,
		       char *buf, size_t len)
{
	const char *label = ls_event_obj_label(e->id);
	const char *name;
	char key[24];

	buf[0] = '\0';
	if (!label[0])
		return;
	if (has(label, "goid")) {
		name = ls_names_goroutine(n, e->obj);
		if (name[0])
			snprintf(buf, len, "g%" PRIu64 " \"%s\"", (uint64_t)e->obj, name);
		else
			snprintf(buf, len, "g%" PRIu64, (uint64_t)e->obj);
		return;
	}
	label_key(label, key, sizeof(key));
	name = ls_names_object(n, e->obj, NULL);
	if (name && name[0])
		snprintf(buf, len, "%s \"%s\"", key, name);
	else if (e->obj)
		snprintf(buf, len, "%s 0x%" PRIx64, key, (uint64_t)e->obj);
}

void ls_event_line(const struct ls_names *n, const struct ls_event *e,
		   uint64_t t0, char *buf, size_t len)
{
	struct ls_arg_text args[LS_EVENT_NARGS];
	char who[24], obj[96];
	uint64_t goid = ls_names_goid(n, e);
	const char *gname = goid ? ls_names_goroutine(n, goid) : "";
	double t = e->ts >= t0 ? (double)(e->ts - t0) / 1e9 : -(double)(t0 - e->ts) / 1e9;
	size_t o;
	int cnt;

	if (goid)
		snprintf(who, sizeof(who), "g%" PRIu64, goid);
	else if (e->tid)
		snprintf(who, sizeof(who), "t%u", e->tid);
	else
		snprintf(who, sizeof(who), "-");
	ls_event_obj_text(n, e, obj, sizeof(obj));
	o = (size_t)snprintf(buf, len, "%11.6f %-5s %-12.12s %-15s %s", t, who,
			     gname[0] ? gname : "-", ls_event_name(e->id), obj);
	cnt = ls_event_args(e, args);
	for (int i = 0; i < cnt && o < len; i++) {
		const char *sep = i == 0 && obj[0] ? "  " : i == 0 ? "" : " ";

		if (args[i].key[0])
			o += (size_t)snprintf(buf + o, len - o, args[i].quoted ? "%s%s=\"%s\"" :
					      "%s%s=%s", sep, args[i].key, args[i].val);
		else
			o += (size_t)snprintf(buf + o, len - o, "%s%s", sep, args[i].val);
	}
	/* Names come from the traced program: keep one event on one line. */
	for (char *c = buf; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
}
