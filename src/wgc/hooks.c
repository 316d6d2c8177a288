/* Configuration hooks, expanded and run through the shell like wg-quick runs them. */
#include "wgc/hooks.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wgc/run.h"

char *wgc_hook_expand(const char *hook, const char *ifname)
{
	size_t count = 0, len = strlen(ifname);
	const char *p;
	char *out, *o;

	for (p = strstr(hook, "%i"); p; p = strstr(p + 2, "%i"))
		++count;
	out = malloc(strlen(hook) + count * len + 1);
	if (!out)
		return NULL;
	for (o = out, p = hook; *p;) {
		if (p[0] == '%' && p[1] == 'i') {
			memcpy(o, ifname, len);
			o += len;
			p += 2;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

int wgc_hooks_run(const struct wgc_strlist *hooks, const char *ifname, struct wgc_err *err)
{
	int ret = 0;

	for (size_t i = 0; i < hooks->len && !ret; ++i) {
		char *hook = wgc_hook_expand(hooks->items[i], ifname);
		const char *argv[] = { "/bin/sh", "-c", hook, NULL };

		if (!hook)
			return wgc_err_set(err, -ENOMEM, "out of memory");
		fprintf(stderr, "[#] %s\n", hook);
		ret = wgc_run(argv, NULL, NULL, false, err);
		if (ret == -EIO)
			wgc_err_set(err, ret, "hook `%s' failed", hook);
		free(hook);
	}
	return ret;
}
