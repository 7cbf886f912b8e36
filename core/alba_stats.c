// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * alba_stats.c - reading an arena: its totals (alba_get_stats()), its
 * blocks one batch at a time (for debugfs), and alba_validate().
 *
 * The totals are kept by alba.c as it goes (see "Accounting" there); this
 * file only reads them, each under the lock for a bounded time: the walks
 * (debugfs's, alba_validate()'s) take it for one batch at a time.
 */

#include "alba_internal.h"

/* Lock held: the figures of one block. */
static void block_figures_locked(const struct alba *arena,
				 const struct alba_block *blk,
				 struct alba_stats *s)
{
	bool is_cur = blk == arena->cur;
	size_t size = block_bytes(blk);
	size_t top = is_cur ? arena->top - block_base(blk) : blk->top;
	size_t low = is_cur ? arena->low - block_base(blk) : blk->low;

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
	stats->free_bytes = arena->low - arena->top +
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
 * Lock held. Begin checking a block: its header (if it is bad, nothing
 * else is trusted: one error), and in debug builds the snapshot its
 * objects are walked against. Return whether there are objects to walk.
 */
static bool block_begin_locked(const struct alba *arena,
			       const struct alba_block *blk,
			       struct alba_check *c)
{
	size_t size = block_bytes(blk);
	size_t top = blk == arena->cur ? arena->top - block_base(blk) : blk->top;
	size_t low = blk == arena->cur ? arena->low - block_base(blk) : blk->low;

	if (blk->check != block_check(arena, arena->shift, blk) ||
	    blk->arena != arena ||
	    low > size || top > low || top < blk->data ||
	    blk->pad + blk->reserved + blk->lost > (top - blk->data) + (size - low)) {
		c->errors++;
		return false;
	}
	if (!ALBA_RZ)
		return false;
	c->pos = top;
	c->end = top;
	c->pad_want = blk->pad;
	c->used = 0;
	c->pad = 0;
	return true;
}

/*
 * Lock held. Walk @blk's objects down from @c->pos, up to *@budget of
 * them (the first object always, so that it is read under the lock the
 * snapshot was taken under): in debug builds each clobbered red zone is
 * an error, and so are a walk that does not reach the block's start and
 * sizes that do not add up. Red zones follow locked allocations only
 * (cursors take the locked path in debug builds), so the walk covers
 * [data, top). Below the snapshot's top nothing changes but by a reset
 * or a rewind, which restart the walk (alba_core_validate()); a realloc
 * in place moves only the object at the top, read first. Return whether
 * the block is done.
 */
static bool block_walk_locked(const struct alba_block *blk,
			      struct alba_check *c, size_t *budget)
{
	struct alba_redzone rz;
	unsigned int i;
	uintptr_t t;

	while (c->pos > blk->data) {
		if (!*budget && c->pos != c->end)
			return false;
		if (*budget)
			(*budget)--;
		if (c->pos < blk->data + ALBA_RZ) {
			c->errors++;
			return true;
		}
		t = block_base(blk) + c->pos - ALBA_RZ;
		alba_plat_unpoison((void *)t, sizeof(rz));
		memcpy(&rz, (void *)t, sizeof(rz));
		alba_plat_poison((void *)t, sizeof(rz));
		for (i = 0; i < sizeof(rz.pattern); i++)
			if (rz.pattern[i] != ALBA_RZ_BYTE)
				break;
		c->errors += i < sizeof(rz.pattern);
		if ((size_t)rz.size + rz.pad > c->pos - ALBA_RZ - blk->data) {
			c->errors++;
			return true;
		}
		c->used += rz.size;
		c->pad += rz.pad + ALBA_RZ;
		c->pos -= ALBA_RZ + rz.size + rz.pad;
	}
	/* The walk must account for exactly what the block counted. */
	if (c->pad != c->pad_want || c->used != c->end - blk->data - c->pad_want)
		c->errors++;
	return true;
}

/*
 * For alba_validate() (and tests): check up to @budget objects and block
 * headers from where @c (zeroed to start) left off, holding the lock for
 * that batch only. A reset or rewind since the last batch (which may have
 * freed the block the walk stood in) starts the walk again from the
 * newest block, its count of errors from 0. Blocks linked since the walk
 * began are not visited. Return whether the walk is done.
 */
bool alba_core_validate(struct alba *arena, struct alba_check *c,
			size_t budget)
{
	const struct alba_block *blk;
	unsigned long flags;

	alba_plat_lock(&arena->lock, flags);
	if (!c->started || c->unlinks != arena->unlinks) {
		c->restarts += c->started;
		c->started = true;
		c->unlinks = arena->unlinks;
		c->next = arena->newest;
		c->in_block = false;
		c->errors = 0;
	}
	blk = c->next;
	while (blk && budget) {
		if (!c->in_block) {
			budget--;
			c->in_block = block_begin_locked(arena, blk, c);
		}
		if (c->in_block && !block_walk_locked(blk, c, &budget))
			break;
		c->in_block = false;
		blk = blk->older;
	}
	c->next = blk;
	alba_plat_unlock(&arena->lock, flags);
	return !blk;
}

/**
 * alba_validate() - check an arena's blocks and, in debug builds, objects
 * @arena: the arena
 *
 * Walks every block, as slub's validate does, and counts what is wrong: a
 * block header whose check value or counters are off; in debug builds
 * (ALBA_DEBUG, CONFIG_ALBA_DEBUG) also every red zone after an object that
 * was written to, and every block whose objects do not add up to its
 * statistics. Cursors must hold no chunks. The walk takes the lock for
 * batches of ALBA_VALIDATE_BATCH objects or block headers, so other CPUs
 * allocate between them; a reset or rewind meanwhile starts it again, and
 * blocks added meanwhile are not visited.
 *
 * Context: any context but NMI; the lock is held for one batch at a time,
 * however large the arena (a walk that other CPUs keep resetting takes
 * as long as they do).
 * Return: the number of errors found; 0 for a sound arena.
 */
unsigned int alba_validate(struct alba *arena)
{
	struct alba_check c = { 0 };

	if (!arena) {
		alba_plat_invalid("%s(NULL)", __func__);
		return 1;
	}
	while (!alba_core_validate(arena, &c, ALBA_VALIDATE_BATCH))
		;
	return c.errors;
}
EXPORT_SYMBOL_GPL(alba_validate);

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
		block_figures_locked(arena, blk, &info[n].stats);
	}
	walk->next = blk;
	alba_plat_unlock(&arena->lock, flags);
	return n;
}

