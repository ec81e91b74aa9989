// SPDX-License-Identifier: MIT
/*
 * fuzz_tracefile.c - libFuzzer target for the readers of untrusted input:
 * the trace file reader (lab/tracefile.c) and the JSON lines parser
 * (lab/export.c).  Any input must give records or one clean error, never a
 * crash, a hang or a read out of bounds (ASan and UBSan watch).
 *
 *	make fuzz FUZZ_SECONDS=60
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "tracefile.h"

static void read_trace(const uint8_t *data, size_t size)
{
	struct ls_trace_reader *r;
	struct ls_event e;
	char err[800];
	int ret;

	if (ls_trace_reader_open_mem(&r, data, size, "fuzz", err, sizeof(err))) {
		if (!strstr(err, "byte "))
			abort();	/* every rejection names its offset */
		return;
	}
	while ((ret = ls_trace_reader_next(r, &e)) > 0)
		if (e.id == 0 || e.id >= LS_EV__COUNT)
			abort();
	if (ret < 0 && !strstr(ls_trace_reader_error(r), "byte "))
		abort();
	ls_trace_reader_close(r);
}

static void read_jsonl(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct ls_event e;
	char err[400];

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (!ls_jsonl_parse_line(p, len, &e, err, sizeof(err)) &&
		    (e.id == 0 || e.id >= LS_EV__COUNT))
			abort();
		p += len + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	read_trace(data, size);
	if (size && data[0] == '{')
		read_jsonl(data, size);
	return 0;
}
