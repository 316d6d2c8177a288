/*
 * The core does no I/O and reads no clock: everything comes through wg_env. This keeps it so,
 * by reading the sources for calls that would break the rule.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static const char *const forbidden[] = {
	"clock_gettime(", "gettimeofday(", "time(", "getrandom(", "getentropy(", "rand(", "random(",
	"send(", "sendto(", "sendmsg(", "sendmmsg(", "recv(", "recvfrom(", "recvmsg(", "recvmmsg(",
	"socket(", "bind(", "connect(", "open(", "fopen(", "read(", "write(", "close(", "ioctl(",
	"epoll_", "poll(", "select(", "sleep(", "usleep(", "nanosleep(", "pthread_", "printf(",
	"fprintf(", "puts(", "syslog(", "abort(", "exit(",
};

/* A match counts only at the start of an identifier: "thread(" is not "read(". */
static bool at_word_start(const char *line, const char *hit)
{
	return hit == line || !(isalnum((unsigned char)hit[-1]) || hit[-1] == '_' || hit[-1] == '.' || hit[-1] == '>');
}

static int scan(const char *path)
{
	char line[1024];
	int hits = 0, number = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 1;
	while (fgets(line, sizeof(line), f)) {
		++number;
		for (size_t i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); ++i) {
			for (const char *hit = strstr(line, forbidden[i]); hit; hit = strstr(hit + 1, forbidden[i])) {
				if (at_word_start(line, hit)) {
					test_fail(path, number, "src/core must not call %s", forbidden[i]);
					++hits;
				}
			}
		}
	}
	fclose(f);
	return hits;
}

TEST(purity_core_does_no_io_and_reads_no_clock)
{
	char dir[4096], path[4400];
	struct dirent *entry;
	int files = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s", test_source_path("src/core"));
	d = opendir(dir);
	CHECK(d != NULL);
	if (!d)
		return;
	while ((entry = readdir(d))) {
		size_t len = strlen(entry->d_name);

		if (len < 3 || (strcmp(entry->d_name + len - 2, ".c") && strcmp(entry->d_name + len - 2, ".h")))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, entry->d_name);
		scan(path);
		++files;
	}
	closedir(d);
	CHECK(files >= 20);
}

/* The scanner itself finds what it should, and only that. */
TEST(purity_scanner_word_boundaries)
{
	CHECK(at_word_start("x = read(fd)", strstr("x = read(fd)", "read(")));
	CHECK(!at_word_start("pthread(", strstr("pthread(", "read(")));
	CHECK(!at_word_start("env->send(", strstr("env->send(", "send(")));
	CHECK(!at_word_start("wg_time(", strstr("wg_time(", "time(")));
}
