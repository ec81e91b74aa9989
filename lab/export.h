/* SPDX-License-Identifier: MIT */
/*
 * export.h - events as JSON: JSON lines (one object per event, readable
 * back into the same records) and the Chrome/Perfetto trace-event format
 * (https://ui.perfetto.dev opens it).  docs/trace-format.md describes both.
 */
#ifndef LS_LAB_EXPORT_H
#define LS_LAB_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include <lockstep/events.h>

#include "evtext.h"

/* ---- JSON lines ---- */

/*
 * One line: {"ts":..,"pid":..,"tid":..,"cpu":..,"event":"mutex_state",
 * "flags":..,"obj":..,"goid":..,"args":[a0,a1,a2,a3,a4]} plus, for people,
 * "g" (goroutine name), "obj_name" and "str" (the string of a string
 * event) when known.  n has already seen e (ls_names_update).
 */
int	ls_jsonl_write(FILE *f, const struct ls_names *n, const struct ls_event *e);

struct ls_jsonl_reader;

int	ls_jsonl_reader_open(struct ls_jsonl_reader **rp, const char *path,
			     char *err, size_t errlen);
/* 1 with the next record, 0 at the end, -EINVAL with the error set. */
int	ls_jsonl_reader_next(struct ls_jsonl_reader *r, struct ls_event *e);
/* "NAME: line N, column C: what" */
const char *ls_jsonl_reader_error(const struct ls_jsonl_reader *r);
void	ls_jsonl_reader_close(struct ls_jsonl_reader *r);
/* Parse one line (no newline needed) into e; for tests and the fuzzer. */
int	ls_jsonl_parse_line(const char *line, size_t len, struct ls_event *e,
			    char *err, size_t errlen);

/* ---- Chrome trace events (Perfetto) ---- */

struct ls_perfetto;

int	ls_perfetto_begin(struct ls_perfetto **pp, FILE *f, uint32_t pid);
/* Call after ls_names_update(n, e). */
int	ls_perfetto_event(struct ls_perfetto *p, const struct ls_names *n,
			  const struct ls_event *e);
/* Close the JSON document; frees p.  0 or -EIO. */
int	ls_perfetto_end(struct ls_perfetto *p);

/* A JSON string literal of s (at most max bytes), invalid UTF-8 as U+FFFD. */
void	ls_json_string(FILE *f, const char *s, size_t max);

#endif /* LS_LAB_EXPORT_H */
