// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for what only the kernel has: the physical alignment of
 * blocks, allocation from interrupt context and with interrupts off, real
 * SMP with CPU hotplug (kthreads on every CPU, an hrtimer and a work item
 * on one arena, through cursors and per-CPU sets), alba_destroy_rcu()
 * under concurrent RCU readers, and KASAN seeing objects (suite
 * alba_kasan, last). Run under UML and x86_64 QEMU by scripts/kunit.sh.
 */
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/io.h>
#include <linux/irqflags.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "alba_kunit.h"

/* The physical address of every block is aligned to the block size too. */
static void alba_phys_alignment_test(struct kunit *test)
{
	unsigned int shift;
	void *blk;

	for (shift = PAGE_SHIFT; shift <= ALBA_PLAT_MAX_SHIFT; shift++) {
		blk = alba_plat_block_alloc(NULL, shift,
					    GFP_KERNEL | __GFP_NOWARN,
					    NUMA_NO_NODE);
		if (!blk) {
			kunit_info(test, "no free block of order %u", shift - PAGE_SHIFT);
			continue;
		}
		KUNIT_EXPECT_EQ(test, page_to_phys(virt_to_page(blk)) &
				(((phys_addr_t)1 << shift) - 1), 0);
		alba_plat_block_free(blk, shift);
	}
}

struct atomic_ctx {
	struct hrtimer timer;
	struct alba *arena;
	struct alba_pcpu *pc;	/* through it if set, else alba_alloc() */
	gfp_t gfp;
	atomic_t fired;
	atomic_t bad;
	u8 *obj[64];
};

static enum hrtimer_restart atomic_timer_fn(struct hrtimer *t)
{
	struct atomic_ctx *ctx = container_of(t, struct atomic_ctx, timer);
	int i = atomic_read(&ctx->fired);
	u8 *p;

	p = ctx->pc ? alba_pcpu_alloc(ctx->pc, 48 + i, 16, ctx->gfp) :
		      alba_alloc(ctx->arena, 48 + i, 16, ctx->gfp);
	if (p) {
		memset(p, 0xa0 + (i & 15), 48 + i);
		ctx->obj[i] = p;
	} else {
		atomic_inc(&ctx->bad);
	}
	if (atomic_inc_return(&ctx->fired) >= (int)ARRAY_SIZE(ctx->obj))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ns_to_ktime(20000));
	return HRTIMER_RESTART;
}

/* @ctx's timer as a hard hrtimer, until it has made all its requests. */
static void run_hard_timer(struct atomic_ctx *ctx)
{
	hrtimer_setup(&ctx->timer, atomic_timer_fn, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL_HARD);
	hrtimer_start(&ctx->timer, ns_to_ktime(20000), HRTIMER_MODE_REL_HARD);
	while (atomic_read(&ctx->fired) < (int)ARRAY_SIZE(ctx->obj))
		usleep_range(500, 1000);
	hrtimer_cancel(&ctx->timer);
}

/* Object @i of @ctx's timer: in the arena, every byte its pattern. */
static void expect_timer_obj(struct kunit *test, struct atomic_ctx *ctx,
			     int i, size_t block_size)
{
	int j;

	KUNIT_EXPECT_PTR_EQ(test, alba_of(ctx->obj[i], block_size), ctx->arena);
	for (j = 0; j < 48 + i; j++)
		if (ctx->obj[i][j] != 0xa0 + (i & 15))
			break;
	KUNIT_EXPECT_EQ(test, j, 48 + i);
}

/*
 * A shrink in place gives its tail to whoever allocates next, so it is
 * poisoned before the lock is dropped (issue 19 row 1): a hard timer that
 * fires while alba_realloc() holds the lock runs at the unlock, takes the
 * tail, and its objects must stay unpoisoned. Reading them back makes
 * KASAN report every object a late poison covered.
 */
static void alba_realloc_shrink_irq_test(struct kunit *test)
{
	struct atomic_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	unsigned int i, in_place = 0;
	u8 *p, *q;

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->arena = new_arena(test, 1 << 20);
	ctx->gfp = __GFP_NOWARN;	/* hard IRQ: the current block only */
	hrtimer_setup(&ctx->timer, atomic_timer_fn, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL_HARD);
	hrtimer_start(&ctx->timer, ns_to_ktime(20000), HRTIMER_MODE_REL_HARD);
	for (i = 0; atomic_read(&ctx->fired) < (int)ARRAY_SIZE(ctx->obj); i++) {
		p = alba_alloc(ctx->arena, 256, 8, GFP_KERNEL);
		q = p ? alba_realloc(ctx->arena, p, 256, 16, 8, GFP_KERNEL) : NULL;
		/* No ASSERT while the timer runs: it would stay armed. */
		if (!q) {
			KUNIT_FAIL(test, "round %u failed beside the timer", i);
			break;
		}
		in_place += p == q;
		memset(q, 0x33, 16);
	}
	hrtimer_cancel(&ctx->timer);
	KUNIT_EXPECT_GT(test, in_place, i / 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->bad), 0);
	for (i = 0; i < ARRAY_SIZE(ctx->obj); i++)
		if (ctx->obj[i])
			expect_timer_obj(test, ctx, i, 1 << 20);
	kunit_info(test, "%u shrinks in place while a hard timer allocated %d objects",
		   in_place, atomic_read(&ctx->fired));
	alba_destroy(ctx->arena);
}

/*
 * Can a caller that may not take the page allocator's locks get a block?
 * Where the kernel exports alloc_pages_nolock(), sometimes (best effort;
 * never in hard IRQ on PREEMPT_RT); elsewhere never.
 */
#ifdef ALBA_HAVE_ALLOC_PAGES_NOLOCK
#define NOLOCK_BLOCKS(hardirq)	(!(hardirq) || !IS_ENABLED(CONFIG_PREEMPT_RT))
#else
#define NOLOCK_BLOCKS(hardirq)	((void)(hardirq), false)
#endif

/*
 * GFP_ATOMIC allocations with interrupts off, and from a timer callback
 * while task context allocates from the same arena (lockdep must stay
 * quiet: the lock is taken with interrupts saved). With interrupts off
 * on PREEMPT_RT the page allocator's locks (which sleep there) may not be
 * taken: new blocks come from alloc_pages_nolock() where the kernel has
 * it (7.x), and where it does not (6.12) the current block serves until
 * it is full and then the allocation fails, changing nothing.
 */
static void alba_atomic_context_test(struct kunit *test)
{
	struct atomic_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	bool blocks = !IS_ENABLED(CONFIG_PREEMPT_RT) || NOLOCK_BLOCKS(false);
	struct alba_stats s;
	unsigned long flags;
	int i;
	u8 *p;

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->arena = new_arena(test, 4096);
	ctx->gfp = GFP_ATOMIC | __GFP_NOWARN;

	local_irq_save(flags);
	for (i = 0; i < 100; i++) {
		p = alba_alloc(ctx->arena, 100, 8, GFP_ATOMIC | __GFP_NOWARN);
		if (!p)
			break;
		memset(p, 0x11, 100);
	}
	local_irq_restore(flags);
	stats_of(test, ctx->arena, &s);
	if (blocks) {
		KUNIT_EXPECT_EQ(test, i, 100);
	} else {
		/* One block's worth, the block full, one refusal counted. */
		KUNIT_EXPECT_GT(test, i, 0);
		KUNIT_EXPECT_EQ(test, s.blocks, 1);
		KUNIT_EXPECT_EQ(test, s.allocs, i);
		KUNIT_EXPECT_EQ(test, s.failed, 1);
		KUNIT_EXPECT_LT(test, s.free_bytes, 100 + 8);
		/* With interrupts on, the same gfp takes a block. */
		KUNIT_EXPECT_NOT_NULL(test, alba_alloc(ctx->arena, 100, 8,
						       GFP_ATOMIC));
	}
	kunit_info(test, "%d objects with interrupts off, %zu block(s)%s", i,
		   s.blocks, blocks ? "" : ", no new block there");

	hrtimer_setup(&ctx->timer, atomic_timer_fn, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL);
	hrtimer_start(&ctx->timer, ns_to_ktime(20000), HRTIMER_MODE_REL);
	for (i = 0; atomic_read(&ctx->fired) < (int)ARRAY_SIZE(ctx->obj); i++) {
		p = alba_alloc(ctx->arena, 64, 8, GFP_KERNEL);
		/* No ASSERT while the timer runs: it would stay armed. */
		if (!p) {
			KUNIT_FAIL(test, "allocation %d failed beside the timer", i);
			break;
		}
		memset(p, 0x22, 64);
		if (i % 256 == 0)
			usleep_range(50, 100);
	}
	hrtimer_cancel(&ctx->timer);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->bad), 0);
	for (i = 0; i < (int)ARRAY_SIZE(ctx->obj); i++)
		if (ctx->obj[i])
			expect_timer_obj(test, ctx, i, 4096);
	alba_destroy(ctx->arena);
}

/*
 * From hard IRQ (a hard hrtimer: hard IRQ on PREEMPT_RT too, where a
 * plain one runs in a thread), with a gfp that takes no page-allocator
 * lock (no __GFP_RECLAIM), by the same rule with and without RT: the
 * requests are served from the current block, and once it is full they
 * fail (NULL, no splat), unless alloc_pages_nolock() gives a block;
 * every object served is sound. lockdep's raw-lock nesting check (every
 * x86_64 debug kernel) reports any page-allocator lock taken here.
 */
static void alba_hard_irq_test(struct kunit *test)
{
	struct atomic_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	int i, served = 0;
	bool failed = false;

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->arena = new_arena(test, 4096);
	ctx->gfp = __GFP_NOWARN;
	run_hard_timer(ctx);
	for (i = 0; i < (int)ARRAY_SIZE(ctx->obj); i++) {
		if (!ctx->obj[i]) {
			failed = true;
			continue;
		}
		served++;
		if (!NOLOCK_BLOCKS(true))
			KUNIT_EXPECT_FALSE_MSG(test, failed,
					       "object %d served after a failure", i);
		expect_timer_obj(test, ctx, i, 4096);
	}
	KUNIT_EXPECT_EQ(test, served + atomic_read(&ctx->bad), (int)ARRAY_SIZE(ctx->obj));
	KUNIT_EXPECT_GT(test, served, 0);
	/* 64 objects of 48 to 111 bytes do not fit one 4 KiB block. */
	if (!NOLOCK_BLOCKS(true))
		KUNIT_EXPECT_GT(test, atomic_read(&ctx->bad), 0);
	kunit_info(test, "%d of %zu requests from hard IRQ served", served,
		   ARRAY_SIZE(ctx->obj));
	alba_destroy(ctx->arena);
}

/*
 * Every call whose kernel-doc allows hard IRQ, made from a hard hrtimer
 * (hard IRQ on PREEMPT_RT too) with a gfp that takes no page-allocator
 * lock, on an arena whose current block has room: the kmalloc family, a
 * resize in place, a cursor's life, a mark and a rewind, the stats, a
 * validation, alba_of(), a cleanup registered and run by a reset there,
 * and alba_destroy_rcu() of another arena. The objects are read there,
 * before the rewind gives them back; the results are checked in process
 * context (an expectation's failure allocates, and sleeps).
 */
struct irq_api_ctx {
	struct hrtimer timer;
	struct alba *arena, *other;
	atomic_t done, cleanups;
	u8 *zero, *grown, *shrunk, *arr, *zarr, *dup, *cur_obj;
	char *str, *fmt;
	struct alba *of;
	struct alba_stats before, after, rewound;
	unsigned int errors;
	int cleanup_ret;
	bool in_irq, grew_in_place, zeroed, kept, copied;
};

static void irq_api_cleanup(void *data)
{
	atomic_inc(&((struct irq_api_ctx *)data)->cleanups);
}

static enum hrtimer_restart irq_api_fn(struct hrtimer *t)
{
	struct irq_api_ctx *c = container_of(t, struct irq_api_ctx, timer);
	const gfp_t g = __GFP_NOWARN;
	struct alba_cursor cur;
	struct alba_mark m;
	u8 *p;

	c->in_irq = hardirq_count() != 0;
	alba_get_stats(c->arena, &c->before);
	m = alba_mark(c->arena);
	c->zero = alba_zalloc(c->arena, 64, 8, g);
	p = alba_alloc(c->arena, 32, 8, g);
	if (p) {
		memset(p, 0x5c, 32);
		c->grown = alba_realloc(c->arena, p, 32, 96, 8, g);
		c->grew_in_place = c->grown == p;
	}
	if (c->grown)
		c->shrunk = alba_realloc(c->arena, c->grown, 96, 16, 8, g);
	c->arr = alba_alloc_array(c->arena, 4, 8, 8, g);
	c->zarr = alba_zalloc_array(c->arena, 4, 8, 8, g);
	c->dup = alba_memdup(c->arena, "0123456789", 10, g);
	c->str = alba_strdup(c->arena, "irq", g);
	c->fmt = alba_asprintf(c->arena, g, "%d-%s", 42, "irq");
	alba_cursor_init(&cur, c->arena, 256);
	c->cur_obj = alba_cursor_alloc(&cur, 24, 8, g);
	alba_cursor_fini(&cur);
	c->zeroed = c->zero && !memchr_inv(c->zero, 0, 64) &&
		    c->zarr && !memchr_inv(c->zarr, 0, 32);
	c->kept = c->shrunk && !memchr_inv(c->shrunk, 0x5c, 16);
	c->copied = c->dup && !memcmp(c->dup, "0123456789", 10) &&
		    c->str && !strcmp(c->str, "irq") &&
		    c->fmt && !strcmp(c->fmt, "42-irq");
	c->of = alba_of(c->dup, 0);
	c->errors = alba_validate(c->arena);
	alba_get_stats(c->arena, &c->after);
	alba_rewind(c->arena, m);
	alba_get_stats(c->arena, &c->rewound);
	c->cleanup_ret = alba_add_cleanup(c->arena, irq_api_cleanup, c, g);
	alba_reset(c->arena);
	alba_destroy_rcu(c->other);
	atomic_set(&c->done, 1);
	return HRTIMER_NORESTART;
}

static void alba_hard_irq_api_test(struct kunit *test)
{
	struct irq_api_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct alba_stats s;

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->arena = new_arena(test, 0);
	c->other = new_arena(test, 0);
	/* A current block with room for everything the timer asks. */
	KUNIT_ASSERT_NOT_NULL(test, alba_alloc(c->arena, 8, 8, GFP_KERNEL));
	KUNIT_ASSERT_NOT_NULL(test, alba_alloc(c->other, 8, 8, GFP_KERNEL));
	KUNIT_ASSERT_EQ(test, alba_add_cleanup(c->other, irq_api_cleanup, c,
					       GFP_KERNEL), 0);
	hrtimer_setup(&c->timer, irq_api_fn, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL_HARD);
	hrtimer_start(&c->timer, ns_to_ktime(20000), HRTIMER_MODE_REL_HARD);
	while (!atomic_read(&c->done))
		usleep_range(500, 1000);
	hrtimer_cancel(&c->timer);
	alba_rcu_barrier();

	KUNIT_EXPECT_TRUE(test, c->in_irq);
	KUNIT_EXPECT_TRUE(test, c->zeroed);
	KUNIT_EXPECT_TRUE(test, c->grew_in_place);
	KUNIT_EXPECT_NOT_NULL(test, c->shrunk);
	KUNIT_EXPECT_PTR_EQ(test, c->shrunk, c->grown);
	KUNIT_EXPECT_TRUE(test, c->kept);
	KUNIT_EXPECT_NOT_NULL(test, c->arr);
	KUNIT_EXPECT_TRUE(test, c->copied);
	KUNIT_EXPECT_NOT_NULL(test, c->cur_obj);
	KUNIT_EXPECT_PTR_EQ(test, c->of, c->arena);
	KUNIT_EXPECT_EQ(test, c->errors, 0);
	/* zalloc, alloc, two resizes, two arrays, memdup, strdup, asprintf, cursor */
	KUNIT_EXPECT_EQ(test, c->after.allocs, c->before.allocs + 10);
	KUNIT_EXPECT_EQ(test, c->after.failed, c->before.failed);
	KUNIT_EXPECT_EQ(test, c->rewound.used_bytes, c->before.used_bytes);
	KUNIT_EXPECT_EQ(test, c->cleanup_ret, 0);
	/* The reset ran the cleanup; the other arena's release ran its own. */
	KUNIT_EXPECT_EQ(test, atomic_read(&c->cleanups), 2);
	stats_of(test, c->arena, &s);
	KUNIT_EXPECT_EQ(test, s.used_bytes, 0);
	alba_destroy(c->arena);
}

/*
 * A per-CPU set from hard IRQ (a hard hrtimer: hard IRQ on PREEMPT_RT
 * too), with a gfp that takes no page-allocator lock: 64 objects fit one
 * chunk of the first block, so every request is served (the refill
 * carves under the arena's raw lock, no page allocator), with and
 * without RT. Until this round PREEMPT_RT refused it (a local_lock_t).
 */
static void alba_pcpu_hard_irq_test(struct kunit *test)
{
	struct atomic_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	struct alba_stats s;
	size_t used = 0;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->arena = new_arena(test, 65536);
	ctx->pc = alba_pcpu_create(ctx->arena, 0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->pc);
	ctx->gfp = __GFP_NOWARN;
	run_hard_timer(ctx);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->bad), 0);
	for (i = 0; i < (int)ARRAY_SIZE(ctx->obj); i++) {
		if (!ctx->obj[i])
			continue;
		used += 48 + i;
		expect_timer_obj(test, ctx, i, 65536);
	}
	alba_pcpu_destroy(ctx->pc);
	stats_of(test, ctx->arena, &s);
	KUNIT_EXPECT_EQ(test, s.used_bytes, used);
	KUNIT_EXPECT_EQ(test, s.allocs, ARRAY_SIZE(ctx->obj));
	KUNIT_EXPECT_EQ(test, s.reserved_bytes, 0);
	alba_destroy(ctx->arena);
}

/*
 * A per-CPU set's whole life in softirq, as alba_pcpu_create()'s and
 * alba_pcpu_destroy()'s kernel-doc allow it (a soft hrtimer, GFP_ATOMIC:
 * a thread on PREEMPT_RT): made, used, drained, used again and destroyed
 * there. And alba_pcpu_drain() from hard IRQ ("any context") between a
 * hard timer's own allocations. The objects and the drain's effect are
 * checked in process context.
 */
struct pcpu_life {
	struct hrtimer timer;
	struct completion done;
	struct alba *arena;
	struct alba_pcpu *pc;	/* made in the callback if @soft */
	bool soft, in_ctx;
	size_t reserved_after_drain;
	u8 *obj[32];
};

static enum hrtimer_restart pcpu_life_fn(struct hrtimer *t)
{
	struct pcpu_life *c = container_of(t, struct pcpu_life, timer);
	const gfp_t g = c->soft ? GFP_ATOMIC : __GFP_NOWARN;
	struct alba_stats s;
	int i;

	c->in_ctx = c->soft ? in_serving_softirq() : hardirq_count() != 0;
	if (c->soft)
		c->pc = alba_pcpu_create(c->arena, 1024, GFP_ATOMIC);
	for (i = 0; c->pc && i < (int)ARRAY_SIZE(c->obj); i++) {
		if (i == (int)ARRAY_SIZE(c->obj) / 2) {
			alba_pcpu_drain(c->pc);
			alba_get_stats(c->arena, &s);
			c->reserved_after_drain = s.reserved_bytes;
		}
		c->obj[i] = alba_pcpu_alloc(c->pc, 40, 8, g);
		if (c->obj[i])
			memset(c->obj[i], 0x40 + i, 40);
	}
	if (c->soft) {
		alba_pcpu_destroy(c->pc);
		c->pc = NULL;
	}
	complete(&c->done);
	return HRTIMER_NORESTART;
}

static void alba_pcpu_context_life_test(struct kunit *test)
{
	struct pcpu_life *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	int pass, i, j;

	KUNIT_ASSERT_NOT_NULL(test, c);
	for (pass = 0; pass < 2; pass++) {
		enum hrtimer_mode mode = pass ? HRTIMER_MODE_REL_HARD :
						HRTIMER_MODE_REL_SOFT;
		const char *ctx = pass ? "hard IRQ" : "softirq";
		size_t extra = 0;
		struct alba_stats s;

		memset(c, 0, sizeof(*c));
		init_completion(&c->done);
		c->soft = !pass;
		c->arena = new_arena(test, 65536);
		if (!c->soft) {
			/* A chunk held from process context, for the drain. */
			c->pc = alba_pcpu_create(c->arena, 1024, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, c->pc);
			KUNIT_ASSERT_NOT_NULL(test, alba_pcpu_alloc(c->pc, 40, 8,
								    GFP_KERNEL));
			extra = 1;
		}
		hrtimer_setup(&c->timer, pcpu_life_fn, CLOCK_MONOTONIC, mode);
		hrtimer_start(&c->timer, ns_to_ktime(20000), mode);
		wait_for_completion(&c->done);
		hrtimer_cancel(&c->timer);
		KUNIT_EXPECT_TRUE_MSG(test, c->in_ctx, "the callback ran in %s", ctx);
		KUNIT_EXPECT_EQ_MSG(test, c->reserved_after_drain, 0,
				    "%s: a chunk held after the drain", ctx);
		for (i = 0; i < (int)ARRAY_SIZE(c->obj); i++) {
			KUNIT_EXPECT_TRUE_MSG(test, c->obj[i],
					      "%s: object %d", ctx, i);
			if (!c->obj[i])
				continue;
			KUNIT_EXPECT_PTR_EQ(test, alba_of(c->obj[i], 65536), c->arena);
			for (j = 0; j < 40; j++)
				if (c->obj[i][j] != (u8)(0x40 + i))
					break;
			KUNIT_EXPECT_EQ_MSG(test, j, 40, "%s: object %d", ctx, i);
		}
		alba_pcpu_destroy(c->pc);	/* hard IRQ's; NULL after softirq */
		stats_of(test, c->arena, &s);
		KUNIT_EXPECT_EQ(test, s.reserved_bytes, 0);
		KUNIT_EXPECT_EQ(test, s.allocs, ARRAY_SIZE(c->obj) + extra);
		KUNIT_EXPECT_EQ(test, s.used_bytes, 40 * (ARRAY_SIZE(c->obj) + extra));
		KUNIT_EXPECT_EQ(test, s.failed, 0);
		alba_destroy(c->arena);
	}
}

/*
 * alba_create() and alba_create_node() in "any context @gfp allows":
 * with GFP_ATOMIC with preemption off, under a spinlock_t, with
 * interrupts off and in softirq; with __GFP_NOWARN (no __GFP_RECLAIM)
 * under a raw spinlock and in hard IRQ. Each arena made there takes an
 * object there too. Where the page allocator may be called (a gfp with
 * __GFP_RECLAIM, and on PREEMPT_RT a preemptible caller) both arenas must
 * be made; elsewhere a block comes only from alloc_pages_nolock(), where
 * the kernel has it, so NULL is allowed, and any arena made must work.
 * The debug runs' lockdep and atomic-sleep checks watch every call.
 */
struct create_ctx {
	struct hrtimer timer;
	struct completion done;
	gfp_t gfp;
	bool page_allocator;
	struct alba *arena[2];
	u8 *obj[2];
};

static void create_here(struct create_ctx *c)
{
	int i;

	c->page_allocator = (c->gfp & __GFP_RECLAIM) &&
			    (!IS_ENABLED(CONFIG_PREEMPT_RT) || preemptible());
	c->arena[0] = alba_create("atomic", 4096, c->gfp);
	c->arena[1] = alba_create_node("atomic-node", 8192, c->gfp,
				       first_online_node);
	for (i = 0; i < 2; i++) {
		c->obj[i] = c->arena[i] ? alba_alloc(c->arena[i], 64, 8, c->gfp) : NULL;
		if (c->obj[i])
			memset(c->obj[i], 0x5a + i, 64);
	}
}

static enum hrtimer_restart create_timer_fn(struct hrtimer *t)
{
	struct create_ctx *c = container_of(t, struct create_ctx, timer);

	create_here(c);
	complete(&c->done);
	return HRTIMER_NORESTART;
}

static void alba_create_context_test(struct kunit *test)
{
	static const char * const where[] = {
		"preemption off", "spinlock_t", "interrupts off", "softirq",
		"raw spinlock", "hard IRQ",
	};
	struct create_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	static DEFINE_RAW_SPINLOCK(raw);
	static DEFINE_SPINLOCK(lock);
	unsigned long flags;
	int w, i, j;

	KUNIT_ASSERT_NOT_NULL(test, c);
	for (w = 0; w < (int)ARRAY_SIZE(where); w++) {
		memset(c, 0, sizeof(*c));
		init_completion(&c->done);
		c->gfp = w < 4 ? GFP_ATOMIC : __GFP_NOWARN;
		switch (w) {
		case 0:
			preempt_disable();
			create_here(c);
			preempt_enable();
			break;
		case 1:
			spin_lock(&lock);
			create_here(c);
			spin_unlock(&lock);
			break;
		case 2:
			local_irq_save(flags);
			create_here(c);
			local_irq_restore(flags);
			break;
		case 4:
			raw_spin_lock_irqsave(&raw, flags);
			create_here(c);
			raw_spin_unlock_irqrestore(&raw, flags);
			break;
		default: {
			enum hrtimer_mode mode = w == 3 ? HRTIMER_MODE_REL_SOFT :
							  HRTIMER_MODE_REL_HARD;

			hrtimer_setup(&c->timer, create_timer_fn, CLOCK_MONOTONIC, mode);
			hrtimer_start(&c->timer, ns_to_ktime(20000), mode);
			wait_for_completion(&c->done);
			hrtimer_cancel(&c->timer);
		}
		}
		for (i = 0; i < 2; i++) {
			if (c->page_allocator)
				KUNIT_EXPECT_TRUE_MSG(test, c->arena[i] && c->obj[i],
						      "%s: arena %d", where[w], i);
			if (!c->arena[i])
				continue;
			KUNIT_EXPECT_TRUE_MSG(test, c->obj[i], "%s: object %d",
					      where[w], i);
			if (c->obj[i]) {
				KUNIT_EXPECT_PTR_EQ(test, alba_of(c->obj[i], 4096 << i),
						    c->arena[i]);
				for (j = 0; j < 64; j++)
					if (c->obj[i][j] != 0x5a + i)
						break;
				KUNIT_EXPECT_EQ(test, j, 64);
			}
			alba_destroy(c->arena[i]);
		}
		kunit_info(test, "%s: %s", where[w],
			   c->arena[0] && c->arena[1] ? "both arenas made" :
			   "an arena refused (no page allocator there)");
	}
}

/*
 * A context that interrupts its CPU's claim of the cursor (a bump or a
 * refill in progress: simulated by setting the flag, preemption off, as
 * the interrupted context would have) takes the arena's locked path: the
 * cursor is not touched, the object is sound and counted. With the flag
 * clear the next request bumps the cursor.
 */
static void alba_pcpu_claimed_test(struct kunit *test)
{
	struct alba *arena = new_arena(test, 65536);
	struct alba_pcpu_slot *slot;
	struct alba_stats s;
	struct alba_pcpu *pc;
	size_t off, off2;
	u8 *p, *q, *r;

	pc = alba_pcpu_create(arena, 0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pc);
	preempt_disable();
	slot = this_cpu_ptr(((struct alba_pcpu_head *)pc)->slots);
	p = alba_pcpu_alloc(pc, 40, 8, __GFP_NOWARN);	/* takes a chunk */
	off = slot->cur.off;
	WRITE_ONCE(slot->busy, 1);
	q = alba_pcpu_alloc(pc, 40, 8, __GFP_NOWARN);
	off2 = slot->cur.off;
	WRITE_ONCE(slot->busy, 0);
	r = alba_pcpu_alloc(pc, 40, 8, __GFP_NOWARN);
	preempt_enable();
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, off2, off);
	KUNIT_EXPECT_TRUE(test, (uintptr_t)q < slot->cur.base ||
			  (uintptr_t)q >= slot->cur.end);
	KUNIT_EXPECT_PTR_EQ(test, r, p - 40);
	KUNIT_EXPECT_PTR_EQ(test, alba_of(q, 65536), arena);
	memset(p, 1, 40);
	memset(q, 2, 40);
	memset(r, 3, 40);
	KUNIT_EXPECT_EQ(test, p[0] + q[0] + r[0], 6);
	alba_pcpu_destroy(pc);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.allocs, 3);
	KUNIT_EXPECT_EQ(test, s.used_bytes, 120);
	alba_destroy(arena);
}

#ifdef CONFIG_FAULT_INJECTION
/*
 * Fault injection is the kernel's: a task's fail-nth fails the n-th of
 * its fault sites, and alba's block allocation is one; nothing else
 * fails, and the next allocation gets its block.
 */
static void alba_fail_nth_task_test(struct kunit *test)
{
	struct alba *arena = new_arena(test, 4096);
	struct alba_stats before, s;

	KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, 3000, 8, GFP_KERNEL));
	alba_get_stats(arena, &before);
	current->fail_nth = 1;
	KUNIT_EXPECT_NULL(test, alba_alloc(arena, 3000, 8, GFP_KERNEL | __GFP_NOWARN));
	KUNIT_EXPECT_EQ(test, current->fail_nth, 0U);
	current->fail_nth = 0;
	alba_get_stats(arena, &s);
	KUNIT_EXPECT_EQ(test, s.blocks, before.blocks);
	KUNIT_EXPECT_EQ(test, s.failed, before.failed + 1);
	KUNIT_EXPECT_NOT_NULL(test, alba_alloc(arena, 3000, 8, GFP_KERNEL));
	alba_destroy(arena);
}
#endif

/*
 * Where a gfp takes no page-allocator lock, blocks come from
 * alloc_pages_nolock() (6.18 and later), and are compound: their tail
 * pages' private words are the folio's. The header copy below an object
 * aligned beyond the block size lies in such a tail page: alba leaves that
 * word as the page allocator made it, and alba_of() refuses the object.
 */
static void alba_compound_block_test(struct kunit *test)
{
	struct alba *arena = new_arena(test, 4096);
	unsigned long fresh;
	struct page *tail;
	int tries;
	u8 *blk, *p = NULL;

	if (!NOLOCK_BLOCKS(false)) {
		KUNIT_EXPECT_NULL(test, alba_alloc(arena, 100, 8192, __GFP_NOWARN));
		alba_destroy(arena);
		return;
	}
	/*
	 * What the first tail page's private word is in a fresh block. Best
	 * effort: a trylock in the page allocator may fail now and then.
	 */
	blk = NULL;
	for (tries = 0; !blk && tries < 100; tries++)
		blk = alba_plat_block_alloc(NULL, 14, __GFP_NOWARN, NUMA_NO_NODE);
	KUNIT_ASSERT_NOT_NULL(test, blk);
	fresh = page_private(virt_to_page(blk + 4096));
	alba_plat_block_free(blk, 14);
	for (tries = 0; !p && tries < 100; tries++)
		p = alba_alloc(arena, 100, 8192, __GFP_NOWARN);
	KUNIT_ASSERT_NOT_NULL(test, p);
	tail = virt_to_page(p - 4096);
	KUNIT_EXPECT_TRUE(test, PageTail(tail));
	KUNIT_EXPECT_EQ(test, page_private(tail), fresh);
	KUNIT_EXPECT_NULL(test, alba_of(p, 4096));
	alba_destroy(arena);
	alba_rcu_barrier();
}

static DEFINE_RAW_SPINLOCK(alba_test_raw_lock);

/*
 * Under a raw spinlock of the caller's, with a gfp that takes no
 * page-allocator lock: allocations are served from the current block and
 * fail once it is full, and a
 * reset there leaves its blocks to alba's workqueue. lockdep's raw-lock
 * nesting check reports any spinlock_t taken inside: 64 KiB blocks (order
 * 4) come from and go back to the zone under its lock, not through the
 * per-CPU lists, which only try theirs (lockdep checks no trylock).
 */
static void alba_raw_lock_test(struct kunit *test)
{
	struct alba_stats s;
	unsigned long flags;
	struct alba *arena;
	int i, served = 0;
	long live;

	alba_rcu_barrier();
	live = alba_plat_live_blocks();
	arena = new_arena(test, 65536);
	/* Blocks for the reset to give back. */
	for (i = 0; i < 40; i++)
		KUNIT_ASSERT_NOT_NULL(test, alba_alloc(arena, 4000, 8, GFP_KERNEL));
	alba_get_stats(arena, &s);
	KUNIT_ASSERT_GE(test, s.blocks, 3);

	raw_spin_lock_irqsave(&alba_test_raw_lock, flags);
	for (i = 0; i < 100; i++)
		served += !!alba_alloc(arena, 4000, 8, __GFP_NOWARN);
	alba_reset(arena);
	raw_spin_unlock_irqrestore(&alba_test_raw_lock, flags);

	/* The current block serves; no new block (order 4: no nolock either). */
	KUNIT_EXPECT_GT(test, served, 0);
	KUNIT_EXPECT_LT(test, served, 100);
	alba_get_stats(arena, &s);
	KUNIT_EXPECT_EQ(test, s.blocks, 1);
	/* The blocks the reset released come back through the workqueue. */
	alba_rcu_barrier();
	KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), live + 1);
	alba_destroy(arena);
}

/* A kthread running @fn(@data), bound to @cpu; fails the test if none. */
static bool start_on_cpu(struct kunit *test, int (*fn)(void *), void *data,
			 unsigned int cpu)
{
	struct task_struct *t = kthread_create(fn, data, "alba_kunit/%u", cpu);

	if (IS_ERR(t)) {
		KUNIT_FAIL(test, "no worker thread for CPU %u", cpu);
		return false;
	}
	kthread_bind(t, cpu);
	wake_up_process(t);
	return true;
}

#define SMP_OBJS	4000

struct smp_worker {
	struct completion done;
	struct alba *arena;
	struct robj *obj;	/* SMP_OBJS of them */
	unsigned int id;
	unsigned int failed;
};

static int smp_worker_fn(void *data)
{
	struct smp_worker *w = data;
	struct alba_cursor cur;
	unsigned int i;
	size_t size;
	u8 *p;

	alba_cursor_init(&cur, w->arena, 0);
	for (i = 0; i < SMP_OBJS; i++) {
		size = 1 + (i * 37 + w->id * 11) % 200;
		p = i % 2 ? alba_alloc(w->arena, size, 16, GFP_KERNEL) :
			alba_cursor_alloc(&cur, size, 16, GFP_KERNEL);
		/*
		 * Every fourth: taken larger and shrunk in place, which gives
		 * the tail to whichever CPU allocates next; KASAN reports it
		 * if the tail is poisoned after the lock is dropped.
		 */
		if (i % 4 == 3 && p)
			p = alba_realloc(w->arena, p, size, size / 2 + 1, 16,
					 GFP_KERNEL);
		if (i % 4 == 3 && p)
			size = size / 2 + 1;
		if (!p) {
			w->failed++;
			continue;
		}
		w->obj[i] = (struct robj){ .p = p, .size = size,
					   .pattern = (u8)(w->id * 50 + i) | 1 };
		memset(p, w->obj[i].pattern, size);
		if (i % 512 == 0)
			cond_resched();
	}
	alba_cursor_fini(&cur);
	complete(&w->done);
	return 0;
}

/*
 * Real SMP (make kunit-smp, QEMU -smp 2): a kthread on every online CPU
 * allocates from one arena, locked (some shrunk in place by
 * alba_realloc()) and through its own cursor, while an hrtimer allocates
 * with GFP_ATOMIC; then every object is checked.
 */
static void alba_smp_hammer_test(struct kunit *test)
{
	struct atomic_ctx *tctx = kunit_kzalloc(test, sizeof(*tctx), GFP_KERNEL);
	unsigned int cpu, n = 0, nr = num_online_cpus(), k;
	struct alba *arena = new_arena(test, 0);
	struct smp_worker *w;
	struct robj *all;
	size_t total = 0, i;

	KUNIT_ASSERT_NOT_NULL(test, tctx);
	w = kunit_kcalloc(test, nr, sizeof(*w), GFP_KERNEL);
	all = kunit_kcalloc(test, (size_t)nr * SMP_OBJS, sizeof(*all), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_NOT_NULL(test, all);
	kunit_info(test, "%u CPUs online", nr);

	tctx->arena = arena;
	tctx->gfp = GFP_ATOMIC | __GFP_NOWARN;
	hrtimer_setup(&tctx->timer, atomic_timer_fn, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL);
	hrtimer_start(&tctx->timer, ns_to_ktime(20000), HRTIMER_MODE_REL);

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		if (n == nr)
			break;
		init_completion(&w[n].done);
		w[n].arena = arena;
		w[n].obj = all + (size_t)n * SMP_OBJS;
		w[n].id = n;
		/* No ASSERT here: the hotplug lock and the timer are held. */
		if (!start_on_cpu(test, smp_worker_fn, &w[n], cpu))
			break;
		n++;
	}
	cpus_read_unlock();
	for (k = 0; k < n; k++) {
		wait_for_completion(&w[k].done);
		KUNIT_EXPECT_EQ(test, w[k].failed, 0);
	}
	while (atomic_read(&tctx->fired) < (int)ARRAY_SIZE(tctx->obj))
		usleep_range(500, 1000);
	hrtimer_cancel(&tctx->timer);
	KUNIT_EXPECT_EQ(test, atomic_read(&tctx->bad), 0);

	/* The timer's objects join the check. */
	for (i = 0; i < ARRAY_SIZE(tctx->obj); i++) {
		if (!tctx->obj[i])
			continue;
		KUNIT_EXPECT_PTR_EQ(test, alba_of(tctx->obj[i], 0), arena);
		KUNIT_EXPECT_TRUE(test, check_fill(tctx->obj[i], 48 + i,
						   0xa0 + (i & 15)));
	}
	for (i = 0; i < (size_t)n * SMP_OBJS; i++) {
		if (!all[i].p)
			continue;
		KUNIT_EXPECT_PTR_EQ(test, alba_of(all[i].p, 0), arena);
		all[total++] = all[i];
	}
	verify_objects(test, all, total);
	kunit_info(test, "%zu objects from %u CPUs and %d from an hrtimer checked",
		   total, n, atomic_read(&tctx->fired));
	alba_destroy(arena);
}

struct of_churn {
	struct completion done;
	void *obj;		/* the churning kthread's newest object */
	unsigned long rounds;
	bool stop;
};

/* Arenas made, used once and destroyed, their blocks freed at once. */
static int of_churn_fn(void *data)
{
	struct of_churn *c = data;

	while (!READ_ONCE(c->stop)) {
		struct alba *a = alba_create("churn", 0, GFP_KERNEL);
		void *p = a ? alba_alloc(a, 64, 0, GFP_KERNEL) : NULL;

		if (p)
			WRITE_ONCE(c->obj, p);
		alba_destroy(a);
		WRITE_ONCE(c->rounds, c->rounds + 1);
		cond_resched();
	}
	complete(&c->done);
	return 0;
}

/*
 * alba_of() on pointers whose blocks another CPU frees meanwhile (a
 * stale pointer's address may hold another arena's block by then): the
 * header is read after the page was found marked, and may be freed
 * between the two. A stress test: no report (KASAN, lockdep) and no
 * fault. It does not make the unmapped moment happen (debug_pagealloc
 * flushes only the freeing CPU's TLB): alba_of_unmapped_test() does.
 */
static void alba_of_freed_test(struct kunit *test)
{
	struct of_churn *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	unsigned long calls = 0, found = 0, end;
	unsigned int cpu;
	void *p;

	KUNIT_ASSERT_NOT_NULL(test, c);
	init_completion(&c->done);
	cpu = cpumask_any_but(cpu_online_mask, raw_smp_processor_id());
	if (cpu >= nr_cpu_ids)
		cpu = raw_smp_processor_id();
	KUNIT_ASSERT_TRUE(test, start_on_cpu(test, of_churn_fn, c, cpu));
	end = jiffies + 2 * HZ;
	while (READ_ONCE(c->rounds) < 20000 && time_before(jiffies, end)) {
		p = READ_ONCE(c->obj);
		found += p && alba_of(p, 0);
		if (!(++calls & 255))
			cond_resched();
	}
	WRITE_ONCE(c->stop, true);
	wait_for_completion(&c->done);
	/* Every arena is gone: the newest object names none now. */
	KUNIT_EXPECT_NULL(test, alba_of(c->obj, 0));
	KUNIT_EXPECT_GT(test, c->rounds, 10UL);
	kunit_info(test, "%lu arenas made and destroyed on CPU %u, %lu alba_of() calls, %lu found a live arena%s",
		   c->rounds, cpu, calls, found,
		   debug_pagealloc_enabled() ? " (debug_pagealloc on)" : "");
}

#if IS_BUILTIN(CONFIG_ALBA_KUNIT_TEST) && IS_ENABLED(CONFIG_ARCH_HAS_SET_DIRECT_MAP)
#include <asm/tlbflush.h>
#include <linux/set_memory.h>

/*
 * The moment alba_of_freed_test() races for, made to happen: a page
 * alba's registry still vouches for has left the direct map (as a freed
 * block's page does under debug_pagealloc, or once memfd_secret() takes
 * it). alba_of() finds no arena there; before, its header read faulted.
 */
static void alba_of_unmapped_test(struct kunit *test)
{
	struct alba *arena = new_arena(test, PAGE_SIZE);	/* blocks of that size exist */
	struct page *page = alloc_page(GFP_KERNEL);
	unsigned long addr;
	int err;

	if (!page) {
		alba_destroy(arena);
		KUNIT_FAIL(test, "no page");
		return;
	}
	addr = (unsigned long)page_address(page);
	alba_plat_header_set((void *)addr);
	err = set_direct_map_invalid_noflush(page);
	KUNIT_EXPECT_EQ(test, err, 0);
	if (!err) {
		flush_tlb_kernel_range(addr, addr + PAGE_SIZE);
		KUNIT_EXPECT_NULL(test, alba_of((void *)addr, PAGE_SIZE));
		KUNIT_EXPECT_NULL(test, alba_of((void *)(addr + 64), PAGE_SIZE));
		set_direct_map_default_noflush(page);
		flush_tlb_kernel_range(addr, addr + PAGE_SIZE);
	}
	alba_plat_header_clear((void *)addr);
	__free_page(page);
	alba_destroy(arena);
}
#endif

/* Take @cpu offline and back (CPU hotplug), where this kernel can. */
static bool cycle_cpu(unsigned int cpu)
{
#if IS_ENABLED(CONFIG_HOTPLUG_CPU)
	if (remove_cpu(cpu))
		return false;
	msleep(20);
	return add_cpu(cpu) == 0;
#else
	return false;
#endif
}

#define PCPU_TIMER_OBJS	64
#define PCPU_WORK_OBJS	512

struct pcpu_ctx {
	struct alba_pcpu *pc;
	struct hrtimer timer;
	struct work_struct work;
	struct completion work_done;
	atomic_t timer_n;
	atomic_t bad;
	struct robj timer_obj[PCPU_TIMER_OBJS];
	struct robj work_obj[PCPU_WORK_OBJS];
};

/* Hard IRQ without PREEMPT_RT (a timer's default mode is soft with it). */
static enum hrtimer_restart pcpu_timer_fn(struct hrtimer *t)
{
	struct pcpu_ctx *c = container_of(t, struct pcpu_ctx, timer);
	int i = atomic_read(&c->timer_n);
	size_t size = 24 + i;
	u8 *p;

	p = alba_pcpu_alloc(c->pc, size, 16, GFP_ATOMIC | __GFP_NOWARN);
	if (p) {
		c->timer_obj[i] = (struct robj){ .p = p, .size = size,
						 .pattern = (u8)(0x80 | i) };
		memset(p, c->timer_obj[i].pattern, size);
	} else {
		atomic_inc(&c->bad);
	}
	if (atomic_inc_return(&c->timer_n) >= PCPU_TIMER_OBJS)
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ns_to_ktime(50000));
	return HRTIMER_RESTART;
}

static void pcpu_work_fn(struct work_struct *w)
{
	struct pcpu_ctx *c = container_of(w, struct pcpu_ctx, work);
	size_t i, size;
	u8 *p;

	for (i = 0; i < PCPU_WORK_OBJS; i++) {
		size = 1 + i % 300;
		p = alba_pcpu_alloc(c->pc, size, 8, GFP_KERNEL);
		if (!p) {
			atomic_inc(&c->bad);
			continue;
		}
		c->work_obj[i] = (struct robj){ .p = p, .size = size,
						.pattern = (u8)(0x40 | (i & 0x3f)) };
		memset(p, c->work_obj[i].pattern, size);
		if (i % 64 == 0)
			cond_resched();
	}
	complete(&c->work_done);
}

struct pcpu_worker {
	struct completion done;
	struct alba_pcpu *pc;
	struct robj *obj;	/* SMP_OBJS of them */
	unsigned int id;
	unsigned int failed;
};

static int pcpu_worker_fn(void *data)
{
	struct pcpu_worker *w = data;
	unsigned int i;
	size_t size;
	u8 *p;

	for (i = 0; i < SMP_OBJS; i++) {
		size = 1 + (i * 37 + w->id * 11) % 200;
		p = alba_pcpu_alloc(w->pc, size, 1 << (i % 6), GFP_KERNEL);
		if (!p) {
			w->failed++;
			continue;
		}
		w->obj[i] = (struct robj){ .p = p, .size = size,
					   .pattern = (u8)(w->id * 50 + i) | 1 };
		memset(p, w->obj[i].pattern, size);
		if (i % 256 == 0)
			cond_resched();
	}
	complete(&w->done);
	return 0;
}

/*
 * A pcpu_worker_fn kthread bound to each online CPU (up to @nr), with
 * SMP_OBJS entries of @all each; returns how many started. Called with
 * the CPU hotplug lock held, so no ASSERT.
 */
static unsigned int start_pcpu_workers(struct kunit *test,
				       struct alba_pcpu *pc,
				       struct pcpu_worker *w, struct robj *all,
				       unsigned int nr)
{
	unsigned int cpu, n = 0;

	for_each_online_cpu(cpu) {
		if (n == nr)
			break;
		init_completion(&w[n].done);
		w[n].pc = pc;
		w[n].obj = all + (size_t)n * SMP_OBJS;
		w[n].id = n;
		if (!start_on_cpu(test, pcpu_worker_fn, &w[n], cpu))
			break;
		n++;
	}
	return n;
}

/*
 * One per-CPU set used at once by a kthread on every CPU, an hrtimer
 * (GFP_ATOMIC) and a work item, while a CPU goes offline and comes back:
 * every object keeps its pattern, none overlap, and after the drain the
 * statistics count every byte.
 */
static void alba_pcpu_smp_test(struct kunit *test)
{
	struct pcpu_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	unsigned int n, nr = num_online_cpus(), k;
	struct alba *arena = new_arena(test, 0);
	struct pcpu_worker *w;
	struct alba_stats s;
	struct robj *all;
	size_t total = 0, used = 0, i;
	bool cycled = false;

	KUNIT_ASSERT_NOT_NULL(test, c);
	w = kunit_kcalloc(test, nr, sizeof(*w), GFP_KERNEL);
	all = kunit_kcalloc(test, (size_t)nr * SMP_OBJS + PCPU_TIMER_OBJS +
			    PCPU_WORK_OBJS, sizeof(*all), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_NOT_NULL(test, all);
	c->pc = alba_pcpu_create(arena, 4096, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->pc);
	init_completion(&c->work_done);
	INIT_WORK(&c->work, pcpu_work_fn);
	hrtimer_setup(&c->timer, pcpu_timer_fn, CLOCK_MONOTONIC, HRTIMER_MODE_REL);

	cpus_read_lock();
	n = start_pcpu_workers(test, c->pc, w, all, nr);
	cpus_read_unlock();
	hrtimer_start(&c->timer, ns_to_ktime(50000), HRTIMER_MODE_REL);
	queue_work(system_wq, &c->work);
	/* The last CPU goes away and comes back while they allocate. */
	if (nr > 1)
		cycled = cycle_cpu(cpumask_last(cpu_online_mask));

	for (k = 0; k < n; k++) {
		wait_for_completion(&w[k].done);
		KUNIT_EXPECT_EQ(test, w[k].failed, 0);
	}
	wait_for_completion(&c->work_done);
	while (atomic_read(&c->timer_n) < PCPU_TIMER_OBJS)
		usleep_range(500, 1000);
	hrtimer_cancel(&c->timer);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->bad), 0);

	total = (size_t)n * SMP_OBJS;
	memcpy(all + total, c->timer_obj, sizeof(c->timer_obj));
	total += PCPU_TIMER_OBJS;
	memcpy(all + total, c->work_obj, sizeof(c->work_obj));
	total += PCPU_WORK_OBJS;
	for (i = k = 0; i < total; i++) {
		if (!all[i].p)
			continue;
		KUNIT_EXPECT_PTR_EQ(test, alba_of(all[i].p, 0), arena);
		used += all[i].size;
		all[k++] = all[i];
	}
	verify_objects(test, all, k);
	alba_pcpu_drain(c->pc);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.reserved_bytes, 0);
	KUNIT_EXPECT_EQ(test, s.used_bytes, used);
	KUNIT_EXPECT_EQ(test, s.allocs, k);
	kunit_info(test, "%zu objects from %u CPUs, a timer and a work item%s",
		   (size_t)k, n, cycled ? "; a CPU went offline and back" : "");
	alba_pcpu_destroy(c->pc);
	alba_destroy(arena);
}

/*
 * alba_pcpu_drain_live() while a kthread on every CPU allocates through
 * the set (small chunks, so refills and retirements interleave): every
 * object keeps its pattern and none overlap, and after a last drain the
 * statistics count every byte. alba_pcpu_drain() in its place retires
 * chunks other CPUs are bumping: seen in the 6.1 SMP run, a worker
 * faulting on a retired chunk.
 */
static void alba_pcpu_drain_live_test(struct kunit *test)
{
	unsigned int nr = num_online_cpus(), n, k, drains = 0;
	struct alba *arena = new_arena(test, 0);
	struct pcpu_worker *w;
	struct alba_pcpu *pc;
	struct alba_stats s;
	struct robj *all;
	size_t used = 0, i, total;

	w = kunit_kcalloc(test, nr, sizeof(*w), GFP_KERNEL);
	all = kunit_kcalloc(test, (size_t)nr * SMP_OBJS, sizeof(*all), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_NOT_NULL(test, all);
	pc = alba_pcpu_create(arena, 1024, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pc);
	cpus_read_lock();
	n = start_pcpu_workers(test, pc, w, all, nr);
	cpus_read_unlock();
	for (k = 0; k < n; k++) {
		while (!try_wait_for_completion(&w[k].done)) {
			alba_pcpu_drain_live(pc);
			drains++;
			cond_resched();
		}
		KUNIT_EXPECT_EQ(test, w[k].failed, 0);
	}
	alba_pcpu_drain_live(pc);
	total = (size_t)n * SMP_OBJS;
	for (i = 0; i < total; i++) {
		KUNIT_EXPECT_PTR_EQ(test, alba_of(all[i].p, 0), arena);
		used += all[i].size;
	}
	verify_objects(test, all, total);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.reserved_bytes, 0);
	KUNIT_EXPECT_EQ(test, s.used_bytes, used);
	KUNIT_EXPECT_EQ(test, s.allocs, total);
	kunit_info(test, "%zu objects from %u CPUs, %u live drains", total, n, drains);
	alba_pcpu_destroy(pc);
	alba_destroy(arena);
}

#if IS_ENABLED(CONFIG_HOTPLUG_CPU)
struct on_cpu_alloc {
	struct alba_pcpu *pc;
	void *p;
};

static long alloc_on_cpu_fn(void *arg)
{
	struct on_cpu_alloc *a = arg;

	a->p = alba_pcpu_alloc(a->pc, 64, 8, GFP_KERNEL);
	return 0;
}

/*
 * A CPU that goes offline gives its chunk back (the set's CPU hotplug
 * teardown): afterwards the arena holds no reserved bytes, the object
 * stays valid and counted, and a reset runs without a drain; the CPU,
 * back, takes a chunk again. Without the teardown the chunk stays held
 * and the reset is refused.
 */
static void alba_pcpu_hotplug_test(struct kunit *test)
{
	unsigned int cpu = cpumask_last(cpu_online_mask);
	struct on_cpu_alloc a = { };
	struct alba *arena;
	struct alba_stats s;

	if (num_online_cpus() < 2) {
		kunit_skip(test, "one CPU online: none can go offline");
		return;
	}
	arena = new_arena(test, 0);
	a.pc = alba_pcpu_create(arena, 4096, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a.pc);
	KUNIT_ASSERT_EQ(test, work_on_cpu(cpu, alloc_on_cpu_fn, &a), 0);
	KUNIT_ASSERT_NOT_NULL(test, a.p);
	memset(a.p, 0x5a, 64);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_GT(test, s.reserved_bytes, 0);
	KUNIT_ASSERT_EQ(test, remove_cpu(cpu), 0);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.reserved_bytes, 0);
	KUNIT_EXPECT_EQ(test, s.allocs, 1);
	KUNIT_EXPECT_EQ(test, s.used_bytes, 64);
	KUNIT_EXPECT_PTR_EQ(test, alba_of(a.p, 0), arena);
	KUNIT_EXPECT_EQ(test, ((u8 *)a.p)[63], 0x5a);
	alba_reset(arena);
	stats_of(test, arena, &s);
	KUNIT_EXPECT_EQ(test, s.used_bytes, 0);
	KUNIT_ASSERT_EQ(test, add_cpu(cpu), 0);
	a.p = NULL;
	KUNIT_EXPECT_EQ(test, work_on_cpu(cpu, alloc_on_cpu_fn, &a), 0);
	KUNIT_EXPECT_PTR_EQ(test, alba_of(a.p, 0), arena);
	alba_pcpu_destroy(a.pc);
	alba_destroy(arena);
}
#endif

#define RCU_NODES	300
#define RCU_ROUNDS	150

struct rnode {
	struct rnode *next;
	u32 v;
	u32 check;
};

struct rcu_ctx {
	struct rnode __rcu *head;
	atomic_t stop;
	atomic_long_t reads;
	atomic_long_t bad;
	atomic_t cleanups;		/* run, each in process context */
	atomic_t cleanups_atomic;	/* run where sleeping is not allowed */
	struct completion done[NR_CPUS > 8 ? 8 : NR_CPUS];
};

/* alba_destroy_rcu() runs an arena's cleanups in process context. */
static void rcu_cleanup_fn(void *data)
{
	struct rcu_ctx *c = data;

	atomic_inc(&c->cleanups);
	if (!in_task() || irqs_disabled())
		atomic_inc(&c->cleanups_atomic);
}

static u32 rnode_check(u32 v)
{
	return v * 2654435761u ^ 0xa1ba;
}

/* Walks the list under rcu_read_lock(), over and over. */
static int rcu_reader_fn(void *data)
{
	struct rcu_ctx *c = data;
	struct rnode *n;
	long bad, reads = 0;

	while (!atomic_read(&c->stop)) {
		bad = 0;
		rcu_read_lock();
		for (n = rcu_dereference(c->head); n; n = n->next)
			bad += n->check != rnode_check(n->v);
		rcu_read_unlock();
		if (bad)
			atomic_long_add(bad, &c->bad);
		reads++;
		cond_resched();
	}
	atomic_long_add(reads, &c->reads);
	return 0;
}

static struct rnode *rcu_build(struct alba *arena, u32 round)
{
	struct rnode *head = NULL, *n;
	u32 i;

	for (i = 0; i < RCU_NODES; i++) {
		n = alba_new(arena, struct rnode, GFP_KERNEL);
		if (!n)
			return NULL;
		n->v = round * RCU_NODES + i;
		n->check = rnode_check(n->v);
		n->next = head;
		head = n;
	}
	return head;
}

struct rcu_reader_done {
	struct rcu_ctx *c;
	struct completion done;
};

/*
 * A node that does not exist (not online) is refused in the kernel.
 */
/*
 * __GFP_ZERO zeroes the object, as kmalloc() does (and the part an
 * in-place realloc adds); of the rest of a caller's gfp, what makes no
 * sense for a block never reaches the page allocator: blocks are never
 * compound, whatever __GFP_COMP, __GFP_MOVABLE or __GFP_NOFAIL say.
 */
static void alba_gfp_test(struct kunit *test)
{
	const gfp_t odd = GFP_KERNEL | __GFP_COMP | __GFP_MOVABLE | __GFP_NOFAIL;
	struct alba *a = alba_create("gfp", 32768, GFP_KERNEL);
	struct alba_mark m;
	u8 *p, *q;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, a);
	/* Dirty bytes, released: the next object lies on them. */
	m = alba_mark(a);
	p = alba_alloc(a, 512, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0xff, 512);
	alba_rewind(a, m);
	q = alba_alloc(a, 512, 8, GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_PTR_EQ(test, q, p);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(q, 0, 512), NULL);

	/* Grown in place: the new bytes are zero, the old ones kept. */
	memset(q, 0xff, 512);
	alba_rewind(a, m);
	q = alba_alloc(a, 64, 8, GFP_KERNEL);
	KUNIT_ASSERT_PTR_EQ(test, q, p);
	memset(q, 0x11, 64);
	q = alba_realloc(a, q, 64, 400, 8, GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_PTR_EQ(test, q, p);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(q, 0x11, 64), NULL);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(q + 64, 0, 400 - 64), NULL);

	/* New blocks (the first one is full after three) and dedicated. */
	for (i = 0; i < 4; i++) {
		p = alba_alloc(a, i == 3 ? 65536 : 12000, 8, odd);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_FALSE(test, PageCompound(virt_to_page(p)));
		KUNIT_EXPECT_FALSE(test, PageHead(virt_to_page(p)));
	}
	alba_destroy(a);
}

#ifdef CONFIG_MEM_ALLOC_PROFILING
#include <linux/alloc_tag.h>

/* What @tag has been charged with, in bytes and pages held. */
static void expect_tag(struct kunit *test, struct alloc_tag *tag,
		       size_t bytes, size_t calls)
{
	struct alloc_tag_counters c = alloc_tag_read(tag);

	KUNIT_EXPECT_EQ(test, c.bytes, (u64)bytes);
	KUNIT_EXPECT_EQ(test, c.calls, (u64)calls);
}

/*
 * Memory allocation profiling charges an arena's blocks to the code that
 * created it, as kmalloc()'s objects are to their callers: the first
 * block, the blocks later calls take (from a context with a tag of its
 * own too: the other tag gets nothing), a dedicated block; and nothing is
 * left charged once the arena is destroyed. Before, every block was
 * alba_kernel.c's.
 */
static void alba_alloc_tag_test(struct kunit *test)
{
	DEFINE_ALLOC_TAG(creator);
	struct alba_stats st;
	struct alba *a;
	int i;

	if (!mem_alloc_profiling_enabled()) {
		kunit_skip(test, "memory allocation profiling is off");
		return;
	}
	a = alloc_hooks_tag(&creator,
			    alba_create_noprof("alloc_tag", SZ_8K, GFP_KERNEL));
	KUNIT_ASSERT_NOT_NULL(test, a);
	expect_tag(test, &creator, SZ_8K, 1);
	/* Half a block each: one new block per object. */
	for (i = 0; i < 6; i++)
		KUNIT_EXPECT_NOT_NULL(test, alba_alloc(a, SZ_4K, 0, GFP_KERNEL));
	{
		DEFINE_ALLOC_TAG(other);
		void *p;

		p = alloc_hooks_tag(&other, alba_alloc(a, SZ_4K, 0, GFP_KERNEL));
		KUNIT_EXPECT_NOT_NULL(test, p);
		expect_tag(test, &other, 0, 0);
	}
	KUNIT_EXPECT_NOT_NULL(test, alba_alloc(a, SZ_64K, 0, GFP_KERNEL));
	alba_get_stats(a, &st);
	KUNIT_EXPECT_GE(test, st.blocks, (size_t)8);
	expect_tag(test, &creator, st.block_bytes, st.blocks);
	alba_destroy(a);
	expect_tag(test, &creator, 0, 0);
}
#endif

#if IS_ENABLED(CONFIG_TRACEPOINTS)
#include <trace/events/printk.h>

/*
 * A broken contract names the caller's call site, once per site: through
 * the console tracepoint, count the reports naming each of three sites
 * (two allocation entry points and a refused reset) called three times.
 */
static atomic_t site_reports[3];

static void site_console(void *data, const char *text, size_t len)
{
	static const char *const site[] = {
		"alba_site_a", "alba_site_b", "alba_site_c",
	};
	unsigned int i;

	if (!strnstr(text, "alba: ", len))
		return;
	for (i = 0; i < ARRAY_SIZE(site); i++)
		if (strnstr(text, site[i], len))
			atomic_inc(&site_reports[i]);
}

/* Not tail calls (barrier()): the call site must be in these functions. */
static noinline void *alba_site_a(void)
{
	void *p = alba_alloc(NULL, 8, 0, GFP_KERNEL);

	barrier();
	return p;
}

static noinline void *alba_site_b(void)
{
	void *p = alba_zalloc_array(NULL, 2, 8, 0, GFP_KERNEL);

	barrier();
	return p;
}

static noinline void alba_site_c(struct alba *a)
{
	alba_reset(a);
	barrier();
}

static void alba_caller_report_test(struct kunit *test)
{
	struct alba *a = alba_create("sites", 4096, GFP_KERNEL);
	struct alba_cursor cur;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, a);
	alba_cursor_init(&cur, a, 256);
	KUNIT_ASSERT_NOT_NULL(test, alba_cursor_alloc(&cur, 8, 8, GFP_KERNEL));
	KUNIT_ASSERT_EQ(test, register_trace_console(site_console, NULL), 0);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_NULL(test, alba_site_a());
		KUNIT_EXPECT_NULL(test, alba_site_b());
		alba_site_c(a);
	}
	unregister_trace_console(site_console, NULL);
	tracepoint_synchronize_unregister();
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&site_reports[i]), 1,
				    "reports naming site %d", i);
	alba_cursor_fini(&cur);
	alba_destroy(a);
}
#endif

static void alba_node_online_test(struct kunit *test)
{
	KUNIT_EXPECT_NULL(test, alba_create_node("node", 0, GFP_KERNEL, MAX_NUMNODES));
	KUNIT_EXPECT_NULL(test, alba_create_node("node", 0, GFP_KERNEL, 1 << 20));
}

/*
 * alba_destroy_rcu(): readers walk a list built in arena A under
 * rcu_read_lock() while the writer builds the next list in arena B,
 * publishes it and releases A after a grace period; round after round,
 * with the release called from task context, with preemption disabled and
 * from softirq (bottom halves off). Under KASAN a reader touching a freed
 * block is reported. After alba_rcu_barrier() every block is back, and
 * every arena's cleanup ran, in process context.
 */
static void alba_destroy_rcu_test(struct kunit *test)
{
	struct rcu_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	unsigned int nr = min_t(unsigned int, num_online_cpus() + 1, ARRAY_SIZE(c->done));
	long live = alba_plat_live_blocks();
	struct task_struct *t[ARRAY_SIZE(c->done)];
	struct alba *old = NULL, *cur;
	struct rnode *list;
	unsigned int i;
	u32 round;

	KUNIT_ASSERT_NOT_NULL(test, c);
	/* No ASSERT once readers run: they would outlive @c. */
	for (i = 0; i < nr; i++) {
		t[i] = kthread_run(rcu_reader_fn, c, "alba_rcu/%u", i);
		if (IS_ERR(t[i])) {
			KUNIT_FAIL(test, "no reader thread %u", i);
			nr = i;
			break;
		}
		get_task_struct(t[i]);
	}
	for (round = 0; round < RCU_ROUNDS; round++) {
		/* Every third arena is made atomically: no debugfs files. */
		cur = alba_create("rcu", 4096, round % 3 ? GFP_KERNEL : GFP_ATOMIC);
		list = cur ? rcu_build(cur, round) : NULL;
		if (!list) {
			KUNIT_FAIL(test, "round %u: no arena or list", round);
			alba_destroy(cur);
			break;
		}
		KUNIT_EXPECT_EQ(test, alba_add_cleanup(cur, rcu_cleanup_fn, c, GFP_KERNEL), 0);
		rcu_assign_pointer(c->head, list);
		switch (round % 3) {
		case 0:
			alba_destroy_rcu(old);
			break;
		case 1:
			preempt_disable();
			alba_destroy_rcu(old);
			preempt_enable();
			break;
		default:
			local_bh_disable();
			alba_destroy_rcu(old);
			local_bh_enable();
			break;
		}
		old = cur;
		if (round % 16 == 0)
			usleep_range(1000, 2000);
	}
	atomic_set(&c->stop, 1);
	for (i = 0; i < nr; i++) {
		kthread_stop(t[i]);
		put_task_struct(t[i]);
	}
	RCU_INIT_POINTER(c->head, NULL);
	alba_destroy_rcu(old);
	alba_destroy_rcu(NULL);		/* nothing */
	alba_rcu_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&c->cleanups), RCU_ROUNDS);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->cleanups_atomic), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&c->bad), 0);
	KUNIT_EXPECT_GT(test, atomic_long_read(&c->reads), 0);
	KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), live);
	kunit_info(test, "%u rounds, %ld list walks by %u readers",
		   RCU_ROUNDS, atomic_long_read(&c->reads), nr);
}

/*
 * alba_destroy_rcu() is refused while a cursor holds a chunk (the release
 * would free it under the cursor), and once it has begun, until the
 * release, the arena takes nothing new: a second destroy of either kind,
 * a reset, a mark, a cleanup, a new block, a cursor chunk and a per-CPU
 * set's new block are refused.
 * The read-side section keeps the grace period from ending meanwhile.
 */
static void alba_destroy_rcu_refused_test(struct kunit *test)
{
	struct rcu_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	long live = alba_plat_live_blocks();
	struct alba_stats before, s;
	struct alba_cursor cur, other;
	struct alba_pcpu *pc;
	struct alba_mark m;
	struct alba *a;
	u8 *p;

	KUNIT_ASSERT_NOT_NULL(test, c);
	a = alba_create("rcu-refused", 4096, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	pc = alba_pcpu_create(a, 512, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pc);
	KUNIT_EXPECT_EQ(test, alba_add_cleanup(a, rcu_cleanup_fn, c, GFP_KERNEL), 0);
	alba_cursor_init(&cur, a, 512);
	p = alba_cursor_alloc(&cur, 64, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0x5a, 64);
	alba_get_stats(a, &before);

	/* A cursor holds a chunk: refused, and nothing is released later. */
	alba_destroy_rcu(a);
	alba_rcu_barrier();
	alba_get_stats(a, &s);
	KUNIT_EXPECT_EQ(test, s.blocks, before.blocks);
	KUNIT_EXPECT_EQ(test, s.reserved_bytes, before.reserved_bytes);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->cleanups), 0);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(p, 0x5a, 64), NULL);
	KUNIT_EXPECT_NOT_NULL(test, alba_cursor_alloc(&cur, 64, 8, GFP_KERNEL));
	alba_cursor_fini(&cur);

	/* Begun: everything that would outlive the release is refused. */
	rcu_read_lock();
	alba_destroy_rcu(a);
	alba_get_stats(a, &before);
	alba_destroy_rcu(a);
	alba_destroy(a);
	alba_reset(a);
	m = alba_mark(a);
	KUNIT_EXPECT_EQ(test, alba_add_cleanup(a, rcu_cleanup_fn, c, GFP_ATOMIC), -EBUSY);
	KUNIT_EXPECT_NULL(test, alba_alloc(a, 8192, 8, GFP_ATOMIC | __GFP_NOWARN));
	alba_cursor_init(&other, a, 512);
	KUNIT_EXPECT_NULL(test, alba_cursor_alloc(&other, 8, 8, GFP_ATOMIC | __GFP_NOWARN));
	alba_cursor_fini(&other);
	/* A per-CPU set's refill: its block is given back, not installed. */
	KUNIT_EXPECT_NULL(test, alba_pcpu_alloc(pc, 8, 8, GFP_ATOMIC | __GFP_NOWARN));
	alba_get_stats(a, &s);
	/* Before the release can begin (nothing in it sleeps). */
	alba_pcpu_destroy(pc);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, m.seq, 0);
	KUNIT_EXPECT_EQ(test, s.blocks, before.blocks);
	KUNIT_EXPECT_EQ(test, s.used_bytes, before.used_bytes);
	KUNIT_EXPECT_EQ(test, s.reserved_bytes, 0);
	KUNIT_EXPECT_EQ(test, s.failed, before.failed + 3);

	/* Released once: one cleanup, every block back. */
	alba_rcu_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&c->cleanups), 1);
	KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), live);
}

/* ---- KASAN sees objects (kernel, generic KASAN) ----------------------------- */

#if IS_ENABLED(CONFIG_KASAN_GENERIC)
#include <trace/events/printk.h>

/*
 * A KASAN report is seen the way KASAN's own KUnit tests see it: through
 * the console tracepoint, looking for "BUG: KASAN: ". The access runs in a
 * kthread of its own, so that KASAN does not mark the test failed (it does
 * so for reports in a test's own thread). The kernel log marks where the
 * expected reports are, for scripts/kunit.sh. Needs kasan_multi_shot, or
 * only the first report would print.
 */
static atomic_t kasan_reports;

static void kasan_console(void *data, const char *text, size_t len)
{
	if (strnstr(text, "BUG: KASAN: ", len))
		atomic_inc(&kasan_reports);
}

struct kasan_access {
	u8 *p;
	bool write;
	struct completion done;
};

static int kasan_access_fn(void *data)
{
	struct kasan_access *a = data;

	if (a->write)
		WRITE_ONCE(*a->p, 0x5a);
	else
		(void)READ_ONCE(*a->p);
	complete(&a->done);
	return 0;
}

/* How many reports one access of @p makes. */
static int kasan_reports_for(struct kunit *test, u8 *p, bool write,
			     bool expected)
{
	struct kasan_access a = { .p = p, .write = write };
	int before = atomic_read(&kasan_reports), n, waited;

	init_completion(&a.done);
	if (expected)
		pr_info("alba_kunit: expecting a KASAN report\n");
	KUNIT_ASSERT_FALSE(test, IS_ERR(kthread_run(kasan_access_fn, &a, "alba_kasan")));
	wait_for_completion(&a.done);
	/* Before 6.1 the console may print a little later. */
	for (waited = 0; waited < 100; waited++) {
		n = atomic_read(&kasan_reports) - before;
		if (n || !expected)
			break;
		msleep(20);
	}
	if (expected)
		pr_info("alba_kunit: end of the expected KASAN report\n");
	return n;
}

static int alba_kasan_init(struct kunit *test)
{
	return register_trace_console(kasan_console, NULL);
}

static void alba_kasan_exit(struct kunit *test)
{
	unregister_trace_console(kasan_console, NULL);
	tracepoint_synchronize_unregister();
}

/*
 * In-bounds use is silent: every byte of objects of every size and
 * alignment, written and read.
 */
static void alba_kasan_silent_test(struct kunit *test)
{
	int before = atomic_read(&kasan_reports);
	struct alba *arena = new_arena(test, 4096);
	struct alba_mark m;
	size_t size, i;
	u32 sum = 0;
	u8 *p, *q;

	for (size = 1; size < 300; size += 7) {
		p = alba_alloc(arena, size, (size_t)1 << (size % 7), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		for (i = 0; i < size; i++)
			p[i] = (u8)i;
		for (i = 0; i < size; i++)
			sum += READ_ONCE(p[i]);
	}
	/* Objects made again after a rewind are usable again. */
	m = alba_mark(arena);
	p = alba_alloc(arena, 100, 8, GFP_KERNEL);
	alba_rewind(arena, m);
	q = alba_alloc(arena, 100, 8, GFP_KERNEL);
	KUNIT_ASSERT_PTR_EQ(test, q, p);
	memset(q, 1, 100);
	msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&kasan_reports) - before, 0);
	kunit_info(test, "checksum %u", sum);
	alba_destroy(arena);
}

/* One byte past an object, and reads after a rewind and after a reset. */
static void alba_kasan_report_test(struct kunit *test)
{
	struct alba *arena = new_arena(test, 4096);
	struct alba_mark m;
	u8 *p;

	p = alba_alloc(arena, 13, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_GT_MSG(test, kasan_reports_for(test, p + 13, true, true), 0,
			    "a write one byte past an object");
	m = alba_mark(arena);
	p = alba_alloc(arena, 40, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ_MSG(test, kasan_reports_for(test, p + 39, false, false), 0,
			    "a read of an object's last byte");
	alba_rewind(arena, m);
	KUNIT_EXPECT_GT_MSG(test, kasan_reports_for(test, p, false, true), 0,
			    "a read after rewind");
	p = alba_alloc(arena, 100, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	alba_reset(arena);
	KUNIT_EXPECT_GT_MSG(test, kasan_reports_for(test, p + 50, false, true), 0,
			    "a read after reset");
	alba_destroy(arena);
}

/*
 * Cursor and per-CPU objects are unpoisoned one by one, not their chunk
 * whole: a write between two objects of a chunk, past the chunk's first
 * object and past a per-CPU object reports; the objects' bytes do not.
 */
static void alba_kasan_cursor_test(struct kunit *test)
{
	struct alba *arena = new_arena(test, 65536);
	struct alba_cursor cur;
	struct alba_pcpu *pc;
	u8 *c1, *c2, *t;

	alba_cursor_init(&cur, arena, 0);
	c1 = alba_cursor_alloc(&cur, 24, 16, GFP_KERNEL);
	c2 = alba_cursor_alloc(&cur, 24, 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c1);
	KUNIT_ASSERT_NOT_NULL(test, c2);
	KUNIT_EXPECT_EQ_MSG(test, kasan_reports_for(test, c2 + 23, true, false), 0,
			    "a write of a cursor object's last byte");
	KUNIT_EXPECT_GT_MSG(test, kasan_reports_for(test, c2 + 24, true, true), 0,
			    "a write between two cursor objects");
	KUNIT_EXPECT_GT_MSG(test, kasan_reports_for(test, c1 + 24, true, true), 0,
			    "a write past a chunk's first object");
	pc = alba_pcpu_create(arena, 0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pc);
	t = alba_pcpu_alloc(pc, 24, 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_EXPECT_EQ_MSG(test, kasan_reports_for(test, t, true, false), 0,
			    "a write of a per-CPU object");
	KUNIT_EXPECT_GT_MSG(test, kasan_reports_for(test, t + 24, true, true), 0,
			    "a write past a per-CPU object");
	alba_pcpu_destroy(pc);
	alba_cursor_fini(&cur);
	alba_destroy(arena);
}

static struct kunit_case alba_kasan_cases[] = {
	KUNIT_CASE(alba_kasan_silent_test),
	KUNIT_CASE(alba_kasan_report_test),
	KUNIT_CASE(alba_kasan_cursor_test),
	{}
};

/* Last: a KASAN report turns lockdep off for the rest of the boot. */
static struct kunit_suite alba_kasan_suite = {
	.name = "alba_kasan",
	.init = alba_kasan_init,
	.exit = alba_kasan_exit,
	.test_cases = alba_kasan_cases,
};
#endif /* CONFIG_KASAN_GENERIC */

/* Built in only: it reads debugfs through vfs_read(), which is not exported. */
#if IS_ENABLED(CONFIG_DEBUG_KMEMLEAK) && IS_BUILTIN(CONFIG_ALBA_KUNIT_TEST)
#include <linux/fs.h>
#include <linux/kmemleak.h>
#include <linux/mman.h>
#include <linux/mount.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>

#define LEAK_OBJS	8
#define LEAK_SIZE	(KMALLOC_MAX_CACHE_SIZE + 1000)
#define LEAK_MASK	0x5a5a5a5a5a5a5a5aUL	/* a pointer kmemleak cannot see */

struct leak_ctx {
	struct alba *arena;
	struct alba_pcpu *pc;
	unsigned long held[LEAK_OBJS];	/* masked: in alba objects only */
	unsigned long leaked[LEAK_OBJS];	/* masked: nowhere */
	struct completion done;
};

/* Zero the stack below the caller, where copies of the pointers may lie. */
static noinline void leak_scrub(int depth)
{
	char buf[256];

	memzero_explicit(buf, sizeof(buf));
	if (depth > 0)
		leak_scrub(depth - 1);
	barrier_data(buf);
}

/*
 * The two objects of slot @i, their pointers only in this frame. Larger
 * than any kmalloc cache: a cache's per-CPU sheaf (7.0 and later) keeps
 * the pointers it handed out in its array, which kmemleak scans.
 */
static noinline void leak_make(struct leak_ctx *c, void **slot, int i)
{
	void *h = kmalloc(LEAK_SIZE + 64 * i, GFP_KERNEL);
	void *l = kmalloc(LEAK_SIZE + 32 + 64 * i, GFP_KERNEL);

	*slot = h;
	c->held[i] = (unsigned long)h ^ LEAK_MASK;
	c->leaked[i] = (unsigned long)l ^ LEAK_MASK;
}

/*
 * In a kthread of its own, stopped before the scan: a kmalloc() object
 * per slot, pointed to only from alba objects (an ordinary block, a
 * dedicated block, a per-CPU set's chunk), and as many pointed to from
 * nowhere.
 */
static int leak_fn(void *arg)
{
	struct leak_ctx *c = arg;
	size_t big = 3 * alba_block_size(c->arena);
	void **plain = alba_alloc(c->arena, 4 * sizeof(void *), 0, GFP_KERNEL);
	u8 *large = alba_alloc(c->arena, big, 0, GFP_KERNEL);
	void **pcpu = alba_pcpu_alloc(c->pc, 2 * sizeof(void *), 0, GFP_KERNEL);
	void **slot[LEAK_OBJS];
	int i;

	if (plain && large && pcpu) {
		for (i = 0; i < 4; i++)
			slot[i] = &plain[i];
		slot[4] = (void **)(large + big - 2 * sizeof(void *));
		slot[5] = slot[4] + 1;
		slot[6] = &pcpu[0];
		slot[7] = &pcpu[1];
		for (i = 0; i < LEAK_OBJS; i++)
			leak_make(c, slot[i], i);
		memzero_explicit(slot, sizeof(slot));
	}
	/*
	 * The allocator's deeper frames kept the pointers too, and a dead
	 * kthread's stack may stay cached (and scanned): zero 3/8 of the
	 * stack below this frame (6.12 RT once reported no leak with 4 KiB).
	 */
	leak_scrub(THREAD_SIZE * 3 / 8 / 256);
	complete(&c->done);
	while (!kthread_should_stop())
		msleep(20);
	return 0;
}

/*
 * debugfs' kmemleak file takes user memory only (its proxy has no
 * read_iter or write_iter for kernel_read()): this kthread gets an address
 * space of its own, as kunit_attach_mm() (6.9) makes one, and a page in
 * it. NULL if not.
 */
static void __user *leak_user_page(struct mm_struct **attached)
{
	struct mm_struct *mm;
	unsigned long addr;

	*attached = NULL;
	if (!current->mm) {
		mm = mm_alloc();
		if (!mm)
			return NULL;
		mm->task_size = TASK_SIZE;
		arch_pick_mmap_layout(mm, &current->signal->rlim[RLIMIT_STACK]);
		kthread_use_mm(mm);
		*attached = mm;
	}
	addr = vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_ANONYMOUS | MAP_PRIVATE, 0);
	return IS_ERR_VALUE(addr) ? NULL : (void __user *)addr;
}

/*
 * Write @cmd to debugfs' kmemleak file, or read its report into @buf,
 * through the user page @ubuf.
 */
static ssize_t kmemleak_file(struct vfsmount *mnt, void __user *ubuf,
			     const char *cmd, char *buf, size_t size)
{
	struct file *f = file_open_root_mnt(mnt, "kmemleak",
					    cmd ? O_WRONLY : O_RDONLY, 0);
	ssize_t n, total = 0;
	loff_t pos = 0;

	if (IS_ERR(f))
		return PTR_ERR(f);
	if (cmd) {
		total = copy_to_user(ubuf, cmd, strlen(cmd)) ? -EFAULT :
			vfs_write(f, ubuf, strlen(cmd), &pos);
	} else {
		while (total < size - 1) {
			n = vfs_read(f, ubuf, min_t(size_t, PAGE_SIZE,
						    size - 1 - total), &pos);
			if (n <= 0 || copy_from_user(buf + total, ubuf, n))
				break;
			total += n;
		}
		buf[total] = '\0';
	}
	filp_close(f, NULL);
	return total;
}

/* Is the object at @addr among kmemleak's reports in @report? */
static bool leak_reported(const char *report, unsigned long addr)
{
	char key[40];

	snprintf(key, sizeof(key), " 0x%08lx (size", addr);
	return strstr(report, key);
}

/* Is the report starting at @r about one of the test's own leaks? */
static bool leak_ours(const struct leak_ctx *c, const char *r)
{
	unsigned int i;

	for (i = 0; i < LEAK_OBJS; i++)
		if (leak_reported(r, c->leaked[i] ^ LEAK_MASK))
			return true;
	return false;
}

/*
 * kmemleak scans alba's blocks: a kmalloc() object that only alba objects
 * point to is not reported (on the old code, which did not register
 * blocks, all of them were), a real leak still is, and no report names
 * alba in its backtrace but the test's own leaks.
 */
static void alba_kmemleak_test(struct kunit *test)
{
	struct file_system_type *fs = get_fs_type("debugfs");
	const size_t size = 1 << 20;
	unsigned int held = 0, leaked = 0, foreign = 0, i;
	struct mm_struct *mm;
	struct task_struct *t;
	struct vfsmount *mnt;
	void __user *ubuf;
	struct leak_ctx *c;
	char *report, *r, *next;

	KUNIT_ASSERT_NOT_NULL(test, fs);
	mnt = vfs_kern_mount(fs, 0, "debugfs", NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mnt));
	ubuf = leak_user_page(&mm);
	KUNIT_ASSERT_NOT_NULL(test, ubuf);
	report = kunit_kzalloc(test, size, GFP_KERNEL);
	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, report);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->arena = alba_create("kunit-kmemleak", 0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->arena);
	c->pc = alba_pcpu_create(c->arena, 0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->pc);
	init_completion(&c->done);
	t = kthread_run(leak_fn, c, "alba-kmemleak");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	wait_for_completion(&c->done);
	kthread_stop(t);

	/* Reported once at least 5 s old and unchanged over two scans. */
	msleep(5500);
	KUNIT_EXPECT_EQ(test, kmemleak_file(mnt, ubuf, "scan", NULL, 0), 4);
	KUNIT_EXPECT_EQ(test, kmemleak_file(mnt, ubuf, "scan", NULL, 0), 4);
	KUNIT_EXPECT_GT(test, kmemleak_file(mnt, ubuf, NULL, report, size), 0);

	for (i = 0; i < LEAK_OBJS; i++) {
		KUNIT_ASSERT_NE(test, c->held[i], LEAK_MASK);
		held += leak_reported(report, c->held[i] ^ LEAK_MASK);
		leaked += leak_reported(report, c->leaked[i] ^ LEAK_MASK);
	}
	/* Each report, up to the next: alba in its backtrace, not ours? */
	for (r = strstr(report, "unreferenced object"); r; r = next) {
		char *trace;

		next = strstr(r + 1, "unreferenced object");
		if (next)
			next[-1] = '\0';
		trace = strstr(r, "backtrace:");
		if (trace && strstr(trace, "alba") && !leak_ours(c, r)) {
			kunit_info(test, "%.400s", r);
			foreign++;
		}
		if (next)
			next[-1] = '\n';
	}
	kunit_info(test, "kmemleak: %u of %u objects held only by alba reported, %u of %u real leaks",
		   held, LEAK_OBJS, leaked, LEAK_OBJS);
	KUNIT_EXPECT_EQ(test, held, 0);
	KUNIT_EXPECT_GT(test, leaked, 0);
	KUNIT_EXPECT_EQ(test, foreign, 0);

	for (i = 0; i < LEAK_OBJS; i++) {
		kfree((void *)(c->held[i] ^ LEAK_MASK));
		kfree((void *)(c->leaked[i] ^ LEAK_MASK));
	}
	alba_pcpu_destroy(c->pc);
	alba_destroy(c->arena);
	kern_unmount(mnt);
	if (mm) {
		kthread_unuse_mm(mm);
		mmput(mm);
	}
}
#endif /* CONFIG_DEBUG_KMEMLEAK, built in */

static struct kunit_case alba_kernel_cases[] = {
	KUNIT_CASE(alba_phys_alignment_test),
	KUNIT_CASE(alba_atomic_context_test),
	KUNIT_CASE(alba_realloc_shrink_irq_test),
	KUNIT_CASE(alba_raw_lock_test),
	KUNIT_CASE(alba_compound_block_test),
#ifdef CONFIG_FAULT_INJECTION
	KUNIT_CASE(alba_fail_nth_task_test),
#endif
	KUNIT_CASE(alba_smp_hammer_test),
	KUNIT_CASE(alba_of_freed_test),
#if IS_BUILTIN(CONFIG_ALBA_KUNIT_TEST) && IS_ENABLED(CONFIG_ARCH_HAS_SET_DIRECT_MAP)
	KUNIT_CASE(alba_of_unmapped_test),
#endif
	KUNIT_CASE(alba_pcpu_smp_test),
	KUNIT_CASE(alba_pcpu_drain_live_test),
#if IS_ENABLED(CONFIG_HOTPLUG_CPU)
	KUNIT_CASE(alba_pcpu_hotplug_test),
#endif
	KUNIT_CASE(alba_destroy_rcu_test),
	KUNIT_CASE(alba_destroy_rcu_refused_test),
	KUNIT_CASE(alba_node_online_test),
	KUNIT_CASE(alba_gfp_test),
#ifdef CONFIG_MEM_ALLOC_PROFILING
	KUNIT_CASE(alba_alloc_tag_test),
#endif
	KUNIT_CASE(alba_hard_irq_test),
	KUNIT_CASE(alba_hard_irq_api_test),
	KUNIT_CASE(alba_pcpu_hard_irq_test),
	KUNIT_CASE(alba_pcpu_context_life_test),
	KUNIT_CASE(alba_create_context_test),
	KUNIT_CASE(alba_pcpu_claimed_test),
#if IS_ENABLED(CONFIG_TRACEPOINTS)
	KUNIT_CASE(alba_caller_report_test),
#endif
#if IS_ENABLED(CONFIG_DEBUG_KMEMLEAK) && IS_BUILTIN(CONFIG_ALBA_KUNIT_TEST)
	KUNIT_CASE(alba_kmemleak_test),	/* last: it sees the others' leaks */
#endif
	{}
};

static struct kunit_suite alba_kernel_suite = {
	.name = "alba_kernel",
	.test_cases = alba_kernel_cases,
};

/*
 * The KTAP's last lines must reach the console before kunit_shutdown's
 * restart. On PREEMPT_RT from 6.12 a legacy console (6.12's 8250 serial
 * port; 7.3's is an nbcon console, flushed at shutdown) is written by a
 * kthread, which kernel_restart() does not wait for; after alba_kasan's
 * reports it can be behind, and the run's end was lost once (kunit.py:
 * "missing expected subtest", 6.12 rt in CI). A reboot notifier
 * runs before the restart and may sleep, so it waits for the console there.
 */
#if IS_BUILTIN(CONFIG_ALBA_KUNIT_TEST) && defined(ALBA_HAVE_PR_FLUSH)
#include <linux/reboot.h>

static int alba_kunit_reboot_flush(struct notifier_block *nb,
				   unsigned long action, void *data)
{
	pr_flush(5000, true);
	return NOTIFY_DONE;
}

static struct notifier_block alba_kunit_reboot_nb = {
	.notifier_call = alba_kunit_reboot_flush,
};

/* Built-in suites run after the initcalls, so this is in place first. */
static int __init alba_kunit_reboot_init(void)
{
	return register_reboot_notifier(&alba_kunit_reboot_nb);
}
late_initcall(alba_kunit_reboot_init);
#endif

#if IS_ENABLED(CONFIG_KASAN_GENERIC)
kunit_test_suites(&alba_kernel_suite, &alba_kasan_suite);
#else
kunit_test_suites(&alba_kernel_suite);
#endif

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for what alba does only in the kernel");
ALBA_IMPORT_KUNIT_NS();
