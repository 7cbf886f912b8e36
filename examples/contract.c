// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * A program written only from the API contract in DESIGN.md, built with
 * `cc contract.c $(pkg-config --cflags --libs alba)` against an installed
 * alba. It prints TAP: one line per promise it checks.
 */
#include <alba.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int nr, failed, closed;

/* A cleanup: here it closes a "file" that arena objects refer to. */
static void close_file(void *file)
{
	closed += *(int *)file;
}

/* Everything allocated in the scope goes when it ends, on every path. */
static size_t scratch_work(struct alba *arena, int early)
{
	size_t i;

	scoped_guard(alba_scope, arena) {
		for (i = 0; i < 1000; i++) {
			if (!alba_alloc(arena, 100, 0, 0))
				return 0;
			if (early && i == 10)
				return i;
		}
	}
	return i;
}

static void check(int ok, const char *what)
{
	printf("%sok %d %s\n", ok ? "" : "not ", ++nr, what);
	failed += !ok;
}

struct point {
	double x, y;
};

int main(void)
{
	struct alba *arena = alba_create("example", 0, 0);
	struct alba_cursor cur;
	struct alba_pcpu *pc;
	struct alba_stats st;
	struct alba_mark mark;
	struct point *pt;
	char *name;
	void *big;
	int i, ok;

	printf("TAP version 13\n1..17\n");
	check(arena != NULL, "alba_create with the default block size");
	if (!arena)
		return 1;
	check(alba_block_size(arena) == 32768, "the default block is 32 KiB");

	pt = alba_alloc(arena, sizeof(*pt), _Alignof(struct point), 0);
	name = alba_zalloc(arena, 16, 1, 0);
	check(pt && (uintptr_t)pt % _Alignof(struct point) == 0, "alba_alloc aligns");
	check(name && !name[0] && !name[15], "alba_zalloc zeroes");
	check(alba_of(pt, 0) == arena && alba_of(name + 15, 0) == arena,
	      "alba_of finds the arena of an object and of an interior pointer");

	mark = alba_mark(arena);
	big = alba_alloc(arena, 1 << 20, 4096, 0);
	check(big && (uintptr_t)big % 4096 == 0 && alba_of(big, 0) == arena,
	      "an object larger than a block gets its own block");
	alba_rewind(arena, mark);
	alba_get_stats(arena, &st);
	check(st.blocks == 1 && st.used_bytes == sizeof(*pt) + 16,
	      "alba_rewind releases what came after the mark");

	alba_cursor_init(&cur, arena, 0);
	for (i = 0, ok = 1; i < 10000; i++) {
		int *p = alba_cursor_alloc(&cur, sizeof(int), _Alignof(int), 0);

		ok &= p && (uintptr_t)p % _Alignof(int) == 0;
		if (p)
			*p = i;
	}
	alba_cursor_fini(&cur);
	check(ok, "a cursor hands out 10000 aligned ints");

	/* Inline on ELF systems: the thread-local entry lives in libalba. */
	pc = alba_pcpu_create(arena, 0, 0);
	for (i = 0, ok = pc != NULL; pc && i < 10000; i++) {
		int *p = alba_pcpu_alloc(pc, sizeof(int), _Alignof(int), 0);

		ok &= p && (uintptr_t)p % _Alignof(int) == 0 && alba_of(p, 0) == arena;
	}
	alba_pcpu_destroy(pc);
	check(ok, "a per-thread set hands out 10000 aligned ints of its arena");

	alba_get_stats(arena, &st);
	check(st.block_bytes == st.header_bytes + st.used_bytes + st.pad_bytes +
	      st.tail_bytes + st.free_bytes + st.reserved_bytes,
	      "the stats account for every byte");

	errno = 0;
	check(!alba_alloc(arena, 8, 3, 0) && errno == EINVAL,
	      "alignment 3 is refused with EINVAL");
	errno = 0;
	check(!alba_alloc(arena, SIZE_MAX, 8, 0) && errno == ENOMEM,
	      "SIZE_MAX is refused with ENOMEM");

	alba_reset(arena);
	alba_get_stats(arena, &st);
	check(st.blocks == 1 && st.used_bytes == 0, "alba_reset keeps one empty block");

	check(scratch_work(arena, 0) == 1000 && scratch_work(arena, 1) == 10 &&
	      (alba_get_stats(arena, &st), st.blocks == 1 && st.used_bytes == 0),
	      "a scoped_guard(alba_scope) releases its objects on every way out");

	{
		int *file = alba_alloc(arena, sizeof(*file), 0, 0);

		*file = 1;
		mark = alba_mark(arena);
		check(alba_add_cleanup(arena, close_file, file, 0) == 0 &&
		      (alba_rewind(arena, mark), closed == 1),
		      "a cleanup registered after a mark runs on the rewind");
	}

	for (i = 0; i < 100; i++)
		alba_alloc(arena, 3000, 0, 0);
	alba_reset_keep(arena, 1 << 20);
	alba_get_stats(arena, &st);
	check(st.blocks > 1 && st.used_bytes == 0 && st.free_bytes > 32768,
	      "alba_reset_keep keeps blocks for the next round");
	alba_destroy(arena);

	{
		struct alba *tmp __free(alba) = alba_create("tmp", 0, 0);

		check(tmp && alba_alloc(tmp, 64, 0, 0),
		      "struct alba *a __free(alba) is destroyed at the end of its scope");
	}
	return failed ? 1 : 0;
}
