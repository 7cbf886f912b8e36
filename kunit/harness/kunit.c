// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The userspace KUnit runner: runs every registered suite (or those named
 * on the command line, as "suite" or "suite.case") and prints KTAP the way
 * lib/kunit/test.c in Linux 6.1 does. Exits non-zero if any case failed.
 */
#include <stdarg.h>
#include <stdlib.h>

#include <kunit/test.h>

#define MAX_SUITES	64

struct kunit_resource {
	struct kunit_resource *next;
	/* the allocation follows, aligned for any type */
	union {
		long double ld;
		void *p;
		uint64_t u;
	} data[];
};

static struct kunit_suite *suites[MAX_SUITES];
static size_t nr_suites;
static const char *indent = "";

void kunit_register_suites(struct kunit_suite **list, size_t n)
{
	size_t i;

	for (i = 0; i < n && nr_suites < MAX_SUITES; i++)
		suites[nr_suites++] = list[i];
}

void kunit_log_line(struct kunit *test, const char *fmt, ...)
{
	va_list ap;

	(void)test;
	va_start(ap, fmt);
	fputs(indent, stdout);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void kunit_fail_at(struct kunit *test, const char *file, int line,
		   bool assert, const char *fmt, ...)
{
	va_list ap;

	test->status = KUNIT_FAILURE;
	printf("%s# %s: %s FAILED at %s:%d\n%s", indent, test->name,
	       assert ? "ASSERTION" : "EXPECTATION", file, line, indent);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void kunit_abort(struct kunit *test)
{
	longjmp(test->abort, 1);
}

void *kunit_kmalloc_array(struct kunit *test, size_t n, size_t size,
			  unsigned int gfp)
{
	struct kunit_resource *res;

	(void)gfp;
	if (size && n > (SIZE_MAX - sizeof(*res)) / size)
		return NULL;
	res = malloc(sizeof(*res) + n * size);
	if (!res)
		return NULL;
	res->next = test->resources;
	test->resources = res;
	return res->data;
}

void *kunit_kzalloc(struct kunit *test, size_t size, unsigned int gfp)
{
	void *p = kunit_kmalloc_array(test, 1, size, gfp);

	if (p)
		memset(p, 0, size);
	return p;
}

void *kunit_kcalloc(struct kunit *test, size_t n, size_t size, unsigned int gfp)
{
	void *p = kunit_kmalloc_array(test, n, size, gfp);

	if (p)
		memset(p, 0, n * size);
	return p;
}

void kunit_kfree(struct kunit *test, const void *ptr)
{
	struct kunit_resource **link, *res;

	for (link = &test->resources; (res = *link); link = &res->next) {
		if ((const void *)res->data == ptr) {
			*link = res->next;
			free(res);
			return;
		}
	}
}

static void free_resources(struct kunit *test)
{
	struct kunit_resource *res, *next;

	for (res = test->resources; res; res = next) {
		next = res->next;
		free(res);
	}
	test->resources = NULL;
}

static void run_one(struct kunit_suite *suite, struct kunit_case *c,
		    struct kunit *test)
{
	test->name = c->name;
	test->status = KUNIT_SUCCESS;
	test->status_comment[0] = '\0';
	test->resources = NULL;
	if (!setjmp(test->abort)) {
		if (suite->init && suite->init(test)) {
			kunit_fail_at(test, __FILE__, __LINE__, true,
				      "suite init failed");
		} else {
			c->run_case(test);
		}
	}
	if (suite->exit)
		suite->exit(test);
	free_resources(test);
}

static void print_result(enum kunit_status status, size_t nr, const char *name,
			 const char *comment)
{
	printf("%s%s %zu %s%s%s\n", indent,
	       status == KUNIT_FAILURE ? "not ok" : "ok", nr, name,
	       status == KUNIT_SKIPPED ? " # SKIP " : "",
	       status == KUNIT_SKIPPED ? comment : "");
	fflush(stdout);
}

/* Worst of the two: a failure beats a pass beats a skip. */
static enum kunit_status combine(enum kunit_status all, enum kunit_status one)
{
	if (all == KUNIT_FAILURE || one == KUNIT_FAILURE)
		return KUNIT_FAILURE;
	if (all == KUNIT_SUCCESS || one == KUNIT_SUCCESS)
		return KUNIT_SUCCESS;
	return KUNIT_SKIPPED;
}

static bool wanted(int argc, char **argv, const char *suite, const char *name)
{
	size_t len = strlen(suite);
	int i;

	if (argc < 2)
		return true;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], suite))
			return true;
		if (name && !strncmp(argv[i], suite, len) && argv[i][len] == '.' &&
		    !strcmp(argv[i] + len + 1, name))
			return true;
	}
	return false;
}

static bool suite_wanted(int argc, char **argv, struct kunit_suite *suite)
{
	struct kunit_case *c;

	for (c = suite->test_cases; c->run_case; c++)
		if (wanted(argc, argv, suite->name, c->name))
			return true;
	return false;
}

static enum kunit_status run_suite(struct kunit_suite *suite, int argc,
				   char **argv)
{
	enum kunit_status suite_status = KUNIT_SKIPPED;
	char desc[KUNIT_PARAM_DESC_SIZE];
	struct kunit_case *c;
	size_t n = 0, nr = 0;

	for (c = suite->test_cases; c->run_case; c++)
		n += wanted(argc, argv, suite->name, c->name);
	indent = "    ";
	printf("%sKTAP version 1\n%s# Subtest: %s\n%s1..%zu\n", indent, indent,
	       suite->name, indent, n);
	for (c = suite->test_cases; c->run_case; c++) {
		struct kunit test = { 0 };

		if (!wanted(argc, argv, suite->name, c->name))
			continue;
		nr++;
		if (!c->generate_params) {
			run_one(suite, c, &test);
			c->status = test.status;
		} else {
			c->status = KUNIT_SKIPPED;
			indent = "        ";
			printf("%sKTAP version 1\n%s# Subtest: %s\n", indent,
			       indent, c->name);
			desc[0] = '\0';
			test.param_value = c->generate_params(NULL, desc);
			for (; test.param_value; test.param_index++) {
				run_one(suite, c, &test);
				if (!desc[0])
					snprintf(desc, sizeof(desc), "param-%d",
						 test.param_index);
				print_result(test.status, test.param_index + 1,
					     desc, test.status_comment);
				c->status = combine(c->status, test.status);
				desc[0] = '\0';
				test.param_value = c->generate_params(test.param_value,
								      desc);
			}
			indent = "    ";
		}
		print_result(c->status, nr, c->name, test.status_comment);
		suite_status = combine(suite_status, c->status);
	}
	indent = "";
	return suite_status;
}

int main(int argc, char **argv)
{
	enum kunit_status status;
	size_t i, n = 0, nr = 0;
	bool failed = false;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < nr_suites; i++)
		n += suite_wanted(argc, argv, suites[i]);
	printf("KTAP version 1\n1..%zu\n", n);
	for (i = 0; i < nr_suites; i++) {
		if (!suite_wanted(argc, argv, suites[i]))
			continue;
		status = run_suite(suites[i], argc, argv);
		print_result(status, ++nr, suites[i]->name, "");
		failed |= status == KUNIT_FAILURE;
	}
	return failed ? 1 : 0;
}
