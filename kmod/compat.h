/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - every difference between the kernels alba builds against
 * (5.10 to 7.3, see scripts/kernels.conf), in one place. What a kernel has
 * is probed in its headers by kmod/Kbuild.compat (ALBA_HAVE_*) or here
 * with __has_include(); each shim names the kernel that changed the API.
 * Where a newer kernel added a function, older kernels get it under the
 * same name, so that the code reads like code for the newest kernel.
 * KUnit's own differences are in kunit/kunit_compat.h.
 */
#ifndef _ALBA_COMPAT_H
#define _ALBA_COMPAT_H

#include <linux/gfp.h>
#include <linux/hrtimer.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mmzone.h>

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
 * page_frag (kbench's peer). 6.13 moved it to <linux/page_frag_cache.h>
 * and hid struct page_frag_cache's fields; page_frag_cache_drain() came in
 * 6.9. page_frag_alloc_align() came in 5.12, taking an alignment mask up to
 * 6.8 and the alignment itself since 6.9. alba_page_frag_alloc() takes
 * the alignment (a power of two) on all of them; before 5.12 nothing is
 * aligned, so there the size is rounded up instead (fragments are carved
 * downwards from the end of a page, so that keeps every one aligned).
 */
#if __has_include(<linux/page_frag_cache.h>)
#include <linux/page_frag_cache.h>
#endif

#ifndef ALBA_HAVE_PAGE_FRAG_CACHE_DRAIN
static inline void page_frag_cache_drain(struct page_frag_cache *nc)
{
	if (nc->va)
		__page_frag_cache_drain(virt_to_head_page(nc->va),
					nc->pagecnt_bias);
}
#endif

static inline void *alba_page_frag_alloc(struct page_frag_cache *nc,
					 unsigned int size, gfp_t gfp,
					 unsigned int align)
{
#if defined(ALBA_HAVE_PAGE_FRAG_ALIGN_VALUE)
	return page_frag_alloc_align(nc, size, gfp, align);
#elif defined(ALBA_HAVE_PAGE_FRAG_ALLOC_ALIGN)
	return page_frag_alloc_align(nc, size, gfp, -align);
#else
	return page_frag_alloc(nc, ALIGN(size, align), gfp);
#endif
}

/*
 * alloc_pages_nolock(): a best-effort allocation from any context, even
 * where the page allocator's locks may not be taken (PREEMPT_RT with
 * interrupts off). It came in 6.15 as try_alloc_pages(), was renamed in
 * 6.16, and took a gfp_t (__GFP_ACCOUNT only) and became exported to
 * modules in 6.18. Before that, a module has nothing of the kind: NULL.
 */
static inline struct page *alba_alloc_pages_nolock(gfp_t gfp, int nid,
						   unsigned int order)
{
#ifdef ALBA_HAVE_ALLOC_PAGES_NOLOCK
	return alloc_pages_nolock(gfp & __GFP_ACCOUNT, nid, order);
#else
	return NULL;
#endif
}

#endif /* _ALBA_COMPAT_H */
