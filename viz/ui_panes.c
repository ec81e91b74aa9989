// SPDX-License-Identifier: MIT
/*
 * ui_panes.c - the main screen: where each pane goes, and the panes that
 * are not cards.
 *
 *	 ❚❚ PAUSED  lockstep replay t.lst   event 57/212  +3.1 ms  20 ev/s
 *	[verdict banner, when the detectors found something]
 *	[narration, in guided demos]
 *	┌ object cards ───────────────────┐┌ goroutines ────────┐
 *	│ ...                             ││ ▶ main   running   │
 *	└─────────────────────────────────┘└────────────────────┘
 *	┌ events ───────────────────────────────────────────────┐
 *	│   #56 +3.0 ms worker-1 parks on mutex "m" ...          │
 *	│ ▶ #57 +3.1 ms main unlocks mutex "m" ...               │
 *	└───────────────────────────────────────────────────────┘
 *	status line: messages, the filter being typed, what is followed
 *	footer: the keys of the current mode
 *
 * At 80x24 the log keeps four lines and the cards go compact (the focused
 * one stays full); a large terminal gets several columns of full cards.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_priv.h"

#define CARD_MIN_W	46	/* a column of cards */
#define SCAN_BUDGET	20000	/* events a filtered log looks back per frame */

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static struct ui_win rect_win(struct ui *u, const struct ui_rect *r)
{
	struct ui_win all = ui_win_all(&u->grid);

	return ui_sub(&all, r->y, r->x, r->h, r->w);
}

static const struct ls_event *cur_event(const struct ui *u)
{
	return ui_pos(u) ? ls_model_event(u->m, ui_pos(u) - 1) : NULL;
}

/* ---- layout ---- */

void ui_layout(struct ui *u, int rows, int cols)
{
	struct ui_layout *L = &u->lay;
	const char *note = ui_note(u);
	int top = 1, avail, logh, bh, gw;

	memset(L, 0, sizeof(*L));
	L->rows = rows;
	L->cols = cols;
	L->too_small = rows < 12 || cols < 50;
	L->header = (struct ui_rect){ 0, 0, 1, cols };
	L->status = (struct ui_rect){ rows - 2, 0, 1, cols };
	L->footer = (struct ui_rect){ rows - 1, 0, 1, cols };
	avail = rows - 3;

	bh = ui_banner_height(u, cols, clamp(avail / 3, 3, 14));
	if (bh) {
		L->banner = (struct ui_rect){ top, 0, bh, cols };
		top += bh;
		avail -= bh;
	}
	logh = clamp(avail / 3, 5, 16);
	if (avail - logh < 8)
		logh = clamp(avail - 8, 3, 16);
	L->log = (struct ui_rect){ rows - 2 - logh, 0, logh, cols };
	avail -= logh;

	gw = clamp(cols * 2 / 5, 33, 56);
	L->gor = (struct ui_rect){ top, cols - gw, avail, gw };
	L->cards = (struct ui_rect){ top, 0, avail, cols - gw };
	if (note) {
		/* beside the cards when there is room, else above them */
		if (gw >= 40) {
			int nh = clamp(ui_wrap(note, gw - 3, NULL, NULL) + 2, 3, avail / 2);

			L->narr = (struct ui_rect){ top, cols - gw, nh, gw };
			L->gor.y += nh;
			L->gor.h -= nh;
		} else {
			int nh = clamp(ui_wrap(note, cols - gw - 3, NULL, NULL) + 2, 3, avail / 2);

			L->narr = (struct ui_rect){ top, 0, nh, cols - gw };
			L->cards.y += nh;
			L->cards.h -= nh;
		}
	}
}

/* ---- header ---- */

void ui_draw_header(struct ui *u, const struct ui_win *w)
{
	uint64_t pos = ui_pos(u), count = ui_count(u);
	const struct ls_mstate *st = ui_state(u);
	const struct ls_finding *f[1];
	bool at_end = pos == count && (!u->live || u->live_done);
	int style = u->paused ? UI_S_PAUSED : UI_S_BAR, rstyle = style, x = 0, right;
	char d[40];

	ui_fill(w, 0, 0, w->w, ' ', style);
	if (u->paused)
		x = ui_printf(w, 0, 0, UI_S_PAUSED, " %s PAUSED %s", u->gl->pause, u->gl->pause);
	if (at_end)
		x = ui_printf(w, 0, x, style, " %s END", u->gl->stop);
	else if (!u->paused)
		x = ui_printf(w, 0, 0, UI_S_BAR, " %s %s", u->gl->play, u->live &&
			      u->speed == UI_SPEED_MAX && pos == count ? "LIVE" : "PLAYING");
	x = ui_printf(w, 0, x + 2, style, "lockstep %s", u->title);
	x = ui_printf(w, 0, x + 2, style, "event %" PRIu64 "/%" PRIu64, pos, count);
	if (pos) {
		ui_dur(d, sizeof(d), st->last_ts - ls_model_event(u->m, 0)->ts);
		x = ui_printf(w, 0, x + 2, style, "+%s", d);
	}
	if (u->speed == UI_SPEED_MAX)
		x = ui_printf(w, 0, x + 2, style, "%s", u->live ? "speed: live" : "speed: max");
	else
		x = ui_printf(w, 0, x + 2, style, "%u ev/s", ui_speeds[u->speed]);
	/* the right end: the verdict so far, and PAUSED once more */
	if (ui_findings(u, f, 1)) {
		snprintf(d, sizeof(d), " %s ", ls_verdict_name(ls_finding_verdict(f[0])));
		rstyle = UI_S_BANNER;
	} else if (at_end && u->det_done) {
		/* no finding: ok, or the run's own end (timeout) */
		enum ls_verdict v = ls_detect_verdict(u->det);

		snprintf(d, sizeof(d), " %s ", ls_verdict_name(v));
		if (v != LS_VERDICT_OK)
			rstyle = UI_S_BANNER;
	} else {
		d[0] = '\0';
	}
	right = w->w - ui_strwidth(d);
	if (d[0] && right >= x + 2)
		ui_put(w, 0, right, rstyle, d);
	else
		right = w->w;
	if (u->paused && right - 9 >= x + 2)
		ui_put(w, 0, right - 9, UI_S_PAUSED, " PAUSED ");
}

/* ---- goroutines ---- */

static const char *gstate_glyph(const struct ui *u, const struct ls_mgoroutine *g, int *style)
{
	switch (g->state) {
	case LS_GS_RUNNING:
		*style = UI_S_RUN;
		return u->gl->play;
	case LS_GS_PARKED:
		*style = g->reason == LS_WAIT_SLEEP ? UI_S_DIM : UI_S_WAIT;
		return u->gl->parked;
	case LS_GS_EXITED:
		*style = UI_S_DIM;
		return u->gl->exited;
	}
	*style = UI_S_NORMAL;
	return u->gl->dot;
}

static void gor_row(struct ui *u, const struct ui_win *w, int y, const struct ls_mgoroutine *g,
		    bool current, int nw)
{
	const struct ls_mstate *st = ui_state(u);
	int style, x = 3 + nw, right = w->w, free;
	const char *glyph = gstate_glyph(u, g, &style);
	char name[64], what[96], d[32] = "";

	switch (g->state) {
	case LS_GS_RUNNING:
		snprintf(what, sizeof(what), "running");
		break;
	case LS_GS_RUNNABLE:
		snprintf(what, sizeof(what), g->reason ? "runnable (woken)" : "runnable");
		break;
	case LS_GS_PARKED:
		snprintf(what, sizeof(what), "%s", ls_model_wait_str(g->reason));
		break;
	default:
		snprintf(what, sizeof(what), "exited");
	}
	/*
	 * What fits, in this order: the name, the state (Go's wait reason),
	 * on or off a CPU (BPF traces), for how long, then the object.
	 */
	free = w->w - x - ui_strwidth(what);
	if (u->has_cpu && g->state != LS_GS_EXITED && free >= 4) {
		right -= 3;
		free -= 4;
		ui_put(w, y, right, g->oncpu ? UI_S_RUN : UI_S_DIM, g->oncpu ? "cpu" : "off");
		right--;
	}
	if (g->state != LS_GS_EXITED && g->since && g->since <= st->last_ts)
		ui_dur(d, sizeof(d), st->last_ts - g->since);
	if (d[0] && free >= ui_strwidth(d) + 1) {
		right -= ui_strwidth(d);
		ui_put(w, y, right, UI_S_DIM, d);
		right--;
	}
	ls_mstate_goname(st, g->goid, name, sizeof(name));
	ui_put(w, y, 0, style, glyph);
	ui_putw(w, y, 2, nw, current ? UI_S_HOT : g->state == LS_GS_EXITED ? UI_S_DIM :
		UI_S_BOLD, name);
	x = ui_putw(w, y, x, right - x, style, what);
	if (g->state == LS_GS_PARKED && g->waitobj < st->no && right - x > 12) {
		ls_mobject_label(&st->o[g->waitobj], what, sizeof(what));
		x = ui_put(w, y, x, UI_S_DIM, " on ");
		ui_putw(w, y, x, right - x - 1, UI_S_NORMAL, what);
	}
}

void ui_draw_goroutines(struct ui *u, const struct ui_win *w)
{
	const struct ls_mstate *st = ui_state(u);
	const struct ls_event *cur = cur_event(u);
	struct ui_win in = ui_sub(w, 1, 2, w->h - 2, w->w - 3);
	uint32_t live = 0, shown = 0, hidden = 0;
	bool skip_exited;
	char title[64], name[64];
	int nw = 4;

	for (uint32_t i = 0; i < st->ng; i++) {
		live += st->g[i].state != LS_GS_EXITED;
		ls_mstate_goname(st, st->g[i].goid, name, sizeof(name));
		if (ui_strwidth(name) > nw)
			nw = ui_strwidth(name);
	}
	nw = clamp(nw, 4, clamp(in.w / 3, 8, 16));
	snprintf(title, sizeof(title), "goroutines %u (%u parked)", live, st->parked);
	ui_box_title(w, u->gl, UI_S_NORMAL, title, UI_S_BOLD, u->has_cpu ? "cpu" : "", UI_S_DIM);
	/* Not enough rows: the exited go first. */
	skip_exited = u->hide_exited || st->ng > (uint32_t)in.h;
	for (uint32_t i = 0; i < st->ng; i++) {
		const struct ls_mgoroutine *g = &st->g[i];

		if (skip_exited && g->state == LS_GS_EXITED) {
			hidden++;
			continue;
		}
		if ((int)shown >= in.h - 1 && i + 1 < st->ng) {
			ui_printf(&in, (int)shown, 0, UI_S_DIM, "%s %u more", u->gl->ellip,
				  st->ng - i - hidden);
			return;
		}
		gor_row(u, &in, (int)shown++, g, cur && cur->goid == g->goid, nw);
	}
	if (hidden && (int)shown < in.h)
		ui_printf(&in, (int)shown, 0, UI_S_DIM, "(%u exited not shown)", hidden);
}

/* ---- cards ---- */

uint32_t ui_card_list(const struct ls_mstate *st, uint32_t *out, uint32_t max)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < st->no && n < max; i++)
		if (ui_has_card(st, &st->o[i]))
			out[n++] = i;
	return n;
}

/*
 * How much each card says, from the most to the least: the focused card
 * and the others.  Without a focus, the card of the current event stands
 * in for it.
 */
static const int card_modes[][2] = {
	{ UI_CARD_FULL, UI_CARD_FULL },
	{ UI_CARD_FULL, UI_CARD_INLINE },
	{ UI_CARD_FULL, UI_CARD_COMPACT },
	{ UI_CARD_INLINE, UI_CARD_COMPACT },
	{ UI_CARD_COMPACT, UI_CARD_COMPACT },
};
#define NMODES		(int)(sizeof(card_modes) / sizeof(card_modes[0]))
#define MODE_SCROLL	2	/* when not all fit: scroll, focused card full */

static int card_detail(uint32_t oi, uint32_t focus, int mode)
{
	return card_modes[mode][oi == focus ? 0 : 1];
}

/*
 * The card drawn in full when space is short: the focused one, else the
 * object of the latest event that was about one.
 */
static uint32_t display_focus(const struct ui *u)
{
	const struct ls_mstate *st = ui_state(u);
	uint64_t pos = ui_pos(u);

	if (u->focus < st->no)
		return u->focus;
	for (uint64_t k = pos, n = 0; k > 0 && n < 64; k--, n++) {
		const struct ls_event *ev = ls_model_event(u->m, k - 1);
		int kind = ls_model_event_kind(ev->id);

		if (!ev->obj || ev->id == LS_EV_OBJ_NAME)
			continue;
		/* the event's object, or (GO_PARK, GO_READY) any at its address */
		for (unsigned kd = kind >= 0 ? (unsigned)kind : 1; kd < LS_OBJ__COUNT; kd++) {
			const struct ls_mobject *o = ls_mstate_object(st, ev->obj, kd);

			if (o && o->kind == LS_OBJ_MUTEX && !ui_has_card(st, o) &&
			    o->u.mu.parent < st->no)
				o = &st->o[o->u.mu.parent];
			if (o && ui_has_card(st, o))
				return (uint32_t)(o - st->o);
			if (kind >= 0)
				break;
		}
	}
	return LS_NOIDX;
}

struct flow {
	int	ncol, cw, h;
	uint32_t focus;
	int	placed;		/* cards placed */
	int	y[256], x[256], hh[256];
};

/* Place cards list[first..] column by column; returns how many fit. */
static int flow_cards(const struct ui *u, const uint32_t *list, int n, int first, int mode,
		      int vars_h, struct flow *f)
{
	const struct ls_mstate *st = ui_state(u);
	int col = 0, y = 0;

	f->placed = 0;
	for (int i = first; i <= n; i++) {
		int h;

		if (i == n) {
			if (!vars_h)
				break;
			h = vars_h;
		} else {
			h = ui_card_height(u, &st->o[list[i]], f->cw,
					   card_detail(list[i], f->focus, mode));
		}
		if (h > f->h && y == 0)
			h = f->h;	/* taller than the pane: cut */
		if (y + h > f->h) {
			if (++col >= f->ncol)
				break;
			y = 0;
		}
		if (f->placed >= 256)
			break;
		f->y[f->placed] = y;
		f->x[f->placed] = col * f->cw;
		f->hh[f->placed] = h;
		f->placed++;
		y += h;
	}
	return f->placed;
}

void ui_draw_cards(struct ui *u, const struct ui_win *w)
{
	const struct ls_mstate *st = ui_state(u);
	static uint32_t list[4096];
	int n = (int)ui_card_list(st, list, 4096), total, mode, focus_at = -1;
	int vars_h = ui_vars_height(u, w->w);
	struct flow f;

	total = n + (vars_h ? 1 : 0);
	if (!total) {
		ui_put(w, 0, 1, UI_S_DIM, ui_pos(u) ? "no objects yet" :
		       "no events yet: press space or -> to start");
		return;
	}
	f.ncol = clamp(w->w / CARD_MIN_W, 1, 4);
	f.cw = w->w / f.ncol;
	f.h = w->h;
	f.focus = display_focus(u);
	for (int i = 0; i < n; i++)
		if (list[i] == f.focus)
			focus_at = i;
	if (u->card_top >= total)
		u->card_top = 0;
	/* The most detail that fits, all cards in sight. */
	for (mode = u->compact ? NMODES - 1 : 0; mode < NMODES; mode++) {
		f.h = w->h;
		if (flow_cards(u, list, n, 0, mode, vars_h, &f) == total) {
			/* they fit: spread them over the columns evenly */
			int lo = 1, hi = w->h;

			for (int k = 0; k < f.placed; k++)
				lo = f.hh[k] > lo ? f.hh[k] : lo;
			while (lo < hi) {
				f.h = (lo + hi) / 2;
				if (flow_cards(u, list, n, 0, mode, vars_h, &f) == total)
					hi = f.h;
				else
					lo = f.h + 1;
			}
			f.h = lo;
			flow_cards(u, list, n, 0, mode, vars_h, &f);
			u->card_top = 0;
			break;
		}
	}
	if (mode == NMODES) {
		/* Not all fit: scroll so that the focused card is in sight. */
		mode = u->compact || focus_at < 0 ? NMODES - 1 : MODE_SCROLL;
		f.h = w->h - 1;		/* a row for "more" */
		if (focus_at >= 0 && (focus_at < u->card_top ||
		    focus_at >= u->card_top + flow_cards(u, list, n, u->card_top, mode,
							  vars_h, &f)))
			u->card_top = focus_at;
		flow_cards(u, list, n, u->card_top, mode, vars_h, &f);
		ui_printf(w, w->h - 1, 1, UI_S_DIM, "%s %d of %d objects shown (Tab: next; "
			  "c: compact)", u->gl->ellip, f.placed, total);
	}
	for (int k = 0; k < f.placed; k++) {
		int i = u->card_top + k;
		struct ui_win cw = ui_sub(w, f.y[k], f.x[k], f.hh[k], f.cw);

		if (i == n)
			ui_vars_draw(u, &cw);
		else
			ui_card_draw(u, &cw, &st->o[list[i]], card_detail(list[i], f.focus, mode));
	}
}

/* ---- event log ---- */

bool ui_event_about(const struct ls_mstate *st, const struct ls_event *ev, uint32_t oi)
{
	const struct ls_mobject *o;

	if (oi >= st->no || !ev->obj)
		return false;
	o = &st->o[oi];
	if (ev->obj == o->addr)
		return true;
	if (o->kind == LS_OBJ_ONCE && o->u.once.mutex < st->no)
		return ev->obj == st->o[o->u.once.mutex].addr;
	return false;
}

static bool contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return true;
	return false;
}

bool ui_log_match(struct ui *u, const struct ls_event *ev, uint64_t k, char *line, size_t len)
{
	/* by address: the object may not exist yet at the position shown */
	if (u->follow && u->focus != LS_NOIDX &&
	    !(ev->obj && (ev->obj == u->follow_addr[0] || ev->obj == u->follow_addr[1])))
		return false;
	ls_model_explain(u->m, ev, line, len);
	if (!u->filter[0])
		return true;
	return contains_ci(line, u->filter) || contains_ci(ls_model_event_name(ev->id), u->filter);
}

/* kind: 0 an event before, 1 the event shown, 2 the next one (dim) */
static void log_line(struct ui *u, const struct ui_win *w, int y, uint64_t k,
		     const char *text, int kind)
{
	const struct ls_event *ev = ls_model_event(u->m, k);
	uint64_t t0 = ls_model_event(u->m, 0)->ts;
	int style = kind == 1 ? UI_S_MARK : kind == 2 ? UI_S_DIM : UI_S_NORMAL, x;
	char d[32];

	ui_dur(d, sizeof(d), ev->ts >= t0 ? ev->ts - t0 : 0);
	if (kind == 1)
		ui_put(w, y, 0, UI_S_MARK, u->gl->play);
	x = ui_printf(w, y, 2, kind == 1 ? UI_S_MARK : UI_S_DIM, "#%-6" PRIu64 " %9s ", k + 1, d);
	if (kind == 2)
		x = ui_put(w, y, x, UI_S_DIM, "next: ");
	ui_putw(w, y, x, w->w - x, style, text);
}

void ui_draw_log(struct ui *u, const struct ui_win *w)
{
	struct ui_win in = ui_inner(w);
	uint64_t pos = ui_pos(u), budget = SCAN_BUDGET;
	uint64_t found[64];
	int nf = 0, rows = in.h, next = 0;
	char line[400], title[UI_FILTER_MAX + 160], tag[48];
	bool filtered = u->filter[0] || (u->follow && u->focus != LS_NOIDX);

	if (u->follow && u->focus != LS_NOIDX) {
		snprintf(title, sizeof(title), "events of %s%s%s%s", u->follow_label,
			 u->filter[0] ? " matching \"" : "", u->filter, u->filter[0] ? "\"" : "");
	} else if (u->filter[0]) {
		snprintf(title, sizeof(title), "events matching \"%s\"", u->filter);
	} else {
		snprintf(title, sizeof(title), "events");
	}
	snprintf(tag, sizeof(tag), "%" PRIu64 " of %" PRIu64, pos, ui_count(u));
	ui_box_title(w, u->gl, UI_S_NORMAL, title, UI_S_BOLD, tag, UI_S_DIM);
	if (rows <= 0)
		return;
	/* The next event, dimmed, while paused: what a step will do. */
	if (u->paused && pos < ui_count(u) && rows >= 3 && !filtered)
		next = 1;
	if (rows - next > 64)
		rows = 64 + next;
	for (uint64_t k = pos; k > 0 && nf < rows - next && budget; k--, budget--) {
		const struct ls_event *ev = ls_model_event(u->m, k - 1);

		if (!filtered || ui_log_match(u, ev, k - 1, line, sizeof(line)))
			found[nf++] = k - 1;
	}
	if (!nf && filtered)
		ui_put(&in, 0, 2, UI_S_DIM, budget ? "no matching event up to here" :
		       "no match in the last 20000 events");
	for (int i = 0; i < nf; i++) {
		uint64_t k = found[nf - 1 - i];

		ls_model_explain(u->m, ls_model_event(u->m, k), line, sizeof(line));
		log_line(u, &in, i, k, line, k == pos - 1 ? 1 : 0);
	}
	if (next) {
		ls_model_explain(u->m, ls_model_event(u->m, pos), line, sizeof(line));
		log_line(u, &in, nf, pos, line, 2);
	}
}

/* ---- narration ---- */

struct wrapctx {
	const struct ui_win	*w;
};

static void narr_line(void *ctx, int line, const char *s, size_t len)
{
	struct wrapctx *c = ctx;
	char buf[512];

	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	ui_put(c->w, line, 0, UI_S_BOLD, buf);
}

void ui_draw_narration(struct ui *u, const struct ui_win *w)
{
	const char *note = ui_note(u);
	struct ui_win in = ui_sub(w, 1, 2, w->h - 2, w->w - 3);
	struct wrapctx c = { &in };

	if (!note)
		return;
	ui_box_title(w, u->gl, UI_S_FOCUS, "narration", UI_S_FOCUS, "", UI_S_DIM);
	ui_wrap(note, in.w, narr_line, &c);
}

/* ---- status line ---- */

void ui_draw_status(struct ui *u, const struct ui_win *w)
{
	int x;

	if (u->editing) {
		x = ui_put(w, 0, 0, UI_S_BOLD, "filter the log: /");
		x = ui_put(w, 0, x, UI_S_NORMAL, u->edit);
		ui_put(w, 0, x, UI_S_KEY, "_");
		return;
	}
	if (u->msg[0] && ui_now_ns() < u->msg_until) {
		ui_putw(w, 0, 0, w->w, UI_S_BOLD, u->msg);
		return;
	}
	x = 0;
	if (u->live) {
		if (u->live_done)
			x = ui_printf(w, 0, 0, UI_S_BOLD, "the program has ended; q quits.  ");
		else
			x = ui_printf(w, 0, 0, UI_S_NORMAL, "program running.  ");
	}
	if (u->follow && u->focus != LS_NOIDX) {
		x = ui_printf(w, 0, x, UI_S_FOCUS, "following %s", u->follow_label);
		x = ui_put(w, 0, x, UI_S_DIM, " (f: stop)  ");
	} else if (u->focus < ui_state(u)->no) {
		char lbl[64];

		ls_mobject_label(&ui_state(u)->o[u->focus], lbl, sizeof(lbl));
		x = ui_printf(w, 0, x, UI_S_FOCUS, "%s %s", u->follow ? "following" : "focus:",
			      lbl);
		x = ui_put(w, 0, x, UI_S_DIM, u->follow ? " (f: stop)  " : " (f: follow)  ");
	}
	if (u->filter[0])
		x = ui_printf(w, 0, x, UI_S_NORMAL, "filter \"%s\" (/ then Enter: clear)  ",
			      u->filter);
	if (!x)
		ui_put(w, 0, 0, UI_S_DIM, ui_pos(u) == ui_count(u) && !u->live ?
		       "the end of the trace: Home (g) goes back to the start" :
		       "Tab: focus an object, f: follow it, ?: every key");
}

void ui_draw_footer(struct ui *u, const struct ui_win *w)
{
	ui_fill(w, 0, 0, w->w, ' ', UI_S_BAR);
	ui_draw_keys(u, w);
}

/* ---- the frame ---- */

void ui_draw(struct ui *u)
{
	struct ui_layout *L = &u->lay;
	struct ui_win all = ui_win_all(&u->grid), w;

	ui_grid_clear(&u->grid);
	if (L->too_small) {
		ui_printf(&all, 0, 0, UI_S_ALERT, "terminal too small (%dx%d):", L->cols, L->rows);
		ui_put(&all, 1, 0, UI_S_NORMAL, "lockstep needs at least 50x12.");
		ui_put(&all, 2, 0, UI_S_DIM, "q quits");
		return;
	}
	w = rect_win(u, &L->header);
	ui_draw_header(u, &w);
	w = rect_win(u, &L->footer);
	ui_draw_footer(u, &w);
	if (u->view == UI_VIEW_HELP) {
		w = ui_sub(&all, 1, 0, L->rows - 2, L->cols);
		ui_draw_help(u, &w);
		return;
	}
	if (u->view == UI_VIEW_VERDICT) {
		w = ui_sub(&all, 1, 0, L->rows - 2, L->cols);
		ui_draw_report(u, &w);
		return;
	}
	w = rect_win(u, &L->status);
	ui_draw_status(u, &w);
	if (L->banner.h) {
		w = rect_win(u, &L->banner);
		ui_draw_banner(u, &w);
	}
	if (L->narr.h) {
		w = rect_win(u, &L->narr);
		ui_draw_narration(u, &w);
	}
	w = rect_win(u, &L->cards);
	ui_draw_cards(u, &w);
	w = rect_win(u, &L->gor);
	ui_draw_goroutines(u, &w);
	w = rect_win(u, &L->log);
	ui_draw_log(u, &w);
}
