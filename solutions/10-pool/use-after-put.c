// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       10-pool/use-after-put
 * chapter:  10
 * lesson:   10-pool
 * title:    A buffer written after it went back to the pool
 * kind:     fix
 * verdict:  race
 * achieve:  Finish every write to a buffer before handing it back to the pool.
 * hint:     Put gives the buffer away: from then on another goroutine may be
 *           handed the very same memory by Get.
 * hint:     Follow body->len in the trace: who writes it, and in what order
 *           relative to POOL_PUT and POOL_GET?
 * hint:     Move the trailer line above the two ls_pool_put calls.
 */
/*
 * Solution: handler-1 finishes with the body before it returns it.  After
 * ls_pool_put the buffer belongs to the pool; handler-2 may get it, and
 * everything handler-1 wrote is ordered before handler-2 starts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <lockstep/lockstep.h>

struct buf {
	int64_t	len;
	char	data[256];
};

static struct ls_pool *pool;
static struct ls_chan *first_done;	/* closed when handler-1 is done */
static struct ls_chan *second_done;	/* closed when handler-2 is done */
static int64_t second_len;

static void *new_buf(void *arg)
{
	return calloc(1, sizeof(struct buf));
}

static void free_buf(void *obj, void *arg)
{
	free(obj);
}

static void handler1(void *arg)
{
	struct buf *hdr = ls_pool_get(pool), *body = ls_pool_get(pool);

	ls_store(&hdr->len, 12, "hdr.len");
	ls_store(&body->len, 200, "body.len");
	printf("handler-1: response %lld + %lld bytes\n",
	       (long long)hdr->len, (long long)body->len);
	ls_store(&body->len, ls_load(&body->len, "body.len") + 1, "body.len");

	ls_pool_put(pool, hdr);
	ls_pool_put(pool, body);
	ls_chan_close(first_done);
	ls_chan_recv(second_done, NULL);	/* stay up for the next request */
}

static void handler2(void *arg)
{
	struct buf *b;

	ls_chan_recv(first_done, NULL);
	b = ls_pool_get(pool);
	ls_store(&b->len, 50, "buf.len");
	second_len = ls_load(&b->len, "buf.len");
	printf("handler-2: response %lld bytes\n", (long long)second_len);
	ls_pool_put(pool, b);
	ls_chan_close(second_done);
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	pool = ls_pool_new(new_buf, free_buf, NULL, "buffers");
	first_done = ls_chan_make(0, 0, "first_done");
	second_done = ls_chan_make(0, 0, "second_done");
	ls_waitgroup_go(&wg, handler2, NULL, "handler-2");
	ls_waitgroup_go(&wg, handler1, NULL, "handler-1");
	ls_waitgroup_wait(&wg);
	ls_pool_free(pool);
	ls_chan_free(first_done);
	ls_chan_free(second_done);
	if (second_len != 50) {
		fprintf(stderr, "FAIL: handler-2's response was overwritten\n");
		return 1;
	}
	return 0;
}
