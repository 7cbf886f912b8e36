// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * clients.c - four real programs on each allocator, given it through the
 * library's own hook API, as a user would: time per document (the work
 * and the free apart), peak RSS, minor page faults and memory syscalls
 * per document.
 *
 *   cJSON    cJSON_InitHooks(): parse a generated JSON document of about
 *            17 MB (seeded: the same bytes every time), print it back
 *   Jansson  json_set_alloc_funcs(): load and dump the same document
 *   Lua 5.4  lua_newstate() with an allocator function: a script that
 *            builds 200,000 records, strings and tables that grow
 *   libxml2  xmlMemSetup() (realloc without an old size): read a
 *            generated XML document of about 17 MB, dump it back
 *
 * The allocators: glibc malloc/free; APR pools; mimalloc heaps (in the
 * mimalloc binary); alba through alba_hooks_* (user/hooks.c), locked and
 * through a cursor (ALBA_HOOKS_CURSOR), with ALBA_HOOKS_SIZED for libxml2.
 * Arenas and pools free a document by a reset (alba_reset(),
 * apr_pool_clear(), mi_heap_destroy()) and skip the library's own free
 * walk (cJSON_Delete(), json_decref(), xmlFreeDoc()), as their users do;
 * Lua's lua_close() runs for every allocator (the state may hold
 * finalizers). With malloc, the library frees each object. Lua takes
 * alba through alba_hooks_lua_alloc(), which is locked: its two alba rows
 * are the same path. libxml2 sets up its global state with malloc before
 * it is given the allocator, so that a reset does not free it.
 *
 * Every (workload, allocator) runs in a fresh process pinned to one CPU:
 * one warm-up document, then DOCS documents, the steady loop a server
 * runs. Peak RSS is that process's ru_maxrss (the input included, the same
 * for all); faults are ru_minflt over the DOCS documents. Memory syscalls
 * (mmap, munmap, madvise, brk, mremap, mprotect) are counted by strace in
 * a separate run of the same process, between two getppid() markers
 * around the DOCS documents: strace slows the process, so it times
 * nothing.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <jansson.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "alba.h"
#include "bench.h"

#if defined(BENCH_MIMALLOC)
#include <mimalloc.h>
#elif !defined(BENCH_JEMALLOC)
#include <apr_pools.h>
#endif

#define DOCS	3

/*
 * An allocator as the libraries see it. realloc gets no old size
 * (libxml2 gives none); lua_alloc is Lua's, which has one. free NULL:
 * the library's free walk is skipped, end() releases the document.
 */
struct client_alloc {
	const char *name;
	const char *binary;	/* NULL: alba-bench */
	void (*begin)(bool sized);
	void *(*malloc)(size_t size);
	void *(*realloc)(void *p, size_t size);
	void (*free)(void *p);
	lua_Alloc lua_alloc;
	void (*end)(void);
};

/* lua_newstate()'s user data: alba_hooks_lua_alloc() takes the arena. */
static void *lua_ud;

#if !defined(BENCH_MIMALLOC) && !defined(BENCH_JEMALLOC)
static void nothing(void)
{
}

static void nothing_sized(bool sized)
{
	(void)sized;
}

static void *m_lua(void *ud, void *p, size_t old, size_t size)
{
	(void)ud;
	(void)old;
	if (!size) {
		free(p);
		return NULL;
	}
	return realloc(p, size);
}

/*
 * APR: pools have no realloc. For libxml2 (sized) each object carries its
 * size in 16 bytes before it, the glue a user writes; Lua gets the old
 * size and copies.
 */
static apr_pool_t *pool;
static bool apr_sized;

static void apr_begin(bool sized)
{
	if (!pool) {
		apr_initialize();
		apr_pool_create(&pool, NULL);
	}
	apr_sized = sized;
}

static void *apr_malloc(size_t size)
{
	size_t *p;

	if (!apr_sized)
		return apr_palloc(pool, size);
	p = apr_palloc(pool, size + 16);
	if (!p)
		return NULL;
	*p = size;
	return (char *)p + 16;
}

static void *apr_realloc(void *p, size_t size)
{
	size_t old = p ? *(size_t *)((char *)p - 16) : 0;
	void *n = apr_malloc(size);

	if (n && p)
		memcpy(n, p, old < size ? old : size);
	return n;
}

static void *apr_lua(void *ud, void *p, size_t old, size_t size)
{
	void *n;

	(void)ud;
	if (!size)
		return NULL;
	n = apr_palloc(pool, size);
	if (n && p)
		memcpy(n, p, old < size ? old : size);
	return n;
}

static void apr_end(void)
{
	apr_pool_clear(pool);
}

/* alba through its hooks: one arena, bound to this thread. */
static struct alba *arena;

static void alba_begin_with(bool sized, unsigned int flags)
{
	if (!arena)
		arena = alba_create("clients", 0, 0);
	lua_ud = arena;
	if (alba_hooks_bind(arena, flags | (sized ? ALBA_HOOKS_SIZED : 0)))
		abort();
}

static void alba_locked_begin(bool sized)
{
	alba_begin_with(sized, 0);
}

static void alba_cursor_begin(bool sized)
{
	alba_begin_with(sized, ALBA_HOOKS_CURSOR);
}

static void alba_end(void)
{
	alba_hooks_bind(NULL, 0);	/* a cursor gives its chunk back */
	alba_reset(arena);
}
#endif

#if defined(BENCH_MIMALLOC)
static mi_heap_t *heap;

static void mi_begin(bool sized)
{
	(void)sized;
	heap = mi_heap_new();
}

static void *mi_malloc_h(size_t size)
{
	return mi_heap_malloc(heap, size);
}

static void *mi_realloc_h(void *p, size_t size)
{
	return mi_heap_realloc(heap, p, size);
}

static void *mi_lua(void *ud, void *p, size_t old, size_t size)
{
	(void)ud;
	(void)old;
	if (!size) {
		mi_free(p);
		return NULL;
	}
	return mi_heap_realloc(heap, p, size);
}

static void mi_end(void)
{
	mi_heap_destroy(heap);
}
#endif

static const struct client_alloc allocs[] = {
#if defined(BENCH_MIMALLOC)
	{ "mimalloc heap", "alba-bench-mimalloc", mi_begin, mi_malloc_h, mi_realloc_h,
	  NULL, mi_lua, mi_end },
#elif !defined(BENCH_JEMALLOC)
	{ "glibc malloc/free", NULL, nothing_sized, malloc, realloc, free, m_lua, nothing },
	{ "APR pool", NULL, apr_begin, apr_malloc, apr_realloc, NULL, apr_lua, apr_end },
	{ "mimalloc heap", "alba-bench-mimalloc", NULL, NULL, NULL, NULL, NULL, NULL },
	{ "alba hooks (locked)", NULL, alba_locked_begin, alba_hooks_malloc,
	  alba_hooks_realloc, NULL, alba_hooks_lua_alloc, alba_end },
	{ "alba hooks (cursor)", NULL, alba_cursor_begin, alba_hooks_malloc,
	  alba_hooks_realloc, NULL, alba_hooks_lua_alloc, alba_end },
#endif
};

#define NR_ALLOCS	(sizeof(allocs) / sizeof(allocs[0]))

static const struct client_alloc *cur;

/* ---- the documents, seeded -------------------------------------------------- */

static uint64_t seed = 0x5a1ba;

static unsigned int rnd(unsigned int n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (unsigned int)((seed * 0x2545F4914F6CDD1DULL) >> 33) % n;
}

/* About 17 MB (times @scale) of records, JSON or XML, the same bytes every time. */
static char *make_document(double scale, bool xml, size_t *len)
{
	size_t cap = (size_t)(24e6 * scale) + 4096, n = 0, i, count;
	char *doc = malloc(cap);

	if (!doc)
		abort();
	count = (size_t)(128000 * scale) + 1;
	n += snprintf(doc + n, cap - n, xml ? "<?xml version=\"1.0\"?>\n<records>" :
		      "{\"records\":[");
	for (i = 0; i < count && n + 512 < cap; i++) {
		unsigned int score = rnd(100000), frac = rnd(1000), act = rnd(2);
		unsigned int t1 = rnd(10), t2 = rnd(1000), t3 = rnd(100000);
		unsigned int x = rnd(1000), y = rnd(1000), note = rnd(4);

		if (xml)
			n += snprintf(doc + n, cap - n,
				      "<record id=\"%zu\" score=\"%u.%02u\" active=\"%s\">"
				      "<name>item-%zu-%u</name><tag>t%u</tag><tag>tag%u</tag>"
				      "<tag>label-%u</tag><pos x=\"%u.5\" y=\"-%u.25\"/>%s</record>\n",
				      i, score, frac % 100, act ? "true" : "false", i, score,
				      t1, t2, t3, x, y, note ? "" : "<note>check &amp; this</note>");
		else
			n += snprintf(doc + n, cap - n,
				      "%s{\"id\":%zu,\"name\":\"item-%zu-%u\",\"score\":%u.%02u,"
				      "\"active\":%s,\"tags\":[\"t%u\",\"tag%u\",\"label-%u\"],"
				      "\"pos\":{\"x\":%u.5,\"y\":-%u.25},\"note\":%s}",
				      i ? "," : "", i, i, score, frac, frac % 100,
				      act ? "true" : "false", t1, t2, t3, x, y,
				      note ? "null" : "\"check this one\"");
	}
	n += snprintf(doc + n, cap - n, xml ? "</records>\n" : "]}");
	*len = n;
	return doc;
}

/* ---- one document of each workload: work, then free ---------------------- */

static void *hook_malloc(size_t size)
{
	return cur->malloc(size);
}

static void hook_free(void *p)
{
	if (cur->free)
		cur->free(p);
}

static char *hook_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = cur->malloc(n);

	return p ? memcpy(p, s, n) : NULL;
}

struct doc_time {
	double work, free;
};

static struct doc_time cjson_doc(const char *doc, size_t len)
{
	struct doc_time t;
	double t0 = now_ns();
	cJSON *root;
	char *text;

	cur->begin(false);
	root = cJSON_ParseWithLength(doc, len);
	if (!root || cJSON_GetArraySize(cJSON_GetObjectItem(root, "records")) < 1)
		abort();
	text = cJSON_PrintUnformatted(root);
	if (!text || strlen(text) < len / 2)
		abort();
	t.work = now_ns() - t0;
	t0 = now_ns();
	if (cur->free) {
		cJSON_free(text);
		cJSON_Delete(root);
	}
	cur->end();
	t.free = now_ns() - t0;
	return t;
}

static struct doc_time jansson_doc(const char *doc, size_t len)
{
	struct doc_time t;
	double t0 = now_ns();
	json_error_t err;
	json_t *root;
	char *text;

	cur->begin(false);
	root = json_loadb(doc, len, 0, &err);
	if (!root || json_array_size(json_object_get(root, "records")) < 1)
		abort();
	text = json_dumps(root, JSON_COMPACT);
	if (!text || strlen(text) < len / 2)
		abort();
	t.work = now_ns() - t0;
	t0 = now_ns();
	if (cur->free) {
		cur->free(text);
		json_decref(root);
	}
	cur->end();
	t.free = now_ns() - t0;
	return t;
}

static struct doc_time xml_doc(const char *doc, size_t len)
{
	struct doc_time t;
	double t0 = now_ns();
	xmlChar *text;
	xmlDocPtr d;
	int n = 0;

	cur->begin(true);
	d = xmlReadMemory(doc, (int)len, "doc.xml", NULL, XML_PARSE_NONET);
	if (!d)
		abort();
	xmlDocDumpMemory(d, &text, &n);
	if (!text || (size_t)n < len / 2)
		abort();
	t.work = now_ns() - t0;
	t0 = now_ns();
	if (cur->free) {
		xmlFree(text);
		xmlFreeDoc(d);
	}
	cur->end();
	t.free = now_ns() - t0;
	return t;
}

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

static struct doc_time lua_doc(double scale)
{
	struct doc_time t;
	double t0 = now_ns();
	lua_State *L;

	cur->begin(false);
	L = lua_newstate(cur->lua_alloc, lua_ud);
	if (!L)
		abort();
	luaL_openlibs(L);
	if (luaL_loadstring(L, script) != LUA_OK)
		abort();
	lua_pushinteger(L, (lua_Integer)(200000 * scale) + 10);
	if (lua_pcall(L, 1, 1, 0) != LUA_OK || lua_tointeger(L, -1) <= 0)
		abort();
	t.work = now_ns() - t0;
	t0 = now_ns();
	lua_close(L);
	cur->end();
	t.free = now_ns() - t0;
	return t;
}

/* ---- driver ------------------------------------------------------------------ */

static const char *const workloads[] = { "cjson", "jansson", "lua", "libxml2" };
#define NR_WORKLOADS	4

static struct doc_time one_doc(int w, const char *doc, size_t len, double scale)
{
	switch (w) {
	case 0:
		return cjson_doc(doc, len);
	case 1:
		return jansson_doc(doc, len);
	case 2:
		return lua_doc(scale);
	default:
		return xml_doc(doc, len);
	}
}

/*
 * In a fresh process: a warm-up document, then DOCS; prints "work_ns
 * free_ns maxrss_kib minflt" per document (the medians of the DOCS).
 */
int client_child(const char *name, const char *workload, double scale)
{
	double work[DOCS], fr[DOCS];
	struct rusage r0, r1;
	struct doc_time t;
	char *doc = NULL;
	size_t i, len = 0;
	int w = -1;

	for (i = 0; i < NR_ALLOCS; i++)
		if (!strcmp(allocs[i].name, name) && allocs[i].malloc)
			cur = &allocs[i];
	for (i = 0; i < NR_WORKLOADS; i++)
		if (!strcmp(workloads[i], workload))
			w = (int)i;
	if (!cur || w < 0)
		return 1;
	pin();
	if (w == 0) {
		cJSON_Hooks hooks = { .malloc_fn = hook_malloc, .free_fn = hook_free };

		cJSON_InitHooks(&hooks);
	} else if (w == 1) {
		json_set_alloc_funcs(hook_malloc, hook_free);
	} else if (w == 3) {
		/* libxml2's global state from malloc: a reset must not free it. */
		xmlInitParser();
		if (xmlMemSetup(hook_free, hook_malloc, cur->realloc, hook_strdup))
			abort();
	}
	if (w != 2)
		doc = make_document(scale, w == 3, &len);
	one_doc(w, doc, len, scale);
	syscall(SYS_getppid);	/* strace's marker: the steady loop begins */
	getrusage(RUSAGE_SELF, &r0);
	for (i = 0; i < DOCS; i++) {
		t = one_doc(w, doc, len, scale);
		work[i] = t.work;
		fr[i] = t.free;
	}
	getrusage(RUSAGE_SELF, &r1);
	syscall(SYS_getppid);	/* and ends */
	printf("%.0f %.0f %ld %.1f\n", summarize(work, DOCS).median,
	       summarize(fr, DOCS).median, r1.ru_maxrss,
	       (double)(r1.ru_minflt - r0.ru_minflt) / DOCS);
	free(doc);
	return 0;
}

#if !defined(BENCH_MIMALLOC) && !defined(BENCH_JEMALLOC)
struct client_result {
	double work, free, rss, faults;
};

static int run_child(const struct client_alloc *a, const char *workload,
		     double scale, struct client_result *res)
{
	char cmd[8192];
	long kib = 0;
	FILE *f;
	int ok;

	snprintf(cmd, sizeof(cmd), "%s/%s --client '%s' %s %g", self_dir,
		 a->binary ? a->binary : "alba-bench", a->name, workload, scale);
	f = popen(cmd, "r");
	ok = f && fscanf(f, "%lf %lf %ld %lf", &res->work, &res->free, &kib,
			 &res->faults) == 4;
	if (f)
		pclose(f);
	res->rss = kib / 1024.0;
	return ok ? 0 : -1;
}

/* Memory syscalls per document between the markers, by strace; -1: none. */
static double count_syscalls(const struct client_alloc *a, const char *workload,
			     double scale)
{
	char cmd[8192], line[4096];
	long n = 0, markers = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd),
		 "strace -o /dev/stderr -e trace=%%memory,getppid %s/%s --client '%s' %s %g"
		 " 2>&1 >/dev/null", self_dir, a->binary ? a->binary : "alba-bench",
		 a->name, workload, scale);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "getppid(", 8))
			markers++;
		else if (markers == 1 && strchr(line, '('))
			n++;
	}
	pclose(f);
	return markers == 2 ? (double)n / DOCS : -1;
}

void clients(int rounds, double scale)
{
	static struct client_result res[NR_WORKLOADS][NR_ALLOCS][MAX_ROUNDS];
	static const size_t glibc = 0, apr = 1, mimalloc = 2, locked = 3, cursor = 4;
	struct summary work[NR_ALLOCS], fr[NR_ALLOCS], tot[NR_ALLOCS], rss[NR_ALLOCS];
	struct summary flt[NR_ALLOCS];
	double v[5][MAX_ROUNDS], sys[NR_ALLOCS];
	size_t w, a, best;
	bool ran[NR_ALLOCS];
	int r;

	(void)mimalloc;
	for (r = 0; r < rounds; r++)
		for (w = 0; w < NR_WORKLOADS; w++)
			for (a = 0; a < NR_ALLOCS; a++)
				if (run_child(&allocs[a], workloads[w], scale, &res[w][a][r]))
					res[w][a][r].work = -1;
	out("\n### Real clients: cJSON, Jansson, Lua 5.4 and libxml2 through their allocator hooks"
	    " (%.1f MB documents, %.0f Lua records; a warm-up and %d documents per process,"
	    " %d rounds)\n", 17.0 * scale, 200000 * scale, DOCS, rounds);
	for (w = 0; w < NR_WORKLOADS; w++) {
		out("\n#### %s\n\n", workloads[w]);
		out("| allocator | work ms/doc | free ms/doc | total ms/doc | vs glibc | vs APR"
		    " | peak RSS MB | vs glibc | minor faults/doc | memory syscalls/doc |\n");
		out("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
		for (a = 0; a < NR_ALLOCS; a++) {
			ran[a] = true;
			for (r = 0; r < rounds; r++) {
				ran[a] &= res[w][a][r].work >= 0;
				v[0][r] = res[w][a][r].work / 1e6;
				v[1][r] = res[w][a][r].free / 1e6;
				v[2][r] = v[0][r] + v[1][r];
				v[3][r] = res[w][a][r].rss;
				v[4][r] = res[w][a][r].faults;
			}
			work[a] = summarize(v[0], rounds);
			fr[a] = summarize(v[1], rounds);
			tot[a] = summarize(v[2], rounds);
			rss[a] = summarize(v[3], rounds);
			flt[a] = summarize(v[4], rounds);
			sys[a] = ran[a] ? count_syscalls(&allocs[a], workloads[w], scale) : -1;
		}
		for (a = 0; a < NR_ALLOCS; a++) {
			if (!ran[a]) {
				out("| %s | not run | | | | | | | | |\n", allocs[a].name);
				continue;
			}
			out("| %s | %.1f | %.1f | %.1f | %.2fx | %.2fx | %.1f | %.2fx | %.1f |",
			    allocs[a].name, work[a].median, fr[a].median, tot[a].median,
			    tot[a].median / tot[glibc].median, tot[a].median / tot[apr].median,
			    rss[a].median, rss[a].median / rss[glibc].median, flt[a].median);
			if (sys[a] < 0)
				out(" n/a (no strace) |\n");
			else
				out(" %.1f |\n", sys[a]);
		}
		best = tot[cursor].median < tot[locked].median ? cursor : locked;
		out("\nTargets (%s, alba's best: %s):\n\n", workloads[w], allocs[best].name);
		out("- total <= APR's and <= 0.9x glibc's: %.2fx APR, %.2fx glibc: %s\n",
		    tot[best].median / tot[apr].median, tot[best].median / tot[glibc].median,
		    tot[best].median <= tot[apr].median &&
		    tot[best].median <= 0.9 * tot[glibc].median ? "met" : "missed");
		for (a = 1, r = 0; a < NR_ALLOCS; a++)	/* does any arena reach 0.5x? */
			r |= ran[a] && tot[a].median <= 0.5 * tot[glibc].median;
		out("- work + free <= 0.5x glibc's where any arena reaches it: %.2fx: %s\n",
		    tot[best].median / tot[glibc].median,
		    !r ? "no arena reaches it" :
		    tot[best].median <= 0.5 * tot[glibc].median ? "met" : "missed");
		out("- minor faults per document <= APR's: %.1f vs %.1f: %s\n",
		    flt[best].median, flt[apr].median,
		    flt[best].median <= flt[apr].median ? "met" : "missed");
		out("- peak RSS <= 1.2x glibc's: %.2fx: %s\n",
		    rss[best].median / rss[glibc].median,
		    rss[best].median <= 1.2 * rss[glibc].median ? "met" : "missed");
		if (sys[best] >= 0)
			out("- memory syscalls per document in the steady loop: %.1f"
			    " (before the block source, libxml2 on the cursor made 62,444)\n",
			    sys[best]);
	}
}
#endif
