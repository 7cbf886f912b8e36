// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * posix.c - blocks, threads and fork() for Linux, the BSDs and macOS.
 *
 * Included by prim.c only. Also: yielding, thread-local slots, and the
 * fork() handlers. A block of 2^shift bytes aligned to its size comes
 * from one anonymous mmap() of size + size - page bytes, trimmed
 * with munmap() on both sides, so no more than the block stays mapped.
 * (posix_memalign() would keep up to a whole block of waste per block.)
 * The OS gives page-aligned mappings, so a one-page block needs no trim.
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MAP_ANONYMOUS
#define MAP_ANONYMOUS MAP_ANON
#endif

void alba_user_yield(void)
{
	sched_yield();
}

/* Thread-local slots with a destructor at thread exit (alba_pcpu). */
typedef pthread_key_t alba_os_tls_t;

static bool alba_os_tls_create(alba_os_tls_t *key, void (*dtor)(void *))
{
	return pthread_key_create(key, dtor) == 0;
}

static void *alba_os_tls_get(alba_os_tls_t key)
{
	return pthread_getspecific(key);
}

static bool alba_os_tls_set(alba_os_tls_t key, void *value)
{
	return pthread_setspecific(key, value) == 0;
}

/*
 * Where thread-local variables are not initial-exec (not ELF): the
 * per-thread sets' one-entry cache. @dtor runs at thread exit, as a
 * key's destructor (glibc clears every key's value before each round of
 * destructors, its own or not). (_peek: the value, or NULL where asking
 * costs more; then _get.)
 */
typedef pthread_key_t alba_os_fast_t;
#define alba_os_fast_create(key, dtor)	alba_os_tls_create(key, dtor)
#define alba_os_fast_get		alba_os_tls_get
#define alba_os_fast_peek		alba_os_tls_get
#define alba_os_fast_set		alba_os_tls_set

static void (*atfork_fn[3])(void);
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void atfork_register(void)
{
	pthread_atfork(__atomic_load_n(&atfork_fn[0], __ATOMIC_RELAXED),
		       __atomic_load_n(&atfork_fn[1], __ATOMIC_RELAXED),
		       __atomic_load_n(&atfork_fn[2], __ATOMIC_RELAXED));
}

/*
 * Register the fork() handlers, once per process. Every caller stores the
 * same three, at once with others (atomics: no data race for TSan).
 */
static void alba_os_atfork_once(void (*prepare)(void), void (*parent)(void),
				void (*child)(void))
{
	__atomic_store_n(&atfork_fn[0], prepare, __ATOMIC_RELAXED);
	__atomic_store_n(&atfork_fn[1], parent, __ATOMIC_RELAXED);
	__atomic_store_n(&atfork_fn[2], child, __ATOMIC_RELAXED);
	pthread_once(&atfork_once, atfork_register);
}

static long trimmed;

const char *alba_user_block_method(long *os_aligned, long *self_aligned)
{
	*os_aligned = 0;
	*self_aligned = __atomic_load_n(&trimmed, __ATOMIC_RELAXED);
	return "mmap, trimmed to the aligned block";
}

static void *map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void *alba_os_block_alloc(unsigned int shift)
{
	size_t size = (size_t)1 << shift;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t raw, base;
	size_t len;
	void *p;

	if (size <= page)
		return map(size);
	/* A size-aligned run of size bytes lies inside any size + size - page. */
	len = size + size - page;
	if (len < size)
		return NULL;
	p = map(len);
	if (!p)
		return NULL;
	__atomic_add_fetch(&trimmed, 1, __ATOMIC_RELAXED);
	raw = (uintptr_t)p;
	base = (raw + size - 1) & ~(uintptr_t)(size - 1);
	if (base > raw)
		munmap(p, base - raw);
	if (raw + len > base + size)
		munmap((void *)(base + size), raw + len - (base + size));
	return (void *)base;
}

void alba_os_block_free(void *base, unsigned int shift)
{
	munmap(base, (size_t)1 << shift);
}

void alba_os_block_discard(void *p, size_t size)
{
	madvise(p, size, MADV_DONTNEED);
}

#ifndef MAP_NORESERVE
#define MAP_NORESERVE	0
#endif

/*
 * One mmap() over the range each way, which replaces the old mapping at
 * once: a thread reading it never finds it unmapped. Retired, it is
 * read-only zero pages: no memory, no commit charge.
 */
void alba_os_block_retire(void *base, unsigned int shift)
{
	void *p = mmap(base, (size_t)1 << shift, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
		       -1, 0);

	/* It failed: the pages stay, but go back to the OS. */
	if (p == MAP_FAILED)
		madvise(base, (size_t)1 << shift, MADV_DONTNEED);
}

bool alba_os_block_revive(void *base, unsigned int shift)
{
	return mmap(base, (size_t)1 << shift, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == base;
}

/* Tests: one page alone in its mapping, with nothing mapped at the
 * block_size boundary below it (see alba_of_foreign_test). */
void *alba_user_lonely_page(size_t block_size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), len = 3 * block_size;
	uintptr_t raw, p;
	void *m = map(len);

	if (!m)
		return NULL;
	raw = (uintptr_t)m;
	p = ((raw + block_size - 1) & ~(uintptr_t)(block_size - 1)) + block_size / 4;
	munmap(m, p - raw);
	munmap((void *)(p + page), raw + len - (p + page));
	return (void *)p;
}

void alba_user_lonely_page_free(void *p)
{
	munmap(p, (size_t)sysconf(_SC_PAGESIZE));
}
