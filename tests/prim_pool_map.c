// SPDX-License-Identifier: MIT
/*
 * prim_pool_map.c - sync.Pool and sync.Map.
 *
 *   pool  Go's pool_test.go TestPool (private slot, shared list, victim
 *         cache across one collection, dropped by the second) and
 *         TestPoolNew; drop_fn sees every dropped object exactly once;
 *         stealing; a lock-free dequeue hammer (every object comes out
 *         exactly once while stealers race the owner); ls_pool_gc racing
 *         Gets and Puts.
 *   map   Load/Store/LoadOrStore/LoadAndDelete/Range semantics; the
 *         read/dirty machinery step by step (misses, promotion when misses
 *         reach len(dirty), expunged entries left out of a new dirty map);
 *         Go's map_test.go TestConcurrentRange.
 */
#include <stdint.h>
#include <stdlib.h>

#include "harness.h"
#include "prim_util.h"

#define P(x)	((void *)(uintptr_t)(x))
#define I(p)	((int)(uintptr_t)(p))

/* ================= sync.Pool ================= */

struct drops {
	int n;
	void *last;
};

static void count_drop(void *obj, void *arg)
{
	struct drops *d = arg;

	INC(&d->n);
	d->last = obj;
}

TEST(pool_victim_survives_one_gc)
{
	struct drops d = { 0 };
	struct ls_pool *p = ls_pool_new(NULL, count_drop, &d, "pool");

	EXPECT_NULL(ls_pool_get(p));
	ls_pool_put(p, "a");		/* private */
	ls_pool_put(p, "b");		/* shared (pushHead) */
	EXPECT_STREQ("a", (char *)ls_pool_get(p));
	EXPECT_STREQ("b", (char *)ls_pool_get(p));
	EXPECT_NULL(ls_pool_get(p));

	/* Spill into the shared chain, past its first ring of 8. */
	for (int i = 0; i < 100; i++)
		ls_pool_put(p, "c");
	ls_pool_gc();			/* primary -> victim */
	EXPECT_EQ(0, LD(&d.n));
	EXPECT_STREQ("c", (char *)ls_pool_get(p)) TH_LOG("want c from the victim cache");
	ls_pool_gc();			/* victim dropped */
	EXPECT_NULL(ls_pool_get(p)) TH_LOG("want nil after the second gc");
	EXPECT_EQ(99, LD(&d.n));
	ls_pool_free(p);
}

static void *counter_new(void *arg)
{
	return P(INC((int *)arg));
}

TEST(pool_new)
{
	int i = 0;
	struct ls_pool *p = ls_pool_new(counter_new, NULL, &i, "pool");

	EXPECT_EQ(1, I(ls_pool_get(p)));
	EXPECT_EQ(2, I(ls_pool_get(p)));
	ls_pool_put(p, P(42));
	EXPECT_EQ(42, I(ls_pool_get(p)));
	EXPECT_EQ(3, I(ls_pool_get(p)));
	ls_pool_put(p, NULL);		/* ignored, as Put(nil) */
	EXPECT_EQ(4, I(ls_pool_get(p)));
	ls_pool_free(p);
}

TEST(pool_free_drops_everything)
{
	struct drops d = { 0 };
	struct ls_pool *p = ls_pool_new(NULL, count_drop, &d, "pool");

	for (int i = 1; i <= 20; i++)
		ls_pool_put(p, P(i));
	ls_pool_gc();
	for (int i = 21; i <= 30; i++)
		ls_pool_put(p, P(i));
	ls_pool_free(p);	/* 20 in the victim, 10 in the primary */
	EXPECT_EQ(30, LD(&d.n));
}

struct steal {
	struct ls_pool *p;
	int got[64];
	int n, done;
};

static void stealer(void *arg)
{
	struct steal *s = arg;
	void *x;

	while ((x = ls_pool_get(s->p)))
		s->got[s->n++] = I(x);
	ST(&s->done, 1);
}

/* Objects Put by one thread are found by another (popTail on its chain). */
TEST(pool_steal)
{
	struct steal s = { ls_pool_new(NULL, NULL, NULL, "pool") };
	int seen[41] = { 0 };

	for (int i = 1; i <= 40; i++)
		ls_pool_put(s.p, P(i));
	go_or_die(stealer, &s, "stealer");
	ASSERT_TRUE(POLL_UNTIL(LD(&s.done)));
	/* Everything but our private slot can be stolen. */
	EXPECT_EQ(39, s.n);
	for (int i = 0; i < s.n; i++)
		seen[s.got[i]]++;
	for (int i = 2; i <= 40; i++)
		EXPECT_EQ(1, seen[i]) TH_LOG("object %d", i);
	/* FIFO at the tail: the oldest shared object is stolen first. */
	EXPECT_EQ(2, s.got[0]);
	EXPECT_EQ(1, I(ls_pool_get(s.p)));
	ls_pool_free(s.p);
}

#define HAMMER_N	20000
#define STEALERS	3

struct hammer {
	struct ls_pool *p;
	unsigned char seen[HAMMER_N + 1];	/* counted atomically */
	int owner_done, stealers_done;
	struct gate gate;
};

static void take(struct hammer *h, void *x)
{
	int i = I(x);

	GO_CHECK(i >= 1 && i <= HAMMER_N, "bogus object %d", i);
	GO_CHECK(__atomic_add_fetch(&h->seen[i], 1, __ATOMIC_SEQ_CST) == 1,
		 "object %d came out twice", i);
}

static void hammer_stealer(void *arg)
{
	struct hammer *h = arg;

	gate_arrive(&h->gate);
	while (!LD(&h->owner_done)) {
		void *x = ls_pool_get(h->p);

		if (x)
			take(h, x);
		else
			ls_gosched();
	}
	INC(&h->stealers_done);
}

/*
 * The owner pushes and pops at the head of its chain while stealers pop at
 * the tail: every object must come out exactly once.
 */
TEST(pool_dequeue_hammer)
{
	static struct hammer h;
	void *x;

	h.p = ls_pool_new(NULL, NULL, NULL, "pool");
	for (int i = 0; i < STEALERS; i++)
		go_or_die(hammer_stealer, &h, "stealer");
	ASSERT_TRUE(gate_open(&h.gate, STEALERS));
	for (int i = 1; i <= HAMMER_N; i++) {
		ls_pool_put(h.p, P(i));
		if (i % 3 == 0 && (x = ls_pool_get(h.p)))
			take(&h, x);
	}
	ST(&h.owner_done, 1);
	ASSERT_TRUE(POLL_UNTIL(LD(&h.stealers_done) == STEALERS));
	while ((x = ls_pool_get(h.p)))
		take(&h, x);
	for (int i = 1; i <= HAMMER_N; i++)
		ASSERT_EQ(1, h.seen[i]) TH_LOG("object %d", i);
	ls_pool_free(h.p);
}

struct gc_race {
	struct ls_pool *p;
	int stop, workers_done, live;
};

static void *obj_new(void *arg)
{
	INC(&((struct gc_race *)arg)->live);
	return malloc(16);
}

static void obj_drop(void *obj, void *arg)
{
	DEC(&((struct gc_race *)arg)->live);
	free(obj);
}

static void gc_worker(void *arg)
{
	struct gc_race *r = arg;

	while (!LD(&r->stop)) {
		void *a = ls_pool_get(r->p), *b = ls_pool_get(r->p);

		memset(a, 0xa5, 16);	/* ours alone: ASan/TSan would see otherwise */
		memset(b, 0x5a, 16);
		ls_pool_put(r->p, a);
		ls_pool_put(r->p, b);
	}
	INC(&r->workers_done);
}

/* Collections stop the world while Gets and Puts run; nothing is lost. */
TEST(pool_gc_races_get_put)
{
	static struct gc_race r;
	const int workers = 3;
	int held;

	r.p = ls_pool_new(obj_new, obj_drop, &r, "pool");
	for (int i = 0; i < workers; i++)
		go_or_die(gc_worker, &r, "worker");
	for (int i = 0; i < 200; i++) {
		ls_pool_gc();
		ls_sleep(100 * LS_USEC);
	}
	ST(&r.stop, 1);
	ASSERT_TRUE(POLL_UNTIL(LD(&r.workers_done) == workers));
	held = LD(&r.live);
	EXPECT_LT(0, held);
	ls_pool_free(r.p);
	EXPECT_EQ(0, LD(&r.live)) TH_LOG("every object made by New is dropped exactly once");
}

/* ================= sync.Map ================= */

TEST(map_basic)
{
	struct ls_syncmap *m = ls_syncmap_new("m");
	void *v = P(1), *act;

	EXPECT_FALSE(ls_syncmap_load(m, "a", &v));
	ls_syncmap_store(m, "a", P(10));
	ASSERT_TRUE(ls_syncmap_load(m, "a", &v));
	EXPECT_EQ(10, I(v));
	ls_syncmap_store(m, "a", P(11));
	ASSERT_TRUE(ls_syncmap_load(m, "a", &v));
	EXPECT_EQ(11, I(v));

	EXPECT_TRUE(ls_syncmap_load_or_store(m, "a", P(99), &act));
	EXPECT_EQ(11, I(act));
	EXPECT_FALSE(ls_syncmap_load_or_store(m, "b", P(20), &act));
	EXPECT_EQ(20, I(act));

	/* NULL is a value like any other. */
	ls_syncmap_store(m, "nil", NULL);
	v = P(1);
	EXPECT_TRUE(ls_syncmap_load(m, "nil", &v));
	EXPECT_NULL(v);

	EXPECT_TRUE(ls_syncmap_load_and_delete(m, "a", &v));
	EXPECT_EQ(11, I(v));
	EXPECT_FALSE(ls_syncmap_load(m, "a", &v));
	EXPECT_FALSE(ls_syncmap_load_and_delete(m, "a", &v));
	ls_syncmap_delete(m, "b");
	EXPECT_FALSE(ls_syncmap_load(m, "b", &v));
	/* A deleted key can come back. */
	EXPECT_FALSE(ls_syncmap_load_or_store(m, "a", P(12), &act));
	ASSERT_TRUE(ls_syncmap_load(m, "a", &v));
	EXPECT_EQ(12, I(v));
	ls_syncmap_free(m);
}

struct collect {
	int n, sum, stop_after;
};

static bool collect(const char *key, void *val, void *arg)
{
	struct collect *c = arg;

	c->n++;
	c->sum += I(val);
	return c->n != c->stop_after;
}

TEST(map_range)
{
	struct ls_syncmap *m = ls_syncmap_new("m");
	struct collect c = { 0 };
	char key[16];

	for (int i = 1; i <= 10; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		ls_syncmap_store(m, key, P(i));
	}
	ls_syncmap_delete(m, "k10");
	ls_syncmap_range(m, collect, &c);
	EXPECT_EQ(9, c.n);
	EXPECT_EQ(45, c.sum);
	c = (struct collect){ .stop_after = 3 };
	ls_syncmap_range(m, collect, &c);
	EXPECT_EQ(3, c.n) TH_LOG("returning false stops Range");
	ls_syncmap_free(m);
}

#define EXPECT_STATS(m, rl, am, dl, mi) do {				\
	struct ls_syncmap_stats _s;					\
	ls_syncmap_stats((m), &_s);					\
	EXPECT_EQ((size_t)(rl), _s.read_len);				\
	EXPECT_EQ((am), _s.amended);					\
	EXPECT_EQ((size_t)(dl), _s.dirty_len);				\
	EXPECT_EQ((mi), _s.misses);					\
} while (0)

TEST(map_promotion_after_misses)
{
	struct ls_syncmap *m = ls_syncmap_new("m");
	void *v;

	/* New keys go to the dirty map; read is marked amended. */
	ls_syncmap_store(m, "a", P(1));
	ls_syncmap_store(m, "b", P(2));
	ls_syncmap_store(m, "c", P(3));
	EXPECT_STATS(m, 0, true, 3, 0);

	/* Each Load that misses read and finds the key in dirty is a miss. */
	EXPECT_TRUE(ls_syncmap_load(m, "a", &v));
	EXPECT_STATS(m, 0, true, 3, 1);
	EXPECT_TRUE(ls_syncmap_load(m, "b", &v));
	EXPECT_STATS(m, 0, true, 3, 2);
	/* The third miss reaches len(dirty): dirty becomes read. */
	EXPECT_TRUE(ls_syncmap_load(m, "c", &v));
	EXPECT_STATS(m, 3, false, 0, 0);
	/* Now loads hit read and cost no miss. */
	EXPECT_TRUE(ls_syncmap_load(m, "a", &v));
	EXPECT_EQ(1, I(v));
	EXPECT_STATS(m, 3, false, 0, 0);
	/* Updating a key in read needs no dirty map. */
	ls_syncmap_store(m, "a", P(4));
	EXPECT_STATS(m, 3, false, 0, 0);

	/* A deleted read key is expunged when the next dirty map is built:
	 * it is left out of dirty. */
	ls_syncmap_delete(m, "b");
	ls_syncmap_store(m, "d", P(5));
	EXPECT_STATS(m, 3, true, 3, 0);		/* a, c, d */
	/* Storing the expunged key again puts it back into dirty. */
	ls_syncmap_store(m, "b", P(6));
	EXPECT_STATS(m, 3, true, 4, 0);
	/* A miss on a key in neither map counts too. */
	EXPECT_FALSE(ls_syncmap_load(m, "zz", &v));
	EXPECT_STATS(m, 3, true, 4, 1);
	/* Range promotes at once. */
	ls_syncmap_range(m, collect, &(struct collect){ 0 });
	EXPECT_STATS(m, 4, false, 0, 0);
	EXPECT_TRUE(ls_syncmap_load(m, "b", &v));
	EXPECT_EQ(6, I(v));
	EXPECT_TRUE(ls_syncmap_load(m, "d", &v));
	EXPECT_EQ(5, I(v));
	ls_syncmap_free(m);
}

#define MAP_SIZE	256

struct crange {
	struct ls_syncmap *m;
	int stop, done;
	int64_t g;
};

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void crange_worker(void *arg)
{
	struct crange *c = arg;
	uint64_t seed = (uint64_t)c->g * 0x9e3779b97f4a7c15ULL + 1;
	char key[16];

	for (int64_t i = 0; !LD(&c->stop); i++) {
		for (int n = 1; n <= MAP_SIZE; n++) {
			snprintf(key, sizeof(key), "%d", n);
			if (xorshift(&seed) % MAP_SIZE == 0)
				ls_syncmap_store(c->m, key, P((int64_t)n * (i % 64 + 1) * c->g));
			else
				ls_syncmap_load(c->m, key, NULL);
		}
	}
	INC(&c->done);
}

struct seen {
	unsigned char seen[MAP_SIZE + 1];
	int n, bad;
};

static bool check_multiple(const char *key, void *val, void *arg)
{
	struct seen *s = arg;
	int k = atoi(key);

	if (k < 1 || k > MAP_SIZE || (uintptr_t)val % k || s->seen[k]++)
		s->bad++;
	s->n++;
	return true;
}

/* Range sees every key exactly once while others Load and Store. */
TEST(map_concurrent_range)
{
	static struct crange c[3];
	struct ls_syncmap *m = ls_syncmap_new("m");
	int done = 0;
	char key[16];

	for (int n = 1; n <= MAP_SIZE; n++) {
		snprintf(key, sizeof(key), "%d", n);
		ls_syncmap_store(m, key, P(n));
	}
	for (int g = 0; g < 3; g++) {
		c[g] = (struct crange){ .m = m, .g = g + 1 };
		go_or_die(crange_worker, &c[g], "worker");
	}
	for (int it = 0; it < 64; it++) {
		struct seen s = { 0 };

		ls_syncmap_range(m, check_multiple, &s);
		ASSERT_EQ(0, s.bad) TH_LOG("a value that is not a multiple of its key, or a key twice");
		ASSERT_EQ(MAP_SIZE, s.n);
	}
	for (int g = 0; g < 3; g++)
		ST(&c[g].stop, 1);
	for (int g = 0; g < 3; g++)
		done += POLL_UNTIL(LD(&c[g].done) == 1);
	ASSERT_EQ(3, done);
	ls_syncmap_free(m);
}

struct churn {
	struct ls_syncmap *m;
	int id, done;
};

static void churn_worker(void *arg)
{
	struct churn *c = arg;
	char key[32];
	void *v;

	for (int i = 0; i < 3000; i++) {
		int k = i % 50;

		if (k % 2)
			snprintf(key, sizeof(key), "shared%d", k);
		else
			snprintf(key, sizeof(key), "own%d-%d", c->id, k);
		switch (i % 5) {
		case 0:
		case 1:
			ls_syncmap_store(c->m, key, P(i + 1));
			break;
		case 2:
			if (ls_syncmap_load(c->m, key, &v))
				GO_CHECK(v != NULL, "loaded a NULL never stored");
			break;
		case 3:
			ls_syncmap_load_or_store(c->m, key, P(7), &v);
			break;
		default:
			ls_syncmap_delete(c->m, key);
		}
	}
	INC(&c->done);
}

/* Stores, loads, deletes and promotions from several goroutines. */
TEST(map_churn)
{
	static struct churn c[4];
	struct ls_syncmap *m = ls_syncmap_new("m");
	int done = 0;

	for (int i = 0; i < 4; i++) {
		c[i] = (struct churn){ .m = m, .id = i };
		go_or_die(churn_worker, &c[i], "churn");
	}
	for (int i = 0; i < 4; i++)
		done += POLL_UNTIL(LD(&c[i].done) == 1);
	ASSERT_EQ(4, done);
	ls_syncmap_free(m);
}

TEST_HARNESS_MAIN
