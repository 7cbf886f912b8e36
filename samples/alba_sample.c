// SPDX-License-Identifier: GPL-2.0
/*
 * alba_sample.c - an in-kernel consumer of alba, using only alba.h.
 *
 * The way a driver might keep a lookup table of variable-length records:
 *
 * 1. Build it: 100,000 records in one arena, from a kthread on every
 *    online CPU, all allocating through one per-CPU set (alba_pcpu_alloc():
 *    no lock on the fast path); the index is one large object. Then check
 *    every record, and find the arena of each with alba_of().
 * 2. Replace it while lookups run: lookup kthreads read the table under
 *    rcu_read_lock() while a new table is built in a second arena,
 *    published with rcu_assign_pointer(), and the old arena released with
 *    alba_destroy_rcu(): readers still inside the old one keep it until
 *    their grace period ends.
 * 3. Scratch work: temporary objects released by alba_rewind() to a mark,
 *    a scratch arena: a mark and a rewind, a scope whose cleanup frees a
 *    kmalloc()ed buffer, rounds with blocks kept by alba_reset_keep(),
 *    alba_reset(), and a request no block can hold, which fails cleanly.
 *
 * Results go to the kernel log and to the arena's debugfs files
 * (/sys/kernel/debug/alba/sample/{stats,blocks}). Unloading destroys the
 * arena. Parameters: nid, the NUMA node the table's blocks come from;
 * account, to charge them to the loading task's memory cgroup.
 */
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/numa.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "alba.h"

#define NR_RECORDS	100000

static int nid = NUMA_NO_NODE;
module_param(nid, int, 0444);
MODULE_PARM_DESC(nid, "NUMA node of the table's blocks (default: any)");

static bool account;
module_param(account, bool, 0444);
MODULE_PARM_DESC(account, "charge the table's blocks to the loading task's memory cgroup");

struct record {
	u32 id;
	u32 len;
	u32 sum;
	char data[];
};

struct table {
	struct alba *arena;
	struct record **rec;
	u32 generation;
};

static struct table __rcu *live;

struct builder {
	struct completion done;
	struct table *t;
	struct alba_pcpu *pc;
	unsigned int first;	/* builds ids first, first + step, ... */
	unsigned int step;
	unsigned int failed;
};

static u32 record_len(u32 id)
{
	return 8 + (id * 2654435761u) % 193;
}

static u32 checksum(const struct record *r)
{
	u32 i, sum = r->id;

	for (i = 0; i < r->len; i++)
		sum = sum * 31 + (u8)r->data[i];
	return sum;
}

static int build_fn(void *data)
{
	struct builder *b = data;
	struct record *r;
	u32 id, i;

	for (id = b->first; id < NR_RECORDS; id += b->step) {
		r = alba_pcpu_alloc(b->pc, sizeof(*r) + record_len(id),
				    __alignof__(struct record), GFP_KERNEL);
		if (!r) {
			b->failed++;
			continue;
		}
		r->id = id;
		r->len = record_len(id);
		for (i = 0; i < r->len; i++)
			r->data[i] = 'a' + (id + i + b->t->generation) % 26;
		r->sum = checksum(r);
		b->t->rec[id] = r;
	}
	complete(&b->done);
	return 0;
}

/* A table in a fresh arena, built by a kthread on every online CPU. */
static struct table *build_table(const char *name, u32 generation)
{
	gfp_t gfp = account ? GFP_KERNEL_ACCOUNT : GFP_KERNEL;
	unsigned int cpu, n = 0, nr = num_online_cpus(), failed = 0;
	struct alba_pcpu *pc = NULL;
	struct task_struct *task;
	struct builder *b;
	struct alba *arena;
	struct table *t;

	arena = alba_create_node(name, 0, gfp, nid);
	if (!arena)
		return NULL;
	b = kcalloc(nr_cpu_ids, sizeof(*b), GFP_KERNEL);
	/* The table and its index are objects of the arena too. */
	t = alba_new(arena, struct table, gfp);
	if (t)
		t->rec = alba_zalloc_array(arena, NR_RECORDS, sizeof(*t->rec),
					   __alignof__(*t->rec), gfp);
	if (b && t && t->rec)
		pc = alba_pcpu_create(arena, 0, GFP_KERNEL);
	if (!pc) {
		kfree(b);
		alba_destroy(arena);
		return NULL;
	}
	t->arena = arena;
	t->generation = generation;
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		b[n] = (struct builder){ .t = t, .pc = pc, .first = n, .step = nr };
		init_completion(&b[n].done);
		task = kthread_create(build_fn, &b[n], "alba_sample/%u", cpu);
		if (IS_ERR(task)) {
			/* Build this share here instead. */
			build_fn(&b[n]);
		} else {
			kthread_bind(task, cpu);
			wake_up_process(task);
		}
		n++;
	}
	cpus_read_unlock();
	while (n--) {
		wait_for_completion(&b[n].done);
		failed += b[n].failed;
	}
	kfree(b);
	/* Every CPU's chunk retired: the statistics count every record. */
	alba_pcpu_destroy(pc);
	pr_info("alba_sample: table %u: %u records built on %u CPUs through alba_pcpu_alloc(), %u failed\n",
		generation, NR_RECORDS, nr, failed);
	if (failed) {
		alba_destroy(arena);
		return NULL;
	}
	return t;
}

static unsigned int check_table(const struct table *t)
{
	unsigned int id, bad = 0;
	struct record *r;

	for (id = 0; id < NR_RECORDS; id++) {
		r = t->rec[id];
		if (!r || r->id != id || r->len != record_len(id) ||
		    r->sum != checksum(r) || alba_of(r, 0) != t->arena ||
		    alba_of(&r->data[r->len - 1], 0) != t->arena)
			bad++;
	}
	if (alba_of(t->rec, 0) != t->arena)
		bad++;
	return bad;
}

struct lookups {
	struct completion done;
	atomic_t *stop;
	unsigned long found;
	unsigned long bad;
};

/* Looks records up under RCU until told to stop. */
static int lookup_fn(void *data)
{
	struct lookups *l = data;
	const struct record *r;
	struct table *t;
	u32 id = 0;

	while (!atomic_read(l->stop)) {
		rcu_read_lock();
		t = rcu_dereference(live);
		r = t->rec[id];
		if (r->id == id && r->sum == checksum(r))
			l->found++;
		else
			l->bad++;
		rcu_read_unlock();
		id = (id + 7919) % NR_RECORDS;
		if (!(id & 255))
			cond_resched();
	}
	complete(&l->done);
	return 0;
}

/* Replace the table while lookups run; the old arena goes after RCU. */
static int replace_table(void)
{
	struct table *old = rcu_dereference_protected(live, true), *t;
	struct lookups l[2] = {};
	atomic_t stop = ATOMIC_INIT(0);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(l); i++) {
		init_completion(&l[i].done);
		l[i].stop = &stop;
		if (IS_ERR(kthread_run(lookup_fn, &l[i], "alba_lookup/%u", i)))
			complete(&l[i].done);
	}
	t = build_table("sample", old->generation + 1);	/* see init */
	if (t) {
		rcu_assign_pointer(live, t);
		/* Lookups may still be reading the old table: not freed yet. */
		alba_destroy_rcu(old->arena);
		msleep(20);
	}
	atomic_set(&stop, 1);
	for (i = 0; i < ARRAY_SIZE(l); i++)
		wait_for_completion(&l[i].done);
	pr_info("alba_sample: replaced the table while %lu lookups ran, %lu bad\n",
		l[0].found + l[1].found, l[0].bad + l[1].bad);
	return !t ? -ENOMEM : (l[0].bad || l[1].bad) ? -EIO : 0;
}

/* A buffer from kmalloc() that a scratch object refers to. */
static int buffers_freed;

static void free_buffer(void *buf)
{
	kfree(buf);
	buffers_freed++;
}

/*
 * Temporary objects and a scratch arena: a mark and a rewind; a scope
 * whose objects include a kmalloc()ed buffer, freed by a cleanup when
 * the scope ends; rounds of names with the arena's blocks kept across
 * resets (alba_reset_keep()); a reset.
 */
static int scratch_work(void)
{
	struct alba *scratch = alba_create("sample-scratch", 4096, GFP_KERNEL);
	struct alba_stats before, after;
	struct alba_scope scope;
	struct alba_mark mark;
	char *name, **ref;
	int i, round, err = 0;

	if (!scratch)
		return -ENOMEM;
	alba_get_stats(scratch, &before);
	mark = alba_mark(scratch);
	for (i = 0; i < 100; i++) {
		name = alba_asprintf(scratch, GFP_KERNEL, "scratch-%d", i);
		if (!name)
			err = -ENOMEM;
	}
	alba_rewind(scratch, mark);
	alba_get_stats(scratch, &after);
	if (after.blocks != before.blocks || after.used_bytes != before.used_bytes)
		err = -EIO;

	scope = alba_scope_begin(scratch);
	ref = alba_alloc(scratch, sizeof(*ref), 0, GFP_KERNEL);
	if (ref) {
		*ref = kmalloc(64, GFP_KERNEL);
		if (*ref && alba_add_cleanup(scratch, free_buffer, *ref, GFP_KERNEL))
			kfree(*ref);
	}
	alba_scope_end(&scope);
	if (buffers_freed != 1)
		err = -EIO;

	for (round = 0; round < 3; round++) {
		for (i = 0; i < 1000; i++)
			if (!alba_asprintf(scratch, GFP_KERNEL, "round-%d-%d", round, i))
				err = -ENOMEM;
		alba_reset_keep(scratch, 64 * 1024);
	}
	/* A request no block can hold fails cleanly, and says so. */
	if (alba_alloc(scratch, SIZE_MAX / 2, 8, GFP_KERNEL | __GFP_NOWARN))
		err = -EIO;
	alba_reset(scratch);
	alba_get_stats(scratch, &after);
	pr_info("alba_sample: scratch: 100 names released by a rewind, a buffer by a scope's cleanup, 3 rounds over kept blocks, a reset, %llu failed request\n",
		after.failed);
	alba_destroy(scratch);
	return err;
}

static int __init alba_sample_init(void)
{
	struct alba_stats s;
	struct table *t;
	unsigned int bad;
	int err;

	/* The table that stays is the second, named "sample" (in debugfs too). */
	t = build_table("sample-v1", 1);
	if (!t)
		return -ENOMEM;
	bad = check_table(t);
	pr_info("alba_sample: %u records checked, %u bad; lookup 4242: len %u \"%.8s\"\n",
		NR_RECORDS, bad, t->rec[4242]->len, t->rec[4242]->data);
	RCU_INIT_POINTER(live, t);
	err = bad ? -EIO : replace_table();
	if (!err)
		err = scratch_work();
	t = rcu_dereference_protected(live, true);
	alba_get_stats(t->arena, &s);
	pr_info("alba_sample: %zu blocks, %zu bytes: %zu used, %zu padding, %zu header, %zu tail, %zu free\n",
		s.blocks, s.block_bytes, s.used_bytes, s.pad_bytes,
		s.header_bytes, s.tail_bytes, s.free_bytes);
	if (err) {
		alba_destroy(t->arena);
		alba_rcu_barrier();	/* a replaced table, before the module goes */
	}
	return err;
}

static void __exit alba_sample_exit(void)
{
	alba_destroy(rcu_dereference_protected(live, true)->arena);
	/* The tables replaced before: released before this module goes. */
	alba_rcu_barrier();
	pr_info("alba_sample: arena destroyed\n");
}

module_init(alba_sample_init);
module_exit(alba_sample_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("alba sample: a table of records built per CPU and replaced under RCU");
