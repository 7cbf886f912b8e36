// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Threads sharing one arena: through the lock, through one cursor each,
 * through one per-thread set (alba_pcpu), and all at once, with and
 * without a thread polling the statistics. Every object is filled with a
 * pattern naming its thread and index; after the join, every pattern must
 * be intact, no two objects may overlap, and the stats must count every
 * byte. Also: fork() while another thread keeps taking the arena's lock.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kunit/test.h>

#include "alba.h"
#include "alba_plat.h"
#include "../../kunit/alba_test_stats.h"
#include "helpers.h"


#define THREADS		4
#define PER_THREAD	20000

struct worker {
	struct alba *arena;
	struct alba_pcpu *pc;
	char mode;		/* 'l' locked, 'c' own cursor, 'r' own cursor
				 * initialised again (no fini) every 500
				 * objects, 'p' per-thread set */
	unsigned int id;
	u8 **obj;
	size_t *size;
	size_t used;
	unsigned int failed;
};

static u8 pattern(unsigned int id, size_t i)
{
	return (u8)(id * 64 + i * 7 + 1);
}

static THREAD_FN(worker_fn, arg)
{
	struct worker *w = arg;
	struct alba_cursor cur;
	size_t i, size, align;
	u8 *p;

	if (w->mode == 'c' || w->mode == 'r')
		alba_cursor_init(&cur, w->arena, 0);
	for (i = 0; i < PER_THREAD; i++) {
		if (w->mode == 'r' && i % 500 == 499)
			alba_cursor_init(&cur, w->arena, 1024 + 64 * (i % 7));
		size = 1 + (i * 37 + w->id * 11) % 120;
		if (i % 1000 == 999)
			size = 5000 + w->id;	/* beyond a cursor chunk */
		align = (size_t)1 << ((i + w->id) % 7);
		p = w->mode == 'c' || w->mode == 'r' ?
			alba_cursor_alloc(&cur, size, align, 0) :
		    w->mode == 'p' ? alba_pcpu_alloc(w->pc, size, align, 0) :
				     alba_alloc(w->arena, size, align, 0);
		if (!p || ((uintptr_t)p & (align - 1))) {
			w->failed++;
			continue;
		}
		memset(p, pattern(w->id, i), size);
		w->obj[i] = p;
		w->size[i] = size;
		w->used += size;
	}
	/*
	 * A per-thread set's cursor is retired when this thread exits; 'r'
	 * leaves its cursor to the next alba_cursor_init() at its address.
	 */
	if (w->mode == 'c')
		alba_cursor_fini(&cur);
	else if (w->mode == 'r')
		alba_cursor_init(&cur, w->arena, 0);
	return THREAD_RET;
}

struct poller {
	struct alba *arena;
	int done;
	unsigned long polls;
	unsigned long bad;
};

/* Reads the statistics as fast as it can until told to stop. */
static THREAD_FN(poller_fn, arg)
{
	struct poller *pl = arg;
	struct alba_stats s;

	while (!__atomic_load_n(&pl->done, __ATOMIC_ACQUIRE)) {
		alba_get_stats(pl->arena, &s);
		pl->bad += !alba_stats_add_up(&s);
		__atomic_add_fetch(&pl->polls, 1, __ATOMIC_RELEASE);
	}
	return THREAD_RET;
}

struct span {
	uintptr_t start, end;
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* One thread per letter of @modes (see struct worker); @poll: and a poller. */
static void run_threads(struct kunit *test, const char *modes, bool poll)
{
	struct alba *arena = alba_create("threads", 0, 0);
	struct poller pl = { .arena = arena };
	struct worker w[THREADS];
	thread_t t[THREADS], tp = 0;
	struct alba_pcpu *pc;
	struct alba_stats s;
	struct span *spans;
	size_t i, n = 0, used = 0, bad = 0;
	unsigned int k;

	KUNIT_ASSERT_NOT_NULL(test, arena);
	pc = alba_pcpu_create(arena, 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, pc);
	spans = kunit_kcalloc(test, THREADS * PER_THREAD, sizeof(*spans), 0);
	KUNIT_ASSERT_NOT_NULL(test, spans);
	for (k = 0; k < THREADS; k++) {
		w[k] = (struct worker){ .arena = arena, .pc = pc, .id = k,
					.mode = modes[k] };
		w[k].obj = kunit_kcalloc(test, PER_THREAD, sizeof(u8 *), 0);
		w[k].size = kunit_kcalloc(test, PER_THREAD, sizeof(size_t), 0);
		KUNIT_ASSERT_NOT_NULL(test, w[k].obj);
		KUNIT_ASSERT_NOT_NULL(test, w[k].size);
	}
	/*
	 * The workers start once the poller reads: on a loaded machine (or
	 * under qemu-i386) it was once not scheduled before they were done.
	 */
	if (poll) {
		KUNIT_ASSERT_EQ(test, thread_start(&tp, poller_fn, &pl), 0);
		while (!__atomic_load_n(&pl.polls, __ATOMIC_ACQUIRE))
			alba_user_yield();
	}
	for (k = 0; k < THREADS; k++)
		KUNIT_ASSERT_EQ(test, thread_start(&t[k], worker_fn, &w[k]), 0);
	for (k = 0; k < THREADS; k++)
		thread_join(t[k]);
	if (poll) {
		__atomic_store_n(&pl.done, 1, __ATOMIC_RELEASE);
		thread_join(tp);
		KUNIT_EXPECT_GT(test, pl.polls, 0);
		KUNIT_EXPECT_EQ(test, pl.bad, 0);
	}

	for (k = 0; k < THREADS; k++) {
		KUNIT_EXPECT_EQ(test, w[k].failed, 0);
		used += w[k].used;
		for (i = 0; i < PER_THREAD; i++) {
			const u8 *p = w[k].obj[i];
			size_t j;

			if (!p)
				continue;
			for (j = 0; j < w[k].size[i]; j++)
				if (p[j] != pattern(k, i))
					break;
			bad += j != w[k].size[i];
			KUNIT_EXPECT_PTR_EQ(test, alba_of(p, 0), arena);
			spans[n].start = (uintptr_t)p;
			spans[n++].end = (uintptr_t)p + w[k].size[i];
		}
	}
	KUNIT_EXPECT_EQ(test, bad, 0);
	KUNIT_EXPECT_EQ(test, n, THREADS * PER_THREAD);
	qsort(spans, n, sizeof(*spans), span_cmp);
	for (i = 1; i < n; i++)
		if (spans[i - 1].end > spans[i].start)
			bad++;
	KUNIT_EXPECT_EQ_MSG(test, bad, 0, "overlapping objects");

	alba_get_stats(arena, &s);
	KUNIT_EXPECT_EQ(test, s.used_bytes, used);
	KUNIT_EXPECT_EQ(test, s.allocs, THREADS * PER_THREAD);
	KUNIT_EXPECT_EQ(test, s.reserved_bytes, 0);
	KUNIT_EXPECT_TRUE(test, alba_stats_add_up(&s));
	kunit_info(test, "threads %s%s: %d objects each, %zu blocks, %zu bytes used%s",
		   modes, poll ? " and a poller" : "", PER_THREAD, s.blocks,
		   s.used_bytes, poll ? "; stats read while they ran" : "");
	alba_pcpu_destroy(pc);
	alba_destroy(arena);
}

static void alba_threads_locked_test(struct kunit *test)
{
	run_threads(test, "llll", false);
}

static void alba_threads_cursor_test(struct kunit *test)
{
	run_threads(test, "cccc", false);
}

/*
 * Own cursors initialised again while they hold chunks, the holders' list
 * shared with two threads that init and fini theirs.
 */
static void alba_threads_reinit_test(struct kunit *test)
{
	run_threads(test, "rrcr", false);
}

#define SHRINK_ROUNDS	200000

struct shrinker {
	struct alba *arena;
	bool shrink;		/* else: allocate and write */
	unsigned long in_place;
	unsigned long failed;
};

static THREAD_FN(shrink_fn, arg)
{
	struct shrinker *sh = arg;
	unsigned long i;
	u8 *p, *q;

	for (i = 0; i < SHRINK_ROUNDS; i++) {
		p = alba_alloc(sh->arena, sh->shrink ? 256 : 48, 8, 0);
		if (!p) {
			sh->failed++;
			continue;
		}
		memset(p, 0x11, sh->shrink ? 256 : 48);
		if (!sh->shrink)
			continue;
		q = alba_realloc(sh->arena, p, 256, 16, 8, 0);
		if (!q) {
			sh->failed++;
			continue;
		}
		sh->in_place += q == p;
		memset(q, 0x22, 16);
	}
	return THREAD_RET;
}

/*
 * A shrink in place gives the tail to whichever thread allocates next: it
 * must be poisoned under the lock, before that thread can have it (ASan
 * reports the other thread's write otherwise; issue 19 row 1).
 */
static void alba_threads_shrink_test(struct kunit *test)
{
	struct alba *arena = alba_create("shrink", 0, 0);
	struct shrinker sh[2];
	thread_t t[2];
	int k;

	KUNIT_ASSERT_NOT_NULL(test, arena);
	for (k = 0; k < 2; k++)
		sh[k] = (struct shrinker){ .arena = arena, .shrink = !k };
	for (k = 0; k < 2; k++)
		KUNIT_ASSERT_EQ(test, thread_start(&t[k], shrink_fn, &sh[k]), 0);
	for (k = 0; k < 2; k++) {
		thread_join(t[k]);
		KUNIT_EXPECT_EQ(test, sh[k].failed, 0);
	}
	KUNIT_EXPECT_GT(test, sh[0].in_place, SHRINK_ROUNDS / 2);
	kunit_info(test, "%lu of %d shrinks in place beside a thread allocating",
		   sh[0].in_place, SHRINK_ROUNDS);
	alba_destroy(arena);
}

#define GROW_ROUNDS	20000

struct grower {
	struct alba *arena;
	int stop;		/* atomic */
	unsigned long in_place, failed;
};

/* The newest object grown in place, again and again, in fresh blocks. */
static THREAD_FN(grow_fn, arg)
{
	struct grower *g = arg;
	int i;

	for (i = 0; i < GROW_ROUNDS; i++) {
		char *p = alba_alloc(g->arena, 16, 8, 0), *q;

		q = p ? alba_realloc(g->arena, p, 16, 48, 8, 0) : NULL;
		if (!q) {
			g->failed++;
			continue;
		}
		g->in_place += p == q;
		memset(q, 0x47, 48);
	}
	__atomic_store_n(&g->stop, 1, __ATOMIC_RELEASE);
	return THREAD_RET;
}

/*
 * alba_validate() may run while other threads allocate: a resize in
 * place must write the debug build's red zone (and unpoison the grown
 * bytes) before it drops the lock, or the walk reads a red zone not yet
 * written (an error counted on a sound arena; TSan's data race, helper
 * audit of round 4). Without ALBA_DEBUG the walk counts no red zones,
 * and the test checks that it finds nothing wrong all the same.
 */
static void alba_threads_validate_test(struct kunit *test)
{
	struct grower g = { .arena = alba_create("validate", 4096, 0) };
	unsigned long walks = 0, errors = 0;
	thread_t t;

	KUNIT_ASSERT_NOT_NULL(test, g.arena);
	KUNIT_ASSERT_EQ(test, thread_start(&t, grow_fn, &g), 0);
	while (!__atomic_load_n(&g.stop, __ATOMIC_ACQUIRE)) {
		errors += alba_validate(g.arena);
		walks++;
	}
	thread_join(t);
	KUNIT_EXPECT_EQ(test, errors, 0);
	KUNIT_EXPECT_EQ(test, g.failed, 0);
	KUNIT_EXPECT_EQ(test, alba_validate(g.arena), 0);
	KUNIT_EXPECT_GT(test, g.in_place, GROW_ROUNDS / 2);
	kunit_info(test, "%lu walks beside %lu growths in place", walks,
		   g.in_place);
	alba_destroy(g.arena);
}

#define KEEP_OBJS	1000

struct keeper {
	struct alba *arena;
	void *obj[KEEP_OBJS];
};

static THREAD_FN(keep_fn, arg)
{
	struct keeper *k = arg;
	int i;

	for (i = 0; i < KEEP_OBJS; i++) {
		k->obj[i] = alba_alloc(k->arena, 3000, 8, 0);
		if (k->obj[i])
			memset(k->obj[i], 0x4b, 3000);
	}
	return THREAD_RET;
}

/*
 * Two threads allocating, at once, from blocks alba_reset_keep() kept
 * (each new block is taken from the kept list, which alba_block_new()
 * peeks at without the lock): every object whole and the arena's, the
 * stats adding up. Under TSan the peek was a data race until it became
 * an atomic load, and its writes atomic stores.
 */
static void alba_threads_kept_blocks_test(struct kunit *test)
{
	struct alba *arena = alba_create("kept", 0, 0);
	struct keeper *k = calloc(2, sizeof(*k));
	unsigned long long before;
	struct alba_stats s;
	int round, i, j, bad = 0;
	thread_t t[2];

	KUNIT_ASSERT_NOT_NULL(test, arena);
	KUNIT_ASSERT_NOT_NULL(test, k);
	for (round = 0; round < 5; round++) {
		for (i = 0; i < 2 * KEEP_OBJS; i++)
			alba_alloc(arena, 3000, 8, 0);
		alba_reset_keep(arena, (size_t)64 << 20);
		alba_get_stats(arena, &s);
		before = s.allocs;
		for (j = 0; j < 2; j++) {
			k[j].arena = arena;
			KUNIT_ASSERT_EQ(test, thread_start(&t[j], keep_fn, &k[j]), 0);
		}
		for (j = 0; j < 2; j++)
			thread_join(t[j]);
		for (j = 0; j < 2; j++)
			for (i = 0; i < KEEP_OBJS; i++)
				bad += !k[j].obj[i] ||
				       alba_of(k[j].obj[i], 0) != arena ||
				       ((unsigned char *)k[j].obj[i])[2999] != 0x4b;
		alba_get_stats(arena, &s);
		KUNIT_EXPECT_TRUE(test, alba_stats_add_up(&s));
		KUNIT_EXPECT_EQ(test, s.allocs - before, 2 * KEEP_OBJS);
		alba_reset(arena);
	}
	KUNIT_EXPECT_EQ(test, bad, 0);
	free(k);
	alba_destroy(arena);
}

/*
 * alba_of() may be asked about any pointer, at any time: here an object
 * of an arena destroyed before, and one of an arena another thread is
 * destroying, while that thread creates, destroys and trims arenas whose
 * blocks (32 MiB: a region each) take the same addresses again and again.
 * Until regions stopped being unmapped and the header started to be read
 * racily on purpose, the read of a header freed after the registry was
 * asked faulted (SIGSEGV) or was an ASan use-after-poison.
 */
struct of_churn {
	void *obj;		/* the churning thread's newest object */
	unsigned long rounds;
	int stop;
};

#define OF_BS	((size_t)32 << 20)

static THREAD_FN(of_churn_fn, arg)
{
	struct of_churn *c = arg;

	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		struct alba *a = alba_create("churn", OF_BS, 0);
		void *p = alba_alloc(a, 64, 0, 0);

		if (p)
			__atomic_store_n(&c->obj, p, __ATOMIC_RELEASE);
		alba_destroy(a);
		alba_trim();
		__atomic_add_fetch(&c->rounds, 1, __ATOMIC_RELEASE);
	}
	return THREAD_RET;
}

static void alba_threads_of_freed_test(struct kunit *test)
{
	struct of_churn c = { 0 };
	struct alba *x = alba_create("stale", OF_BS, 0);
	unsigned long calls = 0, other = 0;
	void *stale = alba_alloc(x, 64, 0, 0), *p;
	struct alba *a;
	time_t start;
	thread_t t;

	KUNIT_ASSERT_NOT_NULL(test, stale);
	alba_set_block_cache(0);	/* every freed block given back */
	alba_destroy(x);
	alba_trim();
	KUNIT_ASSERT_EQ(test, thread_start(&t, of_churn_fn, &c), 0);
	start = time(NULL);
	while (__atomic_load_n(&c.rounds, __ATOMIC_ACQUIRE) < 20000 &&
	       ((calls & 1023) || time(NULL) - start < 3)) {
		p = __atomic_load_n(&c.obj, __ATOMIC_ACQUIRE);
		a = alba_of((calls & 15) && p ? p : stale, OF_BS);
		other += a != NULL;
		calls++;
	}
	__atomic_store_n(&c.stop, 1, __ATOMIC_RELEASE);
	thread_join(t);
	/* No arena is left: both pointers name none now. */
	errno = 0;
	KUNIT_EXPECT_NULL(test, alba_of(stale, OF_BS));
	KUNIT_EXPECT_EQ(test, errno, EINVAL);
	KUNIT_EXPECT_NULL(test, alba_of(c.obj, OF_BS));
	KUNIT_EXPECT_GT(test, __atomic_load_n(&c.rounds, __ATOMIC_ACQUIRE), 100UL);
	kunit_info(test, "%lu arenas made and destroyed, %lu alba_of() calls, %lu found a live arena",
		   c.rounds, calls, other);
	alba_set_block_cache((size_t)256 << 20);	/* the default */
}

static int create_ready;

static THREAD_FN(create_fn, arg)
{
	int *bad = arg;
	int i;

	/* Both start together. */
	__atomic_add_fetch(&create_ready, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&create_ready, __ATOMIC_ACQUIRE) < 2)
		;
	for (i = 0; i < 500; i++) {
		struct alba *a = alba_create("own", 0, 0);

		*bad += !a || !alba_alloc(a, 100, 0, 0);
		alba_destroy(a);
	}
	return THREAD_RET;
}

/*
 * Two threads creating and destroying arenas of their own at once (the
 * first create registers the fork() handlers: a data race under TSan
 * until their stores became atomic).
 */
static void alba_threads_create_test(struct kunit *test)
{
	int bad[2] = { 0, 0 }, j;
	thread_t t[2];

	create_ready = 0;
	for (j = 0; j < 2; j++)
		KUNIT_ASSERT_EQ(test, thread_start(&t[j], create_fn, &bad[j]), 0);
	for (j = 0; j < 2; j++) {
		thread_join(t[j]);
		KUNIT_EXPECT_EQ(test, bad[j], 0);
	}
}

/* Per-thread cursors: each thread's is retired when it exits. */
static void alba_threads_pcpu_test(struct kunit *test)
{
	run_threads(test, "pppp", false);
}

static void alba_threads_mixed_test(struct kunit *test)
{
	run_threads(test, "lcpp", false);
}

/* With waiters queued, a thread reading the stats starves nobody. */
static void alba_threads_poller_test(struct kunit *test)
{
	run_threads(test, "lcpl", true);
}

#ifndef _WIN32
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

struct spinner {
	struct alba *arena;
	int stop;
};

/* Takes the arena's lock over and over: alloc, and reset now and then. */
static THREAD_FN(spinner_fn, arg)
{
	struct spinner *sp = arg;
	unsigned long i;

	for (i = 0; !__atomic_load_n(&sp->stop, __ATOMIC_RELAXED); i++) {
		if (!alba_alloc(sp->arena, 64, 8, 0))
			break;
		if (i % 4096 == 4095)
			alba_reset(sp->arena);
	}
	return THREAD_RET;
}

/*
 * fork() while another thread keeps taking the arena's lock: without the
 * fork handlers some children would find it held forever. Each child
 * allocates from the arena (and a fresh one), checks the stats and exits;
 * an alarm turns a hang into a failure.
 */
static void alba_fork_test(struct kunit *test)
{
	struct spinner sp = { .arena = alba_create("fork", 0, 0) };
	int i, forks = 50, good = 0, status;
	thread_t t;
	pid_t pid;

	KUNIT_ASSERT_NOT_NULL(test, sp.arena);
	KUNIT_ASSERT_EQ(test, thread_start(&t, spinner_fn, &sp), 0);
	for (i = 0; i < forks; i++) {
		pid = fork();
		KUNIT_ASSERT_GE(test, pid, 0);
		if (pid == 0) {
			struct alba *fresh = alba_create("child", 0, 0);
			struct alba_stats s;
			int j;

			alarm(20);
			for (j = 0; j < 1000; j++)
				if (!alba_alloc(sp.arena, 100, 8, 0) ||
				    !alba_alloc(fresh, 100, 8, 0))
					_exit(2);
			alba_get_stats(sp.arena, &s);
			_exit(alba_stats_add_up(&s) ? 0 : 3);
		}
		if (waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0)
			good++;
	}
	__atomic_store_n(&sp.stop, 1, __ATOMIC_RELAXED);
	thread_join(t);
	KUNIT_EXPECT_EQ(test, good, forks);
	kunit_info(test, "%d of %d children used the arena", good, forks);
	alba_destroy(sp.arena);
}

#define RACE_ENV	50000

struct cache_racer {
	void *blk;
	int ready, go;	/* atomic */
};

/* The process's first block free: the first read of the cache limit. */
static THREAD_FN(cache_free_fn, arg)
{
	struct cache_racer *r = arg;

	__atomic_store_n(&r->ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&r->go, __ATOMIC_ACQUIRE))
		;
	alba_plat_block_free(r->blk, 15);
	return THREAD_RET;
}

/*
 * alba_set_block_cache(0) ("any thread, any time") racing the first read
 * of the limit, which reads the environment and stores the default: the
 * setter's 0 must stand. Each child starts with the limit unset and an
 * environment of RACE_ENV variables, so that both sides spend a long
 * getenv() in the window. On the old code (a plain store of the default)
 * 1 to 6 of the 24 children kept 256 MiB, in each of four runs (found by
 * a contract audit).
 */
static void alba_block_cache_race_test(struct kunit *test)
{
	static char *env[RACE_ENV + 1];
	int i, children = 24, good = 0, status;
	pid_t pid;

	for (i = 0; i < RACE_ENV; i++)
		env[i] = "ALBA_TEST_FILLER=1";
	for (i = 0; i < children; i++) {
		pid = fork();
		KUNIT_ASSERT_GE(test, pid, 0);
		if (pid == 0) {
			struct cache_racer r = { 0 };
			struct alba_user_source c;
			extern char **environ;
			thread_t t;

			alarm(20);
			environ = env;
			alba_user_cache_unset();
			r.blk = alba_plat_block_alloc(NULL, 15, 0, NUMA_NO_NODE);
			if (!r.blk || thread_start(&t, cache_free_fn, &r))
				_exit(2);
			while (!__atomic_load_n(&r.ready, __ATOMIC_ACQUIRE))
				;
			__atomic_store_n(&r.go, 1, __ATOMIC_RELEASE);
			if (alba_set_block_cache(0) != 0)
				_exit(3);
			thread_join(t);
			alba_user_source_counts(&c);
			_exit(c.cap_bytes == 0 ? 0 : 1);
		}
		if (waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0)
			good++;
	}
	KUNIT_EXPECT_EQ(test, good, children);
}
#endif

static void alba_threads_live_blocks_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), 0);
}

/*
 * Which way this platform aligns blocks larger than a page, proved by a
 * 1 MiB block: on Windows by VirtualAlloc2 unless ALBA_WIN_FALLBACK asks
 * for the reservation path, on POSIX by trimming an mmap.
 */
static void alba_block_method_test(struct kunit *test)
{
	long os0, self0, os1, self1;
	const char *method = alba_user_block_method(&os0, &self0);
	bool os_path = false;
	void *blk;
#ifdef _WIN32
	const char *force = getenv("ALBA_WIN_FALLBACK");

	os_path = !(force && *force && *force != '0');
#endif
	alba_trim();	/* so that the block comes from the OS */
	alba_user_retired_unmap();
	blk = alba_plat_block_alloc(NULL, 20, 0, NUMA_NO_NODE);
	KUNIT_ASSERT_NOT_NULL(test, blk);
	KUNIT_EXPECT_EQ(test, (uintptr_t)blk & ((1 << 20) - 1), 0);
	alba_plat_block_free(blk, 20);
	alba_user_block_method(&os1, &self1);
	KUNIT_EXPECT_EQ(test, os1 - os0, os_path ? 1 : 0);
	KUNIT_EXPECT_EQ(test, self1 - self0, os_path ? 0 : 1);
	kunit_info(test, "1 MiB block from %s", method);
}

/*
 * Freed blocks are reused from the cache; a drain gives their memory to
 * the OS, and their region's range is used again without asking the OS
 * for another; unmapped (tests only), the next block comes from the OS.
 * 128 KiB: above both the page size and Windows' 64 KiB granularity, so
 * the OS path is counted on every platform.
 */
static void alba_block_cache_test(struct kunit *test)
{
	long os0, self0, os1, self1;
	void *a, *b;

	alba_trim();
	alba_user_retired_unmap();
	alba_user_block_method(&os0, &self0);
	a = alba_plat_block_alloc(NULL, 17, 0, NUMA_NO_NODE);
	KUNIT_ASSERT_NOT_NULL(test, a);
	alba_plat_block_free(a, 17);
	b = alba_plat_block_alloc(NULL, 17, 0, NUMA_NO_NODE);
	KUNIT_EXPECT_PTR_EQ(test, b, a);
	alba_user_block_method(&os1, &self1);
	KUNIT_EXPECT_EQ(test, os1 + self1 - os0 - self0, 1);
	KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), 1);
	alba_plat_block_free(b, 17);
	KUNIT_EXPECT_EQ(test, alba_plat_live_blocks(), 0);
	alba_trim();
	b = alba_plat_block_alloc(NULL, 17, 0, NUMA_NO_NODE);
	KUNIT_EXPECT_PTR_EQ(test, b, a);	/* the retired range again */
	alba_user_block_method(&os0, &self0);
	KUNIT_EXPECT_EQ(test, os0 + self0 - os1 - self1, 0);
	alba_plat_block_free(b, 17);
	alba_trim();
	alba_user_retired_unmap();
	b = alba_plat_block_alloc(NULL, 17, 0, NUMA_NO_NODE);
	KUNIT_ASSERT_NOT_NULL(test, b);
	alba_user_block_method(&os0, &self0);
	KUNIT_EXPECT_EQ(test, os0 + self0 - os1 - self1, 1);
	alba_plat_block_free(b, 17);
}

static struct kunit_case alba_threads_cases[] = {
	KUNIT_CASE(alba_threads_locked_test),
	KUNIT_CASE(alba_threads_cursor_test),
	KUNIT_CASE(alba_threads_reinit_test),
	KUNIT_CASE(alba_threads_shrink_test),
	KUNIT_CASE(alba_threads_validate_test),
	KUNIT_CASE(alba_threads_kept_blocks_test),
	KUNIT_CASE(alba_threads_create_test),
	KUNIT_CASE(alba_threads_of_freed_test),
	KUNIT_CASE(alba_threads_pcpu_test),
	KUNIT_CASE(alba_threads_mixed_test),
	KUNIT_CASE(alba_threads_poller_test),
#ifndef _WIN32
	KUNIT_CASE(alba_fork_test),
	KUNIT_CASE(alba_block_cache_race_test),
#endif
	KUNIT_CASE(alba_threads_live_blocks_test),
	KUNIT_CASE(alba_block_method_test),
	KUNIT_CASE(alba_block_cache_test),
	{}
};

static struct kunit_suite alba_threads_suite = {
	.name = "alba_threads",
	.test_cases = alba_threads_cases,
};

kunit_test_suites(&alba_threads_suite);
