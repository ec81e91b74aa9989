// SPDX-License-Identifier: MIT
/*
 * cmd.c - what every subcommand shares: messages and the target options
 * (see cmd.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

int ls_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lockstep %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; try 'lockstep %s --help'\n", cmd);
	return LS_EXIT_USAGE;
}

int ls_bad_option(const char *cmd, char *const argv[])
{
	const char *arg = optind > 0 ? argv[optind - 1] : NULL;

	/* long options set optopt to their (non-printable) value */
	if (optopt > ' ' && optopt < 127 && optopt != '?')
		return ls_usage_error(cmd, "-%c: unknown option, or its argument is "
				      "missing", optopt);
	if (arg && arg[0] == '-')
		return ls_usage_error(cmd, "%s: unknown option, or its argument is "
				      "missing", arg);
	return ls_usage_error(cmd, "bad option");
}

void ls_error(const char *fmt, ...)
{
	va_list ap;

	fputs("lockstep: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool ls_is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

int ls_parse_num(const char *s, long long lo, long long hi, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno || end == s || *end || *out < lo || *out > hi ? -EINVAL : 0;
}

/* "16M", "512k", "1048576" */
static int parse_size(const char *s, size_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'm' || *end == 'M')
		v <<= 20, end++;
	if (*end || v < 4096 || v > (1ull << 30))
		return -EINVAL;
	*out = (size_t)v;
	return 0;
}

int ls_target_opt(const char *cmd, int opt, const char *arg,
		  struct ls_transport_opts *o)
{
	long long pid;

	switch (opt) {
	case LS_OPT_TRANSPORT:
		if (ls_transport_parse_kind(arg, &o->kind))
			return ls_usage_error(cmd, "--transport %s: expected auto, bpf or shm", arg);
		return 0;
	case 'p':
		if (ls_parse_num(arg, 1, 0x7fffffff, &pid))
			return ls_usage_error(cmd, "-p %s: expected a process id", arg);
		o->pid = (pid_t)pid;
		return 0;
	case 'v':
		o->verbose++;
		return 0;
	case LS_OPT_RING_SIZE:
		if (parse_size(arg, &o->bpf_ring_bytes))
			return ls_usage_error(cmd, "--ring-size %s: expected bytes"
					      " (4096..1G, k and M suffixes)", arg);
		return 0;
	case LS_OPT_NO_KERNEL:
		o->no_kernel = true;
		return 0;
	}
	return 1;
}

int ls_target_finish(const char *cmd, int argc, char **argv, int optind,
		     struct ls_transport_opts *o)
{
	if (optind < argc)
		o->argv = &argv[optind];
	if (o->pid && o->argv)
		return ls_usage_error(cmd, "give -p PID or a program, not both");
	if (!o->pid && !o->argv)
		return ls_usage_error(cmd, "nothing to trace: give -p PID or -- PROGRAM [ARGS...]");
	return 0;
}
