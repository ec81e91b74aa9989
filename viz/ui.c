// SPDX-License-Identifier: MIT
/*
 * ui.c - the UI's state, the playhead, narration, and the one loop that
 * decides when to draw (see ui.h for the entry points, ui_priv.h for the
 * modules).
 *
 * The loop, once per turn:
 *	1. keys: each handler changes the UI state and says what to redraw;
 *	2. live: pull what the transport has (the model appends it; while
 *	   following the end it also applies it);
 *	3. the playhead: at a speed of N events per second it owes N events a
 *	   second; at full speed it applies events for a time budget and then
 *	   lets a frame be drawn, so a million events replay in batches
 *	   between frames instead of freezing the screen;
 *	4. draw, if anything changed and the last frame is at least 1/50 s
 *	   old (frame pacing), else wait for a key, the transport or the next
 *	   frame.
 *
 * The model is only read by the views.  Seeking is ls_model_seek: from the
 * nearest snapshot, so stepping back costs at most one snapshot interval.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "transport.h"
#include "ui_priv.h"

#define FRAME_NS	(1000000000ull / 50)	/* at most 50 frames a second */
#define APPLY_NS	12000000ull		/* applying events, per frame */
#define APPLY_CHUNK	2048
#define LIVE_POLL_MS	10
#define MSG_NS		4000000000ull

/* Events per second; [0] is "as fast as possible" (replay) or "live". */
const uint32_t ui_speeds[] = {
	0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 100000,
};
const int ui_nspeeds = sizeof(ui_speeds) / sizeof(ui_speeds[0]);

uint64_t ui_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void ui_message(struct ui *u, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(u->msg, sizeof(u->msg), fmt, ap);
	va_end(ap);
	u->msg_until = ui_now_ns() + MSG_NS;
	u->dirty |= UI_DIRTY_STATUS;
}

const struct ls_mstate *ui_state(const struct ui *u)
{
	return ls_model_state(u->m);
}

uint64_t ui_pos(const struct ui *u)
{
	return ls_model_pos(u->m);
}

uint64_t ui_count(const struct ui *u)
{
	return ls_model_count(u->m);
}

/* ---- narration ---- */

static int keep_note(struct ui *u, const char *text, uint32_t *idx)
{
	char *copy;

	if (ls__grow((void **)&u->notes, &u->capnotes, u->nnotes + 1, sizeof(*u->notes)))
		return -ENOMEM;
	copy = strdup(text);
	if (!copy)
		return -ENOMEM;
	u->notes[u->nnotes] = copy;
	*idx = (uint32_t)u->nnotes++;
	return 0;
}

static int add_moment(struct ui *u, uint64_t ev, const struct ls_ui_note *note)
{
	uint32_t idx = UINT32_MAX;

	if (ls__grow((void **)&u->moments, &u->capmoments, u->nmoments + 1,
		     sizeof(*u->moments)))
		return -ENOMEM;
	if (note->text && keep_note(u, note->text, &idx))
		return -ENOMEM;
	u->moments[u->nmoments++] = (struct ui_moment){ ev, idx, note->pause };
	return 0;
}

/* The name of ev's object, for cues. */
static const char *event_object_name(const struct ls_mstate *st, const struct ls_event *ev)
{
	int kind = ls_model_event_kind(ev->id);
	const struct ls_mobject *o = NULL;

	if (!ev->obj)
		return NULL;
	if (kind >= 0)
		o = ls_mstate_object(st, ev->obj, (unsigned)kind);
	for (uint32_t i = 0; !o && i < st->no; i++)
		if (st->o[i].addr == ev->obj)
			o = &st->o[i];
	return o ? o->name : NULL;
}

static bool cue_matches(const struct ui *u, const struct ls_ui_cue *c,
			const struct ls_mstate *st, const struct ls_event *ev)
{
	const struct ls_mgoroutine *g;
	const char *on;

	if (c->event && c->event != ev->id)
		return false;
	if (c->goroutine) {
		g = ls_mstate_goroutine(st, ev->goid);
		if (!g || strcmp(g->name, c->goroutine))
			return false;
	}
	if (c->object) {
		on = event_object_name(st, ev);
		if (!on || strcmp(on, c->object))
			return false;
	}
	return !c->when || c->when(st, ev, u->o->cue_ctx);
}

/* Narration for the event just applied (position scanned + 1). */
static void scan_one(struct ui *u)
{
	const struct ls_ui_opts *o = u->o;
	const struct ls_mstate *st = ui_state(u);
	uint64_t k = u->scanned;
	const struct ls_event *ev = ls_model_event(u->m, k);
	struct ls_ui_note note = { 0 }, extra;
	bool hit = false;

	u->scanned++;
	if (!ev)
		return;
	if (u->next_cue < o->ncues && cue_matches(u, &o->cues[u->next_cue], st, ev)) {
		note = o->cues[u->next_cue++].note;
		hit = true;
	}
	memset(&extra, 0, sizeof(extra));
	if (o->narrate && o->narrate(o->narrate_ctx, st, ev, k, &extra)) {
		if (extra.text)
			note.text = extra.text;
		note.pause |= extra.pause;
		hit = true;
	}
	if (hit && !add_moment(u, k, &note) && note.pause && !u->o->bench) {
		u->paused = true;
		u->dirty |= UI_DIRTY_LAYOUT;
	}
}

/* The last moment at or before event k - 1, or -1. */
static ssize_t moment_before(const struct ui *u, uint64_t k)
{
	size_t lo = 0, hi = u->nmoments;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (u->moments[mid].ev < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (ssize_t)lo - 1;
}

const char *ui_note(const struct ui *u)
{
	for (ssize_t i = moment_before(u, ui_pos(u)); i >= 0; i--)
		if (u->moments[i].note != UINT32_MAX)
			return u->notes[u->moments[i].note];
	return u->o->intro;
}

/* First pausing moment in events [from, to), or UINT64_MAX. */
static uint64_t pause_between(const struct ui *u, uint64_t from, uint64_t to)
{
	for (size_t i = (size_t)(moment_before(u, from) + 1); i < u->nmoments; i++) {
		if (u->moments[i].ev >= to)
			break;
		if (u->moments[i].pause)
			return u->moments[i].ev;
	}
	return UINT64_MAX;
}

/* ---- the playhead ---- */

static void model_seek(struct ui *u, uint64_t k)
{
	int err = ls_model_seek(u->m, k);

	if (err)
		ui_message(u, "cannot move to event %" PRIu64 ": %s", k, strerror(-err));
}

/*
 * Move towards k, scanning narration on first sight of an event; with
 * stop_at_pause, halt after a pausing event.  deadline 0: no time limit.
 */
static void advance(struct ui *u, uint64_t k, bool stop_at_pause, uint64_t deadline)
{
	while (ui_pos(u) < k) {
		uint64_t pos = ui_pos(u), to = pos + APPLY_CHUNK < k ? pos + APPLY_CHUNK : k, p;

		if (u->narrated && pos >= u->scanned) {
			bool was = u->paused;

			model_seek(u, pos + 1);
			if (ui_pos(u) != pos + 1)
				return;
			scan_one(u);
			if (stop_at_pause && u->paused && !was)
				return;
			u->paused = was;
		} else {
			p = stop_at_pause ? pause_between(u, pos, to) : UINT64_MAX;
			if (p != UINT64_MAX)
				to = p + 1;
			model_seek(u, to);
			if (p != UINT64_MAX) {
				u->paused = true;
				return;
			}
			if (ui_pos(u) != to)
				return;
		}
		if (deadline && ((ui_pos(u) & 255) == 0 || ui_pos(u) == to) &&
		    ui_now_ns() > deadline)
			return;
	}
}

void ui_seek(struct ui *u, uint64_t k)
{
	uint64_t count = ui_count(u);

	if (k > count)
		k = count;
	if (k > ui_pos(u))
		advance(u, k, false, 0);
	else
		model_seek(u, k);
	u->credit = 0;
	u->dirty |= UI_DIRTY_LAYOUT;
}

/* Where the playhead goes by itself. */
static void play(struct ui *u, uint64_t now)
{
	uint64_t pos = ui_pos(u), count = ui_count(u), target;
	uint32_t speed = ui_speeds[u->speed];

	if (u->paused || pos >= count) {
		u->tick = now;
		u->credit = 0;
		return;
	}
	if (u->speed == UI_SPEED_MAX) {
		target = count;
	} else {
		u->credit += (double)(now - u->tick) * speed / 1e9;
		if (u->credit > speed)
			u->credit = speed;	/* after a stall, do not leap */
		target = pos + (uint64_t)u->credit;
		if (target > count)
			target = count;
		u->credit -= (double)(uint64_t)u->credit;	/* keep the fraction */
	}
	u->tick = now;
	if (target > pos) {
		advance(u, target, true, now + APPLY_NS);
		u->dirty |= UI_DIRTY_LAYOUT;
	}
}

/* Live: follow the end of the stream when playing at full speed. */
static void set_follow(struct ui *u)
{
	bool f = u->live && !u->paused && u->speed == UI_SPEED_MAX &&
		 ui_pos(u) == ui_count(u);

	ls_model_set_follow(u->m, f);
}

/* ---- live events ---- */

static int on_event(const struct ls_event *e, void *ctx)
{
	struct ui *u = ctx;
	bool applied;
	int err;

	if (u->o->on_event) {
		err = u->o->on_event(e, u->o->on_event_ctx);
		if (err < 0)
			return err;
	}
	err = ls_model_push(u->m, e);
	if (err)
		return err;
	if (u->det && !u->det_done)
		ls_detect_feed(u->det, e);
	if (e->id == LS_EV_SCHED_ON || e->id == LS_EV_SCHED_OFF)
		u->has_cpu = true;
	applied = ui_pos(u) == ui_count(u);
	if (applied && u->narrated && u->scanned + 1 == ui_pos(u)) {
		scan_one(u);
		if (u->paused)
			ls_model_set_follow(u->m, false);
	}
	u->dirty |= applied ? UI_DIRTY_LAYOUT : UI_DIRTY_HEADER;
	return 0;
}

static void live_poll(struct ui *u, int timeout_ms)
{
	int n, status;

	if (u->live_done) {
		ui_term_wait(timeout_ms);
		return;
	}
	set_follow(u);
	n = ls_transport_poll(u->t, timeout_ms, on_event, u);
	if (n > 0)
		u->last_arrival = ui_now_ns();
	if (n < 0 && n != -EINTR) {
		u->live_done = true;
		ui_message(u, "the event stream failed: %s", strerror(-n));
	}
	if (ls_transport_done(u->t) && !u->live_done) {
		u->live_done = true;
		status = ls_transport_exit_status(u->t);
		if (status >= 0)
			ui_message(u, "the program exited with status %d", status);
		else
			ui_message(u, "the program has ended");
	}
	if (u->live_done && u->det && !u->det_done) {
		ls_detect_finish(u->det, u->o->detect_flags ?
				 u->o->detect_flags(u->o->on_event_ctx) : 0);
		u->det_done = true;
		/* repaint: the program may have written over the screen */
		u->dirty |= UI_DIRTY_LAYOUT | UI_DIRTY_REPAINT;
	}
}

/* ---- setup ---- */

static int speed_index(uint32_t eps)
{
	int best = 1;

	for (int i = 1; i < ui_nspeeds; i++)
		if (ui_speeds[i] <= eps)
			best = i;
	return best;
}

static void ui_init(struct ui *u, struct ls_model *m, const struct ls_ui_opts *o, bool live)
{
	static const struct ls_ui_opts none;
	const char *title;

	memset(u, 0, sizeof(*u));
	u->m = m;
	u->o = o ? o : &none;
	o = u->o;
	u->live = live;
	u->focus = LS_NOIDX;
	u->paused = o->paused;
	if (o->speed)
		u->speed = speed_index(o->speed);
	else
		u->speed = live ? UI_SPEED_MAX : speed_index(20);
	u->narrated = o->ncues || o->narrate || o->intro;
	u->gl = &ui_glyphs_ascii;
	u->grid.ascii = true;
	title = o->title ? strrchr(o->title, '/') : NULL;
	title = title ? title + 1 : o->title ? o->title : "";
	snprintf(u->title, sizeof(u->title), "%s%s%s", live ? "live" : "replay",
		 *title ? " " : "", title);
	u->tick = ui_now_ns();
	u->last_arrival = u->tick;
}

static void set_glyphs(struct ui *u, bool utf8)
{
	u->utf8 = utf8 && !u->o->ascii;
	u->gl = u->utf8 ? &ui_glyphs_utf8 : &ui_glyphs_ascii;
	u->grid.ascii = !u->utf8;
}

/* A trace with sched events says who is on a CPU. */
static void find_cpu(struct ui *u)
{
	uint64_t n = ui_count(u);

	for (uint64_t k = 0; k < n && k < 100000; k++) {
		const struct ls_event *e = ls_model_event(u->m, k);

		if (e->id == LS_EV_SCHED_ON || e->id == LS_EV_SCHED_OFF) {
			u->has_cpu = true;
			return;
		}
	}
}

static int own_detector(struct ui *u, bool feed)
{
	u->det = u->o->detect;
	if (u->det) {
		u->det_done = !u->live;
		return 0;
	}
	u->det = ls_detect_new(NULL);
	if (!u->det)
		return -ENOMEM;
	u->own_det = true;
	if (!feed)
		return 0;
	for (uint64_t k = 0; k < ui_count(u); k++)
		ls_detect_feed(u->det, ls_model_event(u->m, k));
	ls_detect_finish(u->det, 0);
	u->det_done = true;
	return 0;
}

static void ui_free(struct ui *u)
{
	for (size_t i = 0; i < u->nnotes; i++)
		free(u->notes[i]);
	free(u->notes);
	free(u->moments);
	free(u->now);
	ui_grid_free(&u->grid);
	if (u->own_det)
		ls_detect_free(u->det);
}

/* ---- frames ---- */

static void frame(struct ui *u)
{
	int rows, cols;

	ui_term_size(&rows, &cols);
	if (rows != u->grid.h || cols != u->grid.w) {
		if (ui_grid_resize(&u->grid, cols, rows))
			return;
		u->dirty |= UI_DIRTY_REPAINT;
	}
	ui_layout(u, rows, cols);
	ui_draw(u);
	ui_term_blit(&u->grid, u->dirty & UI_DIRTY_REPAINT);
	u->dirty = 0;
}

/* How long the loop may sleep before something needs doing. */
static int wait_ms(struct ui *u, uint64_t now, uint64_t next_frame)
{
	uint64_t until = UINT64_MAX;

	if (u->dirty || (!u->paused && ui_pos(u) < ui_count(u)))
		until = next_frame;
	if (u->msg_until && u->msg_until < until)
		until = u->msg_until;
	if (until == UINT64_MAX)
		return -1;
	return until <= now ? 0 : (int)((until - now + 999999) / 1000000);
}

static int run(struct ui *u)
{
	uint64_t next_frame = 0, shown = UINT64_MAX;

	u->dirty = UI_DIRTY_ALL | UI_DIRTY_REPAINT;
	while (!u->quit) {
		uint64_t now = ui_now_ns();
		int key, ms;

		if (ui_term_signal())
			return -EINTR;
		while (!u->quit && (key = ui_term_key()) >= 0)
			u->dirty |= ui_key(u, key);
		if (u->quit)
			break;
		play(u, now);
		ui_refresh_now(u);
		if (u->msg_until && now >= u->msg_until) {
			u->msg_until = 0;
			u->dirty |= UI_DIRTY_STATUS;
		}
		if (ui_pos(u) != shown) {
			shown = ui_pos(u);
			u->dirty |= UI_DIRTY_LAYOUT;
		}
		now = ui_now_ns();
		if (u->dirty && now >= next_frame) {
			frame(u);
			next_frame = now + FRAME_NS;
		}
		ms = wait_ms(u, ui_now_ns(), next_frame);
		if (u->live && !u->live_done)
			live_poll(u, ms < 0 || ms > LIVE_POLL_MS ? LIVE_POLL_MS : ms);
		else if (u->live && !u->det_done)
			live_poll(u, 0);
		else if (ms)
			ui_term_wait(ms);
	}
	return 0;
}

/*
 * The benchmark: play from the start to the end drawing a frame after
 * every batch of events, then jump to random positions, drawing each.
 */
static int run_bench(struct ui *u)
{
	struct ls_ui_stats *s = u->o->stats;
	uint64_t count = ui_count(u), t0, seeks;
	unsigned int seed = 1;

	if (!s)
		return -EINVAL;
	if (!s->batch)
		s->batch = count / 2000 ? count / 2000 : 1;
	seeks = s->seeks ? s->seeks : 1000;
	u->paused = true;
	model_seek(u, 0);
	t0 = ui_now_ns();
	while (!ui_term_signal()) {
		uint64_t f0 = ui_now_ns(), d0, t, pos = ui_pos(u);

		advance(u, pos + s->batch < count ? pos + s->batch : count, false, 0);
		s->events += ui_pos(u) - pos;
		d0 = ui_now_ns();
		u->dirty = UI_DIRTY_LAYOUT;
		frame(u);
		t = ui_now_ns();
		s->frames++;
		s->draw_ns += t - d0;
		if (t - f0 > s->max_frame_ns)
			s->max_frame_ns = t - f0;
		if (ui_pos(u) >= count)
			break;
	}
	s->ns = ui_now_ns() - t0;
	for (s->seeks = 0; s->seeks < seeks && count && !ui_term_signal(); s->seeks++) {
		uint64_t f0 = ui_now_ns(), t;

		model_seek(u, (uint64_t)rand_r(&seed) % (count + 1));
		u->dirty = UI_DIRTY_LAYOUT;
		frame(u);
		t = ui_now_ns() - f0;
		s->seek_ns += t;
		if (t > s->max_seek_ns)
			s->max_seek_ns = t;
	}
	return ui_term_signal() ? -EINTR : 0;
}

static int start(struct ui *u)
{
	struct ui_term_opts to = {
		.mono = u->o->mono, .bench = u->o->bench,
		.cols = u->o->bench_cols, .rows = u->o->bench_rows,
	};
	bool utf8 = false;
	int err = ui_term_start(&to, &u->mono, &utf8);

	if (err)
		return err;
	set_glyphs(u, utf8);
	return 0;
}

int ls_ui_replay(struct ls_model *m, const struct ls_ui_opts *o)
{
	struct ui u;
	int err;

	ui_init(&u, m, o, false);
	err = own_detector(&u, true);
	if (err)
		goto out;
	ls_model_set_follow(m, false);
	find_cpu(&u);
	if (u.narrated) {
		/* narration is decided in order, from the first event */
		model_seek(&u, 0);
	}
	ui_seek(&u, u.o->at > 0 ? (uint64_t)u.o->at : 0);
	u.paused = u.o->paused;
	err = start(&u);
	if (err)
		goto out;
	err = u.o->bench ? run_bench(&u) : run(&u);
	ui_term_stop();
out:
	ui_free(&u);
	return err;
}

int ls_ui_live(struct ls_transport *t, struct ls_model *m, const struct ls_ui_opts *o)
{
	struct ui u;
	int err;

	ui_init(&u, m, o, true);
	u.t = t;
	err = own_detector(&u, false);
	if (err)
		goto out;
	/* events the caller pushed before: the UI's own detector sees them */
	if (u.own_det)
		for (uint64_t k = 0; k < ui_count(&u); k++)
			ls_detect_feed(u.det, ls_model_event(m, k));
	u.scanned = ui_pos(&u);
	set_follow(&u);
	err = start(&u);
	if (err)
		goto out;
	err = run(&u);
	ui_term_stop();
out:
	ui_free(&u);
	return err;
}

/* ---- text, without curses ---- */

int ls_ui_print_state(const struct ls_model *m, int cols, bool ascii, FILE *out)
{
	struct ui u;
	const struct ls_mstate *st = ls_model_state(m);
	static uint32_t list[4096];
	uint32_t n = ui_card_list(st, list, 4096);
	int h, y, err;
	struct ui_win all, w;

	ui_init(&u, (struct ls_model *)m, NULL, false);
	set_glyphs(&u, !ascii);
	if (cols < 40)
		cols = 40;
	h = (int)st->ng + 2 + ui_vars_height(&u, cols);
	for (uint32_t i = 0; i < n; i++)
		h += ui_card_height(&u, &st->o[list[i]], cols, UI_CARD_FULL);
	err = ui_grid_resize(&u.grid, cols, h);
	if (err)
		goto out;
	all = ui_win_all(&u.grid);
	w = ui_sub(&all, 0, 0, (int)st->ng + 2, cols);
	ui_draw_goroutines(&u, &w);
	y = w.h;
	for (uint32_t i = 0; i < n; i++) {
		int ch = ui_card_height(&u, &st->o[list[i]], cols, UI_CARD_FULL);

		w = ui_sub(&all, y, 0, ch, cols);
		ui_card_draw(&u, &w, &st->o[list[i]], UI_CARD_FULL);
		y += ch;
	}
	if (ui_vars_height(&u, cols)) {
		w = ui_sub(&all, y, 0, ui_vars_height(&u, cols), cols);
		ui_vars_draw(&u, &w);
	}
	err = ui_grid_write(&u.grid, out);
out:
	ui_free(&u);
	return err;
}

int ls_ui_print_screen(struct ls_model *m, const struct ls_ui_opts *o, int cols, int rows,
		       FILE *out)
{
	struct ui u;
	int err;

	ui_init(&u, m, o, false);
	set_glyphs(&u, !(o && o->ascii));
	err = own_detector(&u, true);
	if (!err && u.narrated) {
		/* narration is decided in order, from the first event */
		uint64_t pos = ui_pos(&u);

		model_seek(&u, 0);
		ui_seek(&u, pos);
	}
	if (!err)
		err = ui_grid_resize(&u.grid, cols, rows);
	if (!err) {
		find_cpu(&u);
		ui_layout(&u, rows, cols);
		ui_draw(&u);
		err = ui_grid_write(&u.grid, out);
	}
	ui_free(&u);
	return err;
}
