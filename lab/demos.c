// SPDX-License-Identifier: MIT
/*
 * demos.c - the guided demonstrations: their programs, their stories, and
 * the narrator that follows a story through the event stream (demos.h).
 *
 * The stories follow GO-SEMANTICS.md: section 1 (mutex starvation mode),
 * section 2 (the recursive-RLock deadlock) and section 5 (channels).  The
 * programs are lab/demos/<program>.c; each one's header comment tells the
 * same story from the program's side.  docs/demos.md is the presenter's
 * guide.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <lockstep/sync.h>

#include "demos.h"

/* ---- the tests of the steps, on the event (and the state after it) ---- */

static bool acq_woken(const struct ls_mstate *st, const struct ls_event *ev)
{
	return ev->args[0] & LS_MUTEX_WOKEN;
}

static bool acq_handoff(const struct ls_mstate *st, const struct ls_event *ev)
{
	return ev->args[2] == LS_ACQ_HANDOFF;
}

static bool acq_slow(const struct ls_mstate *st, const struct ls_event *ev)
{
	return ev->args[2] == LS_ACQ_SLOW;
}

static bool park_fifo(const struct ls_mstate *st, const struct ls_event *ev)
{
	return ev->args[0] == 0;
}

static bool mutex_free(const struct ls_mstate *st, const struct ls_event *ev)
{
	return ev->args[0] == 0;
}

static bool rlock_must_wait(const struct ls_mstate *st, const struct ls_event *ev)
{
	return ev->args[1] != 0;
}

static bool chan_direct(const struct ls_mstate *st, const struct ls_event *ev)
{
	return ev->args[0] == LS_CHAN_DIRECT;
}

static bool chan_refill(const struct ls_mstate *st, const struct ls_event *ev)
{
	return ev->args[0] == LS_CHAN_BUF_REFILL;
}

static bool park_send(const struct ls_mstate *st, const struct ls_event *ev)
{
	return ev->args[0] == 0;
}

static bool park_recv(const struct ls_mstate *st, const struct ls_event *ev)
{
	return ev->args[0] == 1;
}

static bool sent_first(const struct ls_mstate *st, const struct ls_event *ev)
{
	return ev->args[0] == LS_CHAN_BUFFERED && ev->args[1] == 1;
}

static bool sent_full(const struct ls_mstate *st, const struct ls_event *ev)
{
	return ev->args[0] == LS_CHAN_BUFFERED && ev->args[1] == 3;
}

static bool drained(const struct ls_mstate *st, const struct ls_event *ev)
{
	return ev->args[0] == LS_CHAN_BUFFERED && ev->args[1] == 0;
}

/* ---- starvation ---- */

static const struct ls_demo_cue starvation_cues[] = {
	{ "hog takes mu", LS_EV_MUTEX_ACQUIRE, "hog", "mu", NULL,
	  "hog: Lock() on a free mutex is one CAS, 0 -> 1 (locked). hog will hold "
	  "mu for a while, unlock it, and lock it again straight away.", true },
	{ "victim queues on mu", LS_EV_MUTEX_PARK, "victim", "mu", park_fifo,
	  "victim: Lock() finds mu locked. It counts itself as a waiter (+8) and "
	  "parks on the semaphore, at the tail of the queue.", true },
	{ "hog barges back in", LS_EV_MUTEX_ACQUIRE, "hog", "mu", acq_woken,
	  "hog: Unlock() cleared locked and woke the victim (waiters 1 -> 0, woken "
	  "bit 2 set). Then hog called Lock() at once and got mu: 0x2 -> 0x3. hog "
	  "is on a CPU, the victim is still waking up: woken is not owner.", true },
	{ "the victim sets STARVING", LS_EV_MUTEX_STARVE, "victim", "mu", NULL,
	  "victim: awake, it finds mu locked again. It has waited more than 1 ms, "
	  "so its CAS sets the starving bit (4): mu is in starvation mode. Next "
	  "it parks again, at the head of the queue this time.", true },
	{ "a newcomer queues at the tail", LS_EV_MUTEX_PARK, "newcomer", "mu", NULL,
	  "newcomer: Lock() in starvation mode may not spin or grab the mutex: it "
	  "queues at the tail, behind the victim. Barging is over.", true },
	{ "hog hands mu off", LS_EV_MUTEX_HANDOFF, "hog", "mu", NULL,
	  "hog: Unlock() in starvation mode hands mu straight to the head waiter. "
	  "locked stays clear until the victim takes over; starving keeps everyone "
	  "else out.", false },
	{ "the victim owns mu by hand-off", LS_EV_MUTEX_ACQUIRE, "victim", "mu", acq_handoff,
	  "victim: mu was handed to it, no race. mu stays in starvation mode: the "
	  "victim waited more than 1 ms and the newcomer is still waiting.", true },
	{ "mu goes back to normal mode", LS_EV_MUTEX_NORMAL, "newcomer", "mu", NULL,
	  "newcomer: mu is handed to it and it is the last waiter, so it clears "
	  "starving: normal mode again. (An owner that waited less than 1 ms would "
	  "clear it too.)", true },
	{ "mu is free", LS_EV_MUTEX_UNLOCK, "newcomer", "mu", mutex_free,
	  "newcomer: Unlock(). mu is free and in normal mode: the next Lock() is "
	  "the one-CAS fast path again. The end.", false },
};

static const struct ls_demo_cue starvation_asides[] = {
	{ "the victim won the race", LS_EV_MUTEX_ACQUIRE, "victim", "mu", acq_slow,
	  "victim: it got going before the hog locked again and took mu in normal "
	  "mode: it won the race this time. It gives mu back and queues again; the "
	  "round is played once more.", false },
};

/* ---- rlock-deadlock ---- */

static const struct ls_demo_cue rlock_cues[] = {
	{ "reader holds a read lock", LS_EV_RW_RACQUIRE, "reader", "rw", NULL,
	  "reader: RLock(). readerCount.Add(1) = 1, not negative: no writer is "
	  "pending, so the reader holds the read lock at once.", true },
	{ "writer announces itself", LS_EV_RW_WLOCK, "writer", "rw", NULL,
	  "writer: Lock() takes the inner mutex w, then subtracts 2^30: "
	  "readerCount = 1 - 2^30 = -1073741823. Negative: a writer is pending. "
	  "One reader is still active: readerWait = 1; the writer parks until it "
	  "leaves.", true },
	{ "the reader's second RLock parks", LS_EV_RW_RLOCK, "reader", "rw", rlock_must_wait,
	  "reader: RLock() again, before its RUnlock. readerCount + 1 = -1073741822 "
	  "is still negative, so the reader parks behind the pending writer. The "
	  "writer waits for the reader, the reader for the writer.", true },
	{ "all goroutines are asleep", LS_EV_PANIC, NULL, NULL, NULL,
	  "main waits in wg.Wait(), reader and writer are parked, no timer is "
	  "pending: as in Go, the runtime dies with \"all goroutines are asleep - "
	  "deadlock!\". The banner shows the cycle; v: the report.", true },
};

/* ---- channels ---- */

static const struct ls_demo_cue channels_cues[] = {
	{ "sender parks on unbuffered", LS_EV_CHAN_PARK, "sender", "unbuffered", park_send,
	  "sender: unbuffered <- 1. No receiver is waiting and there is no slot: "
	  "the sender parks in sendq, holding its value.", true },
	{ "receiver copies from the sender", LS_EV_CHAN_RECV, "receiver", "unbuffered",
	  chan_direct,
	  "receiver: <-unbuffered finds the sender in sendq, copies the value "
	  "straight from it and wakes it. Nothing is stored in between.", true },
	{ "receiver parks on unbuffered", LS_EV_CHAN_PARK, "receiver", "unbuffered", park_recv,
	  "receiver: <-unbuffered again. Nobody is sending: this time the receiver "
	  "parks, in recvq.", true },
	{ "sender hands 2 over", LS_EV_CHAN_SEND, "sender", "unbuffered", chan_direct,
	  "sender: unbuffered <- 2 finds the receiver in recvq and writes the "
	  "value straight into it, then wakes it. Whoever comes second completes "
	  "the handoff.", true },
	{ "10 goes into the ring", LS_EV_CHAN_SEND, "sender", "buffered", sent_first,
	  "sender: buffered <- 10. Nobody waits, but there is room: 10 goes into "
	  "slot sendx = 0, sendx moves to 1, qcount = 1, and the sender goes on "
	  "at once.", true },
	{ "the buffer is full", LS_EV_CHAN_SEND, "sender", "buffered", sent_full,
	  "sender: 20 went into slot 1, 30 into slot 2, and sendx wrapped round "
	  "to 0. qcount = 3 = cap: full.", true },
	{ "sender parks: no room", LS_EV_CHAN_PARK, "sender", "buffered", park_send,
	  "sender: buffered <- 40. No slot is free and no receiver waits: the "
	  "sender parks in sendq with 40.", true },
	{ "a receive frees a slot, the sender refills it", LS_EV_CHAN_RECV, "receiver",
	  "buffered", chan_refill,
	  "receiver: <-buffered takes 10 from slot recvx = 0. A sender is parked, "
	  "so its 40 goes into that slot at once and it wakes: still full, "
	  "recvx = 1 and sendx = recvx.", true },
	{ "the buffer is drained", LS_EV_CHAN_RECV, "receiver", "buffered", drained,
	  "receiver: took 20, 30 and 40 in order, recvx going round the ring. "
	  "qcount = 0: empty; one more receive would park. The end.", false },
};

#define N(a)	(sizeof(a) / sizeof((a)[0]))

const struct ls_demo ls_demos[] = {
	{
		.name = "starvation",
		.title = "Mutex starvation mode, and back",
		.program = "starvation",
		.intro = "A hog keeps re-locking mutex mu while a victim waits. mu's "
			 "state word: locked = 1, woken = 2, starving = 4, plus 8 per "
			 "waiter. Watch mu's card and its queue.",
		.verdict = LS_VERDICT_OK, .exit_status = 0,
		.cues = starvation_cues, .ncues = N(starvation_cues),
		.asides = starvation_asides, .nasides = N(starvation_asides),
	},
	{
		.name = "rlock-deadlock",
		.title = "The recursive-RLock deadlock: readerCount goes negative",
		.program = "rlock-deadlock",
		.intro = "A reader read-locks rw twice, and a writer arrives in "
			 "between. Watch rw's readerCount: it counts the readers, and "
			 "drops 2^30 below zero while a writer is pending.",
		.verdict = LS_VERDICT_DEADLOCK, .exit_status = 2,
		.cues = rlock_cues, .ncues = N(rlock_cues),
	},
	{
		.name = "channels",
		.title = "Unbuffered handoff versus a buffer filling up",
		.program = "channels",
		.intro = "unbuffered has no slots: a send and a receive meet. buffered "
			 "has a ring of 3 slots: sendx is the next to fill, recvx the "
			 "next to empty. Parked goroutines wait in sendq and recvq.",
		.verdict = LS_VERDICT_OK, .exit_status = 0,
		.cues = channels_cues, .ncues = N(channels_cues),
	},
};

const size_t ls_ndemos = N(ls_demos);

const struct ls_demo *ls_demo_find(const char *name)
{
	for (size_t i = 0; i < ls_ndemos; i++)
		if (!strcmp(ls_demos[i].name, name))
			return &ls_demos[i];
	return NULL;
}

/* ---- the state line ---- */

struct out {
	char	*buf;
	size_t	len;
	int	n;
};

static void __attribute__((format(printf, 2, 3))) put(struct out *o, const char *fmt, ...)
{
	size_t at = (size_t)o->n < o->len ? (size_t)o->n : o->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->buf ? o->buf + at : NULL, o->len - at, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->n += n;
}

/* "a, b" of a queue's goroutines, after label; nothing when it is empty. */
static void put_queue(struct out *o, const struct ls_mstate *st, const char *label,
		      const struct ls_mqueue *q)
{
	char name[LS_EVENT_STRMAX + 16];

	if (!q->n)
		return;
	put(o, "; %s: ", label);
	for (uint32_t i = 0; i < q->n; i++) {
		ls_mstate_goname(st, q->w[i].goid, name, sizeof(name));
		put(o, "%s%s", i ? ", " : "", name);
	}
}

static void put_mutex(struct out *o, const struct ls_mstate *st, const struct ls_mobject *ob)
{
	const struct ls_mmutex *mu = &ob->u.mu;
	char words[64], name[LS_EVENT_STRMAX + 16];

	ls_mutex_state_str(mu->state, words, sizeof(words));
	put(o, "%s = 0x%x: %s", ob->name, (unsigned)mu->state, words);
	if (mu->holder) {
		ls_mstate_goname(st, mu->holder, name, sizeof(name));
		put(o, "; held by %s", name);
	}
	put_queue(o, st, "queue", &ob->wq[0]);
}

static void put_rw(struct out *o, const struct ls_mstate *st, const struct ls_mobject *ob)
{
	const struct ls_mrw *rw = &ob->u.rw;
	int32_t rc = rw->reader_count, n = rc + LS_RW_MAX_READERS;
	char name[LS_EVENT_STRMAX + 16];

	if (rc >= 0)
		put(o, "%s: readerCount = %d (%d reader%s, no writer)", ob->name, rc, rc,
		    rc == 1 ? "" : "s");
	else
		put(o, "%s: readerCount = %d (%d - 2^30: a writer %s)", ob->name, rc, n,
		    rw->writer_active ? "holds it" : "is pending");
	put(o, ", readerWait = %d", rw->reader_wait);
	put_queue(o, st, "read-locked by", &ob->hold);
	if (rw->writer && !rw->writer_active) {
		ls_mstate_goname(st, rw->writer, name, sizeof(name));
		put(o, "; %s waits for the readers", name);
	}
	put_queue(o, st, "parked behind the writer", &ob->wq[0]);
}

static void put_chan(struct out *o, const struct ls_mstate *st, const struct ls_mobject *ob)
{
	const struct ls_mchan *ch = &ob->u.ch;

	if (!ch->cap) {
		put(o, "%s: no slots", ob->name);
	} else {
		put(o, "%s: [", ob->name);
		for (uint32_t i = 0; i < ob->nslots; i++) {
			if (ob->slot_full && ob->slot_full[i])
				put(o, "%s%" PRId64, i ? " " : "", (int64_t)ob->slot_val[i]);
			else
				put(o, "%s_", i ? " " : "");
		}
		put(o, "] qcount %" PRIu64 "/%" PRIu64 ", sendx %" PRIu64 ", recvx %" PRIu64,
		    ch->qcount, ch->cap, ch->sendx, ch->recvx);
	}
	if (ch->closed)
		put(o, ", closed");
	put_queue(o, st, "sendq", &ob->wq[1]);
	put_queue(o, st, "recvq", &ob->wq[0]);
}

int ls_demo_state_line(const struct ls_mstate *st, const struct ls_mobject *o,
		       char *buf, size_t len)
{
	struct out out = { buf, len, 0 };

	if (buf && len)
		buf[0] = '\0';
	switch (o->kind) {
	case LS_OBJ_MUTEX:
		put_mutex(&out, st, o);
		break;
	case LS_OBJ_RWMUTEX:
		put_rw(&out, st, o);
		break;
	case LS_OBJ_CHAN:
		put_chan(&out, st, o);
		break;
	default:
		put(&out, "%s: %s", o->name, ls_model_kind_str(o->kind));
	}
	return out.n;
}

/* ---- the narrator ---- */

static const struct ls_mobject *event_object(const struct ls_mstate *st,
					     const struct ls_event *ev)
{
	int kind = ls_model_event_kind(ev->id);

	if (!ev->obj || kind < 0)
		return NULL;
	return ls_mstate_object(st, ev->obj, (unsigned)kind);
}

static bool cue_matches(const struct ls_demo_cue *c, const struct ls_mstate *st,
			const struct ls_event *ev)
{
	const struct ls_mgoroutine *g;
	const struct ls_mobject *o;

	if (c->event && c->event != ev->id)
		return false;
	if (c->goroutine) {
		g = ls_mstate_goroutine(st, ev->goid);
		if (!g || strcmp(g->name, c->goroutine))
			return false;
	}
	if (c->object) {
		o = event_object(st, ev);
		if (!o || strcmp(o->name, c->object))
			return false;
	}
	return !c->when || c->when(st, ev);
}

void ls_demo_narrator_init(struct ls_demo_narrator *n, const struct ls_demo *d)
{
	memset(n, 0, sizeof(*n));
	n->demo = d;
}

/* The object the state line is about: the event's own, if it has a name. */
static const struct ls_mobject *shown_object(const struct ls_mstate *st,
					     const struct ls_event *ev)
{
	const struct ls_mobject *o = event_object(st, ev);

	if (o && o->name[0] && (o->kind == LS_OBJ_MUTEX || o->kind == LS_OBJ_RWMUTEX ||
				o->kind == LS_OBJ_CHAN))
		return o;
	return NULL;
}

int ls_demo_see(struct ls_demo_narrator *n, const struct ls_mstate *st,
		const struct ls_event *ev, uint64_t index)
{
	const struct ls_demo *d = n->demo;
	const struct ls_demo_cue *c = NULL;
	const struct ls_mobject *o;
	int hit = -1;

	if (index < n->seen)
		ls_demo_narrator_init(n, d);	/* the story starts again */
	n->seen = index + 1;
	if (n->next < d->ncues && cue_matches(&d->cues[n->next], st, ev)) {
		c = &d->cues[n->next];
		hit = (int)n->next++;
	} else {
		for (size_t i = 0; i < d->nasides && !c; i++) {
			if (cue_matches(&d->asides[i], st, ev)) {
				c = &d->asides[i];
				hit = LS_DEMO_ASIDE;
			}
		}
	}
	if (!c)
		return -1;
	n->cue = c;
	n->state[0] = '\0';
	o = shown_object(st, ev);
	if (o)
		ls_demo_state_line(st, o, n->state, sizeof(n->state));
	if (hit >= 0)
		snprintf(n->note, sizeof(n->note), "(%d/%zu) %s%s%s", hit + 1, d->ncues,
			 c->text, n->state[0] ? "\n\n" : "", n->state);
	else
		snprintf(n->note, sizeof(n->note), "%s%s%s", c->text,
			 n->state[0] ? "\n\n" : "", n->state);
	return hit;
}

bool ls_demo_narrate(void *ctx, const struct ls_mstate *st, const struct ls_event *ev,
		     uint64_t index, struct ls_ui_note *note)
{
	struct ls_demo_narrator *n = ctx;
	int hit = ls_demo_see(n, st, ev, index);

	if (hit == -1)
		return false;
	note->text = n->note;
	note->pause = hit >= 0 && n->demo->cues[hit].pause;
	return true;
}

bool ls_demo_complete(const struct ls_demo_narrator *n)
{
	return n->next == n->demo->ncues;
}
