// SPDX-License-Identifier: GPL-2.0
/*
 * alba_pcpu.c - per-CPU cursors, built in (the kernel's alba_pcpu_*).
 *
 * One struct alba_cursor per possible CPU, each guarded by a local_lock_t:
 * on a kernel without PREEMPT_RT that disables interrupts on this CPU, so
 * the fast path is correct from task, softirq and hard-IRQ context with no
 * lock and no atomic; with PREEMPT_RT it is a per-CPU sleeping lock with
 * migration disabled, correct from every context where a spinlock_t may
 * be taken (task, softirq, threaded IRQs), and not from hard IRQ (an
 * IRQF_NO_THREAD handler, an HRTIMER_MODE_HARD timer), just as kmalloc().
 *
 * A refill takes the arena lock to carve a chunk. When the arena needs a
 * new block, the page allocator is called without the local lock for a
 * gfp that may sleep (the lock is taken again afterwards, perhaps on
 * another CPU, and the block installed or given back), and under it only
 * for an atomic gfp, which is what GFP_ATOMIC callers ask for anyway.
 *
 * CPU hotplug: when a CPU has gone offline, a teardown callback (a
 * CPUHP_BP_PREPARE_DYN state, run on a CPU still up once the other is
 * dead, so nobody uses its cursors any more) retires its chunk in every
 * set: its objects stay valid and counted, and reset, mark and rewind are
 * not held up by a CPU that is gone. Sets are listed for it (alba_pcpu_sets,
 * under a spinlock). alba_pcpu_drain() retires the chunks of every
 * possible CPU.
 */
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/local_lock.h>
#include <linux/percpu.h>
#include <linux/slab.h>

#include "alba_plat.h"
#include "alba_kernel.h"

struct alba_pcpu_slot {
	local_lock_t lock;
	struct alba_cursor cur;
};

struct alba_pcpu {
	struct alba *arena;
	struct alba_pcpu_slot __percpu *slots;
	struct list_head node;		/* in alba_pcpu_sets */
};

static LIST_HEAD(alba_pcpu_sets);
static DEFINE_SPINLOCK(alba_pcpu_sets_lock);
static int alba_pcpu_hp_state = -1;

/* @cpu is dead: nobody bumps its cursors; retire their chunks. */
static int alba_pcpu_cpu_dead(unsigned int cpu)
{
	struct alba_pcpu *pc;
	unsigned long flags;

	spin_lock_irqsave(&alba_pcpu_sets_lock, flags);
	list_for_each_entry(pc, &alba_pcpu_sets, node)
		alba_cursor_fini(&per_cpu_ptr(pc->slots, cpu)->cur);
	spin_unlock_irqrestore(&alba_pcpu_sets_lock, flags);
	return 0;
}

void alba_pcpu_init(void)
{
	int ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "alba/pcpu:dead",
					    NULL, alba_pcpu_cpu_dead);

	/* Without it, an offline CPU keeps its chunk until a drain. */
	if (ret < 0)
		pr_warn("alba: no CPU hotplug state (%d)\n", ret);
	alba_pcpu_hp_state = ret;
}

void alba_pcpu_exit(void)
{
	if (alba_pcpu_hp_state >= 0)
		cpuhp_remove_state_nocalls(alba_pcpu_hp_state);
}

/**
 * alba_pcpu_create() - per-CPU cursors for an arena
 * @arena: the arena
 * @chunk: bytes each CPU reserves at a time, as for alba_cursor_init()
 *	(0: half a block)
 * @gfp: flags for the bookkeeping (a small object and one cursor per
 *	possible CPU, from kmalloc and the percpu allocator)
 *
 * Context: any context @gfp allows.
 * Return: the set, or NULL (an invalid argument, with a warning; or no
 * memory).
 */
struct alba_pcpu *alba_pcpu_create(struct alba *arena, size_t chunk,
				   gfp_t gfp)
{
	struct alba_pcpu_slot *slot;
	struct alba_pcpu *pc;
	unsigned long flags;
	int cpu;

	if (!arena) {
		alba_plat_invalid("%s() on a NULL arena", __func__);
		return NULL;
	}
	pc = kzalloc_obj(*pc, gfp);
	if (!pc)
		return NULL;
	pc->slots = alloc_percpu_gfp(struct alba_pcpu_slot, gfp);
	if (!pc->slots) {
		kfree(pc);
		return NULL;
	}
	pc->arena = arena;
	for_each_possible_cpu(cpu) {
		slot = per_cpu_ptr(pc->slots, cpu);
		local_lock_init(&slot->lock);
		alba_cursor_init(&slot->cur, arena, chunk);
	}
	spin_lock_irqsave(&alba_pcpu_sets_lock, flags);
	list_add(&pc->node, &alba_pcpu_sets);
	spin_unlock_irqrestore(&alba_pcpu_sets_lock, flags);
	return pc;
}
EXPORT_SYMBOL_GPL(alba_pcpu_create);

/**
 * alba_pcpu_alloc() - allocate through this CPU's cursor
 * @pc: the set, from alba_pcpu_create()
 * @size: bytes to allocate
 * @align: a power of two, or 0 for ALBA_DEFAULT_ALIGN
 * @gfp: flags for a new block; as for alba_cursor_alloc(), __GFP_ZERO
 *	zeroes nothing
 *
 * The fast path bumps this CPU's cursor under its local lock, with no
 * atomic; requests a cursor does not take (larger than a chunk, aligned
 * beyond ALBA_CURSOR_MAX_ALIGN, size 0) go to alba_alloc().
 *
 * Context: without PREEMPT_RT, any context @gfp allows (see alba_alloc()),
 * hard IRQ included.
 * With PREEMPT_RT, any context where a spinlock_t may be taken (task,
 * softirq, threaded IRQs), as for kmalloc(); not hard IRQ. The page
 * allocator is called with this CPU's lock held only for a @gfp that
 * cannot sleep.
 * Return: a pointer aligned to @align, or NULL (see alba_alloc()).
 */
void *alba_pcpu_alloc(struct alba_pcpu *pc, size_t size, size_t align,
		      gfp_t gfp)
{
	struct alba_pcpu_slot *slot;
	void *spare = NULL, *p;
	unsigned long flags;

	alba_plat_might_alloc(gfp);
	if (unlikely(!pc)) {
		alba_plat_invalid("allocation from a NULL per-CPU set");
		return NULL;
	}
	local_lock_irqsave(&pc->slots->lock, flags);
	slot = this_cpu_ptr(pc->slots);
	if (likely(alba_cursor_bump(&slot->cur, size, align, &p)))
		goto out;
	if (!alba_core_chunkable(&slot->cur, size, align)) {
		local_unlock_irqrestore(&pc->slots->lock, flags);
		return alba_core_alloc(pc->arena, size, align, gfp, _RET_IP_);
	}
	p = alba_core_refill(&slot->cur, size, align, &spare);
	if (p)
		goto out;
	if (!gfpflags_allow_blocking(gfp)) {
		/* An atomic gfp: the page allocator may be called right here. */
		spare = alba_core_block_get(pc->arena, gfp);
		if (spare)
			p = alba_core_refill(&slot->cur, size, align, &spare);
		goto out;
	}
	/* It may sleep: not with the local lock (interrupts off, or RT). */
	local_unlock_irqrestore(&pc->slots->lock, flags);
	spare = alba_core_block_get(pc->arena, gfp);
	local_lock_irqsave(&pc->slots->lock, flags);
	slot = this_cpu_ptr(pc->slots);
	if (spare && !alba_cursor_bump(&slot->cur, size, align, &p))
		p = alba_core_refill(&slot->cur, size, align, &spare);
out:
	local_unlock_irqrestore(&pc->slots->lock, flags);
	if (unlikely(spare))
		alba_core_block_put(pc->arena, spare);
	return p;
}
EXPORT_SYMBOL_GPL(alba_pcpu_alloc);

/**
 * alba_pcpu_drain() - retire every CPU's chunk
 * @pc: the set, or NULL (nothing happens)
 *
 * Accounts every CPU's allocations to the arena and gives back what it
 * can of each chunk (alba_cursor_fini() on each), online or not; the
 * objects stay valid. Afterwards no chunk of this set is held, so
 * alba_reset(), alba_mark() and alba_rewind() can run (if no other cursor
 * holds one). The set can be used again: CPUs take new chunks.
 *
 * Context: any context, but nobody may allocate from @pc meanwhile.
 */
void alba_pcpu_drain(struct alba_pcpu *pc)
{
	int cpu;

	if (!pc)
		return;
	for_each_possible_cpu(cpu)
		alba_cursor_fini(&per_cpu_ptr(pc->slots, cpu)->cur);
}
EXPORT_SYMBOL_GPL(alba_pcpu_drain);

/**
 * alba_pcpu_destroy() - retire every CPU's chunk and free the set
 * @pc: the set, or NULL (nothing happens)
 *
 * alba_pcpu_drain(), then the set's own memory goes; the arena and its
 * objects stay.
 *
 * Context: process context; nobody may use @pc meanwhile or afterwards.
 */
void alba_pcpu_destroy(struct alba_pcpu *pc)
{
	unsigned long flags;

	if (!pc)
		return;
	spin_lock_irqsave(&alba_pcpu_sets_lock, flags);
	list_del(&pc->node);
	spin_unlock_irqrestore(&alba_pcpu_sets_lock, flags);
	alba_pcpu_drain(pc);
	free_percpu(pc->slots);
	kfree(pc);
}
EXPORT_SYMBOL_GPL(alba_pcpu_destroy);
