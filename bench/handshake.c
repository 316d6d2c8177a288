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
 *       prints "sent/s N cookie-replies/s N";
 *   wgc-bench-handshake replay RESPONDER_PUBLIC_KEY ADDRESS PORT RATE SECONDS
 *       one initiator's initiation, once answered, sent again RATE times a second: what an
 *       eavesdropper can replay without any key (mac1 stays valid, the timestamp is old); prints
 *       "sent/s N cookie-replies/s N" (cookie replies: the responder counted itself under load).
 *
 * Initiations are built here from the wgc crypto primitives, each initiator's once (see
 * initiation_template). Timestamps come from the real clock, kept rising per initiator: a
 * responder remembers the newest it accepted from each key, across runs of this program.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/cookie.h"
#include "core/key.h"
#include "core/messages.h"
#include "core/noise.h"
#include "crypto/aead.h"
#include "crypto/blake2s.h"
#include "crypto/kdf.h"
#include "crypto/x25519.h"

/* In flight: enough to keep every core of a responder busy, and well below where either
 * implementation counts itself under load (wireguard-go: 128 queued; wgcd: 512). */
enum { WINDOW = 64, FLOOD_BATCH = 64 };

static int sock = -1;

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
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

static void initiator_key(uint8_t key[32], unsigned i)
{
	char seed[32];
	int n = snprintf(seed, sizeof(seed), "wgc-bench initiator %u", i);

	wg_blake2s(key, 32, seed, (size_t)n, NULL, 0);
}

static int usage(void)
{
	fprintf(stderr, "usage: wgc-bench-handshake keys COUNT\n"
			"       wgc-bench-handshake rate RESPONDER_PUBLIC_KEY ADDRESS PORT COUNT SECONDS\n"
			"       wgc-bench-handshake flood RESPONDER_PUBLIC_KEY ADDRESS PORT SECONDS\n"
			"       wgc-bench-handshake replay RESPONDER_PUBLIC_KEY ADDRESS PORT RATE SECONDS\n");
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

/*
 * One initiator's initiation, made once with a fresh ephemeral key (the initiator's own two
 * Diffie-Hellman done then): every message after it differs only in its timestamp, sender
 * index and mac1. The responder cannot tell and does all of its own Diffie-Hellman for each
 * one, while the generator does none: what is measured is the responder, not this process,
 * which shares the machine's cores with it.
 */
struct initiation_template {
	struct wg_message_initiation msg;
	uint8_t key[32], hash[32]; /* {t}'s key and associated data: the state after ss */
	uint8_t last_timestamp[WG_NOISE_TIMESTAMP_LEN];
};

static void mix_hash(uint8_t hash[32], const void *in, size_t len)
{
	struct wg_blake2s_state state;

	wg_blake2s_init(&state, 32);
	wg_blake2s_update(&state, hash, 32);
	wg_blake2s_update(&state, in, len);
	wg_blake2s_final(&state, hash);
}

/* Noise_IKpsk2's e, es, s, ss as the whitepaper writes them (section 5.4.2). */
static int make_template(struct initiation_template *t, unsigned i, const uint8_t responder[32])
{
	static const char construction[] = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
	static const char identifier[] = "WireGuard v1 zx2c4 Jason@zx2c4.com";
	uint8_t chaining_key[32], dh[32], secret[32], public[32], nonce[WG_AEAD_NONCE_LEN];
	uint8_t *ephemeral = t->msg.unencrypted_ephemeral;

	memset(t, 0, sizeof(*t));
	wg_le32_put(t->msg.type, WG_MESSAGE_HANDSHAKE_INITIATION);
	wg_blake2s(chaining_key, 32, construction, strlen(construction), NULL, 0);
	memcpy(t->hash, chaining_key, 32);
	mix_hash(t->hash, identifier, strlen(identifier));
	mix_hash(t->hash, responder, 32);
	/* e */
	random_bytes(NULL, secret, 32);
	wg_x25519_clamp(secret);
	if (!wg_x25519_public(ephemeral, secret))
		return -1;
	mix_hash(t->hash, ephemeral, 32);
	wg_kdf(chaining_key, NULL, NULL, chaining_key, ephemeral, 32);
	/* es */
	if (!wg_x25519(dh, secret, responder))
		return -1;
	wg_kdf(chaining_key, t->key, NULL, chaining_key, dh, 32);
	/* s */
	initiator_key(secret, i);
	wg_x25519_clamp(secret);
	if (!wg_x25519_public(public, secret))
		return -1;
	wg_aead_nonce(nonce, 0);
	if (wg_aead_seal_once(t->msg.encrypted_static, public, 32, t->hash, 32, nonce, t->key))
		return -1;
	mix_hash(t->hash, t->msg.encrypted_static, sizeof(t->msg.encrypted_static));
	/* ss */
	if (!wg_x25519(dh, secret, responder))
		return -1;
	wg_kdf(chaining_key, t->key, NULL, chaining_key, dh, 32);
	return 0;
}

/* Each message of the batch its own datagram to the responder. */
static void address_batch(struct mmsghdr *msgs, struct iovec *iovs, struct wg_message_initiation *batch,
			  unsigned count, const struct wg_endpoint *to)
{
	for (unsigned i = 0; i < count; ++i) {
		iovs[i] = (struct iovec){ &batch[i], sizeof(batch[i]) };
		msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_name = (void *)&to->addr,
							 .msg_namelen = sizeof(to->addr.in),
							 .msg_iov = &iovs[i], .msg_iovlen = 1 } };
	}
}

/* {t} with a timestamp newer than the last, a new sender index, mac1. */
static void next_initiation(struct wg_message_initiation *out, struct initiation_template *t,
			    struct wg_cookie_maker *mac, uint32_t index)
{
	uint8_t timestamp[WG_NOISE_TIMESTAMP_LEN], nonce[WG_AEAD_NONCE_LEN];

	wg_noise_tai64n_now(timestamp, t->last_timestamp, wall_clock(NULL));
	wg_aead_nonce(nonce, 0);
	if (wg_aead_seal_once(t->msg.encrypted_timestamp, timestamp, sizeof(timestamp), t->hash, 32, nonce, t->key))
		abort();
	wg_le32_put(t->msg.sender_index, index);
	*out = t->msg;
	wg_cookie_add_mac_to_packet((uint8_t *)out, sizeof(*out), mac, 0);
}

static int rate(const uint8_t responder[32], const struct wg_endpoint *to, unsigned count, double seconds)
{
	static struct wg_message_initiation batch[WINDOW];
	struct initiation_template *templates = calloc(count, sizeof(*templates));
	struct wg_cookie_maker mac = { 0 };
	struct mmsghdr msgs[WINDOW];
	struct iovec iovs[WINDOW];
	uint64_t start, end, last_answer;
	unsigned in_flight = 0, next = 0, answered = 0;

	if (!templates)
		return 1;
	for (unsigned i = 0; i < count; ++i)
		if (make_template(&templates[i], i, responder))
			return 1;
	wg_cookie_checker_precompute_peer_keys(&mac, responder);
	address_batch(msgs, iovs, batch, WINDOW, to);
	start = last_answer = monotonic_ns();
	end = start + (uint64_t)(seconds * 1e9);
	while (monotonic_ns() < end) {
		struct pollfd p = { .fd = sock, .events = POLLIN };
		unsigned got, n = 0;

		for (; in_flight + n < WINDOW; ++n) {
			next_initiation(&batch[n], &templates[next], &mac, next);
			next = (next + 1) % count;
		}
		if (n && sendmmsg(sock, msgs, n, 0) > 0)
			in_flight += n;
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

/* An obfuscated responder's wire (environment WGC_FLOOD_WIRE="S1 H1 S3", AmneziaWG's S1, one
 * H1 value and S3): initiations go with S1 random bytes in front and type H1 (under mac1),
 * and cookie replies are told by their length, S3 + 64. Unset: plain WireGuard. */
struct flood_wire {
	unsigned s1, h1, s3;
	uint8_t prefix[1200];
};

static int read_flood_wire(struct flood_wire *w)
{
	const char *text = getenv("WGC_FLOOD_WIRE");

	memset(w, 0, sizeof(*w));
	if (!text)
		return 0;
	if (sscanf(text, "%u %u %u", &w->s1, &w->h1, &w->s3) != 3 || w->s1 > sizeof(w->prefix) || w->s3 > 190) {
		fprintf(stderr, "WGC_FLOOD_WIRE: expected \"S1 H1 S3\" (S1 <= 1200, S3 <= 190)\n");
		return -1;
	}
	random_bytes(NULL, w->prefix, w->s1);
	return 0;
}

/* Cookie replies waiting on the socket, without blocking. */
static unsigned drain_cookies(const struct flood_wire *w)
{
	uint8_t buf[256];
	unsigned n = 0;
	ssize_t len;

	if (!w->h1)
		return drain(WG_MESSAGE_HANDSHAKE_COOKIE);
	while ((len = recv(sock, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		n += (size_t)len == w->s3 + sizeof(struct wg_message_cookie);
	return n;
}

/* Copies of an initiation from a key the responder does not know, each with a fresh random
 * ephemeral key and sender index (which the responder cannot tell from real ones before its
 * Diffie-Hellman fails) and a valid mac1 over them. */
static int flood(const uint8_t responder[32], const struct wg_endpoint *to, double seconds)
{
	static struct wg_message_initiation batch[FLOOD_BATCH];
	static struct initiation_template template;
	static struct flood_wire wire;
	struct wg_cookie_maker mac = { 0 };
	struct mmsghdr msgs[FLOOD_BATCH];
	struct iovec iovs[3 * FLOOD_BATCH];
	uint64_t start, end, sent = 0, cookies = 0;

	if (read_flood_wire(&wire) || make_template(&template, 1u << 30, responder))
		return 1;
	wg_cookie_checker_precompute_peer_keys(&mac, responder);
	address_batch(msgs, iovs, batch, FLOOD_BATCH, to);
	/* Obfuscated: each datagram is the prefix, then the initiation. */
	for (unsigned i = 0; wire.h1 && i < FLOOD_BATCH; ++i) {
		iovs[FLOOD_BATCH + 2 * i] = (struct iovec){ wire.prefix, wire.s1 };
		iovs[FLOOD_BATCH + 2 * i + 1] = iovs[i];
		msgs[i].msg_hdr.msg_iov = &iovs[FLOOD_BATCH + 2 * i];
		msgs[i].msg_hdr.msg_iovlen = 2;
	}
	start = monotonic_ns();
	end = start + (uint64_t)(seconds * 1e9);
	while (monotonic_ns() < end) {
		int n;

		for (unsigned i = 0; i < FLOOD_BATCH; ++i) {
			batch[i] = template.msg;
			if (wire.h1)
				wg_le32_put(batch[i].type, wire.h1);
			random_bytes(NULL, batch[i].sender_index, 4);
			random_bytes(NULL, batch[i].unencrypted_ephemeral, sizeof(batch[i].unencrypted_ephemeral));
			wg_cookie_add_mac_to_packet((uint8_t *)&batch[i], sizeof(batch[i]), &mac, 0);
		}
		n = sendmmsg(sock, msgs, FLOOD_BATCH, 0);
		if (n > 0)
			sent += (uint64_t)n;
		cookies += drain_cookies(&wire);
	}
	printf("sent/s %.0f cookie-replies/s %.0f\n", sent / seconds, cookies / seconds);
	return 0;
}

/* Whether a response came; a cookie reply (the responder still under load from what ran
 * before) is taken, as a real initiator takes it, so that the next try carries mac2. */
static bool response_or_cookie(struct wg_cookie_maker *mac)
{
	uint8_t buf[256];
	bool response = false;
	ssize_t len;

	while ((len = recv(sock, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		if (buf[0] == WG_MESSAGE_HANDSHAKE_RESPONSE)
			response = true;
		else if (buf[0] == WG_MESSAGE_HANDSHAKE_COOKIE && len == sizeof(struct wg_message_cookie))
			wg_cookie_message_consume((const struct wg_message_cookie *)buf, mac, 0);
	}
	return response;
}

/* An initiation the responder accepted: sent until a response comes back (each try newer),
 * for up to 10 s. */
static int accepted_initiation(struct wg_message_initiation *out, struct initiation_template *t,
			       struct wg_cookie_maker *mac, const struct wg_endpoint *to)
{
	for (int tries = 0; tries < 100; ++tries) {
		struct pollfd p = { .fd = sock, .events = POLLIN };

		next_initiation(out, t, mac, (uint32_t)tries);
		if (sendto(sock, out, sizeof(*out), 0, &to->addr.sa, sizeof(to->addr.in)) < 0)
			return -1;
		if (poll(&p, 1, 100) == 1 && response_or_cookie(mac))
			return 0;
	}
	fprintf(stderr, "wgc-bench-handshake: no response to 100 initiations\n");
	return -1;
}

/* Batches of FLOOD_BATCH copies, paced to `per_second` on the monotonic clock. */
static int replay(const uint8_t responder[32], const struct wg_endpoint *to, double per_second, double seconds)
{
	static struct wg_message_initiation batch[FLOOD_BATCH];
	static struct initiation_template template;
	struct wg_cookie_maker mac = { 0 };
	struct mmsghdr msgs[FLOOD_BATCH];
	struct iovec iovs[FLOOD_BATCH];
	uint64_t start, end, next, step, sent = 0, cookies = 0;

	wg_cookie_checker_precompute_peer_keys(&mac, responder);
	if (make_template(&template, 0, responder) || accepted_initiation(&batch[0], &template, &mac, to))
		return 1;
	for (unsigned i = 1; i < FLOOD_BATCH; ++i)
		batch[i] = batch[0];
	address_batch(msgs, iovs, batch, FLOOD_BATCH, to);
	step = (uint64_t)(FLOOD_BATCH / per_second * 1e9);
	start = next = monotonic_ns();
	end = start + (uint64_t)(seconds * 1e9);
	while ((next += step) < end) {
		struct timespec at = { (time_t)(next / 1000000000u), (long)(next % 1000000000u) };
		int n = sendmmsg(sock, msgs, FLOOD_BATCH, 0);

		if (n > 0)
			sent += (uint64_t)n;
		cookies += drain(WG_MESSAGE_HANDSHAKE_COOKIE);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL);
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
	if (!strcmp(argv[1], "replay") && argc == 7)
		return replay(responder, &to, atof(argv[5]), atof(argv[6]));
	return usage();
}
