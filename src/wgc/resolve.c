/* Resolving configured endpoints. */
#include "wgc/resolve.h"

#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* wg's default: 15 tries a second apart, overridable with the same variable. */
static int retries(void)
{
	const char *env = getenv("WG_ENDPOINT_RESOLUTION_RETRIES");

	if (!env)
		return 15;
	if (!strcmp(env, "infinity"))
		return -1;
	return atoi(env);
}

static int resolve_one(const struct wgc_endpoint_text *e, const char *filename, struct wgc_err *err)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM, .ai_protocol = IPPROTO_UDP };
	struct addrinfo *result = NULL;
	int ret, tries = retries();

	for (int i = 0;; ++i) {
		ret = getaddrinfo(e->host, e->port, &hints, &result);
		if (ret != EAI_AGAIN || (tries >= 0 && i >= tries))
			break;
		sleep(1);
	}
	if (ret)
		return wgc_err_set(err, ret == EAI_MEMORY ? -ENOMEM : -EINVAL, "%s:%u: Endpoint: cannot resolve \"%s\": %s",
				   filename, e->line, e->host, gai_strerror(ret));
	if (result->ai_addrlen > sizeof(e->peer->endpoint.addr)) {
		freeaddrinfo(result);
		return wgc_err_set(err, -EINVAL, "%s:%u: Endpoint: unusable address", filename, e->line);
	}
	memset(&e->peer->endpoint, 0, sizeof(e->peer->endpoint));
	memcpy(&e->peer->endpoint.addr, result->ai_addr, result->ai_addrlen);
	e->peer->flags |= WG_PEER_HAS_ENDPOINT;
	freeaddrinfo(result);
	return 0;
}

int wgc_resolve_endpoints(const struct wgc_extras *extras, const char *filename, struct wgc_err *err)
{
	int ret = 0;

	for (size_t i = 0; i < extras->num_endpoints && !ret; ++i)
		ret = resolve_one(&extras->endpoints[i], filename, err);
	return ret;
}
