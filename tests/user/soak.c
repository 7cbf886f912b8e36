// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Soak: mixed operations from 4 threads on one arena, in phases. In each
 * phase every thread allocates (locked, and through its own cursor, with
 * sizes and alignments that vary), fills each object with its own pattern
 * and checks all of them before the phase ends. Between phases one thread
 * resets the arena or rewinds it to a mark taken at the start. At the end
 * the live-block count must be back to zero, and resident memory must be
 * bounded: it grows while the block cache fills, so the last third of the
 * cycles may not peak more than 10% (+1 MiB) above the middle third.
 *
 *   alba_soak [total-operations]	(default 1e6; make soak runs 1e8)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alba.h"
#include "alba_plat.h"
#include "helpers.h"

#define THREADS		4
#define PER_PHASE	20000	/* operations per thread per phase */

struct obj {
	unsigned char *p;
	size_t size;
	unsigned char pattern;
};

static struct alba *arena;
static pthread_barrier_t barrier;
static unsigned long phases;
static unsigned long bad[THREADS];
static unsigned long ops[THREADS];

static unsigned long long rnd(unsigned long long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void *worker(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg;
	unsigned long long s = 0x9e3779b97f4a7c15ULL * (id + 1);
	struct obj *obj = calloc(PER_PHASE, sizeof(*obj));
	struct alba_cursor cur;
	unsigned long phase, i, n;
	size_t j;

	if (!obj)
		abort();
	for (phase = 0; phase < phases; phase++) {
		alba_cursor_init(&cur, arena, 0);
		for (n = 0, i = 0; i < PER_PHASE; i++) {
			unsigned long long r = rnd(&s);
			size_t size = 1 + r % 300, align = (size_t)1 << (r >> 32) % 8;
			unsigned char *p;

			if (r % 97 == 0)
				size += 40000;	/* larger than a block */
			p = r & 1 ? alba_cursor_alloc(&cur, size, align, 0) :
				alba_alloc(arena, size, align, 0);
			ops[id]++;
			if (!p || ((uintptr_t)p & (align - 1))) {
				bad[id]++;
				continue;
			}
			obj[n].p = p;
			obj[n].size = size;
			obj[n].pattern = (unsigned char)(r >> 16) | 1;
			memset(p, obj[n].pattern, size);
			n++;
		}
		alba_cursor_fini(&cur);
		for (i = 0; i < n; i++)
			for (j = 0; j < obj[i].size; j++)
				if (obj[i].p[j] != obj[i].pattern) {
					bad[id]++;
					break;
				}
		/* All threads done with this phase's objects... */
		pthread_barrier_wait(&barrier);
		/* ...while thread 0 resets or rewinds between the barriers. */
		pthread_barrier_wait(&barrier);
	}
	free(obj);
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned long long total = argc > 1 ? strtoull(argv[1], NULL, 0) : 1000000;
	long mid = 0, late = 0, rss;
	pthread_t t[THREADS];
	struct alba_mark mark;
	unsigned long phase, k, sum_bad = 0, sum_ops = 0, rewinds_missed = 0;
	struct alba_stats st;
	int failed = 0;

	phases = total / (THREADS * PER_PHASE);
	if (phases < 6)
		phases = 6;
	arena = alba_create("soak", 0, 0);
	if (!arena)
		return 1;
	mark = alba_mark(arena);
	pthread_barrier_init(&barrier, NULL, THREADS + 1);
	for (k = 0; k < THREADS; k++)
		pthread_create(&t[k], NULL, worker, (void *)(uintptr_t)k);
	for (phase = 0; phase < phases; phase++) {
		pthread_barrier_wait(&barrier);
		rss = alba_test_rss_bytes() / 1024;
		if (phase >= phases / 3 && phase < 2 * phases / 3 && rss > mid)
			mid = rss;
		if (phase >= 2 * phases / 3 && rss > late)
			late = rss;
		if (phase % 2) {
			alba_reset(arena);
		} else {
			/* Every mark is taken on an empty arena. */
			alba_rewind(arena, mark);
			alba_get_stats(arena, &st);
			rewinds_missed += st.used_bytes != 0 || st.blocks != 1;
		}
		if (phase % 2)
			mark = alba_mark(arena);
		pthread_barrier_wait(&barrier);
	}
	for (k = 0; k < THREADS; k++) {
		pthread_join(t[k], NULL);
		sum_bad += bad[k];
		sum_ops += ops[k];
	}
	alba_destroy(arena);

	printf("TAP version 13\n1..4\n");
	printf("# %lu operations over %d threads, %lu reset/rewind cycles\n",
	       sum_ops, THREADS, phases);
	printf("%sok 1 every allocation aligned and every pattern intact (%lu bad)\n",
	       sum_bad ? "not " : "", sum_bad);
	failed |= sum_bad != 0;
	printf("%sok 2 live blocks back to zero (%ld)\n",
	       alba_plat_live_blocks() ? "not " : "", alba_plat_live_blocks());
	failed |= alba_plat_live_blocks() != 0;
	printf("# resident at most %ld KiB in the middle third of the cycles, %ld KiB in the last\n",
	       mid, late);
	k = late <= mid + mid / 10 + 1024;
	printf("%sok 3 resident memory bounded across reset cycles\n", k ? "" : "not ");
	failed |= !k;
	printf("%sok 4 every rewind took effect (%lu did not)\n",
	       rewinds_missed ? "not " : "", rewinds_missed);
	failed |= rewinds_missed != 0;
	return failed;
}
