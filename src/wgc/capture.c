/*
 * A capture taken apart (capture.h). libpcap reads the file and says what its link layer is;
 * each record is peeled here down to UDP or TCP, within what was captured, and TCP segments go
 * through tcpframes. A record short of what its headers promise is counted, never read past.
 */
#include "wgc/capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <string.h>
#include <sys/socket.h>

#include "wgc/tcpframes.h"

enum {
	ETH_IPV4 = 0x0800,
	ETH_IPV6 = 0x86dd,
	ETH_VLAN = 0x8100,              /* 802.1Q */
	ETH_QINQ = 0x88a8,              /* 802.1ad */
	ETH_QINQ_OLD = 0x9100,
	IP_TCP = 6,
	IP_UDP = 17,
};

struct capture_reader {
	const char *name;
	const struct capture_options *options;
	struct capture_counts *counts;
	struct tcp_frames tcp;
	int link;
	uint64_t frame, time_ns;        /* the record being taken apart */
	bool cut;                       /* it was captured shorter than it was on the wire */
};

/* A network layer taken apart: its addresses and its payload, within the record. */
struct capture_ip {
	int family;
	const uint8_t *src, *dst;
	uint8_t proto;
	const uint8_t *data;
	size_t len;
};

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A header reaching past the record's end: the snap length cut it, or it lies. */
static void short_record(struct capture_reader *r)
{
	if (r->cut)
		++r->counts->truncated;
	else
		++r->counts->malformed;
}

static bool port_wanted(const struct capture_reader *r, uint16_t sport, uint16_t dport)
{
	const struct capture_options *o = r->options;

	for (size_t i = 0; i < o->port_count; ++i)
		if (o->ports[i] == sport || o->ports[i] == dport)
			return true;
	return !o->port_count;
}

static void flow_of(struct tcp_flow *flow, const struct capture_ip *ip, uint16_t sport, uint16_t dport)
{
	size_t alen = ip->family == AF_INET ? 4 : 16;

	memset(flow, 0, sizeof(*flow));
	flow->family = ip->family;
	memcpy(flow->src, ip->src, alen);
	memcpy(flow->dst, ip->dst, alen);
	flow->sport = sport;
	flow->dport = dport;
}

static void deliver(struct capture_reader *r, const struct tcp_flow *flow, enum capture_transport transport,
		    uint64_t frame, uint64_t time_ns, const uint8_t *data, size_t len)
{
	struct capture_message m = {
		.file = r->name, .frame = frame, .time_ns = time_ns, .family = flow->family,
		.sport = flow->sport, .dport = flow->dport, .transport = transport, .data = data, .len = len,
	};

	memcpy(m.src, flow->src, sizeof(m.src));
	memcpy(m.dst, flow->dst, sizeof(m.dst));
	if (r->options->message)
		r->options->message(r->options->ctx, &m);
}

static void tcp_deliver(void *ctx, const struct tcp_flow *flow, uint64_t frame, uint64_t time_ns,
			const uint8_t *data, size_t len)
{
	deliver(ctx, flow, CAPTURE_TCP, frame, time_ns, data, len);
}

static bool tcp_plausible(void *ctx, const uint8_t *data, size_t len)
{
	const struct capture_options *o = ((struct capture_reader *)ctx)->options;

	return !o->frame_plausible || o->frame_plausible(o->ctx, data, len);
}

/* The payload, bounded by the UDP length (the IP length already bounds it by the record). */
static void udp(struct capture_reader *r, const struct capture_ip *ip)
{
	struct tcp_flow flow;
	size_t ulen;

	if (ip->len < 8 || (ulen = be16(ip->data + 4)) < 8 || ulen > ip->len) {
		++r->counts->malformed;
		return;
	}
	if (!port_wanted(r, be16(ip->data), be16(ip->data + 2)))
		return;
	flow_of(&flow, ip, be16(ip->data), be16(ip->data + 2));
	deliver(r, &flow, CAPTURE_UDP, r->frame, r->time_ns, ip->data + 8, ulen - 8);
}

static void tcp(struct capture_reader *r, const struct capture_ip *ip)
{
	struct tcp_segment segment;
	size_t hlen;

	if (ip->len < 20 || (hlen = (size_t)(ip->data[12] >> 4) * 4) < 20 || hlen > ip->len) {
		++r->counts->malformed;
		return;
	}
	if (!port_wanted(r, be16(ip->data), be16(ip->data + 2)))
		return;
	flow_of(&segment.flow, ip, be16(ip->data), be16(ip->data + 2));
	segment.seq = be32(ip->data + 4);
	segment.fin = ip->data[13] & 0x01;
	segment.syn = ip->data[13] & 0x02;
	segment.rst = ip->data[13] & 0x04;
	segment.data = ip->data + hlen;
	segment.len = ip->len - hlen;
	segment.frame = r->frame;
	segment.time_ns = r->time_ns;
	tcp_frames_receive(&r->tcp, &segment);
}

static void transport(struct capture_reader *r, const struct capture_ip *ip)
{
	if (ip->proto == IP_UDP)
		udp(r, ip);
	else if (ip->proto == IP_TCP)
		tcp(r, ip);
	else
		++r->counts->other_ip;
}

/* Within the total length (what follows is the link layer's padding); fragments skipped. */
static void ipv4(struct capture_reader *r, const uint8_t *data, size_t len)
{
	struct capture_ip ip = { .family = AF_INET };
	size_t hlen, total;

	if (len < 20) {
		short_record(r);
		return;
	}
	hlen = (size_t)(data[0] & 15) * 4;
	total = be16(data + 2);
	if (data[0] >> 4 != 4 || hlen < 20 || total < hlen) {
		++r->counts->malformed;
	} else if (total > len) {
		short_record(r);
	} else if (be16(data + 6) & 0x3fff) {
		++r->counts->fragments; /* more fragments, or an offset */
	} else {
		ip.src = data + 12;
		ip.dst = data + 16;
		ip.proto = data[9];
		ip.data = data + hlen;
		ip.len = total - hlen;
		transport(r, &ip);
	}
}

/* The length of the extension header at p (n bytes left), 0 when p is not one we walk. */
static size_t ipv6_extension(uint8_t next, const uint8_t *p, size_t n)
{
	switch (next) {
	case 0:   /* hop-by-hop options */
	case 43:  /* routing */
	case 60:  /* destination options */
	case 135: /* mobility */
	case 139: /* HIP */
	case 140: /* shim6 */
		return n < 2 ? SIZE_MAX : ((size_t)p[1] + 1) * 8;
	case 51:  /* authentication header */
		return n < 2 ? SIZE_MAX : ((size_t)p[1] + 2) * 4;
	default:
		return 0;
	}
}

static void ipv6(struct capture_reader *r, const uint8_t *data, size_t len)
{
	struct capture_ip ip = { .family = AF_INET6, .src = data + 8, .dst = data + 24 };
	size_t ext;

	if (len < 40) {
		short_record(r);
		return;
	}
	if (data[0] >> 4 != 6) {
		++r->counts->malformed;
		return;
	}
	if (40 + (size_t)be16(data + 4) > len) {
		short_record(r);
		return;
	}
	ip.proto = data[6];
	ip.data = data + 40;
	ip.len = be16(data + 4);
	while ((ext = ipv6_extension(ip.proto, ip.data, ip.len))) {
		if (ext > ip.len) {
			++r->counts->malformed;
			return;
		}
		ip.proto = ip.data[0];
		ip.data += ext;
		ip.len -= ext;
	}
	if (ip.proto == 44) /* fragment header */
		++r->counts->fragments;
	else
		transport(r, &ip);
}

/* By the version nibble: raw IP link types say nothing more. */
static void ip_any(struct capture_reader *r, const uint8_t *data, size_t len)
{
	if (!len)
		short_record(r);
	else if (data[0] >> 4 == 4)
		ipv4(r, data, len);
	else if (data[0] >> 4 == 6)
		ipv6(r, data, len);
	else
		++r->counts->not_ip;
}

static void ethertype(struct capture_reader *r, uint16_t type, const uint8_t *data, size_t len)
{
	while (type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD) {
		if (len < 4) {
			short_record(r);
			return;
		}
		type = be16(data + 2);
		data += 4;
		len -= 4;
	}
	if (type == ETH_IPV4)
		ipv4(r, data, len);
	else if (type == ETH_IPV6)
		ipv6(r, data, len);
	else
		++r->counts->not_ip;
}

/* BSD loopback: the address family, in the writer's byte order (DLT_NULL) or big-endian
 * (DLT_LOOP); IPv6's value differs between the BSDs. */
static void loopback(struct capture_reader *r, const uint8_t *data, size_t len)
{
	uint32_t family = r->link == DLT_LOOP ? be32(data) : (uint32_t)data[3] << 24 | (uint32_t)data[2] << 16 |
							     (uint32_t)data[1] << 8 | data[0];

	if (family > 0xffff)
		family = be32(data);
	if (family == 2)
		ipv4(r, data + 4, len - 4);
	else if (family == 10 || family == 24 || family == 28 || family == 30)
		ipv6(r, data + 4, len - 4);
	else
		++r->counts->not_ip;
}

/* The link layer's header, then what it says comes next. */
static void record(struct capture_reader *r, const uint8_t *data, size_t len)
{
	switch (r->link) {
	case DLT_EN10MB:
		if (len < 14)
			break;
		ethertype(r, be16(data + 12), data + 14, len - 14);
		return;
	case DLT_LINUX_SLL:
		if (len < 16)
			break;
		ethertype(r, be16(data + 14), data + 16, len - 16);
		return;
	case DLT_LINUX_SLL2:
		if (len < 20)
			break;
		ethertype(r, be16(data), data + 20, len - 20);
		return;
	case DLT_NULL:
	case DLT_LOOP:
		if (len < 4)
			break;
		loopback(r, data, len);
		return;
	default: /* raw IP */
		ip_any(r, data, len);
		return;
	}
	short_record(r);
}

static bool link_known(int link)
{
	return link == DLT_EN10MB || link == DLT_LINUX_SLL || link == DLT_LINUX_SLL2 || link == DLT_RAW ||
	       link == DLT_IPV4 || link == DLT_IPV6 || link == DLT_NULL || link == DLT_LOOP;
}

/* Where libpcap stopped: the record being read, and the file's offset when it has one. */
static int read_failed(struct capture_reader *r, pcap_t *p, struct wgc_err *err)
{
	FILE *f = pcap_file(p);
	long offset = f ? ftell(f) : -1;
	int error = f && ferror(f) ? -EIO : -EINVAL;
	unsigned long long packet = (unsigned long long)r->frame + 1;
	const char *why = pcap_geterr(p), *hint = "";
	char at[48] = "";

	if (strstr(why, "different from the type of the first interface"))
		hint = " (libpcap reads one link type per pcapng file: split it by interface, e.g. with "
		       "tshark -Y frame.interface_id==0 -w)";
	if (offset >= 0)
		snprintf(at, sizeof(at), " (byte offset %ld)", offset);
	return wgc_err_set(err, error, "%s: packet %llu%s: %s%s", r->name, packet, at, why, hint);
}

static int read_records(struct capture_reader *r, pcap_t *p, struct wgc_err *err)
{
	struct pcap_pkthdr *hdr;
	const u_char *bytes;
	int ret;

	while ((ret = pcap_next_ex(p, &hdr, &bytes)) == 1) {
		++r->frame;
		++r->counts->packets;
		/* With nanosecond precision asked for, tv_usec holds nanoseconds. */
		r->time_ns = (uint64_t)hdr->ts.tv_sec * 1000000000u + (uint64_t)hdr->ts.tv_usec;
		r->cut = hdr->caplen < hdr->len;
		record(r, bytes, hdr->caplen);
	}
	return ret == PCAP_ERROR_BREAK ? 0 : read_failed(r, p, err);
}

static int open_failed(FILE *f, const char *name, const char *errbuf, struct wgc_err *err)
{
	if (ferror(f))
		return wgc_err_set(err, -EIO, "%s: %s", name, errbuf);
	if (strstr(errbuf, "unknown file format"))
		return wgc_err_set(err, -EINVAL, "%s: not a pcap or pcapng file (%s)", name, errbuf);
	return wgc_err_set(err, -EINVAL, "%s: not a readable pcap or pcapng file (%s)", name, errbuf);
}

static int read_pcap(struct capture_reader *r, pcap_t *p, struct wgc_err *err)
{
	const char *link_name, *link_text;
	int ret;

	r->link = pcap_datalink(p);
	if (!link_known(r->link)) {
		link_name = pcap_datalink_val_to_name(r->link);
		link_text = pcap_datalink_val_to_description(r->link);
		return wgc_err_set(err, -EINVAL, "%s: link type %s (%s, %d) is not one wgc reads (Ethernet, Linux "
				   "cooked, raw IP, BSD loopback)", r->name, link_name ? link_name : "unknown",
				   link_text ? link_text : "no description", r->link);
	}
	tcp_frames_init(&r->tcp, tcp_plausible, tcp_deliver, r);
	ret = read_records(r, p, err);
	tcp_frames_finish(&r->tcp);
	r->counts->tcp_gaps += r->tcp.gap_bytes;
	r->counts->tcp_dropped += r->tcp.dropped_segments;
	return ret;
}

int capture_read_stream(FILE *f, const char *name, const struct capture_options *options,
			struct capture_counts *counts, struct wgc_err *err)
{
	struct capture_reader r = { .name = name, .options = options, .counts = counts };
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = NULL;
	int c, ret;

	/* libpcap calls an empty file a truncated one; it is not a capture at all. */
	if ((c = getc(f)) == EOF) {
		ret = ferror(f) ? wgc_err_set(err, -EIO, "%s: %s", name, strerror(errno))
				: wgc_err_set(err, -EINVAL, "%s: empty file, not a pcap or pcapng capture", name);
		goto out;
	}
	ungetc(c, f);
	if (!(p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf))) {
		ret = open_failed(f, name, errbuf, err);
		goto out;
	}
	ret = read_pcap(&r, p, err);
out:
	if (p)
		pcap_close(p); /* closes f, stdin excepted */
	else if (f != stdin)
		fclose(f);
	return ret;
}

int capture_read(const char *path, const struct capture_options *options, struct capture_counts *counts,
		 struct wgc_err *err)
{
	FILE *f;
	int error;

	if (!strcmp(path, "-"))
		return capture_read_stream(stdin, path, options, counts, err);
	if (!(f = fopen(path, "rb"))) {
		error = errno;
		return wgc_err_set(err, -error, "%s: %s", path, strerror(error));
	}
	return capture_read_stream(f, path, options, counts, err);
}
