// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * alba.c - aligned block arena: the portable core.
 *
 * An arena hands out memory from blocks whose size is a power of two and
 * whose address is a multiple of that size. In the kernel a block is
 * alloc_pages() of the matching order; in userspace it is trimmed mmap() or
 * VirtualAlloc2(). Everything below follows from that one property.
 *
 * Bumping. The current block's free space is one run, [top, low). Locked
 * allocations bump upwards from top: an object of alignment A goes at the
 * next multiple of A; because the block base is a multiple of the block
 * size (and so of every smaller power of two), an aligned offset is an
 * aligned address, and the padding is exactly what the alignment needs from
 * the current position, never more. Cursor chunks are carved downwards from
 * low (see Cursors). Objects that do not fit a fresh block get a dedicated
 * block of the smallest sufficient power-of-two size, and the current block
 * stays current.
 *
 * Finding the arena. Every block starts with a header naming its arena and
 * carrying a check value derived from the arena and the header's own
 * address. Masking any object pointer (minus one, see below) with
 * ~(block_size - 1) lands on that header: alba_of() is O(1), lock-free and
 * does not search. Before it reads there, it asks the platform whether that
 * address is a live alba header (the kernel marks the header's page, the
 * userspace platform keeps a lock-free bitmap of live headers), so a
 * foreign pointer is refused without touching memory that is not alba's.
 * The "minus one" matters only for objects aligned to the block size or
 * more: such an object starts on a block-size boundary, so the header that
 * covers it must sit just below it; those dedicated blocks carry a copy of
 * the header there. For every other object, masking the pointer or the
 * pointer minus one gives the same header.
 *
 * Locking. One spinlock per arena (a raw spinlock in the kernel), taken
 * with interrupts saved, guards the bump position and the block list; the
 * critical section of an allocation is a handful of instructions, and no
 * critical section walks the blocks except a rewind (over the blocks it
 * releases); alba_validate() walks them a batch at a time. The page allocator is never called with
 * the lock held: the slow path drops the lock, allocates a block, retakes
 * the lock and checks again, because another CPU may have installed a
 * fresh block meanwhile; the loser of that race is freed after unlocking.
 * Blocks released by reset, rewind or destroy are unlinked under the lock
 * and freed after it. Nothing prints under the lock.
 *
 * Cursors (alba_cursor.c) take a chunk of the current block under the
 * lock and bump inside it with none.
 *
 * Accounting, in O(1). The arena keeps running totals of its blocks'
 * figures (blocks, bytes, headers) and of the padding and tail of every
 * block but the current one, settled when a block stops being current;
 * the current block counts its padding, cursor-reserved and lost bytes in
 * its header, and its free bytes are low - top. Used bytes are what is
 * left, so the hot path counts one thing per object (its padding) and
 * nothing can drift: block_bytes == header + used + pad + tail + free +
 * reserved, at every moment. A mark saves the totals, and a rewind puts
 * them back.
 *
 * Errors. Every argument is checked before anything changes; a failing
 * call returns NULL (userspace: errno EINVAL or ENOMEM) and leaves the
 * arena as it was, except for the failed counter. No size or alignment,
 * however large, makes the arithmetic wrap: sizes are compared against what
 * is left, never added to a position first.
 *
 * The first block also holds the arena itself, so an arena costs one block
 * and nothing else; reset keeps that block and reuses it.
 *
 * This file, in order: blocks; the bump and its slow paths (a fresh
 * block, a dedicated block, a busy lock); creating and destroying an
 * arena; alba_alloc(); alba_realloc(); reset; marks and rewinds;
 * cleanups; alba_of(); what platforms read of an arena. Beside it:
 * alba_cursor.c (chunks and cursors), alba_stats.c (reading the totals,
 * the block walk, alba_validate()), alba_util.c (the kmalloc family), and
 * alba_internal.h, which they share.
 */

#include "alba_internal.h"

/* The functions themselves: the kernel's alba.h wraps them for profiling. */
#undef alba_create
#undef alba_create_node

/* Where a dedicated block's header copy lies (see alba_of()), or 0. */
static size_t copy_offset(const struct alba *arena,
			  const struct alba_block *blk)
{
	size_t off = dedicated_offset(blk);
	size_t block_size = (size_t)1 << arena->shift;

	return blk->dedicated && off > block_size ? off - block_size : 0;
}

static void block_init(struct alba_block *blk, struct alba *arena,
		       unsigned int shift, unsigned int data)
{
	memset(blk, 0, sizeof(*blk));
	blk->check = block_check(arena, arena->shift, blk);
	blk->arena = arena;
	blk->shift = (unsigned short)shift;
	blk->data = data;
	blk->top = data;
	blk->low = (size_t)1 << shift;
	alba_plat_poison((char *)blk + data, ((size_t)1 << shift) - data);
	alba_plat_header_set(blk);
}

/* Give a block back to the platform; nothing may use it any more. */
static void block_free(struct alba *arena, struct alba_block *blk)
{
	size_t copy = copy_offset(arena, blk);
	unsigned int shift = blk->shift;

	if (copy)
		alba_plat_header_clear((char *)blk + copy);
	alba_plat_header_clear(blk);
	alba_plat_trace_block_free(arena, blk, shift);
	alba_plat_block_free(blk, shift);
}

/*
 * A fresh block of the arena's size: one alba_reset_keep() kept, or one
 * from the platform (which may sleep: no lock here). NULL if neither.
 */
struct alba_block *alba_block_new(struct alba *arena, gfp_t gfp)
{
	struct alba_block *blk = NULL;
	unsigned long flags;

	if (READ_ONCE(arena->spare)) {	/* a peek; the lock decides */
		alba_plat_lock(&arena->lock, flags);
		blk = arena->spare;
		if (blk) {
			WRITE_ONCE(arena->spare, blk->older);
			arena->spares--;
		}
		alba_plat_unlock(&arena->lock, flags);
	}
	if (!blk)
		blk = alba_plat_block_alloc(arena, arena->shift, gfp,
					    arena->nid);
	if (blk)
		block_init(blk, arena, arena->shift, ALBA_HDR);
	return blk;
}

/* Lock held: keep @blk, which no list holds, for alba_reset_keep(). */
static void block_keep_locked(struct alba *arena, struct alba_block *blk)
{
	blk->older = arena->spare;
	WRITE_ONCE(arena->spare, blk);
	arena->spares++;
}

/*
 * A block from alba_block_new() that lost a race: kept if the arena keeps
 * any.
 */
void alba_block_unused(struct alba *arena, struct alba_block *blk)
{
	unsigned long flags;
	bool kept = false;

	alba_plat_lock(&arena->lock, flags);
	if (arena->spare) {
		block_keep_locked(arena, blk);
		kept = true;
	}
	alba_plat_unlock(&arena->lock, flags);
	if (!kept)
		block_free(arena, blk);
}

/* Lock held. */
static void block_link_locked(struct alba *arena, struct alba_block *blk)
{
	blk->older = arena->newest;
	blk->serial = ++arena->serial;
	arena->newest = blk;
	arena->sum.blocks++;
	arena->sum.bytes += block_bytes(blk);
	arena->sum.header += blk->data;
}

/*
 * Lock held. Make @blk the block being bumped; the old one keeps its
 * figures in its header and settles its padding and tail in the totals.
 */
static void block_make_current_locked(struct alba *arena,
				      struct alba_block *blk)
{
	struct alba_block *old = arena->cur;

	if (old) {
		old->top = arena->top - block_base(old);
		old->low = arena->low - block_base(old);
		arena->sum.pad += old->pad;
		arena->sum.tail += old->lost + (old->low - old->top);
	}
	arena->cur = blk;
	arena->top = block_base(blk) + blk->top;
	arena->low = block_base(blk) + blk->low;
	/* Every live mark lies in an older block (or, after a reset, none is). */
	arena->marked = 0;
}

/*
 * Lock held. Make @blk, fresh from alba_block_new(), the current block; a
 * cursor (@cur, or NULL) whose chunk lies in the old one retires it first,
 * so that the chunk's rest can still go back to the old block's free run.
 */
void alba_block_install_locked(struct alba *arena, struct alba_block *blk,
			       struct alba_cursor *cur)
{
	if (cur && cur->end)
		alba_chunk_retire_locked(arena, cur);
	block_link_locked(arena, blk);
	block_make_current_locked(arena, blk);
}

/* Write the red zone after an object of @size bytes at @p (debug only). */
static inline void redzone_set(uintptr_t p, size_t size, size_t pad)
{
	struct alba_redzone rz;

	if (!ALBA_RZ)
		return;
	memset(rz.pattern, ALBA_RZ_BYTE, sizeof(rz.pattern));
	rz.size = (unsigned int)size;
	rz.pad = (unsigned int)pad;
	alba_plat_unpoison((void *)(p + size), sizeof(rz));
	memcpy((void *)(p + size), &rz, sizeof(rz));
	alba_plat_poison((void *)(p + size), sizeof(rz));
}

/*
 * Lock held. Bump @size bytes aligned to @align upwards in the current
 * block, or return NULL if they do not fit.
 */
static inline void *bump_locked(struct alba *arena, size_t size,
				size_t align)
{
	uintptr_t top = arena->top;
	size_t avail = arena->low - top;
	size_t pad = -top & (align - 1);
	uintptr_t p;

	if (unlikely(size > avail || pad > avail - size))
		return NULL;
	p = top + pad;
	arena->top = p + size;
	arena->cur->pad += pad + ALBA_RZ;
	arena->allocs++;
	/* Debug: the red zone ends the object, and is padding. */
	size -= ALBA_RZ;
	redzone_set(p, size, pad);
	alba_plat_unpoison((void *)p, size);
	return (void *)p;
}

/* Lock held: bump for alba_alloc(), or carve for a cursor. */
static inline void *place_locked(struct alba *arena,
				 struct alba_cursor *cur, size_t size,
				 size_t align)
{
	if (cur)
		return alba_carve_locked(arena, cur, size, align);
	return bump_locked(arena, size, align);
}

void *alba_fail(struct alba *arena, size_t size, size_t align, gfp_t gfp)
{
	unsigned long flags;

	alba_plat_lock(&arena->lock, flags);
	arena->failed++;
	alba_plat_unlock(&arena->lock, flags);
	alba_plat_trace_alloc_fail(arena, size, align, gfp);
	alba_plat_nomem(gfp);
	return NULL;
}

/* A dedicated block for one object no fresh block can hold. */
static void *take_dedicated(struct alba *arena, size_t size, size_t align,
			    gfp_t gfp)
{
	size_t block_size = (size_t)1 << arena->shift;
	size_t off = round_up_pow2(ALBA_HDR, align);
	unsigned int shift = arena->shift;
	struct alba_block *blk, *copy;
	unsigned long flags;
	void *p;

	if (off > ALBA_MAX_BLOCK || size > ALBA_MAX_BLOCK - off)
		return alba_fail(arena, size, align, gfp);
	while (((size_t)1 << shift) < off || ((size_t)1 << shift) - off < size)
		shift++;

	/* The page allocator may sleep; no lock here. */
	blk = alba_plat_block_alloc(arena, shift, gfp, arena->nid);
	if (!blk)
		return alba_fail(arena, size, align, gfp);
	block_init(blk, arena, shift, ALBA_HDR);
	blk->dedicated = 1;
	blk->top = off + size;
	blk->pad = off - ALBA_HDR + ALBA_RZ;
	if (off > block_size) {
		/* The header alba_of() finds below an aligned object. */
		copy = (struct alba_block *)((char *)blk + off - block_size);
		alba_plat_unpoison(copy, sizeof(*copy));
		copy->arena = arena;
		copy->older = blk;	/* in a copy: the block's own header */
		copy->check = block_check(arena, arena->shift, copy) ^ ALBA_COPY;
		alba_plat_header_set(copy);
	}
	p = (char *)blk + off;
	redzone_set((uintptr_t)p, size - ALBA_RZ, off - ALBA_HDR);
	alba_plat_unpoison(p, size - ALBA_RZ);
	alba_plat_lock(&arena->lock, flags);
	if (unlikely(arena->dying)) {
		alba_plat_unlock(&arena->lock, flags);
		block_free(arena, blk);
		return alba_fail(arena, size, align, gfp);
	}
	block_link_locked(arena, blk);
	arena->sum.pad += blk->pad;
	arena->sum.tail += ((size_t)1 << shift) - blk->top;
	arena->allocs++;
	alba_plat_unlock(&arena->lock, flags);
	alba_plat_trace_block_alloc(arena, blk, shift, gfp);
	return p;
}

/*
 * A request that does not fit the current block: a fresh block for the
 * bump (or the cursor's chunk), or a dedicated block for an object no
 * fresh block can hold.
 */
static noinline void *take_block(struct alba *arena, size_t size,
				 size_t align, gfp_t gfp,
				 struct alba_cursor *cur)
{
	unsigned int shift = arena->shift;
	struct alba_block *blk, *installed = NULL;
	unsigned long flags;
	void *p;

	if (!fits_fresh(shift, cur ? cur->chunk : size, align))
		return take_dedicated(arena, size, align, gfp);

	blk = alba_block_new(arena, gfp);
	if (!blk)
		return alba_fail(arena, size, align, gfp);

	alba_plat_lock(&arena->lock, flags);
	/*
	 * Another caller may have installed a fresh block meanwhile; an
	 * arena being destroyed gets none.
	 */
	p = place_locked(arena, cur, size, align);
	if (!p && likely(!arena->dying)) {
		alba_block_install_locked(arena, blk, cur);
		p = place_locked(arena, cur, size, align);
		installed = blk;
		blk = NULL;
	}
	alba_plat_unlock(&arena->lock, flags);
	if (blk)
		alba_block_unused(arena, blk);
	else
		alba_plat_trace_block_alloc(arena, installed, shift, gfp);
	return p ? p : alba_fail(arena, size, align, gfp);
}

/* take() when the lock was busy: wait for it, out of the fast path. */
static noinline void *take_contended(struct alba *arena, size_t size,
				     size_t align, gfp_t gfp,
				     struct alba_cursor *cur)
{
	unsigned long flags;
	void *p;

	alba_plat_lock(&arena->lock, flags);
	p = place_locked(arena, cur, size, align);
	alba_plat_unlock(&arena->lock, flags);
	if (likely(p))
		return p;
	return take_block(arena, size, align, gfp, cur);
}

/*
 * Bump under the lock. Whatever is uncommon (a busy lock, a full block) is
 * a tail call out of line, so that the common case is a leaf with nothing
 * to save.
 */
static inline void *take(struct alba *arena, size_t size, size_t align,
			 gfp_t gfp, struct alba_cursor *cur)
{
	unsigned long flags;
	void *p;

	if (unlikely(!alba_plat_trylock(&arena->lock, flags)))
		return take_contended(arena, size, align, gfp, cur);
	p = place_locked(arena, cur, size, align);
	alba_plat_unlock(&arena->lock, flags);
	if (likely(p))
		return p;
	return take_block(arena, size, align, gfp, cur);
}

/* take() for a cursor's refill (alba_cursor.c): a chunk and an object. */
void *alba_take_chunk(struct alba *arena, size_t size, size_t align,
		      gfp_t gfp, struct alba_cursor *cur)
{
	return take(arena, size, align, gfp, cur);
}

/*
 * Requests off the fast path: invalid arguments and size 0. @ip is the
 * caller's call site, which a warning names (here and below: the entry
 * point takes it with alba_plat_caller() and hands it down).
 */
static noinline void *alloc_odd(struct alba *arena, size_t align,
				unsigned long ip)
{
	bool align_valid = align_ok(&align);
	unsigned long flags;

	if (!arena) {
		alba_plat_invalid_at(ip, "allocation from a NULL arena");
		return NULL;
	}
	alba_plat_lock(&arena->lock, flags);
	if (align_valid)
		arena->allocs++;
	else
		arena->failed++;
	alba_plat_unlock(&arena->lock, flags);
	if (!align_valid) {
		alba_plat_invalid_at(ip, "alignment %zu is not a power of two up to %zu",
				     align, ALBA_MAX_BLOCK);
		return NULL;
	}
	/* Size 0: like ZERO_SIZE_PTR, aligned, never NULL, never touched. */
	return (void *)align;
}

static struct alba *create_at(const char *name, size_t block_size,
			      gfp_t gfp, int nid, unsigned long ip)
{
	struct alba_block *blk;
	struct alba *arena;
	unsigned int shift, i;

	alba_plat_might_alloc(gfp);
	if (!block_size)
		block_size = ALBA_DEFAULT_BLOCK_SIZE;
	if (!is_pow2(block_size) || block_size < ALBA_MIN_BLOCK ||
	    block_size > ALBA_MAX_BLOCK) {
		alba_plat_invalid_at(ip, "block size %zu is not a power of two from %zu to %zu",
				     block_size, ALBA_MIN_BLOCK, ALBA_MAX_BLOCK);
		return NULL;
	}
	if (!alba_plat_node_ok(nid)) {
		alba_plat_invalid_at(ip, "NUMA node %d is not online with memory", nid);
		return NULL;
	}
	shift = shift_of(block_size);

	blk = alba_plat_block_alloc(NULL, shift, gfp, nid);
	if (!blk) {
		alba_plat_nomem(gfp);
		return NULL;
	}
	arena = (struct alba *)((char *)blk + ALBA_HDR);
	alba_plat_unpoison(blk, ALBA_FIRST_HDR);
	memset(arena, 0, sizeof(*arena));
	alba_plat_lock_init(&arena->lock);
	arena->shift = shift;
	arena->id = alba_plat_unique_id();
	arena->nid = nid;
	if (!name)
		name = "alba";
	for (i = 0; i < ALBA_NAME_MAX - 1 && name[i]; i++)
		arena->name[i] = name[i];

	block_init(blk, arena, shift, ALBA_FIRST_HDR);
	block_link_locked(arena, blk);
	block_make_current_locked(arena, blk);
	alba_plat_trace_arena_create(arena, block_size, gfp, nid);
	alba_plat_trace_block_alloc(arena, blk, shift, gfp);
	alba_plat_arena_added(arena, gfp);
	return arena;
}

/**
 * alba_create_node() - create an arena whose blocks come from a NUMA node
 * @name: a name for debugfs and messages (copied; may be NULL)
 * @block_size: a power of two from the page size up to the largest block
 *	the platform gives (kernel: PAGE_SIZE << MAX_PAGE_ORDER; userspace:
 *	1 GiB), or 0 for ALBA_DEFAULT_BLOCK_SIZE
 * @gfp: flags for the first block (userspace: 0); every later block takes
 *	the flags of the call that needs it. With __GFP_ACCOUNT the kernel
 *	charges the blocks to the memory cgroup of the task that created the
 *	arena, whichever task's call takes them (a kthread's arena: the
 *	allocating task's); allocation profiling charges them to the line
 *	that created it.
 * @nid: the node blocks are asked from (alloc_pages_node(): preferred;
 *	with __GFP_THISNODE in a call's gfp, required), or NUMA_NO_NODE for
 *	the page allocator's choice (the local node). A node that is not
 *	online or has no memory is refused (EINVAL). In
 *	userspace the node is recorded and ignored: blocks come from the OS
 *	like any other mapping, and its NUMA policy places them.
 *
 * Takes the first block at once; it also holds the arena itself.
 *
 * Context: any context @gfp allows; with a blocking @gfp the kernel also
 * adds the arena's debugfs directory.
 * Return: the arena, or NULL if @block_size is invalid (userspace: errno
 * EINVAL) or there is no memory (ENOMEM).
 */
struct alba *alba_create_node(const char *name, size_t block_size, gfp_t gfp,
			      int nid)
{
	return create_at(name, block_size, gfp, nid, alba_plat_caller());
}
EXPORT_SYMBOL_GPL(alba_create_node);

/**
 * alba_create() - create an arena
 * @name: a name for debugfs and messages (copied; may be NULL)
 * @block_size: as for alba_create_node()
 * @gfp: as for alba_create_node()
 *
 * alba_create_node() with NUMA_NO_NODE.
 *
 * Context: as alba_create_node().
 * Return: as alba_create_node().
 */
struct alba *alba_create(const char *name, size_t block_size, gfp_t gfp)
{
	return create_at(name, block_size, gfp, NUMA_NO_NODE, alba_plat_caller());
}
EXPORT_SYMBOL_GPL(alba_create);

/* Run the cleanups from @c down to @stop (excluded), newest first. */
static void run_cleanups(struct alba_cleanup *c, struct alba_cleanup *stop)
{
	struct alba_cleanup *older;

	for (; c && c != stop; c = older) {
		older = c->older;
		c->fn(c->data);
	}
}

static void free_list(struct alba *arena, struct alba_block *blk,
		      struct alba_block *stop)
{
	struct alba_block *older;

	for (; blk && blk != stop; blk = older) {
		older = blk->older;
		block_free(arena, blk);
	}
}

/*
 * Lock held: 0 if @arena may be reset, marked, rewound or destroyed now;
 * else the number of cursors holding chunks, or ALBA_DYING once a destroy
 * has begun (alba_destroy_rcu() waits for a grace period meanwhile).
 */
#define ALBA_DYING	(~0U)

static inline unsigned int busy_locked(const struct alba *arena)
{
	return arena->dying ? ALBA_DYING : arena->holders;
}

/*
 * A call that needs a quiet arena found it busy (busy_locked()). Called
 * after unlocking: nothing prints with the lock held.
 */
static void refuse_busy(struct alba *arena, const char *what,
			unsigned int busy, unsigned long ip)
{
	if (busy == ALBA_DYING)
		alba_plat_busy_at(ip, "%s of arena %s after its destroy began",
				  what, arena->name);
	else
		alba_plat_busy_at(ip, "%s of arena %s while %u cursors hold chunks",
				  what, arena->name, busy);
}

/*
 * For platforms (see alba_plat.h): take @arena out of use before it is
 * freed. From here on it gets no new block, gives no cursor a chunk, and
 * refuses resets, marks, rewinds, cleanups and a second destroy. False,
 * with @arena unchanged and a warning, if cursors hold chunks (their
 * objects would be freed under them) or a destroy has begun already.
 */
bool alba_core_retire(struct alba *arena, unsigned long ip)
{
	unsigned long flags;
	unsigned int busy;

	alba_plat_lock(&arena->lock, flags);
	busy = busy_locked(arena);
	if (!busy)
		arena->dying = true;
	alba_plat_unlock(&arena->lock, flags);
	if (busy)
		refuse_busy(arena, "destroy", busy, ip);
	return !busy;
}

/* For platforms: free every block (after alba_core_retire()). */
void alba_core_free(struct alba *arena)
{
	WARN_ON_ONCE(arena->holders);
	run_cleanups(arena->cleanups, NULL);
	free_list(arena, arena->spare, NULL);
	alba_plat_trace_arena_destroy(arena, arena->sum.blocks + arena->spares);
	/* The oldest block holds the arena; it goes last. */
	free_list(arena, arena->newest, NULL);
}

/**
 * alba_destroy() - free an arena and every block it holds
 * @arena: the arena, or NULL (nothing happens)
 *
 * All pointers into the arena become invalid. No other caller may use the
 * arena during or after this call. While a cursor (or a per-CPU set)
 * holds a chunk, or after alba_destroy_rcu() of the same arena, the call
 * is refused with a warning (userspace: errno EBUSY) and the arena is
 * left as it was: finish the cursors first.
 *
 * Context: process context in the kernel (removes the debugfs directory).
 */
void alba_destroy(struct alba *arena)
{
	if (!arena || !alba_core_retire(arena, alba_plat_caller()))
		return;
	alba_plat_arena_removed(arena);
	alba_core_free(arena);
}
EXPORT_SYMBOL_GPL(alba_destroy);

/**
 * alba_alloc() - allocate memory from an arena
 * @arena: the arena
 * @size: bytes to allocate; 0 gives an aligned non-NULL pointer that
 *	consumes nothing and must not be dereferenced
 * @align: a power of two up to the largest block size, or 0 for
 *	ALBA_DEFAULT_ALIGN
 * @gfp: flags for a new block (userspace: 0); with __GFP_ZERO the object
 *	is zeroed, as by kmalloc() (alba_zalloc())
 *
 * The object lies inside one block of @arena, after exactly the padding
 * its alignment needs. Objects too large for a fresh block get a dedicated
 * block. Of @gfp, only what means something for a block reaches the page
 * allocator (reclaim, placement and accounting bits: ALBA_GFP_BLOCK);
 * __GFP_NOFAIL is not honoured (an allocation may fail), __GFP_MOVABLE,
 * __GFP_COMP and zone modifiers are ignored.
 *
 * Context: any context but NMI, hard IRQ included: the arena lock is a
 * raw spinlock taken with interrupts saved. A new block comes from the
 * page allocator, called without the lock, and @gfp says how, by one rule
 * with and without PREEMPT_RT, as for kmalloc_nolock(): a gfp with
 * __GFP_RECLAIM (GFP_KERNEL, GFP_ATOMIC, GFP_NOWAIT) where kmalloc() would
 * take it; a gfp without (0, __GFP_NOWARN, __GFP_ACCOUNT) anywhere, and
 * in hard IRQ (hard hrtimers included) and under a raw spinlock only
 * such a gfp. Then a new block comes from alloc_pages_nolock() where the
 * kernel exports it (6.18 and later; up to order 3, not in hard IRQ on
 * PREEMPT_RT). On PREEMPT_RT a caller that cannot sleep is served that way
 * whatever its gfp. Where no block can be had, a request that needs one
 * fails; the current block still serves.
 * Return: a pointer aligned to @align, or NULL on an invalid argument
 * (userspace: errno EINVAL) or without memory (ENOMEM).
 */
void *alba_alloc(struct alba *arena, size_t size, size_t align, gfp_t gfp)
{
	return alba_core_alloc(arena, size, align, gfp, alba_plat_caller());
}
EXPORT_SYMBOL_GPL(alba_alloc);

static struct alba *of_at(const void *ptr, size_t block_size,
			  unsigned long ip);
static inline bool header_at(uintptr_t p, uintptr_t copy,
			     unsigned int shift, struct alba_block *hdr,
			     size_t bytes);
static uintptr_t aligned_header(uintptr_t base, size_t block_size,
				struct alba_block *hdr);

/* alba_alloc() for the caller at @ip (for platforms too: alba_plat.h). */
void *alba_core_alloc(struct alba *arena, size_t size, size_t align,
		      gfp_t gfp, unsigned long ip)
{
	alba_plat_might_alloc(gfp);
	if (unlikely(alba_plat_gfp_zero(gfp)))
		return alba_core_zalloc(arena, size, align,
					gfp ^ alba_plat_gfp_zero(gfp), ip);
	if (!align)
		align = ALBA_DEFAULT_ALIGN;
	if (unlikely(!arena || !size || (align & (align - 1)) ||
		     align > ALBA_MAX_BLOCK))
		return alloc_odd(arena, align, ip);
	if (ALBA_RZ && unlikely(size > ALBA_MAX_BLOCK))
		return alba_fail(arena, size, align, gfp);
	return take(arena, size + ALBA_RZ, align, gfp, NULL);
}

/* alba_core_alloc(), the object zeroed (alba_zalloc(), __GFP_ZERO). */
void *alba_core_zalloc(struct alba *arena, size_t size, size_t align,
		       gfp_t gfp, unsigned long ip)
{
	void *p = alba_core_alloc(arena, size, align, gfp, ip);

	if (p && size)
		memset(p, 0, size);
	return p;
}

/*
 * Lock held: grow or shrink @p, of @old bytes, to @new bytes where it
 * lies, if it is the newest object of the current block, no live mark is
 * newer than it, and the block has room. False if not. (A mark taken after
 * @p must find @p as it was: a shrink would leave the arena below the
 * mark, and a rewind would cut a growth off.)
 */
static bool resize_in_place_locked(struct alba *arena, uintptr_t p,
				   size_t old, size_t new)
{
	size_t room;

	if (block_of(p + 1, arena->shift) != arena->cur || p < arena->marked ||
	    old > arena->top - p || p + old + ALBA_RZ != arena->top)
		return false;
	room = arena->low - p;
	if (new > room || new + ALBA_RZ > room)
		return false;
	arena->top = p + new + ALBA_RZ;
	arena->allocs++;
	/* A shrink gives the tail to the next caller: poison it first. */
	if (new < old)
		alba_plat_poison((void *)(p + new), old - new);
	return true;
}

/*
 * Lock held: may [@p, @p + @size) be memory alba handed out, as far as
 * alba can tell? In an ordinary block it must lie in the part in use
 * ([data, top) or [low, end), see struct alba_block), never in the
 * header, the free gap or the tail; in a dedicated block, inside its
 * object. An object aligned beyond a block (its header further down) is
 * known by alba_of() alone. alba keeps no object boundaries: a pointer
 * into an object passes.
 */
static bool handed_out_locked(const struct alba *arena, uintptr_t p,
			      size_t size)
{
	size_t end = (size_t)1 << arena->shift, off = p & (end - 1), top, low;
	uintptr_t base = p - off;
	const struct alba_block *blk;
	struct alba_block hdr;

	if (!header_at(base, 0, arena->shift, &hdr, ALBA_HDR_PEEK))
		base = aligned_header(base, end, &hdr);
	if (!base || hdr.arena != arena)
		return false;
	/* One of the arena's blocks, whose lock is held: read as it is. */
	blk = (const struct alba_block *)base;
	if (blk->dedicated) {
		off = p - base;
		return off >= dedicated_offset(blk) && off <= blk->top &&
		       size <= blk->top - off;
	}
	if (blk == arena->cur) {
		top = arena->top - base;
		low = arena->low - base;
	} else {
		top = blk->top;
		low = blk->low;
	}
	if (off < blk->data || size > end - off)
		return false;
	return off + size <= top || off >= low;
}

/* The padding a debug build recorded before the object at @p (else 0). */
static size_t redzone_pad(uintptr_t p, size_t size)
{
	struct alba_redzone rz;

	if (!ALBA_RZ)
		return 0;
	alba_plat_unpoison((void *)(p + size), sizeof(rz));
	memcpy(&rz, (void *)(p + size), sizeof(rz));
	alba_plat_poison((void *)(p + size), sizeof(rz));
	return rz.pad;
}

/**
 * alba_realloc() - resize an object, in place when it is the newest
 * @arena: the arena @p came from
 * @p: the object, or NULL or the size-0 pointer of alba_alloc() with
 *	@align and @old_size 0 (then this is alba_alloc())
 * @old_size: the size @p was allocated (or last resized) with
 * @new_size: the size wanted; 0 gives the size-0 pointer of alba_alloc()
 * @align: the alignment @p needs, as for alba_alloc()
 * @gfp: as for alba_alloc()
 *
 * When @p is the newest object of the current block, no live mark was
 * taken after it, and the block has room, the object grows or shrinks
 * where it is: the same pointer comes back, and the statistics move by
 * the difference, with nothing copied.
 * Otherwise a new object is allocated and the first min(@old_size,
 * @new_size) bytes copied to it; the old bytes stay where they are until
 * the arena is reset, as every arena object does. Objects from cursors are
 * never the newest of the block: they are copied.
 *
 * @p must be an object of @arena with its @old_size. alba keeps no object
 * boundaries, so it refuses what it can tell: @p in no block of @arena,
 * not aligned to @align, or [@p, @p + @old_size) not inside the part of
 * its block in use (the header, the free space, the tail, past the
 * block's end); a pointer into an object cannot be told from one, nor
 * can the part of a cursor's chunk it has not handed out yet (or, in a
 * debug build, a red zone).
 *
 * Context: as alba_alloc().
 * Return: the object, or NULL (userspace: errno EINVAL for such a @p or
 * an invalid @align, ENOMEM without memory); on failure @p is untouched.
 */
void *alba_realloc(struct alba *arena, void *p, size_t old_size,
		   size_t new_size, size_t align, gfp_t gfp)
{
	uintptr_t q = (uintptr_t)p;
	unsigned long flags;
	size_t pad = 0;
	unsigned long ip = alba_plat_caller();
	bool done;
	void *n;

	alba_plat_might_alloc(gfp);
	if (!p || !new_size || !arena || !align_ok(&align) ||
	    (q == align && !old_size))	/* the size-0 pointer: as NULL */
		return alba_core_alloc(arena, new_size, align, gfp, ip);
	if (q & (align - 1) || of_at(p, (size_t)1 << arena->shift, ip) != arena) {
		alba_plat_invalid_at(ip, "%s(%s, %p): not an object of this arena aligned to %zu",
				     __func__, arena->name, p, align);
		return NULL;
	}
	alba_plat_lock(&arena->lock, flags);
	if (!handed_out_locked(arena, q, old_size)) {
		alba_plat_unlock(&arena->lock, flags);
		alba_plat_invalid_at(ip, "%s(%s, %p, %zu): not memory this arena handed out",
				     __func__, arena->name, p, old_size);
		return NULL;
	}
	/* Read before the resize: a shrink gives these bytes to others. */
	if (ALBA_RZ && old_size <= ALBA_MAX_BLOCK)
		pad = redzone_pad(q, old_size);
	done = resize_in_place_locked(arena, q, old_size, new_size);
	if (done) {
		/* Under the lock: alba_validate() reads red zones. */
		if (new_size > old_size)
			alba_plat_unpoison((void *)(q + old_size), new_size - old_size);
		redzone_set(q, new_size, pad);
	}
	alba_plat_unlock(&arena->lock, flags);
	if (done) {
		if (new_size > old_size && alba_plat_gfp_zero(gfp))
			memset((void *)(q + old_size), 0, new_size - old_size);
		return p;
	}
	n = alba_core_alloc(arena, new_size, align, gfp, ip);
	if (n)
		memcpy(n, p, old_size < new_size ? old_size : new_size);
	return n;
}
EXPORT_SYMBOL_GPL(alba_realloc);

/*
 * For release(): keep @blk (fresh again) if it is of the arena's size and
 * @keep bytes allow one more (*@n kept so far), else free it.
 */
static bool keep_or_free(struct alba *arena, struct alba_block *blk,
			 size_t *n, size_t keep)
{
	if (blk->shift != arena->shift || blk->dedicated ||
	    (*n + 1) * ((size_t)1 << arena->shift) > keep) {
		block_free(arena, blk);
		return false;
	}
	block_init(blk, arena, arena->shift, ALBA_HDR);
	++*n;
	return true;
}

/*
 * After a reset: free the released blocks (@gone up to @first) and the
 * blocks kept before (@spare), keeping up to @keep bytes of those of the
 * arena's block size, ready and poisoned, for the next allocations.
 */
static void release(struct alba *arena, struct alba_block *gone,
		    struct alba_block *first, struct alba_block *spare,
		    size_t keep)
{
	struct alba_block *blk, *older, *kept = NULL, **tail = &kept;
	unsigned long flags;
	size_t n = 0;

	/*
	 * Kept blocks are handed out again in the order this round took them
	 * (@gone lists them newest first: each goes to the front), then the
	 * spares left from before, in their order. Every round then walks the
	 * same blocks the same way; reversing them each round cost W4 a third
	 * at 10^6 objects.
	 */
	for (blk = gone; blk != first; blk = older) {
		older = blk->older;
		if (!keep_or_free(arena, blk, &n, keep))
			continue;
		blk->older = kept;
		if (!kept)
			tail = &blk->older;
		kept = blk;
	}
	for (blk = spare; blk; blk = older) {
		older = blk->older;
		if (!keep_or_free(arena, blk, &n, keep))
			continue;
		blk->older = NULL;
		*tail = blk;
		tail = &blk->older;
	}
	if (!kept)
		return;
	alba_plat_lock(&arena->lock, flags);
	*tail = arena->spare;	/* any a racing alba_block_unused() kept */
	WRITE_ONCE(arena->spare, kept);
	arena->spares += n;
	alba_plat_unlock(&arena->lock, flags);
}

static void reset_keep_at(struct alba *arena, size_t keep_bytes,
			  unsigned long ip)
{
	struct alba_block *first, *gone, *spare;
	struct alba_cleanup *top;
	size_t blocks;
	unsigned int holders;
	unsigned long flags;

	if (!arena) {
		alba_plat_invalid_at(ip, "reset of a NULL arena");
		return;
	}
	first = block_of((uintptr_t)arena, arena->shift);
	for (;;) {
		alba_plat_lock(&arena->lock, flags);
		holders = busy_locked(arena);
		if (holders) {
			alba_plat_unlock(&arena->lock, flags);
			refuse_busy(arena, "reset", holders, ip);
			return;
		}
		/* Cleanups run first, without the lock, over intact memory. */
		top = arena->cleanups;
		if (!top)
			break;
		arena->cleanups = NULL;
		alba_plat_unlock(&arena->lock, flags);
		run_cleanups(top, NULL);
	}
	/* The first block is the oldest: everything newer goes. */
	gone = arena->newest;
	spare = arena->spare;
	WRITE_ONCE(arena->spare, NULL);
	arena->spares = 0;
	first->older = NULL;
	arena->newest = first;
	first->pad = 0;
	first->lost = 0;
	first->top = first->data;
	first->low = block_bytes(first);
	arena->cur = NULL;
	block_make_current_locked(arena, first);
	arena->sum = (struct alba_totals){ .blocks = 1, .bytes = block_bytes(first),
					   .header = first->data };
	arena->depth = 0;	/* every mark is released */
	arena->unlinks++;
	alba_plat_poison((void *)arena->top, arena->low - arena->top);
	blocks = arena->sum.blocks + arena->spares;
	alba_plat_unlock(&arena->lock, flags);
	alba_plat_trace_reset(arena, blocks);
	release(arena, gone, first, spare, keep_bytes);
}

/**
 * alba_reset_keep() - release every object, keeping blocks for the next ones
 * @arena: the arena
 * @keep_bytes: how many bytes of blocks (beyond the first, which is always
 *	kept) stay with the arena
 *
 * As alba_reset(), but up to @keep_bytes of the released blocks of the
 * arena's block size stay with it, poisoned (KASAN, ASan): the next
 * allocations take them without calling the page allocator (userspace:
 * with no system call and no page fault). Blocks kept by an earlier call
 * count against @keep_bytes too; dedicated blocks are always freed. In
 * the stats, kept blocks count in @blocks and @block_bytes, their headers
 * in @header_bytes and the rest in @free_bytes. alba_reset() is
 * alba_reset_keep(@arena, 0); alba_destroy() frees them all, and
 * alba_rewind() frees those taken after its mark (they are not kept
 * again).
 *
 * Context: as alba_reset().
 */
void alba_reset_keep(struct alba *arena, size_t keep_bytes)
{
	reset_keep_at(arena, keep_bytes, alba_plat_caller());
}
EXPORT_SYMBOL_GPL(alba_reset_keep);

/**
 * alba_reset() - release every object of an arena, keeping one block
 * @arena: the arena
 *
 * Frees every block but the first, which is reused; all earlier pointers
 * become invalid. The arena's cleanups (alba_add_cleanup()) run first.
 * Refused (with a warning; userspace: errno EBUSY) while a cursor holds a
 * chunk: alba_cursor_fini() them, or alba_pcpu_drain() a per-CPU set,
 * first. alba_reset_keep() keeps more blocks. No call that allocates from
 * @arena may overlap the reset: what it returns would be released at
 * once, and alba_zalloc() and alba_realloc() write their object after
 * the arena lock is dropped (the memory may be gone by then). The same
 * holds for alba_rewind() and alba_destroy().
 *
 * Context: any context but NMI; the lock is held for a constant time, and
 * the blocks are freed after it is dropped (where the caller is not
 * preemptible, later, from a workqueue).
 */
void alba_reset(struct alba *arena)
{
	reset_keep_at(arena, 0, alba_plat_caller());
}
EXPORT_SYMBOL_GPL(alba_reset);

/*
 * Lock held: is @mark a live mark of this arena, one it can go back to?
 *
 * The arena's live marks form a stack: alba_mark() pushes, a rewind to a
 * mark pops every mark above it (the mark itself stays live, so a rewind
 * can be repeated), a reset empties it. A mark carries its arena's
 * identifier, its sequence number (never reused within the arena) and
 * its depth in the stack; the arena keeps the sequence number of the live
 * mark at each depth in @live. A mark is live exactly when its arena is
 * this one, its depth is at most the stack's, and the stack holds its
 * sequence number at that depth: a released mark's depth is either above
 * the stack or holds a newer mark's number. O(1), no walk, nothing read
 * through the mark's pointers before it is known to be live (only then
 * are its blocks known to be the arena's). @live has ALBA_MARK_SLOTS
 * entries, indexed by depth modulo that: a live mark whose entry a mark
 * that many levels deeper took is refused too (safely: nothing changes).
 * A check value over the mark's fields, keyed by the arena, refuses a
 * mark whose position was altered.
 */
static uintptr_t mark_check(const struct alba *arena,
			    const struct alba_mark *mark)
{
	const uintptr_t k = (uintptr_t)0x9e3779b97f4a7c15ULL;
	const uintptr_t v[] = {
		mark->seq ^ ((uintptr_t)mark->depth << 16),
		(uintptr_t)mark->newest, (uintptr_t)mark->cur, mark->top,
		mark->low, mark->pad, mark->lost, (uintptr_t)mark->cleanups,
		mark->sum.blocks, mark->sum.bytes, mark->sum.header,
		mark->sum.pad, mark->sum.tail,
	};
	uintptr_t h = (uintptr_t)arena ^ (uintptr_t)mark->arena_id;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(v); i++)
		h = (h ^ v[i]) * k;
	return h ^ (h >> 29);
}

static bool mark_valid_locked(const struct alba *arena,
			      const struct alba_mark *mark)
{
	if (mark->arena_id != arena->id || !mark->depth ||
	    mark->depth > arena->depth ||
	    arena->live[mark->depth % ALBA_MARK_SLOTS] != mark->seq ||
	    mark->check != mark_check(arena, mark))
		return false;
	/* A live mark's position: the arena never went below it. */
	return mark->cur != arena->cur ||
	       (mark->top <= arena->top && mark->low >= arena->low);
}

/**
 * alba_mark() - remember the current position of an arena
 * @arena: the arena
 *
 * Marks nest: rewinding to a mark releases everything allocated after it,
 * and later marks with it; the mark itself stays valid. A mark is void
 * after a reset, and after a rewind to an earlier mark. Of nested live
 * marks, the 32 newest are always valid; an older one may be refused
 * once 32 newer marks were taken above it. Refused while a cursor holds a
 * chunk.
 *
 * Context: any context but NMI (the arena's raw spinlock).
 * Return: the mark, to be passed to alba_rewind(); on a refusal, a mark
 * that alba_rewind() rejects.
 */
struct alba_mark alba_mark(struct alba *arena)
{
	struct alba_mark mark = { 0 };
	unsigned int holders;
	unsigned long flags;

	if (!arena) {
		alba_plat_invalid("mark of a NULL arena");
		return mark;
	}
	alba_plat_lock(&arena->lock, flags);
	holders = busy_locked(arena);
	if (holders) {
		alba_plat_unlock(&arena->lock, flags);
		refuse_busy(arena, "mark", holders, alba_plat_caller());
		return mark;
	}
	arena->marked = arena->top;
	mark.arena_id = arena->id;
	mark.seq = ++arena->mark_seq;
	mark.depth = ++arena->depth;
	arena->live[mark.depth % ALBA_MARK_SLOTS] = mark.seq;
	mark.newest = arena->newest;
	mark.cur = arena->cur;
	mark.top = arena->top;
	mark.low = arena->low;
	mark.pad = arena->cur->pad;
	mark.lost = arena->cur->lost;
	mark.sum = arena->sum;
	mark.cleanups = arena->cleanups;
	mark.check = mark_check(arena, &mark);
	alba_plat_unlock(&arena->lock, flags);
	return mark;
}
EXPORT_SYMBOL_GPL(alba_mark);

/**
 * alba_rewind() - release everything allocated after a mark
 * @arena: the arena
 * @mark: a mark of @arena from alba_mark()
 *
 * Blocks taken after the mark are freed. A mark that is void (taken
 * before a reset, released by an earlier rewind, from another arena, even
 * one whose blocks this arena now reuses, zeroed, or altered) is refused
 * with a warning (userspace: errno EINVAL), and so is a rewind while a
 * cursor holds a chunk (EBUSY); the arena is then unchanged. The mark is
 * checked in constant time (see mark_valid_locked()).
 *
 * Context: any context but NMI; the lock is held for a constant time, and
 * the blocks are freed after it is dropped (where the caller is not
 * preemptible, later, from a workqueue).
 */
void alba_rewind(struct alba *arena, struct alba_mark mark)
{
	struct alba_block *cur = mark.cur, *gone;
	struct alba_cleanup *top;
	size_t blocks;
	unsigned int holders;
	unsigned long flags;

	if (!arena) {
		alba_plat_invalid("rewind of a NULL arena");
		return;
	}
	for (;;) {
		alba_plat_lock(&arena->lock, flags);
		holders = busy_locked(arena);
		if (holders) {
			alba_plat_unlock(&arena->lock, flags);
			refuse_busy(arena, "rewind", holders, alba_plat_caller());
			return;
		}
		if (!mark_valid_locked(arena, &mark)) {
			alba_plat_unlock(&arena->lock, flags);
			alba_plat_invalid("rewind of arena %s to a void mark",
					  arena->name);
			return;
		}
		/* The cleanups registered after the mark run first. */
		top = arena->cleanups;
		if (top == mark.cleanups)
			break;
		arena->cleanups = mark.cleanups;
		alba_plat_unlock(&arena->lock, flags);
		run_cleanups(top, mark.cleanups);
	}
	gone = arena->newest;
	arena->newest = mark.newest;
	cur->pad = mark.pad;
	cur->lost = mark.lost;
	arena->cur = cur;
	arena->top = mark.top;
	arena->low = mark.low;
	arena->marked = mark.top;
	arena->sum = mark.sum;
	arena->depth = mark.depth;	/* the marks above it are released */
	arena->unlinks++;
	alba_plat_poison((void *)arena->top, arena->low - arena->top);
	blocks = arena->sum.blocks + arena->spares;
	alba_plat_unlock(&arena->lock, flags);
	alba_plat_trace_rewind(arena, blocks);
	free_list(arena, gone, mark.newest);
}
EXPORT_SYMBOL_GPL(alba_rewind);

/**
 * alba_add_cleanup() - run a function when the arena lets go of its objects
 * @arena: the arena
 * @fn: the function, called as @fn(@data)
 * @data: its argument (typically an object of @arena, or something an
 *	object of @arena refers to, such as a file or a kmalloc()ed buffer)
 * @gfp: flags for the record (userspace: 0)
 *
 * The record (three words) is allocated from @arena, as an object. The
 * callbacks run newest first: all of them on alba_reset() and
 * alba_destroy() (for alba_destroy_rcu(), after the grace period, from
 * alba's workqueue), and those registered after the mark on alba_rewind().
 * They run before the memory is released, without the arena's lock, in
 * the context of the call that runs them: objects of @arena are still
 * there to read. A callback must not call alba_reset(), alba_rewind() or
 * alba_destroy() on @arena. A registration that races a reset or rewind
 * which releases it is the caller's bug, as for any object.
 *
 * Context: as alba_alloc() with @gfp.
 * Return: 0; -EINVAL for a NULL @arena or @fn, -ENOMEM if the record could
 * not be allocated, -EBUSY once a destroy of @arena has begun (userspace:
 * errno too). A failed registration changes nothing but the arena's
 * failed counter.
 */
int alba_add_cleanup(struct alba *arena, void (*fn)(void *data), void *data,
		     gfp_t gfp)
{
	struct alba_cleanup *c;
	unsigned long flags;
	unsigned int busy;

	if (!arena || !fn) {
		alba_plat_invalid("%s() with a NULL %s", __func__,
				  arena ? "function" : "arena");
		return -EINVAL;
	}
	/* An arena being destroyed takes none (nor, then, its record). */
	alba_plat_lock(&arena->lock, flags);
	busy = arena->dying ? ALBA_DYING : 0;
	alba_plat_unlock(&arena->lock, flags);
	if (busy)
		goto refuse;
	c = alba_core_alloc(arena, sizeof(*c), __alignof__(*c), gfp,
			    alba_plat_caller());
	if (!c)
		return -ENOMEM;
	c->fn = fn;
	c->data = data;
	alba_plat_lock(&arena->lock, flags);
	busy = arena->dying ? ALBA_DYING : 0;
	if (!busy) {
		c->older = arena->cleanups;
		arena->cleanups = c;
	}
	alba_plat_unlock(&arena->lock, flags);
	if (!busy)
		return 0;
refuse:
	refuse_busy(arena, "a cleanup", busy, alba_plat_caller());
	return -EBUSY;
}
EXPORT_SYMBOL_GPL(alba_add_cleanup);

/*
 * Is a live block header (@copy 0) or header copy (ALBA_COPY) of an arena
 * of 1 << @shift byte blocks at @p? If so, *@hdr holds a copy of its
 * first @bytes (ALBA_HDR_PEEK or more). The platform vouches for @p
 * before it is read. alba_of() may be asked about any pointer while
 * another thread frees the block there, between that question and the
 * read: so the header is copied with alba_plat_read_racy() (which never
 * faults and tells no sanitizer; it fails where the block was unmapped),
 * and only the copy is looked at, after its check value holds. No block
 * lives at 0: this catches size-0 pointers and small junk.
 */
static inline bool header_at(uintptr_t p, uintptr_t copy,
			     unsigned int shift, struct alba_block *hdr,
			     size_t bytes)
{
	if (!p || !alba_plat_header_test((const void *)p) ||
	    !alba_plat_read_racy(hdr, (const void *)p, bytes))
		return false;
	return hdr->check == (block_check(hdr->arena, shift,
					  (const struct alba_block *)p) ^ copy);
}

/*
 * No header at @base: an object aligned to @block_size or more may start
 * there. Its dedicated block's header is then found through the header
 * copy just below it, or is that block itself when the object is aligned
 * to exactly @block_size. A real header just below does not count
 * otherwise: the end of a block is not in it. Returns the block (*@hdr a
 * copy of its first ALBA_HDR_PEEK bytes), or 0.
 */
static uintptr_t aligned_header(uintptr_t base, size_t block_size,
				struct alba_block *hdr)
{
	unsigned int shift = shift_of(block_size);
	uintptr_t blk;

	if (!base)
		return 0;
	blk = base - block_size;
	if (header_at(blk, ALBA_COPY, shift, hdr, ALBA_HDR_PEEK)) {
		blk = (uintptr_t)hdr->older;
		return header_at(blk, 0, shift, hdr, ALBA_HDR_PEEK) ? blk : 0;
	}
	if (header_at(blk, 0, shift, hdr, offsetof(struct alba_block, serial)) &&
	    hdr->dedicated && dedicated_offset(hdr) == block_size)
		return blk;
	return 0;
}

/**
 * alba_of() - find the arena of an object
 * @ptr: any pointer value. An object alba returned finds its arena, and so
 *	does any pointer into the first @block_size bytes of a block (its
 *	base included) and, for an object aligned to @block_size or more,
 *	any pointer into its first @block_size bytes. A pointer past the end
 *	of a block, or further into a large object, does not.
 * @block_size: the arena's block size (0: ALBA_DEFAULT_BLOCK_SIZE)
 *
 * Masks @ptr with ~(@block_size - 1) and reads the block header there; no
 * lock and no search. The platform is asked first whether a live alba
 * header lies there (kernel: the address is in the direct map and its page
 * is marked as an alba block; userspace: a lock-free bitmap of live
 * headers), so any other pointer (vmalloc, module, stack, user, or memory
 * alba does not own; in userspace malloc, stack, globals, other mappings,
 * unmapped addresses) is refused without reading it. A header whose check
 * value does not match, or an arena with another block size, is refused
 * too.
 *
 * Another thread may free the block at @ptr meanwhile (a destroy, reset
 * or trim of this or any arena): the header is then read as it goes,
 * without a fault, and the answer is NULL or the arena the block had,
 * which the caller must not use if it raced that arena's destroy.
 *
 * Context: any context.
 * Return: the arena, or NULL (with a warning; userspace: errno EINVAL).
 */
struct alba *alba_of(const void *ptr, size_t block_size)
{
	return of_at(ptr, block_size, alba_plat_caller());
}
EXPORT_SYMBOL_GPL(alba_of);

static struct alba *of_at(const void *ptr, size_t block_size,
			  unsigned long ip)
{
	struct alba_block hdr;
	uintptr_t base;

	if (!block_size)
		block_size = ALBA_DEFAULT_BLOCK_SIZE;
	if (!ptr || !is_pow2(block_size) || block_size < ALBA_MIN_BLOCK ||
	    block_size > ALBA_MAX_BLOCK) {
		alba_plat_invalid_at(ip, "alba_of(%p, %zu): bad argument", ptr,
				     block_size);
		return NULL;
	}
	base = (uintptr_t)ptr & ~(block_size - 1);
	if (!header_at(base, 0, shift_of(block_size), &hdr, ALBA_HDR_PEEK) &&
	    !aligned_header(base, block_size, &hdr)) {
		alba_plat_invalid_at(ip, "alba_of(%p, %zu): no arena has such blocks",
				     ptr, block_size);
		return NULL;
	}
	return hdr.arena;
}

/**
 * alba_block_size() - the block size of an arena
 * @arena: the arena
 *
 * Context: any context.
 * Return: the block size in bytes, or 0 for a NULL arena.
 */
size_t alba_block_size(const struct alba *arena)
{
	return arena ? (size_t)1 << arena->shift : 0;
}
EXPORT_SYMBOL_GPL(alba_block_size);

/* For platforms (see alba_plat.h): the arena's name, node and data. */
const char *alba_core_name(const struct alba *arena)
{
	return arena->name;
}

int alba_core_nid(const struct alba *arena)
{
	return arena->nid;
}

struct alba_plat_arena *alba_core_plat(struct alba *arena)
{
	return &arena->plat;
}

#ifdef ALBA_PLAT_FORK
/*
 * For platforms with fork(): around it, the arena lock is held (@phase 0,
 * before), released in the parent (1) and made anew in the child (2),
 * where no other thread survives to release it.
 */
void alba_core_fork(struct alba *arena, int phase)
{
	alba_fork_lock(&arena->lock, phase);
}
#endif
