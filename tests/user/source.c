// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The block source (user/source.c): blocks carved from regions, no OS
 * call per block, freed blocks kept warm up to the cap, given back past
 * it, regions retired when empty (their ranges kept and used again), and the cap's two parts (the limit and
 * the peak). Every test starts from alba_trim() with no live block, so
 * that no region is mapped.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <kunit/test.h>
#include "alba.h"
#include "alba_plat.h"
#include "helpers.h"

#define KIB32		15
#define NBLOCKS		256	/* 8 MiB of 32 KiB blocks */

static struct alba_user_source counts(void)
{
	struct alba_user_source c;

	alba_user_source_counts(&c);
	return c;
}

static void set_env(const char *name, const char *value)
{
#ifdef _WIN32
	char buf[128];

	snprintf(buf, sizeof(buf), "%s=%s", name, value ? value : "");
	_putenv(buf);
#else
	if (value)
		setenv(name, value, 1);
	else
		unsetenv(name);
#endif
}

/* From nothing: a trimmed source with no live block maps no region. */
static int source_init(struct kunit *test)
{
	set_env("ALBA_BLOCK_CACHE_BYTES", NULL);
	alba_set_block_cache((size_t)256 << 20);
	alba_trim();
	KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), 0);
	KUNIT_EXPECT_EQ(test, counts().regions, 0);
	KUNIT_EXPECT_EQ(test, counts().warm_bytes, 0);
	return 0;
}

static void source_exit(struct kunit *test)
{
	(void)test;
	alba_set_block_cache((size_t)256 << 20);
	alba_trim();
}

/*
 * 256 blocks of 32 KiB (8 MiB): one or two region mappings for all of
 * them (a region is 32 MiB on 64 bits, 4 MiB on 32), each
 * block aligned to its size and distinct, taken from the top of a region
 * down; freed and taken again: no OS call at all, the same addresses.
 */
static void alba_source_carves_test(struct kunit *test)
{
	static void *blk[NBLOCKS], *again[NBLOCKS];
	struct alba_user_source c0 = counts(), c1, c2;
	int i, j, same = 0, down = 0;

	for (i = 0; i < NBLOCKS; i++) {
		blk[i] = alba_plat_block_alloc(NULL, KIB32, 0, NUMA_NO_NODE);
		KUNIT_ASSERT_NOT_NULL(test, blk[i]);
		KUNIT_EXPECT_EQ(test, (uintptr_t)blk[i] & ((1u << KIB32) - 1), 0);
		memset(blk[i], i, (size_t)1 << KIB32);
	}
	c1 = counts();
	KUNIT_EXPECT_GE(test, c1.maps - c0.maps, 1);
	KUNIT_EXPECT_LE(test, c1.maps - c0.maps, sizeof(void *) == 8 ? 1 : 2);
	/* Top down: each block right below the one before, but at a new region. */
	for (i = 1; i < NBLOCKS; i++)
		down += (char *)blk[i] == (char *)blk[i - 1] - ((size_t)1 << KIB32);
	KUNIT_EXPECT_GE(test, down, NBLOCKS - 1 - (int)(c1.maps - c0.maps));
	KUNIT_EXPECT_EQ(test, c1.live_bytes, (size_t)NBLOCKS << KIB32);
	for (i = 0; i < NBLOCKS; i++)
		for (j = 0; j < 4; j++)	/* no block shares memory with another */
			KUNIT_EXPECT_EQ(test, ((unsigned char *)blk[i])[j * 8191], (unsigned char)i);
	for (i = 0; i < NBLOCKS; i++)
		alba_plat_block_free(blk[i], KIB32);
	c1 = counts();
	KUNIT_EXPECT_EQ(test, c1.warm_bytes, (size_t)NBLOCKS << KIB32);
	KUNIT_EXPECT_EQ(test, c1.live_bytes, 0);
	for (i = 0; i < NBLOCKS; i++) {
		again[i] = alba_plat_block_alloc(NULL, KIB32, 0, NUMA_NO_NODE);
		KUNIT_ASSERT_NOT_NULL(test, again[i]);
	}
	c2 = counts();
	KUNIT_EXPECT_EQ(test, c2.maps, c1.maps);
	KUNIT_EXPECT_EQ(test, c2.discards, c1.discards);
	KUNIT_EXPECT_EQ(test, c2.warm_bytes, 0);
	for (i = 0; i < NBLOCKS; i++)
		for (j = 0; j < NBLOCKS; j++)
			same += again[i] == blk[j];
	KUNIT_EXPECT_EQ(test, same, NBLOCKS);
	for (i = 0; i < NBLOCKS; i++)
		alba_plat_block_free(again[i], KIB32);
	alba_trim();
	c2 = counts();
	KUNIT_EXPECT_EQ(test, c2.regions, 0);
	KUNIT_EXPECT_EQ(test, c2.unmaps - c0.unmaps, c1.maps - c0.maps);
}

/*
 * Blocks too large for a region are a region each, and cached too: an
 * 8 MiB block (above the old 4 MiB cache limit) freed and taken again
 * maps nothing.
 */
static void alba_source_large_test(struct kunit *test)
{
	struct alba_user_source c0, c1;
	void *a, *b;

	a = alba_plat_block_alloc(NULL, 23, 0, NUMA_NO_NODE);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_EQ(test, (uintptr_t)a & ((1u << 23) - 1), 0);
	alba_plat_block_free(a, 23);
	c0 = counts();
	b = alba_plat_block_alloc(NULL, 23, 0, NUMA_NO_NODE);
	c1 = counts();
	KUNIT_EXPECT_PTR_EQ(test, b, a);
	KUNIT_EXPECT_EQ(test, c1.maps, c0.maps);
	alba_plat_block_free(b, 23);
}

/*
 * A limit of 0 keeps nothing: every freed block is given back (a
 * discard), and a region whose blocks are all free is unmapped at once.
 * Blocks given back are taken again and usable.
 */
static void alba_source_limit_zero_test(struct kunit *test)
{
	struct alba_user_source c0, c1;
	void *a, *b, *c;

	KUNIT_EXPECT_EQ(test, alba_set_block_cache(0), 0);
	a = alba_plat_block_alloc(NULL, KIB32, 0, NUMA_NO_NODE);
	b = alba_plat_block_alloc(NULL, KIB32, 0, NUMA_NO_NODE);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	memset(b, 0x5a, (size_t)1 << KIB32);
	c0 = counts();
	KUNIT_EXPECT_EQ(test, c0.cap_bytes, 0);
	alba_plat_block_free(b, KIB32);
	c1 = counts();
	KUNIT_EXPECT_EQ(test, c1.discards - c0.discards, 1);
	KUNIT_EXPECT_EQ(test, c1.warm_bytes, 0);
	KUNIT_EXPECT_EQ(test, c1.regions, c0.regions);	/* a is live */
	c = alba_plat_block_alloc(NULL, KIB32, 0, NUMA_NO_NODE);
	KUNIT_ASSERT_NOT_NULL(test, c);
	memset(c, 0xa5, (size_t)1 << KIB32);
	KUNIT_EXPECT_EQ(test, ((unsigned char *)c)[100], 0xa5);
	alba_plat_block_free(c, KIB32);
	alba_plat_block_free(a, KIB32);
	c1 = counts();
	KUNIT_EXPECT_EQ(test, c1.regions, 0);
	KUNIT_EXPECT_EQ(test, c1.unmaps - c0.unmaps, c0.regions);
}

/*
 * The peak: with a 1 MiB limit, 8 MiB of blocks freed all stay warm,
 * because the process needed 8 MiB; a second round maps and discards
 * nothing. alba_trim() gives it all back and lowers the peak to what is
 * live, so the next free past the limit is discarded.
 */
static void alba_source_peak_test(struct kunit *test)
{
	static void *blk[NBLOCKS];
	struct alba_user_source c0, c1;
	int i, round;

	KUNIT_EXPECT_EQ(test, alba_set_block_cache(1 << 20), 1 << 20);
	for (round = 0; round < 2; round++) {
		c0 = counts();
		for (i = 0; i < NBLOCKS; i++) {
			blk[i] = alba_plat_block_alloc(NULL, KIB32, 0, NUMA_NO_NODE);
			KUNIT_ASSERT_NOT_NULL(test, blk[i]);
		}
		for (i = 0; i < NBLOCKS; i++)
			alba_plat_block_free(blk[i], KIB32);
		c1 = counts();
		KUNIT_EXPECT_EQ(test, c1.discards, c0.discards);
		KUNIT_EXPECT_EQ(test, c1.warm_bytes, (size_t)NBLOCKS << KIB32);
		KUNIT_EXPECT_EQ(test, c1.peak_bytes, (size_t)NBLOCKS << KIB32);
		if (round)
			KUNIT_EXPECT_EQ(test, c1.maps, c0.maps);
	}
	alba_trim();
	c1 = counts();
	KUNIT_EXPECT_EQ(test, c1.warm_bytes, 0);
	KUNIT_EXPECT_EQ(test, c1.regions, 0);
	KUNIT_EXPECT_EQ(test, c1.peak_bytes, 0);
	KUNIT_EXPECT_EQ(test, c1.cap_bytes, 1 << 20);
}

/*
 * alba_trim() with live blocks: their regions stay, free warm blocks go
 * cold. Eight neighbours, blocks 1, 2, 3, 5 and 7 freed (runs of three
 * and of one, between live ones): the live blocks keep every byte, the
 * freed ones are discarded one by one (Linux: they read zero when taken
 * again).
 */
static void alba_source_trim_live_test(struct kunit *test)
{
	static const unsigned char freed[8] = { 0, 1, 1, 1, 0, 1, 0, 1 };
	struct alba_user_source c0, c1;
	unsigned char *blk[8];
	size_t size = (size_t)1 << KIB32, j;
	int i, nfreed = 0, bad = 0;

	for (i = 0; i < 8; i++) {
		blk[i] = alba_plat_block_alloc(NULL, KIB32, 0, NUMA_NO_NODE);
		KUNIT_ASSERT_NOT_NULL(test, blk[i]);
		memset(blk[i], 0x40 + i, size);
	}
	for (i = 0; i < 8; i++) {
		if (freed[i]) {
			alba_plat_block_free(blk[i], KIB32);
			nfreed++;
		}
	}
	c0 = counts();
	KUNIT_EXPECT_EQ(test, c0.warm_bytes, (size_t)nfreed << KIB32);
	alba_trim();
	c1 = counts();
	KUNIT_EXPECT_EQ(test, c1.warm_bytes, 0);
	KUNIT_EXPECT_EQ(test, c1.discards - c0.discards, nfreed);
	KUNIT_EXPECT_EQ(test, c1.regions, c0.regions);
	KUNIT_EXPECT_EQ(test, c1.peak_bytes, (size_t)(8 - nfreed) << KIB32);
	for (i = 0; i < 8; i++)		/* the live blocks are untouched */
		for (j = 0; !freed[i] && j < size; j++)
			bad += blk[i][j] != 0x40 + i;
	KUNIT_EXPECT_EQ(test, bad, 0);
	for (i = 0; i < 8; i++) {
		if (!freed[i])
			continue;
		blk[i] = alba_plat_block_alloc(NULL, KIB32, 0, NUMA_NO_NODE);
		KUNIT_ASSERT_NOT_NULL(test, blk[i]);
#ifdef __linux__
		for (j = 0; j < size; j++)
			bad += blk[i][j] != 0;
#endif
	}
	KUNIT_EXPECT_EQ(test, bad, 0);
	KUNIT_EXPECT_EQ(test, counts().maps, c1.maps);
	for (i = 0; i < 8; i++)
		alba_plat_block_free(blk[i], KIB32);
}

/* The environment wins over the program's setting. */
static void alba_source_env_test(struct kunit *test)
{
	set_env("ALBA_BLOCK_CACHE_BYTES", "12345");
	KUNIT_EXPECT_EQ(test, alba_set_block_cache(0), 12345);
	KUNIT_EXPECT_EQ(test, counts().cap_bytes, 12345);
	set_env("ALBA_BLOCK_CACHE_BYTES", NULL);
	KUNIT_EXPECT_EQ(test, alba_set_block_cache(0), 0);
	KUNIT_EXPECT_EQ(test, alba_set_block_cache(SIZE_MAX), SIZE_MAX - 1);
}

struct churn {
	unsigned int id;
	int stop;
	int bad;
};

/*
 * Blocks of three sizes taken, filled with a pattern naming their thread
 * and round, checked and freed, over and over.
 */
static THREAD_FN(churn_fn, arg)
{
	static const unsigned int shifts[] = { 12, 15, 20 };
	struct churn *c = arg;
	unsigned char *blk[24];
	unsigned int round, i, k;

	for (round = 0; round < 150; round++) {
		unsigned char v = (unsigned char)(c->id * 64 + round);

		for (i = 0; i < 24; i++) {
			blk[i] = alba_plat_block_alloc(NULL, shifts[i % 3], 0,
						       NUMA_NO_NODE);
			if (!blk[i]) {
				c->bad++;
				continue;
			}
			memset(blk[i], v + i, 256);
			blk[i][((size_t)1 << shifts[i % 3]) - 1] = v + i;
		}
		for (i = 0; i < 24; i++) {
			if (!blk[i])
				continue;
			for (k = 0; k < 256; k++)
				c->bad += blk[i][k] != (unsigned char)(v + i);
			c->bad += blk[i][((size_t)1 << shifts[i % 3]) - 1] != (unsigned char)(v + i);
			alba_plat_block_free(blk[i], shifts[i % 3]);
		}
	}
	return THREAD_RET;
}

/*
 * Threads take and free blocks while another trims and moves the limit
 * between 0 and the default: no block is ever handed out twice (the
 * patterns hold), and at the end every region is gone.
 */
static void alba_source_threads_test(struct kunit *test)
{
	struct churn c[3] = { { .id = 1 }, { .id = 2 }, { .id = 3 } };
	thread_t t[3];
	int i, n = 0, bad = 0;

	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, thread_start(&t[i], churn_fn, &c[i]), 0);
	for (i = 0; i < 200; i++) {
		alba_set_block_cache(i % 3 ? (size_t)256 << 20 : 0);
		alba_trim();
		n++;
		alba_user_yield();
	}
	for (i = 0; i < 3; i++) {
		thread_join(t[i]);
		bad += c[i].bad;
	}
	KUNIT_EXPECT_EQ(test, bad, 0);
	KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), 0);
	alba_trim();
	KUNIT_EXPECT_EQ(test, counts().regions, 0);
	KUNIT_EXPECT_EQ(test, counts().live_bytes, 0);
	kunit_info(test, "3 threads, 10800 blocks, %d trims meanwhile", n);
}

/*
 * A region given back keeps its range: readable (alba_of() may read a
 * header there at any time), its memory gone (POSIX: zero pages), and
 * the next region of its size takes it again without asking the OS; a
 * larger retired range is split for smaller regions.
 */
static void alba_source_retired_test(struct kunit *test)
{
	long os0, self0, os1, self1;
	uintptr_t word = 1;
	char *big, *a, *b;

	alba_user_retired_unmap();
	big = alba_plat_block_alloc(NULL, 26, 0, NUMA_NO_NODE);
	KUNIT_ASSERT_NOT_NULL(test, big);
	memset(big, 1, 4096);
	alba_plat_block_free(big, 26);
	alba_trim();
	KUNIT_EXPECT_EQ(test, counts().regions, 0);
	alba_plat_read_racy(&word, big, sizeof(word));
#ifndef _WIN32
	KUNIT_EXPECT_EQ(test, word, 0);
#endif
	alba_user_block_method(&os0, &self0);
	a = alba_plat_block_alloc(NULL, 25, 0, NUMA_NO_NODE);
	b = alba_plat_block_alloc(NULL, 25, 0, NUMA_NO_NODE);
	KUNIT_EXPECT_PTR_EQ(test, a, big);
	KUNIT_EXPECT_PTR_EQ(test, b, big + ((size_t)1 << 25));
	alba_user_block_method(&os1, &self1);
	KUNIT_EXPECT_EQ(test, os1 + self1, os0 + self0);
	if (a)
		alba_plat_block_free(a, 25);
	if (b)
		alba_plat_block_free(b, 25);
	alba_trim();
	alba_user_retired_unmap();
	KUNIT_EXPECT_EQ(test, counts().regions, 0);
}

#if UINTPTR_MAX == 0xffffffffU
/*
 * 32 bits: address space is what runs out. Retired ranges keep theirs,
 * so when every 1 MiB block's region is retired and larger blocks need
 * fresh ranges, the OS refuses them until the retired ranges go: they
 * are unmapped then, and the large blocks come.
 */
static void alba_source_address_space_test(struct kunit *test)
{
	enum { MAX = 4096, BIG = 32 };
	static void *blk[MAX], *big[BIG];
	size_t n = 0, nbig = 0, i;

	alba_user_retired_unmap();
	while (n < MAX &&
	       (blk[n] = alba_plat_block_alloc(NULL, 20, 0, NUMA_NO_NODE)))
		n++;
	for (i = 0; i < n; i++)
		alba_plat_block_free(blk[i], 20);
	alba_trim();
	while (nbig < BIG &&
	       (big[nbig] = alba_plat_block_alloc(NULL, 26, 0, NUMA_NO_NODE)))
		nbig++;
	kunit_info(test, "%zu MiB of 1 MiB blocks, then %zu MiB of 64 MiB blocks",
		   n, nbig * 64);
	KUNIT_EXPECT_GE(test, n, 512);
	KUNIT_EXPECT_GE(test, nbig * 64, n / 2 < BIG * 64 ? n / 2 : BIG * 64);
	for (i = 0; i < nbig; i++)
		alba_plat_block_free(big[i], 26);
	alba_trim();
	alba_user_retired_unmap();
}
#endif

#ifdef __linux__
/*
 * Memory given back really leaves: 64 MiB of blocks touched, freed with a
 * limit of 0: the resident size drops by most of it.
 */
static void alba_source_rss_test(struct kunit *test)
{
	enum { N = 2048 };	/* 64 MiB of 32 KiB blocks */
	static void *blk[N];
	long before, full, after;
	int i;

	alba_set_block_cache(0);
	before = alba_test_rss_bytes();
	for (i = 0; i < N; i++) {
		blk[i] = alba_plat_block_alloc(NULL, KIB32, 0, NUMA_NO_NODE);
		KUNIT_ASSERT_NOT_NULL(test, blk[i]);
		memset(blk[i], 1, (size_t)1 << KIB32);
	}
	full = alba_test_rss_bytes();
	for (i = 0; i < N; i++)
		alba_plat_block_free(blk[i], KIB32);
	after = alba_test_rss_bytes();
	kunit_info(test, "RSS %ld, %ld, %ld MiB", before >> 20, full >> 20, after >> 20);
	KUNIT_EXPECT_GE(test, full - before, 60L << 20);
	KUNIT_EXPECT_LE(test, after - before, 16L << 20);	/* ASan's shadow */
	KUNIT_EXPECT_EQ(test, counts().regions, 0);
}
#endif

static struct kunit_case alba_source_cases[] = {
	KUNIT_CASE(alba_source_carves_test),
	KUNIT_CASE(alba_source_large_test),
	KUNIT_CASE(alba_source_limit_zero_test),
	KUNIT_CASE(alba_source_peak_test),
	KUNIT_CASE(alba_source_trim_live_test),
	KUNIT_CASE(alba_source_env_test),
	KUNIT_CASE(alba_source_threads_test),
	KUNIT_CASE(alba_source_retired_test),
#if UINTPTR_MAX == 0xffffffffU
	KUNIT_CASE(alba_source_address_space_test),
#endif
#ifdef __linux__
	KUNIT_CASE(alba_source_rss_test),
#endif
	{}
};

static struct kunit_suite alba_source_suite = {
	.name = "alba_source",
	.init = source_init,
	.exit = source_exit,
	.test_cases = alba_source_cases,
};

kunit_test_suites(&alba_source_suite);
