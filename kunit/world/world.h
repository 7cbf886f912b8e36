/* SPDX-License-Identifier: GPL-2.0 */
/*
 * world.h - what differs between the worlds the suite runs in (the kernel,
 * and userspace through kunit/harness): errno, sorting, whether a per-CPU
 * set's calls keep one cursor, and pointers that alba never handed out.
 * The only per-world #ifdef of the tests; the foreign pointers come from
 * kernel.c or user.c, whichever is built.
 */
#ifndef _ALBA_KUNIT_WORLD_H
#define _ALBA_KUNIT_WORLD_H

#include <kunit/test.h>

#include "alba_plat.h"
#include "../kunit_compat.h"

#ifdef __KERNEL__
#include <linux/mm.h>
#include <linux/sort.h>
#define ALBA_EXPECT_ERRNO(test, e)	((void)(test), (void)(e))
#define alba_test_clear_errno()		do { } while (0)
#define alba_test_sort(base, n, size, cmp)	sort(base, n, size, cmp, NULL)
/* Linux 6.1 has SIZE_MAX but not PTRDIFF_MAX. */
#define PTRDIFF_MAX			((long)(SIZE_MAX >> 1))
/* A task may move to another CPU, and cursor, between two calls. */
#define ALBA_PCPU_SAME_CURSOR		0
#else
#include <errno.h>
#include <stdlib.h>
#define alba_test_sort(base, n, size, cmp)	qsort(base, n, size, cmp)
#define ALBA_EXPECT_ERRNO(test, e)	KUNIT_EXPECT_EQ(test, errno, e)
#define alba_test_clear_errno()		(errno = 0)
/* A per-thread set's calls from one thread use one cursor. */
#define ALBA_PCPU_SAME_CURSOR		1
#endif

/* A pointer alba never handed out, and where it came from. */
struct foreign {
	const char *what;
	const void *p;
};

/*
 * Fill @f with such pointers (@stack: one on the caller's stack) and
 * return how many; alba_foreign_free() gives back what they needed.
 */
size_t alba_foreign_new(struct kunit *test, struct foreign *f,
			const void *stack);
void alba_foreign_free(void);

#endif /* _ALBA_KUNIT_WORLD_H */
