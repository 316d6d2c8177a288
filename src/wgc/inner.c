/* The inner packets of decrypted data messages: summaries, and a LINKTYPE_RAW pcap. */
#include "wgc/inner.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/ippacket.h"

enum { IP_TCP = 6, IP_UDP = 17, IP_ICMP = 1, IP_ICMPV6 = 58, IP_SCTP = 132 };

const char *inner_protocol_name(uint8_t protocol)
{
	switch (protocol) {
	case IP_TCP: return "tcp";
	case IP_UDP: return "udp";
	case IP_ICMP: return "icmp";
	case IP_ICMPV6: return "icmpv6";
	default: return NULL;
	}
}

/* IPv6's extension headers up to the upper layer; returns its offset, or 0 when cut short. */
static size_t walk_ipv6(const uint8_t *p, size_t len, uint8_t *protocol)
{
	size_t offset = 40;

	*protocol = p[6];
	for (;;) {
		switch (*protocol) {
		case 0: case 43: case 60:           /* hop-by-hop, routing, destination options */
			if (offset + 8 > len)
				return 0;
			*protocol = p[offset];
			offset += 8 + (size_t)p[offset + 1] * 8;
			break;
		case 44:                            /* a fragment: ports only in the first */
			if (offset + 8 > len)
				return 0;
			*protocol = p[offset];
			if (wg_be16_get(p + offset + 2) & 0xfff8)
				return 0;
			offset += 8;
			break;
		default:
			return offset <= len ? offset : 0;
		}
	}
}

void inner_summarize(struct inner_summary *out, const uint8_t *plain, size_t len)
{
	struct wg_ip_packet ip;
	size_t upper = 0;

	memset(out, 0, sizeof(*out));
	if (!wg_ip_packet_parse(&ip, plain, len))
		return;
	out->ip = true;
	out->family = ip.family;
	out->length = ip.total_len;
	memcpy(out->src, ip.src, ip.family == AF_INET ? 4 : 16);
	memcpy(out->dst, ip.dst, ip.family == AF_INET ? 4 : 16);
	if (ip.family == AF_INET) {
		out->protocol = plain[9];
		/* Only the first fragment carries the ports. */
		if (!(wg_be16_get(plain + 6) & 0x1fff))
			upper = (size_t)(plain[0] & 0x0f) * 4;
	} else {
		upper = walk_ipv6(plain, ip.total_len, &out->protocol);
	}
	if (upper && (out->protocol == IP_TCP || out->protocol == IP_UDP || out->protocol == IP_SCTP) &&
	    upper + 4 <= ip.total_len) {
		out->has_ports = true;
		out->sport = wg_be16_get(plain + upper);
		out->dport = wg_be16_get(plain + upper + 2);
	}
}

struct inner_writer {
	pcap_t *dead;              /* libpcap's handle for writing a LINKTYPE_RAW file */
	pcap_dumper_t *dumper;     /* owns the temporary file's FILE once open */
	char *path;                /* OUT */
	char *temporary;           /* OUT.XXXXXX, renamed over OUT at close */
};

static void writer_free(struct inner_writer *w)
{
	free(w->path);
	free(w->temporary);
	free(w);
}

/* The temporary file beside OUT as a FILE; NULL with errno. */
static FILE *open_temporary(struct inner_writer *w)
{
	int fd;
	FILE *file;

	if (asprintf(&w->temporary, "%s.XXXXXX", w->path) < 0) {
		w->temporary = NULL;
		errno = ENOMEM;
		return NULL;
	}
	fd = mkostemp(w->temporary, O_CLOEXEC); /* 0600, O_EXCL */
	if (fd < 0)
		return NULL;
	file = fdopen(fd, "wb");
	if (!file) {
		unlink(w->temporary);
		close(fd);
	}
	return file;
}

int inner_writer_open(struct inner_writer **out, const char *path, struct wgc_err *err)
{
	struct inner_writer *w = calloc(1, sizeof(*w));
	FILE *file = NULL;

	if (!w || !(w->path = strdup(path))) {
		free(w);
		return wgc_err_set(err, -ENOMEM, "out of memory");
	}
	file = open_temporary(w);
	if (!file) {
		int error = errno;

		writer_free(w);
		return wgc_err_set(err, -error, "--write-inner %s: %s", path, strerror(error));
	}
	w->dead = pcap_open_dead_with_tstamp_precision(DLT_RAW, 65535, PCAP_TSTAMP_PRECISION_NANO);
	w->dumper = w->dead ? pcap_dump_fopen(w->dead, file) : NULL;
	if (!w->dumper) {
		wgc_err_set(err, -EIO, "--write-inner %s: %s", path, w->dead ? pcap_geterr(w->dead) : "out of memory");
		fclose(file);
		unlink(w->temporary);
		if (w->dead)
			pcap_close(w->dead);
		writer_free(w);
		return -EIO;
	}
	*out = w;
	return 0;
}

void inner_writer_add(struct inner_writer *w, uint64_t time_ns, const uint8_t *packet, size_t len)
{
	struct pcap_pkthdr header = {
		.ts = { .tv_sec = (time_t)(time_ns / 1000000000u), .tv_usec = (suseconds_t)(time_ns % 1000000000u) },
		.caplen = (bpf_u_int32)len,
		.len = (bpf_u_int32)len,
	};

	pcap_dump((u_char *)w->dumper, &header, packet);
}

int inner_writer_close(struct inner_writer *w, bool keep, struct wgc_err *err)
{
	int ret = 0;

	if (pcap_dump_flush(w->dumper) || ferror(pcap_dump_file(w->dumper)))
		ret = wgc_err_set(err, -EIO, "--write-inner %s: write error", w->path);
	pcap_dump_close(w->dumper);
	pcap_close(w->dead);
	if (!ret && keep && rename(w->temporary, w->path))
		ret = wgc_err_set(err, -errno, "--write-inner %s: %s", w->path, strerror(errno));
	if (ret || !keep)
		unlink(w->temporary);
	writer_free(w);
	return ret;
}
