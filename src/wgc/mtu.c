/* Choosing the interface MTU from the routes the tunnel's packets will take. */
#include "wgc/mtu.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wgc/run.h"

int wgc_mtu_parse_route(const char *text, unsigned *mtu, char dev[IF_NAMESIZE])
{
	char *copy = strndup(text, strcspn(text, "\n")), *save = NULL, *word;
	bool after_dev = false, after_mtu = false;

	*mtu = 0;
	dev[0] = '\0';
	if (!copy)
		return -ENOMEM;
	for (word = strtok_r(copy, " \t", &save); word; word = strtok_r(NULL, " \t", &save)) {
		if (after_dev && !dev[0] && strlen(word) < IF_NAMESIZE)
			strcpy(dev, word);
		/* "mtu lock 1400" when the route's MTU is locked */
		if (after_mtu && !strcmp(word, "lock"))
			continue;
		if (after_mtu && *word && strspn(word, "0123456789") == strlen(word))
			*mtu = (unsigned)strtoul(word, NULL, 10);
		after_dev = !strcmp(word, "dev");
		after_mtu = !strcmp(word, "mtu");
	}
	free(copy);
	if (*mtu)
		dev[0] = '\0';
	return *mtu || dev[0] ? 0 : -ENOENT;
}

unsigned wgc_link_mtu(const char *dev)
{
	char path[64], value[16] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/mtu", dev);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (!fgets(value, sizeof(value), f))
		value[0] = '\0';
	fclose(f);
	return (unsigned)strtoul(value, NULL, 10);
}

/* The MTU of the route `ip` reports for these arguments, 0 when it reports none. */
static unsigned route_mtu(const char *const argv[])
{
	char dev[IF_NAMESIZE], *output = NULL;
	unsigned mtu = 0;

	if (!wgc_run(argv, NULL, &output, false, NULL) && !wgc_mtu_parse_route(output, &mtu, dev) && !mtu)
		mtu = wgc_link_mtu(dev);
	free(output);
	return mtu;
}

unsigned wgc_mtu_auto(const struct wg_config_device *running)
{
	char addr[INET6_ADDRSTRLEN];
	const char *get[] = { "ip", "route", "get", addr, NULL };
	const char *show_default[] = { "ip", "route", "show", "default", NULL };
	unsigned mtu = 0, m;

	for (const struct wg_config_peer *peer = running->first_peer; peer; peer = peer->next) {
		const union wg_sockaddr *sa = &peer->endpoint.addr;

		if (!(peer->flags & WG_PEER_HAS_ENDPOINT) || !wg_endpoint_is_set(&peer->endpoint))
			continue;
		if (!inet_ntop(sa->sa.sa_family, sa->sa.sa_family == AF_INET ? (const void *)&sa->in.sin_addr
						: (const void *)&sa->in6.sin6_addr, addr, sizeof(addr)))
			continue;
		m = route_mtu(get);
		mtu = m > mtu ? m : mtu;
	}
	if (!mtu)
		mtu = route_mtu(show_default);
	if (!mtu)
		mtu = WGC_MTU_FALLBACK;
	return mtu > WGC_MTU_OVERHEAD + 68 ? mtu - WGC_MTU_OVERHEAD : 68;
}
