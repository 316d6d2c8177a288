/* mac1/mac2 on handshake messages and the cookie reply, as in section 5.4.7 of the paper. */
#include "core/cookie.h"

#include <errno.h>
#include <string.h>
#include <netinet/in.h>

#include "core/ratelimiter.h"
#include "crypto/blake2s.h"
#include "crypto/secret.h"
#include "crypto/xaead.h"

static const uint8_t mac1_label[8] = "mac1----";
static const uint8_t cookie_label[8] = "cookie--";

/* HASH(label || public key) */
static void precompute_key(uint8_t key[WG_NOISE_SYMMETRIC_KEY_LEN], const uint8_t public_key[32],
			   const uint8_t label[8])
{
	struct wg_blake2s_state state;

	wg_blake2s_init(&state, WG_NOISE_SYMMETRIC_KEY_LEN);
	wg_blake2s_update(&state, label, 8);
	wg_blake2s_update(&state, public_key, WG_NOISE_PUBLIC_KEY_LEN);
	wg_blake2s_final(&state, key);
}

void wg_cookie_checker_precompute_device_keys(struct wg_cookie_checker *checker, const uint8_t *public_key)
{
	if (public_key) {
		precompute_key(checker->cookie_encryption_key, public_key, cookie_label);
		precompute_key(checker->message_mac1_key, public_key, mac1_label);
	} else {
		wg_secret_wipe(checker->cookie_encryption_key, sizeof(checker->cookie_encryption_key));
		wg_secret_wipe(checker->message_mac1_key, sizeof(checker->message_mac1_key));
	}
}

void wg_cookie_checker_precompute_peer_keys(struct wg_cookie_maker *maker, const uint8_t public_key[32])
{
	precompute_key(maker->cookie_decryption_key, public_key, cookie_label);
	precompute_key(maker->message_mac1_key, public_key, mac1_label);
}

void wg_cookie_checker_wipe(struct wg_cookie_checker *checker)
{
	wg_secret_wipe(checker, sizeof(*checker));
}

void wg_cookie_maker_wipe(struct wg_cookie_maker *maker)
{
	wg_secret_wipe(maker, sizeof(*maker));
}

/* The macs are the last 32 bytes of both handshake messages. */
static size_t mac1_offset(size_t len)
{
	return len - sizeof(struct wg_message_macs);
}

static size_t mac2_offset(size_t len)
{
	return len - WG_COOKIE_LEN;
}

static void compute_mac1(uint8_t mac1[WG_COOKIE_LEN], const uint8_t *msg, size_t len,
			 const uint8_t key[WG_NOISE_SYMMETRIC_KEY_LEN])
{
	wg_blake2s(mac1, WG_COOKIE_LEN, msg, mac1_offset(len), key, WG_NOISE_SYMMETRIC_KEY_LEN);
}

static void compute_mac2(uint8_t mac2[WG_COOKIE_LEN], const uint8_t *msg, size_t len,
			 const uint8_t cookie[WG_COOKIE_LEN])
{
	wg_blake2s(mac2, WG_COOKIE_LEN, msg, mac2_offset(len), cookie, WG_COOKIE_LEN);
}

static bool has_expired(uint64_t birthdate, uint64_t seconds, uint64_t now)
{
	return now >= birthdate + seconds * WG_NSEC_PER_SEC;
}

/* cookie = MAC(secret, source address || source port), with the secret rotated every 2 minutes. */
static void make_cookie(uint8_t cookie[WG_COOKIE_LEN], const struct wg_endpoint *source,
			struct wg_cookie_checker *checker, const struct wg_env *env)
{
	uint64_t now = env->now(env->ctx);
	struct wg_blake2s_state state;

	if (!checker->has_secret || has_expired(checker->secret_birthdate, WG_COOKIE_SECRET_MAX_AGE, now)) {
		env->random(env->ctx, checker->secret, sizeof(checker->secret));
		checker->secret_birthdate = now;
		checker->has_secret = true;
	}
	wg_blake2s_init_key(&state, WG_COOKIE_LEN, checker->secret, sizeof(checker->secret));
	if (source->addr.sa.sa_family == AF_INET) {
		wg_blake2s_update(&state, &source->addr.in.sin_addr, sizeof(struct in_addr));
		wg_blake2s_update(&state, &source->addr.in.sin_port, sizeof(in_port_t));
	} else if (source->addr.sa.sa_family == AF_INET6) {
		wg_blake2s_update(&state, &source->addr.in6.sin6_addr, sizeof(struct in6_addr));
		wg_blake2s_update(&state, &source->addr.in6.sin6_port, sizeof(in_port_t));
	}
	wg_blake2s_final(&state, cookie);
}

enum wg_cookie_mac_state wg_cookie_validate_packet(struct wg_cookie_checker *checker, const uint8_t *msg,
						   size_t len, const struct wg_endpoint *source, bool check_cookie,
						   struct wg_ratelimiter *rl, const struct wg_env *env)
{
	uint8_t computed[WG_COOKIE_LEN], cookie[WG_COOKIE_LEN];
	enum wg_cookie_mac_state ret = WG_INVALID_MAC;

	compute_mac1(computed, msg, len, checker->message_mac1_key);
	if (!wg_secret_equal(computed, msg + mac1_offset(len), WG_COOKIE_LEN))
		goto out;
	ret = WG_VALID_MAC_BUT_NO_COOKIE;
	if (!check_cookie)
		goto out;

	make_cookie(cookie, source, checker, env);
	compute_mac2(computed, msg, len, cookie);
	if (!wg_secret_equal(computed, msg + mac2_offset(len), WG_COOKIE_LEN))
		goto out;
	ret = WG_VALID_MAC_WITH_COOKIE_BUT_RATELIMITED;
	if (!wg_ratelimiter_allow(rl, source))
		goto out;
	ret = WG_VALID_MAC_WITH_COOKIE;
out:
	wg_secret_wipe(cookie, sizeof(cookie));
	return ret;
}

void wg_cookie_add_mac2_to_packet(uint8_t *msg, size_t len, struct wg_cookie_maker *maker, uint64_t now)
{
	uint8_t *mac2 = msg + mac2_offset(len);

	/* A cookie is good until the responder may have rotated its secret, less network latency. */
	if (maker->is_valid &&
	    !has_expired(maker->birthdate, WG_COOKIE_SECRET_MAX_AGE - WG_COOKIE_SECRET_LATENCY, now))
		compute_mac2(mac2, msg, len, maker->cookie);
	else
		memset(mac2, 0, WG_COOKIE_LEN);
}

void wg_cookie_add_mac_to_packet(uint8_t *msg, size_t len, struct wg_cookie_maker *maker, uint64_t now)
{
	uint8_t *mac1 = msg + mac1_offset(len);

	compute_mac1(mac1, msg, len, maker->message_mac1_key);
	memcpy(maker->last_mac1_sent, mac1, WG_COOKIE_LEN);
	maker->have_sent_mac1 = true;
	wg_cookie_add_mac2_to_packet(msg, len, maker, now);
}

int wg_cookie_message_create(struct wg_message_cookie *dst, const uint8_t *msg, size_t len,
			     struct wg_cookie_checker *checker, const struct wg_endpoint *source,
			     const struct wg_env *env)
{
	uint8_t cookie[WG_COOKIE_LEN];
	int ret;

	/* Initiation and response both carry their sender index right after the type. */
	wg_le32_put(dst->type, WG_MESSAGE_HANDSHAKE_COOKIE);
	memcpy(dst->receiver_index, msg + 4, 4);
	env->random(env->ctx, dst->nonce, sizeof(dst->nonce));
	make_cookie(cookie, source, checker, env);
	ret = wg_xaead_seal(dst->encrypted_cookie, cookie, WG_COOKIE_LEN, msg + mac1_offset(len), WG_COOKIE_LEN,
			    dst->nonce, checker->cookie_encryption_key);
	wg_secret_wipe(cookie, sizeof(cookie));
	return ret;
}

int wg_cookie_message_consume(const struct wg_message_cookie *src, struct wg_cookie_maker *maker, uint64_t now)
{
	uint8_t cookie[WG_COOKIE_LEN];
	int ret;

	/* Only an answer to the mac1 we last sent, and only once. */
	if (!maker->have_sent_mac1)
		return -EINVAL;
	ret = wg_xaead_open(cookie, src->encrypted_cookie, WG_COOKIE_LEN, maker->last_mac1_sent, WG_COOKIE_LEN,
			    src->nonce, maker->cookie_decryption_key);
	if (ret)
		goto out;
	memcpy(maker->cookie, cookie, WG_COOKIE_LEN);
	maker->birthdate = now;
	maker->is_valid = true;
	maker->have_sent_mac1 = false;
out:
	wg_secret_wipe(cookie, sizeof(cookie));
	return ret;
}
