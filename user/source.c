// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * source.c - where userspace's blocks come from: regions reserved from the
 * OS once and carved into blocks, and a policy for giving memory back.
 * Part of the platform prim/prim.c builds as one unit; blocks.c wraps it
 * into alba_plat_block_alloc()/free().
 *
 * Regions. Mapping each block on its own costs a syscall to take it, two
 * to trim it to its alignment, one to give it back, and a page fault per
 * page every time it is taken again. So blocks are carved from regions,
 * as mimalloc carves pages from segments: a region is one OS mapping of
 * REGION_SIZE bytes (or of one block, for blocks that large), aligned to
 * its size, serving blocks of one size only; the region's descriptor (a
 * page of its own, outside the region) keeps two bitmaps, which blocks
 * are free and which free blocks are warm (their pages were used and are
 * still there). A directory indexed by address finds a block's region in
 * two loads. Taking a block prefers a warm one, then a cold one (never
 * used, or given back), then a new region; none of it is a syscall except
 * the last.
 *
 * The policy. Freed blocks stay warm, up to a cap: a program that resets
 * an arena and fills it again (a loop of documents) finds its memory
 * still mapped and faulted in, and asks the OS for nothing. The cap is the
 * larger of the cache limit (alba_set_block_cache(); the environment's
 * ALBA_BLOCK_CACHE_BYTES wins over it; 256 MiB by default) and the peak of
 * live block bytes since the last alba_trim(): what the process's busiest
 * cycle needed, it keeps. A limit of 0 keeps nothing. Past the cap, a
 * freed block is given back with MADV_DONTNEED (Windows: MEM_RESET) and
 * stays in its region, cold; a region whose blocks are all free is
 * retired when over the cap, and by alba_trim(): its memory goes back,
 * its range stays readable for alba_of() and serves the next region of
 * its size (region_release()). Syscalls run outside the lock. Free
 * blocks are poisoned for ASan as a whole.
 */

#if UINTPTR_MAX > 0xffffffffU
#define REGION_SHIFT	25	/* 32 MiB */
#else
#define REGION_SHIFT	22	/* 4 MiB: 32 bits of address space are few */
#endif
#define REGION_BITS	((size_t)1 << (REGION_SHIFT - ALBA_PLAT_PAGE_SHIFT))
#define REGION_WORDS	(REGION_BITS / ALBA_REG_WORD_BITS)
#define DIR_SHIFT	30
#define DIR_ENTRIES	((size_t)1 << (DIR_SHIFT - REGION_SHIFT))
#define CACHE_DEFAULT	((size_t)256 << 20)

struct region {
	struct region *next, *prev;	/* in free_regions[shift] */
	char *base;
	unsigned int shift, region_shift;
	bool whole;			/* one OS mapping, not split */
	size_t blocks, nfree, nwarm;
	uintptr_t free[REGION_WORDS];	/* bit set: the block is free */
	uintptr_t warm[REGION_WORDS];	/* bit set: free, and its pages are in */
};

_Static_assert(sizeof(struct region) <= (size_t)1 << ALBA_PLAT_PAGE_SHIFT,
	       "a region's descriptor fits in a page");

/* Regions with a free block, by block shift. */
static struct region *free_regions[ALBA_PLAT_MAX_SHIFT + 1];
/* Retired regions' ranges, by region shift (only base and region_shift hold). */
static struct region *retired[ALBA_PLAT_MAX_SHIFT + 1];
/* The directory: one page of region pointers per GiB of address space. */
static struct region **region_dir[ALBA_REG_REGIONS];
static alba_plat_lock_t source_lock;
static size_t warm_bytes, live_bytes, peak_bytes;
static size_t cache_limit = (size_t)-1;
static struct alba_user_source counts;

static struct region **dir_slot(uintptr_t base, bool create)
{
	size_t top = (size_t)(base >> DIR_SHIFT);
	struct region **page;

	if (sizeof(void *) == 8 && top >= ALBA_REG_REGIONS)
		return NULL;
	/* Written under source_lock only; read without it (region_find()). */
	page = __atomic_load_n(&region_dir[top], __ATOMIC_ACQUIRE);
	if (!page && create) {
		page = alba_os_block_alloc(ALBA_PLAT_PAGE_SHIFT);
		if (!page)
			return NULL;
		memset(page, 0, (size_t)1 << ALBA_PLAT_PAGE_SHIFT);
		__atomic_store_n(&region_dir[top], page, __ATOMIC_RELEASE);
	}
	if (!page)
		return NULL;
	return &page[(base >> REGION_SHIFT) & (DIR_ENTRIES - 1)];
}

static size_t region_of_shift(unsigned int shift)
{
	return shift > REGION_SHIFT ? shift : REGION_SHIFT;
}

static struct region *region_find(void *base, unsigned int shift)
{
	uintptr_t r = (uintptr_t)base &
		~(((uintptr_t)1 << region_of_shift(shift)) - 1);
	struct region **slot = dir_slot(r, false);

	return slot ? __atomic_load_n(slot, __ATOMIC_ACQUIRE) : NULL;
}

static void list_add(struct region *r)
{
	r->prev = NULL;
	r->next = free_regions[r->shift];
	if (r->next)
		r->next->prev = r;
	free_regions[r->shift] = r;
}

static void list_del(struct region *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else
		free_regions[r->shift] = r->next;
	if (r->next)
		r->next->prev = r->prev;
}

/*
 * The highest set bit: blocks are taken from the top of a region down, so
 * an arena's blocks, each bumped from its top down, make one descending
 * stream of addresses as the OS's mappings did (the hardware prefetcher
 * follows it across blocks).
 */
static size_t last_bit(const uintptr_t *map, size_t bits)
{
	size_t w = (bits + ALBA_REG_WORD_BITS - 1) / ALBA_REG_WORD_BITS;

	while (w--)
		if (map[w])
			return w * ALBA_REG_WORD_BITS + 63 -
			       (size_t)__builtin_clzll((unsigned long long)map[w]);
	return bits;
}

static void bit_set(uintptr_t *map, size_t i, bool on)
{
	uintptr_t b = (uintptr_t)1 << (i % ALBA_REG_WORD_BITS);

	if (on)
		map[i / ALBA_REG_WORD_BITS] |= b;
	else
		map[i / ALBA_REG_WORD_BITS] &= ~b;
}

static size_t cap_bytes(void)
{
	size_t limit = __atomic_load_n(&cache_limit, __ATOMIC_RELAXED);
	size_t unset = (size_t)-1;
	const char *env;

	/*
	 * Racing first callers compute the same value; a racing
	 * alba_set_block_cache() wins (only an unset limit is replaced).
	 */
	if (limit == unset) {
		env = getenv("ALBA_BLOCK_CACHE_BYTES");
		limit = env ? strtoull(env, NULL, 0) : CACHE_DEFAULT;
		if (!__atomic_compare_exchange_n(&cache_limit, &unset, limit, false,
						 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			limit = unset;
	}
	if (!limit)
		return 0;
	return limit > peak_bytes ? limit : peak_bytes;
}

/* Tests: the limit unset again, as before the first block was freed. */
void alba_user_cache_unset(void)
{
	__atomic_store_n(&cache_limit, (size_t)-1, __ATOMIC_RELAXED);
}

/**
 * alba_set_block_cache() - how much free block memory the process keeps
 * @bytes: the cache limit: freed blocks stay mapped, their pages in, for
 *	the next arena that needs a block, up to the larger of @bytes and
 *	the process's peak of live block bytes since the last alba_trim();
 *	0 keeps nothing (every freed block goes back to the OS at once)
 *
 * The environment variable ALBA_BLOCK_CACHE_BYTES, when set, wins over
 * @bytes: operators tune a program without rebuilding it. The default is
 * 256 MiB. (size_t)-1 is taken as (size_t)-1 - 1. Any thread, any time;
 * memory already kept past a lower limit goes at the next alba_trim().
 *
 * Return: the limit now in effect.
 */
size_t alba_set_block_cache(size_t bytes)
{
	const char *env = getenv("ALBA_BLOCK_CACHE_BYTES");

	if (env)
		bytes = strtoull(env, NULL, 0);
	else if (bytes == (size_t)-1)
		bytes--;
	__atomic_store_n(&cache_limit, bytes, __ATOMIC_RELAXED);
	return bytes;
}

/* A block of shift is handed out, under source_lock. */
static void live_add(unsigned int shift)
{
	live_bytes += (size_t)1 << shift;
	if (live_bytes > peak_bytes)
		peak_bytes = live_bytes;
}

/* Take a block from a region of shift's list, under source_lock. */
static void *region_take(unsigned int shift, bool *cold)
{
	struct region *r, *pick = NULL;
	size_t i;

	for (r = free_regions[shift]; r; r = r->next) {
		if (r->nwarm) {
			pick = r;
			break;
		}
		if (!pick)
			pick = r;
	}
	if (!pick)
		return NULL;
	r = pick;
	*cold = !r->nwarm;
	i = last_bit(*cold ? r->free : r->warm, r->blocks);
	bit_set(r->free, i, false);
	if (!*cold) {
		bit_set(r->warm, i, false);
		r->nwarm--;
		warm_bytes -= (size_t)1 << shift;
	}
	if (!--r->nfree)
		list_del(r);
	return r->base + (i << shift);
}

static void retired_put(struct region *r)
{
	alba_user_lock(&source_lock);
	r->next = retired[r->region_shift];
	retired[r->region_shift] = r;
	alba_user_unlock(&source_lock);
}

/*
 * A retired range of 1 << rs bytes, its descriptor with it, or NULL. A
 * larger one is split: its upper parts are retired as ranges of their
 * own (each needs a descriptor; a part without one stays reserved, unused).
 */
static struct region *retired_take(unsigned int rs)
{
	struct region *r, *part;
	unsigned int k;

	alba_user_lock(&source_lock);
	for (k = rs; k <= ALBA_PLAT_MAX_SHIFT && !retired[k]; k++)
		;
	r = k <= ALBA_PLAT_MAX_SHIFT ? retired[k] : NULL;
	if (r)
		retired[k] = r->next;
	alba_user_unlock(&source_lock);
	for (; r && k > rs; k--) {
		r->whole = false;
		part = alba_os_block_alloc(ALBA_PLAT_PAGE_SHIFT);
		if (part) {
			part->base = r->base + ((size_t)1 << (k - 1));
			part->region_shift = k - 1;
			part->whole = false;
			retired_put(part);
		}
	}
	if (r && !alba_os_block_revive(r->base, rs)) {
		r->region_shift = rs;
		retired_put(r);
		return NULL;
	}
	return r;
}

/*
 * Unmap every retired range that is one OS mapping (a split part cannot
 * be given back alone everywhere: it stays reserved), and forget them all.
 * Only when the OS refuses a new region's address space: an alba_of()
 * on a stale pointer into such a range at that very moment could fault.
 * Returns how many were unmapped.
 */
static size_t retired_unmap(void)
{
	struct region *r;
	unsigned int k;
	size_t n = 0;

	for (k = 0; k <= ALBA_PLAT_MAX_SHIFT; k++) {
		for (;;) {
			alba_user_lock(&source_lock);
			r = retired[k];
			if (r)
				retired[k] = r->next;
			alba_user_unlock(&source_lock);
			if (!r)
				break;
			if (r->whole) {
				alba_plat_unpoison(r->base, (size_t)1 << k);
				alba_os_block_free(r->base, k);
				n++;
			}
			alba_os_block_free(r, ALBA_PLAT_PAGE_SHIFT);
		}
	}
	return n;
}

void alba_user_retired_unmap(void)
{
	retired_unmap();
}

/* A new region for blocks of shift, its top block taken for the caller. */
static void *region_new(unsigned int shift)
{
	unsigned int rs = (unsigned int)region_of_shift(shift);
	struct region *r, **slot;
	char *base, *top;
	bool revived, whole = true;
	size_t i;

	r = retired_take(rs);
	revived = r;
	if (r) {
		base = r->base;
		whole = r->whole;
		alba_plat_unpoison(base, (size_t)1 << rs);
	} else {
		base = alba_os_block_alloc(rs);
		/* No address space left (32 bits): the retired ranges go. */
		if (!base && retired_unmap())
			base = alba_os_block_alloc(rs);
		if (!base)
			return NULL;
		r = alba_os_block_alloc(ALBA_PLAT_PAGE_SHIFT);
		if (!r) {
			alba_os_block_free(base, rs);
			return NULL;
		}
	}
	memset(r, 0, sizeof(*r));
	r->whole = whole;
	r->base = base;
	r->shift = shift;
	r->region_shift = rs;
	r->blocks = (size_t)1 << (rs - shift);
	for (i = 0; i + 1 < r->blocks; i++)
		bit_set(r->free, i, true);
	r->nfree = r->blocks - 1;
	top = base + (r->nfree << shift);
	alba_plat_poison(base, (size_t)(top - base));

	alba_user_lock(&source_lock);
	slot = dir_slot((uintptr_t)base, true);
	if (slot)
		__atomic_store_n(slot, r, __ATOMIC_RELEASE);
	if (slot && r->nfree)
		list_add(r);
	if (slot) {
		counts.regions++;
		counts.maps++;
		live_add(shift);
	}
	alba_user_unlock(&source_lock);
	if (!slot && revived) {
		alba_os_block_retire(base, rs);
		retired_put(r);
		return NULL;
	}
	if (!slot) {
		alba_plat_unpoison(base, (size_t)1 << rs);
		alba_os_block_free(base, rs);
		alba_os_block_free(r, ALBA_PLAT_PAGE_SHIFT);
		return NULL;
	}
	return top;
}

/*
 * Give an all-free region back: retired, not unmapped, for alba_of() may
 * be reading a header in it (asked the registry before the block went).
 * Its poison stays until the range serves again.
 */
static void region_release(struct region *r)
{
	alba_os_block_retire(r->base, r->region_shift);
	retired_put(r);
}

/* Unlink an all-free region, under source_lock; release it after. */
static void region_unlink(struct region *r)
{
	list_del(r);
	__atomic_store_n(dir_slot((uintptr_t)r->base, false), NULL, __ATOMIC_RELEASE);
	warm_bytes -= r->nwarm << r->shift;
	counts.regions--;
	counts.unmaps++;
}

static void *source_take(unsigned int shift)
{
	bool cold = false;
	void *base;

	alba_user_lock(&source_lock);
	base = region_take(shift, &cold);
	if (base)
		live_add(shift);
	alba_user_unlock(&source_lock);
	if (!base)
		return region_new(shift);
	alba_plat_unpoison(base, (size_t)1 << shift);
	return base;
}

static void source_put(void *base, unsigned int shift)
{
	size_t size = (size_t)1 << shift;
	struct region *r = region_find(base, shift);
	struct region *gone = NULL;
	bool warm;
	size_t i;

	/* Poisoned before it is published: another thread may take it. */
	alba_plat_poison(base, size);
	alba_user_lock(&source_lock);
	warm = warm_bytes + size <= cap_bytes();
	alba_user_unlock(&source_lock);
	if (!warm)
		alba_os_block_discard(base, size);

	alba_user_lock(&source_lock);
	counts.discards += !warm;
	i = (size_t)((char *)base - r->base) >> shift;
	bit_set(r->free, i, true);
	if (warm) {
		bit_set(r->warm, i, true);
		r->nwarm++;
		warm_bytes += size;
	}
	if (!r->nfree++)
		list_add(r);
	live_bytes -= size;
	if (r->nfree == r->blocks && !warm) {
		region_unlink(r);
		gone = r;
	}
	alba_user_unlock(&source_lock);
	if (gone)
		region_release(gone);
}

/*
 * Discard the warm free blocks of one region of shift's list, if one has
 * any: they are taken (not free) while discarded outside the lock, one
 * call per run of neighbours, then put back cold. Return whether a region
 * was found. Each region is visited once, however many blocks it has.
 */
static bool trim_warm(unsigned int shift)
{
	uintptr_t warm[REGION_WORDS];
	struct region *r, *gone = NULL;
	size_t i, run, n, size = (size_t)1 << shift;
	char *base;

	alba_user_lock(&source_lock);
	for (r = free_regions[shift]; r && !r->nwarm; r = r->next)
		;
	if (r) {
		memcpy(warm, r->warm, sizeof(warm));
		for (i = 0; i < REGION_WORDS; i++)
			r->free[i] &= ~warm[i];
		memset(r->warm, 0, sizeof(r->warm));
		n = r->nwarm;
		r->nfree -= n;
		r->nwarm = 0;
		warm_bytes -= n << shift;
		if (!r->nfree)
			list_del(r);
	}
	alba_user_unlock(&source_lock);
	if (!r)
		return false;

	/* Held by us alone: the region stays mapped while it has taken blocks. */
	base = r->base;
	for (i = 0; i < r->blocks; i += run) {
		for (run = 0; i + run < r->blocks &&
		     ((warm[(i + run) / ALBA_REG_WORD_BITS] >>
		       ((i + run) % ALBA_REG_WORD_BITS)) & 1); run++)
			;
		if (run)
			alba_os_block_discard(base + (i << shift), run * size);
		else
			run = 1;
	}

	alba_user_lock(&source_lock);
	counts.discards += n;
	for (i = 0; i < REGION_WORDS; i++)
		r->free[i] |= warm[i];
	if (!r->nfree)
		list_add(r);
	r->nfree += n;
	if (r->nfree == r->blocks) {
		region_unlink(r);
		gone = r;
	}
	alba_user_unlock(&source_lock);
	if (gone)
		region_release(gone);
	return true;
}

/**
 * alba_trim() - give the OS every free block's memory now
 *
 * Regions whose blocks are all free are retired (their memory given back,
 * their address range kept for later regions); free blocks of regions
 * still in use are discarded (MADV_DONTNEED; Windows: MEM_RESET) and stay
 * reserved. The peak the cache keeps drops to the bytes live now. Call it
 * when a busy phase is over (malloc_trim() is glibc's counterpart). Any
 * thread, any time; blocks in use are not touched.
 */
void alba_trim(void)
{
	struct region *r, *gone;
	unsigned int shift;

	for (shift = ALBA_PLAT_PAGE_SHIFT; shift <= ALBA_PLAT_MAX_SHIFT; shift++) {
		for (;;) {
			gone = NULL;
			alba_user_lock(&source_lock);
			for (r = free_regions[shift]; r; r = r->next) {
				if (r->nfree == r->blocks) {
					region_unlink(r);
					gone = r;
					break;
				}
			}
			alba_user_unlock(&source_lock);
			if (!gone)
				break;
			region_release(gone);
		}
		/* Regions still in use: their warm free blocks go cold. */
		while (trim_warm(shift))
			;
	}
	alba_user_lock(&source_lock);
	peak_bytes = live_bytes;
	alba_user_unlock(&source_lock);
}

void alba_user_source_counts(struct alba_user_source *out)
{
	alba_user_lock(&source_lock);
	*out = counts;
	out->warm_bytes = warm_bytes;
	out->live_bytes = live_bytes;
	out->peak_bytes = peak_bytes;
	out->cap_bytes = cap_bytes();
	alba_user_unlock(&source_lock);
}
