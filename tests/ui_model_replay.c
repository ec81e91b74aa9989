// SPDX-License-Identifier: MIT
/*
 * ui_model_replay - the UI's views without a terminal: streams built with
 * viz/model_synth.h go into a model, and the cards, the banner and the
 * narration are rendered as text (ls_ui_print_state, ls_ui_print_screen),
 * exactly as the UI draws them.  tests/ui_tmux.c drives the real UI; this
 * suite covers the corners that are hard to reach with real programs (a
 * ring buffer wider than the screen, hostile names) and runs in
 * milliseconds.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "viz/model.h"
#include "viz/model_synth.h"
#include "viz/ui.h"

#define MAIN	1
#define W1	2
#define W2	3
#define MU	0x1000
#define MU_B	0x2000
#define RW	0x3000
#define CH	0x4000

/* Everything pushed into a fresh model (positioned at the end). */
static struct ls_model *model_of(const struct ls_synth *s)
{
	struct ls_model *m = ls_model_new(NULL);

	if (!m)
		return NULL;
	for (size_t i = 0; i < s->n; i++)
		if (ls_model_push(m, &s->ev[i])) {
			ls_model_free(m);
			return NULL;
		}
	return m;
}

/* The text of ls_ui_print_state or ls_ui_print_screen. */
static char *state_text(struct ls_model *m, int cols, bool ascii)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	if (ls_ui_print_state(m, cols, ascii, f)) {
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	return buf;
}

static char *screen_text(struct ls_model *m, const struct ls_ui_opts *o, int cols, int rows)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	if (ls_ui_print_screen(m, o, cols, rows, f)) {
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	return buf;
}

static char *line_with(const char *text, const char *needle)
{
	const char *p = strstr(text, needle), *b, *e;

	if (!p)
		return NULL;
	for (b = p; b > text && b[-1] != '\n'; b--)
		;
	e = strchr(p, '\n');
	return strndup(b, e ? (size_t)(e - b) : strlen(b));
}

/* A goroutine that finds the mutex held, counts itself a waiter, parks. */
static void park_on(struct ls_synth *s, uint64_t g, uint64_t m, int32_t old, int32_t new,
		    bool lifo)
{
	ls_synth_add(s, LS_EV_MUTEX_STATE, g, m, (uint32_t)old, (uint32_t)new,
		     LS_MUTEX_OP_LOCK_SLOW, 0, 0);
	ls_synth_add(s, LS_EV_MUTEX_PARK, g, m, lifo, (uint32_t)new, 0, 0, 0);
	ls_synth_park(s, g, m, LS_WAIT_MUTEX_LOCK);
}

/* main holds "m"; worker-1 waits; worker-2 came back and went to the head. */
static void two_waiters(struct ls_synth *s)
{
	ls_synth_init(s);
	ls_synth_go(s, 0, MAIN, "main");
	ls_synth_obj(s, MAIN, MU, LS_OBJ_MUTEX, "m");
	ls_synth_lock(s, MAIN, MU);
	ls_synth_go(s, MAIN, W1, "worker-1");
	ls_synth_go(s, MAIN, W2, "worker-2");
	park_on(s, W1, MU, 1, 9, false);
	park_on(s, W2, MU, 9, 17, true);
}

TEST(mutex_card_bits_and_queue)
{
	struct ls_synth s;
	struct ls_model *m;
	char *text, *q, *lifo;

	two_waiters(&s);
	m = model_of(&s);
	ASSERT_NOT_NULL(m);
	text = state_text(m, 80, false);
	ASSERT_NOT_NULL(text);
	ASSERT_CONTAINS(text, "sync.Mutex \"m\"");
	ASSERT_CONTAINS(text, "state [waiters=2 │ S W L] = 0x11");
	ASSERT_CONTAINS(text, "0 0 1   locked, 2 waiters");
	ASSERT_CONTAINS(text, "held by main (fast path)");
	/* worker-2 was re-queued at the head: first, marked LIFO */
	q = line_with(text, "head→");
	ASSERT_NOT_NULL(q);
	ASSERT_TRUE(strstr(q, "worker-2") < strstr(q, "worker-1"));
	ASSERT_CONTAINS(q, "←tail");
	lifo = line_with(text, "LIFO");
	ASSERT_NOT_NULL(lifo);
	ASSERT_TRUE(strstr(lifo, "LIFO") - lifo < strstr(q, "worker-1") - q);
	/* the goroutines, in Go's words */
	ASSERT_CONTAINS(text, "‖ worker-1");
	ASSERT_CONTAINS(text, "sync.Mutex.Lock on mutex \"m\"");
	free(q);
	free(lifo);
	free(text);
	ls_model_free(m);
	ls_synth_free(&s);
}

TEST(rwmutex_writer_pending)
{
	struct ls_synth s;
	struct ls_model *m;
	char *text;

	ls_synth_init(&s);
	ls_synth_go(&s, 0, MAIN, "main");
	ls_synth_go(&s, MAIN, W1, "reader");
	ls_synth_go(&s, MAIN, W2, "writer");
	ls_synth_obj(&s, MAIN, RW, LS_OBJ_RWMUTEX, "cfg");
	ls_synth_add(&s, LS_EV_RW_RLOCK, W1, RW, 1, 0, 0, 0, 0);
	ls_synth_add(&s, LS_EV_RW_RACQUIRE, W1, RW, 1, 0, 0, 0, 0);
	ls_synth_add(&s, LS_EV_RW_WLOCK, W2, RW, (uint32_t)(1 - (1 << 30)), 1, 1, 0, 0);
	ls_synth_park(&s, W2, RW, LS_WAIT_RW_LOCK);
	m = model_of(&s);
	ASSERT_NOT_NULL(m);
	text = state_text(m, 80, false);
	ASSERT_NOT_NULL(text);
	ASSERT_CONTAINS(text, "readerCount -1073741823 = -2^30 + 1");
	ASSERT_CONTAINS(text, "1 reader active, writer pending");
	ASSERT_CONTAINS(text, "readerWait 1");
	ASSERT_CONTAINS(text, "WRITER PENDING");
	ASSERT_CONTAINS(text, "writer  writer, pending");
	free(text);
	ls_model_free(m);
	ls_synth_free(&s);
}

/* cap 100: 60 sent, 55 received; the card shows a window around the indexes. */
TEST(chan_ring_wider_than_the_card)
{
	struct ls_synth s;
	struct ls_model *m;
	char *text, *slots, *marks;

	ls_synth_init(&s);
	ls_synth_go(&s, 0, MAIN, "main");
	ls_synth_obj(&s, MAIN, CH, LS_OBJ_CHAN, "big");
	ls_synth_add(&s, LS_EV_CHAN_MAKE, MAIN, CH, 8, 100, 0, 0, 0);
	for (uint64_t i = 1; i <= 60; i++)
		ls_synth_add(&s, LS_EV_CHAN_SEND, MAIN, CH, LS_CHAN_BUFFERED, i, i, 0, 100 + i);
	for (uint64_t i = 1; i <= 55; i++)
		ls_synth_add(&s, LS_EV_CHAN_RECV, MAIN, CH, LS_CHAN_BUFFERED, 60 - i, 60, i,
			     100 + i);
	m = model_of(&s);
	ASSERT_NOT_NULL(m);
	text = state_text(m, 70, false);
	ASSERT_NOT_NULL(text);
	ASSERT_CONTAINS(text, "qcount 5/100");
	/* slots 55..59 hold 156..160 (the value sent is 100 + n) */
	slots = line_with(text, "156");
	ASSERT_NOT_NULL(slots);
	ASSERT_CONTAINS(slots, "160");
	ASSERT_CONTAINS(slots, "…");		/* more slots than the card is wide */
	marks = line_with(text, "↑recvx");
	ASSERT_NOT_NULL(marks);
	ASSERT_TRUE(strstr(text, "↑sendx") != NULL);
	free(slots);
	free(marks);
	free(text);
	ls_model_free(m);
	ls_synth_free(&s);
}

/* Names come from the traced program: nothing in them reaches the terminal. */
TEST(hostile_names_are_text)
{
	struct ls_synth s;
	struct ls_model *m;
	char *text;

	ls_synth_init(&s);
	ls_synth_go(&s, 0, MAIN, "\033[2J\033]0;pwned\007");
	ls_synth_obj(&s, MAIN, MU, LS_OBJ_MUTEX, "\r\nfake\x9b" "31m");
	ls_synth_lock(&s, MAIN, MU);
	m = model_of(&s);
	ASSERT_NOT_NULL(m);
	text = state_text(m, 80, false);
	ASSERT_NOT_NULL(text);
	ASSERT_EQ(NULL, strchr(text, '\033'));
	ASSERT_EQ(NULL, strchr(text, '\r'));
	ASSERT_EQ(NULL, strchr(text, '\007'));
	ASSERT_CONTAINS(text, "?[2J?]0;pwned?");
	ASSERT_CONTAINS(text, "??fake?31m");
	free(text);
	ls_model_free(m);
	ls_synth_free(&s);
}

TEST(ascii_state_is_ascii)
{
	struct ls_synth s;
	struct ls_model *m;
	char *text;

	two_waiters(&s);
	m = model_of(&s);
	ASSERT_NOT_NULL(m);
	text = state_text(m, 80, true);
	ASSERT_NOT_NULL(text);
	for (char *p = text; *p; p++)
		ASSERT_TRUE((unsigned char)*p < 0x80);
	ASSERT_CONTAINS(text, "[waiters=2 | S W L]");
	ASSERT_CONTAINS(text, "head-> |worker-2|->|worker-1|<-tail");
	free(text);
	ls_model_free(m);
	ls_synth_free(&s);
}

/* Two goroutines each hold the mutex the other wants: the banner's cycle. */
TEST(deadlock_banner_cycle)
{
	struct ls_synth s;
	struct ls_model *m;
	char *text;

	ls_synth_init(&s);
	ls_synth_go(&s, 0, MAIN, "main");
	ls_synth_go(&s, MAIN, W1, "left");
	ls_synth_go(&s, MAIN, W2, "right");
	ls_synth_obj(&s, MAIN, MU, LS_OBJ_MUTEX, "A");
	ls_synth_obj(&s, MAIN, MU_B, LS_OBJ_MUTEX, "B");
	ls_synth_lock(&s, W1, MU);
	ls_synth_lock(&s, W2, MU_B);
	park_on(&s, W1, MU_B, 1, 9, false);
	park_on(&s, W2, MU, 1, 9, false);
	m = model_of(&s);
	ASSERT_NOT_NULL(m);
	text = screen_text(m, NULL, 100, 30);
	ASSERT_NOT_NULL(text);
	ASSERT_CONTAINS(text, "DEADLOCK: 2 goroutines wait for each other in a cycle");
	ASSERT_CONTAINS(text, "left ─[sync.Mutex.Lock]→ mutex \"B\" ─held by→ right");
	ASSERT_CONTAINS(text, "right ─[sync.Mutex.Lock]→ mutex \"A\" ─held by→ left");
	ASSERT_CONTAINS(text, " deadlock\n");	/* the verdict, ending the header */
	free(text);
	ls_model_free(m);
	ls_synth_free(&s);
}

/* ---- narration ---- */

static bool two_parked(const struct ls_mstate *st, const struct ls_event *ev, void *ctx)
{
	const struct ls_mobject *o = ls_mstate_object(st, MU, LS_OBJ_MUTEX);

	(void)ev;
	(void)ctx;
	return o && o->wq[0].n == 2;
}

static bool on_lock(void *ctx, const struct ls_mstate *st, const struct ls_event *ev,
		    uint64_t index, struct ls_ui_note *note)
{
	int *calls = ctx;

	(*calls)++;
	if (ev->id != LS_EV_MUTEX_ACQUIRE)
		return false;
	note->text = "main takes the lock (fast path)";
	return true;
}

TEST(narration_follows_the_position)
{
	static const struct ls_ui_cue cues[] = {
		{ .event = LS_EV_MUTEX_PARK, .goroutine = "worker-1",
		  .note = { "NOTE-1 worker-1 queues" } },
		{ .event = LS_EV_GO_PARK, .when = two_parked,
		  .note = { "NOTE-2 two waiters now", true } },
	};
	struct ls_ui_opts o = {
		.intro = "the story begins", .cues = cues, .ncues = 2,
		.narrate = on_lock, .at = -1,
	};
	struct ls_synth s;
	struct ls_model *m;
	char *text;
	int calls = 0;

	o.narrate_ctx = &calls;
	two_waiters(&s);
	m = model_of(&s);
	ASSERT_NOT_NULL(m);
	ls_model_set_follow(m, false);
	/* before anything: the intro */
	ASSERT_EQ(0, ls_model_seek(m, 1));
	text = screen_text(m, &o, 120, 30);
	ASSERT_CONTAINS(text, "the story begins");
	free(text);
	/* after main's lock: the callback's text */
	ASSERT_EQ(0, ls_model_seek(m, 6));
	text = screen_text(m, &o, 120, 30);
	ASSERT_CONTAINS(text, "main takes the lock");
	free(text);
	/* at the end: the second cue, which only matches once both wait */
	ASSERT_EQ(0, ls_model_seek(m, ls_model_count(m)));
	text = screen_text(m, &o, 120, 30);
	ASSERT_CONTAINS(text, "NOTE-2 two waiters now");
	ASSERT_EQ(NULL, strstr(text, "NOTE-1"));
	free(text);
	/* between the two: the first cue */
	ASSERT_EQ(0, ls_model_seek(m, ls_model_count(m) - 2));
	text = screen_text(m, &o, 120, 30);
	ASSERT_CONTAINS(text, "NOTE-1 worker-1 queues");
	free(text);
	/* the callback saw every event, in order, once per rendering */
	ASSERT_TRUE(calls > 0);
	ls_model_free(m);
	ls_synth_free(&s);
}

TEST_HARNESS_MAIN
