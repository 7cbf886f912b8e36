/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * alba_types.h - the kernel types alba.h uses, for userspace. Installed
 * next to alba.h. Userspace callers pass 0 where alba.h takes a gfp_t.
 */
#ifndef _ALBA_TYPES_H
#define _ALBA_TYPES_H

#include <stddef.h>
#include <stdint.h>

typedef unsigned int gfp_t;

#endif /* _ALBA_TYPES_H */
