// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target: the input is a program of arena operations, checked
 * against a model of the contract.
 *
 * Each operation is an opcode byte and its arguments: create (any block
 * size, valid or not), destroy, alloc / zalloc / cursor alloc / per-thread
 * set alloc (any size and alignment, from small to SIZE_MAX), realloc of a
 * live object, mark, rewind (to any mark taken, still valid or not), reset,
 * alba_of, and "fail the next block allocation". After every call the
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
#include "tests/helpers.h"

#define MAX_OBJS	4096
#define MAX_MARKS	16
#define MAX_BLOCK	((size_t)1 << ALBA_PLAT_MAX_SHIFT)
/* Valid block sizes the fuzzer may pick stay small, to keep RSS sane. */
#define FUZZ_MAX_SHIFT	22

struct obj {
	unsigned char *p;
	size_t size;
	size_t align;
	size_t seq;
	unsigned char pattern;
};

struct mark {
	struct alba_mark m;
	size_t seq;
	unsigned long gen;
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
	struct mark marks[MAX_MARKS];
	size_t nm;
	unsigned long gen;	/* bumped by reset, create, and void rewinds */
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
	CHECK(st->block_bytes == st->header_bytes + st->used_bytes +
	      st->pad_bytes + st->tail_bytes + st->free_bytes +
	      st->reserved_bytes);
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

static void destroy(void)
{
	if (!s.arena)
		return;
	quiesce();
	verify();
	alba_pcpu_destroy(s.pc);
	s.pc = NULL;
	alba_destroy(s.arena);
	s.arena = NULL;
	s.n = 0;
	s.nm = 0;
	alba_plat_fail_nth(0);
	CHECK(alba_plat_live_blocks() == 0);
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
	s.gen++;
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

/* how: 0 alloc, 1 zalloc, 2 the cursor, 3 the per-thread set */
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
	p = how == 0 ? alba_alloc(s.arena, size, align, 0) :
	    how == 1 ? alba_zalloc(s.arena, size, align, 0) :
	    how == 2 ? alba_cursor_alloc(&s.cur, size, align, 0) :
		       alba_pcpu_alloc(s.pc, size, align, 0);
	stats(&after);
	a = align ? align : ALBA_DEFAULT_ALIGN;
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
	CHECK(after.allocs == before.allocs + 1 || how >= 2);
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
	if (s.nm == MAX_MARKS)
		return;
	quiesce();
	s.marks[s.nm].m = alba_mark(s.arena);
	s.marks[s.nm].seq = s.seq;
	s.marks[s.nm].gen = s.gen;
	s.nm++;
}

static void rewind_to(void)
{
	struct alba_stats before, after;
	size_t k, i, kept = 0;

	if (!s.nm)
		return;
	quiesce();
	verify();
	k = byte() % s.nm;
	stats(&before);
	errno = 0;
	alba_rewind(s.arena, s.marks[k].m);
	stats(&after);
	if (s.marks[k].gen != s.gen) {
		/* Void: from before a reset. Refused, nothing changes. */
		CHECK(errno == EINVAL);
		CHECK(after.used_bytes == before.used_bytes &&
		      after.blocks == before.blocks);
		return;
	}
	CHECK(errno == 0);
	for (i = 0; i < s.n; i++)
		if (s.obj[i].seq < s.marks[k].seq)
			s.obj[kept++] = s.obj[i];
	s.n = kept;
	/* The marks after k are void now; k itself stays good. */
	s.nm = k + 1;
}

static void reset(void)
{
	struct alba_stats st;

	quiesce();
	verify();
	alba_reset(s.arena);
	stats(&st);
	CHECK(st.blocks == 1 && st.used_bytes == 0 && st.pad_bytes == 0);
	s.n = 0;
	s.gen++;	/* every mark so far is void */
}

/*
 * alba_of() promises the arena for an object pointer, and for interior
 * pointers in the same block_size window as the object's start (all of an
 * object in an ordinary block; the first window of a dedicated one).
 */
static void of(void)
{
	uintptr_t window = ~(uintptr_t)(s.block_size - 1), start;
	struct obj *o;
	size_t off;

	if (!s.n)
		return;
	o = &s.obj[byte() % s.n];
	start = (uintptr_t)o->p;
	off = o->size > 1 ? (size_t)u32() % o->size : 0;
	CHECK(alba_of(o->p, s.block_size) == s.arena);
	if (((start + off - 1) & window) == ((start - 1) & window))
		CHECK(alba_of(o->p + off, s.block_size) == s.arena);
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
	s.in = data;
	s.left = size;
	while (s.left && ops++ < 2000) {
		uint8_t op = byte();

		if (!s.arena || op % 32 == 0) {
			create();
			continue;
		}
		switch (op % 16) {
		case 0: case 1: case 2: case 3:
			alloc(0);
			break;
		case 4: case 5:
			alloc(1);
			break;
		case 6: case 7: case 8:
			alloc(2);
			break;
		case 9:
			alloc(3);
			break;
		case 10:
			mark();
			break;
		case 11:
			rewind_to();
			break;
		case 12:
			reset();
			break;
		case 13:
			of();
			break;
		case 14:
			alba_plat_fail_nth(1 + byte() % 4);
			break;
		default:
			if (op & 16)
				destroy();
			else
				resize();
			break;
		}
	}
	destroy();
	alba_plat_fail_nth(0);
	alba_user_cache_drain();
	total_runs++;
	total_ops += ops;
	return 0;
}
