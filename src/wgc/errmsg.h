/*
 * Why something failed, in words a person can act on. Internal functions return 0 or -errno
 * and, when they fail, also describe the failure here; only the command's edge prints it.
 */
#ifndef WGC_ERRMSG_H
#define WGC_ERRMSG_H

struct wgc_err {
	char text[512];
};

/* Describes the failure and returns error, so a caller can write `return wgc_err_set(...)`. */
int wgc_err_set(struct wgc_err *err, int error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
