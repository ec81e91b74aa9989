// SPDX-License-Identifier: MIT
/*
 * cmd_list.c - `lockstep list [--json]`: every exercise, as a table or as
 * JSON (one object per exercise with every metadata field).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "registry.h"

static const char list_usage[] =
	"usage: lockstep list [--json]\n"
	"\n"
	"List every exercise: id, kind, the verdict the unfixed program shows\n"
	"(kind fix) or the goal checked on the trace (kinds make and observe),\n"
	"and the title.\n"
	"\n"
	"  --json    one JSON array, an object per exercise with every field of\n"
	"            its metadata block, its hints, and the paths of the exercise\n"
	"            and of its solution\n"
	"  -h, --help  this text\n"
	"\n"
	"The exercises are read from $LOCKSTEP_ROOT/exercises, or from the\n"
	"exercises/ directory of the tree the lockstep binary was built in.\n";

static void json_str(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		switch (*c) {
		case '"':	fputs("\\\"", out); break;
		case '\\':	fputs("\\\\", out); break;
		case '\n':	fputs("\\n", out); break;
		case '\t':	fputs("\\t", out); break;
		case '\r':	fputs("\\r", out); break;
		default:
			if (*c < 0x20)
				fprintf(out, "\\u%04x", *c);
			else
				fputc(*c, out);
		}
	}
	fputc('"', out);
}

static void json_field(FILE *out, const char *key, const char *val, bool comma)
{
	fprintf(out, "\"%s\": ", key);
	json_str(out, val);
	if (comma)
		fputs(", ", out);
}

static void list_json(FILE *out, const struct ls_registry *reg)
{
	fputs("[\n", out);
	for (size_t i = 0; i < reg->nr; i++) {
		const struct ls_exercise *ex = &reg->ex[i];

		fputs("  {", out);
		json_field(out, "id", ex->id, true);
		json_field(out, "chapter", ex->chapter, true);
		json_field(out, "lesson", ex->lesson, true);
		json_field(out, "title", ex->title, true);
		json_field(out, "kind", ls_ex_kind_name(ex->kind), true);
		json_field(out, "verdict", ex->verdict, true);
		json_field(out, "goal", ex->goal, true);
		json_field(out, "achieve", ex->achieve, true);
		fputs("\"hints\": [", out);
		for (int h = 0; h < ex->nr_hints; h++) {
			json_str(out, ex->hints[h]);
			if (h + 1 < ex->nr_hints)
				fputs(", ", out);
		}
		fputs("], ", out);
		json_field(out, "origin", ex->origin, true);
		json_field(out, "path", ex->path, true);
		json_field(out, "solution", ex->solution, true);
		fprintf(out, "\"solution_exists\": %s}%s\n",
			access(ex->solution, R_OK) == 0 ? "true" : "false",
			i + 1 < reg->nr ? "," : "");
	}
	fputs("]\n", out);
}

static const char *what(const struct ls_exercise *ex)
{
	return ex->kind == LS_EX_FIX ? ex->verdict : ex->goal;
}

static void list_table(FILE *out, const struct ls_registry *reg)
{
	int wid = 2, wkind = 7, wwhat = 12;

	for (size_t i = 0; i < reg->nr; i++) {
		int l = (int)strlen(reg->ex[i].id);

		if (l > wid)
			wid = l;
		l = (int)strlen(what(&reg->ex[i]));
		if (l > wwhat)
			wwhat = l;
	}
	fprintf(out, "%-*s  %-*s  %-*s  %s\n", wid, "ID", wkind, "KIND", wwhat,
		"VERDICT/GOAL", "TITLE");
	for (size_t i = 0; i < reg->nr; i++) {
		const struct ls_exercise *ex = &reg->ex[i];

		fprintf(out, "%-*s  %-*s  %-*s  %s\n", wid, ex->id, wkind,
			ls_ex_kind_name(ex->kind), wwhat, what(ex), ex->title);
	}
}

int cmd_list(int argc, char **argv)
{
	struct ls_registry reg;
	char root[PATH_MAX];
	bool json = false;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (ls_is_help(argv[i])) {
			fputs(list_usage, stdout);
			return 0;
		} else {
			return ls_usage_error("list", "unknown argument '%s'", argv[i]);
		}
	}
	if (ls_registry_find_root(root, sizeof(root))) {
		ls_error("no exercises/ directory found: set LOCKSTEP_ROOT to the "
			 "lockstep source tree");
		return 1;
	}
	ret = ls_registry_load(&reg, root, stderr);
	if (ret) {
		ls_error("cannot read %s/exercises: %s", root, strerror(-ret));
		return 1;
	}
	if (json)
		list_json(stdout, &reg);
	else
		list_table(stdout, &reg);
	ret = reg.nr_errors ? 1 : 0;
	if (reg.nr_errors)
		ls_error("%d exercise file%s left out (see above)", reg.nr_errors,
			 reg.nr_errors == 1 ? "" : "s");
	ls_registry_free(&reg);
	return ret;
}
