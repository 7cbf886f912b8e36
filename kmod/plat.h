/* SPDX-License-Identifier: GPL-2.0 */
/*
 * plat.h - the kernel's half of the seam (core/alba_plat.h is the
 * contract): the lock is a raw spinlock taken with interrupts saved,
 * reports are ratelimited pr_warn()s naming the caller, poisoning is
 * KASAN's, and the functions alba_kernel.c implements. Included by
 * core/alba_plat.h, which the module's files include.
 */
#ifndef _ALBA_KMOD_PLAT_H
#define _ALBA_KMOD_PLAT_H

#include <linux/bug.h>
#include <linux/export.h>
#include <linux/compiler.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/nodemask.h>
#include <linux/printk.h>
#include <linux/rcupdate.h>
#include <linux/workqueue.h>
#include "alba.h"
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

#define ALBA_PLAT_DEFINE_LOCK(name)	DEFINE_RAW_SPINLOCK(name)
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
 * partly, when its size is not a multiple of the granule), and reset,
 * rewind and
 * destroy poison again. A granule shared with the object before the range
 * keeps that object's bytes. kmod/compat.h says which kernels let a module
 * do this (alba_kasan_poison()); elsewhere these do nothing.
 */
#define ALBA_KASAN_POISON	0xFE	/* KASAN_PAGE_REDZONE: "out-of-bounds" */

static inline void alba_plat_poison(const void *p, size_t n)
{
	const uintptr_t gm = ALBA_KASAN_GRANULE - 1;
	uintptr_t s = (uintptr_t)p, e = s + n, g = s & ~gm;

	if (!ALBA_HAVE_KASAN || !n)
		return;
	if (s & gm) {
		if (g + ALBA_KASAN_GRANULE > e)
			return;
		alba_kasan_poison((void *)g, ALBA_KASAN_GRANULE, s & gm);
		s = g + ALBA_KASAN_GRANULE;
	}
	e &= ~gm;
	if (e > s)
		alba_kasan_poison((void *)s, e - s, ALBA_KASAN_POISON);
}

/*
 * A last granule shared with bytes after the range keeps their access:
 * its shadow only ever grows (0, "all of it", is the most).
 */
static inline void alba_plat_unpoison(const void *p, size_t n)
{
	const uintptr_t gm = ALBA_KASAN_GRANULE - 1;
	uintptr_t s = (uintptr_t)p & ~gm, e = (uintptr_t)p + n;
	uintptr_t whole = e & ~gm;
	s8 shadow;

	if (!ALBA_HAVE_KASAN || !n)
		return;
	if (whole > s)
		alba_kasan_poison((void *)s, whole - s, 0);
	if (e & gm) {
		shadow = alba_kasan_shadow((void *)whole);
		if (shadow && (shadow < 0 || shadow < (s8)(e & gm)))
			alba_kasan_poison((void *)whole, ALBA_KASAN_GRANULE, e & gm);
	}
}

static inline bool alba_plat_node_ok(int nid)
{
	return nid == NUMA_NO_NODE ||
	       (nid >= 0 && nid < MAX_NUMNODES && node_state(nid, N_MEMORY));
}

/*
 * What the kernel keeps in an arena: its debugfs view, RCU release, and
 * what it knows of its creator: the memory cgroup its accounted blocks
 * are charged to, and the allocation profiling tag of the creating line.
 */
struct alba_plat_arena {
	struct alba *arena;
	struct alba_debugfs *dfs;
	struct rcu_work rwork;
	struct mem_cgroup *memcg;
	struct alloc_tag *tag;
};

void alba_plat_arena_added(struct alba *arena, gfp_t gfp);
void alba_plat_arena_removed(struct alba *arena);
void alba_plat_header_set(void *p);
void alba_plat_header_clear(void *p);
bool alba_plat_header_test(const void *p);

/*
 * A header alba_plat_header_test() vouched for, which another CPU may be
 * freeing, read out of KASAN's and KCSAN's view. Once freed, its page may
 * leave the direct map where the architecture can unmap it (memfd_secret()
 * takes pages out) or debug_pagealloc unmaps freed pages: there the copy
 * is one that fails instead of faulting. (KMSAN would see the copy; no
 * kernel of the matrix has it.) Elsewhere (UML) the direct map stays.
 */
static inline bool alba_plat_read_racy(void *dst, const void *src, size_t n)
{
	const unsigned long *s = src;
	unsigned long *d = dst;
	size_t i;

	if (IS_ENABLED(CONFIG_ARCH_HAS_SET_DIRECT_MAP) ||
	    IS_ENABLED(CONFIG_DEBUG_PAGEALLOC))
		return !copy_from_kernel_nofault(dst, src, n);
	for (i = 0; i < n / sizeof(*d); i++)
		d[i] = READ_ONCE_NOCHECK(s[i]);
	return true;
}

void alba_plat_trace_arena_create(struct alba *arena, size_t block_size,
				  gfp_t gfp, int nid);
void alba_plat_trace_arena_destroy(struct alba *arena, size_t blocks);
void alba_plat_trace_block_alloc(struct alba *arena, const void *base,
				 unsigned int shift, gfp_t gfp);
void alba_plat_trace_block_free(struct alba *arena, const void *base,
				unsigned int shift);
void alba_plat_trace_reset(struct alba *arena, size_t blocks);
void alba_plat_trace_rewind(struct alba *arena, size_t blocks);
void alba_plat_trace_alloc_fail(struct alba *arena, size_t size, size_t align,
				gfp_t gfp);

#endif /* _ALBA_KMOD_PLAT_H */
