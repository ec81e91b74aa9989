// SPDX-License-Identifier: MIT
/*
 * ui_verdict.c - what the detectors found, on screen.
 *
 * The findings come from viz/detect.h, the functions `lockstep run --no-ui`
 * and `lockstep check` use (ARCHITECTURE.md, principle 6): the one-pass
 * detector's findings, each shown from the event where it was found on,
 * and, in live mode while nothing arrives, ls_detect_waitfor() on the state
 * shown (a program hung in a way its runtime did not notice).
 *
 * Each finding is drawn the way it is best understood:
 *
 *   deadlock     the cycle, goroutine -> object -> the goroutine that can
 *                wake it -> ..., with Go's wait reasons
 *   all asleep   every goroutine with its wait reason and object
 *   potential    lockdep's "possible unsafe locking scenario": one column
 *   deadlock     per goroutine (CPU0, CPU1, ...), lock(A); lock(B); rows
 *   panic        the message and the goroutine dump, in the runtime's format
 *   race, leak   the two accesses; the goroutine left parked
 *
 * The banner shows as much as its rows allow; `v` opens the report view
 * with everything, and the detectors' text report below it.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_priv.h"

#define MAX_SHOWN	64

/* Banner order: the most telling first. */
static int kind_order(unsigned kind)
{
	switch (kind) {
	case LS_FIND_CYCLE:		return 0;
	case LS_FIND_ALL_ASLEEP:	return 1;
	case LS_FIND_PANIC:		return 2;
	case LS_FIND_RACE:		return 3;
	case LS_FIND_LEAK:		return 4;
	default:			return 5;
	}
}

size_t ui_findings(struct ui *u, const struct ls_finding **out, size_t max)
{
	const struct ls_finding *all[MAX_SHOWN];
	uint64_t pos = ui_pos(u);
	size_t n = 0, k = 0;
	bool deadlock = false;

	if (u->now_valid && u->now_pos == pos)
		for (size_t i = 0; i < u->nnow && n < MAX_SHOWN; i++, deadlock = true)
			all[n++] = &u->now[i];
	for (size_t i = 0; u->det && i < ls_detect_count(u->det) && n < MAX_SHOWN; i++) {
		const struct ls_finding *f = ls_detect_finding(u->det, i);

		if (f->ev >= pos)
			continue;
		/* the state's own cycles already say it */
		if (deadlock && (f->kind == LS_FIND_CYCLE || f->kind == LS_FIND_ALL_ASLEEP))
			continue;
		all[n++] = f;
	}
	/* stable sort by kind: insertion, n is small */
	for (int o = 0; o <= 5; o++)
		for (size_t i = 0; i < n; i++)
			if (kind_order(all[i]->kind) == o && k < max)
				out[k++] = all[i];
	return k;
}

/* Findings about the state shown, in live mode once the stream is quiet. */
void ui_refresh_now(struct ui *u)
{
	uint64_t pos = ui_pos(u);
	bool quiet = u->live && !u->live_done && pos == ui_count(u) &&
		     ui_now_ns() - u->last_arrival > 500000000ull;

	if (!quiet) {
		if (u->now_valid)
			u->dirty |= UI_DIRTY_LAYOUT;
		u->now_valid = false;
		return;
	}
	if (u->now_valid && u->now_pos == pos)
		return;
	if (!u->now) {
		u->now = calloc(MAX_SHOWN, sizeof(*u->now));
		if (!u->now)
			return;
	}
	u->nnow = ls_detect_waitfor(ui_state(u), u->now, MAX_SHOWN, pos ? pos - 1 : 0);
	if (u->nnow > MAX_SHOWN)
		u->nnow = MAX_SHOWN;
	u->now_pos = pos;
	u->now_valid = true;
	u->dirty |= UI_DIRTY_LAYOUT;
}

/* ---- words ---- */

static void fobj_label(const struct ls_fobj *o, char *buf, size_t len)
{
	if (!o->addr)
		snprintf(buf, len, "nil");
	else if (o->name[0])
		snprintf(buf, len, "%s \"%s\"", ls_model_kind_noun(o->kind), o->name);
	else
		snprintf(buf, len, "%s %#" PRIx64, ls_model_kind_noun(o->kind), o->addr);
}

static const char *role_words(unsigned role)
{
	switch (role) {
	case LS_ROLE_HOLDER:	return "held by";
	case LS_ROLE_WRITER:	return "behind the writer";
	case LS_ROLE_READER:	return "read-locked by";
	case LS_ROLE_SENDER:	return "needs a send from";
	case LS_ROLE_RECEIVER:	return "needs a receive by";
	default:		return "waits for";
	}
}

static const char *title_of(const struct ls_finding *f, char *buf, size_t len)
{
	switch (f->kind) {
	case LS_FIND_CYCLE:
		if (f->u.waits.total == 1)
			return "DEADLOCK: a goroutine waits for itself";
		snprintf(buf, len, "DEADLOCK: %u goroutines wait for each other in a cycle",
			 f->u.waits.total);
		return buf;
	case LS_FIND_ALL_ASLEEP:
		return "DEADLOCK: all goroutines are asleep";
	case LS_FIND_PANIC:
		snprintf(buf, len, "%s: %s%s", f->u.panic.is_panic ? "PANIC" : "FATAL ERROR",
			 f->u.panic.msg, f->u.panic.truncated ? "..." : "");
		return buf;
	case LS_FIND_LEAK:
		return "LEAK: goroutines still parked after main returned";
	case LS_FIND_LOCK_ORDER:
		return "POSSIBLE DEADLOCK: possible unsafe locking scenario (no hang this run)";
	case LS_FIND_RACE:
		snprintf(buf, len, "DATA RACE on %s", f->u.race.var.name[0] ?
			 f->u.race.var.name : "a variable");
		return buf;
	}
	return "?";
}

/* ---- drawing one finding: returns rows used (measures with no grid) ---- */

static int draw_cycle(struct ui *u, const struct ui_win *w, int y, const struct ls_finding *f)
{
	const struct ui_glyphs *gl = u->gl;
	const char *dash = gl == &ui_glyphs_utf8 ? "\u2500" : "-";
	char obj[96];
	int rows = 0;

	for (uint32_t i = 0; i < f->u.waits.n; i++) {
		const struct ls_fwait *s = &f->u.waits.w[i];
		int x;

		fobj_label(&s->obj, obj, sizeof(obj));
		x = ui_put(w, y + rows, 2, UI_S_BOLD, s->g.name);
		x = ui_printf(w, y + rows, x, UI_S_WAIT, " %s[%s]%s ", dash,
			      ls_model_wait_str(s->reason), gl->rarr);
		x = ui_put(w, y + rows, x, UI_S_NORMAL, obj);
		x = ui_printf(w, y + rows, x, UI_S_DIM, " %s%s%s ", dash, role_words(s->role),
			      gl->rarr);
		x = ui_put(w, y + rows, x, UI_S_BOLD, s->next.name);
		if (i + 1 == f->u.waits.n)
			ui_put(w, y + rows, x + 1, UI_S_ALERT, gl->cycle);
		rows++;
	}
	if (f->u.waits.total > f->u.waits.n)
		ui_printf(w, y + rows++, 2, UI_S_DIM, "(%u more steps)",
			  f->u.waits.total - f->u.waits.n);
	return rows;
}

static int draw_waits(struct ui *u, const struct ui_win *w, int y, const struct ls_fwaits *ws)
{
	char obj[96];
	int rows = 0;

	for (uint32_t i = 0; i < ws->n; i++) {
		const struct ls_fwait *s = &ws->w[i];
		int x = ui_put(w, y + rows, 2, UI_S_BOLD, s->g.name);

		x = ui_printf(w, y + rows, x, UI_S_WAIT, " [%s]", ls_model_wait_str(s->reason));
		if (s->obj.addr) {
			fobj_label(&s->obj, obj, sizeof(obj));
			ui_printf(w, y + rows, x, UI_S_NORMAL, " on %s", obj);
		}
		rows++;
	}
	if (ws->total > ws->n)
		ui_printf(w, y + rows++, 2, UI_S_DIM, "(%u more)", ws->total - ws->n);
	return rows;
}

/*
 * lockdep's table, one column per edge of the cycle:
 *
 *	       CPU0 (worker-1)        CPU1 (worker-2)
 *	       ----                   ----
 *	  lock(A);
 *	                              lock(B);
 *	                              lock(A);
 *	  lock(B);
 *
 *	 *** DEADLOCK ***
 */
static int draw_lockdep(struct ui *u, const struct ui_win *w, int y, const struct ls_finding *f,
			bool full)
{
	const struct ls_forder *od = &f->u.order;
	int n = (int)od->n, cw = 20, rows = 0;
	char cell[96];

	if (!n)
		return 0;
	for (int i = 0; i < n; i++) {
		int a = ui_strwidth(od->e[i].g.name) + 12;
		int b = ui_strwidth(od->e[i].acq.name[0] ? od->e[i].acq.name : "?") + 10;

		cw = a > cw ? a : cw;
		cw = b > cw ? b : cw;
	}
	if (cw * n + 4 > w->w && n)
		cw = (w->w - 4) / n;
	if (full) {
		ui_put(w, y + rows++, 1, UI_S_NORMAL, "Possible unsafe locking scenario:");
		rows++;
	}
	for (int i = 0; i < n; i++) {
		snprintf(cell, sizeof(cell), "CPU%d (%s)", i, od->e[i].g.name);
		ui_putw(w, y + rows, 4 + i * cw, cw - 1, UI_S_BOLD, cell);
		if (full)
			ui_put(w, y + rows + 1, 4 + i * cw, UI_S_DIM, "----");
	}
	rows += full ? 2 : 1;
	/* every goroutine takes what it holds, then each asks for the next */
	for (int i = 0; i < n; i++, rows++) {
		const struct ls_fedge *e = &od->e[i];

		snprintf(cell, sizeof(cell), "%s(%s);", e->held_mode == LS_LOCK_READ ? "rlock" :
			 "lock", e->held.name[0] ? e->held.name : "?");
		ui_putw(w, y + rows, 2 + i * cw, cw - 1, UI_S_SET, cell);
	}
	for (int i = n - 1; i >= 0; i--, rows++) {
		const struct ls_fedge *e = &od->e[i];

		snprintf(cell, sizeof(cell), "%s(%s);", e->acq_mode == LS_LOCK_READ ? "rlock" :
			 "lock", e->acq.name[0] ? e->acq.name : "?");
		ui_putw(w, y + rows, 2 + i * cw, cw - 1, UI_S_WAIT, cell);
	}
	if (full)
		rows++;
	ui_put(w, y + rows++, 1, UI_S_ALERT, "*** DEADLOCK ***");
	if (full) {
		for (int i = 0; i < n; i++) {
			const struct ls_fedge *e = &od->e[i];
			char held[96], acq[96];

			fobj_label(&e->held, held, sizeof(held));
			fobj_label(&e->acq, acq, sizeof(acq));
			ui_printf(w, y + rows++, 1, UI_S_DIM, "%s took %s at event %" PRIu64
				  " while holding %s (since event %" PRIu64 ")", e->g.name, acq,
				  e->acq_ev + 1, held, e->held_ev + 1);
		}
	}
	return rows;
}

/* The runtime's goroutine dump (primitives/runtime/fatal.c), from the state. */
static int draw_dump(struct ui *u, const struct ui_win *w, int y, const struct ls_finding *f,
		     bool full)
{
	const struct ls_mstate *st = ui_state(u);
	uint64_t dying = f->u.panic.g.goid, last = 0;
	int rows = 0;

	for (int pass = 0; pass < 2; pass++) {
		for (;;) {
			const struct ls_mgoroutine *g = NULL;
			char what[96] = "", line[200];

			/* the dying goroutine first, then in goid order */
			for (uint32_t i = 0; i < st->ng; i++) {
				const struct ls_mgoroutine *c = &st->g[i];

				if (c->state == LS_GS_EXITED)
					continue;
				if (pass == 0 ? c->goid == dying && !last :
				    c->goid != dying && c->goid > last && (!g || c->goid < g->goid))
					g = c;
			}
			if (!g)
				break;
			last = pass ? g->goid : 1;
			if (g->state == LS_GS_PARKED && g->waitobj < st->no)
				ls_mobject_label(&st->o[g->waitobj], what, sizeof(what));
			snprintf(line, sizeof(line), "goroutine %" PRIu64 " [%s]:", g->goid,
				 g->goid == dying ? "running" : g->state == LS_GS_PARKED ?
				 ls_model_wait_str(g->reason) : ls_model_gstate_str(g->state));
			if (full) {
				rows++;
				ui_put(w, y + rows++, 2, UI_S_BOLD, line);
				if (what[0])
					snprintf(line, sizeof(line), "%s: waiting on %s", g->name,
						 what);
				else
					snprintf(line, sizeof(line), "%s", g->name);
				ui_put(w, y + rows++, 2, UI_S_NORMAL, line);
				if (g->parent)
					ui_printf(w, y + rows++, 2, UI_S_DIM,
						  "created by goroutine %" PRIu64, g->parent);
			} else {
				int x = ui_put(w, y + rows, 2, UI_S_BOLD, line);

				ui_printf(w, y + rows++, x + 1, UI_S_NORMAL, "%s%s%s", g->name,
					  what[0] ? ": waiting on " : "", what);
			}
			if (pass == 0)
				break;
		}
		last = 0;
	}
	return rows;
}

static int draw_leak_row(const struct ui_win *w, int y, const struct ls_finding *f)
{
	char obj[96];
	int x = ui_put(w, y, 2, UI_S_BOLD, f->u.leak.g.name);

	x = ui_printf(w, y, x, UI_S_WAIT, " [%s]", ls_model_wait_str(f->u.leak.reason));
	if (f->u.leak.obj.addr) {
		fobj_label(&f->u.leak.obj, obj, sizeof(obj));
		x = ui_printf(w, y, x, UI_S_NORMAL, " on %s", obj);
	}
	ui_printf(w, y, x, UI_S_DIM, " since event %" PRIu64, f->u.leak.park_ev + 1);
	return 1;
}

/* Leaks are many and alike: one title over all of them. */
static bool leak_after_leak(const struct ls_finding *const *f, size_t i)
{
	return i && f[i]->kind == LS_FIND_LEAK && f[i - 1]->kind == LS_FIND_LEAK;
}

static int draw_finding(struct ui *u, const struct ui_win *w, int y, const struct ls_finding *f,
			bool full)
{
	char title[160];
	int rows = 1;

	ui_fill(w, y, 0, w->w, ' ', UI_S_BANNER);
	ui_putw(w, y, 1, w->w - 2, UI_S_BANNER, title_of(f, title, sizeof(title)));
	switch (f->kind) {
	case LS_FIND_CYCLE:
		rows += draw_cycle(u, w, y + rows, f);
		break;
	case LS_FIND_ALL_ASLEEP:
		rows += draw_waits(u, w, y + rows, &f->u.waits);
		break;
	case LS_FIND_LEAK:
		rows += draw_leak_row(w, y + rows, f);
		break;
	case LS_FIND_LOCK_ORDER:
		rows += draw_lockdep(u, w, y + rows, f, full);
		break;
	case LS_FIND_PANIC:
		if (full)
			ui_printf(w, y + rows++, 2, UI_S_ALERT, "%s: %s%s", f->u.panic.is_panic ?
				  "panic" : "fatal error", f->u.panic.msg,
				  f->u.panic.truncated ? "..." : "");
		rows += draw_dump(u, w, y + rows, f, full);
		break;
	case LS_FIND_RACE: {
		const struct ls_frace *r = &f->u.race;

		ui_printf(w, y + rows++, 2, UI_S_NORMAL, "%s %s %" PRId64 " (event %" PRIu64 ")",
			  r->first.g.name, r->first.write ? "wrote" : "read", r->first.value,
			  r->first.ev + 1);
		ui_printf(w, y + rows++, 2, UI_S_NORMAL, "%s %s %" PRId64 " (event %" PRIu64
			  "): nothing orders the two", r->second.g.name,
			  r->second.write ? "wrote" : "read", r->second.value, r->second.ev + 1);
		if (r->more)
			ui_printf(w, y + rows++, 2, UI_S_DIM, "and %" PRIu64 " more", r->more);
		break;
	}
	}
	return rows;
}

/* ---- the banner ---- */

/* The banner leaves out "all asleep" when a cycle already says it. */
static size_t banner_findings(struct ui *u, const struct ls_finding **f)
{
	size_t n = ui_findings(u, f, MAX_SHOWN), k = 0;
	bool cycle = n && f[0]->kind == LS_FIND_CYCLE;

	for (size_t i = 0; i < n; i++)
		if (!(cycle && f[i]->kind == LS_FIND_ALL_ASLEEP))
			f[k++] = f[i];
	return k;
}

static int banner_draw(struct ui *u, const struct ui_win *w, int max)
{
	const struct ls_finding *f[MAX_SHOWN];
	size_t n = banner_findings(u, f);
	int y = 0;

	for (size_t i = 0; i < n; i++) {
		struct ui_win m = { NULL, 0, 0, 1000, w->w };
		bool row = leak_after_leak(f, i);
		int need = row ? 1 : draw_finding(u, &m, 0, f[i], false);

		if (y + need > max - (i + 1 < n ? 1 : 0)) {
			if (i == 0 || y + 2 < max) {
				/* as much of it as fits */
				struct ui_win c = ui_sub(w, y, 0, max - y - 1, w->w);

				draw_finding(u, &c, 0, f[i], false);
				y = max - 1;
			}
			ui_printf(w, y, 2, UI_S_ALERT, "%s more: press v for the whole report",
				  u->gl->ellip);
			return y + 1;
		}
		if (row)
			draw_leak_row(w, y, f[i]);
		else
			draw_finding(u, w, y, f[i], false);
		y += need;
	}
	return y;
}

int ui_banner_height(struct ui *u, int w, int max)
{
	struct ui_win m = { NULL, 0, 0, max, w };
	const struct ls_finding *f[1];

	if (!ui_findings(u, f, 1))
		return 0;
	return banner_draw(u, &m, max);
}

void ui_draw_banner(struct ui *u, const struct ui_win *w)
{
	int y = banner_draw(u, w, w->h);

	/* where the whole story is */
	if (y > 0)
		ui_put(w, 0, w->w - 11, UI_S_BANNER, " v: report ");
}

/* ---- the report view ---- */

void ui_draw_report(struct ui *u, const struct ui_win *w)
{
	const struct ls_finding *f[MAX_SHOWN];
	size_t n = ui_findings(u, f, MAX_SHOWN);
	int y = -u->scroll;
	char *text;
	int len;

	ui_put(w, y++, 1, UI_S_BOLD, "What the detectors found up to the event shown"
	       " (v or Esc: back, arrows: scroll)");
	y++;
	if (!n)
		ui_put(w, y++, 2, UI_S_FREE, "nothing so far");
	for (size_t i = 0; i < n; i++) {
		if (leak_after_leak(f, i)) {
			y += draw_leak_row(w, y - 1, f[i]);
			continue;
		}
		y += draw_finding(u, w, y, f[i], true) + 1;
	}
	if (!u->det)
		return;
	ui_put(w, y++, 1, UI_S_BOLD, u->live && !u->live_done ?
	       "The detectors' report so far" : "The detectors' report for the whole run");
	len = ls_detect_report_buf(u->det, NULL, 0);
	if (len <= 0)
		return;
	text = malloc((size_t)len + 1);
	if (!text)
		return;
	ls_detect_report_buf(u->det, text, (size_t)len + 1);
	for (char *line = text, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		ui_putw(w, y++, 2, w->w - 3, UI_S_NORMAL, line);
	}
	free(text);
}
