// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for alba's debug mode (CONFIG_ALBA_DEBUG in the kernel,
 * -DALBA_DEBUG in userspace): every object has a red zone after it, and
 * alba_validate() counts exactly what was corrupted. Each test
 * corrupts on purpose (unpoisoning first, so that ASan lets the test do
 * what a buggy caller would) and asserts the count, as lib/slub_kunit.c
 * does for slub.
 */
#include <kunit/test.h>

#include "alba.h"
#include "alba_plat.h"
#include "kunit_compat.h"
#include "alba_test_stats.h"

#ifndef ALBA_DEBUG
#error "alba_debug_kunit.c is for debug builds (ALBA_DEBUG)"
#endif

#define RZ	16	/* sizeof(struct alba_redzone): alba_internal.h */

static void corrupt(void *p, size_t off_bytes, unsigned char v)
{
	unsigned char *b = (unsigned char *)p + off_bytes;

	alba_plat_unpoison(b, 1);
	*b = v;
}

/* Locked, cursor, dedicated and over-aligned objects: all sound. */
static void alba_debug_clean_test(struct kunit *test)
{
	struct alba *arena = alba_create("debug", 4096, GFP_KERNEL);
	struct alba_cursor cur;
	struct alba_stats s;
	size_t used = 0, n = 0, i;
	unsigned char *p;

	KUNIT_ASSERT_NOT_NULL(test, arena);
	alba_cursor_init(&cur, arena, 0);
	for (i = 0; i < 300; i++) {
		size_t size = 1 + i % 97, align = (size_t)1 << (i % 7);

		p = i % 2 ? alba_alloc(arena, size, align, GFP_KERNEL) :
			alba_cursor_alloc(&cur, size, align, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		memset(p, 0x5a, size);
		used += size;
		n++;
	}
	p = alba_alloc(arena, 5000, 8, GFP_KERNEL);		/* a dedicated block */
	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 1, 5000);
	p = alba_alloc(arena, 100, 16384, GFP_KERNEL);		/* aligned beyond a block */
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_EQ(test, alba_of(p, 4096), arena);
	memset(p, 2, 100);
	KUNIT_EXPECT_NOT_NULL(test, alba_alloc(arena, 0, 8, GFP_KERNEL));	/* no red zone */
	used += 5100;
	n += 2;
	alba_cursor_fini(&cur);

	KUNIT_EXPECT_EQ(test, alba_validate(arena), 0);
	alba_get_stats(arena, &s);
	KUNIT_EXPECT_EQ(test, s.used_bytes, used);
	KUNIT_EXPECT_GE(test, s.pad_bytes, n * RZ);
	KUNIT_EXPECT_EQ(test, s.reserved_bytes, 0);
	KUNIT_EXPECT_TRUE(test, alba_stats_add_up(&s));
	alba_destroy(arena);
}

/*
 * One byte written past three objects, in two blocks:
 *
 *   | obj 0 | rz | obj 1 | RZ* | ... | obj 5 | RZ* | ... | obj 40 | RZ* |
 */
static void alba_debug_redzone_test(struct kunit *test)
{
	struct alba *arena = alba_create("debug", 4096, GFP_KERNEL);
	unsigned char *p[60];
	struct alba_mark m;
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, arena);
	m = alba_mark(arena);
	for (i = 0; i < 60; i++) {
		p[i] = alba_alloc(arena, 100 + i, 8, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	KUNIT_EXPECT_EQ(test, alba_validate(arena), 0);
	corrupt(p[1], 101, 0);
	KUNIT_EXPECT_EQ(test, alba_validate(arena), 1);
	corrupt(p[5], 105, 0x42);
	corrupt(p[40], 140 + 7, 0);	/* the last pattern byte */
	KUNIT_EXPECT_EQ(test, alba_validate(arena), 3);

	/* A rewind releases the corrupted objects: sound again. */
	alba_rewind(arena, m);
	KUNIT_EXPECT_EQ(test, alba_validate(arena), 0);
	alba_destroy(arena);
}

/* A block header whose check value was overwritten: one error. */
static void alba_debug_header_test(struct kunit *test)
{
	struct alba *arena = alba_create("debug", 4096, GFP_KERNEL);
	uintptr_t *base;
	unsigned char *p = NULL;
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, arena);
	for (i = 0; i < 100; i++)
		p = alba_alloc(arena, 200, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	base = (uintptr_t *)(((uintptr_t)p - 1) & ~(uintptr_t)4095);
	KUNIT_EXPECT_EQ(test, alba_validate(arena), 0);
	*base ^= 1;
	KUNIT_EXPECT_EQ(test, alba_validate(arena), 1);
	KUNIT_EXPECT_NULL(test, alba_of(p, 4096));
	*base ^= 1;
	KUNIT_EXPECT_EQ(test, alba_validate(arena), 0);
	KUNIT_EXPECT_PTR_EQ(test, alba_of(p, 4096), arena);
	alba_destroy(arena);
}

/* A red zone whose recorded size was overwritten: the walk stops; one error. */
static void alba_debug_trailer_test(struct kunit *test)
{
	struct alba *arena = alba_create("debug", 4096, GFP_KERNEL);
	unsigned char *p;
	unsigned int big = 0x7fffffff;
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, arena);
	for (i = 0; i < 5; i++)
		KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, 50, 8, GFP_KERNEL));
	p = alba_alloc(arena, 50, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, alba_validate(arena), 0);
	for (i = 0; i < sizeof(big); i++)
		corrupt(p, 50 + 8 + i, ((unsigned char *)&big)[i]);
	KUNIT_EXPECT_EQ(test, alba_validate(arena), 1);
	alba_destroy(arena);
}

/* Drive alba_core_validate() @budget at a time; return how many calls. */
static unsigned int validate_calls(struct alba *arena, struct alba_check *c,
				   size_t budget)
{
	unsigned int calls = 1;

	while (!alba_core_validate(arena, c, budget))
		calls++;
	return calls;
}

/*
 * alba_validate() holds the lock for one batch at a time: a walk of 4
 * per batch over 60 objects in two or more blocks takes at least 16
 * batches, and between them the arena serves allocations (the lock is
 * free), grows its current block, reallocates its top object in place,
 * and has an object not yet walked corrupted, which the walk then finds.
 * A rewind between batches frees blocks the walk stood in: the walk
 * starts again (KASAN and ASan would see it read a freed block) and
 * counts what is there now.
 */
static void alba_debug_validate_batches_test(struct kunit *test)
{
	struct alba *arena = alba_create("debug", 4096, GFP_KERNEL);
	struct alba_check c = { 0 };
	unsigned char *p[60], *q;
	struct alba_stats s;
	struct alba_mark m;
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, arena);
	for (i = 0; i < 60; i++) {
		p[i] = alba_alloc(arena, 100, 8, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	q = alba_alloc(arena, 40, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	alba_get_stats(arena, &s);
	KUNIT_ASSERT_GE(test, s.blocks, 2);
	KUNIT_EXPECT_GE(test, validate_calls(arena, &c, 4),
			(unsigned int)((61 + s.blocks) / 4));
	KUNIT_EXPECT_EQ(test, c.errors, 0);
	KUNIT_EXPECT_EQ(test, c.restarts, 0);

	/* Changes between batches that need no restart. */
	memset(&c, 0, sizeof(c));
	KUNIT_EXPECT_FALSE(test, alba_core_validate(arena, &c, 4));
	KUNIT_EXPECT_NOT_NULL(test, alba_alloc(arena, 24, 8, GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, alba_core_validate(arena, &c, 4));
	corrupt(p[0], 100, 0);			/* in the oldest block */
	validate_calls(arena, &c, 4);
	KUNIT_EXPECT_EQ(test, c.errors, 1);
	KUNIT_EXPECT_EQ(test, c.restarts, 0);
	KUNIT_EXPECT_EQ(test, alba_validate(arena), 1);
	corrupt(p[0], 100, 0xbb);

	q = alba_alloc(arena, 40, 8, GFP_KERNEL);	/* the top object */
	KUNIT_ASSERT_NOT_NULL(test, q);
	memset(&c, 0, sizeof(c));
	KUNIT_EXPECT_FALSE(test, alba_core_validate(arena, &c, 1));
	KUNIT_EXPECT_PTR_EQ(test, alba_realloc(arena, q, 40, 64, 8, GFP_KERNEL), q);
	validate_calls(arena, &c, 4);
	KUNIT_EXPECT_EQ(test, c.errors, 0);
	KUNIT_EXPECT_EQ(test, c.restarts, 0);

	/* A rewind frees the blocks the walk stands in: it starts again. */
	m = alba_mark(arena);
	for (i = 0; i < 60; i++) {
		p[i] = alba_alloc(arena, 100, 8, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	corrupt(p[59], 100, 0);
	memset(&c, 0, sizeof(c));
	KUNIT_EXPECT_FALSE(test, alba_core_validate(arena, &c, 2));
	KUNIT_EXPECT_EQ(test, c.errors, 1);
	alba_rewind(arena, m);
	for (i = 0; i < 60; i++)
		KUNIT_EXPECT_NOT_NULL(test, alba_alloc(arena, 100, 8, GFP_KERNEL));
	validate_calls(arena, &c, 4);
	KUNIT_EXPECT_EQ(test, c.restarts, 1);
	KUNIT_EXPECT_EQ(test, c.errors, 0);
	KUNIT_EXPECT_EQ(test, alba_validate(arena), 0);
	alba_destroy(arena);
}

static struct kunit_case alba_debug_cases[] = {
	KUNIT_CASE(alba_debug_clean_test),
	KUNIT_CASE(alba_debug_redzone_test),
	KUNIT_CASE(alba_debug_header_test),
	KUNIT_CASE(alba_debug_trailer_test),
	KUNIT_CASE(alba_debug_validate_batches_test),
	{}
};

static struct kunit_suite alba_debug_suite = {
	.name = "alba_debug",
	.test_cases = alba_debug_cases,
};

kunit_test_suites(&alba_debug_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for alba's debug mode");
