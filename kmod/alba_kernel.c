// SPDX-License-Identifier: GPL-2.0
/*
 * alba_kernel.c - the kernel platform of alba (see alba_plat.h).
 *
 * Blocks are alloc_pages_node() of the order that matches the block size,
 * so a block is aligned to its size both virtually and physically; a
 * failed high-order allocation is a failure, never a smaller block.
 * Of the gfp of the call that needs a block, the page allocator gets the
 * bits that mean something for a block (ALBA_GFP_BLOCK in compat.h: the
 * reclaim and placement bits, as slab keeps, and __GFP_ACCOUNT, which
 * charges blocks to the memory cgroup of the arena's creator; freeing
 * uncharges: see alba_plat_block_alloc()). Lowmem only, never movable or
 * compound: the core addresses blocks directly.
 *
 * Contexts. alba's arena lock is a raw spinlock, so allocation works from
 * any context, hard IRQ included, on every kernel. Whether a new block may
 * come from the page allocator's locking paths is the caller's gfp's to
 * say, as for kmalloc_nolock(), by one rule with and without PREEMPT_RT:
 * a gfp with __GFP_RECLAIM (GFP_KERNEL, GFP_ATOMIC, GFP_NOWAIT) allows
 * them, which the caller may pass where kmalloc() would take it; a gfp
 * without (0, __GFP_NOWARN, __GFP_ACCOUNT) is for the contexts where their
 * spinlock_t may not be taken: hard IRQ, a raw spinlock held. There a new
 * block comes from alloc_pages_nolock() where the kernel exports it (6.18
 * and later; best effort, no reclaim, orders up to 3, not in hard IRQ on
 * RT) and the allocation fails otherwise. On PREEMPT_RT a caller that
 * cannot sleep gets the same even with a gfp that says otherwise (those
 * locks sleep there). A block is given back at once only where the caller
 * is preemptible; elsewhere (interrupts or preemption off, a raw spinlock
 * held, softirq) it is freed later, from alba's workqueue.
 *
 * Also here: which pages hold block headers (for alba_of()), the
 * tracepoints, alba_destroy_rcu(), the test hooks (exported to KUnit
 * tests only) and the module. The debugfs view is alba_debugfs.c.
 *
 * Loading the module creates nothing; consumers create arenas. Unloading
 * it waits for every release still pending (alba_destroy_rcu(), deferred
 * frees).
 */
#include <linux/atomic.h>
#include <linux/fault-inject.h>
#include <linux/gfp.h>
#include <linux/kmemleak.h>
#include <linux/llist.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/ratelimit.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/workqueue.h>

#include "alba_plat.h"
#include "alba_kernel.h"

#define CREATE_TRACE_POINTS
#include "alba_trace.h"

/* Per CPU: every block alloc and free bumps it, on every CPU. */
static DEFINE_PER_CPU(long, live_blocks);

/*
 * Deferred work: RT frees, alba_destroy_rcu() releases and debugfs
 * removals after it.
 */
struct workqueue_struct *alba_wq;

/* ---- test hooks (exported to KUnit tests only) ----------------------- */

/*
 * Fault injection is the kernel's framework (CONFIG_FAULT_INJECTION), as
 * for fail_page_alloc and failslab: the attribute fail_alba fails block
 * allocations, of every arena, with its probability, interval, times and
 * task filter (debugfs alba/fail_alba/, /proc/<pid>/make-it-fail), and a
 * task's /proc/<pid>/fail-nth counts alba's block allocations among its
 * fault sites. A kernel built without it has none of this, and the block
 * path checks nothing.
 */
#ifdef CONFIG_FAULT_INJECTION
DECLARE_FAULT_ATTR(alba_fail_attr);

static bool fault_fires(unsigned int shift)
{
	return should_fail(&alba_fail_attr, (ssize_t)1 << shift);
}

/**
 * alba_plat_fail_nth() - make the n-th block allocation from now fail
 * @n: 1 for the next one, 0 to stop
 *
 * A test hook: sets fail_alba to fail once, at the @n-th block allocation
 * from now, quietly (interval @n, times 1, probability 100).
 *
 * Context: any context; nothing allocates blocks meanwhile.
 */
void alba_plat_fail_nth(unsigned long n)
{
	alba_fail_attr.verbose = 0;
	alba_fail_attr.count = 0;
	alba_fail_attr.interval = n ? n : 1;
	atomic_set(&alba_fail_attr.space, 0);
	atomic_set(&alba_fail_attr.times, n ? 1 : 0);
	alba_fail_attr.probability = n ? 100 : 0;
}
EXPORT_SYMBOL_IF_KUNIT(alba_plat_fail_nth);
#else
static bool fault_fires(unsigned int shift)
{
	return false;
}
#endif

/*
 * A broken contract is reported once per calling site: the first sites
 * (REPORT_SITES of them) once each, any later one a few times a minute.
 * Any context; no lock but the ratelimit's trylock.
 */
#define REPORT_SITES	256
static unsigned long reported[REPORT_SITES];

bool alba_kernel_first_report(unsigned long ip)
{
	static DEFINE_RATELIMIT_STATE(later, 60 * HZ, 3);
	unsigned long seen;
	unsigned int i;

	for (i = 0; i < REPORT_SITES; i++) {
		seen = READ_ONCE(reported[i]);
		if (!seen)
			seen = cmpxchg(&reported[i], 0UL, ip);
		if (!seen)
			return true;
		if (seen == ip)
			return false;
	}
	return __ratelimit(&later);
}

unsigned long long alba_plat_unique_id(void)
{
	static atomic64_t last = ATOMIC64_INIT(0);

	return (unsigned long long)atomic64_inc_return(&last);
}

/**
 * alba_plat_live_blocks() - blocks allocated and not yet freed
 *
 * Context: any context. The sum over CPUs is exact when no block is being
 * allocated or freed meanwhile.
 * Return: the count, over all arenas.
 */
long alba_plat_live_blocks(void)
{
	long n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		n += per_cpu(live_blocks, cpu);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(alba_plat_live_blocks);

/* ---- blocks ------------------------------------------------------------ */

/* May this call take the page allocator's locks? See "Contexts" above. */
static bool page_allocator_allowed(gfp_t gfp)
{
	return gfpflags_allow_spinning(gfp) &&
	       (!IS_ENABLED(CONFIG_PREEMPT_RT) || preemptible());
}

/* The page allocator's part, charged to the task's current tag. */
static struct page *block_pages(gfp_t gfp, int nid, unsigned int order)
{
	if (likely(page_allocator_allowed(gfp)))
		return alloc_pages_node_noprof(nid, gfp, order);
	return alba_alloc_pages_nolock(gfp, nid, order);
}

/*
 * A block is charged to the arena's creator, whoever's call takes it (a
 * per-CPU set refills from every task that allocates through it):
 *
 * - with __GFP_ACCOUNT, to the memory cgroup of the task that created the
 *   arena (the task's active memcg, as BPF maps charge their creator's), in
 *   task context; an arena created by a task without an mm (a kthread)
 *   or outside task context has no owner, and its blocks are charged as
 *   kmalloc()'s objects are, to the allocating task;
 * - in memory allocation profiling, to the line that created the arena
 *   (alba.h wraps alba_create() in alloc_hooks()), not to this file.
 *
 * The first block, which alba_create() takes before there is an arena, is
 * the creator's by both rules already.
 */
void *alba_plat_block_alloc(struct alba *arena, unsigned int shift, gfp_t gfp,
			    int nid)
{
	struct alba_plat_arena *pa = arena ? alba_core_plat(arena) : NULL;
	struct alloc_tag *tag = pa ? pa->tag : alba_current_alloc_tag();
	struct mem_cgroup *memcg = NULL, *old_memcg = NULL;
	unsigned int order = shift - PAGE_SHIFT;
	struct page *page;

	if (fault_fires(shift))
		return NULL;
	gfp &= ALBA_GFP_BLOCK;
	if (pa && pa->memcg && (gfp & __GFP_ACCOUNT) && in_task())
		memcg = pa->memcg;
	if (memcg)
		old_memcg = alba_set_task_memcg(memcg);
	/* No creator's tag (alba_create() called around alba.h): this line. */
	if (tag)
		page = alloc_hooks_tag(tag, block_pages(gfp, nid, order));
	else
		page = alloc_hooks(block_pages(gfp, nid, order));
	if (memcg)
		alba_set_task_memcg(old_memcg);
	if (!page)
		return NULL;
	this_cpu_inc(live_blocks);
	/*
	 * kmemleak scans the block for pointers (a kmalloc() object that only
	 * an alba object points to is no leak) and never reports it (min_count
	 * 0). It allocates its own record, so only where the page allocator's
	 * locks were allowed; a block taken without them is not scanned.
	 */
	if (page_allocator_allowed(gfp))
		kmemleak_alloc(page_address(page), (size_t)1 << shift, 0, gfp);
	return page_address(page);
}
EXPORT_SYMBOL_IF_KUNIT(alba_plat_block_alloc);

void alba_plat_arena_added(struct alba *arena, gfp_t gfp)
{
	struct alba_plat_arena *pa = alba_core_plat(arena);

	pa->arena = arena;
	if (in_task() && current->mm)
		pa->memcg = get_mem_cgroup_from_mm(current->mm);
	alloc_tag_record(pa->tag);
	alba_debugfs_add(arena, gfp);
}

/* The arena takes no more blocks: its owner may go (pages keep theirs). */
static void arena_disown(struct alba_plat_arena *pa)
{
	mem_cgroup_put(pa->memcg);
	pa->memcg = NULL;
}

void alba_plat_arena_removed(struct alba *arena)
{
	arena_disown(alba_core_plat(arena));
	alba_debugfs_remove(arena);
}

/*
 * May a block go back to the page allocator right here? Where the caller
 * is preemptible. A kernel without a preemption count cannot tell a held
 * lock: there, anywhere but in an interrupt or with interrupts off.
 */
static bool free_allowed(void)
{
	if (IS_ENABLED(CONFIG_PREEMPT_COUNT))
		return preemptible();
	return !in_interrupt() && !irqs_disabled();
}

/* Blocks given back where the page allocator may not be called. */
struct deferred_block {
	struct llist_node node;
	unsigned int shift;
};

static LLIST_HEAD(deferred_blocks);

static void free_block(void *base, unsigned int shift)
{
	kmemleak_free(base);	/* silent for a block it never saw */
	__free_pages(virt_to_page(base), shift - PAGE_SHIFT);
	this_cpu_dec(live_blocks);
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

	if (likely(free_allowed())) {
		free_block(base, shift);
		return;
	}
	/* The block's own first bytes carry it to the workqueue. */
	alba_plat_unpoison(d, sizeof(*d));
	d->shift = shift;
	if (llist_add(&d->node, &deferred_blocks))
		queue_work(alba_wq, &deferred_free_work);
}
EXPORT_SYMBOL_IF_KUNIT(alba_plat_block_free);

/*
 * Which pages hold a live alba block header: the page's private word
 * holds a value derived from its address, set while the block lives. A
 * pointer is asked about only if it lies in the direct map, so its struct
 * page exists; the header itself is read only once the mark matches.
 * Blocks from alloc_pages() are plain high-order pages, whose every
 * private word is the owner's. Those from alloc_pages_nolock() are
 * compound: a tail page's private word belongs to the folio (the first
 * tail's is its _mm_ids in 6.18 and later), so no mark goes there. The one
 * header that can lie in a tail page is the copy below an object aligned
 * beyond the block size (see alba_of()): in such a block it is not marked,
 * and alba_of() refuses pointers into that object.
 */
#define HEADER_MARK	0xa1ba0b10c5a1ba00UL

static unsigned long header_mark(const void *p)
{
	return HEADER_MARK ^ (unsigned long)p;
}

void alba_plat_header_set(void *p)
{
	struct page *page = virt_to_page(p);

	if (!PageTail(page))
		set_page_private(page, header_mark(p));
}

void alba_plat_header_clear(void *p)
{
	struct page *page = virt_to_page(p);

	if (!PageTail(page))
		set_page_private(page, 0);
}

bool alba_plat_header_test(const void *p)
{
	struct page *page;

	if (!virt_addr_valid(p))
		return false;
	page = virt_to_page(p);
	return !PageTail(page) && page_private(page) == header_mark(p);
}

/* ---- tracepoints ------------------------------------------------------- */

void alba_plat_trace_arena_create(struct alba *arena, size_t block_size,
				  gfp_t gfp, int nid)
{
	trace_alba_arena_create(arena, block_size, (__force unsigned long)gfp, nid);
}

void alba_plat_trace_arena_destroy(struct alba *arena, size_t blocks)
{
	trace_alba_arena_destroy(arena, blocks);
}

void alba_plat_trace_block_alloc(struct alba *arena, const void *base,
				 unsigned int shift, gfp_t gfp)
{
	struct page *page;

	if (trace_alba_block_alloc_enabled()) {
		page = virt_to_page(base);
		trace_alba_block_alloc(arena, page_to_pfn(page),
				       shift - PAGE_SHIFT, page_to_nid(page),
				       (__force unsigned long)gfp);
	}
}

void alba_plat_trace_block_free(struct alba *arena, const void *base,
				unsigned int shift)
{
	if (trace_alba_block_free_enabled())
		trace_alba_block_free(arena, page_to_pfn(virt_to_page(base)),
				      shift - PAGE_SHIFT);
}

void alba_plat_trace_reset(struct alba *arena, size_t blocks)
{
	trace_alba_reset(arena, blocks);
}

void alba_plat_trace_rewind(struct alba *arena, size_t blocks)
{
	trace_alba_rewind(arena, blocks);
}

void alba_plat_trace_alloc_fail(struct alba *arena, size_t size, size_t align,
				gfp_t gfp)
{
	trace_alba_alloc_fail(arena, size, align, (__force unsigned long)gfp);
}

/* ---- release after an RCU grace period --------------------------------- */

static void destroy_rcu_fn(struct work_struct *work)
{
	struct alba_plat_arena *pa = container_of(to_rcu_work(work),
						  struct alba_plat_arena, rwork);

	alba_core_free(pa->arena);
}

/**
 * alba_destroy_rcu() - free an arena after an RCU grace period
 * @arena: the arena, or NULL (nothing happens)
 *
 * For data read under rcu_read_lock(): a writer that has replaced a
 * structure built in @arena (rcu_assign_pointer() of the new one) calls
 * this, and readers that found the old structure may go on reading it
 * until they leave their read-side critical section. After a grace period
 * alba's workqueue, in process context, runs the arena's cleanups
 * (alba_add_cleanup()) and frees every block (queue_rcu_work()). The
 * arena's debugfs files go at once (their removal, which may sleep, runs
 * on alba's workqueue too). Kernel only.
 *
 * As with alba_destroy(), no one may allocate from @arena once this is
 * called; from then on it gets no new block and gives no cursor a chunk.
 * While a cursor (or a per-CPU set) holds a chunk, and for a second
 * destroy of any kind before the release, the call is refused with a
 * warning and changes nothing.
 *
 * alba_rcu_barrier() waits for the release (a module's exit calls it).
 *
 * Context: any context alba_destroy() allows, and also where it does not:
 * with preemption or interrupts disabled, from softirq or hard IRQ.
 */
void alba_destroy_rcu(struct alba *arena)
{
	struct alba_plat_arena *pa;

	if (!arena || !alba_core_retire(arena, _RET_IP_))
		return;
	alba_debugfs_detach(arena);
	pa = alba_core_plat(arena);
	arena_disown(pa);
	INIT_RCU_WORK(&pa->rwork, destroy_rcu_fn);
	queue_rcu_work(alba_wq, &pa->rwork);
}
EXPORT_SYMBOL_GPL(alba_destroy_rcu);

/**
 * alba_rcu_barrier() - wait until every alba_destroy_rcu() has finished
 *
 * Returns once every arena passed to alba_destroy_rcu() before the call
 * has been released: its cleanups have run and its blocks are back with
 * the page allocator (and so are blocks given back where the page
 * allocator could not be called). rcu_barrier() alone does not wait for
 * that: the release runs on alba's workqueue after the grace period. A
 * module that destroyed arenas with alba_destroy_rcu() calls it in its
 * exit, before its code (a cleanup function) or data (an allocation
 * profiling tag) goes away. Kernel only.
 *
 * Context: process context; it sleeps. Not from a cleanup function
 * (those run on alba's workqueue, which this waits for).
 */
void alba_rcu_barrier(void)
{
	might_sleep();
	rcu_barrier();
	flush_workqueue(alba_wq);
}
EXPORT_SYMBOL_GPL(alba_rcu_barrier);

/* ---- the module --------------------------------------------------------- */

static int __init alba_init(void)
{
	/* Its frees help reclaim: a rescuer keeps them going under pressure. */
	alba_wq = alloc_workqueue("alba", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!alba_wq)
		return -ENOMEM;
	alba_pcpu_init();
	alba_debugfs_init();
	return 0;
}

static void __exit alba_exit(void)
{
	long live;

	/* Releases still pending: RCU callbacks, then what they queued. */
	alba_rcu_barrier();
	alba_pcpu_exit();
	destroy_workqueue(alba_wq);
	alba_debugfs_exit();
	live = alba_plat_live_blocks();
	if (live)
		pr_warn("alba: %ld blocks still allocated at unload (an arena was not destroyed)\n",
			live);
}

module_init(alba_init);
module_exit(alba_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("alba: aligned block arena allocator");
MODULE_AUTHOR("The alba authors");
MODULE_VERSION(ALBA_VERSION);
