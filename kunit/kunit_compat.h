/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kunit_compat.h - what KUnit itself lacks on the older kernels of the matrix
 * (the kernel API's differences are in kmod/compat.h). The suite is
 * written for today's KUnit; this file brings older ones up to it, each
 * shim naming the kernel that added the real thing. In userspace the
 * harness in user/kunit is today's KUnit already.
 */
#ifndef _ALBA_KUNIT_KUNIT_COMPAT_H
#define _ALBA_KUNIT_KUNIT_COMPAT_H

#include <kunit/test.h>

#ifdef __KERNEL__
#include <linux/slab.h>
#include <linux/version.h>

/* KUNIT_{EXPECT,ASSERT}_{NULL,NOT_NULL} came in 5.17. */
#ifndef KUNIT_EXPECT_NOT_NULL
#define KUNIT_EXPECT_NULL(test, ptr)	KUNIT_EXPECT_PTR_EQ(test, ptr, NULL)
#define KUNIT_EXPECT_NOT_NULL(test, ptr)	KUNIT_EXPECT_PTR_NE(test, ptr, NULL)
#define KUNIT_ASSERT_NOT_NULL(test, ptr)	KUNIT_ASSERT_PTR_NE(test, ptr, NULL)
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)
/* kunit_kcalloc() came in 5.11. */
static inline void *kunit_kcalloc(struct kunit *test, size_t n, size_t size,
				  gfp_t gfp)
{
	return n && size > SIZE_MAX / n ? NULL :
	       kunit_kzalloc(test, n * size, gfp);
}
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 14, 0)
/*
 * Up to 5.13 a binary assertion insists on both sides having one type
 * (size_t against an int constant is an error); 5.14 dropped that check.
 * This is 5.10's own macro without it.
 */
#undef KUNIT_BASE_BINARY_ASSERTION
#define KUNIT_BASE_BINARY_ASSERTION(test, assert_class, ASSERT_CLASS_INIT,   \
				    assert_type, left, op, right, fmt, ...)  \
do {									     \
	typeof(left) __left = (left);					     \
	typeof(right) __right = (right);				     \
									     \
	KUNIT_ASSERTION(test, __left op __right, assert_class,		     \
			ASSERT_CLASS_INIT(test, assert_type, #op, #left,     \
					  __left, #right, __right),	     \
			fmt, ##__VA_ARGS__);				     \
} while (0)
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)
/*
 * Parameterised cases came in 5.11. Here each one runs as one case that
 * loops over its parameters, naming each in the log; the parameter
 * travels in test->priv, the field 5.10 leaves to tests (so the suite's
 * test->param_value reads it).
 */
#define param_value priv
#define KUNIT_PARAM_DESC_SIZE 128
#define KUNIT_ARRAY_PARAM(name, array, get_desc)			\
	static const void *name##_gen_params(const void *prev, char *desc) \
	{								\
		typeof((array)[0]) *__next = prev ?			\
			((typeof(__next))prev) + 1 : (array);		\
		if (__next - (array) < ARRAY_SIZE((array))) {		\
			void (*__get_desc)(typeof(__next), char *) = get_desc; \
			if (__get_desc)					\
				__get_desc(__next, desc);		\
			return __next;					\
		}							\
		return NULL;						\
	}
#define KUNIT_CASE_PARAM(fn, gen)	KUNIT_CASE(fn##_params)
#define ALBA_PARAM_TEST(fn, gen)					\
	static void fn##_params(struct kunit *test)			\
	{								\
		char desc[KUNIT_PARAM_DESC_SIZE];			\
		const void *p;						\
									\
		for (p = gen(NULL, desc); p; p = gen(p, desc)) {	\
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
#ifndef ALBA_PARAM_TEST
#define ALBA_PARAM_TEST(fn, gen)	static_assert(1, #fn)
#endif

#endif /* _ALBA_KUNIT_KUNIT_COMPAT_H */
