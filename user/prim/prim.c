// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * prim.c - the userspace platform, built as one unit: the one OS file
 * this system needs (posix.c or windows.c: OS calls only), then what
 * every OS shares, a file a job:
 *
 *   ../lock.c     the lock's slow path
 *   ../source.c   where blocks come from: regions, the cache and its policy
 *   ../blocks.c   blocks: the header registry, fork, fault hooks
 *   ../pcpu.c     per-thread sets (alba_pcpu_*)
 *
 * The OS file may assume 12 <= shift <= 30 and must return a block aligned
 * to 1 << shift, or NULL. One unit, so that the OS calls stay static
 * inline where the shared files use them.
 */
#include <stdarg.h>
#include <stdlib.h>

#include "alba_plat.h"

#if defined(_WIN32)
#include "windows.c"
#else
#include "posix.c"
#endif

#include "../lock.c"
#include "../source.c"
#include "../blocks.c"
#include "../pcpu.c"
