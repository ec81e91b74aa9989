// SPDX-License-Identifier: MIT
/*
 * registry.c - read the metadata block of every exercise (see registry.h
 * for the format).
 *
 * The parser is strict on purpose: a student or an author who mistypes a
 * field name gets one line naming the file, the line and what was expected,
 * and the exercise is left out of the list instead of half-working.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "registry.h"

const char *const ls_ex_verdicts[] = {
	"deadlock", "leak", "potential-deadlock", "race", "panic", NULL,
};

const char *const ls_ex_goals[] = {
	"mutex-starving", "mutex-woken-spinner", "mutex-lifo-requeue",
	"rw-readercount-negative-2readers", "chan-sender-parks-full",
	"wg-waiters-2", "cond-broadcast-3", "pool-victim-hit", "map-promote",
	"sem-fifo-wait", NULL,
};

static const char *const kind_names[] = {
	[LS_EX_FIX] = "fix", [LS_EX_MAKE] = "make", [LS_EX_OBSERVE] = "observe",
};

static bool in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

bool ls_ex_is_verdict(const char *s)
{
	return s && in_list(ls_ex_verdicts, s);
}

bool ls_ex_is_goal(const char *s)
{
	return s && in_list(ls_ex_goals, s);
}

const char *ls_ex_kind_name(enum ls_ex_kind kind)
{
	if ((unsigned)kind >= sizeof(kind_names) / sizeof(kind_names[0]))
		return "?";
	return kind_names[kind];
}

/* ---- finding the tree ---- */

/*
 * A tree with exercise sources: the build's output tree has an exercises/
 * directory too, but of programs, so look for a source file.
 */
static bool has_exercises(const char *dir)
{
	char p[PATH_MAX];
	glob_t g;
	bool found;

	if (snprintf(p, sizeof(p), "%s/exercises/*/*.c", dir) >= (int)sizeof(p))
		return false;
	found = glob(p, GLOB_NOSORT, NULL, &g) == 0 && g.gl_pathc > 0;
	globfree(&g);
	return found;
}

static int copy_out(char *buf, size_t len, const char *s)
{
	if (strlen(s) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, s);
	return 0;
}

int ls_registry_find_root(char *buf, size_t len)
{
	const char *env = getenv("LOCKSTEP_ROOT");
	char exe[PATH_MAX], cwd[PATH_MAX];
	ssize_t n;

	if (env && *env)
		return has_exercises(env) ? copy_out(buf, len, env) : -ENOENT;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		for (char *slash = strrchr(exe, '/'); slash; slash = strrchr(exe, '/')) {
			*slash = '\0';
			if (!*exe)
				break;
			if (has_exercises(exe))
				return copy_out(buf, len, exe);
		}
	}
	if (getcwd(cwd, sizeof(cwd)) && has_exercises(cwd))
		return copy_out(buf, len, cwd);
	return -ENOENT;
}

/* ---- parsing one block ---- */

struct parser {
	const char	*path;
	int		lineno;
	char		*err;
	size_t		errlen;
	char		**last;		/* value a continuation line extends */
};

__attribute__((format(printf, 2, 3)))
static int perr(struct parser *p, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->err && p->errlen)
		snprintf(p->err, p->errlen, "%s:%d: %s", p->path, p->lineno, msg);
	return -EINVAL;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/*
 * The text of a comment line after its leading " *", or NULL if the line is
 * not a comment continuation line.
 */
static char *comment_body(char *line)
{
	while (*line == ' ' || *line == '\t')
		line++;
	if (*line != '*' || line[1] == '/')
		return NULL;
	line++;
	if (*line == ' ')
		line++;
	return line;
}

static int append(struct parser *p, char **dst, const char *more)
{
	size_t a = strlen(*dst), b = strlen(more);
	char *s = realloc(*dst, a + b + 2);

	if (!s)
		return perr(p, "out of memory");
	s[a] = ' ';
	memcpy(s + a + 1, more, b + 1);
	*dst = s;
	return 0;
}

static int set_once(struct parser *p, char **dst, const char *key,
		    const char *val)
{
	if (*dst)
		return perr(p, "field '%s' given twice", key);
	*dst = strdup(val);
	if (!*dst)
		return perr(p, "out of memory");
	p->last = dst;
	return 0;
}

static int field(struct parser *p, struct ls_exercise *ex, char **kind,
		 const char *key, const char *val)
{
	static const struct {
		const char	*key;
		size_t		off;
	} simple[] = {
		{ "id",		offsetof(struct ls_exercise, id) },
		{ "chapter",	offsetof(struct ls_exercise, chapter) },
		{ "lesson",	offsetof(struct ls_exercise, lesson) },
		{ "title",	offsetof(struct ls_exercise, title) },
		{ "verdict",	offsetof(struct ls_exercise, verdict) },
		{ "goal",	offsetof(struct ls_exercise, goal) },
		{ "achieve",	offsetof(struct ls_exercise, achieve) },
		{ "origin",	offsetof(struct ls_exercise, origin) },
	};

	if (!*val)
		return perr(p, "field '%s' has no value", key);
	if (!strcmp(key, "kind"))
		return set_once(p, kind, key, val);
	if (!strcmp(key, "hint")) {
		if (ex->nr_hints == LS_EX_MAX_HINTS)
			return perr(p, "more than %d hints", LS_EX_MAX_HINTS);
		ex->hints[ex->nr_hints] = NULL;
		return set_once(p, &ex->hints[ex->nr_hints++], key, val);
	}
	for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
		if (!strcmp(key, simple[i].key)) {
			if (!strcmp(key, "id"))
				ex->id_line = p->lineno;
			return set_once(p, (char **)((char *)ex + simple[i].off),
					key, val);
		}
	}
	return perr(p, "unknown field '%s' (expected id, chapter, lesson, title, "
		    "kind, verdict, goal, achieve, hint or origin)", key);
}

/* One line inside the block: "key: value", a continuation, or blank. */
static int block_line(struct parser *p, struct ls_exercise *ex, char **kind,
		      char *line)
{
	char *body = comment_body(line), *colon, *key;

	if (!body)
		return perr(p, "expected a ' * key: value' line inside the block");
	if (!*trim(body)) {
		p->last = NULL;
		return 0;
	}
	if (body[0] == '\t' || (body[0] == ' ' && body[1] == ' ')) {
		if (!p->last)
			return perr(p, "indented line does not continue a field");
		return append(p, p->last, trim(body));
	}
	colon = strchr(body, ':');
	if (!colon || colon == body)
		return perr(p, "expected 'key: value', got '%.40s'", trim(body));
	*colon = '\0';
	key = body;
	for (char *c = key; *c; c++)
		if (!islower((unsigned char)*c) && *c != '-')
			return perr(p, "expected 'key: value', got '%.40s'", trim(body));
	return field(p, ex, kind, key, trim(colon + 1));
}

static int check_block(struct parser *p, struct ls_exercise *ex, char *kind)
{
	static const char *const required[] = {
		"id", "chapter", "lesson", "title", "kind", "achieve",
	};
	const char *have[] = { ex->id, ex->chapter, ex->lesson, ex->title, kind,
			       ex->achieve };

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!have[i])
			return perr(p, "missing field '%s'", required[i]);
	if (!strcmp(kind, "fix"))
		ex->kind = LS_EX_FIX;
	else if (!strcmp(kind, "make"))
		ex->kind = LS_EX_MAKE;
	else if (!strcmp(kind, "observe"))
		ex->kind = LS_EX_OBSERVE;
	else
		return perr(p, "kind '%s' is not fix, make or observe", kind);

	if (ex->kind == LS_EX_FIX) {
		if (!ex->verdict)
			return perr(p, "kind fix needs a 'verdict' (deadlock, leak, "
				    "potential-deadlock, race or panic)");
		if (!ls_ex_is_verdict(ex->verdict))
			return perr(p, "unknown verdict '%s' (deadlock, leak, "
				    "potential-deadlock, race or panic)", ex->verdict);
		if (ex->goal)
			return perr(p, "kind fix takes a verdict, not a goal");
	} else {
		if (!ex->goal)
			return perr(p, "kind %s needs a 'goal'", kind);
		if (!ls_ex_is_goal(ex->goal))
			return perr(p, "unknown goal '%s'", ex->goal);
		if (ex->verdict)
			return perr(p, "kind %s takes a goal, not a verdict", kind);
	}
	if (ex->nr_hints < 1)
		return perr(p, "at least one 'hint' is needed");
	if (!strcmp(ex->chapter, "realworld") && !ex->origin)
		return perr(p, "a real-world bug needs an 'origin'");
	return 0;
}

int ls_exercise_parse(const char *path, struct ls_exercise *ex, char *err,
		      size_t errlen)
{
	struct parser p = { .path = path, .err = err, .errlen = errlen };
	char *line = NULL, *kind = NULL;
	size_t cap = 0;
	bool in_block = false, done = false;
	FILE *f;
	int ret = 0;

	memset(ex, 0, sizeof(*ex));
	f = fopen(path, "r");
	if (!f) {
		ret = -errno;
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	while (!done && getline(&line, &cap, f) > 0) {
		char *body;

		p.lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (!in_block) {
			body = comment_body(line);
			if (body && !strcmp(trim(body), LS_EX_MARKER)) {
				in_block = true;
				ex->line = p.lineno;
			}
			continue;
		}
		if (strstr(line, "*/")) {
			done = true;
			if (strcmp(trim(line), "*/"))
				ret = perr(&p, "the block must end with a line "
					   "holding only '*/'");
			break;
		}
		ret = block_line(&p, ex, &kind, line);
		if (ret)
			break;
	}
	if (!ret && !in_block) {
		p.lineno = 1;
		ret = perr(&p, "no '%s' block (it must be a comment at the top of "
			   "the file)", LS_EX_MARKER);
	} else if (!ret && !done) {
		ret = perr(&p, "the '%s' block is not closed", LS_EX_MARKER);
	} else if (!ret) {
		ret = check_block(&p, ex, kind);
	}
	free(line);
	free(kind);
	fclose(f);
	if (!ret) {
		ex->path = strdup(path);
		if (!ex->path)
			ret = perr(&p, "out of memory");
	}
	if (ret)
		ls_exercise_release(ex);
	return ret;
}

void ls_exercise_release(struct ls_exercise *ex)
{
	free(ex->id);
	free(ex->chapter);
	free(ex->lesson);
	free(ex->title);
	free(ex->verdict);
	free(ex->goal);
	free(ex->achieve);
	for (int i = 0; i < ex->nr_hints; i++)
		free(ex->hints[i]);
	free(ex->origin);
	free(ex->path);
	free(ex->solution);
	memset(ex, 0, sizeof(*ex));
}

/* ---- the whole tree ---- */

static int names_sorted(const char *dir, bool want_dirs, char ***out, size_t *nr)
{
	struct dirent **ents;
	char **v;
	size_t k = 0;
	int n;

	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0)
		return -errno;
	v = calloc((size_t)n + 1, sizeof(*v));
	for (int i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		char p[PATH_MAX];
		struct stat st;
		size_t l = strlen(nm);

		if (v && nm[0] != '.' &&
		    snprintf(p, sizeof(p), "%s/%s", dir, nm) < (int)sizeof(p) &&
		    stat(p, &st) == 0) {
			if (want_dirs ? S_ISDIR(st.st_mode) :
			    (S_ISREG(st.st_mode) && l > 2 && !strcmp(nm + l - 2, ".c")))
				v[k++] = strdup(nm);
		}
		free(ents[i]);
	}
	free(ents);
	if (!v)
		return -ENOMEM;
	*out = v;
	*nr = k;
	return 0;
}

static void free_names(char **v, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(v[i]);
	free(v);
}

static int add_file(struct ls_registry *reg, const char *chdir_name,
		    const char *file, FILE *errs)
{
	struct ls_exercise ex, *v;
	char path[PATH_MAX], id[PATH_MAX], err[512];
	size_t l = strlen(file) - 2;

	snprintf(path, sizeof(path), "%s/exercises/%s/%s", reg->root, chdir_name, file);
	snprintf(id, sizeof(id), "%s/%.*s", chdir_name, (int)l, file);
	if (ls_exercise_parse(path, &ex, err, sizeof(err))) {
		if (errs)
			fprintf(errs, "%s\n", err);
		reg->nr_errors++;
		return 0;
	}
	if (strcmp(ex.id, id)) {
		if (errs)
			fprintf(errs, "%s:%d: id '%s' does not match the file's "
				"path (expected '%s')\n", path, ex.id_line, ex.id, id);
		reg->nr_errors++;
		ls_exercise_release(&ex);
		return 0;
	}
	if (asprintf(&ex.solution, "%s/solutions/%s.c", reg->root, id) < 0) {
		ex.solution = NULL;
		ls_exercise_release(&ex);
		return -ENOMEM;
	}
	v = realloc(reg->ex, (reg->nr + 1) * sizeof(*v));
	if (!v) {
		ls_exercise_release(&ex);
		return -ENOMEM;
	}
	reg->ex = v;
	reg->ex[reg->nr++] = ex;
	return 0;
}

int ls_registry_load(struct ls_registry *reg, const char *root, FILE *errs)
{
	char dir[PATH_MAX];
	char **chapters = NULL;
	size_t nr_chapters = 0;
	int ret;

	memset(reg, 0, sizeof(*reg));
	reg->root = strdup(root);
	if (!reg->root)
		return -ENOMEM;
	snprintf(dir, sizeof(dir), "%s/exercises", root);
	ret = names_sorted(dir, true, &chapters, &nr_chapters);
	if (ret)
		goto out_free;

	for (size_t c = 0; c < nr_chapters && !ret; c++) {
		char sub[PATH_MAX];
		char **files = NULL;
		size_t nr_files = 0;

		if (snprintf(sub, sizeof(sub), "%s/%s", dir, chapters[c]) >=
		    (int)sizeof(sub))
			continue;
		ret = names_sorted(sub, false, &files, &nr_files);
		for (size_t f = 0; f < nr_files && !ret; f++)
			ret = add_file(reg, chapters[c], files[f], errs);
		free_names(files, nr_files);
	}
	free_names(chapters, nr_chapters);
	if (!ret)
		return 0;
out_free:
	ls_registry_free(reg);
	return ret;
}

void ls_registry_free(struct ls_registry *reg)
{
	for (size_t i = 0; i < reg->nr; i++)
		ls_exercise_release(&reg->ex[i]);
	free(reg->ex);
	free(reg->root);
	memset(reg, 0, sizeof(*reg));
}

const struct ls_exercise *ls_registry_lookup(const struct ls_registry *reg,
					     const char *name, char *err,
					     size_t errlen)
{
	const struct ls_exercise *found = NULL;
	size_t l = strlen(name);
	int matches = 0;

	/* Accept "exercises/<id>.c" too, as a shell completes it. */
	if (!strncmp(name, "exercises/", 10))
		name += 10, l -= 10;
	if (l > 2 && !strcmp(name + l - 2, ".c"))
		l -= 2;

	for (size_t i = 0; i < reg->nr; i++) {
		const char *id = reg->ex[i].id, *slash = strchr(id, '/');

		if (strlen(id) == l && !strncmp(id, name, l))
			return &reg->ex[i];
		if (slash && strlen(slash + 1) == l && !strncmp(slash + 1, name, l)) {
			found = &reg->ex[i];
			matches++;
		}
	}
	if (matches == 1)
		return found;
	if (err && errlen) {
		if (matches > 1)
			snprintf(err, errlen, "'%.*s' is ambiguous: give the full "
				 "id (see 'lockstep list')", (int)l, name);
		else
			snprintf(err, errlen, "no exercise '%.*s' (see 'lockstep "
				 "list')", (int)l, name);
	}
	return NULL;
}

int ls_exercise_binary(const struct ls_exercise *ex, const char *build_dir,
		       bool solution, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s/%s", build_dir,
			 solution ? "solutions" : "exercises", ex->id);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}
