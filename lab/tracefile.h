/* SPDX-License-Identifier: MIT */
/*
 * tracefile.h - lockstep trace files (docs/trace-format.md).
 *
 * A trace file is a 64-byte header, the event table the producer used (the
 * names of event ids 1..N), fixed-size little-endian records that mirror
 * struct ls_event, and an optional 24-byte trailer.  Ids are translated by
 * name when read, so a file stays readable after the event table grows.
 *
 * The reader treats every file as hostile: each field is checked before it
 * is used, reads are bounded by the file size, and the first problem stops
 * the reader with one line that names the byte offset and what was expected:
 *	trace.lst: byte 8: unsupported format version 7 (expected 1)
 */
#ifndef LS_LAB_TRACEFILE_H
#define LS_LAB_TRACEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <lockstep/events.h>

#define LS_TRACE_MAGIC		"LSTRACE"	/* 8 bytes with the NUL */
#define LS_TRACE_TRAILER_MAGIC	"LSTREND"
#define LS_TRACE_VERSION	1
#define LS_TRACE_HEADER_SIZE	64
#define LS_TRACE_RECORD_SIZE	80
#define LS_TRACE_TRAILER_SIZE	24
#define LS_TRACE_CLOCK_MONOTONIC 1
#define LS_TRACE_MAX_EVENTS	1024		/* names in the event table */
#define LS_TRACE_MAX_TABLE	65536		/* bytes of the event table */
#define LS_TRACE_PRODUCER_LEN	16

/* What the header says. */
struct ls_trace_info {
	uint32_t version;
	uint32_t clock;
	uint32_t pid;			/* the traced process */
	uint64_t record_count;		/* from the header; 0 if streamed */
	uint64_t records;		/* records actually in the file */
	bool has_trailer;
	uint64_t lost;			/* from the trailer: records the transport lost */
	char producer[LS_TRACE_PRODUCER_LEN + 1];
};

/* ---- writing ---- */

struct ls_trace_writer;

/* path "-" writes to stdout (the count stays 0: the trailer has it). */
int	ls_trace_writer_open(struct ls_trace_writer **wp, const char *path, uint32_t pid);
/* Same, to an open stream the caller keeps owning. */
int	ls_trace_writer_fopen(struct ls_trace_writer **wp, FILE *f, uint32_t pid);
int	ls_trace_writer_add(struct ls_trace_writer *w, const struct ls_event *e);
uint64_t ls_trace_writer_count(const struct ls_trace_writer *w);
/* Write the trailer, patch the header's count when the file is seekable and
 * close.  Returns 0 or the first write error (-errno); frees w either way. */
int	ls_trace_writer_close(struct ls_trace_writer *w, uint64_t lost);
/* Stop without the trailer or the count, as a crashed recorder would (for
 * tests); frees w, leaves an owned file flushed and closed. */
void	ls_trace_writer_abort(struct ls_trace_writer *w);

/* ---- reading ---- */

struct ls_trace_reader;

/*
 * Open and check the header, the event table and the file's length.  On
 * failure returns -errno and, with err, one line "NAME: byte N: what".
 */
int	ls_trace_reader_open(struct ls_trace_reader **rp, const char *path,
			     char *err, size_t errlen);
/* The same over a buffer (the fuzzer's entry point); name is for messages. */
int	ls_trace_reader_open_mem(struct ls_trace_reader **rp, const void *buf,
				 size_t len, const char *name, char *err, size_t errlen);
const struct ls_trace_info *ls_trace_reader_info(const struct ls_trace_reader *r);
/*
 * Next record, with its id translated to this lockstep's table and checked.
 * Returns 1, 0 at the end, or -EINVAL with ls_trace_reader_error() set.
 */
int	ls_trace_reader_next(struct ls_trace_reader *r, struct ls_event *e);
const char *ls_trace_reader_error(const struct ls_trace_reader *r);
void	ls_trace_reader_close(struct ls_trace_reader *r);

/*
 * The checks every record passes, whatever it came from (file, JSON):
 * a known id, flags that match the event's definition, and for string
 * events a NUL inside args[1..4].  Returns 0 or -EINVAL with a reason and
 * *field set to the offset in the record of the offending field.
 */
int	ls_event_check(const struct ls_event *e, char *why, size_t len, unsigned *field);

/* Field offsets in an encoded record (equal to struct ls_event's). */
#define LS_REC_OFF_TS		0
#define LS_REC_OFF_PID		8
#define LS_REC_OFF_TID		12
#define LS_REC_OFF_ID		16
#define LS_REC_OFF_FLAGS	18
#define LS_REC_OFF_CPU		20
#define LS_REC_OFF_OBJ		24
#define LS_REC_OFF_GOID		32
#define LS_REC_OFF_ARGS		40

void	ls_event_encode(const struct ls_event *e, unsigned char out[LS_TRACE_RECORD_SIZE]);
void	ls_event_decode(const unsigned char in[LS_TRACE_RECORD_SIZE], struct ls_event *e);

#endif /* LS_LAB_TRACEFILE_H */
