/* SPDX-License-Identifier: MIT */
/*
 * taskpool.h - a task pool: a fixed number of worker goroutines fed by a
 * bounded queue (the course notes' TaskPool).
 *
 * Submit queues a task, blocking while the queue is full, until its ctx is
 * done (ctx NULL: wait as long as it takes).  Workers run tasks in the
 * order they take them from the queue.  Close tells the workers to stop: a
 * worker finishes the task it is running and returns; tasks still queued
 * may or may not run (each worker's select between "closed" and "a task"
 * picks at random, as Go's does).
 *
 * Closing twice is a bug, exactly as in the notes: Close closes a channel,
 * and the second Close dies like Go's second close(ch) does, with
 * "panic: close of closed channel" (see docs/primitives/taskpool.md).
 */
#ifndef LOCKSTEP_TASKPOOL_H
#define LOCKSTEP_TASKPOOL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ls_ctx;
struct ls_taskpool;

/* NULL with errno EINVAL (workers < 1) or ENOMEM. */
struct ls_taskpool *ls_taskpool_new(int workers, size_t queue_cap, const char *name);
/* 0 once queued; ctx's error if it ended first; -ESHUTDOWN after Close. */
int	ls_taskpool_submit(struct ls_taskpool *p, struct ls_ctx *ctx,
			   void (*fn)(void *arg), void *arg);
/* Stop the workers.  A second call panics ("close of closed channel"). */
void	ls_taskpool_close(struct ls_taskpool *p);
/* Close if not closed yet, wait for every worker to return, free. */
void	ls_taskpool_free(struct ls_taskpool *p);

#ifdef __cplusplus
}
#endif
#endif /* LOCKSTEP_TASKPOOL_H */
