/*
 * The test harness: TEST(name) registers a case, CHECK* record failures and carry on.
 * One binary runs every case (or those whose name contains an argument) and closes with
 * "N passed, N failed".
 */
#ifndef WGC_TESTS_HARNESS_H
#define WGC_TESTS_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct test_case {
	const char *name;
	const char *file;
	int line;
	void (*run)(void);
	struct test_case *next;
};

void test_register(struct test_case *tc);
void test_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define TEST(fn)                                                               \
	static void fn(void);                                                  \
	static struct test_case fn##_case = { #fn, __FILE__, __LINE__, fn, NULL };       \
	__attribute__((constructor)) static void fn##_register(void)           \
	{                                                                      \
		test_register(&fn##_case);                                     \
	}                                                                      \
	static void fn(void)

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			test_fail(__FILE__, __LINE__, "%s", #cond);            \
	} while (0)

#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		unsigned long long a_ = (unsigned long long)(a);               \
		unsigned long long b_ = (unsigned long long)(b);               \
		if (a_ != b_)                                                  \
			test_fail(__FILE__, __LINE__, "%s == %s (%llu != %llu)", \
				  #a, #b, a_, b_);                             \
	} while (0)

#define CHECK_MEM(a, b, len)                                                   \
	do {                                                                   \
		if (!test_mem_equal(__FILE__, __LINE__, #a, a, b, len))        \
			return;                                                \
	} while (0)

bool test_mem_equal(const char *file, int line, const char *what, const void *a, const void *b, size_t len);

/* Hex into bytes; aborts the run on malformed test data (a bug in the test, not the code). */
size_t test_unhex(uint8_t *out, size_t cap, const char *hex);
/* A named vector from tests/vectors/<file>: "name = hex" lines. Returns its length. */
size_t test_vector(uint8_t *out, size_t cap, const char *file, const char *name);
/* A seeded, repeatable random sequence (splitmix64). */
uint64_t test_random(uint64_t *state);

/* How many times `needle` occurs in this process's heap and anonymous writable mappings (not
 * its stack, nor mappings over 1 GiB such as sanitizer shadows), read through /proc/self/mem
 * without allocating: for tests that a secret's text was wiped before its buffer was freed.
 * -1 when unreadable. */
long test_heap_copies(const void *needle, size_t len);
/* Copies of either half of a text: a freed buffer's first bytes hold the allocator's pointers,
 * and a key's text cut there is still most of the key. */
long test_heap_copies_of_text(const char *text);

/* Path of a file in the source tree. */
const char *test_source_path(const char *relative);

#endif
