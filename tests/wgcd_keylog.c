/*
 * wgcd's key log file (wgcd/keylog.h): created 0600 whatever the umask, an existing file kept
 * and appended to, every file that others could read (or that is not a plain file of ours)
 * refused with a message naming it, one entry per write, and a failing write reported.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/keylog.h"
#include "harness.h"
#include "wgcd/keylog.h"

static char dir[64];

static void remove_dir(void)
{
	rmdir(dir);
}

static const char *in_dir(char out[128], const char *name)
{
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/wgc-keylog.XXXXXX");
		if (!mkdtemp(dir))
			abort();
		atexit(remove_dir);
	}
	snprintf(out, 128, "%s/%s", dir, name);
	return out;
}

static void make_file(const char *path, mode_t mode, const char *text)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || fchmod(fd, mode) || close(fd))
		abort();
}

static size_t read_file(const char *path, char *out, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(out, 1, size - 1, f) : 0;

	out[n] = '\0';
	if (f)
		fclose(f);
	return n;
}

static void some_keys(struct wgc_session_keys *keys, uint8_t seed)
{
	for (size_t i = 0; i < sizeof(*keys); ++i)
		((uint8_t *)keys)[i] = (uint8_t)(seed + i * 13);
}

/* What core/keylog.c writes for the same keys. */
static size_t expected_entry(char out[WG_KEYLOG_ENTRY_MAX], const struct wgc_session_keys *keys)
{
	struct wg_session_keys s = { 0 };

	memcpy(s.local_static_private, keys->local_static_private, 32);
	memcpy(s.remote_static_public, keys->remote_static_public, 32);
	memcpy(s.local_ephemeral_private, keys->local_ephemeral_private, 32);
	memcpy(s.preshared_key, keys->preshared_key, 32);
	return wg_keylog_format(out, &s);
}

TEST(wgcd_keylog_creates_0600_whatever_the_umask)
{
	struct wgcd_keylog k;
	struct wgc_session_keys keys;
	char path[128], error[256] = "", text[2 * WG_KEYLOG_ENTRY_MAX], entry[WG_KEYLOG_ENTRY_MAX], warning[512];
	mode_t old = umask(0);
	struct stat st;
	size_t len;

	in_dir(path, "new.keys");
	unlink(path);
	CHECK_EQ(wgcd_keylog_open(&k, path, error, sizeof(error)), 0);
	umask(old);
	CHECK(k.fd >= 0);
	CHECK(!stat(path, &st) && (st.st_mode & 07777) == 0600);
	some_keys(&keys, 1);
	CHECK_EQ(wgcd_keylog_write(&k, &keys), 0);
	some_keys(&keys, 2);
	CHECK_EQ(wgcd_keylog_write(&k, &keys), 0);
	wgcd_keylog_warning(&k, warning, sizeof(warning));
	wgcd_keylog_close(&k);
	CHECK_EQ(k.fd, -1);
	len = expected_entry(entry, &keys);
	CHECK_EQ(read_file(path, text, sizeof(text)), 2 * len);
	CHECK(!strcmp(text + len, entry));
	some_keys(&keys, 1);
	expected_entry(entry, &keys);
	CHECK(!strncmp(text, entry, len));
	CHECK(strstr(warning, "WARNING: writing session secrets to ") == warning);
	CHECK(strstr(warning, path) && strstr(warning, "(WGC_KEYLOG_FILE)") && strstr(warning, "decrypt"));
	unlink(path);
}

/* An existing file of ours that nobody else can read is appended to, never truncated. */
TEST(wgcd_keylog_appends_to_an_existing_private_file)
{
	static const mode_t modes[] = { 0600, 0200 };
	struct wgc_session_keys keys;
	char path[128], error[256], text[1024], entry[WG_KEYLOG_ENTRY_MAX];
	struct wgcd_keylog k;

	in_dir(path, "old.keys");
	some_keys(&keys, 7);
	expected_entry(entry, &keys);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); ++i) {
		make_file(path, modes[i], "# before\n");
		CHECK_EQ(wgcd_keylog_open(&k, path, error, sizeof(error)), 0);
		CHECK_EQ(wgcd_keylog_write(&k, &keys), 0);
		wgcd_keylog_close(&k);
		read_file(path, text, sizeof(text));
		CHECK(!strncmp(text, "# before\n", 9) && !strcmp(text + 9, entry));
	}
	unlink(path);
}

/* Each mode refused with -EPERM, the message naming the file, the mode and why, and the file
 * as it was (its text and its mode). */
static void check_modes_refused(const mode_t *modes, size_t count, const char *why)
{
	char path[128], error[256], text[64], want[64];
	struct wgcd_keylog k;
	struct stat st;

	in_dir(path, "refused.keys");
	for (size_t i = 0; i < count; ++i) {
		make_file(path, modes[i], "untouched\n");
		error[0] = '\0';
		CHECK_EQ(wgcd_keylog_open(&k, path, error, sizeof(error)), -EPERM);
		CHECK_EQ(k.fd, -1);
		snprintf(want, sizeof(want), "has mode %04o", (unsigned)modes[i]);
		CHECK(strstr(error, path) && strstr(error, want) && strstr(error, why));
		CHECK(read_file(path, text, sizeof(text)) == 10 && !strcmp(text, "untouched\n"));
		CHECK(!stat(path, &st) && (st.st_mode & 07777) == modes[i]);
	}
	unlink(path);
}

/* Group or others can read it: refused. */
TEST(wgcd_keylog_refuses_a_file_others_can_read)
{
	static const mode_t modes[] = { 0644, 0640, 0604, 0666, 0660, 0606 };

	check_modes_refused(modes, sizeof(modes) / sizeof(modes[0]), "group or others can read it");
}

/* Group or others can write it (lines of theirs would mislead an analyzer): refused too. */
TEST(wgcd_keylog_refuses_a_file_others_can_write)
{
	static const mode_t modes[] = { 0620, 0602, 0622, 0220 };

	check_modes_refused(modes, sizeof(modes) / sizeof(modes[0]), "group or others can write it");
}

/* A symbolic link is refused and its target neither made nor written. */
TEST(wgcd_keylog_refuses_links_and_what_is_not_a_file)
{
	char path[128], target[128], error[256], text[64];
	struct wgcd_keylog k;

	in_dir(target, "target.keys");
	in_dir(path, "link.keys");
	unlink(target);
	unlink(path);
	CHECK(!symlink(target, path));
	CHECK_EQ(wgcd_keylog_open(&k, path, error, sizeof(error)), -ELOOP);
	CHECK(strstr(error, path) && strstr(error, "symbolic link"));
	CHECK(access(target, F_OK) && errno == ENOENT);
	make_file(target, 0600, "kept\n");
	CHECK_EQ(wgcd_keylog_open(&k, path, error, sizeof(error)), -ELOOP);
	CHECK(read_file(target, text, sizeof(text)) == 5);
	unlink(path);
	unlink(target);

	CHECK_EQ(wgcd_keylog_open(&k, dir, error, sizeof(error)), -EINVAL);
	CHECK(strstr(error, dir) && strstr(error, "not a regular file"));
	in_dir(path, "fifo.keys");
	unlink(path);
	CHECK(!mkfifo(path, 0600));
	CHECK_EQ(wgcd_keylog_open(&k, path, error, sizeof(error)), -EINVAL);
	CHECK(strstr(error, path) && strstr(error, "not a regular file"));
	unlink(path);
	CHECK_EQ(wgcd_keylog_open(&k, "/dev/null", error, sizeof(error)), -EINVAL);
	CHECK(strstr(error, "/dev/null is not a regular file") != NULL);
	in_dir(path, "no/such/dir");
	CHECK_EQ(wgcd_keylog_open(&k, path, error, sizeof(error)), -ENOENT);
	CHECK(strstr(error, "cannot open key log") && strstr(error, path));
}

/* Another user's file: that user could read it, whatever its mode. */
TEST(wgcd_keylog_refuses_another_users_file)
{
	char path[128], error[256];
	struct wgcd_keylog k;

	if (geteuid() != 0)
		return; /* only root can give a file away */
	in_dir(path, "theirs.keys");
	make_file(path, 0600, "");
	CHECK(!chown(path, 65534, 65534));
	CHECK_EQ(wgcd_keylog_open(&k, path, error, sizeof(error)), -EPERM);
	CHECK(strstr(error, path) && strstr(error, "belongs to uid 65534"));
	unlink(path);
}

/* A full disk: the write says so, the failure is remembered (logged once), and a write that
 * works again ends it. */
TEST(wgcd_keylog_write_failure_is_reported_and_survived)
{
	struct wgcd_log log = { .level = WGCD_LOG_SILENT, .ifname = "test" };
	struct wgcd_keylog k = { .fd = open("/dev/full", O_WRONLY | O_CLOEXEC), .log = &log };
	struct wgc_session_keys keys;
	char path[128];
	int fd;

	some_keys(&keys, 3);
	CHECK(k.fd >= 0);
	CHECK_EQ(wgcd_keylog_write(&k, &keys), -ENOSPC);
	CHECK(k.failing);
	CHECK_EQ(wgcd_keylog_write(&k, &keys), -ENOSPC);
	CHECK(k.failing);
	in_dir(path, "again.keys");
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	CHECK(dup2(fd, k.fd) == k.fd);
	close(fd);
	CHECK_EQ(wgcd_keylog_write(&k, &keys), 0);
	CHECK(!k.failing);
	wgcd_keylog_close(&k);
	unlink(path);
}
