/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * alba_plat.h - the one seam between the portable core and a platform.
 *
 * The core (the .c files of core/) is compiled unchanged in the kernel and
 * in userspace. It calls only what this file promises; each platform
 * supplies it:
 *
 *   ALBA_PLAT_PAGE_SHIFT	log2 of the smallest block size
 *   ALBA_PLAT_MAX_SHIFT	log2 of the largest block size
 *
 *   alba_plat_block_alloc(arena, shift, gfp, nid)
 *	Return a block of 1 << shift bytes whose address is a multiple of
 *	1 << shift, from NUMA node nid (NUMA_NO_NODE: any), or NULL. Never a
 *	smaller block. May sleep if gfp allows; never called with an arena
 *	lock held. PAGE_SHIFT <= shift <= MAX_SHIFT. Callable in any context
 *	the caller's gfp allows; where the page allocator may not be called
 *	(PREEMPT_RT, hard IRQ or interrupts off), it fails unless the kernel
 *	has a lock-free allocator. arena is the arena the block is for, NULL
 *	for the first block, which alba_create() takes before the arena
 *	exists (the kernel charges blocks to the arena's creator in memory
 *	allocation profiling).
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
 *	0: none). A test hook. The kernel's goes through its fault-injection
 *	framework and exists where the kernel has one; userspace's costs a
 *	load on the block path.
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
 *   alba_plat_read_racy(dst, src, n)
 *	Copy the n bytes (a multiple of the word size, word-aligned) of a
 *	header the registry vouched for, which another thread may free
 *	meanwhile: the copy must not fault and is a race on purpose (no
 *	sanitizer report). False if the memory could not be read (in the
 *	kernel a freed page may leave the direct map); in userspace memory
 *	that ever held a header stays readable.
 *
 *   alba_plat_lock_t, ALBA_PLAT_DEFINE_LOCK(name)
 *   alba_plat_lock_init(lock), alba_plat_lock(lock, flags),
 *   alba_plat_trylock(lock, flags), alba_plat_unlock(lock, flags)
 *	A spinlock; in the kernel a raw spinlock taken with interrupts saved
 *	into the unsigned long @flags. trylock is true if it took the lock
 *	(and leaves interrupts as they were if not). ALBA_PLAT_DEFINE_LOCK()
 *	defines one ready to take (after "static").
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
 *   alba_plat_trace_arena_destroy(arena, blocks),
 *   alba_plat_trace_block_alloc(arena, base, shift, gfp),
 *   alba_plat_trace_block_free(arena, base, shift),
 *   alba_plat_trace_reset(arena, blocks),
 *   alba_plat_trace_rewind(arena, blocks),
 *   alba_plat_trace_alloc_fail(arena, size, align, gfp)
 *	Events for tracing; nothing outside the kernel.
 *
 *   likely(), unlikely(), memset(), memcpy(), strlen(), strnlen(),
 *   vsnprintf(), va_copy(), SIZE_MAX, NUMA_NO_NODE, WARN_ON_ONCE(),
 *   READ_ONCE(), WRITE_ONCE()
 *
 * The platform side may assume the core never passes invalid arguments to
 * these functions; the core checks every caller's argument first.
 */
#ifndef _ALBA_PLAT_H
#define _ALBA_PLAT_H

#include "alba.h"

/*
 * The platform's half of the seam: its types, inline helpers and macros.
 * Each platform has a plat.h, found through the include path: kmod/plat.h
 * in the kernel (-Ikmod), user/plat.h in userspace (-Iuser).
 */
#include "plat.h"

void *alba_plat_block_alloc(struct alba *arena, unsigned int shift, gfp_t gfp,
			    int nid);
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
 * alba_plat_arena_removed(). alba_core_fork() and alba_core_holders_fork()
 * (the lock of the list of cursors holding chunks) are for platforms that
 * define ALBA_PLAT_FORK. alba_core_chunkable(), alba_core_refill(),
 * alba_core_cursor_refill(), alba_core_cursor_fini(), alba_core_block_get()
 * and alba_core_block_put() serve per-CPU cursors (alba_pcpu_*), which
 * each platform implements: see core/alba_cursor.c.
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

/*
 * alba_core_validate(): alba_validate() one batch at a time (see
 * alba_stats.c); tests drive it to change the arena between batches.
 */
#define ALBA_VALIDATE_BATCH	256
struct alba_check {
	const void *next;	/* the block being walked or next, or NULL */
	size_t pos, end;	/* in the block: where the walk is, its top */
	size_t used, pad, pad_want;
	unsigned long unlinks;
	unsigned int errors;
	unsigned int restarts;	/* walks started again by a reset or rewind */
	bool started;
	bool in_block;
};

const char *alba_core_name(const struct alba *arena);
int alba_core_nid(const struct alba *arena);
struct alba_plat_arena *alba_core_plat(struct alba *arena);
size_t alba_core_blocks(struct alba *arena, struct alba_block_info *info,
			size_t max, struct alba_walk *walk);
bool alba_core_validate(struct alba *arena, struct alba_check *c,
			size_t budget);
void *alba_core_alloc(struct alba *arena, size_t size, size_t align,
		      gfp_t gfp, unsigned long ip);
bool alba_core_retire(struct alba *arena, unsigned long ip);
void alba_core_free(struct alba *arena);
#ifdef ALBA_PLAT_FORK
void alba_core_fork(struct alba *arena, int phase);
void alba_core_holders_fork(int phase);

/*
 * Around fork(): @lock taken (@phase 0, before), released in the parent
 * (1), made anew in the child (2), where no other thread survives.
 */
static inline void alba_fork_lock(alba_plat_lock_t *lock, int phase)
{
	unsigned long flags = 0;

	if (phase == 0)
		alba_plat_lock(lock, flags);
	else if (phase == 1)
		alba_plat_unlock(lock, flags);
	else
		alba_plat_lock_init(lock);
}
#endif

bool alba_core_chunkable(const struct alba_cursor *cur, size_t size,
			 size_t align);
void *alba_core_refill(struct alba_cursor *cur, size_t size, size_t align,
		       gfp_t gfp, void **spare);
void alba_core_cursor_fini(struct alba_cursor *cur);
void *alba_core_cursor_refill(struct alba_cursor *cur, size_t size,
			      size_t align, gfp_t gfp, unsigned long ip);
void *alba_core_block_get(struct alba *arena, gfp_t gfp);
void alba_core_block_put(struct alba *arena, void *blk);

#endif /* _ALBA_PLAT_H */
