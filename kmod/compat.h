/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - what differs between the kernels alba builds against.
 */
#ifndef _ALBA_COMPAT_H
#define _ALBA_COMPAT_H

#include <linux/log2.h>
#include <linux/mmzone.h>

/*
 * The largest order alloc_pages() gives. Up to 6.3, MAX_ORDER is one past
 * it; 6.4 made MAX_ORDER inclusive; 6.8 renamed it MAX_PAGE_ORDER. Every
 * version defines MAX_ORDER_NR_PAGES as the pages of that largest order.
 */
#define ALBA_MAX_PAGE_ORDER	ilog2(MAX_ORDER_NR_PAGES)

#endif /* _ALBA_COMPAT_H */
