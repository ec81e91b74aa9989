/* SPDX-License-Identifier: MIT */
/*
 * ui_priv.h - what the UI's modules share (viz/ui*.c).
 *
 *   ui_grid.c     a screen as a grid of cells; text, boxes, clipping; the
 *                 glyph sets (UTF-8 and ASCII)
 *   ui_term.c     curses: the one place that starts and stops it, sets up
 *                 colours, reads keys, follows resizes and copies the grid
 *                 to the terminal
 *   ui_cards.c    one card per object (the mechanism drawn)
 *   ui_panes.c    layout, header, goroutines, event log, narration, status
 *                 line and footer
 *   ui_verdict.c  the detectors' findings: banner and the report view
 *   ui_keys.c     the key table, the key handlers and the help screen
 *   ui.c          the UI state, the playhead, narration, the loop and the
 *                 entry points
 *
 * Views draw into the grid from the model's state and the UI state, and
 * never change either; key handlers change the UI state only and return
 * what needs redrawing (UI_DIRTY_*); the loop decides when to draw.
 */
#ifndef LS_VIZ_UI_PRIV_H
#define LS_VIZ_UI_PRIV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect.h"
#include "model.h"
#include "ui.h"

/* ---- the grid ---- */

enum ui_style {
	UI_S_NORMAL = 0,
	UI_S_DIM,	/* exited goroutines, clear bits, hints */
	UI_S_BOLD,	/* titles, values */
	UI_S_BAR,	/* header and footer bars */
	UI_S_PAUSED,	/* the header while paused */
	UI_S_BANNER,	/* the verdict banner's title */
	UI_S_ALERT,	/* deadlock, panic, closed, starving */
	UI_S_SET,	/* a set bit, a held lock */
	UI_S_FREE,	/* free, done, running fine */
	UI_S_WAIT,	/* parked, queued */
	UI_S_RUN,	/* running */
	UI_S_HOT,	/* the current event's object; LIFO; handoff */
	UI_S_FOCUS,	/* the focused card */
	UI_S_KEY,	/* a key name in the footer */
	UI_S_MARK,	/* sendx / recvx arrows, the log's current line */
	UI_S__COUNT
};

struct ui_cell {
	uint32_t	ch;	/* a code point of width 1 */
	uint8_t		style;
};

struct ui_grid {
	int		w, h;
	struct ui_cell	*c;
	bool		ascii;	/* only ASCII reaches the cells */
};

/* A clipped rectangle of a grid; g NULL measures without drawing. */
struct ui_win {
	struct ui_grid	*g;
	int		y, x, h, w;
};

struct ui_glyphs {
	uint32_t	h, v, tl, tr, bl, br, ltee, rtee, ttee, btee;
	const char	*rarr, *larr, *uarr, *dot, *play, *pause, *stop, *bullet,
			*ellip, *lifo, *times, *cycle, *sep, *parked, *exited,
			*hand;
};

extern const struct ui_glyphs ui_glyphs_utf8, ui_glyphs_ascii;
extern const struct ui_glyphs ui_glyphs_utf8_heavy, ui_glyphs_ascii_heavy;

int	ui_grid_resize(struct ui_grid *g, int w, int h);
void	ui_grid_free(struct ui_grid *g);
void	ui_grid_clear(struct ui_grid *g);
/* Rows as UTF-8 text, trailing blanks trimmed. */
int	ui_grid_write(const struct ui_grid *g, FILE *f);

struct ui_win ui_win_all(struct ui_grid *g);
struct ui_win ui_sub(const struct ui_win *w, int y, int x, int h, int wd);
/* Inside a box drawn on w's edge. */
struct ui_win ui_inner(const struct ui_win *w);

/*
 * Text at (y, x) of w, clipped to w; returns the column after it.  Names
 * from a trace are untrusted: control characters and (in ASCII mode) any
 * non-ASCII character become '?', so nothing but text reaches the
 * terminal.
 */
int	ui_put(const struct ui_win *w, int y, int x, int style, const char *s);
/* At most maxw columns; a longer string ends with an ellipsis. */
int	ui_putw(const struct ui_win *w, int y, int x, int maxw, int style, const char *s);
int	ui_printf(const struct ui_win *w, int y, int x, int style, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void	ui_fill(const struct ui_win *w, int y, int x, int n, uint32_t ch, int style);
void	ui_box(const struct ui_win *w, const struct ui_glyphs *gl, int style);
/* A box with a title (and right-hand tag) in its top border. */
void	ui_box_title(const struct ui_win *w, const struct ui_glyphs *gl, int style,
		     const char *title, int tstyle, const char *tag, int tagstyle);
/* Columns s takes on screen. */
int	ui_strwidth(const char *s);
/* Wrap s into lines of at most w columns; calls fn for each.  Returns lines. */
int	ui_wrap(const char *s, int w, void (*fn)(void *ctx, int line, const char *s,
						 size_t len), void *ctx);

/* "830 ns", "12.5 us", "1.4 ms", "2.00 s" */
void	ui_dur(char *buf, size_t len, uint64_t ns);

/* ---- the terminal (ui_term.c) ---- */

struct ui_term_opts {
	bool	mono;		/* asked for no colours */
	bool	bench;		/* a virtual screen on /dev/null */
	int	cols, rows;	/* bench size */
};

int	ui_term_start(const struct ui_term_opts *o, bool *mono, bool *utf8);
void	ui_term_stop(void);
void	ui_term_size(int *rows, int *cols);
/* Next key (UI_KEY_* or a character), or -1 when none is waiting. */
int	ui_term_key(void);
/* Wait up to ms (-1: forever) for input or a signal. */
void	ui_term_wait(int ms);
void	ui_term_blit(const struct ui_grid *g, bool repaint);
/* SIGINT, SIGTERM or SIGHUP received while the UI runs (0: none). */
int	ui_term_signal(void);

/* Keys beyond characters: curses key codes, moved out of Unicode's way. */
#define UI_FKEY(k)	(0x200000 | (k))
#define UI_CTRL(c)	((c) & 0x1f)
#define UI_ESC		27

/* ---- the UI state ---- */

enum ui_view { UI_VIEW_MAIN, UI_VIEW_HELP, UI_VIEW_VERDICT };

#define UI_DIRTY_HEADER		0x01
#define UI_DIRTY_BODY		0x02	/* banner, cards, goroutines, log */
#define UI_DIRTY_STATUS		0x04	/* status line and footer */
#define UI_DIRTY_LAYOUT		0x08	/* sizes changed: everything */
#define UI_DIRTY_REPAINT	0x10	/* and repaint the terminal */
#define UI_DIRTY_ALL		0x0f

#define UI_SPEED_MAX	0	/* index 0 of ui_speeds: as fast as possible */
#define UI_FILTER_MAX	64

/* A narrated event: from event ev on, notes[note] is shown. */
struct ui_moment {
	uint64_t	ev;
	uint32_t	note;	/* index in notes, UINT32_MAX: no change */
	bool		pause;
};

/* The screen's panes, recomputed when the size or the content changes. */
struct ui_rect {
	int	y, x, h, w;
};

struct ui_layout {
	struct ui_rect	header, banner, narr, cards, gor, log, status, footer;
	int		cols, rows;
	bool		too_small;
};

struct ui {
	struct ls_model		*m;
	const struct ls_ui_opts	*o;
	struct ls_detect	*det;
	bool			own_det;
	bool			det_done;	/* finished */

	/* live */
	struct ls_transport	*t;
	bool			live;
	bool			live_done;	/* the stream ended */
	uint64_t		last_arrival;	/* ns */

	/* the playhead */
	bool			paused;
	int			speed;		/* index in ui_speeds */
	uint64_t		tick;		/* ns of the last playhead update */
	double			credit;		/* events owed to the playhead */

	/* focus, follow, filter */
	uint32_t		focus;		/* object index, LS_NOIDX: none */
	bool			follow;
	/*
	 * The followed object as it was when following began: its address
	 * (and its inner mutex's, for a Once) and its label, so that the log
	 * and the status line keep it at positions before it first appears.
	 */
	uint64_t		follow_addr[2];
	char			follow_label[64];
	char			filter[UI_FILTER_MAX];
	bool			editing;
	char			edit[UI_FILTER_MAX];

	/* views */
	enum ui_view		view;
	int			scroll;		/* of the help or report view */
	bool			compact;	/* compact cards, forced */
	bool			hide_exited;
	int			card_top;	/* first card shown */
	char			msg[300];
	uint64_t		msg_until;

	/* narration */
	struct ui_moment	*moments;
	uint32_t		nmoments, capmoments;
	char			**notes;
	uint32_t		nnotes, capnotes;
	uint64_t		scanned;	/* events narration has seen */
	size_t			next_cue;
	bool			narrated;	/* cues, a callback or an intro */

	/* findings about the state shown (live, when nothing arrives) */
	struct ls_finding	*now;
	size_t			nnow;
	uint64_t		now_pos;
	bool			now_valid;

	/* drawing */
	struct ui_grid		grid;
	struct ui_layout	lay;
	const struct ui_glyphs	*gl;
	bool			utf8, mono;
	bool			has_cpu;	/* sched events seen: on/off CPU known */
	unsigned		dirty;
	bool			quit;
	char			title[160];
	uint64_t		screens;	/* saved with `s` */
};

extern const uint32_t ui_speeds[];
extern const int ui_nspeeds;

uint64_t ui_now_ns(void);
void	ui_message(struct ui *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const struct ls_mstate *ui_state(const struct ui *u);
uint64_t ui_pos(const struct ui *u);
uint64_t ui_count(const struct ui *u);
/* Move the playhead to k (clamped); narration is scanned on the way. */
void	ui_seek(struct ui *u, uint64_t k);
/* The narration shown at the playhead, NULL if none. */
const char *ui_note(const struct ui *u);

/* ---- views ---- */

/* An object gets a card (inner mutexes of RWMutex and Once do not). */
bool	ui_has_card(const struct ls_mstate *st, const struct ls_mobject *o);
/* How much a card says: a line or two; all, queues on one line; all. */
enum { UI_CARD_COMPACT = 0, UI_CARD_INLINE, UI_CARD_FULL };

/* Rows a card takes, box included, w columns wide; drawing it into w. */
int	ui_card_height(const struct ui *u, const struct ls_mobject *o, int w, int detail);
void	ui_card_draw(const struct ui *u, const struct ui_win *w, const struct ls_mobject *o,
		     int detail);
/* The variables card (MEM_* events), if any. */
int	ui_vars_height(const struct ui *u, int w);
void	ui_vars_draw(const struct ui *u, const struct ui_win *w);

void	ui_layout(struct ui *u, int rows, int cols);
void	ui_draw(struct ui *u);
void	ui_draw_header(struct ui *u, const struct ui_win *w);
void	ui_draw_cards(struct ui *u, const struct ui_win *w);
void	ui_draw_goroutines(struct ui *u, const struct ui_win *w);
void	ui_draw_log(struct ui *u, const struct ui_win *w);
void	ui_draw_narration(struct ui *u, const struct ui_win *w);
void	ui_draw_status(struct ui *u, const struct ui_win *w);
void	ui_draw_footer(struct ui *u, const struct ui_win *w);
/* Does ev concern the object at index oi (its inner mutex included)? */
bool	ui_event_about(const struct ls_mstate *st, const struct ls_event *ev, uint32_t oi);
/* The log's filter: follow and text. */
bool	ui_log_match(struct ui *u, const struct ls_event *ev, uint64_t k, char *line,
		     size_t len);

/* Findings to show at the playhead, most important first. */
size_t	ui_findings(struct ui *u, const struct ls_finding **out, size_t max);
int	ui_banner_height(struct ui *u, int w, int max);
void	ui_draw_banner(struct ui *u, const struct ui_win *w);
void	ui_draw_report(struct ui *u, const struct ui_win *w);
void	ui_refresh_now(struct ui *u);

/* ---- keys ---- */

unsigned ui_key(struct ui *u, int key);
void	ui_draw_help(struct ui *u, const struct ui_win *w);
/* The footer's hints for the current mode, into w. */
void	ui_draw_keys(struct ui *u, const struct ui_win *w);
/* Object indexes that have a card, in order; returns how many. */
uint32_t ui_card_list(const struct ls_mstate *st, uint32_t *out, uint32_t max);
/* Save the grid as text; the path goes to the status line. */
unsigned ui_save_screen(struct ui *u);

#endif /* LS_VIZ_UI_PRIV_H */
