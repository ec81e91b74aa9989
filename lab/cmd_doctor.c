// SPDX-License-Identifier: MIT
/*
 * cmd_doctor.c - `lockstep doctor`: one line per thing BPF tracing needs
 * (bpf/doctor.c), with the fix for each that fails.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>

#include "cmd.h"
#include "collector.h"
#include "doctor.h"

static const char doctor_usage[] =
	"usage: lockstep doctor [--target PROGRAM] [-v]\n"
	"\n"
	"Check that this machine can trace with BPF, one line per check:\n"
	"  privileges       root, or CAP_BPF and CAP_PERFMON\n"
	"  pid namespace    lockstep sees the kernel's pids (not in a container's)\n"
	"  BTF              /sys/kernel/btf/vmlinux (CO-RE, tp_btf programs)\n"
	"  uprobes          the uprobe PMU (/sys/bus/event_source/devices/uprobe)\n"
	"  tracefs          mounted (perf probe needs it; lockstep does not: warn)\n"
	"  ring buffer map  the kernel can create a BPF_MAP_TYPE_RINGBUF\n"
	"  BPF programs     lockstep's programs load and pass the verifier\n"
	"  target probes    PROGRAM (or a library it loads) has lockstep USDT probes\n"
	"Each line is ok, FAIL (with the fix), warn or skip.  Without BPF, lockstep\n"
	"still works through the in-process ring (--transport shm).\n"
	"\n"
	"options:\n"
	"  --target PROGRAM   also check PROGRAM's .note.stapsdt probes\n"
	"  -v, --verbose      libbpf's messages (the verifier log on failure)\n"
	"  -h, --help         this text\n"
	"\n"
	"LOCKSTEP_DOCTOR_ROOT=DIR reads /sys and /proc below DIR (for tests).\n"
	"Exit status: 0 if nothing failed, 1 otherwise.\n";

int cmd_doctor(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ls_check checks[LS_DOCTOR_MAX_CHECKS];
	const char *target = NULL;
	int opt, failed = 0;
	size_t n;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 't':
			target = optarg;
			break;
		case 'v':
			ls_collector_set_verbose(true);
			break;
		case 'h':
			fputs(doctor_usage, stdout);
			return 0;
		default:
			return ls_bad_option("doctor", argv);
		}
	}
	if (optind < argc)
		return ls_usage_error("doctor", "unexpected argument '%s'", argv[optind]);
	n = ls_doctor_run(target, checks, LS_DOCTOR_MAX_CHECKS);
	for (size_t i = 0; i < n; i++) {
		const struct ls_check *c = &checks[i];

		printf("%-4s  %-16s %s", ls_check_status_str(c->status), c->name, c->detail);
		if (c->fix[0])
			printf("; fix: %s", c->fix);
		putchar('\n');
		if (c->status == LS_CHECK_FAIL)
			failed++;
	}
	return failed ? 1 : 0;
}
