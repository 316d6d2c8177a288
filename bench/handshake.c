/*
 * Handshake load for make bench, against a responder listening on a real socket:
 *
 *   wgc-bench-handshake keys COUNT
 *       the public keys of COUNT initiators (derived from a fixed seed), one per line, for the
 *       responder's configuration;
 *   wgc-bench-handshake rate RESPONDER_PUBLIC_KEY ADDRESS PORT COUNT SECONDS
 *       those initiators handshake with the responder as fast as it answers, at most WINDOW
 *       initiations in flight (well below either implementation's "under load" mark, so every
 *       one costs the responder its Diffie-Hellman); prints "handshakes/s N";
 *   wgc-bench-handshake flood RESPONDER_PUBLIC_KEY ADDRESS PORT SECONDS
 *       initiations from unknown keys with a valid mac1, as fast as this process can send them;
 *       prints "sent/s N cookie-replies/s N".
 *
 * Initiations are made by the wgc core, one device per initiator, on a monotonic clock that
 * jumps ahead at every message, so the core's "one initiation per REKEY_TIMEOUT" never holds
 * one back. Timestamps come from the real clock (the core keeps each initiator's rising): a
 * responder remembers the newest it accepted from each key, across runs of this program.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/device.h"
#include "core/key.h"
#include "core/messages.h"
#include "core/peer.h"
#include "core/send.h"
#include "crypto/blake2s.h"

enum { WINDOW = 32, FLOOD_BATCH = 64 };

struct initiator {
	struct wg_device device;
	struct wg_peer *peer;
};

static int sock = -1;
static uint64_t virtual_now;

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Ten seconds later at every look: never "sent recently", always a newer timestamp. */
static uint64_t jumping_clock(void *ctx)
{
	(void)ctx;
	return virtual_now += 10ull * 1000000000u;
}

static uint64_t wall_clock(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void random_bytes(void *ctx, void *out, size_t len)
{
	(void)ctx;
	if (getrandom(out, len, 0) != (ssize_t)len)
		abort();
}

static int send_to_socket(void *ctx, struct wg_peer *peer, const struct wg_endpoint *to, const uint8_t *msg,
			  size_t len)
{
	(void)ctx;
	(void)peer;
	return sendto(sock, msg, len, 0, &to->addr.sa, sizeof(to->addr.in)) < 0 ? -errno : 0;
}

static void deliver_nothing(void *ctx, struct wg_peer *from, const uint8_t *packet, size_t len)
{
	(void)ctx, (void)from, (void)packet, (void)len;
}

static const struct wg_env env = {
	.now = jumping_clock, .wall = wall_clock, .random = random_bytes,
	.send = send_to_socket, .deliver = deliver_nothing,
};

static void initiator_key(uint8_t key[32], unsigned i)
{
	char seed[32];
	int n = snprintf(seed, sizeof(seed), "wgc-bench initiator %u", i);

	wg_blake2s(key, 32, seed, (size_t)n, NULL, 0);
}

static int setup_initiator(struct initiator *in, unsigned i, const uint8_t responder[32],
			   const struct wg_endpoint *endpoint)
{
	uint8_t key[32];

	initiator_key(key, i);
	if (wg_device_init(&in->device, &env))
		return -1;
	wg_device_set_private_key(&in->device, key);
	if (wg_peer_create(&in->device, responder, NULL, &in->peer))
		return -1;
	wg_peer_set_endpoint(in->peer, endpoint);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: wgc-bench-handshake keys COUNT\n"
			"       wgc-bench-handshake rate RESPONDER_PUBLIC_KEY ADDRESS PORT COUNT SECONDS\n"
			"       wgc-bench-handshake flood RESPONDER_PUBLIC_KEY ADDRESS PORT SECONDS\n");
	return 2;
}

static int print_keys(unsigned count)
{
	for (unsigned i = 0; i < count; ++i) {
		uint8_t key[32], pub[32];
		char text[WG_KEY_BASE64_LEN + 1];

		initiator_key(key, i);
		wg_x25519_clamp(key);
		if (!wg_x25519_public(pub, key))
			return 1;
		wg_key_to_base64(text, pub);
		puts(text);
	}
	return 0;
}

/* Counts the messages of one type waiting on the socket, without blocking. */
static unsigned drain(uint8_t type)
{
	uint8_t buf[256];
	unsigned n = 0;
	ssize_t len;

	while ((len = recv(sock, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		n += buf[0] == type;
	return n;
}

static int rate(const uint8_t responder[32], const struct wg_endpoint *to, unsigned count, double seconds)
{
	struct initiator *initiators = calloc(count, sizeof(*initiators));
	uint64_t start, end, last_answer;
	unsigned in_flight = 0, next = 0, answered = 0;

	if (!initiators)
		return 1;
	for (unsigned i = 0; i < count; ++i)
		if (setup_initiator(&initiators[i], i, responder, to))
			return 1;
	start = last_answer = monotonic_ns();
	end = start + (uint64_t)(seconds * 1e9);
	while (monotonic_ns() < end) {
		struct pollfd p = { .fd = sock, .events = POLLIN };
		unsigned got;

		while (in_flight < WINDOW) {
			wg_packet_send_handshake_initiation(initiators[next].peer, false);
			next = (next + 1) % count;
			++in_flight;
		}
		poll(&p, 1, 10);
		got = drain(WG_MESSAGE_HANDSHAKE_RESPONSE);
		answered += got;
		in_flight -= got < in_flight ? got : in_flight;
		if (got)
			last_answer = monotonic_ns();
		/* Whatever was dropped is not waited for. */
		if (monotonic_ns() - last_answer > 200000000u) {
			in_flight = 0;
			last_answer = monotonic_ns();
		}
	}
	printf("handshakes/s %.0f\n", answered / ((double)(monotonic_ns() - start) / 1e9));
	return 0;
}

/* One real initiation is the template; each copy gets a fresh random ephemeral key and sender
 * index (which the responder cannot tell from real ones before its Diffie-Hellman fails) and a
 * valid mac1 over them. */
static int flood(const uint8_t responder[32], const struct wg_endpoint *to, double seconds)
{
	static struct wg_message_initiation batch[FLOOD_BATCH];
	struct mmsghdr msgs[FLOOD_BATCH];
	struct iovec iovs[FLOOD_BATCH];
	struct initiator *in = calloc(1, sizeof(*in));
	uint64_t start, end, sent = 0, cookies = 0;

	if (!in || setup_initiator(in, 1u << 30, responder, to))
		return 1;
	memset(msgs, 0, sizeof(msgs));
	for (unsigned i = 0; i < FLOOD_BATCH; ++i) {
		iovs[i] = (struct iovec){ &batch[i], sizeof(batch[i]) };
		msgs[i].msg_hdr = (struct msghdr){ .msg_name = (void *)&to->addr, .msg_namelen = sizeof(to->addr.in),
						   .msg_iov = &iovs[i], .msg_iovlen = 1 };
	}
	start = monotonic_ns();
	end = start + (uint64_t)(seconds * 1e9);
	while (monotonic_ns() < end) {
		int n;

		for (unsigned i = 0; i < FLOOD_BATCH; ++i) {
			uint8_t *msg = (uint8_t *)&batch[i];

			random_bytes(NULL, msg + 4, 36);
			msg[0] = WG_MESSAGE_HANDSHAKE_INITIATION;
			memset(msg + 1, 0, 3);
			memset(batch[i].macs.mac2, 0, sizeof(batch[i].macs.mac2));
			wg_cookie_add_mac_to_packet(msg, sizeof(batch[i]), &in->peer->cookie, 0);
		}
		n = sendmmsg(sock, msgs, FLOOD_BATCH, 0);
		if (n > 0)
			sent += (uint64_t)n;
		cookies += drain(WG_MESSAGE_HANDSHAKE_COOKIE);
	}
	printf("sent/s %.0f cookie-replies/s %.0f\n", sent / seconds, cookies / seconds);
	return 0;
}

int main(int argc, char **argv)
{
	uint8_t responder[32];
	struct wg_endpoint to = { 0 };

	if (argc == 3 && !strcmp(argv[1], "keys"))
		return print_keys((unsigned)atoi(argv[2]));
	if (argc < 6 || !wg_key_from_base64(responder, argv[2]))
		return usage();
	to.addr.in.sin_family = AF_INET;
	to.addr.in.sin_port = htons((uint16_t)atoi(argv[4]));
	if (inet_pton(AF_INET, argv[3], &to.addr.in.sin_addr) != 1)
		return usage();
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return 1;
	if (!strcmp(argv[1], "rate") && argc == 7)
		return rate(responder, &to, (unsigned)atoi(argv[5]), atof(argv[6]));
	if (!strcmp(argv[1], "flood") && argc == 6)
		return flood(responder, &to, atof(argv[5]));
	return usage();
}
