// SPDX-License-Identifier: MIT
/*
 * prim_rwmutex.c - sync.RWMutex: Go's behavioural tests
 * (sync/rwmutex_test.go: TestParallelReaders, TestRWMutex with the hammer,
 * TestRLocker's ordering) and readerCount/readerWait while a writer waits.
 * The misuse fatals are in prim_mutex.c, with Go's TestMutexMisuse.
 */
#include "harness.h"
#include "prim_util.h"

#define MAX_READERS	LS_RWMUTEX_MAX_READERS

/* ---- TestParallelReaders ---- */

struct parallel {
	struct ls_rwmutex m;
	int locked, unlock, done;
};

static void parallel_reader(void *p)
{
	struct parallel *pr = p;

	ls_rwmutex_rlock(&pr->m);
	INC(&pr->locked);
	if (!POLL_UNTIL(LD(&pr->unlock)))
		ls_panic("test: never told to unlock");
	ls_rwmutex_runlock(&pr->m);
	INC(&pr->done);
}

/* Every reader must hold the read lock at the same time. */
static bool parallel_readers(int n)
{
	static struct parallel pr;

	pr = (struct parallel){ .m = LS_RWMUTEX_INIT("parallel") };
	for (int i = 0; i < n; i++)
		go_or_die(parallel_reader, &pr, "reader");
	if (!POLL_UNTIL(LD(&pr.locked) == n))
		return false;
	if (ls_rwmutex_reader_count(&pr.m) != n)
		return false;
	ST(&pr.unlock, 1);
	return POLL_UNTIL(LD(&pr.done) == n) && ls_rwmutex_reader_count(&pr.m) == 0;
}

TEST(parallel_readers)
{
	/* Go's (readers, GOMAXPROCS) = (1,4), (3,4), (4,2); threads here. */
	ASSERT_TRUE(parallel_readers(1));
	ASSERT_TRUE(parallel_readers(3));
	ASSERT_TRUE(parallel_readers(4));
}

/* ---- TestRWMutex ---- */

struct hammer {
	struct ls_rwmutex rwm;
	int activity;	/* readers inside + 10000 * writers inside */
	int iterations;
	int done;
	struct gate start;
};

static void spin_a_little(void)
{
	for (volatile int i = 0; i < 100; i++)
		;
}

static void hammer_reader(void *p)
{
	struct hammer *h = p;

	gate_arrive(&h->start);
	for (int i = 0; i < h->iterations; i++) {
		int n;

		ls_rwmutex_rlock(&h->rwm);
		n = INC(&h->activity);
		GO_CHECK(n >= 1 && n < 10000, "rlock(%d)", n);
		spin_a_little();
		DEC(&h->activity);
		ls_rwmutex_runlock(&h->rwm);
	}
	INC(&h->done);
}

static void hammer_writer(void *p)
{
	struct hammer *h = p;

	gate_arrive(&h->start);
	for (int i = 0; i < h->iterations; i++) {
		int n;

		ls_rwmutex_lock(&h->rwm);
		n = __atomic_add_fetch(&h->activity, 10000, __ATOMIC_SEQ_CST);
		GO_CHECK(n == 10000, "wlock(%d)", n);
		spin_a_little();
		__atomic_sub_fetch(&h->activity, 10000, __ATOMIC_SEQ_CST);
		ls_rwmutex_unlock(&h->rwm);
	}
	INC(&h->done);
}

static bool hammer_rwmutex(int readers, int iterations)
{
	static struct hammer h;
	int i;

	h = (struct hammer){ .iterations = iterations };
	go_or_die(hammer_writer, &h, "writer");
	for (i = 0; i < readers / 2; i++)
		go_or_die(hammer_reader, &h, "reader");
	go_or_die(hammer_writer, &h, "writer");
	for (; i < readers; i++)
		go_or_die(hammer_reader, &h, "reader");
	return gate_open(&h.start, 2 + readers) &&
	       POLL_UNTIL(LD(&h.done) == 2 + readers) &&
	       ls_rwmutex_reader_count(&h.rwm) == 0 &&
	       ls_rwmutex_reader_wait(&h.rwm) == 0 && LD(&h.activity) == 0;
}

TEST(rwmutex)
{
	struct ls_rwmutex m = LS_RWMUTEX_INIT("m");

	ls_rwmutex_lock(&m);
	ASSERT_FALSE(ls_rwmutex_trylock(&m)) TH_LOG("TryLock succeeded with mutex locked");
	ASSERT_FALSE(ls_rwmutex_tryrlock(&m)) TH_LOG("TryRLock succeeded with mutex locked");
	ls_rwmutex_unlock(&m);
	ASSERT_TRUE(ls_rwmutex_trylock(&m)) TH_LOG("TryLock failed with mutex unlocked");
	ls_rwmutex_unlock(&m);
	ASSERT_TRUE(ls_rwmutex_tryrlock(&m)) TH_LOG("TryRLock failed with mutex unlocked");
	ASSERT_TRUE(ls_rwmutex_tryrlock(&m)) TH_LOG("TryRLock failed with mutex rlocked");
	ASSERT_FALSE(ls_rwmutex_trylock(&m)) TH_LOG("TryLock succeeded with mutex rlocked");
	ls_rwmutex_runlock(&m);
	ls_rwmutex_runlock(&m);
	ASSERT_EQ(0, ls_rwmutex_reader_count(&m));
	ASSERT_EQ(0, ls_mutex_state(&m.w));

	/* Go's reader counts; GOMAXPROCS has no meaning for threads. */
	ASSERT_TRUE(hammer_rwmutex(1, 1000));
	ASSERT_TRUE(hammer_rwmutex(3, 1000));
	ASSERT_TRUE(hammer_rwmutex(10, 1000));
	ASSERT_TRUE(hammer_rwmutex(5, 1000));
}

/* ---- TestRLocker's ordering, with rlock/rlock/lock ---- */

struct rlocker {
	struct ls_rwmutex wl;
	int n;
	int rlocked, wlocked;	/* "channels" of capacity 1: counts */
	int done;
};

static void rlocker_goroutine(void *p)
{
	struct rlocker *r = p;

	for (int i = 0; i < r->n; i++) {
		ls_rwmutex_rlock(&r->wl);
		ls_rwmutex_rlock(&r->wl);
		INC(&r->rlocked);
		ls_rwmutex_lock(&r->wl);
		INC(&r->wlocked);
	}
	INC(&r->done);
}

TEST(rlock_rlock_lock_ordering)
{
	static struct rlocker r = { .wl = LS_RWMUTEX_INIT("wl"), .n = 10 };

	go_or_die(rlocker_goroutine, &r, "rlocker");
	for (int i = 0; i < r.n; i++) {
		ASSERT_TRUE(POLL_UNTIL(LD(&r.rlocked) == 1));
		DEC(&r.rlocked);
		ls_rwmutex_runlock(&r.wl);
		/* The writer is pending and one reader is still inside. */
		/* (the writer updates the two counts in two steps: wait for both) */
		ASSERT_TRUE(POLL_UNTIL(ls_rwmutex_reader_count(&r.wl) == 1 - MAX_READERS &&
				       ls_rwmutex_reader_wait(&r.wl) == 1));
		ASSERT_EQ(0, LD(&r.wlocked)) TH_LOG("the write lock ignored a reader");
		ls_rwmutex_runlock(&r.wl);
		ASSERT_TRUE(POLL_UNTIL(LD(&r.wlocked) == 1));
		DEC(&r.wlocked);
		if (i < r.n - 1) {
			/* Its next RLock is queued behind the write lock. */
			ASSERT_TRUE(POLL_UNTIL(ls_rwmutex_reader_count(&r.wl) ==
					       1 - MAX_READERS));
			ASSERT_EQ(0, LD(&r.rlocked)) TH_LOG("RLock ignored the write lock");
		}
		ls_rwmutex_unlock(&r.wl);
	}
	ASSERT_TRUE(POLL_UNTIL(LD(&r.done) == 1));
	ASSERT_EQ(0, ls_rwmutex_reader_count(&r.wl));
}

/* ---- readerCount while a writer is pending ---- */

struct pending {
	struct ls_rwmutex rw;
	int seq;		/* order of acquisitions */
	int writer_at, reader_at;
	int done;
};

static void pending_writer(void *p)
{
	struct pending *pd = p;

	ls_rwmutex_lock(&pd->rw);
	ST(&pd->writer_at, INC(&pd->seq));
	ls_rwmutex_unlock(&pd->rw);
	INC(&pd->done);
}

static void late_reader(void *p)
{
	struct pending *pd = p;

	ls_rwmutex_rlock(&pd->rw);
	ST(&pd->reader_at, INC(&pd->seq));
	ls_rwmutex_runlock(&pd->rw);
	INC(&pd->done);
}

TEST(reader_count_with_writer_pending)
{
	static struct pending pd = { .rw = LS_RWMUTEX_INIT("rw") };
	const int readers = 3;

	for (int i = 0; i < readers; i++)
		ls_rwmutex_rlock(&pd.rw);
	ASSERT_EQ(readers, ls_rwmutex_reader_count(&pd.rw));

	go_or_die(pending_writer, &pd, "writer");
	ASSERT_TRUE(POLL_UNTIL(ls_rwmutex_reader_count(&pd.rw) == readers - MAX_READERS));
	ASSERT_TRUE(POLL_UNTIL(ls_rwmutex_reader_wait(&pd.rw) == readers));
	ASSERT_FALSE(ls_rwmutex_tryrlock(&pd.rw));
	ASSERT_FALSE(ls_rwmutex_trylock(&pd.rw));

	/* Writer preference: a new reader queues behind the writer. */
	go_or_die(late_reader, &pd, "late reader");
	ASSERT_TRUE(POLL_UNTIL(ls_rwmutex_reader_count(&pd.rw) ==
			       readers + 1 - MAX_READERS));

	for (int i = 0; i < readers; i++) {
		ASSERT_EQ(0, LD(&pd.writer_at));
		ls_rwmutex_runlock(&pd.rw);
	}
	ASSERT_TRUE(POLL_UNTIL(LD(&pd.done) == 2));
	ASSERT_EQ(1, LD(&pd.writer_at));
	ASSERT_EQ(2, LD(&pd.reader_at));
	ASSERT_EQ(0, ls_rwmutex_reader_count(&pd.rw));
	ASSERT_EQ(0, ls_rwmutex_reader_wait(&pd.rw));
}

TEST(rwmutex_init)
{
	struct ls_rwmutex rw;

	memset(&rw, 0xff, sizeof(rw));
	ls_rwmutex_init(&rw, "named");
	ASSERT_STREQ("named", rw.on.name);
	ASSERT_STREQ("named", rw.w.on.name);
	ASSERT_EQ(0, ls_rwmutex_reader_count(&rw));
	ASSERT_TRUE((void *)&rw.w != (void *)&rw);
	ls_rwmutex_lock(&rw);
	ASSERT_EQ(-MAX_READERS, ls_rwmutex_reader_count(&rw));
	ASSERT_EQ(LS_MUTEX_LOCKED, ls_mutex_state(&rw.w));
	ls_rwmutex_unlock(&rw);
	ASSERT_EQ(0, ls_rwmutex_reader_count(&rw));
}

TEST_HARNESS_MAIN
