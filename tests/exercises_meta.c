// SPDX-License-Identifier: MIT
/*
 * exercises_meta.c - every exercise is well formed, and the registry, `lockstep
 * list` and `lockstep hint` read them right.
 *
 *  - every exercises/<chapter>/<name>.c parses, its id is its path, ids are
 *    unique, it has 1 to 3 hints, a verdict from the table (kind fix) or a
 *    known goal (kinds make and observe);
 *  - every exercise has a solution at the same path under solutions/, with
 *    the same metadata block;
 *  - the catalogue of EXERCISES.md is covered: each chapter has at least its
 *    listed exercises, the twelve real-world bugs are all there, and every
 *    goal is used by some exercise;
 *  - a malformed block is rejected with one line naming the file and line;
 *  - `lockstep list --json` lists every exercise; `lockstep hint` reveals
 *    the hints one at a time, remembers where it is, and resets.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "lab/registry.h"

int cmd_list(int argc, char **argv);
int cmd_hint(int argc, char **argv);

#define BUFLEN	(2 * PATH_MAX)

static char root[PATH_MAX];

/* Load the tree's registry; every parse error goes to the test log. */
static void load(struct ls_registry *reg)
{
	char *errs = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&errs, &len);

	ASSERT_NOT_NULL(f);
	ASSERT_EQ(0, ls_registry_find_root(root, sizeof(root)));
	ASSERT_EQ(0, ls_registry_load(reg, root, f));
	fclose(f);
	if (reg->nr_errors)
		TH_LOG("%s", errs);
	free(errs);
	ASSERT_EQ(0, reg->nr_errors);
}

static int count_in(const struct ls_registry *reg, const char *chapter_dir)
{
	size_t l = strlen(chapter_dir);
	int n = 0;

	for (size_t i = 0; i < reg->nr; i++)
		if (!strncmp(reg->ex[i].id, chapter_dir, l) && reg->ex[i].id[l] == '/')
			n++;
	return n;
}

static bool same(const char *a, const char *b)
{
	return a && b ? !strcmp(a, b) : a == b;
}

TEST(every_exercise_parses)
{
	struct ls_registry reg;

	load(&reg);
	TH_LOG("%zu exercises under %s/exercises", reg.nr, root);
	ASSERT_LE(45, reg.nr);
	ls_registry_free(&reg);
}

TEST(ids_are_unique_and_match_paths)
{
	struct ls_registry reg;

	load(&reg);
	for (size_t i = 0; i < reg.nr; i++) {
		char want[BUFLEN];

		snprintf(want, sizeof(want), "%s/exercises/%s.c", root, reg.ex[i].id);
		EXPECT_STREQ(want, reg.ex[i].path);
		for (size_t j = i + 1; j < reg.nr; j++)
			EXPECT_STRNE(reg.ex[i].id, reg.ex[j].id);
	}
	ls_registry_free(&reg);
}

TEST(hints_verdicts_and_goals)
{
	struct ls_registry reg;

	load(&reg);
	for (size_t i = 0; i < reg.nr; i++) {
		const struct ls_exercise *ex = &reg.ex[i];

		EXPECT_LE(1, ex->nr_hints);
		EXPECT_GE(3, ex->nr_hints);
		if (ex->kind == LS_EX_FIX) {
			EXPECT_TRUE(ls_ex_is_verdict(ex->verdict));
			EXPECT_NULL(ex->goal);
		} else {
			EXPECT_TRUE(ls_ex_is_goal(ex->goal));
			EXPECT_NULL(ex->verdict);
		}
		EXPECT_NE(0, (int)strlen(ex->achieve));
		EXPECT_NE(0, (int)strlen(ex->title));
	}
	ls_registry_free(&reg);
}

/* chapter "03" lives in 03-<topic>/; lesson names a numbered chapter dir. */
TEST(chapters_and_lessons_match_directories)
{
	struct ls_registry reg;

	load(&reg);
	for (size_t i = 0; i < reg.nr; i++) {
		const struct ls_exercise *ex = &reg.ex[i];
		char dir[PATH_MAX], lesson[BUFLEN];
		struct stat st;

		snprintf(dir, sizeof(dir), "%.*s", (int)strcspn(ex->id, "/"), ex->id);
		if (!strcmp(dir, "seeds") || !strcmp(dir, "realworld")) {
			EXPECT_STREQ(dir, ex->chapter);
		} else {
			char want[3] = { dir[0], dir[1], '\0' };

			EXPECT_STREQ(want, ex->chapter);
			EXPECT_EQ('-', dir[2]);
		}
		snprintf(lesson, sizeof(lesson), "%s/exercises/%s", root, ex->lesson);
		EXPECT_EQ(0, stat(lesson, &st));
		EXPECT_TRUE(ex->lesson[0] >= '0' && ex->lesson[0] <= '9');
		if (!strcmp(dir, "realworld"))
			EXPECT_NOT_NULL(ex->origin);
	}
	ls_registry_free(&reg);
}

TEST(every_exercise_has_a_solution_with_the_same_block)
{
	struct ls_registry reg;

	load(&reg);
	for (size_t i = 0; i < reg.nr; i++) {
		const struct ls_exercise *ex = &reg.ex[i];
		struct ls_exercise sol;
		char err[512];

		if (access(ex->solution, R_OK)) {
			TH_LOG("%s: no solution at %s", ex->id, ex->solution);
			EXPECT_EQ(0, -1);
			continue;
		}
		if (ls_exercise_parse(ex->solution, &sol, err, sizeof(err))) {
			TH_LOG("%s", err);
			EXPECT_EQ(0, -1);
			continue;
		}
		EXPECT_STREQ(ex->id, sol.id);
		EXPECT_STREQ(ex->chapter, sol.chapter);
		EXPECT_STREQ(ex->lesson, sol.lesson);
		EXPECT_STREQ(ex->title, sol.title);
		EXPECT_EQ(ex->kind, sol.kind);
		EXPECT_TRUE(same(ex->verdict, sol.verdict));
		EXPECT_TRUE(same(ex->goal, sol.goal));
		EXPECT_STREQ(ex->achieve, sol.achieve);
		EXPECT_EQ(ex->nr_hints, sol.nr_hints);
		for (int h = 0; h < ex->nr_hints && h < sol.nr_hints; h++)
			EXPECT_STREQ(ex->hints[h], sol.hints[h]);
		EXPECT_TRUE(same(ex->origin, sol.origin));
		ls_exercise_release(&sol);
	}
	ls_registry_free(&reg);
}

/* The minimum catalogue of EXERCISES.md, per chapter directory. */
static const struct {
	const char	*dir;
	int		min;
} catalogue[] = {
	{ "01-mutex", 2 },		{ "02-mutex-internals", 3 },
	{ "03-mutex-pitfalls", 6 },	{ "04-mutex-extensions", 3 },
	{ "05-rwmutex", 4 },		{ "06-waitgroup", 3 },
	{ "07-cond", 3 },		{ "08-once", 2 },
	{ "09-map", 2 },		{ "10-pool", 2 },
	{ "11-context", 2 },		{ "12-atomic", 2 },
	{ "13-channel", 5 },		{ "14-channel-patterns", 4 },
	{ "15-memory-model", 1 },	{ "16-semaphore", 3 },
	{ "17-singleflight-barrier", 2 }, { "18-errgroup", 2 },
	{ "seeds", 5 },			{ "realworld", 12 },
};

static const char *const realworld[] = {
	"moby-36114", "cockroach-584", "moby-17176", "kubernetes-62464",
	"cockroach-10214", "moby-25384", "kubernetes-5316", "kubernetes-10182",
	"moby-29733", "cockroach-18101", "grpc-1687", "moby-27037",
};

TEST(catalogue_is_covered)
{
	struct ls_registry reg;
	char err[256];

	load(&reg);
	for (size_t c = 0; c < sizeof(catalogue) / sizeof(catalogue[0]); c++) {
		int n = count_in(&reg, catalogue[c].dir);

		if (n < catalogue[c].min)
			TH_LOG("%s: %d exercises, catalogue wants %d",
			       catalogue[c].dir, n, catalogue[c].min);
		EXPECT_LE(catalogue[c].min, n);
	}
	for (size_t r = 0; r < sizeof(realworld) / sizeof(realworld[0]); r++) {
		char id[64];

		snprintf(id, sizeof(id), "realworld/%s", realworld[r]);
		EXPECT_NOT_NULL(ls_registry_lookup(&reg, id, err, sizeof(err)));
	}
	ls_registry_free(&reg);
}

TEST(every_goal_is_used)
{
	struct ls_registry reg;

	load(&reg);
	for (const char *const *g = ls_ex_goals; *g; g++) {
		int n = 0;

		for (size_t i = 0; i < reg.nr; i++)
			n += reg.ex[i].goal && !strcmp(reg.ex[i].goal, *g);
		if (!n)
			TH_LOG("goal %s is used by no exercise", *g);
		EXPECT_LE(1, n);
	}
	ls_registry_free(&reg);
}

/* ---- the parser on bad input ---- */

static char tmpdir[PATH_MAX];

static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/exercises_meta.XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(tmpdir));
}

static void rm_rf(const char *dir)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		TH_LOG("could not remove %s", dir);
}

/* Write body to <tmpdir>/name and parse it; return the parser's status. */
static int parse_text(const char *name, const char *body, char *err, size_t len)
{
	struct ls_exercise ex;
	char path[BUFLEN];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	ASSERT_NOT_NULL(f);
	fputs(body, f);
	fclose(f);
	ret = ls_exercise_parse(path, &ex, err, len);
	if (!ret)
		ls_exercise_release(&ex);
	return ret;
}

#define HEAD	"/*\n * lockstep-exercise\n * id:       01-mutex/x\n"	\
		" * chapter:  01\n * lesson:   01-mutex\n * title:    T\n"
#define TAIL	" * achieve:  A.\n * hint:     H.\n */\nint main(void) { return 0; }\n"

TEST(malformed_blocks_name_file_and_line)
{
	static const struct {
		const char	*body;
		int		line;
		const char	*says;
	} cases[] = {
		{ HEAD " * kind:     fix\n * verdict:  race\n * hnit:     x\n" TAIL,
		  9, "unknown field 'hnit'" },
		{ HEAD " * kind:     fix\n" TAIL, 10, "needs a 'verdict'" },
		{ HEAD " * kind:     fix\n * verdict:  hang\n" TAIL, 11, "unknown verdict 'hang'" },
		{ HEAD " * kind:     make\n * goal:     fast\n" TAIL, 11, "unknown goal 'fast'" },
		{ HEAD " * kind:     fix\n * verdict:  race\n * goal:     map-promote\n" TAIL,
		  12, "takes a verdict, not a goal" },
		{ HEAD " * kind:     fixit\n" TAIL, 10, "is not fix, make or observe" },
		{ HEAD " * kind:     fix\n * verdict:  race\n * hint: a\n * hint: b\n"
		  " * hint: c\n" TAIL, 13, "more than 3 hints" },
		{ HEAD " * kind:     fix\n * kind:     fix\n" TAIL, 8, "given twice" },
		{ HEAD " * kind:     fix\n * verdict:  race\n * achieve:  A.\n",
		  9, "not closed" },
		{ "int x;\n", 1, "no 'lockstep-exercise' block" },
		{ HEAD " * kind:     fix\n * verdict:  race\nint y;\n" TAIL, 9,
		  "expected a ' * key: value' line" },
		{ "/*\n * lockstep-exercise\n * id:       realworld/x\n"
		  " * chapter:  realworld\n * lesson:   03-mutex-pitfalls\n"
		  " * title:    T\n * kind:     fix\n * verdict:  race\n" TAIL,
		  11, "needs an 'origin'" },
	};

	make_tmpdir();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[32], err[512], where[BUFLEN];

		snprintf(name, sizeof(name), "case%zu.c", i);
		err[0] = '\0';
		EXPECT_NE(0, parse_text(name, cases[i].body, err, sizeof(err)));
		snprintf(where, sizeof(where), "%s/%s:%d: ", tmpdir, name, cases[i].line);
		EXPECT_CONTAINS(err, where);
		EXPECT_CONTAINS(err, cases[i].says);
		EXPECT_NULL(strchr(err, '\n'));
	}
	rm_rf(tmpdir);
}

TEST(continuation_lines_join_values)
{
	char err[512] = "";
	struct ls_exercise ex;
	char path[BUFLEN];

	make_tmpdir();
	ASSERT_EQ(0, parse_text("ok.c", HEAD " * kind:     make\n * goal:     map-promote\n"
				" * achieve:  First line\n *           and the second.\n"
				" * hint:     One.\n * hint:     Two,\n *           continued.\n"
				" */\n", err, sizeof(err)));
	snprintf(path, sizeof(path), "%s/ok.c", tmpdir);
	ASSERT_EQ(0, ls_exercise_parse(path, &ex, err, sizeof(err)));
	EXPECT_STREQ("First line and the second.", ex.achieve);
	EXPECT_EQ(2, ex.nr_hints);
	EXPECT_STREQ("Two, continued.", ex.hints[1]);
	EXPECT_EQ(LS_EX_MAKE, ex.kind);
	EXPECT_STREQ("map-promote", ex.goal);
	ls_exercise_release(&ex);
	rm_rf(tmpdir);
}

/* ---- list and hint, as the lockstep command runs them ---- */

/* Run cmd with stdout in a file; return its status and the output. */
static int capture(int (*cmd)(int, char **), char **argv, char **out)
{
	char path[BUFLEN];
	int argc = 0, fd, saved, ret;
	FILE *f;
	long n;

	while (argv[argc])
		argc++;
	snprintf(path, sizeof(path), "%s/out", tmpdir);
	fflush(stdout);
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	saved = dup(STDOUT_FILENO);
	dup2(fd, STDOUT_FILENO);
	close(fd);
	ret = cmd(argc, argv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);

	f = fopen(path, "r");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	*out = calloc(1, (size_t)n + 1);
	if (fread(*out, 1, (size_t)n, f) != (size_t)n)
		(*out)[0] = '\0';
	fclose(f);
	return ret;
}

static int occurrences(const char *s, const char *needle)
{
	int n = 0;

	for (; (s = strstr(s, needle)); s += strlen(needle))
		n++;
	return n;
}

TEST(list_json_lists_every_exercise)
{
	struct ls_registry reg;
	char *out, *argv[] = { "list", "--json", NULL };

	load(&reg);
	make_tmpdir();
	setenv("LOCKSTEP_ROOT", root, 1);
	ASSERT_EQ(0, capture(cmd_list, argv, &out));
	EXPECT_EQ('[', out[0]);
	EXPECT_EQ((int)reg.nr, occurrences(out, "\"id\": "));
	EXPECT_EQ((int)reg.nr, occurrences(out, "\"solution_exists\": true"));
	EXPECT_CONTAINS(out, "\"id\": \"realworld/moby-36114\"");
	EXPECT_CONTAINS(out, "\"origin\": \"moby#36114 (GoBench GoKer)\"");
	free(out);
	ls_registry_free(&reg);
	rm_rf(tmpdir);
}

TEST(hint_reveals_one_at_a_time)
{
	struct ls_registry reg;
	char *out, *next[] = { "hint", "abba", NULL };
	char *all[] = { "hint", "03-mutex-pitfalls/abba", "--all", NULL };
	char *reset[] = { "hint", "abba", "--reset", NULL };
	char *none[] = { "hint", NULL };
	char *bad[] = { "hint", "no-such-exercise", NULL };
	char state[BUFLEN];

	load(&reg);
	make_tmpdir();
	setenv("LOCKSTEP_ROOT", root, 1);
	snprintf(state, sizeof(state), "%s/state", tmpdir);
	setenv("XDG_STATE_HOME", state, 1);

	ASSERT_EQ(0, capture(cmd_hint, next, &out));
	EXPECT_CONTAINS(out, "hint 1/3: ");
	EXPECT_EQ(0, occurrences(out, "hint 2/3"));
	free(out);
	ASSERT_EQ(0, capture(cmd_hint, next, &out));
	EXPECT_CONTAINS(out, "hint 2/3: ");
	EXPECT_EQ(0, occurrences(out, "hint 1/3"));
	free(out);
	ASSERT_EQ(0, capture(cmd_hint, next, &out));
	EXPECT_CONTAINS(out, "hint 3/3: ");
	EXPECT_CONTAINS(out, "last hint");
	free(out);
	ASSERT_EQ(0, capture(cmd_hint, next, &out));
	EXPECT_CONTAINS(out, "already shown");
	free(out);

	ASSERT_EQ(0, capture(cmd_hint, reset, &out));
	free(out);
	ASSERT_EQ(0, capture(cmd_hint, next, &out));
	EXPECT_CONTAINS(out, "hint 1/3: ");
	free(out);
	ASSERT_EQ(0, capture(cmd_hint, all, &out));
	EXPECT_EQ(3, occurrences(out, "hint "));
	free(out);

	EXPECT_EQ(2, capture(cmd_hint, none, &out));
	free(out);
	EXPECT_EQ(2, capture(cmd_hint, bad, &out));	/* as run and check */
	free(out);
	ls_registry_free(&reg);
	rm_rf(tmpdir);
}

TEST_HARNESS_MAIN
