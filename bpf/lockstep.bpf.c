// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * lockstep.bpf.c - the kernel side of the BPF transport.
 *
 * Four programs turn what one traced process does into struct ls_event
 * records (include/lockstep/events.h) in one BPF ring buffer:
 *
 *   lockstep_usdt    one generic USDT program, attached by the collector to
 *                    every "lockstep" probe of the target.  The BPF cookie of
 *                    each attachment is LS_COOKIE(event id, event flags), so
 *                    a single program serves the whole event table.  Every
 *                    probe has seven arguments (obj, goid, a0..a4); for
 *                    LS_EVF_STR events a1 is a pointer to a string that is
 *                    copied into args[1..4].
 *   lockstep_sched   sched_switch: SCHED_OFF when a thread of the target
 *                    leaves a CPU (blocked or preempted), SCHED_ON when one
 *                    gets a CPU.
 *   lockstep_fx_in   raw sys_enter: FUTEX_WAIT and FUTEX_WAKE of the target.
 *   lockstep_fx_out  raw sys_exit: FUTEX_WAIT_END for a thread that entered
 *                    a futex wait.
 *
 * The futex programs hook the raw syscall tracepoints (tp_btf, found through
 * BTF) rather than tracepoint/syscalls/sys_enter_futex so that nothing here
 * needs tracefs: the syscall tracepoints are built on top of the raw ones
 * anyway, and the first thing each program does is the tgid test.
 *
 * A record that does not fit in the ring buffer is counted in the per-CPU
 * array ls_drops; the collector turns the count into a TRACE_LOST event, so a
 * loss is never silent.
 *
 * Records are submitted without waking the reader, which polls on a short
 * timeout instead; only a ring more than 1/8 full wakes it at once.  Waking
 * it per record would perturb what we watch: on a small machine the woken
 * reader preempts the traced thread, which is itself a sched_switch event,
 * which wakes the reader again, and the program crawls.
 */
#include "vmlinux.h"

/* Room for the specs of every probe in a program and in liblockstep.so. */
#define BPF_USDT_MAX_SPEC_CNT 512

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/usdt.bpf.h>

#include <lockstep/events.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* Set by the collector before loading: the process (tgid) being traced. */
const volatile __u32 target_tgid = 0;

/* Resized by the collector (bpf_map__set_max_entries) before loading. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} ls_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} ls_drops SEC(".maps");

/* Threads of the target inside futex(FUTEX_WAIT): tid -> futex address. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} ls_futex_waits SEC(".maps");

/* Not in BTF: #defines of the uapi headers. */
#define LS_FUTEX_WAIT		0
#define LS_FUTEX_WAKE		1
#define LS_FUTEX_WAIT_BITSET	9
#define LS_FUTEX_WAKE_BITSET	10
#define LS_FUTEX_CMD_MASK	0x7f	/* op without PRIVATE and CLOCK_REALTIME */

#if defined(__TARGET_ARCH_x86)
#define LS_NR_FUTEX	202
#elif defined(__TARGET_ARCH_arm64)
#define LS_NR_FUTEX	98
#else
#error "lockstep.bpf.c: add __NR_futex for this architecture"
#endif

#define LS_TASK_RUNNING	0

/* Kernels before 5.14 call task_struct's state field "state". */
struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));

static __always_inline bool is_target(__u32 tgid)
{
	return target_tgid && tgid == target_tgid;
}

static __always_inline void count_drop(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&ls_drops, &zero);

	if (n)
		__sync_fetch_and_add(n, 1);
}

static __always_inline void ev_submit(struct ls_event *e)
{
	__u64 avail = bpf_ringbuf_query(&ls_events, BPF_RB_AVAIL_DATA);
	__u64 size = bpf_ringbuf_query(&ls_events, BPF_RB_RING_SIZE);

	bpf_ringbuf_submit(e, avail > size / 8 ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

/*
 * Reserve and pre-fill a record.  Reserved ring memory is not zeroed, and
 * user space treats every record as untrusted input, so clear it all.
 */
static __always_inline struct ls_event *ev_reserve(__u16 id, __u16 flags,
						   __u32 tgid, __u32 tid)
{
	struct ls_event *e = bpf_ringbuf_reserve(&ls_events, sizeof(*e), 0);

	if (!e) {
		count_drop();
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts = bpf_ktime_get_ns();
	e->pid = tgid;
	e->tid = tid;
	e->id = id;
	e->flags = flags;
	e->cpu = bpf_get_smp_processor_id();
	return e;
}

/*
 * Copy the string argument of an LS_EVF_STR event into args[1..4].  The read
 * stops at LS_EVENT_STRMAX - 1 bytes plus the NUL; when it used the whole
 * room, one more byte tells a 31-byte string from a longer, cut one.
 */
static __always_inline void copy_str(struct ls_event *e, long uptr)
{
	char *dst = (char *)&e->args[1];
	long n;
	char c = 0;

	if (!uptr)
		return;
	n = bpf_probe_read_user_str(dst, LS_EVENT_STRMAX, (const void *)uptr);
	if (n < 0) {
		dst[0] = '\0';
		return;
	}
	if (n == LS_EVENT_STRMAX &&
	    !bpf_probe_read_user(&c, 1, (const char *)uptr + LS_EVENT_STRMAX - 1) && c)
		e->flags |= LS_RECF_STRTRUNC;
}

SEC("usdt")
int lockstep_usdt(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	long cookie = bpf_usdt_cookie(ctx);
	__u16 id = LS_COOKIE_ID(cookie);
	__u16 flags = LS_COOKIE_FLAGS(cookie);
	long v[2 + LS_EVENT_NARGS] = {};
	struct ls_event *e;

	if (!is_target(pid_tgid >> 32))
		return 0;
	if (id == LS_EV_NONE || id >= LS_EV__COUNT)
		return 0;
	for (int i = 0; i < 2 + LS_EVENT_NARGS; i++)
		if (bpf_usdt_arg(ctx, i, &v[i]))
			v[i] = 0;

	e = ev_reserve(id, flags, pid_tgid >> 32, (__u32)pid_tgid);
	if (!e)
		return 0;
	e->obj = v[0];
	e->goid = v[1];
	e->args[0] = v[2];
	if (flags & LS_EVF_STR) {
		copy_str(e, v[3]);
	} else {
		e->args[1] = v[3];
		e->args[2] = v[4];
		e->args[3] = v[5];
		e->args[4] = v[6];
	}
	ev_submit(e);
	return 0;
}

static __always_inline long task_state(struct task_struct *t)
{
	struct task_struct___pre514 *old = (void *)t;

	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ(old, state);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(lockstep_sched, bool preempt, struct task_struct *prev,
	     struct task_struct *next)
{
	__u32 prev_tgid = BPF_CORE_READ(prev, tgid);
	__u32 next_tgid = BPF_CORE_READ(next, tgid);
	struct ls_event *e;

	if (is_target(prev_tgid)) {
		long state = task_state(prev);

		e = ev_reserve(LS_EV_SCHED_OFF, LS_EVF_KERNEL, prev_tgid,
			       BPF_CORE_READ(prev, pid));
		if (e) {
			/* A preempted task may already have set a sleep state. */
			e->args[0] = !preempt && state != LS_TASK_RUNNING;
			e->args[1] = state;
			ev_submit(e);
		}
	}
	if (is_target(next_tgid)) {
		e = ev_reserve(LS_EV_SCHED_ON, LS_EVF_KERNEL, next_tgid,
			       BPF_CORE_READ(next, pid));
		if (e)
			ev_submit(e);
	}
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(lockstep_fx_in, struct pt_regs *regs, long nr)
{
	__u64 pid_tgid;
	__u64 uaddr;
	struct ls_event *e;
	__u32 tid;
	int op;

	if (nr != LS_NR_FUTEX)
		return 0;
	pid_tgid = bpf_get_current_pid_tgid();
	if (!is_target(pid_tgid >> 32))
		return 0;
	tid = (__u32)pid_tgid;
	uaddr = PT_REGS_PARM1_CORE_SYSCALL(regs);
	op = (int)PT_REGS_PARM2_CORE_SYSCALL(regs) & LS_FUTEX_CMD_MASK;

	if (op == LS_FUTEX_WAIT || op == LS_FUTEX_WAIT_BITSET) {
		bpf_map_update_elem(&ls_futex_waits, &tid, &uaddr, BPF_ANY);
		e = ev_reserve(LS_EV_FUTEX_WAIT, LS_EVF_KERNEL, pid_tgid >> 32, tid);
	} else if (op == LS_FUTEX_WAKE || op == LS_FUTEX_WAKE_BITSET) {
		e = ev_reserve(LS_EV_FUTEX_WAKE, LS_EVF_KERNEL, pid_tgid >> 32, tid);
	} else {
		return 0;
	}
	if (!e)
		return 0;
	e->obj = uaddr;
	e->args[0] = (__u32)PT_REGS_PARM3_CORE_SYSCALL(regs);
	ev_submit(e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(lockstep_fx_out, struct pt_regs *regs, long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct ls_event *e;
	__u32 tid;

	if (!is_target(pid_tgid >> 32))
		return 0;
	tid = (__u32)pid_tgid;
	/* Only a thread that entered a futex wait has an entry. */
	if (!bpf_map_lookup_elem(&ls_futex_waits, &tid))
		return 0;
	bpf_map_delete_elem(&ls_futex_waits, &tid);
	e = ev_reserve(LS_EV_FUTEX_WAIT_END, LS_EVF_KERNEL, pid_tgid >> 32, tid);
	if (!e)
		return 0;
	e->args[0] = ret;
	ev_submit(e);
	return 0;
}
