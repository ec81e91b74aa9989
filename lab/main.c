// SPDX-License-Identifier: MIT
/*
 * main.c - the `lockstep` command: a table of subcommands.
 *
 * To add `lockstep foo`: write lab/cmd_foo.c with
 *	int cmd_foo(int argc, char **argv)
 * following lab/cmd.h (argv[0] is "foo", -h/--help prints the usage and
 * returns 0, usage errors return 2), and add one line to LS_COMMANDS below.
 * lab/build.mk compiles every .c file in lab/, so nothing else changes.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

#define LS_VERSION	"0.1"

/* X(name, one-line summary for `lockstep help`) */
#define LS_COMMANDS(X)								\
	X(list,		"list the exercises")					\
	X(hint,		"show the hints of an exercise, one at a time")	\
	X(run,		"run an exercise or a program and give the verdict")	\
	X(check,	"check an exercise (or every solution) under the detectors") \
	X(trace,	"print a program's events as text, live")		\
	X(record,	"write a program's events to a trace file")		\
	X(export,	"convert a trace file to JSON lines or Perfetto JSON")	\
	X(replay,	"play a trace file in the UI, or print its verdict")	\
	X(top,		"watch a running program live in the UI")		\
	X(demo,		"guided demonstrations, narrated, for a projector")	\
	X(doctor,	"check that this machine can trace with BPF")

#define LS__CMD_DECL(name, summary) int cmd_##name(int argc, char **argv);
LS_COMMANDS(LS__CMD_DECL)
#undef LS__CMD_DECL

struct ls_cmd {
	const char *name;
	const char *summary;
	int (*main)(int argc, char **argv);
};

#define LS__CMD_ENTRY(name, summary) { #name, summary, cmd_##name },
static const struct ls_cmd commands[] = {
	LS_COMMANDS(LS__CMD_ENTRY)
};
#undef LS__CMD_ENTRY

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fputs("usage: lockstep COMMAND [ARGS...]\n"
	      "\n"
	      "Go's concurrency primitives in C, traced and animated.\n"
	      "\n"
	      "commands:\n", out);
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("  help       this text, or 'lockstep help COMMAND'\n"
	      "\n"
	      "'lockstep COMMAND --help' describes one command.\n", out);
}

static const struct ls_cmd *find(const char *name)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int unknown(const char *name)
{
	fprintf(stderr, "lockstep: unknown command '%s' (try 'lockstep help')\n", name);
	return LS_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	const struct ls_cmd *c;

	if (argc < 2) {
		fputs("usage: lockstep COMMAND [ARGS...]; try 'lockstep help'\n", stderr);
		return LS_EXIT_USAGE;
	}
	if (ls_is_help(argv[1])) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("lockstep %s\n", LS_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "help")) {
		char *help_argv[] = { argv[2], "--help", NULL };

		if (argc < 3 || ls_is_help(argv[2]) || !strcmp(argv[2], "help")) {
			usage(stdout);
			return 0;
		}
		c = find(argv[2]);
		return c ? c->main(2, help_argv) : unknown(argv[2]);
	}
	c = find(argv[1]);
	if (!c)
		return unknown(argv[1]);
	/* commands report bad options themselves, in one line (ls_bad_option) */
	opterr = 0;
	return c->main(argc - 1, argv + 1);
}
