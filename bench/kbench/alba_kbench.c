// SPDX-License-Identifier: GPL-2.0
/*
 * alba_kbench.c - alba against the kernel's own allocators, in the kernel.
 *
 * W1 (100,000 objects of 8..64 bytes, alignment 8, one byte of each
 * touched) followed by a bulk free, timed with ktime_get_ns(), for: the
 * loop alone (a bump over a buffer of the module's own: the floor);
 * alba_alloc() with alba_reset(); alba_cursor_alloc() with fini and
 * reset, and the same with each call inside local_irq_save();
 * alba_pcpu_alloc() (the per-CPU set, from this kthread) with destroy and
 * reset; kmalloc() with kfree_bulk(); kmem_cache_alloc() of 64-byte
 * objects with kmem_cache_free_bulk(); page_frag_alloc() with
 * page_frag_free(). Every contender runs once per round, interleaved, for
 * 7 rounds; the median and min-max go to the kernel log as
 * "alba_kbench: <name> <median> <min> <max>" (ns per allocation).
 *
 * With insns=1 (scripts/kbench.sh boots it so under QEMU with the plugin
 * bench/qemu-insns.c) it times nothing: each contender runs once, and
 * alba_pcpu_alloc() also from a soft and a hard hrtimer, between marker
 * instructions (kbench_mark()) around the allocations and around their
 * release, from which the plugin counts the guest instructions executed;
 * the order of the runs goes to the log as "alba_kbench: insns <name>".
 *
 * Loaded as a module it runs at load time and then stays loaded until
 * removed; built in (CONFIG_ALBA_KBENCH) it runs at boot.
 */
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>

#include "alba.h"
#include "compat.h"
#include "kbench_compat.h"

#define NR_OBJS		100000
#define ROUNDS		7

static bool insns;
module_param(insns, bool, 0444);
MODULE_PARM_DESC(insns, "run each contender once between instruction-count markers");

/*
 * A marker for bench/qemu-insns.c: an 8-byte nop whose displacement
 * (0x0a1ba000 + @phase) names it; a nop like any other elsewhere. Phases:
 * 0 before the allocations, 1 after them, 2 before the release, 3 after.
 */
static __always_inline void kbench_mark(const unsigned int phase)
{
	asm volatile("nopl %c0(%%rax,%%rax,1)" : : "i" (0x0a1ba000 + phase) : "memory");
}

static void **objs;
static char *floor_buf;		/* NR_OBJS objects of up to 64 bytes */
static struct alba *arena;
static struct kmem_cache *cache;
static struct page_frag_cache frag;

static size_t obj_size(unsigned int i)
{
	return 8 + i % 57;
}

/* The loop alone: a bump over a buffer of this module's, no allocator. */
static u64 run_floor(void)
{
	u64 t0 = ktime_get_ns();
	size_t off = 0;
	unsigned int i;

	kbench_mark(0);
	for (i = 0; i < NR_OBJS; i++) {
		char *p = floor_buf + off;

		off += ALIGN(obj_size(i), 8);
		*p = (char)i;
		objs[i] = p;
	}
	kbench_mark(1);
	kbench_mark(2);
	kbench_mark(3);
	return ktime_get_ns() - t0;
}

static u64 run_alba(void)
{
	u64 t0 = ktime_get_ns();
	unsigned int i;

	kbench_mark(0);
	for (i = 0; i < NR_OBJS; i++) {
		char *p = alba_alloc(arena, obj_size(i), 8, GFP_KERNEL);

		*p = (char)i;
		objs[i] = p;
	}
	kbench_mark(1);
	kbench_mark(2);
	alba_reset(arena);
	kbench_mark(3);
	return ktime_get_ns() - t0;
}

/*
 * With @irqsave, each allocation inside local_irq_save(): what a per-CPU
 * set's lock adds to the cursor it wraps.
 */
static u64 cursor_round(bool irqsave)
{
	u64 t0 = ktime_get_ns();
	struct alba_cursor cur;
	unsigned long flags;
	unsigned int i;
	char *p;

	kbench_mark(0);
	alba_cursor_init(&cur, arena, 0);
	for (i = 0; i < NR_OBJS; i++) {
		if (irqsave) {
			local_irq_save(flags);
			p = alba_cursor_alloc(&cur, obj_size(i), 8, GFP_ATOMIC);
			local_irq_restore(flags);
		} else {
			p = alba_cursor_alloc(&cur, obj_size(i), 8, GFP_KERNEL);
		}
		*p = (char)i;
		objs[i] = p;
	}
	kbench_mark(1);
	kbench_mark(2);
	alba_cursor_fini(&cur);
	alba_reset(arena);
	kbench_mark(3);
	return ktime_get_ns() - t0;
}

static u64 run_cursor(void)
{
	return cursor_round(false);
}

static u64 run_cursor_irqsave(void)
{
	return cursor_round(true);
}

/* @n objects from a per-CPU set, between markers 0 and 1; false if one failed. */
static bool pcpu_loop(struct alba_pcpu *pc, unsigned int n, gfp_t gfp)
{
	unsigned int i;

	kbench_mark(0);
	for (i = 0; i < n; i++) {
		char *p = alba_pcpu_alloc(pc, obj_size(i), 8, gfp);

		if (!p)
			return false;
		*p = (char)i;
		objs[i] = p;
	}
	kbench_mark(1);
	return true;
}

static void pcpu_release(struct alba_pcpu *pc, bool marked)
{
	if (marked)
		kbench_mark(2);
	alba_pcpu_destroy(pc);
	alba_reset(arena);
	if (marked)
		kbench_mark(3);
}

static u64 run_pcpu(void)
{
	struct alba_pcpu *pc = alba_pcpu_create(arena, 0, GFP_KERNEL);
	u64 t0 = ktime_get_ns();

	if (!pc)
		return U64_MAX;
	pcpu_loop(pc, NR_OBJS, GFP_KERNEL);
	pcpu_release(pc, true);
	return ktime_get_ns() - t0;
}

/*
 * alba_pcpu_alloc() from a soft hrtimer (softirq; a thread on PREEMPT_RT),
 * a hard one (hard IRQ), or (@mode NULL) this task, for insns=1. The
 * blocks come from a fill in this task, kept by alba_reset_keep(): hard
 * IRQ gets no new block where the kernel has no alloc_pages_nolock().
 */
static struct {
	struct hrtimer timer;
	struct completion done;
	struct alba_pcpu *pc;
	gfp_t gfp;
	bool ok;
} ctx;

static enum hrtimer_restart ctx_fn(struct hrtimer *t)
{
	ctx.ok = pcpu_loop(ctx.pc, NR_OBJS, ctx.gfp);
	complete(&ctx.done);
	return HRTIMER_NORESTART;
}

/*
 * Fill the arena from this task and keep its blocks (alba_reset_keep()):
 * the next run takes no page from the page allocator, so neither that nor
 * the zeroing of new pages (init_on_alloc, on in Debian's kernels; TCG
 * counts each iteration of its rep stosb) is in its count.
 */
static bool keep_blocks(void)
{
	unsigned int i;

	for (i = 0; i < 2 * NR_OBJS; i++)
		if (!alba_alloc(arena, obj_size(i), 8, GFP_KERNEL))
			return false;
	alba_reset_keep(arena, SIZE_MAX);
	return true;
}

static bool pcpu_kept(const enum hrtimer_mode *mode, gfp_t gfp)
{
	if (!keep_blocks())
		return false;
	ctx.pc = alba_pcpu_create(arena, 0, GFP_KERNEL);
	if (!ctx.pc)
		return false;
	ctx.gfp = gfp;
	if (mode) {
		init_completion(&ctx.done);
		hrtimer_setup(&ctx.timer, ctx_fn, CLOCK_MONOTONIC, *mode);
		hrtimer_start(&ctx.timer, ns_to_ktime(1000), *mode);
		wait_for_completion(&ctx.done);
	} else {
		ctx.ok = pcpu_loop(ctx.pc, NR_OBJS, gfp);
	}
	pcpu_release(ctx.pc, ctx.ok);
	return ctx.ok;
}

static u64 run_kmalloc(void)
{
	u64 t0 = ktime_get_ns();
	unsigned int i;

	kbench_mark(0);
	for (i = 0; i < NR_OBJS; i++) {
		char *p = kmalloc(obj_size(i), GFP_KERNEL);

		*p = (char)i;
		objs[i] = p;
	}
	kbench_mark(1);
	kbench_mark(2);
	kfree_bulk(NR_OBJS, objs);
	kbench_mark(3);
	return ktime_get_ns() - t0;
}

static u64 run_kmem_cache(void)
{
	u64 t0 = ktime_get_ns();
	unsigned int i;

	kbench_mark(0);
	for (i = 0; i < NR_OBJS; i++) {
		char *p = kmem_cache_alloc(cache, GFP_KERNEL);

		*p = (char)i;
		objs[i] = p;
	}
	kbench_mark(1);
	kbench_mark(2);
	kmem_cache_free_bulk(cache, NR_OBJS, objs);
	kbench_mark(3);
	return ktime_get_ns() - t0;
}

static u64 run_page_frag(void)
{
	u64 t0 = ktime_get_ns();
	unsigned int i;

	kbench_mark(0);
	for (i = 0; i < NR_OBJS; i++) {
		char *p = alba_page_frag_alloc(&frag, obj_size(i), GFP_KERNEL, 8);

		*p = (char)i;
		objs[i] = p;
	}
	kbench_mark(1);
	kbench_mark(2);
	for (i = 0; i < NR_OBJS; i++)
		page_frag_free(objs[i]);
	kbench_mark(3);
	return ktime_get_ns() - t0;
}

static const struct {
	const char *name;
	u64 (*run)(void);
} contenders[] = {
	{ "floor(loop_alone)", run_floor },
	{ "alba_cursor_alloc", run_cursor },
	{ "alba_cursor_alloc+irqsave", run_cursor_irqsave },
	{ "alba_pcpu_alloc", run_pcpu },
	{ "alba_alloc", run_alba },
	{ "kmalloc+kfree_bulk", run_kmalloc },
	{ "kmem_cache_alloc+free_bulk", run_kmem_cache },
	{ "page_frag_alloc+free", run_page_frag },
};

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * insns=1: every contender once per round, named in the order of their
 * markers, three rounds after the system has settled: work of other tasks
 * and interrupts that lands between two markers only adds, so the least
 * of the three is the count (scripts/kbench.sh).
 */
static void count_insns(void)
{
	static const enum hrtimer_mode soft = HRTIMER_MODE_REL_SOFT;
	static const enum hrtimer_mode hard = HRTIMER_MODE_REL_HARD;
	unsigned int c, r;

	msleep(2000);
	for (r = 0; r < 3; r++) {
		for (c = 0; c < ARRAY_SIZE(contenders); c++)
			if (contenders[c].run() != U64_MAX)
				pr_info("alba_kbench: insns %s\n", contenders[c].name);
		/*
		 * From kept blocks; the per-CPU set in task (GFP_ATOMIC: no
		 * might_alloc()), softirq and hard IRQ.
		 */
		if (keep_blocks() && run_cursor() != U64_MAX)
			pr_info("alba_kbench: insns alba_cursor_alloc(kept)\n");
		if (keep_blocks() && run_alba() != U64_MAX)
			pr_info("alba_kbench: insns alba_alloc(kept)\n");
		if (pcpu_kept(NULL, GFP_ATOMIC))
			pr_info("alba_kbench: insns alba_pcpu_alloc(task,kept)\n");
		if (pcpu_kept(&soft, GFP_ATOMIC))
			pr_info("alba_kbench: insns alba_pcpu_alloc(softirq,kept)\n");
		if (pcpu_kept(&hard, __GFP_NOWARN))
			pr_info("alba_kbench: insns alba_pcpu_alloc(hardirq,kept)\n");
	}
}

static int __init alba_kbench_init(void)
{
	u64 t[ARRAY_SIZE(contenders)][ROUNDS];
	unsigned int c, r;

	objs = vmalloc(array_size(NR_OBJS, sizeof(*objs)));
	floor_buf = vmalloc(array_size(NR_OBJS, 64));
	arena = alba_create("kbench", 0, GFP_KERNEL);
	cache = kmem_cache_create("alba_kbench", 64, 8, 0, NULL);
	if (!objs || !floor_buf || !arena || !cache) {
		vfree(floor_buf);
		vfree(objs);
		alba_destroy(arena);
		kmem_cache_destroy(cache);
		return -ENOMEM;
	}
	if (insns) {
		count_insns();
		goto out;
	}
	for (r = 0; r < ROUNDS; r++)
		for (c = 0; c < ARRAY_SIZE(contenders); c++)
			t[c][r] = contenders[c].run();
	pr_info("alba_kbench: W1, %d objects of 8..64 bytes, %d rounds, ns per allocation: median min max\n",
		NR_OBJS, ROUNDS);
	for (c = 0; c < ARRAY_SIZE(contenders); c++) {
		sort(t[c], ROUNDS, sizeof(u64), cmp_u64, NULL);
		pr_info("alba_kbench: %s %llu.%02llu %llu.%02llu %llu.%02llu\n",
			contenders[c].name,
			t[c][ROUNDS / 2] / NR_OBJS, t[c][ROUNDS / 2] % NR_OBJS * 100 / NR_OBJS,
			t[c][0] / NR_OBJS, t[c][0] % NR_OBJS * 100 / NR_OBJS,
			t[c][ROUNDS - 1] / NR_OBJS,
			t[c][ROUNDS - 1] % NR_OBJS * 100 / NR_OBJS);
	}
out:
	page_frag_cache_drain(&frag);
	kmem_cache_destroy(cache);
	alba_destroy(arena);
	vfree(floor_buf);
	vfree(objs);
	return 0;
}

static void __exit alba_kbench_exit(void)
{
}

module_init(alba_kbench_init);
module_exit(alba_kbench_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("alba benchmark against kmalloc, kmem_cache and page_frag");
