// SPDX-License-Identifier: MIT
/*
 * transport.c - BPF or the in-process ring behind one interface
 * (see transport.h).
 *
 * Starting a program: fork a child that blocks on a pipe before exec.  The
 * parent chooses the transport, attaches (BPF: probes on the program file
 * for the child's pid) or creates the ring (shm), then writes one message
 * into the pipe: "G" plus, for shm, the LOCKSTEP_TRACE value.  The child
 * sets or clears LOCKSTEP_TRACE and execs; if exec fails it writes its errno
 * into a second, close-on-exec pipe, so the parent can tell "cannot run"
 * from "ran".  A child whose pipe closes without the message (the parent
 * failed) exits 127 without running anything.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lockstep/trace.h>

#include "collector.h"
#include "doctor.h"
#include "transport.h"

#define SHM_BATCH		1024
#define SHM_MAX_BATCHES		64
/* The BPF side does not wake us per record: this is the delivery latency. */
#define LS_TRANSPORT_POLL_MS	10
#define EXIT_DRAIN_NS		(30 * 1000000ull)	/* late sched events */
#define STOP_GRACE_NS		(2 * 1000000000ull)

struct ls_transport {
	enum ls_transport_kind kind;
	pid_t pid;
	bool started;		/* we forked it */
	bool exited;
	bool done;
	int wstatus;
	int pidfd;		/* attached process: readable when it exits */
	uint64_t exit_ns;

	struct ls_collector *col;
	struct ls_ring *ring;
	char ring_dir[PATH_MAX];
	char ring_path[PATH_MAX + 8];

	int go_fd;		/* releases the stopped child */
	int exec_fd;		/* errno from a failed exec */
	uint64_t lost;		/* reported so far */
	bool quiet;
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("lockstep: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const char *ls_transport_kind_str(enum ls_transport_kind k)
{
	switch (k) {
	case LS_TRANSPORT_AUTO:	return "auto";
	case LS_TRANSPORT_BPF:	return "bpf";
	case LS_TRANSPORT_SHM:	return "shm";
	}
	return "?";
}

int ls_transport_parse_kind(const char *s, enum ls_transport_kind *k)
{
	for (int i = LS_TRANSPORT_AUTO; i <= LS_TRANSPORT_SHM; i++) {
		if (!strcmp(s, ls_transport_kind_str(i))) {
			*k = i;
			return 0;
		}
	}
	return -EINVAL;
}

enum ls_transport_kind ls_transport_kind(const struct ls_transport *t)
{
	return t->kind;
}

pid_t ls_transport_pid(const struct ls_transport *t)
{
	return t->pid;
}

/* ---- the stopped child ---- */

/* execvp's lookup, done here because BPF needs the file before exec. */
static int find_program(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH");
	struct stat st;

	if (strchr(name, '/')) {
		snprintf(out, len, "%s", name);
		return access(out, X_OK) ? -errno : 0;
	}
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		snprintf(out, len, "%.*s%s%s", (int)n, n ? path : ".",
			 "/", name);
		if (!access(out, X_OK) && !stat(out, &st) && S_ISREG(st.st_mode))
			return 0;
		path += n;
		if (*path == ':')
			path++;
	}
	return -ENOENT;
}

static void __attribute__((noreturn)) child_main(int go_fd, int exec_fd,
						 const char *path, char *const argv[])
{
	char msg[PATH_MAX + 16];
	size_t len = 0;
	int err;

	for (;;) {
		ssize_t n = read(go_fd, msg + len, sizeof(msg) - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (len == 0 || msg[0] != 'G')
		_exit(127);	/* the parent gave up: run nothing */
	msg[len] = '\0';
	if (msg[1])
		setenv("LOCKSTEP_TRACE", msg + 1, 1);
	else
		unsetenv("LOCKSTEP_TRACE");
	execv(path, argv);
	err = errno;
	if (write(exec_fd, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
}

static int spawn_stopped(struct ls_transport *t, const char *path, char *const argv[])
{
	int go[2], ex[2];
	pid_t pid;

	if (pipe2(go, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(ex, O_CLOEXEC) < 0) {
		close(go[0]);
		close(go[1]);
		return -errno;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(go[0]);
		close(go[1]);
		close(ex[0]);
		close(ex[1]);
		return err;
	}
	if (pid == 0) {
		close(go[1]);
		close(ex[0]);
		child_main(go[0], ex[1], path, argv);
	}
	close(go[0]);
	close(ex[1]);
	t->pid = pid;
	t->started = true;
	t->go_fd = go[1];
	t->exec_fd = ex[0];
	return 0;
}

/* Let the child exec; returns 0 once exec succeeded, or its -errno. */
static int release_child(struct ls_transport *t, const char *trace_env)
{
	char msg[PATH_MAX + 16];
	int len, err = 0;
	ssize_t n;

	len = snprintf(msg, sizeof(msg), "G%s", trace_env ? trace_env : "");
	n = write(t->go_fd, msg, (size_t)len);
	close(t->go_fd);
	t->go_fd = -1;
	if (n != len)
		return -EPIPE;
	do
		n = read(t->exec_fd, &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(t->exec_fd);
	t->exec_fd = -1;
	if (n == (ssize_t)sizeof(err))
		return -err;
	return 0;
}

/* ---- backends ---- */

static int open_bpf(struct ls_transport *t, const struct ls_transport_opts *o,
		    const char *path, char *why, size_t whylen)
{
	uint32_t ids[8];
	char err[256] = "";
	int ret, probes;

	ret = ls_collector_open(&t->col, t->pid, o->bpf_ring_bytes, err, sizeof(err));
	if (ret) {
		snprintf(why, whylen, "%s", err);
		return ret;
	}
	probes = path ? ls_collector_attach_program(t->col, path)
		      : ls_collector_attach_running(t->col);
	if (probes < 0) {
		snprintf(why, whylen, "attaching the USDT probes failed: %s",
			 strerror(-probes));
		ret = probes;
		goto out_destroy;
	}
	if (!o->no_kernel) {
		ret = ls_collector_attach_kernel(t->col);
		if (ret) {
			snprintf(why, whylen, "attaching sched/futex tracepoints failed: %s",
				 strerror(-ret));
			goto out_destroy;
		}
	}
	if (probes == 0 && !o->quiet)
		say("warning: no lockstep probes in %s (not linked with liblockstep?);"
		    " only kernel events will show", path ? path : "the process");
	if (o->verbose) {
		size_t n = ls_collector_prog_ids(t->col, ids, 8);

		fprintf(stderr, "lockstep: bpf: %d probes attached to pid %d; prog ids:",
			probes, (int)t->pid);
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, " %u", ids[i]);
		fputc('\n', stderr);
	}
	return 0;

out_destroy:
	ls_collector_destroy(t->col);
	t->col = NULL;
	return ret;
}

static int open_shm(struct ls_transport *t, const struct ls_transport_opts *o)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(t->ring_dir, sizeof(t->ring_dir), "%s/lockstep.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(t->ring_dir)) {
		int err = -errno;

		say("cannot create a directory for the ring in %s: %s",
		    tmp && *tmp ? tmp : "/tmp", strerror(-err));
		t->ring_dir[0] = '\0';
		return err;
	}
	snprintf(t->ring_path, sizeof(t->ring_path), "%s/ring", t->ring_dir);
	t->ring = ls_ring_create(t->ring_path, o->shm_records, LS_RING_BLOCK);
	if (!t->ring) {
		int err = -errno;

		say("cannot create the ring %s: %s", t->ring_path, strerror(-err));
		return err;
	}
	return 0;
}

/* ---- open ---- */

static int choose_kind(const struct ls_transport_opts *o, char *why, size_t len)
{
	if (o->kind != LS_TRANSPORT_AUTO)
		return o->kind;
	return ls_bpf_permitted(why, len) ? LS_TRANSPORT_BPF : LS_TRANSPORT_SHM;
}

static int attach_target(struct ls_transport *t, pid_t pid)
{
	if (pid <= 0 || kill(pid, 0) < 0) {
		int err = pid <= 0 ? -EINVAL : -errno;

		say("no process with pid %d%s", (int)pid,
		    err == -EPERM ? " that we may trace" : "");
		return err;
	}
	t->pid = pid;
	t->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	return 0;
}

int ls_transport_open(struct ls_transport **tp, const struct ls_transport_opts *o)
{
	char path[PATH_MAX], why[320] = "", env[PATH_MAX + 16];
	struct ls_transport *t;
	int ret, kind;

	if (!!o->pid == !!(o->argv && o->argv[0])) {
		say("give either a pid or a program to trace");
		return -EINVAL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->pidfd = t->go_fd = t->exec_fd = -1;
	t->quiet = o->quiet;
	ls_collector_set_verbose(o->verbose >= 2);

	if (o->pid) {
		ret = attach_target(t, o->pid);
		if (ret)
			goto out_free;
	} else {
		ret = find_program(o->argv[0], path, sizeof(path));
		if (ret) {
			say("cannot run '%s': %s", o->argv[0],
			    ret == -ENOENT && !strchr(o->argv[0], '/') ?
			    "command not found" : strerror(-ret));
			goto out_free;
		}
		ret = spawn_stopped(t, path, o->argv);
		if (ret) {
			say("cannot start '%s': %s", o->argv[0], strerror(-ret));
			goto out_free;
		}
	}

	kind = choose_kind(o, why, sizeof(why));
	if (kind == LS_TRANSPORT_BPF) {
		ret = open_bpf(t, o, o->pid ? NULL : path, why, sizeof(why));
		if (ret && o->kind == LS_TRANSPORT_BPF) {
			say("--transport bpf: %s", why);
			goto out_close;
		}
		if (ret)
			kind = LS_TRANSPORT_SHM;
	}
	if (kind == LS_TRANSPORT_SHM && o->pid) {
		if (o->kind == LS_TRANSPORT_SHM)
			say("cannot attach to pid %d with --transport shm: the in-process"
			    " ring only serves programs started by lockstep (-- PROGRAM)",
			    (int)o->pid);
		else
			say("cannot attach to pid %d: BPF not permitted (%s); without BPF"
			    " start the program under lockstep (-- PROGRAM)", (int)o->pid, why);
		ret = -EPERM;
		goto out_close;
	}
	if (kind == LS_TRANSPORT_SHM) {
		if (o->kind == LS_TRANSPORT_AUTO && !o->quiet)
			say("BPF not permitted (%s); using the in-process ring", why);
		ret = open_shm(t, o);
		if (ret)
			goto out_close;
	}
	t->kind = kind;

	if (t->started) {
		if (t->ring)
			snprintf(env, sizeof(env), "shm:%s", t->ring_path);
		ret = release_child(t, t->ring ? env : NULL);
		if (ret) {
			say("cannot run '%s': %s", o->argv[0], strerror(-ret));
			goto out_close;
		}
	}
	*tp = t;
	return 0;

out_close:
	ls_transport_close(t);
	return ret;
out_free:
	free(t);
	return ret;
}

/* ---- the stream ---- */

static void check_exit(struct ls_transport *t)
{
	if (t->exited)
		return;
	if (t->started) {
		pid_t r = waitpid(t->pid, &t->wstatus, WNOHANG);

		if (r == t->pid || (r < 0 && errno == ECHILD))
			t->exited = true;
	} else if (t->pidfd >= 0) {
		struct pollfd p = { .fd = t->pidfd, .events = POLLIN };

		if (poll(&p, 1, 0) > 0)
			t->exited = true;
	} else if (kill(t->pid, 0) < 0 && errno == ESRCH) {
		t->exited = true;
	}
	if (t->exited)
		t->exit_ns = now_ns();
}

static uint64_t backend_dropped(struct ls_transport *t)
{
	if (t->col)
		return ls_collector_dropped(t->col);
	if (t->ring)
		return ls_ring_dropped(t->ring);
	return 0;
}

/* Losses become a TRACE_LOST record in the stream, where they happened. */
static int report_lost(struct ls_transport *t, ls_event_cb cb, void *ctx)
{
	uint64_t d = backend_dropped(t);
	struct ls_event e = { 0 };

	if (d <= t->lost)
		return 0;
	e.ts = now_ns();
	e.pid = (uint32_t)t->pid;
	e.id = LS_EV_TRACE_LOST;
	e.flags = LS_EVF_SYNTH;
	e.args[0] = d - t->lost;
	t->lost = d;
	return cb(&e, ctx);
}

/* 0 after sleeping ms milliseconds, -EINTR if a signal cut it short. */
static int nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	return nanosleep(&ts, NULL) < 0 && errno == EINTR ? -EINTR : 0;
}

/*
 * Drain the ring, waiting up to timeout_ms for the first record.  A flood
 * returns after SHM_MAX_BATCHES batches anyway, so that the caller gets to
 * look at signals and losses.
 */
static int poll_shm(struct ls_transport *t, int timeout_ms, ls_event_cb cb, void *ctx)
{
	struct ls_event buf[SHM_BATCH];
	uint64_t deadline = now_ns() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000000ull;
	int total = 0, full = 0;

	for (;;) {
		size_t n = ls_ring_read(t->ring, buf, SHM_BATCH);

		for (size_t i = 0; i < n; i++) {
			int ret = cb(&buf[i], ctx);

			if (ret < 0)
				return ret;
		}
		total += (int)n;
		if (n == SHM_BATCH && ++full < SHM_MAX_BATCHES)
			continue;	/* more is likely waiting */
		/*
		 * The program has exited: a thread that the exit killed in
		 * the middle of a record left a slot that will never be
		 * published.  Go past it (it is counted as lost), or every
		 * record after it, the program's last words among them,
		 * would be lost too.
		 */
		if (!n && t->exited && ls_ring_skip_dead(t->ring))
			continue;
		if (total || t->exited || now_ns() >= deadline)
			break;
		check_exit(t);
		if (t->exited)
			continue;	/* one more pass for the last records */
		if (nap_ms(1))
			return -EINTR;
	}
	return total;
}

/*
 * Test hook: LOCKSTEP_TEST_STALL_READER=1 reads nothing until the program
 * has exited, so that a small buffer must overflow.  The tests use it to
 * prove that losses are counted and reported, whatever the machine's speed.
 */
static bool stall_reader(void)
{
	static int stall = -1;

	if (stall < 0) {
		const char *s = getenv("LOCKSTEP_TEST_STALL_READER");

		stall = s && !strcmp(s, "1");
	}
	return stall;
}

int ls_transport_poll(struct ls_transport *t, int timeout_ms, ls_event_cb cb, void *ctx)
{
	bool was_exited = t->exited;
	int n, ret;

	if (t->done)
		return 0;
	if (!was_exited && stall_reader()) {
		check_exit(t);
		nap_ms(timeout_ms < 10 ? timeout_ms : 10);
		return 0;
	}
	if (t->col)
		n = ls_collector_poll(t->col, was_exited ? 0 : timeout_ms, cb, ctx);
	else
		n = poll_shm(t, was_exited ? 0 : timeout_ms, cb, ctx);
	if (n < 0 && n != -EINTR)
		return n;
	ret = report_lost(t, cb, ctx);
	if (ret < 0)
		return ret;
	check_exit(t);
	/*
	 * After the exit everything the program emitted is in the buffer; the
	 * BPF side may still add the dying threads' last sched_switch, so
	 * keep draining a moment before calling it done.
	 */
	if (was_exited && n == 0 &&
	    (!t->col || now_ns() - t->exit_ns >= EXIT_DRAIN_NS))
		t->done = true;
	if (was_exited && t->col && !t->done && n == 0)
		nap_ms(5);
	return n;
}

bool ls_transport_done(const struct ls_transport *t)
{
	return t->done;
}

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

void ls_transport_catch_signals(void)
{
	static bool catching;
	struct sigaction sa = { .sa_handler = on_stop };

	if (catching)
		return;
	/* No SA_RESTART: a signal must interrupt the poll. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	catching = true;
}

int ls_transport_run(struct ls_transport *t, ls_event_cb cb, void *ctx)
{
	uint64_t kill_at = 0;
	bool killed = false;
	int ret = 0;

	ls_transport_catch_signals();
	while (!ls_transport_done(t)) {
		int n = ls_transport_poll(t, LS_TRANSPORT_POLL_MS, cb, ctx);

		if (n < 0 && n != -EINTR) {
			ret = n;
			break;
		}
		if (stop_signal) {
			int sig = stop_signal;

			stop_signal = 0;
			if (!t->started)
				break;		/* attached: leave the process alone */
			/* first signal: pass it on; a second one: no more waiting */
			if (!t->exited && !kill_at) {
				kill(t->pid, sig);
				kill_at = now_ns() + STOP_GRACE_NS;
			} else if (!t->exited) {
				kill_at = 1;
			}
		}
		if (kill_at && !killed && !t->exited && now_ns() > kill_at) {
			kill(t->pid, SIGKILL);
			killed = true;
		}
	}
	return ret;
}

int ls_transport_exit_status(const struct ls_transport *t)
{
	if (!t->started || !t->exited)
		return -1;
	if (WIFEXITED(t->wstatus))
		return WEXITSTATUS(t->wstatus);
	if (WIFSIGNALED(t->wstatus))
		return 128 + WTERMSIG(t->wstatus);
	return -1;
}

uint64_t ls_transport_lost(const struct ls_transport *t)
{
	return t->lost;
}

void ls_transport_close(struct ls_transport *t)
{
	bool released;

	if (!t)
		return;
	released = t->go_fd < 0;
	if (!released)
		close(t->go_fd);	/* a child still waiting exits 127 */
	if (t->exec_fd >= 0)
		close(t->exec_fd);
	if (t->started && !t->exited) {
		if (released)
			kill(t->pid, SIGKILL);
		while (waitpid(t->pid, &t->wstatus, 0) < 0 && errno == EINTR)
			;
		t->exited = true;
	}
	ls_collector_destroy(t->col);
	ls_ring_close(t->ring);
	if (t->ring_path[0])
		unlink(t->ring_path);
	if (t->ring_dir[0])
		rmdir(t->ring_dir);
	if (t->pidfd >= 0)
		close(t->pidfd);
	if (t->lost && !t->quiet)
		say("%llu records lost (the %s buffer was full): the trace is incomplete",
		    (unsigned long long)t->lost,
		    t->kind == LS_TRANSPORT_BPF ? "BPF ring" : "in-process ring");
	free(t);
}
