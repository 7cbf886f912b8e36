// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libxml2 with alba's hooks: build a document of 3,000 elements, dump it,
 * parse the text back and dump it again. `libxml2 glibc` uses malloc,
 * `libxml2 alba` an arena through xmlMemSetup(), which libxml2 needs
 * before anything else; its realloc() gets no old size, so the hooks are
 * bound with ALBA_HOOKS_SIZED. The outputs must match.
 */
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "alba.h"

static int work(void)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0"), back;
	xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "records"), rec;
	unsigned int seed = 11, i;
	xmlChar *text, *again;
	char buf[64];
	int len;

	xmlDocSetRootElement(doc, root);
	for (i = 0; i < 3000; i++) {
		seed = seed * 1103515245 + 12345;
		snprintf(buf, sizeof(buf), "record %u & <%u>", i, seed % 1000);
		rec = xmlNewTextChild(root, NULL, BAD_CAST "record", BAD_CAST buf);
		snprintf(buf, sizeof(buf), "%u", i);
		xmlNewProp(rec, BAD_CAST "id", BAD_CAST buf);
		snprintf(buf, sizeof(buf), "%u.%02u", seed % 100, seed % 97);
		xmlNewProp(rec, BAD_CAST "score", BAD_CAST buf);
	}
	xmlDocDumpMemory(doc, &text, &len);
	back = text ? xmlReadMemory((const char *)text, len, "doc.xml", NULL, 0) : NULL;
	if (!back)
		return 1;
	xmlDocDumpFormatMemory(back, &again, &len, 1);
	if (!again)
		return 1;
	fwrite(again, 1, (size_t)len, stdout);
	xmlFree(text);
	xmlFree(again);
	xmlFreeDoc(doc);
	xmlFreeDoc(back);
	return 0;
}

int main(int argc, char **argv)
{
	struct alba *arena = NULL;
	int rc;

	if (argc != 2 || (strcmp(argv[1], "glibc") && strcmp(argv[1], "alba")))
		return 2;
	if (!strcmp(argv[1], "alba")) {
		arena = alba_create("libxml2", 0, 0);
		if (!arena || alba_hooks_bind(arena, ALBA_HOOKS_SIZED))
			return 1;
		if (xmlMemSetup(alba_hooks_free, alba_hooks_malloc,
				alba_hooks_realloc, alba_hooks_strdup))
			return 1;
	}
	LIBXML_TEST_VERSION
	rc = work();
	xmlCleanupParser();
	if (arena) {
		alba_hooks_bind(NULL, 0);
		alba_destroy(arena);
	}
	return rc;
}
