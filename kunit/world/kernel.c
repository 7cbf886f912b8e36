// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's pointers that alba never handed out, for the suite's
 * foreign-pointer tests (see world.h).
 */
#include <linux/mm.h>
#include <linux/vmalloc.h>

#include "world.h"

static struct page *foreign_page;
static void *foreign_vm;

/* Outside the direct map, and direct-map memory alba does not own. */
size_t alba_foreign_new(struct kunit *test, struct foreign *f,
			const void *stack)
{
	size_t n = 0;

	foreign_vm = vmalloc(65536);
	foreign_page = alloc_pages(GFP_KERNEL, 3);
	KUNIT_ASSERT_NOT_NULL(test, foreign_vm);
	KUNIT_ASSERT_NOT_NULL(test, foreign_page);
	f[n++] = (struct foreign){ "vmalloc", (u8 *)foreign_vm + 40000 };
	f[n++] = (struct foreign){ "stack", stack };
	f[n++] = (struct foreign){ "kmalloc", kunit_kzalloc(test, 64, GFP_KERNEL) };
	f[n++] = (struct foreign){ "kernel text", (const void *)&alba_of };
	f[n++] = (struct foreign){ "user address", (const void *)0x10000UL };
	f[n++] = (struct foreign){ "alloc_pages", (u8 *)page_address(foreign_page) + 8192 };
	return n;
}

void alba_foreign_free(void)
{
	vfree(foreign_vm);
	__free_pages(foreign_page, 3);
}
