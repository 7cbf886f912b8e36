/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kunit_compat.h - what KUnit itself lacks on the older kernels of the
 * matrix (the kernel API's differences are in kmod/compat.h, and what a
 * kernel has is probed by kmod/Kbuild.compat). The suite is written for
 * today's KUnit; this file brings older ones up to it, each shim naming
 * the kernel that added the real thing. In userspace the harness in
 * kunit/harness is today's KUnit already.
 */
#ifndef _ALBA_KUNIT_KUNIT_COMPAT_H
#define _ALBA_KUNIT_KUNIT_COMPAT_H

#include <kunit/test.h>

#ifdef __KERNEL__
#include <linux/overflow.h>
#include <linux/slab.h>

/* KUNIT_{EXPECT,ASSERT}_{NULL,NOT_NULL} came in 5.17. */
#ifndef KUNIT_EXPECT_NOT_NULL
#define KUNIT_EXPECT_NULL(test, ptr)	KUNIT_EXPECT_PTR_EQ(test, ptr, NULL)
#define KUNIT_EXPECT_NOT_NULL(test, ptr)	KUNIT_EXPECT_PTR_NE(test, ptr, NULL)
#define KUNIT_ASSERT_NOT_NULL(test, ptr)	KUNIT_ASSERT_PTR_NE(test, ptr, NULL)
#endif

/* 5.12 gave file_open_root() a struct path and added file_open_root_mnt(). */
#ifndef ALBA_HAVE_FILE_OPEN_ROOT_MNT
#include <linux/fs.h>
#include <linux/mount.h>
static inline struct file *file_open_root_mnt(struct vfsmount *mnt,
					      const char *name, int flags,
					      umode_t mode)
{
	return file_open_root(mnt->mnt_root, mnt, name, flags, mode);
}
#endif

/*
 * The skipped state came in 5.12. Before, a case that cannot run logs
 * the reason after this marker and returns; scripts/kunit.sh (which
 * reads the marker from this define) writes its KTAP result as
 * "ok N - case # SKIP reason", so it counts as skipped, never as passed.
 * (Today's kunit_skip() also ends the case; the suite returns after each
 * call, so both behave alike.)
 */
#ifndef kunit_skip
#define ALBA_KUNIT_SKIP_MARK	"alba-kunit-skip: "
#define kunit_skip(test, fmt, ...) \
	kunit_info(test, ALBA_KUNIT_SKIP_MARK fmt, ##__VA_ARGS__)
#endif

/* kunit_kcalloc() came in 5.11. */
#ifndef ALBA_HAVE_KUNIT_KCALLOC
static inline void *kunit_kcalloc(struct kunit *test, size_t n, size_t size,
				  gfp_t gfp)
{
	size_t bytes;

	return check_mul_overflow(n, size, &bytes) ? NULL :
	       kunit_kzalloc(test, bytes, gfp);
}
#endif

/*
 * Up to 5.13 a binary assertion insists on both sides having one type
 * (size_t against an int constant is an error); 5.14 dropped that check.
 * This is 5.10's own macro without it.
 */
#ifdef ALBA_HAVE_KUNIT_TYPECHECK
#undef KUNIT_BASE_BINARY_ASSERTION
#define KUNIT_BASE_BINARY_ASSERTION(test, assert_class, ASSERT_CLASS_INIT,   \
				    assert_type, left, op, right, fmt, ...)  \
do {									     \
	struct kunit *__test = (test);					     \
	typeof(left) __left = (left);					     \
	typeof(right) __right = (right);				     \
									     \
	KUNIT_ASSERTION(__test, __left op __right, assert_class,	     \
			ASSERT_CLASS_INIT(__test, assert_type, #op, #left,   \
					  __left, #right, __right),	     \
			fmt, ##__VA_ARGS__);				     \
} while (0)
#endif

/*
 * Parameterised cases came in 5.11. Before, each one runs as one case
 * that loops over its parameters, naming each in the log; the parameter
 * travels in test->priv, the field KUnit leaves to tests then (so the
 * suite's test->param_value reads it).
 */
#ifndef ALBA_HAVE_KUNIT_PARAM
#define param_value priv
#define KUNIT_PARAM_DESC_SIZE 128
#define KUNIT_ARRAY_PARAM(name, array, get_desc)			\
	static const void *name##_gen_params(const void *prev, char *desc) \
	{								\
		typeof((array)[0]) * __first = (array);			\
		typeof(__first) __next = prev ?				\
			((typeof(__next))prev) + 1 : __first;		\
		if (__next - __first < sizeof(array) / sizeof(*__first)) { \
			get_desc(__next, desc);				\
			return __next;					\
		}							\
		return NULL;						\
	}
#define KUNIT_CASE_PARAM(fn, gen) \
	{ .run_case = fn##_params, .name = #fn "[" #gen "]" }
#define ALBA_PARAM_TEST(fn, gen)					\
	static void fn##_params(struct kunit *test)			\
	{								\
		const void *(*next)(const void *, char *) = gen;	\
		char desc[KUNIT_PARAM_DESC_SIZE];			\
		const void *p;						\
									\
		for (p = next(NULL, desc); p; p = next(p, desc)) {	\
			test->priv = (void *)p;				\
			kunit_info(test, "parameter: %s", desc);	\
			fn(test);					\
		}							\
	}
#endif
#endif /* __KERNEL__ */

/*
 * After each parameterised test function: on KUnit before 5.11 this
 * defines the case that loops over its parameters; elsewhere nothing.
 */
#if !defined(__KERNEL__)
#define ALBA_IMPORT_KUNIT_NS()	extern int __kunit_module_info
#elif defined(ALBA_HAVE_NS_STRINGS)
/* The test hooks' namespace (kmod/compat.h); a string literal since 6.13. */
#define ALBA_IMPORT_KUNIT_NS()	MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING")
#else
#define ALBA_IMPORT_KUNIT_NS()	MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING)
#endif

#ifndef ALBA_PARAM_TEST
#define ALBA_PARAM_TEST(fn, gen) \
	static_assert(__builtin_types_compatible_p(typeof(gen), typeof(gen)), #fn)
#endif

#endif /* _ALBA_KUNIT_KUNIT_COMPAT_H */
