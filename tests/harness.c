/* The test runner: registered cases in file order, failures reported with file and line. */
#include "harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct test_case *cases;
static int current_failures;

void test_register(struct test_case *tc)
{
	tc->next = cases;
	cases = tc;
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "    %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	++current_failures;
}

bool test_mem_equal(const char *file, int line, const char *what, const void *a, const void *b, size_t len)
{
	const uint8_t *x = a, *y = b;

	for (size_t i = 0; i < len; ++i) {
		if (x[i] != y[i]) {
			test_fail(file, line, "%s differs at byte %zu of %zu (%02x != %02x)",
				  what, i, len, x[i], y[i]);
			return false;
		}
	}
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t test_unhex(uint8_t *out, size_t cap, const char *hex)
{
	size_t n = 0;

	while (hex[0] && hex[0] != '\n') {
		int hi = hexval(hex[0]), lo = hexval(hex[1]);

		if (hi < 0 || lo < 0 || n == cap) {
			fprintf(stderr, "bad test hex near \"%.16s\"\n", hex);
			exit(2);
		}
		out[n++] = (uint8_t)(hi << 4 | lo);
		hex += 2;
	}
	return n;
}

uint64_t test_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

const char *test_source_path(const char *relative)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/%s", WGC_SOURCE_DIR, relative);
	return path;
}

size_t test_vector(uint8_t *out, size_t cap, const char *file, const char *name)
{
	char rel[256], line[4096];
	size_t namelen = strlen(name), n = 0;
	bool found = false;
	FILE *f;

	snprintf(rel, sizeof(rel), "tests/vectors/%s", file);
	f = fopen(test_source_path(rel), "r");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", test_source_path(rel));
		exit(2);
	}
	while (!found && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, name, namelen) && !strncmp(line + namelen, " = ", 3)) {
			n = test_unhex(out, cap, line + namelen + 3);
			found = true;
		}
	}
	fclose(f);
	if (!found) {
		fprintf(stderr, "no vector %s in %s\n", name, file);
		exit(2);
	}
	return n;
}

/* Constructors run in no useful order: run files in name order, cases in source order. */
static int by_file_then_order(const void *a, const void *b)
{
	const struct test_case *x = *(struct test_case *const *)a, *y = *(struct test_case *const *)b;
	int c = strcmp(x->file, y->file);

	return c ? c : x->line - y->line;
}

static bool selected(const struct test_case *tc, int argc, char **argv)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; ++i)
		if (strstr(tc->name, argv[i]) || strstr(tc->file, argv[i]))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	size_t count = 0, i = 0;
	int passed = 0, failed = 0;
	struct test_case **all;

	for (struct test_case *tc = cases; tc; tc = tc->next)
		++count;
	all = calloc(count ? count : 1, sizeof(*all));
	for (struct test_case *tc = cases; tc; tc = tc->next)
		all[i++] = tc;
	qsort(all, count, sizeof(*all), by_file_then_order);

	for (i = 0; i < count; ++i) {
		if (!selected(all[i], argc, argv))
			continue;
		current_failures = 0;
		all[i]->run();
		if (current_failures) {
			fprintf(stderr, "FAIL %s (%s)\n", all[i]->name, all[i]->file);
			++failed;
		} else {
			++passed;
		}
	}
	free(all);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
