/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * bench.h - what bench.c shares with the other parts of the benchmark:
 * clients.c (real programs, cJSON and Lua, on each allocator) and
 * costs.c (what the contract costs: alba_of(), statistics, the lock).
 */
#ifndef _ALBA_BENCH_H
#define _ALBA_BENCH_H

#include <stddef.h>
#include <stdio.h>

#define MAX_ROUNDS	32

struct summary {
	double median, min, max;
};

/* Print to stdout and to results.md. */
void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
struct summary summarize(double *v, int n);
double now_ns(void);
/* Pin to the last CPU, so that a round does not migrate midway. */
void pin(void);
void unpin(void);
/* The directory of the benchmark binaries. */
extern char self_dir[4096];

/* clients.c */
void clients(int rounds, double scale);
int client_child(const char *name, const char *doc, double scale);

/* costs.c */
void costs(int rounds, double scale);

#endif /* _ALBA_BENCH_H */
