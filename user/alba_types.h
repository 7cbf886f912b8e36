/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * alba_types.h - the kernel types alba.h uses, for userspace. Installed
 * next to alba.h. Userspace callers pass 0 where alba.h takes a gfp_t.
 */
#ifndef _ALBA_TYPES_H
#define _ALBA_TYPES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef unsigned int gfp_t;

/* "No particular node", as in the kernel: see alba_create_node(). */
#ifndef NUMA_NO_NODE
#define NUMA_NO_NODE	(-1)
#endif

#ifdef _WIN32
#define ALBA_PRINTF(f, a)	__attribute__((format(gnu_printf, f, a)))
#else
#define ALBA_PRINTF(f, a)	__attribute__((format(printf, f, a)))
#endif

#endif /* _ALBA_TYPES_H */
