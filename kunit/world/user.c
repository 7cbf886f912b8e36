// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace's pointers that alba never handed out, for the suite's
 * foreign-pointer tests (see world.h).
 */
#include <stdlib.h>

#include "world.h"

static char foreign_global[8192];
static void *foreign_heap, *foreign_lonely;

/* malloc, the stack, globals, program text, and unmapped addresses. */
size_t alba_foreign_new(struct kunit *test, struct foreign *f,
			const void *stack)
{
	size_t n = 0;

	foreign_heap = malloc(100000);
	/* A page alone in its mapping; the 32 KiB boundary below is unmapped. */
	foreign_lonely = alba_user_lonely_page(32768);
	KUNIT_ASSERT_NOT_NULL(test, foreign_heap);
	KUNIT_ASSERT_NOT_NULL(test, foreign_lonely);
	f[n++] = (struct foreign){ "malloc", (char *)foreign_heap + 50000 };
	f[n++] = (struct foreign){ "stack", stack };
	f[n++] = (struct foreign){ "global", foreign_global + 4100 };
	f[n++] = (struct foreign){ "program text", (const void *)&alba_foreign_new };
	f[n++] = (struct foreign){ "lonely page", (char *)foreign_lonely + 100 };
	f[n++] = (struct foreign){ "unmapped", (const void *)0x10000UL };
	return n;
}

void alba_foreign_free(void)
{
	free(foreign_heap);
	alba_user_lonely_page_free(foreign_lonely);
}
