// SPDX-License-Identifier: GPL-2.0
/*
 * alba_kernel.c - the kernel platform of alba (see alba_plat.h).
 *
 * Blocks are alloc_pages() of the order that matches the block size, so a
 * block is aligned to its size both virtually and physically; a failed
 * high-order allocation is a failure, never a smaller block. Lowmem only
 * (__GFP_HIGHMEM is masked), because the core addresses blocks directly.
 *
 * Also here: the module, the debugfs view of each arena
 * (alba/<arena>/stats and alba/<arena>/blocks, root-only), the global
 * live-block counter, and a module-local fault attribute that fails the
 * n-th block allocation (for tests; /sys/kernel/debug/alba/fail_nth).
 *
 * Contexts. alba's arena lock is a raw spinlock, so allocation works from
 * any context, hard IRQ included, on every kernel. What a context may do
 * beyond that is the page allocator's rule: without PREEMPT_RT it may be
 * called with GFP_ATOMIC from anywhere but NMI; with PREEMPT_RT its locks
 * sleep, so it may be called only where the caller is preemptible (task
 * context, threaded IRQs, softirq, spinlock_t sections), and not from hard
 * IRQ, with interrupts off or under a raw spinlock. There a new block comes
 * from alloc_pages_nolock() where the kernel exports it (6.18 and later;
 * best effort, no reclaim), and the allocation fails otherwise; a block
 * given back there is freed later, from a workqueue.
 *
 * Loading the module creates nothing; consumers create arenas.
 */
#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/llist.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "alba_plat.h"

static atomic_long_t live_blocks = ATOMIC_LONG_INIT(0);
static atomic_long_t fail_countdown = ATOMIC_LONG_INIT(0);
static atomic_t arena_ids = ATOMIC_INIT(0);
static struct dentry *alba_dir;

/**
 * alba_plat_fail_nth() - make the n-th block allocation from now fail
 * @n: 1 for the next one, 0 to stop
 *
 * A fault attribute for tests, like fail_page_alloc but local to alba.
 *
 * Context: any context.
 */
void alba_plat_fail_nth(unsigned long n)
{
	atomic_long_set(&fail_countdown, n);
}
EXPORT_SYMBOL_GPL(alba_plat_fail_nth);

static bool fault_fires(void)
{
	long n = atomic_long_read(&fail_countdown);

	while (n > 0) {
		if (atomic_long_try_cmpxchg(&fail_countdown, &n, n - 1))
			return n == 1;
	}
	return false;
}

/**
 * alba_plat_live_blocks() - blocks allocated and not yet freed
 *
 * Context: any context.
 * Return: the count, over all arenas.
 */
long alba_plat_live_blocks(void)
{
	return atomic_long_read(&live_blocks);
}
EXPORT_SYMBOL_GPL(alba_plat_live_blocks);

/* May this context call the page allocator? See "Contexts" above. */
static bool page_allocator_allowed(void)
{
	return !IS_ENABLED(CONFIG_PREEMPT_RT) || preemptible();
}

void *alba_plat_block_alloc(unsigned int shift, gfp_t gfp, int nid)
{
	unsigned int order = shift - PAGE_SHIFT;
	struct page *page;

	if (fault_fires())
		return NULL;
	if (likely(page_allocator_allowed()))
		page = alloc_pages_node(nid, gfp & ~__GFP_HIGHMEM, order);
	else
		page = alba_alloc_pages_nolock(gfp, nid, order);
	if (!page)
		return NULL;
	atomic_long_inc(&live_blocks);
	return page_address(page);
}
EXPORT_SYMBOL_GPL(alba_plat_block_alloc);

/*
 * Which pages hold a live alba block header: the page's private word
 * holds a value derived from its address, set while the block lives. A
 * pointer is asked about only if it lies in the direct map, so its struct
 * page exists; the header itself is read only once the mark matches.
 */
#define HEADER_MARK	0xa1ba0b10c5a1ba00UL

static unsigned long header_mark(const void *p)
{
	return HEADER_MARK ^ (unsigned long)p;
}

void alba_plat_header_set(void *p)
{
	set_page_private(virt_to_page(p), header_mark(p));
}

void alba_plat_header_clear(void *p)
{
	set_page_private(virt_to_page(p), 0);
}

bool alba_plat_header_test(const void *p)
{
	return virt_addr_valid(p) &&
	       page_private(virt_to_page(p)) == header_mark(p);
}

/* Blocks given back where the page allocator may not be called. */
struct deferred_block {
	struct llist_node node;
	unsigned int shift;
};

static LLIST_HEAD(deferred_blocks);

static void free_block(void *base, unsigned int shift)
{
	__free_pages(virt_to_page(base), shift - PAGE_SHIFT);
	atomic_long_dec(&live_blocks);
}

static void deferred_free_fn(struct work_struct *work)
{
	struct llist_node *list = llist_del_all(&deferred_blocks);
	struct deferred_block *d, *next;

	llist_for_each_entry_safe(d, next, list, node)
		free_block(d, d->shift);
}

static DECLARE_WORK(deferred_free_work, deferred_free_fn);

void alba_plat_block_free(void *base, unsigned int shift)
{
	struct deferred_block *d = base;

	if (likely(page_allocator_allowed())) {
		free_block(base, shift);
		return;
	}
	/* The block's own first bytes carry it to the workqueue. */
	d->shift = shift;
	if (llist_add(&d->node, &deferred_blocks))
		schedule_work(&deferred_free_work);
}
EXPORT_SYMBOL_GPL(alba_plat_block_free);

/* ---- tracepoints ---------------------------------------------------------- */

void alba_plat_trace_arena_create(struct alba *arena, size_t block_size,
				  gfp_t gfp, int nid)
{
}

void alba_plat_trace_arena_destroy(struct alba *arena)
{
}

void alba_plat_trace_block_alloc(struct alba *arena, const void *base,
				 unsigned int shift, gfp_t gfp)
{
}

void alba_plat_trace_block_free(struct alba *arena, const void *base,
				unsigned int shift)
{
}

void alba_plat_trace_reset(struct alba *arena)
{
}

void alba_plat_trace_rewind(struct alba *arena)
{
}

void alba_plat_trace_alloc_fail(struct alba *arena, size_t size, size_t align,
				gfp_t gfp)
{
}

/* ---- debugfs ---------------------------------------------------------- */

static int stats_show(struct seq_file *m, void *v)
{
	struct alba *arena = m->private;
	struct alba_stats s;

	alba_get_stats(arena, &s);
	seq_printf(m, "name:           %s\n", alba_core_name(arena));
	seq_printf(m, "block_size:     %zu\n", s.block_size);
	seq_printf(m, "blocks:         %zu\n", s.blocks);
	seq_printf(m, "block_bytes:    %zu\n", s.block_bytes);
	seq_printf(m, "header_bytes:   %zu\n", s.header_bytes);
	seq_printf(m, "used_bytes:     %zu\n", s.used_bytes);
	seq_printf(m, "pad_bytes:      %zu\n", s.pad_bytes);
	seq_printf(m, "tail_bytes:     %zu\n", s.tail_bytes);
	seq_printf(m, "free_bytes:     %zu\n", s.free_bytes);
	seq_printf(m, "reserved_bytes: %zu\n", s.reserved_bytes);
	seq_printf(m, "allocs:         %llu\n", (unsigned long long)s.allocs);
	seq_printf(m, "failed:         %llu\n", (unsigned long long)s.failed);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

#define BAR	48

/* One character per BAR-th of the block, each part rounded at its end. */
static void draw_bar(struct seq_file *m, const struct alba_block_info *b)
{
	const struct alba_stats *s = &b->stats;
	const size_t part[] = { s->header_bytes, s->used_bytes, s->pad_bytes,
				s->reserved_bytes, s->tail_bytes, s->free_bytes };
	static const char glyph[] = "HUPRT.";
	u64 done = 0, size = s->block_bytes;
	unsigned int i, col = 0, col_end;
	char bar[BAR + 1];

	for (i = 0; i < ARRAY_SIZE(part); i++) {
		done += part[i];
		col_end = div64_u64(done * BAR + size / 2, size);
		while (col < col_end && col < BAR)
			bar[col++] = glyph[i];
	}
	bar[col] = '\0';
	seq_printf(m, "[%s]", bar);
}

/*
 * The block map walks the blocks in batches, holding the arena lock for
 * one batch at a time, so that reading it does not keep interrupts off for
 * a time that grows with the arena.
 */
#define BATCH	32

static int blocks_show(struct seq_file *m, void *v)
{
	struct alba *arena = m->private;
	struct alba_walk walk = { 0 };
	struct alba_block_info *info;
	struct alba_stats s;
	size_t i, n;

	info = kmalloc_array(BATCH, sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	alba_get_stats(arena, &s);
	seq_printf(m, "# arena %s: %zu blocks of %zu bytes (larger: dedicated), node %d\n",
		   alba_core_name(arena), s.blocks, s.block_size, alba_core_nid(arena));
	seq_puts(m, "# * current  H header  U used  P padding  R reserved by cursors  T tail  . free\n");
	while ((n = alba_core_blocks(arena, info, BATCH, &walk))) {
		for (i = 0; i < n; i++) {
			const struct alba_stats *b = &info[i].stats;
			struct page *page = virt_to_page(info[i].base);

			/* The pfn shows the natural alignment without leaking pointers. */
			seq_printf(m, "pfn %#9lx order %2u node %d %c ",
				   page_to_pfn(page), info[i].shift - PAGE_SHIFT,
				   page_to_nid(page), info[i].is_current ? '*' : ' ');
			draw_bar(m, &info[i]);
			seq_printf(m, " used %zu pad %zu free %zu\n", b->used_bytes,
				   b->pad_bytes, b->free_bytes + b->tail_bytes);
		}
		cond_resched();
	}
	if (walk.changed)
		seq_puts(m, "# the arena released blocks during the walk; the map stops here\n");
	kfree(info);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(blocks);

void alba_plat_arena_added(struct alba *arena, gfp_t gfp)
{
	const char *name = alba_core_name(arena);
	struct dentry *dir, *old;
	char unique[ALBA_NAME_MAX + 16];

	/* debugfs may sleep: only for arenas created where sleeping is fine. */
	if (!alba_dir || !gfpflags_allow_blocking(gfp))
		return;
	old = debugfs_lookup(name, alba_dir);
	if (old) {
		dput(old);
		snprintf(unique, sizeof(unique), "%s-%d", name,
			 atomic_inc_return(&arena_ids));
		name = unique;
	}
	dir = debugfs_create_dir(name, alba_dir);
	if (IS_ERR(dir))
		return;
	debugfs_create_file("stats", 0400, dir, arena, &stats_fops);
	debugfs_create_file("blocks", 0400, dir, arena, &blocks_fops);
	*alba_core_plat(arena) = dir;
}

void alba_plat_arena_removed(struct alba *arena)
{
	/* Waits for readers of the arena's files to finish. */
	debugfs_remove(*alba_core_plat(arena));
}

static int live_blocks_get(void *data, u64 *val)
{
	*val = alba_plat_live_blocks();
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(live_blocks_fops, live_blocks_get, NULL, "%llu\n");

static int fail_nth_set(void *data, u64 val)
{
	alba_plat_fail_nth(val);
	return 0;
}

static int fail_nth_get(void *data, u64 *val)
{
	*val = atomic_long_read(&fail_countdown);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(fail_nth_fops, fail_nth_get, fail_nth_set, "%llu\n");

static int __init alba_init(void)
{
	alba_dir = debugfs_create_dir("alba", NULL);
	if (IS_ERR(alba_dir)) {
		alba_dir = NULL;
		return 0;
	}
	debugfs_create_file_unsafe("live_blocks", 0400, alba_dir, NULL,
				   &live_blocks_fops);
	debugfs_create_file_unsafe("fail_nth", 0600, alba_dir, NULL,
				   &fail_nth_fops);
	return 0;
}

static void __exit alba_exit(void)
{
	debugfs_remove(alba_dir);
	flush_work(&deferred_free_work);
	if (atomic_long_read(&live_blocks))
		pr_warn("alba: %ld blocks still allocated at unload (an arena was not destroyed)\n",
			atomic_long_read(&live_blocks));
}

module_init(alba_init);
module_exit(alba_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("alba: aligned block arena allocator");
MODULE_AUTHOR("The alba authors");
