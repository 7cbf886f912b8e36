// SPDX-License-Identifier: GPL-2.0
/*
 * alba_debugfs.c - the debugfs view of alba, all root-only:
 *
 *   alba/live_blocks       blocks allocated and not freed, all arenas
 *   alba/fail_alba/        the fault-injection attribute that fails block
 *                          allocations (CONFIG_FAULT_INJECTION_DEBUG_FS;
 *                          Documentation/fault-injection/)
 *   alba/<arena>/stats     alba_get_stats(), O(1)
 *   alba/<arena>/blocks    a map of every block: pfn, order, node, and a
 *                          bar of header, used, padding, reserved, tail
 *                          and free bytes
 *
 * An arena's files reach it through a small handle that holds an RCU
 * pointer to it, so that alba_destroy_rcu() can unpublish them from any
 * context and free the arena after a grace period, while their removal
 * (which may sleep) runs later on alba's workqueue. The block map walks
 * the blocks in batches, holding the arena lock for one batch at a time.
 * Arenas created where sleeping is not allowed get no files.
 */
#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/fault-inject.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "alba_plat.h"
#include "alba_kernel.h"

struct alba_debugfs {
	struct alba __rcu *arena;
	struct dentry *dir;
	struct work_struct remove;
};

static struct dentry *alba_dir;
static atomic_t arena_ids = ATOMIC_INIT(0);

static int stats_show(struct seq_file *m, void *v)
{
	struct alba_debugfs *d = m->private;
	char name[ALBA_NAME_MAX];
	struct alba_stats s;
	struct alba *arena;

	rcu_read_lock();
	arena = rcu_dereference(d->arena);
	if (arena) {
		alba_get_stats(arena, &s);
		strscpy(name, alba_core_name(arena), sizeof(name));
	}
	rcu_read_unlock();
	if (!arena)
		return 0;
	seq_printf(m, "name:           %s\n", name);
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
#define BATCH	32

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

static int blocks_show(struct seq_file *m, void *v)
{
	struct alba_debugfs *d = m->private;
	struct alba_walk walk = { 0 };
	struct alba_block_info *info;
	char name[ALBA_NAME_MAX];
	struct alba *arena;
	struct alba_stats s;
	bool first = true;
	size_t i, n;
	int nid;

	info = kmalloc_array(BATCH, sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	for (;;) {
		rcu_read_lock();
		arena = rcu_dereference(d->arena);
		n = 0;
		if (arena && first) {
			alba_get_stats(arena, &s);
			strscpy(name, alba_core_name(arena), sizeof(name));
			nid = alba_core_nid(arena);
		}
		if (arena)
			n = alba_core_blocks(arena, info, BATCH, &walk);
		rcu_read_unlock();
		if (arena && first) {
			seq_printf(m, "# arena %s: %zu blocks of %zu bytes (larger: dedicated), node %d\n",
				   name, s.blocks, s.block_size, nid);
			seq_puts(m, "# * current  H header  U used  P padding  R reserved by cursors  T tail  . free\n");
			first = false;
		}
		if (!n)
			break;
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

void alba_debugfs_add(struct alba *arena, gfp_t gfp)
{
	struct alba_plat_arena *pa = alba_core_plat(arena);
	const char *name = alba_core_name(arena);
	char unique[ALBA_NAME_MAX + 16];
	struct alba_debugfs *d;
	struct dentry *old;

	/* debugfs may sleep: only for arenas created where sleeping is fine. */
	if (!alba_dir || !gfpflags_allow_blocking(gfp))
		return;
	d = kzalloc_obj(*d, gfp & ~GFP_ZONEMASK);
	if (!d)
		return;
	old = debugfs_lookup(name, alba_dir);
	if (old) {
		dput(old);
		snprintf(unique, sizeof(unique), "%s-%d", name,
			 atomic_inc_return(&arena_ids));
		name = unique;
	}
	d->dir = debugfs_create_dir(name, alba_dir);
	if (IS_ERR(d->dir)) {
		kfree(d);
		return;
	}
	RCU_INIT_POINTER(d->arena, arena);
	debugfs_create_file("stats", 0400, d->dir, d, &stats_fops);
	debugfs_create_file("blocks", 0400, d->dir, d, &blocks_fops);
	pa->dfs = d;
}

void alba_debugfs_remove(struct alba *arena)
{
	struct alba_debugfs *d = alba_core_plat(arena)->dfs;

	if (!d)
		return;
	RCU_INIT_POINTER(d->arena, NULL);
	/* Waits for readers of the files, who hold the arena no longer. */
	debugfs_remove(d->dir);
	kfree(d);
}

static void remove_fn(struct work_struct *work)
{
	struct alba_debugfs *d = container_of(work, struct alba_debugfs, remove);

	debugfs_remove(d->dir);
	kfree(d);
}

void alba_debugfs_detach(struct alba *arena)
{
	struct alba_debugfs *d = alba_core_plat(arena)->dfs;

	if (!d)
		return;
	/* Readers that found the arena keep it until their grace period. */
	RCU_INIT_POINTER(d->arena, NULL);
	INIT_WORK(&d->remove, remove_fn);
	queue_work(alba_wq, &d->remove);
}

static int live_blocks_get(void *data, u64 *val)
{
	*val = alba_plat_live_blocks();
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(live_blocks_fops, live_blocks_get, NULL, "%llu\n");

void alba_debugfs_init(void)
{
	alba_dir = debugfs_create_dir("alba", NULL);
	if (IS_ERR(alba_dir)) {
		alba_dir = NULL;
		return;
	}
	debugfs_create_file_unsafe("live_blocks", 0400, alba_dir, NULL,
				   &live_blocks_fops);
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
	fault_create_debugfs_attr("fail_alba", alba_dir, &alba_fail_attr);
#endif
}

void alba_debugfs_exit(void)
{
	debugfs_remove(alba_dir);
}
