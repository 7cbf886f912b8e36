/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - every difference between the kernels alba builds against
 * (5.10 to 7.3, see scripts/kernels.conf), in one place. What a kernel has
 * is probed in its headers by kmod/Kbuild.compat (ALBA_HAVE_*); each shim
 * names the kernel that changed the API.
 * Where a newer kernel added a function, older kernels get it under the
 * same name, so that the code reads like code for the newest kernel.
 * The tests' differences are in kunit/kunit_compat.h, the benchmark's
 * in bench/kbench/kbench_compat.h.
 */
#ifndef _ALBA_COMPAT_H
#define _ALBA_COMPAT_H

#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/hrtimer.h>
#include <linux/kasan.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/slab.h>

/*
 * Scope-based cleanup (guard(alba_scope), scoped_guard(alba_scope) and
 * __free(alba), whose classes alba.h defines) came in 6.5 with
 * <linux/cleanup.h> (Debian's 6.1 has it too). Before, the same names
 * over the compiler's cleanup attribute, which every supported compiler
 * has, as 6.5 first had them.
 */
#ifdef ALBA_HAVE_CLEANUP_H
#include <linux/cleanup.h>
#else
#define __free(_name)	__attribute__((__cleanup__(__free_##_name)))
#define CLASS(_name, var)						\
	class_##_name##_t var __maybe_unused				\
	__attribute__((__cleanup__(class_##_name##_destructor))) =	\
		class_##_name##_constructor
#define guard(_name)	CLASS(_name, __UNIQUE_ID(guard))
#define scoped_guard(_name, args...)					\
	for (CLASS(_name, scope)(args), *done = NULL; !done; done = (void *)1)
#endif

/*
 * might_alloc() came in 5.11; before, its two checks written out
 * (fs_reclaim_acquire() is a no-op without lockdep).
 */
#include <linux/sched/mm.h>
#ifndef ALBA_HAVE_MIGHT_ALLOC
static inline void might_alloc(gfp_t gfp_mask)
{
	fs_reclaim_acquire(gfp_mask);
	fs_reclaim_release(gfp_mask);
	might_sleep_if(gfpflags_allow_blocking(gfp_mask));
}
#endif

/*
 * gfpflags_allow_spinning() came in 6.15, with alloc_pages_nolock(): may a
 * caller with this gfp take the page allocator's locks? One that may not
 * (hard IRQ, a raw spinlock held) says so with a gfp without
 * __GFP_RECLAIM, as kmalloc_nolock()'s callers do.
 */
#ifndef ALBA_HAVE_GFP_ALLOW_SPINNING
static inline bool gfpflags_allow_spinning(const gfp_t gfp_flags)
{
	return !!(gfp_flags & __GFP_RECLAIM);
}
#endif

/*
 * The bits of a caller's gfp that mean something for a block, as slab
 * keeps for its pages (mm/internal.h's GFP_RECLAIM_MASK and
 * GFP_CONSTRAINT_MASK, which modules cannot see) with __GFP_ACCOUNT, and
 * without __GFP_NOFAIL (alba cannot promise it for a block of order 3 and
 * up; the page allocator warns at such orders). Everything else goes:
 * zone modifiers (lowmem only: the core addresses blocks directly),
 * __GFP_MOVABLE (a block is never movable), __GFP_COMP (one page layout),
 * __GFP_ZERO (alba zeroes the object instead: alba_alloc()). __GFP_ATOMIC
 * marked atomic callers up to 6.2.
 */
#ifdef __GFP_ATOMIC
#define ALBA_GFP_ATOMIC_BIT	__GFP_ATOMIC
#else
#define ALBA_GFP_ATOMIC_BIT	0
#endif
#define ALBA_GFP_BLOCK	(__GFP_RECLAIM | __GFP_HIGH | __GFP_IO | __GFP_FS | \
			 __GFP_NOWARN | __GFP_RETRY_MAYFAIL | __GFP_NORETRY | \
			 __GFP_MEMALLOC | __GFP_NOMEMALLOC | __GFP_NOLOCKDEP | \
			 __GFP_HARDWALL | __GFP_THISNODE | __GFP_ACCOUNT | \
			 ALBA_GFP_ATOMIC_BIT)

/*
 * The largest order alloc_pages() gives. Up to 6.3, MAX_ORDER is one past
 * it; 6.4 made MAX_ORDER inclusive; 6.8 renamed it MAX_PAGE_ORDER. Every
 * version defines MAX_ORDER_NR_PAGES as the pages of that largest order.
 */
#define ALBA_MAX_PAGE_ORDER	ilog2(MAX_ORDER_NR_PAGES)

/* hrtimer_setup() came in 6.13; hrtimer_init() went away in 6.15. */
#ifndef ALBA_HAVE_HRTIMER_SETUP
static inline void hrtimer_setup(struct hrtimer *timer,
				 enum hrtimer_restart (*function)(struct hrtimer *),
				 clockid_t clock_id, enum hrtimer_mode mode)
{
	hrtimer_init(timer, clock_id, mode);
	timer->function = function;
}
#endif

/*
 * Memory allocation profiling came in 6.10: the page allocator's functions
 * became alloc_hooks() wrappers that charge their own line, over _noprof
 * ones that charge the task's current tag, which alloc_hooks_tag() sets.
 * Before, the functions under their old names, and no tags.
 */
#ifndef ALBA_HAVE_ALLOC_TAG_H
struct alloc_tag;
#define alloc_pages_node_noprof		alloc_pages_node
#define alloc_hooks(_do_alloc)		(_do_alloc)
#define alloc_hooks_tag(_tag, _do_alloc) ((void)(_tag), (_do_alloc))
#define alloc_tag_record(p)		((void)(p))
#endif

static inline struct alloc_tag *alba_current_alloc_tag(void)
{
#ifdef CONFIG_MEM_ALLOC_PROFILING
	return current->alloc_tag;
#else
	return NULL;
#endif
}

/*
 * set_active_memcg() for task context, the only one alba charges an owner
 * in. The kernel's reads int_active_memcg for interrupt context, which
 * 5.10 declares but does not export, so a module calling it fails to load
 * there; in task context it is this assignment on every kernel.
 */
static inline struct mem_cgroup *alba_set_task_memcg(struct mem_cgroup *memcg)
{
#ifdef CONFIG_MEMCG
	struct mem_cgroup *old = current->active_memcg;

	current->active_memcg = memcg;
	return old;
#else
	return NULL;
#endif
}

/*
 * alloc_pages_nolock(): a best-effort allocation from any context, even
 * where the page allocator's locks may not be taken (PREEMPT_RT with
 * interrupts off), of order 3 at most, and on PREEMPT_RT not in hard IRQ
 * or NMI (NULL there). It came in 6.15 as try_alloc_pages(), was renamed in
 * 6.16, and took a gfp_t (__GFP_ACCOUNT only) and became exported to
 * modules in 6.18. Before that, a module has nothing of the kind: NULL.
 */
static inline struct page *alba_alloc_pages_nolock(gfp_t gfp, int nid,
						   unsigned int order)
{
#ifdef ALBA_HAVE_ALLOC_PAGES_NOLOCK
	return alloc_pages_nolock_noprof(gfp & __GFP_ACCOUNT, nid, order);
#else
	return NULL;
#endif
}

/*
 * KASAN's shadow, for alba_plat_poison() and alba_plat_unpoison(). The
 * public API (<linux/kasan.h>) has no call that does what they need:
 * kasan_unpoison_range() (5.11 on) sets a range's last granule to the
 * range's own bytes, which would take access from the object that shares
 * that granule from above (cursor chunks fill downwards), and nothing
 * public poisons an arbitrary range. So, by kernel of the matrix:
 *
 *   5.10          kasan_poison_shadow(), built in and not exported: the
 *                 module cannot poison; a kernel built with alba in tree
 *                 (the KUnit graft) can.
 *   5.12 to 6.7   kasan_poison(addr, size, value, init), EXPORT_SYMBOL.
 *   6.8 and on    the same, EXPORT_SYMBOL_GPL (6.1, 6.12, 7.x: as 5.12).
 *
 * kasan_poison() is declared only in mm/kasan/kasan.h, so it is declared
 * here. The granule is the architecture's (KASAN_SHADOW_SCALE_SHIFT, in
 * <asm/kasan.h>; mm/kasan/kasan.h's KASAN_GRANULE_SIZE is the same).
 * Generic KASAN only: the tag-based modes tag pointers instead.
 */
#if defined(CONFIG_KASAN_GENERIC) && \
	(!defined(ALBA_HAVE_KASAN_UNPOISON_SHADOW) || !defined(MODULE))
#define ALBA_HAVE_KASAN	1
#define ALBA_KASAN_GRANULE	BIT(KASAN_SHADOW_SCALE_SHIFT)
#ifdef ALBA_HAVE_KASAN_UNPOISON_SHADOW
void kasan_poison_shadow(const void *address, size_t size, u8 value);
#define alba_kasan_poison(p, n, v)	kasan_poison_shadow(p, n, v)
#else
void kasan_poison(const void *addr, size_t size, u8 value, bool init);
#define alba_kasan_poison(p, n, v)	kasan_poison(p, n, v, false)
#endif
/* The shadow byte of one granule, read without instrumentation. */
static __no_sanitize_address inline s8 alba_kasan_shadow(const void *p)
{
	return *(s8 *)kasan_mem_to_shadow(p);
}
#else
#define ALBA_HAVE_KASAN	0
#define ALBA_KASAN_GRANULE	8UL
static inline void alba_kasan_poison(const void *p, size_t n, u8 value)
{
}

static inline s8 alba_kasan_shadow(const void *p)
{
	return 0;
}
#endif

/*
 * Test hooks are exported only to KUnit tests, in the namespace
 * EXPORTED_FOR_KUNIT_TESTING: EXPORT_SYMBOL_IF_KUNIT() came in 6.2 (and
 * 6.1.63); before, the same by hand. (The tests' import of the namespace
 * is in kunit/kunit_compat.h.)
 */
#ifdef ALBA_HAVE_KUNIT_VISIBILITY_H
#include <kunit/visibility.h>
#endif
#ifndef EXPORT_SYMBOL_IF_KUNIT
#if IS_ENABLED(CONFIG_KUNIT)
#define EXPORT_SYMBOL_IF_KUNIT(symbol) \
	EXPORT_SYMBOL_NS(symbol, EXPORTED_FOR_KUNIT_TESTING)
#else
#define EXPORT_SYMBOL_IF_KUNIT(symbol)	__ADDRESSABLE(symbol)
#endif
#endif

/*
 * Tracepoints print gfp flags by name with show_gfp_flags(). sparse cannot
 * read that on every kernel: 5.10's table casts gfp_t without __force,
 * and 7.x's table, stringified by TP_printk() into the event's format,
 * outgrows sparse's 8 KiB token buffer ("too long token expansion"). The
 * names matter only to the format string, so for sparse they are left out;
 * everything else in the events is still checked.
 */
#ifdef __CHECKER__
#define alba_gfp_names(flags)	((void)(flags), "-")
#else
#define alba_gfp_names(flags)	show_gfp_flags(flags)
#endif

/* kzalloc_obj() came in 7.0: older kernels get it, with an explicit gfp. */
#ifndef kzalloc_obj
#define kzalloc_obj(obj, gfp)	kzalloc(sizeof(obj), gfp)
#endif

#endif /* _ALBA_COMPAT_H */
