#include "wgcd/keylog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/keylog.h"
#include "crypto/secret.h"

static int say(char *error, size_t error_len, int ret, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int say(char *error, size_t error_len, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(error, error_len, fmt, ap);
	va_end(ap);
	return ret;
}

/* Why open() failed: what the name is, when that is the reason (O_NOFOLLOW gives ELOOP for a
 * link, O_NONBLOCK ENXIO for a FIFO without a reader), else the error itself. */
static int explain_open(const char *path, int err, char *error, size_t error_len)
{
	struct stat st;

	if (!lstat(path, &st) && S_ISLNK(st.st_mode))
		return say(error, error_len, -ELOOP, "key log %s is a symbolic link: refused (name the file itself)", path);
	if (!lstat(path, &st) && !S_ISREG(st.st_mode))
		return say(error, error_len, -EINVAL, "key log %s is not a regular file: refused", path);
	return say(error, error_len, -err, "cannot open key log %s: %s", path, strerror(err));
}

/* Only a file nobody else can read may hold session secrets, and only one nobody else can
 * write: lines they added (a PRESHARED_KEY) would mislead whoever decrypts with it. */
static int check_file(int fd, const char *path, char *error, size_t error_len)
{
	struct stat st;

	if (fstat(fd, &st))
		return say(error, error_len, -errno, "cannot stat key log %s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return say(error, error_len, -EINVAL, "key log %s is not a regular file: refused", path);
	if (st.st_uid != geteuid())
		return say(error, error_len, -EPERM, "key log %s belongs to uid %u, not to this daemon's uid %u: refused",
			   path, (unsigned)st.st_uid, (unsigned)geteuid());
	if (st.st_mode & (S_IRGRP | S_IROTH))
		return say(error, error_len, -EPERM,
			   "key log %s has mode %04o: group or others can read it; refused (chmod 600 it, or name a new file)",
			   path, (unsigned)(st.st_mode & 07777));
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return say(error, error_len, -EPERM,
			   "key log %s has mode %04o: group or others can write it; refused (chmod 600 it, or name a new file)",
			   path, (unsigned)(st.st_mode & 07777));
	return 0;
}

int wgcd_keylog_open(struct wgcd_keylog *k, const char *path, char *error, size_t error_len)
{
	int fd, ret;

	*k = (struct wgcd_keylog){ .fd = -1 };
	if (strlen(path) >= sizeof(k->path))
		return say(error, error_len, -ENAMETOOLONG, "key log %.64s...: name too long", path);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK, 0600);
	if (fd < 0)
		return explain_open(path, errno, error, error_len);
	ret = check_file(fd, path, error, error_len);
	if (ret) {
		close(fd);
		return ret;
	}
	k->fd = fd;
	snprintf(k->path, sizeof(k->path), "%s", path);
	return 0;
}

void wgcd_keylog_warning(const struct wgcd_keylog *k, char *out, size_t size)
{
	snprintf(out, size, "WARNING: writing session secrets to %s (%s): anyone who reads it can decrypt this tunnel's traffic",
		 k->path, WGCD_KEYLOG_ENV);
}

/* A failure is logged when it starts, and its end when a write works again. */
static void report(struct wgcd_keylog *k, int ret)
{
	if (ret && !k->failing && k->log)
		wgcd_log_error(k->log, "cannot write to the key log %s: %s; the tunnel goes on, its sessions are missing there",
			       k->path, ret == -ENOSPC ? "only part of an entry was written" : strerror(-ret));
	else if (!ret && k->failing && k->log)
		wgcd_log_error(k->log, "the key log %s is written to again", k->path);
	k->failing = ret != 0;
}

int wgcd_keylog_write(struct wgcd_keylog *k, const struct wgc_session_keys *keys)
{
	struct wg_session_keys session = { 0 };
	char text[WG_KEYLOG_ENTRY_MAX];
	size_t len;
	ssize_t n;
	off_t end;
	int ret;

	memcpy(session.local_static_private, keys->local_static_private, sizeof(session.local_static_private));
	memcpy(session.remote_static_public, keys->remote_static_public, sizeof(session.remote_static_public));
	memcpy(session.local_ephemeral_private, keys->local_ephemeral_private, sizeof(session.local_ephemeral_private));
	memcpy(session.preshared_key, keys->preshared_key, sizeof(session.preshared_key));
	len = wg_keylog_format(text, &session);
	end = lseek(k->fd, 0, SEEK_END);
	/* One write of the whole entry: with O_APPEND it lands in one piece after what is there. */
	do
		n = write(k->fd, text, len);
	while (n < 0 && errno == EINTR);
	ret = n < 0 ? -errno : (size_t)n < len ? -ENOSPC : 0;
	/* Part of an entry (a full disk) is taken back: the next one must not follow a broken line. */
	if (n > 0 && (size_t)n < len && end >= 0 && ftruncate(k->fd, end))
		ret = -errno;
	wg_secret_wipe(text, sizeof(text));
	wg_secret_wipe(&session, sizeof(session));
	report(k, ret);
	return ret;
}

static void on_event(void *ctx, const struct wgc_event *event)
{
	if (event->type == WGC_EVENT_KEYS_DERIVED && event->keys)
		wgcd_keylog_write(ctx, event->keys);
}

int wgcd_keylog_attach(struct wgcd_keylog *k, struct wgl_engine *engine, const struct wgcd_log *log)
{
	int ret;

	k->log = log;
	pthread_mutex_lock(&engine->lock);
	ret = wgl_events_subscribe(&engine->events, WGC_EVENT_MASK(WGC_EVENT_KEYS_DERIVED) | WGC_EVENTS_WITH_KEYS,
				   on_event, k, &k->subscription);
	wg_device_report_keys(&engine->device, engine->events.wanted & WGC_EVENTS_WITH_KEYS);
	pthread_mutex_unlock(&engine->lock);
	return ret;
}

void wgcd_keylog_close(struct wgcd_keylog *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
	k->subscription = 0;
}
