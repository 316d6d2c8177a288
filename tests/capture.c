/*
 * The capture reader (wgc/capture.h) on pcaps the tests write with libpcap (pcap_open_dead,
 * pcap_dump) and pcapngs written byte by byte: link layers, IP and its extension headers,
 * fragments, records cut short, the port filter, TCP streams reassembled out of order and cut
 * into frames (also against a naive model, tcpframes.h directly), and the errors a person sees.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "wgc/capture.h"
#include "wgc/tcpframes.h"

enum { SEEN_MAX = 512, DATA_MAX = 2048 };

struct seen {
	char file[64];
	uint64_t frame, time_ns;
	int family;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	enum capture_transport transport;
	uint8_t data[DATA_MAX];
	size_t len;
};

struct sink {
	struct seen *seen;
	size_t count;
	unsigned plausible_calls;
};

static void on_message(void *ctx, const struct capture_message *m)
{
	struct sink *sink = ctx;
	struct seen *s;

	if (sink->count == SEEN_MAX)
		return;
	s = &sink->seen[sink->count++];
	snprintf(s->file, sizeof(s->file), "%s", m->file);
	s->frame = m->frame;
	s->time_ns = m->time_ns;
	s->family = m->family;
	memcpy(s->src, m->src, 16);
	memcpy(s->dst, m->dst, 16);
	s->sport = m->sport;
	s->dport = m->dport;
	s->transport = m->transport;
	s->len = m->len;
	memcpy(s->data, m->data, m->len < DATA_MAX ? m->len : DATA_MAX);
}

/* A stand-in for the analyzer's test: a message type 1-4 with three zero bytes after it. */
static bool looks_like_wireguard(const uint8_t *data, size_t len)
{
	return len >= 4 && data[0] >= 1 && data[0] <= 4 && !data[1] && !data[2] && !data[3];
}

static bool on_plausible(void *ctx, const uint8_t *data, size_t len)
{
	++((struct sink *)ctx)->plausible_calls;
	return looks_like_wireguard(data, len);
}

static void sink_init(struct sink *sink)
{
	memset(sink, 0, sizeof(*sink));
	sink->seen = calloc(SEEN_MAX, sizeof(*sink->seen));
}

/* --- packets ------------------------------------------------------------------------------ */

struct pkt {
	uint8_t b[4096];
	size_t len;
};

static const uint8_t A4[4] = { 192, 0, 2, 1 }, B4[4] = { 198, 51, 100, 7 };
static const uint8_t A6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, B6[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 2, 3 };

static void put(struct pkt *p, const void *data, size_t n)
{
	if (n)
		memcpy(p->b + p->len, data, n);
	p->len += n;
}

static void put8(struct pkt *p, uint8_t v)
{
	put(p, &v, 1);
}

static void put16(struct pkt *p, uint16_t v)
{
	put8(p, (uint8_t)(v >> 8));
	put8(p, (uint8_t)v);
}

static void put32(struct pkt *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p, (uint16_t)v);
}

static void fill(struct pkt *p, uint8_t v, size_t n)
{
	memset(p->b + p->len, v, n);
	p->len += n;
}

static void eth(struct pkt *p, uint16_t type)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };

	put(p, macs, 12);
	put16(p, type);
}

static void vlan(struct pkt *p, uint16_t id, uint16_t next)
{
	put16(p, id);
	put16(p, next);
}

static void ipv4(struct pkt *p, uint8_t proto, uint16_t payload, uint16_t fragment)
{
	put8(p, 0x45);
	put8(p, 0);
	put16(p, (uint16_t)(20 + payload));
	put16(p, 0x1234);
	put16(p, fragment);
	put8(p, 64);
	put8(p, proto);
	put16(p, 0);
	put(p, A4, 4);
	put(p, B4, 4);
}

static void ipv6(struct pkt *p, uint8_t next, uint16_t payload)
{
	put32(p, 0x60000000);
	put16(p, payload);
	put8(p, next);
	put8(p, 64);
	put(p, A6, 16);
	put(p, B6, 16);
}

static void udp(struct pkt *p, uint16_t sport, uint16_t dport, const uint8_t *data, size_t n)
{
	put16(p, sport);
	put16(p, dport);
	put16(p, (uint16_t)(8 + n));
	put16(p, 0);
	put(p, data, n);
}

enum { FIN = 0x01, SYN = 0x02, RST = 0x04, ACK = 0x10 };

static void tcp(struct pkt *p, uint16_t sport, uint16_t dport, uint32_t seq, uint8_t flags, const uint8_t *data,
		size_t n)
{
	put16(p, sport);
	put16(p, dport);
	put32(p, seq);
	put32(p, 0);
	put8(p, 5 << 4);
	put8(p, flags);
	put16(p, 65535);
	put32(p, 0);
	put(p, data, n);
}

/* Ethernet, IPv4 (A4 -> B4), UDP. */
static struct pkt udp4(uint16_t sport, uint16_t dport, const uint8_t *data, size_t n)
{
	struct pkt p = { .len = 0 };

	eth(&p, 0x0800);
	ipv4(&p, 17, (uint16_t)(8 + n), 0);
	udp(&p, sport, dport, data, n);
	return p;
}

/* Ethernet, IPv4 (A4 -> B4), TCP. */
static struct pkt tcp4(uint16_t sport, uint16_t dport, uint32_t seq, uint8_t flags, const uint8_t *data, size_t n)
{
	struct pkt p = { .len = 0 };

	eth(&p, 0x0800);
	ipv4(&p, 6, (uint16_t)(20 + n), 0);
	tcp(&p, sport, dport, seq, flags, data, n);
	return p;
}

/* A WireGuard-looking message: type, three zero bytes, then a pattern. */
static void message(uint8_t *out, uint8_t type, size_t len, uint8_t pattern)
{
	memset(out, 0, 4);
	out[0] = type;
	for (size_t i = 4; i < len; ++i)
		out[i] = (uint8_t)(pattern + i);
}

/* A message as a TCP transport frame; returns the frame's length. */
static size_t frame(uint8_t *out, uint8_t type, size_t len, uint8_t pattern)
{
	out[0] = (uint8_t)(len >> 8);
	out[1] = (uint8_t)len;
	message(out + 2, type, len, pattern);
	return 2 + len;
}

/* --- files -------------------------------------------------------------------------------- */

struct writer {
	pcap_t *dead;
	pcap_dumper_t *dumper;
	uint32_t count;
};

static char tmpdir[64];

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_tmpdir(void)
{
	nftw(tmpdir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* A file in this run's own directory, removed when the run ends. */
static const char *tmp_path(const char *name)
{
	static char path[160];

	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/wgc-capture-XXXXXX");
		if (!mkdtemp(tmpdir))
			abort();
		atexit(remove_tmpdir);
	}
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static void writer_open(struct writer *w, const char *path, int link)
{
	w->dead = pcap_open_dead_with_tstamp_precision(link, 262144, PCAP_TSTAMP_PRECISION_NANO);
	w->dumper = pcap_dump_open(w->dead, path);
	w->count = 0;
	if (!w->dumper)
		abort();
}

/* Record n is at 1700000000 + n seconds and n * 1000 + 7 nanoseconds. */
static void writer_add_cut(struct writer *w, const struct pkt *p, size_t caplen)
{
	struct pcap_pkthdr hdr = { .caplen = (bpf_u_int32)caplen, .len = (bpf_u_int32)p->len };

	++w->count;
	hdr.ts.tv_sec = 1700000000 + w->count;
	hdr.ts.tv_usec = w->count * 1000 + 7;
	pcap_dump((u_char *)w->dumper, &hdr, p->b);
}

static void writer_add(struct writer *w, const struct pkt *p)
{
	writer_add_cut(w, p, p->len);
}

static void writer_close(struct writer *w)
{
	pcap_dump_close(w->dumper);
	pcap_close(w->dead);
}

static uint64_t record_time(uint64_t n)
{
	return (1700000000 + n) * 1000000000ull + n * 1000 + 7;
}

static void write_bytes(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, len, f) != len)
		abort();
	fclose(f);
}

struct result {
	struct sink sink;
	struct capture_counts counts;
	struct wgc_err err;
	int ret;
};

static void read_capture(struct result *res, const char *path, const uint16_t *ports, size_t port_count)
{
	struct capture_options options = {
		.ports = ports, .port_count = port_count, .frame_plausible = on_plausible, .message = on_message,
	};

	memset(&res->counts, 0, sizeof(res->counts));
	memset(&res->err, 0, sizeof(res->err));
	sink_init(&res->sink);
	options.ctx = &res->sink;
	res->ret = capture_read(path, &options, &res->counts, &res->err);
}

static void result_free(struct result *res)
{
	free(res->sink.seen);
}

static bool text_has(const char *text, const char *part)
{
	if (strstr(text, part))
		return true;
	fprintf(stderr, "    \"%s\" lacks \"%s\"\n", text, part);
	return false;
}

/* --- link layers and IP ------------------------------------------------------------------- */

TEST(capture_udp_over_ethernet_ipv4)
{
	const char *path = tmp_path("udp4.pcap");
	struct result res;
	struct writer w;
	uint8_t msg[32];
	struct pkt p;

	message(msg, 4, sizeof(msg), 9);
	writer_open(&w, path, DLT_EN10MB);
	p = udp4(51820, 40000, msg, sizeof(msg));
	fill(&p, 0xaa, 6); /* Ethernet padding after the IP packet */
	writer_add(&w, &p);
	p = (struct pkt){ .len = 0 };
	eth(&p, 0x0806); /* ARP */
	fill(&p, 0, 28);
	writer_add(&w, &p);
	p = (struct pkt){ .len = 0 };
	eth(&p, 0x0800);
	ipv4(&p, 1, 8, 0); /* ICMP */
	fill(&p, 0, 8);
	writer_add(&w, &p);
	writer_close(&w);

	read_capture(&res, path, NULL, 0);
	CHECK_EQ(res.ret, 0);
	CHECK_EQ(res.sink.count, 1);
	CHECK_EQ(res.counts.packets, 3);
	CHECK_EQ(res.counts.not_ip, 1);
	CHECK_EQ(res.counts.other_ip, 1);
	CHECK_EQ(res.counts.malformed + res.counts.truncated + res.counts.fragments, 0);
	if (res.sink.count == 1) {
		struct seen *s = &res.sink.seen[0];

		CHECK(!strcmp(s->file, path));
		CHECK_EQ(s->frame, 1);
		CHECK_EQ(s->time_ns, record_time(1));
		CHECK_EQ(s->family, AF_INET);
		CHECK_MEM(s->src, A4, 4);
		CHECK_MEM(s->dst, B4, 4);
		CHECK_EQ(s->sport, 51820);
		CHECK_EQ(s->dport, 40000);
		CHECK_EQ(s->transport, CAPTURE_UDP);
		CHECK_EQ(s->len, sizeof(msg));
		CHECK_MEM(s->data, msg, sizeof(msg));
	}
	result_free(&res);
}

TEST(capture_vlan_tags)
{
	const char *path = tmp_path("vlan.pcap");
	struct result res;
	struct writer w;
	uint8_t msg[148];
	struct pkt p = { .len = 0 };

	message(msg, 1, sizeof(msg), 3);
	writer_open(&w, path, DLT_EN10MB);
	eth(&p, 0x8100);
	vlan(&p, 100, 0x0800);
	ipv4(&p, 17, 8 + sizeof(msg), 0);
	udp(&p, 1, 2, msg, sizeof(msg));
	writer_add(&w, &p);
	p.len = 0;
	eth(&p, 0x88a8); /* QinQ: a service tag, then a customer tag */
	vlan(&p, 7, 0x8100);
	vlan(&p, 100, 0x86dd);
	ipv6(&p, 17, 8 + sizeof(msg));
	udp(&p, 3, 4, msg, sizeof(msg));
	writer_add(&w, &p);
	p.len = 0;
	eth(&p, 0x8100); /* a tag cut short */
	put16(&p, 100);
	writer_add(&w, &p);
	writer_close(&w);

	read_capture(&res, path, NULL, 0);
	CHECK_EQ(res.ret, 0);
	CHECK_EQ(res.sink.count, 2);
	CHECK_EQ(res.counts.malformed, 1);
	if (res.sink.count == 2) {
		CHECK_EQ(res.sink.seen[0].family, AF_INET);
		CHECK_EQ(res.sink.seen[0].sport, 1);
		CHECK_EQ(res.sink.seen[1].family, AF_INET6);
		CHECK_MEM(res.sink.seen[1].src, A6, 16);
		CHECK_MEM(res.sink.seen[1].dst, B6, 16);
		CHECK_EQ(res.sink.seen[1].dport, 4);
		CHECK_EQ(res.sink.seen[1].len, sizeof(msg));
		CHECK_MEM(res.sink.seen[1].data, msg, sizeof(msg));
	}
	result_free(&res);
}

/* Linux cooked headers: SLL (tcpdump -i any before libpcap 1.10) and SLL2. */
TEST(capture_linux_cooked)
{
	const char *path1 = tmp_path("sll.pcap"), *path2 = tmp_path("sll2.pcap");
	struct result res;
	struct writer w;
	uint8_t msg[92];
	struct pkt p = { .len = 0 };

	message(msg, 2, sizeof(msg), 5);
	writer_open(&w, path1, DLT_LINUX_SLL);
	put16(&p, 0);         /* sent to us */
	put16(&p, 1);         /* ARPHRD_ETHER */
	put16(&p, 6);
	fill(&p, 0x11, 8);
	put16(&p, 0x0800);
	ipv4(&p, 17, 8 + sizeof(msg), 0);
	udp(&p, 51820, 51821, msg, sizeof(msg));
	writer_add(&w, &p);
	writer_close(&w);
	read_capture(&res, path1, NULL, 0);
	CHECK_EQ(res.ret, 0);
	CHECK_EQ(res.sink.count, 1);
	CHECK(res.sink.count == 1 && res.sink.seen[0].len == sizeof(msg) && res.sink.seen[0].sport == 51820);
	result_free(&res);

	p.len = 0;
	writer_open(&w, path2, DLT_LINUX_SLL2);
	put16(&p, 0x86dd);    /* protocol */
	put16(&p, 0);
	put32(&p, 3);         /* interface index */
	put16(&p, 1);         /* ARPHRD_ETHER */
	put8(&p, 4);          /* outgoing */
	put8(&p, 6);
	fill(&p, 0x22, 8);
	ipv6(&p, 17, 8 + sizeof(msg));
	udp(&p, 51821, 51820, msg, sizeof(msg));
	writer_add(&w, &p);
	writer_close(&w);
	read_capture(&res, path2, NULL, 0);
	CHECK_EQ(res.ret, 0);
	CHECK_EQ(res.sink.count, 1);
	if (res.sink.count == 1) {
		CHECK_EQ(res.sink.seen[0].family, AF_INET6);
		CHECK_EQ(res.sink.seen[0].sport, 51821);
		CHECK_MEM(res.sink.seen[0].data, msg, sizeof(msg));
	}
	result_free(&res);
}

/* Raw IPv6 with hop-by-hop and destination options before UDP; a fragment header skipped. */
TEST(capture_raw_ipv6_extension_headers)
{
	const char *path = tmp_path("raw6.pcap");
	struct result res;
	struct writer w;
	uint8_t msg[32];
	struct pkt p = { .len = 0 };

	message(msg, 4, sizeof(msg), 1);
	writer_open(&w, path, DLT_RAW);
	ipv6(&p, 0, 8 + 16 + 8 + sizeof(msg));
	put8(&p, 60);         /* hop-by-hop, then destination options */
	put8(&p, 0);
	fill(&p, 0, 6);
	put8(&p, 17);         /* destination options (16 bytes), then UDP */
	put8(&p, 1);
	put8(&p, 1);          /* PadN */
	put8(&p, 12);
	fill(&p, 0, 12);
	udp(&p, 9, 51820, msg, sizeof(msg));
	writer_add(&w, &p);
	p.len = 0;
	ipv6(&p, 44, 8 + 8 + sizeof(msg));
	put8(&p, 17);         /* fragment header: first of several */
	put8(&p, 0);
	put16(&p, 1);
	put32(&p, 0xabcd);
	udp(&p, 9, 51820, msg, sizeof(msg));
	writer_add(&w, &p);
	p.len = 0;
	ipv6(&p, 60, 8);      /* destination options reaching past the packet */
	put8(&p, 17);
	put8(&p, 3);
	fill(&p, 0, 6);
	writer_add(&w, &p);
	p.len = 0;
	ipv4(&p, 17, 8 + sizeof(msg), 0); /* raw IPv4 as well */
	udp(&p, 10, 11, msg, sizeof(msg));
	writer_add(&w, &p);
	writer_close(&w);

	read_capture(&res, path, NULL, 0);
	CHECK_EQ(res.ret, 0);
	CHECK_EQ(res.sink.count, 2);
	CHECK_EQ(res.counts.fragments, 1);
	CHECK_EQ(res.counts.malformed, 1);
	if (res.sink.count == 2) {
		CHECK_EQ(res.sink.seen[0].frame, 1);
		CHECK_EQ(res.sink.seen[0].family, AF_INET6);
		CHECK_EQ(res.sink.seen[0].dport, 51820);
		CHECK_EQ(res.sink.seen[0].len, sizeof(msg));
		CHECK_MEM(res.sink.seen[0].data, msg, sizeof(msg));
		CHECK_EQ(res.sink.seen[1].frame, 4);
		CHECK_EQ(res.sink.seen[1].family, AF_INET);
	}
	result_free(&res);
}

TEST(capture_ipv4_fragments_skipped)
{
	const char *path = tmp_path("frag4.pcap");
	/* more fragments; an offset; the last fragment; don't fragment (a whole packet) */
	static const uint16_t fragment[] = { 0x2000, 0x00b9, 0x0010, 0x4000 };
	struct result res;
	struct writer w;
	uint8_t msg[32];

	message(msg, 4, sizeof(msg), 2);
	writer_open(&w, path, DLT_EN10MB);
	for (int i = 0; i < 4; ++i) {
		struct pkt p = { .len = 0 };

		eth(&p, 0x0800);
		ipv4(&p, 17, 8 + sizeof(msg), fragment[i]);
		udp(&p, 1, 2, msg, sizeof(msg));
		writer_add(&w, &p);
	}
	writer_close(&w);
	read_capture(&res, path, NULL, 0);
	CHECK_EQ(res.ret, 0);
	CHECK_EQ(res.counts.fragments, 3);
	CHECK_EQ(res.sink.count, 1);
	CHECK(res.sink.count == 1 && res.sink.seen[0].frame == 4);
	result_free(&res);
}

/* Snap length shorter than the IP packet: truncated; headers that lie: malformed. */
TEST(capture_short_records_counted)
{
	const char *path = tmp_path("short.pcap");
	struct result res;
	struct writer w;
	uint8_t msg[148];
	struct pkt p;

	message(msg, 1, sizeof(msg), 4);
	writer_open(&w, path, DLT_EN10MB);
	p = udp4(1, 2, msg, sizeof(msg));
	writer_add_cut(&w, &p, 96);           /* tcpdump -s 96 */
	p = udp4(1, 2, msg, sizeof(msg));
	writer_add_cut(&w, &p, 10);           /* not even Ethernet */
	p = udp4(1, 2, msg, sizeof(msg));
	p.b[14 + 20 + 5] = 200;               /* UDP length past the IP packet */
	writer_add(&w, &p);
	p = udp4(1, 2, msg, sizeof(msg));
	p.b[14 + 3] = 19;                     /* IP total length below its header */
	writer_add(&w, &p);
	p = udp4(1, 2, msg, sizeof(msg));
	p.len -= 20;                          /* IP total length past the record, not cut */
	writer_add(&w, &p);
	p = udp4(1, 2, msg, sizeof(msg));
	writer_add(&w, &p);
	writer_close(&w);

	read_capture(&res, path, NULL, 0);
	CHECK_EQ(res.ret, 0);
	CHECK_EQ(res.counts.packets, 6);
	CHECK_EQ(res.counts.truncated, 2);
	CHECK_EQ(res.counts.malformed, 3);
	CHECK_EQ(res.sink.count, 1);
	CHECK(res.sink.count == 1 && res.sink.seen[0].frame == 6 && res.sink.seen[0].len == sizeof(msg));
	result_free(&res);
}

/* BSD loopback: the family in the writer's byte order (NULL) or big-endian (LOOP). */
TEST(capture_bsd_loopback)
{
	const char *path1 = tmp_path("null.pcap"), *path2 = tmp_path("loop.pcap");
	static const uint8_t inet_le[4] = { 2, 0, 0, 0 }, inet6_darwin_be[4] = { 0, 0, 0, 30 },
			     inet6_linux_be[4] = { 0, 0, 0, 10 }, link_le[4] = { 18, 0, 0, 0 };
	struct result res;
	struct writer w;
	uint8_t msg[32];
	struct pkt p = { .len = 0 };

	message(msg, 4, sizeof(msg), 7);
	writer_open(&w, path1, DLT_NULL);
	put(&p, inet_le, 4);
	ipv4(&p, 17, 8 + sizeof(msg), 0);
	udp(&p, 1, 2, msg, sizeof(msg));
	writer_add(&w, &p);
	p.len = 0;
	put(&p, inet6_darwin_be, 4);
	ipv6(&p, 17, 8 + sizeof(msg));
	udp(&p, 3, 4, msg, sizeof(msg));
	writer_add(&w, &p);
	p.len = 0;
	put(&p, link_le, 4);
	fill(&p, 0, 20);
	writer_add(&w, &p);
	writer_close(&w);
	read_capture(&res, path1, NULL, 0);
	CHECK_EQ(res.ret, 0);
	CHECK_EQ(res.sink.count, 2);
	CHECK_EQ(res.counts.not_ip, 1);
	CHECK(res.sink.count == 2 && res.sink.seen[0].family == AF_INET && res.sink.seen[1].family == AF_INET6);
	result_free(&res);

	p.len = 0;
	writer_open(&w, path2, DLT_LOOP);
	put(&p, inet6_linux_be, 4);
	ipv6(&p, 17, 8 + sizeof(msg));
	udp(&p, 3, 4, msg, sizeof(msg));
	writer_add(&w, &p);
	writer_close(&w);
	read_capture(&res, path2, NULL, 0);
	CHECK_EQ(res.ret, 0);
	CHECK_EQ(res.sink.count, 1);
	result_free(&res);
}

/* Either end on a listed port; TCP streams on others are not followed. */
TEST(capture_port_filter)
{
	const char *path = tmp_path("ports.pcap");
	static const uint16_t ports[] = { 51820, 443 };
	struct result res;
	struct writer w;
	uint8_t msg[32], stream[64];
	size_t n = frame(stream, 4, 32, 1);
	struct pkt p;

	message(msg, 4, sizeof(msg), 1);
	writer_open(&w, path, DLT_EN10MB);
	p = udp4(51820, 3000, msg, sizeof(msg));
	writer_add(&w, &p);
	p = udp4(3000, 51820, msg, sizeof(msg));
	writer_add(&w, &p);
	p = udp4(53, 3000, msg, sizeof(msg));
	writer_add(&w, &p);
	p = tcp4(5000, 443, 1, SYN, NULL, 0);
	writer_add(&w, &p);
	p = tcp4(5000, 443, 2, ACK, stream, n);
	writer_add(&w, &p);
	p = tcp4(5000, 80, 1, SYN, NULL, 0);
	writer_add(&w, &p);
	p = tcp4(5000, 80, 2, ACK, stream, n);
	writer_add(&w, &p);
	writer_close(&w);

	read_capture(&res, path, ports, 2);
	CHECK_EQ(res.ret, 0);
	CHECK_EQ(res.sink.count, 3);
	if (res.sink.count == 3) {
		CHECK_EQ(res.sink.seen[0].frame, 1);
		CHECK_EQ(res.sink.seen[1].frame, 2);
		CHECK_EQ(res.sink.seen[2].frame, 5);
		CHECK_EQ(res.sink.seen[2].transport, CAPTURE_TCP);
		CHECK_EQ(res.sink.seen[2].dport, 443);
	}
	result_free(&res);
	read_capture(&res, path, NULL, 0);
	CHECK_EQ(res.sink.count, 5);
	result_free(&res);
}

/* --- TCP ---------------------------------------------------------------------------------- */

/* Two frames (148 and 32 bytes) in three segments: the middle one first, the first one twice,
 * the last one overlapping what came before. */
TEST(capture_tcp_out_of_order_with_retransmission)
{
	const char *path = tmp_path("tcp.pcap");
	struct result res;
	struct writer w;
	uint8_t stream[256], a[148], b[32];
	size_t n = frame(stream, 1, sizeof(a), 1);
	struct pkt p;

	n += frame(stream + n, 4, sizeof(b), 2);
	memcpy(a, stream + 2, sizeof(a));
	memcpy(b, stream + 152, sizeof(b));
	CHECK_EQ(n, 184);
	writer_open(&w, path, DLT_EN10MB);
	p = tcp4(40000, 443, 999, SYN, NULL, 0);                       /* 1 */
	writer_add(&w, &p);
	p = tcp4(40000, 443, 1000 + 100, ACK, stream + 100, 60);       /* 2: [100,160) held */
	writer_add(&w, &p);
	p = tcp4(40000, 443, 1000, ACK, stream, 100);                  /* 3: [0,100): a */
	writer_add(&w, &p);
	p = tcp4(40000, 443, 1000, ACK, stream, 100);                  /* 4: again */
	writer_add(&w, &p);
	p = tcp4(443, 40000, 5000, ACK, NULL, 0);                      /* 5: the other way, empty */
	writer_add(&w, &p);
	p = tcp4(40000, 443, 1000 + 150, ACK | FIN, stream + 150, 34); /* 6: [150,184): b */
	writer_add(&w, &p);
	writer_close(&w);

	read_capture(&res, path, NULL, 0);
	CHECK_EQ(res.ret, 0);
	CHECK_EQ(res.sink.count, 2);
	CHECK_EQ(res.counts.tcp_gaps, 0);
	CHECK_EQ(res.sink.plausible_calls, 1);
	if (res.sink.count == 2) {
		CHECK_EQ(res.sink.seen[0].frame, 3);
		CHECK_EQ(res.sink.seen[0].time_ns, record_time(3));
		CHECK_EQ(res.sink.seen[0].transport, CAPTURE_TCP);
		CHECK_EQ(res.sink.seen[0].sport, 40000);
		CHECK_EQ(res.sink.seen[0].dport, 443);
		CHECK_MEM(res.sink.seen[0].src, A4, 4);
		CHECK_EQ(res.sink.seen[0].len, sizeof(a));
		CHECK_MEM(res.sink.seen[0].data, a, sizeof(a));
		CHECK_EQ(res.sink.seen[1].frame, 6);
		CHECK_EQ(res.sink.seen[1].len, sizeof(b));
		CHECK_MEM(res.sink.seen[1].data, b, sizeof(b));
	}
	result_free(&res);
}

/* A stream whose first frame is not WireGuard is asked about once and then left alone. */
TEST(capture_tcp_not_plausible_not_followed)
{
	const char *path = tmp_path("http.pcap");
	static const char get[] = "GET / HTTP/1.1\r\nHost: example\r\n\r\n";
	struct result res;
	struct writer w;
	uint8_t wg[64];
	size_t n = frame(wg, 4, 32, 0);
	struct pkt p;

	writer_open(&w, path, DLT_EN10MB);
	p = tcp4(40000, 80, 0, SYN, NULL, 0);
	writer_add(&w, &p);
	p = tcp4(40000, 80, 1, ACK, (const uint8_t *)"\x00\x20", 2); /* a length, then no message */
	writer_add(&w, &p);
	p = tcp4(40000, 80, 3, ACK, (const uint8_t *)get, 32);
	writer_add(&w, &p);
	p = tcp4(40000, 80, 35, ACK, wg, n);
	writer_add(&w, &p);
	writer_close(&w);

	read_capture(&res, path, NULL, 0);
	CHECK_EQ(res.ret, 0);
	CHECK_EQ(res.sink.count, 0);
	CHECK_EQ(res.sink.plausible_calls, 1);
	CHECK_EQ(res.counts.tcp_gaps, 0);
	result_free(&res);
}

/*
 * Frames a, b, c, d (34 bytes each); 10 bytes of b never come (after its first 12), and what
 * follows is held until the capture ends. Then the hole (10), what came of b before it (12)
 * and what is passed over looking for a frame boundary after it (the 12 left of b) are gap
 * bytes; c and d come out, with the packet that brought them.
 */
TEST(capture_tcp_gap_given_up_at_end)
{
	const char *path = tmp_path("gap.pcap");
	struct result res;
	struct writer w;
	uint8_t stream[4 * 34];
	struct pkt p;

	for (int i = 0; i < 4; ++i)
		frame(stream + 34 * i, 4, 32, (uint8_t)(0x40 * i));
	memset(stream + 34 + 6, 0xee, 28); /* b's body: no frame boundary in there */
	writer_open(&w, path, DLT_EN10MB);
	p = tcp4(40000, 443, 0, SYN, NULL, 0);
	writer_add(&w, &p);
	p = tcp4(40000, 443, 1, ACK, stream, 34 + 12);
	writer_add(&w, &p);
	p = tcp4(40000, 443, 1 + 34 + 22, ACK, stream + 34 + 22, 12 + 68);
	writer_add(&w, &p);
	writer_close(&w);

	read_capture(&res, path, NULL, 0);
	CHECK_EQ(res.ret, 0);
	CHECK_EQ(res.sink.count, 3);
	CHECK_EQ(res.counts.tcp_gaps, 10 + 12 + 12);
	if (res.sink.count == 3) {
		CHECK_EQ(res.sink.seen[0].frame, 2);
		CHECK_MEM(res.sink.seen[0].data, stream + 2, 32);
		CHECK_EQ(res.sink.seen[1].frame, 3);
		CHECK_MEM(res.sink.seen[1].data, stream + 68 + 2, 32);
		CHECK_EQ(res.sink.seen[2].frame, 3);
		CHECK_MEM(res.sink.seen[2].data, stream + 102 + 2, 32);
	}
	result_free(&res);
}

/*
 * A lost segment the stream moves on from by more than the hold limit: the hole is given up
 * there, and what was held comes out with the packet that went past the limit.
 */
TEST(capture_tcp_gap_given_up_past_hold_limit)
{
	const char *path = tmp_path("hold.pcap");
	enum { FRAMES = 300, LEN = 1000, FRAME = LEN + 2 };
	size_t beyond = TCP_FRAMES_HOLD_MAX / FRAME + 1; /* the frame whose end is past the limit */
	struct result res;
	struct writer w;
	uint8_t f[FRAME];
	struct pkt p;

	writer_open(&w, path, DLT_EN10MB);
	p = tcp4(40000, 443, 0, SYN, NULL, 0);
	writer_add(&w, &p);
	for (uint32_t i = 0; i < FRAMES; ++i) {
		frame(f, 4, LEN, (uint8_t)i);
		p = tcp4(40000, 443, 1 + i * FRAME, ACK, f, FRAME);
		if (i != 1)
			writer_add(&w, &p);
	}
	writer_close(&w);

	read_capture(&res, path, NULL, 0);
	CHECK_EQ(res.ret, 0);
	CHECK_EQ(res.sink.count, FRAMES - 1);
	CHECK_EQ(res.counts.tcp_gaps, FRAME);
	if (res.sink.count == FRAMES - 1) {
		/* frame i >= 2 came in packet i + 1; seen[i - 1] is frame i */
		CHECK_EQ(res.sink.seen[0].frame, 2);
		CHECK_EQ(res.sink.seen[1].frame, beyond + 1);
		CHECK_EQ(res.sink.seen[1].data[4], (uint8_t)(2 + 4));
		CHECK_EQ(res.sink.seen[beyond - 1].frame, beyond + 1);
		CHECK_EQ(res.sink.seen[beyond].frame, beyond + 2);
		CHECK_EQ(res.sink.seen[FRAMES - 2].data[4], (uint8_t)(FRAMES - 1 + 4));
	}
	result_free(&res);
}

/* A frame length of 0 ends the following; a RST ends a stream, a new SYN starts the next. */
TEST(capture_tcp_zero_length_frame_and_stream_ends)
{
	const char *path = tmp_path("ends.pcap");
	struct result res;
	struct writer w;
	uint8_t s[128];
	size_t n = frame(s, 4, 32, 1);
	struct pkt p;

	s[n] = s[n + 1] = 0;
	frame(s + n + 2, 4, 32, 2);
	writer_open(&w, path, DLT_EN10MB);
	p = tcp4(40000, 443, 0, SYN, NULL, 0);          /* 1 */
	writer_add(&w, &p);
	p = tcp4(40000, 443, 1, ACK, s, n + 2 + n);      /* 2: a, an empty frame, b */
	writer_add(&w, &p);
	p = tcp4(40001, 443, 7, SYN, NULL, 0);          /* 3: another connection */
	writer_add(&w, &p);
	p = tcp4(40001, 443, 8, ACK, s, n);              /* 4: a */
	writer_add(&w, &p);
	p = tcp4(40001, 443, 8 + n, RST, NULL, 0);       /* 5 */
	writer_add(&w, &p);
	p = tcp4(40001, 443, 8 + n, ACK, s, n);          /* 6: after the end: nothing */
	writer_add(&w, &p);
	p = tcp4(40001, 443, 7, SYN, NULL, 0);          /* 7: a SYN repeated: still ended */
	writer_add(&w, &p);
	p = tcp4(40001, 443, 8, ACK, s, n);              /* 8 */
	writer_add(&w, &p);
	p = tcp4(40001, 443, 900, SYN, NULL, 0);        /* 9: the next connection on these ports */
	writer_add(&w, &p);
	p = tcp4(40001, 443, 901, ACK, s, n);            /* 10: a */
	writer_add(&w, &p);
	writer_close(&w);

	read_capture(&res, path, NULL, 0);
	CHECK_EQ(res.ret, 0);
	CHECK_EQ(res.sink.count, 3);
	if (res.sink.count == 3) {
		CHECK_EQ(res.sink.seen[0].frame, 2);
		CHECK_EQ(res.sink.seen[1].frame, 4);
		CHECK_EQ(res.sink.seen[1].sport, 40001);
		CHECK_EQ(res.sink.seen[2].frame, 10);
	}
	result_free(&res);
}

/* No SYN captured, the first segment starting inside a frame: the next frame boundary is found. */
TEST(capture_tcp_midstream_start)
{
	const char *path = tmp_path("midstream.pcap");
	struct result res;
	struct writer w;
	uint8_t s[3 * 98];
	struct pkt p;

	for (int i = 0; i < 3; ++i)
		frame(s + 98 * i, 4, 96, (uint8_t)(i * 16));
	writer_open(&w, path, DLT_EN10MB);
	p = tcp4(40000, 443, 5000, ACK, s + 50, 100);
	writer_add(&w, &p);
	p = tcp4(40000, 443, 5100, ACK, s + 150, sizeof(s) - 150);
	writer_add(&w, &p);
	writer_close(&w);

	read_capture(&res, path, NULL, 0);
	CHECK_EQ(res.ret, 0);
	CHECK_EQ(res.sink.count, 2);
	CHECK_EQ(res.counts.tcp_gaps, 0);
	if (res.sink.count == 2) {
		CHECK_EQ(res.sink.seen[0].frame, 2);
		CHECK_MEM(res.sink.seen[0].data, s + 98 + 2, 96);
		CHECK_MEM(res.sink.seen[1].data, s + 196 + 2, 96);
	}
	result_free(&res);
}

/*
 * tcpframes against a naive model: a stream of random frames cut into random segments, sent
 * out of order within a window, some twice, some re-cut over others. Every byte arrives, so
 * every frame must come out, in order, with the number of the segment after which the model's
 * contiguous prefix first covers it.
 */
struct model_sink {
	size_t count;
	uint8_t *stream;
	const size_t *frame_end;
	const uint64_t *complete_at;
	size_t offset;
	unsigned bad;
};

static void model_deliver(void *ctx, const struct tcp_flow *flow, uint64_t frame_number, uint64_t time_ns,
			  const uint8_t *data, size_t len)
{
	struct model_sink *m = ctx;
	size_t i = m->count++, start = m->offset + 2;

	(void)flow;
	(void)time_ns;
	if (start + len != m->frame_end[i] || memcmp(data, m->stream + start, len) ||
	    frame_number != m->complete_at[i])
		++m->bad;
	m->offset = m->frame_end[i];
}

static bool model_plausible(void *ctx, const uint8_t *data, size_t len)
{
	(void)ctx;
	return looks_like_wireguard(data, len);
}

struct cut {
	size_t at, len;
};

TEST(capture_tcpframes_against_model)
{
	enum { STREAM = 60000, FRAMES_MAX = 1000, CUTS_MAX = 4000 };
	uint8_t *stream = malloc(STREAM), *covered = malloc(STREAM);
	size_t *frame_end = malloc(FRAMES_MAX * sizeof(*frame_end));
	uint64_t *complete_at = malloc(FRAMES_MAX * sizeof(*complete_at));
	struct cut *cuts = malloc(CUTS_MAX * sizeof(*cuts));

	for (uint64_t seed = 1; seed <= 40; ++seed) {
		uint64_t rng = seed;
		size_t len = 0, frames = 0, ncuts = 0, prefix = 0, done = 0;
		/* half the streams wrap their sequence numbers around */
		uint32_t isn = seed % 2 ? (uint32_t)test_random(&rng) : 0xffffffffu - (uint32_t)(seed * 997);
		struct model_sink m = { .stream = stream, .frame_end = frame_end, .complete_at = complete_at };
		struct tcp_frames t;
		struct tcp_segment seg = { .flow = { .family = AF_INET, .sport = 1, .dport = 2 } };

		while (frames < FRAMES_MAX) {
			size_t flen = 4 + test_random(&rng) % 1500;

			if (len + 2 + flen > STREAM)
				break;
			len += frame(stream + len, (uint8_t)(1 + test_random(&rng) % 4), flen, (uint8_t)seed);
			frame_end[frames++] = len;
		}
		/* cuts in order, then swapped about, some sent again and some re-cut */
		for (size_t at = 0; at < len && ncuts < CUTS_MAX / 2;) {
			size_t n = 1 + test_random(&rng) % 1400;

			n = n > len - at ? len - at : n;
			cuts[ncuts++] = (struct cut){ at, n };
			at += n;
		}
		for (size_t i = 0; i + 1 < ncuts; ++i) {
			size_t j = i + test_random(&rng) % 6;

			if (j < ncuts) {
				struct cut c = cuts[i];

				cuts[i] = cuts[j];
				cuts[j] = c;
			}
		}
		for (size_t i = 0, extra = ncuts / 8; i < extra && ncuts < CUTS_MAX; ++i) {
			size_t at = test_random(&rng) % len, n = 1 + test_random(&rng) % 3000;
			size_t where = test_random(&rng) % ncuts;

			n = n > len - at ? len - at : n;
			memmove(cuts + where + 1, cuts + where, (ncuts - where) * sizeof(*cuts));
			cuts[where] = (struct cut){ at, n };
			++ncuts;
		}
		/* the model: after cut i, the covered prefix */
		memset(covered, 0, len);
		for (size_t i = 0; i < ncuts; ++i) {
			memset(covered + cuts[i].at, 1, cuts[i].len);
			while (prefix < len && covered[prefix])
				++prefix;
			while (done < frames && frame_end[done] <= prefix)
				complete_at[done++] = 2 + i;
		}
		CHECK_EQ(done, frames);

		tcp_frames_init(&t, model_plausible, model_deliver, &m);
		seg.syn = true;
		seg.seq = isn;
		seg.frame = 1;
		tcp_frames_receive(&t, &seg);
		seg.syn = false;
		for (size_t i = 0; i < ncuts; ++i) {
			seg.seq = isn + 1 + (uint32_t)cuts[i].at;
			seg.data = stream + cuts[i].at;
			seg.len = cuts[i].len;
			seg.frame = 2 + i;
			tcp_frames_receive(&t, &seg);
		}
		tcp_frames_finish(&t);
		CHECK_EQ(m.count, frames);
		CHECK_EQ(m.bad, 0);
		CHECK_EQ(t.gap_bytes, 0);
		CHECK_EQ(t.bytes, 0);
	}
	free(stream);
	free(covered);
	free(frame_end);
	free(complete_at);
	free(cuts);
}

/* More streams than the table takes: the rest is counted, not followed; ended ones make room. */
TEST(capture_tcpframes_stream_cap)
{
	struct model_sink m = { 0 };
	struct tcp_frames t;
	struct tcp_segment seg = { .flow = { .family = AF_INET, .dport = 443 }, .syn = true };

	tcp_frames_init(&t, model_plausible, NULL, &m);
	for (uint32_t i = 0; i < TCP_FRAMES_STREAMS_MAX + 10; ++i) {
		memcpy(seg.flow.src, &i, 4);
		tcp_frames_receive(&t, &seg);
	}
	CHECK_EQ(t.stream_count, TCP_FRAMES_STREAMS_MAX);
	CHECK_EQ(t.dropped_segments, 10);
	seg.syn = false;
	seg.rst = true;
	for (uint32_t i = 0; i < TCP_FRAMES_STREAMS_MAX / 4; ++i) {
		memcpy(seg.flow.src, &i, 4);
		tcp_frames_receive(&t, &seg);
	}
	CHECK_EQ(t.dead_count, TCP_FRAMES_STREAMS_MAX / 4);
	seg.syn = true;
	seg.rst = false;
	seg.flow.sport = 1;
	tcp_frames_receive(&t, &seg);
	CHECK_EQ(t.stream_count, TCP_FRAMES_STREAMS_MAX - TCP_FRAMES_STREAMS_MAX / 4 + 1);
	CHECK_EQ(t.dropped_segments, 10);
	tcp_frames_finish(&t);
}

/* Streams holding data behind holes until memory runs out: the next one that needs room is
 * dropped and its segments counted; all is freed at the end. */
TEST(capture_tcpframes_memory_cap)
{
	enum { SEGMENT = 60000, HELD = 4 };
	size_t streams = TCP_FRAMES_MEMORY_MAX / (HELD * SEGMENT) + 2, dropped_at = 0;
	uint8_t *data = calloc(1, SEGMENT);
	struct model_sink m = { 0 };
	struct tcp_frames t;
	struct tcp_segment seg = { .flow = { .family = AF_INET, .dport = 443 }, .data = data };

	tcp_frames_init(&t, model_plausible, NULL, &m);
	for (uint32_t i = 0; i < streams; ++i) {
		memcpy(seg.flow.src, &i, 4);
		seg.syn = true;
		seg.seq = 0;
		seg.len = 0;
		tcp_frames_receive(&t, &seg);
		seg.syn = false;
		seg.len = SEGMENT;
		for (uint32_t j = 0; j < HELD; ++j) {
			seg.seq = 2 + j * SEGMENT; /* byte 1 never comes */
			tcp_frames_receive(&t, &seg);
			if (t.dropped_segments && !dropped_at)
				dropped_at = i;
		}
		CHECK(t.bytes <= TCP_FRAMES_MEMORY_MAX);
	}
	CHECK_EQ(dropped_at, streams - 2);
	CHECK(t.dropped_segments >= 1 && t.dropped_segments <= 2 * HELD);
	tcp_frames_finish(&t);
	CHECK_EQ(t.bytes, 0);
	free(data);
}

/* --- files and errors --------------------------------------------------------------------- */

static long file_size(const char *path)
{
	FILE *f = fopen(path, "rb");
	long size;

	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fclose(f);
	return size;
}

static void write_three_udp(const char *path)
{
	struct writer w;
	uint8_t msg[148];

	message(msg, 1, sizeof(msg), 1);
	writer_open(&w, path, DLT_EN10MB);
	for (int i = 0; i < 3; ++i) {
		struct pkt p = udp4(1, 2, msg, sizeof(msg));

		writer_add(&w, &p);
	}
	writer_close(&w);
}

/* Cut in a record's data, then in a record's header: file, packet and offset named. */
TEST(capture_error_truncated_file)
{
	const char *path = tmp_path("cut.pcap");
	size_t record = 16 + 14 + 20 + 8 + 148;
	char text[256];
	struct result res;

	write_three_udp(path);
	CHECK_EQ(file_size(path), 24 + 3 * record);
	CHECK_EQ(truncate(path, 24 + 2 * record + 16 + 100), 0);
	read_capture(&res, path, NULL, 0);
	CHECK_EQ(res.ret, -EINVAL);
	CHECK_EQ(res.sink.count, 2);
	snprintf(text, sizeof(text), "%s: packet 3 (byte offset %zu): truncated dump file; tried to read 190 "
		 "captured bytes, only got 100", path, 24 + 2 * record + 16 + 100);
	CHECK(text_has(res.err.text, text));
	result_free(&res);

	CHECK_EQ(truncate(path, 24 + 2 * record + 5), 0);
	read_capture(&res, path, NULL, 0);
	CHECK_EQ(res.ret, -EINVAL);
	CHECK_EQ(res.sink.count, 2);
	CHECK(text_has(res.err.text, ": packet 3 (byte offset "));
	CHECK(text_has(res.err.text, "truncated dump file; tried to read 16 header bytes, only got 5"));
	result_free(&res);

	CHECK_EQ(truncate(path, 10), 0);
	read_capture(&res, path, NULL, 0);
	CHECK_EQ(res.ret, -EINVAL);
	CHECK(text_has(res.err.text, path));
	CHECK(text_has(res.err.text, "not a readable pcap or pcapng file (truncated dump file"));
	result_free(&res);
}

TEST(capture_error_not_a_capture)
{
	const char *path = tmp_path("random.bin");
	uint8_t bytes[1000];
	uint64_t rng = 16;
	char text[256];
	struct result res;

	for (size_t i = 0; i < sizeof(bytes); ++i)
		bytes[i] = (uint8_t)test_random(&rng);
	write_bytes(path, bytes, sizeof(bytes));
	read_capture(&res, path, NULL, 0);
	CHECK_EQ(res.ret, -EINVAL);
	snprintf(text, sizeof(text), "%s: not a pcap or pcapng file (unknown file format)", path);
	CHECK(text_has(res.err.text, text));
	result_free(&res);

	path = tmp_path("empty.pcap");
	write_bytes(path, "", 0);
	read_capture(&res, path, NULL, 0);
	CHECK_EQ(res.ret, -EINVAL);
	snprintf(text, sizeof(text), "%s: empty file, not a pcap or pcapng capture", path);
	CHECK(text_has(res.err.text, text));
	result_free(&res);

	path = tmp_path("does-not-exist.pcap");
	read_capture(&res, path, NULL, 0);
	CHECK_EQ(res.ret, -ENOENT);
	snprintf(text, sizeof(text), "%s: No such file or directory", path);
	CHECK(text_has(res.err.text, text));
	result_free(&res);
}

TEST(capture_error_link_type_named)
{
	const char *path = tmp_path("usb.pcap");
	struct result res;
	struct writer w;
	struct pkt p = { .len = 48 };

	writer_open(&w, path, DLT_USB_LINUX);
	writer_add(&w, &p);
	writer_close(&w);
	read_capture(&res, path, NULL, 0);
	CHECK_EQ(res.ret, -EINVAL);
	CHECK(text_has(res.err.text, path));
	CHECK(text_has(res.err.text, "link type USB_LINUX (USB with Linux header, 189) is not one wgc reads"));
	CHECK_EQ(res.counts.packets, 0);
	result_free(&res);
}

/* pcapng blocks, little-endian; lengths include the 12 bytes of type and lengths. */
static void ng_block(struct pkt *f, uint32_t type, const void *body, size_t len)
{
	uint32_t total = (uint32_t)(12 + ((len + 3) & ~(size_t)3));

	put(f, &type, 4);
	put(f, &total, 4);
	put(f, body, len);
	fill(f, 0, ((len + 3) & ~(size_t)3) - len);
	put(f, &total, 4);
}

static void ng_section(struct pkt *f)
{
	uint8_t shb[16] = { 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0 };

	memset(shb + 8, 0xff, 8); /* section length unknown */
	ng_block(f, 0x0a0d0d0a, shb, sizeof(shb));
}

static void ng_interface(struct pkt *f, uint16_t link)
{
	uint8_t idb[8] = { (uint8_t)link, (uint8_t)(link >> 8) };

	ng_block(f, 1, idb, sizeof(idb));
}

static void ng_packet(struct pkt *f, uint32_t interface, uint64_t usec, const struct pkt *p)
{
	uint8_t epb[20 + 512];
	uint32_t fields[5] = { interface, (uint32_t)(usec >> 32), (uint32_t)usec, (uint32_t)p->len,
			       (uint32_t)p->len };

	memcpy(epb, fields, 20);
	memcpy(epb + 20, p->b, p->len);
	ng_block(f, 6, epb, 20 + p->len);
}

TEST(capture_pcapng_with_unknown_block)
{
	const char *path = tmp_path("unknown-block.pcapng");
	static const uint8_t unknown[4] = { 1, 2, 3, 4 };
	struct result res;
	uint8_t msg[32];
	struct pkt *f = calloc(1, sizeof(*f)), p;

	message(msg, 4, sizeof(msg), 8);
	p = udp4(51820, 51821, msg, sizeof(msg));
	ng_section(f);
	ng_interface(f, 1);
	ng_block(f, 0x0badbad0, unknown, sizeof(unknown));
	ng_packet(f, 0, 1700000000123456ull, &p);
	write_bytes(path, f->b, f->len);
	read_capture(&res, path, NULL, 0);
	CHECK_EQ(res.ret, 0);
	CHECK_EQ(res.sink.count, 1);
	if (res.sink.count == 1) {
		CHECK_EQ(res.sink.seen[0].time_ns, 1700000000123456000ull);
		CHECK_EQ(res.sink.seen[0].frame, 1);
		CHECK_MEM(res.sink.seen[0].data, msg, sizeof(msg));
	}
	result_free(&res);
	free(f);
}

/* libpcap 1.10 reads one link type per pcapng file: a second one is an error, named so. */
TEST(capture_pcapng_two_link_types)
{
	const char *path = tmp_path("two-links.pcapng");
	struct result res;
	uint8_t msg[32];
	struct pkt *f = calloc(1, sizeof(*f)), p, raw = { .len = 0 };

	message(msg, 4, sizeof(msg), 8);
	p = udp4(1, 2, msg, sizeof(msg));
	memcpy(raw.b, p.b + 14, p.len - 14);
	raw.len = p.len - 14;
	ng_section(f);
	ng_interface(f, 1);
	ng_packet(f, 0, 1, &p);
	ng_interface(f, 101);
	ng_packet(f, 1, 2, &raw);
	write_bytes(path, f->b, f->len);
	read_capture(&res, path, NULL, 0);
	CHECK_EQ(res.ret, -EINVAL);
	CHECK_EQ(res.sink.count, 1);
	CHECK(text_has(res.err.text, path));
	CHECK(text_has(res.err.text, ": packet 2 (byte offset "));
	CHECK(text_has(res.err.text, "different from the type of the first interface"));
	result_free(&res);
	free(f);
}

/* "-" reads standard input (left open); capture_read_stream reads any FILE. */
TEST(capture_stdin_and_stream)
{
	const char *path = tmp_path("stdin.pcap");
	struct capture_options options = { .message = on_message };
	struct capture_counts counts = { 0 };
	struct wgc_err err = { "" };
	struct result res;
	int saved = dup(STDIN_FILENO), fd;
	FILE *f;
	char *copy;
	long size;

	write_three_udp(path);
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0 && saved >= 0);
	dup2(fd, STDIN_FILENO);
	close(fd);
	read_capture(&res, "-", NULL, 0);
	CHECK_EQ(res.ret, 0);
	CHECK_EQ(res.sink.count, 3);
	CHECK(res.sink.count == 3 && !strcmp(res.sink.seen[2].file, "-"));
	result_free(&res);
	CHECK(fcntl(STDIN_FILENO, F_GETFD) >= 0);
	dup2(saved, STDIN_FILENO);
	close(saved);
	clearerr(stdin);

	size = file_size(path);
	copy = malloc((size_t)size);
	f = fopen(path, "rb");
	CHECK(f && fread(copy, 1, (size_t)size, f) == (size_t)size);
	fclose(f);
	sink_init(&res.sink);
	options.ctx = &res.sink;
	f = fmemopen(copy, (size_t)size, "rb");
	CHECK_EQ(capture_read_stream(f, "memory", &options, &counts, &err), 0);
	CHECK_EQ(res.sink.count, 3);
	CHECK_EQ(counts.packets, 3);
	CHECK(res.sink.count == 3 && !strcmp(res.sink.seen[0].file, "memory"));
	f = fmemopen(copy, 20, "rb");
	CHECK_EQ(capture_read_stream(f, "memory", &options, &counts, &err), -EINVAL);
	CHECK(text_has(err.text, "memory: not a readable pcap or pcapng file"));
	result_free(&res);
	free(copy);
}
