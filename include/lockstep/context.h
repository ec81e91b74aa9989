/* SPDX-License-Identifier: MIT */
/*
 * context.h - the context tree (src/context/context.go).
 */
#ifndef LOCKSTEP_CONTEXT_H
#define LOCKSTEP_CONTEXT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ls_chan;
struct ls_ctx;

struct ls_ctx	*ls_ctx_background(void);
struct ls_ctx	*ls_ctx_with_cancel(struct ls_ctx *parent);
struct ls_ctx	*ls_ctx_with_timeout(struct ls_ctx *parent, int64_t ns);
struct ls_ctx	*ls_ctx_with_value(struct ls_ctx *parent, const void *key, void *val);
void		 ls_ctx_cancel(struct ls_ctx *ctx);
struct ls_chan	*ls_ctx_done(struct ls_ctx *ctx);	/* NULL for background */
int		 ls_ctx_err(struct ls_ctx *ctx);	/* 0, -ECANCELED, -ETIMEDOUT */
void		*ls_ctx_value(struct ls_ctx *ctx, const void *key);
void		 ls_ctx_release(struct ls_ctx *ctx);	/* cancel, drop reference */

#ifdef __cplusplus
}
#endif
#endif /* LOCKSTEP_CONTEXT_H */
