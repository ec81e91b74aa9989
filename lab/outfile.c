// SPDX-License-Identifier: MIT
/*
 * outfile.c - output files that a failed command leaves as they were (see
 * outfile.h for the rules).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"

/* An existing regular file: write beside it, keep its mode. */
static FILE *open_beside(struct ls_outfile *o, const struct stat *st)
{
	size_t len = strlen(o->path) + sizeof(".XXXXXX");
	int fd, err;

	o->tmp = malloc(len);
	if (!o->tmp)
		return NULL;
	snprintf(o->tmp, len, "%s.XXXXXX", o->path);
	fd = mkostemp(o->tmp, O_CLOEXEC);
	if (fd < 0)
		goto out_free;
	if (fchmod(fd, st->st_mode & 07777) || !(o->f = fdopen(fd, "wb"))) {
		err = errno;
		close(fd);
		unlink(o->tmp);
		errno = err;
		goto out_free;
	}
	return o->f;
out_free:
	err = errno;
	free(o->tmp);
	o->tmp = NULL;
	errno = err;
	return NULL;
}

FILE *ls_outfile_open(struct ls_outfile *o, const char *path)
{
	struct stat st;
	int fd;

	memset(o, 0, sizeof(*o));
	o->path = path;
	if (!stat(path, &st)) {
		if (S_ISREG(st.st_mode))
			return open_beside(o, &st);
		/* a device or a FIFO: in place, and never removed */
		return o->f = fopen(path, "wbe");
	}
	if (errno != ENOENT)
		return NULL;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return NULL;
	o->created = true;
	o->f = fdopen(fd, "wb");
	if (!o->f) {
		int err = errno;

		close(fd);
		unlink(path);
		errno = err;
	}
	return o->f;
}

int ls_outfile_commit(struct ls_outfile *o)
{
	int ret = 0;

	if (o->tmp) {
		if (rename(o->tmp, o->path)) {
			ret = -errno;
			unlink(o->tmp);
		}
		free(o->tmp);
		o->tmp = NULL;
	}
	o->created = false;
	return ret;
}

void ls_outfile_discard(struct ls_outfile *o)
{
	struct stat st;

	if (o->tmp) {
		unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
	} else if (o->created && !lstat(o->path, &st) && S_ISREG(st.st_mode)) {
		unlink(o->path);
	}
	o->created = false;
}
