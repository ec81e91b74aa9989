// SPDX-License-Identifier: MIT
/*
 * export.c - JSON lines (both ways) and Chrome/Perfetto trace events.
 *
 * JSON lines carry every field of a record as a number, so reading them
 * back gives the very same records: that is what lets a trace be edited or
 * generated with ordinary tools and turned into a trace file again.  The
 * reader is as strict as the binary one: every line must be one JSON object
 * with every field, in range, and the record must pass ls_event_check().
 *
 * Perfetto: each goroutine is a thread track of a "goroutines" process
 * (tid = goid), named "g3 worker-1"; its parked intervals (GO_PARK to
 * GO_WAKE) are slices named after the wait reason, and every other event is
 * an instant with its arguments.  Kernel events go to a second process with
 * one track per OS thread: off-CPU intervals (SCHED_OFF to SCHED_ON) and
 * futex waits are slices there.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lockstep/trace.h>

#include "export.h"
#include "tracefile.h"
#include "u64map.h"

#define JSONL_MAX_LINE		(1 << 20)
#define JSON_MAX_DEPTH		32

/* ---- writing JSON ---- */

/* Length of the valid UTF-8 sequence at p (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

void ls_json_string(FILE *f, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strnlen(s, max);

	fputc('"', f);
	for (size_t i = 0; i < n;) {
		size_t l;

		switch (p[i]) {
		case '"':  fputs("\\\"", f); i++; continue;
		case '\\': fputs("\\\\", f); i++; continue;
		case '\n': fputs("\\n", f); i++; continue;
		case '\t': fputs("\\t", f); i++; continue;
		case '\r': fputs("\\r", f); i++; continue;
		}
		if (p[i] < 0x20 || p[i] == 0x7f) {
			fprintf(f, "\\u%04x", p[i]);
			i++;
			continue;
		}
		l = utf8_len(p + i, n - i);
		if (!l) {
			fputs("\\ufffd", f);
			i++;
			continue;
		}
		fwrite(p + i, 1, l, f);
		i += l;
	}
	fputc('"', f);
}

int ls_jsonl_write(FILE *f, const struct ls_names *n, const struct ls_event *e)
{
	uint64_t goid = ls_names_goid(n, e);
	const char *gname = goid ? ls_names_goroutine(n, goid) : "";
	const char *oname = ls_names_object(n, e->obj, NULL);
	char str[LS_EVENT_STRMAX];

	fprintf(f, "{\"ts\":%llu,\"pid\":%u,\"tid\":%u,\"cpu\":%u,\"event\":\"%s\","
		"\"flags\":%u,\"obj\":%llu,\"goid\":%llu,\"args\":[%llu,%llu,%llu,%llu,%llu]",
		(unsigned long long)e->ts, e->pid, e->tid, e->cpu, ls_event_name(e->id),
		e->flags, (unsigned long long)e->obj, (unsigned long long)e->goid,
		(unsigned long long)e->args[0], (unsigned long long)e->args[1],
		(unsigned long long)e->args[2], (unsigned long long)e->args[3],
		(unsigned long long)e->args[4]);
	if (gname[0]) {
		fputs(",\"g\":", f);
		ls_json_string(f, gname, LS_EVENT_STRMAX);
	}
	if (oname && oname[0] && e->obj) {
		fputs(",\"obj_name\":", f);
		ls_json_string(f, oname, LS_EVENT_STRMAX);
	}
	if (ls_event_def_flags(e->id) & LS_EVF_STR) {
		ls_event_str(e, str, sizeof(str));
		fputs(",\"str\":", f);
		ls_json_string(f, str, sizeof(str));
	}
	fputs("}\n", f);
	return ferror(f) ? -EIO : 0;
}

/* ---- reading JSON lines ---- */

struct jp {
	const char *start, *p, *end;
	char *err;
	size_t errlen;
};

static int jp_fail(struct jp *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int jp_fail(struct jp *j, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(j->err, j->errlen, "column %zu: %s", (size_t)(j->p - j->start) + 1, what);
	return -EINVAL;
}

static void jp_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\r'))
		j->p++;
}

static bool jp_peek(struct jp *j, char c)
{
	jp_ws(j);
	return j->p < j->end && *j->p == c;
}

static int jp_expect(struct jp *j, char c)
{
	if (!jp_peek(j, c))
		return j->p < j->end ? jp_fail(j, "expected '%c', found '%c'", c, *j->p)
				     : jp_fail(j, "expected '%c', found the end of the line", c);
	j->p++;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * A string; its (decoded) bytes go to out when out is not NULL.  \u escapes
 * are checked, not decoded: keys and event names are plain ASCII, and the
 * other strings (names for people) are not read back.  A string too long
 * for out is an error, unless cut is given: then it is cut and *cut set.
 */
static int jp_string(struct jp *j, char *out, size_t outlen, bool *cut)
{
	size_t o = 0;

	if (jp_expect(j, '"'))
		return -EINVAL;
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = (unsigned char)*j->p;

		if (c < 0x20)
			return jp_fail(j, "control byte 0x%02x in a string", c);
		if (c == '\\') {
			if (++j->p >= j->end)
				break;
			if (*j->p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (j->p + i >= j->end || hexval(j->p[i]) < 0)
						return jp_fail(j, "bad \\u escape");
				j->p += 5;
				c = '?';
			} else if (strchr("\"\\/bfnrt", *j->p)) {
				static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";

				c = (unsigned char)to[strchr(from, *j->p) - from];
				j->p++;
			} else {
				return jp_fail(j, "bad escape '\\%c'", *j->p);
			}
		} else {
			j->p++;
		}
		if (out && o + 1 >= outlen) {
			if (!cut)
				return jp_fail(j, "string longer than %zu bytes", outlen - 1);
			*cut = true;
		} else if (out) {
			out[o++] = (char)c;
		}
	}
	if (j->p >= j->end)
		return jp_fail(j, "unterminated string");
	j->p++;
	if (out)
		out[o] = '\0';
	return 0;
}

/* A non-negative integer that fits in 64 bits, in plain decimal. */
static int jp_u64(struct jp *j, uint64_t *v)
{
	const char *s;
	uint64_t x = 0;

	jp_ws(j);
	s = j->p;
	if (j->p >= j->end || *j->p < '0' || *j->p > '9')
		return jp_fail(j, "expected a non-negative integer");
	if (*j->p == '0' && j->p + 1 < j->end && j->p[1] >= '0' && j->p[1] <= '9')
		return jp_fail(j, "leading zero in a number");
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
		unsigned d = (unsigned)(*j->p - '0');

		if (x > (UINT64_MAX - d) / 10)
			return jp_fail(j, "number %.*s... does not fit in 64 bits",
				       (int)(j->p - s + 1), s);
		x = x * 10 + d;
		j->p++;
	}
	if (j->p < j->end && (*j->p == '.' || *j->p == 'e' || *j->p == 'E'))
		return jp_fail(j, "expected an integer, found a fraction or exponent");
	*v = x;
	return 0;
}

static int jp_skip(struct jp *j, int depth);

static int jp_skip_number(struct jp *j)
{
	const char *s = j->p;

	if (j->p < j->end && *j->p == '-')
		j->p++;
	while (j->p < j->end && strchr("0123456789.eE+-", *j->p))
		j->p++;
	if (j->p == s || (j->p == s + 1 && *s == '-'))
		return jp_fail(j, "expected a value");
	return 0;
}

static int jp_skip_list(struct jp *j, char close, bool keys, int depth)
{
	j->p++;
	if (jp_peek(j, close)) {
		j->p++;
		return 0;
	}
	for (;;) {
		if (keys && (jp_string(j, NULL, 0, NULL) || jp_expect(j, ':')))
			return -EINVAL;
		if (jp_skip(j, depth + 1))
			return -EINVAL;
		if (jp_peek(j, close)) {
			j->p++;
			return 0;
		}
		if (jp_expect(j, ','))
			return -EINVAL;
	}
}

static int jp_skip(struct jp *j, int depth)
{
	static const char *const words[] = { "true", "false", "null" };

	if (depth > JSON_MAX_DEPTH)
		return jp_fail(j, "nested deeper than %d", JSON_MAX_DEPTH);
	jp_ws(j);
	if (j->p >= j->end)
		return jp_fail(j, "expected a value, found the end of the line");
	switch (*j->p) {
	case '"':
		return jp_string(j, NULL, 0, NULL);
	case '{':
		return jp_skip_list(j, '}', true, depth);
	case '[':
		return jp_skip_list(j, ']', false, depth);
	}
	for (size_t i = 0; i < 3; i++) {
		size_t l = strlen(words[i]);

		if ((size_t)(j->end - j->p) >= l && !memcmp(j->p, words[i], l)) {
			j->p += l;
			return 0;
		}
	}
	return jp_skip_number(j);
}

enum jfield { F_TS, F_PID, F_TID, F_CPU, F_EVENT, F_FLAGS, F_OBJ, F_GOID, F_ARGS, F__N };
static const char *const jfields[F__N] = {
	"ts", "pid", "tid", "cpu", "event", "flags", "obj", "goid", "args",
};

static int jp_field(struct jp *j, enum jfield f, struct ls_event *e)
{
	char name[LS_EVENT_STRMAX];
	uint64_t v;
	int id;

	switch (f) {
	case F_EVENT:
		if (jp_string(j, name, sizeof(name), NULL))
			return -EINVAL;
		id = ls_event_by_name(name);
		if (id < 0)
			return jp_fail(j, "unknown event \"%s\"", name);
		e->id = (uint16_t)id;
		return 0;
	case F_ARGS:
		if (jp_expect(j, '['))
			return -EINVAL;
		for (int i = 0; i < LS_EVENT_NARGS; i++) {
			if ((i && jp_expect(j, ',')) || jp_u64(j, &v))
				return -EINVAL;
			e->args[i] = v;
		}
		if (!jp_peek(j, ']'))
			return jp_fail(j, "expected ']' after %d arguments", LS_EVENT_NARGS);
		j->p++;
		return 0;
	default:
		break;
	}
	if (jp_u64(j, &v))
		return -EINVAL;
	switch (f) {
	case F_TS:	e->ts = v; return 0;
	case F_OBJ:	e->obj = v; return 0;
	case F_GOID:	e->goid = v; return 0;
	case F_FLAGS:
		if (v > UINT16_MAX)
			return jp_fail(j, "flags %llu out of range (0..65535)",
				       (unsigned long long)v);
		e->flags = (uint16_t)v;
		return 0;
	default:
		if (v > UINT32_MAX)
			return jp_fail(j, "%s %llu out of range (0..%u)", jfields[f],
				       (unsigned long long)v, UINT32_MAX);
		if (f == F_PID)
			e->pid = (uint32_t)v;
		else if (f == F_TID)
			e->tid = (uint32_t)v;
		else
			e->cpu = (uint32_t)v;
		return 0;
	}
}

int ls_jsonl_parse_line(const char *line, size_t len, struct ls_event *e,
			char *err, size_t errlen)
{
	struct jp j = { line, line, line + len, err, errlen };
	unsigned seen = 0, field;
	char key[32], why[200];

	memset(e, 0, sizeof(*e));
	if (jp_expect(&j, '{'))
		return -EINVAL;
	if (!jp_peek(&j, '}')) {
		for (;;) {
			bool cut = false;
			int f;

			if (jp_string(&j, key, sizeof(key), &cut) || jp_expect(&j, ':'))
				return -EINVAL;
			for (f = 0; f < F__N && (cut || strcmp(key, jfields[f])); f++)
				;
			if (f == F__N) {
				if (jp_skip(&j, 1))
					return -EINVAL;
			} else {
				if (seen & (1u << f))
					return jp_fail(&j, "\"%s\" given twice", key);
				seen |= 1u << f;
				if (jp_field(&j, f, e))
					return -EINVAL;
			}
			if (jp_peek(&j, '}'))
				break;
			if (jp_expect(&j, ','))
				return -EINVAL;
		}
	}
	j.p++;
	jp_ws(&j);
	if (j.p < j.end)
		return jp_fail(&j, "text after the object");
	for (int f = 0; f < F__N; f++)
		if (!(seen & (1u << f)))
			return jp_fail(&j, "missing \"%s\"", jfields[f]);
	if (ls_event_check(e, why, sizeof(why), &field)) {
		snprintf(err, errlen, "%s", why);
		return -EINVAL;
	}
	return 0;
}

struct ls_jsonl_reader {
	FILE *f;
	char name[256];
	char *line;
	size_t cap;
	unsigned long lineno;
	char err[600];
	bool failed;
};

int ls_jsonl_reader_open(struct ls_jsonl_reader **rp, const char *path,
			 char *err, size_t errlen)
{
	struct ls_jsonl_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->f = fopen(path, "re");
	if (!r->f) {
		int ret = -errno;

		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		free(r);
		return ret;
	}
	snprintf(r->name, sizeof(r->name), "%s", path);
	*rp = r;
	return 0;
}

int ls_jsonl_reader_next(struct ls_jsonl_reader *r, struct ls_event *e)
{
	char why[300];
	ssize_t n;

	if (r->failed)
		return -EINVAL;
	for (;;) {
		n = getline(&r->line, &r->cap, r->f);
		if (n < 0)
			return 0;
		r->lineno++;
		if (n > JSONL_MAX_LINE) {
			snprintf(r->err, sizeof(r->err), "%s: line %lu: longer than %d bytes",
				 r->name, r->lineno, JSONL_MAX_LINE);
			r->failed = true;
			return -EINVAL;
		}
		if (n && r->line[n - 1] == '\n')
			n--;
		if (strspn(r->line, " \t\r") < (size_t)n)
			break;	/* not a blank line */
	}
	if (memchr(r->line, '\0', (size_t)n)) {
		snprintf(r->err, sizeof(r->err), "%s: line %lu: NUL byte (not a JSON"
			 " lines file?)", r->name, r->lineno);
		r->failed = true;
		return -EINVAL;
	}
	if (ls_jsonl_parse_line(r->line, (size_t)n, e, why, sizeof(why))) {
		/* "line 3, column 7: ..." or, for a record that parsed, "line 3: ..." */
		snprintf(r->err, sizeof(r->err), "%s: line %lu%s%s", r->name, r->lineno,
			 strncmp(why, "column ", 7) ? ": " : ", ", why);
		r->failed = true;
		return -EINVAL;
	}
	return 1;
}

const char *ls_jsonl_reader_error(const struct ls_jsonl_reader *r)
{
	return r->failed ? r->err : "";
}

void ls_jsonl_reader_close(struct ls_jsonl_reader *r)
{
	if (!r)
		return;
	fclose(r->f);
	free(r->line);
	free(r);
}

/* ---- Perfetto / Chrome trace events ---- */

#define PID_GOROUTINES	1
#define PID_THREADS	2
#define STACK_MAX	8

enum slice { SL_PARK = 1, SL_OFFCPU, SL_FUTEX };

struct track {
	bool named;
	uint8_t depth;
	uint8_t stack[STACK_MAX];
};

struct ls_perfetto {
	FILE *f;
	uint32_t pid;
	bool started;
	uint64_t t0;
	struct ls_u64map gs;	/* goid -> struct track */
	struct ls_u64map tids;	/* tid -> struct track */
};

int ls_perfetto_begin(struct ls_perfetto **pp, FILE *f, uint32_t pid)
{
	struct ls_perfetto *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->f = f;
	p->pid = pid;
	ls_u64map_init(&p->gs, sizeof(struct track));
	ls_u64map_init(&p->tids, sizeof(struct track));
	fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n", f);
	fprintf(f, "{\"ph\":\"M\",\"pid\":%d,\"tid\":0,\"name\":\"process_name\","
		"\"args\":{\"name\":\"goroutines (pid %u)\"}},\n", PID_GOROUTINES, pid);
	fprintf(f, "{\"ph\":\"M\",\"pid\":%d,\"tid\":0,\"name\":\"process_name\","
		"\"args\":{\"name\":\"threads (pid %u)\"}}", PID_THREADS, pid);
	*pp = p;
	return 0;
}

static void pf_head(struct ls_perfetto *p, const char *ph, int pid, uint64_t tid,
		    uint64_t ts)
{
	uint64_t rel = ts >= p->t0 ? ts - p->t0 : 0;

	fprintf(p->f, ",\n{\"ph\":\"%s\",\"pid\":%d,\"tid\":%llu,\"ts\":%llu.%03llu",
		ph, pid, (unsigned long long)tid, (unsigned long long)(rel / 1000),
		(unsigned long long)(rel % 1000));
}

static void pf_thread_name(struct ls_perfetto *p, int pid, uint64_t tid, const char *name)
{
	fprintf(p->f, ",\n{\"ph\":\"M\",\"pid\":%d,\"tid\":%llu,\"name\":\"thread_name\","
		"\"args\":{\"name\":", pid, (unsigned long long)tid);
	ls_json_string(p->f, name, 128);
	fputs("}}", p->f);
	fprintf(p->f, ",\n{\"ph\":\"M\",\"pid\":%d,\"tid\":%llu,\"name\":\"thread_sort_index\","
		"\"args\":{\"sort_index\":%llu}}", pid, (unsigned long long)tid,
		(unsigned long long)(tid & 0x7fffffff));
}

/* The event's arguments as a JSON object (strings, as the trace prints them). */
static void pf_args(struct ls_perfetto *p, const struct ls_names *n,
		    const struct ls_event *e)
{
	struct ls_arg_text a[LS_EVENT_NARGS];
	char obj[96];
	int cnt = ls_event_args(e, a);

	ls_event_obj_text(n, e, obj, sizeof(obj));
	fputs(",\"args\":{", p->f);
	if (obj[0]) {
		fputs("\"obj\":", p->f);
		ls_json_string(p->f, obj, sizeof(obj));
	}
	for (int i = 0; i < cnt; i++) {
		fprintf(p->f, "%s\"%s\":", i || obj[0] ? "," : "",
			a[i].key[0] ? a[i].key : "is");
		ls_json_string(p->f, a[i].val, sizeof(a[i].val));
	}
	fputs("}}", p->f);
}

static void pf_name(struct ls_perfetto *p, const char *name)
{
	fputs(",\"name\":", p->f);
	ls_json_string(p->f, name, 128);
}

static void slice_begin(struct ls_perfetto *p, struct track *t, int pid, uint64_t tid,
			uint64_t ts, enum slice kind, const char *name)
{
	if (t->depth == STACK_MAX)
		return;
	t->stack[t->depth++] = kind;
	pf_head(p, "B", pid, tid, ts);
	pf_name(p, name);
	fputs("}", p->f);
}

/* Only close what is open on top: an end without its begin is dropped. */
static void slice_end(struct ls_perfetto *p, struct track *t, int pid, uint64_t tid,
		      uint64_t ts, enum slice kind)
{
	if (!t->depth || t->stack[t->depth - 1] != kind)
		return;
	t->depth--;
	pf_head(p, "E", pid, tid, ts);
	fputs("}", p->f);
}

static void pf_instant(struct ls_perfetto *p, const struct ls_names *n, int pid,
		       uint64_t tid, const struct ls_event *e)
{
	pf_head(p, "i", pid, tid, e->ts);
	fputs(",\"s\":\"t\"", p->f);
	pf_name(p, ls_event_name(e->id));
	pf_args(p, n, e);
}

static int pf_kernel(struct ls_perfetto *p, const struct ls_names *n,
		     const struct ls_event *e)
{
	struct track *t = ls_u64map_get(&p->tids, e->tid);
	uint64_t goid = ls_names_goid(n, e);

	if (!t)
		return -ENOMEM;
	if (!t->named) {
		char name[96];

		if (goid)
			snprintf(name, sizeof(name), "tid %u (g%llu %s)", e->tid,
				 (unsigned long long)goid, ls_names_goroutine(n, goid));
		else
			snprintf(name, sizeof(name), "tid %u", e->tid);
		pf_thread_name(p, PID_THREADS, e->tid, name);
		t->named = true;
	}
	switch (e->id) {
	case LS_EV_SCHED_OFF:
		slice_begin(p, t, PID_THREADS, e->tid, e->ts, SL_OFFCPU,
			    e->args[0] ? "off-cpu (blocked)" : "off-cpu (preempted)");
		break;
	case LS_EV_SCHED_ON:
		slice_end(p, t, PID_THREADS, e->tid, e->ts, SL_OFFCPU);
		break;
	case LS_EV_FUTEX_WAIT:
		slice_begin(p, t, PID_THREADS, e->tid, e->ts, SL_FUTEX, "futex wait");
		break;
	case LS_EV_FUTEX_WAIT_END:
		slice_end(p, t, PID_THREADS, e->tid, e->ts, SL_FUTEX);
		break;
	default:
		pf_instant(p, n, PID_THREADS, e->tid, e);
		break;
	}
	return 0;
}

static int pf_goroutine(struct ls_perfetto *p, const struct ls_names *n,
			const struct ls_event *e)
{
	uint64_t goid = e->goid;
	struct track *t = ls_u64map_get(&p->gs, goid);
	char name[96];

	if (!t)
		return -ENOMEM;
	if (!t->named || e->id == LS_EV_GO_NAME) {
		const char *gn = ls_names_goroutine(n, goid);

		snprintf(name, sizeof(name), gn[0] ? "g%llu %s" : "g%llu",
			 (unsigned long long)goid, gn);
		pf_thread_name(p, PID_GOROUTINES, goid, name);
		t->named = true;
	}
	/* A new goroutine's track gets its name before its first event. */
	if (e->id == LS_EV_GO_CREATE && e->obj != goid) {
		struct track *nt = ls_u64map_get(&p->gs, e->obj);

		if (!nt)
			return -ENOMEM;
		snprintf(name, sizeof(name), "g%llu %s", (unsigned long long)e->obj,
			 ls_names_goroutine(n, e->obj));
		pf_thread_name(p, PID_GOROUTINES, e->obj, name);
		nt->named = true;
	}
	switch (e->id) {
	case LS_EV_GO_PARK:
		snprintf(name, sizeof(name), "parked: %s",
			 ls_wait_reason_str((unsigned)e->args[0]));
		slice_begin(p, t, PID_GOROUTINES, goid, e->ts, SL_PARK, name);
		break;
	case LS_EV_GO_WAKE:
		slice_end(p, t, PID_GOROUTINES, goid, e->ts, SL_PARK);
		break;
	default:
		pf_instant(p, n, PID_GOROUTINES, goid, e);
		break;
	}
	return 0;
}

int ls_perfetto_event(struct ls_perfetto *p, const struct ls_names *n,
		      const struct ls_event *e)
{
	int ret;

	if (!p->started) {
		p->t0 = e->ts;
		p->started = true;
	}
	if (e->id == LS_EV_TRACE_LOST) {
		pf_head(p, "i", PID_GOROUTINES, 0, e->ts);
		fputs(",\"s\":\"g\"", p->f);
		pf_name(p, "trace_lost");
		pf_args(p, n, e);
		ret = 0;
	} else if (ls_event_def_flags(e->id) & LS_EVF_KERNEL) {
		ret = pf_kernel(p, n, e);
	} else {
		ret = pf_goroutine(p, n, e);
	}
	if (!ret && ferror(p->f))
		ret = -EIO;
	return ret;
}

int ls_perfetto_end(struct ls_perfetto *p)
{
	int ret;

	fputs("\n]}\n", p->f);
	ret = ferror(p->f) ? -EIO : 0;
	ls_u64map_free(&p->gs);
	ls_u64map_free(&p->tids);
	free(p);
	return ret;
}
