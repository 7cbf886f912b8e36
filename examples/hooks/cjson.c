// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * cJSON with alba's hooks: build 3,000 records, print them, parse the text
 * back and print it again. `cjson glibc` uses malloc, `cjson alba` an
 * arena through cJSON_InitHooks(); the two outputs must be the same bytes
 * (scripts/hooks-check.sh compares them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "alba.h"

static char *work(void)
{
	cJSON *root = cJSON_CreateArray(), *rec, *tags, *back;
	unsigned int seed = 42, i, j;
	char name[32], *text, *again;

	for (i = 0; i < 3000; i++) {
		seed = seed * 1103515245 + 12345;
		rec = cJSON_CreateObject();
		snprintf(name, sizeof(name), "record-%u-%u", i, seed % 1000);
		cJSON_AddStringToObject(rec, "name", name);
		cJSON_AddNumberToObject(rec, "id", i);
		cJSON_AddNumberToObject(rec, "score", (seed % 10000) / 100.0);
		cJSON_AddBoolToObject(rec, "active", seed & 1);
		tags = cJSON_AddArrayToObject(rec, "tags");
		for (j = 0; j < i % 7; j++)
			cJSON_AddItemToArray(tags, cJSON_CreateString(j % 2 ? "odd" : "even"));
		cJSON_AddItemToArray(root, rec);
	}
	text = cJSON_PrintUnformatted(root);
	back = text ? cJSON_Parse(text) : NULL;
	again = back ? cJSON_Print(back) : NULL;
	cJSON_Delete(root);
	cJSON_Delete(back);
	return again;
}

int main(int argc, char **argv)
{
	cJSON_Hooks hooks = { alba_hooks_malloc, alba_hooks_free };
	struct alba *arena = NULL;
	char *out;

	if (argc != 2 || (strcmp(argv[1], "glibc") && strcmp(argv[1], "alba")))
		return 2;
	if (!strcmp(argv[1], "alba")) {
		arena = alba_create("cjson", 0, 0);
		if (!arena || alba_hooks_bind(arena, ALBA_HOOKS_CURSOR))
			return 1;
		cJSON_InitHooks(&hooks);
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
