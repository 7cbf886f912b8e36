// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bench.c - alba against two floors and the peers, in one run.
 *
 * Built three times. alba-bench holds the floors, alba, GNU obstack,
 * talloc, APR pools and glibc malloc. alba-bench-mimalloc
 * (-DBENCH_MIMALLOC) and alba-bench-jemalloc (-DBENCH_JEMALLOC) are linked
 * against allocators that replace malloc, so they run in processes of
 * their own. The driver runs every contender once per round, in the same
 * order every round (A B C ... A B C ...), and reports the median and the
 * min-max of the rounds, and the ratio to the floor measured in the same
 * run.
 *
 * Every round of every contender runs in a fresh process (a warm-up round,
 * then the timed one), pinned to one CPU. Timings in one process agree to
 * a few percent, but from process to process they move by up to 2x with
 * the address-space layout that ASLR picks; a fresh process per round
 * makes the median cover layouts instead of reporting one.
 *
 *   alba-bench [--rounds R] [--scale S] [--out DIR]   the full run
 *   alba-bench --child NAME WORKLOAD N                one round, ns/alloc
 *   alba-bench --rss NAME WORKLOAD N                  RSS growth per byte
 *   alba-bench --client NAME WORKLOAD SCALE           a real client's documents
 *   alba-bench --callgrind N                          for instruction counts
 *   alba-bench --costs                                only what the contract costs
 *   alba-bench --clients                              only the real clients
 *   alba-bench --w3                                   only W3 (threads)
 *
 * clients.c holds the real clients (cJSON, Jansson, Lua, libxml2), costs.c what parts of
 * the contract cost (alba_of(), statistics, the lock).
 *
 * BENCH_ONLY="name,name" in the environment runs only those allocators in
 * the W1/W2 tables (the others print "not run").
 *
 * Workloads. W1: objects of 8..64 bytes (cycling), alignment 8, one byte
 * of each touched, then everything freed (reset for arenas, free() of each
 * object for malloc). W2: W1 with alignments cycling 8..4096. W3: W1 from
 * 2 threads on one arena against 1 thread. W4: W1 from 1e3 to 1e7 objects.
 * W5: bytes taken from the OS per byte requested.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alba.h"
#include "alba_plat.h"
#include "bench.h"
#include "helpers.h"

#if defined(BENCH_MIMALLOC)
#include <mimalloc.h>
#elif !defined(BENCH_JEMALLOC)
#include <apr_pools.h>
#include <obstack.h>
#include <talloc.h>
#endif

enum workload { W1, W2 };

static inline size_t obj_size(size_t i)
{
	return 8 + i % 57;
}

static inline size_t obj_align(enum workload w, size_t i)
{
	return w == W1 ? 8 : (size_t)8 << (i % 10);
}

double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ---- contenders --------------------------------------------------------- */

struct contender {
	const char *name;
	const char *binary;	/* NULL: in this process */
	void *(*begin)(void);
	void *(*alloc)(void *ctx, size_t size, size_t align);
	void *(*alloc8)(void *ctx, size_t size);	/* W1: alignment 8, constant */
	void (*end)(void *ctx, void **objs, size_t n);
};

/*
 * Each contender's allocation, written once, and compiled twice: with the
 * alignment as an argument (W2) and as the constant 8 (W1), the way a
 * caller writes it for a type whose alignment it knows.
 */
#define ALLOCATOR(name)							\
	static inline void *name##_do(void *ctx, size_t size, size_t align); \
	static void *name(void *ctx, size_t size, size_t align)	\
	{								\
		return name##_do(ctx, size, align);			\
	}								\
	static void *name##8(void *ctx, size_t size)			\
	{								\
		return name##_do(ctx, size, 8);				\
	}								\
	static inline void *name##_do(void *ctx, size_t size, size_t align)

/*
 * The floors: a bump over a region mapped once and reused every round, the
 * least work a bump can do: inline, top down (a subtraction and a mask),
 * one compare, one store.
 */
struct bump {
	uintptr_t pos, start, end;
	alba_plat_lock_t lock;
};

static struct bump floor_bump;

static void *bump_begin(void)
{
	struct bump *b = &floor_bump;

	if (!b->start) {
		size_t len = (size_t)1 << 33;	/* reserve; touched as used */
		void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (p == MAP_FAILED)
			abort();
		b->start = (uintptr_t)p;
		b->end = b->start + len;
	}
	b->pos = b->end;
	return b;
}

static inline void *bump_take(struct bump *b, size_t size, size_t align)
{
	uintptr_t p = (b->pos - size) & ~(uintptr_t)(align - 1);

	if (p < b->start)
		abort();
	b->pos = p;
	return (void *)p;
}

ALLOCATOR(bump_alloc)
{
	return bump_take(ctx, size, align);
}

ALLOCATOR(bump_lock_alloc)
{
	struct bump *b = ctx;
	void *p;

	alba_user_lock(&b->lock);
	p = bump_take(b, size, align);
	alba_user_unlock(&b->lock);
	return p;
}

/*
 * The same under a pthread spinlock: what a program would write around a
 * bump of its own (issue 20's yardstick for alba_alloc()).
 */
static pthread_spinlock_t floor_spin;

static void *bump_spin_begin(void)
{
	static bool init;

	if (!init) {
		pthread_spin_init(&floor_spin, PTHREAD_PROCESS_PRIVATE);
		init = true;
	}
	return bump_begin();
}

ALLOCATOR(bump_spin_alloc)
{
	void *p;

	pthread_spin_lock(&floor_spin);
	p = bump_take(ctx, size, align);
	pthread_spin_unlock(&floor_spin);
	return p;
}

static void bump_end(void *ctx, void **objs, size_t n)
{
	(void)ctx, (void)objs, (void)n;
}

/* alba, locked and through a cursor, on one arena kept across rounds. */
static struct alba *bench_arena;
static struct alba_cursor bench_cursor;

static void *alba_begin(void)
{
	if (!bench_arena)
		bench_arena = alba_create("bench", 0, 0);
	return bench_arena;
}

ALLOCATOR(alba_locked_alloc)
{
	return alba_alloc(ctx, size, align, 0);
}

static void alba_end(void *ctx, void **objs, size_t n)
{
	(void)objs, (void)n;
	alba_reset(ctx);
}

static void *cursor_begin(void)
{
	alba_cursor_init(&bench_cursor, alba_begin(), 0);
	return &bench_cursor;
}

ALLOCATOR(cursor_alloc)
{
	return alba_cursor_alloc(ctx, size, align, 0);
}

static void cursor_end(void *ctx, void **objs, size_t n)
{
	alba_cursor_fini(ctx);
	alba_end(bench_arena, objs, n);
}

/* The cursor again, its arena reset with alba_reset_keep(): no block goes back. */
static void cursor_keep_end(void *ctx, void **objs, size_t n)
{
	(void)objs, (void)n;
	alba_cursor_fini(ctx);
	alba_reset_keep(bench_arena, SIZE_MAX);
}

/* The per-thread set: the same fast path behind a thread-local lookup. */
static void *pcpu_begin(void)
{
	return alba_pcpu_create(alba_begin(), 0, 0);
}

ALLOCATOR(pcpu_alloc)
{
	return alba_pcpu_alloc(ctx, size, align, 0);
}

static void pcpu_end(void *ctx, void **objs, size_t n)
{
	alba_pcpu_destroy(ctx);
	alba_end(bench_arena, objs, n);
}

#ifndef BENCH_MIMALLOC
/* malloc and free of each object: glibc here, jemalloc in its binary. */
static void *malloc_begin(void)
{
	return NULL;
}

ALLOCATOR(malloc_alloc)
{
	void *p;

	(void)ctx;
	if (align <= 16)
		return malloc(size);
	return posix_memalign(&p, align, size) ? NULL : p;
}

static void malloc_end(void *ctx, void **objs, size_t n)
{
	size_t i;

	(void)ctx;
	for (i = 0; i < n; i++)
		free(objs[i]);
}
#endif

#if defined(BENCH_MIMALLOC)
static void *mi_begin(void)
{
	return mi_heap_new();
}

ALLOCATOR(mi_alloc)
{
	return align <= 16 ? mi_heap_malloc(ctx, size) :
		mi_heap_malloc_aligned(ctx, size, align);
}

static void mi_end(void *ctx, void **objs, size_t n)
{
	(void)objs, (void)n;
	mi_heap_destroy(ctx);
}
#elif !defined(BENCH_JEMALLOC)
/* Pools without an alignment argument: over-allocate and align, as users do. */
static inline void *align_in(void *p, size_t align)
{
	return (void *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
}

static struct obstack bench_obstack;

static void *obstack_begin_(void)
{
	obstack_specify_allocation(&bench_obstack, 32768, 0, malloc, free);
	return &bench_obstack;
}

ALLOCATOR(obstack_alloc_)
{
	struct obstack *h = ctx;

	obstack_alignment_mask(h) = align - 1;
	return obstack_alloc(h, size);
}

static void obstack_end_(void *ctx, void **objs, size_t n)
{
	(void)objs, (void)n;
	obstack_free((struct obstack *)ctx, NULL);
}

static void *talloc_begin(void)
{
	return talloc_pool(NULL, 1 << 20);
}

ALLOCATOR(talloc_alloc_)
{
	return align <= 16 ? talloc_size(ctx, size) :
		align_in(talloc_size(ctx, size + align - 1), align);
}

static void talloc_end(void *ctx, void **objs, size_t n)
{
	(void)objs, (void)n;
	talloc_free(ctx);
}

static apr_pool_t *bench_apr;

static void *apr_begin(void)
{
	if (!bench_apr) {
		apr_initialize();
		apr_pool_create(&bench_apr, NULL);
	}
	return bench_apr;
}

ALLOCATOR(apr_alloc)
{
	return align <= 8 ? apr_palloc(ctx, size) :
		align_in(apr_palloc(ctx, size + align - 1), align);
}

static void apr_end(void *ctx, void **objs, size_t n)
{
	(void)objs, (void)n;
	apr_pool_clear(ctx);
}
#endif

static const struct contender contenders[] = {
	{ "bump (floor)", NULL, bump_begin, bump_alloc, bump_alloc8, bump_end },
	{ "bump+spinlock (floor)", NULL, bump_begin, bump_lock_alloc, bump_lock_alloc8, bump_end },
	{ "bump+pthread_spin (floor)", NULL, bump_spin_begin, bump_spin_alloc, bump_spin_alloc8, bump_end },
	{ "alba_cursor_alloc", NULL, cursor_begin, cursor_alloc, cursor_alloc8, cursor_end },
	{ "alba_cursor_alloc, alba_reset_keep", NULL, cursor_begin, cursor_alloc, cursor_alloc8, cursor_keep_end },
	{ "alba_pcpu_alloc (per-thread)", NULL, pcpu_begin, pcpu_alloc, pcpu_alloc8, pcpu_end },
	{ "alba_alloc (locked)", NULL, alba_begin, alba_locked_alloc, alba_locked_alloc8, alba_end },
#if defined(BENCH_MIMALLOC)
	{ "mimalloc heap", "alba-bench-mimalloc", mi_begin, mi_alloc, mi_alloc8, mi_end },
#elif defined(BENCH_JEMALLOC)
	{ "jemalloc", "alba-bench-jemalloc", malloc_begin, malloc_alloc, malloc_alloc8, malloc_end },
#else
	{ "mimalloc heap", "alba-bench-mimalloc", NULL, NULL, NULL, NULL },
	{ "jemalloc", "alba-bench-jemalloc", NULL, NULL, NULL, NULL },
	{ "APR pool", NULL, apr_begin, apr_alloc, apr_alloc8, apr_end },
	{ "talloc pool", NULL, talloc_begin, talloc_alloc_, talloc_alloc_8, talloc_end },
	{ "GNU obstack", NULL, obstack_begin_, obstack_alloc_, obstack_alloc_8, obstack_end_ },
	{ "glibc malloc/free", NULL, malloc_begin, malloc_alloc, malloc_alloc8, malloc_end },
#endif
};

#define NR_CONTENDERS	(sizeof(contenders) / sizeof(contenders[0]))

static const struct contender *find(const char *name)
{
	size_t i;

	for (i = 0; i < NR_CONTENDERS; i++)
		if (!strcmp(contenders[i].name, name) && contenders[i].alloc)
			return &contenders[i];
	return NULL;
}

/* ---- one round ------------------------------------------------------------ */

static void **objs;
static size_t objs_n;

static void need_objs(size_t n)
{
	if (n > objs_n) {
		free(objs);
		objs = calloc(n, sizeof(*objs));
		if (!objs)
			abort();
		objs_n = n;
	}
}

/* One timed round: allocate n objects, touch each, free everything. */
static double round_ns(const struct contender *c, enum workload w, size_t n)
{
	double t0, t1;
	void *ctx;
	size_t i;

	need_objs(n);
	t0 = now_ns();
	ctx = c->begin();
	if (w == W1) {
		for (i = 0; i < n; i++) {
			char *p = c->alloc8(ctx, obj_size(i));

			*p = (char)i;
			objs[i] = p;
		}
	} else {
		for (i = 0; i < n; i++) {
			char *p = c->alloc(ctx, obj_size(i), obj_align(w, i));

			*p = (char)i;
			objs[i] = p;
		}
	}
	c->end(ctx, objs, n);
	t1 = now_ns();
	return (t1 - t0) / n;
}

/*
 * A child's measure: after a warm-up round, at least 3 rounds and as many
 * more as fit in 20 ms (up to MAX_ROUNDS), and their median, so that a
 * round of 1,000 objects (a few microseconds) is not one timer reading.
 */
static double child_rounds(const struct contender *c, enum workload w, size_t n)
{
	double v[MAX_ROUNDS], total = 0;
	int k;

	pin();
	round_ns(c, w, n);
	for (k = 0; k < MAX_ROUNDS && (k < 3 || total < 20e6); k++) {
		v[k] = round_ns(c, w, n);
		total += v[k] * n;
	}
	return summarize(v, k).median;
}

char self_dir[4096];

/* A round of a contender that lives in another binary. */
static double child_ns(const struct contender *c, const char *mode,
		       enum workload w, size_t n)
{
	char cmd[8192];
	double ns = -1;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "%s/%s %s '%s' %s %zu", self_dir, c->binary,
		 mode, c->name, w == W1 ? "W1" : "W2", n);
	f = popen(cmd, "r");
	if (!f || fscanf(f, "%lf", &ns) != 1)
		ns = -1;
	if (f)
		pclose(f);
	return ns;
}

static double measure(const struct contender *c, enum workload w, size_t n)
{
	struct contender here = *c;
	const char *only = getenv("BENCH_ONLY");

	if (only && !strstr(only, c->name))
		return -1;
	if (!here.binary)
		here.binary = "alba-bench";
	return child_ns(&here, "--child", w, n);
}

/* pin(): the calling thread on the last CPU; unpin(): on all of them again. */
void pin(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(sysconf(_SC_NPROCESSORS_ONLN) - 1, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

void unpin(void)
{
	cpu_set_t set;
	long i;

	CPU_ZERO(&set);
	for (i = 0; i < sysconf(_SC_NPROCESSORS_ONLN); i++)
		CPU_SET(i, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* ---- W5: memory ---------------------------------------------------------- */

/* RSS growth per requested byte for n objects, in a fresh process. */
static double rss_per_byte(const struct contender *c, enum workload w, size_t n)
{
	size_t i, requested = 0;
	long before;
	void *ctx;

	need_objs(n);
	memset(objs, 0, n * sizeof(*objs));	/* its pages are not the allocator's */
	before = alba_test_rss_bytes();
	ctx = c->begin();
	for (i = 0; i < n; i++) {
		char *p = c->alloc(ctx, obj_size(i), obj_align(w, i));

		*p = 1;
		objs[i] = p;
		requested += obj_size(i);
	}
	return (double)(alba_test_rss_bytes() - before) / requested;
}

/* ---- statistics and output -------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct summary summarize(double *v, int n)
{
	struct summary s;

	qsort(v, n, sizeof(*v), cmp_double);
	s.min = v[0];
	s.max = v[n - 1];
	s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return s;
}

static FILE *md;

void out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (md) {
		va_start(ap, fmt);
		vfprintf(md, fmt, ap);
		va_end(ap);
	}
}

/* W1 or W2: every contender, interleaved, @rounds times. */
static void table(enum workload w, size_t n, int rounds, FILE *dat)
{
	const struct contender *cursor = find("alba_cursor_alloc");
	const struct contender *locked = find("alba_alloc (locked)");
	const struct contender *spin = find("bump+pthread_spin (floor)");
	static double v[NR_CONTENDERS][MAX_ROUNDS];
	struct summary s[NR_CONTENDERS];
	size_t c;
	int r;

	for (r = 0; r < rounds; r++)
		for (c = 0; c < NR_CONTENDERS; c++)
			v[c][r] = measure(&contenders[c], w, n);
	out("\n### W%d: %zu objects of 8..64 bytes, alignment %s (%d rounds)\n\n",
	    w == W1 ? 1 : 2, n, w == W1 ? "8" : "8..4096", rounds);
	out("| allocator | ns/alloc (median) | min - max | vs bump | vs bump+spinlock |\n");
	out("|---|---:|---:|---:|---:|\n");
	for (c = 0; c < NR_CONTENDERS; c++)
		s[c] = summarize(v[c], rounds);
	for (c = 0; c < NR_CONTENDERS; c++) {
		if (s[c].min < 0) {
			out("| %s | not run | | | |\n", contenders[c].name);
			continue;
		}
		out("| %s | %.2f | %.2f - %.2f | %.2fx | %.2fx |\n",
		    contenders[c].name, s[c].median, s[c].min, s[c].max,
		    s[c].median / s[0].median, s[c].median / s[1].median);
		if (dat)
			fprintf(dat, "\"%s\" %.3f %.3f %.3f\n", contenders[c].name,
				s[c].median, s[c].min, s[c].max);
	}
	if (w == W1 && cursor) {
		double q = s[cursor - contenders].median / s[0].median;

		out("\nTarget: alba_cursor_alloc within 1.05x of the bump floor: %.2fx, %s\n",
		    q, q <= 1.05 ? "met" : "missed");
	}
	if (w == W1 && locked && spin) {
		double q = s[locked - contenders].median / s[spin - contenders].median;

		out("\nTarget: alba_alloc (locked) at most 1.05x a bump under a pthread spinlock: %.2fx, %s\n",
		    q, q <= 1.05 ? "met" : "missed");
	}
}

/* ---- W3: threads ------------------------------------------------------------ */

/* One cache line each: cursors side by side would share one. */
struct w3_thread {
	const struct contender *c __attribute__((aligned(64)));
	struct alba_cursor cur;
	struct alba *arena;		/* the thread's arena (or the shared one) */
	struct alba_pcpu *set;		/* the per-thread set */
	struct bump own;		/* the per-thread floor */
	void **objs;
	size_t n;
	volatile int *go;
};

/*
 * Where a round's threads allocate: bench_arena (block 0), or arenas of
 * @block bytes made for the round, one shared or (@each) one a thread;
 * per-thread sets with chunks of @chunk bytes (0: the default, half a
 * block).
 */
struct w3_config {
	size_t block, chunk;
	bool each;
};

static void *w3_fn(void *arg)
{
	struct w3_thread *t = arg;
	bool cursor = !strcmp(t->c->name, "alba_cursor_alloc");
	void *ctx = cursor ? (void *)&t->cur : (void *)t->arena;
	size_t i;

	if (t->c->begin == pcpu_begin)
		ctx = t->set;
	if (t->c->begin == bump_begin)
		ctx = t->c->alloc == bump_alloc ? &t->own : &floor_bump;
	while (!__atomic_load_n(t->go, __ATOMIC_ACQUIRE))
		;
	for (i = 0; i < t->n; i++) {
		char *p = t->c->alloc8(ctx, obj_size(i));

		*p = (char)i;
		t->objs[i] = p;
	}
	if (cursor)
		alba_cursor_fini(&t->cur);
	return NULL;
}

/* Objects per microsecond with @threads threads, each doing @n objects. */
static double w3_round(const struct contender *c, const struct w3_config *cf,
		       int threads, size_t n)
{
	struct alba *arena[2] = { NULL, NULL };
	struct w3_thread t[2];
	pthread_t tid[2];
	volatile int go = 0;
	double t0, t1;
	int k;

	alba_begin();
	bump_begin();
	need_objs(2 * n);
	for (k = 0; k < threads; k++) {
		if (!cf->block)
			arena[k] = bench_arena;
		else if (k == 0 || cf->each)
			arena[k] = alba_create("w3", cf->block, 0);
		else
			arena[k] = arena[0];
		if (!arena[k])
			return 0;
	}
	for (k = 0; k < threads; k++) {
		bool own_set = k == 0 || cf->each;

		t[k] = (struct w3_thread){ .c = c, .objs = objs + k * n, .n = n,
					   .arena = arena[k], .go = &go };
		if (c->begin == pcpu_begin)
			t[k].set = own_set ? alba_pcpu_create(arena[k], cf->chunk, 0) : t[0].set;
		alba_cursor_init(&t[k].cur, arena[k], 0);
		/* The unlocked floor: half of the floor region for each thread. */
		t[k].own.start = floor_bump.start + k * ((floor_bump.end - floor_bump.start) / 2);
		t[k].own.end = t[k].own.start + (floor_bump.end - floor_bump.start) / 2;
		t[k].own.pos = t[k].own.end;
	}
	for (k = 0; k < threads; k++)
		pthread_create(&tid[k], NULL, w3_fn, &t[k]);
	t0 = now_ns();
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	for (k = 0; k < threads; k++)
		pthread_join(tid[k], NULL);
	t1 = now_ns();
	/* The threads' cursors went back when they exited. */
	for (k = 0; k < threads; k++) {
		if (k == 0 || cf->each)
			alba_pcpu_destroy(t[k].set);
		if (arena[k] == bench_arena)
			alba_reset(bench_arena);
		else if (k == 0 || cf->each)
			alba_destroy(arena[k]);
	}
	return threads * n / ((t1 - t0) / 1000);
}

/* The speed-up from 1 to 2 threads: medians of @rounds rounds each. */
static double w3_speedup(const struct contender *c, const struct w3_config *cf,
			 size_t n, int rounds, struct summary *s1, struct summary *s2)
{
	double one[MAX_ROUNDS], two[MAX_ROUNDS];
	int r;

	/*
	 * Blocks of this size, warm (faulted in) before the timed rounds;
	 * given back after, so that the cache keeps the next size's.
	 */
	w3_round(c, cf, 2, n);
	for (r = 0; r < rounds; r++) {
		one[r] = w3_round(c, cf, 1, n);
		two[r] = w3_round(c, cf, 2, n);
	}
	*s1 = summarize(one, rounds);
	*s2 = summarize(two, rounds);
	if (cf->block)
		alba_trim();
	return s2->median / s1->median;
}

static void w3(size_t n, int rounds)
{
	static const char *const names[] = {
		"bump (floor)", "bump+spinlock (floor)", "alba_alloc (locked)",
		"alba_cursor_alloc", "alba_pcpu_alloc (per-thread)",
	};
	static const size_t blocks[] = { 32768, 65536, 131072, 262144, 1048576 };
	const struct contender *set = find("alba_pcpu_alloc (per-thread)");
	const struct w3_config plain = { 0, 0, false };
	struct summary s1, s2;
	double up = 0, q;
	size_t i;

	out("\n### W3: W1 from 2 threads on one arena (%zu objects each, %d rounds)\n\n",
	    n, rounds);
	out("| allocator | 1 thread (objects/us) | 2 threads (objects/us) | speed-up |\n");
	out("|---|---:|---:|---:|\n");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct contender *c = find(names[i]);

		q = w3_speedup(c, &plain, n, rounds, &s1, &s2);
		out("| %s | %.1f | %.1f | %.2fx |\n", names[i], s1.median,
		    s2.median, q);
		if (c == set)
			up = q;
	}
	out("\nTarget: the per-thread set's speed-up from 1 to 2 threads at least 1.8x: %.2fx, %s\n",
	    up, up >= 1.8 ? "met" : "missed");

	/*
	 * What the speed-up depends on: how finely the two threads' chunks
	 * interleave in memory (half a block each by default; a whole block
	 * each; an arena each, whose blocks still come from one source).
	 */
	out("\nThe per-thread set's speed-up by block size (arenas made for the round):\n\n");
	out("| block | one arena, chunks of half a block | one arena, chunks of a block | an arena per thread |\n");
	out("|---:|---:|---:|---:|\n");
	for (i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++) {
		const struct w3_config half = { blocks[i], 0, false };
		const struct w3_config whole = { blocks[i], blocks[i], false };
		const struct w3_config each = { blocks[i], 0, true };

		out("| %zu KiB | %.2fx", blocks[i] >> 10,
		    w3_speedup(set, &half, n, rounds, &s1, &s2));
		out(" | %.2fx", w3_speedup(set, &whole, n, rounds, &s1, &s2));
		out(" | %.2fx |\n", w3_speedup(set, &each, n, rounds, &s1, &s2));
	}
}

/* ---- W4: scaling --------------------------------------------------------------- */

/*
 * The fourth column resets with alba_reset_keep(), which keeps every
 * block; the last runs alba_reset() with a block cache large enough for
 * the whole arena, to show what the default cache (256 MiB) costs at 1e7
 * objects.
 */
#define W4_COLUMNS	5

/* (max - min) / (max + min) of the ratios col / floor over @k sizes. */
static double w4_spread(const double *col, const double *floor, int k)
{
	double lo = col[0] / floor[0], hi = lo, q;
	int r;

	for (r = 1; r < k; r++) {
		q = col[r] / floor[r];
		lo = q < lo ? q : lo;
		hi = q > hi ? q : hi;
	}
	return (hi - lo) / (hi + lo);
}

static void w4(int rounds, size_t max_n, FILE *dat)
{
	static const char *const names[W4_COLUMNS] = {
		"bump (floor)", "alba_cursor_alloc", "alba_alloc (locked)",
		"alba_cursor_alloc, alba_reset_keep", "alba_cursor_alloc",
	};
	static const char *const titles[W4_COLUMNS] = {
		"bump (floor)", "alba_cursor_alloc", "alba_alloc (locked)",
		"alba_cursor_alloc, alba_reset_keep",
		"alba_cursor_alloc, no block cache",
	};
	double v[W4_COLUMNS][MAX_ROUNDS], med[W4_COLUMNS][8];
	size_t n, i;
	int r, k = 0;

	out("\n### W4: W1 from 1e3 to %.0e objects (ns/alloc, median of %d rounds)\n\n",
	    (double)max_n, rounds);
	out("| objects |");
	for (i = 0; i < W4_COLUMNS; i++)
		out(" %s |", titles[i]);
	out("\n|---:|---:|---:|---:|---:|---:|\n");
	for (n = 1000; n <= max_n; n *= 10, k++) {
		for (r = 0; r < rounds; r++) {
			for (i = 0; i < W4_COLUMNS; i++) {
				if (i == W4_COLUMNS - 1)
					setenv("ALBA_BLOCK_CACHE_BYTES", "0", 1);
				v[i][r] = measure(find(names[i]), W1, n);
				unsetenv("ALBA_BLOCK_CACHE_BYTES");
			}
		}
		out("| %zu |", n);
		for (i = 0; i < W4_COLUMNS; i++) {
			med[i][k] = summarize(v[i], rounds).median;
			out(" %.2f |", med[i][k]);
		}
		out("\n");
		if (dat)
			fprintf(dat, "%zu %.3f %.3f %.3f %.3f %.3f\n", n, med[0][k],
				med[1][k], med[2][k], med[3][k], med[4][k]);
	}
	out("\nAs a ratio to the floor of the same size, from the smallest to the largest:\n\n");
	out("| objects | cursor / floor | locked / floor | cursor, reset_keep / floor | cursor, no cache / floor |\n|---:|---:|---:|---:|---:|\n");
	for (r = 0, n = 1000; r < k; r++, n *= 10)
		out("| %zu | %.2f | %.2f | %.2f | %.2f |\n", n, med[1][r] / med[0][r],
		    med[2][r] / med[0][r], med[3][r] / med[0][r], med[4][r] / med[0][r]);
	out("\nHow far each column's ratio strays from the middle of its range (the target: +-10%%):");
	for (i = 1; i < W4_COLUMNS; i++)
		out(" %s +-%.0f%%%s", titles[i], w4_spread(med[i], med[0], k) * 100,
		    i < W4_COLUMNS - 1 ? ";" : "\n");
	out("\nTarget: the cursor's ratio to the floor flat within +-10%% from 1e3 to %.0e"
	    " with alba_reset_keep() and the default block cache: %s\n", (double)max_n,
	    w4_spread(med[3], med[0], k) <= 0.10 ? "met" : "missed");
	out("\nTarget: the same with alba_reset(): %s\n",
	    w4_spread(med[1], med[0], k) <= 0.10 ? "met" : "missed");
}

/* ---- W5: memory ------------------------------------------------------------------ */

static void w5(size_t n)
{
	size_t c, i, requested = 0;
	struct alba_stats st;
	int w;

	out("\n### W5: memory for %zu objects\n\n", n);
	for (w = W1; w <= W2; w++) {
		for (i = 0, requested = 0; i < n; i++) {
			alba_alloc(alba_begin(), obj_size(i), obj_align(w, i), 0);
			requested += obj_size(i);
		}
		alba_get_stats(bench_arena, &st);
		out("alba W%d: block_bytes %zu = %.4f x (used + pad %zu) + %zu; requested %zu bytes, %zu bytes padding (%.3f bytes from the OS per byte requested)\n",
		    w + 1, st.block_bytes,
		    (double)st.block_bytes / (st.used_bytes + st.pad_bytes),
		    st.used_bytes + st.pad_bytes,
		    st.block_bytes - (st.used_bytes + st.pad_bytes), requested,
		    st.pad_bytes, (double)st.block_bytes / requested);
		alba_reset(bench_arena);
	}
	out("\n| allocator | W1 RSS growth per requested byte | W2 |\n|---|---:|---:|\n");
	for (c = 0; c < NR_CONTENDERS; c++) {
		double r[2];

		for (w = W1; w <= W2; w++)
			r[w] = child_ns(&(struct contender){
				.name = contenders[c].name,
				.binary = contenders[c].binary ? contenders[c].binary :
					  "alba-bench" }, "--rss", w, n);
		out("| %s | %.3f | %.3f |\n", contenders[c].name, r[0], r[1]);
	}
}

/* ---- callgrind: instructions of the cursor fast path ------------------------------- */

noinline void *bench_cursor_one(struct alba_cursor *cur,
						 size_t size)
{
	return alba_cursor_alloc(cur, size, 8, 0);
}

noinline void *bench_bump_one(struct bump *b, size_t size)
{
	return bump_take(b, size, 8);
}

noinline void *bench_pcpu_one(struct alba_pcpu *pc, size_t size)
{
	return alba_pcpu_alloc(pc, size, 8, 0);
}

static int callgrind(size_t n)
{
	size_t i;

	struct alba_pcpu *pc;

	cursor_begin();
	bump_begin();
	pc = alba_pcpu_create(bench_arena, 0, 0);
	for (i = 0; i < n; i++) {
		*(char *)bench_cursor_one(&bench_cursor, obj_size(i)) = 1;
		*(char *)bench_bump_one(&floor_bump, obj_size(i)) = 1;
		*(char *)bench_pcpu_one(pc, obj_size(i)) = 1;
	}
	alba_pcpu_destroy(pc);
	cursor_end(&bench_cursor, NULL, 0);
	return 0;
}

/* ---- main ---------------------------------------------------------------------------- */

static enum workload parse_w(const char *s)
{
	return !strcmp(s, "W2") ? W2 : W1;
}

int main(int argc, char **argv)
{
	int rounds = 7, i;
	double scale = 1;
	const char *outdir = NULL;
	char path[4096];
	FILE *dat1 = NULL, *dat2 = NULL, *dat4 = NULL;
	const struct contender *c;
	char *slash;

	snprintf(self_dir, sizeof(self_dir), "%s", argv[0]);
	slash = strrchr(self_dir, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(self_dir, ".");

	if (argc == 5 && (!strcmp(argv[1], "--child") || !strcmp(argv[1], "--rss"))) {
		c = find(argv[2]);
		if (!c)
			return 1;
		if (!strcmp(argv[1], "--rss"))
			printf("%.4f\n", rss_per_byte(c, parse_w(argv[3]), strtoul(argv[4], NULL, 0)));
		else
			printf("%.4f\n", child_rounds(c, parse_w(argv[3]),
						      strtoul(argv[4], NULL, 0)));
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--w3")) {
		w3(1000000, rounds);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--callgrind"))
		return callgrind(strtoul(argv[2], NULL, 0));
#ifndef BENCH_JEMALLOC
	if (argc == 5 && !strcmp(argv[1], "--client"))
		return client_child(argv[2], argv[3], atof(argv[4]));
#endif
#if !defined(BENCH_MIMALLOC) && !defined(BENCH_JEMALLOC)
	if (argc == 2 && !strcmp(argv[1], "--costs")) {
		costs(rounds, scale);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--clients")) {
		clients(5, scale);
		return 0;
	}
#endif
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--scale") && i + 1 < argc)
			scale = atof(argv[++i]);
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			outdir = argv[++i];
	}
	if (rounds < 1 || rounds > MAX_ROUNDS)
		rounds = 7;
	if (outdir) {
		snprintf(path, sizeof(path), "%s/results.md", outdir);
		md = fopen(path, "w");
		snprintf(path, sizeof(path), "%s/w1.dat", outdir);
		dat1 = fopen(path, "w");
		snprintf(path, sizeof(path), "%s/w2.dat", outdir);
		dat2 = fopen(path, "w");
		snprintf(path, sizeof(path), "%s/w4.dat", outdir);
		dat4 = fopen(path, "w");
	}
	table(W1, 100000 * scale, rounds, dat1);
	table(W2, 100000 * scale, rounds, dat2);
	w3(1000000 * scale, rounds);
	w4(rounds, scale >= 1 ? 10000000 : 10000, dat4);
	w5(1000000 * scale);
#if !defined(BENCH_MIMALLOC) && !defined(BENCH_JEMALLOC)
	costs(rounds, scale);
	clients(rounds < 5 ? rounds : 5, scale);
#endif
	if (md)
		fclose(md);
	if (dat1)
		fclose(dat1);
	if (dat2)
		fclose(dat2);
	if (dat4)
		fclose(dat4);
	return 0;
}
