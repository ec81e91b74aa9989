// SPDX-License-Identifier: MIT
/*
 * ui_grid.c - a screen as a grid of cells, and drawing text and boxes into
 * clipped rectangles of it.
 *
 * Every view draws here, never into curses directly: the terminal module
 * copies the grid to the screen, `s` writes it to a file, `replay --no-ui`
 * prints it, the tests read it.  A cell holds one code point of width one
 * and a style (enum ui_style); the terminal module turns styles into
 * colours or, without colours, into bold, reverse and underline.
 *
 * Strings are UTF-8.  Anything that came from a trace (names, messages) is
 * untrusted, so every string is decoded here and whatever is not plain
 * printable text of width one (control characters, invalid UTF-8, wide or
 * combining characters, and in ASCII mode anything not ASCII) becomes '?'.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "ui_priv.h"

const struct ui_glyphs ui_glyphs_utf8 = {
	.h = 0x2500, .v = 0x2502, .tl = 0x250c, .tr = 0x2510, .bl = 0x2514,
	.br = 0x2518, .ltee = 0x251c, .rtee = 0x2524, .ttee = 0x252c, .btee = 0x2534,
	.rarr = "\u2192", .larr = "\u2190", .uarr = "\u2191", .dot = "\u00b7",
	.play = "\u25b6", .pause = "\u275a\u275a", .stop = "\u25a0", .bullet = "\u25cf",
	.ellip = "\u2026", .lifo = "\u21ba", .times = "\u00d7", .cycle = "\u21bb",
	.sep = "\u2502", .parked = "\u2016", .exited = "\u2715", .hand = "\u21d2",
};

/* Focused cards: the same with heavy lines. */
const struct ui_glyphs ui_glyphs_utf8_heavy = {
	.h = 0x2501, .v = 0x2503, .tl = 0x250f, .tr = 0x2513, .bl = 0x2517,
	.br = 0x251b, .ltee = 0x2523, .rtee = 0x252b, .ttee = 0x2533, .btee = 0x253b,
	.rarr = "\u2192", .larr = "\u2190", .uarr = "\u2191", .dot = "\u00b7",
	.play = "\u25b6", .pause = "\u275a\u275a", .stop = "\u25a0", .bullet = "\u25cf",
	.ellip = "\u2026", .lifo = "\u21ba", .times = "\u00d7", .cycle = "\u21bb",
	.sep = "\u2502", .parked = "\u2016", .exited = "\u2715", .hand = "\u21d2",
};

const struct ui_glyphs ui_glyphs_ascii_heavy = {
	.h = '=', .v = '#', .tl = '#', .tr = '#', .bl = '#', .br = '#',
	.ltee = '#', .rtee = '#', .ttee = '#', .btee = '#',
	.rarr = "->", .larr = "<-", .uarr = "^", .dot = ".", .play = ">",
	.pause = "||", .stop = "#", .bullet = "*", .ellip = "~", .lifo = "@",
	.times = "x", .cycle = "@", .sep = "|", .parked = "=", .exited = "x",
	.hand = "=>",
};

const struct ui_glyphs ui_glyphs_ascii = {
	.h = '-', .v = '|', .tl = '+', .tr = '+', .bl = '+', .br = '+',
	.ltee = '+', .rtee = '+', .ttee = '+', .btee = '+',
	.rarr = "->", .larr = "<-", .uarr = "^", .dot = ".", .play = ">",
	.pause = "||", .stop = "[]", .bullet = "*", .ellip = "~", .lifo = "@",
	.times = "x", .cycle = "@", .sep = "|", .parked = "=", .exited = "x",
	.hand = "=>",
};

int ui_grid_resize(struct ui_grid *g, int w, int h)
{
	struct ui_cell *c;

	if (w < 1)
		w = 1;
	if (h < 1)
		h = 1;
	if (w == g->w && h == g->h && g->c)
		return 0;
	c = calloc((size_t)w * (size_t)h, sizeof(*c));
	if (!c)
		return -ENOMEM;
	free(g->c);
	g->c = c;
	g->w = w;
	g->h = h;
	ui_grid_clear(g);
	return 0;
}

void ui_grid_free(struct ui_grid *g)
{
	free(g->c);
	g->c = NULL;
	g->w = g->h = 0;
}

void ui_grid_clear(struct ui_grid *g)
{
	for (size_t i = 0; i < (size_t)g->w * (size_t)g->h; i++) {
		g->c[i].ch = ' ';
		g->c[i].style = UI_S_NORMAL;
	}
}

/* One code point as UTF-8; returns the bytes written (buf holds 4). */
static int utf8_encode(uint32_t cp, char *buf)
{
	if (cp < 0x80) {
		buf[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		buf[0] = (char)(0xc0 | (cp >> 6));
		buf[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		buf[0] = (char)(0xe0 | (cp >> 12));
		buf[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		buf[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	buf[0] = (char)(0xf0 | (cp >> 18));
	buf[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	buf[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	buf[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

int ui_grid_write(const struct ui_grid *g, FILE *f)
{
	char buf[4];

	for (int y = 0; y < g->h; y++) {
		const struct ui_cell *row = &g->c[(size_t)y * (size_t)g->w];
		int end = g->w;

		while (end > 0 && row[end - 1].ch == ' ')
			end--;
		for (int x = 0; x < end; x++)
			fwrite(buf, 1, (size_t)utf8_encode(row[x].ch, buf), f);
		fputc('\n', f);
	}
	return ferror(f) ? -EIO : 0;
}

/*
 * Decode one code point from s (at most n bytes); *used gets its length.
 * Invalid or overlong sequences give U+FFFD and consume one byte.
 */
static uint32_t utf8_decode(const unsigned char *s, size_t n, size_t *used)
{
	uint32_t cp, min;
	size_t len;

	*used = 1;
	if (s[0] < 0x80)
		return s[0];
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, cp = s[0] & 0x1f, min = 0x80;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, cp = s[0] & 0x0f, min = 0x800;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, cp = s[0] & 0x07, min = 0x10000;
	else
		return 0xfffd;
	if (len > n)
		return 0xfffd;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0xfffd;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0xfffd;
	*used = len;
	return cp;
}

/* What a code point shows as: itself if it is safe text of width one. */
static uint32_t safe_cp(uint32_t cp, bool ascii)
{
	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == 0xfffd)
		return '?';
	if (cp < 0x80)
		return cp;
	if (ascii)
		return '?';
	/* Box drawing, arrows and the like are ours and single width. */
	if ((cp >= 0x2190 && cp <= 0x21ff) || (cp >= 0x2500 && cp <= 0x25ff) ||
	    (cp >= 0x2700 && cp <= 0x27bf) || cp == 0x2016 || cp == 0x2026 ||
	    cp == 0xb7 || cp == 0xd7)
		return cp;
	return wcwidth((wchar_t)cp) == 1 ? cp : '?';
}

int ui_strwidth(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), used;
	int w = 0;

	while (n) {
		utf8_decode(p, n, &used);
		p += used;
		n -= used;
		w++;
	}
	return w;
}

static void set_cell(const struct ui_win *w, int y, int x, uint32_t ch, int style)
{
	struct ui_cell *c;

	if (!w->g || y < 0 || x < 0 || y >= w->h || x >= w->w)
		return;
	y += w->y;
	x += w->x;
	if (y < 0 || x < 0 || y >= w->g->h || x >= w->g->w)
		return;
	c = &w->g->c[(size_t)y * (size_t)w->g->w + (size_t)x];
	c->ch = safe_cp(ch, w->g->ascii);
	c->style = (uint8_t)style;
}

struct ui_win ui_win_all(struct ui_grid *g)
{
	struct ui_win w = { g, 0, 0, g ? g->h : 0, g ? g->w : 0 };

	return w;
}

struct ui_win ui_sub(const struct ui_win *w, int y, int x, int h, int wd)
{
	struct ui_win s = { w->g, w->y + y, w->x + x, h, wd };

	/* Clip to the parent. */
	if (y < 0) {
		s.h += y;
		s.y -= y;
	}
	if (x < 0) {
		s.w += x;
		s.x -= x;
	}
	if (s.y + s.h > w->y + w->h)
		s.h = w->y + w->h - s.y;
	if (s.x + s.w > w->x + w->w)
		s.w = w->x + w->w - s.x;
	if (s.h < 0)
		s.h = 0;
	if (s.w < 0)
		s.w = 0;
	return s;
}

struct ui_win ui_inner(const struct ui_win *w)
{
	return ui_sub(w, 1, 1, w->h - 2, w->w - 2);
}

int ui_putw(const struct ui_win *w, int y, int x, int maxw, int style, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), used;
	int width = ui_strwidth(s), col = 0;
	bool cut;

	/* Cut at the window's edge too, and say so with an ellipsis. */
	if (x >= 0 && x < w->w && (maxw < 0 || maxw > w->w - x))
		maxw = w->w - x;
	cut = maxw >= 0 && width > maxw;

	while (n) {
		uint32_t cp = utf8_decode(p, n, &used);

		if (cut && col == maxw - 1) {
			set_cell(w, y, x + col, w->g && w->g->ascii ? '~' : 0x2026, style);
			col++;
			break;
		}
		set_cell(w, y, x + col, cp, style);
		col++;
		p += used;
		n -= used;
	}
	return x + col;
}

int ui_put(const struct ui_win *w, int y, int x, int style, const char *s)
{
	return ui_putw(w, y, x, -1, style, s);
}

int ui_printf(const struct ui_win *w, int y, int x, int style, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return ui_put(w, y, x, style, buf);
}

void ui_fill(const struct ui_win *w, int y, int x, int n, uint32_t ch, int style)
{
	for (int i = 0; i < n; i++)
		set_cell(w, y, x + i, ch, style);
}

void ui_box(const struct ui_win *w, const struct ui_glyphs *gl, int style)
{
	if (w->h < 2 || w->w < 2)
		return;
	ui_fill(w, 0, 1, w->w - 2, gl->h, style);
	ui_fill(w, w->h - 1, 1, w->w - 2, gl->h, style);
	for (int y = 1; y < w->h - 1; y++) {
		set_cell(w, y, 0, gl->v, style);
		set_cell(w, y, w->w - 1, gl->v, style);
	}
	set_cell(w, 0, 0, gl->tl, style);
	set_cell(w, 0, w->w - 1, gl->tr, style);
	set_cell(w, w->h - 1, 0, gl->bl, style);
	set_cell(w, w->h - 1, w->w - 1, gl->br, style);
}

void ui_box_title(const struct ui_win *w, const struct ui_glyphs *gl, int style,
		  const char *title, int tstyle, const char *tag, int tagstyle)
{
	int room = w->w - 4;

	ui_box(w, gl, style);
	if (tag && *tag && room > 8) {
		int tagw = ui_strwidth(tag), x;

		if (tagw > room / 2)
			tagw = room / 2;
		/* "── tag ┐" */
		x = w->w - 2 - tagw;
		set_cell(w, 0, x - 1, ' ', style);
		ui_putw(w, 0, x, tagw, tagstyle, tag);
		set_cell(w, 0, x + tagw, ' ', style);
		room -= tagw + 3;
	}
	if (title && *title && room > 2) {
		int end;

		/* "┌ title ──" */
		set_cell(w, 0, 1, ' ', style);
		end = ui_putw(w, 0, 2, room - 1, tstyle, title);
		set_cell(w, 0, end, ' ', style);
	}
}

int ui_wrap(const char *s, int w, void (*fn)(void *ctx, int line, const char *s, size_t len),
	    void *ctx)
{
	int lines = 0;

	if (w < 1)
		w = 1;
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t seg = nl ? (size_t)(nl - s) : strlen(s);
		const char *p = s, *end = s + seg;

		do {
			/* Take up to w columns, breaking at the last space. */
			const char *q = p, *brk = NULL;
			int col = 0;

			while (q < end && col < w) {
				size_t used;

				utf8_decode((const unsigned char *)q, (size_t)(end - q), &used);
				if (*q == ' ')
					brk = q;
				q += used;
				col++;
			}
			if (q < end && brk && brk > p)
				q = brk;
			if (fn)
				fn(ctx, lines, p, (size_t)(q - p));
			lines++;
			p = q;
			while (p < end && *p == ' ')
				p++;
		} while (p < end);
		if (!nl)
			break;
		s = nl + 1;
	}
	return lines;
}

void ui_dur(char *buf, size_t len, uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, len, "%" PRIu64 " ns", ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.1f us", (double)ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.1f ms", (double)ns / 1e6);
	else
		snprintf(buf, len, "%.2f s", (double)ns / 1e9);
}
