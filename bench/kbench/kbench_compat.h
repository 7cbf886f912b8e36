/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kbench_compat.h - what the kernel benchmark needs of its peer across the
 * kernels of the matrix (the module's own differences are in
 * kmod/compat.h; ALBA_HAVE_* come from kmod/Kbuild.compat).
 */
#ifndef _ALBA_KBENCH_COMPAT_H
#define _ALBA_KBENCH_COMPAT_H

#include <linux/gfp.h>
#include <linux/mm.h>

/*
 * page_frag (kbench's peer). 6.13 moved it to <linux/page_frag_cache.h>
 * and hid struct page_frag_cache's fields; page_frag_cache_drain() came in
 * 6.9. page_frag_alloc_align() came in 5.12, taking an alignment mask up to
 * 6.8 and the alignment itself since 6.9. alba_page_frag_alloc() takes
 * the alignment (a power of two) on all of them; before 5.12 nothing is
 * aligned, so there the size is rounded up instead (fragments are carved
 * downwards from the end of a page, so that keeps every one aligned).
 */
#ifdef ALBA_HAVE_PAGE_FRAG_CACHE_H
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

#endif /* _ALBA_KBENCH_COMPAT_H */
