// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ASan sees alba's objects: free space in blocks is poisoned, exactly what
 * alba_alloc() returns is unpoisoned, and reset and rewind poison again.
 * Each mode does one thing; scripts/asan-check.sh runs every mode in its
 * own process and expects ASan to report the bad ones and to stay quiet
 * for "in-bounds".
 *
 *   alba_asan in-bounds|overflow|after-reset|after-rewind|after-destroy
 */
#include <stdio.h>
#include <string.h>

#include "alba.h"

int main(int argc, char **argv)
{
	struct alba *arena = alba_create("asan", 0, 0);
	volatile char *p, *q;
	struct alba_mark m;

	if (argc != 2 || !arena)
		return 2;
	p = alba_alloc(arena, 20, 8, 0);
	m = alba_mark(arena);
	q = alba_alloc(arena, 100, 8, 0);
	if (!p || !q)
		return 2;
	if (!strcmp(argv[1], "in-bounds")) {
		p[0] = 1;
		p[19] = 1;
		q[99] = 1;
		alba_rewind(arena, m);
		p[19] = 2;	/* before the mark: still valid */
		alba_reset(arena);
	} else if (!strcmp(argv[1], "overflow")) {
		q[100] = 1;	/* one byte past the last object */
	} else if (!strcmp(argv[1], "after-reset")) {
		alba_reset(arena);
		(void)p[0];
	} else if (!strcmp(argv[1], "after-rewind")) {
		alba_rewind(arena, m);
		(void)q[0];
	} else if (!strcmp(argv[1], "after-destroy")) {
		alba_destroy(arena);
		(void)p[0];
		return 0;
	} else {
		return 2;
	}
	alba_destroy(arena);
	return 0;
}
