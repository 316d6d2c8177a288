/* Endpoints: comparison, and the numeric text form the UAPI and config files use. */
#include "core/endpoint.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool wg_endpoint_is_set(const struct wg_endpoint *endpoint)
{
	return endpoint->addr.sa.sa_family == AF_INET || endpoint->addr.sa.sa_family == AF_INET6;
}

bool wg_endpoint_same_remote(const struct wg_endpoint *a, const struct wg_endpoint *b)
{
	if (a->addr.sa.sa_family != b->addr.sa.sa_family || a->transport != b->transport)
		return false;
	if (a->addr.sa.sa_family == AF_INET)
		return a->addr.in.sin_port == b->addr.in.sin_port &&
		       a->addr.in.sin_addr.s_addr == b->addr.in.sin_addr.s_addr;
	if (a->addr.sa.sa_family == AF_INET6)
		return a->addr.in6.sin6_port == b->addr.in6.sin6_port &&
		       a->addr.in6.sin6_scope_id == b->addr.in6.sin6_scope_id &&
		       !memcmp(&a->addr.in6.sin6_addr, &b->addr.in6.sin6_addr, sizeof(struct in6_addr));
	return true;
}

bool wg_endpoint_equal(const struct wg_endpoint *a, const struct wg_endpoint *b)
{
	if (!wg_endpoint_same_remote(a, b) || a->src_ifindex != b->src_ifindex)
		return false;
	if (a->addr.sa.sa_family == AF_INET)
		return a->src.in.s_addr == b->src.in.s_addr;
	if (a->addr.sa.sa_family == AF_INET6)
		return !memcmp(&a->src.in6, &b->src.in6, sizeof(struct in6_addr));
	return true;
}

void wg_endpoint_clear_src(struct wg_endpoint *endpoint)
{
	memset(&endpoint->src, 0, sizeof(endpoint->src));
	endpoint->src_ifindex = 0;
}

static int parse_port(const char *text, uint16_t *port)
{
	char *end;
	unsigned long value;

	if (*text < '0' || *text > '9')
		return -EINVAL;
	errno = 0;
	value = strtoul(text, &end, 10);
	if (errno || *end || value > 65535)
		return -EINVAL;
	*port = (uint16_t)value;
	return 0;
}

int wg_endpoint_parse(struct wg_endpoint *endpoint, const char *text)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *host_start = text;
	size_t host_len;
	uint16_t port;

	memset(endpoint, 0, sizeof(*endpoint));
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close || close[1] != ':')
			return -EINVAL;
		host_start = text + 1;
		host_len = (size_t)(close - host_start);
		colon = close + 1;
	} else {
		colon = strrchr(text, ':');
		if (!colon)
			return -EINVAL;
		host_len = (size_t)(colon - text);
	}
	if (host_len == 0 || host_len >= sizeof(host) || parse_port(colon + 1, &port))
		return -EINVAL;
	memcpy(host, host_start, host_len);
	host[host_len] = '\0';

	if (text[0] != '[' && inet_pton(AF_INET, host, &endpoint->addr.in.sin_addr) == 1) {
		endpoint->addr.in.sin_family = AF_INET;
		endpoint->addr.in.sin_port = htons(port);
		return 0;
	}
	if (text[0] == '[' && inet_pton(AF_INET6, host, &endpoint->addr.in6.sin6_addr) == 1) {
		endpoint->addr.in6.sin6_family = AF_INET6;
		endpoint->addr.in6.sin6_port = htons(port);
		return 0;
	}
	memset(endpoint, 0, sizeof(*endpoint));
	return -EINVAL;
}

size_t wg_endpoint_format(const struct wg_endpoint *endpoint, char text[WG_ENDPOINT_TEXT_MAX])
{
	char host[INET6_ADDRSTRLEN];
	int n = 0;

	text[0] = '\0';
	if (endpoint->addr.sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &endpoint->addr.in.sin_addr, host, sizeof(host));
		n = snprintf(text, WG_ENDPOINT_TEXT_MAX, "%s:%u", host, ntohs(endpoint->addr.in.sin_port));
	} else if (endpoint->addr.sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &endpoint->addr.in6.sin6_addr, host, sizeof(host));
		if (endpoint->addr.in6.sin6_scope_id)
			n = snprintf(text, WG_ENDPOINT_TEXT_MAX, "[%s%%%u]:%u", host,
				     endpoint->addr.in6.sin6_scope_id, ntohs(endpoint->addr.in6.sin6_port));
		else
			n = snprintf(text, WG_ENDPOINT_TEXT_MAX, "[%s]:%u", host, ntohs(endpoint->addr.in6.sin6_port));
	}
	/* WG_ENDPOINT_TEXT_MAX fits every address, so this never cuts; were it to, the length
	 * returned would still be only what was written. */
	if (n <= 0)
		return 0;
	return (size_t)n < WG_ENDPOINT_TEXT_MAX ? (size_t)n : WG_ENDPOINT_TEXT_MAX - 1;
}
