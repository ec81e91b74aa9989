// SPDX-License-Identifier: MIT
/*
 * gen-probes-doc - print docs/probes.md from the event table.
 *
 * The table in include/lockstep/events.h is the only place an event is
 * declared; this program turns it into the reference page.  `make docs`
 * rewrites docs/probes.md, and tests/probes_doc.c fails when the committed
 * page differs from what this prints.
 *
 *	usage: gen-probes-doc [-o FILE]
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <lockstep/events.h>
#include <lockstep/trace.h>

static void row_args(FILE *f, const char *o, const char *const a[5], unsigned flags)
{
	int any = 0;

	if (*o) {
		fprintf(f, "obj: %s", o);
		any = 1;
	}
	for (int k = 0; k < 5; k++) {
		if (!*a[k])
			continue;
		fprintf(f, "%sa%d: %s", any ? "; " : "", k, a[k]);
		if (k == 1 && (flags & LS_EVF_STR))
			fprintf(f, " (string, args[1..4])");
		any = 1;
	}
	if (!any)
		fputs("-", f);
}

static int gen(FILE *f)
{
	fputs("# Probe reference\n\n"
	      "<!-- Generated from include/lockstep/events.h by scripts/gen-probes-doc.c.\n"
	      "     Do not edit: run `make docs`. A test fails when this page is stale. -->\n\n"
	      "Every USDT probe has provider `lockstep` and the same seven arguments:\n"
	      "`(obj, goid, a0, a1, a2, a3, a4)`. In a `struct ls_event` they become\n"
	      "`obj`, `goid` and `args[0..4]`. For events marked *string*, `a1` is a\n"
	      "pointer in the probe and the record holds up to 31 bytes of the string in\n"
	      "`args[1..4]`. Each probe's semaphore `lockstep_<probe>_semaphore`\n"
	      "is an alias of one shared counter: a probe costs one load and a\n"
	      "predicted branch until a tracer attaches to any of them.\n\n"
	      "Kernel-side events come from the BPF programs (sched_switch and futex\n"
	      "tracepoints of the traced process); they have no USDT probe.\n\n", f);

	fputs("## USDT probes\n\n| id | probe | arguments | meaning |\n|---|---|---|---|\n", f);
#define ROW(ID, nm, fl, o, x0, x1, x2, x3, x4, doc)				\
	do {									\
		const char *const a[5] = { x0, x1, x2, x3, x4 };		\
		fprintf(f, "| %d | `%s` | ", LS_EV_##ID, #nm);			\
		row_args(f, o, a, (fl));					\
		fprintf(f, " | %s |\n", doc);					\
	} while (0);
	LS_EVENTS_USDT(ROW)
	fputs("\n## Kernel and consumer events (no USDT probe)\n\n"
	      "| id | name | arguments | meaning |\n|---|---|---|---|\n", f);
	LS_EVENTS_OTHER(ROW)
#undef ROW

	fputs("\n## Wait reasons (`go_park` a0)\n\n| value | Go's words |\n|---|---|\n", f);
	for (unsigned r = 1; r < LS_WAIT__COUNT; r++)
		fprintf(f, "| %u | `%s` |\n", r, ls_wait_reason_str(r));
	fputs("\n## Object kinds (`obj_name` a0)\n\n| value | kind |\n|---|---|\n", f);
	for (unsigned k = 0; k < LS_OBJ__COUNT; k++)
		fprintf(f, "| %u | %s |\n", k, ls_obj_kind_str(k));
	return ferror(f) ? -EIO : 0;
}

int main(int argc, char **argv)
{
	FILE *f = stdout;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		puts("usage: gen-probes-doc [-o FILE]\n"
		     "Print the probe reference (docs/probes.md) generated from events.h.");
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "-o")) {
		f = fopen(argv[2], "w");
		if (!f) {
			fprintf(stderr, "gen-probes-doc: %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
	} else if (argc != 1) {
		fputs("gen-probes-doc: usage: gen-probes-doc [-o FILE]\n", stderr);
		return 2;
	}
	if (gen(f) || fclose(f)) {
		fputs("gen-probes-doc: write failed\n", stderr);
		return 1;
	}
	return 0;
}
