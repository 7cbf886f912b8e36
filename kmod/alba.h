/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * alba - aligned block arena.
 *
 * The public API, the same header for the kernel and for userspace. The
 * contract is documented in kmod/alba.c next to each function and, in one
 * place, in DESIGN.md.
 */
#ifndef _ALBA_H
#define _ALBA_H

#ifdef __KERNEL__
#include <linux/compiler.h>
#include <linux/types.h>
#else
#include "alba_types.h"
#endif

/* The alignment used when a caller passes 0. */
#define ALBA_DEFAULT_ALIGN	8
/* The block size used when a caller passes 0: order 3 with 4 KiB pages. */
#define ALBA_DEFAULT_BLOCK_SIZE	32768
/* Arena names longer than this are truncated. */
#define ALBA_NAME_MAX		32

struct alba;

/**
 * struct alba_mark - a position in an arena, taken by alba_mark()
 *
 * Opaque to callers: pass it back to alba_rewind() unchanged.
 */
struct alba_mark {
	/* private: */
	void *newest;
	void *cur;
	uintptr_t pos;
	size_t pad;
	size_t lost;
	unsigned long serial;
	unsigned long gen;
};

/**
 * struct alba_stats - what an arena holds, in bytes and counts
 * @blocks: blocks taken from the page allocator or the OS
 * @block_bytes: bytes of those blocks
 * @header_bytes: block headers (and the arena itself, in its first block)
 * @used_bytes: sum of the sizes of the objects handed out
 * @pad_bytes: alignment padding before objects
 * @tail_bytes: left unused in blocks that no longer take objects
 * @free_bytes: not yet handed out in the current block
 * @reserved_bytes: held by cursors and not yet accounted as used or padding
 * @allocs: successful allocations since the arena was created
 * @failed: failed allocation calls since the arena was created
 * @block_size: the arena's block size
 *
 * block_bytes == header_bytes + used_bytes + pad_bytes + tail_bytes +
 * free_bytes + reserved_bytes, always; reserved_bytes is zero whenever no
 * cursor holds a reservation.
 */
struct alba_stats {
	size_t blocks;
	size_t block_bytes;
	size_t header_bytes;
	size_t used_bytes;
	size_t pad_bytes;
	size_t tail_bytes;
	size_t free_bytes;
	size_t reserved_bytes;
	unsigned long long allocs;
	unsigned long long failed;
	size_t block_size;
};

/**
 * struct alba_cursor - a per-thread (or per-CPU) bump window into an arena
 *
 * Public so that alba_cursor_alloc() can be inline. Use only through
 * alba_cursor_init(), alba_cursor_alloc() and alba_cursor_fini().
 */
struct alba_cursor {
	/* private: */
	uintptr_t pos;
	uintptr_t end;
	size_t used;
	/*
	 * Kept apart from @used: side by side, compilers merge the two
	 * counter updates of the fast path into vector code that costs more
	 * instructions than the two adds.
	 */
	uintptr_t start;
	size_t allocs;
	struct alba *arena;
	size_t chunk;
};

struct alba *alba_create(const char *name, size_t block_size, gfp_t gfp);
void alba_destroy(struct alba *arena);

void *alba_alloc(struct alba *arena, size_t size, size_t align, gfp_t gfp);
void *alba_zalloc(struct alba *arena, size_t size, size_t align, gfp_t gfp);

void alba_reset(struct alba *arena);
struct alba_mark alba_mark(struct alba *arena);
void alba_rewind(struct alba *arena, struct alba_mark mark);

struct alba *alba_of(const void *ptr, size_t block_size);
size_t alba_block_size(const struct alba *arena);
void alba_get_stats(struct alba *arena, struct alba_stats *stats);
unsigned int alba_validate(struct alba *arena);

void alba_cursor_init(struct alba_cursor *cur, struct alba *arena,
		      size_t chunk);
void *alba_cursor_refill(struct alba_cursor *cur, size_t size, size_t align,
			 gfp_t gfp);
void alba_cursor_fini(struct alba_cursor *cur);

/**
 * alba_cursor_alloc() - allocate from a cursor's reserved chunk
 * @cur: the cursor, owned by the calling thread (or CPU)
 * @size: bytes to allocate
 * @align: a power of two, or 0 for ALBA_DEFAULT_ALIGN
 * @gfp: allocation flags for a refill (userspace: 0)
 *
 * The fast path bumps inside the chunk without a lock. It takes requests
 * whose alignment is at most 4096; everything else (a refill, a large or
 * strangely aligned request, size 0, an invalid argument) goes to
 * alba_cursor_refill(), which behaves exactly as alba_alloc() does.
 *
 * The checks cannot wrap: @p lies at most @mask above the cursor position,
 * which sits inside a mapped block well below the top of the address space,
 * and @next < @p catches any @size that would carry past it.
 *
 * Context: any context the arena's gfp allows; the cursor must not be used
 * concurrently (per-CPU cursors need preemption disabled).
 * Return: a pointer aligned to @align, or NULL.
 */
static inline void *alba_cursor_alloc(struct alba_cursor *cur, size_t size,
				      size_t align, gfp_t gfp)
{
	uintptr_t mask = (align ? align : ALBA_DEFAULT_ALIGN) - 1;
	uintptr_t p = (cur->pos + mask) & ~mask;
	uintptr_t next = p + size;

	if (__builtin_expect(mask < 4096 && !(mask & (mask + 1)) &&
			     next > p && next <= cur->end, 1)) {
		cur->pos = next;
		cur->used += size;
		cur->allocs++;
		return (void *)p;
	}
	return alba_cursor_refill(cur, size, align, gfp);
}

#endif /* _ALBA_H */
