// SPDX-License-Identifier: MIT
/*
 * cmd_top.c - `lockstep top -p PID`: the UI, live, attached to a program
 * that is already running (BPF: the in-process ring only serves programs
 * lockstep starts itself).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "model.h"
#include "ui.h"

static const char top_usage[] =
	"usage: lockstep top -p PID [OPTIONS]\n"
	"\n"
	"Attach to a running program linked with liblockstep and animate it live:\n"
	"the objects drawn as cards, the goroutines, the events explained, and the\n"
	"detectors' verdict.  Attaching needs BPF (root, or CAP_BPF and\n"
	"CAP_PERFMON; 'lockstep doctor' checks).  When the program exits, its final\n"
	"state stays on screen until q; quitting leaves the program running.  Keys:\n"
	"? lists them all.  docs/ui.md describes every screen.\n"
	"\n"
	"options:\n"
	LS_TARGET_HELP
	"  --paused           start paused (events are still collected)\n"
	"  --ascii            ASCII boxes and arrows\n"
	"  --mono             no colours (also when NO_COLOR is set)\n"
	"  -h, --help         this text\n"
	"\n"
	"Exit status: 0 when you quit, 1 on errors, 2 on usage errors, 130 after\n"
	"SIGINT or SIGTERM.\n";

enum { OPT_PAUSED = 0x2000, OPT_ASCII, OPT_MONO };

int cmd_top(int argc, char **argv)
{
	static const struct option longopts[] = {
		LS_TARGET_LONGOPTS,
		{ "paused", no_argument, NULL, OPT_PAUSED },
		{ "ascii", no_argument, NULL, OPT_ASCII },
		{ "mono", no_argument, NULL, OPT_MONO },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ls_transport_opts o = { 0 };
	struct ls_ui_opts uo = { .at = -1 };
	struct ls_transport *t;
	struct ls_model *m;
	char title[64];
	int opt, ret;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+" LS_TARGET_SHORTOPTS "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(top_usage, stdout);
			return 0;
		case OPT_PAUSED:
			uo.paused = true;
			break;
		case OPT_ASCII:
			uo.ascii = true;
			break;
		case OPT_MONO:
			uo.mono = true;
			break;
		case '?':
			return ls_bad_option("top", argv);
		default:
			ret = ls_target_opt("top", opt, optarg, &o);
			if (ret)
				return ret == 1 ? ls_bad_option("top", argv) : ret;
		}
	}
	if (optind < argc)
		return ls_usage_error("top", "top attaches to a running program: give -p PID"
				      " (to start one, use 'lockstep run')");
	if (!o.pid)
		return ls_usage_error("top", "no process: give -p PID");

	m = ls_model_new(NULL);
	if (!m) {
		ls_error("out of memory");
		return 1;
	}
	if (ls_transport_open(&t, &o)) {
		ls_model_free(m);
		return 1;
	}
	snprintf(title, sizeof(title), "pid %d", (int)o.pid);
	uo.title = title;
	ret = ls_ui_live(t, m, &uo);
	ls_transport_close(t);
	ls_model_free(m);
	if (ret == -ENOTTY)
		ls_error("the UI needs a terminal (stdin and stdout); 'lockstep trace -p %d'"
			 " prints the events as text", (int)o.pid);
	else if (ret && ret != -EINTR)
		ls_error("top: %s", strerror(-ret));
	return ret == -EINTR ? 130 : ret ? 1 : 0;
}
