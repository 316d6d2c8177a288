/* Echo probes through the tunnel (echo.h): building the requests, knowing our replies. */
#include "core/echo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/device.h"
#include "core/messages.h"
#include "core/peer.h"

enum {
	IPV4_HEADER = 20,
	IPV6_HEADER = 40,
	ICMP_HEADER = 8,
	ICMP_ECHO_REQUEST = 8,
	ICMP_ECHO_REPLY = 0,
	ICMPV6_ECHO_REQUEST = 128,
	ICMPV6_ECHO_REPLY = 129,
	PROTO_ICMP = 1,
	PROTO_ICMPV6 = 58,
};

static const uint8_t magic[8] = { 'w', 'g', 'c', '-', 'e', 'c', 'h', 'o' };

int wg_echo_set_target(struct wg_peer *peer, uint8_t family, const uint8_t *address)
{
	struct wg_echo *e = peer->echo;
	uint8_t id[2];

	if (!family) {
		free(e);
		peer->echo = NULL;
		return 0;
	}
	if (e && e->family == family && !memcmp(e->target, address, family == AF_INET ? 4 : 16))
		return 0;
	if (!e && !(e = peer->echo = malloc(sizeof(*e))))
		return -ENOMEM;
	memset(e, 0, sizeof(*e));
	peer->device->env.random(peer->device->env.ctx, id, sizeof(id));
	e->family = family;
	memcpy(e->target, address, family == AF_INET ? 4 : 16);
	e->id = (uint16_t)(id[0] << 8 | id[1]);
	return 0;
}

/* The Internet checksum's running sum over len bytes (len even, or the last byte padded). */
static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* ICMP(v6) echo request of `seq` at icmp (ICMP_HEADER + WG_ECHO_PAYLOAD bytes), unsummed. */
static void fill_icmp(uint8_t *icmp, uint8_t type, uint16_t id, uint16_t seq, uint64_t now)
{
	memset(icmp, 0, ICMP_HEADER);
	icmp[0] = type;
	wg_be16_put(icmp + 4, id);
	wg_be16_put(icmp + 6, seq);
	memcpy(icmp + ICMP_HEADER, magic, sizeof(magic));
	for (int i = 0; i < 8; ++i)
		icmp[ICMP_HEADER + 8 + i] = (uint8_t)(now >> (56 - 8 * i));
}

/* The request from src to the target into packet (which has the core's head- and tailroom
 * around it); its length. */
static size_t build_request(const struct wg_echo *e, const uint8_t *src, uint16_t seq, uint64_t now, uint8_t *packet)
{
	size_t icmp_len = ICMP_HEADER + WG_ECHO_PAYLOAD;
	uint8_t *icmp;
	uint32_t sum;

	if (e->family == AF_INET) {
		memset(packet, 0, IPV4_HEADER);
		packet[0] = 0x45;
		wg_be16_put(packet + 2, (uint16_t)(IPV4_HEADER + icmp_len));
		packet[6] = 0x40; /* don't fragment */
		packet[8] = 64;
		packet[9] = PROTO_ICMP;
		memcpy(packet + 12, src, 4);
		memcpy(packet + 16, e->target, 4);
		wg_be16_put(packet + 10, fold(sum16(0, packet, IPV4_HEADER)));
		icmp = packet + IPV4_HEADER;
		fill_icmp(icmp, ICMP_ECHO_REQUEST, e->id, seq, now);
		wg_be16_put(icmp + 2, fold(sum16(0, icmp, icmp_len)));
		return IPV4_HEADER + icmp_len;
	}
	memset(packet, 0, IPV6_HEADER);
	packet[0] = 0x60;
	wg_be16_put(packet + 4, (uint16_t)icmp_len);
	packet[6] = PROTO_ICMPV6;
	packet[7] = 64;
	memcpy(packet + 8, src, 16);
	memcpy(packet + 24, e->target, 16);
	icmp = packet + IPV6_HEADER;
	fill_icmp(icmp, ICMPV6_ECHO_REQUEST, e->id, seq, now);
	/* The pseudo-header: both addresses, the upper-layer length and the next header. */
	sum = sum16(0, packet + 8, 32);
	sum += (uint32_t)icmp_len + PROTO_ICMPV6;
	wg_be16_put(icmp + 2, fold(sum16(sum, icmp, icmp_len)));
	return IPV6_HEADER + icmp_len;
}

static void send_echo(struct wg_peer *peer, uint64_t now)
{
	struct wg_device *device = peer->device;
	struct wg_echo *e = peer->echo;
	uint8_t buffer[WG_PACKET_HEADROOM + IPV6_HEADER + ICMP_HEADER + WG_ECHO_PAYLOAD + WG_PACKET_TAILROOM];
	uint8_t src[16];
	struct wg_echo_pending *slot;
	uint16_t seq = e->next_seq;
	size_t len;

	/* Cryptokey routing would take it elsewhere (another peer's, or none): not ours to send. */
	e->unroutable = wg_allowedips_lookup(&device->peer_allowedips, e->family, e->target) != peer;
	if (e->unroutable)
		return;
	if (!device->env.probe_source || !device->env.probe_source(device->env.ctx, e->family, src))
		return; /* no address of that family on the tunnel yet */
	slot = &e->pending[seq % WG_ECHO_OUTSTANDING];
	if (slot->waiting)
		++e->lost;
	len = build_request(e, src, seq, now, buffer + WG_PACKET_HEADROOM);
	if (wg_device_send(device, buffer + WG_PACKET_HEADROOM, len))
		return;
	*slot = (struct wg_echo_pending){ .seq = seq, .waiting = true, .sent = now };
	++e->next_seq;
	++e->sent;
}

void wg_echo_tick(struct wg_peer *peer, uint64_t now)
{
	struct wg_echo *e = peer->echo;
	uint64_t interval = (uint64_t)peer->device->echo_interval * WG_NSEC_PER_SEC;

	if (!e)
		return;
	for (unsigned i = 0; i < WG_ECHO_OUTSTANDING; ++i) {
		if (e->pending[i].waiting && now - e->pending[i].sent >= (uint64_t)WG_ECHO_TIMEOUT * WG_NSEC_PER_SEC) {
			e->pending[i].waiting = false;
			++e->lost;
		}
	}
	/* Against the interval as it is now: a shorter one set meanwhile applies at once. */
	if (e->has_tried && now - e->last_try < interval)
		return;
	send_echo(peer, now);
	e->last_try = now;
	e->has_tried = true;
}

/* The ICMP(v6) message of an echo reply from the target to us, or NULL. */
static const uint8_t *reply_icmp(const struct wg_echo *e, const uint8_t *packet, size_t len)
{
	size_t header;

	if (e->family == AF_INET) {
		header = (size_t)(packet[0] & 0x0f) * 4;
		if (packet[0] >> 4 != 4 || packet[9] != PROTO_ICMP || memcmp(packet + 12, e->target, 4) ||
		    len < header + ICMP_HEADER + WG_ECHO_PAYLOAD || packet[header] != ICMP_ECHO_REPLY)
			return NULL;
		return packet + header;
	}
	if (packet[0] >> 4 != 6 || len < IPV6_HEADER + ICMP_HEADER + WG_ECHO_PAYLOAD || packet[6] != PROTO_ICMPV6 ||
	    memcmp(packet + 8, e->target, 16) || packet[IPV6_HEADER] != ICMPV6_ECHO_REPLY)
		return NULL;
	return packet + IPV6_HEADER;
}

bool wg_echo_take_reply(struct wg_peer *peer, const uint8_t *packet, size_t len)
{
	struct wg_echo *e = peer->echo;
	const uint8_t *icmp;
	struct wg_echo_pending *slot;
	uint16_t seq;
	uint64_t rtt;

	if (!e || len < 20 || !(icmp = reply_icmp(e, packet, len)) || icmp[1] != 0 ||
	    wg_be16_get(icmp + 4) != e->id || memcmp(icmp + ICMP_HEADER, magic, sizeof(magic)))
		return false;
	/* Ours: never delivered, answered or not (a late or repeated one is dropped here). */
	seq = wg_be16_get(icmp + 6);
	slot = &e->pending[seq % WG_ECHO_OUTSTANDING];
	if (!slot->waiting || slot->seq != seq)
		return true;
	slot->waiting = false;
	rtt = peer->device->env.now(peer->device->env.ctx) - slot->sent;
	e->rtt_last = rtt;
	if (!e->answered || rtt < e->rtt_min)
		e->rtt_min = rtt;
	if (rtt > e->rtt_max)
		e->rtt_max = rtt;
	e->rtt_sum += rtt;
	++e->answered;
	return true;
}
