// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Every n-th block allocation fails, for each n along a sequence: each
 * failing call gives a clean NULL with errno ENOMEM and leaves the stats
 * as they were (but for failed); the arena stays usable; after destroy the
 * platform's live-block count is back to zero.
 */
#include <kunit/test.h>

#include "alba.h"
#include "alba_plat.h"
#include "helpers.h"

static const unsigned long periods[] = { 1, 2, 3, 4, 5, 7, 10, 16, 25, 50 };

static void period_desc(const unsigned long *n, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "every %lu-th block fails", *n);
}

KUNIT_ARRAY_PARAM(period, periods, period_desc);

static void alba_fail_every_test(struct kunit *test)
{
	unsigned long n = *(const unsigned long *)test->param_value;
	struct alba_stats before, after;
	struct alba_cursor cur;
	struct alba_mark mark;
	struct alba *arena = NULL;
	unsigned int i, nulls = 0, ok = 0, creates = 0;
	void *p;

	alba_user_fail_every(n);
	while (!arena && creates++ < 4) {
		errno = 0;
		arena = alba_create("faults", 8192, 0);
		if (!arena)
			KUNIT_EXPECT_EQ(test, errno, ENOMEM);
	}
	if (n == 1) {
		/* Every block fails: create cannot succeed. */
		KUNIT_EXPECT_NULL(test, arena);
		alba_user_fail_every(0);
		KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), 0);
		return;
	}
	KUNIT_ASSERT_NOT_NULL(test, arena);
	alba_cursor_init(&cur, arena, 1024);
	mark = alba_mark(arena);
	for (i = 0; i < 3000; i++) {
		size_t size = i % 50 == 49 ? 20000 : 40 + i % 200;

		alba_get_stats(arena, &before);
		errno = 0;
		p = i % 3 ? alba_alloc(arena, size, 16, 0) :
			alba_cursor_alloc(&cur, size, 16, 0);
		alba_get_stats(arena, &after);
		if (!p) {
			nulls++;
			KUNIT_EXPECT_EQ(test, errno, ENOMEM);
			KUNIT_EXPECT_TRUE(test,
					  alba_test_same_but_failed(&before, &after));
		} else {
			ok++;
			memset(p, 0x6b, size);
		}
		if (i == 1500) {
			alba_cursor_fini(&cur);
			alba_rewind(arena, mark);
		}
	}
	alba_cursor_fini(&cur);
	alba_user_fail_every(0);
	KUNIT_EXPECT_GT(test, nulls, 0);
	KUNIT_EXPECT_GT(test, ok, 0);
	alba_get_stats(arena, &after);
	KUNIT_EXPECT_EQ(test, after.failed, nulls);
	KUNIT_EXPECT_EQ(test, after.reserved_bytes, 0);
	KUNIT_EXPECT_TRUE(test, alba_stats_add_up(&after));
	/* Still usable once blocks come again. */
	KUNIT_EXPECT_NOT_NULL(test, alba_alloc(arena, 20000, 8, 0));
	KUNIT_EXPECT_NOT_NULL(test, alba_alloc(arena, 100, 8, 0));
	kunit_info(test, "%u NULLs, %u objects", nulls, ok);
	alba_destroy(arena);
	KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), 0);
}

static struct kunit_case alba_faults_cases[] = {
	KUNIT_CASE_PARAM(alba_fail_every_test, period_gen_params),
	{}
};

static struct kunit_suite alba_faults_suite = {
	.name = "alba_faults",
	.test_cases = alba_faults_cases,
};

kunit_test_suites(&alba_faults_suite);
