// SPDX-License-Identifier: MIT
/*
 * ui_keys.c - every key, in one table: the handlers dispatch from it, the
 * help screen lists it, the footer picks its hints from it (STYLE.md: the
 * help screen lists every key).
 *
 * A handler changes the UI state (never the model's content: moving the
 * playhead is ui_seek) and returns what needs redrawing, UI_DIRTY_*.
 */
#define _GNU_SOURCE
#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ui_priv.h"

#define SEARCH_MAX	2000000	/* events [ and ] look through */
#define BIG_STEP	100

enum ui_action {
	A_PAUSE = 1, A_STEP, A_BACK, A_BIG_STEP, A_BIG_BACK, A_START, A_END,
	A_FASTER, A_SLOWER, A_FOCUS_NEXT, A_FOCUS_PREV, A_FOLLOW, A_NEXT_HIT,
	A_PREV_HIT, A_FILTER, A_VERDICT, A_COMPACT, A_EXITED, A_SAVE, A_HELP,
	A_ESCAPE, A_REDRAW, A_QUIT,
};

struct ui_keydef {
	int		keys[4];	/* 0-terminated */
	const char	*names;		/* as the help shows them */
	const char	*what;
	enum ui_action	act;
	const char	*hint;		/* footer: "key label", NULL: not shown */
};

static const struct ui_keydef keydefs[] = {
	{ { ' ' }, "space", "pause / resume the animation (PAUSED shows in the header)",
	  A_PAUSE, NULL },
	{ { UI_FKEY(KEY_RIGHT), 'n' }, "Right  n", "step one event forward (pauses)",
	  A_STEP, "n step" },
	{ { UI_FKEY(KEY_LEFT), 'p' }, "Left  p", "step one event back (pauses)", A_BACK,
	  "p back" },
	{ { UI_FKEY(KEY_NPAGE) }, "PgDn", "100 events forward", A_BIG_STEP, NULL },
	{ { UI_FKEY(KEY_PPAGE) }, "PgUp", "100 events back", A_BIG_BACK, NULL },
	{ { UI_FKEY(KEY_HOME), 'g' }, "Home  g", "jump to the start", A_START, "g/G start/end" },
	{ { UI_FKEY(KEY_END), 'G' }, "End  G", "jump to the end (live: follow the program)",
	  A_END, NULL },
	{ { '+', '=' }, "+", "faster (events per second; the last step is max)", A_FASTER,
	  "+/- speed" },
	{ { '-', '_' }, "-", "slower", A_SLOWER, NULL },
	{ { '\t' }, "Tab", "focus the next object (its card is drawn in full)", A_FOCUS_NEXT,
	  "Tab focus" },
	{ { UI_FKEY(KEY_BTAB) }, "Shift-Tab", "focus the previous object", A_FOCUS_PREV, NULL },
	{ { 'f' }, "f", "follow the focused object: its card stays in sight and the log "
	  "shows only its events (again: stop)", A_FOLLOW, "f follow" },
	{ { ']' }, "]", "jump to the next event of the followed object, or matching the filter",
	  A_NEXT_HIT, NULL },
	{ { '[' }, "[", "jump back to the previous such event", A_PREV_HIT, NULL },
	{ { '/' }, "/", "filter the log by text (Enter applies, Esc cancels, empty clears)",
	  A_FILTER, "/ filter" },
	{ { 'v' }, "v", "the verdict: everything the detectors found, and their report",
	  A_VERDICT, "v verdict" },
	{ { 'c' }, "c", "compact cards on / off", A_COMPACT, NULL },
	{ { 'e' }, "e", "hide / show exited goroutines", A_EXITED, NULL },
	{ { 's' }, "s", "save the screen to a text file (the path shows in the status line)",
	  A_SAVE, "s save" },
	{ { '?', 'h', UI_FKEY(KEY_F(1)) }, "?  h  F1", "this help", A_HELP, "? help" },
	{ { UI_ESC }, "Esc", "close this help or the verdict; else stop following, clear "
	  "the filter and the focus", A_ESCAPE, NULL },
	{ { UI_CTRL('l') }, "Ctrl-L", "redraw the whole screen", A_REDRAW, NULL },
	{ { 'q', 'Q' }, "q", "quit", A_QUIT, "q quit" },
};

#define NKEYS	(sizeof(keydefs) / sizeof(keydefs[0]))

static const struct ui_keydef *find_key(int key)
{
	for (size_t i = 0; i < NKEYS; i++)
		for (int k = 0; k < 4 && keydefs[i].keys[k]; k++)
			if (keydefs[i].keys[k] == key)
				return &keydefs[i];
	return NULL;
}

/* ---- actions ---- */

static unsigned step(struct ui *u, int64_t delta)
{
	uint64_t pos = ui_pos(u), count = ui_count(u), k;

	u->paused = true;
	if (delta < 0)
		k = pos > (uint64_t)-delta ? pos - (uint64_t)-delta : 0;
	else
		k = pos + (uint64_t)delta < count ? pos + (uint64_t)delta : count;
	if (k == pos)
		ui_message(u, k ? "at the last event (%" PRIu64 ")" : "at the start: no event "
			   "applied yet", k);
	ui_seek(u, k);
	return UI_DIRTY_LAYOUT;
}

static unsigned focus(struct ui *u, int dir)
{
	static uint32_t list[4096];
	uint32_t n = ui_card_list(ui_state(u), list, 4096), at = n;

	if (!n) {
		ui_message(u, "no object to focus yet");
		return UI_DIRTY_STATUS;
	}
	for (uint32_t i = 0; i < n; i++)
		if (list[i] == u->focus)
			at = i;
	if (at == n)
		at = dir > 0 ? 0 : n - 1;
	else
		at = (at + n + (uint32_t)dir) % n;
	u->focus = list[at];
	return UI_DIRTY_LAYOUT;
}

static unsigned follow(struct ui *u)
{
	const struct ls_event *cur;

	if (u->follow) {
		u->follow = false;
		return UI_DIRTY_LAYOUT;
	}
	if (u->focus >= ui_state(u)->no) {
		/* nothing focused: the object of the event shown */
		cur = ui_pos(u) ? ls_model_event(u->m, ui_pos(u) - 1) : NULL;
		u->focus = LS_NOIDX;
		for (uint32_t i = 0; cur && i < ui_state(u)->no; i++) {
			if (ui_has_card(ui_state(u), &ui_state(u)->o[i]) &&
			    ui_event_about(ui_state(u), cur, i)) {
				u->focus = i;
				break;
			}
		}
		if (u->focus == LS_NOIDX) {
			ui_message(u, "nothing to follow: focus an object with Tab first");
			return UI_DIRTY_STATUS;
		}
	}
	u->follow = true;
	{
		const struct ls_mstate *st = ui_state(u);
		const struct ls_mobject *o = &st->o[u->focus];

		u->follow_addr[0] = o->addr;
		u->follow_addr[1] = o->kind == LS_OBJ_ONCE && o->u.once.mutex < st->no ?
				    st->o[o->u.once.mutex].addr : 0;
		ls_mobject_label(o, u->follow_label, sizeof(u->follow_label));
	}
	return UI_DIRTY_LAYOUT;
}

/* ] and [: the next event the log's filter would show. */
static unsigned hit(struct ui *u, int dir)
{
	uint64_t pos = ui_pos(u), count = ui_count(u), k, n = 0;
	char line[400];

	if (!u->filter[0] && !(u->follow && u->focus != LS_NOIDX)) {
		ui_message(u, "[ and ] need an object followed (f) or a filter (/)");
		return UI_DIRTY_STATUS;
	}
	/* the event shown is pos - 1: search after it, or before it */
	for (k = dir > 0 ? pos : (pos >= 2 ? pos - 2 : count); n < SEARCH_MAX && k < count;
	     n++, k = dir > 0 ? k + 1 : (k ? k - 1 : count)) {
		if (ui_log_match(u, ls_model_event(u->m, k), k, line, sizeof(line))) {
			u->paused = true;
			ui_seek(u, k + 1);
			return UI_DIRTY_LAYOUT;
		}
	}
	ui_message(u, "no %s matching event", dir > 0 ? "later" : "earlier");
	return UI_DIRTY_STATUS;
}

static unsigned escape(struct ui *u)
{
	if (u->view != UI_VIEW_MAIN) {
		u->view = UI_VIEW_MAIN;
		return UI_DIRTY_LAYOUT;
	}
	u->follow = false;
	u->filter[0] = '\0';
	u->focus = LS_NOIDX;
	return UI_DIRTY_LAYOUT;
}

static unsigned speed(struct ui *u, int dir)
{
	/* ui_speeds: [0] is max, then slow to fast */
	int i = u->speed == UI_SPEED_MAX ? ui_nspeeds : u->speed;

	i += dir;
	if (i < 1)
		i = 1;
	if (i >= ui_nspeeds)
		i = UI_SPEED_MAX;
	u->speed = i;
	u->credit = 0;
	u->tick = ui_now_ns();
	if (i == UI_SPEED_MAX)
		ui_message(u, "speed: %s", u->live ? "live (as events arrive)" :
			   "max (as fast as frames allow)");
	else
		ui_message(u, "speed: %u events per second", ui_speeds[i]);
	return UI_DIRTY_HEADER | UI_DIRTY_STATUS;
}

unsigned ui_save_screen(struct ui *u)
{
	const char *dir = getenv("LOCKSTEP_SCREEN_DIR");
	char path[512];
	FILE *f = NULL;
	int fd = -1;

	if (!dir || !*dir)
		dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	for (int tries = 0; tries < 100 && fd < 0; tries++) {
		snprintf(path, sizeof(path), "%s/lockstep-screen-%d-%" PRIu64 ".txt", dir,
			 (int)getpid(), ++u->screens);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd >= 0)
		f = fdopen(fd, "w");
	if (!f) {
		ui_message(u, "cannot save the screen in %s: %s", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		return UI_DIRTY_STATUS;
	}
	if (ui_grid_write(&u->grid, f) | fclose(f))
		ui_message(u, "error writing %s", path);
	else
		ui_message(u, "screen saved to %s", path);
	return UI_DIRTY_STATUS;
}

static unsigned act(struct ui *u, enum ui_action a)
{
	switch (a) {
	case A_PAUSE:
		u->paused = !u->paused;
		u->tick = ui_now_ns();
		u->credit = 0;
		return UI_DIRTY_LAYOUT;
	case A_STEP:
		return step(u, 1);
	case A_BACK:
		return step(u, -1);
	case A_BIG_STEP:
		return step(u, BIG_STEP);
	case A_BIG_BACK:
		return step(u, -BIG_STEP);
	case A_START:
		ui_seek(u, 0);
		return UI_DIRTY_LAYOUT;
	case A_END:
		ui_seek(u, ui_count(u));
		if (u->live) {
			u->paused = false;
			u->speed = UI_SPEED_MAX;
		}
		return UI_DIRTY_LAYOUT;
	case A_FASTER:
		return speed(u, 1);
	case A_SLOWER:
		return speed(u, -1);
	case A_FOCUS_NEXT:
		return focus(u, 1);
	case A_FOCUS_PREV:
		return focus(u, -1);
	case A_FOLLOW:
		return follow(u);
	case A_NEXT_HIT:
		return hit(u, 1);
	case A_PREV_HIT:
		return hit(u, -1);
	case A_FILTER:
		u->editing = true;
		snprintf(u->edit, sizeof(u->edit), "%s", u->filter);
		return UI_DIRTY_STATUS | UI_DIRTY_HEADER;
	case A_VERDICT:
		u->view = u->view == UI_VIEW_VERDICT ? UI_VIEW_MAIN : UI_VIEW_VERDICT;
		u->scroll = 0;
		return UI_DIRTY_LAYOUT;
	case A_COMPACT:
		u->compact = !u->compact;
		return UI_DIRTY_LAYOUT;
	case A_EXITED:
		u->hide_exited = !u->hide_exited;
		return UI_DIRTY_BODY;
	case A_SAVE:
		return ui_save_screen(u);
	case A_HELP:
		u->view = u->view == UI_VIEW_HELP ? UI_VIEW_MAIN : UI_VIEW_HELP;
		u->scroll = 0;
		return UI_DIRTY_LAYOUT;
	case A_ESCAPE:
		return escape(u);
	case A_REDRAW:
		return UI_DIRTY_LAYOUT | UI_DIRTY_REPAINT;
	case A_QUIT:
		u->quit = true;
		return 0;
	}
	return 0;
}

/* Typing the filter: the status line is a one-line editor. */
static unsigned edit_key(struct ui *u, int key)
{
	size_t n = strlen(u->edit);

	switch (key) {
	case '\n':
	case '\r':
	case UI_FKEY(KEY_ENTER):
		snprintf(u->filter, sizeof(u->filter), "%s", u->edit);
		u->editing = false;
		return UI_DIRTY_LAYOUT;
	case UI_ESC:
		u->editing = false;
		return UI_DIRTY_STATUS;
	case UI_FKEY(KEY_BACKSPACE):
	case 127:
	case '\b':
		/* drop one UTF-8 character */
		while (n && (u->edit[n - 1] & 0xc0) == 0x80)
			u->edit[--n] = '\0';
		if (n)
			u->edit[--n] = '\0';
		return UI_DIRTY_STATUS;
	case UI_CTRL('u'):
		u->edit[0] = '\0';
		return UI_DIRTY_STATUS;
	}
	if (key >= 0x20 && key < 0x110000 && key != 0x7f) {
		char buf[8];
		int len = 0;

		/* encode as UTF-8 */
		if (key < 0x80) {
			buf[len++] = (char)key;
		} else if (key < 0x800) {
			buf[len++] = (char)(0xc0 | (key >> 6));
			buf[len++] = (char)(0x80 | (key & 0x3f));
		} else if (key < 0x10000) {
			buf[len++] = (char)(0xe0 | (key >> 12));
			buf[len++] = (char)(0x80 | ((key >> 6) & 0x3f));
			buf[len++] = (char)(0x80 | (key & 0x3f));
		}
		if (len && n + (size_t)len < sizeof(u->edit)) {
			memcpy(u->edit + n, buf, (size_t)len);
			u->edit[n + (size_t)len] = '\0';
		}
	}
	return UI_DIRTY_STATUS;
}

/* Help and report: arrows scroll, anything else goes back. */
static unsigned view_key(struct ui *u, int key)
{
	switch (key) {
	case UI_FKEY(KEY_DOWN):
	case 'j':
		u->scroll++;
		return UI_DIRTY_LAYOUT;
	case UI_FKEY(KEY_UP):
	case 'k':
		u->scroll = u->scroll > 0 ? u->scroll - 1 : 0;
		return UI_DIRTY_LAYOUT;
	case UI_FKEY(KEY_NPAGE):
	case ' ':
		u->scroll += u->lay.rows / 2;
		return UI_DIRTY_LAYOUT;
	case UI_FKEY(KEY_PPAGE):
		u->scroll = u->scroll > u->lay.rows / 2 ? u->scroll - u->lay.rows / 2 : 0;
		return UI_DIRTY_LAYOUT;
	case 'q':
	case 'Q':
		if (u->view == UI_VIEW_VERDICT) {
			u->quit = true;
			return 0;
		}
		break;
	case 's':
		return ui_save_screen(u);
	case UI_FKEY(KEY_RESIZE):
		return UI_DIRTY_LAYOUT | UI_DIRTY_REPAINT;
	}
	u->view = UI_VIEW_MAIN;
	return UI_DIRTY_LAYOUT;
}

unsigned ui_key(struct ui *u, int key)
{
	const struct ui_keydef *k;

	if (key == UI_FKEY(KEY_RESIZE))
		return UI_DIRTY_LAYOUT | UI_DIRTY_REPAINT;
	if (u->editing)
		return edit_key(u, key);
	if (u->view != UI_VIEW_MAIN)
		return view_key(u, key);
	k = find_key(key);
	if (!k) {
		if (key > 0x20 && key < 0x7f)
			ui_message(u, "'%c' does nothing here: ? lists the keys", key);
		return UI_DIRTY_STATUS;
	}
	return act(u, k->act);
}

/* ---- help ---- */

static const char *const legend[] = {
	"Symbols",
	"  goroutines   > running   . runnable   = parked (Go's wait reason follows)   x exited",
	"  cards        the current event's object has a bullet in its title; the focused",
	"               card is drawn with heavy lines",
	"  sync.Mutex   [waiters=N | S W L]: the state word; S starving, W woken, L locked,",
	"               with each bit's value (0/1) under its letter; waiters queue head to",
	"               tail; LIFO: re-queued at the head after losing a race; handoff: the",
	"               waiter Unlock passed ownership to (starvation mode)",
	"  RWMutex      readerCount goes negative (-2^30 + readers) while a writer is pending",
	"  chan         slots of the ring buffer with their values; recvx and sendx point at",
	"               the next slot to receive from and to send into",
	"",
	"Modes",
	"  replay: the whole trace is loaded; play it at a speed, pause, step back and forth.",
	"  live: events arrive as the program runs; End follows them; after the program",
	"  ends the final state and the verdict stay on screen until q.",
};

void ui_draw_help(struct ui *u, const struct ui_win *w)
{
	int y = -u->scroll;

	ui_put(w, y++, 1, UI_S_BOLD, "lockstep: keys (any other key returns; arrows scroll)");
	y++;
	for (size_t i = 0; i < NKEYS; i++, y++) {
		ui_put(w, y, 2, UI_S_KEY, keydefs[i].names);
		ui_putw(w, y, 14, w->w - 15, UI_S_NORMAL, keydefs[i].what);
	}
	y++;
	for (size_t i = 0; i < sizeof(legend) / sizeof(legend[0]); i++, y++) {
		if (u->utf8 && !u->grid.ascii && i == 1) {
			ui_printf(w, y, 0, UI_S_NORMAL, "  goroutines   %s running   %s "
				  "runnable   %s parked (Go's wait reason follows)   %s exited",
				  u->gl->play, u->gl->dot, u->gl->parked, u->gl->exited);
			continue;
		}
		ui_put(w, y, 0, legend[i][0] == ' ' || !legend[i][0] ? UI_S_NORMAL : UI_S_BOLD,
		       legend[i]);
	}
}

/* ---- footer ---- */

static int hint(const struct ui_win *w, int x, const char *key, const char *label)
{
	int need = ui_strwidth(key) + ui_strwidth(label) + 3;

	if (x + need > w->w)
		return -1;
	x = ui_put(w, 0, x, UI_S_KEY, key);
	x = ui_put(w, 0, x + 1, UI_S_BAR, label);
	return x + 2;
}

static int hints(const struct ui_win *w, int x, const char *const *list)
{
	for (; *list && x >= 0; list += 2)
		x = hint(w, x, list[0], list[1]);
	return x;
}

void ui_draw_keys(struct ui *u, const struct ui_win *w)
{
	static const char *const editing[] = { "Enter", "apply", "Esc", "cancel", "Bksp",
					       "erase", "Ctrl-U", "clear", NULL };
	static const char *const help[] = { "Up/Down", "scroll", "any key", "back", NULL };
	static const char *const report[] = { "Up/Down", "scroll", "v/Esc", "back", "s",
					      "save", "q", "quit", NULL };
	const struct ls_finding *f[1];
	int x = 1;

	if (u->editing) {
		hints(w, x, editing);
		return;
	}
	if (u->view == UI_VIEW_HELP) {
		hints(w, x, help);
		return;
	}
	if (u->view == UI_VIEW_VERDICT) {
		hints(w, x, report);
		return;
	}
	/* the most useful first; what does not fit is in the help */
	x = hint(w, x, "space", u->paused ? "play" : "pause");
	for (size_t i = 0; i < NKEYS && x >= 0; i++) {
		char key[16];
		const char *sp;

		if (!keydefs[i].hint)
			continue;
		if (keydefs[i].act == A_VERDICT && !ui_findings(u, f, 1))
			continue;
		if (keydefs[i].act == A_HELP || keydefs[i].act == A_QUIT)
			continue;
		sp = strchr(keydefs[i].hint, ' ');
		snprintf(key, sizeof(key), "%.*s", (int)(sp - keydefs[i].hint), keydefs[i].hint);
		/* keep room for ? and q */
		if (x + ui_strwidth(keydefs[i].hint) + 3 > w->w - 16)
			break;
		x = hint(w, x, key, sp + 1);
	}
	if (x < 0)
		x = w->w - 16;
	x = hint(w, w->w - 16 > x ? w->w - 16 : x, "?", "help");
	if (x >= 0)
		hint(w, x, "q", "quit");
}
