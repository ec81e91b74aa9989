/* SPDX-License-Identifier: MIT */
/*
 * internal.h - what the sync primitives share among themselves.
 */
#ifndef LS_PRIV_SYNC_INTERNAL_H
#define LS_PRIV_SYNC_INTERNAL_H

#include <lockstep/events.h>
#include <lockstep/sync.h>
#include "../trace.h"

/*
 * Lock m on behalf of another primitive: a goroutine that has to park is
 * reported in the goroutine dump as waiting on obj (of kind, named name)
 * for reason, e.g. RWMutex.Lock queued on the writers' mutex shows as
 * [sync.RWMutex.Lock] waiting on the RWMutex.
 */
LS_HIDDEN void ls__mutex_lock_as(struct ls_mutex *m, enum ls_wait_reason reason,
				 enum ls_obj_kind kind, const void *obj,
				 const char *name);

#endif /* LS_PRIV_SYNC_INTERNAL_H */
