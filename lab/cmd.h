/* SPDX-License-Identifier: MIT */
/*
 * cmd.h - what every `lockstep` subcommand shares.
 *
 * A subcommand is `int cmd_<name>(int argc, char **argv)` in
 * lab/cmd_<name>.c, listed once in LS_COMMANDS (lab/main.c).  argv[0] is the
 * command's name; -h/--help prints its usage on stdout and returns 0; a
 * usage error prints one line (and where to look) and returns 2; any other
 * failure prints "lockstep: ..." and returns 1 (or a documented status).
 */
#ifndef LS_LAB_CMD_H
#define LS_LAB_CMD_H

#include <stdbool.h>

#include "transport.h"

#define LS_EXIT_USAGE	2

/* "lockstep CMD: <message>" and "Try 'lockstep CMD --help'."; returns 2. */
int	ls_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "lockstep: <message>" on stderr. */
void	ls_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool	ls_is_help(const char *arg);
/* A decimal number in lo..hi into *out: 0, or -EINVAL. */
int	ls_parse_num(const char *s, long long lo, long long hi, long long *out);
/*
 * After getopt_long returned '?' (main sets opterr = 0, so getopt prints
 * nothing): one line naming the argument at fault; returns 2.
 */
int	ls_bad_option(const char *cmd, char *const argv[]);

/*
 * The target options of trace and record (and of any command that starts
 * or attaches to a program):
 *	--transport auto|bpf|shm   -p PID   -v   --ring-size BYTES
 *	--no-kernel   [--] PROGRAM [ARGS...]
 * LS_TARGET_LONGOPTS goes into a getopt_long table, LS_TARGET_SHORTOPTS
 * into its short option string; ls_target_opt() handles one of them
 * (returns 0, 1 if opt is not one of them, or the usage status 2), and
 * ls_target_finish() takes the program from the remaining arguments.
 */
#define LS_OPT_TRANSPORT	0x1000
#define LS_OPT_RING_SIZE	0x1001
#define LS_OPT_NO_KERNEL	0x1002
#define LS_TARGET_SHORTOPTS	"p:v"
#define LS_TARGET_LONGOPTS						\
	LS_PROGRAM_LONGOPTS,						\
	{ "pid", required_argument, NULL, 'p' }
/*
 * The same without -p, for the commands that always start the program
 * (run, demo): LS_PROGRAM_LONGOPTS, short option "v", LS_PROGRAM_HELP.
 */
#define LS_PROGRAM_LONGOPTS						\
	{ "transport", required_argument, NULL, LS_OPT_TRANSPORT },	\
	{ "verbose", no_argument, NULL, 'v' },				\
	{ "ring-size", required_argument, NULL, LS_OPT_RING_SIZE },	\
	{ "no-kernel", no_argument, NULL, LS_OPT_NO_KERNEL }
#define LS_PROGRAM_HELP							\
	"  --transport auto|bpf|shm  how events travel (default auto: BPF when\n" \
	"                     permitted, else the in-process ring)\n"	\
	"  --ring-size BYTES  BPF ring buffer size (default 16M; k, M suffixes)\n" \
	"  --no-kernel        BPF: no sched_switch and futex events\n"	\
	"  -v, --verbose      what was attached; twice: and libbpf's messages\n"
#define LS_TARGET_HELP							\
	"  --transport auto|bpf|shm  how events travel (default auto: BPF when\n" \
	"                     permitted, else the in-process ring)\n"	\
	"  -p, --pid PID      attach to a running program (BPF only)\n"	\
	"  --ring-size BYTES  BPF ring buffer size (default 16M; k, M suffixes)\n" \
	"  --no-kernel        BPF: no sched_switch and futex events\n"	\
	"  -v, --verbose      what was attached (BPF program ids); twice: and\n" \
	"                     libbpf's messages\n"

int	ls_target_opt(const char *cmd, int opt, const char *arg,
		      struct ls_transport_opts *o);
int	ls_target_finish(const char *cmd, int argc, char **argv, int optind,
			 struct ls_transport_opts *o);

#endif /* LS_LAB_CMD_H */
