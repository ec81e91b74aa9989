// SPDX-License-Identifier: MIT
/*
 * make_seeds.c - write a few valid trace files (and one JSON lines file)
 * into DIR as starting points for the fuzzer: with and without the count
 * in the header, with and without the trailer, with string events.
 *
 *	make_seeds DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lockstep/trace.h>

#include "tracefile.h"

static void set_str(struct ls_event *e, const char *s)
{
	memset(&e->args[1], 0, LS_EVENT_STRMAX);
	memcpy(&e->args[1], s, strlen(s));
}

static int write_seed(const char *dir, const char *name, int nev, bool trailer)
{
	struct ls_trace_writer *w;
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || ls_trace_writer_fopen(&w, f, 4242))
		return -1;
	for (int i = 0; i < nev; i++) {
		struct ls_event e = { .ts = 1000 + (uint64_t)i, .pid = 4242,
				      .tid = 4243, .cpu = 1, .goid = 1 };

		switch (i % 4) {
		case 0:
			e.id = LS_EV_GO_CREATE;
			e.obj = 2;
			e.args[0] = 1;
			set_str(&e, "worker");
			break;
		case 1:
			e.id = LS_EV_OBJ_NAME;
			e.obj = 0x1000;
			e.args[0] = LS_OBJ_MUTEX;
			set_str(&e, "lock");
			break;
		case 2:
			e.id = LS_EV_MUTEX_STATE;
			e.obj = 0x1000;
			e.args[0] = 0;
			e.args[1] = 1;
			break;
		default:
			e.id = LS_EV_SCHED_OFF;
			e.goid = 0;
			e.args[0] = 1;
			break;
		}
		e.flags = (uint16_t)ls_event_def_flags(e.id);
		ls_trace_writer_add(w, &e);
	}
	if (trailer) {
		if (ls_trace_writer_close(w, 0))
			return -1;
	} else {
		ls_trace_writer_abort(w);	/* no trailer, count 0 */
	}
	return fclose(f);
}

int main(int argc, char **argv)
{
	char path[4096];
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: make_seeds DIR\n");
		return 2;
	}
	if (write_seed(argv[1], "seed-empty", 0, true) ||
	    write_seed(argv[1], "seed-small", 4, true) ||
	    write_seed(argv[1], "seed-streamed", 5, false))
		return 1;
	snprintf(path, sizeof(path), "%s/seed-jsonl", argv[1]);
	f = fopen(path, "w");
	if (!f)
		return 1;
	fputs("{\"ts\":1,\"pid\":2,\"tid\":3,\"cpu\":0,\"event\":\"go_name\",\"flags\":1,"
	      "\"obj\":1,\"goid\":1,\"args\":[0,25965,0,0,0],\"str\":\"me\"}\n", f);
	return fclose(f) ? 1 : 0;
}
