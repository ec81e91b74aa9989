/* SPDX-License-Identifier: MIT */
/*
 * registry.h - the exercise registry: every exercises/<chapter>/<name>.c
 * with its metadata block, as `lockstep list`, `hint`, `run` and `check`
 * see it.
 *
 * The block sits at the top of each exercise (and the same block at the top
 * of its solution):
 *
 *	/\*
 *	 * lockstep-exercise
 *	 * id:       03-mutex-pitfalls/abba
 *	 * chapter:  03
 *	 * lesson:   03-mutex-pitfalls
 *	 * title:    Two locks taken in opposite orders
 *	 * kind:     fix
 *	 * verdict:  deadlock
 *	 * achieve:  Make both transfers finish without changing what they do.
 *	 * hint:     Draw who holds what when each goroutine blocks.
 *	 * hint:     A global order for acquiring locks breaks every cycle.
 *	 * origin:   moby#36114 (GoBench GoKer)
 *	 *\/
 *
 * One "key: value" per line; a line indented by two or more spaces (or a
 * tab) after the "* " continues the previous value.  The block ends at the first line
 * that contains the comment terminator.  Fields:
 *
 *	id        <chapter-dir>/<name>, equal to the file's path
 *	chapter   "01".."18", "seeds" or "realworld"
 *	lesson    the lesson directory it belongs to ("03-mutex-pitfalls")
 *	title     one line
 *	kind      fix | make | observe
 *	verdict   kind fix only: what the unfixed program shows
 *	goal      kind make/observe only: a goal checked on the event stream
 *	achieve   the goal in one sentence
 *	hint      1 to 3, revealed one at a time by `lockstep hint`
 *	origin    the project and issue (required in realworld/)
 */
#ifndef LS_LAB_REGISTRY_H
#define LS_LAB_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define LS_EX_MARKER		"lockstep-exercise"
#define LS_EX_MAX_HINTS		3

enum ls_ex_kind {
	LS_EX_FIX = 0,
	LS_EX_MAKE,
	LS_EX_OBSERVE,
};

struct ls_exercise {
	char		*id;		/* "03-mutex-pitfalls/abba" */
	char		*chapter;	/* "03", "seeds", "realworld" */
	char		*lesson;
	char		*title;
	enum ls_ex_kind	kind;
	char		*verdict;	/* kind fix; NULL otherwise */
	char		*goal;		/* kind make/observe; NULL otherwise */
	char		*achieve;
	char		*hints[LS_EX_MAX_HINTS];
	int		nr_hints;
	char		*origin;	/* NULL unless given */
	char		*path;		/* the exercise source file */
	char		*solution;	/* <root>/solutions/<id>.c (may not exist) */
	int		line;		/* line of the marker in path */
	int		id_line;	/* line of the id field */
};

struct ls_registry {
	char			*root;	/* directory holding exercises/ */
	struct ls_exercise	*ex;	/* sorted by id */
	size_t			nr;
	int			nr_errors;	/* files that failed to parse */
};

/* Verdicts a fix exercise may declare, and goals make/observe may name. */
extern const char *const ls_ex_verdicts[];
extern const char *const ls_ex_goals[];
bool ls_ex_is_verdict(const char *s);
bool ls_ex_is_goal(const char *s);
const char *ls_ex_kind_name(enum ls_ex_kind kind);

/*
 * Find the tree that holds exercises/: $LOCKSTEP_ROOT if set, else the
 * nearest ancestor of the running binary's directory that has one (so
 * build/lockstep and build/<dir>/lockstep both find <repo>), else the
 * current directory if it has one.  "Has one" means that some
 * exercises/<dir>/<name>.c exists, so the build's output tree (which has
 * an exercises/ directory of programs) is skipped.  0 or -ENOENT.
 */
int ls_registry_find_root(char *buf, size_t len);

/*
 * Parse one file's block into ex.  0, or -EINVAL with "path:line: message"
 * in err (one line), or -errno if the file cannot be read.
 */
int ls_exercise_parse(const char *path, struct ls_exercise *ex, char *err,
		      size_t errlen);
void ls_exercise_release(struct ls_exercise *ex);

/*
 * Scan <root>/exercises/<dir>/<name>.c.  Each file that fails to parse or
 * whose id does not match its path gets one line on errs (if not NULL) and
 * is left out; reg->nr_errors counts them.  Returns 0, or -errno when the
 * directory cannot be read at all.
 */
int ls_registry_load(struct ls_registry *reg, const char *root, FILE *errs);
void ls_registry_free(struct ls_registry *reg);

/*
 * Look an exercise up by id ("03-mutex-pitfalls/abba"), or by its name
 * alone ("abba") when that is unambiguous.  NULL with a message in err.
 */
const struct ls_exercise *ls_registry_lookup(const struct ls_registry *reg,
					     const char *name, char *err,
					     size_t errlen);

/* Where the build puts an exercise's program: <build>/exercises/<id>. */
int ls_exercise_binary(const struct ls_exercise *ex, const char *build_dir,
		       bool solution, char *buf, size_t len);

#endif /* LS_LAB_REGISTRY_H */
