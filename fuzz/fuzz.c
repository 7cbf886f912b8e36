// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target: the input is a program of arena operations, checked
 * against a model of the contract.
 *
 * Each operation is an opcode byte and its arguments: create (any block
 * size, valid or not), destroy, alloc / zalloc / cursor alloc / per-thread
 * set alloc (any size and alignment, from small to SIZE_MAX), realloc of a
 * live object, mark, rewind (to any mark taken, live or released, and
 * altered copies), reset, alba_of (objects, interior pointers, block bases
 * and one past a block's end, checked against the arena's block list), a
 * cursor initialised again while it holds a chunk (onto the second arena
 * and back), a
 * second arena (allocations, marks and resets there, its marks passed to
 * the first arena and the first's to it, while blocks recycle between
 * them), cleanup callbacks (which must run newest first, exactly those
 * registered after the mark on a rewind, all on a reset or destroy, none
 * on a refused rewind), alba_reset_keep() with any amount to keep,
 * "fail the next block allocation", and the block source's cache limit
 * and alba_trim(). After every call the
 * model checks: alignment; errors
 * exactly when the contract says (EINVAL for a bad argument, ENOMEM only
 * for a size no block can hold or an injected failure); a failed call
 * changes nothing but the failed counter; the stats identity; zalloc
 * zeroes. Every object is filled with a pattern; before every rewind or
 * reset, and at the end, all live objects must hold their patterns and
 * none may overlap. At the end no block may be left.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alba.h"
#include "alba_plat.h"
#include "helpers.h"

#define MAX_OBJS	4096
#define MAX_MARKS	16
#define MAX_BLOCK	((size_t)1 << ALBA_PLAT_MAX_SHIFT)
/* Valid block sizes the fuzzer may pick stay small, to keep RSS sane. */
#define FUZZ_MAX_SHIFT	22
#define CACHE_DEFAULT	((size_t)256 << 20)	/* user/source.c's */

struct obj {
	unsigned char *p;
	size_t size;
	size_t align;
	size_t seq;
	unsigned char pattern;
};

/*
 * The model of marks: every mark taken is kept, live or not. A rewind to
 * a live mark releases the marks taken after it; a reset releases all.
 */
struct mark {
	struct alba_mark m;
	size_t seq;		/* objects from s.seq on are after it */
	bool live;
};

static struct {
	const uint8_t *in;
	size_t left;
	struct alba *arena;
	size_t block_size;
	struct alba_cursor cur;
	bool cursor;
	struct alba_pcpu *pc;
	struct obj obj[MAX_OBJS];
	size_t n, seq;
	struct mark marks[MAX_MARKS];	/* in the order taken */
	size_t nm;
	/* Cleanups registered (ids, in order) and those that ran. */
	int cl[64];
	size_t cl_seq[64];
	size_t ncl;
	int ran[64];
	size_t nran;
	int next_cl;
	struct alba *other;		/* a second arena, for foreign marks */
	struct alba_mark omarks[4];
	size_t nom;
} s;

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz: %s:%d: %s\n", __FILE__,	\
				__LINE__, #cond);			\
			abort();					\
		}							\
	} while (0)

static uint8_t byte(void)
{
	if (!s.left)
		return 0;
	s.left--;
	return *s.in++;
}

static uint32_t u32(void)
{
	uint32_t v = byte();

	v |= (uint32_t)byte() << 8;
	v |= (uint32_t)byte() << 16;
	return v | (uint32_t)byte() << 24;
}

/* A size: mostly small, sometimes beyond a block, sometimes absurd. */
static size_t size_arg(void)
{
	uint8_t k = byte();

	switch (k >> 5) {
	case 0: case 1: case 2: case 3:
		return k & 31 ? byte() : 0;
	case 4:
		return u32() % 65536;
	case 5:
		return u32() % (1 << 21);
	case 6:
		return SIZE_MAX - (k & 31) * 4096 - byte();
	default:
		return k & 1 ? (SIZE_MAX >> 1) + 1 : MAX_BLOCK + byte();
	}
}

/* An alignment: 0, any power of two (some too large), or not one. */
static size_t align_arg(void)
{
	uint8_t k = byte();

	if (k < 16)
		return 0;
	if (k < 224)
		return (size_t)1 << (k % 24);
	if (k < 240)
		return (size_t)1 << (k % 8 + ALBA_PLAT_MAX_SHIFT);
	return 3 + (size_t)(k % 7) * 2;
}

/*
 * Must a request succeed (without injected failures)? Yes if the object,
 * after a header and the padding its alignment needs, fits the largest
 * block; 256 bytes is more than any header.
 */
static bool fits(size_t size, size_t align)
{
	return size <= MAX_BLOCK - 256 && align <= MAX_BLOCK - 256 - size;
}

static bool align_valid(size_t align)
{
	return !align || (!(align & (align - 1)) && align <= MAX_BLOCK);
}

static void stats(struct alba_stats *st)
{
	alba_get_stats(s.arena, st);
	CHECK(alba_stats_add_up(st));
}

static int obj_cmp(const void *x, const void *y)
{
	const struct obj *a = x, *b = y;

	return a->p < b->p ? -1 : a->p > b->p;
}

static void verify(void)
{
	size_t i, j;

	qsort(s.obj, s.n, sizeof(s.obj[0]), obj_cmp);
	for (i = 0; i < s.n; i++) {
		for (j = 0; j < s.obj[i].size; j++)
			CHECK(s.obj[i].p[j] == s.obj[i].pattern);
		if (i + 1 < s.n && s.obj[i].size)
			CHECK(s.obj[i].p + s.obj[i].size <= s.obj[i + 1].p);
	}
}

static void quiesce(void)
{
	if (s.cursor)
		alba_cursor_fini(&s.cur);
	s.cursor = false;
	alba_pcpu_drain(s.pc);
}

static void cleanup_fn(void *data)
{
	if (s.nran < 64)
		s.ran[s.nran] = (int)(intptr_t)data;
	s.nran++;
}

/* The cleanups registered at or after object seq @from ran, newest first. */
static void expect_cleanups(size_t from)
{
	size_t keep = s.ncl, i;

	while (keep && s.cl_seq[keep - 1] >= from)
		keep--;
	CHECK(s.nran == s.ncl - keep);
	for (i = 0; i < s.nran; i++)
		CHECK(s.ran[i] == s.cl[s.ncl - 1 - i]);
	s.ncl = keep;
	s.nran = 0;
}

static void add_cleanup(void)
{
	struct alba_stats before, after;
	int id = s.next_cl++, rc;

	if (s.ncl == 64)
		return;
	stats(&before);
	errno = 0;
	rc = alba_add_cleanup(s.arena, byte() == 255 ? NULL : cleanup_fn,
			      (void *)(intptr_t)id, 0);
	stats(&after);
	if (rc == -EINVAL) {
		CHECK(errno == EINVAL && !memcmp(&before, &after, sizeof(before)));
		return;
	}
	if (rc) {
		CHECK(rc == -ENOMEM && errno == ENOMEM);
		CHECK(alba_test_same_but_failed(&before, &after));
		return;
	}
	CHECK(after.allocs == before.allocs + 1);
	s.cl[s.ncl] = id;
	s.cl_seq[s.ncl++] = s.seq++;
}

static long other_blocks(void)
{
	struct alba_stats st;

	alba_get_stats(s.other, &st);
	return (long)st.blocks;
}

static void destroy(void)
{
	if (!s.arena)
		return;
	quiesce();
	verify();
	alba_pcpu_destroy(s.pc);
	s.pc = NULL;
	alba_destroy(s.arena);
	expect_cleanups(0);
	s.arena = NULL;
	s.n = 0;
	/* Its marks stay, as foreign marks for the next arena. */
	for (size_t i = 0; i < s.nm; i++)
		s.marks[i].live = false;
	alba_plat_fail_nth(0);
	CHECK(alba_plat_live_blocks() == (s.other ? other_blocks() : 0));
}

static void create(void)
{
	uint8_t k = byte();
	size_t bs;
	bool valid;

	destroy();
	if (k < 200)
		bs = k % 3 ? (size_t)4096 << (k % (FUZZ_MAX_SHIFT - 11)) : 0;
	else
		bs = (size_t[]){ 1, 3, 4095, 4097, 12288, 65535, MAX_BLOCK * 2,
				 SIZE_MAX }[k % 8];
	valid = !bs || (!(bs & (bs - 1)) && bs >= 4096 && bs <= MAX_BLOCK);
	errno = 0;
	s.arena = alba_create("fuzz", bs, 0);
	if (!valid) {
		CHECK(!s.arena && errno == EINVAL);
		return;
	}
	if (!s.arena) {
		/* Only an injected failure may stop a valid create. */
		CHECK(errno == ENOMEM);
		return;
	}
	s.block_size = bs ? bs : ALBA_DEFAULT_BLOCK_SIZE;
	CHECK(alba_block_size(s.arena) == s.block_size);
}

/* Keep @p, @size bytes, as a live object, with a fresh pattern. */
static void keep(unsigned char *p, size_t size, size_t align)
{
	if (s.n == MAX_OBJS)
		return;
	s.obj[s.n] = (struct obj){ p, size, align, s.seq++,
				   (unsigned char)(s.seq | 1) };
	memset(p, s.obj[s.n].pattern, size);
	s.n++;
}

/*
 * alba_cursor_init() on the cursor while it may hold a chunk, onto the
 * second arena (one object there) and back: each init gives back exactly
 * the chunk the cursor held, so the first arena's reserved bytes drop by
 * it and its allocations are counted, and the later resets (which the model expects to work) prove that
 * no holder was left behind.
 */
static void retired(const struct alba_stats *before, size_t held,
		    size_t counted)
{
	struct alba_stats after;

	stats(&after);
	CHECK(after.reserved_bytes == before->reserved_bytes - held);
	CHECK(after.allocs == before->allocs + counted);
	CHECK(after.used_bytes + after.pad_bytes + after.tail_bytes +
	      after.free_bytes ==
	      before->used_bytes + before->pad_bytes + before->tail_bytes +
	      before->free_bytes + held);
}

static void cursor_reinit(void)
{
	struct alba_stats before;
	size_t held = s.cur.end ? s.cur.end - s.cur.base : 0;
	size_t counted = s.cur.end ? s.cur.allocs : 0;

	stats(&before);
	if (s.other) {
		alba_cursor_init(&s.cur, s.other, (size_t)byte() * 64);
		CHECK(alba_cursor_alloc(&s.cur, 24, 8, 0) || errno == ENOMEM);
		retired(&before, held, counted);
		stats(&before);
		held = 0;
		counted = 0;
	}
	alba_cursor_init(&s.cur, s.arena, (size_t)byte() * 64);
	s.cursor = true;
	retired(&before, held, counted);
}

/*
 * how: 0 alloc, 1 zalloc, 2 the cursor, 3 the per-thread set, 4 a realloc
 * of the size-0 pointer
 */
static void alloc(int how)
{
	size_t size = size_arg(), align = align_arg(), a;
	unsigned long pending = alba_user_fail_pending();
	struct alba_stats before, after;
	unsigned char *p;
	size_t i;

	stats(&before);
	if (how == 2 && !s.cursor) {
		alba_cursor_init(&s.cur, s.arena, (size_t)byte() * 64);
		s.cursor = true;
	}
	if (how == 3 && !s.pc) {
		s.pc = alba_pcpu_create(s.arena, (size_t)byte() * 64, 0);
		CHECK(s.pc);
	}
	errno = 0;
	a = align ? align : ALBA_DEFAULT_ALIGN;
	p = how == 0 ? alba_alloc(s.arena, size, align, 0) :
	    how == 1 ? alba_zalloc(s.arena, size, align, 0) :
	    how == 2 ? alba_cursor_alloc(&s.cur, size, align, 0) :
	    how == 3 ? alba_pcpu_alloc(s.pc, size, align, 0) :
	    /* the size-0 pointer (old size 0) grows as an allocation */
		       alba_realloc(s.arena, (void *)a, 0, size, align, 0);
	stats(&after);
	if (!align_valid(align)) {
		CHECK(!p && errno == EINVAL);
		CHECK(alba_test_same_but_failed(&before, &after));
		return;
	}
	if (!p) {
		/* Only for a size no block can hold, or an injected failure. */
		CHECK(errno == ENOMEM);
		CHECK(!fits(size, a) || (pending && !alba_user_fail_pending()));
		CHECK(alba_test_same_but_failed(&before, &after));
		return;
	}
	CHECK(size <= MAX_BLOCK);
	CHECK(((uintptr_t)p & (a - 1)) == 0);
	CHECK(after.allocs == before.allocs + 1 || how == 2 || how == 3);
	if (!size)
		return;
	if (how == 1)
		for (i = 0; i < size; i++)
			CHECK(!p[i]);
	CHECK(alba_of(p, s.block_size) == s.arena);
	keep(p, size, a);
}

/*
 * realloc of a live object: in place (same pointer, the prefix kept) or a
 * copy (the prefix copied, the old object still live and intact). For
 * rewinds, a resized object counts as allocated now: a rewind to an
 * earlier mark drops it from the model (its growth may be released).
 */
/*
 * realloc of memory in one of the arena's blocks that it never handed
 * out, named through a live object @o: its block's header, or @o with a
 * size past the end of its block. Refused (EINVAL), nothing changes. (An
 * object aligned to a block or more starts on a block boundary, which
 * then is not its header: only the size past its block.)
 */
static void resize_bad(const struct obj *o)
{
	size_t bs = s.block_size, off = (uintptr_t)o->p & (bs - 1);
	struct alba_stats before, after;
	unsigned char *p = o->p;
	size_t old = o->size + bs;

	if (o->align < bs && (byte() & 1)) {
		p -= off;
		old = 16;
	}
	stats(&before);
	errno = 0;
	CHECK(!alba_realloc(s.arena, p, old, old + 8, o->align, 0));
	CHECK(errno == EINVAL);
	stats(&after);
	after.failed++;		/* nothing moves, failed included */
	CHECK(alba_test_same_but_failed(&before, &after));
}

static void resize(void)
{
	unsigned long pending = alba_user_fail_pending();
	struct alba_stats before, after;
	size_t size = size_arg(), keep_n, i;
	struct obj o;
	unsigned char *p;

	if (!s.n)
		return;
	i = byte() % s.n;
	o = s.obj[i];
	if (!(byte() & 7)) {
		resize_bad(&o);
		return;
	}
	stats(&before);
	errno = 0;
	p = alba_realloc(s.arena, o.p, o.size, size, o.align, 0);
	stats(&after);
	if (!p) {
		CHECK(errno == ENOMEM);
		CHECK(!fits(size, o.align) || (pending && !alba_user_fail_pending()));
		CHECK(alba_test_same_but_failed(&before, &after));
		return;
	}
	CHECK(((uintptr_t)p & (o.align - 1)) == 0);
	if (!size)
		return;
	keep_n = o.size < size ? o.size : size;
	for (i = 0; i < keep_n; i++)
		CHECK(p[i] == o.pattern);
	if (p == o.p) {
		/* In place: the object is now @size bytes, and newer. */
		CHECK(after.used_bytes == before.used_bytes - o.size + size);
		for (i = 0; i < s.n && s.obj[i].p != o.p; i++)
			;
		s.obj[i] = s.obj[--s.n];
	} else {
		CHECK(after.used_bytes == before.used_bytes + size);
	}
	keep(p, size, o.align);
}

static void mark(void)
{
	size_t i;

	/* Full: forget the oldest released mark, or take none. */
	if (s.nm == MAX_MARKS) {
		for (i = 0; i < s.nm && s.marks[i].live; i++)
			;
		if (i == s.nm)
			return;
		memmove(&s.marks[i], &s.marks[i + 1], (s.nm - i - 1) * sizeof(s.marks[0]));
		s.nm--;
	}
	quiesce();
	errno = 0;
	s.marks[s.nm].m = alba_mark(s.arena);
	CHECK(errno == 0);
	s.marks[s.nm].seq = s.seq;
	s.marks[s.nm].live = true;
	s.nm++;
}

/* A rewind of @arena to @m that must be refused: EINVAL, nothing changes. */
static void refused(struct alba *arena, struct alba_mark m)
{
	struct alba_stats before, after;

	alba_get_stats(arena, &before);
	errno = 0;
	alba_rewind(arena, m);
	CHECK(errno == EINVAL);
	alba_get_stats(arena, &after);
	CHECK(!memcmp(&before, &after, sizeof(before)));
	CHECK(s.nran == 0);
}

static void rewind_to(void)
{
	size_t k, i, kept = 0;
	struct alba_mark m;
	uint8_t how;

	if (!s.nm)
		return;
	quiesce();
	verify();
	k = byte() % s.nm;
	how = byte();
	m = s.marks[k].m;
	/* An altered copy of the mark: refused, whether it is live or not. */
	if (how >= 224) {
		switch (how % 4) {
		case 0: m.top += 8 * (how % 8 + 1); break;
		case 1: m.seq++; break;
		case 2: m.depth--; break;
		default: m.newest = (char *)m.newest + s.block_size; break;
		}
		refused(s.arena, m);
		verify();
		return;
	}
	if (!s.marks[k].live) {
		/* Released by a rewind or a reset, or another arena's. */
		refused(s.arena, m);
		verify();
		return;
	}
	errno = 0;
	alba_rewind(s.arena, m);
	CHECK(errno == 0);
	expect_cleanups(s.marks[k].seq);
	for (i = 0; i < s.n; i++)
		if (s.obj[i].seq < s.marks[k].seq)
			s.obj[kept++] = s.obj[i];
	s.n = kept;
	/* The marks after k are released; k itself stays live. */
	for (i = k + 1; i < s.nm; i++)
		s.marks[i].live = false;
}

/*
 * The second arena: allocations (which may take blocks the first arena
 * gave back), marks, resets (which give blocks back), and its marks
 * passed to the first arena, and the first's to it: always refused.
 */
static void other_op(void)
{
	uint8_t k = byte();

	if (!s.other) {
		s.other = alba_create("other", (size_t)4096 << (k % 4), 0);
		if (!s.other)
			return;
	}
	switch (k % 5) {
	case 0:
	case 1:
		alba_alloc(s.other, k % 2 ? 3000 : (size_t)byte() * 40, 8, 0);
		break;
	case 2:
		s.omarks[s.nom++ % 4] = alba_mark(s.other);
		break;
	case 3:
		alba_reset(s.other);
		break;
	default:
		quiesce();
		if (s.nom)
			refused(s.arena, s.omarks[byte() % (s.nom < 4 ? s.nom : 4)]);
		if (s.nm)
			refused(s.other, s.marks[byte() % s.nm].m);
		verify();
		break;
	}
}

/*
 * The block source's policy (userspace): a cache limit of none, a few
 * blocks, or the default, and alba_trim(), while the arenas hold objects
 * and the other arena returns blocks: every live object keeps its bytes.
 */
static void source_op(void)
{
	static const size_t limits[4] = { 0, 64 << 10, 1 << 20, CACHE_DEFAULT };
	uint8_t k = byte();

	if (k & 1)
		alba_trim();
	else
		CHECK(alba_set_block_cache(limits[(k >> 1) % 4]) ==
		      limits[(k >> 1) % 4]);
	verify();
}

/* alba_reset(), or alba_reset_keep() with some bytes to keep. */
static void reset(void)
{
	uint8_t k = byte();
	size_t keep = k < 128 ? 0 : (size_t)(k & 7) * s.block_size + byte();
	struct alba_stats st;

	quiesce();
	verify();
	if (k < 64)
		alba_reset(s.arena);
	else
		alba_reset_keep(s.arena, keep);
	expect_cleanups(0);
	stats(&st);
	CHECK(st.used_bytes == 0 && st.pad_bytes == 0 && st.tail_bytes == 0);
	CHECK(st.blocks >= 1 && (st.blocks - 1) * s.block_size <= keep);
	s.n = 0;
	for (size_t i = 0; i < s.nm; i++)
		s.marks[i].live = false;
}

/* Is @q the base of one of the arena's blocks? */
static bool is_block_base(uintptr_t q)
{
	struct alba_block_info info[64];
	struct alba_walk walk = { 0 };
	size_t n, i;

	while ((n = alba_core_blocks(s.arena, info, 64, &walk)))
		for (i = 0; i < n; i++)
			if ((uintptr_t)info[i].base == q)
				return true;
	return false;
}

/* Is @q the start of a live object aligned to the block size or more? */
static bool is_aligned_object(uintptr_t q)
{
	size_t i;

	for (i = 0; i < s.n; i++)
		if ((uintptr_t)s.obj[i].p == q && s.obj[i].align >= s.block_size)
			return true;
	return false;
}

/*
 * alba_of() promises the arena for an object pointer, for any pointer
 * into the first block_size bytes of a block (its base too), and for the
 * first block_size bytes of an object aligned to the block size; one past
 * a block's end finds the arena only if another of its blocks (or such an
 * object) starts there.
 */
static void of(void)
{
	uintptr_t window = ~(uintptr_t)(s.block_size - 1), start, base, end;
	struct obj *o;
	size_t off;

	if (!s.n)
		return;
	o = &s.obj[byte() % s.n];
	start = (uintptr_t)o->p;
	off = o->size > 1 ? (size_t)u32() % o->size : 0;
	CHECK(alba_of(o->p, s.block_size) == s.arena);
	if (((start + off) & window) == (start & window) ||
	    (o->align >= s.block_size && off < s.block_size))
		CHECK(alba_of(o->p + off, s.block_size) == s.arena);
	base = start & window;
	CHECK(alba_of((void *)base, s.block_size) == s.arena);
	end = base + s.block_size;
	if (!is_aligned_object(base))	/* else base is no block's */
		CHECK((alba_of((void *)end, s.block_size) == s.arena) ==
		      (is_block_base(end) || is_aligned_object(end)));
	errno = 0;
}

static unsigned long long total_ops, total_runs;

/* libFuzzer exits through exit(): report what was run. */
__attribute__((destructor)) static void report(void)
{
	if (total_runs)
		fprintf(stderr, "fuzz: %llu programs, %llu operations\n",
			total_runs, total_ops);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int ops = 0;

	memset(&s, 0, sizeof(s));
	alba_set_block_cache(CACHE_DEFAULT);	/* each run from the same policy */
	s.in = data;
	s.left = size;
	while (s.left && ops++ < 2000) {
		uint8_t op = byte();

		if (!s.arena || op % 32 == 0) {
			create();
			continue;
		}
		switch (op % 20) {
		case 0: case 1: case 2: case 3:
			alloc((op & 224) == 224 ? 4 : 0);
			break;
		case 4: case 5:
			alloc(1);
			break;
		case 6: case 7: case 8:
			if (s.cursor && (op & 96) == 96)
				cursor_reinit();
			alloc(2);
			break;
		case 9:
			alloc(3);
			break;
		case 10:
			mark();
			break;
		case 11: case 16:
			rewind_to();
			break;
		case 12:
			reset();
			break;
		case 13:
			of();
			break;
		case 14:
			if (op & 32)
				source_op();
			else
				alba_plat_fail_nth(1 + byte() % 4);
			break;
		case 17: case 18:
			other_op();
			break;
		case 19:
			add_cleanup();
			break;
		default:	/* 15 */
			if (op & 16)
				destroy();
			else
				resize();
			break;
		}
	}
	destroy();
	alba_destroy(s.other);
	alba_plat_fail_nth(0);
	CHECK(alba_plat_live_blocks() == 0);
	alba_trim();
	total_runs++;
	total_ops += ops;
	return 0;
}
