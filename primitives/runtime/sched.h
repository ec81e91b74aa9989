/* SPDX-License-Identifier: MIT */
/*
 * sched.h (internal) - the all-asleep bookkeeping (Go: checkdead).
 *
 * One 64-bit word: the low half counts goroutines that are not parked
 * (running or runnable), the high half counts pending timers.  gopark
 * subtracts one, goready adds one, a sleep moves one from "running" to
 * "timer".  The word reaching exactly zero means nobody is left who could
 * ever wake anyone: every goroutine is asleep and no timer is pending.
 *
 * goready adds before the woken goroutine's own park subtraction may have
 * happened, so the count can briefly exceed the truth but is never below
 * it: zero is never reached by mistake.
 */
#ifndef LS_PRIV_SCHED_H
#define LS_PRIV_SCHED_H

#include "runtime.h"

LS_HIDDEN void ls__sched_add_running(int delta);
LS_HIDDEN void ls__sched_exit(void);		/* a goroutine ended */
LS_HIDDEN void ls__sched_reset(void);		/* after fork */
LS_HIDDEN uint32_t ls__sched_running(void);

#endif /* LS_PRIV_SCHED_H */
