// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ASan sees alba's objects: free space in blocks is poisoned, exactly what
 * alba_alloc(), a cursor or a per-thread set returns is unpoisoned (a
 * cursor's chunk is not unpoisoned whole), and reset and rewind poison
 * again.
 * Each mode does one thing; scripts/asan-check.sh runs every mode in its
 * own process and expects ASan to report the bad ones and to stay quiet
 * for "in-bounds".
 *
 *   alba_asan in-bounds|overflow|after-reset|after-rewind|after-destroy|
 *             cursor-overflow|cursor-gap|pcpu-overflow
 */
#include <stdio.h>
#include <string.h>

#include "alba.h"

/* Give the chunks back: reset, rewind and destroy need that. */
static void quiet(struct alba_cursor *cur, struct alba_pcpu **pc)
{
	alba_cursor_fini(cur);
	alba_pcpu_destroy(*pc);
	*pc = NULL;
}

int main(int argc, char **argv)
{
	struct alba *arena = alba_create("asan", 0, 0);
	volatile char *p, *q, *c1, *c2, *t;
	struct alba_cursor cur;
	struct alba_pcpu *pc;
	struct alba_mark m;

	if (argc != 2 || !arena)
		return 2;
	p = alba_alloc(arena, 20, 8, 0);
	m = alba_mark(arena);
	q = alba_alloc(arena, 100, 8, 0);
	if (!p || !q)
		return 2;
	/* Two cursor objects, the second below the first with a gap of 8. */
	alba_cursor_init(&cur, arena, 0);
	c1 = alba_cursor_alloc(&cur, 24, 16, 0);
	c2 = alba_cursor_alloc(&cur, 24, 16, 0);
	pc = alba_pcpu_create(arena, 0, 0);
	t = pc ? alba_pcpu_alloc(pc, 24, 16, 0) : NULL;
	if (!c1 || !c2 || !t)
		return 2;
	if (!strcmp(argv[1], "in-bounds")) {
		p[0] = 1;
		p[19] = 1;
		q[99] = 1;
		c1[0] = c1[23] = c2[0] = c2[23] = t[0] = t[23] = 1;
		quiet(&cur, &pc);
		alba_rewind(arena, m);
		p[19] = 2;	/* before the mark: still valid */
		alba_reset(arena);
	} else if (!strcmp(argv[1], "overflow")) {
		q[100] = 1;	/* one byte past the last object */
	} else if (!strcmp(argv[1], "cursor-overflow")) {
		c1[24] = 1;	/* past the chunk's first object */
	} else if (!strcmp(argv[1], "cursor-gap")) {
		c2[24] = 1;	/* between two objects of a chunk */
	} else if (!strcmp(argv[1], "pcpu-overflow")) {
		t[24] = 1;	/* past a per-thread set's object */
	} else if (!strcmp(argv[1], "after-reset")) {
		quiet(&cur, &pc);
		alba_reset(arena);
		(void)p[0];
	} else if (!strcmp(argv[1], "after-rewind")) {
		quiet(&cur, &pc);
		alba_rewind(arena, m);
		(void)q[0];
	} else if (!strcmp(argv[1], "after-destroy")) {
		quiet(&cur, &pc);
		alba_destroy(arena);
		(void)p[0];
		return 0;
	} else {
		return 2;
	}
	quiet(&cur, &pc);
	alba_destroy(arena);
	return 0;
}
