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
	bool tcp = e->kind == WGC_ENDPOINT_TCP;
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM,
				  .ai_protocol = tcp ? IPPROTO_TCP : IPPROTO_UDP };
	struct addrinfo *result = NULL;
	struct wg_endpoint *out = tcp ? &e->peer->tcp_endpoint : &e->peer->endpoint;
	const char *key = tcp ? "TCPEndpoint" : "Endpoint";
	int ret, tries = retries();

	for (int i = 0;; ++i) {
		ret = getaddrinfo(e->host, e->port, &hints, &result);
		if (ret != EAI_AGAIN || (tries >= 0 && i >= tries))
			break;
		sleep(1);
	}
	if (ret)
		return wgc_err_set(err, ret == EAI_MEMORY ? -ENOMEM : -EINVAL, "%s:%u: %s: cannot resolve \"%s\": %s",
				   filename, e->line, key, e->host, gai_strerror(ret));
	if (result->ai_addrlen > sizeof(out->addr)) {
		freeaddrinfo(result);
		return wgc_err_set(err, -EINVAL, "%s:%u: %s: unusable address", filename, e->line, key);
	}
	memset(out, 0, sizeof(*out));
	memcpy(&out->addr, result->ai_addr, result->ai_addrlen);
	if (tcp)
		out->transport = WG_TRANSPORT_TCP;
	e->peer->flags |= tcp ? WG_PEER_HAS_TCP_ENDPOINT : WG_PEER_HAS_ENDPOINT;
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
