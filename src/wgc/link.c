/* Whether an interface exists, and deleting it with everything `up` attached to it. */
#include "wgc/link.h"

#include <net/if.h>

#include "wgc/daemon.h"
#include "wgc/dns.h"
#include "wgc/routes.h"
#include "wgc/run.h"
#include "wgc/uapi.h"

/* The socket directory is shared by all namespaces, so a name taken elsewhere is taken here too. */
bool wgc_link_exists(const char *ifname)
{
	return if_nametoindex(ifname) != 0 || wgl_control_alive(ifname);
}

static int keep_first(int ret, int next)
{
	return ret ? ret : next;
}

int wgc_link_delete(const struct wgc_quick *q, bool dns_set, struct wgc_err *err)
{
	const char *del[] = { "ip", "link", "delete", "dev", q->ifname, NULL };
	struct wg_config_device running;
	struct wgc_err later;
	int ret = 0;

	if (dns_set)
		ret = wgc_dns_unset(q->ifname, err);
	/* Without the running configuration there is no knowing the rules; the link still goes. */
	if (!wgc_uapi_get(q->ifname, &running, NULL) && wgc_routes_have_policy(&q->extras, &running))
		ret = keep_first(ret, wgc_routes_remove_policy(&running, ret ? &later : err));
	wg_config_free(&running);
	if (if_nametoindex(q->ifname))
		ret = keep_first(ret, wgc_run(del, NULL, NULL, true, ret ? &later : err));
	return keep_first(ret, wgc_daemon_wait_gone(q->ifname, ret ? &later : err));
}
