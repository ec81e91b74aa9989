/* SPDX-License-Identifier: MIT */
/*
 * outfile.h - output files that a failed command leaves as they were.
 *
 * A command that fails half-way must not leave a half-written file behind,
 * nor destroy what was there before it ran (a user's earlier trace, or
 * /dev/null when run as root).  So:
 *   - a path that does not exist yet is created; on failure it is removed;
 *   - an existing regular file is not touched until the end: the output is
 *     written to a temporary file beside it, which replaces it (rename) on
 *     success and is removed on failure;
 *   - anything else that exists (a device, a FIFO) is written in place and
 *     never removed.
 */
#ifndef LS_LAB_OUTFILE_H
#define LS_LAB_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

struct ls_outfile {
	FILE		*f;
	const char	*path;
	char		*tmp;		/* the temporary file, or NULL */
	bool		created;	/* this run made path */
};

/* Open path for writing (binary, close-on-exec); NULL with errno. */
FILE	*ls_outfile_open(struct ls_outfile *o, const char *path);
/* After fclose(o->f) succeeded: put the output in place.  0 or -errno. */
int	 ls_outfile_commit(struct ls_outfile *o);
/* After a failure (o->f closed): leave things as they were before. */
void	 ls_outfile_discard(struct ls_outfile *o);

#endif /* LS_LAB_OUTFILE_H */
