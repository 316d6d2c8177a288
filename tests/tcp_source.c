/*
 * What the TCP listener's per-source limit counts as one source: an IPv4 address, or an IPv6
 * /64 (a host has the whole /64 to connect from); never across families, ports not at all.
 */
#include <arpa/inet.h>

#include "harness.h"
#include "libwgc/tcp.h"

static struct wg_endpoint at(const char *text)
{
	struct wg_endpoint e;

	if (wg_endpoint_parse(&e, text))
		e.addr.sa.sa_family = 0;
	e.transport = WG_TRANSPORT_TCP;
	return e;
}

static bool same(const char *a, const char *b)
{
	struct wg_endpoint x = at(a), y = at(b);

	return wgl_tcp_same_source(&x, &y);
}

TEST(tcp_source_ipv4_is_one_address)
{
	CHECK(same("192.0.2.1:1000", "192.0.2.1:2000"));
	CHECK(!same("192.0.2.1:1000", "192.0.2.2:1000"));
}

TEST(tcp_source_ipv6_is_one_64)
{
	CHECK(same("[2001:db8:1:2::1]:1000", "[2001:db8:1:2:ffff:ffff:ffff:ffff]:2000"));
	CHECK(!same("[2001:db8:1:2::1]:1000", "[2001:db8:1:3::1]:1000"));
	CHECK(!same("[2001:db8:1:2::1]:1000", "[2001:db9:1:2::1]:1000"));
}

TEST(tcp_source_families_differ)
{
	CHECK(!same("192.0.2.1:1000", "[::ffff:192.0.2.1]:1000"));
}
