// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The malloc-compatible hooks (alba_hooks_*, user/hooks.c), in every
 * binding mode: malloc's alignment, calloc zeroing over reused memory and
 * refusing a wrapping product, realloc keeping the bytes (in place for the
 * newest object, by copy across arenas, and refused without a known old
 * size), strdup, an unbound thread, bad flags, a cursor that must be given
 * back before a reset, one arena per thread, and Lua's allocator.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <kunit/test.h>

#include "alba.h"
#include "alba_plat.h"
#include "helpers.h"

#define MALLOC_ALIGN	_Alignof(max_align_t)

static const unsigned int modes[] = {
	0, ALBA_HOOKS_CURSOR, ALBA_HOOKS_SIZED,
	ALBA_HOOKS_CURSOR | ALBA_HOOKS_SIZED,
};

static void mode_desc(const unsigned int *mode, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s%s",
		 *mode & ALBA_HOOKS_CURSOR ? "cursor" : "locked",
		 *mode & ALBA_HOOKS_SIZED ? "+sized" : "");
}

KUNIT_ARRAY_PARAM(mode, modes, mode_desc);

/* malloc, calloc, realloc, strdup and free in one binding mode. */
static void alba_hooks_mode_test(struct kunit *test)
{
	unsigned int mode = *(const unsigned int *)test->param_value;
	bool sized = mode & ALBA_HOOKS_SIZED;
	struct alba *arena = alba_create("hooks", 4096, 0);
	struct alba_stats before, after;
	char *p, *q, *r, *z;
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, arena);
	KUNIT_EXPECT_NULL(test, alba_hooks_bind(arena, mode));
	for (i = 1; i < 3000; i += 97) {
		p = alba_hooks_malloc(i);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_EQ(test, (uintptr_t)p % MALLOC_ALIGN, 0);
		KUNIT_EXPECT_PTR_EQ(test, alba_of(p, 4096), arena);
		memset(p, 0x5a, i);
	}
	/* malloc(0): unique, and not NULL. */
	p = alba_hooks_malloc(0);
	q = alba_hooks_malloc(0);
	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_NE(test, p, q);

	/* calloc zeroes memory the arena used before. */
	alba_hooks_bind(NULL, 0);
	alba_reset(arena);
	alba_hooks_bind(arena, mode);
	z = alba_hooks_calloc(100, 30);
	KUNIT_ASSERT_NOT_NULL(test, z);
	for (i = 0; i < 3000; i++)
		if (z[i])
			break;
	KUNIT_EXPECT_EQ(test, i, 3000);
	errno = 0;
	KUNIT_EXPECT_NULL(test, alba_hooks_calloc(SIZE_MAX / 2, 3));
	KUNIT_EXPECT_EQ(test, errno, ENOMEM);
	/* Sizes at the top, around the size prefix's room: nothing taken. */
	alba_get_stats(arena, &before);
	for (i = 0; i <= 2 * MALLOC_ALIGN; i++) {
		errno = 0;
		KUNIT_EXPECT_NULL(test, alba_hooks_malloc(SIZE_MAX - i));
		KUNIT_EXPECT_EQ(test, errno, ENOMEM);
		errno = 0;
		KUNIT_EXPECT_NULL(test, alba_hooks_calloc(1, SIZE_MAX - i));
		KUNIT_EXPECT_EQ(test, errno, ENOMEM);
	}
	alba_get_stats(arena, &after);
	KUNIT_EXPECT_EQ(test, after.used_bytes, before.used_bytes);
	KUNIT_EXPECT_EQ(test, after.allocs, before.allocs);

	/* realloc: NULL is malloc; a known old size keeps the bytes. */
	p = alba_hooks_realloc(NULL, 40);
	KUNIT_ASSERT_NOT_NULL(test, p);
	memcpy(p, "0123456789012345678901234567890123456789", 40);
	errno = 0;
	q = alba_hooks_realloc(p, 5000);
	if (!sized) {
		KUNIT_EXPECT_NULL(test, q);
		KUNIT_EXPECT_EQ(test, errno, EINVAL);
	} else {
		KUNIT_ASSERT_NOT_NULL(test, q);
		KUNIT_EXPECT_EQ(test, memcmp(q, "0123456789012345678901234567890123456789", 40), 0);
		KUNIT_EXPECT_EQ(test, (uintptr_t)q % MALLOC_ALIGN, 0);
		/* A shrink stays where it is; growing back copies what is left. */
		KUNIT_EXPECT_PTR_EQ(test, alba_hooks_realloc(q, 10), q);
		r = alba_hooks_realloc(q, 20);
		KUNIT_ASSERT_NOT_NULL(test, r);
		KUNIT_EXPECT_EQ(test, memcmp(r, "0123456789", 10), 0);
		/* A growth no arena can give: NULL, the object as it was. */
		for (i = 0; i <= 2 * MALLOC_ALIGN; i++) {
			errno = 0;
			KUNIT_EXPECT_NULL(test, alba_hooks_realloc(r, SIZE_MAX - i));
			KUNIT_EXPECT_EQ(test, errno, ENOMEM);
		}
		KUNIT_EXPECT_EQ(test, memcmp(r, "0123456789", 10), 0);
		KUNIT_EXPECT_PTR_EQ(test, alba_hooks_realloc(r, 20), r);
	}

	r = alba_hooks_strdup("hooks");
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_STREQ(test, r, "hooks");
	errno = 0;
	KUNIT_EXPECT_NULL(test, alba_hooks_strdup(NULL));
	KUNIT_EXPECT_EQ(test, errno, EINVAL);
	alba_hooks_free(r);
	alba_hooks_free(NULL);
	KUNIT_EXPECT_STREQ(test, r, "hooks");	/* free() keeps it */

	KUNIT_EXPECT_PTR_EQ(test, alba_hooks_bind(NULL, 0), arena);
	KUNIT_EXPECT_EQ(test, alba_validate(arena), 0);
	alba_destroy(arena);
	KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), 0);
}

/* Without an arena, and with unknown flags: refused, nothing changes. */
static void alba_hooks_unbound_test(struct kunit *test)
{
	struct alba *arena = alba_create("hooks", 0, 0);

	KUNIT_ASSERT_NOT_NULL(test, arena);
	errno = 0;
	KUNIT_EXPECT_NULL(test, alba_hooks_malloc(8));
	KUNIT_EXPECT_EQ(test, errno, EINVAL);
	errno = 0;
	KUNIT_EXPECT_NULL(test, alba_hooks_calloc(1, 8));
	KUNIT_EXPECT_EQ(test, errno, EINVAL);
	errno = 0;
	KUNIT_EXPECT_NULL(test, alba_hooks_realloc(NULL, 8));
	KUNIT_EXPECT_EQ(test, errno, EINVAL);
	KUNIT_EXPECT_NULL(test, alba_hooks_bind(arena, ALBA_HOOKS_SIZED));
	errno = 0;
	KUNIT_EXPECT_NULL(test, alba_hooks_bind(NULL, 4));
	KUNIT_EXPECT_EQ(test, errno, EINVAL);
	/* Still bound, and still sized. */
	KUNIT_EXPECT_NOT_NULL(test, alba_hooks_realloc(alba_hooks_malloc(8), 100));
	KUNIT_EXPECT_PTR_EQ(test, alba_hooks_bind(NULL, 0), arena);
	alba_destroy(arena);
}

/*
 * A cursor binding holds a chunk: a reset is refused until the thread
 * unbinds.
 */
static void alba_hooks_cursor_reset_test(struct kunit *test)
{
	struct alba *arena = alba_create("hooks", 0, 0);
	struct alba_stats s;

	KUNIT_ASSERT_NOT_NULL(test, arena);
	alba_hooks_bind(arena, ALBA_HOOKS_CURSOR);
	KUNIT_ASSERT_NOT_NULL(test, alba_hooks_malloc(100));
	/* (Debug builds check every object: there cursors hold no chunk.) */
	alba_get_stats(arena, &s);
	errno = 0;
	alba_reset(arena);
	KUNIT_EXPECT_EQ(test, errno, s.reserved_bytes ? EBUSY : 0);
	alba_hooks_bind(NULL, 0);
	errno = 0;
	alba_reset(arena);
	KUNIT_EXPECT_EQ(test, errno, 0);
	alba_get_stats(arena, &s);
	KUNIT_EXPECT_EQ(test, s.used_bytes, 0);
	KUNIT_EXPECT_EQ(test, s.reserved_bytes, 0);
	alba_destroy(arena);
}

/* The locked path grows the newest object in place; another arena's object is copied. */
static void alba_hooks_realloc_test(struct kunit *test)
{
	struct alba *a = alba_create("a", 0, 0), *b = alba_create("b", 0, 0);
	char *p, *q;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	alba_hooks_bind(a, ALBA_HOOKS_SIZED);
	p = alba_hooks_malloc(100);
	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 7, 100);
	q = alba_hooks_realloc(p, 1000);
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	alba_hooks_bind(b, ALBA_HOOKS_SIZED);
	errno = 0;
	q = alba_hooks_realloc(p, 2000);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_EQ(test, errno, 0);
	KUNIT_EXPECT_PTR_EQ(test, alba_of(q, 0), b);
	KUNIT_EXPECT_EQ(test, q[0], 7);
	KUNIT_EXPECT_EQ(test, q[99], 7);
	alba_hooks_bind(NULL, 0);
	alba_destroy(a);
	alba_destroy(b);
}

struct hook_thread {
	struct alba *arena;
	unsigned int ok;
};

static THREAD_FN(hook_thread_fn, data)
{
	struct hook_thread *t = data;
	unsigned int i;
	char *p;

	alba_hooks_bind(t->arena, ALBA_HOOKS_CURSOR | ALBA_HOOKS_SIZED);
	for (i = 0; i < 20000; i++) {
		p = alba_hooks_malloc(1 + i % 300);
		if (p && alba_of(p, 0) == t->arena)
			t->ok++;
	}
	alba_hooks_bind(NULL, 0);
	return THREAD_RET;
}

/* Each thread's hooks allocate from its own arena. */
static void alba_hooks_threads_test(struct kunit *test)
{
	struct hook_thread t[2];
	thread_t tid[2];
	int i;

	for (i = 0; i < 2; i++) {
		t[i] = (struct hook_thread){ .arena = alba_create("thread", 0, 0) };
		KUNIT_ASSERT_NOT_NULL(test, t[i].arena);
		KUNIT_ASSERT_EQ(test, thread_start(&tid[i], hook_thread_fn, &t[i]), 0);
	}
	for (i = 0; i < 2; i++) {
		thread_join(tid[i]);
		KUNIT_EXPECT_EQ(test, t[i].ok, 20000);
		alba_destroy(t[i].arena);
	}
}

static THREAD_FN(hook_exit_fn, arg)
{
	struct alba *arena = arg;
	int i;

	alba_hooks_bind(arena, ALBA_HOOKS_CURSOR | ALBA_HOOKS_SIZED);
	for (i = 0; i < 100; i++)
		alba_hooks_malloc(40);
	return THREAD_RET;	/* still bound */
}

/*
 * A thread that exits bound through a cursor: its chunk comes back at
 * its exit, as a per-thread set's does. Before, the arena kept it for
 * good: every reset and the destroy refused (EBUSY).
 */
static void alba_hooks_thread_exit_test(struct kunit *test)
{
	struct alba *arena = alba_create("hooks", 0, 0);
	struct alba_stats s;
	thread_t tid;
	int round;

	KUNIT_ASSERT_NOT_NULL(test, arena);
	for (round = 0; round < 3; round++) {
		KUNIT_ASSERT_EQ(test, thread_start(&tid, hook_exit_fn, arena), 0);
		thread_join(tid);
		alba_get_stats(arena, &s);
		KUNIT_EXPECT_EQ(test, s.reserved_bytes, 0);
		KUNIT_EXPECT_EQ(test, s.allocs, 100 * (round + 1));	/* calls stay counted */
		errno = 0;
		alba_reset(arena);
		KUNIT_EXPECT_EQ(test, errno, 0);
	}
	errno = 0;
	alba_destroy(arena);
	KUNIT_EXPECT_EQ(test, errno, 0);
}

/*
 * A thread's exit destructors that run after alba's (a key made later
 * runs later on glibc and musl): they see the binding the thread had.
 */
static void *late_seen;

#ifdef _WIN32
static DWORD late_key;

static void WINAPI late_dtor(void *v)
{
	(void)v;
	late_seen = alba_hooks_malloc(24);
}

static bool late_key_make(void)
{
	late_key = FlsAlloc(late_dtor);
	return late_key != FLS_OUT_OF_INDEXES;
}

static void late_key_arm(void)
{
	FlsSetValue(late_key, &late_seen);
}

static void late_key_drop(void)
{
	FlsFree(late_key);
}
#else
static pthread_key_t late_key;

static void late_dtor(void *v)
{
	(void)v;
	late_seen = alba_hooks_malloc(24);
}

static bool late_key_make(void)
{
	return !pthread_key_create(&late_key, late_dtor);
}

static void late_key_arm(void)
{
	pthread_setspecific(late_key, &late_seen);
}

static void late_key_drop(void)
{
	pthread_key_delete(late_key);
}
#endif

static THREAD_FN(hook_rebind_fn, arg)
{
	struct alba *arena = arg;

	alba_hooks_bind(arena, ALBA_HOOKS_CURSOR);
	alba_hooks_malloc(40);
	alba_hooks_bind(NULL, 0);
	alba_hooks_bind(arena, 0);	/* locked, still bound at the exit */
	late_key_arm();
	return THREAD_RET;
}

/*
 * A thread that bound through a cursor, unbound and bound again without
 * one exits bound: only a cursor binding is ended by its exit, so a later
 * destructor still allocates. Before, the exit forgot any binding of a
 * thread that had ever bound through a cursor.
 */
static void alba_hooks_rebound_exit_test(struct kunit *test)
{
	struct alba *arena = alba_create("hooks", 0, 0);
	thread_t tid;

	KUNIT_ASSERT_NOT_NULL(test, arena);
	/* alba's own thread key first, so that its destructor runs first. */
	alba_hooks_bind(arena, ALBA_HOOKS_CURSOR);
	alba_hooks_bind(NULL, 0);
	KUNIT_ASSERT_TRUE(test, late_key_make());
	late_seen = NULL;
	KUNIT_ASSERT_EQ(test, thread_start(&tid, hook_rebind_fn, arena), 0);
	thread_join(tid);
	late_key_drop();
	KUNIT_EXPECT_PTR_EQ(test, late_seen ? alba_of(late_seen, 0) : NULL, arena);
	errno = 0;
	alba_destroy(arena);
	KUNIT_EXPECT_EQ(test, errno, 0);
}

/* lua_Alloc: allocate, grow with the bytes kept, shrink in place, free. */
static void alba_hooks_lua_test(struct kunit *test)
{
	struct alba *arena = alba_create("lua", 0, 0);
	char *p, *q;

	KUNIT_ASSERT_NOT_NULL(test, arena);
	p = alba_hooks_lua_alloc(arena, NULL, 5 /* LUA_TTABLE */, 64);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, (uintptr_t)p % MALLOC_ALIGN, 0);
	memset(p, 3, 64);
	q = alba_hooks_lua_alloc(arena, p, 64, 4096);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_EQ(test, q[63], 3);
	KUNIT_EXPECT_PTR_EQ(test, alba_hooks_lua_alloc(arena, q, 4096, 16), q);
	KUNIT_EXPECT_NULL(test, alba_hooks_lua_alloc(arena, q, 16, 0));
	KUNIT_EXPECT_NULL(test, alba_hooks_lua_alloc(arena, NULL, 0, 0));
	alba_destroy(arena);
}

static struct kunit_case alba_hooks_cases[] = {
	KUNIT_CASE_PARAM(alba_hooks_mode_test, mode_gen_params),
	KUNIT_CASE(alba_hooks_unbound_test),
	KUNIT_CASE(alba_hooks_cursor_reset_test),
	KUNIT_CASE(alba_hooks_realloc_test),
	KUNIT_CASE(alba_hooks_threads_test),
	KUNIT_CASE(alba_hooks_thread_exit_test),
	KUNIT_CASE(alba_hooks_rebound_exit_test),
	KUNIT_CASE(alba_hooks_lua_test),
	{}
};

static struct kunit_suite alba_hooks_suite = {
	.name = "alba_hooks",
	.test_cases = alba_hooks_cases,
};

kunit_test_suites(&alba_hooks_suite);
