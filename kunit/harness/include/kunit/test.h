/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A KUnit-compatible harness for userspace: the subset of the kernel's
 * <kunit/test.h> that alba's suite uses, with the same names and meaning,
 * printing KTAP in the form the 6.1 kernel prints and
 * tools/testing/kunit/kunit.py parses. Assertions and kunit_skip() leave
 * the case with longjmp(); resources from kunit_kzalloc() and friends are
 * freed when the case ends.
 */
#ifndef _USER_KUNIT_TEST_H
#define _USER_KUNIT_TEST_H

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#define GFP_KERNEL	0u
#define GFP_ATOMIC	0u
#define __GFP_NOWARN	0u
#define PAGE_SHIFT	12
#undef PAGE_SIZE	/* musl's <limits.h> has one */
#define PAGE_SIZE	(1UL << PAGE_SHIFT)

#define KUNIT_PARAM_DESC_SIZE	128

/* The suite is a module in the kernel; here these say nothing. */
#define MODULE_LICENSE(x)	extern int __kunit_module_info
#define MODULE_DESCRIPTION(x)	extern int __kunit_module_info

enum kunit_status { KUNIT_SUCCESS, KUNIT_FAILURE, KUNIT_SKIPPED };

struct kunit_resource;

struct kunit {
	const char *name;
	const void *param_value;
	int param_index;
	enum kunit_status status;
	char status_comment[256];
	void *priv;
	/* private: */
	jmp_buf abort;
	struct kunit_resource *resources;
};

struct kunit_case {
	void (*run_case)(struct kunit *test);
	const char *name;
	const void *(*generate_params)(const void *prev, char *desc);
	/* private: */
	enum kunit_status status;
};

struct kunit_suite {
	const char name[256];
	int (*suite_init)(struct kunit_suite *suite);
	void (*suite_exit)(struct kunit_suite *suite);
	int (*init)(struct kunit *test);
	void (*exit)(struct kunit *test);
	struct kunit_case *test_cases;
};

#define KUNIT_CASE(fn)		{ .run_case = fn, .name = #fn }
#define KUNIT_CASE_PARAM(fn, gen) \
	{ .run_case = fn, .name = #fn, .generate_params = gen }

#define KUNIT_ARRAY_PARAM(name, array, get_desc)			\
	static const void *name##_gen_params(const void *prev, char *desc) \
	{								\
		__typeof__((array)[0]) *__next = prev ?			\
			((__typeof__(__next))prev) + 1 : (array);	\
		void (*__get_desc)(__typeof__(__next), char *) = get_desc; \
		if (__next - (array) < (long)ARRAY_SIZE(array)) {	\
			if (__get_desc)					\
				__get_desc(__next, desc);		\
			return __next;					\
		}							\
		return NULL;						\
	}

void kunit_register_suites(struct kunit_suite **suites, size_t n);

#ifdef _WIN32
#define __kunit_printf(a, b)	__attribute__((format(gnu_printf, a, b)))
#else
#define __kunit_printf(a, b)	__attribute__((format(printf, a, b)))
#endif

#define __kunit_cat2(a, b)	a##b
#define __kunit_cat(a, b)	__kunit_cat2(a, b)
#define kunit_test_suites(...)						\
	static struct kunit_suite *__kunit_cat(__kunit_suites_, __LINE__)[] = \
		{ __VA_ARGS__ };					\
	__attribute__((constructor)) static void			\
	__kunit_cat(__kunit_register_, __LINE__)(void)			\
	{								\
		kunit_register_suites(__kunit_cat(__kunit_suites_, __LINE__), \
			ARRAY_SIZE(__kunit_cat(__kunit_suites_, __LINE__))); \
	}
#define kunit_test_suite(suite)	kunit_test_suites(&suite)

void kunit_log_line(struct kunit *test, const char *fmt, ...)
	__kunit_printf(2, 3);
void kunit_fail_at(struct kunit *test, const char *file, int line,
		   bool assert, const char *fmt, ...)
	__kunit_printf(5, 6);
__attribute__((noreturn)) void kunit_abort(struct kunit *test);

#define kunit_info(test, fmt, ...) \
	kunit_log_line(test, "# %s: " fmt, (test)->name, ##__VA_ARGS__)
#define kunit_warn	kunit_info
#define kunit_err	kunit_info

#define kunit_mark_skipped(test, fmt, ...)				\
	do {								\
		(test)->status = KUNIT_SKIPPED;				\
		snprintf((test)->status_comment,			\
			 sizeof((test)->status_comment), fmt, ##__VA_ARGS__); \
	} while (0)
#define kunit_skip(test, fmt, ...)					\
	do {								\
		kunit_mark_skipped(test, fmt, ##__VA_ARGS__);		\
		kunit_abort(test);					\
	} while (0)

void *kunit_kmalloc_array(struct kunit *test, size_t n, size_t size,
			  unsigned int gfp);
void kunit_kfree(struct kunit *test, const void *ptr);
#define kunit_kmalloc(test, size, gfp) kunit_kmalloc_array(test, 1, size, gfp)
void *kunit_kzalloc(struct kunit *test, size_t size, unsigned int gfp);
void *kunit_kcalloc(struct kunit *test, size_t n, size_t size, unsigned int gfp);

#define __KUNIT_CHECK(test, assert, cond, fmt, ...)			\
	do {								\
		if (!(cond)) {						\
			kunit_fail_at(test, __FILE__, __LINE__, assert,	\
				      fmt, ##__VA_ARGS__);		\
			if (assert)					\
				kunit_abort(test);			\
		}							\
	} while (0)

#define __KUNIT_BOOL(test, assert, cond, want, fmt, ...)		\
	__KUNIT_CHECK(test, assert, (!!(cond)) == (want),		\
		      "Expected %s to be %s" fmt, #cond,		\
		      (want) ? "true" : "false", ##__VA_ARGS__)

#define __KUNIT_BINARY(test, assert, l, op, r, fmt, ...)		\
	do {								\
		__typeof__(l) __l = (l);				\
		__typeof__(r) __r = (r);				\
		__KUNIT_CHECK(test, assert, __l op __r,			\
			      "Expected %s %s %s, but\n"		\
			      "        %s == %lld (0x%llx)\n"		\
			      "        %s == %lld (0x%llx)" fmt,	\
			      #l, #op, #r,				\
			      #l, (long long)__l, (unsigned long long)__l, \
			      #r, (long long)__r, (unsigned long long)__r, \
			      ##__VA_ARGS__);				\
	} while (0)

#define __KUNIT_PTR(test, assert, l, op, r, fmt, ...)			\
	do {								\
		const void *__l = (l), *__r = (r);			\
		__KUNIT_CHECK(test, assert, __l op __r,			\
			      "Expected %s %s %s, but\n"		\
			      "        %s == %p\n        %s == %p" fmt,	\
			      #l, #op, #r, #l, __l, #r, __r, ##__VA_ARGS__); \
	} while (0)

#define __KUNIT_STR(test, assert, l, op, r, fmt, ...)			\
	do {								\
		const char *__l = (l), *__r = (r);			\
		__KUNIT_CHECK(test, assert, strcmp(__l, __r) op 0,	\
			      "Expected %s %s %s, but\n"		\
			      "        %s == \"%s\"\n        %s == \"%s\"" fmt, \
			      #l, #op, #r, #l, __l, #r, __r, ##__VA_ARGS__); \
	} while (0)

#define __KUNIT_MSG	"\n        "

#define KUNIT_EXPECT_TRUE(t, c)		__KUNIT_BOOL(t, false, c, true, "")
#define KUNIT_EXPECT_FALSE(t, c)	__KUNIT_BOOL(t, false, c, false, "")
#define KUNIT_EXPECT_EQ(t, l, r)	__KUNIT_BINARY(t, false, l, ==, r, "")
#define KUNIT_EXPECT_NE(t, l, r)	__KUNIT_BINARY(t, false, l, !=, r, "")
#define KUNIT_EXPECT_LT(t, l, r)	__KUNIT_BINARY(t, false, l, <, r, "")
#define KUNIT_EXPECT_LE(t, l, r)	__KUNIT_BINARY(t, false, l, <=, r, "")
#define KUNIT_EXPECT_GT(t, l, r)	__KUNIT_BINARY(t, false, l, >, r, "")
#define KUNIT_EXPECT_GE(t, l, r)	__KUNIT_BINARY(t, false, l, >=, r, "")
#define KUNIT_EXPECT_PTR_EQ(t, l, r)	__KUNIT_PTR(t, false, l, ==, r, "")
#define KUNIT_EXPECT_PTR_NE(t, l, r)	__KUNIT_PTR(t, false, l, !=, r, "")
#define KUNIT_EXPECT_NULL(t, p)		__KUNIT_PTR(t, false, p, ==, NULL, "")
#define KUNIT_EXPECT_NOT_NULL(t, p)	__KUNIT_PTR(t, false, p, !=, NULL, "")
#define KUNIT_EXPECT_STREQ(t, l, r)	__KUNIT_STR(t, false, l, ==, r, "")

#define KUNIT_ASSERT_TRUE(t, c)		__KUNIT_BOOL(t, true, c, true, "")
#define KUNIT_ASSERT_FALSE(t, c)	__KUNIT_BOOL(t, true, c, false, "")
#define KUNIT_ASSERT_EQ(t, l, r)	__KUNIT_BINARY(t, true, l, ==, r, "")
#define KUNIT_ASSERT_NE(t, l, r)	__KUNIT_BINARY(t, true, l, !=, r, "")
#define KUNIT_ASSERT_LT(t, l, r)	__KUNIT_BINARY(t, true, l, <, r, "")
#define KUNIT_ASSERT_LE(t, l, r)	__KUNIT_BINARY(t, true, l, <=, r, "")
#define KUNIT_ASSERT_GT(t, l, r)	__KUNIT_BINARY(t, true, l, >, r, "")
#define KUNIT_ASSERT_GE(t, l, r)	__KUNIT_BINARY(t, true, l, >=, r, "")
#define KUNIT_ASSERT_PTR_EQ(t, l, r)	__KUNIT_PTR(t, true, l, ==, r, "")
#define KUNIT_ASSERT_NULL(t, p)		__KUNIT_PTR(t, true, p, ==, NULL, "")
#define KUNIT_ASSERT_NOT_NULL(t, p)	__KUNIT_PTR(t, true, p, !=, NULL, "")

#define KUNIT_EXPECT_TRUE_MSG(t, c, fmt, ...) \
	__KUNIT_BOOL(t, false, c, true, __KUNIT_MSG fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_FALSE_MSG(t, c, fmt, ...) \
	__KUNIT_BOOL(t, false, c, false, __KUNIT_MSG fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_EQ_MSG(t, l, r, fmt, ...) \
	__KUNIT_BINARY(t, false, l, ==, r, __KUNIT_MSG fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_LE_MSG(t, l, r, fmt, ...) \
	__KUNIT_BINARY(t, false, l, <=, r, __KUNIT_MSG fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_TRUE_MSG(t, c, fmt, ...) \
	__KUNIT_BOOL(t, true, c, true, __KUNIT_MSG fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_EQ_MSG(t, l, r, fmt, ...) \
	__KUNIT_BINARY(t, true, l, ==, r, __KUNIT_MSG fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_NOT_NULL_MSG(t, p, fmt, ...) \
	__KUNIT_PTR(t, true, p, !=, NULL, __KUNIT_MSG fmt, ##__VA_ARGS__)

#define KUNIT_FAIL(t, fmt, ...) \
	__KUNIT_CHECK(t, false, 0, fmt, ##__VA_ARGS__)

#endif /* _USER_KUNIT_TEST_H */
