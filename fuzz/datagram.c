/*
 * Datagrams into configured devices. Two devices with a live session run on the in-memory
 * network; the input is a script of operations: raw datagrams to either, well-formed data
 * messages encrypted under the live session with arbitrary contents (to reach what happens
 * after authentication), mutations of real messages, tunnel packets, configuration changes
 * while all this goes on, and the passing of time. Whatever arrives, nothing may crash or
 * leak, and b may deliver only packets a really sent.
 */
#include <stdint.h>
#include <string.h>

#include "../tests/netsim.h"
#include "core/send.h"
#include "core/uapi.h"

enum op {
	OP_RAW_TO_B,        /* bytes as a datagram to b, from a's address */
	OP_RAW_TO_A,        /* bytes as a datagram to a, from a stranger */
	OP_SEALED_TO_B,     /* bytes as the plaintext of a data message under a's keypair */
	OP_MUTATE,          /* a real message a sent, one byte changed, replayed to b */
	OP_TUNNEL_FROM_A,   /* bytes as an IP packet into a's tunnel side */
	OP_ADVANCE,         /* let time pass: timers fire */
	OP_SET_B,           /* bytes as UAPI set lines applied to b */
	OP_COUNT,
};

/* What a put into the tunnel or sealed: the only packets b may ever deliver. */
static struct {
	size_t len;
	uint8_t data[SIM_MAX_PACKET];
} sent_by_a[64];
static size_t sent_by_a_count;

static void remember(const uint8_t *packet, size_t len)
{
	if (sent_by_a_count < sizeof(sent_by_a) / sizeof(sent_by_a[0])) {
		sent_by_a[sent_by_a_count].len = len;
		memcpy(sent_by_a[sent_by_a_count++].data, packet, len);
	}
}

static bool was_sent_by_a(const struct sim_record *r)
{
	for (size_t i = 0; i < sent_by_a_count; ++i)
		if (r->len <= sent_by_a[i].len && !memcmp(r->data, sent_by_a[i].data, r->len))
			return true;
	return false;
}

static void configure(struct wg_device *device, const uint8_t *text, size_t len)
{
	struct wg_config_device config;
	struct wg_uapi_parser parser;

	wg_config_init(&config);
	wg_uapi_parser_init(&parser, &config);
	if (!wg_uapi_parse_text(&parser, (const char *)text, len))
		wg_device_configure(device, &config);
	wg_config_free(&config);
}

static size_t take(const uint8_t **data, size_t *size, uint8_t *out, size_t want)
{
	size_t n = want < *size ? want : *size;

	memcpy(out, *data, n);
	*data += n;
	*size -= n;
	return n;
}

static void sealed(struct sim *sim, struct sim_node *a, struct sim_node *b, const uint8_t *plain, size_t len)
{
	uint8_t msg[WG_PACKET_HEADROOM + SIM_MAX_PACKET + WG_PACKET_TAILROOM];
	struct wg_peer *peer = sim_peer(a, b);
	struct wg_keypair *kp;
	uint8_t nonce[WG_AEAD_NONCE_LEN];
	uint64_t counter;

	if (!peer || !(kp = peer->keypairs.current) || !kp->sending_valid || len > SIM_MAX_PACKET - 64)
		return;
	remember(plain, len);
	counter = kp->sending_counter++;
	wg_le32_put(msg, WG_MESSAGE_DATA);
	wg_le32_put(msg + 4, kp->remote_index);
	wg_le64_put(msg + 8, counter);
	memcpy(msg + 16, plain, len);
	wg_aead_nonce(nonce, counter);
	if (wg_aead_seal(&kp->sending, msg + 16, msg + 16, len, NULL, 0, nonce) == 0)
		sim_inject(sim, b->id, &a->addr, msg, 16 + len + 16, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t buf[WG_PACKET_HEADROOM + SIM_MAX_PACKET + WG_PACKET_TAILROOM], header[3];
	struct wg_endpoint stranger;
	struct sim sim;
	struct sim_node *a, *b;
	size_t setup_delivered;

	sent_by_a_count = 0;
	sim_pair(&sim, 1, &a, &b, NULL, false);
	sim_send_ip(a, b, 1, 100);
	sim_run_for(&sim, SIM_SECOND);
	setup_delivered = b->delivered.count;
	wg_endpoint_parse(&stranger, "203.0.113.1:9");

	while (take(&data, &size, header, 3) == 3) {
		size_t len = (size_t)(header[1] | header[2] << 8) % SIM_MAX_PACKET;
		uint8_t *p = buf + WG_PACKET_HEADROOM;

		len = take(&data, &size, p, len);
		switch (header[0] % OP_COUNT) {
		case OP_RAW_TO_B:
			sim_inject(&sim, b->id, &a->addr, p, len, 0);
			break;
		case OP_RAW_TO_A:
			sim_inject(&sim, a->id, &stranger, p, len, 0);
			break;
		case OP_SEALED_TO_B:
			sealed(&sim, a, b, p, len);
			break;
		case OP_MUTATE:
			if (a->sent.count && len >= 3) {
				const struct sim_record *r = &a->sent.records[(p[0] | p[1] << 8) % a->sent.count];

				memcpy(buf, r->data, r->len);
				buf[p[2] % r->len] ^= (uint8_t)(p[2] | 1);
				sim_inject(&sim, b->id, &a->addr, buf, r->len, 0);
			}
			break;
		case OP_TUNNEL_FROM_A:
			remember(p, len);
			wg_device_send(&a->device, p, len);
			break;
		case OP_SET_B:
			configure(&b->device, p, len);
			break;
		default:
			sim_run_for(&sim, (uint64_t)len * len * SIM_MS);
			break;
		}
		sim_run_for(&sim, SIM_MS);
	}
	/* Nothing comes out of b that a did not send. */
	for (size_t i = setup_delivered; i < b->delivered.count; ++i)
		if (!was_sent_by_a(&b->delivered.records[i]))
			__builtin_trap();
	sim_free(&sim);
	return 0;
}
