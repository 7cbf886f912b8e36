/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * alba_internal.h - what the core's files share: the block header, the
 * arena, the helpers every file uses and the functions one file gives
 * another. Functions whose name ends in _locked run with the arena's lock
 * held. Not installed; platforms see the core only through alba_plat.h.
 */
#ifndef _ALBA_INTERNAL_H
#define _ALBA_INTERNAL_H

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
 * the current block's are the arena's @top and @low, as addresses. Of
 * the bytes in use, @pad are padding, @reserved are held by cursors,
 * @lost are the unused rest of retired chunks; everything else is used.
 */
struct alba_block {
	uintptr_t check;
	struct alba *arena;
	struct alba_block *older;
	unsigned short shift;		/* alba_of() reads none from here on */
	unsigned short dedicated;	/* one object, too large for a block */
	unsigned int data;
	size_t pad;
	unsigned long serial;
	size_t top;
	size_t low;
	size_t reserved;
	size_t lost;
};

/* What alba_of() copies of a header (header_at()): up to @shift. */
#define ALBA_HDR_PEEK	offsetof(struct alba_block, shift)

/* A cleanup callback, registered by alba_add_cleanup(), in the arena. */
struct alba_cleanup {
	void (*fn)(void *data);
	void *data;
	struct alba_cleanup *older;
};

struct alba {
	alba_plat_lock_t lock;
	uintptr_t top;			/* @cur's top, as an address */
	uintptr_t low;			/* @cur's low, as an address */
	uintptr_t marked;		/* @top at the newest mark in @cur, or 0 */
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

/*
 * A header's check value: its arena, its address and the arena's block
 * shift (so that alba_of() with another block size fails it), bit 0 left
 * for ALBA_COPY.
 */
static inline uintptr_t block_check(const struct alba *arena,
				    unsigned int shift,
				    const struct alba_block *blk)
{
	return ALBA_CHECK ^ (uintptr_t)arena ^ (uintptr_t)blk ^
	       ((uintptr_t)shift << 1);
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

/* Normalise *@align (0: the default); is it a valid alignment? */
static inline bool align_ok(size_t *align)
{
	if (!*align)
		*align = ALBA_DEFAULT_ALIGN;
	return is_pow2(*align) && *align <= ALBA_MAX_BLOCK;
}

/* Debug builds: the object a dedicated block holds starts here. */
static inline size_t dedicated_offset(const struct alba_block *blk)
{
	return blk->pad + ALBA_HDR - ALBA_RZ;
}

/* alba.c: blocks, the bump, failures. */
struct alba_block *alba_block_new(struct alba *arena, gfp_t gfp);
void alba_block_unused(struct alba *arena, struct alba_block *blk);
void alba_block_install_locked(struct alba *arena, struct alba_block *blk,
			       struct alba_cursor *cur);
void *alba_take_chunk(struct alba *arena, size_t size, size_t align,
		      gfp_t gfp, struct alba_cursor *cur);
void *alba_fail(struct alba *arena, size_t size, size_t align, gfp_t gfp);
void *alba_core_zalloc(struct alba *arena, size_t size, size_t align,
		       gfp_t gfp, unsigned long ip);

/* alba_cursor.c: chunks. */
void *alba_carve_locked(struct alba *arena, struct alba_cursor *cur,
			size_t size, size_t align);
void alba_chunk_retire_locked(struct alba *arena, struct alba_cursor *cur);

#endif /* _ALBA_INTERNAL_H */
