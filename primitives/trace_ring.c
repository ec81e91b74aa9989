// SPDX-License-Identifier: MIT
/*
 * trace_ring.c - the in-process transport: a lock-free ring of struct
 * ls_event in a shared file mapping.
 *
 * Layout of the file (all little-endian, native):
 *
 *	struct ring_hdr			one page
 *	struct ring_slot[capacity]	{ u64 seq; struct ls_event ev; }
 *
 * It is Dmitry Vyukov's bounded queue with many producers (every thread of
 * the traced process) and one consumer (another process, typically the
 * `lockstep` command).  Slot i starts with seq = i.
 *   - A producer reads head = pos; if slot[pos & mask].seq == pos the slot is
 *     free: it claims it with CAS(head, pos, pos + 1), writes the record and
 *     publishes it with seq = pos + 1 (release).  If seq < pos the ring is
 *     full: the record is dropped and `dropped` is incremented, or with
 *     LS_RING_BLOCK the producer yields and retries for up to a second first.
 *   - The consumer reads slot[tail & mask]; seq == tail + 1 means a record is
 *     there: it copies it out and frees the slot with seq = tail + capacity.
 *
 * Overflow is never silent: `dropped` lives in the header and consumers turn
 * it into a TRACE_LOST event.
 *
 * A thread that the process's exit kills between claiming a slot and
 * publishing it leaves a hole the consumer would wait at forever; once the
 * producer process is gone, ls_ring_skip_dead() steps over such holes
 * (counted as dropped) so that the last records, written after them, are
 * still read.
 *
 * The file comes from outside, so the producer never trusts it beyond
 * memory safety: the header is validated once, LS_RING_BLOCK is read once,
 * a consumer that stops reading costs one bounded wait and then only drops
 * (until it reads again), and a slot whose sequence runs ahead of the head
 * (impossible in the protocol) switches tracing off instead of spinning.
 * Not covered: a file truncated after it was mapped raises SIGBUS, as any
 * shared mapping does; the rings lockstep creates live in a private
 * directory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lockstep/trace.h>
#include "trace.h"
#include "runtime/runtime.h"

#define RING_MAGIC	0x474e4952534b434cULL	/* "LCKSRING" */
#define RING_VERSION	1
#define RING_HDR_SIZE	4096
#define RING_MAX_CAP	(1u << 24)

struct ring_hdr {
	uint64_t magic;
	uint32_t version;
	uint32_t slot_size;
	uint32_t capacity;
	uint32_t flags;			/* LS_RING_* */
	uint32_t producer_pid;
	uint32_t pad0;
	uint64_t head __attribute__((aligned(64)));	/* producers */
	uint64_t dropped __attribute__((aligned(64)));
	uint64_t tail __attribute__((aligned(64)));	/* consumer */
};

struct ring_slot {
	uint64_t seq;
	struct ls_event ev;
};

struct ls_ring {
	struct ring_hdr *hdr;
	struct ring_slot *slots;
	size_t map_len;
	uint32_t mask;
	uint64_t tail;		/* ours: the header's copy is only published */
};

_Static_assert(sizeof(struct ring_hdr) <= RING_HDR_SIZE, "ring header");

static size_t ring_bytes(uint32_t cap)
{
	return RING_HDR_SIZE + (size_t)cap * sizeof(struct ring_slot);
}

static int ring_map(struct ls_ring *r, int fd, size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	r->hdr = p;
	r->slots = (struct ring_slot *)((char *)p + RING_HDR_SIZE);
	r->map_len = len;
	return 0;
}

/* Check a mapped header: the file comes from outside, trust nothing. */
static int ring_validate(int fd, struct ls_ring *r)
{
	struct ring_hdr h;
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if ((size_t)st.st_size < RING_HDR_SIZE)
		return -EINVAL;
	if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return -EINVAL;
	if (h.magic != RING_MAGIC || h.version != RING_VERSION ||
	    h.slot_size != sizeof(struct ring_slot) || h.capacity == 0 ||
	    h.capacity > RING_MAX_CAP || (h.capacity & (h.capacity - 1)) ||
	    (size_t)st.st_size < ring_bytes(h.capacity))
		return -EINVAL;
	r->mask = h.capacity - 1;
	return 0;
}

struct ls_ring *ls_ring_create(const char *path, uint32_t capacity, unsigned flags)
{
	struct ls_ring *r;
	uint32_t cap = 1;
	int fd, err;

	if (!capacity)
		capacity = LS_RING_DEFAULT_CAPACITY;
	if (capacity > RING_MAX_CAP) {
		errno = EINVAL;
		return NULL;
	}
	while (cap < capacity)
		cap <<= 1;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto out_free;
	if (ftruncate(fd, (off_t)ring_bytes(cap)) < 0)
		goto out_close;
	err = ring_map(r, fd, ring_bytes(cap), PROT_READ | PROT_WRITE);
	if (err) {
		errno = -err;
		goto out_close;
	}
	close(fd);
	for (uint32_t i = 0; i < cap; i++)
		r->slots[i].seq = i;
	r->hdr->slot_size = sizeof(struct ring_slot);
	r->hdr->capacity = cap;
	r->hdr->flags = flags;
	r->hdr->version = RING_VERSION;
	r->mask = cap - 1;
	__atomic_store_n(&r->hdr->magic, RING_MAGIC, __ATOMIC_RELEASE);
	return r;

out_close:
	err = errno;
	close(fd);
	errno = err;
out_free:
	free(r);
	return NULL;
}

struct ls_ring *ls_ring_open(const char *path)
{
	struct ls_ring *r = calloc(1, sizeof(*r));
	int fd, err;

	if (!r)
		return NULL;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		goto out_free;
	err = ring_validate(fd, r);
	if (!err)
		err = ring_map(r, fd, ring_bytes(r->mask + 1), PROT_READ | PROT_WRITE);
	close(fd);
	if (err) {
		errno = -err;
		goto out_free;
	}
	return r;
out_free:
	err = errno;
	free(r);
	errno = err;
	return NULL;
}

size_t ls_ring_read(struct ls_ring *r, struct ls_event *out, size_t max)
{
	uint64_t pos = r->tail;
	size_t n = 0;

	while (n < max) {
		struct ring_slot *s = &r->slots[pos & r->mask];

		if (__atomic_load_n(&s->seq, __ATOMIC_ACQUIRE) != pos + 1)
			break;
		out[n++] = s->ev;
		__atomic_store_n(&s->seq, pos + r->mask + 1, __ATOMIC_RELEASE);
		pos++;
	}
	r->tail = pos;
	__atomic_store_n(&r->hdr->tail, pos, __ATOMIC_RELEASE);
	return n;
}

size_t ls_ring_skip_dead(struct ls_ring *r)
{
	uint64_t head = __atomic_load_n(&r->hdr->head, __ATOMIC_ACQUIRE);
	size_t n = 0;

	/* bounded by one lap: head comes from the file, trust it no further */
	while (r->tail < head && n <= r->mask) {
		struct ring_slot *s = &r->slots[r->tail & r->mask];

		if (__atomic_load_n(&s->seq, __ATOMIC_ACQUIRE) == r->tail + 1)
			break;		/* published: ls_ring_read takes it */
		r->tail++;
		n++;
	}
	if (n) {
		__atomic_store_n(&r->hdr->tail, r->tail, __ATOMIC_RELEASE);
		__atomic_add_fetch(&r->hdr->dropped, n, __ATOMIC_RELAXED);
	}
	return n;
}

uint64_t ls_ring_dropped(const struct ls_ring *r)
{
	return __atomic_load_n(&r->hdr->dropped, __ATOMIC_RELAXED);
}

uint32_t ls_ring_producer_pid(const struct ls_ring *r)
{
	return __atomic_load_n(&r->hdr->producer_pid, __ATOMIC_RELAXED);
}

void ls_ring_close(struct ls_ring *r)
{
	if (!r)
		return;
	munmap(r->hdr, r->map_len);
	free(r);
}

/* ---- producer side, in the traced process ---- */

static struct ls_ring producer;
static struct ring_hdr *producer_hdr;	/* NULL: off (or switched off) */
static uint32_t producer_pid;
static bool producer_blocks;		/* LS_RING_BLOCK, read once */
static int producer_stalled;		/* the consumer missed a whole wait */

/* A slot whose seq is ahead of an unmoving head: the file is corrupt. */
static void ring_switch_off(const char *why)
{
	if (__atomic_exchange_n(&producer_hdr, NULL, __ATOMIC_RELAXED))
		ls__warn("LOCKSTEP_TRACE: %s; tracing off", why);
}

static void ring_atfork_child(void)
{
	producer_pid = (uint32_t)getpid();
}

void ls__ring_emit(uint16_t id, uint16_t flags, uint64_t obj, uint64_t goid,
		   const uint64_t args[LS_EVENT_NARGS])
{
	struct ring_hdr *h = __atomic_load_n(&producer_hdr, __ATOMIC_RELAXED);
	uint64_t pos, head, deadline = 0;
	unsigned stuck = 0;
	struct ring_slot *s;

	if (!h)
		return;
	pos = __atomic_load_n(&h->head, __ATOMIC_RELAXED);
	for (;;) {
		int64_t diff;

		s = &producer.slots[pos & producer.mask];
		diff = (int64_t)(__atomic_load_n(&s->seq, __ATOMIC_ACQUIRE) - pos);
		if (diff == 0) {
			if (__atomic_compare_exchange_n(&h->head, &pos, pos + 1, true,
							__ATOMIC_RELAXED, __ATOMIC_RELAXED))
				break;
		} else if (diff < 0) {
			/*
			 * Full.  Drop, or with LS_RING_BLOCK wait up to a second
			 * for the consumer; a consumer that let a whole wait pass
			 * is stalled (stopped, or dead): drop at once until a slot
			 * frees up again.
			 */
			if (!producer_blocks ||
			    __atomic_load_n(&producer_stalled, __ATOMIC_RELAXED))
				goto drop;
			if (!deadline) {
				deadline = (uint64_t)ls_now() + 1000000000ull;
			} else if ((uint64_t)ls_now() > deadline) {
				__atomic_store_n(&producer_stalled, 1, __ATOMIC_RELAXED);
				goto drop;
			}
			sched_yield();
			pos = __atomic_load_n(&h->head, __ATOMIC_RELAXED);
		} else {
			/*
			 * Another producer took pos and head has moved on.  A
			 * slot ahead of a head that does not move cannot happen
			 * in the protocol: the file is corrupt.
			 */
			head = __atomic_load_n(&h->head, __ATOMIC_RELAXED);
			if (head == pos && ++stuck > 1000) {
				ring_switch_off("the ring's sequence numbers are corrupt");
				return;
			}
			pos = head;
		}
	}
	if (__atomic_load_n(&producer_stalled, __ATOMIC_RELAXED))
		__atomic_store_n(&producer_stalled, 0, __ATOMIC_RELAXED);
	s->ev.ts = (uint64_t)ls_now();
	s->ev.pid = producer_pid;
	s->ev.tid = (uint32_t)ls__gettid();
	s->ev.id = id;
	s->ev.flags = flags;
	s->ev.cpu = (uint32_t)sched_getcpu();
	s->ev.obj = obj;
	s->ev.goid = goid;
	memcpy(s->ev.args, args, sizeof(s->ev.args));
	__atomic_store_n(&s->seq, pos + 1, __ATOMIC_RELEASE);
	return;
drop:
	__atomic_add_fetch(&h->dropped, 1, __ATOMIC_RELAXED);
}

/*
 * LOCKSTEP_TRACE=shm:PATH - write events into the ring at PATH, which the
 * consumer created.  A missing or bad ring is reported once on stderr and
 * tracing stays off: the program itself must still run.
 */
void ls__ring_setup_from_env(void)
{
	const char *spec = getenv("LOCKSTEP_TRACE");
	int fd, err;

	if (!spec || !*spec)
		return;
	if (strncmp(spec, "shm:", 4) != 0 || !spec[4]) {
		ls__warn("LOCKSTEP_TRACE=%s: expected shm:PATH; tracing off", spec);
		return;
	}
	fd = open(spec + 4, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ls__warn("LOCKSTEP_TRACE: cannot open %s: %s; tracing off",
			 spec + 4, strerror(errno));
		return;
	}
	err = ring_validate(fd, &producer);
	if (!err)
		err = ring_map(&producer, fd, ring_bytes(producer.mask + 1),
			       PROT_READ | PROT_WRITE);
	close(fd);
	if (err) {
		ls__warn("LOCKSTEP_TRACE: %s is not a lockstep ring; tracing off",
			 spec + 4);
		producer.hdr = NULL;
		return;
	}
	producer_pid = (uint32_t)getpid();
	producer_blocks = producer.hdr->flags & LS_RING_BLOCK;
	__atomic_store_n(&producer.hdr->producer_pid, producer_pid, __ATOMIC_RELAXED);
	/* a forked child writes into the same ring, under its own pid */
	pthread_atfork(NULL, NULL, ring_atfork_child);
	__atomic_store_n(&producer_hdr, producer.hdr, __ATOMIC_RELEASE);
	__atomic_store_n(&ls_trace_ring_on, 1, __ATOMIC_RELEASE);
	/* one more listener: every probe site now calls its emission */
	__atomic_add_fetch(&ls_probe_semaphore, 1, __ATOMIC_RELEASE);
}
