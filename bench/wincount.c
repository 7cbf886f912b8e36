// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * wincount.c - instructions of the cursor and the per-thread set on
 * Windows, where callgrind cannot name the functions of a PE binary.
 *
 * Built with mingw-w64 and run under valgrind --tool=callgrind
 * --instr-atstart=no inside wine by scripts/bench.sh: callgrind counts
 * only between the client requests around one loop of N calls of the
 * noinline wrapper named by the argument (the same wrappers and W1 sizes
 * as bench.c's --callgrind). "none" is the loop with an empty wrapper, so
 * (X - none) / N is what X's call costs beyond a call that does nothing.
 *
 *   wine alba-wincount.exe none|cursor|pcpu N
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/callgrind.h>

#include "alba.h"

#define noinline	__attribute__((noinline))

static inline size_t obj_size(size_t i)
{
	return 8 + i % 57;
}

noinline void *wincount_none(void *ctx, size_t size)
{
	__asm__ volatile("" : : "r"(size));
	return ctx;
}

noinline void *wincount_cursor(void *ctx, size_t size)
{
	return alba_cursor_alloc(ctx, size, 8, 0);
}

noinline void *wincount_pcpu(void *ctx, size_t size)
{
	return alba_pcpu_alloc(ctx, size, 8, 0);
}

int main(int argc, char **argv)
{
	void *(*one)(void *, size_t);
	struct alba_cursor cur;
	struct alba_pcpu *pc;
	struct alba *arena;
	static char none[64];
	size_t i, n;
	void *ctx;

	if (argc != 3)
		return 2;
	n = strtoul(argv[2], NULL, 0);
	/* Blocks and chunks larger than the loop takes: no refill in it. */
	arena = alba_create("wincount", (size_t)64 << 20, 0);
	if (!arena)
		return 1;
	alba_cursor_init(&cur, arena, (size_t)16 << 20);
	pc = alba_pcpu_create(arena, (size_t)16 << 20, 0);
	if (!pc)
		return 1;
	if (!strcmp(argv[1], "cursor")) {
		one = wincount_cursor;
		ctx = &cur;
	} else if (!strcmp(argv[1], "pcpu")) {
		one = wincount_pcpu;
		ctx = pc;
	} else {
		one = wincount_none;
		ctx = none;
	}
	*(char *)one(ctx, 8) = 1;	/* the chunk taken, the entry set */
	CALLGRIND_START_INSTRUMENTATION;
	for (i = 0; i < n; i++)
		*(char *)one(ctx, obj_size(i)) = 1;
	CALLGRIND_STOP_INSTRUMENTATION;
	alba_pcpu_destroy(pc);
	alba_cursor_fini(&cur);
	alba_destroy(arena);
	return 0;
}
