// SPDX-License-Identifier: GPL-2.0
/*
 * alba_pcpu.c - per-CPU cursors, built in (the kernel's alba_pcpu_*).
 *
 * Each possible CPU has a cursor and a flag saying that a context of that
 * CPU is using it (struct alba_pcpu_slot, alba.h). Contexts of one CPU
 * interrupt each other strictly nested, and an interrupting context runs
 * to its end before the interrupted one goes on, so with preemption off a
 * context that finds the flag clear and sets it owns the cursor until it
 * clears it, with no interrupt toggling, no atomic and no lock: the inline
 * fast path (alba_pcpu_alloc() in alba.h) bumps it so, as SLUB's sheaves
 * do under local_trylock. A context that finds the flag set interrupted a
 * bump or a refill of its CPU, and takes the arena's locked path. This
 * holds with PREEMPT_RT too (softirqs there are tasks, preempted only
 * where preemption is on).
 *
 * alba_pcpu_refill() takes the rest, the cursor claimed: a chunk carved
 * under the arena lock. When the arena needs a new block, the page
 * allocator is called with the cursor given back and preemption on where
 * the caller may sleep (a gfp that may; and with PREEMPT_RT every caller,
 * which then takes the page allocator's paths where it is preemptible and
 * none where it is not: alba_plat_block_alloc()), and the cursor claimed
 * again afterwards (perhaps on another CPU); without PREEMPT_RT an atomic
 * gfp calls it right there, which is what GFP_ATOMIC callers ask for
 * anyway.
 *
 * CPU hotplug: when a CPU has gone offline, a teardown callback (a
 * CPUHP_BP_PREPARE_DYN state, run on a CPU still up once the other is
 * dead, so nobody uses its cursor any more) retires its chunk in every
 * set: its objects stay valid and counted, and reset, mark and rewind are
 * not held up by a CPU that is gone. Sets are listed for it (alba_pcpu_sets,
 * under a spinlock). alba_pcpu_drain() retires the chunks of every
 * possible CPU where nobody allocates; alba_pcpu_drain_live() has each
 * online CPU retire its own, in an IPI, while they do.
 */
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/percpu.h>
#include <linux/slab.h>

#include "alba_plat.h"
#include "alba_kernel.h"

struct alba_pcpu {
	struct alba_pcpu_head head;	/* first: alba.h's fast path reads it */
	struct alba *arena;
	struct list_head node;		/* in alba_pcpu_sets */
};

/* Retire @cpu's chunk (nobody may be using it). */
static void alba_pcpu_retire(struct alba_pcpu *pc, int cpu)
{
	alba_core_cursor_fini(&per_cpu_ptr(pc->head.slots, cpu)->cur);
}

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
		alba_pcpu_retire(pc, cpu);
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
 *	possible CPU, from kmalloc and the percpu allocator); zone
 *	modifiers (__GFP_HIGHMEM, __GFP_DMA...) are ignored
 *
 * Context: where kmalloc(@gfp) may be called and a spinlock_t taken:
 * process context, or softirq or preemption off with a gfp that does not
 * sleep; not in hard IRQ or under a raw spinlock (a spinlock_t sleeps
 * with PREEMPT_RT, and lockdep says so without it).
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
	gfp &= ~GFP_ZONEMASK;
	pc = kzalloc_obj(*pc, gfp);
	if (!pc)
		return NULL;
	pc->head.slots = alloc_percpu_gfp(struct alba_pcpu_slot, gfp);
	if (!pc->head.slots) {
		kfree(pc);
		return NULL;
	}
	pc->arena = arena;
	for_each_possible_cpu(cpu) {
		slot = per_cpu_ptr(pc->head.slots, cpu);
		alba_cursor_init(&slot->cur, arena, chunk);
		slot->busy = 0;
	}
	spin_lock_irqsave(&alba_pcpu_sets_lock, flags);
	list_add(&pc->node, &alba_pcpu_sets);
	spin_unlock_irqrestore(&alba_pcpu_sets_lock, flags);
	return pc;
}
EXPORT_SYMBOL_GPL(alba_pcpu_create);

/*
 * Claim this CPU's cursor: preemption off and the flag set. NULL, with
 * preemption on again, where a context this one interrupted holds it.
 */
static struct alba_pcpu_slot *alba_pcpu_claim(struct alba_pcpu *pc)
{
	struct alba_pcpu_slot *slot;

	preempt_disable();
	slot = this_cpu_ptr(pc->head.slots);
	if (READ_ONCE(slot->busy)) {
		preempt_enable();
		return NULL;
	}
	WRITE_ONCE(slot->busy, 1);
	barrier();
	return slot;
}

static void alba_pcpu_unclaim(struct alba_pcpu_slot *slot)
{
	barrier();
	WRITE_ONCE(slot->busy, 0);
	preempt_enable();
}

/**
 * alba_pcpu_refill() - alba_pcpu_alloc()'s slow path
 * @pc: the set
 * @size: bytes to allocate
 * @align: a power of two, or 0 for ALBA_DEFAULT_ALIGN
 * @gfp: flags for a new block
 *
 * A new chunk for this CPU's cursor, carved under the arena lock (the old
 * one retired in the same section), and the object from it; requests a
 * cursor does not take (larger than a chunk, aligned beyond
 * ALBA_CURSOR_MAX_ALIGN, size 0), and any made while a context this one
 * interrupted holds the cursor, go to alba_alloc(). Call
 * alba_pcpu_alloc() instead.
 *
 * Context: as alba_pcpu_alloc().
 * Return: a pointer aligned to @align, or NULL (see alba_alloc()).
 */
void *alba_pcpu_refill(struct alba_pcpu *pc, size_t size, size_t align,
		       gfp_t gfp)
{
	struct alba_pcpu_slot *slot;
	void *spare = NULL, *p;

	alba_plat_might_alloc(gfp);
	if (unlikely(!pc)) {
		alba_plat_invalid("allocation from a NULL per-CPU set");
		return NULL;
	}
	/* Not for NMI (the arena lock may be held by what it interrupted). */
	if (WARN_ON_ONCE(in_nmi()))
		return NULL;
	/* Every CPU's cursor has the same chunk size and arena. */
	if (!alba_core_chunkable(&raw_cpu_ptr(pc->head.slots)->cur, size, align))
		return alba_core_alloc(pc->arena, size, align, gfp, _RET_IP_);
	slot = alba_pcpu_claim(pc);
	if (!slot)
		return alba_core_alloc(pc->arena, size, align, gfp, _RET_IP_);
	/* Sanitizer builds come here for every object (alba.h). */
	p = alba_core_refill(&slot->cur, size, align, gfp, &spare);
	if (p)
		goto out;
	if (!gfpflags_allow_blocking(gfp) && !IS_ENABLED(CONFIG_PREEMPT_RT)) {
		/* An atomic gfp: the page allocator may be called right here. */
		spare = alba_core_block_get(pc->arena, gfp);
		if (spare)
			p = alba_core_refill(&slot->cur, size, align, gfp, &spare);
		goto out;
	}
	/* With preemption on: it may sleep, or (RT) take sleeping locks. */
	alba_pcpu_unclaim(slot);
	spare = alba_core_block_get(pc->arena, gfp);
	if (!spare)
		return NULL;
	slot = alba_pcpu_claim(pc);
	if (!slot) {
		alba_core_block_put(pc->arena, spare);
		return alba_core_alloc(pc->arena, size, align, gfp, _RET_IP_);
	}
	if (!alba_cursor_bump(&slot->cur, size, align, &p))
		p = alba_core_refill(&slot->cur, size, align, gfp, &spare);
out:
	alba_pcpu_unclaim(slot);
	if (unlikely(spare))
		alba_core_block_put(pc->arena, spare);
	return p;
}
EXPORT_SYMBOL_GPL(alba_pcpu_refill);

/**
 * alba_pcpu_drain() - retire every CPU's chunk
 * @pc: the set, or NULL (nothing happens)
 *
 * Accounts every CPU's allocations to the arena and gives back what it
 * can of each chunk (as alba_cursor_fini() does), online or not; the
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
		alba_pcpu_retire(pc, cpu);
}
EXPORT_SYMBOL_GPL(alba_pcpu_drain);

struct alba_pcpu_drain_req {
	struct alba_pcpu *pc;
	bool claimed;
};

/*
 * On the CPU whose chunk goes, in hard IRQ (an IPI): every other context
 * of this CPU is interrupted, so the cursor is this function's unless
 * the IPI landed inside a claim, which it then leaves alone.
 */
static void alba_pcpu_drain_here(void *info)
{
	struct alba_pcpu_drain_req *req = info;
	struct alba_pcpu_slot *slot = this_cpu_ptr(req->pc->head.slots);

	if (READ_ONCE(slot->busy)) {
		req->claimed = true;
		return;
	}
	alba_core_cursor_fini(&slot->cur);
}

/**
 * alba_pcpu_drain_live() - retire every CPU's chunk while CPUs allocate
 * @pc: the set, or NULL (nothing happens)
 *
 * As alba_pcpu_drain(), but other CPUs may keep allocating from @pc
 * meanwhile: each online CPU retires its own chunk, in an IPI that finds
 * its cursor unclaimed (one that lands inside a claim is sent again), and
 * offline CPUs' chunks are retired with CPU hotplug held off. A CPU that
 * allocates again afterwards takes a new chunk, so on return only the
 * chunks taken since are held. The objects stay valid.
 *
 * Context: process context (it may sleep), interrupts on.
 */
void alba_pcpu_drain_live(struct alba_pcpu *pc)
{
	struct alba_pcpu_drain_req req = { .pc = pc };
	int cpu;

	might_sleep();
	if (!pc)
		return;
	cpus_read_lock();
	for_each_possible_cpu(cpu) {
		if (!cpu_online(cpu)) {
			alba_pcpu_retire(pc, cpu);
			continue;
		}
		do {
			req.claimed = false;
			smp_call_function_single(cpu, alba_pcpu_drain_here, &req, 1);
			if (req.claimed)
				cpu_relax();
		} while (req.claimed);
	}
	cpus_read_unlock();
}
EXPORT_SYMBOL_GPL(alba_pcpu_drain_live);

/**
 * alba_pcpu_destroy() - retire every CPU's chunk and free the set
 * @pc: the set, or NULL (nothing happens)
 *
 * alba_pcpu_drain(), then the set's own memory goes; the arena and its
 * objects stay.
 *
 * Context: where a spinlock_t may be taken (it does not sleep): process
 * context, softirq, preemption off or under rcu_read_lock(); not in hard
 * IRQ or under a raw spinlock. Nobody may use @pc meanwhile or afterwards.
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
	free_percpu(pc->head.slots);
	kfree(pc);
}
EXPORT_SYMBOL_GPL(alba_pcpu_destroy);
