// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * costs.c - what parts of the contract cost, measured in one run:
 *
 * - alba_of() on alba's own pointers, which asks the registry of live
 *   block headers before it reads one, against a mask and the header
 *   reads alone (what alba_of() did before it could refuse any pointer);
 * - alba_get_stats() with 10 blocks and with 100,000 (O(1): the same);
 * - the poller probe: 4 threads make 80,000 allocations (two locked, two
 *   through cursors) in a 2,000-block arena, alone and while a fifth
 *   thread reads the statistics without pause;
 * - the lock: the bump floor under alba's lock (test-and-set with a queue
 *   for its waiters) against the same floor under a bare test-and-set
 *   lock, uncontended.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alba.h"
#include "alba_plat.h"
#include "bench.h"

/* The header fields alba_of() reads, as the core lays them out. */
struct header_mirror {
	uintptr_t check;
	const uintptr_t *arena;
};

/*
 * alba_of() without the registry, as it was before it could refuse any
 * pointer: the same argument checks, the mask, the header's check word and
 * a read of the arena it names.
 */
static noinline const void *mask_and_read(const void *p, size_t block_size)
{
	const struct header_mirror *h;

	if (!block_size)
		block_size = ALBA_DEFAULT_BLOCK_SIZE;
	if (!p || (block_size & (block_size - 1)) ||
	    block_size < ((size_t)1 << ALBA_PLAT_PAGE_SHIFT) ||
	    block_size > ((size_t)1 << ALBA_PLAT_MAX_SHIFT))
		return NULL;
	h = (const void *)(((uintptr_t)p - 1) & ~(uintptr_t)(block_size - 1));
	if (!h || (h->check ^ (uintptr_t)h->arena ^ (uintptr_t)h) == 0 ||
	    *h->arena == (uintptr_t)__builtin_ctzl(block_size))
		return NULL;
	return h->arena;
}

/* ns per call of @fn over @n pointers, median of @rounds passes. */
static double per_call(int which, void **p, size_t n, int rounds)
{
	double v[MAX_ROUNDS], t0;
	volatile uintptr_t sink = 0;
	size_t i;
	int r;

	for (r = 0; r < rounds; r++) {
		t0 = now_ns();
		for (i = 0; i < n; i++)
			sink += which ? (uintptr_t)alba_of(p[i], 0) :
					(uintptr_t)mask_and_read(p[i], 0);
		v[r] = (now_ns() - t0) / n;
	}
	(void)sink;
	return summarize(v, rounds).median;
}

static void of_cost(int rounds, double scale)
{
	size_t i, n = (size_t)(100000 * scale) + 100;
	struct alba *a = alba_create("of", 0, 0);
	void **p = malloc(n * sizeof(*p));
	double floor_ns, of_ns;

	if (!a || !p)
		abort();
	for (i = 0; i < n; i++)
		p[i] = alba_alloc(a, 8 + i % 57, 8, 0);
	floor_ns = per_call(0, p, n, rounds);
	of_ns = per_call(1, p, n, rounds);
	out("\n### alba_of() on %zu of alba's pointers (median of %d passes)\n\n", n, rounds);
	out("| | ns/call | ratio |\n|---|---:|---:|\n");
	out("| the same checks without the registry (alba_of() before it) | %.2f | 1.00x |\n", floor_ns);
	out("| alba_of(): registry, then the header | %.2f | %.2fx |\n", of_ns, of_ns / floor_ns);
	out("\nTarget: alba_of() at most 2x the same checks without the registry: %s\n",
	    of_ns <= 2 * floor_ns ? "met" : "missed");
	free(p);
	alba_destroy(a);
}

static double stats_ns(size_t blocks, int rounds)
{
	struct alba *a = alba_create("stats", 4096, 0);
	double v[MAX_ROUNDS], t0;
	struct alba_stats s;
	int r, k, calls = 100000;

	if (!a)
		abort();
	do {
		alba_alloc(a, 3000, 8, 0);
		alba_get_stats(a, &s);
	} while (s.blocks < blocks);
	for (r = 0; r < rounds; r++) {
		t0 = now_ns();
		for (k = 0; k < calls; k++)
			alba_get_stats(a, &s);
		v[r] = (now_ns() - t0) / calls;
	}
	alba_destroy(a);
	return summarize(v, rounds).median;
}

struct probe {
	struct alba *arena;
	size_t n;
	int cursor;
	int *stop;
	unsigned long polls;
};

static void *probe_fn(void *arg)
{
	struct probe *p = arg;
	struct alba_cursor cur;
	size_t i;

	alba_cursor_init(&cur, p->arena, 0);
	for (i = 0; i < p->n; i++) {
		char *o = p->cursor ? alba_cursor_alloc(&cur, 8 + i % 57, 8, 0) :
				      alba_alloc(p->arena, 8 + i % 57, 8, 0);
		*o = 1;
	}
	alba_cursor_fini(&cur);
	return NULL;
}

static void *poller_fn(void *arg)
{
	struct probe *p = arg;
	struct alba_stats s;

	while (!__atomic_load_n(p->stop, __ATOMIC_RELAXED)) {
		alba_get_stats(p->arena, &s);
		p->polls++;
	}
	return NULL;
}

/* Milliseconds for 4 threads to make @n allocations, with or without a poller. */
static double probe_ms(size_t n, int poll, unsigned long *polls)
{
	struct alba *a = alba_create("probe", 0, 0);
	struct probe t[5];
	pthread_t tid[5];
	struct alba_stats s;
	int k, stop = 0;
	double t0, ms;

	do {
		alba_alloc(a, 30000, 8, 0);	/* 2,000 blocks first */
		alba_get_stats(a, &s);
	} while (s.blocks < 2000);
	for (k = 0; k < 5; k++)
		t[k] = (struct probe){ .arena = a, .n = n / 4, .cursor = k % 2,
				       .stop = &stop };
	if (poll)
		pthread_create(&tid[4], NULL, poller_fn, &t[4]);
	t0 = now_ns();
	for (k = 0; k < 4; k++)
		pthread_create(&tid[k], NULL, probe_fn, &t[k]);
	for (k = 0; k < 4; k++)
		pthread_join(tid[k], NULL);
	ms = (now_ns() - t0) / 1e6;
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	if (poll)
		pthread_join(tid[4], NULL);
	*polls = t[4].polls;
	alba_destroy(a);
	return ms;
}

/* A bare test-and-test-and-set lock, the floor of any lock. */
static int tas;

static inline void tas_lock(void)
{
	while (__atomic_exchange_n(&tas, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&tas, __ATOMIC_RELAXED))
			;
}

static inline void tas_unlock(void)
{
	__atomic_store_n(&tas, 0, __ATOMIC_RELEASE);
}

/* ns per allocation of the floor under one lock or the other, one round. */
static double lock_ns(int albas, size_t n)
{
	static alba_plat_lock_t lock;
	static uintptr_t pos;
	double t0 = now_ns();
	size_t i;

	for (i = 0; i < n; i++) {
		if (albas) {
			alba_user_lock(&lock);
			pos = ((pos + 7) & ~(uintptr_t)7) + 8 + i % 57;
			alba_user_unlock(&lock);
		} else {
			tas_lock();
			pos = ((pos + 7) & ~(uintptr_t)7) + 8 + i % 57;
			tas_unlock();
		}
	}
	return (now_ns() - t0) / n;
}

void costs(int rounds, double scale)
{
	size_t big = scale >= 1 ? 100000 : (size_t)(100000 * scale) + 10;
	double s10, sbig, alone, polled, ratio = 0, ttas, albas;
	double va[MAX_ROUNDS], vp[MAX_ROUNDS];
	unsigned long polls = 0, none;
	size_t k, n = (size_t)(80000 * scale) + 400;
	int r;

	pin();
	of_cost(rounds, scale);

	s10 = stats_ns(10, rounds);
	sbig = stats_ns(big, rounds);
	out("\n### alba_get_stats(): ns per call\n\n");
	out("| 10 blocks | %zu blocks | ratio |\n|---:|---:|---:|\n", big);
	out("| %.1f | %.1f | %.2fx |\n", s10, sbig, sbig / s10);

	unpin();	/* the probe's threads run on every CPU */
	out("\n### The poller probe: 4 threads, a 2,000-block arena, alone and with a fifth thread reading the stats (median of %d)\n\n",
	    rounds);
	out("| allocations | alone | with the poller | ratio | stats reads (last run) |\n|---:|---:|---:|---:|---:|\n");
	for (k = 1; k <= 10; k *= 10) {
		probe_ms(n * k, 0, &none);	/* warm-up: the blocks' first faults */
		for (r = 0; r < rounds; r++) {
			va[r] = probe_ms(n * k, 0, &none);
			vp[r] = probe_ms(n * k, 1, &polls);
		}
		alone = summarize(va, rounds).median;
		polled = summarize(vp, rounds).median;
		out("| %zu | %.1f ms | %.1f ms | %.2fx | %lu |\n", n * k, alone, polled,
		    polled / alone, polls);
		if (k == 1)
			ratio = polled / alone;
	}
	pin();
	out("\nTarget: the poller costs at most 10x (%zu allocations): %.2fx, %s\n", n,
	    ratio, ratio <= 10 ? "met" : "missed");

	for (r = 0; r < rounds; r++) {	/* interleaved, as noise comes and goes */
		va[r] = lock_ns(0, n * 10);
		vp[r] = lock_ns(1, n * 10);
	}
	ttas = summarize(va, rounds).median;
	albas = summarize(vp, rounds).median;
	out("\n### The lock, uncontended: the bump floor under each (ns per allocation)\n\n");
	out("| bare test-and-set | alba's (queued waiters) | ratio |\n|---:|---:|---:|\n");
	out("| %.2f | %.2f | %.2fx |\n", ttas, albas, albas / ttas);
	out("\nTarget: alba's lock within 5%% of a bare test-and-set, uncontended: %s\n",
	    albas <= 1.05 * ttas ? "met" : "missed");
}
