/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * alba_plat.h - the one seam between the portable core and a platform.
 *
 * kmod/alba.c is compiled unchanged in the kernel and in userspace. It
 * calls only what this file promises; each platform supplies it:
 *
 *   ALBA_PLAT_PAGE_SHIFT	log2 of the smallest block size
 *   ALBA_PLAT_MAX_SHIFT	log2 of the largest block size
 *
 *   alba_plat_block_alloc(shift, gfp, nid)
 *	Return a block of 1 << shift bytes whose address is a multiple of
 *	1 << shift, from NUMA node nid (NUMA_NO_NODE: any), or NULL. Never a
 *	smaller block. May sleep if gfp allows; never called with an arena
 *	lock held. PAGE_SHIFT <= shift <= MAX_SHIFT. Callable in any context
 *	the caller's gfp allows; where the page allocator may not be called
 *	(PREEMPT_RT, hard IRQ or interrupts off), it fails unless the kernel
 *	has a lock-free allocator.
 *   alba_plat_block_free(base, shift)
 *	Give back a block from alba_plat_block_alloc(). Never called with an
 *	arena lock held. Callable in any context; where the page allocator
 *	may not be called, the block is freed later from a workqueue.
 *   alba_plat_node_ok(nid)
 *	Is nid a node blocks can come from (or NUMA_NO_NODE)?
 *   alba_plat_live_blocks()
 *	Blocks allocated and not yet freed, over all arenas (for tests).
 *   alba_plat_fail_nth(n)
 *	Make the n-th block allocation from now fail (1: the next one;
 *	0: none). A test hook; costs one atomic read on the block path.
 *   alba_plat_unique_id()
 *	A number never returned before in this kernel or process (one per
 *	arena: it names the arena in its marks). Any context.
 *
 *   alba_plat_header_set(p), alba_plat_header_clear(p),
 *   alba_plat_header_test(p)
 *	Record that a live alba block header lies at p (a multiple of the
 *	page size inside a block), forget it, and ask, for any pointer value
 *	p, without reading p and without faulting. alba_of() asks before it
 *	reads a header.
 *
 *   alba_plat_lock_t
 *   alba_plat_lock_init(lock), alba_plat_lock(lock, flags),
 *   alba_plat_trylock(lock, flags), alba_plat_unlock(lock, flags)
 *	A spinlock; in the kernel a raw spinlock taken with interrupts saved
 *	into the unsigned long @flags. trylock is true if it took the lock
 *	(and leaves interrupts as they were if not).
 *
 *   alba_plat_caller()
 *	In an entry point: the address it was called from (kernel), or 0.
 *   alba_plat_invalid_at(ip, fmt, ...), alba_plat_invalid(fmt, ...)
 *	A caller broke the contract: the kernel warns once per calling site
 *	(ip; the second form, in an entry point, its own caller), userspace
 *	sets errno to EINVAL.
 *   alba_plat_nomem(gfp)
 *	No memory: userspace sets errno to ENOMEM; the kernel stays quiet
 *	(the page allocator has already spoken unless __GFP_NOWARN).
 *   alba_plat_busy_at(ip, fmt, ...)
 *	A call that needs a quiet arena found cursors holding chunks, or a
 *	destroy begun: warns once per site / sets errno to EBUSY.
 *   alba_plat_gfp_zero(gfp)
 *	Does the caller ask for zeroed memory (__GFP_ZERO)? 0 in userspace.
 *   alba_plat_might_alloc(gfp)
 *	At every entry point that may allocate: the kernel's might_alloc()
 *	(lockdep's reclaim and sleep checks for @gfp, on every call and not
 *	only on the rare one that needs a block); nothing in userspace.
 *
 *   struct alba_plat_arena
 *	What the platform keeps in each arena (alba_core_plat() finds it).
 *   alba_plat_arena_added(arena, gfp), alba_plat_arena_removed(arena)
 *	Tell the platform an arena appeared or is about to go (debugfs).
 *
 *   alba_plat_poison(p, n), alba_plat_unpoison(p, n)
 *	Mark memory as not to be touched, or as usable again (sanitizers).
 *
 *   alba_plat_trace_arena_create(arena, block_size, gfp, nid),
 *   alba_plat_trace_arena_destroy(arena),
 *   alba_plat_trace_block_alloc(arena, base, shift, gfp),
 *   alba_plat_trace_block_free(arena, base, shift),
 *   alba_plat_trace_reset(arena), alba_plat_trace_rewind(arena),
 *   alba_plat_trace_alloc_fail(arena, size, align, gfp)
 *	Events for tracing; nothing outside the kernel.
 *
 *   likely(), unlikely(), memset(), memcpy(), strlen(), strnlen(),
 *   vsnprintf(), va_copy(), SIZE_MAX, NUMA_NO_NODE, WARN_ON_ONCE()
 *
 * The platform side may assume the core never passes invalid arguments to
 * these functions; the core checks every caller's argument first.
 */
#ifndef _ALBA_PLAT_H
#define _ALBA_PLAT_H

#include "alba.h"

#ifdef __KERNEL__

#include <linux/bug.h>
#include <linux/export.h>
#include <linux/compiler.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/nodemask.h>
#include <linux/printk.h>
#include <linux/rcupdate.h>
#include <linux/workqueue.h>
#include "compat.h"

#ifdef CONFIG_ALBA_DEBUG
#define ALBA_DEBUG		1
#endif

#define ALBA_PLAT_PAGE_SHIFT	PAGE_SHIFT
#define ALBA_PLAT_MAX_SHIFT	(PAGE_SHIFT + ALBA_MAX_PAGE_ORDER)

/*
 * A raw spinlock: on PREEMPT_RT a spinlock_t sleeps, and an arena must
 * serve hard-IRQ context and callers with interrupts off there too. What
 * it guards is a few instructions, or a few more for reset and rewind;
 * nothing sleeps, allocates, frees or prints under it.
 */
#define alba_plat_lock_t		raw_spinlock_t

#define alba_plat_lock_init(lock)	raw_spin_lock_init(lock)
#define alba_plat_lock(lock, flags)	raw_spin_lock_irqsave(lock, flags)
#define alba_plat_trylock(lock, flags)	raw_spin_trylock_irqsave(lock, flags)
#define alba_plat_unlock(lock, flags)	raw_spin_unlock_irqrestore(lock, flags)

/*
 * A broken contract is the caller's bug, not alba's: say so once per
 * calling site (alba_kernel_first_report()), naming it, and without a WARN
 * splat (which would taint the kernel and fail every test run that checks
 * bad input on purpose). Entry points take their caller's address with
 * alba_plat_caller() and hand it down to the helper that reports.
 */
bool alba_kernel_first_report(unsigned long ip);
#define alba_plat_caller()	_RET_IP_
#define alba_plat_report_at(ip, what, fmt, ...) \
	do { \
		unsigned long __alba_ip = (ip); \
		if (alba_kernel_first_report(__alba_ip)) \
			pr_warn("alba: " what " (from %pS): " fmt "\n", \
				(void *)__alba_ip, ##__VA_ARGS__); \
	} while (0)
#define alba_plat_invalid_at(ip, fmt, ...) \
	alba_plat_report_at(ip, "invalid argument", fmt, ##__VA_ARGS__)
#define alba_plat_busy_at(ip, fmt, ...) \
	alba_plat_report_at(ip, "busy", fmt, ##__VA_ARGS__)
#define alba_plat_invalid(fmt, ...) \
	alba_plat_invalid_at(alba_plat_caller(), fmt, ##__VA_ARGS__)
#define alba_plat_might_alloc(gfp)	might_alloc(gfp)
#define alba_plat_gfp_zero(gfp)		((gfp) & __GFP_ZERO)
/* Requests no block could hold never reach the page allocator. */
#define alba_plat_nomem(gfp) \
	do { \
		if (!((gfp) & __GFP_NOWARN)) \
			pr_warn_ratelimited("alba: out of memory\n"); \
	} while (0)

/*
 * KASAN (generic) sees objects as ASan does in userspace: free space in
 * blocks is poisoned, each object unpoisoned exactly (its last granule
 * partly, when its size is not a multiple of 8), and reset, rewind and
 * destroy poison again. A granule shared with the object before the range
 * keeps that object's bytes. kmod/compat.h says which kernels let a module
 * do this (alba_kasan_poison()); elsewhere these do nothing.
 */
#define ALBA_KASAN_POISON	0xFE	/* KASAN_PAGE_REDZONE: "out-of-bounds" */

static inline void alba_plat_poison(const void *p, size_t n)
{
	uintptr_t s = (uintptr_t)p, e = s + n, g = s & ~(uintptr_t)7;

	if (!ALBA_HAVE_KASAN || !n)
		return;
	if (s & 7) {
		if (g + 8 > e)
			return;
		alba_kasan_poison((void *)g, 8, s & 7);
		s = g + 8;
	}
	e &= ~(uintptr_t)7;
	if (e > s)
		alba_kasan_poison((void *)s, e - s, ALBA_KASAN_POISON);
}

/*
 * A last granule shared with bytes after the range keeps their access:
 * its shadow only ever grows (0, "all of it", is the most).
 */
static inline void alba_plat_unpoison(const void *p, size_t n)
{
	uintptr_t s = (uintptr_t)p & ~(uintptr_t)7, e = (uintptr_t)p + n;
	uintptr_t whole = e & ~(uintptr_t)7;
	s8 shadow;

	if (!ALBA_HAVE_KASAN || !n)
		return;
	if (whole > s)
		alba_kasan_poison((void *)s, whole - s, 0);
	if (e & 7) {
		shadow = alba_kasan_shadow((void *)whole);
		if (shadow && (shadow < 0 || shadow < (s8)(e & 7)))
			alba_kasan_poison((void *)whole, 8, e & 7);
	}
}

static inline bool alba_plat_node_ok(int nid)
{
	return nid == NUMA_NO_NODE ||
	       (nid >= 0 && nid < MAX_NUMNODES && node_state(nid, N_MEMORY));
}

/* What the kernel keeps in an arena: its debugfs view, and RCU release. */
struct alba_plat_arena {
	struct alba *arena;
	struct alba_debugfs *dfs;
	struct rcu_work rwork;
};

/* Tests: wait until every alba_destroy_rcu() so far has released. */
void alba_kernel_barrier(void);

void alba_plat_arena_added(struct alba *arena, gfp_t gfp);
void alba_plat_arena_removed(struct alba *arena);
void alba_plat_header_set(void *p);
void alba_plat_header_clear(void *p);
bool alba_plat_header_test(const void *p);

void alba_plat_trace_arena_create(struct alba *arena, size_t block_size,
				  gfp_t gfp, int nid);
void alba_plat_trace_arena_destroy(struct alba *arena);
void alba_plat_trace_block_alloc(struct alba *arena, const void *base,
				 unsigned int shift, gfp_t gfp);
void alba_plat_trace_block_free(struct alba *arena, const void *base,
				unsigned int shift);
void alba_plat_trace_reset(struct alba *arena);
void alba_plat_trace_rewind(struct alba *arena);
void alba_plat_trace_alloc_fail(struct alba *arena, size_t size, size_t align,
				gfp_t gfp);

#else /* !__KERNEL__ */

#include "alba_user.h"

#endif /* __KERNEL__ */

void *alba_plat_block_alloc(unsigned int shift, gfp_t gfp, int nid);
void alba_plat_block_free(void *base, unsigned int shift);
long alba_plat_live_blocks(void);
void alba_plat_fail_nth(unsigned long n);
unsigned long long alba_plat_unique_id(void);

/*
 * The other direction: what the core offers a platform. alba_core_blocks()
 * copies the figures of up to @max blocks, newest first, from where @walk
 * (zeroed to start) left off, holding the arena lock for that batch only,
 * and returns how many it copied; each entry's stats hold that block's
 * bytes. If the arena released blocks between two batches, the walk ends
 * and says so in @walk->changed. alba_core_free() frees every block of an
 * arena (the arena itself goes with the first); alba_destroy() is it after
 * alba_plat_arena_removed(). alba_core_fork() is for platforms that define
 * ALBA_PLAT_FORK. alba_core_chunkable(), alba_core_refill(),
 * alba_core_block_get() and alba_core_block_put() serve per-CPU cursors
 * (alba_pcpu_*), which each platform implements: see kmod/alba.c.
 */
struct alba_block_info {
	const void *base;
	unsigned int shift;
	bool is_current;
	struct alba_stats stats;
};

struct alba_walk {
	const void *next;
	unsigned long unlinks;
	bool started;
	bool changed;
};

const char *alba_core_name(const struct alba *arena);
int alba_core_nid(const struct alba *arena);
struct alba_plat_arena *alba_core_plat(struct alba *arena);
size_t alba_core_blocks(struct alba *arena, struct alba_block_info *info,
			size_t max, struct alba_walk *walk);
void *alba_core_alloc(struct alba *arena, size_t size, size_t align,
		      gfp_t gfp, unsigned long ip);
bool alba_core_retire(struct alba *arena, unsigned long ip);
void alba_core_free(struct alba *arena);
void alba_core_fork(struct alba *arena, int phase);
bool alba_core_chunkable(const struct alba_cursor *cur, size_t size,
			 size_t align);
void *alba_core_refill(struct alba_cursor *cur, size_t size, size_t align,
		       void **spare);
void *alba_core_block_get(struct alba *arena, gfp_t gfp);
void alba_core_block_put(struct alba *arena, void *blk);

#endif /* _ALBA_PLAT_H */
