// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * prim.c - the userspace platform: what every OS shares, and the selector
 * that includes exactly one OS file.
 *
 * Implements alba_plat_block_alloc()/free() of kmod/alba_plat.h on top of
 * the OS file's alba_os_block_alloc()/free(), adding a cache of freed
 * blocks and what tests need: a live-block counter and a fault hook that
 * fails the n-th block allocation.
 *
 * The cache. Arenas are reset and filled again, over and over; without a
 * cache each cycle would unmap its blocks and then pay for mapping,
 * trimming and faulting them in again, which costs more than the
 * allocations themselves. Freed blocks of up to 4 MiB are kept, up to
 * ALBA_BLOCK_CACHE_BYTES in all (environment; default 256 MiB; 0 turns the
 * cache off), and handed out again before the OS is asked. Cached blocks
 * are poisoned for ASan as a whole, and do not count as live.
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

#define CACHE_MAX_SHIFT	22
#define CACHE_DEFAULT	((size_t)256 << 20)

struct cached_block {
	struct cached_block *next;
};

static struct cached_block *cache[CACHE_MAX_SHIFT + 1];
static size_t cache_bytes, cache_limit = (size_t)-1;
static alba_plat_lock_t cache_lock;

static long live_blocks;
static unsigned long fail_countdown;
static unsigned long fail_period, fail_calls;

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

void alba_user_lock_slow(alba_plat_lock_t *lock)
{
	unsigned int spins = 0;

	do {
		while (__atomic_load_n(lock, __ATOMIC_RELAXED)) {
			if (++spins < 1024)
				cpu_relax();
			else
				alba_user_yield();
		}
	} while (__atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE));
}

void alba_plat_fail_nth(unsigned long n)
{
	__atomic_store_n(&fail_countdown, n, __ATOMIC_RELAXED);
}

unsigned long alba_user_fail_pending(void)
{
	return __atomic_load_n(&fail_countdown, __ATOMIC_RELAXED);
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
	int v = __atomic_load_n(&verbose, __ATOMIC_RELAXED);
	va_list ap;

	/* Racing first callers compute the same value; atomics keep it defined. */
	if (v < 0) {
		v = getenv("ALBA_VERBOSE") != NULL;
		__atomic_store_n(&verbose, v, __ATOMIC_RELAXED);
	}
	if (v) {
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

static size_t cache_limit_bytes(void)
{
	const char *env;

	size_t limit = __atomic_load_n(&cache_limit, __ATOMIC_RELAXED);

	/* Racing first callers compute the same value; atomics keep it defined. */
	if (limit == (size_t)-1) {
		env = getenv("ALBA_BLOCK_CACHE_BYTES");
		limit = env ? strtoull(env, NULL, 0) : CACHE_DEFAULT;
		__atomic_store_n(&cache_limit, limit, __ATOMIC_RELAXED);
	}
	return limit;
}

static void *cache_take(unsigned int shift)
{
	struct cached_block *blk;

	if (shift > CACHE_MAX_SHIFT || !__atomic_load_n(&cache[shift], __ATOMIC_RELAXED))
		return NULL;
	alba_user_lock(&cache_lock);
	blk = cache[shift];
	if (blk) {
		alba_plat_unpoison(blk, sizeof(*blk));
		__atomic_store_n(&cache[shift], blk->next, __ATOMIC_RELAXED);
		cache_bytes -= (size_t)1 << shift;
	}
	alba_user_unlock(&cache_lock);
	if (blk)
		alba_plat_unpoison(blk, (size_t)1 << shift);
	return blk;
}

static bool cache_put(void *base, unsigned int shift)
{
	struct cached_block *blk = base;
	size_t size = (size_t)1 << shift, limit = cache_limit_bytes();
	bool kept = false;

	if (shift > CACHE_MAX_SHIFT || size > limit)
		return false;
	alba_user_lock(&cache_lock);
	if (cache_bytes + size <= limit) {
		blk->next = cache[shift];
		/* Stored atomically: cache_take() peeks without the lock. */
		__atomic_store_n(&cache[shift], blk, __ATOMIC_RELAXED);
		cache_bytes += size;
		kept = true;
	}
	alba_user_unlock(&cache_lock);
	if (kept)
		alba_plat_poison((char *)base + sizeof(*blk), size - sizeof(*blk));
	return kept;
}

void alba_user_cache_drain(void)
{
	struct cached_block *blk;
	unsigned int shift;

	for (shift = 0; shift <= CACHE_MAX_SHIFT; shift++) {
		for (;;) {
			alba_user_lock(&cache_lock);
			blk = cache[shift];
			if (blk) {
				__atomic_store_n(&cache[shift], blk->next,
						 __ATOMIC_RELAXED);
				cache_bytes -= (size_t)1 << shift;
			}
			alba_user_unlock(&cache_lock);
			if (!blk)
				break;
			alba_plat_unpoison(blk, (size_t)1 << shift);
			alba_os_block_free(blk, shift);
		}
	}
}

void *alba_plat_block_alloc(unsigned int shift, gfp_t gfp)
{
	void *base;

	(void)gfp;
	if (alba_user_fault_fires())
		return NULL;
	base = cache_take(shift);
	if (!base)
		base = alba_os_block_alloc(shift);
	if (base)
		__atomic_add_fetch(&live_blocks, 1, __ATOMIC_RELAXED);
	return base;
}

void alba_plat_block_free(void *base, unsigned int shift)
{
	__atomic_sub_fetch(&live_blocks, 1, __ATOMIC_RELAXED);
	/* Sanitizer poison outlives the mapping: clear it before giving back. */
	alba_plat_unpoison(base, (size_t)1 << shift);
	if (!cache_put(base, shift))
		alba_os_block_free(base, shift);
}
