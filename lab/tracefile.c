// SPDX-License-Identifier: MIT
/*
 * tracefile.c - write and read lockstep trace files (docs/trace-format.md).
 *
 * Layout (all integers little-endian):
 *
 *	0	header, 64 bytes
 *		 0 magic "LSTRACE\0"	 8 u32 version (1)
 *		12 u32 header size (64)	16 u32 record size (80)
 *		20 u32 clock (1: CLOCK_MONOTONIC)
 *		24 u32 pid		28 u32 flags (0)
 *		32 u64 record count (0: streamed, see the trailer)
 *		40 u32 event names	44 u32 event table bytes (multiple of 8)
 *		48 char producer[16], NUL-padded
 *	64	event table: names of ids 1..N, each NUL-terminated, zero-padded
 *	64+T	records, 80 bytes each, laid out like struct ls_event
 *	end	optional trailer, 24 bytes: "LSTREND\0", u64 records, u64 lost
 *
 * The reader never trusts a length it has not checked against the file
 * size, reads through bounded pread()/memcpy() only (no mmap: a file
 * truncated under us would be a SIGBUS), and stops at the first problem with
 * one line naming the byte offset.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lockstep/trace.h>

#include "tracefile.h"

#define LS_PRODUCER		"lockstep 0.1"
#define READ_BATCH		256	/* records per read */

/* ---- little-endian fields ---- */

static void put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint16_t get16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

void ls_event_encode(const struct ls_event *e, unsigned char out[LS_TRACE_RECORD_SIZE])
{
	put64(out + LS_REC_OFF_TS, e->ts);
	put32(out + LS_REC_OFF_PID, e->pid);
	put32(out + LS_REC_OFF_TID, e->tid);
	put16(out + LS_REC_OFF_ID, e->id);
	put16(out + LS_REC_OFF_FLAGS, e->flags);
	put32(out + LS_REC_OFF_CPU, e->cpu);
	put64(out + LS_REC_OFF_OBJ, e->obj);
	put64(out + LS_REC_OFF_GOID, e->goid);
	for (int i = 0; i < LS_EVENT_NARGS; i++)
		put64(out + LS_REC_OFF_ARGS + 8 * i, e->args[i]);
}

void ls_event_decode(const unsigned char in[LS_TRACE_RECORD_SIZE], struct ls_event *e)
{
	memset(e, 0, sizeof(*e));
	e->ts = get64(in + LS_REC_OFF_TS);
	e->pid = get32(in + LS_REC_OFF_PID);
	e->tid = get32(in + LS_REC_OFF_TID);
	e->id = get16(in + LS_REC_OFF_ID);
	e->flags = get16(in + LS_REC_OFF_FLAGS);
	e->cpu = get32(in + LS_REC_OFF_CPU);
	e->obj = get64(in + LS_REC_OFF_OBJ);
	e->goid = get64(in + LS_REC_OFF_GOID);
	for (int i = 0; i < LS_EVENT_NARGS; i++)
		e->args[i] = get64(in + LS_REC_OFF_ARGS + 8 * i);
}

_Static_assert(sizeof(struct ls_event) == LS_TRACE_RECORD_SIZE, "record layout");

/* ---- record checks, shared with the JSON reader ---- */

#define LS_RECF_KNOWN	LS_RECF_STRTRUNC
#define LS_EVF_MASK	0xff

int ls_event_check(const struct ls_event *e, char *why, size_t len, unsigned *field)
{
	unsigned def;

	if (e->id == LS_EV_NONE || e->id >= LS_EV__COUNT) {
		*field = LS_REC_OFF_ID;
		snprintf(why, len, "event id %u out of range (expected 1..%u)",
			 e->id, LS_EV__COUNT - 1);
		return -EINVAL;
	}
	def = ls_event_def_flags(e->id);
	if ((e->flags & LS_EVF_MASK) != def ||
	    (e->flags & ~(LS_EVF_MASK | LS_RECF_KNOWN)) ||
	    ((e->flags & LS_RECF_STRTRUNC) && !(def & LS_EVF_STR))) {
		*field = LS_REC_OFF_FLAGS;
		if (def & LS_EVF_STR)
			snprintf(why, len, "%s: flags 0x%x (expected 0x%x or 0x%x)",
				 ls_event_name(e->id), e->flags, def, def | LS_RECF_STRTRUNC);
		else
			snprintf(why, len, "%s: flags 0x%x (expected 0x%x)",
				 ls_event_name(e->id), e->flags, def);
		return -EINVAL;
	}
	if ((def & LS_EVF_STR) && !memchr(&e->args[1], '\0', LS_EVENT_STRMAX)) {
		*field = LS_REC_OFF_ARGS + 8;
		snprintf(why, len, "%s: string not NUL-terminated within %d bytes",
			 ls_event_name(e->id), LS_EVENT_STRMAX);
		return -EINVAL;
	}
	return 0;
}

/* ---- writer ---- */

struct ls_trace_writer {
	FILE *f;
	bool own;		/* we opened f */
	off_t base;		/* where the header starts; -1: not seekable */
	uint64_t count;
	int err;		/* first write error */
};

static int write_all(struct ls_trace_writer *w, const void *buf, size_t len)
{
	if (w->err)
		return w->err;
	if (fwrite(buf, 1, len, w->f) != len)
		w->err = errno ? -errno : -EIO;
	return w->err;
}

static int write_head(struct ls_trace_writer *w, uint32_t pid)
{
	unsigned char h[LS_TRACE_HEADER_SIZE] = { 0 };
	unsigned char *table;
	size_t tlen = 0, tsize;
	int ret;

	for (unsigned id = 1; id < LS_EV__COUNT; id++)
		tlen += strlen(ls_event_name(id)) + 1;
	tsize = (tlen + 7) & ~(size_t)7;
	table = calloc(1, tsize);
	if (!table)
		return -ENOMEM;
	tlen = 0;
	for (unsigned id = 1; id < LS_EV__COUNT; id++) {
		size_t n = strlen(ls_event_name(id)) + 1;

		memcpy(table + tlen, ls_event_name(id), n);
		tlen += n;
	}
	memcpy(h, LS_TRACE_MAGIC, sizeof(LS_TRACE_MAGIC));
	put32(h + 8, LS_TRACE_VERSION);
	put32(h + 12, LS_TRACE_HEADER_SIZE);
	put32(h + 16, LS_TRACE_RECORD_SIZE);
	put32(h + 20, LS_TRACE_CLOCK_MONOTONIC);
	put32(h + 24, pid);
	put32(h + 28, 0);
	put64(h + 32, 0);
	put32(h + 40, LS_EV__COUNT - 1);
	put32(h + 44, (uint32_t)tsize);
	strncpy((char *)h + 48, LS_PRODUCER, LS_TRACE_PRODUCER_LEN);
	ret = write_all(w, h, sizeof(h));
	if (!ret)
		ret = write_all(w, table, tsize);
	free(table);
	return ret;
}

int ls_trace_writer_fopen(struct ls_trace_writer **wp, FILE *f, uint32_t pid)
{
	struct ls_trace_writer *w = calloc(1, sizeof(*w));
	int ret;

	if (!w)
		return -ENOMEM;
	w->f = f;
	w->base = ftello(f);
	ret = write_head(w, pid);
	if (ret) {
		free(w);
		return ret;
	}
	*wp = w;
	return 0;
}

int ls_trace_writer_open(struct ls_trace_writer **wp, const char *path, uint32_t pid)
{
	FILE *f;
	int ret;

	if (!strcmp(path, "-"))
		return ls_trace_writer_fopen(wp, stdout, pid);
	f = fopen(path, "wbe");
	if (!f)
		return -errno;
	ret = ls_trace_writer_fopen(wp, f, pid);
	if (ret) {
		fclose(f);	/* (the commands use ls_outfile, which may take it back) */
		return ret;
	}
	(*wp)->own = true;
	return 0;
}

int ls_trace_writer_add(struct ls_trace_writer *w, const struct ls_event *e)
{
	unsigned char rec[LS_TRACE_RECORD_SIZE];

	ls_event_encode(e, rec);
	if (write_all(w, rec, sizeof(rec)))
		return w->err;
	w->count++;
	return 0;
}

uint64_t ls_trace_writer_count(const struct ls_trace_writer *w)
{
	return w->count;
}

int ls_trace_writer_close(struct ls_trace_writer *w, uint64_t lost)
{
	unsigned char t[LS_TRACE_TRAILER_SIZE] = { 0 };
	unsigned char cnt[8];
	int ret, fd;

	memcpy(t, LS_TRACE_TRAILER_MAGIC, sizeof(LS_TRACE_TRAILER_MAGIC));
	put64(t + 8, w->count);
	put64(t + 16, lost);
	write_all(w, t, sizeof(t));
	if (!w->err && fflush(w->f))
		w->err = -errno;
	/* A seekable file also gets the count in the header. */
	fd = fileno(w->f);
	if (!w->err && fd >= 0 && w->base >= 0 && lseek(fd, 0, SEEK_CUR) >= 0) {
		put64(cnt, w->count);
		if (pwrite(fd, cnt, sizeof(cnt), w->base + 32) != (ssize_t)sizeof(cnt))
			w->err = -errno;
	}
	if (w->own && fclose(w->f) && !w->err)
		w->err = -errno;
	ret = w->err;
	free(w);
	return ret;
}

void ls_trace_writer_abort(struct ls_trace_writer *w)
{
	fflush(w->f);
	if (w->own)
		fclose(w->f);
	free(w);
}

/* ---- reader ---- */

struct ls_trace_reader {
	int fd;				/* -1 for a buffer */
	const unsigned char *mem;
	uint64_t size;
	char name[256];

	struct ls_trace_info info;
	uint16_t idmap[LS_TRACE_MAX_EVENTS + 1];	/* file id -> our id */
	char (*names)[32];		/* file names, for messages */
	uint32_t nnames;
	uint64_t data_off;		/* first record */
	uint64_t next;			/* records returned so far */

	unsigned char batch[READ_BATCH * LS_TRACE_RECORD_SIZE];
	uint64_t batch_first, batch_len;	/* record index, records */

	char err[700];
	bool failed;
};

static int fail(struct ls_trace_reader *r, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct ls_trace_reader *r, uint64_t off, const char *fmt, ...)
{
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(r->err, sizeof(r->err), "%s: byte %llu: %s", r->name,
		 (unsigned long long)off, what);
	r->failed = true;
	return -EINVAL;
}

/* Bounded read: the range must lie inside the file. */
static int read_at(struct ls_trace_reader *r, uint64_t off, void *buf, size_t len)
{
	size_t done = 0;

	if (off > r->size || len > r->size - off)
		return -EIO;
	if (r->mem) {
		memcpy(buf, r->mem + off, len);
		return 0;
	}
	while (done < len) {
		ssize_t n = pread(r->fd, (char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
	}
	return 0;
}

static void quote_bytes(char *out, size_t len, const unsigned char *p, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 5 < len; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\')
			out[o++] = (char)p[i];
		else
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", p[i]);
	}
	out[o] = '\0';
}

static bool name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* The event table: N names, NUL-terminated, then zero padding. */
static int parse_table(struct ls_trace_reader *r, uint32_t n, uint32_t size)
{
	unsigned char *t;
	uint32_t pos = 0;
	int ret = 0;

	t = malloc(size ? size : 1);
	r->names = calloc(n + 1, sizeof(*r->names));
	if (!t || !r->names) {
		ret = -ENOMEM;
		goto out_free;
	}
	if (read_at(r, LS_TRACE_HEADER_SIZE, t, size)) {
		ret = fail(r, LS_TRACE_HEADER_SIZE, "cannot read the event table");
		goto out_free;
	}
	for (uint32_t id = 1; id <= n; id++) {
		uint64_t off = LS_TRACE_HEADER_SIZE + pos;
		uint32_t len = 0;
		int ours;

		while (pos + len < size && t[pos + len]) {
			if (!name_char(t[pos + len])) {
				ret = fail(r, off + len, "event name %u: byte 0x%02x"
					   " (expected a-z, 0-9 or _)", id, t[pos + len]);
				goto out_free;
			}
			len++;
		}
		if (pos + len >= size) {
			ret = fail(r, off, "event name %u runs past the event table"
				   " (%u names expected in %u bytes)", id, n, size);
			goto out_free;
		}
		if (len == 0 || len >= sizeof(r->names[0])) {
			ret = fail(r, off, "event name %u is %u bytes long (expected 1..%zu)",
				   id, len, sizeof(r->names[0]) - 1);
			goto out_free;
		}
		memcpy(r->names[id], t + pos, len + 1);
		ours = ls_event_by_name(r->names[id]);
		r->idmap[id] = ours > 0 ? (uint16_t)ours : 0;
		pos += len + 1;
	}
	for (; pos < size; pos++) {
		if (t[pos]) {
			ret = fail(r, LS_TRACE_HEADER_SIZE + pos,
				   "byte 0x%02x after the last event name (expected zero padding)",
				   t[pos]);
			goto out_free;
		}
	}
	r->nnames = n;
out_free:
	free(t);
	return ret;
}

/* Read the trailer at off; true if it is one (counts checked by the caller). */
static bool read_trailer(struct ls_trace_reader *r, uint64_t off,
			 unsigned char t[LS_TRACE_TRAILER_SIZE])
{
	return !read_at(r, off, t, LS_TRACE_TRAILER_SIZE) &&
	       !memcmp(t, LS_TRACE_TRAILER_MAGIC, sizeof(LS_TRACE_TRAILER_MAGIC));
}

/*
 * Where the records end and what follows them.  With a count in the header
 * the records must be exactly there, followed by nothing or the trailer.
 * A streamed file (count 0) holds as many whole records as fit, then
 * perhaps the trailer; a partial record at the end is an error either way.
 */
static int check_length(struct ls_trace_reader *r)
{
	uint64_t room = r->size - r->data_off;
	uint64_t count = r->info.record_count;
	uint64_t fit = room / LS_TRACE_RECORD_SIZE;
	uint64_t n, rest, toff;
	unsigned char t[LS_TRACE_TRAILER_SIZE];

	if (count > fit) {
		if (count - fit == 1 && room % LS_TRACE_RECORD_SIZE)
			return fail(r, r->data_off + fit * LS_TRACE_RECORD_SIZE,
				    "record %llu is truncated (%llu of %d bytes)",
				    (unsigned long long)fit,
				    (unsigned long long)(room % LS_TRACE_RECORD_SIZE),
				    LS_TRACE_RECORD_SIZE);
		return fail(r, 32, "record count %llu does not fit in the file"
			    " (room for %llu records of %d bytes)",
			    (unsigned long long)count, (unsigned long long)fit,
			    LS_TRACE_RECORD_SIZE);
	}
	n = count ? count : fit;
	if (!count && room % LS_TRACE_RECORD_SIZE == LS_TRACE_TRAILER_SIZE &&
	    read_trailer(r, r->size - LS_TRACE_TRAILER_SIZE, t))
		n = fit;	/* fit excludes the 24 trailer bytes already */
	rest = room - n * LS_TRACE_RECORD_SIZE;
	toff = r->data_off + n * LS_TRACE_RECORD_SIZE;
	if (rest == LS_TRACE_TRAILER_SIZE && read_trailer(r, toff, t)) {
		if (get64(t + 8) != n)
			return fail(r, toff + 8, "trailer counts %llu records (the file"
				    " has %llu)", (unsigned long long)get64(t + 8),
				    (unsigned long long)n);
		r->info.has_trailer = true;
		r->info.lost = get64(t + 16);
		rest = 0;
	}
	if (rest == 0) {
		r->info.records = n;
		return 0;
	}
	if (count)
		return fail(r, toff, "%llu unexpected bytes after record %llu"
			    " (expected the end or a %d-byte trailer)",
			    (unsigned long long)rest, (unsigned long long)(n - 1),
			    LS_TRACE_TRAILER_SIZE);
	return fail(r, toff, "record %llu is truncated (%llu of %d bytes)",
		    (unsigned long long)n, (unsigned long long)rest,
		    LS_TRACE_RECORD_SIZE);
}

static int parse_header(struct ls_trace_reader *r)
{
	unsigned char h[LS_TRACE_HEADER_SIZE];
	uint32_t v, nnames, tsize;
	char q[64];
	size_t m;

	if (r->size == 0)
		return fail(r, 0, "empty file (expected a %d-byte header)",
			    LS_TRACE_HEADER_SIZE);
	/* Magic first, even in a short file: "not a trace" beats "truncated". */
	m = r->size < 8 ? (size_t)r->size : 8;
	if (read_at(r, 0, h, m))
		return fail(r, 0, "cannot read the header");
	if (memcmp(h, LS_TRACE_MAGIC, m)) {
		quote_bytes(q, sizeof(q), h, m);
		return fail(r, 0, "not a lockstep trace: magic \"%s\" (expected \"%s\\x00\")",
			    q, LS_TRACE_MAGIC);
	}
	if (r->size < LS_TRACE_HEADER_SIZE)
		return fail(r, r->size, "truncated header: the file ends at byte %llu"
			    " (expected %d header bytes)", (unsigned long long)r->size,
			    LS_TRACE_HEADER_SIZE);
	if (read_at(r, 0, h, sizeof(h)))
		return fail(r, 0, "cannot read the header");
	v = get32(h + 8);
	if (v != LS_TRACE_VERSION)
		return fail(r, 8, "unsupported format version %u (expected %d)",
			    v, LS_TRACE_VERSION);
	v = get32(h + 12);
	if (v != LS_TRACE_HEADER_SIZE)
		return fail(r, 12, "header size %u (expected %d)", v, LS_TRACE_HEADER_SIZE);
	v = get32(h + 16);
	if (v != LS_TRACE_RECORD_SIZE)
		return fail(r, 16, "record size %u (expected %d)", v, LS_TRACE_RECORD_SIZE);
	v = get32(h + 20);
	if (v != LS_TRACE_CLOCK_MONOTONIC)
		return fail(r, 20, "clock %u (expected %d, CLOCK_MONOTONIC)",
			    v, LS_TRACE_CLOCK_MONOTONIC);
	v = get32(h + 28);
	if (v)
		return fail(r, 28, "header flags 0x%x (expected 0)", v);
	nnames = get32(h + 40);
	if (nnames == 0 || nnames > LS_TRACE_MAX_EVENTS)
		return fail(r, 40, "%u event names (expected 1..%d)", nnames,
			    LS_TRACE_MAX_EVENTS);
	tsize = get32(h + 44);
	if (tsize % 8 || tsize > LS_TRACE_MAX_TABLE || tsize < 2 * nnames)
		return fail(r, 44, "event table of %u bytes for %u names (expected a"
			    " multiple of 8, at least 2 per name, at most %d)",
			    tsize, nnames, LS_TRACE_MAX_TABLE);
	for (int i = 0; i < LS_TRACE_PRODUCER_LEN; i++) {
		unsigned char c = h[48 + i];

		if (c && (c < 0x20 || c >= 0x7f))
			return fail(r, 48 + (uint64_t)i, "producer name byte 0x%02x"
				    " (expected printable ASCII or NUL)", c);
	}
	if (LS_TRACE_HEADER_SIZE + (uint64_t)tsize > r->size)
		return fail(r, r->size, "file ends inside the event table (expected"
			    " %u table bytes from byte %d)", tsize, LS_TRACE_HEADER_SIZE);

	r->info.version = get32(h + 8);
	r->info.clock = get32(h + 20);
	r->info.pid = get32(h + 24);
	r->info.record_count = get64(h + 32);
	memcpy(r->info.producer, h + 48, LS_TRACE_PRODUCER_LEN);
	r->info.producer[LS_TRACE_PRODUCER_LEN] = '\0';
	r->data_off = LS_TRACE_HEADER_SIZE + (uint64_t)tsize;
	return parse_table(r, nnames, tsize);
}

static int reader_init(struct ls_trace_reader *r, const char *name,
		       char *err, size_t errlen)
{
	int ret;

	snprintf(r->name, sizeof(r->name), "%s", name);
	ret = parse_header(r);
	if (!ret)
		ret = check_length(r);
	if (ret && err && errlen)
		snprintf(err, errlen, "%s", r->failed ? r->err : strerror(-ret));
	return ret;
}

int ls_trace_reader_open(struct ls_trace_reader **rp, const char *path,
			 char *err, size_t errlen)
{
	struct ls_trace_reader *r;
	struct stat st;
	int ret;

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		ret = -errno;
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		goto out_free;
	}
	if (fstat(r->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		ret = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path,
				 ret == -EISDIR ? "is a directory" : "not a regular file");
		goto out_close;
	}
	r->size = (uint64_t)st.st_size;
	ret = reader_init(r, path, err, errlen);
	if (ret)
		goto out_close;
	*rp = r;
	return 0;

out_close:
	close(r->fd);
out_free:
	free(r->names);
	free(r);
	return ret;
}

int ls_trace_reader_open_mem(struct ls_trace_reader **rp, const void *buf,
			     size_t len, const char *name, char *err, size_t errlen)
{
	struct ls_trace_reader *r;
	int ret;

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->fd = -1;
	r->mem = buf;
	r->size = len;
	ret = reader_init(r, name, err, errlen);
	if (ret) {
		free(r->names);
		free(r);
		return ret;
	}
	*rp = r;
	return 0;
}

const struct ls_trace_info *ls_trace_reader_info(const struct ls_trace_reader *r)
{
	return &r->info;
}

const char *ls_trace_reader_error(const struct ls_trace_reader *r)
{
	return r->failed ? r->err : "";
}

int ls_trace_reader_next(struct ls_trace_reader *r, struct ls_event *e)
{
	const unsigned char *rec;
	uint64_t off, i;
	unsigned field, fid;
	char why[200];

	if (r->failed)
		return -EINVAL;
	if (r->next >= r->info.records)
		return 0;
	i = r->next;
	off = r->data_off + i * LS_TRACE_RECORD_SIZE;
	if (i < r->batch_first || i >= r->batch_first + r->batch_len) {
		uint64_t n = r->info.records - i;

		if (n > READ_BATCH)
			n = READ_BATCH;
		if (read_at(r, off, r->batch, (size_t)n * LS_TRACE_RECORD_SIZE))
			return fail(r, off, "cannot read record %llu (file changed?)",
				    (unsigned long long)i);
		r->batch_first = i;
		r->batch_len = n;
	}
	rec = r->batch + (i - r->batch_first) * LS_TRACE_RECORD_SIZE;
	ls_event_decode(rec, e);

	fid = e->id;
	if (fid == 0 || fid > r->nnames)
		return fail(r, off + LS_REC_OFF_ID, "record %llu: event id %u out of"
			    " range (expected 1..%u)", (unsigned long long)i, fid, r->nnames);
	if (!r->idmap[fid])
		return fail(r, off + LS_REC_OFF_ID, "record %llu: event '%s' (id %u) is"
			    " not known to this lockstep", (unsigned long long)i,
			    r->names[fid], fid);
	e->id = r->idmap[fid];
	if (ls_event_check(e, why, sizeof(why), &field))
		return fail(r, off + field, "record %llu: %s", (unsigned long long)i, why);
	r->next++;
	return 1;
}

void ls_trace_reader_close(struct ls_trace_reader *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	free(r->names);
	free(r);
}
