/*
 * Running other programs (ip, resolvconf, the daemon, hook shells) with fork and execvp: an
 * argument vector, never a shell line built from configuration text.
 */
#ifndef WGC_RUN_H
#define WGC_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "wgc/errmsg.h"

/*
 * Runs argv (argv[0] looked up on PATH) and waits for it. input, when not NULL, is its stdin.
 * output, when not NULL, receives its stdout (NUL-terminated; the caller frees it) and its
 * stderr is discarded, since it is a query; otherwise stdout and stderr are ours. trace prints
 * "[#] argv..." to stderr first, as wg-quick does for every command that changes something.
 * 0 when it exits with 0; -EIO when it runs and fails; -errno when it cannot be run
 * (-ENOENT: not found).
 */
int wgc_run(const char *const argv[], const char *input, char **output, bool trace, struct wgc_err *err);

/* The command line as one string for messages, "ip link del wg0"; truncated to fit. */
void wgc_run_describe(char *buf, size_t size, const char *const argv[]);

#endif
