// SPDX-License-Identifier: MIT
/*
 * trace.c - probe emission, generated from the event table.
 *
 * For every USDT event of include/lockstep/events.h this file defines:
 *   - the USDT semaphore lockstep_<probe>_semaphore, an alias of the one
 *     shared counter ls_probe_semaphore in section .probes (sys/sdt.h with
 *     _SDT_HAS_SEMAPHORES records its address in the .note.stapsdt entry;
 *     the kernel increments it while a uprobe is attached, which is what
 *     switches emission on; see trace.h for why the counter is shared);
 *   - ls__emit_<probe>(), the out-of-line body behind LS_TRACE: it fires the
 *     USDT probe (seven arguments: obj, goid, a0..a4) when a uprobe is
 *     attached, and writes a record into the in-process ring when that is on.
 *
 * It also holds the run-time view of the table (names, docs, labels) that
 * consumers use through <lockstep/trace.h>.
 */
#define _GNU_SOURCE
#define _SDT_HAS_SEMAPHORES 1
#include <string.h>
#include <sys/sdt.h>

#include <lockstep/trace.h>
#include "trace.h"
#include "runtime/runtime.h"

int ls_trace_ring_on;

volatile unsigned short ls_probe_semaphore
	__attribute__((section(".probes"), used));

#define LS__SEM_DEF(ID, nm, ...)					\
	extern volatile unsigned short lockstep_##nm##_semaphore	\
		__attribute__((alias("ls_probe_semaphore"), used));
LS_EVENTS_USDT(LS__SEM_DEF)
#undef LS__SEM_DEF

/*
 * For string events a1 is a pointer: the probe passes it as is (the BPF side
 * copies the string with bpf_probe_read_user_str), the ring copies it here.
 */
static void ring_emit(uint16_t id, uint16_t flags, uint64_t obj, uint64_t goid,
		      uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		      uint64_t a4)
{
	uint64_t args[LS_EVENT_NARGS] = { a0, a1, a2, a3, a4 };

	if (flags & LS_EVF_STR) {
		const char *s = (const char *)(uintptr_t)a1;
		char *dst = (char *)&args[1];
		size_t len = s ? strlen(s) : 0;

		memset(&args[1], 0, LS_EVENT_STRMAX);
		if (len >= LS_EVENT_STRMAX) {
			len = LS_EVENT_STRMAX - 1;
			flags |= LS_RECF_STRTRUNC;
		}
		if (len)
			memcpy(dst, s, len);
	}
	ls__ring_emit(id, flags, obj, goid, args);
}

/*
 * The BPF side copies a string argument with bpf_probe_read_user_str, which
 * cannot fault a page in: a name in a page the program has not touched yet
 * (a string literal in .rodata, say) would arrive empty.  Reading the bytes
 * here first brings the page in.
 */
static void prefault_str(uint64_t p)
{
	const volatile char *s = (const volatile char *)(uintptr_t)p;

	for (int i = 0; s && i < LS_EVENT_STRMAX && s[i]; i++)
		;
}

#define LS__EMIT_DEF(ID, nm, fl, ...)					\
void ls__emit_##nm(uint64_t obj, uint64_t a0, uint64_t a1, uint64_t a2,	\
		   uint64_t a3, uint64_t a4)				\
{									\
	uint64_t goid = (uint64_t)ls_goid();				\
									\
	if ((fl) & LS_EVF_STR)						\
		prefault_str(a1);					\
	/* a no-op unless a uprobe is attached at this very site */	\
	STAP_PROBE7(lockstep, nm, obj, goid, a0, a1, a2, a3, a4);	\
	if (ls_trace_ring_on)						\
		ring_emit(LS_EV_##ID, (fl), obj, goid, a0, a1, a2, a3, a4); \
}
LS_EVENTS_USDT(LS__EMIT_DEF)
#undef LS__EMIT_DEF

/*
 * Names travel once per tracer.  A tracer that attaches later (bpf by PID)
 * raises the probe semaphore; noticing that change starts a new epoch so
 * that every object announces itself again on its next event.
 */
static uint32_t trace_epoch = 1;
static unsigned short last_name_sem;

void ls__announce(const void *obj, enum ls_obj_kind kind, struct ls_objname *on)
{
	unsigned short sem = ls_probe_semaphore;
	uint32_t epoch;

	if (sem != __atomic_load_n(&last_name_sem, __ATOMIC_RELAXED)) {
		__atomic_store_n(&last_name_sem, sem, __ATOMIC_RELAXED);
		__atomic_add_fetch(&trace_epoch, 1, __ATOMIC_RELAXED);
	}
	epoch = __atomic_load_n(&trace_epoch, __ATOMIC_RELAXED);
	if (__atomic_load_n(&on->announced, __ATOMIC_RELAXED) == epoch)
		return;
	__atomic_store_n(&on->announced, epoch, __ATOMIC_RELAXED);
	ls__emit_obj_name(LS__U(obj), kind, LS__U(on->name ? on->name : ""),
			  0, 0, 0);
}

/* ---- the table at run time ---- */

struct ev_meta {
	const char *name, *doc, *obj, *args[LS_EVENT_NARGS];
	unsigned flags;
};

#define LS__META(ID, nm, fl, o, x0, x1, x2, x3, x4, d)			\
	[LS_EV_##ID] = { #nm, d, o, { x0, x1, x2, x3, x4 }, fl },
static const struct ev_meta ev_meta[LS_EV__COUNT] = {
	LS_EVENTS(LS__META)
};
#undef LS__META

static const struct ev_meta *meta(unsigned id)
{
	if (id == LS_EV_NONE || id >= LS_EV__COUNT)
		return NULL;
	return &ev_meta[id];
}

const char *ls_event_name(unsigned id)
{
	return meta(id) ? meta(id)->name : "?";
}

const char *ls_event_doc(unsigned id)
{
	return meta(id) ? meta(id)->doc : "";
}

const char *ls_event_obj_label(unsigned id)
{
	return meta(id) ? meta(id)->obj : "";
}

const char *ls_event_arg_label(unsigned id, unsigned k)
{
	if (!meta(id) || k >= LS_EVENT_NARGS)
		return "";
	return meta(id)->args[k];
}

unsigned ls_event_def_flags(unsigned id)
{
	return meta(id) ? meta(id)->flags : 0;
}

int ls_event_by_name(const char *name)
{
	for (unsigned id = 1; id < LS_EV__COUNT; id++)
		if (!strcmp(ev_meta[id].name, name))
			return (int)id;
	return -1;
}

#define LS__WAIT_STR(id, str) [LS_WAIT_##id] = str,
static const char *const wait_str[LS_WAIT__COUNT] = { LS_WAIT_REASONS(LS__WAIT_STR) };
#undef LS__WAIT_STR

const char *ls_wait_reason_str(unsigned reason)
{
	return reason < LS_WAIT__COUNT ? wait_str[reason] : "?";
}

#define LS__KIND_STR(id, str) [LS_OBJ_##id] = str,
static const char *const kind_str[LS_OBJ__COUNT] = { LS_OBJ_KINDS(LS__KIND_STR) };
#undef LS__KIND_STR

const char *ls_obj_kind_str(unsigned kind)
{
	return kind < LS_OBJ__COUNT ? kind_str[kind] : "object";
}

void ls_event_str(const struct ls_event *e, char *buf, size_t n)
{
	size_t len;

	if (!n)
		return;
	len = strnlen((const char *)&e->args[1], LS_EVENT_STRMAX);
	if (len >= n)
		len = n - 1;
	memcpy(buf, &e->args[1], len);
	buf[len] = '\0';
}
