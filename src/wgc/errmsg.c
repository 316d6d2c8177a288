/* Failure descriptions carried up to the command that prints them. */
#include "wgc/errmsg.h"

#include <stdarg.h>
#include <stdio.h>

int wgc_err_set(struct wgc_err *err, int error, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return error;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return error;
}
