// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * alba_cursor.c - cursors: chunks of the current block, bumped without the
 * lock.
 *
 * A cursor reserves a chunk of the current block under the lock, then
 * bumps inside it with no lock and no atomic. Chunks are carved from the
 * top of the free run downwards, each starting on an ALBA_CURSOR_MAX_ALIGN
 * boundary, and a cursor fills its chunk from the top down too: its
 * position is an offset from the chunk's base, so the inline fast path in
 * alba.h (alba_cursor_bump()) is one compare (the request is smaller than
 * the offset), a subtraction, a mask, a store and two counters. A retired
 * chunk's unused bottom lies next to the free run when nothing was carved
 * after it, and then goes back to it. A cursor's
 * allocations are accounted to the arena when its chunk is retired (refill
 * or fini); until then the chunk shows as reserved_bytes. Reset, mark and
 * rewind need an arena no cursor holds a chunk of, and refuse otherwise.
 */

#include "alba_internal.h"

/*
 * Lock held. Account a cursor's chunk to its block and empty the cursor.
 * The unused bottom of the chunk goes back to the free run if the chunk is
 * the lowest of the current block; otherwise it is lost (tail).
 */
void alba_chunk_retire_locked(struct alba *arena, struct alba_cursor *cur)
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
	if (blk == arena->cur && cur->base == arena->low) {
		arena->low = cur->base + cur->off;
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
static inline uintptr_t low_after_retire_locked(const struct alba *arena,
						const struct alba_cursor *cur)
{
	if (cur->end && cur->base == arena->low &&
	    block_of(cur->base + 1, arena->shift) == arena->cur)
		return cur->base + cur->off;
	return arena->low;
}

/*
 * Lock held. Carve a chunk of about @cur->chunk bytes from the top of the
 * current block's free run for @cur, retiring its old chunk in the same
 * critical section, and allocate @size bytes aligned to @align from its
 * top. The chunk starts on an ALBA_CURSOR_MAX_ALIGN boundary; near the
 * bottom of the run it is whatever is left above the first such boundary,
 * as long as the request fits (the rest of a block is better in a
 * cursor's hands than left as tail). NULL, with nothing changed, if the
 * request does not fit.
 */
void *alba_carve_locked(struct alba *arena, struct alba_cursor *cur,
			size_t size, size_t align)
{
	size_t chunk = cur->chunk;
	const uintptr_t amask = ALBA_CURSOR_MAX_ALIGN - 1;
	uintptr_t low = low_after_retire_locked(arena, cur);
	uintptr_t base, first = (arena->top + amask) & ~amask;
	struct alba_block *blk = arena->cur;
	size_t len;

	if (first > low || low - first < size || unlikely(arena->dying))
		return NULL;
	base = low - first >= chunk ? (low - chunk) & ~amask : first;
	len = low - base;
	if (cur->end)
		alba_chunk_retire_locked(arena, cur);
	arena->low = base;
	arena->reserved += len;
	arena->holders++;
	blk->reserved += len;
	cur->base = base;
	cur->end = low;
	cur->off = (len - size) & ~(align - 1);
	cur->used = size;
	cur->allocs = 1;
	/* The chunk stays poisoned: each object is unpoisoned on its own. */
	alba_plat_unpoison((void *)(base + cur->off), size);
	return (void *)(base + cur->off);
}

/*
 * The fast path's bump, out of line, unpoisoning exactly the object: how
 * sanitizer builds take every cursor object (alba_cursor_bump() declines
 * there). Elsewhere the inline bump has declined already, and so does
 * this: a few instructions on the way to a refill.
 */
static void *chunk_bump(struct alba_cursor *cur, size_t size, size_t align)
{
	void *p;

	if (!__alba_cursor_bump(cur, size, align, &p))
		return NULL;
	alba_plat_unpoison(p, size);
	return p;
}

/*
 * The cursors that hold a chunk, by address: how alba_cursor_init() and
 * alba_cursor_fini() tell a cursor that still holds one from memory that
 * is not (or no longer) one, without trusting a byte of memory the table
 * does not list. A cursor's entry is made or updated after each refill
 * and dropped with its chunk; it names the chunk, which the cursor's
 * memory must still describe before init or fini gives it back (a cursor
 * left holding in a stack frame that returned, or moved away, keeps its
 * chunk reserved: wasteful, never unsafe). ALBA_CURSOR_HOLDERS entries,
 * ALBA_HOLDER_WAYS per bucket; a cursor whose bucket is full gives its
 * chunk back at once, so its requests take the locked path. Per-CPU
 * sets (the kernel's per-CPU, userspace's per-thread) keep their cursors
 * to themselves and are not listed (alba_core_cursor_refill() and
 * alba_core_cursor_fini()). The lock is taken with no other held; an
 * arena lock is taken after it is released.
 */
#define ALBA_HOLDER_WAYS	8
#define ALBA_HOLDER_BUCKETS	(ALBA_CURSOR_HOLDERS / ALBA_HOLDER_WAYS)

struct alba_holder {
	const struct alba_cursor *cur;	/* NULL: a free entry */
	struct alba *arena;
	uintptr_t base, end;		/* the chunk */
};

static struct alba_holder holder_table[ALBA_HOLDER_BUCKETS][ALBA_HOLDER_WAYS];
static ALBA_PLAT_DEFINE_LOCK(holders_lock);

/* Holders' lock held: @cur's entry, or a free one of its bucket, or NULL. */
static struct alba_holder *holder_slot(const struct alba_cursor *cur)
{
	unsigned long long h = (uintptr_t)cur * 0x9e3779b97f4a7c15ULL;
	struct alba_holder *bucket = holder_table[(h >> 32) % ALBA_HOLDER_BUCKETS];
	struct alba_holder *unused = NULL;
	unsigned int i;

	for (i = 0; i < ALBA_HOLDER_WAYS; i++) {
		if (bucket[i].cur == cur)
			return &bucket[i];
		if (!bucket[i].cur && !unused)
			unused = &bucket[i];
	}
	return unused;
}

/*
 * Holders' lock held: drop the entry, under another address, of @arena's
 * chunk at @base: a cursor moved there from that address (against the
 * rules, but C moves structs) has refilled, so the entry is stale. A walk
 * of the table, only for a cursor that came to a refill holding a chunk
 * and finds no entry of its own.
 */
static void holder_forget_moved(struct alba *arena, uintptr_t base)
{
	struct alba_holder *e = &holder_table[0][0];
	unsigned int i;

	for (i = 0; i < ALBA_CURSOR_HOLDERS; i++, e++)
		if (e->cur && e->arena == arena && e->base == base)
			e->cur = NULL;
}

/*
 * After a refill: list @cur with its chunk, or drop its entry if it holds
 * none now; @held: the base of the chunk it came in with, or 0. A full
 * bucket: the chunk goes back at once.
 */
static void holder_sync(struct alba_cursor *cur, uintptr_t held)
{
	struct alba_holder *e;
	unsigned long flags;
	bool listed;

	alba_plat_lock(&holders_lock, flags);
	e = holder_slot(cur);
	if (held && !(e && e->cur == cur))
		holder_forget_moved(cur->arena, held);
	if (cur->end && e) {
		e->cur = cur;
		e->arena = cur->arena;
		e->base = cur->base;
		e->end = cur->end;
	} else if (e && e->cur) {
		e->cur = NULL;
	}
	listed = !cur->end || e;
	alba_plat_unlock(&holders_lock, flags);
	if (!listed)
		alba_core_cursor_fini(cur);
}

/*
 * Give back the chunk the holders' list says @cur holds, if the cursor's
 * memory still describes it, and drop its entry. Memory that
 * no longer does (overwritten, or the cursor was moved away, and its copy
 * may still be bumping in the chunk) changes nothing: the chunk stays
 * reserved, as safe as it is wasteful, and the entry stays for the moved
 * cursor's next refill to take over.
 */
static void holder_release(struct alba_cursor *cur)
{
	struct alba_holder *e, seen;
	unsigned long flags;
	struct alba *arena;
	bool mine;

	alba_plat_lock(&holders_lock, flags);
	e = holder_slot(cur);
	seen = e && e->cur ? *e : (struct alba_holder){ 0 };
	alba_plat_unlock(&holders_lock, flags);
	if (!seen.cur)
		return;
	arena = seen.arena;
	alba_plat_lock(&arena->lock, flags);
	mine = cur->arena == arena && cur->base == seen.base &&
	       cur->end == seen.end && cur->off <= cur->end - cur->base &&
	       cur->used <= cur->end - cur->base - cur->off;
	if (mine)
		alba_chunk_retire_locked(arena, cur);
	alba_plat_unlock(&arena->lock, flags);
	if (!mine)
		return;
	alba_plat_lock(&holders_lock, flags);
	e = holder_slot(cur);
	if (e && e->cur == cur)
		e->cur = NULL;
	alba_plat_unlock(&holders_lock, flags);
}

#ifdef ALBA_PLAT_FORK
/* See alba_core_fork(): the holders' lock around fork(). */
void alba_core_holders_fork(int phase)
{
	alba_fork_lock(&holders_lock, phase);
}
#endif

/**
 * alba_cursor_init() - attach a cursor to an arena
 * @cur: the cursor
 * @arena: the arena
 * @chunk: bytes to reserve at a time; 0 for half a block, and at most what
 *	a fresh block holds. A chunk starts on an ALBA_CURSOR_MAX_ALIGN
 *	boundary, so it may be up to that much larger; near the end of a
 *	block it is what is left, if the request fits there.
 *
 * The cursor holds nothing until its first allocation. @cur may be new
 * memory (uninitialised, zeroed, anything) or a cursor used before: a
 * cursor that still holds a chunk (of this arena or another) gives it
 * back first, as alba_cursor_fini() does, so its arena's reset, mark and
 * rewind work again. alba tells the two apart by the cursor's address
 * (see alba_cursor_fini()), and reads the memory only to confirm a cursor
 * its table lists there. A copy of a cursor is not a cursor: use neither
 * after copying one.
 *
 * Context: any context but NMI (a cursor that holds a chunk takes its
 * arena's raw spinlock to give it back).
 */
void alba_cursor_init(struct alba_cursor *cur, struct alba *arena, size_t chunk)
{
	size_t block_size, room;

	if (!cur) {
		alba_plat_invalid("%s() of a NULL cursor", __func__);
		return;
	}
	holder_release(cur);
	memset(cur, 0, sizeof(*cur));
	cur->base = ALBA_CURSOR_MAX_ALIGN;	/* holds nothing: see retire */
	if (!arena) {
		alba_plat_invalid("%s() on a NULL arena", __func__);
		return;
	}
	block_size = (size_t)1 << arena->shift;
	room = block_size - round_up_pow2(ALBA_HDR, ALBA_CURSOR_MAX_ALIGN);
	/* Half a block: few trips to the lock, and no tail (see carving). */
	if (!chunk)
		chunk = block_size / 2;
	cur->arena = arena;
	cur->chunk = chunk < room ? chunk : room;
}
EXPORT_SYMBOL_GPL(alba_cursor_init);

/*
 * A cursor's refill, whether the holders' list has it or not: the chunk's
 * bump (sanitizer builds come here for every object), alba_alloc() for
 * what a chunk does not take, or a new chunk (*@took).
 */
static void *refill(struct alba_cursor *cur, size_t size, size_t align,
		    gfp_t gfp, unsigned long ip, bool *took)
{
	void *p = chunk_bump(cur, size, align);

	*took = false;
	if (p)
		return p;
	if (!alba_core_chunkable(cur, size, align))
		return alba_core_alloc(cur->arena, size, align, gfp, ip);
	align_ok(&align);
	*took = true;
	return alba_take_chunk(cur->arena, size, align, gfp, cur);
}

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
	uintptr_t held;
	bool took;
	void *p;

	alba_plat_might_alloc(gfp);
	if (!cur || !cur->arena) {
		alba_plat_invalid("allocation from a cursor without an arena");
		return NULL;
	}
	held = cur->end ? cur->base : 0;
	p = refill(cur, size, align, gfp, alba_plat_caller(), &took);
	if (took)
		holder_sync(cur, held);
	return p;
}
EXPORT_SYMBOL_GPL(alba_cursor_refill);

void *alba_core_cursor_refill(struct alba_cursor *cur, size_t size,
			      size_t align, gfp_t gfp, unsigned long ip)
{
	bool took;

	return refill(cur, size, align, gfp, ip, &took);
}

/**
 * alba_cursor_fini() - give back a cursor's chunk
 * @cur: the cursor
 *
 * Accounts the cursor's allocations to the arena; the unused rest of its
 * chunk goes back to the arena if nothing was carved after it, and counts
 * as tail otherwise. The objects stay valid. The cursor can be used again
 * afterwards and reserves a new chunk. Which chunk a cursor holds is kept
 * by alba under the cursor's address (up to ALBA_CURSOR_HOLDERS cursors
 * hold chunks at once; beyond, a cursor's requests take the locked path):
 * a cursor that holds none, twice, or memory that is not a cursor, is
 * left alone. So is a holding cursor whose memory was overwritten, or
 * one moved or copied elsewhere (as with a mutex, a holding cursor must
 * not be moved): its chunk stays reserved, and the arena busy.
 *
 * Context: any context but NMI (the arena's raw spinlock).
 */
void alba_cursor_fini(struct alba_cursor *cur)
{
	/* A chunk given back empties the cursor (alba_chunk_retire_locked()). */
	if (cur)
		holder_release(cur);
}
EXPORT_SYMBOL_GPL(alba_cursor_fini);

/* alba_cursor_fini() for cursors not in the holders' list (see above). */
void alba_core_cursor_fini(struct alba_cursor *cur)
{
	struct alba *arena = cur->arena;
	unsigned long flags;

	if (!arena || !cur->end)
		return;
	alba_plat_lock(&arena->lock, flags);
	/* Again under the lock: a CPU hotplug teardown may have retired it. */
	if (cur->end)
		alba_chunk_retire_locked(arena, cur);
	alba_plat_unlock(&arena->lock, flags);
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
 *	caller to give back with alba_core_block_put(). An arena being
 *	destroyed takes no block: NULL, counted as a failed allocation
 *	(@gfp: its trace and warning).
 * alba_core_block_get() - a fresh block for the arena, from the page
 *	allocator with @gfp, or NULL (counted as a failed allocation).
 * alba_core_cursor_refill() - alba_cursor_refill() for a cursor the
 *	holders' list does not have (given back with alba_core_cursor_fini()),
 *	where the page allocator may be called: userspace's per-thread
 *	cursors, so that their refills take no lock but the arena's (and the
 *	block source's); @ip: the caller reported for alba_alloc()'s share.
 */
bool alba_core_chunkable(const struct alba_cursor *cur, size_t size,
			 size_t align)
{
	return !ALBA_RZ && cur && cur->arena && align_ok(&align) && size &&
	       size <= cur->chunk && align <= ALBA_CURSOR_MAX_ALIGN;
}

void *alba_core_refill(struct alba_cursor *cur, size_t size, size_t align,
		       gfp_t gfp, void **spare)
{
	struct alba *arena = cur->arena;
	bool dying = false;
	unsigned long flags;
	void *p;

	p = chunk_bump(cur, size, align);
	if (p)
		return p;
	align_ok(&align);
	alba_plat_lock(&arena->lock, flags);
	p = alba_carve_locked(arena, cur, size, align);
	if (!p && *spare) {
		dying = arena->dying;
		if (likely(!dying)) {
			alba_block_install_locked(arena, *spare, cur);
			p = alba_carve_locked(arena, cur, size, align);
			*spare = NULL;
		}
	}
	alba_plat_unlock(&arena->lock, flags);
	return unlikely(dying) ? alba_fail(arena, size, align, gfp) : p;
}

void *alba_core_block_get(struct alba *arena, gfp_t gfp)
{
	struct alba_block *blk;

	blk = alba_block_new(arena, gfp);
	if (!blk)
		return alba_fail(arena, 0, 0, gfp);
	alba_plat_trace_block_alloc(arena, blk, arena->shift, gfp);
	return blk;
}

void alba_core_block_put(struct alba *arena, void *blk)
{
	alba_block_unused(arena, blk);
}
