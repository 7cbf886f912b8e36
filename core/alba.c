// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * alba.c - aligned block arena: the portable core.
 *
 * An arena hands out memory from blocks whose size is a power of two and
 * whose address is a multiple of that size. In the kernel a block is
 * alloc_pages() of the matching order; in userspace it is trimmed mmap() or
 * VirtualAlloc2(). Everything below follows from that one property.
 *
 * Bumping. The current block's free space is one run, [pos, lo). Locked
 * allocations bump upwards from pos: an object of alignment A goes at the
 * next multiple of A; because the block base is a multiple of the block
 * size (and so of every smaller power of two), an aligned offset is an
 * aligned address, and the padding is exactly what the alignment needs from
 * the current position, never more. Cursor chunks are carved downwards from
 * lo (see Cursors). Objects that do not fit a fresh block get a dedicated
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
 * critical section walks the blocks except alba_validate() and a rewind
 * (over the blocks it releases). The page allocator is never called with
 * the lock held: the slow path drops the lock, allocates a block, retakes
 * the lock and checks again, because another CPU may have installed a
 * fresh block meanwhile; the loser of that race is freed after unlocking.
 * Blocks released by reset, rewind or destroy are unlinked under the lock
 * and freed after it. Nothing prints under the lock.
 *
 * Cursors. A cursor reserves a chunk of the current block under the lock,
 * then bumps inside it with no lock and no atomic. Chunks are carved from
 * the top of the free run downwards, each starting on an
 * ALBA_CURSOR_MAX_ALIGN boundary, and a cursor fills its chunk from the
 * top down too: its position is an offset from the chunk's base, so the
 * inline fast path in alba.h is a subtraction that cannot wrap unnoticed
 * (the borrow is the "chunk exhausted" test), a mask, a store and two
 * counters. A retired chunk's unused bottom lies next to the free run when
 * nothing was carved after it, and then goes back to it. A cursor's
 * allocations are accounted to the arena when its chunk is retired (refill
 * or fini); until then the chunk shows as reserved_bytes. Reset, mark and
 * rewind need an arena no cursor holds a chunk of, and refuse otherwise.
 *
 * Accounting, in O(1). The arena keeps running totals of its blocks'
 * figures (blocks, bytes, headers) and of the padding and tail of every
 * block but the current one, settled when a block stops being current;
 * the current block counts its padding, cursor-reserved and lost bytes in
 * its header, and its free bytes are lo - pos. Used bytes are what is
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
 */

#include "alba_plat.h"

#define ALBA_CHECK	((uintptr_t)0x5a1ba5a1ba5a1ba5ULL)
#define ALBA_COPY	((uintptr_t)1)	/* in the check of a header copy */
#define ALBA_MAX_BLOCK	((size_t)1 << ALBA_PLAT_MAX_SHIFT)
#define ALBA_MIN_BLOCK	((size_t)1 << ALBA_PLAT_PAGE_SHIFT)
#define ALBA_MARK_SLOTS	32	/* live marks told apart, a power of two */

/*
 * Debug mode (ALBA_DEBUG; CONFIG_ALBA_DEBUG in the kernel): every object
 * is followed by a red zone, a trailer holding a pattern, the object's
 * size and the padding before it, so that alba_validate() can walk each
 * block back from its top and check every object. The red zones count as
 * padding, and (for ASan and KASAN) stay poisoned. Cursors take the locked
 * path. Without ALBA_DEBUG, ALBA_RZ is 0 and all of it compiles away.
 */
struct alba_redzone {
	unsigned char pattern[8];
	unsigned int size;
	unsigned int pad;
};

#define ALBA_RZ_BYTE	0xbb
#ifdef ALBA_DEBUG
#define ALBA_RZ		sizeof(struct alba_redzone)
#else
#define ALBA_RZ		0
#endif

/*
 * The header at the base of every block. A block's objects lie in
 * [data, top) (locked allocations, growing up) and [low, size) (cursor
 * chunks, growing down); [top, low) is free in the current block and tail
 * in the others. @top and @low are valid once the block is not current:
 * the current block's are the arena's pos and lo. Of the bytes in use,
 * @pad are padding, @reserved are held by cursors, @lost are the unused
 * rest of retired chunks; everything else is used.
 */
struct alba_block {
	uintptr_t check;
	struct alba *arena;
	struct alba_block *older;
	unsigned long serial;
	unsigned short shift;
	unsigned short dedicated;	/* one object, too large for a block */
	unsigned int data;
	size_t top;
	size_t low;
	size_t pad;
	size_t reserved;
	size_t lost;
};

/* A cleanup callback, registered by alba_add_cleanup(), in the arena. */
struct alba_cleanup {
	void (*fn)(void *data);
	void *data;
	struct alba_cleanup *older;
};

/*
 * Running totals over the arena's blocks: @blocks, @bytes and @header
 * over all of them; @pad and @tail over all but the current block.
 */
struct alba_totals {
	size_t blocks;
	size_t bytes;
	size_t header;
	size_t pad;
	size_t tail;
};

struct alba {
	alba_plat_lock_t lock;
	uintptr_t pos;			/* bump position in @cur */
	uintptr_t lo;			/* end of @cur's free run */
	uintptr_t marked;		/* @pos at the newest mark in @cur, or 0 */
	struct alba_block *cur;		/* the block being bumped */
	struct alba_block *newest;	/* list of all blocks, newest first */
	struct alba_totals sum;
	size_t reserved;		/* held by cursors, in all blocks */
	unsigned long serial;		/* serial of the newest block */
	unsigned long long id;		/* names the arena in its marks */
	unsigned long mark_seq;		/* of the newest mark taken */
	unsigned int depth;		/* live marks (see alba_rewind()) */
	unsigned long live[ALBA_MARK_SLOTS];	/* their seqs, by depth */
	struct alba_cleanup *cleanups;	/* newest first (alba_add_cleanup()) */
	struct alba_block *spare;	/* kept by alba_reset_keep(), unlinked */
	size_t spares;			/* how many */
	unsigned long unlinks;		/* bumped by every reset and rewind */
	unsigned int holders;		/* cursors holding a chunk */
	bool dying;			/* being destroyed: alba_core_retire() */
	unsigned int shift;		/* log2 of the block size */
	int nid;			/* NUMA node of the blocks */
	unsigned long long allocs;
	unsigned long long failed;
	struct alba_plat_arena plat;	/* the platform's (debugfs, RCU, fork) */
	char name[ALBA_NAME_MAX];
};

/* Header sizes, rounded up to 16 bytes. */
#define ALBA_HDR	((sizeof(struct alba_block) + 15) & ~(size_t)15)
#define ALBA_FIRST_HDR	((ALBA_HDR + sizeof(struct alba) + 15) & ~(size_t)15)

static_assert(sizeof(struct alba) + ALBA_HDR < ALBA_MIN_BLOCK / 2,
	      "the arena must leave room in its first block");
static_assert(2 * ALBA_CURSOR_MAX_ALIGN <= ALBA_MIN_BLOCK,
	      "a cursor chunk must fit a block");

/* @x rounded up to a multiple of @pow2; callers keep both far below 2^31. */
static inline size_t round_up_pow2(size_t x, size_t pow2)
{
	return (x + pow2 - 1) & ~(pow2 - 1);
}

static inline bool is_pow2(size_t x)
{
	return x && !(x & (x - 1));
}

static inline unsigned int shift_of(size_t pow2)
{
	return (unsigned int)__builtin_ctzll((unsigned long long)pow2);
}

static inline uintptr_t block_base(const struct alba_block *blk)
{
	return (uintptr_t)blk;
}

static inline size_t block_bytes(const struct alba_block *blk)
{
	return (size_t)1 << blk->shift;
}

static inline uintptr_t block_check(const struct alba *arena,
				    const struct alba_block *blk)
{
	return ALBA_CHECK ^ (uintptr_t)arena ^ (uintptr_t)blk;
}

/* The header covering @p in an arena of 1 << @shift byte blocks. */
static inline struct alba_block *block_of(uintptr_t p, unsigned int shift)
{
	return (struct alba_block *)((p - 1) & ~(((uintptr_t)1 << shift) - 1));
}

/* Does a fresh block of 1 << @shift bytes hold @size bytes aligned to @align? */
static inline bool fits_fresh(unsigned int shift, size_t size, size_t align)
{
	size_t block_size = (size_t)1 << shift;
	size_t off = round_up_pow2(ALBA_HDR, align);

	return off < block_size && size <= block_size - off;
}

static bool align_ok(size_t *align)
{
	if (!*align)
		*align = ALBA_DEFAULT_ALIGN;
	return is_pow2(*align) && *align <= ALBA_MAX_BLOCK;
}

/* Where a dedicated block's header copy lies (see alba_of()), or 0. */
static size_t copy_offset(const struct alba *arena,
			  const struct alba_block *blk)
{
	size_t off = blk->pad + ALBA_HDR - ALBA_RZ;	/* the object's offset */
	size_t block_size = (size_t)1 << arena->shift;

	return blk->dedicated && off > block_size ? off - block_size : 0;
}

static void block_init(struct alba_block *blk, struct alba *arena,
		       unsigned int shift, unsigned int data)
{
	memset(blk, 0, sizeof(*blk));
	blk->check = block_check(arena, blk);
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
static struct alba_block *block_new(struct alba *arena, gfp_t gfp)
{
	struct alba_block *blk = NULL;
	unsigned long flags;

	if (arena->spare) {	/* a racy peek; the lock decides */
		alba_plat_lock(&arena->lock, flags);
		blk = arena->spare;
		if (blk) {
			arena->spare = blk->older;
			arena->spares--;
		}
		alba_plat_unlock(&arena->lock, flags);
	}
	if (!blk)
		blk = alba_plat_block_alloc(arena->shift, gfp, arena->nid);
	if (blk)
		block_init(blk, arena, arena->shift, ALBA_HDR);
	return blk;
}

/* Lock held: keep @blk, which no list holds, for alba_reset_keep(). */
static void block_keep(struct alba *arena, struct alba_block *blk)
{
	blk->older = arena->spare;
	arena->spare = blk;
	arena->spares++;
}

/* A block from block_new() that lost a race: kept if the arena keeps any. */
static void block_unused(struct alba *arena, struct alba_block *blk)
{
	unsigned long flags;
	bool kept = false;

	alba_plat_lock(&arena->lock, flags);
	if (arena->spare) {
		block_keep(arena, blk);
		kept = true;
	}
	alba_plat_unlock(&arena->lock, flags);
	if (!kept)
		block_free(arena, blk);
}

/* Lock held. */
static void block_link(struct alba *arena, struct alba_block *blk)
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
static void block_make_current(struct alba *arena, struct alba_block *blk)
{
	struct alba_block *old = arena->cur;

	if (old) {
		old->top = arena->pos - block_base(old);
		old->low = arena->lo - block_base(old);
		arena->sum.pad += old->pad;
		arena->sum.tail += old->lost + (old->low - old->top);
	}
	arena->cur = blk;
	arena->pos = block_base(blk) + blk->top;
	arena->lo = block_base(blk) + blk->low;
	/* Every live mark lies in an older block (or, after a reset, none is). */
	arena->marked = 0;
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
 * Lock held. Account a cursor's chunk to its block and empty the cursor.
 * The unused bottom of the chunk goes back to the free run if the chunk is
 * the lowest of the current block; otherwise it is lost (tail).
 */
static void chunk_retire(struct alba *arena, struct alba_cursor *cur)
{
	struct alba_block *blk = block_of(cur->base + 1, arena->shift);
	size_t len = cur->end - cur->base;
	size_t pad = len - cur->off - cur->used;

	blk->pad += pad;
	blk->reserved -= len;
	arena->reserved -= len;
	arena->allocs += cur->allocs;
	if (blk != arena->cur)
		arena->sum.pad += pad;
	if (blk == arena->cur && cur->base == arena->lo) {
		arena->lo = cur->base + cur->off;
	} else {
		blk->lost += cur->off;
		if (blk != arena->cur)
			arena->sum.tail += cur->off;
	}
	alba_plat_poison((void *)cur->base, cur->off);
	arena->holders--;
	cur->base = ALBA_CURSOR_MAX_ALIGN;	/* see alba_cursor_init() */
	cur->off = 0;
	cur->end = 0;
	cur->used = 0;
	cur->allocs = 0;
}

/* Lock held: where @cur's free run would end if its chunk were retired. */
static inline uintptr_t lo_after_retire(const struct alba *arena,
					const struct alba_cursor *cur)
{
	if (cur->end && cur->base == arena->lo &&
	    block_of(cur->base + 1, arena->shift) == arena->cur)
		return cur->base + cur->off;
	return arena->lo;
}

/*
 * Lock held. Bump @size bytes aligned to @align upwards in the current
 * block, or return NULL if they do not fit.
 */
static inline void *bump(struct alba *arena, size_t size, size_t align)
{
	uintptr_t pos = arena->pos;
	size_t avail = arena->lo - pos;
	size_t pad = -pos & (align - 1);
	uintptr_t p;

	if (unlikely(size > avail || pad > avail - size))
		return NULL;
	p = pos + pad;
	arena->pos = p + size;
	arena->cur->pad += pad + ALBA_RZ;
	arena->allocs++;
	/* Debug: the red zone ends the object, and is padding. */
	size -= ALBA_RZ;
	redzone_set(p, size, pad);
	alba_plat_unpoison((void *)p, size);
	return (void *)p;
}

/*
 * Lock held. Carve a chunk of about @chunk bytes from the top of the
 * current block's free run for @cur, retiring its old chunk in the same
 * critical section, and allocate @size bytes aligned to @align from its
 * top. The chunk starts on an ALBA_CURSOR_MAX_ALIGN boundary; near the
 * bottom of the run it is whatever is left above the first such boundary,
 * as long as the request fits (the rest of a block is better in a
 * cursor's hands than left as tail). NULL, with nothing changed, if the
 * request does not fit.
 */
static void *carve(struct alba *arena, struct alba_cursor *cur, size_t chunk,
		   size_t size, size_t align)
{
	const uintptr_t amask = ALBA_CURSOR_MAX_ALIGN - 1;
	uintptr_t lo = lo_after_retire(arena, cur);
	uintptr_t base, first = (arena->pos + amask) & ~amask;
	struct alba_block *blk = arena->cur;
	size_t len;

	if (first > lo || lo - first < size || unlikely(arena->dying))
		return NULL;
	base = lo - first >= chunk ? (lo - chunk) & ~amask : first;
	len = lo - base;
	if (cur->end)
		chunk_retire(arena, cur);
	arena->lo = base;
	arena->reserved += len;
	arena->holders++;
	blk->reserved += len;
	alba_plat_unpoison((void *)base, len);
	cur->base = base;
	cur->end = lo;
	cur->off = (len - size) & ~(align - 1);
	cur->used = size;
	cur->allocs = 1;
	return (void *)(base + cur->off);
}

/* Lock held: bump for alba_alloc(), or carve for a cursor. */
static inline void *place(struct alba *arena, struct alba_cursor *cur,
			  size_t size, size_t align)
{
	if (cur)
		return carve(arena, cur, cur->chunk, size, align);
	return bump(arena, size, align);
}

static void *fail(struct alba *arena, size_t size, size_t align, gfp_t gfp)
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
		return fail(arena, size, align, gfp);
	while (((size_t)1 << shift) < off || ((size_t)1 << shift) - off < size)
		shift++;

	/* The page allocator may sleep; no lock here. */
	blk = alba_plat_block_alloc(shift, gfp, arena->nid);
	if (!blk)
		return fail(arena, size, align, gfp);
	block_init(blk, arena, shift, ALBA_HDR);
	blk->dedicated = 1;
	blk->top = off + size;
	blk->pad = off - ALBA_HDR + ALBA_RZ;
	if (off > block_size) {
		/* The header alba_of() finds below an aligned object. */
		copy = (struct alba_block *)((char *)blk + off - block_size);
		alba_plat_unpoison(copy, sizeof(*copy));
		copy->arena = arena;
		copy->check = block_check(arena, copy) ^ ALBA_COPY;
		alba_plat_header_set(copy);
	}
	p = (char *)blk + off;
	redzone_set((uintptr_t)p, size - ALBA_RZ, off - ALBA_HDR);
	alba_plat_unpoison(p, size - ALBA_RZ);
	alba_plat_lock(&arena->lock, flags);
	if (unlikely(arena->dying)) {
		alba_plat_unlock(&arena->lock, flags);
		block_free(arena, blk);
		return fail(arena, size, align, gfp);
	}
	block_link(arena, blk);
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

	blk = block_new(arena, gfp);
	if (!blk)
		return fail(arena, size, align, gfp);

	alba_plat_lock(&arena->lock, flags);
	/*
	 * Another caller may have installed a fresh block meanwhile; an
	 * arena being destroyed gets none.
	 */
	p = place(arena, cur, size, align);
	if (!p && likely(!arena->dying)) {
		/* The old chunk's rest goes back before its block retires. */
		if (cur && cur->end)
			chunk_retire(arena, cur);
		block_link(arena, blk);
		block_make_current(arena, blk);
		p = place(arena, cur, size, align);
		installed = blk;
		blk = NULL;
	}
	alba_plat_unlock(&arena->lock, flags);
	if (blk)
		block_unused(arena, blk);
	else
		alba_plat_trace_block_alloc(arena, installed, shift, gfp);
	return p ? p : fail(arena, size, align, gfp);
}

/* take() when the lock was busy: wait for it, out of the fast path. */
static noinline void *take_contended(struct alba *arena, size_t size,
				     size_t align, gfp_t gfp,
				     struct alba_cursor *cur)
{
	unsigned long flags;
	void *p;

	alba_plat_lock(&arena->lock, flags);
	p = place(arena, cur, size, align);
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
	p = place(arena, cur, size, align);
	alba_plat_unlock(&arena->lock, flags);
	if (likely(p))
		return p;
	return take_block(arena, size, align, gfp, cur);
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

	blk = alba_plat_block_alloc(shift, gfp, nid);
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
	block_link(arena, blk);
	block_make_current(arena, blk);
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
 *	charges the blocks to the memory cgroup of the task allocating them.
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
 * raw spinlock taken with interrupts saved. A new block needs the page
 * allocator, which is called without the lock and only where @gfp and the
 * kernel allow it: with GFP_ATOMIC anywhere but NMI; on PREEMPT_RT only
 * where the caller is preemptible (task context, threaded IRQs, softirq,
 * under a spinlock_t). On PREEMPT_RT with interrupts off or under a raw
 * spinlock, a new block comes from alloc_pages_nolock() where the kernel
 * exports it (6.18 and later) and only up to order 3; from hard IRQ
 * (hard hrtimers included) no new block can be had. Where none can, a
 * request that needs one fails; the current block still serves.
 * Return: a pointer aligned to @align, or NULL on an invalid argument
 * (userspace: errno EINVAL) or without memory (ENOMEM).
 */
void *alba_alloc(struct alba *arena, size_t size, size_t align, gfp_t gfp)
{
	return alba_core_alloc(arena, size, align, gfp, alba_plat_caller());
}
EXPORT_SYMBOL_GPL(alba_alloc);

static void *zalloc_at(struct alba *arena, size_t size, size_t align,
		       gfp_t gfp, unsigned long ip);
static struct alba *of_at(const void *ptr, size_t block_size,
			  unsigned long ip);

/* alba_alloc() for the caller at @ip (for platforms too: alba_plat.h). */
void *alba_core_alloc(struct alba *arena, size_t size, size_t align,
		      gfp_t gfp, unsigned long ip)
{
	alba_plat_might_alloc(gfp);
	if (unlikely(alba_plat_gfp_zero(gfp)))
		return zalloc_at(arena, size, align, gfp ^ alba_plat_gfp_zero(gfp), ip);
	if (!align)
		align = ALBA_DEFAULT_ALIGN;
	if (unlikely(!arena || !size || (align & (align - 1)) ||
		     align > ALBA_MAX_BLOCK))
		return alloc_odd(arena, align, ip);
	if (ALBA_RZ && unlikely(size > ALBA_MAX_BLOCK))
		return fail(arena, size, align, gfp);
	return take(arena, size + ALBA_RZ, align, gfp, NULL);
}

/**
 * alba_zalloc() - allocate zeroed memory from an arena
 * @arena: the arena
 * @size: bytes to allocate
 * @align: as for alba_alloc()
 * @gfp: as for alba_alloc()
 *
 * Context: as alba_alloc().
 * Return: as alba_alloc(), with the object's bytes set to zero.
 */
void *alba_zalloc(struct alba *arena, size_t size, size_t align, gfp_t gfp)
{
	return zalloc_at(arena, size, align, gfp, alba_plat_caller());
}
EXPORT_SYMBOL_GPL(alba_zalloc);

static void *zalloc_at(struct alba *arena, size_t size, size_t align,
		       gfp_t gfp, unsigned long ip)
{
	void *p = alba_core_alloc(arena, size, align, gfp, ip);

	if (p && size)
		memset(p, 0, size);
	return p;
}

/* A size computation wrapped: fail as alba_alloc() does for SIZE_MAX. */
static void *overflow(struct alba *arena, size_t align, gfp_t gfp,
		      unsigned long ip)
{
	if (!arena) {
		alba_plat_invalid_at(ip, "allocation from a NULL arena");
		return NULL;
	}
	return fail(arena, SIZE_MAX, align, gfp);
}

/**
 * alba_alloc_array() - allocate an array, its size overflow-checked
 * @arena: the arena
 * @n: number of elements
 * @size: bytes per element
 * @align: as for alba_alloc()
 * @gfp: as for alba_alloc()
 *
 * Like kmalloc_array(): if @n * @size does not fit a size_t, nothing is
 * allocated.
 *
 * Context: as alba_alloc().
 * Return: the array, or NULL (userspace: errno ENOMEM when the product
 * wraps, else as alba_alloc()).
 */
void *alba_alloc_array(struct alba *arena, size_t n, size_t size,
		       size_t align, gfp_t gfp)
{
	size_t bytes;

	if (unlikely(__builtin_mul_overflow(n, size, &bytes)))
		return overflow(arena, align, gfp, alba_plat_caller());
	return alba_core_alloc(arena, bytes, align, gfp, alba_plat_caller());
}
EXPORT_SYMBOL_GPL(alba_alloc_array);

/**
 * alba_zalloc_array() - allocate a zeroed array, its size overflow-checked
 * @arena: the arena
 * @n: number of elements
 * @size: bytes per element
 * @align: as for alba_alloc()
 * @gfp: as for alba_alloc()
 *
 * Like kcalloc().
 *
 * Context: as alba_alloc().
 * Return: as alba_alloc_array(), with every byte zero.
 */
void *alba_zalloc_array(struct alba *arena, size_t n, size_t size,
			size_t align, gfp_t gfp)
{
	size_t bytes;

	if (unlikely(__builtin_mul_overflow(n, size, &bytes)))
		return overflow(arena, align, gfp, alba_plat_caller());
	return zalloc_at(arena, bytes, align, gfp, alba_plat_caller());
}
EXPORT_SYMBOL_GPL(alba_zalloc_array);

/**
 * alba_memdup() - copy memory into an arena
 * @arena: the arena
 * @src: what to copy
 * @len: bytes to copy; 0 gives the size-0 pointer of alba_alloc()
 * @gfp: as for alba_alloc()
 *
 * Like kmemdup(); the copy is aligned to ALBA_DEFAULT_ALIGN.
 *
 * Context: as alba_alloc().
 * Return: the copy, or NULL.
 */
void *alba_memdup(struct alba *arena, const void *src, size_t len, gfp_t gfp)
{
	void *p = alba_core_alloc(arena, len, 0, gfp, alba_plat_caller());

	if (p && len)
		memcpy(p, src, len);
	return p;
}
EXPORT_SYMBOL_GPL(alba_memdup);

/* The @len bytes at @s, terminated, as a new object of @arena. */
static char *strcopy_at(struct alba *arena, const char *s, size_t len,
			gfp_t gfp, unsigned long ip)
{
	char *p;

	if (unlikely(len == SIZE_MAX))
		return overflow(arena, 1, gfp, ip);
	p = alba_core_alloc(arena, len + 1, 1, gfp, ip);
	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

/**
 * alba_strndup() - copy at most @max bytes of a string into an arena
 * @arena: the arena
 * @s: the string, or NULL
 * @max: the most bytes to copy before the terminator
 * @gfp: as for alba_alloc()
 *
 * Like kstrndup(): the copy is always terminated, and holds the first
 * min(strlen(@s), @max) bytes of @s.
 *
 * Context: as alba_alloc().
 * Return: the copy, or NULL for a NULL @s or without memory.
 */
char *alba_strndup(struct alba *arena, const char *s, size_t max, gfp_t gfp)
{
	if (!s)
		return NULL;
	return strcopy_at(arena, s, strnlen(s, max), gfp, alba_plat_caller());
}
EXPORT_SYMBOL_GPL(alba_strndup);

/**
 * alba_strdup() - copy a string into an arena
 * @arena: the arena
 * @s: the string, or NULL
 * @gfp: as for alba_alloc()
 *
 * Like kstrdup().
 *
 * Context: as alba_alloc().
 * Return: the copy, or NULL for a NULL @s or without memory.
 */
char *alba_strdup(struct alba *arena, const char *s, gfp_t gfp)
{
	if (!s)
		return NULL;
	return strcopy_at(arena, s, strlen(s), gfp, alba_plat_caller());
}
EXPORT_SYMBOL_GPL(alba_strdup);

static char *vasprintf_at(struct alba *arena, gfp_t gfp, const char *fmt,
			  va_list ap, unsigned long ip)
{
	va_list measure;
	int len;
	char *p;

	va_copy(measure, ap);
	len = vsnprintf(NULL, 0, fmt, measure);
	va_end(measure);
	if (len < 0) {
		alba_plat_invalid_at(ip, "format \"%s\" failed", fmt);
		return NULL;
	}
	p = alba_core_alloc(arena, (size_t)len + 1, 1, gfp, ip);
	if (p)
		vsnprintf(p, (size_t)len + 1, fmt, ap);
	return p;
}

/**
 * alba_vasprintf() - format a string into an arena
 * @arena: the arena
 * @gfp: as for alba_alloc()
 * @fmt: a printf format (the kernel's vsnprintf() in the kernel, the C
 *	library's in userspace: use what both have for portable code)
 * @ap: its arguments
 *
 * Like kvasprintf(): the string is measured, then written into an object of
 * exactly its length plus the terminator; one longer than a block gets a
 * dedicated block.
 *
 * Context: as alba_alloc().
 * Return: the string, or NULL without memory (or, in userspace, with
 * errno EINVAL for a format the C library rejects).
 */
char *alba_vasprintf(struct alba *arena, gfp_t gfp, const char *fmt,
		     va_list ap)
{
	return vasprintf_at(arena, gfp, fmt, ap, alba_plat_caller());
}
EXPORT_SYMBOL_GPL(alba_vasprintf);

/**
 * alba_asprintf() - format a string into an arena
 * @arena: the arena
 * @gfp: as for alba_alloc()
 * @fmt: as for alba_vasprintf()
 *
 * Like kasprintf().
 *
 * Context: as alba_alloc().
 * Return: as alba_vasprintf().
 */
char *alba_asprintf(struct alba *arena, gfp_t gfp, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = vasprintf_at(arena, gfp, fmt, ap, alba_plat_caller());
	va_end(ap);
	return p;
}
EXPORT_SYMBOL_GPL(alba_asprintf);

/*
 * Lock held: grow or shrink @p, of @old bytes, to @new bytes where it
 * lies, if it is the newest object of the current block, no live mark is
 * newer than it, and the block has room. False if not. (A mark taken after
 * @p must find @p as it was: a shrink would leave the arena below the
 * mark, and a rewind would cut a growth off.)
 */
static bool resize_in_place(struct alba *arena, uintptr_t p, size_t old,
			    size_t new)
{
	size_t room;

	if (block_of(p + 1, arena->shift) != arena->cur || p < arena->marked ||
	    old > arena->pos - p || p + old + ALBA_RZ != arena->pos)
		return false;
	room = arena->lo - p;
	if (new > room || new + ALBA_RZ > room)
		return false;
	arena->pos = p + new + ALBA_RZ;
	arena->allocs++;
	/* A shrink gives the tail to the next caller: poison it first. */
	if (new < old)
		alba_plat_poison((void *)(p + new), old - new);
	return true;
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
 * @p: the object, or NULL (then this is alba_alloc())
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
 * Context: as alba_alloc().
 * Return: the object, or NULL (userspace: errno EINVAL if @p is not an
 * object of @arena or @align is invalid, ENOMEM without memory); on
 * failure @p is untouched.
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
	if (!p || !new_size || !arena || !align_ok(&align))
		return alba_core_alloc(arena, new_size, align, gfp, ip);
	if (q & (align - 1) || of_at(p, (size_t)1 << arena->shift, ip) != arena) {
		alba_plat_invalid_at(ip, "%s(%s, %p): not an object of this arena aligned to %zu",
				     __func__, arena->name, p, align);
		return NULL;
	}
	/* Read before the lock: a shrink gives these bytes to others. */
	if (ALBA_RZ && old_size <= ALBA_MAX_BLOCK)
		pad = redzone_pad(q, old_size);
	alba_plat_lock(&arena->lock, flags);
	done = resize_in_place(arena, q, old_size, new_size);
	alba_plat_unlock(&arena->lock, flags);
	if (done) {
		if (new_size > old_size) {
			alba_plat_unpoison((void *)(q + old_size), new_size - old_size);
			if (alba_plat_gfp_zero(gfp))
				memset((void *)(q + old_size), 0, new_size - old_size);
		}
		redzone_set(q, new_size, pad);
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
	*tail = arena->spare;	/* any a racing block_unused() kept */
	arena->spare = kept;
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
	arena->spare = NULL;
	arena->spares = 0;
	first->older = NULL;
	arena->newest = first;
	first->pad = 0;
	first->lost = 0;
	first->top = first->data;
	first->low = block_bytes(first);
	arena->cur = NULL;
	block_make_current(arena, first);
	arena->sum = (struct alba_totals){ .blocks = 1, .bytes = block_bytes(first),
					   .header = first->data };
	arena->depth = 0;	/* every mark is released */
	arena->unlinks++;
	alba_plat_poison((void *)arena->pos, arena->lo - arena->pos);
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
 * alba_reset_keep(@arena, 0); alba_destroy() frees them all.
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
 * first. alba_reset_keep() keeps more blocks.
 *
 * Context: any context but NMI; the lock is held for a constant time, and
 * the blocks are freed after it is dropped (on PREEMPT_RT, where the page
 * allocator may not be called, from a workqueue).
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
	uintptr_t h = (uintptr_t)arena ^ (uintptr_t)mark->arena_id;
	size_t i;

	h = (h ^ mark->seq ^ ((uintptr_t)mark->depth << 16)) * k;
	h = (h ^ (uintptr_t)mark->newest) * k;
	h = (h ^ (uintptr_t)mark->cur) * k;
	h = (h ^ mark->pos) * k;
	h = (h ^ mark->lo) * k;
	h = (h ^ mark->pad) * k;
	h = (h ^ mark->lost) * k;
	h = (h ^ (uintptr_t)mark->cleanups) * k;
	for (i = 0; i < ARRAY_SIZE(mark->sum); i++)
		h = (h ^ mark->sum[i]) * k;
	return h ^ (h >> 29);
}

static bool mark_valid(const struct alba *arena, const struct alba_mark *mark)
{
	if (mark->arena_id != arena->id || !mark->depth ||
	    mark->depth > arena->depth ||
	    arena->live[mark->depth % ALBA_MARK_SLOTS] != mark->seq ||
	    mark->check != mark_check(arena, mark))
		return false;
	/* A live mark's position: the arena never went below it. */
	return mark->cur != arena->cur ||
	       (mark->pos <= arena->pos && mark->lo >= arena->lo);
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
	arena->marked = arena->pos;
	mark.arena_id = arena->id;
	mark.seq = ++arena->mark_seq;
	mark.depth = ++arena->depth;
	arena->live[mark.depth % ALBA_MARK_SLOTS] = mark.seq;
	mark.newest = arena->newest;
	mark.cur = arena->cur;
	mark.pos = arena->pos;
	mark.lo = arena->lo;
	mark.pad = arena->cur->pad;
	mark.lost = arena->cur->lost;
	mark.sum[0] = arena->sum.blocks;
	mark.sum[1] = arena->sum.bytes;
	mark.sum[2] = arena->sum.header;
	mark.sum[3] = arena->sum.pad;
	mark.sum[4] = arena->sum.tail;
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
 * checked in constant time (see mark_valid()).
 *
 * Context: any context but NMI; the lock is held for a constant time, and
 * the blocks are freed after it is dropped (on PREEMPT_RT, where the page
 * allocator may not be called, from a workqueue).
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
		if (!mark_valid(arena, &mark)) {
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
	arena->pos = mark.pos;
	arena->lo = mark.lo;
	arena->marked = mark.pos;
	arena->sum = (struct alba_totals){ mark.sum[0], mark.sum[1], mark.sum[2],
					   mark.sum[3], mark.sum[4] };
	arena->depth = mark.depth;	/* the marks above it are released */
	arena->unlinks++;
	alba_plat_poison((void *)arena->pos, arena->lo - arena->pos);
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
 * The live block header (@copy 0) or header copy (ALBA_COPY) at @p, or
 * NULL; the platform vouches for @p before it is read. No block lives at
 * 0: this catches size-0 pointers and small junk.
 */
static const struct alba_block *header_at(uintptr_t p, uintptr_t copy)
{
	const struct alba_block *blk = (const struct alba_block *)p;

	if (!p || !alba_plat_header_test(blk))
		return NULL;
	if (blk->check != (block_check(blk->arena, blk) ^ copy))
		return NULL;
	return blk;
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
 * Context: any context. The caller must not race alba_destroy() of the
 * arena it asks about.
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
	const struct alba_block *blk;
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
	blk = header_at(base, 0);
	/*
	 * No header there: an object aligned to the block size or more
	 * starts on that boundary, and has a header copy just below it. A
	 * real header there does not count: the end of a block is not in it.
	 */
	if (!blk && base) {
		blk = header_at(base - block_size, ALBA_COPY);
		/* Aligned to exactly the block size: the copy is the header. */
		if (!blk) {
			blk = header_at(base - block_size, 0);
			if (blk && (!blk->dedicated ||
				    blk->pad + ALBA_HDR - ALBA_RZ != block_size))
				blk = NULL;
		}
	}
	if (!blk || blk->arena->shift != shift_of(block_size)) {
		alba_plat_invalid_at(ip, "alba_of(%p, %zu): no arena has such blocks",
				     ptr, block_size);
		return NULL;
	}
	return blk->arena;
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

/* Lock held: the figures of one block. */
static void block_figures(const struct alba *arena,
			  const struct alba_block *blk, struct alba_stats *s)
{
	bool is_cur = blk == arena->cur;
	size_t size = block_bytes(blk);
	size_t top = is_cur ? arena->pos - block_base(blk) : blk->top;
	size_t low = is_cur ? arena->lo - block_base(blk) : blk->low;

	memset(s, 0, sizeof(*s));
	s->blocks = 1;
	s->block_bytes = size;
	s->header_bytes = blk->data;
	s->used_bytes = (top - blk->data) + (size - low) - blk->pad -
			blk->reserved - blk->lost;
	s->pad_bytes = blk->pad;
	s->reserved_bytes = blk->reserved;
	s->tail_bytes = blk->lost + (is_cur ? 0 : low - top);
	s->free_bytes = is_cur ? low - top : 0;
	s->block_size = (size_t)1 << arena->shift;
}

/**
 * alba_get_stats() - what an arena holds
 * @arena: the arena
 * @stats: filled in; see struct alba_stats for the identity it satisfies
 *
 * O(1): the arena keeps running totals, and the lock is held for the time
 * it takes to copy them, however many blocks there are.
 *
 * Context: any context but NMI (the arena's raw spinlock).
 */
void alba_get_stats(struct alba *arena, struct alba_stats *stats)
{
	const struct alba_block *cur;
	unsigned long flags;

	if (!stats || !arena) {
		alba_plat_invalid("%s(%p, %p): NULL argument", __func__, arena,
				  stats);
		if (stats)
			memset(stats, 0, sizeof(*stats));
		return;
	}
	alba_plat_lock(&arena->lock, flags);
	cur = arena->cur;
	/* Kept blocks are the arena's: their headers, and free beyond. */
	stats->blocks = arena->sum.blocks + arena->spares;
	stats->block_bytes = arena->sum.bytes + (arena->spares << arena->shift);
	stats->header_bytes = arena->sum.header + arena->spares * ALBA_HDR;
	stats->pad_bytes = arena->sum.pad + cur->pad;
	stats->tail_bytes = arena->sum.tail + cur->lost;
	stats->free_bytes = arena->lo - arena->pos +
			    arena->spares * (((size_t)1 << arena->shift) - ALBA_HDR);
	stats->reserved_bytes = arena->reserved;
	stats->allocs = arena->allocs;
	stats->failed = arena->failed;
	alba_plat_unlock(&arena->lock, flags);
	stats->used_bytes = stats->block_bytes - stats->header_bytes -
			    stats->pad_bytes - stats->tail_bytes -
			    stats->free_bytes - stats->reserved_bytes;
	stats->block_size = (size_t)1 << arena->shift;
}
EXPORT_SYMBOL_GPL(alba_get_stats);

/*
 * Lock held. The errors in one block: a bad header (then nothing else is
 * trusted), and in debug builds each clobbered red zone, a walk that does
 * not reach the block's start, and sizes that do not add up. Red zones
 * follow locked allocations only (cursors take the locked path in debug
 * builds), so the walk covers [data, top).
 */
static unsigned int block_validate(const struct alba *arena,
				   const struct alba_block *blk)
{
	size_t size = block_bytes(blk), used = 0, pad = 0;
	size_t top = blk == arena->cur ? arena->pos - block_base(blk) : blk->top;
	size_t low = blk == arena->cur ? arena->lo - block_base(blk) : blk->low;
	unsigned int errors = 0, i;
	struct alba_redzone rz;
	uintptr_t t;

	if (blk->check != block_check(arena, blk) || blk->arena != arena ||
	    low > size || top > low || top < blk->data ||
	    blk->pad + blk->reserved + blk->lost > (top - blk->data) + (size - low))
		return 1;
	if (!ALBA_RZ)
		return 0;
	while (top > blk->data) {
		if (top < blk->data + ALBA_RZ)
			return errors + 1;
		t = block_base(blk) + top - ALBA_RZ;
		alba_plat_unpoison((void *)t, sizeof(rz));
		memcpy(&rz, (void *)t, sizeof(rz));
		alba_plat_poison((void *)t, sizeof(rz));
		for (i = 0; i < sizeof(rz.pattern); i++)
			if (rz.pattern[i] != ALBA_RZ_BYTE)
				break;
		errors += i < sizeof(rz.pattern);
		if ((size_t)rz.size + rz.pad > top - ALBA_RZ - blk->data)
			return errors + 1;
		used += rz.size;
		pad += rz.pad + ALBA_RZ;
		top -= ALBA_RZ + rz.size + rz.pad;
	}
	/* The walk must account for exactly what the block counted. */
	top = blk == arena->cur ? arena->pos - block_base(blk) : blk->top;
	if (pad != blk->pad || used != top - blk->data - blk->pad)
		errors++;
	return errors;
}

/**
 * alba_validate() - check an arena's blocks and, in debug builds, objects
 * @arena: the arena
 *
 * Walks every block under the lock, as slub's validate does, and counts
 * what is wrong: a block header whose check value or counters are off; in
 * debug builds (ALBA_DEBUG, CONFIG_ALBA_DEBUG) also every red zone after
 * an object that was written to, and every block whose objects do not add
 * up to its statistics. Cursors must hold no chunks. A debugging tool: the
 * lock is held for the whole walk.
 *
 * Context: where interrupts may stay off for a walk of the whole arena
 * (the raw spinlock is held with them saved throughout: time grows with
 * the arena, and in debug builds with its objects); not NMI.
 * Return: the number of errors found; 0 for a sound arena.
 */
unsigned int alba_validate(struct alba *arena)
{
	const struct alba_block *blk;
	unsigned int errors = 0;
	unsigned long flags;

	if (!arena) {
		alba_plat_invalid("%s(NULL)", __func__);
		return 1;
	}
	alba_plat_lock(&arena->lock, flags);
	for (blk = arena->newest; blk; blk = blk->older)
		errors += block_validate(arena, blk);
	alba_plat_unlock(&arena->lock, flags);
	return errors;
}
EXPORT_SYMBOL_GPL(alba_validate);

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
	unsigned long flags = 0;

	if (phase == 0)
		alba_plat_lock(&arena->lock, flags);
	else if (phase == 1)
		alba_plat_unlock(&arena->lock, flags);
	else
		alba_plat_lock_init(&arena->lock);
}
#endif

/*
 * For platforms: the figures of up to @max blocks, newest first, from
 * where @walk left off (zeroed: from the newest). The lock is held for
 * one batch only; if the arena released blocks since the last batch, the
 * walk ends (walk->changed) rather than follow a freed block.
 */
size_t alba_core_blocks(struct alba *arena, struct alba_block_info *info,
			size_t max, struct alba_walk *walk)
{
	const struct alba_block *blk;
	unsigned long flags;
	size_t n = 0;

	alba_plat_lock(&arena->lock, flags);
	if (!walk->started) {
		walk->started = true;
		walk->unlinks = arena->unlinks;
		walk->next = arena->newest;
	} else if (walk->unlinks != arena->unlinks) {
		walk->changed = true;
		walk->next = NULL;
	}
	for (blk = walk->next; blk && n < max; blk = blk->older, n++) {
		info[n].base = blk;
		info[n].shift = blk->shift;
		info[n].is_current = blk == arena->cur;
		block_figures(arena, blk, &info[n].stats);
	}
	walk->next = blk;
	alba_plat_unlock(&arena->lock, flags);
	return n;
}

/*
 * For platforms' per-CPU cursors (see alba_plat.h), which must not call
 * the page allocator where they hold their own per-CPU lock:
 *
 * alba_core_chunkable() - would a refill carve a chunk for this request,
 *	rather than hand it to alba_alloc() (large, strongly aligned, size 0,
 *	invalid, or a debug build)?
 * alba_core_refill() - alba_cursor_refill() that never calls the page
 *	allocator: NULL if the current block has no room, unless *@spare
 *	holds a block from alba_core_block_get(), which then becomes the
 *	current block (and *@spare NULL); otherwise *@spare is left for the
 *	caller to give back with alba_core_block_put().
 * alba_core_block_get() - a fresh block for the arena, from the page
 *	allocator with @gfp, or NULL (counted as a failed allocation).
 */
bool alba_core_chunkable(const struct alba_cursor *cur, size_t size,
			 size_t align)
{
	return !ALBA_RZ && cur && cur->arena && align_ok(&align) && size &&
	       size <= cur->chunk && align <= ALBA_CURSOR_MAX_ALIGN;
}

void *alba_core_refill(struct alba_cursor *cur, size_t size, size_t align,
		       void **spare)
{
	struct alba *arena = cur->arena;
	unsigned long flags;
	void *p;

	align_ok(&align);
	alba_plat_lock(&arena->lock, flags);
	p = carve(arena, cur, cur->chunk, size, align);
	if (!p && *spare) {
		if (cur->end)
			chunk_retire(arena, cur);
		block_link(arena, *spare);
		block_make_current(arena, *spare);
		p = carve(arena, cur, cur->chunk, size, align);
		*spare = NULL;
	}
	alba_plat_unlock(&arena->lock, flags);
	return p;
}

void *alba_core_block_get(struct alba *arena, gfp_t gfp)
{
	struct alba_block *blk;

	blk = block_new(arena, gfp);
	if (!blk)
		return fail(arena, 0, 0, gfp);
	alba_plat_trace_block_alloc(arena, blk, arena->shift, gfp);
	return blk;
}

void alba_core_block_put(struct alba *arena, void *blk)
{
	block_unused(arena, blk);
}

/**
 * alba_cursor_init() - attach a cursor to an arena
 * @cur: the cursor
 * @arena: the arena
 * @chunk: bytes to reserve at a time; 0 for half a block, and at most what
 *	a fresh block holds. A chunk starts on an ALBA_CURSOR_MAX_ALIGN
 *	boundary, so it may be up to that much larger; near the end of a
 *	block it is what is left, if the request fits there.
 *
 * The cursor holds nothing until its first allocation. @cur must hold no
 * chunk: a new cursor, or one after alba_cursor_fini(). Initialising a
 * cursor that still holds a chunk is the caller's bug and is not
 * detected (the cursor's memory is not read, as it may be uninitialised):
 * the chunk stays reserved, and the arena refuses reset, mark and rewind
 * (EBUSY) for the rest of its life.
 *
 * Context: any context.
 */
void alba_cursor_init(struct alba_cursor *cur, struct alba *arena, size_t chunk)
{
	size_t block_size, room;

	if (!cur) {
		alba_plat_invalid("%s() of a NULL cursor", __func__);
		return;
	}
	memset(cur, 0, sizeof(*cur));
	if (!arena) {
		alba_plat_invalid("%s() on a NULL arena", __func__);
		return;
	}
	block_size = (size_t)1 << arena->shift;
	room = block_size - round_up_pow2(ALBA_HDR, ALBA_CURSOR_MAX_ALIGN);
	/* Half a block: few trips to the lock, and no tail (see carve()). */
	if (!chunk)
		chunk = block_size / 2;
	/* No chunk: an empty one, so that every request is a refill. */
	cur->base = ALBA_CURSOR_MAX_ALIGN;
	cur->arena = arena;
	cur->chunk = chunk < room ? chunk : room;
}
EXPORT_SYMBOL_GPL(alba_cursor_init);

/**
 * alba_cursor_refill() - the slow path of alba_cursor_alloc()
 * @cur: the cursor
 * @size: bytes to allocate
 * @align: a power of two, or 0 for ALBA_DEFAULT_ALIGN
 * @gfp: flags for a new block (userspace: 0)
 *
 * Reserves a fresh chunk under the arena lock, retiring the old one in the
 * same critical section, and allocates from it. Requests larger than a
 * chunk, aligned beyond ALBA_CURSOR_MAX_ALIGN, of size 0 or invalid go to
 * alba_alloc() and leave the chunk alone; so does every request in debug
 * builds, which check every object. Call alba_cursor_alloc() instead.
 *
 * Context: as alba_cursor_alloc().
 * Return: as alba_alloc().
 */
void *alba_cursor_refill(struct alba_cursor *cur, size_t size, size_t align,
			 gfp_t gfp)
{
	alba_plat_might_alloc(gfp);
	if (!cur || !cur->arena) {
		alba_plat_invalid("allocation from a cursor without an arena");
		return NULL;
	}
	if (ALBA_RZ || !align_ok(&align) || !size || size > cur->chunk ||
	    align > ALBA_CURSOR_MAX_ALIGN)
		return alba_core_alloc(cur->arena, size, align, gfp,
				       alba_plat_caller());
	return take(cur->arena, size, align, gfp, cur);
}
EXPORT_SYMBOL_GPL(alba_cursor_refill);

/**
 * alba_cursor_fini() - give back a cursor's chunk
 * @cur: the cursor
 *
 * Accounts the cursor's allocations to the arena; the unused rest of its
 * chunk goes back to the arena if nothing was carved after it, and counts
 * as tail otherwise. The objects stay valid. The cursor can be used again
 * afterwards and reserves a new chunk.
 *
 * Context: any context but NMI (the arena's raw spinlock).
 */
void alba_cursor_fini(struct alba_cursor *cur)
{
	struct alba *arena = cur ? cur->arena : NULL;
	unsigned long flags;

	if (!arena || !cur->end)
		return;
	alba_plat_lock(&arena->lock, flags);
	chunk_retire(arena, cur);
	alba_plat_unlock(&arena->lock, flags);
}
EXPORT_SYMBOL_GPL(alba_cursor_fini);
