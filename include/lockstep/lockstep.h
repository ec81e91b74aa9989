/* SPDX-License-Identifier: MIT */
/*
 * lockstep.h - everything liblockstep offers, in one include.
 *
 * Go's concurrency primitives re-implemented in C, algorithm for algorithm,
 * with a tracepoint on every state change.  See docs/ and API.md.
 */
#ifndef LOCKSTEP_H
#define LOCKSTEP_H

#include <lockstep/runtime.h>
#include <lockstep/sync.h>
#include <lockstep/mem.h>
#include <lockstep/chan.h>
#include <lockstep/context.h>
#include <lockstep/xsync.h>
#include <lockstep/patterns.h>

#endif /* LOCKSTEP_H */
