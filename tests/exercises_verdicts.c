// SPDX-License-Identifier: MIT
/*
 * exercises_verdicts.c - every exercise does what its metadata says, run
 * after run, through the real `lockstep` command.
 *
 *  - a "fix" exercise, as given, shows its declared verdict on every run;
 *  - a "make" exercise, as given, does not reach its goal on any run;
 *  - an "observe" exercise, as given, reaches the event it asks about;
 *  - every solution passes `lockstep check --solution` (3 runs each);
 *  - `lockstep list --json` lists every exercise with its metadata.
 *
 * Runs use the in-process ring (the transport every machine has); the
 * verdicts over BPF are compared with it in tests/lab_verdicts.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "registry.h"
#include "trace_util.h"

#define RUNS	3

static struct ls_registry reg;

static void load_registry(struct __test_metadata *_metadata)
{
	char root[4096];

	if (reg.nr)
		return;
	ASSERT_EQ(0, ls_registry_find_root(root, sizeof(root)));
	ASSERT_EQ(0, ls_registry_load(&reg, root, stderr));
	ASSERT_EQ(0, reg.nr_errors);
	ASSERT_LE((size_t)45, reg.nr);
}

/* The string value of "key": "..." in a flat JSON object, or "". */
static void json_str(const char *json, const char *key, char *out, size_t len)
{
	char pat[64];
	const char *p;
	size_t n = 0;

	out[0] = '\0';
	snprintf(pat, sizeof(pat), "\"%s\": \"", key);
	p = strstr(json, pat);
	if (!p)
		return;
	for (p += strlen(pat); *p && *p != '"' && n + 1 < len; p++)
		out[n++] = *p;
	out[n] = '\0';
}

/* One `lockstep run --json` of the exercise as given. */
static int run_once(const struct ls_exercise *ex, char *verdict, size_t vlen,
		    bool *goal_reached, char *diag, size_t dlen)
{
	char *argv[] = { (char *)tu_lockstep(), "run", "--json", "--transport", "shm",
			 "--timeout", "30", ex->id, NULL };
	struct th_result r;
	const char *g;

	if (th_run_argv(argv, NULL, 60, &r))
		return -1;
	json_str(r.out ? r.out : "", "verdict", verdict, vlen);
	g = r.out ? strstr(r.out, "\"goal\": {") : NULL;
	*goal_reached = g && strstr(g, "\"reached\": true");
	snprintf(diag, dlen, "%.300s", r.err ? r.err : "");
	th_result_free(&r);
	return verdict[0] ? 0 : -1;
}

/* Every exercise whose id starts with prefix, RUNS times each. */
static void check_given(struct __test_metadata *_metadata, const char *prefix)
{
	size_t checked = 0;

	load_registry(_metadata);
	for (size_t i = 0; i < reg.nr; i++) {
		const struct ls_exercise *ex = &reg.ex[i];

		if (strncmp(ex->id, prefix, strlen(prefix)))
			continue;
		checked++;
		for (int run = 1; run <= RUNS; run++) {
			char verdict[64], diag[320];
			bool reached = false;

			ASSERT_EQ(0, run_once(ex, verdict, sizeof(verdict), &reached,
					      diag, sizeof(diag)))
				TH_LOG("%s: no verdict from lockstep run: %s", ex->id, diag);
			switch (ex->kind) {
			case LS_EX_FIX:
				EXPECT_STREQ(ex->verdict, verdict)
					TH_LOG("%s run %d: declared %s, saw %s", ex->id,
					       run, ex->verdict, verdict);
				break;
			case LS_EX_MAKE:
				EXPECT_FALSE(reached)
					TH_LOG("%s run %d: reached %s before any change",
					       ex->id, run, ex->goal);
				break;
			case LS_EX_OBSERVE:
				EXPECT_TRUE(reached)
					TH_LOG("%s run %d: the event to observe (%s) did "
					       "not happen", ex->id, run, ex->goal);
				break;
			}
		}
	}
	ASSERT_LT((size_t)0, checked) TH_LOG("no exercise under %s", prefix);
	TH_LOG("%zu exercises under %s, %d runs each", checked, prefix, RUNS);
}

TEST_TIMEOUT(given_chapters_01_to_05, 300)
{
	check_given(_metadata, "0");
}

TEST_TIMEOUT(given_chapters_10_to_18, 300)
{
	check_given(_metadata, "1");
}

TEST_TIMEOUT(given_seeds, 300)
{
	check_given(_metadata, "seeds/");
}

TEST_TIMEOUT(given_realworld, 300)
{
	check_given(_metadata, "realworld/");
}

TEST_TIMEOUT(every_solution_passes_check, 400)
{
	char *argv[] = { (char *)tu_lockstep(), "check", "--all", "--solution",
			 "--transport", "shm", "--runs", "3", NULL };
	struct th_result r;
	size_t pass = 0;

	load_registry(_metadata);
	ASSERT_EQ(0, th_run_argv(argv, NULL, 390, &r));
	for (const char *p = r.out; p && (p = strstr(p, "PASS ")); p++)
		pass++;
	EXPECT_EQ(0, r.status) TH_LOG("lockstep check --all --solution:\n%s%s",
				      r.out, r.err);
	EXPECT_EQ(reg.nr, pass);
	th_result_free(&r);
}

TEST_TIMEOUT(list_json_has_every_exercise_and_its_metadata, 60)
{
	char *argv[] = { (char *)tu_lockstep(), "list", "--json", NULL };
	static const char *const script =
		"import json, sys\n"
		"d = json.load(sys.stdin)\n"
		"need = {'id', 'chapter', 'lesson', 'title', 'kind', 'verdict', 'goal',\n"
		"        'achieve', 'hints', 'path', 'solution'}\n"
		"for e in d:\n"
		"    miss = need - set(e)\n"
		"    assert not miss, (e.get('id'), miss)\n"
		"    assert 1 <= len(e['hints']) <= 3, e['id']\n"
		"    assert (e['verdict'] is None) != (e['goal'] is None), e['id']\n"
		"print(len(d))\n";
	struct th_result r, p;
	char path[4096], cmd[4200], *dir;
	FILE *f;

	load_registry(_metadata);
	ASSERT_EQ(0, th_run_argv(argv, NULL, 50, &r));
	ASSERT_EQ(0, r.status);
	dir = tu_tmpdir();
	ASSERT_NOT_NULL(dir);
	snprintf(path, sizeof(path), "%s/list.json", dir);
	f = fopen(path, "w");
	ASSERT_NOT_NULL(f);
	fputs(r.out, f);
	fclose(f);
	/* python3 parses it: the script is $0, the file comes on stdin */
	snprintf(cmd, sizeof(cmd), "python3 -c \"$0\" < '%s'", path);
	{
		char *sh[] = { "sh", "-c", cmd, (char *)script, NULL };

		ASSERT_EQ(0, th_run_argv(sh, NULL, 50, &p));
	}
	EXPECT_EQ(0, p.status) TH_LOG("%s", p.err);
	EXPECT_EQ(reg.nr, (size_t)strtoul(p.out, NULL, 10));
	th_result_free(&p);
	th_result_free(&r);
	tu_rmtree(dir);
}

TEST_HARNESS_MAIN
