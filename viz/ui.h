/* SPDX-License-Identifier: MIT */
/*
 * ui.h - the terminal UI: the model animated, one card per object, the
 * goroutines, an event log explained line by line, and the detectors'
 * verdict drawn as a banner (docs/ui.md shows every screen).
 *
 * Two ways in:
 *
 *   ls_ui_replay   the whole trace is in the model already (every event
 *                  pushed); the user moves through it: play at a speed,
 *                  pause, step, jump.
 *   ls_ui_live     events arrive from a transport while the program runs;
 *                  the UI pulls them with ls_transport_poll between frames.
 *                  When the program ends the UI stays open on the final
 *                  state and the verdict until the user quits.
 *
 * Both own the terminal for their duration: curses starts when they are
 * called and the terminal is restored before they return, on every path
 * (errors, q, SIGINT, SIGTERM, SIGHUP; a crash restores it too).  They
 * return 0 when the user quits, -EINTR when a signal ended the UI, or
 * -errno (-ENOTTY: stdin or stdout is not a terminal; -ENOMEM).
 *
 * The model is only read by the views (ARCHITECTURE.md, principle 5); the
 * verdict comes from viz/detect.h, the same functions the CLI uses
 * (principle 6).
 *
 * Guided demos add narration: text shown beside the animation from a given
 * event on, optionally pausing there.  Either list cues (matched one after
 * the other, like the steps of a script) or give a callback that sees every
 * event; both may be used at once.  Narration is decided once per event, in
 * stream order, on the state right after that event; moving back and forth
 * shows the text that applies at the position shown, and playing across a
 * pausing event pauses again.
 */
#ifndef LS_VIZ_UI_H
#define LS_VIZ_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <lockstep/events.h>

struct ls_model;
struct ls_mstate;
struct ls_transport;
struct ls_detect;

/* ---- narration (guided demos) ---- */

/* What a narrated event says. */
struct ls_ui_note {
	const char	*text;	/* shown from this event on ('\n' breaks lines);
				   NULL: keep the text shown so far */
	bool		pause;	/* stop right after this event */
};

/*
 * One step of a script.  Every field set must match; unset fields (0,
 * NULL) match anything.  Cue i is only looked for after cue i-1 matched.
 */
struct ls_ui_cue {
	uint16_t	event;		/* LS_EV_*; 0: any event */
	const char	*goroutine;	/* name of the emitting goroutine */
	const char	*object;	/* name of the event's object */
	/* A last say, on the state right after ev; NULL: yes. */
	bool		(*when)(const struct ls_mstate *st, const struct ls_event *ev,
				void *ctx);
	struct ls_ui_note note;
};

/*
 * Called for every event, in stream order, after the model applied it
 * (st includes ev, index is its place in the timeline).  Return true with
 * *note filled to narrate this event.  The text must stay valid until the
 * UI returns (or be a string the callback keeps); the UI copies it.
 */
typedef bool (*ls_ui_narrate_fn)(void *ctx, const struct ls_mstate *st,
				 const struct ls_event *ev, uint64_t index,
				 struct ls_ui_note *note);

/* ---- options ---- */

/*
 * Figures of a benchmark run: the whole trace played from the start, a
 * frame drawn after every `batch` events (apply + draw, as at full speed,
 * but with a frame for each batch however fast the model is), then `seeks`
 * jumps to random positions, each drawn (stepping back and forth).
 */
struct ls_ui_stats {
	uint64_t	batch;		/* events per frame (0 in: count / 2000) */
	uint64_t	frames;		/* frames drawn while playing */
	uint64_t	events;		/* events applied while playing */
	uint64_t	ns;		/* wall time of the playing */
	uint64_t	max_frame_ns;	/* slowest frame (apply + draw) */
	uint64_t	draw_ns;	/* time spent drawing, all frames */
	uint64_t	seeks;		/* random jumps (0 in: 1000) */
	uint64_t	seek_ns;	/* their total time, drawing included */
	uint64_t	max_seek_ns;
};

struct ls_ui_opts {
	bool		ascii;		/* ASCII boxes and arrows (also when the
					   locale is not UTF-8) */
	bool		mono;		/* no colours (also with NO_COLOR set, or
					   a terminal without colours) */
	bool		paused;		/* start paused */
	int64_t		at;		/* replay: start at this position (events
					   applied, clamped to the end); < 0: 0 */
	uint32_t	speed;		/* events per second to start with; 0: 20
					   in replay, live in live mode */
	const char	*title;		/* shown in the header: the trace file, the
					   program; NULL: "replay" or "live" */

	/* narration */
	const char	*intro;		/* shown before the first narrated event */
	const struct ls_ui_cue *cues;
	size_t		ncues;
	void		*cue_ctx;	/* passed to the cues' when() */
	ls_ui_narrate_fn narrate;
	void		*narrate_ctx;

	/*
	 * The detector whose verdict is shown.  Replay: already fed the
	 * trace and finished (NULL: the UI runs one over the timeline).
	 * Live: the UI feeds it every event and finishes it when the stream
	 * ends (if the user quits first it is left unfinished); NULL: the
	 * UI keeps its own.
	 */
	struct ls_detect *detect;
	/* Live: every event as it arrives, before the UI sees it (e.g. to
	 * record it); a negative return stops the stream with that error. */
	int		(*on_event)(const struct ls_event *e, void *ctx);
	void		*on_event_ctx;
	/*
	 * Live: the LS_DETECT_* flags for ls_detect_finish when the stream
	 * ends (e.g. LS_DETECT_TIMED_OUT: the run stopped the program at its
	 * timeout), so that the banner says what the final report says.
	 * Called with on_event_ctx; NULL: no flags.
	 */
	unsigned	(*detect_flags)(void *ctx);

	/*
	 * Benchmark (replay only): draw into a virtual screen of bench_cols x
	 * bench_rows (0: 80x24) on /dev/null, no input; see struct
	 * ls_ui_stats (stats must be set).
	 */
	bool		bench;
	int		bench_cols, bench_rows;
	struct ls_ui_stats *stats;
};

int	ls_ui_replay(struct ls_model *m, const struct ls_ui_opts *o);
int	ls_ui_live(struct ls_transport *t, struct ls_model *m, const struct ls_ui_opts *o);

/*
 * The state at the model's position as text, without curses: the
 * goroutines, then one card per object, as the UI draws them (full cards),
 * cols wide.  For `replay --no-ui` and the tests.  0 or -errno.
 */
int	ls_ui_print_state(const struct ls_model *m, int cols, bool ascii, FILE *out);

/*
 * One frame of the UI for the model's position, as text, cols x rows,
 * without curses: what `s` would save.  0 or -errno.
 */
int	ls_ui_print_screen(struct ls_model *m, const struct ls_ui_opts *o,
			   int cols, int rows, FILE *out);

#endif /* LS_VIZ_UI_H */
