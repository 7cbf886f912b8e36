// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Jansson with alba's hooks: build 3,000 records, dump them, load the text
 * back and dump it again, sorted. `jansson glibc` uses malloc, `jansson
 * alba` an arena through json_set_alloc_funcs(); the outputs must match.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alba.h"

static char *work(void)
{
	json_t *root = json_array(), *rec, *tags, *back;
	unsigned int seed = 7, i, j;
	char name[32], *text, *again;

	for (i = 0; i < 3000; i++) {
		seed = seed * 1103515245 + 12345;
		snprintf(name, sizeof(name), "record-%u-%u", i, seed % 1000);
		tags = json_array();
		for (j = 0; j < i % 5; j++)
			json_array_append_new(tags, json_integer(seed % (j + 3)));
		rec = json_pack("{s:s, s:i, s:f, s:b, s:o}", "name", name, "id", i,
				"score", (seed % 10000) / 100.0, "active", seed & 1,
				"tags", tags);
		json_array_append_new(root, rec);
	}
	text = json_dumps(root, JSON_COMPACT);
	back = text ? json_loads(text, 0, NULL) : NULL;
	again = back ? json_dumps(back, JSON_INDENT(1) | JSON_SORT_KEYS) : NULL;
	json_decref(root);
	json_decref(back);
	return again;
}

int main(int argc, char **argv)
{
	struct alba *arena = NULL;
	char *out;

	if (argc != 2 || (strcmp(argv[1], "glibc") && strcmp(argv[1], "alba")))
		return 2;
	if (!strcmp(argv[1], "alba")) {
		arena = alba_create("jansson", 0, 0);
		if (!arena || alba_hooks_bind(arena, 0))
			return 1;
		json_set_alloc_funcs(alba_hooks_malloc, alba_hooks_free);
	}
	out = work();
	if (!out)
		return 1;
	fputs(out, stdout);
	if (arena) {
		alba_hooks_bind(NULL, 0);
		alba_destroy(arena);
	} else {
		free(out);
	}
	return 0;
}
