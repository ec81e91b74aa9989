/* SPDX-License-Identifier: MIT */
/*
 * lab_util.h - what the suites that drive the `lockstep` command share:
 * running it with arguments, and a private tmux server to watch its UI in.
 */
#ifndef LS_TESTS_LAB_UTIL_H
#define LS_TESTS_LAB_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "trace_util.h"

#define LU_ARGS_MAX	16

/* lockstep ARGS... (NULL-terminated) with envp_extra, output in *r. */
static inline int lu_lockstep(struct th_result *r, const char *const *envp, double secs, ...)
{
	char *argv[LU_ARGS_MAX + 2] = { (char *)tu_lockstep() };
	va_list ap;
	int n = 1, ret;

	va_start(ap, secs);
	while (n <= LU_ARGS_MAX && (argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	ret = th_run_argv(argv, envp, secs, r);
	if (ret)
		memset(r, 0, sizeof(*r));
	return ret;
}

/* ---- tmux: one private server per test, named by its socket ---- */

static inline bool lu_have_tmux(void)
{
	char *argv[] = { "tmux", "-V", NULL };
	struct th_result r;
	bool ok;

	if (th_run_argv(argv, NULL, 10, &r))
		return false;
	ok = r.exited && r.status == 0;
	th_result_free(&r);
	return ok;
}

/* tmux -L SOCK ARGS..., in a UTF-8 locale; output in *r (caller frees). */
static inline int lu_tmux(const char *sock, struct th_result *r, const char *const *args)
{
	static const char *const env[] = { "LANG=C.UTF-8", "LC_ALL=C.UTF-8", NULL };
	char *argv[32];
	int n = 0;

	argv[n++] = "tmux";
	argv[n++] = "-L";
	argv[n++] = (char *)sock;
	argv[n++] = "-f";
	argv[n++] = "/dev/null";
	while (*args && n < 31)
		argv[n++] = (char *)*args++;
	argv[n] = NULL;
	return th_run_argv(argv, env, 10, r);
}

/* The same, for commands whose output does not matter: 0 or -1. */
static inline int lu_tmux_ok(const char *sock, const char *const *args)
{
	struct th_result r;
	int ret = lu_tmux(sock, &r, args);

	if (!ret && !(r.exited && r.status == 0)) {
		fprintf(stderr, "# tmux %s: %s", args[0], r.err);
		ret = -1;
	}
	th_result_free(&r);
	return ret;
}

/* Stop the server and remove its socket (tmux leaves the file). */
static inline void lu_tmux_kill(const char *sock)
{
	static const char *const stop[] = { "kill-server", NULL };
	const char *tmp = getenv("TMUX_TMPDIR");
	char path[TU_PATH];
	struct th_result r;

	if (!lu_tmux(sock, &r, stop))
		th_result_free(&r);
	snprintf(path, sizeof(path), "%s/tmux-%u/%s", tmp && *tmp ? tmp : "/tmp",
		 (unsigned)getuid(), sock);
	unlink(path);
}

#endif /* LS_TESTS_LAB_UTIL_H */
