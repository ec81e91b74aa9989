// SPDX-License-Identifier: MIT
/*
 * impl-lockstep.c - liblockstep's workers are goroutines (ls_go), so that
 * the runtime knows them from their first instruction, as in a real program.
 */
#include <lockstep/runtime.h>

#include "bench.h"

#ifdef BENCH_NOPROBES
const char bench_impl_name[] = "lockstep-noprobes";
#else
const char bench_impl_name[] = "lockstep";
#endif

int bench_go(void (*fn)(void *arg), void *arg)
{
	return ls_go(fn, arg, "bench-worker");
}
