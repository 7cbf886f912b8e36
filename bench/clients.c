// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * clients.c - real programs on each allocator: time per document and peak
 * resident memory.
 *
 * cJSON (Debian's libcjson, hooked with cJSON_InitHooks()) parses a
 * generated JSON document of about 17 MB, the same bytes every time (a
 * seeded generator). Lua 5.4 (lua_newstate() with an allocator function,
 * which needs realloc) runs a script that builds 200,000 records, strings
 * and tables that grow. Each allocator serves every allocation of the
 * program; a round is the parse (or the script) and releasing everything:
 * cJSON_Delete() or lua_close() with malloc, a reset or a destroy for
 * arenas and pools. Every round runs in a fresh process (a warm-up, then
 * the timed one), pinned to one CPU; peak RSS is that process's
 * ru_maxrss, the document included (the same for all).
 *
 * The allocators: glibc malloc/free, APR pools, mimalloc heaps (in the
 * mimalloc binary), and alba three ways: alba_alloc() (with
 * alba_realloc(), in place for the newest object), a cursor, and the
 * per-thread set (alba_pcpu_alloc()). Hooks without a context argument
 * (cJSON's) use a global; the per-thread set is what a multi-threaded
 * parser would use instead.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cjson/cJSON.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "alba.h"
#include "bench.h"

#if defined(BENCH_MIMALLOC)
#include <mimalloc.h>
#elif !defined(BENCH_JEMALLOC)
#include <apr_pools.h>
#endif

struct client_alloc {
	const char *name;
	const char *binary;	/* NULL: alba-bench */
	void (*begin)(void);
	void *(*alloc)(size_t size);
	void *(*grow)(void *p, size_t old, size_t size);
	void (*free)(void *p);	/* NULL: everything goes at end() */
	void (*end)(void);
};

#if !defined(BENCH_MIMALLOC) && !defined(BENCH_JEMALLOC)
/* A new object and a copy, for allocators without realloc. */
static void *copy_grow(void *(*alloc)(size_t), void *p, size_t old, size_t size)
{
	void *n = alloc(size);

	if (n && p)
		memcpy(n, p, old < size ? old : size);
	return n;
}

static void nothing(void)
{
}

static void *m_alloc(size_t size)
{
	return malloc(size);
}

static void *m_grow(void *p, size_t old, size_t size)
{
	(void)old;
	return realloc(p, size);
}

static apr_pool_t *pool;

static void apr_begin(void)
{
	if (!pool) {
		apr_initialize();
		apr_pool_create(&pool, NULL);
	}
}

static void *apr_alloc(size_t size)
{
	return apr_palloc(pool, size);
}

static void *apr_grow(void *p, size_t old, size_t size)
{
	return copy_grow(apr_alloc, p, old, size);
}

static void apr_end(void)
{
	apr_pool_clear(pool);
}

#endif

#if defined(BENCH_MIMALLOC)
static mi_heap_t *heap;

static void mi_begin(void)
{
	heap = mi_heap_new();
}

static void *mi_alloc(size_t size)
{
	return mi_heap_malloc(heap, size);
}

static void *mi_grow(void *p, size_t old, size_t size)
{
	(void)old;
	return mi_heap_realloc(heap, p, size);
}

static void mi_end(void)
{
	mi_heap_destroy(heap);
}
#endif

#if !defined(BENCH_MIMALLOC) && !defined(BENCH_JEMALLOC)
static struct alba *arena;
static struct alba_cursor cursor;
static struct alba_pcpu *pcpu;

static void alba_begin(void)
{
	if (!arena)
		arena = alba_create("clients", 0, 0);
}

static void *alba_a(size_t size)
{
	return alba_alloc(arena, size, 0, 0);
}

static void *alba_g(void *p, size_t old, size_t size)
{
	return alba_realloc(arena, p, old, size, 0, 0);
}

static void alba_end(void)
{
	alba_reset(arena);
}

static void cursor_begin(void)
{
	alba_begin();
	alba_cursor_init(&cursor, arena, 0);
}

static void *cursor_a(size_t size)
{
	return alba_cursor_alloc(&cursor, size, 0, 0);
}

static void *cursor_g(void *p, size_t old, size_t size)
{
	return copy_grow(cursor_a, p, old, size);
}

static void cursor_end(void)
{
	alba_cursor_fini(&cursor);
	alba_reset(arena);
}

static void pcpu_begin(void)
{
	alba_begin();
	pcpu = alba_pcpu_create(arena, 0, 0);
}

static void *pcpu_a(size_t size)
{
	return alba_pcpu_alloc(pcpu, size, 0, 0);
}

static void *pcpu_g(void *p, size_t old, size_t size)
{
	return copy_grow(pcpu_a, p, old, size);
}

static void pcpu_end(void)
{
	alba_pcpu_destroy(pcpu);
	alba_reset(arena);
}
#endif

static const struct client_alloc allocs[] = {
#if defined(BENCH_MIMALLOC)
	{ "mimalloc heap", "alba-bench-mimalloc", mi_begin, mi_alloc, mi_grow, NULL, mi_end },
#elif !defined(BENCH_JEMALLOC)
	{ "glibc malloc/free", NULL, nothing, m_alloc, m_grow, free, nothing },
	{ "APR pool", NULL, apr_begin, apr_alloc, apr_grow, NULL, apr_end },
	{ "mimalloc heap", "alba-bench-mimalloc", NULL, NULL, NULL, NULL, NULL },
	{ "alba_alloc (locked)", NULL, alba_begin, alba_a, alba_g, NULL, alba_end },
	{ "alba_cursor_alloc", NULL, cursor_begin, cursor_a, cursor_g, NULL, cursor_end },
	{ "alba_pcpu_alloc (per-thread)", NULL, pcpu_begin, pcpu_a, pcpu_g, NULL, pcpu_end },
#endif
};

#define NR_ALLOCS	(sizeof(allocs) / sizeof(allocs[0]))

static const struct client_alloc *cur;

/* ---- the JSON document ---------------------------------------------------- */

static uint64_t seed = 0x5a1ba;

static unsigned int rnd(unsigned int n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (unsigned int)((seed * 0x2545F4914F6CDD1DULL) >> 33) % n;
}

/* About 17 MB (times @scale) of records, the same bytes every time. */
static char *make_document(double scale, size_t *len)
{
	size_t cap = (size_t)(18e6 * scale) + 4096, n = 0, i, count;
	char *doc = malloc(cap);

	if (!doc)
		abort();
	count = (size_t)(128000 * scale) + 1;
	n += snprintf(doc + n, cap - n, "{\"records\":[");
	for (i = 0; i < count && n + 512 < cap; i++) {
		n += snprintf(doc + n, cap - n,
			      "%s{\"id\":%zu,\"name\":\"item-%zu-%u\",\"score\":%u.%02u,"
			      "\"active\":%s,\"tags\":[\"t%u\",\"tag%u\",\"label-%u\"],"
			      "\"pos\":{\"x\":%u.5,\"y\":-%u.25},\"note\":%s}",
			      i ? "," : "", i, i, rnd(100000), rnd(1000), rnd(100),
			      rnd(2) ? "true" : "false", rnd(10), rnd(1000), rnd(100000),
			      rnd(1000), rnd(1000), rnd(4) ? "null" : "\"check this one\"");
	}
	n += snprintf(doc + n, cap - n, "]}");
	*len = n;
	return doc;
}

static void *hook_malloc(size_t size)
{
	return cur->alloc(size);
}

static void hook_free(void *p)
{
	if (cur->free)
		cur->free(p);
}

static double json_round(const char *doc, size_t len)
{
	double t0 = now_ns();
	cJSON *root;

	cur->begin();
	root = cJSON_ParseWithLength(doc, len);
	if (!root || cJSON_GetArraySize(cJSON_GetObjectItem(root, "records")) < 1)
		abort();
	if (cur->free)
		cJSON_Delete(root);
	cur->end();
	return now_ns() - t0;
}

/* ---- the Lua script ----------------------------------------------------------- */

static const char script[] =
	"local n = ...\n"
	"local t = {}\n"
	"for i = 1, n do\n"
	"  t[i] = { id = i, name = 'item' .. i, tags = { 'a' .. (i % 7), 'b' .. (i % 11) },\n"
	"          score = (i * 7919) % 1000 / 10 }\n"
	"end\n"
	"local parts, sum = {}, 0\n"
	"for i = 1, #t, 5 do\n"
	"  parts[#parts + 1] = t[i].name .. ':' .. t[i].tags[1] .. ':' .. t[i].score\n"
	"  sum = sum + #t[i].tags\n"
	"end\n"
	"local s = table.concat(parts, ',')\n"
	"local words = {}\n"
	"for w in s:gmatch('[^,]+') do words[#words + 1] = w:upper() end\n"
	"return #s + #words + sum\n";

static void *lua_hook(void *ud, void *p, size_t old, size_t size)
{
	(void)ud;
	if (!size) {
		if (cur->free)
			cur->free(p);
		return NULL;
	}
	if (!p)
		return cur->alloc(size);
	return cur->grow(p, old, size);
}

static double lua_round(double scale)
{
	double t0 = now_ns();
	lua_State *L;

	cur->begin();
	L = lua_newstate(lua_hook, NULL);
	if (!L)
		abort();
	luaL_openlibs(L);
	if (luaL_loadstring(L, script) != LUA_OK)
		abort();
	lua_pushinteger(L, (lua_Integer)(200000 * scale) + 10);
	if (lua_pcall(L, 1, 1, 0) != LUA_OK || lua_tointeger(L, -1) <= 0)
		abort();
	lua_close(L);
	cur->end();
	return now_ns() - t0;
}

/* ---- driver ------------------------------------------------------------------ */

/* In a fresh process: one warm-up and one timed round; "ns maxrss_kib". */
int client_child(const char *name, const char *doc, double scale)
{
	struct rusage ru;
	size_t i, len = 0;
	char *json = NULL;
	double ns;

	for (i = 0; i < NR_ALLOCS; i++)
		if (!strcmp(allocs[i].name, name) && allocs[i].alloc)
			cur = &allocs[i];
	if (!cur)
		return 1;
	pin();
	if (!strcmp(doc, "json")) {
		cJSON_Hooks hooks = { .malloc_fn = hook_malloc, .free_fn = hook_free };

		json = make_document(scale, &len);
		cJSON_InitHooks(&hooks);
		json_round(json, len);
		ns = json_round(json, len);
	} else {
		lua_round(scale);
		ns = lua_round(scale);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("%.0f %ld\n", ns, ru.ru_maxrss);
	free(json);
	return 0;
}

#if !defined(BENCH_MIMALLOC) && !defined(BENCH_JEMALLOC)
static int run_child(const struct client_alloc *a, const char *doc,
		     double scale, double *ns, double *rss)
{
	char cmd[8192];
	long kib = 0;
	FILE *f;
	int ok;

	snprintf(cmd, sizeof(cmd), "%s/%s --client '%s' %s %g", self_dir,
		 a->binary ? a->binary : "alba-bench", a->name, doc, scale);
	f = popen(cmd, "r");
	ok = f && fscanf(f, "%lf %ld", ns, &kib) == 2;
	if (f)
		pclose(f);
	*rss = kib / 1024.0;
	return ok ? 0 : -1;
}

void clients(int rounds, double scale)
{
	static const char *const docs[] = { "json", "lua" };
	static double ns[2][NR_ALLOCS][MAX_ROUNDS], rss[2][NR_ALLOCS][MAX_ROUNDS];
	struct summary t[2][NR_ALLOCS], m[2][NR_ALLOCS];
	size_t a, d, glibc = 0, apr = 1, best;
	int r;

	for (r = 0; r < rounds; r++)
		for (d = 0; d < 2; d++)
			for (a = 0; a < NR_ALLOCS; a++)
				if (run_child(&allocs[a], docs[d], scale, &ns[d][a][r],
					      &rss[d][a][r]))
					ns[d][a][r] = -1;
	out("\n### Real clients: cJSON parsing a %.1f MB document, Lua building %.0f records (%d rounds)\n\n",
	    17.0 * scale, 200000 * scale, rounds);
	out("| allocator | cJSON ms/document | peak RSS MB | vs glibc | Lua ms/run | peak RSS MB | vs glibc |\n");
	out("|---|---:|---:|---:|---:|---:|---:|\n");
	for (a = 0; a < NR_ALLOCS; a++) {
		out("| %s |", allocs[a].name);
		for (d = 0; d < 2; d++) {
			t[d][a] = summarize(ns[d][a], rounds);
			m[d][a] = summarize(rss[d][a], rounds);
			if (t[d][a].min < 0) {
				out(" not run | | |");
				continue;
			}
			out(" %.1f | %.1f | %.2fx |", t[d][a].median / 1e6, m[d][a].median,
			    t[d][a].median / t[d][glibc].median);
		}
		out("\n");
	}
	for (d = 0; d < 2; d++) {
		for (best = a = 3; a < NR_ALLOCS; a++)
			if (t[d][a].median < t[d][best].median)
				best = a;
		out("\nTarget (%s): alba's best (%s) <= 0.5x glibc and <= APR: %.2fx glibc, %.2fx APR: %s\n",
		    d ? "Lua" : "cJSON", allocs[best].name,
		    t[d][best].median / t[d][glibc].median,
		    t[d][best].median / t[d][apr].median,
		    t[d][best].median <= 0.5 * t[d][glibc].median &&
		    t[d][best].median <= t[d][apr].median ? "met" : "missed");
	}
}
#endif
