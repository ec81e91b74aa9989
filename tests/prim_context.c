// SPDX-License-Identifier: MIT
/*
 * prim_context.c - the context tree (src/context/context.go and its tests'
 * behaviours): background, cancel propagating to the whole subtree depth
 * first, timeouts (-ETIMEDOUT) on the shared runtime timer thread, values
 * looked up the chain, children born cancelled, reference counting (the
 * sanitizer builds check for leaks and use after free), and Go's panics.
 *
 * The cancellation order is checked from the events themselves: the test
 * re-runs its own binary with LOCKSTEP_TRACE pointing at a ring it created,
 * lets the child build and cancel a tree, and reads the CTX_NEW and
 * CTX_CANCEL records back.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lockstep/trace.h>
#include "harness.h"
#include "prim_util.h"

#define WAIT_DONE(done, n)	ASSERT_TRUE(POLL_UNTIL(LD(done) == (n)))

/* Closed (or NULL: never). */
static bool is_done(struct ls_ctx *ctx)
{
	struct ls_chan *d = ls_ctx_done(ctx);
	bool ok = true;

	return d && ls_chan_tryrecv(d, NULL, &ok) && !ok;
}

TEST(background)
{
	struct ls_ctx *bg = ls_ctx_background();
	int key;

	ASSERT_NOT_NULL(bg);
	EXPECT_EQ(bg, ls_ctx_background());
	EXPECT_NULL(ls_ctx_done(bg));
	EXPECT_EQ(0, ls_ctx_err(bg));
	EXPECT_NULL(ls_ctx_value(bg, &key));
	ls_ctx_cancel(bg);
	ls_ctx_release(bg);
	EXPECT_EQ(0, ls_ctx_err(bg));
}

TEST(with_cancel)
{
	struct ls_ctx *c = ls_ctx_with_cancel(ls_ctx_background());
	struct ls_chan *d;

	ASSERT_NOT_NULL(c);
	d = ls_ctx_done(c);
	ASSERT_NOT_NULL(d);
	EXPECT_EQ(d, ls_ctx_done(c));		/* made once, lazily */
	EXPECT_EQ(0, ls_chan_cap(d));
	EXPECT_FALSE(is_done(c));
	EXPECT_EQ(0, ls_ctx_err(c));
	ls_ctx_cancel(c);
	EXPECT_TRUE(is_done(c));
	EXPECT_FALSE(ls_chan_recv(d, NULL));	/* closed: never blocks again */
	EXPECT_EQ(-ECANCELED, ls_ctx_err(c));
	ls_ctx_cancel(c);			/* the first cancel wins */
	EXPECT_EQ(-ECANCELED, ls_ctx_err(c));
	ls_ctx_release(c);
}

/* Cancelled before anybody asked for Done: a channel that is already closed. */
TEST(done_after_cancel)
{
	struct ls_ctx *c = ls_ctx_with_cancel(ls_ctx_background());

	ASSERT_NOT_NULL(c);
	ls_ctx_cancel(c);
	EXPECT_NOT_NULL(ls_ctx_done(c));
	EXPECT_TRUE(is_done(c));
	ls_ctx_release(c);
}

struct waiter {
	struct ls_ctx	*ctx;
	int		done;
	int		err;
};

static void wait_done(void *p)
{
	struct waiter *w = p;

	ls_chan_recv(ls_ctx_done(w->ctx), NULL);
	ST(&w->err, ls_ctx_err(w->ctx));
	INC(&w->done);
}

/* Goroutines parked on Done are all released by the cancel. */
TEST(cancel_wakes_waiters)
{
	enum { N = 4 };
	struct waiter w = { .ctx = ls_ctx_with_cancel(ls_ctx_background()) };

	ASSERT_NOT_NULL(w.ctx);
	for (int i = 0; i < N; i++)
		go_or_die(wait_done, &w, "waiter");
	ASSERT_TRUE(POLL_UNTIL(ls_chan_waiters(ls_ctx_done(w.ctx), LS_RECV) == N));
	ls_ctx_cancel(w.ctx);
	WAIT_DONE(&w.done, N);
	EXPECT_EQ(-ECANCELED, LD(&w.err));
	ls_ctx_release(w.ctx);	/* only once nobody uses it */
}

/*
 *	root ─┬─ a ─┬─ a1
 *	      │     ├─ a2 (timeout, 10 s)
 *	      │     └─ av (value) ── a3
 *	      └─ b ──── b1 ── b11
 */
struct tree {
	struct ls_ctx *root, *a, *a1, *a2, *av, *a3, *b, *b1, *b11;
};

static int tree_key;

static void tree_build(struct tree *t)
{
	struct ls_ctx *bg = ls_ctx_background();

	t->root = ls_ctx_with_cancel(bg);
	t->a = ls_ctx_with_cancel(t->root);
	t->a1 = ls_ctx_with_cancel(t->a);
	t->a2 = ls_ctx_with_timeout(t->a, 10 * LS_SEC);
	t->av = ls_ctx_with_value(t->a, &tree_key, "av");
	t->a3 = ls_ctx_with_cancel(t->av);
	t->b = ls_ctx_with_cancel(t->root);
	t->b1 = ls_ctx_with_cancel(t->b);
	t->b11 = ls_ctx_with_cancel(t->b1);
	if (!t->root || !t->a || !t->a1 || !t->a2 || !t->av || !t->a3 ||
	    !t->b || !t->b1 || !t->b11)
		ls_panic("test: context allocation failed");
}

static void tree_release(struct tree *t)
{
	struct ls_ctx *all[] = { t->b11, t->b1, t->b, t->a3, t->av, t->a2,
				 t->a1, t->a, t->root };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		ls_ctx_release(all[i]);
}

TEST(cancel_subtree_only)
{
	struct tree t;

	tree_build(&t);
	ls_ctx_cancel(t.a);
	EXPECT_EQ(-ECANCELED, ls_ctx_err(t.a));
	EXPECT_EQ(-ECANCELED, ls_ctx_err(t.a1));
	EXPECT_EQ(-ECANCELED, ls_ctx_err(t.a2));
	EXPECT_EQ(-ECANCELED, ls_ctx_err(t.av));	/* the parent's */
	EXPECT_EQ(-ECANCELED, ls_ctx_err(t.a3));
	EXPECT_TRUE(is_done(t.a3));
	EXPECT_EQ(ls_ctx_done(t.a), ls_ctx_done(t.av));
	EXPECT_EQ(0, ls_ctx_err(t.root));
	EXPECT_EQ(0, ls_ctx_err(t.b));
	EXPECT_EQ(0, ls_ctx_err(t.b11));
	EXPECT_FALSE(is_done(t.b11));
	ls_ctx_cancel(t.root);
	EXPECT_EQ(-ECANCELED, ls_ctx_err(t.b11));
	EXPECT_TRUE(is_done(t.b1));
	tree_release(&t);
}

/* A parent released first: children are cancelled, and still usable. */
TEST(release_parent_first)
{
	struct tree t;

	tree_build(&t);
	ls_ctx_release(t.root);
	ls_ctx_release(t.a);
	EXPECT_EQ(-ECANCELED, ls_ctx_err(t.a3));
	EXPECT_STREQ("av", ls_ctx_value(t.a3, &tree_key));
	EXPECT_TRUE(is_done(t.b11));
	t.root = t.a = NULL;	/* ls_ctx_release(NULL) is a no-op */
	tree_release(&t);
}

/* A child of a cancelled parent is born cancelled, with the parent's error. */
TEST(child_of_cancelled_parent)
{
	struct ls_ctx *p = ls_ctx_with_timeout(ls_ctx_background(), 0);
	struct ls_ctx *c, *t;

	ASSERT_NOT_NULL(p);
	EXPECT_EQ(-ETIMEDOUT, ls_ctx_err(p));
	c = ls_ctx_with_cancel(p);
	t = ls_ctx_with_timeout(p, 10 * LS_SEC);
	ASSERT_NOT_NULL(c);
	ASSERT_NOT_NULL(t);
	EXPECT_EQ(-ETIMEDOUT, ls_ctx_err(c));
	EXPECT_EQ(-ETIMEDOUT, ls_ctx_err(t));
	EXPECT_TRUE(is_done(c));
	EXPECT_TRUE(is_done(t));
	ls_ctx_release(t);
	ls_ctx_release(c);
	ls_ctx_release(p);
}

TEST(values)
{
	static int k1, k2, k3;
	struct ls_ctx *bg = ls_ctx_background();
	struct ls_ctx *v1 = ls_ctx_with_value(bg, &k1, "one");
	struct ls_ctx *c = ls_ctx_with_cancel(v1);
	struct ls_ctx *v2 = ls_ctx_with_value(c, &k2, "two");
	struct ls_ctx *v1b = ls_ctx_with_value(v2, &k1, "one again");

	ASSERT_TRUE(v1 && c && v2 && v1b);
	EXPECT_STREQ("one", ls_ctx_value(v1, &k1));
	EXPECT_STREQ("one", ls_ctx_value(c, &k1));
	EXPECT_STREQ("two", ls_ctx_value(v1b, &k2));
	EXPECT_STREQ("one again", ls_ctx_value(v1b, &k1));	/* nearest wins */
	EXPECT_STREQ("one", ls_ctx_value(v2, &k1));
	EXPECT_NULL(ls_ctx_value(v2, &k3));
	EXPECT_NULL(ls_ctx_value(v1, &k2));
	/* A value node has no Done of its own: background's, or c's. */
	EXPECT_NULL(ls_ctx_done(v1));
	EXPECT_EQ(ls_ctx_done(c), ls_ctx_done(v1b));
	ls_ctx_cancel(v1b);			/* nothing to cancel */
	EXPECT_EQ(0, ls_ctx_err(v1b));
	ls_ctx_cancel(c);
	EXPECT_EQ(-ECANCELED, ls_ctx_err(v1b));
	EXPECT_STREQ("one again", ls_ctx_value(v1b, &k1));
	ls_ctx_release(v1);
	ls_ctx_release(c);
	ls_ctx_release(v2);
	ls_ctx_release(v1b);
}

/* Main waits on a timeout's Done: the pending timer is not a deadlock. */
TEST(timeout_fires)
{
	int64_t t0 = ls_now();
	struct ls_ctx *c = ls_ctx_with_timeout(ls_ctx_background(), 20 * LS_MSEC);

	ASSERT_NOT_NULL(c);
	EXPECT_EQ(0, ls_ctx_err(c));
	EXPECT_FALSE(ls_chan_recv(ls_ctx_done(c), NULL));
	EXPECT_LE(t0 + 20 * LS_MSEC, ls_now());
	EXPECT_EQ(-ETIMEDOUT, ls_ctx_err(c));
	ls_ctx_release(c);
}

TEST(timeout_reaches_children)
{
	struct ls_ctx *t = ls_ctx_with_timeout(ls_ctx_background(), 10 * LS_MSEC);
	struct waiter w;

	ASSERT_NOT_NULL(t);
	w = (struct waiter){ .ctx = ls_ctx_with_cancel(t) };
	ASSERT_NOT_NULL(w.ctx);
	go_or_die(wait_done, &w, "waiter");
	WAIT_DONE(&w.done, 1);		/* everyone parked but the timer: fine */
	EXPECT_EQ(-ETIMEDOUT, LD(&w.err));
	ls_ctx_release(w.ctx);
	ls_ctx_release(t);
}

/* A later deadline under an earlier one: the parent's comes first. */
TEST(timeout_under_earlier_deadline)
{
	struct ls_ctx *p = ls_ctx_with_timeout(ls_ctx_background(), 10 * LS_MSEC);
	struct ls_ctx *c = ls_ctx_with_timeout(p, 10 * LS_SEC);

	ASSERT_TRUE(p && c);
	EXPECT_FALSE(ls_chan_recv(ls_ctx_done(c), NULL));
	EXPECT_EQ(-ETIMEDOUT, ls_ctx_err(c));
	ls_ctx_release(c);
	ls_ctx_release(p);
}

TEST(timeout_cancelled_first)
{
	struct ls_ctx *c = ls_ctx_with_timeout(ls_ctx_background(), 10 * LS_MSEC);

	ASSERT_NOT_NULL(c);
	ls_ctx_cancel(c);
	EXPECT_EQ(-ECANCELED, ls_ctx_err(c));
	ls_sleep(20 * LS_MSEC);
	EXPECT_EQ(-ECANCELED, ls_ctx_err(c));	/* the timer was stopped */
	ls_ctx_release(c);
}

/* Cancelling a timeout stops its timer: blocking afterwards is a deadlock now. */
static void cancel_then_block(void *arg)
{
	struct ls_ctx *c = ls_ctx_with_timeout(ls_ctx_background(), 10 * LS_SEC);

	ls_ctx_release(c);
	ls_chan_recv(ls_chan_make(0, 0, "never"), NULL);
}

TEST_TIMEOUT(timeout_cancel_stops_timer, 10)
{
	struct th_result r;

	ASSERT_EQ(0, th_run_fn(cancel_then_block, NULL, 5, &r));
	EXPECT_FALSE(r.timed_out);
	EXPECT_EQ(2, r.status);
	EXPECT_CONTAINS(r.err, "fatal error: all goroutines are asleep - deadlock!");
	th_result_free(&r);
}

/*
 * One timer thread serves every timeout: no thread per context.  The first
 * timeout starts the timer thread; 99 more add none.  (Counted from the first
 * timeout on: a sanitizer may start a background thread of its own along
 * with the first thread of the process.)
 */
TEST(timeouts_share_one_thread)
{
	enum { N = 100 };
	struct ls_ctx *cs[N];
	int before = count_threads(), first;

	ASSERT_LT(0, before);
	cs[0] = ls_ctx_with_timeout(ls_ctx_background(), 10 * LS_SEC);
	ASSERT_NOT_NULL(cs[0]);
	first = count_threads();
	for (int i = 1; i < N; i++) {
		cs[i] = ls_ctx_with_timeout(ls_ctx_background(), 10 * LS_SEC + i);
		ASSERT_NOT_NULL(cs[i]);
	}
	EXPECT_EQ(first, count_threads());
	for (int i = 0; i < N; i++)
		ls_ctx_release(cs[i]);
	EXPECT_EQ(first, count_threads());
	TH_LOG("threads: %d before, %d with 1 and with %d timeouts", before, first, N);
}

/* ---- concurrent churn: creation, timers, cancels and releases racing ---- */

struct churn {
	struct ls_ctx	*root;
	int		started, done, bad;
};

static int churn_key;

static void churn(void *p)
{
	struct churn *ch = p;

	for (int i = 0; i < 500; i++) {
		struct ls_ctx *c = ls_ctx_with_cancel(ch->root);
		struct ls_ctx *t = ls_ctx_with_timeout(c, (i % 3) * 50 * LS_USEC);
		struct ls_ctx *v = ls_ctx_with_value(t, &churn_key, ch);

		if (!c || !t || !v)
			ls_panic("test: context allocation failed");
		if (ls_ctx_value(v, &churn_key) != ch)
			INC(&ch->bad);
		if (i == 10)
			INC(&ch->started);
		if (i % 2) {
			ls_ctx_release(c);	/* parent first */
			if (!ls_ctx_err(v))
				INC(&ch->bad);
			ls_ctx_release(t);
			ls_ctx_release(v);
		} else {
			ls_ctx_release(v);
			ls_ctx_release(t);
			ls_ctx_release(c);
		}
	}
	INC(&ch->done);
}

TEST_TIMEOUT(concurrent_churn, 60)
{
	enum { G = 4 };
	struct churn ch = { .root = ls_ctx_with_cancel(ls_ctx_background()) };

	ASSERT_NOT_NULL(ch.root);
	for (int i = 0; i < G; i++)
		go_or_die(churn, &ch, "churn");
	ASSERT_TRUE(POLL_UNTIL(LD(&ch.started) == G));
	ls_ctx_cancel(ch.root);		/* races with creations and releases */
	WAIT_DONE(&ch.done, G);
	EXPECT_EQ(0, LD(&ch.bad));
	ls_ctx_release(ch.root);
}

/* ---- Go's panics ---- */

static void nil_parent(void *arg)
{
	ls_ctx_with_cancel(NULL);
}

static void nil_key(void *arg)
{
	ls_ctx_with_value(ls_ctx_background(), NULL, NULL);
}

TEST(panic_nil_parent)
{
	struct th_result r;

	EXPECT_GO_DEATH(nil_parent, NULL, "panic: cannot create context from nil parent\n", &r);
	th_result_free(&r);
}

TEST(panic_nil_key)
{
	struct th_result r;

	EXPECT_GO_DEATH(nil_key, NULL, "panic: nil key\n", &r);
	th_result_free(&r);
}

/* ---- depth-first order, read back from the trace ---- */

#define SCENARIO_ENV	"PRIM_CONTEXT_SCENARIO"

/* Runs before main() when the test re-executes itself with the variable set. */
__attribute__((constructor))
static void scenario_child(void)
{
	const char *s = getenv(SCENARIO_ENV);
	struct tree t;

	if (!s)
		return;
	if (!strcmp(s, "tree")) {
		tree_build(&t);
		ls_ctx_cancel(t.root);
		tree_release(&t);
		_exit(0);
	}
	if (!strcmp(s, "timeout")) {
		struct ls_ctx *c = ls_ctx_with_timeout(ls_ctx_background(), LS_MSEC);

		ls_chan_recv(ls_ctx_done(c), NULL);	/* readied by the timer thread */
		ls_chan_recv(ls_chan_make(0, 0, "never"), NULL);
		_exit(0);	/* not reached: all goroutines are asleep */
	}
}

enum { MAXN = 64 };

struct node {
	uint64_t	addr, parent;
	int		kind;
};

static struct node *find(struct node *ns, int n, uint64_t addr)
{
	for (int i = 0; i < n; i++)
		if (ns[i].addr == addr)
			return &ns[i];
	return NULL;
}

/* The ancestor a node registers with: its nearest non-value ancestor. */
static uint64_t reg_parent(struct node *ns, int n, uint64_t addr)
{
	struct node *x = find(ns, n, addr);

	while (x && (x = find(ns, n, x->parent)) && x->kind == 3)
		;
	return x && x->kind != 0 ? x->addr : 0;
}

enum { MAXEV = 1 << 14 };
static struct ls_event ev[MAXEV];

/*
 * Re-run this binary with scenario and LOCKSTEP_TRACE set, its events going
 * to a fresh ring; returns how many events it left in ev[].  r is the child's
 * result (the caller frees it).
 */
static size_t run_traced(const char *scenario, struct th_result *r)
{
	char dir[] = "/tmp/prim_context.XXXXXX", ring_path[PATH_MAX],
	     env_trace[PATH_MAX + 32], env_scen[64], exe[PATH_MAX];
	const char *env[] = { env_trace, env_scen, NULL };
	char *argv[] = { exe, NULL };
	struct ls_ring *ring;
	ssize_t len;
	size_t got;

	memset(r, 0, sizeof(*r));
	ASSERT_NOT_NULL(mkdtemp(dir));
	snprintf(ring_path, sizeof(ring_path), "%s/ring", dir);
	snprintf(env_trace, sizeof(env_trace), "LOCKSTEP_TRACE=shm:%s", ring_path);
	snprintf(env_scen, sizeof(env_scen), SCENARIO_ENV "=%s", scenario);
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, len);
	exe[len] = '\0';
	ring = ls_ring_create(ring_path, MAXEV, LS_RING_BLOCK);
	ASSERT_NOT_NULL(ring);
	ASSERT_EQ(0, th_run_argv(argv, env, 20, r));
	got = ls_ring_read(ring, ev, MAXEV);
	ls_ring_close(ring);
	unlink(ring_path);
	rmdir(dir);
	return got;
}

TEST(cancel_is_depth_first)
{
	struct node ns[MAXN];
	uint64_t order[MAXN], stack[MAXN];
	int nn = 0, no = 0, sp = 0;
	struct th_result r;
	size_t got;

	got = run_traced("tree", &r);
	EXPECT_EQ(0, r.status);
	EXPECT_STREQ("", r.err);
	th_result_free(&r);

	for (size_t i = 0; i < got; i++) {
		if (ev[i].id == LS_EV_CTX_NEW && ev[i].args[1] != 0) {
			ASSERT_LT(nn, MAXN);
			ns[nn++] = (struct node){ .addr = ev[i].obj,
						  .parent = ev[i].args[0],
						  .kind = (int)ev[i].args[1] };
		} else if (ev[i].id == LS_EV_CTX_CANCEL) {
			ASSERT_LT(no, MAXN);
			order[no++] = ev[i].obj;
			/* cause: the ancestor it is registered with (0 for the root) */
			EXPECT_EQ(no == 1 ? 0 : reg_parent(ns, nn, ev[i].obj),
				  ev[i].args[2]);
			EXPECT_EQ((uint64_t)(int64_t)-ECANCELED, ev[i].args[0]);
		}
	}
	ASSERT_EQ(9, nn);		/* the tree, value node included */
	ASSERT_EQ(8, no);		/* every node but the value one, once */
	/*
	 * Pre-order: each node comes right after its registered parent's
	 * subtree started and before any node outside that subtree.
	 */
	for (int i = 0; i < no; i++) {
		uint64_t rp = reg_parent(ns, nn, order[i]);

		while (sp > 0 && stack[sp - 1] != rp)
			sp--;
		if (i > 0 && sp == 0)
			TH_LOG("node %d cancelled outside its parent's subtree", i);
		EXPECT_TRUE(i == 0 || sp > 0);
		stack[sp++] = order[i];
		for (int j = 0; j < i; j++)
			EXPECT_NE(order[j], order[i]);
	}
}

/*
 * With a tracer listening, the timer thread emits the timeout's events (as
 * goid 0: it is not a goroutine) and still does not count as one: once the
 * timeout has fired, main blocking for good is the all-asleep deadlock.
 */
TEST(timeout_traced_from_timer_thread)
{
	struct th_result r;
	bool cancel_seen = false;
	size_t got = run_traced("timeout", &r);

	EXPECT_FALSE(r.timed_out);
	EXPECT_EQ(2, r.status);
	EXPECT_CONTAINS(r.err, "fatal error: all goroutines are asleep - deadlock!");
	th_result_free(&r);
	for (size_t i = 0; i < got; i++) {
		if (ev[i].id == LS_EV_GO_CREATE)
			EXPECT_EQ(1, ev[i].obj);	/* only main, never the timer thread */
		if (ev[i].id != LS_EV_CTX_CANCEL)
			continue;
		cancel_seen = true;
		EXPECT_EQ(0, ev[i].goid);
		EXPECT_EQ((uint64_t)(int64_t)-ETIMEDOUT, ev[i].args[0]);
	}
	EXPECT_TRUE(cancel_seen);
}

TEST_HARNESS_MAIN
