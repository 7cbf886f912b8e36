/* SPDX-License-Identifier: GPL-2.0 */
/*
 * alba_kunit.h - what the KUnit suites share: the world's differences
 * (world/world.h: errno, sorting, foreign pointers), and helpers (stats
 * checked for the identity, calls that must fail and change nothing,
 * pattern fills, objects checked for overwrites and overlap, a seeded
 * PRNG).
 */
#ifndef _ALBA_KUNIT_H
#define _ALBA_KUNIT_H

#include <kunit/test.h>

#include "alba.h"
#include "alba_plat.h"
#include "kunit_compat.h"
#include "alba_test_stats.h"
#include "world/world.h"

#define MAX_BLOCK	((size_t)1 << ALBA_PLAT_MAX_SHIFT)
#define KIB		((size_t)1024)
#define MIB		(KIB * KIB)

/* ---- helpers ---------------------------------------------------------- */

static inline void stats_of(struct kunit *test, struct alba *arena,
			    struct alba_stats *s)
{
	alba_get_stats(arena, s);
	KUNIT_EXPECT_TRUE_MSG(test, alba_stats_add_up(s),
			      "the stats do not add up");
}

/* Everything but @failed equal, and @failed grown by @more. */
static inline void expect_stats_same(struct kunit *test,
				     const struct alba_stats *a,
				     const struct alba_stats *b, u64 more)
{
	KUNIT_EXPECT_EQ(test, a->blocks, b->blocks);
	KUNIT_EXPECT_EQ(test, a->block_bytes, b->block_bytes);
	KUNIT_EXPECT_EQ(test, a->header_bytes, b->header_bytes);
	KUNIT_EXPECT_EQ(test, a->used_bytes, b->used_bytes);
	KUNIT_EXPECT_EQ(test, a->pad_bytes, b->pad_bytes);
	KUNIT_EXPECT_EQ(test, a->tail_bytes, b->tail_bytes);
	KUNIT_EXPECT_EQ(test, a->free_bytes, b->free_bytes);
	KUNIT_EXPECT_EQ(test, a->reserved_bytes, b->reserved_bytes);
	KUNIT_EXPECT_EQ(test, a->allocs, b->allocs);
	KUNIT_EXPECT_EQ(test, a->failed + more, b->failed);
}

/*
 * @call must fail and change nothing: it returns NULL, sets errno to @err
 * (userspace), and leaves @arena's stats as they were, but for @failed
 * more failed allocations.
 */
#define EXPECT_FAILS(test, arena, failed, err, call)			\
	do {								\
		struct kunit *test_ = (test);				\
		struct alba *arena_ = (arena);				\
		struct alba_stats before_, after_;			\
									\
		stats_of(test_, arena_, &before_);			\
		alba_test_clear_errno();				\
		KUNIT_EXPECT_NULL(test_, call);				\
		ALBA_EXPECT_ERRNO(test_, err);				\
		stats_of(test_, arena_, &after_);			\
		expect_stats_same(test_, &before_, &after_, failed);	\
	} while (0)

static inline struct alba *new_arena(struct kunit *test, size_t block_size)
{
	struct alba *arena = alba_create("kunit", block_size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, arena);
	return arena;
}

/* A small PRNG so that a logged seed replays the same run everywhere. */
static inline u64 rnd_next(u64 *state)
{
	u64 x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static inline size_t rnd_below(u64 *state, size_t n)
{
	return (size_t)(rnd_next(state) % n);
}

static inline void fill(void *p, size_t size, u8 pattern)
{
	memset(p, pattern, size);
}

static inline bool check_fill(const void *p, size_t size, u8 pattern)
{
	const u8 *b = p;
	size_t i;

	for (i = 0; i < size; i++)
		if (b[i] != pattern)
			return false;
	return true;
}

/* Objects with a pattern, checked for overwrites and overlap. */
struct robj {
	u8 *p;
	size_t size;
	size_t seq;		/* allocation order, for rewinds */
	u8 pattern;
};

static inline int robj_cmp(const void *a, const void *b)
{
	const struct robj *x = a, *y = b;

	return x->p < y->p ? -1 : x->p > y->p;
}

/* Every live object holds its pattern, and no two overlap. */
static inline void verify_objects(struct kunit *test, struct robj *obj, size_t n)
{
	size_t i;

	alba_test_sort(obj, n, sizeof(*obj), robj_cmp);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_TRUE_MSG(test, check_fill(obj[i].p, obj[i].size,
						       obj[i].pattern),
				      "object %zu (%zu bytes) was overwritten",
				      i, obj[i].size);
		if (i + 1 < n)
			KUNIT_EXPECT_LE_MSG(test, (uintptr_t)obj[i].p + obj[i].size,
					    (uintptr_t)obj[i + 1].p,
					    "objects %zu and %zu overlap", i, i + 1);
	}
}

/* Bytes from the bump position to the end of the current block. */
static inline size_t free_now(struct alba *arena)
{
	struct alba_stats s;

	alba_get_stats(arena, &s);
	return s.free_bytes;
}

#endif /* _ALBA_KUNIT_H */
