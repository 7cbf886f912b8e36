/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - what differs between the kernels alba builds against.
 */
#ifndef _ALBA_COMPAT_H
#define _ALBA_COMPAT_H

#include <linux/mmzone.h>
#include <linux/version.h>

/*
 * The largest order alloc_pages() gives. Up to 6.3, MAX_ORDER is one past
 * it; 6.4 made MAX_ORDER inclusive; 6.8 renamed it MAX_PAGE_ORDER.
 */
#if defined(MAX_PAGE_ORDER)
#define ALBA_MAX_PAGE_ORDER	MAX_PAGE_ORDER
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define ALBA_MAX_PAGE_ORDER	MAX_ORDER
#else
#define ALBA_MAX_PAGE_ORDER	(MAX_ORDER - 1)
#endif

#endif /* _ALBA_COMPAT_H */
