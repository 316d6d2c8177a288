/*
 * The daemon's offload pieces without a kernel: the checksum against a byte-by-byte RFC 1071
 * reference, super-packets cut into segments whose every header and checksum is checked the way
 * a receiver would, coalesced runs that cut back into exactly the packets that went in, and the
 * packets that must never join a run.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "core/messages.h"
#include "harness.h"
#include "libwgc/offload/checksum.h"
#include "libwgc/offload/coalesce.h"
#include "libwgc/offload/segment.h"

enum { TCP_PSH = 0x08, TCP_ACK = 0x10, TCP_FIN = 0x01, TCP_CWR = 0x80 };

/* RFC 1071 the slow way: big-endian words, end-around carry. */
static uint16_t reference_sum(const uint8_t *data, size_t len, uint32_t sum)
{
	for (size_t i = 0; i < len; i += 2)
		sum += (uint32_t)data[i] << 8 | (i + 1 < len ? data[i + 1] : 0);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Whether a packet's IPv4 header and TCP/UDP checksums verify, as a receiver checks them. */
static bool checksums_verify(const uint8_t *p, size_t len)
{
	bool v4 = p[0] >> 4 == 4;
	size_t l3 = v4 ? (size_t)(p[0] & 0xf) * 4 : 40, l4_len = len - l3;
	uint8_t pseudo[40] = { 0 };
	size_t addr = v4 ? 4 : 16;

	if (v4 && reference_sum(p, l3, 0) != 0xffff)
		return false;
	memcpy(pseudo, p + (v4 ? 12 : 8), 2 * addr);
	pseudo[2 * addr + 1] = v4 ? p[9] : p[6];
	pseudo[2 * addr + 2] = (uint8_t)(l4_len >> 8);
	pseudo[2 * addr + 3] = (uint8_t)l4_len;
	return reference_sum(p + l3, l4_len, reference_sum(pseudo, 2 * addr + 4, 0)) == 0xffff;
}

TEST(wgl_checksum_matches_the_reference)
{
	uint8_t data[301];
	uint64_t state = 7;

	/* Random bytes, then all ones: the most carries there can be. */
	for (int round = 0; round < 2; ++round) {
		for (size_t i = 0; i < sizeof(data); ++i)
			data[i] = round ? 0xff : (uint8_t)test_random(&state);
		for (size_t len = 0; len <= sizeof(data); len += 7) {
			uint16_t folded = wgl_csum_fold(wgl_csum_add(0, data, len));
			uint8_t bytes[2];

			memcpy(bytes, &folded, 2);
			CHECK_EQ(wg_be16_get(bytes), reference_sum(data, len, 0));
		}
	}
}

/* Copying and summing in one pass: the same bytes and the same sum, at every length and
 * alignment around the 32-byte rounds. */
TEST(wgl_checksum_copy_copies_and_sums)
{
	uint8_t data[200], copy[200];
	uint64_t state = 11;

	for (int round = 0; round < 2; ++round) {
		for (size_t i = 0; i < sizeof(data); ++i)
			data[i] = round ? 0xff : (uint8_t)test_random(&state);
		for (size_t offset = 0; offset < 4; ++offset)
			for (size_t len = 0; len + offset <= 140; ++len) {
				uint64_t sum;
				uint16_t folded;
				uint8_t bytes[2];

				memset(copy, 0, sizeof(copy));
				sum = wgl_csum_copy(copy + offset, data + offset, len);
				folded = wgl_csum_fold(sum);
				memcpy(bytes, &folded, 2);
				CHECK_EQ(wg_be16_get(bytes), reference_sum(data + offset, len, 0));
				CHECK(!memcmp(copy + offset, data + offset, len));
				CHECK_EQ(copy[offset + len], 0);
			}
	}
}

/* An IPv4 or IPv6 header with a TCP header (with 12 bytes of options) or a UDP header, and a
 * counting payload. Returns the packet's length. */
static size_t build_packet(uint8_t *p, int family, uint8_t proto, size_t payload, uint32_t seq, uint8_t flags)
{
	size_t l3 = family == AF_INET ? 20 : 40, l4 = proto == IPPROTO_TCP ? 32 : 8, len = l3 + l4 + payload;

	memset(p, 0, l3 + l4);
	if (family == AF_INET) {
		p[0] = 0x45;
		wg_be16_put(p + 2, (uint16_t)len);
		wg_be16_put(p + 4, 0x1234);
		p[6] = 0x40; /* DF */
		p[8] = 64;
		p[9] = proto;
		inet_pton(AF_INET, "10.0.0.1", p + 12);
		inet_pton(AF_INET, "10.0.0.2", p + 16);
	} else {
		p[0] = 0x60;
		wg_be16_put(p + 4, (uint16_t)(len - 40));
		p[6] = proto;
		p[7] = 64;
		inet_pton(AF_INET6, "fd00::1", p + 8);
		inet_pton(AF_INET6, "fd00::2", p + 24);
	}
	wg_be16_put(p + l3, 40000);
	wg_be16_put(p + l3 + 2, 5201);
	if (proto == IPPROTO_TCP) {
		wg_be32_put(p + l3 + 4, seq);
		wg_be32_put(p + l3 + 8, 777);
		p[l3 + 12] = 8 << 4;
		p[l3 + 13] = flags;
		wg_be16_put(p + l3 + 14, 512);
		memcpy(p + l3 + 20, "\x01\x01\x08\x0a" "TSvalTSecr", 12);
	} else {
		wg_be16_put(p + l3 + 4, (uint16_t)(len - l3));
	}
	for (size_t i = 0; i < payload; ++i)
		p[l3 + l4 + i] = (uint8_t)(seq + i);
	return len;
}

/* What the kernel hands over for TSO: the checksum field holds only the pseudo-header sum. */
static struct virtio_net_hdr tso_header(int family, uint8_t proto, uint16_t gso_size)
{
	return (struct virtio_net_hdr){
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = proto == IPPROTO_UDP ? VIRTIO_NET_HDR_GSO_UDP_L4
			    : family == AF_INET ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6,
		.gso_size = gso_size, .csum_start = family == AF_INET ? 20 : 40,
		.csum_offset = proto == IPPROTO_TCP ? 16 : 6,
	};
}

static uint8_t super[70000], segment[70000];

TEST(wgl_segment_cuts_tcp_like_the_kernel)
{
	struct virtio_net_hdr vnet = tso_header(AF_INET, IPPROTO_TCP, 1000);
	size_t len = build_packet(super, AF_INET, IPPROTO_TCP, 9500, 5000, TCP_ACK | TCP_PSH | TCP_CWR);
	struct wgl_segmenter seg;
	size_t n;
	unsigned count = 0;

	CHECK_EQ(wgl_segmenter_init(&seg, &vnet, super, len), 0);
	while ((n = wgl_segmenter_next(&seg, segment))) {
		size_t payload = count < 9 ? 1000 : 500;
		uint8_t flags = segment[33];

		CHECK_EQ(n, 52 + payload);
		CHECK_EQ(wg_be16_get(segment + 2), n);
		CHECK_EQ(wg_be16_get(segment + 4), 0x1234 + count);
		CHECK_EQ(wg_be32_get(segment + 24), 5000 + 1000 * count);
		CHECK_EQ(!!(flags & TCP_PSH), count == 9);
		CHECK_EQ(!!(flags & TCP_CWR), count == 0);
		CHECK(flags & TCP_ACK);
		CHECK(checksums_verify(segment, n));
		CHECK_MEM(segment + 52, super + 52 + 1000 * count, payload);
		++count;
	}
	CHECK_EQ(count, 10);
}

TEST(wgl_segment_cuts_udp_over_ipv6)
{
	struct virtio_net_hdr vnet = tso_header(AF_INET6, IPPROTO_UDP, 1200);
	size_t len = build_packet(super, AF_INET6, IPPROTO_UDP, 3000, 0, 0);
	struct wgl_segmenter seg;
	size_t n, total = 0;
	unsigned count = 0;

	CHECK_EQ(wgl_segmenter_init(&seg, &vnet, super, len), 0);
	while ((n = wgl_segmenter_next(&seg, segment))) {
		CHECK_EQ(wg_be16_get(segment + 4), n - 40);
		CHECK_EQ(wg_be16_get(segment + 44), n - 40);
		CHECK(checksums_verify(segment, n));
		total += n - 48;
		++count;
	}
	CHECK_EQ(count, 3);
	CHECK_EQ(total, 3000);
}

TEST(wgl_segment_refuses_what_does_not_match_its_header)
{
	struct wgl_segmenter seg;
	size_t len = build_packet(super, AF_INET, IPPROTO_TCP, 3000, 0, TCP_ACK);
	struct virtio_net_hdr good = tso_header(AF_INET, IPPROTO_TCP, 1000), bad;

	bad = good;
	bad.gso_size = 0;
	CHECK_EQ(wgl_segmenter_init(&seg, &bad, super, len), -EINVAL);
	bad = tso_header(AF_INET6, IPPROTO_TCP, 1000);
	CHECK_EQ(wgl_segmenter_init(&seg, &bad, super, len), -EINVAL);
	bad = tso_header(AF_INET, IPPROTO_UDP, 1000);
	CHECK_EQ(wgl_segmenter_init(&seg, &bad, super, len), -EINVAL);
	bad = good;
	bad.gso_type = 42;
	CHECK_EQ(wgl_segmenter_init(&seg, &bad, super, len), -EINVAL);
	CHECK_EQ(wgl_segmenter_init(&seg, &good, super, 40), -EINVAL);
	super[32] = 15 << 4; /* a TCP header longer than the packet */
	CHECK_EQ(wgl_segmenter_init(&seg, &good, super, 59), -EINVAL);
}

TEST(wgl_checksum_finish_completes_a_partial_checksum)
{
	size_t len = build_packet(super, AF_INET6, IPPROTO_TCP, 777, 1, TCP_ACK);
	struct virtio_net_hdr vnet = tso_header(AF_INET6, IPPROTO_TCP, 0);
	uint16_t partial = wgl_csum_fold(wgl_csum_pseudo(super, IPPROTO_TCP, len - 40));

	vnet.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	memcpy(super + 56, &partial, 2);
	CHECK(!checksums_verify(super, len));
	CHECK_EQ(wgl_checksum_finish(&vnet, super, len), 0);
	CHECK(checksums_verify(super, len));
	vnet.csum_start = (uint16_t)len;
	CHECK_EQ(wgl_checksum_finish(&vnet, super, len), -EINVAL);
}

/* Each write the coalescer makes, gathered into one buffer with its virtio-net header. */
struct written {
	unsigned count;
	struct virtio_net_hdr vnet[64];
	size_t len[64];
	uint8_t data[64][70000];
};

static int capture(void *ctx, const struct iovec *iov, int count)
{
	struct written *w = ctx;
	size_t len = 0;

	memcpy(&w->vnet[w->count], iov[0].iov_base, sizeof(struct virtio_net_hdr));
	for (int i = 1; i < count; ++i) {
		memcpy(w->data[w->count] + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	w->len[w->count++] = len;
	return 0;
}

static struct written out;
static struct wgl_coalescer coalescer;
static uint8_t packets[80][2000];
static size_t lengths[80];

TEST(wgl_coalesce_joins_a_tcp_flow_and_cuts_back_to_the_same_packets)
{
	struct wgl_segmenter seg;
	size_t n;
	unsigned i = 0;

	coalescer = (struct wgl_coalescer){ 0 };
	out.count = 0;
	for (unsigned k = 0; k < 8; ++k) {
		lengths[k] = build_packet(packets[k], AF_INET, IPPROTO_TCP, k < 7 ? 1400 : 300, 1400 * k,
					  TCP_ACK | (k == 7 ? TCP_PSH : 0));
		wgl_csum_store(packets[k] + 10, wgl_csum_add(0, packets[k], 20));
		CHECK(wgl_coalescer_add(&coalescer, packets[k], lengths[k]));
	}
	wgl_coalescer_flush(&coalescer, capture, &out);
	CHECK_EQ(out.count, 1);
	CHECK_EQ(out.vnet[0].gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	CHECK_EQ(out.vnet[0].gso_size, 1400);
	CHECK_EQ(out.vnet[0].hdr_len, 52);
	CHECK_EQ(out.len[0], 52 + 7 * 1400 + 300);
	CHECK_EQ(reference_sum(out.data[0], 20, 0), 0xffff);
	/* CHECKSUM_PARTIAL: the field holds the pseudo-header sum, which the kernel completes. */
	CHECK_EQ(wg_be16_get(out.data[0] + 36),
		 reference_sum((const uint8_t[]){ 10, 0, 0, 1, 10, 0, 0, 2, 0, IPPROTO_TCP,
						  (uint8_t)((out.len[0] - 20) >> 8), (uint8_t)(out.len[0] - 20) },
			       12, 0));
	/* What the kernel would do with it: cut it where the segmenter cuts. */
	CHECK_EQ(wgl_segmenter_init(&seg, &out.vnet[0], out.data[0], out.len[0]), 0);
	while ((n = wgl_segmenter_next(&seg, segment))) {
		CHECK_EQ(n, lengths[i]);
		CHECK(checksums_verify(segment, n));
		CHECK_MEM(segment + 52, packets[i] + 52, n - 52);
		CHECK_EQ(wg_be32_get(segment + 24), 1400 * i);
		CHECK_EQ(!!(segment[33] & TCP_PSH), i == 7);
		++i;
	}
	CHECK_EQ(i, 8);
}

/* Numbered cases: a second packet that must not join the first one's run. */
TEST(wgl_coalesce_keeps_apart_what_differs)
{
	static const struct {
		const char *what;
		int field;      /* byte to change in the second packet, or -1 */
		uint32_t seq;   /* the second packet's sequence number */
		uint8_t flags;
	} cases[] = {
		{ "sequence gap", -1, 2800, TCP_ACK },
		{ "TTL", 8, 1400, TCP_ACK },
		{ "TOS", 1, 1400, TCP_ACK },
		{ "window", 35, 1400, TCP_ACK },
		{ "options", 45, 1400, TCP_ACK },
		{ "ack number", 31, 1400, TCP_ACK },
		{ "FIN", -1, 1400, TCP_ACK | TCP_FIN },
		{ "other port", 21, 1400, TCP_ACK },
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); ++c) {
		coalescer = (struct wgl_coalescer){ 0 };
		out.count = 0;
		lengths[0] = build_packet(packets[0], AF_INET, IPPROTO_TCP, 1400, 0, TCP_ACK);
		lengths[1] = build_packet(packets[1], AF_INET, IPPROTO_TCP, 1400, cases[c].seq, cases[c].flags);
		if (cases[c].field >= 0)
			packets[1][cases[c].field] ^= 1;
		wgl_coalescer_add(&coalescer, packets[0], lengths[0]);
		wgl_coalescer_add(&coalescer, packets[1], lengths[1]);
		wgl_coalescer_flush(&coalescer, capture, &out);
		if (out.count != 2)
			test_fail(__FILE__, __LINE__, "case %zu (%s): %u writes", c, cases[c].what, out.count);
		CHECK_EQ(out.vnet[0].gso_type, VIRTIO_NET_HDR_GSO_NONE);
		CHECK_MEM(out.data[0], packets[0], lengths[0]);
	}
}

TEST(wgl_coalesce_keeps_each_flows_order_when_flows_interleave)
{
	coalescer = (struct wgl_coalescer){ 0 };
	out.count = 0;
	for (unsigned k = 0; k < 6; ++k) {
		lengths[k] = build_packet(packets[k], AF_INET6, IPPROTO_TCP, 1000, 1000 * (k / 2), TCP_ACK);
		packets[k][40 + 1] += (uint8_t)(k % 2); /* two source ports */
		CHECK(wgl_coalescer_add(&coalescer, packets[k], lengths[k]));
	}
	wgl_coalescer_flush(&coalescer, capture, &out);
	CHECK_EQ(out.count, 2);
	CHECK_EQ(out.vnet[0].gso_type, VIRTIO_NET_HDR_GSO_TCPV6);
	CHECK_EQ(out.len[0], 72 + 3000);
	CHECK_EQ(out.len[1], 72 + 3000);
	CHECK_EQ(wg_be16_get(out.data[0] + 4), 32 + 3000);
}

TEST(wgl_coalesce_joins_udp_only_where_the_kernel_takes_it)
{
	for (int udp = 0; udp < 2; ++udp) {
		coalescer = (struct wgl_coalescer){ .udp = udp };
		out.count = 0;
		for (unsigned k = 0; k < 5; ++k) {
			lengths[k] = build_packet(packets[k], AF_INET, IPPROTO_UDP, k < 4 ? 64 : 10, k, 0);
			CHECK(wgl_coalescer_add(&coalescer, packets[k], lengths[k]));
		}
		wgl_coalescer_flush(&coalescer, capture, &out);
		CHECK_EQ(out.count, udp ? 1 : 5);
	}
	CHECK_EQ(out.vnet[0].gso_type, VIRTIO_NET_HDR_GSO_UDP_L4);
	CHECK_EQ(out.vnet[0].gso_size, 64);
	CHECK_EQ(wg_be16_get(out.data[0] + 24), 8 + 4 * 64 + 10);
}

TEST(wgl_coalesce_writes_other_packets_alone_and_in_order)
{
	coalescer = (struct wgl_coalescer){ .udp = true };
	out.count = 0;
	for (unsigned k = 0; k < 3; ++k) {
		lengths[k] = build_packet(packets[k], AF_INET, IPPROTO_TCP, 100, 100 * k, TCP_ACK);
		packets[k][9] = IPPROTO_ICMP;
		wgl_coalescer_add(&coalescer, packets[k], lengths[k]);
	}
	wgl_coalescer_flush(&coalescer, capture, &out);
	CHECK_EQ(out.count, 3);
	for (unsigned k = 0; k < 3; ++k) {
		CHECK_EQ(out.vnet[k].gso_type, VIRTIO_NET_HDR_GSO_NONE);
		CHECK_MEM(out.data[k], packets[k], lengths[k]);
	}
}
