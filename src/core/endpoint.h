/*
 * A peer's endpoint: the address its packets last authenticated from (or as configured),
 * plus the local address they reached, so replies leave from the address the peer expects.
 */
#ifndef WG_CORE_ENDPOINT_H
#define WG_CORE_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <netinet/in.h>
#include <sys/socket.h>

union wg_sockaddr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

/* Which transport carries an endpoint's messages. The core only compares it, so roaming and
 * source stickiness hold per transport; the I/O layer sends by it. */
enum wg_transport_kind { WG_TRANSPORT_UDP, WG_TRANSPORT_TCP, WG_TRANSPORT_KINDS };

struct wg_endpoint {
	union wg_sockaddr addr; /* sa_family 0: no endpoint known */
	union {
		struct in_addr in;
		struct in6_addr in6;
	} src;                  /* all zero: let the OS choose */
	int src_ifindex;
	uint8_t transport;      /* enum wg_transport_kind */
};

/* Longest text form: "[" v6 "%" scope "]:" port and a NUL, with the longest text inet_ntop may
 * give an address (INET6_ADDRSTRLEN counts its NUL), a 32-bit scope and a 16-bit port. */
enum { WG_ENDPOINT_TEXT_MAX = INET6_ADDRSTRLEN + sizeof("[%]:") - 1 + sizeof("4294967295") - 1 + sizeof("65535") - 1 };

bool wg_endpoint_is_set(const struct wg_endpoint *endpoint);
/* Same transport, remote address and port, and same local source. */
bool wg_endpoint_equal(const struct wg_endpoint *a, const struct wg_endpoint *b);
/* Same transport, remote address and port, whatever the local source. */
bool wg_endpoint_same_remote(const struct wg_endpoint *a, const struct wg_endpoint *b);
void wg_endpoint_clear_src(struct wg_endpoint *endpoint);

/* "192.0.2.1:51820" or "[2001:db8::1]:51820", numeric only. 0 or -EINVAL. */
int wg_endpoint_parse(struct wg_endpoint *endpoint, const char *text);
/* The same forms, with the scope of a scoped IPv6 address; returns the length written. */
size_t wg_endpoint_format(const struct wg_endpoint *endpoint, char text[WG_ENDPOINT_TEXT_MAX]);

#endif
