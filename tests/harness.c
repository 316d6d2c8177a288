/* The test runner: registered cases in file order, failures reported with file and line. */
#include "harness.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Where the scan reads memory into: a mapping of its own, so that it never counts its own copy
 * (the range is left out of the scan). */
static uint8_t *scan_chunk;
enum { SCAN_CHUNK = 1 << 16 };

/* Copies of needle in [start, end) of our memory, read a chunk at a time (with an overlap of
 * len - 1, so none is missed at a boundary). */
static long copies_in(int mem, uint64_t start, uint64_t end, const void *needle, size_t len)
{
	long n = 0;

	for (uint64_t at = start; at + len <= end; at += SCAN_CHUNK - (len - 1)) {
		size_t want = end - at < SCAN_CHUNK ? (size_t)(end - at) : SCAN_CHUNK;
		ssize_t got = pread(mem, scan_chunk, want, (off_t)at);

		for (ssize_t i = 0; got > 0 && i + (ssize_t)len <= got; ++i)
			n += !memcmp(scan_chunk + i, needle, len);
		if (got < (ssize_t)want)
			break;
	}
	return n;
}

/* The same, around the scan's own chunk. */
static long copies_around_chunk(int mem, uint64_t start, uint64_t end, const void *needle, size_t len)
{
	uint64_t lo = (uintptr_t)scan_chunk, hi = lo + SCAN_CHUNK;

	if (hi <= start || lo >= end)
		return copies_in(mem, start, end, needle, len);
	return (lo > start ? copies_in(mem, start, lo, needle, len) : 0) +
	       (hi < end ? copies_in(mem, hi, end, needle, len) : 0);
}

/* /proc/self/maps read without stdio or malloc, which could reuse (and overwrite) the very
 * memory under suspicion. */
static size_t read_maps(char *buf, size_t cap)
{
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return 0;
	while (len < cap - 1 && (n = read(fd, buf + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	return len;
}

/* The next space-separated field of a maps line; *p moves past it. */
static const char *field(const char **p, size_t *len)
{
	const char *start;

	while (**p == ' ')
		++*p;
	start = *p;
	while (**p && **p != ' ' && **p != '\n')
		++*p;
	*len = (size_t)(*p - start);
	return start;
}

/* Whether a maps line is a mapping to scan: writable, anonymous or the heap, and not huge. */
static bool scannable(const char *line, unsigned long long *start, unsigned long long *end)
{
	const char *p = line, *f[6];
	size_t len[6];

	for (int i = 0; i < 6; ++i)
		f[i] = field(&p, &len[i]);
	*start = strtoull(f[0], NULL, 16);
	*end = strtoull(memchr(f[0], '-', len[0]) ? (char *)memchr(f[0], '-', len[0]) + 1 : f[0], NULL, 16);
	return len[1] >= 2 && f[1][0] == 'r' && f[1][1] == 'w' && len[4] == 1 && f[4][0] == '0' &&
	       (!len[5] || (len[5] == 6 && !memcmp(f[5], "[heap]", 6))) && *end > *start &&
	       *end - *start <= (1ull << 30);
}

long test_heap_copies(const void *needle, size_t len)
{
	static char maps[1 << 20];
	int mem = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
	long n = 0;

	if (!scan_chunk) {
		void *p = mmap(NULL, SCAN_CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		scan_chunk = p == MAP_FAILED ? NULL : p;
	}
	if (!scan_chunk) {
		if (mem >= 0)
			close(mem);
		return -1;
	}

	if (mem < 0 || !read_maps(maps, sizeof(maps))) {
		if (mem >= 0)
			close(mem);
		return -1;
	}
	/* No stdio, no sscanf: nothing here may allocate. */
	for (char *line = maps, *next; *line; line = next) {
		unsigned long long start, end;

		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		if (scannable(line, &start, &end))
			n += copies_around_chunk(mem, start, end, needle, len);
	}
	close(mem);
	return n;
}

long test_heap_copies_of_text(const char *text)
{
	size_t half = strlen(text) / 2;
	long a = test_heap_copies(text, half), b = test_heap_copies(text + half, strlen(text) - half);

	return a < 0 || b < 0 ? -1 : a + b;
}
