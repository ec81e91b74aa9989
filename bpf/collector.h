/* SPDX-License-Identifier: MIT */
/*
 * collector.h - the user side of the BPF transport.
 *
 * A collector owns one loaded copy of lockstep.bpf.c, filtered on one
 * process (tgid), and the links that attach it:
 *
 *	ls_collector_open()		load, filtered on pid
 *	ls_collector_attach_binary()	USDT probes of one ELF file
 *	ls_collector_attach_program()	a program about to be exec'd by pid:
 *					the executable and the shared objects it
 *					will load (from its interpreter's --list)
 *	ls_collector_attach_running()	a running process: /proc/PID/maps
 *	ls_collector_attach_kernel()	sched_switch and futex events
 *	ls_collector_poll()		deliver records to a callback
 *	ls_collector_destroy()		detach everything, unload
 *
 * To see a program from its first instruction, fork it stopped before exec
 * (see lab/transport.c), open and attach with its pid and path, then let it
 * exec: uprobes are keyed by file and filtered by process, so they fire in
 * the new image.
 */
#ifndef LS_BPF_COLLECTOR_H
#define LS_BPF_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <lockstep/events.h>

#define LS_COLLECTOR_RING_DEFAULT	(16u << 20)	/* bytes */

struct ls_collector;

/* Return non-zero to stop the current poll early. */
typedef int (*ls_collector_fn)(const struct ls_event *e, void *ctx);

/* Load the BPF programs filtered on pid.  ring_bytes 0: the default.
 * err (may be NULL) receives a one-line reason on failure. */
int	ls_collector_open(struct ls_collector **cp, pid_t pid, size_t ring_bytes,
			  char *err, size_t errlen);
/* Attach every lockstep USDT probe found in path; returns the number of
 * probes attached (0: the file has none) or -errno. */
int	ls_collector_attach_binary(struct ls_collector *c, const char *path);
/* The program at path, not yet exec'd by the collector's pid, and the shared
 * objects its interpreter would load.  Returns probes attached or -errno. */
int	ls_collector_attach_program(struct ls_collector *c, const char *path);
/* Every mapped file of the running process that carries lockstep probes. */
int	ls_collector_attach_running(struct ls_collector *c);
int	ls_collector_attach_kernel(struct ls_collector *c);
/* Wait up to timeout_ms for records and deliver them; returns the number
 * delivered or -errno (-EINTR when a signal arrived). */
int	ls_collector_poll(struct ls_collector *c, int timeout_ms,
			  ls_collector_fn fn, void *ctx);
/* Records the kernel side could not store (ring buffer full), all CPUs. */
uint64_t ls_collector_dropped(struct ls_collector *c);
/* IDs of our BPF programs (what -v prints, what doctor loaded). */
size_t	ls_collector_prog_ids(struct ls_collector *c, uint32_t *ids, size_t max);
void	ls_collector_destroy(struct ls_collector *c);

/* Route libbpf's messages to stderr (verbose) or drop them. */
void	ls_collector_set_verbose(bool verbose);

/*
 * The lockstep USDT probes (.note.stapsdt, provider "lockstep") of a
 * program and of the shared objects it loads.  Returns how many of our
 * events have a probe, summed over the files that have them (0: none), or
 * -errno (-ENOEXEC: path is not an ELF file); where (may be NULL) receives
 * the first file that has some.
 */
int	ls_program_probes(const char *path, char *where, size_t len);

#endif /* LS_BPF_COLLECTOR_H */
