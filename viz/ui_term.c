// SPDX-License-Identifier: MIT
/*
 * ui_term.c - the terminal: the one place that starts and stops curses,
 * sets up colours, reads keys, follows resizes and puts the grid on the
 * screen (STYLE.md: htop's CRT.c plays this part).
 *
 * The terminal must never be left in curses mode.  Every way out restores
 * it: ui_term_stop() on the normal paths, an atexit handler for exit()
 * from anywhere, and handlers for SIGINT, SIGTERM and SIGHUP (they only
 * raise a flag: the loop sees it, returns, and the caller's cleanup runs)
 * and for the crash signals (restore, then die of the signal as before).
 *
 * Colours map each style to a colour pair; without colours (NO_COLOR set,
 * --mono, or a terminal without them) styles become bold, reverse, dim and
 * underline, so nothing the UI says depends on colour.
 */
#define _GNU_SOURCE
#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <unistd.h>

#include "ui_priv.h"

static struct {
	SCREEN		*scr;
	FILE		*in, *out;	/* bench: /dev/null */
	bool		active;
	bool		bench;
	bool		atexit_set;
	attr_t		attr[UI_S__COUNT];
	short		pair[UI_S__COUNT];
	cchar_t		*row;
	int		rowcap;
	struct sigaction old_stop[3], old_crash[5];
} term;

static volatile sig_atomic_t term_sig;

static const int stop_signals[3] = { SIGINT, SIGTERM, SIGHUP };
static const int crash_signals[5] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

static void restore_terminal(void)
{
	if (!term.active)
		return;
	term.active = false;
	endwin();
}

static void on_stop_signal(int sig)
{
	term_sig = sig;
}

/* A crash: give the terminal back, then die of the same signal. */
static void on_crash_signal(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };

	/* No SA_RESTART: a signal must cut the wait short. */
	sigemptyset(&sa.sa_mask);
	term_sig = 0;
	for (int i = 0; i < 3; i++)
		sigaction(stop_signals[i], &sa, &term.old_stop[i]);
	sa.sa_handler = on_crash_signal;
	sa.sa_flags = SA_RESETHAND;
	for (int i = 0; i < 5; i++)
		sigaction(crash_signals[i], &sa, &term.old_crash[i]);
}

static void restore_signals(void)
{
	for (int i = 0; i < 3; i++)
		sigaction(stop_signals[i], &term.old_stop[i], NULL);
	for (int i = 0; i < 5; i++)
		sigaction(crash_signals[i], &term.old_crash[i], NULL);
}

static void setup_mono(void)
{
	static const attr_t a[UI_S__COUNT] = {
		[UI_S_DIM] = A_DIM,		[UI_S_BOLD] = A_BOLD,
		[UI_S_BAR] = A_REVERSE,		[UI_S_PAUSED] = A_REVERSE | A_BOLD,
		[UI_S_BANNER] = A_REVERSE | A_BOLD, [UI_S_ALERT] = A_BOLD,
		[UI_S_SET] = A_BOLD,		[UI_S_WAIT] = A_UNDERLINE,
		[UI_S_RUN] = A_BOLD,		[UI_S_HOT] = A_BOLD | A_UNDERLINE,
		[UI_S_FOCUS] = A_BOLD,		[UI_S_KEY] = A_BOLD,
		[UI_S_MARK] = A_BOLD,
	};

	memcpy(term.attr, a, sizeof(a));
	memset(term.pair, 0, sizeof(term.pair));
}

static void setup_colours(void)
{
	static const struct {
		short fg, bg;
		attr_t attr;
	} c[UI_S__COUNT] = {
		[UI_S_NORMAL]	= { -1, -1, 0 },
		[UI_S_DIM]	= { -1, -1, A_DIM },
		[UI_S_BOLD]	= { -1, -1, A_BOLD },
		[UI_S_BAR]	= { COLOR_BLACK, COLOR_CYAN, 0 },
		[UI_S_PAUSED]	= { COLOR_BLACK, COLOR_YELLOW, A_BOLD },
		[UI_S_BANNER]	= { COLOR_WHITE, COLOR_RED, A_BOLD },
		[UI_S_ALERT]	= { COLOR_RED, -1, A_BOLD },
		[UI_S_SET]	= { COLOR_RED, -1, A_BOLD },
		[UI_S_FREE]	= { COLOR_GREEN, -1, 0 },
		[UI_S_WAIT]	= { COLOR_YELLOW, -1, 0 },
		[UI_S_RUN]	= { COLOR_GREEN, -1, A_BOLD },
		[UI_S_HOT]	= { COLOR_MAGENTA, -1, A_BOLD },
		[UI_S_FOCUS]	= { COLOR_CYAN, -1, A_BOLD },
		[UI_S_KEY]	= { COLOR_WHITE, COLOR_BLACK, A_BOLD },
		[UI_S_MARK]	= { COLOR_CYAN, -1, A_BOLD },
	};

	use_default_colors();
	for (int i = 0; i < UI_S__COUNT; i++) {
		term.attr[i] = c[i].attr;
		term.pair[i] = 0;
		if (c[i].fg < 0 && c[i].bg < 0)
			continue;
		init_pair((short)(i + 1), c[i].fg, c[i].bg);
		term.pair[i] = (short)(i + 1);
	}
}

static bool want_colours(bool mono)
{
	const char *nc = getenv("NO_COLOR");

	if (mono || (nc && *nc) || !has_colors())
		return false;
	/* COLORS and COLOR_PAIRS are known once colours are started */
	if (start_color() == ERR)
		return false;
	return COLORS >= 8 && COLOR_PAIRS > UI_S__COUNT;
}

int ui_term_start(const struct ui_term_opts *o, bool *mono, bool *utf8)
{
	const char *cs;

	setlocale(LC_CTYPE, "");	/* characters only: numbers stay "C" */
	cs = nl_langinfo(CODESET);
	*utf8 = cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8"));
	memset(&term.attr, 0, sizeof(term.attr));
	term.bench = o->bench;
	if (o->bench) {
		term.out = fopen("/dev/null", "we");
		term.in = fopen("/dev/null", "re");
		if (!term.out || !term.in)
			goto out_files;
		term.scr = newterm("xterm-256color", term.out, term.in);
	} else {
		if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
			return -ENOTTY;
		term.scr = newterm(NULL, stdout, stdin);
	}
	if (!term.scr)
		goto out_files;
	set_term(term.scr);
	term.active = true;
	if (!term.atexit_set) {
		atexit(restore_terminal);
		term.atexit_set = true;
	}
	/* A terminal that cannot move the cursor cannot show a UI. */
	if (!cursor_address) {
		ui_term_stop();
		return -ENOTTY;
	}
	install_signals();
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	leaveok(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	if (o->bench)
		resizeterm(o->rows > 0 ? o->rows : 24, o->cols > 0 ? o->cols : 80);
	*mono = !want_colours(o->mono);
	if (*mono)
		setup_mono();
	else
		setup_colours();
	return 0;

out_files:
	if (term.out)
		fclose(term.out);
	if (term.in)
		fclose(term.in);
	term.out = term.in = NULL;
	return -ENOTTY;
}

void ui_term_stop(void)
{
	if (!term.scr)
		return;
	restore_terminal();
	restore_signals();
	delscreen(term.scr);
	term.scr = NULL;
	if (term.out)
		fclose(term.out);
	if (term.in)
		fclose(term.in);
	term.out = term.in = NULL;
	free(term.row);
	term.row = NULL;
	term.rowcap = 0;
}

int ui_term_signal(void)
{
	return term_sig;
}

void ui_term_size(int *rows, int *cols)
{
	getmaxyx(stdscr, *rows, *cols);
}

int ui_term_key(void)
{
	wint_t ch;
	int r;

	if (term.bench)
		return -1;
	r = wget_wch(stdscr, &ch);
	if (r == ERR)
		return -1;
	if (r == KEY_CODE_YES)
		return UI_FKEY((int)ch);
	return (int)ch;
}

void ui_term_wait(int ms)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };

	if (term.bench || term_sig)
		return;
	poll(&p, 1, ms);
}

void ui_term_blit(const struct ui_grid *g, bool repaint)
{
	if (g->w > term.rowcap) {
		cchar_t *r = realloc(term.row, (size_t)g->w * sizeof(*r));

		if (!r)
			return;
		term.row = r;
		term.rowcap = g->w;
	}
	for (int y = 0; y < g->h; y++) {
		const struct ui_cell *c = &g->c[(size_t)y * (size_t)g->w];

		for (int x = 0; x < g->w; x++) {
			wchar_t wc[2] = { (wchar_t)c[x].ch, 0 };
			int s = c[x].style < UI_S__COUNT ? c[x].style : 0;

			setcchar(&term.row[x], wc, term.attr[s], term.pair[s], NULL);
		}
		mvwadd_wchnstr(stdscr, y, 0, term.row, g->w);
	}
	if (repaint)
		clearok(curscr, TRUE);
	wnoutrefresh(stdscr);
	doupdate();
}
