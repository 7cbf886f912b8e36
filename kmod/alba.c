// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * alba.c - aligned block arena: the portable core.
 *
 * An arena hands out memory from blocks whose size is a power of two and
 * whose address is a multiple of that size. In the kernel a block is
 * alloc_pages() of the matching order; in userspace it is trimmed mmap() or
 * VirtualAlloc2(). Everything below follows from that one property.
 *
 * Bumping. The current block has a bump position. An object of alignment A
 * goes at the next multiple of A; because the block base is a multiple of
 * the block size (and so of every smaller power of two), an aligned offset
 * is an aligned address, and the padding is exactly what the alignment
 * needs from the current position, never more. Objects that do not fit a
 * fresh block get a dedicated block of the smallest sufficient power-of-two
 * size, and the current block stays current.
 *
 * Finding the arena. Every block starts with a header naming its arena and
 * carrying a check value derived from the arena and the header's own
 * address. Masking any object pointer (minus one, see below) with
 * ~(block_size - 1) lands on that header: alba_of() is O(1), lock-free and
 * does not search. The "minus one" matters only for objects aligned to the
 * block size or more: such an object starts on a block-size boundary, so
 * the header that covers it must sit just below it; those dedicated blocks
 * carry a copy of the header there. For every other object, masking the
 * pointer or the pointer minus one gives the same header.
 *
 * Locking. One spinlock per arena, taken with interrupts saved, guards the
 * bump position and the block list; the critical section of an allocation
 * is a handful of instructions. The page allocator is never called with the
 * lock held: the slow path drops the lock, allocates a block, retakes the
 * lock and checks again, because another CPU may have installed a fresh
 * block meanwhile; the loser of that race is freed after unlocking. Blocks
 * released by reset, rewind or destroy are unlinked under the lock and
 * freed after it.
 *
 * Cursors. A cursor reserves a chunk of the current block under the lock,
 * then bumps inside it with no lock and no atomic: the inline fast path in
 * alba.h is a few instructions. Its allocations are accounted to the arena
 * when the chunk is retired (refill or fini); until then the chunk shows as
 * reserved_bytes. Reset, mark and rewind need an arena no cursor holds a
 * chunk of, and refuse otherwise.
 *
 * Accounting. Each block counts its padding, cursor-reserved and lost
 * bytes; everything else between its header and its top is used, so the
 * hot path counts one thing per object (its padding) and nothing can
 * drift: block_bytes == header + used + pad + tail + free + reserved.
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
#define ALBA_MAX_BLOCK	((size_t)1 << ALBA_PLAT_MAX_SHIFT)
#define ALBA_MIN_BLOCK	((size_t)1 << ALBA_PLAT_PAGE_SHIFT)
/* Cursors bump for alignments up to this; see alba_cursor_alloc(). */
#define ALBA_CURSOR_MAX_ALIGN	4096

/*
 * Debug mode (ALBA_DEBUG; CONFIG_ALBA_DEBUG in the kernel): every object
 * is followed by a red zone, a trailer holding a pattern, the object's
 * size and the padding before it, so that alba_validate() can walk each
 * block back from its top and check every object. The red zones count as
 * padding, and (for ASan) stay poisoned. Cursors take the locked path.
 * Without ALBA_DEBUG, ALBA_RZ is 0 and all of it compiles away.
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
 * The header at the base of every block. @top is how far the block has
 * been consumed, valid once the block is no longer current (the current
 * block's top is the arena's bump position). Everything between @data and
 * @top is padding, reserved by a cursor, lost (the unused rest of a
 * retired cursor chunk), or else used; everything above @top is tail or
 * free.
 */
struct alba_block {
	uintptr_t check;
	struct alba *arena;
	struct alba_block *older;
	unsigned long serial;
	unsigned int shift;
	unsigned int data;
	size_t top;
	size_t pad;
	size_t reserved;
	size_t lost;
};

struct alba {
	alba_plat_lock_t lock;
	uintptr_t pos;			/* bump position in @cur */
	uintptr_t end;			/* end of @cur */
	struct alba_block *cur;		/* the block being bumped */
	struct alba_block *newest;	/* list of all blocks, newest first */
	unsigned long serial;		/* serial of the newest block */
	unsigned long gen;		/* bumped by every reset */
	unsigned int holders;		/* cursors holding a chunk */
	unsigned int shift;		/* log2 of the block size */
	unsigned long long allocs;
	unsigned long long failed;
	void *plat;			/* the platform's (debugfs) */
	char name[ALBA_NAME_MAX];
};

/* Header sizes, rounded up to 16 bytes. */
#define ALBA_HDR	((sizeof(struct alba_block) + 15) & ~(size_t)15)
#define ALBA_FIRST_HDR	((ALBA_HDR + sizeof(struct alba) + 15) & ~(size_t)15)

static_assert(sizeof(struct alba) + ALBA_HDR < ALBA_MIN_BLOCK / 2,
	      "the arena must leave room in its first block");

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

static void block_init(struct alba_block *blk, struct alba *arena,
		       unsigned int shift, unsigned int data)
{
	memset(blk, 0, sizeof(*blk));
	blk->check = block_check(arena, blk);
	blk->arena = arena;
	blk->shift = shift;
	blk->data = data;
	alba_plat_poison((char *)blk + data, ((size_t)1 << shift) - data);
}

/* Lock held. */
static void block_link(struct alba *arena, struct alba_block *blk)
{
	blk->older = arena->newest;
	blk->serial = ++arena->serial;
	arena->newest = blk;
}

/* Lock held. Make @blk the block being bumped; the old one keeps its top. */
static void block_make_current(struct alba *arena, struct alba_block *blk)
{
	if (arena->cur)
		arena->cur->top = arena->pos - block_base(arena->cur);
	arena->cur = blk;
	arena->pos = block_base(blk) + blk->data;
	arena->end = block_base(blk) + ((size_t)1 << blk->shift);
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
 * With @give_back the unused rest goes back to the bump position (the
 * chunk must end there); otherwise it is lost.
 */
static void chunk_retire(struct alba *arena, struct alba_cursor *cur,
			 bool give_back)
{
	struct alba_block *blk = block_of(cur->start, arena->shift);

	blk->pad += cur->pos - cur->start - cur->used;
	blk->reserved -= cur->end - cur->start;
	arena->allocs += cur->allocs;
	if (give_back) {
		arena->pos = cur->pos;
		alba_plat_poison((void *)cur->pos, cur->end - cur->pos);
	} else {
		blk->lost += cur->end - cur->pos;
	}
	arena->holders--;
	cur->pos = 0;
	cur->end = 0;
	cur->start = 0;
	cur->used = 0;
	cur->allocs = 0;
}

static inline bool chunk_on_top(const struct alba *arena,
				const struct alba_cursor *cur)
{
	return cur && cur->end && cur->end == arena->pos;
}

/*
 * Lock held. Bump @size bytes aligned to @align in the current block, or
 * return NULL if they do not fit. With @cur, the bytes become the cursor's
 * new chunk, and its old chunk is retired in the same critical section; if
 * the old chunk ends at the bump position its rest is reused. A chunk may
 * be smaller than @size, down to @need: the rest of the block is better in
 * a cursor's hands than left as tail.
 */
static inline void *bump(struct alba *arena, size_t size, size_t need,
			 size_t align, struct alba_cursor *cur)
{
	bool on_top = chunk_on_top(arena, cur);
	uintptr_t pos = on_top ? cur->pos : arena->pos;
	size_t avail = arena->end - pos;
	size_t pad = -pos & (align - 1);
	struct alba_block *blk = arena->cur;
	uintptr_t p;

	if (unlikely(size > avail || pad > avail - size)) {
		if (!cur || need > avail || pad > avail - need)
			return NULL;
		size = avail - pad;
	}
	if (cur && cur->end)
		chunk_retire(arena, cur, on_top);
	p = pos + pad;
	arena->pos = p + size;
	blk->pad += pad;
	if (cur) {
		blk->reserved += size;
		arena->holders++;
		cur->start = p;
		cur->pos = p;
		cur->end = p + size;
	} else {
		arena->allocs++;
		/* Debug: the red zone ends the object, and is padding. */
		blk->pad += ALBA_RZ;
		size -= ALBA_RZ;
		redzone_set(p, size, pad);
	}
	alba_plat_unpoison((void *)p, size);
	return (void *)p;
}

static void *fail(struct alba *arena, gfp_t gfp)
{
	unsigned long flags;

	alba_plat_lock(&arena->lock, flags);
	arena->failed++;
	alba_plat_unlock(&arena->lock, flags);
	alba_plat_nomem(gfp);
	return NULL;
}

/*
 * A request that does not fit the current block: a fresh block for the
 * bump, or a dedicated block for an object no fresh block can hold.
 */
static noinline void *take_block(struct alba *arena, size_t size,
				 size_t need, size_t align, gfp_t gfp,
				 struct alba_cursor *cur)
{
	size_t block_size = (size_t)1 << arena->shift;
	size_t off = round_up_pow2(ALBA_HDR, align);
	unsigned int shift = arena->shift;
	bool dedicated = !fits_fresh(arena->shift, size, align);
	struct alba_block *blk, *copy;
	unsigned long flags;
	void *p;

	if (dedicated) {
		if (off > ALBA_MAX_BLOCK || size > ALBA_MAX_BLOCK - off)
			return fail(arena, gfp);
		while (((size_t)1 << shift) < off ||
		       ((size_t)1 << shift) - off < size)
			shift++;
	}

	/* The page allocator may sleep; no lock here. */
	blk = alba_plat_block_alloc(shift, gfp);
	if (!blk)
		return fail(arena, gfp);
	block_init(blk, arena, shift, ALBA_HDR);

	alba_plat_lock(&arena->lock, flags);
	if (dedicated) {
		block_link(arena, blk);
		blk->top = off + size;
		blk->pad = off - ALBA_HDR + ALBA_RZ;
		arena->allocs++;
		alba_plat_unlock(&arena->lock, flags);
		if (off > block_size) {
			/* The header alba_of() finds below an aligned object. */
			copy = (struct alba_block *)((char *)blk + off - block_size);
			alba_plat_unpoison(copy, sizeof(*copy));
			copy->arena = arena;
			copy->check = block_check(arena, copy);
		}
		p = (char *)blk + off;
		redzone_set((uintptr_t)p, size - ALBA_RZ, off - ALBA_HDR);
		alba_plat_unpoison(p, size - ALBA_RZ);
		return p;
	}

	/* Another caller may have installed a fresh block meanwhile. */
	p = bump(arena, size, need, align, cur);
	if (!p) {
		if (chunk_on_top(arena, cur))
			chunk_retire(arena, cur, true);
		block_link(arena, blk);
		block_make_current(arena, blk);
		p = bump(arena, size, need, align, cur);
		blk = NULL;
	}
	alba_plat_unlock(&arena->lock, flags);
	if (blk)
		alba_plat_block_free(blk, shift);
	return p;
}

/* take() when the lock was busy: wait for it, out of the fast path. */
static noinline void *take_contended(struct alba *arena, size_t size,
				     size_t need, size_t align, gfp_t gfp,
				     struct alba_cursor *cur)
{
	unsigned long flags;
	void *p;

	alba_plat_lock(&arena->lock, flags);
	p = bump(arena, size, need, align, cur);
	alba_plat_unlock(&arena->lock, flags);
	if (likely(p))
		return p;
	return take_block(arena, size, need, align, gfp, cur);
}

/*
 * Bump under the lock. Whatever is uncommon (a busy lock, a full block) is
 * a tail call out of line, so that the common case is a leaf with nothing
 * to save.
 */
static inline void *take(struct alba *arena, size_t size, size_t need,
			 size_t align, gfp_t gfp, struct alba_cursor *cur)
{
	unsigned long flags;
	void *p;

	if (unlikely(!alba_plat_trylock(&arena->lock, flags)))
		return take_contended(arena, size, need, align, gfp, cur);
	p = bump(arena, size, need, align, cur);
	alba_plat_unlock(&arena->lock, flags);
	if (likely(p))
		return p;
	return take_block(arena, size, need, align, gfp, cur);
}

/* Requests off the fast path: invalid arguments and size 0. */
static noinline void *alloc_odd(struct alba *arena, size_t align)
{
	bool align_valid = align_ok(&align);
	unsigned long flags;

	if (!arena) {
		alba_plat_invalid("allocation from a NULL arena");
		return NULL;
	}
	alba_plat_lock(&arena->lock, flags);
	if (align_valid)
		arena->allocs++;
	else
		arena->failed++;
	alba_plat_unlock(&arena->lock, flags);
	if (!align_valid) {
		alba_plat_invalid("alignment %zu is not a power of two up to %zu",
				  align, ALBA_MAX_BLOCK);
		return NULL;
	}
	/* Size 0: like ZERO_SIZE_PTR, aligned, never NULL, never touched. */
	return (void *)align;
}

/**
 * alba_create() - create an arena
 * @name: a name for debugfs and messages (copied; may be NULL)
 * @block_size: a power of two from the page size up to the largest block
 *	the platform gives (kernel: PAGE_SIZE << (MAX_ORDER - 1); userspace:
 *	1 GiB), or 0 for ALBA_DEFAULT_BLOCK_SIZE
 * @gfp: flags for the first block (userspace: 0)
 *
 * Takes the first block at once; it also holds the arena itself.
 *
 * Context: any context @gfp allows; with a blocking @gfp the kernel also
 * adds the arena's debugfs directory.
 * Return: the arena, or NULL if @block_size is invalid (userspace: errno
 * EINVAL) or there is no memory (ENOMEM).
 */
struct alba *alba_create(const char *name, size_t block_size, gfp_t gfp)
{
	struct alba_block *blk;
	struct alba *arena;
	unsigned int shift, i;

	if (!block_size)
		block_size = ALBA_DEFAULT_BLOCK_SIZE;
	if (!is_pow2(block_size) || block_size < ALBA_MIN_BLOCK ||
	    block_size > ALBA_MAX_BLOCK) {
		alba_plat_invalid("block size %zu is not a power of two from %zu to %zu",
				  block_size, ALBA_MIN_BLOCK, ALBA_MAX_BLOCK);
		return NULL;
	}
	shift = shift_of(block_size);

	blk = alba_plat_block_alloc(shift, gfp);
	if (!blk) {
		alba_plat_nomem(gfp);
		return NULL;
	}
	arena = (struct alba *)((char *)blk + ALBA_HDR);
	alba_plat_unpoison(blk, ALBA_FIRST_HDR);
	memset(arena, 0, sizeof(*arena));
	alba_plat_lock_init(&arena->lock);
	arena->shift = shift;
	arena->gen = 1;
	if (!name)
		name = "alba";
	for (i = 0; i < ALBA_NAME_MAX - 1 && name[i]; i++)
		arena->name[i] = name[i];

	block_init(blk, arena, shift, ALBA_FIRST_HDR);
	block_link(arena, blk);
	block_make_current(arena, blk);
	alba_plat_arena_added(arena, gfp);
	return arena;
}
EXPORT_SYMBOL_GPL(alba_create);

/**
 * alba_destroy() - free an arena and every block it holds
 * @arena: the arena, or NULL (nothing happens)
 *
 * All pointers into the arena become invalid. No other caller may use the
 * arena during or after this call; cursors should be finished first.
 *
 * Context: process context in the kernel (removes the debugfs directory).
 */
void alba_destroy(struct alba *arena)
{
	struct alba_block *blk, *older;

	if (!arena)
		return;
	alba_plat_arena_removed(arena);
	WARN_ON_ONCE(arena->holders);
	/* The oldest block holds the arena; it goes last. */
	for (blk = arena->newest; blk; blk = older) {
		older = blk->older;
		alba_plat_block_free(blk, blk->shift);
	}
}
EXPORT_SYMBOL_GPL(alba_destroy);

/**
 * alba_alloc() - allocate memory from an arena
 * @arena: the arena
 * @size: bytes to allocate; 0 gives an aligned non-NULL pointer that
 *	consumes nothing and must not be dereferenced
 * @align: a power of two up to the largest block size, or 0 for
 *	ALBA_DEFAULT_ALIGN
 * @gfp: flags for a new block (userspace: 0)
 *
 * The object lies inside one block of @arena, after exactly the padding
 * its alignment needs. Objects too large for a fresh block get a dedicated
 * block.
 *
 * Context: any context @gfp allows; takes the arena lock with interrupts
 * saved, and calls the page allocator only without it.
 * Return: a pointer aligned to @align, or NULL on an invalid argument
 * (userspace: errno EINVAL) or without memory (ENOMEM).
 */
void *alba_alloc(struct alba *arena, size_t size, size_t align, gfp_t gfp)
{
	if (!align)
		align = ALBA_DEFAULT_ALIGN;
	if (unlikely(!arena || !size || (align & (align - 1)) ||
		     align > ALBA_MAX_BLOCK))
		return alloc_odd(arena, align);
	if (ALBA_RZ && unlikely(size > ALBA_MAX_BLOCK))
		return fail(arena, gfp);
	return take(arena, size + ALBA_RZ, size + ALBA_RZ, align, gfp, NULL);
}
EXPORT_SYMBOL_GPL(alba_alloc);

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
	void *p = alba_alloc(arena, size, align, gfp);

	if (p && size)
		memset(p, 0, size);
	return p;
}
EXPORT_SYMBOL_GPL(alba_zalloc);

/* Lock held: is no cursor holding a chunk? Says why not. */
static bool quiet(struct alba *arena, const char *what)
{
	if (likely(!arena->holders))
		return true;
	alba_plat_busy("%s of arena %s while %u cursors hold chunks",
		       what, arena->name, arena->holders);
	return false;
}

/* Lock held: unlink the blocks newer than @keep, and return them. */
static struct alba_block *unlink_newer(struct alba *arena,
				       struct alba_block *keep)
{
	struct alba_block *gone = arena->newest;
	struct alba_block *blk;

	if (gone == keep)
		return NULL;
	for (blk = gone; blk->older != keep; blk = blk->older)
		;
	blk->older = NULL;
	arena->newest = keep;
	return gone;
}

static void free_list(struct alba_block *blk)
{
	struct alba_block *older;

	for (; blk; blk = older) {
		older = blk->older;
		alba_plat_block_free(blk, blk->shift);
	}
}

/**
 * alba_reset() - release every object of an arena, keeping one block
 * @arena: the arena
 *
 * Frees every block but the first, which is reused; all earlier pointers
 * become invalid. Refused (with a warning; userspace: errno EBUSY) while a
 * cursor holds a chunk.
 *
 * Context: any context; the blocks are freed after the lock is dropped.
 */
void alba_reset(struct alba *arena)
{
	struct alba_block *first, *gone;
	unsigned long flags;

	if (!arena) {
		alba_plat_invalid("reset of a NULL arena");
		return;
	}
	first = block_of((uintptr_t)arena, arena->shift);
	alba_plat_lock(&arena->lock, flags);
	if (!quiet(arena, "reset")) {
		alba_plat_unlock(&arena->lock, flags);
		return;
	}
	gone = unlink_newer(arena, first);
	first->pad = 0;
	first->lost = 0;
	arena->cur = NULL;
	block_make_current(arena, first);
	arena->gen++;
	alba_plat_poison((void *)arena->pos, arena->end - arena->pos);
	alba_plat_unlock(&arena->lock, flags);
	free_list(gone);
}
EXPORT_SYMBOL_GPL(alba_reset);

/**
 * alba_mark() - remember the current position of an arena
 * @arena: the arena
 *
 * Marks nest: rewinding to a mark releases everything allocated after it,
 * and later marks with it. A mark is void after a reset, and after a
 * rewind to an earlier mark. Refused while a cursor holds a chunk.
 *
 * Context: any context.
 * Return: the mark, to be passed to alba_rewind(); on a refusal, a mark
 * that alba_rewind() rejects.
 */
struct alba_mark alba_mark(struct alba *arena)
{
	struct alba_mark mark = { 0 };
	unsigned long flags;

	if (!arena) {
		alba_plat_invalid("mark of a NULL arena");
		return mark;
	}
	alba_plat_lock(&arena->lock, flags);
	if (quiet(arena, "mark")) {
		mark.newest = arena->newest;
		/* Not arena->serial: after a reset or rewind, newest is older. */
		mark.serial = arena->newest->serial;
		mark.cur = arena->cur;
		mark.pos = arena->pos;
		mark.pad = arena->cur->pad;
		mark.lost = arena->cur->lost;
		mark.gen = arena->gen;
	}
	alba_plat_unlock(&arena->lock, flags);
	return mark;
}
EXPORT_SYMBOL_GPL(alba_mark);

/* Lock held: is @mark a position this arena can go back to? */
static bool mark_valid(struct alba *arena, const struct alba_mark *mark)
{
	struct alba_block *blk;

	if (mark->gen != arena->gen)
		return false;
	for (blk = arena->newest; blk && blk != mark->newest; blk = blk->older)
		;
	if (!blk || blk->serial != mark->serial)
		return false;
	return mark->cur != arena->cur || mark->pos <= arena->pos;
}

/**
 * alba_rewind() - release everything allocated after a mark
 * @arena: the arena
 * @mark: a mark of @arena from alba_mark()
 *
 * Blocks taken after the mark are freed. A mark that is void (taken
 * before a reset, released by an earlier rewind, or not from this arena)
 * is refused with a warning (userspace: errno EINVAL), and so is a rewind
 * while a cursor holds a chunk (EBUSY); the arena is then unchanged.
 *
 * Context: any context; the blocks are freed after the lock is dropped.
 */
void alba_rewind(struct alba *arena, struct alba_mark mark)
{
	struct alba_block *cur = mark.cur, *gone;
	unsigned long flags;

	if (!arena) {
		alba_plat_invalid("rewind of a NULL arena");
		return;
	}
	alba_plat_lock(&arena->lock, flags);
	if (!quiet(arena, "rewind")) {
		alba_plat_unlock(&arena->lock, flags);
		return;
	}
	if (!mark_valid(arena, &mark)) {
		alba_plat_unlock(&arena->lock, flags);
		alba_plat_invalid("rewind of arena %s to a void mark", arena->name);
		return;
	}
	gone = unlink_newer(arena, mark.newest);
	cur->pad = mark.pad;
	cur->lost = mark.lost;
	arena->cur = NULL;
	block_make_current(arena, cur);
	arena->pos = mark.pos;
	alba_plat_poison((void *)arena->pos, arena->end - arena->pos);
	alba_plat_unlock(&arena->lock, flags);
	free_list(gone);
}
EXPORT_SYMBOL_GPL(alba_rewind);

/**
 * alba_of() - find the arena of an object
 * @ptr: a pointer alba returned, or one within the first @block_size bytes
 *	of the block it lies in
 * @block_size: the arena's block size (0: ALBA_DEFAULT_BLOCK_SIZE)
 *
 * Masks @ptr with ~(@block_size - 1) and reads the block header there; no
 * lock and no search. A header whose check value does not match, or an
 * arena with another block size, is reported rather than trusted.
 *
 * Context: any context.
 * Return: the arena, or NULL (with a warning; userspace: errno EINVAL).
 */
struct alba *alba_of(const void *ptr, size_t block_size)
{
	const struct alba_block *blk;

	if (!block_size)
		block_size = ALBA_DEFAULT_BLOCK_SIZE;
	if (!ptr || !is_pow2(block_size) || block_size < ALBA_MIN_BLOCK ||
	    block_size > ALBA_MAX_BLOCK) {
		alba_plat_invalid("%s(%p, %zu): bad argument", __func__, ptr,
				  block_size);
		return NULL;
	}
	blk = block_of((uintptr_t)ptr, shift_of(block_size));
	/* No block lives at 0: this catches size-0 pointers and small junk. */
	if (!blk || blk->check != block_check(blk->arena, blk) ||
	    blk->arena->shift != shift_of(block_size)) {
		alba_plat_invalid("%s(%p, %zu): not in an arena with such blocks",
				  __func__, ptr, block_size);
		return NULL;
	}
	return blk->arena;
}
EXPORT_SYMBOL_GPL(alba_of);

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
	size_t size = (size_t)1 << blk->shift;
	size_t top = blk == arena->cur ? arena->pos - block_base(blk) : blk->top;

	s->blocks = 1;
	s->block_bytes = size;
	s->header_bytes = blk->data;
	s->used_bytes = top - blk->data - blk->pad - blk->reserved - blk->lost;
	s->pad_bytes = blk->pad;
	s->reserved_bytes = blk->reserved;
	s->tail_bytes = blk->lost;
	s->free_bytes = 0;
	if (blk == arena->cur)
		s->free_bytes = size - top;
	else
		s->tail_bytes += size - top;
}

/**
 * alba_get_stats() - what an arena holds
 * @arena: the arena
 * @stats: filled in; see struct alba_stats for the identity it satisfies
 *
 * Walks the blocks under the lock: O(blocks).
 *
 * Context: any context.
 */
void alba_get_stats(struct alba *arena, struct alba_stats *stats)
{
	const struct alba_block *blk;
	struct alba_stats b;
	unsigned long flags;

	if (!stats || !arena) {
		alba_plat_invalid("%s(%p, %p): NULL argument", __func__, arena,
				  stats);
		if (stats)
			memset(stats, 0, sizeof(*stats));
		return;
	}
	memset(stats, 0, sizeof(*stats));
	alba_plat_lock(&arena->lock, flags);
	for (blk = arena->newest; blk; blk = blk->older) {
		block_figures(arena, blk, &b);
		stats->blocks++;
		stats->block_bytes += b.block_bytes;
		stats->header_bytes += b.header_bytes;
		stats->used_bytes += b.used_bytes;
		stats->pad_bytes += b.pad_bytes;
		stats->reserved_bytes += b.reserved_bytes;
		stats->tail_bytes += b.tail_bytes;
		stats->free_bytes += b.free_bytes;
	}
	stats->allocs = arena->allocs;
	stats->failed = arena->failed;
	alba_plat_unlock(&arena->lock, flags);
	stats->block_size = (size_t)1 << arena->shift;
}
EXPORT_SYMBOL_GPL(alba_get_stats);

/*
 * Lock held. The errors in one block: a bad header (then nothing else is
 * trusted), and in debug builds each clobbered red zone, a walk that does
 * not reach the block's start, and sizes that do not add up.
 */
static unsigned int block_validate(const struct alba *arena,
				   const struct alba_block *blk)
{
	size_t size = (size_t)1 << blk->shift, used = 0, pad = 0;
	size_t top = blk == arena->cur ? arena->pos - block_base(blk) : blk->top;
	unsigned int errors = 0, i;
	struct alba_redzone rz;
	uintptr_t t;

	if (blk->check != block_check(arena, blk) || blk->arena != arena ||
	    top > size || top < blk->data ||
	    blk->pad + blk->reserved + blk->lost > top - blk->data)
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
 * up to its statistics. Cursors must hold no chunks.
 *
 * Context: any context.
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

/* For platforms (see alba_plat.h): the arena's name and platform data. */
const char *alba_core_name(const struct alba *arena)
{
	return arena->name;
}

void **alba_core_plat(struct alba *arena)
{
	return &arena->plat;
}

/* For platforms: the figures of up to @max blocks, newest first. */
size_t alba_core_blocks(struct alba *arena, struct alba_block_info *info,
			size_t max)
{
	const struct alba_block *blk;
	unsigned long flags;
	size_t n = 0;

	alba_plat_lock(&arena->lock, flags);
	for (blk = arena->newest; blk && n < max; blk = blk->older, n++) {
		info[n].base = blk;
		info[n].shift = blk->shift;
		info[n].is_current = blk == arena->cur;
		block_figures(arena, blk, &info[n].stats);
	}
	alba_plat_unlock(&arena->lock, flags);
	return n;
}

/**
 * alba_cursor_init() - attach a cursor to an arena
 * @cur: the cursor
 * @arena: the arena
 * @chunk: bytes to reserve at a time; 0 for half a block, and at most what
 *	a fresh block holds. Near the end of a block a chunk is what is left,
 *	if the request fits there.
 *
 * The cursor holds nothing until its first allocation.
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
	room = block_size - ALBA_HDR;
	/* Half a block: few trips to the lock, and no tail (see bump()). */
	if (!chunk)
		chunk = block_size / 2;
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
 * chunk, aligned beyond what cursors bump, of size 0 or invalid go to
 * alba_alloc() and leave the chunk alone. Call alba_cursor_alloc() instead.
 *
 * Context: as alba_cursor_alloc().
 * Return: as alba_alloc().
 */
void *alba_cursor_refill(struct alba_cursor *cur, size_t size, size_t align,
			 gfp_t gfp)
{
	void *p;

	if (!cur || !cur->arena) {
		alba_plat_invalid("allocation from a cursor without an arena");
		return NULL;
	}
	/* Debug builds check every object: no unlocked chunks. */
	if (ALBA_RZ || !align_ok(&align) || !size || size > cur->chunk ||
	    align > ALBA_CURSOR_MAX_ALIGN ||
	    !fits_fresh(cur->arena->shift, cur->chunk, align))
		return alba_alloc(cur->arena, size, align, gfp);
	p = take(cur->arena, cur->chunk, size, align, gfp, cur);
	if (!p)
		return NULL;
	cur->pos = (uintptr_t)p + size;
	cur->used = size;
	cur->allocs = 1;
	return p;
}
EXPORT_SYMBOL_GPL(alba_cursor_refill);

/**
 * alba_cursor_fini() - give back a cursor's chunk
 * @cur: the cursor
 *
 * Accounts the cursor's allocations to the arena; the unused rest of its
 * chunk goes back to the arena if nothing was allocated after it, and
 * counts as tail otherwise. The objects stay valid. The cursor can be used
 * again afterwards and reserves a new chunk.
 *
 * Context: any context.
 */
void alba_cursor_fini(struct alba_cursor *cur)
{
	struct alba *arena = cur ? cur->arena : NULL;
	unsigned long flags;

	if (!arena || !cur->end)
		return;
	alba_plat_lock(&arena->lock, flags);
	chunk_retire(arena, cur, chunk_on_top(arena, cur));
	alba_plat_unlock(&arena->lock, flags);
}
EXPORT_SYMBOL_GPL(alba_cursor_fini);
