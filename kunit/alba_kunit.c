// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for alba. The same file runs in the kernel (UML and QEMU,
 * through kunit.py) and in userspace on every platform (through the
 * harness in kunit/harness). What only the kernel has (physical alignment,
 * interrupt contexts, real SMP and CPU hotplug, RCU, KASAN) is tested in
 * kunit/alba_kernel_kunit.c.
 *
 * Every failing call is checked to leave the arena's statistics as they
 * were, except for the failed counter; in userspace errno is checked too.
 */
#include "alba_kunit.h"

/* ---- blocks are aligned to their size ---------------------------------- */

static const unsigned int block_shifts[] = {
	12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
};

static void shift_desc(const unsigned int *shift, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "block_size=%zu",
		 (size_t)1 << *shift);
}

KUNIT_ARRAY_PARAM(block_shift, block_shifts, shift_desc);

/*
 * For each block size: the platform's blocks have zero low bits, and every
 * object (and interior pointer) of an arena masks back to its header.
 */
static void alba_block_alignment_test(struct kunit *test)
{
	unsigned int shift = *(const unsigned int *)test->param_value;
	size_t bs = (size_t)1 << shift;
	long live = alba_plat_live_blocks();
	struct alba_stats s;
	struct alba *arena;
	uintptr_t p, first = 0;
	size_t size, n;
	void *blk[3];
	int i;

	if (shift > ALBA_PLAT_MAX_SHIFT) {
		/* Larger than the platform gives: refused, never smaller. */
		alba_test_clear_errno();
		KUNIT_EXPECT_NULL(test, alba_create("big", bs, GFP_KERNEL));
		ALBA_EXPECT_ERRNO(test, EINVAL);
		KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), live);
		return;
	}

	for (i = 0; i < 3; i++) {
		blk[i] = alba_plat_block_alloc(NULL, shift, GFP_KERNEL, NUMA_NO_NODE);
		KUNIT_ASSERT_NOT_NULL(test, blk[i]);
		KUNIT_EXPECT_EQ(test, (uintptr_t)blk[i] & (bs - 1), 0);
		/* The whole block is ours: touch both ends. */
		((u8 *)blk[i])[0] = 1;
		((u8 *)blk[i])[bs - 1] = 1;
	}
	for (i = 0; i < 3; i++)
		alba_plat_block_free(blk[i], shift);
	KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), live);

	arena = new_arena(test, bs);
	KUNIT_EXPECT_EQ(test, alba_block_size(arena), bs);
	size = bs / 5 + 24;
	for (n = 0; n < 16; n++) {
		p = (uintptr_t)alba_alloc(arena, size, 8, GFP_KERNEL);
		KUNIT_ASSERT_NE(test, p, 0);
		if (!first)
			first = p;
		/* One block holds the whole object, above its header. */
		KUNIT_EXPECT_EQ(test, p & ~(uintptr_t)(bs - 1),
				(p + size - 1) & ~(uintptr_t)(bs - 1));
		KUNIT_EXPECT_GE(test, p & (bs - 1), sizeof(void *) * 4);
		KUNIT_EXPECT_PTR_EQ(test, alba_of((void *)p, bs), arena);
		KUNIT_EXPECT_PTR_EQ(test, alba_of((void *)(p + size / 2), bs), arena);
		KUNIT_EXPECT_PTR_EQ(test, alba_of((void *)(p + size - 1), bs), arena);
	}
	stats_of(test, arena, &s);
	KUNIT_EXPECT_GE(test, s.blocks, 4);
	KUNIT_EXPECT_EQ(test, s.block_bytes, s.blocks * bs);
	KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), live + (long)s.blocks);
	/* The arena lives in its first block. */
	KUNIT_EXPECT_EQ(test, (uintptr_t)arena & ~(uintptr_t)(bs - 1),
			first & ~(uintptr_t)(bs - 1));
	alba_destroy(arena);
	KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), live);
}

ALBA_PARAM_TEST(alba_block_alignment_test, block_shift_gen_params);

/* ---- padding, table-driven ----------------------------------------------- */

struct pad_obj {
	size_t size;
	size_t align;
	size_t offset;		/* expected, from the first object */
};

struct pad_case {
	const char *name;
	struct pad_obj obj[6];
	size_t pad;		/* expected padding in all */
};

static const struct pad_case pad_cases[] = {
	/*
	 *  0    1    2    3    4    5    6    7    8
	 * +----+----+----+----+----+----+----+----+
	 * | u8 | u8 | XX | XX |        u32        |
	 * +----+----+----+----+----+----+----+----+
	 *                      ^ aligned = (2 + 3) & ~3 = 4
	 */
	{ "u8,u8,u32", { { 1, 1, 0 }, { 1, 1, 1 }, { 4, 4, 4 } }, 2 },
	/*
	 *  0    1                                  8                     16
	 * +----+----+----+----+----+----+----+----+----------------------+
	 * | u8 | XX | XX | XX | XX | XX | XX | XX |         u64          |
	 * +----+----+----+----+----+----+----+----+----------------------+
	 */
	{ "u8,u64", { { 1, 1, 0 }, { 8, 8, 8 } }, 7 },
	/*
	 *  0         2    3    4                   8    9               16
	 * +---------+----+----+-------------------+----+--- 7 x XX ----+---
	 * |   u16   | u8 | XX |        u32        | u8 |               | u64
	 * +---------+----+----+-------------------+----+---------------+---
	 */
	{ "u16,u8,u32,u8,u64",
	  { { 2, 2, 0 }, { 1, 1, 2 }, { 4, 4, 4 }, { 1, 1, 8 }, { 8, 8, 16 } },
	  8 },
	/*
	 *  0                   4    5         6    7    8
	 * +-------------------+----+----+----+----+----+
	 * |        u32        | u8 | XX |   u16   | u8 |
	 * +-------------------+----+----+---------+----+
	 */
	{ "u32,u8,u16,u8", { { 4, 4, 0 }, { 1, 1, 4 }, { 2, 2, 6 }, { 1, 1, 8 } },
	  1 },
	/*
	 *  0    1                                                 64
	 * +----+---------------- 63 x XX ------------------------+---------
	 * | u8 |                                                 | 64-byte
	 * +----+-------------------------------------------------+ line
	 */
	{ "u8,cacheline", { { 1, 1, 0 }, { 64, 64, 64 } }, 63 },
	/*
	 *  0                  24   32                40        48
	 * +-------------------+----+-----------------+---------+
	 * |   24-byte struct  | XX |  u64 (align 8)  | 8 x u8  |
	 * +-------------------+----+-----------------+---------+
	 * 24 is a multiple of 8: the u64 follows at once; no padding at all.
	 */
	{ "struct24,u64,u8x8", { { 24, 8, 0 }, { 8, 8, 24 }, { 8, 1, 32 } }, 0 },
	/*
	 *  0    1         2    3     4096
	 * +----+----+----+----+ ... +------------------------+
	 * | u8 | u8 | u8 | XX |     | page-aligned 4 KiB     |
	 * +----+----+----+----+ ... +------------------------+
	 */
	{ "u8x3,page", { { 1, 1, 0 }, { 1, 1, 1 }, { 1, 1, 2 }, { 4096, 4096, 4096 } },
	  4093 },
};

static void pad_desc(const struct pad_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->name);
}

KUNIT_ARRAY_PARAM(pad_layout, pad_cases, pad_desc);

static void alba_padding_layout_test(struct kunit *test)
{
	const struct pad_case *c = test->param_value;
	struct alba *arena = new_arena(test, 0);
	struct alba_stats before, after;
	size_t i, used = 0, max_align = 1;
	uintptr_t base = 0, p;

	for (i = 0; i < ARRAY_SIZE(c->obj) && c->obj[i].size; i++)
		if (c->obj[i].align > max_align)
			max_align = c->obj[i].align;
	/* Move the bump position to a multiple of the largest alignment. */
	p = (uintptr_t)alba_alloc(arena, 1, 1, GFP_KERNEL);
	KUNIT_ASSERT_NE(test, p, 0);
	if (-(p + 1) & (max_align - 1))
		KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, -(p + 1) & (max_align - 1),
						       1, GFP_KERNEL));

	stats_of(test, arena, &before);
	for (i = 0; i < ARRAY_SIZE(c->obj) && c->obj[i].size; i++) {
		p = (uintptr_t)alba_alloc(arena, c->obj[i].size, c->obj[i].align,
					  GFP_KERNEL);
		KUNIT_ASSERT_NE(test, p, 0);
		if (!base)
			base = p;
		KUNIT_EXPECT_EQ(test, p & (c->obj[i].align - 1), 0);
		KUNIT_EXPECT_EQ_MSG(test, p - base, c->obj[i].offset,
				    "%s: object %zu", c->name, i);
		used += c->obj[i].size;
	}
	stats_of(test, arena, &after);
	KUNIT_EXPECT_EQ(test, after.pad_bytes - before.pad_bytes, c->pad);
	KUNIT_EXPECT_EQ(test, after.used_bytes - before.used_bytes, used);
	KUNIT_EXPECT_EQ(test, after.blocks, before.blocks);
	alba_destroy(arena);
}

ALBA_PARAM_TEST(alba_padding_layout_test, pad_layout_gen_params);

static const size_t pad_aligns[] = {
	1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096,
};

static void align_desc(const size_t *align, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "align=%zu", *align);
}

KUNIT_ARRAY_PARAM(pad_align, pad_aligns, align_desc);

/*
 * Every starting offset modulo the alignment: the object lands on the next
 * multiple, and pad_bytes grows by exactly the distance to it.
 *
 *   pos = k * align + start
 *   | start | pad = (align - start) % align | object ...
 */
static void alba_padding_every_offset_test(struct kunit *test)
{
	size_t align = *(const size_t *)test->param_value;
	struct alba *arena = new_arena(test, 0);
	struct alba_stats before, after;
	size_t start, want;
	uintptr_t p;

	for (start = 0; start < align; start++) {
		if (free_now(arena) < 3 * align + 64)
			alba_reset(arena);
		/* Bring the bump position to start (mod align). */
		p = (uintptr_t)alba_alloc(arena, 1, 1, GFP_KERNEL);
		KUNIT_ASSERT_NE(test, p, 0);
		want = (start - (p + 1)) & (align - 1);
		if (want)
			KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, want, 1,
							       GFP_KERNEL));
		stats_of(test, arena, &before);
		p = (uintptr_t)alba_alloc(arena, 3, align, GFP_KERNEL);
		stats_of(test, arena, &after);
		KUNIT_ASSERT_NE(test, p, 0);
		KUNIT_EXPECT_EQ(test, p & (align - 1), 0);
		KUNIT_EXPECT_EQ_MSG(test, after.pad_bytes - before.pad_bytes,
				    (align - start) & (align - 1),
				    "align %zu, start %zu", align, start);
		KUNIT_EXPECT_EQ(test, after.used_bytes - before.used_bytes, 3);
		KUNIT_EXPECT_EQ(test, after.free_bytes,
				before.free_bytes - 3 - ((align - start) & (align - 1)));
	}
	alba_destroy(arena);
}

ALBA_PARAM_TEST(alba_padding_every_offset_test, pad_align_gen_params);

/* ---- large objects and large alignments -------------------------------- */

/*
 * block_size 4 KiB; a 5000-byte object gets a dedicated 8 KiB block and
 * the current block stays current:
 *
 *   current:   | hdr | a | b |            free            |
 *   dedicated: | hdr |          5000-byte object     | tail |
 */
static void alba_large_object_test(struct kunit *test)
{
	struct alba *arena = new_arena(test, 4096);
	struct alba_stats before, after;
	u8 *a, *big, *b;

	a = alba_alloc(arena, 16, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	stats_of(test, arena, &before);
	big = alba_alloc(arena, 5000, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, big);
	stats_of(test, arena, &after);
	KUNIT_EXPECT_EQ(test, after.blocks, before.blocks + 1);
	KUNIT_EXPECT_EQ(test, after.block_bytes, before.block_bytes + 8192);
	KUNIT_EXPECT_EQ(test, after.used_bytes, before.used_bytes + 5000);
	KUNIT_EXPECT_EQ(test, after.free_bytes, before.free_bytes);
	fill(big, 5000, 0x5a);
	KUNIT_EXPECT_PTR_EQ(test, alba_of(big, 4096), arena);
	KUNIT_EXPECT_PTR_EQ(test, alba_of(big + 100, 4096), arena);
	/* The current block is still current: b follows a. */
	b = alba_alloc(arena, 16, 8, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, b, a + 16);
	KUNIT_EXPECT_TRUE(test, check_fill(big, 5000, 0x5a));

	/* Up to the largest block, and the largest block itself. */
	big = alba_alloc(arena, 3 * 4096, 4096, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, big);
	KUNIT_EXPECT_EQ(test, (uintptr_t)big & 4095, 0);
	KUNIT_EXPECT_PTR_EQ(test, alba_of(big, 4096), arena);
	alba_destroy(arena);
}

static void alba_large_align_test(struct kunit *test)
{
	static const size_t aligns[] = { 4096, 8192, 65536, 1 << 20 };
	struct alba *arena = new_arena(test, 4096);
	struct alba_stats s;
	size_t i;
	u8 *p;

	for (i = 0; i < ARRAY_SIZE(aligns); i++) {
		if (aligns[i] > MAX_BLOCK / 2)
			continue;
		p = alba_alloc(arena, 100, aligns[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_EQ(test, (uintptr_t)p & (aligns[i] - 1), 0);
		KUNIT_EXPECT_PTR_EQ(test, alba_of(p, 4096), arena);
		fill(p, 100, (u8)i);
		stats_of(test, arena, &s);
	}
	/* A block-sized alignment eight times over (userspace: 128 MiB). */
	p = alba_alloc(arena, 8, MAX_BLOCK / 8, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	if (p)
		KUNIT_EXPECT_PTR_EQ(test, alba_of(p, 4096), arena);
	stats_of(test, arena, &s);
	alba_destroy(arena);
}

/* ---- reset, marks, zalloc ---------------------------------------------- */

static void alba_reset_test(struct kunit *test)
{
	long live = alba_plat_live_blocks();
	struct alba *arena = new_arena(test, 8192);
	struct alba_stats s0, s;
	void *first, *p;
	int i;

	stats_of(test, arena, &s0);
	first = alba_alloc(arena, 64, 8, GFP_KERNEL);
	for (i = 0; i < 1000; i++)
		KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, 100, 8, GFP_KERNEL));
	KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, 100000, 8, GFP_KERNEL));
	stats_of(test, arena, &s);
	KUNIT_EXPECT_GT(test, s.blocks, 10);
	KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), live + (long)s.blocks);

	alba_reset(arena);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.blocks, 1);
	KUNIT_EXPECT_EQ(test, s.used_bytes, 0);
	KUNIT_EXPECT_EQ(test, s.pad_bytes, 0);
	KUNIT_EXPECT_EQ(test, s.free_bytes, s0.free_bytes);
	KUNIT_EXPECT_EQ(test, s.allocs, 1002);
	KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), live + 1);
	/* The kept block is reused from its start. */
	p = alba_alloc(arena, 64, 8, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, p, first);
	alba_destroy(arena);
	KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), live);
}

/*
 * Nested marks:
 *
 *   m0 | a | m1 | many objects, new blocks | m2 | b |
 *   rewind(m2): b is gone;  rewind(m1): the blocks after m1 are freed;
 *   the next allocation lands where the first one after m1 did.
 */
static void alba_mark_rewind_test(struct kunit *test)
{
	long live = alba_plat_live_blocks();
	struct alba *arena = new_arena(test, 4096);
	struct alba_stats at0, at1, at2, s;
	struct alba_mark m0, m1, m2;
	void *after1, *p;
	int i, n;

	m0 = alba_mark(arena);
	stats_of(test, arena, &at0);
	KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, 40, 8, GFP_KERNEL));
	m1 = alba_mark(arena);
	stats_of(test, arena, &at1);
	after1 = alba_alloc(arena, 24, 8, GFP_KERNEL);
	for (i = 0; i < 300; i++)
		KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, 56, 8, GFP_KERNEL));
	KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, 9000, 64, GFP_KERNEL));
	m2 = alba_mark(arena);
	stats_of(test, arena, &at2);
	KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, 5000, 8, GFP_KERNEL));
	KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, 3000, 8, GFP_KERNEL));

	alba_rewind(arena, m2);
	stats_of(test, arena, &s);
	at2.allocs += 2;
	expect_stats_same(test, &at2, &s, 0);
	KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), live + (long)at2.blocks);

	alba_rewind(arena, m1);
	stats_of(test, arena, &s);
	at1.allocs = s.allocs;
	expect_stats_same(test, &at1, &s, 0);
	KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), live + (long)at1.blocks);
	p = alba_alloc(arena, 24, 8, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, p, after1);

	/* m2 was released by the rewind to m1: refused, nothing changes. */
	stats_of(test, arena, &at1);
	alba_test_clear_errno();
	alba_rewind(arena, m2);
	ALBA_EXPECT_ERRNO(test, EINVAL);
	stats_of(test, arena, &s);
	expect_stats_same(test, &at1, &s, 0);

	alba_rewind(arena, m0);
	stats_of(test, arena, &s);
	at0.allocs = s.allocs;
	expect_stats_same(test, &at0, &s, 0);

	/* A mark from before a reset is void. */
	m1 = alba_mark(arena);
	KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, 40, 8, GFP_KERNEL));
	alba_reset(arena);
	stats_of(test, arena, &at0);
	alba_test_clear_errno();
	alba_rewind(arena, m1);
	ALBA_EXPECT_ERRNO(test, EINVAL);
	stats_of(test, arena, &s);
	expect_stats_same(test, &at0, &s, 0);

	/* Marks taken after a reset or a rewind work (found by fuzzing). */
	alba_reset(arena);
	for (i = 0; i < 2; i++) {
		stats_of(test, arena, &at1);
		m1 = alba_mark(arena);
		for (n = 0; n < 50; n++)
			KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, 300, 8, GFP_KERNEL));
		alba_test_clear_errno();
		alba_rewind(arena, m1);
		ALBA_EXPECT_ERRNO(test, 0);
		stats_of(test, arena, &s);
		at1.allocs = s.allocs;
		expect_stats_same(test, &at1, &s, 0);
		/* The second time round the mark follows a rewind. */
	}

	alba_destroy(arena);
	KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), live);
}

static void alba_zalloc_test(struct kunit *test)
{
	struct alba *arena = new_arena(test, 0);
	struct alba_mark m = alba_mark(arena);
	u8 *p, *q;

	p = alba_alloc(arena, 1000, 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	fill(p, 1000, 0xa5);
	alba_rewind(arena, m);
	q = alba_zalloc(arena, 1000, 16, GFP_KERNEL);
	KUNIT_ASSERT_PTR_EQ(test, q, p);
	KUNIT_EXPECT_TRUE(test, check_fill(q, 1000, 0));

	fill(q, 1000, 0x5a);
	alba_reset(arena);
	q = alba_zalloc(arena, 1000, 16, GFP_KERNEL);
	KUNIT_ASSERT_PTR_EQ(test, q, p);
	KUNIT_EXPECT_TRUE(test, check_fill(q, 1000, 0));

	/* A large zeroed object, in a dedicated block. */
	q = alba_zalloc(arena, 100000, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_TRUE(test, check_fill(q, 100000, 0));
	alba_destroy(arena);
}

/* ---- cursors ------------------------------------------------------------ */

static void alba_cursor_align_test(struct kunit *test)
{
	struct alba *arena = new_arena(test, 0);
	struct alba_cursor cur;
	struct alba_stats s;
	size_t align, used = 0;
	u8 *p;

	alba_cursor_init(&cur, arena, 0);
	for (align = 1; align <= 8192; align <<= 1) {
		p = alba_cursor_alloc(&cur, 3, align, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_EQ(test, (uintptr_t)p & (align - 1), 0);
		KUNIT_EXPECT_PTR_EQ(test, alba_of(p, 0), arena);
		used += 3;
	}
	/* Default alignment. */
	p = alba_cursor_alloc(&cur, 5, 0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, (uintptr_t)p & (ALBA_DEFAULT_ALIGN - 1), 0);
	used += 5;
	stats_of(test, arena, &s);
	KUNIT_EXPECT_GT(test, s.reserved_bytes, 0);
	alba_cursor_fini(&cur);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.reserved_bytes, 0);
	KUNIT_EXPECT_EQ(test, s.used_bytes, used);
	KUNIT_EXPECT_EQ(test, s.allocs, 15);
	alba_destroy(arena);
}

/*
 * One chunk of about 1 KiB, bumped without the lock from its top down;
 * refills take new chunks below it; a request larger than the chunk goes
 * to the arena and leaves the chunk:
 *
 *   | hdr | free ...  | chunk 2: ... c b a | chunk 1: ... c b a |
 *                                          ^ chunk 1's base, aligned
 */
static void alba_cursor_refill_test(struct kunit *test)
{
	const size_t bs = ALBA_DEFAULT_BLOCK_SIZE, n = 2000;
	struct alba *arena = new_arena(test, 0);
	struct alba_stats s, before;
	struct alba_cursor cur;
	u8 **obj, *p, *prev = NULL, *large;
	size_t i, used = 0;

	obj = kunit_kcalloc(test, n, sizeof(*obj), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	alba_cursor_init(&cur, arena, 1024);
	for (i = 0; i < n; i++) {
		p = alba_cursor_alloc(&cur, 24, 8, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		fill(p, 24, (u8)i);
		obj[i] = p;
		/*
		 * In the same block every object lies right below the last:
		 * a refill's chunk continues where the last chunk ended.
		 */
		if (prev && ((uintptr_t)p & ~(bs - 1)) == ((uintptr_t)prev & ~(bs - 1)))
			KUNIT_EXPECT_PTR_EQ(test, p, prev - 24);
		KUNIT_EXPECT_PTR_EQ(test, alba_of(p, 0), arena);
		prev = p;
		used += 24;
	}
	/* A chunk, or the rest of a block if that was less. */
	stats_of(test, arena, &s);
	KUNIT_EXPECT_LE(test, s.reserved_bytes, 1024 + ALBA_CURSOR_MAX_ALIGN);
	KUNIT_EXPECT_GE(test, s.reserved_bytes, 24);

	/* Larger than a chunk: straight from the arena, chunk untouched. */
	stats_of(test, arena, &before);
	large = alba_cursor_alloc(&cur, 2000, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, large);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.used_bytes, before.used_bytes + 2000);
	KUNIT_EXPECT_EQ(test, s.reserved_bytes, before.reserved_bytes);
	if (cur.off >= 24)
		KUNIT_EXPECT_PTR_EQ(test, alba_cursor_alloc(&cur, 24, 8, GFP_KERNEL),
				    prev - 24);
	else
		KUNIT_EXPECT_NOT_NULL(test, alba_cursor_alloc(&cur, 24, 8, GFP_KERNEL));
	used += 24;

	alba_cursor_fini(&cur);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.reserved_bytes, 0);
	KUNIT_EXPECT_EQ(test, s.used_bytes, used + 2000);
	KUNIT_EXPECT_EQ(test, s.allocs, n + 2);
	/* Objects stay valid after fini. */
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_TRUE(test, check_fill(obj[i], 24, (u8)i));
	alba_destroy(arena);
}

/*
 * Near the bottom of a block a refill takes what is left above the first
 * ALBA_CURSOR_MAX_ALIGN boundary rather than leaving it as tail: with 4 KiB
 * blocks and 1 KiB chunks, the fourth chunk of each block is what lies
 * between that boundary and the third chunk.
 *
 *   | hdr |<64| rest | chunk 1024 | chunk 1024 | chunk 1024 |
 *
 * What a block leaves is less than the alignment gap plus an object.
 */
static void alba_cursor_no_tail_test(struct kunit *test)
{
	struct alba *arena = new_arena(test, 4096);
	struct alba_cursor cur;
	struct alba_stats s;
	int i;

	alba_cursor_init(&cur, arena, 1024);
	for (i = 0; i < 2000; i++)
		KUNIT_ASSERT_NOT_NULL(test, alba_cursor_alloc(&cur, 24, 8, GFP_KERNEL));
	alba_cursor_fini(&cur);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.used_bytes, 2000 * 24);
	KUNIT_EXPECT_GT(test, s.blocks, 10);
	KUNIT_EXPECT_LT(test, s.tail_bytes, s.blocks * (24 + ALBA_CURSOR_MAX_ALIGN));
	/* Objects of 24 bytes at alignment 8 need no padding at all. */
	KUNIT_EXPECT_EQ(test, s.pad_bytes, 0);
	alba_destroy(arena);
}

/*
 * Any chunk size works, for a cursor and for a per-CPU set: 1, 3 and the
 * others below ALBA_CURSOR_MAX_ALIGN (a chunk is at least the request and
 * starts on that boundary), around a block, and SIZE_MAX (at most what a
 * fresh block holds). Objects of every size, from 1 byte to more than a
 * block, at alignments below, at and above the chunks' own: each aligned,
 * of this arena, intact and apart from the others, and all counted once
 * the chunks are given back.
 */
static void alba_chunk_sizes_test(struct kunit *test)
{
	static const size_t bs = 4096;
	static const size_t chunks[] = {
		1, 2, 3, 7, 63, 64, 65, 1000, 2048, 4095, 4096, 4097,
		SIZE_MAX / 2, SIZE_MAX - 1, SIZE_MAX,
	};
	static const size_t sizes[] = {
		1, 2, 3, 5, 8, 24, 63, 64, 65, 100, 700, 2000, 4000, 5000,
	};
	static const size_t aligns[] = { 0, 1, 2, 8, 16, 64, 128, 4096 };
	const size_t n = ARRAY_SIZE(sizes) * ARRAY_SIZE(aligns) * 2;
	struct robj *obj;
	size_t c, i;

	obj = kunit_kcalloc(test, n, sizeof(*obj), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	for (c = 0; c < ARRAY_SIZE(chunks); c++) {
		struct alba *arena = new_arena(test, bs);
		size_t chunk = chunks[c], used = 0;
		struct alba_cursor cur;
		struct alba_pcpu *pc;
		struct alba_stats s;

		alba_cursor_init(&cur, arena, chunk);
		pc = alba_pcpu_create(arena, chunk, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, pc);
		for (i = 0; i < n; i++) {
			size_t size = sizes[i / 2 % ARRAY_SIZE(sizes)];
			size_t align = aligns[i / 2 / ARRAY_SIZE(sizes)];
			size_t want = align ? align : ALBA_DEFAULT_ALIGN;
			u8 *p;

			if (i & 1)
				p = alba_pcpu_alloc(pc, size, align, GFP_KERNEL);
			else
				p = alba_cursor_alloc(&cur, size, align, GFP_KERNEL);
			KUNIT_ASSERT_TRUE_MSG(test, p, "chunk %zu: %zu bytes at %zu (%s)",
					      chunk, size, align,
					      i & 1 ? "set" : "cursor");
			KUNIT_EXPECT_EQ_MSG(test, (uintptr_t)p & (want - 1), 0,
					    "chunk %zu: %zu bytes at %zu",
					    chunk, size, align);
			KUNIT_EXPECT_PTR_EQ(test, alba_of(p, bs), arena);
			obj[i].p = p;
			obj[i].size = size;
			obj[i].pattern = (u8)(i + 1);
			fill(p, size, obj[i].pattern);
			used += size;
		}
		verify_objects(test, obj, n);
		alba_pcpu_destroy(pc);
		alba_cursor_fini(&cur);
		stats_of(test, arena, &s);
		KUNIT_EXPECT_EQ_MSG(test, s.reserved_bytes, 0, "chunk %zu", chunk);
		KUNIT_EXPECT_EQ_MSG(test, s.used_bytes, used, "chunk %zu", chunk);
		KUNIT_EXPECT_EQ_MSG(test, s.allocs, n, "chunk %zu", chunk);
		KUNIT_EXPECT_EQ_MSG(test, s.failed, 0, "chunk %zu", chunk);
		verify_objects(test, obj, n);
		alba_destroy(arena);
	}
}

/* fini gives the unused rest back when nothing follows the chunk. */
/* alba_cursor_init(@cur, @onto, @chunk) leaves arenas @a and @b as they were. */
static void init_changes_nothing(struct kunit *test, struct alba_cursor *cur,
				 struct alba *onto, struct alba *a,
				 struct alba *b, size_t chunk)
{
	struct alba_stats sa, sb, s;

	stats_of(test, a, &sa);
	stats_of(test, b, &sb);
	alba_cursor_init(cur, onto, chunk);
	stats_of(test, a, &s);
	expect_stats_same(test, &sa, &s, 0);
	KUNIT_EXPECT_EQ(test, s.reserved_bytes, sa.reserved_bytes);
	stats_of(test, b, &s);
	expect_stats_same(test, &sb, &s, 0);
	KUNIT_EXPECT_EQ(test, s.reserved_bytes, sb.reserved_bytes);
}

/*
 * alba_cursor_init() on a cursor that still holds a chunk gives the chunk
 * back first, onto the same arena or another, so the arena can be reset
 * again; memory that is not a holding cursor (zeroes, patterns, random
 * bytes, a copy of a holding cursor elsewhere) is taken as new and no
 * arena changes. A holding cursor whose memory was overwritten, or that
 * moved, is never given back from its old address. On the old code the
 * first re-init left the chunk reserved and the arena refusing resets for
 * good.
 */
static void alba_cursor_reinit_test(struct kunit *test)
{
	struct alba *a = new_arena(test, 0), *b = new_arena(test, 0);
	size_t bs = alba_block_size(a);
	struct alba_stats sa, sb, s;
	struct alba_cursor cur, copy, moved;
	unsigned int round, i;
	u64 rs = 42;
	u8 *p, *q;

	/* Again onto the same arena: the chunk is accounted and given back. */
	alba_cursor_init(&cur, a, 2048);
	p = alba_cursor_alloc(&cur, 100, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	fill(p, 100, 0x5a);
	stats_of(test, a, &s);
	KUNIT_ASSERT_GT(test, s.reserved_bytes, 0);
	alba_cursor_init(&cur, a, 2048);
	stats_of(test, a, &s);
	KUNIT_ASSERT_EQ(test, s.reserved_bytes, 0);
	KUNIT_EXPECT_EQ(test, s.used_bytes, 100);
	KUNIT_EXPECT_EQ(test, s.allocs, 1);
	KUNIT_EXPECT_EQ(test, s.tail_bytes, 0);
	KUNIT_EXPECT_TRUE(test, check_fill(p, 100, 0x5a));
	alba_test_clear_errno();
	alba_reset(a);
	ALBA_EXPECT_ERRNO(test, 0);
	stats_of(test, a, &s);
	KUNIT_EXPECT_EQ(test, s.used_bytes, 0);

	/* Onto another arena: the first one is free of it. */
	p = alba_cursor_alloc(&cur, 64, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_EQ(test, alba_of(p, bs), a);
	alba_cursor_init(&cur, b, 0);
	stats_of(test, a, &s);
	KUNIT_EXPECT_EQ(test, s.reserved_bytes, 0);
	KUNIT_EXPECT_EQ(test, s.used_bytes, 64);
	q = alba_cursor_alloc(&cur, 64, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_PTR_EQ(test, alba_of(q, bs), b);
	alba_test_clear_errno();
	alba_reset(a);
	ALBA_EXPECT_ERRNO(test, 0);

	/*
	 * A copy of the holding cursor elsewhere is not a cursor: initialising
	 * it changes neither arena, and the original still holds its chunk.
	 */
	memcpy(&copy, &cur, sizeof(cur));
	stats_of(test, b, &sb);
	init_changes_nothing(test, &copy, a, a, b, 0);
	alba_cursor_fini(&copy);	/* holds nothing: nothing happens */
	stats_of(test, b, &s);
	expect_stats_same(test, &sb, &s, 0);
	alba_cursor_fini(&cur);
	stats_of(test, b, &s);
	KUNIT_EXPECT_EQ(test, s.reserved_bytes, 0);
	KUNIT_EXPECT_EQ(test, s.used_bytes, 64);

	/*
	 * Memory that never was a cursor, or no longer is one: zeroes, 0xff,
	 * a pattern, random bytes, and a finished cursor. New each time.
	 */
	for (round = 0; round < 64; round++) {
		u8 *raw = (u8 *)&copy;

		if (round == 0)
			memset(&copy, 0, sizeof(copy));
		else if (round == 1)
			memset(&copy, 0xff, sizeof(copy));
		else if (round == 2)
			memset(&copy, 0xa5, sizeof(copy));
		else if (round == 3)
			memcpy(&copy, &cur, sizeof(cur));
		else
			for (i = 0; i < sizeof(copy); i++)
				raw[i] = (u8)rnd_next(&rs);
		init_changes_nothing(test, &copy, b, a, b, 256);
		p = alba_cursor_alloc(&copy, 32, 8, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_PTR_EQ(test, alba_of(p, bs), b);
		alba_cursor_fini(&copy);
	}
	stats_of(test, b, &s);
	KUNIT_EXPECT_EQ(test, s.reserved_bytes, 0);
	KUNIT_EXPECT_EQ(test, s.used_bytes, 64 + 64 * 32);

	/*
	 * A holding cursor whose memory was overwritten (a stack frame reused
	 * after a cursor was left holding): initialising or finishing what is
	 * at its address changes nothing, for the cursor may have moved and
	 * still bump in its chunk; its bytes put back, it is the cursor again.
	 */
	for (round = 0; round < 2; round++) {
		struct alba_cursor saved;

		alba_cursor_init(&cur, a, 1024);
		KUNIT_ASSERT_NOT_NULL(test, alba_cursor_alloc(&cur, 40, 8, GFP_KERNEL));
		memcpy(&saved, &cur, sizeof(cur));
		memset(&cur, round ? 0 : 0x3c, sizeof(cur));
		stats_of(test, a, &sa);
		KUNIT_ASSERT_GT(test, sa.reserved_bytes, 0);
		if (round)
			alba_cursor_fini(&cur);
		else
			alba_cursor_init(&cur, a, 0);
		stats_of(test, a, &s);
		expect_stats_same(test, &sa, &s, 0);
		KUNIT_EXPECT_EQ(test, s.reserved_bytes, sa.reserved_bytes);
		memcpy(&cur, &saved, sizeof(cur));
		alba_cursor_fini(&cur);
		stats_of(test, a, &s);
		KUNIT_EXPECT_EQ(test, s.reserved_bytes, 0);
		KUNIT_EXPECT_EQ(test, s.used_bytes, sa.used_bytes + 40);
		alba_test_clear_errno();
		alba_reset(a);
		ALBA_EXPECT_ERRNO(test, 0);
	}

	/*
	 * Moved (C moves structs): the old address is no cursor any more, and
	 * the moved one takes its listing over at its next refill, so its
	 * fini gives its chunk back and the arena resets.
	 */
	alba_cursor_init(&cur, a, 256);
	KUNIT_ASSERT_NOT_NULL(test, alba_cursor_alloc(&cur, 40, 8, GFP_KERNEL));
	memcpy(&copy, &cur, sizeof(cur));
	memcpy(&moved, &cur, sizeof(cur));
	memset(&cur, 0x77, sizeof(cur));
	init_changes_nothing(test, &cur, a, a, b, 0);
	KUNIT_ASSERT_NOT_NULL(test, alba_cursor_alloc(&copy, 200, 8, GFP_KERNEL));
	KUNIT_ASSERT_NOT_NULL(test, alba_cursor_alloc(&copy, 200, 8, GFP_KERNEL));
	alba_cursor_fini(&copy);
	/*
	 * The old bytes back at the old address describe a chunk given back
	 * since: no longer listed there, so nothing is given back twice.
	 */
	memcpy(&cur, &moved, sizeof(cur));
	stats_of(test, a, &sa);
	alba_cursor_fini(&cur);
	stats_of(test, a, &s);
	expect_stats_same(test, &sa, &s, 0);
	alba_cursor_init(&cur, a, 0);
	alba_cursor_fini(&cur);
	stats_of(test, a, &s);
	KUNIT_EXPECT_EQ(test, s.reserved_bytes, 0);
	KUNIT_EXPECT_EQ(test, s.used_bytes, 440);
	alba_test_clear_errno();
	alba_reset(a);
	ALBA_EXPECT_ERRNO(test, 0);
	alba_cursor_fini(&cur);
	alba_destroy(a);
	alba_destroy(b);
}

/*
 * Up to ALBA_CURSOR_HOLDERS cursors hold chunks at once; past that, a
 * cursor gives its chunk back after each request (the locked path), and
 * every object is still its own.
 */
static void alba_cursor_holders_full_test(struct kunit *test)
{
	const unsigned int n = ALBA_CURSOR_HOLDERS + ALBA_CURSOR_HOLDERS / 2;
	struct alba *arena = new_arena(test, 0);
	size_t bs = alba_block_size(arena);
	struct alba_cursor *cur;
	unsigned int i, holding = 0;
	struct alba_stats s;
	u8 **obj;

	cur = kunit_kcalloc(test, n, sizeof(*cur), GFP_KERNEL);
	obj = kunit_kcalloc(test, 2 * n, sizeof(*obj), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cur);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	for (i = 0; i < n; i++) {
		alba_cursor_init(&cur[i], arena, 128);
		obj[2 * i] = alba_cursor_alloc(&cur[i], 24, 8, GFP_KERNEL);
		obj[2 * i + 1] = alba_cursor_alloc(&cur[i], 24, 8, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, obj[2 * i]);
		KUNIT_ASSERT_NOT_NULL(test, obj[2 * i + 1]);
		KUNIT_EXPECT_PTR_EQ(test, alba_of(obj[2 * i], bs), arena);
		fill(obj[2 * i], 24, (u8)i);
		fill(obj[2 * i + 1], 24, (u8)~i);
	}
	stats_of(test, arena, &s);
	for (i = 0; i < n; i++)
		holding += cur[i].end != 0;
	KUNIT_EXPECT_LE(test, holding, ALBA_CURSOR_HOLDERS);
	KUNIT_EXPECT_GT(test, holding, ALBA_CURSOR_HOLDERS / 2);
	KUNIT_EXPECT_LT(test, holding, n);
	KUNIT_EXPECT_EQ(test, s.allocs, 2 * (u64)(n - holding));
	KUNIT_EXPECT_EQ(test, s.used_bytes, 48 * (u64)(n - holding));
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_TRUE(test, check_fill(obj[2 * i], 24, (u8)i));
		KUNIT_EXPECT_TRUE(test, check_fill(obj[2 * i + 1], 24, (u8)~i));
	}
	/* Re-initialised, each gives back what it holds. */
	for (i = 0; i < n; i++)
		alba_cursor_init(&cur[i], arena, 0);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.reserved_bytes, 0);
	KUNIT_EXPECT_EQ(test, s.allocs, 2 * (u64)n);
	KUNIT_EXPECT_EQ(test, s.used_bytes, 48 * (u64)n);
	alba_test_clear_errno();
	alba_reset(arena);
	ALBA_EXPECT_ERRNO(test, 0);
	alba_destroy(arena);
}

/*
 * A per-CPU (userspace: per-thread) set's cursors are the set's own, not
 * listed with the cursors that hold chunks: with every bucket of that
 * list full, the set's cursor still keeps its chunk between requests
 * (else each of its requests would take the locked path).
 */
static void alba_pcpu_holders_full_test(struct kunit *test)
{
	const unsigned int max = 4 * ALBA_CURSOR_HOLDERS;
	struct alba *arena = new_arena(test, 0);
	unsigned int i, n, misses = 0, holding = 0;
	struct alba_stats before, s;
	struct alba_cursor *cur;
	struct alba_pcpu *pc;
	u8 *p, *q;

	cur = kunit_kcalloc(test, max, sizeof(*cur), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cur);
	/* Cursors until 512 in a row find their bucket full. */
	for (n = 0; n < max && misses < 512; n++) {
		alba_cursor_init(&cur[n], arena, 64);
		KUNIT_ASSERT_NOT_NULL(test, alba_cursor_alloc(&cur[n], 8, 8, GFP_KERNEL));
		misses = cur[n].end ? 0 : misses + 1;
		holding += cur[n].end != 0;
	}
	KUNIT_ASSERT_EQ(test, misses, 512);
	KUNIT_EXPECT_EQ(test, holding, ALBA_CURSOR_HOLDERS);
	pc = alba_pcpu_create(arena, 1024, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pc);
	stats_of(test, arena, &before);
	p = alba_pcpu_alloc(pc, 16, 8, GFP_KERNEL);
	q = alba_pcpu_alloc(pc, 16, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, q);
	stats_of(test, arena, &s);
	/* The chunk (one per CPU used) is held: its objects not counted yet. */
	KUNIT_EXPECT_GE(test, s.reserved_bytes, before.reserved_bytes + 32);
	KUNIT_EXPECT_EQ(test, s.allocs, before.allocs);
	if (ALBA_PCPU_SAME_CURSOR)	/* the second right below the first */
		KUNIT_EXPECT_PTR_EQ(test, q + 16, p);
	alba_pcpu_destroy(pc);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.reserved_bytes, before.reserved_bytes);
	KUNIT_EXPECT_EQ(test, s.allocs, before.allocs + 2);
	for (i = 0; i < n; i++)
		alba_cursor_fini(&cur[i]);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.reserved_bytes, 0);
	alba_destroy(arena);
}

static void alba_cursor_fini_test(struct kunit *test)
{
	struct alba *arena = new_arena(test, 0);
	struct alba_stats before, s;
	struct alba_cursor cur, other;
	size_t rest;
	u8 *p;

	stats_of(test, arena, &before);
	alba_cursor_init(&cur, arena, 2048);
	p = alba_cursor_alloc(&cur, 100, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	alba_cursor_fini(&cur);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.used_bytes, 100);
	KUNIT_EXPECT_EQ(test, s.tail_bytes, 0);
	KUNIT_EXPECT_EQ(test, s.free_bytes + s.pad_bytes, before.free_bytes - 100);
	/* fini twice, or on a cursor that holds nothing: harmless. */
	alba_cursor_fini(&cur);
	alba_cursor_init(&other, arena, 0);
	alba_cursor_fini(&other);

	/* Two cursors: the first one's rest cannot go back; it is tail. */
	alba_cursor_init(&cur, arena, 2048);
	alba_cursor_init(&other, arena, 2048);
	KUNIT_ASSERT_NOT_NULL(test, alba_cursor_alloc(&cur, 100, 8, GFP_KERNEL));
	KUNIT_ASSERT_NOT_NULL(test, alba_cursor_alloc(&other, 100, 8, GFP_KERNEL));

	/* Reset, mark and rewind are refused while cursors hold chunks. */
	stats_of(test, arena, &before);
	alba_test_clear_errno();
	alba_reset(arena);
	ALBA_EXPECT_ERRNO(test, EBUSY);
	stats_of(test, arena, &s);
	expect_stats_same(test, &before, &s, 0);

	/* So is a destroy: it would free the chunks under the cursors. */
	alba_test_clear_errno();
	alba_destroy(arena);
	ALBA_EXPECT_ERRNO(test, EBUSY);
	stats_of(test, arena, &s);
	expect_stats_same(test, &before, &s, 0);
	KUNIT_EXPECT_EQ(test, s.reserved_bytes, before.reserved_bytes);

	/*
	 * The first chunk lies above the second, so its unused bottom (the
	 * cursor's offset: a chunk of 2048 bytes or up to 63 more, minus the
	 * object and its padding) cannot go back; it becomes tail.
	 */
	rest = cur.off;
	KUNIT_EXPECT_GE(test, rest, 2048 - 100 - 7);
	KUNIT_EXPECT_LT(test, rest, 2048 + ALBA_CURSOR_MAX_ALIGN - 100);
	alba_cursor_fini(&cur);
	alba_cursor_fini(&other);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.tail_bytes, rest);
	KUNIT_EXPECT_EQ(test, s.reserved_bytes, 0);
	alba_reset(arena);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.used_bytes, 0);
	alba_destroy(arena);
}

/* ---- bad input ------------------------------------------------------------ */

static void alba_bad_block_size_test(struct kunit *test)
{
	static const size_t bad[] = {
		3, 4095, 4097, 12288, 3 * 65536, 1000000, PAGE_SIZE / 2, 1,
		MAX_BLOCK * 2, MAX_BLOCK + PAGE_SIZE, SIZE_MAX,
	};
	long live = alba_plat_live_blocks();
	struct alba *arena;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		alba_test_clear_errno();
		KUNIT_EXPECT_NULL(test, alba_create("bad", bad[i], GFP_KERNEL));
		ALBA_EXPECT_ERRNO(test, EINVAL);
	}
	KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), live);

	arena = new_arena(test, 0);
	KUNIT_EXPECT_EQ(test, alba_block_size(arena), ALBA_DEFAULT_BLOCK_SIZE);
	alba_destroy(arena);
	arena = new_arena(test, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, alba_block_size(arena), PAGE_SIZE);
	alba_destroy(arena);
	KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), live);
}

static void alba_bad_align_test(struct kunit *test)
{
	static const size_t bad[] = {
		3, 5, 6, 7, 12, 24, 100, 4097, 65535,
		MAX_BLOCK * 2, MAX_BLOCK + 8, SIZE_MAX, (SIZE_MAX >> 1) + 1,
	};
	struct alba *arena = new_arena(test, 0);
	struct alba_cursor cur;
	size_t i;
	u8 *p;

	KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, 8, 8, GFP_KERNEL));
	alba_cursor_init(&cur, arena, 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_FAILS(test, arena, 1, EINVAL,
			     alba_alloc(arena, 8, bad[i], GFP_KERNEL));
		EXPECT_FAILS(test, arena, 1, EINVAL,
			     alba_zalloc(arena, 8, bad[i], GFP_KERNEL));
		EXPECT_FAILS(test, arena, 1, EINVAL,
			     alba_cursor_alloc(&cur, 8, bad[i], GFP_KERNEL));
	}
	/*
	 * The largest block as the alignment is valid but can never be met:
	 * the object would start at the end of the largest block. ENOMEM,
	 * without asking the page allocator.
	 */
	alba_plat_fail_nth(1);
	EXPECT_FAILS(test, arena, 1, ENOMEM,
		     alba_alloc(arena, 8, MAX_BLOCK, GFP_KERNEL | __GFP_NOWARN));
	EXPECT_FAILS(test, arena, 1, ENOMEM,
		     alba_zalloc(arena, 8, MAX_BLOCK, GFP_KERNEL | __GFP_NOWARN));
	/* Not asked: the injected failure is still there for the next block. */
	EXPECT_FAILS(test, arena, 1, ENOMEM,
		     alba_alloc(arena, alba_block_size(arena), 8,
				GFP_KERNEL | __GFP_NOWARN));
	alba_plat_fail_nth(0);
	/* 0 means the default alignment. */
	p = alba_alloc(arena, 1, 0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, (uintptr_t)p & (ALBA_DEFAULT_ALIGN - 1), 0);
	alba_destroy(arena);
}

/*
 * Bad input while a cursor and a per-CPU set hold chunks (with none, the
 * empty cursor declines before any check that could go wrong): each call
 * fails, counted in failed only, the cursor's bytes are as they were, and
 * the next good request continues right below the last object. A mark, a
 * rewind and a reset are refused (EBUSY) and change nothing; once the
 * chunks are given back, the counters are those of the good requests.
 */
static void alba_held_bad_input_test(struct kunit *test)
{
	static const size_t bad_align[] = {
		3, 24, 4097, MAX_BLOCK * 2, SIZE_MAX, (SIZE_MAX >> 1) + 1,
	};
	static const size_t bad_size[] = {
		SIZE_MAX, SIZE_MAX - 7, (SIZE_MAX >> 1) + 1, MAX_BLOCK * 2,
	};
	struct alba *arena = new_arena(test, 0);
	struct alba_cursor cur, copy;
	struct alba_stats before, s;
	struct alba_pcpu *pc;
	struct alba_mark m0, m;
	size_t i;
	u8 *p, *q;

	m0 = alba_mark(arena);
	alba_cursor_init(&cur, arena, 4096);
	pc = alba_pcpu_create(arena, 4096, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pc);
	p = alba_cursor_alloc(&cur, 8, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, alba_pcpu_alloc(pc, 8, 8, GFP_KERNEL));
	for (i = 0; i < ARRAY_SIZE(bad_align); i++) {
		copy = cur;
		EXPECT_FAILS(test, arena, 1, EINVAL,
			     alba_cursor_alloc(&cur, 8, bad_align[i], GFP_KERNEL));
		KUNIT_EXPECT_EQ(test, memcmp(&copy, &cur, sizeof(cur)), 0);
		EXPECT_FAILS(test, arena, 1, EINVAL,
			     alba_pcpu_alloc(pc, 8, bad_align[i], GFP_KERNEL));
	}
	for (i = 0; i < ARRAY_SIZE(bad_size); i++) {
		copy = cur;
		EXPECT_FAILS(test, arena, 1, ENOMEM,
			     alba_cursor_alloc(&cur, bad_size[i], 8,
					       GFP_KERNEL | __GFP_NOWARN));
		KUNIT_EXPECT_EQ(test, memcmp(&copy, &cur, sizeof(cur)), 0);
		EXPECT_FAILS(test, arena, 1, ENOMEM,
			     alba_pcpu_alloc(pc, bad_size[i], 8,
					     GFP_KERNEL | __GFP_NOWARN));
	}
	q = alba_cursor_alloc(&cur, 8, 8, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, q, p - 8);

	/* A mark, a rewind and a reset: refused while chunks are held. */
	stats_of(test, arena, &before);
	alba_test_clear_errno();
	m = alba_mark(arena);
	ALBA_EXPECT_ERRNO(test, EBUSY);
	alba_test_clear_errno();
	alba_rewind(arena, m0);
	ALBA_EXPECT_ERRNO(test, EBUSY);
	alba_test_clear_errno();
	alba_reset(arena);
	ALBA_EXPECT_ERRNO(test, EBUSY);
	stats_of(test, arena, &s);
	expect_stats_same(test, &before, &s, 0);

	alba_cursor_fini(&cur);
	alba_pcpu_destroy(pc);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.allocs, 3);
	KUNIT_EXPECT_EQ(test, s.used_bytes, 24);
	KUNIT_EXPECT_EQ(test, s.failed,
			2 * (ARRAY_SIZE(bad_align) + ARRAY_SIZE(bad_size)));
	KUNIT_EXPECT_EQ(test, s.reserved_bytes, 0);
	/* The refused mark is one no rewind takes; the earlier one works. */
	alba_test_clear_errno();
	alba_rewind(arena, m);
	ALBA_EXPECT_ERRNO(test, EINVAL);
	alba_test_clear_errno();
	alba_rewind(arena, m0);
	ALBA_EXPECT_ERRNO(test, 0);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.used_bytes, 0);
	alba_destroy(arena);
}

static void alba_bad_size_test(struct kunit *test)
{
	struct alba *arena = new_arena(test, 0);
	struct alba_stats before, s;
	struct alba_cursor cur;
	size_t sizes[12], k;
	u8 *p;

	sizes[0] = SIZE_MAX;
	sizes[1] = SIZE_MAX - 1;
	sizes[2] = SIZE_MAX - 7;
	sizes[3] = SIZE_MAX - 64;
	sizes[4] = SIZE_MAX - 4096;
	sizes[5] = SIZE_MAX - MAX_BLOCK;
	sizes[6] = (size_t)PTRDIFF_MAX + 1;
	sizes[7] = (size_t)PTRDIFF_MAX;
	sizes[8] = MAX_BLOCK;
	sizes[9] = MAX_BLOCK - 1;
	sizes[10] = MAX_BLOCK * 2;
	sizes[11] = SIZE_MAX / 2;

	alba_cursor_init(&cur, arena, 0);
	KUNIT_ASSERT_NOT_NULL(test, alba_cursor_alloc(&cur, 8, 8, GFP_KERNEL));
	for (k = 0; k < ARRAY_SIZE(sizes); k++) {
		size_t align;

		for (align = 1; align <= 4096; align <<= 3) {
			EXPECT_FAILS(test, arena, 1, ENOMEM,
				     alba_alloc(arena, sizes[k], align,
						GFP_KERNEL | __GFP_NOWARN));
			EXPECT_FAILS(test, arena, 1, ENOMEM,
				     alba_cursor_alloc(&cur, sizes[k], align,
						       GFP_KERNEL | __GFP_NOWARN));
		}
	}

	/* Size 0: aligned, non-NULL, consumes nothing. */
	stats_of(test, arena, &before);
	p = alba_alloc(arena, 0, 64, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, (uintptr_t)p & 63, 0);
	p = alba_cursor_alloc(&cur, 0, 16, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, (uintptr_t)p & 15, 0);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.used_bytes, before.used_bytes);
	KUNIT_EXPECT_EQ(test, s.pad_bytes, before.pad_bytes);
	KUNIT_EXPECT_EQ(test, s.free_bytes, before.free_bytes);
	KUNIT_EXPECT_EQ(test, s.reserved_bytes, before.reserved_bytes);
	alba_cursor_fini(&cur);
	alba_destroy(arena);
}

static void alba_null_arena_test(struct kunit *test)
{
	struct alba_stats s, zero;
	struct alba_cursor cur;
	struct alba_mark m;
	struct alba *arena;
	u8 local[64];

	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_alloc(NULL, 8, 8, GFP_KERNEL));
	ALBA_EXPECT_ERRNO(test, EINVAL);
	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_zalloc(NULL, 8, 8, GFP_KERNEL));
	ALBA_EXPECT_ERRNO(test, EINVAL);
	/* Every call that allocates: NULL, EINVAL, nothing read from @src. */
	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_realloc(NULL, local, 8, 16, 8, GFP_KERNEL));
	ALBA_EXPECT_ERRNO(test, EINVAL);
	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_realloc(NULL, NULL, 0, 16, 8, GFP_KERNEL));
	ALBA_EXPECT_ERRNO(test, EINVAL);
	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_memdup(NULL, local, sizeof(local), GFP_KERNEL));
	ALBA_EXPECT_ERRNO(test, EINVAL);
	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_strndup(NULL, "abc", 2, GFP_KERNEL));
	ALBA_EXPECT_ERRNO(test, EINVAL);
	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_asprintf(NULL, GFP_KERNEL, "%d", 1));
	ALBA_EXPECT_ERRNO(test, EINVAL);
	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_alloc_array(NULL, 2, 8, 8, GFP_KERNEL));
	ALBA_EXPECT_ERRNO(test, EINVAL);
	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_new(NULL, struct alba_stats, GFP_KERNEL));
	ALBA_EXPECT_ERRNO(test, EINVAL);
	alba_destroy(NULL);
	alba_test_clear_errno();
	alba_reset(NULL);
	ALBA_EXPECT_ERRNO(test, EINVAL);
	alba_test_clear_errno();
	m = alba_mark(NULL);
	ALBA_EXPECT_ERRNO(test, EINVAL);
	alba_test_clear_errno();
	alba_rewind(NULL, m);
	ALBA_EXPECT_ERRNO(test, EINVAL);
	KUNIT_EXPECT_EQ(test, alba_block_size(NULL), 0);
	KUNIT_EXPECT_EQ(test, alba_validate(NULL), 1);
	/* Zeroed, every field. */
	memset(&zero, 0, sizeof(zero));
	memset(&s, 0xff, sizeof(s));
	alba_get_stats(NULL, &s);
	KUNIT_EXPECT_EQ(test, memcmp(&s, &zero, sizeof(s)), 0);
	arena = new_arena(test, 0);
	alba_get_stats(arena, NULL);
	alba_destroy(arena);
	alba_cursor_init(&cur, NULL, 0);
	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_cursor_alloc(&cur, 8, 8, GFP_KERNEL));
	ALBA_EXPECT_ERRNO(test, EINVAL);
	alba_cursor_fini(&cur);

	/* alba_of: NULL, bad block sizes, a wrong block size. */
	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_of(NULL, 0));
	ALBA_EXPECT_ERRNO(test, EINVAL);
	KUNIT_EXPECT_NULL(test, alba_of(local, 3));
	/* A size-0 pointer is no object: refused, not dereferenced. */
	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_of((void *)64, 0));
	ALBA_EXPECT_ERRNO(test, EINVAL);
	arena = new_arena(test, 8192);
	KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, 8, 8, GFP_KERNEL));
	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_of(alba_alloc(arena, 8, 8, GFP_KERNEL), 4096));
	ALBA_EXPECT_ERRNO(test, EINVAL);
	alba_destroy(arena);
}

/*
 * alba_of() is total: a block from the platform that no arena owns (with
 * a header-like pattern in it), a block of a destroyed arena, and every
 * kind of pointer alba never handed out (heap, stack, globals or kernel
 * text, vmalloc or other mappings, unmapped addresses, a page alone in its
 * mapping whose block-aligned base is unmapped) are refused, at every
 * block size, without a fault and without reading them.
 */
static void alba_of_foreign_test(struct kunit *test)
{
	void *blk = alba_plat_block_alloc(NULL, 15, GFP_KERNEL, NUMA_NO_NODE);
	static const size_t sizes[] = { 4096, 32768, 1 << 20, 1 << 22 };
	struct foreign f[8];
	struct alba *arena;
	size_t i, j, n;
	u8 local[64];
	void *dead;

	KUNIT_ASSERT_NOT_NULL(test, blk);
	memset(blk, 0x3c, 32768);
	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_of((u8 *)blk + 100, 32768));
	ALBA_EXPECT_ERRNO(test, EINVAL);
	alba_plat_block_free(blk, 15);

	/* An object of an arena that is gone. */
	arena = new_arena(test, 32768);
	dead = alba_alloc(arena, 100, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dead);
	KUNIT_EXPECT_PTR_EQ(test, alba_of(dead, 32768), arena);
	alba_destroy(arena);

	n = alba_foreign_new(test, f, local);
	f[n++] = (struct foreign){ "destroyed arena", dead };
	for (i = 0; i < n; i++) {
		for (j = 0; j < ARRAY_SIZE(sizes); j++) {
			alba_test_clear_errno();
			KUNIT_EXPECT_TRUE_MSG(test, !alba_of(f[i].p, sizes[j]),
					      "%s at block size %zu", f[i].what,
					      sizes[j]);
			ALBA_EXPECT_ERRNO(test, EINVAL);
		}
	}
	alba_foreign_free();
}

/*
 * NUMA nodes: NUMA_NO_NODE and node 0 always work; a node that cannot
 * exist is an invalid argument. (Userspace records any node and ignores
 * it; the kernel needs it online. Blocks really coming from the node is
 * checked in QEMU with two nodes, by scripts/qemu-init.sh.)
 */
static void alba_create_node_test(struct kunit *test)
{
	struct alba *a;

	a = alba_create_node("node", 0, GFP_KERNEL, NUMA_NO_NODE);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_NOT_NULL(test, alba_alloc(a, 100, 8, GFP_KERNEL));
	alba_destroy(a);
	a = alba_create_node("node", 0, GFP_KERNEL, 0);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_PTR_EQ(test, alba_of(alba_alloc(a, 100, 8, GFP_KERNEL), 0), a);
	alba_destroy(a);
	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_create_node("node", 0, GFP_KERNEL, -5));
	ALBA_EXPECT_ERRNO(test, EINVAL);
	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_create_node("node", 3, GFP_KERNEL, 0));
	ALBA_EXPECT_ERRNO(test, EINVAL);
}

/* ---- the kmalloc family --------------------------------------------------- */

/*
 * Arrays: n * size overflow-checked. A product that wraps (on 64 bits and,
 * under -m32, on 32) fails like SIZE_MAX would: NULL, ENOMEM, and only the
 * failed counter moves. alba_zalloc_array() zeroes; alba_new_array() takes
 * the type's size and alignment.
 */
static void alba_array_test(struct kunit *test)
{
	static const size_t wrap[][2] = {
		{ SIZE_MAX, 2 }, { 2, SIZE_MAX }, { (SIZE_MAX >> 1) + 1, 2 },
		{ SIZE_MAX / 3 + 1, 3 },
		{ (size_t)1 << (sizeof(size_t) * 4), (size_t)1 << (sizeof(size_t) * 4) },
		{ 65537, 65537 * 65537ULL > SIZE_MAX ? 65537 : SIZE_MAX / 65537 + 1 },
	};
	struct alba *arena = new_arena(test, 0);
	struct alba_stats before, s;
	struct rec { u64 a; u32 b; } *r;
	size_t i;
	u32 *a;
	u8 *z;

	for (i = 0; i < ARRAY_SIZE(wrap); i++) {
		EXPECT_FAILS(test, arena, 1, ENOMEM,
			     alba_alloc_array(arena, wrap[i][0], wrap[i][1], 8,
					      GFP_KERNEL | __GFP_NOWARN));
		EXPECT_FAILS(test, arena, 1, ENOMEM,
			     alba_zalloc_array(arena, wrap[i][0], wrap[i][1], 8,
					       GFP_KERNEL | __GFP_NOWARN));
	}
	a = alba_alloc_array(arena, 100, sizeof(*a), 0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_EQ(test, (uintptr_t)a % ALBA_DEFAULT_ALIGN, 0);
	for (i = 0; i < 100; i++)
		a[i] = (u32)i;
	fill(alba_alloc(arena, 3000, 1, GFP_KERNEL), 3000, 0xee);
	z = alba_zalloc_array(arena, 3, 1000, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, z);
	KUNIT_EXPECT_EQ(test, (uintptr_t)z % 64, 0);
	KUNIT_EXPECT_TRUE(test, check_fill(z, 3000, 0));
	r = alba_new_array(arena, struct rec, 10, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, (uintptr_t)r % __alignof__(struct rec), 0);
	r = alba_new(arena, struct rec, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.used_bytes, 400 + 3000 + 3000 + 11 * sizeof(*r));
	/* Zero elements, or zero-size elements: the size-0 pointer. */
	KUNIT_EXPECT_NOT_NULL(test, alba_alloc_array(arena, 0, 8, 0, GFP_KERNEL));
	KUNIT_EXPECT_NOT_NULL(test, alba_zalloc_array(arena, 8, 0, 0, GFP_KERNEL));
	stats_of(test, arena, &before);
	KUNIT_EXPECT_EQ(test, before.used_bytes, s.used_bytes);
	/* A NULL arena, a bad alignment. */
	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_alloc_array(NULL, 2, 2, 0, GFP_KERNEL));
	ALBA_EXPECT_ERRNO(test, EINVAL);
	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_alloc_array(arena, 2, 2, 3, GFP_KERNEL));
	ALBA_EXPECT_ERRNO(test, EINVAL);
	/*
	 * A bad alignment and a wrapping product: EINVAL, as alba_alloc()
	 * gives for the alignment (counted in failed, as there).
	 */
	stats_of(test, arena, &before);
	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_alloc_array(arena, SIZE_MAX, 2, 3, GFP_KERNEL));
	ALBA_EXPECT_ERRNO(test, EINVAL);
	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_zalloc_array(NULL, SIZE_MAX, 2, 0, GFP_KERNEL));
	ALBA_EXPECT_ERRNO(test, EINVAL);
	stats_of(test, arena, &s);
	expect_stats_same(test, &before, &s, 1);
	for (i = 0; i < 100; i++)
		KUNIT_EXPECT_EQ(test, a[i], (u32)i);
	alba_destroy(arena);
}

/*
 * Strings: exact copies with terminators, alignment 1 (no padding), a
 * NULL string gives NULL without a failure, memdup of 0 bytes is the
 * size-0 pointer.
 */
static void alba_string_test(struct kunit *test)
{
	static const char hello[] = "hello, arena";
	struct alba *arena = new_arena(test, 4096);
	struct alba_stats s, before;
	char *a, *b, *c, *d;
	u8 *m;

	a = alba_strdup(arena, hello, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_EQ(test, strcmp(a, hello), 0);
	KUNIT_EXPECT_TRUE(test, a != hello);
	/* Alignment 1: the next string starts right after the terminator. */
	b = alba_strdup(arena, "x", GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, b, a + sizeof(hello));
	c = alba_strndup(arena, hello, 5, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_EQ(test, strlen(c), 5);
	KUNIT_EXPECT_EQ(test, memcmp(c, "hello", 6), 0);
	d = alba_strndup(arena, "ab", 100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_EXPECT_EQ(test, strcmp(d, "ab"), 0);
	d = alba_strndup(arena, hello, 0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_EXPECT_EQ(test, d[0], '\0');
	m = alba_memdup(arena, hello, 4, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	KUNIT_EXPECT_EQ(test, memcmp(m, "hell", 4), 0);
	KUNIT_EXPECT_EQ(test, (uintptr_t)m % ALBA_DEFAULT_ALIGN, 0);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.used_bytes, sizeof(hello) + 2 + 6 + 3 + 1 + 4);
	KUNIT_EXPECT_EQ(test, s.allocs, 6);

	stats_of(test, arena, &before);
	KUNIT_EXPECT_NULL(test, alba_strdup(arena, NULL, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, alba_strndup(arena, NULL, 3, GFP_KERNEL));
	KUNIT_EXPECT_NOT_NULL(test, alba_memdup(arena, hello, 0, GFP_KERNEL));
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.used_bytes, before.used_bytes);
	KUNIT_EXPECT_EQ(test, s.failed, before.failed);
	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_strdup(NULL, hello, GFP_KERNEL));
	ALBA_EXPECT_ERRNO(test, EINVAL);
	alba_destroy(arena);
}

/*
 * printf into the arena: formats both worlds share, the exact length plus
 * the terminator, and output longer than a block in a dedicated block.
 */
static void alba_asprintf_test(struct kunit *test)
{
	struct alba *arena = new_arena(test, 4096);
	struct alba_stats s, before;
	char *p, *big;
	size_t i;

	stats_of(test, arena, &before);
	p = alba_asprintf(arena, GFP_KERNEL, "%s-%d-%u-%x-%zu-%c|%5s|%-3d|%%",
			  "abc", -42, 7u, 0xbeefu, (size_t)123456, 'z', "r", 9);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, strcmp(p, "abc--42-7-beef-123456-z|    r|9  |%"), 0);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.used_bytes - before.used_bytes, strlen(p) + 1);
	p = alba_asprintf(arena, GFP_KERNEL, "%s", "");
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, p[0], '\0');

	/* 10000 characters in an arena of 4 KiB blocks. */
	stats_of(test, arena, &before);
	big = alba_asprintf(arena, GFP_KERNEL, "%*s|%d", 9990, "tail", 123456789);
	KUNIT_ASSERT_NOT_NULL(test, big);
	KUNIT_EXPECT_EQ(test, strlen(big), 10000);
	for (i = 0; i < 9986; i++)
		if (big[i] != ' ')
			break;
	KUNIT_EXPECT_EQ(test, i, 9986);
	KUNIT_EXPECT_EQ(test, strcmp(big + 9986, "tail|123456789"), 0);
	KUNIT_EXPECT_PTR_EQ(test, alba_of(big, 4096), arena);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.blocks, before.blocks + 1);
	KUNIT_EXPECT_GE(test, s.block_bytes - before.block_bytes, 16384);
	alba_destroy(arena);
}

/*
 * realloc: the newest object of the current block grows and shrinks in
 * place (same pointer; used bytes move by the difference, nothing copied);
 * any other object is copied (used bytes grow by the new size, the old
 * bytes stay used); NULL is alloc, 0 is the size-0 pointer; a pointer of
 * another arena or misaligned is refused and nothing changes.
 */
static void alba_realloc_test(struct kunit *test)
{
	struct alba *arena = new_arena(test, 0), *other = new_arena(test, 0);
	struct alba_stats s, before;
	struct alba_cursor cur;
	u8 *p, *q, *r, *c;

	p = alba_realloc(arena, NULL, 0, 100, 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	fill(p, 100, 0x11);
	stats_of(test, arena, &before);
	q = alba_realloc(arena, p, 100, 300, 16, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.used_bytes, before.used_bytes + 200);
	KUNIT_EXPECT_EQ(test, s.pad_bytes, before.pad_bytes);
	KUNIT_EXPECT_TRUE(test, check_fill(p, 100, 0x11));
	fill(p + 100, 200, 0x22);
	q = alba_realloc(arena, p, 300, 50, 16, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.used_bytes, before.used_bytes - 50);
	/* The freed tail is the next allocation's. */
	r = alba_alloc(arena, 8, 1, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, r, p + 50);

	/* Not the newest any more: copied, the old bytes stay used. */
	stats_of(test, arena, &before);
	q = alba_realloc(arena, p, 50, 400, 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_TRUE(test, q != p);
	KUNIT_EXPECT_TRUE(test, check_fill(q, 50, 0x11));
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.used_bytes, before.used_bytes + 400);
	KUNIT_EXPECT_EQ(test, (uintptr_t)q % 16, 0);
	/* Shrinking a copy keeps the first new_size bytes. */
	fill(q, 400, 0x33);
	r = alba_alloc(arena, 1, 1, GFP_KERNEL);
	c = alba_realloc(arena, q, 400, 10, 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_TRUE(test, c != q);
	KUNIT_EXPECT_TRUE(test, check_fill(c, 10, 0x33));

	/* Larger than the block: a dedicated block, contents kept. */
	q = alba_realloc(arena, c, 10, 100000, 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_TRUE(test, check_fill(q, 10, 0x33));
	KUNIT_EXPECT_PTR_EQ(test, alba_of(q, 0), arena);

	/* A cursor's object is never the block's newest: copied. */
	alba_cursor_init(&cur, arena, 0);
	c = alba_cursor_alloc(&cur, 40, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	fill(c, 40, 0x44);
	q = alba_realloc(arena, c, 40, 41, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_TRUE(test, q != c);
	KUNIT_EXPECT_TRUE(test, check_fill(q, 40, 0x44));
	alba_cursor_fini(&cur);

	/* 0: the size-0 pointer, nothing consumed. */
	stats_of(test, arena, &before);
	q = alba_realloc(arena, q, 41, 0, 8, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, q);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.used_bytes, before.used_bytes);
	/* The size-0 pointer grows as NULL does (krealloc(ZERO_SIZE_PTR)). */
	r = alba_realloc(arena, q, 0, 24, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_PTR_EQ(test, alba_of(r, 0), arena);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.used_bytes, before.used_bytes + 24);
	KUNIT_EXPECT_EQ(test, s.allocs, before.allocs + 2);
	/* With a size it never had, or another alignment's: not an object. */
	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_realloc(arena, q, 8, 24, 8, GFP_KERNEL));
	ALBA_EXPECT_ERRNO(test, EINVAL);
	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_realloc(arena, alba_alloc(arena, 0, 64, GFP_KERNEL),
					     0, 24, 8, GFP_KERNEL));
	ALBA_EXPECT_ERRNO(test, EINVAL);

	/* Another arena's object, or a misaligned one: refused. */
	p = alba_alloc(other, 64, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	stats_of(test, arena, &before);
	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_realloc(arena, p, 64, 128, 64, GFP_KERNEL));
	ALBA_EXPECT_ERRNO(test, EINVAL);
	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_realloc(other, p + 8, 8, 16, 64, GFP_KERNEL));
	ALBA_EXPECT_ERRNO(test, EINVAL);
	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_realloc(other, p, 64, 128, 3, GFP_KERNEL));
	ALBA_EXPECT_ERRNO(test, EINVAL);
	stats_of(test, arena, &s);
	expect_stats_same(test, &before, &s, 0);
	alba_destroy(other);
	alba_destroy(arena);
}

/* alba_realloc() of [p, p + old) that @arena never handed out: refused. */
static void expect_realloc_refused(struct kunit *test, struct alba *arena,
				   u8 *p, size_t old)
{
	struct alba_stats before, s;

	stats_of(test, arena, &before);
	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_realloc(arena, p, old, old + 16, 8,
					     GFP_KERNEL));
	ALBA_EXPECT_ERRNO(test, EINVAL);
	stats_of(test, arena, &s);
	expect_stats_same(test, &before, &s, 0);
}

/*
 * Pointers into the arena's own blocks that it never handed out (alba_of()
 * finds the arena for them): the header, the free space of the current
 * block, the tail of an older one, a size reaching past the newest object
 * or past the block, past a dedicated block's object. Until this was
 * checked, they were copied from (the free space: a read of poisoned
 * memory under ASan; past a block: of memory that may not be mapped) or
 * resized in place.
 */
static void alba_realloc_not_handed_out_test(struct kunit *test)
{
	struct alba *arena = new_arena(test, 0);
	size_t bs = alba_block_size(arena), align;
	u8 *newest, *base, *q;

	newest = alba_alloc(arena, 32, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, newest);
	base = (u8 *)((uintptr_t)newest & ~(uintptr_t)(bs - 1));
	expect_realloc_refused(test, arena, base, 16);
	expect_realloc_refused(test, arena, newest + 4096, 16);
	expect_realloc_refused(test, arena, newest, 64);
	expect_realloc_refused(test, arena, newest, bs);
	expect_realloc_refused(test, arena, newest + 8, bs);
	/* The newest object itself, with its size, still resizes in place. */
	q = alba_realloc(arena, newest, 32, 64, 8, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, q, newest);
	/*
	 * An object too large for the rest of the block but not for a new
	 * one: the block is no longer current, and its free space is its tail.
	 */
	KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, bs - 256, 8, GFP_KERNEL));
	expect_realloc_refused(test, arena, newest + 4096, 16);
	expect_realloc_refused(test, arena, newest, 128);
	q = alba_realloc(arena, newest, 64, 100, 8, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, q);
	KUNIT_EXPECT_TRUE(test, q != newest);
	/* A dedicated block's object: a size past it, or past its block. */
	q = alba_alloc(arena, 2 * bs, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	expect_realloc_refused(test, arena, q, 2 * bs + 4096);
	expect_realloc_refused(test, arena, q, 8 * bs);
	expect_realloc_refused(test, arena, q + 64, 2 * bs);
	KUNIT_EXPECT_NOT_NULL(test, alba_realloc(arena, q, 2 * bs, 3 * bs, 8,
						 GFP_KERNEL));
	/*
	 * Objects aligned to the block size or more (their header lies
	 * below, found through a copy, or one block down): the same.
	 */
	for (align = bs; align <= 4 * bs; align *= 2) {
		q = alba_alloc(arena, 64, align, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, q);
		expect_realloc_refused(test, arena, q, 4096);
		expect_realloc_refused(test, arena, q, 8 * bs);
		expect_realloc_refused(test, arena, q + 32, 64);
		q = alba_realloc(arena, q, 64, 128, align, GFP_KERNEL);
		KUNIT_EXPECT_NOT_NULL(test, q);
		KUNIT_EXPECT_TRUE(test, !((uintptr_t)q & (align - 1)));
	}
	alba_destroy(arena);
}

/*
 * Pointers from outside the arena: foreign memory (heap, stack, globals,
 * text, a page alone in its mapping, an unmapped address), an object of a
 * destroyed arena, one of a live arena with another block size, and the
 * arena's own objects made stale by alba_reset() (their block freed) or
 * alba_reset_keep() (their block kept, now free space). Each is refused,
 * with either arena, and nothing is read or changed.
 */
static void alba_realloc_foreign_test(struct kunit *test)
{
	struct alba *a[2], *gone;
	struct foreign f[12];
	u8 local[64], *dead;
	size_t n, i, j;

	a[0] = new_arena(test, 0);
	a[1] = new_arena(test, 8192);	/* the default is 32 KiB */
	gone = new_arena(test, 0);
	dead = alba_alloc(gone, 100, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dead);
	alba_destroy(gone);

	n = alba_foreign_new(test, f, local);
	f[n++] = (struct foreign){ "destroyed arena", dead };
	for (i = 0; i < 2; i++) {
		u8 *own = alba_alloc(a[i], 100, 8, GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, own);
		f[n++] = (struct foreign){ i ? "small-block arena" : "default arena",
					   own };
	}
	for (i = 0; i < n; i++) {
		/* Aligned down, so that only where it points is wrong. */
		u8 *p = (u8 *)((uintptr_t)f[i].p & ~(uintptr_t)7);

		for (j = 0; j < 2; j++) {
			if (alba_of(p, alba_block_size(a[j])) == a[j])
				continue;	/* an arena's own object */
			expect_realloc_refused(test, a[j], p, 16);
			expect_realloc_refused(test, a[j], p, 0);
		}
	}

	/* Stale: after a reset (block freed) and alba_reset_keep() (kept). */
	for (i = 0; i < 2; i++) {
		u8 *old = alba_alloc(a[i], 100, 8, GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, old);
		if (i)
			alba_reset_keep(a[i], SIZE_MAX);
		else
			alba_reset(a[i]);
		expect_realloc_refused(test, a[i], old, 100);
		expect_realloc_refused(test, a[1 - i], old, 100);
	}
	alba_foreign_free();
	alba_destroy(a[0]);
	alba_destroy(a[1]);
}

/*
 * An object older than the newest mark is never resized in place: a
 * shrink would leave the arena below the mark (and the rewind refused),
 * a growth would be cut off by the rewind. Newer objects still are.
 */
static void alba_realloc_mark_test(struct kunit *test)
{
	struct alba *arena = new_arena(test, 0);
	struct alba_stats at_mark, s;
	struct alba_mark mark;
	u8 *p, *q, *r;

	p = alba_alloc(arena, 100, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	fill(p, 100, 0x5a);
	mark = alba_mark(arena);
	stats_of(test, arena, &at_mark);
	q = alba_realloc(arena, p, 100, 40, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_PTR_NE(test, q, p);
	r = alba_realloc(arena, q, 40, 60, 8, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, r, q);
	alba_test_clear_errno();
	alba_rewind(arena, mark);
	ALBA_EXPECT_ERRNO(test, 0);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.allocs, at_mark.allocs + 2);	/* calls stay counted */
	at_mark.allocs = s.allocs;
	expect_stats_same(test, &at_mark, &s, 0);
	KUNIT_EXPECT_TRUE(test, check_fill(p, 100, 0x5a));
	q = alba_realloc(arena, p, 100, 200, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_PTR_NE(test, q, p);
	alba_rewind(arena, mark);
	r = alba_alloc(arena, 8, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_TRUE(test, r >= p + 100);
	KUNIT_EXPECT_TRUE(test, check_fill(p, 100, 0x5a));
	alba_destroy(arena);
}

/* ---- per-CPU (per-thread) cursors ----------------------------------------- */

/*
 * One caller through a per-CPU set: its cursor takes a chunk, reset is
 * refused while chunks are held, alba_pcpu_drain() retires them (every
 * allocation then counted), the set keeps working, destroy retires again.
 * Requests a cursor does not take go to the arena.
 */
static void alba_pcpu_test(struct kunit *test)
{
	struct alba *arena = new_arena(test, 0);
	struct alba_stats s, before;
	struct alba_pcpu *pc;
	struct robj *obj;
	size_t i, n = 3000, used = 0;
	u8 *p;

	obj = kunit_kcalloc(test, n, sizeof(*obj), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	pc = alba_pcpu_create(arena, 2048, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pc);
	for (i = 0; i < n; i++) {
		size_t size = i % 500 == 499 ? 5000 : 1 + i % 97;
		size_t align = (size_t)1 << (i % 8);

		p = alba_pcpu_alloc(pc, size, align, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_EQ(test, (uintptr_t)p % align, 0);
		KUNIT_EXPECT_PTR_EQ(test, alba_of(p, 0), arena);
		obj[i] = (struct robj){ .p = p, .size = size, .pattern = (u8)(i | 1) };
		fill(p, size, obj[i].pattern);
		used += size;
	}
	stats_of(test, arena, &s);
	KUNIT_EXPECT_GT(test, s.reserved_bytes, 0);
	alba_test_clear_errno();
	alba_reset(arena);
	ALBA_EXPECT_ERRNO(test, EBUSY);
	/* A destroy too: the set's chunks stay, and so do their objects. */
	alba_test_clear_errno();
	alba_destroy(arena);
	ALBA_EXPECT_ERRNO(test, EBUSY);
	verify_objects(test, obj, n);

	alba_pcpu_drain(pc);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.reserved_bytes, 0);
	KUNIT_EXPECT_EQ(test, s.used_bytes, used);
	KUNIT_EXPECT_EQ(test, s.allocs, n);
	verify_objects(test, obj, n);

	/* Still usable; then destroy retires what was taken since. */
	KUNIT_EXPECT_NOT_NULL(test, alba_pcpu_alloc(pc, 24, 8, GFP_KERNEL));
	stats_of(test, arena, &before);
	KUNIT_EXPECT_GT(test, before.reserved_bytes, 0);
	alba_pcpu_destroy(pc);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.reserved_bytes, 0);
	KUNIT_EXPECT_EQ(test, s.used_bytes, used + 24);
	alba_reset(arena);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.used_bytes, 0);

	/* Bad input. */
	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_pcpu_create(NULL, 0, GFP_KERNEL));
	ALBA_EXPECT_ERRNO(test, EINVAL);
	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_pcpu_alloc(NULL, 8, 8, GFP_KERNEL));
	ALBA_EXPECT_ERRNO(test, EINVAL);
	alba_pcpu_drain(NULL);
	alba_pcpu_destroy(NULL);
	pc = alba_pcpu_create(arena, 0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pc);
	EXPECT_FAILS(test, arena, 1, EINVAL, alba_pcpu_alloc(pc, 8, 3, GFP_KERNEL));
	EXPECT_FAILS(test, arena, 1, ENOMEM,
		     alba_pcpu_alloc(pc, SIZE_MAX, 8, GFP_KERNEL | __GFP_NOWARN));
	alba_pcpu_destroy(pc);
	alba_destroy(arena);
}

/* ---- block allocation failures -------------------------------------------- */

/*
 * A fixed sequence of operations (alba_alloc(), a cursor's and a per-CPU
 * set's refills), run once for each n with the n-th block
 * allocation failing: the failing call returns NULL, the arena's stats are
 * as before (but for failed), the arena keeps working, nothing leaks.
 */
static void alba_fault_nth_test(struct kunit *test)
{
	long live = alba_plat_live_blocks();
	struct alba_stats before, s;
	struct alba_cursor cur;
	struct alba_pcpu *pc;
	struct alba *arena;
	unsigned long n;
	int i, failures;
	u8 *p;

	for (n = 1; n <= 12; n++) {
		alba_plat_fail_nth(n);
		arena = alba_create("fault", 4096, GFP_KERNEL | __GFP_NOWARN);
		if (!arena) {
			KUNIT_EXPECT_EQ(test, n, 1);
			KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), live);
			continue;
		}
		failures = 0;
		alba_cursor_init(&cur, arena, 512);
		pc = alba_pcpu_create(arena, 512, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, pc);
		for (i = 0; i < 80; i++) {
			size_t size = i % 5 == 4 ? 6000 : 300;

			stats_of(test, arena, &before);
			alba_test_clear_errno();
			if (i % 3 == 1)
				p = alba_alloc(arena, size, 16, GFP_KERNEL | __GFP_NOWARN);
			else if (i % 3 == 2)
				p = alba_pcpu_alloc(pc, size / 3, 16,
						    GFP_KERNEL | __GFP_NOWARN);
			else
				p = alba_cursor_alloc(&cur, size / 3, 16,
						      GFP_KERNEL | __GFP_NOWARN);
			if (!p) {
				failures++;
				ALBA_EXPECT_ERRNO(test, ENOMEM);
				stats_of(test, arena, &s);
				expect_stats_same(test, &before, &s, 1);
				continue;
			}
			fill(p, i % 3 == 1 ? size : size / 3, (u8)i);
		}
		KUNIT_EXPECT_EQ(test, failures, 1);
		/* Still works. */
		p = alba_alloc(arena, 5000, 8, GFP_KERNEL);
		KUNIT_EXPECT_NOT_NULL(test, p);
		KUNIT_EXPECT_NOT_NULL(test, alba_pcpu_alloc(pc, 1000, 8, GFP_KERNEL));
		alba_cursor_fini(&cur);
		alba_pcpu_destroy(pc);
		stats_of(test, arena, &s);
		KUNIT_EXPECT_EQ(test, s.failed, 1);
		KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), live + (long)s.blocks);
		alba_destroy(arena);
		KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), live);
	}
	alba_plat_fail_nth(0);
}

/* A rewind releases the objects allocated after the mark. */
/* ---- random operations ---------------------------------------------------- */

static const u64 random_seeds[] = {
	1, 0x9e3779b97f4a7c15ULL, 20261123, 0xa1bad00dULL,
};

static void seed_desc(const u64 *seed, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "seed=%llu",
		 (unsigned long long)*seed);
}

KUNIT_ARRAY_PARAM(random_seed, random_seeds, seed_desc);

static size_t drop_newer(struct robj *obj, size_t n, size_t seq)
{
	size_t i, kept = 0;

	for (i = 0; i < n; i++)
		if (obj[i].seq < seq)
			obj[kept++] = obj[i];
	return kept;
}

#define RANDOM_OPS	3000
#define RANDOM_MARKS	8

/*
 * Random allocations (locked and through a cursor), marks, rewinds and
 * resets. Every object is filled with its own pattern; after every
 * operation the stats identity must hold, and at the end all live objects
 * must still hold their patterns and must not overlap.
 */
static void alba_random_ops_test(struct kunit *test)
{
	u64 seed = *(const u64 *)test->param_value, state = seed;
	size_t marks_seq[RANDOM_MARKS], n = 0, nm = 0, seq = 0, checked = 0, bs;
	struct alba_mark marks[RANDOM_MARKS];
	struct alba_cursor cur;
	struct alba_stats s;
	struct alba *arena;
	struct robj *obj;
	bool cursor_live = false;
	int op;

	kunit_info(test, "seed %llu", (unsigned long long)seed);
	obj = kunit_kcalloc(test, RANDOM_OPS, sizeof(*obj), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	bs = (size_t)4096 << rnd_below(&state, 4);
	arena = new_arena(test, bs);

	for (op = 0; op < RANDOM_OPS; op++) {
		unsigned int what = rnd_below(&state, 100);
		size_t size = 1 + rnd_below(&state, 200), align;
		u8 *p;

		if (what < 2)
			size = bs + rnd_below(&state, 3 * bs);
		align = (size_t)1 << rnd_below(&state, what < 4 ? 16 : 7);

		if (what < 60) {
			p = what < 30 ? alba_alloc(arena, size, align, GFP_KERNEL) :
				alba_zalloc(arena, size, align, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, p);
			if (what >= 30)
				KUNIT_EXPECT_TRUE(test, check_fill(p, size, 0));
		} else if (what < 88) {
			if (!cursor_live)
				alba_cursor_init(&cur, arena, 64 << rnd_below(&state, 6));
			cursor_live = true;
			p = alba_cursor_alloc(&cur, size, align, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, p);
		} else {
			if (cursor_live)
				alba_cursor_fini(&cur);
			cursor_live = false;
			verify_objects(test, obj, n);
			checked += n;
			if (what < 94 && nm < RANDOM_MARKS) {
				marks_seq[nm] = seq;
				marks[nm++] = alba_mark(arena);
			} else if (what < 99 && nm) {
				nm = rnd_below(&state, nm);
				alba_rewind(arena, marks[nm]);
				n = drop_newer(obj, n, marks_seq[nm]);
			} else {
				alba_reset(arena);
				n = 0;
				nm = 0;
			}
			stats_of(test, arena, &s);
			continue;
		}
		KUNIT_EXPECT_EQ(test, (uintptr_t)p & (align - 1), 0);
		KUNIT_EXPECT_PTR_EQ(test, alba_of(p, bs), arena);
		obj[n].seq = seq++;
		obj[n].p = p;
		obj[n].size = size;
		obj[n].pattern = (u8)rnd_next(&state) | 1;
		fill(p, size, obj[n].pattern);
		n++;
		stats_of(test, arena, &s);
	}
	if (cursor_live)
		alba_cursor_fini(&cur);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.reserved_bytes, 0);

	verify_objects(test, obj, n);
	checked += n;
	kunit_info(test, "%zu objects checked; %zu live at the end in %zu blocks",
		   checked, n, s.blocks);
	alba_destroy(arena);
}

ALBA_PARAM_TEST(alba_random_ops_test, random_seed_gen_params);

/* A rewind to @m is refused with EINVAL and changes nothing. */
static void expect_rewind_refused(struct kunit *test, struct alba *arena,
				  struct alba_mark m)
{
	struct alba_stats before, after;

	stats_of(test, arena, &before);
	alba_test_clear_errno();
	alba_rewind(arena, m);
	ALBA_EXPECT_ERRNO(test, EINVAL);
	stats_of(test, arena, &after);
	expect_stats_same(test, &before, &after, 0);
}

/*
 * Marks that must be refused, in every state: released by a rewind to an
 * older mark after the arena grew past them again (same block, a new
 * block, a dedicated block), taken before a reset, zeroed, altered, and
 * from another arena (also once that arena's block was recycled into this
 * one). Each refusal changes nothing, and the live objects stay intact.
 */
static void alba_mark_stale_test(struct kunit *test)
{
	long live = alba_plat_live_blocks();
	struct alba *arena = new_arena(test, 4096), *other;
	struct alba_mark m1, m2, bad;
	struct alba_stats s1, s2;
	size_t len;
	u8 *b, *c;
	int round;

	for (round = 0; round < 3; round++) {
		m1 = alba_mark(arena);
		KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, 64, 8, GFP_KERNEL));
		m2 = alba_mark(arena);
		KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, 64, 8, GFP_KERNEL));
		alba_rewind(arena, m1);
		/*
		 * The arena grows past m2's position again: in the same
		 * block, into a new block, or with a dedicated block.
		 */
		len = round == 0 ? 512 : round == 1 ? 3000 : 64 * KIB;
		b = alba_alloc(arena, len, 8, GFP_KERNEL);
		if (round == 1)
			b = alba_alloc(arena, len, 8, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, b);
		fill(b, len, 0x6b);
		expect_rewind_refused(test, arena, m2);
		/* b is intact and still the arena's: nothing was released. */
		c = alba_alloc(arena, 256, 8, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, c);
		fill(c, 256, 0x11);
		KUNIT_EXPECT_TRUE(test, check_fill(b, len, 0x6b));
		KUNIT_EXPECT_PTR_EQ(test, alba_of(b, 4096), arena);
		/* m1 is still live, and a rewind to it can be repeated. */
		alba_test_clear_errno();
		alba_rewind(arena, m1);
		ALBA_EXPECT_ERRNO(test, 0);
		stats_of(test, arena, &s1);
		alba_rewind(arena, m1);
		ALBA_EXPECT_ERRNO(test, 0);
		stats_of(test, arena, &s2);
		expect_stats_same(test, &s1, &s2, 0);
		expect_rewind_refused(test, arena, m2);
	}

	/* Zeroed, and altered copies of a live mark. */
	m1 = alba_mark(arena);
	KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, 64, 8, GFP_KERNEL));
	memset(&bad, 0, sizeof(bad));
	expect_rewind_refused(test, arena, bad);
	bad = m1;
	bad.top -= 64;
	expect_rewind_refused(test, arena, bad);
	bad = m1;
	bad.seq++;
	expect_rewind_refused(test, arena, bad);
	bad = m1;
	bad.depth++;
	expect_rewind_refused(test, arena, bad);
	bad = m1;
	bad.newest = NULL;
	expect_rewind_refused(test, arena, bad);
	memset(&bad, 0xa5, sizeof(bad));
	expect_rewind_refused(test, arena, bad);

	/* Another arena's marks, live or not. */
	other = new_arena(test, 4096);
	m2 = alba_mark(other);
	expect_rewind_refused(test, arena, m2);
	expect_rewind_refused(test, other, m1);
	/* A mark in other's second block; the block goes, this arena reuses it. */
	KUNIT_ASSERT_NOT_NULL(test, alba_alloc(other, 3000, 8, GFP_KERNEL));
	KUNIT_ASSERT_NOT_NULL(test, alba_alloc(other, 3000, 8, GFP_KERNEL));
	m2 = alba_mark(other);
	alba_reset(other);
	b = alba_alloc(arena, 3000, 8, GFP_KERNEL);
	b = alba_alloc(arena, 3000, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	fill(b, 3000, 0x77);
	if (((uintptr_t)b & ~(uintptr_t)4095) == ((uintptr_t)m2.cur & ~(uintptr_t)4095))
		kunit_info(test, "the other arena's block was recycled into this one\n");
	expect_rewind_refused(test, arena, m2);
	expect_rewind_refused(test, other, m2);	/* taken before a reset */
	alba_destroy(other);
	expect_rewind_refused(test, arena, m2);
	KUNIT_EXPECT_TRUE(test, check_fill(b, 3000, 0x77));

	/* A reset releases every mark. */
	m1 = alba_mark(arena);
	alba_reset(arena);
	expect_rewind_refused(test, arena, m1);
	alba_destroy(arena);
	KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), live);
}

/*
 * Nested marks: the 32 newest live marks are always valid; rewinding to
 * each in turn, newest first, works and keeps the older ones live.
 */
static void alba_mark_nesting_test(struct kunit *test)
{
	struct alba *arena = new_arena(test, 4096);
	/* On the heap: 40 marks and stats are 8 KiB, too much kernel stack. */
	struct alba_mark *m = kunit_kcalloc(test, 40, sizeof(*m), GFP_KERNEL);
	struct alba_stats *at = kunit_kcalloc(test, 40, sizeof(*at), GFP_KERNEL);
	struct alba_stats s;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, m);
	KUNIT_ASSERT_NOT_NULL(test, at);
	for (i = 0; i < 40; i++) {
		stats_of(test, arena, &at[i]);
		m[i] = alba_mark(arena);
		KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, 700, 8, GFP_KERNEL));
	}
	for (i = 39; i >= 8; i--) {
		alba_test_clear_errno();
		alba_rewind(arena, m[i]);
		ALBA_EXPECT_ERRNO(test, 0);
		stats_of(test, arena, &s);
		at[i].allocs = s.allocs;
		expect_stats_same(test, &at[i], &s, 0);
		if (i < 39)
			expect_rewind_refused(test, arena, m[i + 1]);
	}
	alba_destroy(arena);
}

/*
 * alba_of() on a block's boundaries: its base finds the arena, one past
 * its end does not (an arena of one block: whatever lies above is not
 * its). An object aligned to the block size finds it through its first
 * block_size bytes, and not through the rest.
 */
static void alba_of_boundary_test(struct kunit *test)
{
	size_t sizes[] = { 4096, 32 * KIB, MIB };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t bs = sizes[i];
		struct alba *arena = new_arena(test, bs);
		u8 *p = alba_alloc(arena, 8, 8, GFP_KERNEL);
		uintptr_t base;
		u8 *big;

		KUNIT_ASSERT_NOT_NULL(test, p);
		base = (uintptr_t)p & ~(uintptr_t)(bs - 1);
		KUNIT_EXPECT_PTR_EQ(test, alba_of((void *)base, bs), arena);
		KUNIT_EXPECT_PTR_EQ(test, alba_of((void *)(base + 1), bs), arena);
		KUNIT_EXPECT_PTR_EQ(test, alba_of((void *)(base + bs - 1), bs), arena);
		KUNIT_EXPECT_PTR_NE(test, alba_of((void *)(base + bs), bs), arena);

		big = alba_alloc(arena, 2 * bs, 2 * bs, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, big);
		KUNIT_EXPECT_EQ(test, (uintptr_t)big & (2 * bs - 1), 0);
		KUNIT_EXPECT_PTR_EQ(test, alba_of(big, bs), arena);
		KUNIT_EXPECT_PTR_EQ(test, alba_of(big + 1, bs), arena);
		KUNIT_EXPECT_PTR_EQ(test, alba_of(big + bs - 1, bs), arena);
		/* Further into it, its second block_size bytes, does not. */
		alba_test_clear_errno();
		KUNIT_EXPECT_NULL(test, alba_of(big + bs, bs));
		ALBA_EXPECT_ERRNO(test, EINVAL);
		KUNIT_EXPECT_NULL(test, alba_of(big + 2 * bs - 1, bs));
		big = alba_alloc(arena, bs, bs, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, big);
		KUNIT_EXPECT_PTR_EQ(test, alba_of(big, bs), arena);
		KUNIT_EXPECT_PTR_EQ(test, alba_of(big + bs - 1, bs), arena);
		alba_destroy(arena);
	}
}

/* Size 0 through a cursor is counted as alba_alloc() counts it. */
static void alba_cursor_size0_test(struct kunit *test)
{
	struct alba *arena = new_arena(test, 0);
	struct alba_stats before, s;
	struct alba_cursor cur;
	void *p;

	alba_cursor_init(&cur, arena, 0);
	stats_of(test, arena, &before);
	p = alba_cursor_alloc(&cur, 0, 16, GFP_KERNEL);	/* no chunk held */
	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, (uintptr_t)p & 15, 0);
	KUNIT_ASSERT_NOT_NULL(test, alba_cursor_alloc(&cur, 8, 8, GFP_KERNEL));
	p = alba_cursor_alloc(&cur, 0, 8, GFP_KERNEL);	/* with a chunk */
	KUNIT_EXPECT_NOT_NULL(test, p);
	alba_cursor_fini(&cur);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.allocs, before.allocs + 3);
	KUNIT_EXPECT_EQ(test, s.used_bytes, before.used_bytes + 8);
	alba_destroy(arena);

	/* A cursor without an arena: EINVAL for size 0 too. */
	alba_cursor_init(&cur, NULL, 0);
	alba_test_clear_errno();
	KUNIT_EXPECT_NULL(test, alba_cursor_alloc(&cur, 0, 8, GFP_KERNEL));
	ALBA_EXPECT_ERRNO(test, EINVAL);
}

/* What the cleanup callbacks saw: who ran, in which order. */
struct cleanup_log {
	int order[8];
	int n;
	const u8 *obj;		/* an object that must still be intact */
	bool obj_intact;
};

static struct cleanup_log clog;
static int cleanup_ids[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };

static void cleanup_fn(void *data)
{
	int id = *(const int *)data;

	if (clog.n < (int)ARRAY_SIZE(clog.order))
		clog.order[clog.n] = id;
	clog.n++;
	if (clog.obj && id == 0)
		clog.obj_intact = check_fill(clog.obj, 64, 0x3c);
}

/*
 * Cleanups run newest first: those registered after a mark on a rewind to
 * it (once), all on a reset and on destroy, before the memory goes; a
 * refused rewind runs none; a failed registration changes nothing.
 */
static void alba_cleanup_test(struct kunit *test)
{
	struct alba *arena = new_arena(test, 4096);
	struct alba_stats before, s;
	struct alba_mark m, stale;
	u8 *obj;
	int i;

	memset(&clog, 0, sizeof(clog));
	obj = alba_alloc(arena, 64, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	fill(obj, 64, 0x3c);
	clog.obj = obj;
	KUNIT_EXPECT_EQ(test, alba_add_cleanup(arena, cleanup_fn, &cleanup_ids[0],
					       GFP_KERNEL), 0);
	m = alba_mark(arena);
	for (i = 1; i <= 3; i++)
		KUNIT_EXPECT_EQ(test, alba_add_cleanup(arena, cleanup_fn,
						       &cleanup_ids[i], GFP_KERNEL), 0);
	stale = alba_mark(arena);
	alba_rewind(arena, m);
	KUNIT_EXPECT_EQ(test, clog.n, 3);
	KUNIT_EXPECT_EQ(test, clog.order[0], 3);
	KUNIT_EXPECT_EQ(test, clog.order[1], 2);
	KUNIT_EXPECT_EQ(test, clog.order[2], 1);
	alba_rewind(arena, m);			/* again: nothing left to run */
	KUNIT_EXPECT_EQ(test, clog.n, 3);
	expect_rewind_refused(test, arena, stale);	/* runs nothing */
	KUNIT_EXPECT_EQ(test, clog.n, 3);

	/* Bad registrations change nothing. */
	stats_of(test, arena, &before);
	alba_test_clear_errno();
	KUNIT_EXPECT_EQ(test, alba_add_cleanup(NULL, cleanup_fn, NULL, GFP_KERNEL),
			-EINVAL);
	ALBA_EXPECT_ERRNO(test, EINVAL);
	KUNIT_EXPECT_EQ(test, alba_add_cleanup(arena, NULL, NULL, GFP_KERNEL), -EINVAL);
	stats_of(test, arena, &s);
	expect_stats_same(test, &before, &s, 0);
	/* The record does not fit the current block, and no block comes. */
	while (free_now(arena) >= 8)
		KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, 8, 8, GFP_KERNEL));
	stats_of(test, arena, &before);
	alba_plat_fail_nth(1);
	KUNIT_EXPECT_EQ(test, alba_add_cleanup(arena, cleanup_fn, &cleanup_ids[5],
					       GFP_KERNEL | __GFP_NOWARN), -ENOMEM);
	alba_plat_fail_nth(0);
	stats_of(test, arena, &s);
	expect_stats_same(test, &before, &s, 1);

	/* A reset runs the rest; the object is still there when it runs. */
	KUNIT_EXPECT_EQ(test, alba_add_cleanup(arena, cleanup_fn, &cleanup_ids[4],
					       GFP_KERNEL), 0);
	alba_reset(arena);
	KUNIT_EXPECT_EQ(test, clog.n, 5);
	KUNIT_EXPECT_EQ(test, clog.order[3], 4);
	KUNIT_EXPECT_EQ(test, clog.order[4], 0);
	KUNIT_EXPECT_TRUE(test, clog.obj_intact);
	alba_reset(arena);
	KUNIT_EXPECT_EQ(test, clog.n, 5);

	/* Destroy runs what is registered. */
	clog.obj = NULL;
	KUNIT_EXPECT_EQ(test, alba_add_cleanup(arena, cleanup_fn, &cleanup_ids[6],
					       GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, alba_add_cleanup(arena, cleanup_fn, &cleanup_ids[7],
					       GFP_KERNEL), 0);
	alba_destroy(arena);
	KUNIT_EXPECT_EQ(test, clog.n, 7);
	KUNIT_EXPECT_EQ(test, clog.order[5], 7);
	KUNIT_EXPECT_EQ(test, clog.order[6], 6);
}

/*
 * alba_reset_keep(): up to keep_bytes of released blocks of the arena's
 * size stay with it and serve the next allocations without the page
 * allocator (a block allocation armed to fail does not fire until they
 * are used up); dedicated blocks always go; alba_reset() frees the kept
 * ones; the stats count them, and the identity holds throughout.
 */
static void alba_reset_keep_test(struct kunit *test)
{
	long live = alba_plat_live_blocks();
	struct alba *arena = new_arena(test, 4096);
	struct alba_stats s, after;
	struct alba_mark m;
	size_t i;

	for (i = 0; i < 10; i++)
		KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, 3000, 8, GFP_KERNEL));
	KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, 3 * 4096, 8, GFP_KERNEL));
	m = alba_mark(arena);
	alba_reset_keep(arena, 4 * 4096 + 100);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.blocks, 5);
	KUNIT_EXPECT_EQ(test, s.block_bytes, 5 * 4096);
	KUNIT_EXPECT_EQ(test, s.used_bytes, 0);
	KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), live + 5);
	expect_rewind_refused(test, arena, m);

	/* Four blocks' worth of objects: no block allocation at all. */
	alba_plat_fail_nth(1);
	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_NOT_NULL(test, alba_alloc(arena, 3000, 8, GFP_KERNEL));
	stats_of(test, arena, &after);
	KUNIT_EXPECT_EQ(test, after.blocks, 5);
	KUNIT_EXPECT_EQ(test, after.failed, s.failed);
	/* The next block comes from the platform: the armed failure fires. */
	KUNIT_EXPECT_NULL(test, alba_alloc(arena, 3000, 8, GFP_KERNEL | __GFP_NOWARN));
	alba_plat_fail_nth(0);
	KUNIT_EXPECT_NOT_NULL(test, alba_alloc(arena, 3000, 8, GFP_KERNEL));
	stats_of(test, arena, &after);
	KUNIT_EXPECT_EQ(test, after.blocks, 6);
	KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), live + 6);

	/* Kept blocks count against the limit; less than a block keeps none. */
	alba_reset_keep(arena, 2 * 4096);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.blocks, 3);
	alba_reset_keep(arena, 4095);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.blocks, 1);
	KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), live + 1);

	/* alba_reset() keeps nothing; marks work after a reset_keep. */
	for (i = 0; i < 4; i++)
		KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, 3000, 8, GFP_KERNEL));
	alba_reset_keep(arena, SIZE_MAX);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.blocks, 4);
	m = alba_mark(arena);
	KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, 3000, 8, GFP_KERNEL));
	KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, 3000, 8, GFP_KERNEL));
	alba_test_clear_errno();
	alba_rewind(arena, m);
	ALBA_EXPECT_ERRNO(test, 0);
	stats_of(test, arena, &after);
	KUNIT_EXPECT_EQ(test, after.used_bytes, 0);
	alba_reset(arena);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.blocks, 1);
	alba_reset_keep(NULL, 4096);	/* nothing */
	alba_destroy(arena);
	KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), live);
}

/*
 * Kept blocks come back in the order the last round took them, round after
 * round (walking the same blocks the same way; they were handed out
 * reversed every other round before).
 */
static void alba_reset_keep_order_test(struct kunit *test)
{
	struct alba *arena = new_arena(test, 4096);
	uintptr_t first[12], again[12];
	int round, i;
	u8 *p;

	for (round = 0; round < 4; round++) {
		for (i = 0; i < 12; i++) {
			p = alba_alloc(arena, 3000, 8, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, p);
			again[i] = (uintptr_t)p & ~(uintptr_t)4095;
			if (!round)
				first[i] = again[i];
			KUNIT_EXPECT_EQ_MSG(test, again[i], first[i],
					    "round %d, object %d", round, i);
		}
		alba_reset_keep(arena, SIZE_MAX);
	}
	alba_destroy(arena);
}

/* Allocates @n objects inside a scope and returns from the middle of it. */
static int scope_return_early(struct alba *arena, int n)
{
	int i;

	guard(alba_scope)(arena);
	for (i = 0; i < n; i++) {
		if (!alba_alloc(arena, 1000, 8, GFP_KERNEL))
			return -ENOMEM;
		if (i == n / 2)
			return i;
	}
	return n;
}

/* An arena that destroys itself on every way out. */
static bool scope_free_arena(int fail_at)
{
	struct alba *a __free(alba) = alba_create("scoped", 4096, GFP_KERNEL);
	int i;

	if (!a)
		return false;
	for (i = 0; i < 10; i++)
		if (i == fail_at || !alba_alloc(a, 3000, 8, GFP_KERNEL))
			return false;
	return true;
}

/*
 * Scopes: guard(alba_scope) and scoped_guard(alba_scope) release what was
 * allocated inside on every way out (end of block, return, break,
 * continue), nested; a scope whose rewind is refused (a cursor holds a
 * chunk) leaves the arena as it is; __free(alba) destroys an arena.
 */
static void alba_scope_test(struct kunit *test)
{
	long live = alba_plat_live_blocks();
	struct alba *arena = new_arena(test, 4096);
	struct alba_stats before, inner, s;
	struct alba_cursor cur;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, 100, 8, GFP_KERNEL));
	stats_of(test, arena, &before);
	{
		guard(alba_scope)(arena);
		for (i = 0; i < 20; i++)
			KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, 1000, 8, GFP_KERNEL));
		stats_of(test, arena, &inner);
		{
			guard(alba_scope)(arena);
			KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, 9000, 8, GFP_KERNEL));
		}
		stats_of(test, arena, &s);
		inner.allocs = s.allocs;
		expect_stats_same(test, &inner, &s, 0);
	}
	stats_of(test, arena, &s);
	before.allocs = s.allocs;
	expect_stats_same(test, &before, &s, 0);

	KUNIT_EXPECT_EQ(test, scope_return_early(arena, 10), 5);
	stats_of(test, arena, &s);
	before.allocs = s.allocs;
	expect_stats_same(test, &before, &s, 0);

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 199901L
	/*
	 * scoped_guard() declares its scope in a for statement: C99 (kernels
	 * before 5.18 build as gnu89). As in the kernel, break and continue
	 * leave the scoped_guard only.
	 */
	{
		int n = 0;

		for (i = 0; i < 6; i++) {
			scoped_guard(alba_scope, arena) {
				KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, 2000, 8,
								       GFP_KERNEL));
				if (i == 1)
					continue;
				if (i == 4)
					break;
				n++;
			}
		}
		KUNIT_EXPECT_EQ(test, n, 4);
		stats_of(test, arena, &s);
		before.allocs = s.allocs;
		expect_stats_same(test, &before, &s, 0);
	}
#endif

	/* Refused at its end: the cursor's chunk stays, and so does the rest. */
	alba_cursor_init(&cur, arena, 0);
	{
		guard(alba_scope)(arena);
		KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, 500, 8, GFP_KERNEL));
		KUNIT_ASSERT_NOT_NULL(test, alba_cursor_alloc(&cur, 16, 8, GFP_KERNEL));
		stats_of(test, arena, &inner);
		alba_test_clear_errno();
	}
	ALBA_EXPECT_ERRNO(test, EBUSY);
	stats_of(test, arena, &s);
	expect_stats_same(test, &inner, &s, 0);
	alba_cursor_fini(&cur);
	alba_destroy(arena);

	KUNIT_EXPECT_TRUE(test, scope_free_arena(-1));
	KUNIT_EXPECT_FALSE(test, scope_free_arena(3));
	KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), live);
}

static struct kunit_case alba_test_cases[] = {
	KUNIT_CASE_PARAM(alba_block_alignment_test, block_shift_gen_params),
	KUNIT_CASE_PARAM(alba_padding_layout_test, pad_layout_gen_params),
	KUNIT_CASE_PARAM(alba_padding_every_offset_test, pad_align_gen_params),
	KUNIT_CASE(alba_large_object_test),
	KUNIT_CASE(alba_large_align_test),
	KUNIT_CASE(alba_reset_test),
	KUNIT_CASE(alba_mark_rewind_test),
	KUNIT_CASE(alba_mark_stale_test),
	KUNIT_CASE(alba_mark_nesting_test),
	KUNIT_CASE(alba_of_boundary_test),
	KUNIT_CASE(alba_cursor_size0_test),
	KUNIT_CASE(alba_cleanup_test),
	KUNIT_CASE(alba_reset_keep_test),
	KUNIT_CASE(alba_reset_keep_order_test),
	KUNIT_CASE(alba_scope_test),
	KUNIT_CASE(alba_zalloc_test),
	KUNIT_CASE(alba_cursor_align_test),
	KUNIT_CASE(alba_cursor_refill_test),
	KUNIT_CASE(alba_cursor_no_tail_test),
	KUNIT_CASE(alba_chunk_sizes_test),
	KUNIT_CASE(alba_cursor_fini_test),
	KUNIT_CASE(alba_cursor_reinit_test),
	KUNIT_CASE(alba_cursor_holders_full_test),
	KUNIT_CASE(alba_pcpu_holders_full_test),
	KUNIT_CASE(alba_bad_block_size_test),
	KUNIT_CASE(alba_bad_align_test),
	KUNIT_CASE(alba_bad_size_test),
	KUNIT_CASE(alba_held_bad_input_test),
	KUNIT_CASE(alba_null_arena_test),
	KUNIT_CASE(alba_of_foreign_test),
	KUNIT_CASE(alba_create_node_test),
	KUNIT_CASE(alba_array_test),
	KUNIT_CASE(alba_string_test),
	KUNIT_CASE(alba_asprintf_test),
	KUNIT_CASE(alba_realloc_test),
	KUNIT_CASE(alba_realloc_not_handed_out_test),
	KUNIT_CASE(alba_realloc_foreign_test),
	KUNIT_CASE(alba_realloc_mark_test),
	KUNIT_CASE(alba_pcpu_test),
	KUNIT_CASE(alba_fault_nth_test),
	KUNIT_CASE_PARAM(alba_random_ops_test, random_seed_gen_params),
	{}
};

static struct kunit_suite alba_test_suite = {
	.name = "alba",
	.test_cases = alba_test_cases,
};

kunit_test_suites(&alba_test_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the alba arena allocator");
ALBA_IMPORT_KUNIT_NS();
