// SPDX-License-Identifier: MIT
/*
 * cmd_hint.c - `lockstep hint EXERCISE [--all | --reset]`: reveal an
 * exercise's hints one at a time.
 *
 * Progress is remembered per exercise in $XDG_STATE_HOME/lockstep/hints
 * (~/.local/state/lockstep/hints when XDG_STATE_HOME is unset), one
 * "<id> <hints shown>" line each, rewritten atomically (temporary file,
 * then rename) so two terminals cannot leave it half-written.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "registry.h"

static const char hint_usage[] =
	"usage: lockstep hint EXERCISE [--all]\n"
	"       lockstep hint [EXERCISE] --reset\n"
	"\n"
	"Show the next hint for EXERCISE (an id from 'lockstep list', or just its\n"
	"name when that is unambiguous).  Each call reveals one more; progress is\n"
	"kept in $XDG_STATE_HOME/lockstep/hints (default ~/.local/state).\n"
	"\n"
	"  --all       show every hint at once\n"
	"  --reset     forget the progress for EXERCISE (for every exercise\n"
	"              when none is given)\n"
	"  -h, --help  this text\n";

#define MAX_ENTRIES	1024

struct progress {
	char	*id[MAX_ENTRIES];
	int	shown[MAX_ENTRIES];
	int	nr;
};

static int state_path(char *buf, size_t len, char *dir, size_t dirlen)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	int n;

	if (xdg && xdg[0] == '/') {
		n = snprintf(dir, dirlen, "%s/lockstep", xdg);
	} else {
		if (!home || !*home) {
			struct passwd *pw = getpwuid(getuid());

			home = pw ? pw->pw_dir : NULL;
		}
		if (!home)
			return -ENOENT;
		n = snprintf(dir, dirlen, "%s/.local/state/lockstep", home);
	}
	if (n < 0 || (size_t)n >= dirlen)
		return -ENAMETOOLONG;
	n = snprintf(buf, len, "%s/hints", dir);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int mkdir_p(const char *dir)
{
	char p[PATH_MAX];

	if (strlen(dir) >= sizeof(p))
		return -ENAMETOOLONG;
	strcpy(p, dir);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

static void progress_load(struct progress *pr, const char *path)
{
	char id[512];
	int shown;
	FILE *f = fopen(path, "r");

	pr->nr = 0;
	if (!f)
		return;
	while (pr->nr < MAX_ENTRIES && fscanf(f, "%511s %d", id, &shown) == 2) {
		pr->id[pr->nr] = strdup(id);
		if (!pr->id[pr->nr])
			break;
		pr->shown[pr->nr++] = shown;
	}
	fclose(f);
}

static int progress_save(const struct progress *pr, const char *path,
			 const char *dir)
{
	char tmp[PATH_MAX + 16];
	FILE *f;
	int ret = mkdir_p(dir);

	if (ret)
		return ret;
	snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	for (int i = 0; i < pr->nr; i++)
		if (pr->id[i])
			fprintf(f, "%s %d\n", pr->id[i], pr->shown[i]);
	if (fclose(f) || rename(tmp, path)) {
		ret = -errno;
		unlink(tmp);
	}
	return ret;
}

static void progress_free(struct progress *pr)
{
	for (int i = 0; i < pr->nr; i++)
		free(pr->id[i]);
	pr->nr = 0;
}

static int *progress_slot(struct progress *pr, const char *id, bool create)
{
	for (int i = 0; i < pr->nr; i++)
		if (pr->id[i] && !strcmp(pr->id[i], id))
			return &pr->shown[i];
	if (!create || pr->nr == MAX_ENTRIES)
		return NULL;
	pr->id[pr->nr] = strdup(id);
	if (!pr->id[pr->nr])
		return NULL;
	pr->shown[pr->nr] = 0;
	return &pr->shown[pr->nr++];
}

/* Print "label text", wrapping text at 78 columns under itself. */
static void wrapped(const char *label, const char *text)
{
	int indent = (int)strlen(label), col = indent;
	const char *w = text;

	fputs(label, stdout);
	while (*w) {
		int l = (int)strcspn(w, " ");

		if (col > indent && col + 1 + l > 78) {
			printf("\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			putchar(' ');
			col++;
		}
		printf("%.*s", l, w);
		col += l;
		w += l;
		while (*w == ' ')
			w++;
	}
	putchar('\n');
}

static void show(const struct ls_exercise *ex, int i)
{
	char label[32];

	snprintf(label, sizeof(label), "hint %d/%d: ", i + 1, ex->nr_hints);
	wrapped(label, ex->hints[i]);
}

static int reset(struct progress *pr, const char *id)
{
	int *slot;

	if (!id) {
		progress_free(pr);
		printf("hint progress reset for every exercise\n");
		return 0;
	}
	slot = progress_slot(pr, id, false);
	if (slot)
		*slot = 0;
	printf("hint progress reset for %s\n", id);
	return 0;
}

static int reveal(struct progress *pr, const struct ls_exercise *ex, bool all)
{
	int *slot = progress_slot(pr, ex->id, true);
	int shown;

	if (!slot)
		return -ENOMEM;
	shown = *slot < 0 ? 0 : *slot;
	printf("%s: %s\n", ex->id, ex->title);
	wrapped("task: ", ex->achieve);
	if (all || shown >= ex->nr_hints) {
		if (!all)
			printf("(all %d hints already shown)\n", ex->nr_hints);
		for (int i = 0; i < ex->nr_hints; i++)
			show(ex, i);
		*slot = ex->nr_hints;
		return 0;
	}
	show(ex, shown);
	*slot = shown + 1;
	if (*slot < ex->nr_hints)
		printf("(run 'lockstep hint %s' again for the next one)\n", ex->id);
	else
		printf("(that was the last hint; the fixed program is in "
		       "solutions/%s.c)\n", ex->id);
	return 0;
}

int cmd_hint(int argc, char **argv)
{
	const struct ls_exercise *ex = NULL;
	const char *name = NULL;
	struct ls_registry reg;
	struct progress pr;
	char root[PATH_MAX], path[PATH_MAX], dir[PATH_MAX], err[256];
	bool all = false, do_reset = false;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--all")) {
			all = true;
		} else if (!strcmp(argv[i], "--reset")) {
			do_reset = true;
		} else if (ls_is_help(argv[i])) {
			fputs(hint_usage, stdout);
			return 0;
		} else if (argv[i][0] == '-' || name) {
			return ls_usage_error("hint", "unexpected argument '%s'", argv[i]);
		} else {
			name = argv[i];
		}
	}
	if (!name && !do_reset)
		return ls_usage_error("hint", "which exercise? (see 'lockstep list')");
	if (all && do_reset)
		return ls_usage_error("hint", "--all and --reset do not go together");
	if (state_path(path, sizeof(path), dir, sizeof(dir))) {
		ls_error("cannot tell where to keep hint progress: set HOME or "
			 "XDG_STATE_HOME");
		return 1;
	}

	if (name) {
		if (ls_registry_find_root(root, sizeof(root))) {
			ls_error("no exercises/ directory found: set LOCKSTEP_ROOT "
				 "to the lockstep source tree");
			return 1;
		}
		ret = ls_registry_load(&reg, root, NULL);
		if (ret) {
			ls_error("cannot read %s/exercises: %s", root, strerror(-ret));
			return 1;
		}
		ex = ls_registry_lookup(&reg, name, err, sizeof(err));
		if (!ex) {
			/* a usage error, as for run and check */
			ls_error("%s", err);
			ls_registry_free(&reg);
			return LS_EXIT_USAGE;
		}
	}

	progress_load(&pr, path);
	ret = do_reset ? reset(&pr, ex ? ex->id : NULL) : reveal(&pr, ex, all);
	if (!ret)
		ret = progress_save(&pr, path, dir);
	if (ret)
		ls_error("cannot save hint progress in %s: %s", path, strerror(-ret));
	progress_free(&pr);
	if (name)
		ls_registry_free(&reg);
	return ret ? 1 : 0;
}
