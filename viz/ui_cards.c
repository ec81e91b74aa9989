// SPDX-License-Identifier: MIT
/*
 * ui_cards.c - one card per object, drawn to show the mechanism:
 *
 *   sync.Mutex     the state word as a bit row [waiters=N | S W L] with the
 *                  value of each bit under its letter, normal or starvation
 *                  mode and since when, the holder, and the semaphore queue
 *                  as boxes from head to tail (a waiter re-queued at the
 *                  head is marked LIFO, the handoff target "handoff")
 *   sync.RWMutex   readerCount raw and explained (-2^30 + n while a writer
 *                  is pending), readerWait, the readers holding it, the
 *                  pending writer, the readers parked behind it, and the
 *                  writer mutex w with the writers queued on it
 *   WaitGroup      counter, waiters; Cond: tickets and waiters; Once: state
 *   chan           the ring buffer as slots with their values and the
 *                  sendx / recvx arrows under them, qcount/cap, recvq and
 *                  sendq with the goroutines' names, closed
 *
 * A card draws its lines top-down into the inside of its box and returns
 * how many it used; drawing into a window without a grid measures it.
 * Compact cards (small terminals) say the same in one or two lines.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ui_priv.h"

#define MUTEX_LOCKED	1
#define MUTEX_WOKEN	2
#define MUTEX_STARVING	4
#define QMAX		64	/* queue entries drawn */

/* One box of a queue. */
struct qitem {
	char	name[LS_EVENT_STRMAX + 8];
	char	tag[32];
	int	style, tagstyle;
};

static const struct ls_mobject *obj_at(const struct ls_mstate *st, uint32_t i)
{
	return i < st->no ? &st->o[i] : NULL;
}

static void gname(const struct ui *u, uint64_t goid, char *buf, size_t len)
{
	ls_mstate_goname(ui_state(u), goid, buf, len);
}

static uint64_t now_ts(const struct ui *u)
{
	return ui_state(u)->last_ts;
}

/* "for 1.2 ms" since ts, or "" when unknown. */
static void since(const struct ui *u, uint64_t ts, char *buf, size_t len)
{
	char d[32];

	if (!ts || ts > now_ts(u)) {
		buf[0] = '\0';
		return;
	}
	ui_dur(d, sizeof(d), now_ts(u) - ts);
	snprintf(buf, len, "for %s", d);
}

/* ---- queues ---- */

static int qitems(const struct ui *u, const struct ls_mqueue *q, struct qitem *it, int max)
{
	int n = q->n < (uint32_t)max ? (int)q->n : max;

	for (int i = 0; i < n; i++) {
		memset(&it[i], 0, sizeof(it[i]));
		gname(u, q->w[i].goid, it[i].name, sizeof(it[i].name));
		it[i].style = UI_S_WAIT;
		it[i].tagstyle = UI_S_DIM;
	}
	return n;
}

/* The label column of a queue: 8 columns. */
#define QLABEL	8

/*
 * A queue as a row of boxes, head to tail:
 *
 *	waiters ┌────────┐ ┌────────┐
 *	  head→ │worker-1│→│worker-2│←tail
 *	        └─LIFO───┘ └────────┘
 *
 * One line "label  none" when empty.  Returns the lines used.
 */
static int draw_boxes(const struct ui *u, const struct ui_win *w, int y, const char *label,
		      const struct qitem *it, int n, int total)
{
	const struct ui_glyphs *gl = u->gl;
	int x = QLABEL, avail = w->w;
	char more[32];

	if (!n) {
		ui_put(w, y, 0, UI_S_DIM, label);
		ui_put(w, y, QLABEL, UI_S_DIM, "none");
		return 1;
	}
	ui_put(w, y, 0, UI_S_NORMAL, label);
	ui_printf(w, y + 1, QLABEL - 1 - ui_strwidth(gl->rarr) - 4, UI_S_DIM, "head%s",
		  gl->rarr);
	for (int i = 0; i < n; i++) {
		int nw = ui_strwidth(it[i].name), tw = ui_strwidth(it[i].tag);
		int bw = (nw > tw + 2 ? nw : tw + 2) + 2;
		int rest = n - i;
		struct ui_win b;

		/* Keep room for "+N" when this is not the last one. */
		snprintf(more, sizeof(more), "%s+%d", gl->ellip, total - i);
		if (x + bw + (rest > 1 ? ui_strwidth(more) + 1 : 5) > avail && i > 0) {
			ui_put(w, y + 1, x, UI_S_DIM, more);
			return 3;
		}
		b = ui_sub(w, y, x, 3, bw);
		ui_box(&b, gl, it[i].style);
		ui_put(&b, 1, 1, it[i].style == UI_S_WAIT ? UI_S_BOLD : it[i].style, it[i].name);
		if (tw)
			ui_putw(&b, 2, 2, bw - 3, it[i].tagstyle, it[i].tag);
		x += bw;
		if (i + 1 < n) {
			ui_put(w, y + 1, x, UI_S_DIM, gl->rarr);
			x += ui_strwidth(gl->rarr);
		}
	}
	if (total > n) {
		ui_printf(w, y + 1, x + 1, UI_S_DIM, "%s+%d", gl->ellip, total - n);
	} else {
		ui_put(w, y + 1, x, UI_S_DIM, gl->larr);
		ui_put(w, y + 1, x + ui_strwidth(gl->larr), UI_S_DIM, "tail");
	}
	return 3;
}

/* The same on one line: "label head→[worker-1 LIFO]→[worker-2]". */
static int draw_inline(const struct ui *u, const struct ui_win *w, int y, int x,
		       const char *label, const struct qitem *it, int n, int total)
{
	x = ui_put(w, y, x, UI_S_NORMAL, label);
	x = ui_put(w, y, x, UI_S_NORMAL, " ");
	if (!n)
		return ui_put(w, y, x, UI_S_DIM, "none");
	for (int i = 0; i < n; i++) {
		int need = ui_strwidth(it[i].name) + 3;

		if (it[i].tag[0])
			need += ui_strwidth(it[i].tag) + 1;
		if (x + need > w->w && i > 0)
			return ui_printf(w, y, x, UI_S_DIM, "%s+%d", u->gl->ellip, total - i);
		if (i)
			x = ui_put(w, y, x, UI_S_DIM, u->gl->rarr);
		x = ui_put(w, y, x, UI_S_DIM, "[");
		x = ui_put(w, y, x, it[i].style == UI_S_WAIT ? UI_S_BOLD : it[i].style, it[i].name);
		if (it[i].tag[0]) {
			x = ui_put(w, y, x, UI_S_NORMAL, " ");
			x = ui_put(w, y, x, it[i].tagstyle, it[i].tag);
		}
		x = ui_put(w, y, x, UI_S_DIM, "]");
	}
	return x;
}

static int draw_queue(const struct ui *u, const struct ui_win *w, int y, const char *label,
		      const struct qitem *it, int n, int total, int detail)
{
	if (detail != UI_CARD_FULL) {
		draw_inline(u, w, y, 0, label, it, n, total);
		return 1;
	}
	return draw_boxes(u, w, y, label, it, n, total);
}

/* ---- sync.Mutex ---- */

/* "[waiters=2 │ S W L]" and, below it, "            1 0 1". */
static int put_bits(const struct ui *u, const struct ui_win *w, int y, int x, int32_t state,
		    bool two_rows)
{
	static const struct { int bit; const char *letter; } bits[3] = {
		{ MUTEX_STARVING, "S" }, { MUTEX_WOKEN, "W" }, { MUTEX_LOCKED, "L" },
	};
	int32_t n = state >> 3;

	x = ui_put(w, y, x, UI_S_NORMAL, "[");
	x = ui_printf(w, y, x, n ? UI_S_WAIT : UI_S_NORMAL, "waiters=%d", n);
	x = ui_printf(w, y, x, UI_S_NORMAL, " %s ", u->gl->sep);
	for (int i = 0; i < 3; i++) {
		bool set = state & bits[i].bit;

		if (two_rows) {
			ui_put(w, y, x, set ? UI_S_SET : UI_S_NORMAL, bits[i].letter);
			ui_put(w, y + 1, x, set ? UI_S_SET : UI_S_DIM, set ? "1" : "0");
		} else {
			ui_put(w, y, x, set ? UI_S_SET : UI_S_DIM,
			       set ? bits[i].letter : u->gl->dot);
		}
		x++;
		if (i < 2)
			x = ui_put(w, y, x, UI_S_NORMAL, " ");
	}
	return ui_put(w, y, x, UI_S_NORMAL, "]");
}

static const char *how_str(unsigned how)
{
	switch (how) {
	case LS_ACQ_FAST:	return "fast path";
	case LS_ACQ_SLOW:	return "slow path";
	case LS_ACQ_HANDOFF:	return "handed off";
	case LS_ACQ_TRY:	return "TryLock";
	}
	return "?";
}

static int mutex_queue(const struct ui *u, const struct ls_mobject *o, struct qitem *it)
{
	const struct ls_mmutex *mu = &o->u.mu;
	int n = qitems(u, &o->wq[0], it, QMAX);
	char d[32];

	for (int i = 0; i < n; i++) {
		const struct ls_mwaiter *wt = &o->wq[0].w[i];

		if (wt->goid == mu->handoff_to && mu->starving && !(mu->state & MUTEX_LOCKED)) {
			snprintf(it[i].tag, sizeof(it[i].tag), "handoff");
			it[i].tagstyle = UI_S_HOT;
		} else if (wt->flags & LS_MW_LIFO) {
			snprintf(it[i].tag, sizeof(it[i].tag), "LIFO");
			it[i].tagstyle = UI_S_HOT;
		} else if (wt->val && wt->val <= now_ts(u)) {
			ui_dur(d, sizeof(d), now_ts(u) - wt->val);
			snprintf(it[i].tag, sizeof(it[i].tag), "%s", d);
		}
		if (wt->flags & LS_MW_LIFO)
			it[i].style = UI_S_HOT;
	}
	return n;
}

static int holder_line(const struct ui *u, const struct ui_win *w, int y, int x,
		       const struct ls_mmutex *mu, bool compact)
{
	char who[64], d[48];

	if (mu->holder) {
		gname(u, mu->holder, who, sizeof(who));
		x = ui_put(w, y, x, UI_S_NORMAL, "held by ");
		x = ui_put(w, y, x, UI_S_SET, who);
		if (compact)
			return x;
		since(u, mu->holder_since, d, sizeof(d));
		return ui_printf(w, y, x, UI_S_DIM, " (%s) %s", how_str(mu->holder_how), d);
	}
	if (mu->state_known && (mu->state & MUTEX_LOCKED))
		return ui_put(w, y, x, UI_S_SET, "held");
	x = ui_put(w, y, x, UI_S_FREE, "free");
	if (mu->last_holder && !compact) {
		gname(u, mu->last_holder, who, sizeof(who));
		x = ui_printf(w, y, x, UI_S_DIM, " (last held by %s)", who);
	}
	return x;
}

/* Who is awake, spinning or handed the lock: the moving parts. */
static int mutex_actors(const struct ui *u, const struct ui_win *w, int y,
			const struct ls_mobject *o)
{
	const struct ls_mmutex *mu = &o->u.mu;
	char who[64];
	int lines = 0;

	if (mu->starving && !(mu->state & MUTEX_LOCKED) && mu->handoff_to &&
	    mu->handoff_to != mu->holder) {
		gname(u, mu->handoff_to, who, sizeof(who));
		ui_printf(w, y + lines++, 0, UI_S_HOT, "handoff %s %s: Unlock gave it the lock",
			  u->gl->hand, who);
	} else if ((mu->state & MUTEX_WOKEN) && mu->woken && mu->woken != mu->holder) {
		gname(u, mu->woken, who, sizeof(who));
		ui_printf(w, y + lines++, 0, UI_S_HOT, "woken %s: races newcomers for the lock",
			  who);
	}
	if (mu->spinner && mu->spinner != mu->holder) {
		gname(u, mu->spinner, who, sizeof(who));
		ui_printf(w, y + lines++, 0, UI_S_DIM, "spinning: %s (round %u)", who,
			  mu->spin_iter + 1);
	}
	return lines;
}

static int draw_mutex(const struct ui *u, const struct ui_win *w, const struct ls_mobject *o,
		      int detail)
{
	bool compact = detail == UI_CARD_COMPACT;
	const struct ls_mmutex *mu = &o->u.mu;
	struct qitem it[QMAX];
	char words[64], d[48];
	int y = 0, x, n = mutex_queue(u, o, it);

	if (compact) {
		x = 0;
		if (mu->state_known) {
			x = put_bits(u, w, 0, 0, mu->state, false);
			x = ui_put(w, 0, x, UI_S_NORMAL, " ");
		}
		holder_line(u, w, 0, x, mu, true);
		if (n)
			draw_queue(u, w, 1, "queue", it, n, (int)o->wq[0].n, UI_CARD_COMPACT);
		return n ? 2 : 1;
	}
	if (mu->state_known) {
		x = ui_put(w, y, 0, UI_S_NORMAL, "state ");
		x = put_bits(u, w, y, x, mu->state, true);
		ui_printf(w, y, x, UI_S_DIM, " = %#x", (unsigned)mu->state);
		ls_mutex_state_str(mu->state, words, sizeof(words));
		ui_put(w, y + 1, x + 2, UI_S_DIM, words);
		y += 2;
	} else {
		ui_put(w, y++, 0, UI_S_DIM, "state word not seen yet");
	}
	since(u, mu->mode_since, d, sizeof(d));
	if (mu->starving)
		ui_printf(w, y, 0, UI_S_ALERT, "STARVATION mode %s: handoff", d);
	else
		ui_printf(w, y, 0, UI_S_NORMAL, "normal mode%s%s", mu->mode_since ? " " : "",
			  mu->mode_since ? d : "");
	y++;
	holder_line(u, w, y++, 0, mu, false);
	y += draw_queue(u, w, y, "waiters", it, n, (int)o->wq[0].n, detail);
	y += mutex_actors(u, w, y, o);
	return y;
}

/* The writer mutex of an RWMutex, the mutex of a Once: one or two lines. */
static int inner_mutex(const struct ui *u, const struct ui_win *w, int y, const char *label,
		       const struct ls_mobject *m, const char *qlabel)
{
	struct qitem it[QMAX];
	int n, x;

	if (!m)
		return 0;
	n = mutex_queue(u, m, it);
	x = ui_put(w, y, 0, UI_S_NORMAL, label);
	if (m->u.mu.state_known) {
		x = put_bits(u, w, y, x + 1, m->u.mu.state, false);
		x = ui_put(w, y, x, UI_S_NORMAL, " ");
	}
	holder_line(u, w, y, x + 1, &m->u.mu, true);
	draw_inline(u, w, y + 1, 2, qlabel, it, n, (int)m->wq[0].n);
	return 2;
}

/* ---- sync.RWMutex ---- */

/*
 * The sync.Mutex inside an RWMutex (w) or a Once (m): the model links it
 * when the writer or f starts; before that, it is the mutex of the same
 * name that lies inside the parent's struct.
 */
#define INNER_SPAN	64

static bool inside(const struct ls_mobject *m, const struct ls_mobject *p)
{
	return m->kind == LS_OBJ_MUTEX && m->addr > p->addr &&
	       m->addr < p->addr + INNER_SPAN && !strcmp(m->name, p->name);
}

static const struct ls_mobject *inner_of(const struct ls_mstate *st, const struct ls_mobject *p)
{
	const struct ls_mobject *m = obj_at(st, p->kind == LS_OBJ_RWMUTEX ? p->u.rw.wmutex :
					    p->u.once.mutex);

	for (uint32_t i = 0; !m && i < st->no; i++)
		if (inside(&st->o[i], p))
			m = &st->o[i];
	return m;
}

static int draw_rwmutex(const struct ui *u, const struct ui_win *w, const struct ls_mobject *o,
			int detail)
{
	bool compact = detail == UI_CARD_COMPACT;
	const struct ls_mrw *rw = &o->u.rw;
	struct qitem hold[QMAX], park[QMAX];
	int nh = qitems(u, &o->hold, hold, QMAX), np = qitems(u, &o->wq[0], park, QMAX);
	char buf[160], who[64], d[48], *sum;
	int y = 0, x;

	for (int i = 0; i < nh; i++) {
		hold[i].style = UI_S_SET;
		if (o->hold.w[i].val > 1)
			snprintf(hold[i].tag, sizeof(hold[i].tag), "%s%" PRIu64, u->gl->times,
				 o->hold.w[i].val);
	}
	/* "1 reader active, writer pending: -2^30 + 1": words, then the sum */
	ls_rw_explain(o, buf, sizeof(buf));
	sum = strrchr(buf, ':');
	if (sum) {
		*sum = '\0';
		sum += 2;
	}
	if (!rw->known) {
		ui_put(w, y++, 0, UI_S_DIM, "readerCount not seen yet");
	} else {
		x = ui_put(w, y, 0, UI_S_NORMAL, "readerCount ");
		x = ui_printf(w, y, x, rw->reader_count < 0 ? UI_S_WAIT : UI_S_BOLD, "%d",
			      rw->reader_count);
		if (sum && rw->reader_count < 0)
			ui_printf(w, y, x, UI_S_NORMAL, " = %s", sum);
		y++;
		ui_put(w, y++, 2, rw->reader_count < 0 ? UI_S_WAIT : UI_S_NORMAL, buf);
	}
	if (compact) {
		x = draw_inline(u, w, y, 0, "readers", hold, nh, (int)o->hold.n);
		draw_inline(u, w, y++, x + 2, "parked", park, np, (int)o->wq[0].n);
		return y;
	}
	x = ui_put(w, y, 0, UI_S_NORMAL, "readerWait ");
	x = ui_printf(w, y, x, UI_S_BOLD, "%d", rw->reader_wait);
	ui_put(w, y++, x, UI_S_DIM, ": readers the writer still waits for");
	if (rw->writer) {
		gname(u, rw->writer, who, sizeof(who));
		since(u, rw->writer_since, d, sizeof(d));
		x = ui_put(w, y, 0, UI_S_NORMAL, "writer  ");
		x = ui_put(w, y, x, rw->writer_active ? UI_S_SET : UI_S_WAIT, who);
		ui_printf(w, y, x, UI_S_DIM, rw->writer_active ? ", holding it %s" :
			  ", pending %s", d);
	} else {
		x = ui_put(w, y, 0, UI_S_NORMAL, "writer  ");
		ui_put(w, y, x, UI_S_DIM, "none");
	}
	y++;
	y += draw_queue(u, w, y, "readers", hold, nh, (int)o->hold.n, detail);
	y += draw_queue(u, w, y, "parked", park, np, (int)o->wq[0].n, detail);
	y += inner_mutex(u, w, y, "w", inner_of(ui_state(u), o), "writers queued:");
	return y;
}

/* ---- sync.WaitGroup, sync.Cond, sync.Once ---- */

static int draw_wg(const struct ui *u, const struct ui_win *w, const struct ls_mobject *o,
		   int detail)
{
	bool compact = detail == UI_CARD_COMPACT;
	const struct ls_mwg *wg = &o->u.wg;
	struct qitem it[QMAX];
	int n = qitems(u, &o->wq[0], it, QMAX), x, y;

	x = ui_put(w, 0, 0, UI_S_NORMAL, "counter ");
	x = ui_printf(w, 0, x, wg->counter ? UI_S_WAIT : UI_S_FREE, "%d", wg->counter);
	x = ui_put(w, 0, x, UI_S_NORMAL, "   waiters ");
	x = ui_printf(w, 0, x, UI_S_BOLD, "%u", wg->waiters);
	if (compact) {
		draw_inline(u, w, 0, x + 2, "Wait:", it, n, (int)o->wq[0].n);
		return 1;
	}
	y = 1 + draw_queue(u, w, 1, "Wait", it, n, (int)o->wq[0].n, detail);
	ui_printf(w, y++, 0, UI_S_DIM, "Wait returns when the counter is 0 (%" PRIu64
		  " release%s)", wg->releases, wg->releases == 1 ? "" : "s");
	return y;
}

static int draw_cond(const struct ui *u, const struct ui_win *w, const struct ls_mobject *o,
		     int detail)
{
	bool compact = detail == UI_CARD_COMPACT;
	const struct ls_mcond *c = &o->u.cond;
	struct qitem it[QMAX];
	int n = qitems(u, &o->wq[0], it, QMAX), x, y;

	for (int i = 0; i < n; i++)
		snprintf(it[i].tag, sizeof(it[i].tag), "#%" PRIu64, o->wq[0].w[i].val);
	x = ui_printf(w, 0, 0, UI_S_NORMAL, "tickets: next %u, notify %u", c->wait, c->notify);
	if (compact) {
		draw_inline(u, w, 0, x + 2, "Wait:", it, n, (int)o->wq[0].n);
		return 1;
	}
	ui_printf(w, 0, x, UI_S_DIM, " (%u waiting)", c->wait - c->notify);
	y = 1 + draw_queue(u, w, 1, "Wait", it, n, (int)o->wq[0].n, detail);
	ui_printf(w, y++, 0, UI_S_DIM, "%" PRIu64 " Signal, %" PRIu64 " Broadcast",
		  c->signals, c->broadcasts);
	return y;
}

static int draw_once(const struct ui *u, const struct ui_win *w, const struct ls_mobject *o,
		     int detail)
{
	bool compact = detail == UI_CARD_COMPACT;
	const struct ls_monce *once = &o->u.once;
	const struct ls_mobject *m = inner_of(ui_state(u), o);
	char who[64];
	int x = ui_put(w, 0, 0, UI_S_NORMAL, "state ");

	switch (once->state) {
	case LS_ONCE_NOT_DONE:
		ui_put(w, 0, x, UI_S_DIM, "not done: the first Do runs f");
		break;
	case LS_ONCE_RUNNING:
		gname(u, once->runner, who, sizeof(who));
		x = ui_put(w, 0, x, UI_S_WAIT, "running f in ");
		x = ui_put(w, 0, x, UI_S_SET, who);
		ui_put(w, 0, x, UI_S_DIM, "; other callers wait");
		break;
	default:
		ui_put(w, 0, x, UI_S_FREE, "done: Do returns at once");
	}
	if (compact || !m)
		return 1;
	return 1 + inner_mutex(u, w, 1, "m", m, "blocked in Do:");
}

/* ---- channels ---- */

/* A slot's value: the first bytes of the element, as the element's size. */
static void slot_text(const struct ls_mobject *o, uint64_t v, char *buf, size_t len)
{
	switch (o->u.ch.elemsize) {
	case 0:
		snprintf(buf, len, "{}");
		break;
	case 1:
		snprintf(buf, len, "%d", (int8_t)v);
		break;
	case 2:
		snprintf(buf, len, "%d", (int16_t)v);
		break;
	case 4:
		snprintf(buf, len, "%d", (int32_t)v);
		break;
	default:
		snprintf(buf, len, "%" PRId64, (int64_t)v);
	}
}

/* First slot drawn: keep recvx and sendx in sight, and a slot before. */
static uint64_t ring_start(const struct ls_mchan *ch, uint64_t n, uint64_t fit)
{
	uint64_t lo = ch->recvx < ch->sendx ? ch->recvx : ch->sendx;
	uint64_t hi = ch->recvx < ch->sendx ? ch->sendx : ch->recvx;
	uint64_t start;

	if (fit >= n)
		return 0;
	if (hi - lo + 1 <= fit)
		start = lo > 0 && hi - lo + 2 <= fit ? lo - 1 : lo;
	else
		start = ch->recvx;
	return start > n - fit ? n - fit : start;
}

/* "↑recvx" under slot recvx and "↑sendx" under slot sendx. */
static int ring_labels(const struct ui *u, const struct ui_win *w, int y, int rx, int sx,
		       const struct ls_mchan *ch)
{
	int lw = ui_strwidth(u->gl->uarr) + 5, sy = y, x = 0;

	if (rx >= 0) {
		x = ui_put(w, y, rx, UI_S_MARK, u->gl->uarr);
		x = ui_put(w, y, x, UI_S_MARK, "recvx");
	}
	if (sx < 0) {
		ui_printf(w, y, x + 1, UI_S_DIM, "(sendx %" PRIu64 ")", ch->sendx);
		return 1;
	}
	if (rx >= 0 && (rx < sx ? rx + lw >= sx : sx + lw >= rx))
		sy = y + 1;
	x = ui_put(w, sy, sx, UI_S_MARK, u->gl->uarr);
	ui_put(w, sy, x, UI_S_MARK, "sendx");
	if (rx < 0)
		ui_printf(w, y, 0, UI_S_DIM, "(recvx %" PRIu64 ")", ch->recvx);
	return sy - y + 1;
}

/*
 *	┌──┬──┬──┬──┬──┐
 *	│  │ 2│ 3│  │  │
 *	└──┴──┴──┴──┴──┘
 *	    ↑recvx ↑sendx
 */
static int draw_ring(const struct ui *u, const struct ui_win *w, int y,
		     const struct ls_mobject *o)
{
	const struct ui_glyphs *gl = u->gl;
	const struct ls_mchan *ch = &o->u.ch;
	uint64_t n = o->nslots, first, fit;
	int sw = 3, x0 = 1, lab_y = y + 3, rx = -1, sx = -1, x;
	char v[32];

	if (!n) {
		ui_printf(w, y, 0, UI_S_DIM, "%" PRIu64 " slots (too many to draw)", ch->cap);
		return 1;
	}
	for (uint64_t i = 0; i < n; i++) {
		if (!o->slot_full[i])
			continue;
		slot_text(o, o->slot_val[i], v, sizeof(v));
		if (ui_strwidth(v) > sw)
			sw = ui_strwidth(v) > 8 ? 8 : ui_strwidth(v);
	}
	fit = (uint64_t)((w->w - 4) / (sw + 1));
	if (fit < 1)
		fit = 1;
	first = ring_start(ch, n, fit);
	if (first)
		ui_put(w, y + 1, 0, UI_S_DIM, gl->ellip);
	x = x0;
	for (uint64_t i = first; i < n && i < first + fit; i++) {
		bool full = o->slot_full[i];
		int style = (int64_t)i == ch->last_slot ? UI_S_HOT : UI_S_BOLD;

		ui_fill(w, y, x, sw + 2, gl->h, UI_S_NORMAL);
		ui_fill(w, y + 2, x, sw + 2, gl->h, UI_S_NORMAL);
		ui_fill(w, y, x, 1, i == first ? gl->tl : gl->ttee, UI_S_NORMAL);
		ui_fill(w, y + 1, x, 1, gl->v, UI_S_NORMAL);
		ui_fill(w, y + 2, x, 1, i == first ? gl->bl : gl->btee, UI_S_NORMAL);
		if (full) {
			int vw;

			/* centred, so that the arrow below points at it */
			slot_text(o, o->slot_val[i], v, sizeof(v));
			vw = ui_strwidth(v) < sw ? ui_strwidth(v) : sw;
			ui_putw(w, y + 1, x + 1 + (sw - vw + 1) / 2, sw, style, v);
		}
		if (i == ch->recvx)
			rx = x + 1 + sw / 2;
		if (i == ch->sendx)
			sx = x + 1 + sw / 2;
		x += sw + 1;
	}
	ui_fill(w, y, x, 1, gl->tr, UI_S_NORMAL);
	ui_fill(w, y + 1, x, 1, gl->v, UI_S_NORMAL);
	ui_fill(w, y + 2, x, 1, gl->br, UI_S_NORMAL);
	if (first + fit < n)
		ui_put(w, y + 1, x + 1, UI_S_DIM, gl->ellip);
	/* the arrows: one label per index, on two rows if they collide */
	if (rx >= 0 && rx == sx) {
		x = ui_put(w, lab_y, rx, UI_S_MARK, gl->uarr);
		ui_put(w, lab_y, x, UI_S_MARK, "recvx=sendx");
		return 4;
	}
	return 3 + ring_labels(u, w, lab_y, rx, sx, ch);
}

static int chan_queue(const struct ui *u, const struct ls_mobject *o, int q, struct qitem *it)
{
	int n = qitems(u, &o->wq[q], it, QMAX);

	for (int i = 0; i < n; i++) {
		const struct ls_mwaiter *wt = &o->wq[q].w[i];

		if (wt->flags & LS_MW_SELECT)
			snprintf(it[i].tag, sizeof(it[i].tag), "select");
		else if (q == 1)
			slot_text(o, wt->val, it[i].tag, sizeof(it[i].tag));
	}
	return n;
}

static int draw_chan(const struct ui *u, const struct ui_win *w, const struct ls_mobject *o,
		     int detail)
{
	bool compact = detail == UI_CARD_COMPACT;
	const struct ls_mchan *ch = &o->u.ch;
	struct qitem rq[QMAX], sq[QMAX];
	int nr = chan_queue(u, o, 0, rq), ns = chan_queue(u, o, 1, sq);
	int y = 0, x;
	char v[32];

	if (compact) {
		x = 0;
		if (ch->cap && o->nslots) {
			x = ui_put(w, 0, 0, UI_S_NORMAL, "[");
			for (uint64_t i = 0; i < o->nslots && x < w->w / 2; i++) {
				if (i)
					x = ui_put(w, 0, x, UI_S_DIM, "|");
				if (o->slot_full[i]) {
					slot_text(o, o->slot_val[i], v, sizeof(v));
					x = ui_putw(w, 0, x, 6, UI_S_BOLD, v);
				} else {
					x = ui_put(w, 0, x, UI_S_NORMAL, " ");
				}
			}
			x = ui_put(w, 0, x, UI_S_NORMAL, "] ");
			ui_printf(w, 0, x, UI_S_NORMAL, "%" PRIu64 "/%" PRIu64 " recvx %" PRIu64
				  " sendx %" PRIu64, ch->qcount, ch->cap, ch->recvx, ch->sendx);
		} else {
			ui_printf(w, 0, 0, UI_S_NORMAL, "%s cap %" PRIu64, ch->cap ? "buffered" :
				  "unbuffered", ch->cap);
		}
		x = draw_inline(u, w, 1, 0, "recvq", rq, nr, (int)o->wq[0].n);
		draw_inline(u, w, 1, x + 2, "sendq", sq, ns, (int)o->wq[1].n);
		return 2;
	}
	if (!ch->made) {
		ui_put(w, y++, 0, UI_S_DIM, "not made yet (or made before tracing started)");
	} else if (ch->cap) {
		x = ui_printf(w, y, 0, UI_S_NORMAL, "cap %" PRIu64 ", %" PRIu64 "-byte values, ",
			      ch->cap, ch->elemsize);
		ui_printf(w, y++, x, ch->qcount == ch->cap ? UI_S_WAIT : UI_S_BOLD,
			  "qcount %" PRIu64 "/%" PRIu64, ch->qcount, ch->cap);
		y += draw_ring(u, w, y, o);
	} else {
		ui_put(w, y++, 0, UI_S_NORMAL, ch->timer ?
		       "timer channel: the runtime sends when it fires" :
		       "unbuffered: a send meets a receive, no slot");
	}
	y += draw_queue(u, w, y, "recvq", rq, nr, (int)o->wq[0].n, detail);
	y += draw_queue(u, w, y, "sendq", sq, ns, (int)o->wq[1].n, detail);
	return y;
}

/* ---- everything else ---- */

static int draw_last(const struct ui *u, const struct ui_win *w, int y,
		     const struct ls_mobject *o, bool compact)
{
	struct ls_event ev = { .id = o->last_id, .goid = o->last_goid, .obj = o->addr };
	char line[256];

	if (!o->last_id)
		return 0;
	memcpy(ev.args, o->last_args, sizeof(ev.args));
	/* A string event's text is not kept per object: say the event only. */
	if (ls_model_event_kind(o->last_id) < 0 || o->last_id == LS_EV_OBJ_NAME ||
	    o->last_id == LS_EV_SF_LEADER || o->last_id == LS_EV_SF_DUP ||
	    o->last_id == LS_EV_SF_DONE || o->last_id == LS_EV_CACHE_SET ||
	    o->last_id == LS_EV_CACHE_EVICT)
		snprintf(line, sizeof(line), "%s", ls_model_event_name(o->last_id));
	else
		ls_mstate_explain(ui_state(u), &ev, line, sizeof(line));
	ui_put(w, y, 0, UI_S_DIM, "last: ");
	ui_putw(w, y, 6, compact ? w->w - 6 : -1, UI_S_NORMAL, line);
	return 1;
}

static int draw_other(const struct ui *u, const struct ui_win *w, const struct ls_mobject *o,
		      int detail)
{
	bool compact = detail == UI_CARD_COMPACT;
	struct qitem it[QMAX], hold[QMAX];
	int n = qitems(u, &o->wq[0], it, QMAX), nh = qitems(u, &o->hold, hold, QMAX);
	int y = 0;
	static const char *const ctx_kind[] = { "background", "WithCancel", "WithTimeout",
						"WithValue" };

	switch (o->kind) {
	case LS_OBJ_SEMAPHORE:
		for (int i = 0; i < nh; i++)
			snprintf(hold[i].tag, sizeof(hold[i].tag), "%" PRIu64, o->hold.w[i].val);
		for (int i = 0; i < n; i++)
			snprintf(it[i].tag, sizeof(it[i].tag), "wants %" PRIu64, o->wq[0].w[i].val);
		ui_printf(w, y++, 0, UI_S_NORMAL, "tokens held %" PRId64 " of %" PRId64,
			  o->u.sem.cur, o->u.sem.size);
		y += draw_queue(u, w, y, "holders", hold, nh, (int)o->hold.n, detail);
		if (!compact)
			y += draw_queue(u, w, y, "waiters", it, n, (int)o->wq[0].n, detail);
		return y;
	case LS_OBJ_BARRIER:
		ui_printf(w, y++, 0, o->u.bar.broken ? UI_S_ALERT : UI_S_NORMAL,
			  "arrived %" PRId64 " of %" PRId64 ", generation %" PRId64 "%s",
			  o->u.bar.arrived, o->u.bar.parties, o->u.bar.generation,
			  o->u.bar.broken ? ", BROKEN" : "");
		return y + draw_queue(u, w, y, "waiting", it, n, (int)o->wq[0].n, detail);
	case LS_OBJ_CTX:
		ui_printf(w, y++, 0, o->u.ctx.cancelled ? UI_S_ALERT : UI_S_NORMAL, "%s, %s",
			  o->u.ctx.ctx_kind < 4 ? ctx_kind[o->u.ctx.ctx_kind] : "context",
			  !o->u.ctx.cancelled ? "not cancelled" :
			  o->u.ctx.err == -110 ? "done: deadline exceeded" : "done: canceled");
		break;
	case LS_OBJ_ERRGROUP:
		ui_printf(w, y++, 0, UI_S_NORMAL, "active %" PRId64 "%s, first error %" PRId64,
			  o->u.eg.active, o->u.eg.limit > 0 ? " (limited)" : "",
			  o->u.eg.first_err);
		break;
	default:
		if (n)
			y += draw_queue(u, w, y, "waiting", it, n, (int)o->wq[0].n, detail);
	}
	if (!compact || !y)
		y += draw_last(u, w, y, o, compact);
	return y;
}

static int draw_body(const struct ui *u, const struct ui_win *w, const struct ls_mobject *o,
		     int detail)
{
		switch (o->kind) {
	case LS_OBJ_MUTEX:	return draw_mutex(u, w, o, detail);
	case LS_OBJ_RWMUTEX:	return draw_rwmutex(u, w, o, detail);
	case LS_OBJ_WAITGROUP:	return draw_wg(u, w, o, detail);
	case LS_OBJ_COND:	return draw_cond(u, w, o, detail);
	case LS_OBJ_ONCE:	return draw_once(u, w, o, detail);
	case LS_OBJ_CHAN:	return draw_chan(u, w, o, detail);
	default:		return draw_other(u, w, o, detail);
	}
}

bool ui_has_card(const struct ls_mstate *st, const struct ls_mobject *o)
{
	const struct ls_mobject *p;

	if (o->kind == LS_OBJ_NONE || o->kind == LS_OBJ_VAR)
		return false;
	if (o->kind != LS_OBJ_MUTEX)
		return true;
	/* The inner mutex of an RWMutex or a Once is drawn in its card. */
	p = obj_at(st, o->u.mu.parent);
	if (p && (p->kind == LS_OBJ_RWMUTEX || p->kind == LS_OBJ_ONCE))
		return false;
	if (!o->name[0])
		return true;
	/* not linked yet: a parent a few aligned words before it */
	for (uint64_t off = 4; off < INNER_SPAN && off <= o->addr; off += 4) {
		p = ls_mstate_object(st, o->addr - off, LS_OBJ_RWMUTEX);
		if (!p)
			p = ls_mstate_object(st, o->addr - off, LS_OBJ_ONCE);
		if (p && inside(o, p))
			return false;
	}
	return true;
}

int ui_card_height(const struct ui *u, const struct ls_mobject *o, int w, int detail)
{
	struct ui_win m = { NULL, 0, 0, 1000, w - 3 };

	return draw_body(u, &m, o, detail) + 2;
}

/* The word in the card's top-right corner. */
static const char *card_tag(const struct ls_mobject *o, int *style)
{
	*style = UI_S_DIM;
	switch (o->kind) {
	case LS_OBJ_MUTEX:
		if (o->u.mu.starving) {
			*style = UI_S_ALERT;
			return "STARVING";
		}
		if (o->u.mu.state_known && (o->u.mu.state & MUTEX_LOCKED)) {
			*style = UI_S_SET;
			return "LOCKED";
		}
		return o->u.mu.holder ? "LOCKED" : "free";
	case LS_OBJ_RWMUTEX:
		if (o->u.rw.writer_active) {
			*style = UI_S_SET;
			return "WRITE-LOCKED";
		}
		if (o->u.rw.writer) {
			*style = UI_S_WAIT;
			return "WRITER PENDING";
		}
		if (o->u.rw.reader_count > 0) {
			*style = UI_S_SET;
			return "READ-LOCKED";
		}
		return "free";
	case LS_OBJ_CHAN:
		if (o->u.ch.closed) {
			*style = UI_S_ALERT;
			return "CLOSED";
		}
		return o->u.ch.freed ? "freed" : "";
	case LS_OBJ_ONCE:
		return o->u.once.state == LS_ONCE_DONE ? "done" : "";
	}
	return "";
}

void ui_card_draw(const struct ui *u, const struct ui_win *w, const struct ls_mobject *o,
		  int detail)
{
	const struct ls_mstate *st = ui_state(u);
	const struct ls_event *cur = ui_pos(u) ? ls_model_event(u->m, ui_pos(u) - 1) : NULL;
	uint32_t oi = (uint32_t)(o - st->o);
	bool focused = u->focus == oi, current = cur && ui_event_about(st, cur, oi);
	char title[LS_EVENT_STRMAX + 64], what[LS_EVENT_STRMAX + 4];
	const char *tag;
	int tagstyle;
	struct ui_win in;

	if (o->name[0])
		snprintf(what, sizeof(what), "\"%s\"", o->name);
	else
		snprintf(what, sizeof(what), "%#" PRIx64, o->addr);
	snprintf(title, sizeof(title), "%s%s%s %s%s", current ? u->gl->bullet : "",
		 current ? " " : "", ls_model_kind_str(o->kind), what,
		 focused && u->follow ? " [follow]" : "");
	tag = card_tag(o, &tagstyle);
	/* the focused card: heavy lines, so it shows without colour too */
	ui_box_title(w, !focused ? u->gl : u->gl == &ui_glyphs_utf8 ? &ui_glyphs_utf8_heavy :
		     &ui_glyphs_ascii_heavy, focused ? UI_S_FOCUS : UI_S_NORMAL, title,
		     current ? UI_S_HOT : focused ? UI_S_FOCUS : UI_S_BOLD, tag, tagstyle);
	/* one column of air on the left */
	in = ui_sub(w, 1, 2, w->h - 2, w->w - 3);
	draw_body(u, &in, o, detail);
}

/* ---- instrumented variables ---- */

int ui_vars_height(const struct ui *u, int w)
{
	uint32_t n = ui_state(u)->nv;

	return n ? (int)n + 2 : 0;
}

void ui_vars_draw(const struct ui *u, const struct ui_win *w)
{
	const struct ls_mstate *st = ui_state(u);
	struct ui_win in = ui_inner(w);
	char wr[64], rd[64];

	ui_box_title(w, u->gl, UI_S_NORMAL, "variables", UI_S_BOLD, "", UI_S_DIM);
	for (uint32_t i = 0; i < st->nv; i++) {
		const struct ls_mvar *v = &st->v[i];
		int x;

		x = ui_printf(&in, (int)i, 0, UI_S_BOLD, "%s", v->name[0] ? v->name : "?");
		x = ui_printf(&in, (int)i, x, UI_S_NORMAL, " = %" PRId64, v->value);
		wr[0] = rd[0] = '\0';
		if (v->last_writer)
			gname(u, v->last_writer, wr, sizeof(wr));
		if (v->last_reader)
			gname(u, v->last_reader, rd, sizeof(rd));
		ui_printf(&in, (int)i, x + 2, UI_S_DIM, "written by %s, read by %s (%" PRIu64
			  " loads, %" PRIu64 " stores, %" PRIu64 " atomic)", wr[0] ? wr : "-",
			  rd[0] ? rd : "-", v->loads, v->stores, v->atomics);
	}
}
