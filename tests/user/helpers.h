/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Helpers shared by the userspace test programs, the fuzzer and the
 * benchmark (which include it as "helpers.h" through -Itests/user).
 */
#ifndef _ALBA_TESTS_HELPERS_H
#define _ALBA_TESTS_HELPERS_H

#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "alba.h"
#include "../../kunit/alba_test_stats.h"

/* Threads, on POSIX and Windows alike. */
#ifdef _WIN32
#include <windows.h>
typedef HANDLE thread_t;
#define THREAD_FN(name, arg)	DWORD WINAPI name(LPVOID arg)
#define THREAD_RET		0
static inline int thread_start(thread_t *t, LPTHREAD_START_ROUTINE fn, void *arg)
{
	*t = CreateThread(NULL, 0, fn, arg, 0, NULL);
	return *t ? 0 : -1;
}

static inline void thread_join(thread_t t)
{
	WaitForSingleObject(t, INFINITE);
	CloseHandle(t);
}
#else
#include <pthread.h>
typedef pthread_t thread_t;
#define THREAD_FN(name, arg)	void *name(void *arg)
#define THREAD_RET		NULL
static inline int thread_start(thread_t *t, void *(*fn)(void *), void *arg)
{
	return pthread_create(t, NULL, fn, arg);
}

static inline void thread_join(thread_t t)
{
	pthread_join(t, NULL);
}
#endif

#ifndef _WIN32
/* Resident memory of this process, in bytes (Linux). */
static inline long alba_test_rss_bytes(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * sysconf(_SC_PAGESIZE);
}
#endif

/* @b is @a after one failed call: everything the same but @failed. */
static inline bool alba_test_same_but_failed(const struct alba_stats *a,
					     const struct alba_stats *b)
{
	return a->blocks == b->blocks && a->block_bytes == b->block_bytes &&
	       a->used_bytes == b->used_bytes && a->pad_bytes == b->pad_bytes &&
	       a->tail_bytes == b->tail_bytes && a->free_bytes == b->free_bytes &&
	       a->reserved_bytes == b->reserved_bytes &&
	       a->allocs == b->allocs && a->failed + 1 == b->failed;
}

#endif /* _ALBA_TESTS_HELPERS_H */
