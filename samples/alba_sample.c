// SPDX-License-Identifier: GPL-2.0
/*
 * alba_sample.c - an in-kernel consumer of alba, using only alba.h.
 *
 * Builds a table of 100,000 variable-length records in one arena, the way
 * a driver might build a lookup table at probe time: one kthread per
 * online CPU, each bumping through its own cursor, while the index itself
 * is one large object in the same arena. Then it checks every record,
 * finds the arena of each with alba_of(), looks a few up, and reports
 * through pr_info() and the arena's debugfs files
 * (/sys/kernel/debug/alba/sample/{stats,blocks}). Unloading destroys the
 * arena.
 */
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "alba.h"

#define NR_RECORDS	100000

struct record {
	u32 id;
	u32 len;
	u32 sum;
	char data[];
};

struct builder {
	struct completion done;
	unsigned int first;	/* builds ids first, first + step, ... */
	unsigned int step;
	unsigned int failed;
};

static struct alba *arena;
static struct record **table;

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
	struct alba_cursor cur;
	struct record *r;
	u32 id, i;

	alba_cursor_init(&cur, arena, 0);
	for (id = b->first; id < NR_RECORDS; id += b->step) {
		r = alba_cursor_alloc(&cur, sizeof(*r) + record_len(id),
				      __alignof__(struct record), GFP_KERNEL);
		if (!r) {
			b->failed++;
			continue;
		}
		r->id = id;
		r->len = record_len(id);
		for (i = 0; i < r->len; i++)
			r->data[i] = 'a' + (id + i) % 26;
		r->sum = checksum(r);
		table[id] = r;
	}
	alba_cursor_fini(&cur);
	complete(&b->done);
	return 0;
}

static int build_table(void)
{
	unsigned int cpu, n = 0, nr = num_online_cpus(), failed = 0;
	struct builder *b;
	struct task_struct *t;

	b = kcalloc(nr_cpu_ids, sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		init_completion(&b[n].done);
		b[n].first = n;
		b[n].step = nr;
		t = kthread_create(build_fn, &b[n], "alba_sample/%u", cpu);
		if (IS_ERR(t)) {
			/* Build this share here instead. */
			build_fn(&b[n]);
		} else {
			kthread_bind(t, cpu);
			wake_up_process(t);
		}
		n++;
	}
	cpus_read_unlock();
	while (n--) {
		wait_for_completion(&b[n].done);
		failed += b[n].failed;
	}
	kfree(b);
	pr_info("alba_sample: %u records built on %u CPUs, %u failed\n",
		NR_RECORDS, nr, failed);
	return failed ? -ENOMEM : 0;
}

static int check_table(void)
{
	unsigned int id, bad = 0;
	struct record *r;

	for (id = 0; id < NR_RECORDS; id++) {
		r = table[id];
		if (!r || r->id != id || r->len != record_len(id) ||
		    r->sum != checksum(r) || alba_of(r, 0) != arena ||
		    alba_of(&r->data[r->len - 1], 0) != arena)
			bad++;
	}
	if (alba_of(table, 0) != arena)
		bad++;
	return bad;
}

static int __init alba_sample_init(void)
{
	struct alba_stats s;
	unsigned int bad;
	int err;

	arena = alba_create("sample", 0, GFP_KERNEL);
	if (!arena)
		return -ENOMEM;
	/* The index is one large object: a dedicated block of its own. */
	table = alba_zalloc(arena, NR_RECORDS * sizeof(*table),
			    __alignof__(*table), GFP_KERNEL);
	if (!table) {
		alba_destroy(arena);
		return -ENOMEM;
	}
	err = build_table();
	bad = check_table();
	alba_get_stats(arena, &s);
	pr_info("alba_sample: %u records checked, %u bad; lookup 4242: len %u \"%.8s\"\n",
		NR_RECORDS, bad, table[4242] ? table[4242]->len : 0,
		table[4242] ? table[4242]->data : "");
	pr_info("alba_sample: %zu blocks, %zu bytes: %zu used, %zu padding, %zu header, %zu tail, %zu free\n",
		s.blocks, s.block_bytes, s.used_bytes, s.pad_bytes,
		s.header_bytes, s.tail_bytes, s.free_bytes);
	if (err || bad) {
		alba_destroy(arena);
		return err ? err : -EIO;
	}
	return 0;
}

static void __exit alba_sample_exit(void)
{
	alba_destroy(arena);
	pr_info("alba_sample: arena destroyed\n");
}

module_init(alba_sample_init);
module_exit(alba_sample_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("alba sample: a table of variable-length records built per CPU");
