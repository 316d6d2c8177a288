/*
 * The daemon's key log: with WGC_KEYLOG_FILE=PATH in its environment, wgcd appends each
 * session's secrets in Wireshark's format (core/keylog.h) to PATH, so that Wireshark
 * (wg.keylog_file) and `wgc analyze --keylog` decrypt the tunnel's traffic. The entries come
 * through the event seam: a subscription to KEYS_DERIVED with WGC_EVENTS_WITH_KEYS, the only
 * way key material leaves the core; the initiator's and the responder's side each write
 * theirs, one write() of its four lines per session.
 *
 * The file is opened once, before the daemon detaches, and never by name again: created with
 * mode 0600, or an existing regular file of our own that group and others cannot read; a
 * symbolic link, anything but a regular file, a file of another user or one group or others
 * can read is refused. Nothing here logs key material; a failed write is logged once (until a
 * write works again) and the tunnel goes on.
 */
#ifndef WGCD_KEYLOG_H
#define WGCD_KEYLOG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "libwgc/engine.h"
#include "wgc.h"
#include "wgcd/log.h"

#define WGCD_KEYLOG_ENV "WGC_KEYLOG_FILE"

struct wgcd_keylog {
	int fd;                     /* -1: no key log */
	char path[PATH_MAX];
	const struct wgcd_log *log; /* set by attach; the daemon's, which outlives us */
	bool failing;               /* the last write failed, and that was logged */
	unsigned subscription;      /* the engine's id for our subscription, 0 none */
};

/* Opens path as above. 0; or -errno with `error` naming the path and why it was refused
 * (its mode, when that is why). k->fd is -1 unless this returns 0. */
int wgcd_keylog_open(struct wgcd_keylog *k, const char *path, char *error, size_t error_len);
/* The start-up warning, one line without its newline. */
void wgcd_keylog_warning(const struct wgcd_keylog *k, char *out, size_t size);
/* Subscribes to the engine's KEYS_DERIVED events with their keys (the core's key reporting
 * turned on). Takes the engine's lock. 0 or -errno. */
int wgcd_keylog_attach(struct wgcd_keylog *k, struct wgl_engine *engine, const struct wgcd_log *log);
/* One session's entry: 0, or -errno after logging it (once). The text is wiped. */
int wgcd_keylog_write(struct wgcd_keylog *k, const struct wgc_session_keys *keys);
/* Closes the file; unsubscribe first if the engine lives on (wgcd closes the engine before). */
void wgcd_keylog_close(struct wgcd_keylog *k);

#endif
