/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * alba_test_stats.h - the one check that an arena's statistics add up,
 * for every test: the KUnit suites (kernel and userspace), the debug
 * suite, the userspace threaded and fault tests, and the fuzzer.
 */
#ifndef _ALBA_TEST_STATS_H
#define _ALBA_TEST_STATS_H

#include "alba.h"

/*
 * alba_get_stats() counts headers, padding, tails, free space and
 * reservations apart and derives @used_bytes as what is left of the
 * blocks, so the sum block_bytes == header + used + pad + tail + free +
 * reserved would hold even for counters gone wrong (size_t wraps). What
 * is checked instead: the counted parts do not overflow, fit in the
 * blocks, and @used_bytes is exactly the rest.
 */
static inline bool alba_stats_add_up(const struct alba_stats *s)
{
	size_t rest;

	if (__builtin_add_overflow(s->header_bytes, s->pad_bytes, &rest) ||
	    __builtin_add_overflow(rest, s->tail_bytes, &rest) ||
	    __builtin_add_overflow(rest, s->free_bytes, &rest) ||
	    __builtin_add_overflow(rest, s->reserved_bytes, &rest))
		return false;
	return rest <= s->block_bytes && s->used_bytes == s->block_bytes - rest;
}

#endif /* _ALBA_TEST_STATS_H */
