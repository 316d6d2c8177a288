/* Endpoint text: the numeric forms of the UAPI, both ways, and malformed input refused. */
#include <arpa/inet.h>
#include <string.h>

#include "core/endpoint.h"
#include "harness.h"

static void round_trip(const char *text)
{
	struct wg_endpoint e;
	char out[WG_ENDPOINT_TEXT_MAX];

	CHECK_EQ(wg_endpoint_parse(&e, text), 0);
	wg_endpoint_format(&e, out);
	if (strcmp(out, text))
		test_fail(__FILE__, __LINE__, "\"%s\" came back as \"%s\"", text, out);
}

TEST(endpoint_parse_and_format)
{
	round_trip("192.0.2.1:51820");
	round_trip("0.0.0.0:0");
	round_trip("[2001:db8::1]:65535");
	round_trip("[::ffff:192.0.2.1]:1");
}

TEST(endpoint_rejects_malformed)
{
	static const char *bad[] = {
		"", "192.0.2.1", "192.0.2.1:", ":51820", "192.0.2.1:65536", "192.0.2.1:-1", "192.0.2.1:+5",
		"192.0.2.256:1", "2001:db8::1:51820", "[2001:db8::1]51820", "[2001:db8::1:51820", "[192.0.2.1]:1",
		"example.com:51820", "192.0.2.1:5 ", "[]:1",
	};
	struct wg_endpoint e;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i)
		if (wg_endpoint_parse(&e, bad[i]) == 0)
			test_fail(__FILE__, __LINE__, "accepted \"%s\"", bad[i]);
}

TEST(endpoint_equality_includes_source)
{
	struct wg_endpoint a, b;

	wg_endpoint_parse(&a, "192.0.2.1:51820");
	wg_endpoint_parse(&b, "192.0.2.1:51820");
	CHECK(wg_endpoint_equal(&a, &b));
	b.src.in.s_addr = 0x01020304;
	CHECK(!wg_endpoint_equal(&a, &b));
	wg_endpoint_clear_src(&b);
	CHECK(wg_endpoint_equal(&a, &b));
	wg_endpoint_parse(&b, "192.0.2.1:51821");
	CHECK(!wg_endpoint_equal(&a, &b));
}

/* The longest address, scope and port there are: written whole, and its length returned. */
TEST(endpoint_longest_scoped_form_fits)
{
	static const char expected[] = "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff%4294967295]:65535";
	struct wg_endpoint e = { .addr.in6 = { .sin6_family = AF_INET6, .sin6_port = 0xffff,
					       .sin6_scope_id = 4294967295u } };
	char out[WG_ENDPOINT_TEXT_MAX];

	memset(&e.addr.in6.sin6_addr, 0xff, sizeof(e.addr.in6.sin6_addr));
	CHECK_EQ(wg_endpoint_format(&e, out), strlen(expected));
	CHECK(!strcmp(out, expected));
	CHECK(WG_ENDPOINT_TEXT_MAX >= sizeof("[") + INET6_ADDRSTRLEN + sizeof("%4294967295]:65535") - 2);
}
