/* SPDX-License-Identifier: MIT */
/*
 * chan.h - channels and select (src/runtime/chan.go, select.go).
 */
#ifndef LOCKSTEP_CHAN_H
#define LOCKSTEP_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ls_chan;

/*
 * NULL and errno set on error: EINVAL when elem_size is 64 KiB or more (Go
 * refuses such element types) or elem_size * cap overflows (Go's "makechan:
 * size out of range"), ENOMEM.  elem_size 0 is allowed (chan struct{}).
 * Values are copied in and out by elem_size bytes; a NULL value pointer
 * sends the zero value, a NULL receive buffer drops the value.
 */
struct ls_chan *ls_chan_make(size_t elem_size, size_t cap, const char *name);
void	ls_chan_send(struct ls_chan *c, const void *elem);	/* NULL c: blocks forever */
bool	ls_chan_recv(struct ls_chan *c, void *elem);	/* false: closed and drained */
bool	ls_chan_trysend(struct ls_chan *c, const void *elem);
bool	ls_chan_tryrecv(struct ls_chan *c, void *elem, bool *ok);
void	ls_chan_close(struct ls_chan *c);
size_t	ls_chan_len(const struct ls_chan *c);
size_t	ls_chan_cap(const struct ls_chan *c);
void	ls_chan_free(struct ls_chan *c);	/* once nobody is using it */

enum ls_dir { LS_SEND, LS_RECV };
/*
 * Extra, not in API.md's fixed list: how many goroutines are queued on c to
 * send (LS_SEND) or to receive (LS_RECV), blocked selects included (one per
 * case).  A snapshot, for tests and tools, like ls_mutex_state.  0 for NULL.
 */
size_t	ls_chan_waiters(const struct ls_chan *c, enum ls_dir dir);

struct ls_case {
	struct ls_chan	*ch;	/* NULL: this case never fires */
	enum ls_dir	dir;
	void		*elem;	/* value to send, or buffer to receive into */
	bool		ok;	/* RECV case that fired: false if closed */
};
/* Index of the case that fired; -1 only when !block and none was ready. */
int	ls_select(struct ls_case *cases, int ncases, bool block);

/*
 * time.After: a channel of int64_t (ls_now() at fire), cap 1, fed after ns
 * by the runtime's timer thread.  While the timer is pending, a goroutine
 * waiting on it is not a deadlock.  Receive only, like Go's <-chan Time: do
 * not send on it or close it.  ls_chan_free may be called on it at any time,
 * fired or not (an unfired timer is stopped).  NULL with errno on error.
 */
struct ls_chan *ls_after(int64_t ns);

#ifdef __cplusplus
}
#endif
#endif /* LOCKSTEP_CHAN_H */
