/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * alba - aligned block arena.
 *
 * The public API, the same header for the kernel and for userspace. The
 * contract is documented in core/alba.c next to each function and, in one
 * place, in DESIGN.md.
 */
#ifndef _ALBA_H
#define _ALBA_H

#ifdef __KERNEL__
#include <linux/compiler.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/numa.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/printk.h>	/* va_list, on every kernel */
#include <linux/types.h>
#define ALBA_PRINTF(f, a)	__printf(f, a)
#else
#include "alba_types.h"
#endif

/* The alignment used when a caller passes 0. */
#define ALBA_DEFAULT_ALIGN	8
/* The block size used when a caller passes 0: order 3 with 4 KiB pages. */
#define ALBA_DEFAULT_BLOCK_SIZE	32768
/* Arena names longer than this are truncated. */
#define ALBA_NAME_MAX		32
/*
 * Cursors bump without the lock for alignments up to this (a cache line);
 * larger ones take the locked path. Cursor chunks start on this boundary.
 */
#define ALBA_CURSOR_MAX_ALIGN	64
/* Cursors that can hold a chunk at once (see alba_cursor_fini()). */
#define ALBA_CURSOR_HOLDERS	1024

struct alba;

/*
 * The arena's running totals (private), which a mark saves: over all its
 * blocks, their number, bytes and headers; over all but the current one,
 * their padding and tail.
 */
struct alba_totals {
	/* private: */
	size_t blocks;
	size_t bytes;
	size_t header;
	size_t pad;
	size_t tail;
};

/**
 * struct alba_mark - a position in an arena, taken by alba_mark()
 *
 * Opaque to callers: pass it back to alba_rewind() unchanged. It names its
 * arena (an identifier no other arena ever has) and its place in the
 * arena's stack of live marks, so that a mark that is stale, from another
 * arena, zeroed or forged is refused in O(1) (see alba_rewind()).
 */
struct alba_mark {
	/* private: */
	unsigned long long arena_id;
	unsigned long seq;
	unsigned int depth;
	void *newest;
	void *cur;
	uintptr_t top;
	uintptr_t low;
	size_t pad;
	size_t lost;
	struct alba_totals sum;
	void *cleanups;
	uintptr_t check;
};

/**
 * struct alba_stats - what an arena holds, in bytes and counts
 * @blocks: blocks taken from the page allocator or the OS
 * @block_bytes: bytes of those blocks
 * @header_bytes: block headers (and the arena itself, in its first block)
 * @used_bytes: sum of the sizes of the objects handed out
 * @pad_bytes: alignment padding before objects
 * @tail_bytes: left unused in blocks that no longer take objects
 * @free_bytes: not yet handed out in the current block
 * @reserved_bytes: held by cursors and not yet accounted as used or padding
 * @allocs: successful allocations since the arena was created (a cursor's
 *	and a per-CPU set's are added when their chunk is given back:
 *	alba_cursor_fini(), a refill, alba_pcpu_drain())
 * @failed: failed allocation calls since the arena was created
 * @block_size: the arena's block size
 *
 * block_bytes == header_bytes + used_bytes + pad_bytes + tail_bytes +
 * free_bytes + reserved_bytes, always; reserved_bytes is zero whenever no
 * cursor holds a reservation.
 */
struct alba_stats {
	size_t blocks;
	size_t block_bytes;
	size_t header_bytes;
	size_t used_bytes;
	size_t pad_bytes;
	size_t tail_bytes;
	size_t free_bytes;
	size_t reserved_bytes;
	unsigned long long allocs;
	unsigned long long failed;
	size_t block_size;
};

/**
 * struct alba_cursor - a per-thread (or per-CPU) bump window into an arena
 *
 * Public so that alba_cursor_alloc() can be inline. Use only through
 * alba_cursor_init(), alba_cursor_alloc() and alba_cursor_fini().
 */
struct alba_cursor {
	/* private: */
	size_t off;		/* objects so far start at base + off */
	uintptr_t base;		/* the chunk: [base, end), base aligned */
	size_t used;
	uintptr_t end;
	/*
	 * Kept apart from @used: side by side, compilers merge the two
	 * counter updates of the fast path into vector code that costs more
	 * instructions than the two adds.
	 */
	size_t allocs;
	struct alba *arena;
	size_t chunk;
};

struct alba *alba_create(const char *name, size_t block_size, gfp_t gfp);
struct alba *alba_create_node(const char *name, size_t block_size, gfp_t gfp,
			      int nid);
void alba_destroy(struct alba *arena);
#ifdef __KERNEL__
/* Kernel only: free the blocks after an RCU grace period, from any context. */
void alba_destroy_rcu(struct alba *arena);
/* Kernel only: wait for those releases (a module's exit calls it). */
void alba_rcu_barrier(void);

/*
 * Memory allocation profiling (CONFIG_MEM_ALLOC_PROFILING, 6.10 and
 * later): an arena's blocks are charged in /proc/allocinfo to the line
 * that created it, as kmalloc()'s objects are to theirs. The _noprof
 * names take the caller's current tag instead of setting their own, for
 * helpers that create arenas and are wrapped in alloc_hooks() themselves.
 */
#define alba_create_noprof(...)		((alba_create)(__VA_ARGS__))
#define alba_create_node_noprof(...)	((alba_create_node)(__VA_ARGS__))
#ifdef CONFIG_MEM_ALLOC_PROFILING
#include <linux/alloc_tag.h>
#define alba_create(...)	alloc_hooks(alba_create_noprof(__VA_ARGS__))
#define alba_create_node(...)	alloc_hooks(alba_create_node_noprof(__VA_ARGS__))
#endif
#endif

void *alba_alloc(struct alba *arena, size_t size, size_t align, gfp_t gfp);
void *alba_zalloc(struct alba *arena, size_t size, size_t align, gfp_t gfp);

/* The kmalloc family: every size computation is overflow-checked. */
void *alba_alloc_array(struct alba *arena, size_t n, size_t size,
		       size_t align, gfp_t gfp);
void *alba_zalloc_array(struct alba *arena, size_t n, size_t size,
			size_t align, gfp_t gfp);
void *alba_memdup(struct alba *arena, const void *src, size_t len, gfp_t gfp);
char *alba_strdup(struct alba *arena, const char *s, gfp_t gfp);
char *alba_strndup(struct alba *arena, const char *s, size_t max, gfp_t gfp);
char *alba_asprintf(struct alba *arena, gfp_t gfp, const char *fmt, ...)
	ALBA_PRINTF(3, 4);
char *alba_vasprintf(struct alba *arena, gfp_t gfp, const char *fmt,
		     va_list ap) ALBA_PRINTF(3, 0);
void *alba_realloc(struct alba *arena, void *p, size_t old_size,
		   size_t new_size, size_t align, gfp_t gfp);

/* One object of @type, or an array of @n (overflow-checked), unzeroed. */
#define alba_new(arena, type, gfp) \
	((type *)alba_alloc((arena), sizeof(type), __alignof__(type), (gfp)))
#define alba_new_array(arena, type, n, gfp) \
	((type *)alba_alloc_array((arena), (n), sizeof(type), \
				  __alignof__(type), (gfp)))

void alba_reset(struct alba *arena);
struct alba_mark alba_mark(struct alba *arena);
void alba_rewind(struct alba *arena, struct alba_mark mark);
void alba_reset_keep(struct alba *arena, size_t keep_bytes);
int alba_add_cleanup(struct alba *arena, void (*fn)(void *data), void *data,
		     gfp_t gfp);

struct alba *alba_of(const void *ptr, size_t block_size);
size_t alba_block_size(const struct alba *arena);
void alba_get_stats(struct alba *arena, struct alba_stats *stats);
unsigned int alba_validate(struct alba *arena);

/*
 * Per-CPU cursors (kernel) or per-thread cursors (userspace), built in:
 * alba_pcpu_alloc() is one call from any context but NMI; creating and
 * destroying a set have their own (alba_pcpu_create(), kmod/alba_pcpu.c).
 */
struct alba_pcpu;

struct alba_pcpu *alba_pcpu_create(struct alba *arena, size_t chunk,
				   gfp_t gfp);
#ifndef __KERNEL__
void *alba_pcpu_alloc(struct alba_pcpu *pc, size_t size, size_t align,
		      gfp_t gfp);
#endif
void alba_pcpu_drain(struct alba_pcpu *pc);
void alba_pcpu_destroy(struct alba_pcpu *pc);

void alba_cursor_init(struct alba_cursor *cur, struct alba *arena,
		      size_t chunk);
void *alba_cursor_refill(struct alba_cursor *cur, size_t size, size_t align,
			 gfp_t gfp);
void alba_cursor_fini(struct alba_cursor *cur);

/*
 * ALBA_SANITIZE: 1 where objects are poisoned and unpoisoned one by one for
 * a sanitizer (generic KASAN in the kernel, ASan in userspace). There each
 * cursor object is unpoisoned exactly, out of line: alba_cursor_bump()
 * declines, and alba_cursor_refill() (or the per-CPU set's slow path)
 * bumps the chunk instead. Build the users of alba.h with the sanitizer
 * setting alba was built with (in the kernel, KASAN is the kernel's).
 */
#ifdef __KERNEL__
#ifdef CONFIG_KASAN_GENERIC
#define ALBA_SANITIZE	1
#endif
#elif defined(__SANITIZE_ADDRESS__)
#define ALBA_SANITIZE	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ALBA_SANITIZE	1
#endif
#endif
#ifndef ALBA_SANITIZE
#define ALBA_SANITIZE	0
#endif

/* alba_cursor_bump() in every build, sanitizers' included (for alba). */
static inline bool __alba_cursor_bump(struct alba_cursor *cur, size_t size,
				      size_t align, void **p)
{
	size_t mask = (align ? align : ALBA_DEFAULT_ALIGN) - 1;
	size_t off;

	/*
	 * An empty cursor (off 0) takes nothing, size 0 included: the slow
	 * path counts that as alba_alloc() does. A request that would end
	 * exactly at the chunk's base goes there too: one compare then
	 * serves both (size 0 on a held chunk stays here, and is counted).
	 */
	if (__builtin_expect(mask >= ALBA_CURSOR_MAX_ALIGN || (mask & (mask + 1)) ||
			     cur->off <= size, 0))
		return false;
	off = (cur->off - size) & ~mask;
	cur->off = off;
	cur->used += size;
	cur->allocs++;
	*p = (void *)(cur->base + off);
	return true;
}

/**
 * alba_cursor_bump() - the fast path of alba_cursor_alloc()
 * @cur: the cursor
 * @size: bytes to allocate
 * @align: a power of two, or 0 for ALBA_DEFAULT_ALIGN
 * @p: where to put the object
 *
 * Takes the next object from the top of the chunk down, without a lock: a
 * compare ("does not fit", or an empty cursor), a subtraction, a mask for
 * the alignment (the chunk's base is aligned to ALBA_CURSOR_MAX_ALIGN), a
 * store and two counters. Under a sanitizer (ALBA_SANITIZE) it declines
 * every request, so that each object is unpoisoned on its own.
 *
 * Return: true with the object in *@p; false if the chunk cannot take it
 * (or the request is not one the fast path takes), and nothing changed.
 */
static inline bool alba_cursor_bump(struct alba_cursor *cur, size_t size,
				    size_t align, void **p)
{
	return !ALBA_SANITIZE && __alba_cursor_bump(cur, size, align, p);
}

/**
 * alba_cursor_alloc() - allocate from a cursor's reserved chunk
 * @cur: the cursor, owned by the calling thread (or CPU)
 * @size: bytes to allocate
 * @align: a power of two, or 0 for ALBA_DEFAULT_ALIGN
 * @gfp: allocation flags for a refill (userspace: 0); the fast path does
 *	not read them, so __GFP_ZERO zeroes nothing: memset() the object
 *
 * The fast path, alba_cursor_bump(), takes requests whose alignment is at
 * most ALBA_CURSOR_MAX_ALIGN; everything else (a refill, a large or
 * strongly aligned request, an invalid argument) goes to alba_cursor_refill(),
 * which behaves exactly as alba_alloc() does. Size 0 gives what
 * alba_alloc() gives for it, an aligned non-NULL pointer that must not be
 * dereferenced, counted in allocs (from the chunk if the cursor holds one,
 * else through alba_cursor_refill()); NULL and EINVAL for a cursor
 * without an arena.
 *
 * Context: any context the arena's gfp allows; the cursor must not be used
 * concurrently (per-CPU cursors need preemption disabled: alba_pcpu_alloc()
 * does that).
 * Return: a pointer aligned to @align, or NULL.
 */
static inline void *alba_cursor_alloc(struct alba_cursor *cur, size_t size,
				      size_t align, gfp_t gfp)
{
	void *p;

	if (__builtin_expect(alba_cursor_bump(cur, size, align, &p), 1))
		return p;
	return alba_cursor_refill(cur, size, align, gfp);
}

#ifdef __KERNEL__
/*
 * The kernel's per-CPU sets: a cursor per CPU and a flag saying that a
 * context of that CPU is using it. Contexts of one CPU interrupt each
 * other strictly nested (softirq a task, hard IRQ either, NMI any), and an
 * interrupting one runs to its end before the interrupted one goes on; so
 * with preemption off, a context that finds the flag clear owns the
 * cursor until it clears it again, with no interrupt toggling, no atomic
 * and no lock (as local_trylock_t does on kernels that have it). One that
 * finds it set (it interrupted a bump or a refill: a few instructions, or
 * a carve under the arena lock) takes the locked path. alba_pcpu_alloc()
 * is inline; the exported alba_pcpu_refill() takes everything else. A set
 * starts with its slots (struct alba_pcpu in kmod/alba_pcpu.c).
 */
struct alba_pcpu_slot {
	/* private: */
	struct alba_cursor cur;
	unsigned int busy;
} ____cacheline_aligned;

struct alba_pcpu_head {
	/* private: */
	struct alba_pcpu_slot __percpu *slots;
};

void *alba_pcpu_refill(struct alba_pcpu *pc, size_t size, size_t align,
		       gfp_t gfp);
void alba_pcpu_drain_live(struct alba_pcpu *pc);

/**
 * alba_pcpu_alloc() - allocate through this CPU's cursor
 * @pc: the set, from alba_pcpu_create()
 * @size: bytes to allocate
 * @align: a power of two, or 0 for ALBA_DEFAULT_ALIGN
 * @gfp: flags for a new block; as for alba_cursor_alloc(), __GFP_ZERO
 *	zeroes nothing
 *
 * Inline: with preemption off, this CPU's cursor is claimed, bumped and
 * released; constant sizes and alignments fold at the call site.
 * Everything else (a refill, a cursor another context of this CPU is
 * using, requests a cursor does not take, errors, sanitizer builds) is
 * alba_pcpu_refill(), which behaves as alba_alloc() does for what the
 * cursor does not take.
 *
 * Context: any context @gfp allows (see alba_alloc()), hard IRQ included,
 * with and without PREEMPT_RT; not NMI.
 * Return: a pointer aligned to @align, or NULL (see alba_alloc()).
 */
static __always_inline void *alba_pcpu_alloc(struct alba_pcpu *pc,
					     size_t size, size_t align,
					     gfp_t gfp)
{
	struct alba_pcpu_slot *slot;
	void *p;

	/* Debug kernels check every call, as kmalloc() does; others pay nothing. */
	if (IS_ENABLED(CONFIG_DEBUG_ATOMIC_SLEEP))
		might_sleep_if(gfpflags_allow_blocking(gfp));
	if (ALBA_SANITIZE || unlikely(!pc))
		return alba_pcpu_refill(pc, size, align, gfp);
	preempt_disable();
	slot = this_cpu_ptr(((struct alba_pcpu_head *)pc)->slots);
	if (likely(!READ_ONCE(slot->busy))) {
		WRITE_ONCE(slot->busy, 1);
		barrier();
		if (likely(alba_cursor_bump(&slot->cur, size, align, &p))) {
			barrier();
			WRITE_ONCE(slot->busy, 0);
			preempt_enable();
			return p;
		}
		barrier();
		WRITE_ONCE(slot->busy, 0);
	}
	preempt_enable();
	return alba_pcpu_refill(pc, size, align, gfp);
}
#endif

#if !defined(__KERNEL__) && defined(__ELF__)
/*
 * Userspace on ELF systems (glibc, musl, the BSDs): alba_pcpu_alloc() is
 * inline. Its fast path finds the calling thread's cursor of the set it
 * used last in a thread-local entry, initial-exec TLS (one load at a fixed
 * offset from the thread pointer, no call), checks that the set is the
 * same (its address; only the thread writes its entry, and a set
 * destroyed since left the entry's cursor empty, so a set made at a freed
 * one's address is never taken for it), and bumps that cursor;
 * everything else is the exported
 * alba_pcpu_alloc(). Windows DLLs cannot export thread-locals, so there
 * the call is out of line. ALBA_PCPU_NO_INLINE turns it off (a library
 * dlopen()ed late may find no static TLS left for initial-exec).
 */
struct alba_pcpu_last {
	const struct alba_pcpu *pc;	/* never NULL: a sentinel before use */
	unsigned long id;		/* the set's id (checked up to 0.2.0) */
	struct alba_cursor *cur;
};

extern __thread struct alba_pcpu_last alba_pcpu_last
	__attribute__((tls_model("initial-exec")));

#ifndef ALBA_PCPU_NO_INLINE
/**
 * alba_pcpu_alloc_inline() - alba_pcpu_alloc()'s inline fast path
 * @pc: the set
 * @size: bytes to allocate
 * @align: a power of two, or 0 for ALBA_DEFAULT_ALIGN
 * @gfp: allocation flags for a refill (userspace: 0)
 *
 * What alba_pcpu_alloc(pc, size, align, gfp) expands to in userspace on
 * ELF systems: the calling thread's cursor of @pc bumped inline when the
 * thread-local entry names @pc, else the exported alba_pcpu_alloc(). Same
 * results, errors and counters as the call.
 *
 * Return: a pointer aligned to @align, or NULL.
 */
static inline void *alba_pcpu_alloc_inline(struct alba_pcpu *pc, size_t size,
					   size_t align, gfp_t gfp)
{
	void *p;

	/*
	 * Only this thread writes its entry; a set destroyed since left the
	 * entry's cursor empty, so the bump declines and the call decides.
	 */
	if (__builtin_expect(alba_pcpu_last.pc == pc &&
			     alba_cursor_bump(alba_pcpu_last.cur, size, align, &p), 1))
		return p;
	return alba_pcpu_alloc(pc, size, align, gfp);
}

/* A function-like macro: (alba_pcpu_alloc)(...) and &alba_pcpu_alloc call the library. */
#define alba_pcpu_alloc(pc, size, align, gfp) \
	alba_pcpu_alloc_inline((pc), (size), (align), (gfp))
#endif
#endif

/**
 * struct alba_scope - a mark that rewinds itself when a C scope ends
 * @arena: the arena
 * @mark: its mark, taken when the scope began
 *
 * Begin one with alba_scope_begin() and end it with alba_scope_end(), or
 * let the compiler end it: guard(alba_scope)(arena) until the end of the
 * enclosing block, scoped_guard(alba_scope, arena) { ... } for one
 * statement (both on every exit path: return, break, goto). Everything
 * allocated from @arena inside the scope is released at its end. A scope
 * whose rewind is refused (a cursor holds a chunk) warns (userspace:
 * errno EBUSY) and leaves the arena as it is. In the kernel the names
 * are <linux/cleanup.h>'s (include it); userspace gets them from
 * alba_types.h with GCC and Clang. scoped_guard() declares in a for
 * statement, which needs C99: kernels before 5.18 build as gnu89, so use
 * guard() in a block there.
 */
struct alba_scope {
	struct alba *arena;
	struct alba_mark mark;
};

/**
 * alba_scope_begin() - begin a scope: take a mark of an arena
 * @arena: the arena
 *
 * The explicit form of guard(alba_scope)(@arena), for C without the
 * cleanup attribute: pair it with alba_scope_end() on every way out.
 *
 * Context: as alba_mark().
 * Return: the scope; with a NULL @arena (refused as alba_mark() refuses
 * it), a scope whose end does nothing.
 */
static inline struct alba_scope alba_scope_begin(struct alba *arena)
{
	struct alba_scope scope = { arena, alba_mark(arena) };

	return scope;
}

/**
 * alba_scope_end() - end a scope: rewind its arena to where it began
 * @scope: the scope from alba_scope_begin()
 *
 * Releases everything allocated from the arena since the scope began,
 * running the cleanups registered since; refused as alba_rewind() refuses
 * (a cursor holds a chunk: a warning, userspace errno EBUSY; the arena
 * stays as it is).
 *
 * Context: as alba_rewind().
 */
static inline void alba_scope_end(struct alba_scope *scope)
{
	if (scope->arena)
		alba_rewind(scope->arena, scope->mark);
}

/*
 * What guard(alba_scope), scoped_guard(alba_scope) and __free(alba) expand
 * to use: the class <linux/cleanup.h>'s DEFINE_CLASS() and DEFINE_FREE()
 * would define, written out so that the header needs neither.
 */
#define class_alba_scope_t	struct alba_scope
#define class_alba_scope_is_conditional	false

static inline struct alba_scope class_alba_scope_constructor(struct alba *arena)
{
	return alba_scope_begin(arena);
}

static inline void class_alba_scope_destructor(struct alba_scope *scope)
{
	alba_scope_end(scope);
}

/* For scoped_guard(): the scope is always entered. */
static inline void *class_alba_scope_lock_ptr(struct alba_scope *scope)
{
	return scope;
}

/* struct alba *a __free(alba) = alba_create(...): destroyed at scope end. */
static inline void __free_alba(void *p)
{
	struct alba *arena = *(struct alba **)p;

	if (arena)
		alba_destroy(arena);
}

#ifndef __KERNEL__
/*
 * Userspace: malloc-compatible hooks over an arena, for the libraries that
 * take an allocator (cJSON_InitHooks(), Jansson's json_set_alloc_funcs(),
 * lua_newstate(), libxml2's xmlMemSetup()). Each thread binds its arena
 * with alba_hooks_bind(); see user/hooks.c.
 */
#define ALBA_HOOKS_CURSOR	1U	/* through a per-thread cursor */
#define ALBA_HOOKS_SIZED	2U	/* a size before each object (realloc) */

struct alba *alba_hooks_bind(struct alba *arena, unsigned int flags);
void *alba_hooks_malloc(size_t size);
void *alba_hooks_calloc(size_t n, size_t size);
void *alba_hooks_realloc(void *p, size_t size);
void alba_hooks_free(void *p);
char *alba_hooks_strdup(const char *s);
void *alba_hooks_lua_alloc(void *ud, void *p, size_t old_size,
			   size_t new_size);

/*
 * Userspace: the block source. Freed blocks stay mapped for reuse up to
 * the larger of the cache limit and the process's peak of live blocks
 * since the last alba_trim(); see user/source.c.
 */
size_t alba_set_block_cache(size_t bytes);
void alba_trim(void);
#endif

#endif /* _ALBA_H */
