/* SPDX-License-Identifier: MIT */
/*
 * mem.h - instrumented shared variables for the race exercises.
 *
 * ls_load/ls_store are ordinary (racy) memory accesses that also emit an
 * event, so the race detector and the UI can show read-modify-write
 * interleavings and lost updates.  The ls_atomic_* functions are real atomic
 * operations whose events the race detector treats as synchronising.
 */
#ifndef LOCKSTEP_MEM_H
#define LOCKSTEP_MEM_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

int64_t	ls_load(const int64_t *p, const char *name);
void	ls_store(int64_t *p, int64_t v, const char *name);

int64_t	ls_atomic_load(const int64_t *p);
void	ls_atomic_store(int64_t *p, int64_t v);
int64_t	ls_atomic_add(int64_t *p, int64_t delta);	/* returns the new value */
bool	ls_atomic_cas(int64_t *p, int64_t old, int64_t new_val);
int64_t	ls_atomic_swap(int64_t *p, int64_t v);		/* returns the old value */

#ifdef __cplusplus
}
#endif
#endif /* LOCKSTEP_MEM_H */
