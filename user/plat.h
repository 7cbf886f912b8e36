/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * plat.h - the userspace half of the seam (core/alba_plat.h is the
 * contract), included by core/alba_plat.h.
 *
 * Maps the few kernel names the core uses onto libc and compiler builtins,
 * and declares what the OS files in user/prim/ implement. Works with gcc
 * and clang, glibc and musl, 32 and 64 bits, and mingw-w64.
 */
#ifndef _ALBA_USER_PLAT_H
#define _ALBA_USER_PLAT_H

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define ALBA_PLAT_PAGE_SHIFT	12
#define ALBA_PLAT_MAX_SHIFT	30

#define noinline	__attribute__((__noinline__))

#ifndef likely
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#endif

#define EXPORT_SYMBOL_GPL(sym)

#define WARN_ON_ONCE(cond)	alba_user_warn_on((cond), #cond, __FILE__, __LINE__)

/* A field read without its lock, and its writes: relaxed atomics. */
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, val)	__atomic_store_n(&(x), (val), __ATOMIC_RELAXED)

static inline bool alba_user_warn_on(bool cond, const char *what,
				     const char *file, int line)
{
	if (unlikely(cond))
		fprintf(stderr, "alba: WARNING: %s at %s:%d\n", what, file, line);
	return cond;
}

/*
 * The arena lock, on the compiler's atomics: test-and-set for whoever
 * finds it free, a FIFO queue for whoever does not.
 *
 * Taking a free lock is one exchange and releasing it a plain store, as
 * cheap as a bare test-and-set lock. A thread that finds it held takes a
 * ticket and waits its turn to be the queue's head; only the head competes
 * for the lock. Newcomers may still take a free lock before the head
 * (so a preempted waiter never stalls everyone, as a strict ticket lock
 * does when there are more threads than CPUs), but a head that has waited
 * ALBA_LOCK_PATIENCE rounds raises @handoff, which sends newcomers to the
 * queue: the head gets the lock at its next release, and no thread that
 * keeps taking the lock can starve the others. Waiters spin a little,
 * then yield between looks in case the holder was preempted.
 */
typedef struct {
	unsigned int locked;	/* 1 while held */
	unsigned int handoff;	/* the head has waited long enough: queue up */
	unsigned int tail;	/* the next ticket of the queue */
	unsigned int head;	/* the ticket whose turn it is */
} alba_plat_lock_t;

/* Zeroed is unlocked. */
#define ALBA_PLAT_DEFINE_LOCK(name)	alba_plat_lock_t name

void alba_user_yield(void);
/* The contended path, out of line (user/lock.c). */
void alba_user_lock_wait(alba_plat_lock_t *lock);

static inline void alba_plat_lock_init(alba_plat_lock_t *lock)
{
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&lock->handoff, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&lock->tail, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&lock->head, 0, __ATOMIC_RELAXED);
}

static inline bool alba_user_trylock(alba_plat_lock_t *lock)
{
	return !__atomic_load_n(&lock->handoff, __ATOMIC_RELAXED) &&
	       !__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE);
}

static inline void alba_user_lock(alba_plat_lock_t *lock)
{
	if (unlikely(!alba_user_trylock(lock)))
		alba_user_lock_wait(lock);
}

static inline void alba_user_unlock(alba_plat_lock_t *lock)
{
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
}

#define alba_plat_lock(lock, flags)	((void)(flags), alba_user_lock(lock))
#define alba_plat_trylock(lock, flags)	((void)(flags), alba_user_trylock(lock))
#define alba_plat_unlock(lock, flags)	((void)(flags), alba_user_unlock(lock))

#ifndef _WIN32
/* Arenas survive fork(): see alba_core_fork() and user/blocks.c. */
#define ALBA_PLAT_FORK	1
#endif

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
#define alba_plat_caller()		0UL
#define alba_plat_invalid_at(ip, ...)	((void)(ip), alba_user_report(EINVAL, __VA_ARGS__))
#define alba_plat_busy_at(ip, ...)	((void)(ip), alba_user_report(EBUSY, __VA_ARGS__))
#define alba_plat_nomem(gfp)		((void)(gfp), errno = ENOMEM)
#define alba_plat_might_alloc(gfp)	((void)(gfp))
#define alba_plat_gfp_zero(gfp)		((void)(gfp), 0)

/* Arenas are listed, for fork() (user/blocks.c). */
struct alba;
struct alba_plat_arena {
	struct alba *next;
};

void alba_plat_arena_added(struct alba *arena, gfp_t gfp);
void alba_plat_arena_removed(struct alba *arena);

/* Blocks come from the OS, which places them by its own NUMA policy. */
#define alba_plat_node_ok(nid)		((nid) >= NUMA_NO_NODE)

/*
 * The registry of live block headers: one bit per 4 KiB page of the
 * address space, in two levels. The top level is static (its pages stay
 * untouched zero pages until used) with a pointer per 1 GiB region; the
 * second is a bitmap of that region's pages, mapped the first time a
 * header lands there and kept (32 KiB per GiB ever used). A lookup reads
 * two words and never the address asked about, so it cannot fault. Linux
 * and Windows hand userspace addresses below 2^47 unless asked otherwise;
 * the table covers 2^48, and anything above it is not alba's. Setting and
 * clearing are in user/blocks.c; the test is inline, for alba_of().
 */
#define ALBA_REG_ADDR_BITS	(sizeof(void *) == 8 ? 48 : 32)
#define ALBA_REG_REGION_SHIFT	30
#define ALBA_REG_PAGE_SHIFT	12
#define ALBA_REG_REGIONS	((size_t)1 << (ALBA_REG_ADDR_BITS - ALBA_REG_REGION_SHIFT))
#define ALBA_REG_WORD_BITS	(8 * sizeof(uintptr_t))
#define ALBA_REG_MAP_SHIFT	15	/* 2^18 bits: 32 KiB */

extern uintptr_t *alba_user_reg_regions[];
void alba_plat_header_set(void *p);
void alba_plat_header_clear(void *p);

/*
 * A header the registry vouched for, which another thread may be freeing:
 * its block may be poisoned (ASan) or written (TSan) meanwhile, but not
 * unmapped (source.c retires regions instead, unmapping them only when
 * the OS has no address space left). The caller trusts the copy
 * only if its check value holds. (Inline where no sanitizer is on.)
 */
__attribute__((no_sanitize("address", "thread")))
static inline bool alba_plat_read_racy(void *dst, const void *src, size_t n)
{
	const volatile uintptr_t *s = (const volatile uintptr_t *)src;
	uintptr_t *d = (uintptr_t *)dst;
	size_t i;

	for (i = 0; i < n / sizeof(*d); i++)
		d[i] = s[i];
	return true;
}

/*
 * hooks.c's cursor binding: a cursor that the calling thread's record
 * (pcpu.c) finishes when the thread exits (NULL: no memory), after
 * calling @forget where the thread-local binding outlives that (ELF);
 * @forget NULL once the binding has ended (the exit then does neither).
 */
struct alba_cursor *alba_user_thread_cursor(void (*forget)(void));

/* The page of @p within its 1 GiB region. */
static inline size_t alba_user_reg_page(uintptr_t p)
{
	return (size_t)(p >> ALBA_REG_PAGE_SHIFT) &
	       (((size_t)1 << (ALBA_REG_REGION_SHIFT - ALBA_REG_PAGE_SHIFT)) - 1);
}

/* The top-level entry covering @p, or NULL above the table. */
static inline uintptr_t **alba_user_reg_slot(uintptr_t p)
{
	size_t region = (size_t)(p >> ALBA_REG_REGION_SHIFT);

	if (sizeof(void *) == 8 && region >= ALBA_REG_REGIONS)
		return NULL;
	return &alba_user_reg_regions[region];
}

static inline bool alba_plat_header_test(const void *p)
{
	uintptr_t **slot = alba_user_reg_slot((uintptr_t)p);
	size_t page = alba_user_reg_page((uintptr_t)p);
	const uintptr_t *map = slot ? __atomic_load_n(slot, __ATOMIC_ACQUIRE) : NULL;

	return map && (__atomic_load_n(&map[page / ALBA_REG_WORD_BITS], __ATOMIC_ACQUIRE) >>
		       (page % ALBA_REG_WORD_BITS) & 1);
}

/* No tracepoints outside the kernel. */
#define alba_plat_trace_arena_create(arena, block_size, gfp, nid) \
	((void)(arena), (void)(block_size), (void)(gfp), (void)(nid))
#define alba_plat_trace_arena_destroy(arena, blocks) \
	((void)(arena), (void)(blocks))
#define alba_plat_trace_block_alloc(arena, base, shift, gfp) \
	((void)(arena), (void)(base), (void)(shift), (void)(gfp))
#define alba_plat_trace_block_free(arena, base, shift) \
	((void)(arena), (void)(base), (void)(shift))
#define alba_plat_trace_reset(arena, blocks)	((void)(arena), (void)(blocks))
#define alba_plat_trace_rewind(arena, blocks)	((void)(arena), (void)(blocks))
#define alba_plat_trace_alloc_fail(arena, size, align, gfp) \
	((void)(arena), (void)(size), (void)(align), (void)(gfp))

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

/* Implemented once for every OS, in user/lock.c and user/blocks.c. */
bool alba_user_fault_fires(void);
/* Tests and benchmarks: what the block source (source.c) did so far. */
struct alba_user_source {
	long maps, unmaps, discards;	/* regions made, retired; discards */
	long regions;			/* regions mapped now */
	size_t warm_bytes;		/* free blocks whose pages are in */
	size_t live_bytes, peak_bytes;	/* blocks handed out: now, peak */
	size_t cap_bytes;		/* how much may stay warm */
};
void alba_user_source_counts(struct alba_user_source *out);
/* Tests: block allocations left before alba_plat_fail_nth() fires (0: none). */
unsigned long alba_user_fail_pending(void);
/* Tests: fail every n-th block allocation from now on (0: stop). */
void alba_user_fail_every(unsigned long n);
/*
 * Tests: unmap the retired regions' ranges (split parts are only
 * forgotten), so that the next region comes from the OS.
 */
void alba_user_retired_unmap(void);
/* Tests: the block cache's limit unset, as in a new process. */
void alba_user_cache_unset(void);
/* Tests: a page alone in its mapping, nothing mapped at the boundary below. */
void *alba_user_lonely_page(size_t block_size);
void alba_user_lonely_page_free(void *p);

/* Implemented by each OS file in user/prim/. */
/* How blocks larger than a page are aligned, and how many were so far. */
const char *alba_user_block_method(long *os_aligned, long *self_aligned);
void *alba_os_block_alloc(unsigned int shift);
void alba_os_block_free(void *base, unsigned int shift);
/* The memory of [p, p + size) is not needed; the range stays usable. */
void alba_os_block_discard(void *p, size_t size);
/*
 * A region given back: its memory returned to the OS, the range kept
 * readable (not unmapped: alba_of() may read a header there at any
 * time) and reserved for a later region, which revive makes usable again
 * (false: it could not, the range stays retired).
 */
void alba_os_block_retire(void *base, unsigned int shift);
bool alba_os_block_revive(void *base, unsigned int shift);

#endif /* _ALBA_USER_PLAT_H */
