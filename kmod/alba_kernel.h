/* SPDX-License-Identifier: GPL-2.0 */
/*
 * alba_kernel.h - between the kernel platform's files (alba_kernel.c,
 * alba_debugfs.c); nothing here is API.
 */
#ifndef _ALBA_KERNEL_H
#define _ALBA_KERNEL_H

struct workqueue_struct;

extern struct workqueue_struct *alba_wq;
#ifdef CONFIG_FAULT_INJECTION
extern struct fault_attr alba_fail_attr;
#endif

/* The per-CPU sets' CPU hotplug callback (alba_pcpu.c). */
void alba_pcpu_init(void);
void alba_pcpu_exit(void);
void alba_debugfs_init(void);
void alba_debugfs_exit(void);
/* An arena's files: added where @gfp may sleep, removed at destroy. */
void alba_debugfs_add(struct alba *arena, gfp_t gfp);
void alba_debugfs_remove(struct alba *arena);
/* Unpublish an arena's files now; remove them later from alba_wq. */
void alba_debugfs_detach(struct alba *arena);

#endif /* _ALBA_KERNEL_H */
