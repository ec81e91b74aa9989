// SPDX-License-Identifier: MIT
/*
 * probes.c - the event table reaches every consumer.
 *
 *  - the built library carries one .note.stapsdt probe, with a semaphore,
 *    for every USDT event of include/lockstep/events.h, and no other;
 *  - docs/probes.md is what scripts/gen-probes-doc prints (not stale);
 *  - a real BPF consumer (bpftrace) attached to one probe sees it fire
 *    (skipped without BPF privileges, failed then in CI).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lockstep/events.h>
#include "harness.h"

static const char *build_dir(void)
{
	const char *d = getenv("LOCKSTEP_BUILD_DIR");

	return d && *d ? d : "build";
}

static char *path_in_build(const char *rel)
{
	static char buf[8][512];
	static int i;
	char *p = buf[i++ & 7];

	snprintf(p, sizeof(buf[0]), "%s/%s", build_dir(), rel);
	return p;
}

#define PROBE_NAME(ID, nm, ...) #nm,
static const char *const usdt_names[] = { LS_EVENTS_USDT(PROBE_NAME) };
#undef PROBE_NAME
#define NR_USDT (sizeof(usdt_names) / sizeof(usdt_names[0]))

/* Count "Name: <probe>" lines with a non-zero semaphore for one probe. */
static int count_probe(const char *notes, const char *probe, int *with_sem)
{
	char needle[128];
	const char *p = notes;
	int n = 0;

	*with_sem = 0;
	snprintf(needle, sizeof(needle), "Name: %s\n", probe);
	while ((p = strstr(p, needle))) {
		const char *sem = strstr(p, "Semaphore: ");
		const char *next = strstr(p + 1, "Name: ");

		n++;
		if (sem && (!next || sem < next) &&
		    strtoull(sem + 11, NULL, 16) != 0)
			(*with_sem)++;
		p += strlen(needle);
	}
	return n;
}

/*
 * In a linked object every semaphore has a real, non-zero address.  In the
 * relocatable objects of the static archive the address is a section offset
 * and the first one is legitimately 0, so there only presence is checked.
 */
static void check_notes(struct __test_metadata *_metadata, const char *file,
			bool linked)
{
	char *argv[] = { "readelf", "-n", "--wide", (char *)file, NULL };
	struct th_result r;
	unsigned total = 0;
	const char *p;

	ASSERT_EQ(0, th_run_argv(argv, NULL, 30, &r));
	ASSERT_EQ(0, r.status) TH_LOG("readelf failed: %s", r.err);
	for (size_t i = 0; i < NR_USDT; i++) {
		int sem, n = count_probe(r.out, usdt_names[i], &sem);

		EXPECT_LE(1, n) TH_LOG("%s: no probe lockstep:%s", file, usdt_names[i]);
		if (linked)
			EXPECT_EQ(n, sem) TH_LOG("%s: probe %s without a semaphore",
						 file, usdt_names[i]);
	}
	/* and nothing that is not in the table */
	for (p = r.out; (p = strstr(p, "Provider: lockstep\n")); p++) {
		const char *name = strstr(p, "Name: ");
		char probe[64] = "";
		bool known = false;

		ASSERT_NOT_NULL(name);
		sscanf(name + 6, "%63s", probe);
		for (size_t i = 0; i < NR_USDT; i++)
			known |= !strcmp(probe, usdt_names[i]);
		EXPECT_TRUE(known) TH_LOG("probe %s is not in events.h", probe);
		total++;
	}
	EXPECT_LE(NR_USDT, total);
	th_result_free(&r);
}

TEST(stapsdt_note_for_every_event_in_shared_library)
{
	check_notes(_metadata, path_in_build("liblockstep.so"), true);
}

TEST(stapsdt_note_for_every_event_in_static_library)
{
	check_notes(_metadata, path_in_build("liblockstep.a"), false);
}

TEST(probes_doc_is_not_stale)
{
	char *argv[] = { path_in_build("tools/gen-probes-doc"), NULL };
	struct th_result r;
	FILE *f = fopen("docs/probes.md", "r");
	char *doc;
	long len;

	ASSERT_NOT_NULL(f) TH_LOG("run the suite from the repository root");
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	doc = calloc(1, (size_t)len + 1);
	ASSERT_NOT_NULL(doc);
	ASSERT_EQ((size_t)len, fread(doc, 1, (size_t)len, f));
	fclose(f);
	ASSERT_EQ(0, th_run_argv(argv, NULL, 30, &r));
	ASSERT_EQ(0, r.status);
	EXPECT_STREQ(r.out, doc) TH_LOG("docs/probes.md is stale: run `make docs`");
	free(doc);
	th_result_free(&r);
}

static bool bpf_permitted(const char **why)
{
	if (geteuid() != 0) {
		*why = "not root";
		return false;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		*why = "no /sys/kernel/btf/vmlinux";
		return false;
	}
	if (access("/sys/bus/event_source/devices/uprobe/type", R_OK)) {
		*why = "no uprobe PMU";
		return false;
	}
	if (access("/usr/bin/bpftrace", X_OK) && access("/usr/sbin/bpftrace", X_OK)) {
		*why = "bpftrace not installed";
		return false;
	}
	return true;
}

TEST_TIMEOUT(bpftrace_sees_go_name_probe_fire, 120)
{
	const char *why;
	char prog[600], script[1400];
	struct th_result r;

	if (!bpf_permitted(&why))
		SKIP_NEEDS_BPF(return, "%s", why);
	snprintf(prog, sizeof(prog), "%s", path_in_build("tests/workloads/name_loop"));
	ASSERT_EQ(0, access(prog, X_OK)) TH_LOG("%s not built", prog);
	snprintf(script, sizeof(script),
		 "usdt:%s:lockstep:go_name { @fired = count(); @name = str(arg3); }",
		 prog);
	{
		char *argv[] = { "bpftrace", "-e", script, "-c", prog, NULL };

		ASSERT_EQ(0, th_run_argv(argv, NULL, 110, &r));
	}
	ASSERT_FALSE(r.timed_out);
	EXPECT_NOT_NULL(strstr(r.out, "done 1000"));
	/* every call fired: the semaphore switched the probe on */
	EXPECT_NOT_NULL(strstr(r.out, "@fired: 1000")) TH_LOG("bpftrace said: %s%s",
							    r.out, r.err);
	EXPECT_NOT_NULL(strstr(r.out, "@name: odd"));
	th_result_free(&r);
}

TEST_HARNESS_MAIN
