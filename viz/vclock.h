/* SPDX-License-Identifier: MIT */
/*
 * vclock.h - vector clocks for the race detector (viz/detect_race.c).
 *
 * A vector clock maps each goroutine (by its dense index in the detector,
 * not its goid) to the last "time" of that goroutine known to have happened
 * before the owner's present.  It is sized by the number of goroutines seen
 * so far and grows on demand: a missing entry reads as 0.
 *
 * The happens-before machinery is the usual one (Lamport, Fidge/Mattern;
 * the epochs of FastTrack, Flanagan and Freund, PLDI 2009):
 *	release:  S := S join C(t);  C(t)[t] += 1
 *	acquire:  C(t) := C(t) join S
 *	access a by t is ordered after access b by u  iff  b.clock <= C(t)[u]
 */
#ifndef LS_VIZ_VCLOCK_H
#define LS_VIZ_VCLOCK_H

#include <stddef.h>
#include <stdint.h>

struct ls_vclock {
	uint32_t	n;	/* entries in use */
	uint32_t	cap;
	uint32_t	*c;
};

static inline uint32_t ls_vc_get(const struct ls_vclock *v, uint32_t i)
{
	return i < v->n ? v->c[i] : 0;
}

/* All return 0 or -ENOMEM; a failed call leaves the clock as it was. */
int	ls_vc_set(struct ls_vclock *v, uint32_t i, uint32_t val);
int	ls_vc_join(struct ls_vclock *dst, const struct ls_vclock *src);
/* v[i] += 1 */
int	ls_vc_tick(struct ls_vclock *v, uint32_t i);
void	ls_vc_free(struct ls_vclock *v);

#endif /* LS_VIZ_VCLOCK_H */
