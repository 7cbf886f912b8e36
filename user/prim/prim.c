// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * prim.c - the userspace platform: what every OS shares, and the selector
 * that includes exactly one OS file.
 *
 * Implements alba_plat_block_alloc()/free() of kmod/alba_plat.h on top of
 * the OS file's alba_os_block_alloc()/free(), adding what tests need: a
 * live-block counter and a fault hook that fails the n-th block allocation.
 * The OS file may assume 12 <= shift <= 30 and must return a block aligned
 * to 1 << shift, or NULL.
 */
#include <stdarg.h>
#include <stdlib.h>

#include "alba_plat.h"

#if defined(_WIN32)
#include "windows.c"
#else
#include "posix.c"
#endif

static long live_blocks;
static unsigned long fail_countdown;
static unsigned long fail_period, fail_calls;

void alba_plat_fail_nth(unsigned long n)
{
	__atomic_store_n(&fail_countdown, n, __ATOMIC_RELAXED);
}

void alba_user_fail_every(unsigned long n)
{
	__atomic_store_n(&fail_calls, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&fail_period, n, __ATOMIC_RELAXED);
}

/*
 * True on the n-th call after alba_plat_fail_nth(n), once, and on every
 * n-th call after alba_user_fail_every(n).
 */
bool alba_user_fault_fires(void)
{
	unsigned long n = __atomic_load_n(&fail_countdown, __ATOMIC_RELAXED);
	unsigned long period = __atomic_load_n(&fail_period, __ATOMIC_RELAXED);

	if (period &&
	    __atomic_add_fetch(&fail_calls, 1, __ATOMIC_RELAXED) % period == 0)
		return true;

	while (n) {
		if (__atomic_compare_exchange_n(&fail_countdown, &n, n - 1, false,
						__ATOMIC_RELAXED, __ATOMIC_RELAXED))
			return n == 1;
	}
	return false;
}

void alba_user_report(int err, const char *fmt, ...)
{
	static int verbose = -1;
	va_list ap;

	if (verbose < 0)
		verbose = getenv("ALBA_VERBOSE") != NULL;
	if (verbose) {
		va_start(ap, fmt);
		fputs("alba: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		va_end(ap);
	}
	errno = err;
}

long alba_plat_live_blocks(void)
{
	return __atomic_load_n(&live_blocks, __ATOMIC_RELAXED);
}

void *alba_plat_block_alloc(unsigned int shift, gfp_t gfp)
{
	void *base;

	(void)gfp;
	if (alba_user_fault_fires())
		return NULL;
	base = alba_os_block_alloc(shift);
	if (base)
		__atomic_add_fetch(&live_blocks, 1, __ATOMIC_RELAXED);
	return base;
}

void alba_plat_block_free(void *base, unsigned int shift)
{
	/* Sanitizer poison outlives the mapping: clear it before giving back. */
	alba_plat_unpoison(base, (size_t)1 << shift);
	alba_os_block_free(base, shift);
	__atomic_sub_fetch(&live_blocks, 1, __ATOMIC_RELAXED);
}
