/* SPDX-License-Identifier: MIT */
/*
 * harness.h - a kselftest-style test harness in one header.
 *
 * It behaves like the Linux kernel's tools/testing/selftests/
 * kselftest_harness.h and prints the same KTAP output, so anyone who knows
 * kernel selftests feels at home (the code is our own).  docs/testing.md is
 * the user's guide; in short:
 *
 *	#include "harness.h"
 *
 *	TEST(adds) {
 *		ASSERT_EQ(4, 2 + 2);
 *	}
 *
 *	FIXTURE(buf) { char *p; };
 *	FIXTURE_SETUP(buf) { self->p = malloc(16); ASSERT_NOT_NULL(self->p); }
 *	FIXTURE_TEARDOWN(buf) { free(self->p); }
 *	TEST_F(buf, zeroed) { memset(self->p, 0, 16); EXPECT_EQ(0, self->p[3]); }
 *
 *	TEST_EXIT(double_unlock_dies, 2) { ... }   // passes only on exit(2)
 *
 *	TEST_HARNESS_MAIN
 *
 * How a test runs: the binary forks one child per test, in order.  The
 * child makes itself a process-group leader, runs setup, the test and
 * teardown, and exits.  Its stdout and stderr go through a pipe to the
 * parent, which prefixes every line with "# " (a line that already starts
 * with '#' is passed as it is), so whatever the test prints, even a
 * goroutine dump, stays a KTAP diagnostic.  The parent waits with a
 * deadline; on timeout it kills the child's whole process group, so a
 * deadlocked test, and anything it forked, is gone and the suite goes on.
 *
 * The verdict does not travel in the exit status alone: the child records
 * "failed" and "skipped" in a page it shares with the parent, so a test that
 * expects exit status 1 or 4 cannot be confused with an assertion failure
 * or a skip.
 *
 * Assertions use the current test's state through a global, not through
 * the _metadata argument, so they work anywhere in the test process,
 * including in goroutines started with ls_go().  ASSERT_* in the test's own
 * thread jumps back to the harness, which runs the teardown; in another
 * thread it ends the test process at once (no teardown).  EXPECT_* records
 * the failure and carries on.
 *
 * Everything is static and the header holds its own implementation: a suite
 * is one .c file that includes it once.
 */
#ifndef LOCKSTEP_TESTS_HARNESS_H
#define LOCKSTEP_TESTS_HARNESS_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TH_TIMEOUT_DEFAULT	30	/* seconds, before scaling */
#define TH_EXIT_FAIL		1	/* status of a child that failed */
#define TH_REASON_MAX		256

#define TH__FN static __attribute__((unused))
#define TH__NORET static __attribute__((unused, noreturn))
#define TH__PRINTF(a, b) __attribute__((format(printf, a, b)))
#define TH__UNUSED __attribute__((unused))

/* ------------------------------------------------------------------ */
/* Test, fixture and variant records                                    */
/* ------------------------------------------------------------------ */

struct th_metadata;

/* Every test body, setup and teardown is called through this shape. */
typedef void (*th_fn_t)(struct th_metadata *md, void *self, const void *variant);

struct th_test {
	const char		*name;
	th_fn_t			fn;
	struct th_fixture	*fixture;
	size_t			data_size;	/* sizeof the fixture data */
	int			exp_exit;	/* expected exit status */
	int			exp_signal;	/* expected signal, 0: none */
	double			timeout;	/* seconds, before scaling */
	struct th_test		*next;
};

struct th_variant {
	const char		*name;
	const void		*data;
	struct th_variant	*next;
};

struct th_fixture {
	const char		*name;
	th_fn_t			setup;
	th_fn_t			teardown;
	struct th_test		*tests;
	struct th_variant	*variants;
	struct th_fixture	*next;
};

/* Written by the test child, read by the parent once the child is gone. */
struct th_shared {
	int	failed;
	int	bailed;			/* an ASSERT ended the test */
	int	skipped;
	char	reason[TH_REASON_MAX];
};

/* Per test process.  Test bodies receive it as _metadata. */
struct th_metadata {
	const char		*name;		/* full test name */
	struct th_shared	*res;
	jmp_buf			bail;
	bool			can_bail;	/* bail is set in main_thread */
	pthread_t		main_thread;
	bool			setup_done;
	bool			in_teardown;
	bool			subprocess;	/* inside th_run_fn's child */
};

/* The kernel harness's spelling, for functions written in that style. */
#define __test_metadata th_metadata

static struct th_fixture th__global_fixture = { .name = "global" };
static struct th_fixture *th__fixtures;
static struct th_metadata th__md;
static struct th_metadata *th__cur;	/* NULL outside a test */
static struct th_shared th__private_res;

TH__FN void th__add_test(struct th_fixture *f, struct th_test *t)
{
	struct th_test **pp = &f->tests;

	/* Append: tests run in the order the file defines them. */
	while (*pp)
		pp = &(*pp)->next;
	t->fixture = f;
	*pp = t;
}

TH__FN void th__add_fixture(struct th_fixture *f)
{
	struct th_fixture **pp = &th__fixtures;

	while (*pp)
		pp = &(*pp)->next;
	*pp = f;
}

TH__FN void th__add_variant(struct th_fixture *f, struct th_variant *v)
{
	struct th_variant **pp = &f->variants;

	while (*pp)
		pp = &(*pp)->next;
	*pp = v;
}

/* ------------------------------------------------------------------ */
/* Defining tests                                                       */
/* ------------------------------------------------------------------ */

#define th__TEST(tname, xexit, xsig, tmo)					\
	static void th__t_##tname(struct th_metadata *_metadata);		\
	static void th__k_##tname(struct th_metadata *md, void *self,		\
				  const void *variant)				\
	{									\
		(void)self;							\
		(void)variant;							\
		th__t_##tname(md);						\
	}									\
	static struct th_test th__r_##tname = {					\
		.name = #tname, .fn = th__k_##tname, .exp_exit = (xexit),	\
		.exp_signal = (xsig), .timeout = (tmo),				\
	};									\
	__attribute__((constructor)) static void th__c_##tname(void)		\
	{									\
		th__add_test(&th__global_fixture, &th__r_##tname);		\
	}									\
	static void th__t_##tname(struct th_metadata *_metadata TH__UNUSED)

#define TEST(name)			th__TEST(name, 0, 0, TH_TIMEOUT_DEFAULT)
#define TEST_TIMEOUT(name, seconds)	th__TEST(name, 0, 0, seconds)
#define TEST_EXIT(name, status)		th__TEST(name, status, 0, TH_TIMEOUT_DEFAULT)
#define TEST_SIGNAL(name, signo)	th__TEST(name, 0, signo, TH_TIMEOUT_DEFAULT)

#define FIXTURE_DATA(fix)	struct th__data_##fix
#define FIXTURE_VARIANT(fix)	struct th__variant_##fix

/* FIXTURE(name) { fields; }; */
#define FIXTURE(fix)								\
	FIXTURE_VARIANT(fix);							\
	static struct th_fixture th__fixture_##fix = { .name = #fix };		\
	__attribute__((constructor)) static void th__cf_##fix(void)		\
	{									\
		th__add_fixture(&th__fixture_##fix);				\
	}									\
	FIXTURE_DATA(fix)

#define th__FIXTURE_HOOK(fix, hook)						\
	static void th__##hook##_##fix(struct th_metadata *_metadata,		\
			FIXTURE_DATA(fix) *self,				\
			const FIXTURE_VARIANT(fix) *variant);			\
	static void th__k##hook##_##fix(struct th_metadata *md, void *self,	\
					const void *variant)			\
	{									\
		th__##hook##_##fix(md, self, variant);				\
	}									\
	__attribute__((constructor)) static void th__c##hook##_##fix(void)	\
	{									\
		th__fixture_##fix.hook = th__k##hook##_##fix;			\
	}									\
	static void th__##hook##_##fix(						\
			struct th_metadata *_metadata TH__UNUSED,		\
			FIXTURE_DATA(fix) *self TH__UNUSED,			\
			const FIXTURE_VARIANT(fix) *variant TH__UNUSED)

/* Both are optional.  Teardown runs whenever setup returned. */
#define FIXTURE_SETUP(fix)	th__FIXTURE_HOOK(fix, setup)
#define FIXTURE_TEARDOWN(fix)	th__FIXTURE_HOOK(fix, teardown)

/* FIXTURE_VARIANT_ADD(fix, name) { .field = value, }; */
#define FIXTURE_VARIANT_ADD(fix, vname)						\
	static const FIXTURE_VARIANT(fix) th__v_##fix##__##vname;		\
	static struct th_variant th__vr_##fix##__##vname = {			\
		.name = #vname, .data = &th__v_##fix##__##vname,		\
	};									\
	__attribute__((constructor)) static void th__cv_##fix##__##vname(void)	\
	{									\
		th__add_variant(&th__fixture_##fix, &th__vr_##fix##__##vname);	\
	}									\
	static const FIXTURE_VARIANT(fix) th__v_##fix##__##vname =

#define th__TEST_F(fix, tname, xexit, xsig, tmo)				\
	static void th__t_##fix##__##tname(struct th_metadata *_metadata,	\
			FIXTURE_DATA(fix) *self,				\
			const FIXTURE_VARIANT(fix) *variant);			\
	static void th__k_##fix##__##tname(struct th_metadata *md, void *self,	\
					   const void *variant)			\
	{									\
		th__t_##fix##__##tname(md, self, variant);			\
	}									\
	static struct th_test th__r_##fix##__##tname = {			\
		.name = #tname, .fn = th__k_##fix##__##tname,			\
		.data_size = sizeof(FIXTURE_DATA(fix)),				\
		.exp_exit = (xexit), .exp_signal = (xsig), .timeout = (tmo),	\
	};									\
	__attribute__((constructor)) static void th__c_##fix##__##tname(void)	\
	{									\
		th__add_test(&th__fixture_##fix, &th__r_##fix##__##tname);	\
	}									\
	static void th__t_##fix##__##tname(					\
			struct th_metadata *_metadata TH__UNUSED,		\
			FIXTURE_DATA(fix) *self TH__UNUSED,			\
			const FIXTURE_VARIANT(fix) *variant TH__UNUSED)

#define TEST_F(fix, name)	th__TEST_F(fix, name, 0, 0, TH_TIMEOUT_DEFAULT)
#define TEST_F_TIMEOUT(fix, name, seconds)	th__TEST_F(fix, name, 0, 0, seconds)
#define TEST_F_EXIT(fix, name, status)	th__TEST_F(fix, name, status, 0, TH_TIMEOUT_DEFAULT)
#define TEST_F_SIGNAL(fix, name, signo)	th__TEST_F(fix, name, 0, signo, TH_TIMEOUT_DEFAULT)

#define TEST_HARNESS_MAIN						\
	int main(int argc, char **argv)					\
	{								\
		return th__main(argc, argv);				\
	}

/* ------------------------------------------------------------------ */
/* Diagnostics                                                          */
/* ------------------------------------------------------------------ */

/*
 * One write(2) per line: goroutines may report at the same time, and a
 * line must not be torn.  stdio is avoided so that a failing assertion in
 * one thread never waits for a stdio lock another thread holds.
 */
TH__FN TH__PRINTF(1, 2) void th__emit(const char *fmt, ...)
{
	char buf[8192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	if (n == 0 || buf[n - 1] != '\n')
		buf[n++] = '\n';
	(void)!write(STDERR_FILENO, buf, (size_t)n);
}

TH__FN const char *th__name(void)
{
	return th__cur && th__cur->name ? th__cur->name : "";
}

#define TH_LOG(fmt, ...)							\
	th__emit("# %s:%d:%s:" fmt, __FILE__, __LINE__, th__name(),		\
		 ##__VA_ARGS__)

TH__FN struct th_shared *th__res(void)
{
	return th__cur ? th__cur->res : &th__private_res;
}

TH__FN void th__mark_failed(void)
{
	__atomic_store_n(&th__res()->failed, 1, __ATOMIC_SEQ_CST);
}

/*
 * End the test after a failed ASSERT.  In the test's own thread, jump back
 * to the harness so the teardown still runs.  Elsewhere (a goroutine, or a
 * th_run_fn child) there is no way back: end the process here.
 */
TH__NORET void th__abort_test(void)
{
	struct th_metadata *md = th__cur;

	if (md && !md->subprocess)
		__atomic_store_n(&md->res->bailed, 1, __ATOMIC_SEQ_CST);
	if (md && md->can_bail && pthread_equal(pthread_self(), md->main_thread))
		longjmp(md->bail, 1);
	if (md && !md->subprocess)
		th__emit("# %s: assertion failed outside the test's thread: "
			 "test process ended, teardown skipped", th__name());
	_exit(TH_EXIT_FAIL);
}

/* The for-loop increment of a failed check: see th__CHECK. */
TH__FN int th__bail(int is_assert)
{
	if (is_assert)
		th__abort_test();
	return 0;
}

/*
 * A check is a for loop that runs its body at most once, and only when the
 * check failed: the body is whatever follows the macro, either ';' or a
 * TH_LOG(...) adding context.  Then the increment ends the test (ASSERT)
 * or ends the loop (EXPECT).  A for loop, unlike do-while, lets the user's
 * statement come after the macro, the way the kernel harness does it.
 */
#define th__CHECK(is_assert, failed)					\
	for (int th__bad = (failed); th__bad; th__bad = th__bail(is_assert))

/* ---- values: integers keep their signedness, pointers print in hex ---- */

enum th_kind { TH_SIGNED, TH_UNSIGNED, TH_FLOAT, TH_POINTER };

struct th_val {
	enum th_kind	kind;
	intmax_t	i;
	uintmax_t	u;
	long double	f;
};

#define th__kind(x) _Generic((x),						\
	char: TH_SIGNED, signed char: TH_SIGNED, short: TH_SIGNED,		\
	int: TH_SIGNED, long: TH_SIGNED, long long: TH_SIGNED,			\
	_Bool: TH_UNSIGNED, unsigned char: TH_UNSIGNED,				\
	unsigned short: TH_UNSIGNED, unsigned int: TH_UNSIGNED,			\
	unsigned long: TH_UNSIGNED, unsigned long long: TH_UNSIGNED,		\
	float: TH_FLOAT, double: TH_FLOAT, long double: TH_FLOAT,		\
	default: TH_POINTER)

/*
 * Exactly one of the three selects (x) itself, so x is evaluated once.
 * The others select a 0 that every type converts from.
 */
#define th__ipart(x) ((intmax_t)_Generic((x),					\
	char: (x), signed char: (x), short: (x), int: (x), long: (x),		\
	long long: (x), default: 0))
#define th__upart(x) ((uintmax_t)_Generic((x),					\
	_Bool: (x), unsigned char: (x), unsigned short: (x),			\
	unsigned int: (x), unsigned long: (x), unsigned long long: (x),		\
	char: 0, signed char: 0, short: 0, int: 0, long: 0, long long: 0,	\
	float: 0, double: 0, long double: 0,					\
	default: (uintptr_t)(x)))
#define th__fpart(x) ((long double)_Generic((x),				\
	float: (x), double: (x), long double: (x), default: 0))

#define th__val(x) ((struct th_val){ .kind = th__kind(x),			\
	.i = th__ipart(x), .u = th__upart(x), .f = th__fpart(x) })

enum th_op { TH_EQ, TH_NE, TH_LT, TH_LE, TH_GT, TH_GE };

static const char *const th__op_str[] TH__UNUSED = {
	[TH_EQ] = "==", [TH_NE] = "!=", [TH_LT] = "<",
	[TH_LE] = "<=", [TH_GT] = ">", [TH_GE] = ">=",
};

TH__FN long double th__as_ld(struct th_val v)
{
	switch (v.kind) {
	case TH_SIGNED:
		return (long double)v.i;
	case TH_FLOAT:
		return v.f;
	default:
		return (long double)v.u;
	}
}

#define TH__UNORDERED 2

/*
 * Compare by mathematical value: -1 < (size_t)0 holds here, although C's
 * own conversions would say otherwise.
 */
TH__FN int th__cmp(struct th_val a, struct th_val b)
{
	if (a.kind == TH_FLOAT || b.kind == TH_FLOAT) {
		long double x = th__as_ld(a), y = th__as_ld(b);

		if (x < y)
			return -1;
		if (x > y)
			return 1;
		return x == y ? 0 : TH__UNORDERED;	/* NaN */
	}
	if (a.kind == TH_SIGNED && b.kind == TH_SIGNED)
		return (a.i > b.i) - (a.i < b.i);
	if (a.kind == TH_SIGNED) {
		if (a.i < 0)
			return -1;
		a.u = (uintmax_t)a.i;
	}
	if (b.kind == TH_SIGNED) {
		if (b.i < 0)
			return 1;
		b.u = (uintmax_t)b.i;
	}
	return (a.u > b.u) - (a.u < b.u);
}

TH__FN bool th__holds(enum th_op op, int c)
{
	if (c == TH__UNORDERED)
		return op == TH_NE;
	switch (op) {
	case TH_EQ: return c == 0;
	case TH_NE: return c != 0;
	case TH_LT: return c < 0;
	case TH_LE: return c <= 0;
	case TH_GT: return c > 0;
	case TH_GE: return c >= 0;
	}
	return false;
}

TH__FN const char *th__fmt(char *buf, size_t len, struct th_val v)
{
	switch (v.kind) {
	case TH_SIGNED:
		snprintf(buf, len, "%jd", v.i);
		break;
	case TH_UNSIGNED:
		snprintf(buf, len, "%ju", v.u);
		break;
	case TH_FLOAT:
		snprintf(buf, len, "%Lg", v.f);
		break;
	case TH_POINTER:
		if (v.u)
			snprintf(buf, len, "%#jx", v.u);
		else
			snprintf(buf, len, "NULL");
		break;
	}
	return buf;
}

TH__FN int th__check_cmp(const char *file, int line, enum th_op op,
			 const char *es, struct th_val e,
			 const char *ss, struct th_val s)
{
	char eb[64], sb[64];

	if (th__holds(op, th__cmp(e, s)))
		return 0;
	th__mark_failed();
	th__emit("# %s:%d:Expected %s (%s) %s %s (%s)", file, line,
		 es, th__fmt(eb, sizeof(eb), e), th__op_str[op],
		 ss, th__fmt(sb, sizeof(sb), s));
	return 1;
}

#define th__CMP(is_assert, op, e, s)						\
	th__CHECK(is_assert, ({							\
		struct th_val th__e = th__val(e);				\
		struct th_val th__s = th__val(s);				\
		th__check_cmp(__FILE__, __LINE__, op, #e, th__e, #s, th__s);	\
	}))

TH__FN int th__check_truth(const char *file, int line, const char *xs,
			   struct th_val x, bool want)
{
	struct th_val zero = { .kind = TH_SIGNED };
	char xb[64];

	if ((th__cmp(x, zero) != 0) == want)
		return 0;
	th__mark_failed();
	th__emit("# %s:%d:Expected %s (%s) to be %s", file, line, xs,
		 th__fmt(xb, sizeof(xb), x), want ? "true" : "false");
	return 1;
}

#define th__TRUTH(is_assert, x, want)						\
	th__CHECK(is_assert, ({							\
		struct th_val th__x = th__val(x);				\
		th__check_truth(__FILE__, __LINE__, #x, th__x, want);		\
	}))

TH__FN int th__check_null(const char *file, int line, const char *ps,
			  struct th_val p, bool want_null)
{
	struct th_val zero = { .kind = TH_SIGNED };
	char pb[64];

	if ((th__cmp(p, zero) == 0) == want_null)
		return 0;
	th__mark_failed();
	th__emit("# %s:%d:Expected NULL %s %s (%s)", file, line,
		 want_null ? "==" : "!=", ps, th__fmt(pb, sizeof(pb), p));
	return 1;
}

#define th__NULL(is_assert, p, want_null)					\
	th__CHECK(is_assert, ({							\
		struct th_val th__p = th__val(p);				\
		th__check_null(__FILE__, __LINE__, #p, th__p, want_null);	\
	}))

/* Quote a string for a diagnostic: escaped, on one line, cut if long. */
TH__FN const char *th__quote(char *buf, size_t len, const char *s)
{
	size_t o = 0;

	if (!s) {
		snprintf(buf, len, "NULL");
		return buf;
	}
	buf[o++] = '"';
	for (; *s && o + 8 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			o += (size_t)snprintf(buf + o, len - o, "\\n");
		else if (c == '\t')
			o += (size_t)snprintf(buf + o, len - o, "\\t");
		else if (c == '"' || c == '\\')
			o += (size_t)snprintf(buf + o, len - o, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	if (*s)
		o += (size_t)snprintf(buf + o, len - o, "...");
	snprintf(buf + o, len - o, "\"");
	return buf;
}

TH__FN int th__check_str(const char *file, int line, bool want_equal,
			 const char *as, const char *a,
			 const char *bs, const char *b)
{
	char ab[1024], bb[1024];
	bool equal = a && b ? strcmp(a, b) == 0 : a == b;

	if (equal == want_equal)
		return 0;
	th__mark_failed();
	th__emit("# %s:%d:Expected %s (%s) %s %s (%s)", file, line,
		 as, th__quote(ab, sizeof(ab), a), want_equal ? "==" : "!=",
		 bs, th__quote(bb, sizeof(bb), b));
	return 1;
}

#define th__STR(is_assert, want_equal, a, b)					\
	th__CHECK(is_assert, ({							\
		const char *th__a = (a);					\
		const char *th__b = (b);					\
		th__check_str(__FILE__, __LINE__, want_equal, #a, th__a, #b,	\
			      th__b);						\
	}))

TH__FN int th__check_contains(const char *file, int line,
			      const char *hs, const char *h,
			      const char *ns, const char *n)
{
	char hb[2048], nb[512];

	if (h && n && strstr(h, n))
		return 0;
	th__mark_failed();
	th__emit("# %s:%d:Expected %s (%s) to contain %s (%s)", file, line,
		 hs, th__quote(hb, sizeof(hb), h), ns,
		 th__quote(nb, sizeof(nb), n));
	return 1;
}

#define th__CONTAINS(is_assert, h, n)						\
	th__CHECK(is_assert, ({							\
		const char *th__h = (h);					\
		const char *th__n = (n);					\
		th__check_contains(__FILE__, __LINE__, #h, th__h, #n, th__n);	\
	}))

#define ASSERT_EQ(expected, seen)	th__CMP(1, TH_EQ, expected, seen)
#define ASSERT_NE(expected, seen)	th__CMP(1, TH_NE, expected, seen)
#define ASSERT_LT(expected, seen)	th__CMP(1, TH_LT, expected, seen)
#define ASSERT_LE(expected, seen)	th__CMP(1, TH_LE, expected, seen)
#define ASSERT_GT(expected, seen)	th__CMP(1, TH_GT, expected, seen)
#define ASSERT_GE(expected, seen)	th__CMP(1, TH_GE, expected, seen)
#define ASSERT_TRUE(seen)		th__TRUTH(1, seen, true)
#define ASSERT_FALSE(seen)		th__TRUTH(1, seen, false)
#define ASSERT_NULL(seen)		th__NULL(1, seen, true)
#define ASSERT_NOT_NULL(seen)		th__NULL(1, seen, false)
#define ASSERT_STREQ(expected, seen)	th__STR(1, true, expected, seen)
#define ASSERT_STRNE(expected, seen)	th__STR(1, false, expected, seen)
#define ASSERT_CONTAINS(haystack, needle) th__CONTAINS(1, haystack, needle)

#define EXPECT_EQ(expected, seen)	th__CMP(0, TH_EQ, expected, seen)
#define EXPECT_NE(expected, seen)	th__CMP(0, TH_NE, expected, seen)
#define EXPECT_LT(expected, seen)	th__CMP(0, TH_LT, expected, seen)
#define EXPECT_LE(expected, seen)	th__CMP(0, TH_LE, expected, seen)
#define EXPECT_GT(expected, seen)	th__CMP(0, TH_GT, expected, seen)
#define EXPECT_GE(expected, seen)	th__CMP(0, TH_GE, expected, seen)
#define EXPECT_TRUE(seen)		th__TRUTH(0, seen, true)
#define EXPECT_FALSE(seen)		th__TRUTH(0, seen, false)
#define EXPECT_NULL(seen)		th__NULL(0, seen, true)
#define EXPECT_NOT_NULL(seen)		th__NULL(0, seen, false)
#define EXPECT_STREQ(expected, seen)	th__STR(0, true, expected, seen)
#define EXPECT_STRNE(expected, seen)	th__STR(0, false, expected, seen)
#define EXPECT_CONTAINS(haystack, needle) th__CONTAINS(0, haystack, needle)

/* ------------------------------------------------------------------ */
/* Skipping                                                             */
/* ------------------------------------------------------------------ */

TH__FN void th__vskip(const char *fmt, va_list ap)
{
	struct th_shared *res = th__res();

	/* The first reason given is the one reported. */
	if (__atomic_exchange_n(&res->skipped, 1, __ATOMIC_SEQ_CST))
		return;
	vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
	/* The reason ends the "ok N name # SKIP reason" line: keep it one. */
	for (char *p = res->reason; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

TH__FN TH__PRINTF(1, 2) void th__skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	th__vskip(fmt, ap);
	va_end(ap);
}

/* LOCKSTEP_REQUIRE_BPF=1 (any value but empty or "0") means "no skipping". */
TH__FN bool th__bpf_required(void)
{
	const char *v = getenv("LOCKSTEP_REQUIRE_BPF");

	return v && *v && strcmp(v, "0") != 0;
}

TH__FN TH__PRINTF(3, 4) void th__skip_bpf(const char *file, int line,
					  const char *fmt, ...)
{
	char why[TH_REASON_MAX];
	va_list ap;

	va_start(ap, fmt);
	if (!th__bpf_required()) {
		th__vskip(fmt, ap);
		va_end(ap);
		return;
	}
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	th__mark_failed();
	th__emit("# %s:%d:%s: would skip (%s), but LOCKSTEP_REQUIRE_BPF is set: "
		 "BPF is required here, so the skip is a failure",
		 file, line, th__name(), why);
}

/*
 * statement is what ends the test there: return (or a goto to cleanup).
 * As in the kernel harness, the macro is a do-while, so a break or continue
 * would only leave the macro, not the caller's loop.
 */
#define SKIP(statement, fmt, ...)						\
	do {									\
		th__skip(fmt, ##__VA_ARGS__);					\
		statement;							\
	} while (0)

#define SKIP_NEEDS_BPF(statement, fmt, ...)					\
	do {									\
		th__skip_bpf(__FILE__, __LINE__, fmt, ##__VA_ARGS__);		\
		statement;							\
	} while (0)

/* ------------------------------------------------------------------ */
/* Supervising a child: output, deadline, process group                 */
/* ------------------------------------------------------------------ */

TH__FN double th__now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* LOCKSTEP_TEST_TIMEOUT_SCALE: slow builds (sanitizers) stretch deadlines. */
TH__FN double th__timeout_scale(void)
{
	const char *v = getenv("LOCKSTEP_TEST_TIMEOUT_SCALE");
	char *end;
	double s;

	if (!v || !*v)
		return 1.0;
	s = strtod(v, &end);
	if (*end || !(s > 0) || s > 1e6)
		return 1.0;
	return s;
}

struct th__stream {
	int	fd;
	void	(*sink)(void *ctx, const char *buf, size_t len);
	void	*ctx;
};

TH__FN int th__pidfd_open(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	return -1;
#endif
}

/* Read what is there; false once the stream is at its end. */
TH__FN bool th__pump(struct th__stream *s)
{
	char buf[65536];
	ssize_t n = read(s->fd, buf, sizeof(buf));

	if (n > 0) {
		s->sink(s->ctx, buf, (size_t)n);
		return true;
	}
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	close(s->fd);
	s->fd = -1;
	return false;
}

/*
 * Wait up to `ms` (-1: forever) for output and feed it to the sinks.
 * With `pidfd` >= 0, also report whether it became readable (child ended).
 */
TH__FN bool th__poll_streams(struct th__stream *s, int ns, int pidfd, int ms)
{
	struct pollfd pfd[8];
	int map[8], n = 0;
	bool ended = false;

	for (int i = 0; i < ns && n < 7; i++) {
		if (s[i].fd < 0)
			continue;
		pfd[n].fd = s[i].fd;
		pfd[n].events = POLLIN;
		map[n++] = i;
	}
	if (pidfd >= 0) {
		pfd[n].fd = pidfd;
		pfd[n].events = POLLIN;
		map[n++] = -1;
	}
	/* Nothing to watch (no pidfd, pipes closed): just wait the slice. */
	if (poll(n ? pfd : NULL, (nfds_t)n, ms) <= 0)
		return false;
	for (int i = 0; i < n; i++) {
		if (!pfd[i].revents)
			continue;
		if (map[i] < 0)
			ended = true;
		else
			th__pump(&s[map[i]]);
	}
	return ended;
}

TH__FN bool th__exited_nowait(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		return errno == ECHILD;
	return si.si_pid == pid;
}

/* Longest we wait for EOF from a process that escaped the group kill. */
#define TH__DRAIN_GRACE 2.0

/*
 * Wait for `pid` (a process-group leader) while forwarding its output,
 * until it exits or `timeout` seconds pass (<= 0: no limit).  Either way,
 * SIGKILL its whole group before reaping it: leftovers of a test must not
 * outlive it, and the group id cannot be reused while the leader is an
 * unreaped zombie.  Returns the wait status.
 */
TH__FN int th__supervise(pid_t pid, struct th__stream *s, int ns,
			 double timeout, bool *timed_out)
{
	double deadline = timeout > 0 ? th__now() + timeout : 0;
	int pidfd = th__pidfd_open(pid);
	int status = 0;

	*timed_out = false;
	for (;;) {
		int ms = -1;

		if (deadline) {
			double left = deadline - th__now();

			if (left <= 0) {
				*timed_out = true;
				break;
			}
			ms = (int)(left * 1000) + 1;
		}
		/* Without a pidfd (seccomp, old kernel), look every 10 ms. */
		if (pidfd < 0 && (ms < 0 || ms > 10))
			ms = 10;
		if (th__poll_streams(s, ns, pidfd, ms) || th__exited_nowait(pid))
			break;
	}
	kill(-pid, SIGKILL);
	if (*timed_out)
		kill(pid, SIGKILL);	/* in case it never became a leader */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (pidfd >= 0)
		close(pidfd);

	deadline = th__now() + TH__DRAIN_GRACE;
	for (;;) {
		double left = deadline - th__now();
		bool open = false;

		for (int i = 0; i < ns; i++)
			open |= s[i].fd >= 0;
		if (!open || left <= 0)
			break;
		th__poll_streams(s, ns, -1, (int)(left * 1000) + 1);
	}
	for (int i = 0; i < ns; i++) {
		if (s[i].fd >= 0) {
			close(s[i].fd);
			s[i].fd = -1;
		}
	}
	return status;
}

TH__FN int th__cloexec_pipe(int p[2])
{
	if (pipe(p) < 0)
		return -errno;
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

/*
 * In a fresh child: lead a new process group, die with the parent, and
 * take stdin from /dev/null (a test that reads the terminal would hang).
 */
TH__FN void th__child_init(pid_t parent)
{
	int fd;

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(TH_EXIT_FAIL);	/* the parent died before prctl */
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0 && fd != STDIN_FILENO) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
}

/* ------------------------------------------------------------------ */
/* Running a function or a program in a child, capturing its output     */
/* ------------------------------------------------------------------ */

struct th_result {
	int	exited;		/* 1: exited normally, status is valid */
	int	status;		/* exit status */
	int	signo;		/* signal that killed it, 0 if none */
	bool	timed_out;	/* killed by us at the deadline */
	char	*out;		/* captured stdout, NUL-terminated */
	char	*err;		/* captured stderr, NUL-terminated */
	size_t	out_len, err_len;
};

struct th__buf {
	char	*p;
	size_t	len, cap;
	bool	nomem;
};

/* Beyond this, output is read and dropped so the child never blocks. */
#define TH__CAPTURE_MAX ((size_t)64 << 20)

TH__FN void th__buf_sink(void *ctx, const char *data, size_t len)
{
	struct th__buf *b = ctx;

	if (b->nomem || b->len + len > TH__CAPTURE_MAX)
		return;
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->len + len + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->nomem = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
}

TH__FN void th_result_free(struct th_result *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

/*
 * The shared second half of th_run_fn and th_run_argv: the child is
 * running with its stdout/stderr on the write ends we are given.
 */
TH__FN int th__collect(pid_t pid, int out_fd, int err_fd, double timeout_s,
		       struct th_result *r)
{
	struct th__buf out = { 0 }, err = { 0 };
	struct th__stream s[2] = {
		{ .fd = out_fd, .sink = th__buf_sink, .ctx = &out },
		{ .fd = err_fd, .sink = th__buf_sink, .ctx = &err },
	};
	int st;

	setpgid(pid, pid);	/* both sides set it: no window without it */
	if (timeout_s > 0)
		timeout_s *= th__timeout_scale();
	st = th__supervise(pid, s, 2, timeout_s, &r->timed_out);
	r->exited = WIFEXITED(st) && !r->timed_out;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 0;
	r->signo = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	/* Callers may strstr() the output without checking for NULL. */
	r->out = out.p ? out.p : strdup("");
	r->out_len = out.len;
	r->err = err.p ? err.p : strdup("");
	r->err_len = err.len;
	if (!r->out || !r->err || out.nomem || err.nomem) {
		th_result_free(r);
		return -ENOMEM;
	}
	return 0;
}

TH__FN int th__spawn_pipes(int out[2], int err[2])
{
	int ret = th__cloexec_pipe(out);

	if (ret)
		return ret;
	ret = th__cloexec_pipe(err);
	if (ret) {
		close(out[0]);
		close(out[1]);
	}
	return ret;
}

TH__FN void th__child_redirect(int out[2], int err[2])
{
	dup2(out[1], STDOUT_FILENO);
	dup2(err[1], STDERR_FILENO);
	close(out[0]);
	close(err[0]);
	close(out[1]);
	close(err[1]);
}

/*
 * Run fn(arg) in a forked child (its own process group) with stdout and
 * stderr captured.  The child exits 0 when fn returns (1 if an EXPECT in it
 * failed).  timeout_s <= 0: no deadline of its own.  0 or -errno.
 */
TH__FN int th_run_fn(void (*fn)(void *), void *arg, double timeout_s,
		     struct th_result *r)
{
	pid_t parent = getpid(), pid;
	int out[2], err[2], ret;

	memset(r, 0, sizeof(*r));
	ret = th__spawn_pipes(out, err);
	if (ret)
		return ret;
	fflush(NULL);	/* or the child would print our buffered output too */
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(out[0]);
		close(out[1]);
		close(err[0]);
		close(err[1]);
		return ret;
	}
	if (pid == 0) {
		th__child_init(parent);
		th__child_redirect(out, err);
		setvbuf(stdout, NULL, _IOLBF, 0);
		/* Checks in here end this child; they do not fail the test. */
		memset(&th__private_res, 0, sizeof(th__private_res));
		th__md.res = &th__private_res;
		th__md.subprocess = true;
		th__md.can_bail = false;
		fn(arg);
		exit(th__private_res.failed ? TH_EXIT_FAIL : 0);
	}
	close(out[1]);
	close(err[1]);
	return th__collect(pid, out[0], err[0], timeout_s, r);
}

extern char **environ;

/* environ with envp_extra applied: "NAME=VALUE" sets, "NAME" unsets. */
TH__FN char **th__make_env(const char *const envp_extra[])
{
	size_t n = 0, extra = 0, o = 0;
	char **env;

	while (environ && environ[n])
		n++;
	while (envp_extra && envp_extra[extra])
		extra++;
	env = calloc(n + extra + 1, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		bool replaced = false;

		for (size_t j = 0; j < extra && !replaced; j++) {
			const char *e = envp_extra[j];
			size_t k = strcspn(e, "=");

			replaced = strncmp(environ[i], e, k) == 0 &&
				   environ[i][k] == '=';
		}
		if (!replaced)
			env[o++] = environ[i];
	}
	for (size_t j = 0; j < extra; j++)
		if (strchr(envp_extra[j], '='))
			env[o++] = (char *)envp_extra[j];
	env[o] = NULL;
	return env;
}

/*
 * Fork and exec argv (PATH is searched when argv[0] has no '/'), with
 * envp_extra added to the environment (may be NULL), capturing stdout and
 * stderr.  A program that cannot be run exits 127 with a message on
 * stderr, as a shell would.  0 or -errno.
 */
TH__FN int th_run_argv(char *const argv[], const char *const envp_extra[],
		       double timeout_s, struct th_result *r)
{
	pid_t parent = getpid(), pid;
	int out[2], err[2], ret;
	char **env;

	memset(r, 0, sizeof(*r));
	if (!argv || !argv[0])
		return -EINVAL;
	/* Built before fork: the child may only call async-signal-safe code. */
	env = th__make_env(envp_extra);
	if (!env)
		return -ENOMEM;
	ret = th__spawn_pipes(out, err);
	if (ret) {
		free(env);
		return ret;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(out[0]);
		close(out[1]);
		close(err[0]);
		close(err[1]);
		free(env);
		return ret;
	}
	if (pid == 0) {
		static const char msg[] = "th_run_argv: cannot run ";

		th__child_init(parent);
		th__child_redirect(out, err);
		environ = env;	/* execvp takes PATH and the new env from here */
		execvp(argv[0], argv);
		ret = errno;
		(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
		(void)!write(STDERR_FILENO, argv[0], strlen(argv[0]));
		(void)!write(STDERR_FILENO, ": ", 2);
		(void)!write(STDERR_FILENO, strerror(ret), strlen(strerror(ret)));
		(void)!write(STDERR_FILENO, "\n", 1);
		_exit(127);
	}
	free(env);
	close(out[1]);
	close(err[1]);
	return th__collect(pid, out[0], err[0], timeout_s, r);
}

/* ------------------------------------------------------------------ */
/* The runner                                                           */
/* ------------------------------------------------------------------ */

struct th__case {
	struct th_test		*test;
	struct th_variant	*variant;	/* NULL: the fixture has none */
	char			*name;
	bool			selected;
};

/* The test child's pgid, for the SIGINT handler: ^C must not orphan it. */
static volatile sig_atomic_t th__running;

static void th__on_signal(int sig)
{
	if (th__running > 0)
		kill(-(pid_t)th__running, SIGKILL);
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * The child's output: each line gets a "# " so the stream stays KTAP,
 * unless it already is a diagnostic (starts with '#').
 */
struct th__prefixer {
	char	line[4096];
	size_t	len;
};

TH__FN void th__prefix_flush(struct th__prefixer *p)
{
	if (!p->len)
		return;
	if (p->line[0] == '#')
		fwrite(p->line, 1, p->len, stdout);
	else if (p->len == 1 && p->line[0] == '\n')
		fputs("#\n", stdout);
	else {
		fputs("# ", stdout);
		fwrite(p->line, 1, p->len, stdout);
	}
	if (p->line[p->len - 1] != '\n')
		fputc('\n', stdout);
	p->len = 0;
}

TH__FN void th__prefix_sink(void *ctx, const char *buf, size_t len)
{
	struct th__prefixer *p = ctx;

	for (size_t i = 0; i < len; i++) {
		p->line[p->len++] = buf[i];
		/* A very long line is cut into several diagnostics. */
		if (buf[i] == '\n' || p->len == sizeof(p->line))
			th__prefix_flush(p);
	}
	fflush(stdout);
}

/* In the test child: setup, body, teardown; never returns. */
TH__NORET void th__child_run(struct th__case *c, struct th_shared *res)
{
	struct th_test *t = c->test;
	struct th_fixture *f = t->fixture;
	const void *variant = c->variant ? c->variant->data : NULL;
	struct th_metadata *md = &th__md;
	void *self = calloc(1, t->data_size + 1);

	setvbuf(stdout, NULL, _IOLBF, 0);
	md->name = c->name;
	md->res = res;
	md->main_thread = pthread_self();
	th__cur = md;
	if (!self) {
		th__emit("# %s: out of memory for the fixture", c->name);
		_exit(TH_EXIT_FAIL);
	}
	if (setjmp(md->bail) == 0) {
		md->can_bail = true;
		if (f->setup)
			f->setup(md, self, variant);
		md->setup_done = true;
		if (!res->skipped)
			t->fn(md, self, variant);
	}
	/* A failed ASSERT in the teardown comes back here: do not rerun it. */
	if (md->setup_done && f->teardown && !md->in_teardown) {
		md->in_teardown = true;
		if (setjmp(md->bail) == 0)
			f->teardown(md, self, variant);
	}
	md->can_bail = false;
	fflush(NULL);
	exit(__atomic_load_n(&res->failed, __ATOMIC_SEQ_CST) ? TH_EXIT_FAIL : 0);
}

enum th__verdict { TH_PASS, TH_FAIL, TH_SKIP };

TH__FN enum th__verdict th__judge(struct th__case *c, int st, bool timed_out,
				  struct th_shared *res)
{
	struct th_test *t = c->test;
	int failed = res->failed;

	if (timed_out)
		return TH_FAIL;
	if (WIFSIGNALED(st)) {
		int sig = WTERMSIG(st);

		if (sig == t->exp_signal && !failed)
			return TH_PASS;
		printf("# %s: killed by signal %d (%s)", c->name, sig,
		       strsignal(sig));
		if (t->exp_signal && sig != t->exp_signal)
			printf(", expected signal %d (%s)", t->exp_signal,
			       strsignal(t->exp_signal));
		printf("\n");
		return TH_FAIL;
	}
	if (failed) {
		if (res->bailed)
			printf("# %s: test terminated by assertion\n", c->name);
		return TH_FAIL;
	}
	if (res->skipped)
		return TH_SKIP;
	if (t->exp_signal) {
		printf("# %s: exited with status %d, expected signal %d (%s)\n",
		       c->name, WEXITSTATUS(st), t->exp_signal,
		       strsignal(t->exp_signal));
		return TH_FAIL;
	}
	if (WEXITSTATUS(st) == t->exp_exit)
		return TH_PASS;
	printf("# %s: exited with status %d, expected %d%s\n", c->name,
	       WEXITSTATUS(st), t->exp_exit,
	       WEXITSTATUS(st) == 66 ? " (66: a sanitizer report, see above)" :
	       WEXITSTATUS(st) == 2 ? " (2: a Go-style panic or fatal error?)" :
	       "");
	return TH_FAIL;
}

TH__FN enum th__verdict th__run_case(struct th__case *c, int num,
				     struct th_shared *res, double scale)
{
	double timeout = c->test->timeout * scale;
	struct th__prefixer pre = { .len = 0 };
	struct th__stream s = { .sink = th__prefix_sink, .ctx = &pre };
	enum th__verdict v;
	pid_t parent = getpid(), pid;
	bool timed_out;
	int p[2], st;

	printf("#  RUN           %s ...\n", c->name);
	fflush(stdout);
	memset(res, 0, sizeof(*res));
	if (th__cloexec_pipe(p) < 0) {
		printf("# %s: pipe: %s\nnot ok %d %s\n", c->name,
		       strerror(errno), num, c->name);
		return TH_FAIL;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		printf("# %s: fork: %s\nnot ok %d %s\n", c->name,
		       strerror(errno), num, c->name);
		close(p[0]);
		close(p[1]);
		return TH_FAIL;
	}
	if (pid == 0) {
		th__child_init(parent);
		dup2(p[1], STDOUT_FILENO);
		dup2(p[1], STDERR_FILENO);
		close(p[0]);
		close(p[1]);
		th__child_run(c, res);
	}
	close(p[1]);
	setpgid(pid, pid);
	th__running = pid;
	s.fd = p[0];
	st = th__supervise(pid, &s, 1, timeout, &timed_out);
	th__running = 0;
	th__prefix_flush(&pre);

	if (timed_out)
		printf("# %s: no result after %gs: killed its process group\n",
		       c->name, timeout);
	v = th__judge(c, st, timed_out, res);
	switch (v) {
	case TH_PASS:
		printf("#            OK  %s\nok %d %s\n", c->name, num, c->name);
		break;
	case TH_SKIP:
		printf("#          SKIP  %s\nok %d %s # SKIP %s\n", res->reason,
		       num, c->name, res->reason);
		break;
	case TH_FAIL:
		printf("#          FAIL  %s\n", c->name);
		if (timed_out)
			printf("not ok %d %s # TIMEOUT after %gs\n", num,
			       c->name, timeout);
		else
			printf("not ok %d %s\n", num, c->name);
		break;
	}
	fflush(stdout);
	return v;
}

TH__FN void th__usage(FILE *to, const char *prog)
{
	fprintf(to,
"usage: %s [-h] [-l] [-t NAME]... [-T NAME]...\n"
"  -l       list the tests, one full name per line, and exit\n"
"  -t NAME  run only the test named NAME, or, when no test has that exact\n"
"           name, every test whose name contains NAME (may be repeated)\n"
"  -T NAME  leave out what -t NAME would select (may be repeated)\n"
"  -h       this help\n"
"Full names: TEST(t) is \"t\"; TEST_F(f, t) is \"f.t\", or \"f.v.t\" for\n"
"each FIXTURE_VARIANT_ADD(f, v).\n"
"Environment: LOCKSTEP_TEST_TIMEOUT_SCALE=X multiplies every timeout;\n"
"LOCKSTEP_REQUIRE_BPF=1 turns SKIP_NEEDS_BPF skips into failures.\n",
		prog);
}

/* -t/-T: exact name if some test has it, else every name containing it. */
TH__FN void th__filter(struct th__case *cs, size_t n, const char *pat,
		       bool keep)
{
	bool exact = false;

	for (size_t i = 0; i < n; i++)
		exact |= strcmp(cs[i].name, pat) == 0;
	for (size_t i = 0; i < n; i++) {
		bool match = exact ? strcmp(cs[i].name, pat) == 0 :
				     strstr(cs[i].name, pat) != NULL;

		if (match)
			cs[i].selected = keep;
	}
}

TH__FN char *th__full_name(struct th_fixture *f, struct th_variant *v,
			   struct th_test *t)
{
	size_t len = strlen(f->name) + strlen(t->name) +
		     (v ? strlen(v->name) : 0) + 3;
	char *s = malloc(len);

	if (!s)
		return NULL;
	if (f == &th__global_fixture)
		snprintf(s, len, "%s", t->name);
	else if (v)
		snprintf(s, len, "%s.%s.%s", f->name, v->name, t->name);
	else
		snprintf(s, len, "%s.%s", f->name, t->name);
	return s;
}

/* Fixture by fixture, variant by variant, test by test (as the kernel). */
TH__FN struct th__case *th__cases(size_t *count)
{
	struct th__case *cs = NULL;
	size_t n = 0;

	th__global_fixture.next = th__fixtures;
	for (int pass = 0; pass < 2; pass++) {
		n = 0;
		for (struct th_fixture *f = &th__global_fixture; f; f = f->next) {
			struct th_variant none = { .name = NULL };
			struct th_variant *v = f->variants ? f->variants : &none;

			for (; v; v = v->next)
				for (struct th_test *t = f->tests; t; t = t->next) {
					if (pass) {
						struct th_variant *vv =
							v == &none ? NULL : v;

						cs[n].test = t;
						cs[n].variant = vv;
						cs[n].name = th__full_name(f, vv, t);
						cs[n].selected = true;
						if (!cs[n].name)
							return NULL;
					}
					n++;
				}
		}
		if (!pass) {
			cs = calloc(n + 1, sizeof(*cs));
			if (!cs)
				return NULL;
		}
	}
	*count = n;
	return cs;
}

/* How many fixture/variant pairs the selected tests come from. */
TH__FN int th__count_groups(struct th__case *cs, size_t n)
{
	int groups = 0;

	for (size_t i = 0; i < n; i++) {
		bool seen = false;

		if (!cs[i].selected)
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = cs[j].selected &&
			       cs[j].test->fixture == cs[i].test->fixture &&
			       cs[j].variant == cs[i].variant;
		groups += !seen;
	}
	return groups;
}

TH__FN int th__main(int argc, char **argv)
{
	int pass = 0, fail = 0, skip = 0, total = 0, num = 0;
	bool list = false, any_t = false;
	struct { const char *name; bool keep; } *pats;
	struct th_shared *res;
	int npats = 0;
	struct th__case *cs;
	double scale;
	size_t n;
	int opt;

	cs = th__cases(&n);
	pats = calloc((size_t)argc + 1, sizeof(*pats));
	if (!cs || !pats) {
		fprintf(stderr, "%s: out of memory\n", argv[0]);
		return TH_EXIT_FAIL;
	}
	while ((opt = getopt(argc, argv, "hlt:T:")) != -1) {
		switch (opt) {
		case 'h':
			th__usage(stdout, argv[0]);
			return 0;
		case 'l':
			list = true;
			break;
		case 't':
		case 'T':
			pats[npats].keep = opt == 't';
			pats[npats++].name = optarg;
			any_t |= opt == 't';
			break;
		default:
			th__usage(stderr, argv[0]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", argv[0],
			argv[optind]);
		th__usage(stderr, argv[0]);
		return 2;
	}
	/* -t narrows to the union of its matches, then -T removes. */
	if (any_t)
		for (size_t i = 0; i < n; i++)
			cs[i].selected = false;
	for (int keep = 1; keep >= 0; keep--)
		for (int i = 0; i < npats; i++)
			if (pats[i].keep == keep)
				th__filter(cs, n, pats[i].name, keep);
	free(pats);

	for (size_t i = 0; i < n; i++)
		total += cs[i].selected;
	if (list) {
		for (size_t i = 0; i < n; i++)
			if (cs[i].selected)
				printf("%s\n", cs[i].name);
		return 0;
	}

	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED) {
		fprintf(stderr, "%s: mmap: %s\n", argv[0], strerror(errno));
		return TH_EXIT_FAIL;
	}
	signal(SIGINT, th__on_signal);
	signal(SIGTERM, th__on_signal);
	signal(SIGHUP, th__on_signal);
	scale = th__timeout_scale();

	printf("TAP version 13\n1..%d\n", total);
	printf("# Starting %d tests from %d test cases.\n", total,
	       th__count_groups(cs, n));
	for (size_t i = 0; i < n; i++) {
		if (!cs[i].selected)
			continue;
		switch (th__run_case(&cs[i], ++num, res, scale)) {
		case TH_PASS:
			pass++;
			break;
		case TH_SKIP:
			skip++;
			break;
		case TH_FAIL:
			fail++;
			break;
		}
	}
	printf("# %s: %d / %d tests passed.\n", fail ? "FAILED" : "PASSED",
	       pass, total);
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n",
	       pass, fail, skip);
	fflush(stdout);
	munmap(res, sizeof(*res));
	for (size_t i = 0; i < n; i++)
		free(cs[i].name);
	free(cs);
	return fail ? TH_EXIT_FAIL : 0;
}

#endif /* LOCKSTEP_TESTS_HARNESS_H */
