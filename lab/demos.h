/* SPDX-License-Identifier: MIT */
/*
 * demos.h - the guided demonstrations of `lockstep demo`: for each, its
 * program (lab/demos/<program>.c, built to <build>/demos/<program>) and the
 * narration of its story, step by step.
 *
 * A step (a cue) names the event that makes it happen: the event id, the
 * goroutine that emits it, the object it is about, and a last test on the
 * event and the state right after it.  Steps are looked for one after the
 * other, in the stream's order: step i only after step i-1 was seen.  A
 * demo ran as planned when every step was seen and the run ended with the
 * verdict and exit status the demo expects.  Asides are notes for things
 * that may or may not happen on a given run (a race lost the other way);
 * they never pause and are not required.
 *
 * The narrator is shared by the live UI (as its narrate callback, on the
 * UI's model) and by the text mode and the check of the run (on a model
 * of their own), so both see the same steps.
 */
#ifndef LS_LAB_DEMOS_H
#define LS_LAB_DEMOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lockstep/events.h>

#include "../viz/detect.h"
#include "../viz/model.h"
#include "../viz/ui.h"

/* The pace: a step of the demo programs, in ms, at --pace 1. */
#define LS_DEMO_STEP_MS		700
#define LS_DEMO_STEP_MS_MIN	10	/* lab/demos/demo.h clamps to it too */
#define LS_DEMO_UI_EPS		10	/* the UI plays events at, --speed 1 */
#define LS_DEMO_NOTE_MAX	1024

struct ls_demo_cue {
	const char	*what;		/* a few words: "the victim sets STARVING" */
	uint16_t	event;		/* LS_EV_*; 0: any */
	const char	*goroutine;	/* emitted by this goroutine; NULL: any */
	const char	*object;	/* about this object; NULL: any */
	bool		(*when)(const struct ls_mstate *st, const struct ls_event *ev);
	const char	*text;		/* the narration */
	bool		pause;		/* the UI stops right after the event */
};

struct ls_demo {
	const char	*name;		/* `lockstep demo NAME` */
	const char	*title;
	const char	*program;	/* lab/demos/<program>.c */
	const char	*intro;		/* shown before the first step */
	enum ls_verdict	verdict;	/* the verdict of a run as planned */
	int		exit_status;	/* and the program's exit status */
	const struct ls_demo_cue *cues;
	size_t		ncues;
	const struct ls_demo_cue *asides;
	size_t		nasides;
};

extern const struct ls_demo ls_demos[];
extern const size_t ls_ndemos;

/* By name; NULL if there is none. */
const struct ls_demo *ls_demo_find(const char *name);

/* ---- the narrator ---- */

#define LS_DEMO_ASIDE	(-2)	/* ls_demo_see: an aside matched */

struct ls_demo_narrator {
	const struct ls_demo	*demo;
	size_t			next;		/* steps seen so far */
	uint64_t		seen;		/* events seen (index of the next) */
	const struct ls_demo_cue *cue;		/* the last step or aside matched */
	char			note[LS_DEMO_NOTE_MAX];	/* the last note's text */
	char			state[256];	/* its state line */
};

void	ls_demo_narrator_init(struct ls_demo_narrator *n, const struct ls_demo *d);
/*
 * One event, in stream order, with st the state right after it (index:
 * its place in the stream; an index below the last one seen starts the
 * story again, as when the UI rescans from the first event).  Returns the
 * step it matched (0-based), LS_DEMO_ASIDE, or -1.  On a match, n->note
 * holds the narration with the state line of the event's object (a named
 * mutex, RWMutex or channel), n->state that line alone ("" if none).
 */
int	ls_demo_see(struct ls_demo_narrator *n, const struct ls_mstate *st,
		    const struct ls_event *ev, uint64_t index);
/* The same as a narrate callback of the UI (viz/ui.h); ctx is the narrator. */
bool	ls_demo_narrate(void *ctx, const struct ls_mstate *st, const struct ls_event *ev,
			uint64_t index, struct ls_ui_note *note);
/* True when every step was seen. */
bool	ls_demo_complete(const struct ls_demo_narrator *n);

/*
 * A one-line summary of an object, for the narration, e.g.
 *	mu = 0xd: locked, starving, 1 waiter; held by hog; queue: victim
 *	rw: readerCount = -1073741823 (1 - 2^30: a writer is pending, 1 reader
 *	    active), readerWait = 1; writer waiting for the readers: writer
 *	buffered: [10 20 30] qcount 3/3, sendx 0, recvx 0; sendq: sender
 * Returns the length snprintf would.
 */
int	ls_demo_state_line(const struct ls_mstate *st, const struct ls_mobject *o,
			   char *buf, size_t len);

#endif /* LS_LAB_DEMOS_H */
