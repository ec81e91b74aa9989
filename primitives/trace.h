/* SPDX-License-Identifier: MIT */
/*
 * trace.h (internal) - the one door through which primitives emit events.
 *
 *	LS_TRACE(probe, obj, a0, ...)		up to five arguments
 *	LS_TRACE_OBJ(probe, kind, o, a0, ...)	same, and announces o's name
 *						(OBJ_NAME) once per tracer
 *
 * Cost when nobody listens: one load and a predicted-not-taken branch.
 * Every probe's USDT semaphore (lockstep_<probe>_semaphore in its
 * .note.stapsdt entry) is an alias of ONE counter, ls_probe_semaphore: the
 * kernel adds one to it for every uprobe attached to any of our probes
 * (libbpf, bpftrace, perf), and the in-process ring adds one at start-up
 * when LOCKSTEP_TRACE=shm:PATH asks for it.  Non-zero means somebody
 * listens, and the out-of-line emission (ls__emit_<probe>, generated from
 * events.h) fires the probe and fills the ring as needed.  Sharing the
 * counter costs nothing when tracing is off and, when one probe is traced,
 * only makes the others run their (unattached, no-op) probe sites.
 *
 * Building with -DLS_NO_PROBES compiles every LS_TRACE out; the benchmarks
 * use it to show that a probe nobody listens to costs nothing measurable.
 */
#ifndef LS_PRIV_TRACE_H
#define LS_PRIV_TRACE_H

#include <stdint.h>
#include <lockstep/events.h>
#include <lockstep/sync.h>

#define LS_HIDDEN __attribute__((visibility("hidden")))

extern LS_HIDDEN int ls_trace_ring_on;

extern LS_HIDDEN volatile unsigned short ls_probe_semaphore;

#define LS__EMIT_DECL(ID, nm, ...)					\
	LS_HIDDEN void ls__emit_##nm(uint64_t obj, uint64_t a0, uint64_t a1,	\
				     uint64_t a2, uint64_t a3, uint64_t a4);
LS_EVENTS_USDT(LS__EMIT_DECL)
#undef LS__EMIT_DECL

LS_HIDDEN void ls__announce(const void *obj, enum ls_obj_kind kind,
			    struct ls_objname *on);

#define LS__U(x)	((uint64_t)(uintptr_t)(x))
#define LS__ARGS5(a0, a1, a2, a3, a4, ...) \
	LS__U(a0), LS__U(a1), LS__U(a2), LS__U(a3), LS__U(a4)

#ifdef LS_NO_PROBES
#define LS_TRACE_ON(nm)	0
#else
#define LS_TRACE_ON(nm)	__builtin_expect(ls_probe_semaphore, 0)
#endif

/*
 * Fast paths that fire several probes test once and emit from a cold,
 * out-of-line function: no call (hence no stack frame) on the path nobody
 * traces.
 */
#define LS_TRACE_ON2(a, b)	LS_TRACE_ON(a)
#define LS_COLD __attribute__((cold, noinline))

#define LS_TRACE(nm, obj, ...)						\
	do {								\
		if (LS_TRACE_ON(nm))					\
			ls__emit_##nm(LS__U(obj),			\
				LS__ARGS5(__VA_ARGS__ __VA_OPT__(,) 0, 0, 0, 0, 0)); \
	} while (0)

/* o must have a `struct ls_objname on` member. */
#define LS_TRACE_OBJ(nm, kind, o, ...)					\
	do {								\
		if (LS_TRACE_ON(nm)) {					\
			ls__announce((o), (kind), &(o)->on);		\
			ls__emit_##nm(LS__U(o),				\
				LS__ARGS5(__VA_ARGS__ __VA_OPT__(,) 0, 0, 0, 0, 0)); \
		}							\
	} while (0)

/* Producer side of the shared-memory ring (trace_ring.c). */
LS_HIDDEN void ls__ring_emit(uint16_t id, uint16_t flags, uint64_t obj,
			     uint64_t goid, const uint64_t args[LS_EVENT_NARGS]);
LS_HIDDEN void ls__ring_setup_from_env(void);

#endif /* LS_PRIV_TRACE_H */
