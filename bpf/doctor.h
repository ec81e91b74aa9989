/* SPDX-License-Identifier: MIT */
/*
 * doctor.h - can this machine trace with BPF?  One check per thing the BPF
 * transport needs, each with a one-line verdict and, when it fails, the fix.
 *
 * The checks read the machine through a root directory that defaults to "/";
 * LOCKSTEP_DOCTOR_ROOT=DIR points them at a fake system tree instead, which
 * is how the tests make each check fail on a machine where all pass.
 */
#ifndef LS_BPF_DOCTOR_H
#define LS_BPF_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>

enum ls_check_status {
	LS_CHECK_OK,
	LS_CHECK_WARN,		/* not needed by lockstep itself */
	LS_CHECK_FAIL,
	LS_CHECK_SKIP,		/* not applicable (e.g. no --target) */
};

struct ls_check {
	enum ls_check_status status;
	const char *name;	/* "BTF", "uprobes", ... */
	char detail[640];	/* what was found */
	char fix[256];		/* what to do; empty when ok */
};

#define LS_DOCTOR_MAX_CHECKS	8

/*
 * Run every check; target (may be NULL) is a program that should carry
 * lockstep probes.  Fills up to max entries of out; returns how many.
 */
size_t	ls_doctor_run(const char *target, struct ls_check *out, size_t max);
const char *ls_check_status_str(enum ls_check_status s);	/* "ok", "FAIL" */

/*
 * The quick part of the doctor, for --transport auto: privileges, pid
 * namespace, BTF and uprobes.  False with a short reason when BPF cannot
 * work here (the caller still has to load the programs to be sure).
 */
bool	ls_bpf_permitted(char *reason, size_t len);

#endif /* LS_BPF_DOCTOR_H */
