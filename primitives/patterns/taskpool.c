// SPDX-License-Identifier: MIT
/*
 * taskpool.c - the task pool of the course notes (seed 001, "实现一个任务池").
 *
 * Two channels and N goroutines:
 *
 *   tasks   capacity queue_cap: the queue.  Submit sends into it, so a full
 *           queue blocks the submitter (the notes' choice: "block the
 *           submitter" rather than grow the queue or drop the task), and
 *           ctx bounds that wait.
 *   closing capacity 0, never sent on: Close closes it, which every worker
 *           sees at once (a closed channel is always ready to receive).
 *   workers each loops on select { <-closing: return; t := <-tasks: t() }.
 *
 * Submit: select { tasks <- t: 0; <-ctx.Done(): ctx's error;
 * <-closing: -ESHUTDOWN }, after a non-blocking look at closing so that a
 * pool known to be closed refuses deterministically.
 * Close: close(closing).  The notes weigh an atomic flag (rejected: workers
 * blocked on tasks would never see it), sending a value on closing
 * (rejected: it stops one worker, not all) and sync.Once (rejected as
 * over-careful: document "do not call Close twice" instead).  We keep their
 * choice, so a second Close is the bug they warn about and dies as Go
 * would: "panic: close of closed channel", goroutine dump, exit 2.
 *
 * Events: TASK_SUBMIT (tasks queued after, queue capacity), TASK_CLOSE; the
 * channels' own events show the queue filling and draining.
 *
 * Deviation: a WaitGroup counts the workers so that ls_taskpool_free can
 * wait for them before freeing the channels (Go's collector needs none).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <lockstep/chan.h>
#include <lockstep/context.h>
#include <lockstep/runtime.h>
#include <lockstep/sync.h>
#include <lockstep/taskpool.h>
#include "../trace.h"

struct task {
	void	(*fn)(void *arg);
	void	*arg;
};

struct ls_taskpool {
	struct ls_chan		*tasks;		/* of struct task */
	struct ls_chan		*closing;	/* closed by Close */
	int			closed;		/* atomic: Close was called */
	struct ls_waitgroup	workers;
	struct ls_objname	on;
	char			worker_name[32];
};

#define TASK_TRACE(ev, p, ...) LS_TRACE_OBJ(ev, LS_OBJ_TASKPOOL, (p), __VA_ARGS__)

static void worker(void *arg)
{
	struct ls_taskpool *p = arg;
	struct task t;
	struct ls_case cases[2] = {
		{ .ch = p->closing, .dir = LS_RECV },
		{ .ch = p->tasks, .dir = LS_RECV, .elem = &t },
	};

	while (ls_select(cases, 2, true) == 1)
		t.fn(t.arg);
	ls_waitgroup_done(&p->workers);
}

struct ls_taskpool *ls_taskpool_new(int workers, size_t queue_cap, const char *name)
{
	struct ls_taskpool *p;

	if (workers < 1) {
		errno = EINVAL;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		goto out_nomem;
	p->on.name = name;
	ls_waitgroup_init(&p->workers, name);
	snprintf(p->worker_name, sizeof(p->worker_name), "%s worker",
		 name ? name : "taskpool");
	p->tasks = ls_chan_make(sizeof(struct task), queue_cap, name);
	if (!p->tasks)
		goto out_free;
	p->closing = ls_chan_make(0, 0, "closing");
	if (!p->closing)
		goto out_tasks;
	for (int i = 0; i < workers; i++) {
		ls_waitgroup_add(&p->workers, 1);
		if (ls_go(worker, p, p->worker_name))
			ls_fatal("taskpool: cannot start a worker");
	}
	return p;

out_tasks:
	ls_chan_free(p->tasks);
out_free:
	free(p);
out_nomem:
	errno = ENOMEM;
	return NULL;
}

int ls_taskpool_submit(struct ls_taskpool *p, struct ls_ctx *ctx,
		       void (*fn)(void *arg), void *arg)
{
	struct task t = { .fn = fn, .arg = arg };
	struct ls_case cases[3] = {
		{ .ch = p->tasks, .dir = LS_SEND, .elem = &t },
		{ .ch = ctx ? ls_ctx_done(ctx) : NULL, .dir = LS_RECV },
		{ .ch = p->closing, .dir = LS_RECV },
	};

	if (ls_chan_tryrecv(p->closing, NULL, NULL))
		return -ESHUTDOWN;
	switch (ls_select(cases, 3, true)) {
	case 0:
		TASK_TRACE(task_submit, p, ls_chan_len(p->tasks), ls_chan_cap(p->tasks));
		return 0;
	case 1:
		return ls_ctx_err(ctx);
	default:
		return -ESHUTDOWN;
	}
}

void ls_taskpool_close(struct ls_taskpool *p)
{
	__atomic_store_n(&p->closed, 1, __ATOMIC_RELAXED);
	TASK_TRACE(task_close, p);
	ls_chan_close(p->closing);	/* the second time: Go's panic */
}

void ls_taskpool_free(struct ls_taskpool *p)
{
	if (!p)
		return;
	if (!__atomic_load_n(&p->closed, __ATOMIC_RELAXED))
		ls_taskpool_close(p);
	ls_waitgroup_wait(&p->workers);
	ls_chan_free(p->closing);
	ls_chan_free(p->tasks);
	free(p);
}
