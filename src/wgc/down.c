/*
 * `wgc down CONFIG|IFNAME`: wg-quick's down, in C. PreDown hooks, SaveConfig, then the
 * interface and what `up` attached to it, then PostDown hooks.
 */
#include <errno.h>
#include <stdio.h>

#include "wgc/commands.h"
#include "wgc/dns.h"
#include "wgc/hooks.h"
#include "wgc/link.h"
#include "wgc/quick.h"
#include "wgc/saveconf.h"
#include "wgc/uapi.h"

static int take_down(struct wgc_quick *q, struct wgc_err *err)
{
	struct wgc_err ignored;
	int ret;

	if (!wgl_control_alive(q->ifname))
		return wgc_err_set(err, -ENODEV, "`%s' is not a WireGuard interface", q->ifname);
	ret = wgc_hooks_run(&q->extras.hooks[WGC_PRE_DOWN], q->ifname, err);
	if (!ret && q->extras.save_config)
		ret = wgc_saveconf_write(q, err);
	if (!ret)
		ret = wgc_link_delete(q, false, err);
	/* As in wg-quick, DNS that cannot be taken back does not stop the rest. */
	if (!ret && wgc_dns_wanted(&q->extras) && wgc_dns_unset(q->ifname, &ignored))
		fprintf(stderr, "wgc down: %s\n", ignored.text);
	if (!ret)
		ret = wgc_hooks_run(&q->extras.hooks[WGC_POST_DOWN], q->ifname, err);
	return ret;
}

int wgc_down_main(int argc, char **argv)
{
	struct wgc_quick q;
	struct wgc_err err;
	int ret;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "Usage: wgc %s CONFIG_FILE|INTERFACE\n", argv[0]);
		return 1;
	}
	ret = wgc_quick_load(&q, argv[1], &err);
	if (!ret && q.world_accessible)
		fprintf(stderr, "Warning: `%s' is world accessible\n", q.path);
	if (!ret)
		ret = take_down(&q, &err);
	if (ret)
		fprintf(stderr, "wgc %s: %s\n", argv[0], err.text);
	wgc_quick_free(&q);
	return ret ? 1 : 0;
}
