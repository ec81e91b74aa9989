// SPDX-License-Identifier: MIT
/*
 * fatal.c - dying the way Go does (Go: panic.go fatal/throw/fatalpanic,
 * traceback.go goroutineheader).
 *
 *	fatal error: all goroutines are asleep - deadlock!
 *	<blank line>
 *	goroutine 1 [sync.RWMutex.RLock]:
 *	main: waiting on sync.RWMutex "rw" (0x55d0c0a0e040)
 *	<blank line>
 *	goroutine 2 [sync.RWMutex.Lock]:
 *	writer: waiting on sync.RWMutex "rw" (0x55d0c0a0e040)
 *	created by goroutine 1
 *
 * then exit status 2.  "panic: MSG" is the same with the dying goroutine
 * shown as [running].  Go prints stack frames; we cannot walk other threads'
 * stacks portably, so each block names the goroutine, what it waits on and
 * who created it, which is what a student needs to find the bug.  Before
 * dying, stdout is flushed (nothing the program printed is lost) and a PANIC
 * event is emitted so tracers see the death.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <lockstep/trace.h>
#include "runtime.h"
#include "../trace.h"

static int dying;

void ls__warn(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	(void)!write(STDERR_FILENO, "lockstep: ", 10);
	(void)!write(STDERR_FILENO, buf, (size_t)n);
}

static void put(int fd, const char *s)
{
	(void)!write(fd, s, strlen(s));
}

static const char *status_word(struct ls_g *gp, struct ls_g *self)
{
	int st = __atomic_load_n(&gp->status, __ATOMIC_ACQUIRE);

	if (gp == self && st != LS_G_WAITING)
		return "running";
	switch (st) {
	case LS_G_WAITING:
		return ls_wait_reason_str((unsigned)__atomic_load_n(&gp->waitreason,
							  __ATOMIC_RELAXED));
	case LS_G_RUNNABLE:
		return "runnable";
	default:
		return "running";
	}
}

static void dump_one(int fd, struct ls_g *gp, struct ls_g *self)
{
	/* Other goroutines may still be waking up: read each field once. */
	const void *obj = __atomic_load_n(&gp->waitobj, __ATOMIC_RELAXED);
	const char *oname = __atomic_load_n(&gp->waitname, __ATOMIC_RELAXED);
	int kind = __atomic_load_n(&gp->waitkind, __ATOMIC_RELAXED);
	char line[256];

	snprintf(line, sizeof(line), "\ngoroutine %lld [%s]:\n",
		 (long long)gp->goid, status_word(gp, self));
	put(fd, line);
	if (__atomic_load_n(&gp->status, __ATOMIC_ACQUIRE) == LS_G_WAITING && obj)
		snprintf(line, sizeof(line), "%s: waiting on %s \"%s\" (%p)\n",
			 gp->name, ls_obj_kind_str((unsigned)kind),
			 oname ? oname : "", obj);
	else
		snprintf(line, sizeof(line), "%s (thread %d)\n", gp->name,
			 (int)gp->tid);
	put(fd, line);
	if (gp->parent) {
		snprintf(line, sizeof(line), "created by goroutine %lld\n",
			 (long long)gp->parent);
		put(fd, line);
	}
}

/*
 * A panicking goroutine is shown first (it is the one that died); the rest
 * follow in id order, as Go lists allgs.  Called with the registry locked.
 */
static void dump_goroutines(int fd, struct ls_g *self)
{
	int64_t last = 0;

	if (self && __atomic_load_n(&self->status, __ATOMIC_ACQUIRE) != LS_G_WAITING)
		dump_one(fd, self, self);
	else
		self = NULL;
	for (;;) {
		struct ls_g *next = NULL;

		for (struct ls_g *gp = ls__allgs_first(); gp; gp = gp->allnext)
			if (gp != self && gp->goid > last &&
			    (!next || gp->goid < next->goid))
				next = gp;
		if (!next)
			break;
		dump_one(fd, next, self);
		last = next->goid;
	}
}

void ls__die(int is_panic, const char *msg)
{
	struct ls_g *self = ls__getg();

	if (__atomic_exchange_n(&dying, 1, __ATOMIC_SEQ_CST)) {
		/* Someone else is already printing the dump: wait for the exit. */
		for (;;)
			pause();
	}
	fflush(stdout);
	LS_TRACE(panic, 0, is_panic, msg);
	put(STDERR_FILENO, is_panic ? "panic: " : "fatal error: ");
	put(STDERR_FILENO, msg);
	put(STDERR_FILENO, "\n");
	ls__allgs_lock();
	dump_goroutines(STDERR_FILENO, self);
	ls__allgs_unlock();
	_exit(2);
}

void ls_panic(const char *msg)
{
	ls__die(1, msg);
}

void ls_fatal(const char *msg)
{
	ls__die(0, msg);
}
