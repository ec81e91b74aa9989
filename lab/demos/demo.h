/* SPDX-License-Identifier: MIT */
/*
 * demo.h - what the programs of `lockstep demo` share: their pace, and
 * ordering goroutines without a trace of it.
 *
 * A demo is slow on purpose, so that the audience can follow it: between
 * two steps a goroutine sleeps demo_step() (LOCKSTEP_DEMO_STEP_MS
 * milliseconds, set by `lockstep demo --pace`; 700 by default).  The
 * sleeps only give the pace.  Where the order of two goroutines matters,
 * the later one first waits for the earlier one's effect with
 * DEMO_WAIT_UNTIL, which polls a snapshot (ls_mutex_state,
 * ls_chan_waiters, ...) and emits no event, so the order is the same on
 * every run however slow the machine, and the trace shows only the story.
 */
#ifndef LS_DEMO_H
#define LS_DEMO_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <lockstep/lockstep.h>

#define DEMO_STEP_MS_DEFAULT	700
#define DEMO_STEP_MS_MIN	10	/* well above the 1 ms of starvation */
#define DEMO_WAIT_LIMIT_S	30	/* DEMO_WAIT_UNTIL gives up after this */

static inline int64_t demo_step_ns(void)
{
	const char *s = getenv("LOCKSTEP_DEMO_STEP_MS");
	long ms = s && *s ? strtol(s, NULL, 10) : DEMO_STEP_MS_DEFAULT;

	if (ms < DEMO_STEP_MS_MIN)
		ms = DEMO_STEP_MS_MIN;
	return (int64_t)ms * LS_MSEC;
}

/* Sleep for n steps (time.Sleep: the goroutine shows as sleeping). */
static inline void demo_step(double n)
{
	ls_sleep((int64_t)(n * (double)demo_step_ns()));
}

/* A plain nap, invisible to the runtime and the trace. */
static inline void demo_nap(void)
{
	struct timespec ts = { 0, 200 * 1000 };

	nanosleep(&ts, NULL);
}

/* Wait until cond holds; a demo that never gets there is broken: say so. */
#define DEMO_WAIT_UNTIL(cond) do {						\
	int64_t demo_t0_ = ls_now();						\
	while (!(cond)) {							\
		if (ls_now() - demo_t0_ > DEMO_WAIT_LIMIT_S * LS_SEC) {		\
			fprintf(stderr, "demo: %s:%d: gave up waiting for %s\n", \
				__FILE__, __LINE__, #cond);			\
			exit(3);						\
		}								\
		demo_nap();							\
	}									\
} while (0)

#endif /* LS_DEMO_H */
