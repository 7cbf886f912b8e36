// SPDX-License-Identifier: GPL-2.0
/*
 * alba_qemu_test.c - a test module that scripts/qemu-init.sh drives
 * through debugfs, for what only a whole machine shows: which memory
 * cgroup pays for an arena's blocks, and which NUMA node they come from.
 * It uses only the exported API. Commands, written to
 * /sys/kernel/debug/alba_qemu_test/cmd (run in the writer's context, so
 * in its memory cgroup):
 *
 *   create NID ACCOUNT   an arena of 32 KiB blocks on node NID (-1: any),
 *                        GFP_KERNEL_ACCOUNT if ACCOUNT is 1
 *   alloc SIZE COUNT     COUNT objects of SIZE bytes, each written; the
 *                        blocks with __GFP_NORETRY, so that a charge past
 *                        memory.max fails instead of waking the OOM killer
 *   pcpu SIZE COUNT      the same through a per-CPU set made for the
 *                        command (and drained and destroyed after it)
 *   destroy              destroy the arena
 *   irqsoff start|stop   a hard-IRQ hrtimer pinned to CPU 0 fires every
 *                        50 us and keeps the longest it ran late: how long
 *                        interrupts stayed off there (no irqsoff tracer in
 *                        Debian's kernels; under QEMU -icount, where guest
 *                        time is guest instructions, this measures the
 *                        same thing)
 *
 * and reading cmd prints the last command's outcome and the arena's
 * statistics: "ok N failed M blocks B block_bytes X failed_allocs F
 * irqsoff_max_ns L".
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/smp.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "alba.h"
#include "compat.h"

static DEFINE_MUTEX(lock);
static struct alba *arena;
static gfp_t gfp;
static unsigned long ok, failed;
static struct dentry *dir;

#define PERIOD_NS	50000

static struct hrtimer timer;
static u64 late_max_ns;
static bool timing;

static enum hrtimer_restart timer_fn(struct hrtimer *t)
{
	s64 late = ktime_to_ns(ktime_sub(ktime_get(), hrtimer_get_expires(t)));

	if (late > 0 && late > late_max_ns)
		late_max_ns = late;
	hrtimer_forward_now(t, ns_to_ktime(PERIOD_NS));
	return HRTIMER_RESTART;
}

static void timer_start_on_cpu(void *data)
{
	hrtimer_start(&timer, ns_to_ktime(PERIOD_NS), HRTIMER_MODE_REL_PINNED_HARD);
}

static int cmd_show(struct seq_file *m, void *v)
{
	struct alba_stats s = { 0 };

	mutex_lock(&lock);
	if (arena)
		alba_get_stats(arena, &s);
	seq_printf(m, "ok %lu failed %lu blocks %zu block_bytes %zu failed_allocs %llu irqsoff_max_ns %llu\n",
		   ok, failed, s.blocks, s.block_bytes, s.failed, late_max_ns);
	mutex_unlock(&lock);
	return 0;
}

static int cmd_open(struct inode *inode, struct file *file)
{
	return single_open(file, cmd_show, NULL);
}

/* @count objects of @size bytes, each written; through @pc if not NULL. */
static int alloc_many(struct alba_pcpu *pc, unsigned long size,
		      unsigned long count)
{
	/* NORETRY: past memory.max, fail rather than OOM-kill. */
	gfp_t g = gfp | __GFP_NOWARN | __GFP_NORETRY;
	unsigned long i;
	char *p;

	if (!arena)
		return -ENOENT;
	ok = 0;
	failed = 0;
	for (i = 0; i < count; i++) {
		p = pc ? alba_pcpu_alloc(pc, size, 8, g) :
			 alba_alloc(arena, size, 8, g);
		if (p) {
			memset(p, 0x5a, size);
			ok++;
		} else {
			failed++;
		}
	}
	return 0;
}

static int run(char *cmd)
{
	unsigned long size, count;
	int nid, acct;

	if (sscanf(cmd, "create %d %d", &nid, &acct) == 2) {
		if (arena)
			return -EBUSY;
		gfp = acct ? GFP_KERNEL_ACCOUNT : GFP_KERNEL;
		arena = alba_create_node("qemu_test", 32768, gfp, nid);
		return arena ? 0 : -ENOMEM;
	}
	if (sscanf(cmd, "alloc %lu %lu", &size, &count) == 2)
		return alloc_many(NULL, size, count);
	if (sscanf(cmd, "pcpu %lu %lu", &size, &count) == 2) {
		struct alba_pcpu *pc;
		int err;

		if (!arena)
			return -ENOENT;
		pc = alba_pcpu_create(arena, 0, GFP_KERNEL);
		if (!pc)
			return -ENOMEM;
		err = alloc_many(pc, size, count);
		alba_pcpu_drain(pc);
		alba_pcpu_destroy(pc);
		return err;
	}
	if (!strncmp(cmd, "irqsoff start", 13) && !timing) {
		late_max_ns = 0;
		timing = true;
		return smp_call_function_single(0, timer_start_on_cpu, NULL, 1);
	}
	if (!strncmp(cmd, "irqsoff stop", 12) && timing) {
		hrtimer_cancel(&timer);
		timing = false;
		return 0;
	}
	if (!strncmp(cmd, "destroy", 7)) {
		alba_destroy(arena);
		arena = NULL;
		return 0;
	}
	return -EINVAL;
}

static ssize_t cmd_write(struct file *file, const char __user *ubuf,
			 size_t len, loff_t *pos)
{
	char buf[64];
	int err;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	mutex_lock(&lock);
	err = run(buf);
	mutex_unlock(&lock);
	return err ? err : len;
}

static const struct file_operations cmd_fops = {
	.owner = THIS_MODULE,
	.open = cmd_open,
	.read = seq_read,
	.write = cmd_write,
	.llseek = seq_lseek,
	.release = single_release,
};

static int __init qemu_test_init(void)
{
	hrtimer_setup(&timer, timer_fn, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	dir = debugfs_create_dir("alba_qemu_test", NULL);
	debugfs_create_file("cmd", 0600, dir, NULL, &cmd_fops);
	return 0;
}

static void __exit qemu_test_exit(void)
{
	hrtimer_cancel(&timer);
	debugfs_remove(dir);
	alba_destroy(arena);
}

module_init(qemu_test_init);
module_exit(qemu_test_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("alba: memcg and NUMA tests driven by scripts/qemu-init.sh");
