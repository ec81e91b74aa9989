/* SPDX-License-Identifier: MIT */
/*
 * events.h - the single event table of lockstep.
 *
 * Every state change a student can watch is declared exactly once, here, as
 * an entry of the LS_EVENTS X-macro.  Everything else is generated from it:
 *
 *   - the enum of event ids (LS_EV_*), which is also the BPF cookie;
 *   - one USDT probe per event (provider "lockstep", probe = the lower-case
 *     name), semaphore-gated, emitted by primitives/trace.c;
 *   - the in-process ring records (same struct ls_event);
 *   - the names and argument labels the UI and `lockstep trace` print;
 *   - docs/probes.md (build/tools/gen-probes-doc; a test fails if stale).
 *
 * This header is included by user space C and by the BPF programs
 * (the bpf/ programs, after vmlinux.h), so it uses only the kernel's __u* types and
 * no libc.
 *
 * Every USDT probe has the same seven arguments:
 *     (obj, goid, a0, a1, a2, a3, a4)
 * which land in struct ls_event as obj, goid and args[0..4].  An event with
 * LS_EVF_STR carries a string: a1 is a pointer in the probe, and the record
 * holds up to LS_EVENT_STRMAX-1 bytes of it, NUL-terminated, in args[1..4].
 *
 * Entry format:
 *   X(ID, probe_name, flags, "obj", "a0", "a1", "a2", "a3", "a4", "doc")
 * An empty label means the argument is unused (always 0).
 */
#ifndef LOCKSTEP_EVENTS_H
#define LOCKSTEP_EVENTS_H

#if !defined(__bpf__) && !defined(__BPF__) && !defined(__VMLINUX_H__)
#include <linux/types.h>
#endif

#define LS_EVENT_NARGS		5
#define LS_EVENT_STRMAX		32	/* bytes of args[1..4] */

/* Per-event definition flags (also carried in struct ls_event.flags). */
#define LS_EVF_STR	0x1	/* args[1..4] hold a NUL-terminated string */
#define LS_EVF_KERNEL	0x2	/* produced by a kernel tracepoint, not USDT */
#define LS_EVF_SYNTH	0x4	/* synthesised by the consumer (e.g. drops) */

/* Per-record flags, set by producers. */
#define LS_RECF_STRTRUNC 0x100	/* the string did not fit and was cut */

struct ls_event {
	__u64 ts;		/* CLOCK_MONOTONIC, ns */
	__u32 pid;		/* tgid */
	__u32 tid;		/* kernel thread id */
	__u16 id;		/* enum ls_event_id */
	__u16 flags;		/* LS_EVF_* of the definition | LS_RECF_* */
	__u32 cpu;
	__u64 obj;		/* object address (or goid, see the table) */
	__u64 goid;		/* goroutine that emitted it; 0 for kernel events */
	__u64 args[LS_EVENT_NARGS];
};

/*
 * Object kinds, carried by OBJ_NAME (a0) so that consumers know what an
 * address is before its first state change.
 */
#define LS_OBJ_KINDS(X)					\
	X(NONE,		"object")			\
	X(MUTEX,	"sync.Mutex")			\
	X(RWMUTEX,	"sync.RWMutex")			\
	X(WAITGROUP,	"sync.WaitGroup")		\
	X(COND,		"sync.Cond")			\
	X(ONCE,		"sync.Once")			\
	X(CHAN,		"chan")				\
	X(CTX,		"context")			\
	X(SEMAPHORE,	"semaphore.Weighted")		\
	X(SINGLEFLIGHT,	"singleflight.Group")		\
	X(ERRGROUP,	"errgroup.Group")		\
	X(BARRIER,	"CyclicBarrier")		\
	X(POOL,		"sync.Pool")			\
	X(MAP,		"sync.Map")			\
	X(BATCHER,	"Batcher")			\
	X(CHANMUTEX,	"ChanMutex")			\
	X(TASKPOOL,	"TaskPool")			\
	X(BROKER,	"Broker")			\
	X(CACHE,	"ExpiringCache")		\
	X(VAR,		"variable")

#define LS__OBJ_ENUM(id, str) LS_OBJ_##id,
enum ls_obj_kind { LS_OBJ_KINDS(LS__OBJ_ENUM) LS_OBJ__COUNT };
#undef LS__OBJ_ENUM

/*
 * Why a goroutine is parked, in Go's own words (runtime2.go waitReason and
 * the sync-specific reasons Go 1.20+ prints in goroutine dumps).
 */
#define LS_WAIT_REASONS(X)					\
	X(NONE,			"")				\
	X(MUTEX_LOCK,		"sync.Mutex.Lock")		\
	X(RW_RLOCK,		"sync.RWMutex.RLock")		\
	X(RW_LOCK,		"sync.RWMutex.Lock")		\
	X(WG_WAIT,		"sync.WaitGroup.Wait")		\
	X(COND_WAIT,		"sync.Cond.Wait")		\
	X(SEMACQUIRE,		"semacquire")			\
	X(CHAN_SEND,		"chan send")			\
	X(CHAN_RECV,		"chan receive")			\
	X(CHAN_SEND_NIL,	"chan send (nil chan)")		\
	X(CHAN_RECV_NIL,	"chan receive (nil chan)")	\
	X(SELECT,		"select")			\
	X(SELECT_NO_CASES,	"select (no cases)")		\
	X(SLEEP,		"sleep")

#define LS__WAIT_ENUM(id, str) LS_WAIT_##id,
enum ls_wait_reason { LS_WAIT_REASONS(LS__WAIT_ENUM) LS_WAIT__COUNT };
#undef LS__WAIT_ENUM

/* MUTEX_STATE a2: which step of the algorithm made the transition. */
enum ls_mutex_op {
	LS_MUTEX_OP_LOCK_FAST = 0,	/* CAS 0 -> locked */
	LS_MUTEX_OP_LOCK_SLOW,		/* CAS in lockSlow (acquire or enqueue) */
	LS_MUTEX_OP_SPIN_WOKEN,		/* a spinner set the woken bit */
	LS_MUTEX_OP_HANDOFF_TAKE,	/* starvation: waiter takes the handoff */
	LS_MUTEX_OP_UNLOCK,		/* state - locked */
	LS_MUTEX_OP_UNLOCK_WAKE,	/* unlockSlow: waiters-1 | woken */
	LS_MUTEX_OP_TRYLOCK,		/* TryLock CAS */
};

/* MUTEX_ACQUIRE a2 */
enum ls_acquire_how {
	LS_ACQ_FAST = 0, LS_ACQ_SLOW, LS_ACQ_HANDOFF, LS_ACQ_TRY,
};

/* CHAN_SEND / CHAN_RECV a0 */
enum ls_chan_how {
	LS_CHAN_BUFFERED = 0,	/* through the ring buffer */
	LS_CHAN_DIRECT,		/* straight to/from a parked peer */
	LS_CHAN_BUF_REFILL,	/* recv from a full buffer; parked sender refills */
	LS_CHAN_CLOSED,		/* recv on a closed, drained channel: zero value */
	LS_CHAN_WOKEN,		/* completed by a peer while this one was parked */
};

/* BATCH_DONE a2 */
enum ls_batch_why {
	LS_BATCH_ITEMS = 0, LS_BATCH_BYTES, LS_BATCH_TIME, LS_BATCH_FLUSH,
};

/* ATOMIC_OP a0 */
enum ls_atomic_op {
	LS_ATOMIC_LOAD = 0, LS_ATOMIC_STORE, LS_ATOMIC_ADD, LS_ATOMIC_CAS,
	LS_ATOMIC_SWAP,
};

#define LS_EVENTS_USDT(X)							\
/* runtime: goroutines */							\
X(GO_CREATE, go_create, LS_EVF_STR, "new goid", "parent goid", "name", "", "", "", \
  "ls_go created a goroutine (or a thread was registered on first use)")	\
X(GO_START, go_start, 0, "goid", "", "", "", "", "",				\
  "the new goroutine's thread starts running; this record's tid is its thread") \
X(GO_EXIT, go_exit, 0, "goid", "live goroutines after", "", "", "", "",	\
  "a goroutine's function returned")						\
X(GO_NAME, go_name, LS_EVF_STR, "goid", "", "name", "", "", "",		\
  "ls_set_name renamed the calling goroutine")					\
X(GO_PARK, go_park, 0, "object", "wait reason", "lifo", "queue address", "", "", \
  "the goroutine parks (gopark) waiting on obj; a0 is enum ls_wait_reason")	\
X(GO_READY, go_ready, 0, "object", "goid readied", "handoff", "", "", "",	\
  "the emitting goroutine makes a parked goroutine runnable (goready)")	\
X(GO_WAKE, go_wake, 0, "object", "wait reason", "ns parked", "", "", "",	\
  "a parked goroutine resumes running")						\
X(OBJ_NAME, obj_name, LS_EVF_STR, "object", "kind", "name", "", "", "",	\
  "names an object (a0 is enum ls_obj_kind) before or at its first event")	\
X(PANIC, panic, LS_EVF_STR, "", "0 fatal error, 1 panic", "message", "", "", "", \
  "the process dies Go-style (message, goroutine dump, exit 2)")		\
X(MAIN_EXIT, main_exit, 0, "", "exit status", "live goroutines", "parked goroutines", "", "", \
  "main returned or exit() was called; goroutines still parked have leaked") \
/* sync.Mutex */								\
X(MUTEX_STATE, mutex_state, 0, "mutex", "old state", "new state", "step (enum ls_mutex_op)", "", "", \
  "a successful CAS or atomic add on the mutex state word")			\
X(MUTEX_SPIN, mutex_spin, 0, "mutex", "iteration", "state", "", "", "",	\
  "one round of active spinning in lockSlow (30 PAUSEs)")			\
X(MUTEX_PARK, mutex_park, 0, "mutex", "lifo (re-queued at head)", "state", "ns waited so far", "", "", \
  "a waiter parks on the mutex semaphore")					\
X(MUTEX_WAKE, mutex_wake, 0, "mutex", "state", "ns waited so far", "starving", "", "", \
  "a waiter woke from the semaphore")						\
X(MUTEX_HANDOFF, mutex_handoff, 0, "mutex", "state", "", "", "", "",		\
  "Unlock in starvation mode hands the mutex to the head waiter")		\
X(MUTEX_STARVE, mutex_starve, 0, "mutex", "old state", "new state", "ns waited", "", "", \
  "the mutex enters starvation mode (a waiter waited more than 1 ms)")	\
X(MUTEX_NORMAL, mutex_normal, 0, "mutex", "old state", "new state", "why: 0 last waiter, 1 waited < 1 ms", "", "", \
  "the mutex leaves starvation mode")						\
X(MUTEX_ACQUIRE, mutex_acquire, 0, "mutex", "state", "ns waited", "how (enum ls_acquire_how)", "", "", \
  "the emitting goroutine now holds the mutex")				\
X(MUTEX_UNLOCK, mutex_unlock, 0, "mutex", "state after", "", "", "", "",	\
  "the emitting goroutine released the mutex")					\
X(MUTEX_TRYFAIL, mutex_tryfail, 0, "mutex", "state", "", "", "", "",		\
  "TryLock returned false")							\
/* sync.RWMutex */								\
X(RW_RLOCK, rw_rlock, 0, "rwmutex", "readerCount after", "must wait for writer", "", "", "", \
  "RLock added a reader; a negative count means a writer is pending")		\
X(RW_RACQUIRE, rw_racquire, 0, "rwmutex", "readerCount", "ns waited", "", "", "", \
  "a reader holds the read lock (at once, or after the writer released it)") \
X(RW_RUNLOCK, rw_runlock, 0, "rwmutex", "readerCount after", "readerWait after", "released the writer", "", "", \
  "RUnlock removed a reader")							\
X(RW_WLOCK, rw_wlock, 0, "rwmutex", "readerCount after", "readers still active", "readerWait after", "", "", \
  "a writer holds w and announced itself: readerCount -= 1<<30")		\
X(RW_WACQUIRE, rw_wacquire, 0, "rwmutex", "readerCount", "ns waited", "", "", "", \
  "the writer holds the RWMutex exclusively")					\
X(RW_UNLOCK, rw_unlock, 0, "rwmutex", "readerCount after", "readers woken", "", "", "", \
  "Unlock: readerCount += 1<<30 and the blocked readers are released")	\
X(RW_TRYFAIL, rw_tryfail, 0, "rwmutex", "0 TryLock, 1 TryRLock", "readerCount", "", "", "", \
  "TryLock or TryRLock returned false")						\
/* sync.WaitGroup */								\
X(WG_ADD, wg_add, 0, "waitgroup", "delta", "counter after", "waiters", "", "", \
  "Add or Done changed the counter")						\
X(WG_WAIT, wg_wait, 0, "waitgroup", "counter", "waiters after", "", "", "",	\
  "Wait found a non-zero counter and parks")					\
X(WG_RELEASE, wg_release, 0, "waitgroup", "waiters released", "", "", "", "", \
  "the counter reached zero: every waiter is released")			\
/* sync.Cond */									\
X(COND_WAIT, cond_wait, 0, "cond", "ticket", "notify (next to wake)", "", "", "", \
  "Wait took a ticket and will park until it is notified")			\
X(COND_SIGNAL, cond_signal, 0, "cond", "ticket notified (-1: none waiting)", "wait", "notify after", "", "", \
  "Signal notified the oldest ticket")						\
X(COND_BROADCAST, cond_broadcast, 0, "cond", "first ticket", "wait", "woken", "", "", \
  "Broadcast notified every ticket handed out so far")			\
X(COND_WAKE, cond_wake, 0, "cond", "ticket", "", "", "", "",			\
  "a Cond waiter returned from the notify list")				\
/* sync.Once */									\
X(ONCE_BEGIN, once_begin, 0, "once", "", "", "", "", "",			\
  "Do: this goroutine runs f")							\
X(ONCE_DONE, once_done, 0, "once", "", "", "", "", "",				\
  "f returned; done is set")							\
X(ONCE_SKIP, once_skip, 0, "once", "", "", "", "", "",				\
  "Do found done set and returned at once (ordered after ONCE_DONE)")	\
/* instrumented memory (race exercises) */					\
X(MEM_LOAD, mem_load, LS_EVF_STR, "address", "value", "name", "", "", "",	\
  "ls_load: a plain, racy read")						\
X(MEM_STORE, mem_store, LS_EVF_STR, "address", "value", "name", "", "", "",	\
  "ls_store: a plain, racy write")						\
X(ATOMIC_OP, atomic_op, 0, "address", "op (enum ls_atomic_op)", "old", "new", "", "", \
  "an atomic operation (synchronising for the race detector)")		\
/* channels and select */							\
X(CHAN_MAKE, chan_make, 0, "chan", "elem size", "cap", "", "", "",		\
  "ls_chan_make")								\
X(CHAN_SEND, chan_send, 0, "chan", "how (enum ls_chan_how)", "qcount after", "sendx", "recvx", "first 8 bytes", \
  "a send completed")								\
X(CHAN_RECV, chan_recv, 0, "chan", "how (enum ls_chan_how)", "qcount after", "sendx", "recvx", "first 8 bytes", \
  "a receive completed")							\
X(CHAN_PARK, chan_park, 0, "chan", "0 send, 1 recv", "qcount", "sendq length", "recvq length", "first 8 bytes", \
  "a sender or receiver parks on the channel's queue")			\
X(CHAN_CLOSE, chan_close, 0, "chan", "receivers woken", "senders woken", "qcount", "", "", \
  "close(c): every parked receiver and sender is woken")			\
X(CHAN_FREE, chan_free, 0, "chan", "", "", "", "", "",				\
  "ls_chan_free")								\
X(SELECT_BEGIN, select_begin, 0, "cases array", "ncases", "block", "non-nil cases", "", "", \
  "select starts (poll order is random)")					\
X(SELECT_ENQUEUE, select_enqueue, 0, "chan", "case index", "0 send, 1 recv", "", "", "", \
  "a blocked select queues on one of its channels")				\
X(SELECT_CHOSEN, select_chosen, 0, "chan", "case index (-1 default)", "0 send, 1 recv", "after parking", "", "", \
  "select picked a case")							\
/* context */									\
X(CTX_NEW, ctx_new, 0, "ctx", "parent", "kind: 0 background, 1 cancel, 2 timeout, 3 value", "deadline (ns)", "", "", \
  "a context was created")							\
X(CTX_CANCEL, ctx_cancel, 0, "ctx", "err (-ECANCELED or -ETIMEDOUT)", "children cancelled", "cause: parent ctx or 0", "", "", \
  "a context was cancelled (its done channel closed)")			\
/* x/sync */									\
X(SEM_ACQUIRE, sem_acquire, 0, "semaphore", "n", "cur after", "size", "waiters", "", \
  "Weighted.Acquire got n tokens")						\
X(SEM_WAIT, sem_wait, 0, "semaphore", "n", "cur", "size", "waiters after", "", \
  "Weighted.Acquire queued at the back")					\
X(SEM_RELEASE, sem_release, 0, "semaphore", "n", "cur after", "size", "waiters granted", "", \
  "Weighted.Release gave back n tokens")					\
X(SEM_CANCEL, sem_cancel, 0, "semaphore", "n", "err", "", "", "",		\
  "an Acquire gave up because its ctx was done")				\
X(SF_LEADER, sf_leader, LS_EVF_STR, "group", "", "key", "", "", "",		\
  "singleflight: this caller runs fn for key")					\
X(SF_DUP, sf_dup, LS_EVF_STR, "group", "dups", "key", "", "", "",		\
  "singleflight: a duplicate caller waits for the leader")			\
X(SF_DONE, sf_done, LS_EVF_STR, "group", "dups", "key", "", "", "",		\
  "singleflight: fn returned; its result is shared with the duplicates")	\
X(EG_GO, eg_go, 0, "errgroup", "active", "limit", "", "", "",			\
  "errgroup started a goroutine")						\
X(EG_DONE, eg_done, 0, "errgroup", "active", "err", "first error", "", "",	\
  "an errgroup goroutine returned")						\
X(BARRIER_AWAIT, barrier_await, 0, "barrier", "arrived", "parties", "generation", "", "", \
  "a party arrived at the barrier")						\
X(BARRIER_TRIP, barrier_trip, 0, "barrier", "generation", "parties", "", "", "", \
  "the last party arrived: the barrier trips and resets")			\
X(BARRIER_BROKEN, barrier_broken, 0, "barrier", "generation", "waiters", "", "", "", \
  "the barrier is broken (reset or a waiter's ctx was done)")			\
X(POOL_PUT, pool_put, 0, "pool", "where: 0 private, 1 shared", "", "", "", "", \
  "sync.Pool Put")								\
X(POOL_GET, pool_get, 0, "pool", "from: 0 private, 1 shared, 2 stolen, 3 victim, 4 New, 5 nil", "", "", "", "", \
  "sync.Pool Get")								\
X(POOL_GC, pool_gc, 0, "pool", "objects moved to victim", "victim objects dropped", "", "", "", \
  "ls_pool_gc: primary becomes victim, old victim is dropped")		\
X(MAP_OP, map_op, 0, "map", "op: 0 load, 1 store, 2 delete, 3 loadorstore, 4 range", "hit in read map", "misses", "dirty entries", "", \
  "a sync.Map operation")							\
X(MAP_PROMOTE, map_promote, 0, "map", "entries", "misses", "", "", "",	\
  "misses reached len(dirty): the dirty map becomes the read map")		\
/* seed patterns */								\
X(BATCH_PUT, batch_put, 0, "batcher", "items", "bytes", "", "", "",		\
  "Batcher.Put added an item to the current batch")				\
X(BATCH_DONE, batch_done, 0, "batcher", "items", "bytes", "why (enum ls_batch_why)", "", "", \
  "a batch completed")								\
X(BATCH_DISPOSE, batch_dispose, 0, "batcher", "", "", "", "", "",		\
  "Batcher.Dispose")								\
X(TASK_SUBMIT, task_submit, 0, "taskpool", "queued", "queue cap", "", "", "", \
  "a task was queued")								\
X(TASK_CLOSE, task_close, 0, "taskpool", "", "", "", "", "",			\
  "the task pool was closed")							\
X(BROKER_PUB, broker_pub, 0, "broker", "subscribers", "delivered", "failed (full)", "", "", \
  "the broker published a message")						\
X(BROKER_SUB, broker_sub, 0, "broker", "subscribers after", "capacity", "", "", "", \
  "a subscriber joined (a0 < 0: left)")						\
X(CACHE_SET, cache_set, LS_EVF_STR, "cache", "ttl (ns)", "key", "", "", "",	\
  "the expiring cache stored a key")						\
X(CACHE_EVICT, cache_evict, LS_EVF_STR, "cache", "0 lazy (get), 1 janitor, 2 delete", "key", "", "", "", \
  "the expiring cache evicted a key")

/* Events without a USDT probe: kernel tracepoints (bpf/) and the consumer. */
#define LS_EVENTS_OTHER(X)							\
X(SCHED_OFF, sched_off, LS_EVF_KERNEL, "", "1 blocked, 0 preempted", "prev_state", "", "", "", \
  "sched_switch: a thread of the traced process leaves the CPU")		\
X(SCHED_ON, sched_on, LS_EVF_KERNEL, "", "", "", "", "", "",			\
  "sched_switch: a thread of the traced process gets the CPU")		\
X(FUTEX_WAIT, futex_wait, LS_EVF_KERNEL, "futex address", "expected value", "", "", "", "", \
  "a thread enters futex(FUTEX_WAIT) and sleeps in the kernel")		\
X(FUTEX_WAIT_END, futex_wait_end, LS_EVF_KERNEL, "", "return value", "", "", "", "", \
  "futex(FUTEX_WAIT) returned")						\
X(FUTEX_WAKE, futex_wake, LS_EVF_KERNEL, "futex address", "nr to wake", "", "", "", "", \
  "a thread calls futex(FUTEX_WAKE)")						\
X(TRACE_LOST, trace_lost, LS_EVF_SYNTH, "", "records lost", "", "", "", "",	\
  "the consumer noticed dropped records (ring overflow)")

#define LS_EVENTS(X) LS_EVENTS_USDT(X) LS_EVENTS_OTHER(X)

#define LS__EV_ENUM(ID, name, fl, o, a0, a1, a2, a3, a4, doc) LS_EV_##ID,
enum ls_event_id {
	LS_EV_NONE = 0,
	LS_EVENTS(LS__EV_ENUM)
	LS_EV__COUNT
};
#undef LS__EV_ENUM

/* BPF cookie layout: event id in the low 16 bits, LS_EVF_* above. */
#define LS_COOKIE(id, flags)	((__u64)(id) | ((__u64)(flags) << 16))
#define LS_COOKIE_ID(c)		((__u16)((c) & 0xffff))
#define LS_COOKIE_FLAGS(c)	((__u16)(((c) >> 16) & 0xffff))

#endif /* LOCKSTEP_EVENTS_H */
