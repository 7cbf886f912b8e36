/* SPDX-License-Identifier: GPL-2.0 */
/*
 * alba_trace.h - alba's tracepoints (events/alba/ in tracefs), defined the
 * kernel's way: TRACE_EVENT() here, CREATE_TRACE_POINTS in alba_kernel.c,
 * which is the only file that includes this one. Userspace has none: the
 * core calls alba_plat_trace_*(), which compile away there.
 *
 * Watch them with trace-cmd record -e alba, perf record -e 'alba:*', or
 * echo 1 > /sys/kernel/tracing/events/alba/enable. gfp flags travel as
 * unsigned long (the callers convert them), as in the kernel's own events.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM alba

#if !defined(_ALBA_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _ALBA_TRACE_H

#include <linux/string.h>
#include <linux/tracepoint.h>
#include <trace/events/mmflags.h>

#ifndef _ALBA_TRACE_NAME
#define _ALBA_TRACE_NAME
/* Every event names its arena by address and name (names need not be unique). */
static inline void alba_trace_name(char *dst, struct alba *arena)
{
	strscpy(dst, alba_core_name(arena), ALBA_NAME_MAX);
}
#endif

TRACE_EVENT(alba_arena_create,
	    TP_PROTO(struct alba *arena, size_t block_size, unsigned long gfp,
		     int nid),
	    TP_ARGS(arena, block_size, gfp, nid),
	    TP_STRUCT__entry(__field(const void *, arena)
			     __array(char, name, ALBA_NAME_MAX)
			     __field(size_t, block_size)
			     __field(unsigned long, gfp)
			     __field(int, nid)),
	    TP_fast_assign(__entry->arena = arena;
			   alba_trace_name(__entry->name, arena);
			   __entry->block_size = block_size;
			   __entry->gfp = gfp;
			   __entry->nid = nid;),
	    TP_printk("arena=%p name=%s block_size=%zu node=%d gfp=%s",
		      __entry->arena, __entry->name, __entry->block_size,
		      __entry->nid, alba_gfp_names(__entry->gfp)));

TRACE_EVENT(alba_block_alloc,
	    TP_PROTO(struct alba *arena, unsigned long pfn, unsigned int order,
		     int node, unsigned long gfp),
	    TP_ARGS(arena, pfn, order, node, gfp),
	    TP_STRUCT__entry(__field(const void *, arena)
			     __array(char, name, ALBA_NAME_MAX)
			     __field(unsigned long, pfn)
			     __field(unsigned int, order)
			     __field(int, node)
			     __field(unsigned long, gfp)),
	    TP_fast_assign(__entry->arena = arena;
			   alba_trace_name(__entry->name, arena);
			   __entry->pfn = pfn;
			   __entry->order = order;
			   __entry->node = node;
			   __entry->gfp = gfp;),
	    TP_printk("arena=%p name=%s pfn=0x%lx order=%u node=%d gfp=%s",
		      __entry->arena, __entry->name, __entry->pfn,
		      __entry->order, __entry->node,
		      alba_gfp_names(__entry->gfp)));

TRACE_EVENT(alba_block_free,
	    TP_PROTO(struct alba *arena, unsigned long pfn, unsigned int order),
	    TP_ARGS(arena, pfn, order),
	    TP_STRUCT__entry(__field(const void *, arena)
			     __array(char, name, ALBA_NAME_MAX)
			     __field(unsigned long, pfn)
			     __field(unsigned int, order)),
	    TP_fast_assign(__entry->arena = arena;
			   alba_trace_name(__entry->name, arena);
			   __entry->pfn = pfn;
			   __entry->order = order;),
	    TP_printk("arena=%p name=%s pfn=0x%lx order=%u", __entry->arena,
		      __entry->name, __entry->pfn, __entry->order));

/* An arena event and the blocks it holds afterwards (before, for destroy). */
DECLARE_EVENT_CLASS(alba_arena_event,
		    TP_PROTO(struct alba *arena, size_t blocks),
		    TP_ARGS(arena, blocks),
		    TP_STRUCT__entry(__field(const void *, arena)
				     __array(char, name, ALBA_NAME_MAX)
				     __field(size_t, blocks)),
		    TP_fast_assign(__entry->arena = arena;
				   alba_trace_name(__entry->name, arena);
				   __entry->blocks = blocks;),
		    TP_printk("arena=%p name=%s blocks=%zu", __entry->arena,
			      __entry->name, __entry->blocks));

DEFINE_EVENT(alba_arena_event, alba_arena_destroy,
	     TP_PROTO(struct alba *arena, size_t blocks),
	     TP_ARGS(arena, blocks));

DEFINE_EVENT(alba_arena_event, alba_reset,
	     TP_PROTO(struct alba *arena, size_t blocks),
	     TP_ARGS(arena, blocks));

DEFINE_EVENT(alba_arena_event, alba_rewind,
	     TP_PROTO(struct alba *arena, size_t blocks),
	     TP_ARGS(arena, blocks));

TRACE_EVENT(alba_alloc_fail,
	    TP_PROTO(struct alba *arena, size_t size, size_t align,
		     unsigned long gfp),
	    TP_ARGS(arena, size, align, gfp),
	    TP_STRUCT__entry(__field(const void *, arena)
			     __array(char, name, ALBA_NAME_MAX)
			     __field(size_t, size)
			     __field(size_t, align)
			     __field(unsigned long, gfp)),
	    TP_fast_assign(__entry->arena = arena;
			   alba_trace_name(__entry->name, arena);
			   __entry->size = size;
			   __entry->align = align;
			   __entry->gfp = gfp;),
	    TP_printk("arena=%p name=%s size=%zu align=%zu gfp=%s",
		      __entry->arena, __entry->name, __entry->size,
		      __entry->align, alba_gfp_names(__entry->gfp)));

#endif /* _ALBA_TRACE_H */

/* This part must be outside protection. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE alba_trace
#include <trace/define_trace.h>
