// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * A parser on an arena, written from the contract: it reads "key = value"
 * lines into an array of entries that grows with alba_realloc() (in place
 * while it is the arena's newest object), keeps keys and values with
 * alba_strndup(), names sections with alba_asprintf(), and drops
 * everything with one alba_destroy(). Built against an installed alba by
 * scripts/check-install.sh; prints TAP.
 *
 *   cc parser.c $(pkg-config --cflags --libs alba)
 */
#include <alba.h>
#include <stdio.h>
#include <string.h>

struct entry {
	const char *section;
	const char *key;
	const char *value;
};

struct config {
	struct alba *arena;
	struct entry *entries;
	size_t n, cap;
};

static const char input[] =
	"[server]\n"
	"host = example.org\n"
	"port = 8080\n"
	"[paths]\n"
	"root = /srv/www\n"
	"logs = /var/log/www\n"
	"cache = /var/cache/www\n";

static const char *trim(const char *s, const char *end, size_t *len)
{
	while (s < end && *s == ' ')
		s++;
	while (end > s && end[-1] == ' ')
		end--;
	*len = (size_t)(end - s);
	return s;
}

static int add(struct config *c, const char *section, const char *line,
	       const char *end)
{
	const char *eq = memchr(line, '=', (size_t)(end - line)), *k, *v;
	size_t klen, vlen;
	struct entry *e;

	if (!eq)
		return 0;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 2;

		/* Grows where it is while the array is the newest object. */
		e = alba_realloc(c->arena, c->entries, c->cap * sizeof(*e),
				 cap * sizeof(*e), _Alignof(struct entry), 0);
		if (!e)
			return -1;
		c->entries = e;
		c->cap = cap;
	}
	k = trim(line, eq, &klen);
	v = trim(eq + 1, end, &vlen);
	e = &c->entries[c->n++];
	e->section = section;
	e->key = alba_strndup(c->arena, k, klen, 0);
	e->value = alba_strndup(c->arena, v, vlen, 0);
	return e->key && e->value ? 0 : -1;
}

static int nr, failed;

static void check(int ok, const char *what)
{
	printf("%sok %d %s\n", ok ? "" : "not ", ++nr, what);
	failed += !ok;
}

int main(void)
{
	struct config c = { .arena = alba_create("parser", 0, 0) };
	const char *section = "", *p = input, *end;
	struct alba_stats st;
	size_t i;
	char *desc;

	printf("TAP version 13\n1..6\n");
	check(c.arena != NULL, "an arena");
	while (*p) {
		end = strchr(p, '\n');
		if (*p == '[')
			section = alba_strndup(c.arena, p + 1, (size_t)(end - p - 2), 0);
		else if (add(&c, section, p, end))
			break;
		p = end + 1;
	}
	check(c.n == 5, "five entries parsed");
	check(!strcmp(c.entries[1].key, "port") && !strcmp(c.entries[1].value, "8080") &&
	      !strcmp(c.entries[1].section, "server"), "server.port = 8080");
	check(!strcmp(c.entries[4].value, "/var/cache/www") &&
	      !strcmp(c.entries[4].section, "paths"), "paths.cache = /var/cache/www");
	desc = alba_asprintf(c.arena, 0, "%zu entries, last %s.%s", c.n,
			     c.entries[c.n - 1].section, c.entries[c.n - 1].key);
	check(desc && !strcmp(desc, "5 entries, last paths.cache"), "alba_asprintf()");
	alba_get_stats(c.arena, &st);
	for (i = 0; i < c.n; i++)
		printf("# %s.%s = %s\n", c.entries[i].section, c.entries[i].key,
		       c.entries[i].value);
	printf("# %zu bytes used in %zu block(s)\n", st.used_bytes, st.blocks);
	check(st.block_bytes == st.header_bytes + st.used_bytes + st.pad_bytes +
	      st.tail_bytes + st.free_bytes + st.reserved_bytes, "every byte accounted for");
	alba_destroy(c.arena);
	return failed != 0;
}
