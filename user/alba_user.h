/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * alba_user.h - the userspace side of the seam (see kmod/alba_plat.h).
 *
 * Maps the few kernel names the core uses onto libc and compiler builtins,
 * and declares what the OS files in user/prim/ implement. Works with gcc
 * and clang, glibc and musl, 32 and 64 bits, and mingw-w64.
 */
#ifndef _ALBA_USER_H
#define _ALBA_USER_H

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define ALBA_PLAT_PAGE_SHIFT	12
#define ALBA_PLAT_MAX_SHIFT	30

#define noinline	__attribute__((__noinline__))

#ifndef likely
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#endif

#define EXPORT_SYMBOL_GPL(sym)

#define WARN_ON_ONCE(cond)	alba_user_warn_on((cond), #cond, __FILE__, __LINE__)

static inline bool alba_user_warn_on(bool cond, const char *what,
				     const char *file, int line)
{
	if (unlikely(cond))
		fprintf(stderr, "alba: WARNING: %s at %s:%d\n", what, file, line);
	return cond;
}

/*
 * A test-and-test-and-set spinlock on the compiler's atomics. Arena
 * critical sections are a few dozen instructions, so spinning beats a
 * futex; after a while of spinning we yield in case the holder was
 * preempted.
 */
typedef int alba_plat_lock_t;

void alba_user_yield(void);
/* The contended path, out of line (user/prim/prim.c). */
void alba_user_lock_slow(alba_plat_lock_t *lock);

static inline void alba_plat_lock_init(alba_plat_lock_t *lock)
{
	__atomic_store_n(lock, 0, __ATOMIC_RELAXED);
}

static inline void alba_user_lock(alba_plat_lock_t *lock)
{
	if (unlikely(__atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE)))
		alba_user_lock_slow(lock);
}

static inline void alba_user_unlock(alba_plat_lock_t *lock)
{
	__atomic_store_n(lock, 0, __ATOMIC_RELEASE);
}

#define alba_plat_lock(lock, flags)	((void)(flags), alba_user_lock(lock))
#define alba_plat_trylock(lock, flags) \
	((void)(flags), !__atomic_exchange_n((lock), 1, __ATOMIC_ACQUIRE))
#define alba_plat_unlock(lock, flags)	((void)(flags), alba_user_unlock(lock))

/*
 * Userspace reports a broken contract through errno only; the message is
 * type-checked like the kernel's and printed if ALBA_VERBOSE is set.
 */
#ifdef _WIN32
#define ALBA_USER_PRINTF	gnu_printf
#else
#define ALBA_USER_PRINTF	printf
#endif
void alba_user_report(int err, const char *fmt, ...)
	__attribute__((format(ALBA_USER_PRINTF, 2, 3)));

#define alba_plat_invalid(...)		alba_user_report(EINVAL, __VA_ARGS__)
#define alba_plat_busy(...)		alba_user_report(EBUSY, __VA_ARGS__)
#define alba_plat_nomem(gfp)		((void)(gfp), errno = ENOMEM)

#define alba_plat_arena_added(arena, gfp) ((void)(arena), (void)(gfp))
#define alba_plat_arena_removed(arena)	((void)(arena))

#if defined(__SANITIZE_ADDRESS__)
#define ALBA_USER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ALBA_USER_ASAN 1
#endif
#endif

#ifdef ALBA_USER_ASAN
void __asan_poison_memory_region(void const volatile *addr, size_t size);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#define alba_plat_poison(p, n)		__asan_poison_memory_region((p), (n))
#define alba_plat_unpoison(p, n)	__asan_unpoison_memory_region((p), (n))
#else
#define alba_plat_poison(p, n)		((void)(p), (void)(n))
#define alba_plat_unpoison(p, n)	((void)(p), (void)(n))
#endif

/* Implemented once for every OS, in user/prim/prim.c. */
bool alba_user_fault_fires(void);
/* Give every cached free block back to the OS. */
void alba_user_cache_drain(void);
/* Tests: block allocations left before alba_plat_fail_nth() fires (0: none). */
unsigned long alba_user_fail_pending(void);
/* Tests: fail every n-th block allocation from now on (0: stop). */
void alba_user_fail_every(unsigned long n);
void alba_user_block_taken(void);
void alba_user_block_given(void);

/* Implemented by each OS file in user/prim/. */
/* How blocks larger than a page are aligned, and how many were so far. */
const char *alba_user_block_method(long *os_aligned, long *self_aligned);
void *alba_os_block_alloc(unsigned int shift);
void alba_os_block_free(void *base, unsigned int shift);

#endif /* _ALBA_USER_H */
