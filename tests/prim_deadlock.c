// SPDX-License-Identifier: MIT
/*
 * prim_deadlock.c - sync primitives that deadlock die the way Go does:
 * "fatal error: all goroutines are asleep - deadlock!", a goroutine dump
 * in which every goroutine says what it waits on, in Go's words, and exit
 * status 2.
 *
 * Each scenario runs in a child and is forced into its deadlock with
 * explicit ordering (polling a primitive's state until the other goroutine
 * is committed to wait), never with sleeps.
 */
#include "harness.h"
#include "prim_util.h"

#define ALL_ASLEEP	"fatal error: all goroutines are asleep - deadlock!\n"

/* The dump line for reason must mention want (kind and name of the object). */
#define EXPECT_WAITING(r, reason, want) do {				\
	char _line[256] = "";						\
	bool _found = dump_line_for((r)->err, (reason), _line, sizeof(_line)); \
									\
	if (!_found || !strstr(_line, (want)))				\
		TH_LOG("want [%s] waiting on %s; stderr:\n%s", (reason),	\
		       (want), (r)->err ? (r)->err : "");		\
	EXPECT_TRUE(_found);						\
	EXPECT_TRUE(strstr(_line, (want)) != NULL);			\
} while (0)

/* ---- recursive read locking against a pending writer ---- */

static struct ls_rwmutex rw = LS_RWMUTEX_INIT("rw");

static void writer(void *arg)
{
	ls_rwmutex_lock(&rw);
	ls_panic("the writer got the lock");
}

static void recursive_rlock(void *arg)
{
	ls_set_name("reader");
	ls_rwmutex_rlock(&rw);
	go_or_die(writer, NULL, "writer");
	/* The writer announced itself: readerCount = 1 - 2^30. */
	if (!POLL_UNTIL(ls_rwmutex_reader_count(&rw) == 1 - LS_RWMUTEX_MAX_READERS))
		ls_panic("test: the writer never became pending");
	ls_rwmutex_rlock(&rw);	/* queued behind the writer: deadlock */
	ls_panic("the second RLock returned");
}

TEST(recursive_rlock_with_pending_writer)
{
	struct th_result r;

	EXPECT_GO_DEATH(recursive_rlock, NULL, ALL_ASLEEP, &r);
	EXPECT_WAITING(&r, "sync.RWMutex.RLock", "reader: waiting on sync.RWMutex \"rw\"");
	EXPECT_WAITING(&r, "sync.RWMutex.Lock", "writer: waiting on sync.RWMutex \"rw\"");
	th_result_free(&r);
}

/* ---- a second writer, queued on the writers' mutex, still says RWMutex ---- */

static struct ls_rwmutex rw2 = LS_RWMUTEX_INIT("rw2");

static void second_writer(void *arg)
{
	ls_rwmutex_lock(&rw2);
	ls_panic("the second writer got the lock");
}

static void writer_then_reader(void *arg)
{
	ls_rwmutex_lock(&rw2);
	go_or_die(second_writer, NULL, "writer2");
	if (!POLL_UNTIL(mutex_waiters(&rw2.w) == 1))
		ls_panic("test: the second writer never queued");
	ls_rwmutex_rlock(&rw2);	/* we hold the write lock: deadlock */
	ls_panic("RLock under our own write lock returned");
}

TEST(second_writer_waits_on_rwmutex)
{
	struct th_result r;

	EXPECT_GO_DEATH(writer_then_reader, NULL, ALL_ASLEEP, &r);
	EXPECT_WAITING(&r, "sync.RWMutex.Lock", "writer2: waiting on sync.RWMutex \"rw2\"");
	EXPECT_WAITING(&r, "sync.RWMutex.RLock", "waiting on sync.RWMutex \"rw2\"");
	EXPECT_TRUE(strstr(r.err ? r.err : "", "[sync.Mutex.Lock]") == NULL);
	th_result_free(&r);
}

/* ---- AB-BA ---- */

static struct ls_mutex a = LS_MUTEX_INIT("A"), b = LS_MUTEX_INIT("B");
static int b_held;

static void lock_b_then_a(void *arg)
{
	ls_mutex_lock(&b);
	ST(&b_held, 1);
	ls_mutex_lock(&a);
	ls_panic("got A");
}

static void ab_ba(void *arg)
{
	ls_set_name("ab");
	ls_mutex_lock(&a);
	go_or_die(lock_b_then_a, NULL, "ba");
	if (!POLL_UNTIL(LD(&b_held) && mutex_waiters(&a) == 1))
		ls_panic("test: the other goroutine never queued on A");
	ls_mutex_lock(&b);
	ls_panic("got B");
}

TEST(ab_ba_mutex_deadlock)
{
	struct th_result r;

	EXPECT_GO_DEATH(ab_ba, NULL, ALL_ASLEEP, &r);
	/* two [sync.Mutex.Lock] goroutines, one on each mutex */
	EXPECT_TRUE(strstr(r.err ? r.err : "", "ab: waiting on sync.Mutex \"B\"") != NULL);
	EXPECT_TRUE(strstr(r.err ? r.err : "", "ba: waiting on sync.Mutex \"A\"") != NULL);
	EXPECT_WAITING(&r, "sync.Mutex.Lock", "waiting on sync.Mutex");
	th_result_free(&r);
}

/* ---- WaitGroup.Wait that nothing will ever release ---- */

static void wait_forever(void *arg)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("pending");

	ls_set_name("waiter");
	ls_waitgroup_add(&wg, 1);
	ls_waitgroup_wait(&wg);
	ls_panic("Wait returned");
}

TEST(waitgroup_wait_forever)
{
	struct th_result r;

	EXPECT_GO_DEATH(wait_forever, NULL, ALL_ASLEEP, &r);
	EXPECT_WAITING(&r, "sync.WaitGroup.Wait", "waiter: waiting on sync.WaitGroup \"pending\"");
	th_result_free(&r);
}

/* ---- Cond.Wait with nobody left to Signal ---- */

static void cond_wait_forever(void *arg)
{
	static struct ls_mutex m = LS_MUTEX_INIT("m");
	static struct ls_cond c;

	ls_set_name("waiter");
	ls_cond_init(&c, &m, "ready");
	ls_mutex_lock(&m);
	ls_cond_wait(&c);
	ls_panic("Wait returned");
}

TEST(cond_wait_forever)
{
	struct th_result r;

	EXPECT_GO_DEATH(cond_wait_forever, NULL, ALL_ASLEEP, &r);
	EXPECT_WAITING(&r, "sync.Cond.Wait", "waiter: waiting on sync.Cond \"ready\"");
	th_result_free(&r);
}

TEST_HARNESS_MAIN
