/*
 * What `wgc analyze` knows of the keys of the sessions it reads: public keys to check mac1
 * against (--public-key, and every key it learns), static private keys (--private-key files,
 * a key log's LOCAL_STATIC_PRIVATE_KEY lines) to open initiations with, and the ephemeral
 * private keys of a key log with their preshared keys, found by their public halves in the
 * messages. Everything here is secret but the public keys: keyring_free wipes it.
 */
#ifndef WGC_KEYRING_H
#define WGC_KEYRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cookie.h"
#include "wgc/errmsg.h"

struct keyring_public {
	uint8_t key[32];
	struct wg_cookie_checker mac1;   /* only its mac1 key is used: mac1 of messages to this key */
};

struct keyring_static {
	uint8_t private_key[32];
	uint8_t public_key[32];
};

struct keyring_ephemeral {
	uint8_t private_key[32];
	uint8_t public_key[32];
	uint8_t preshared_key[32];       /* zero unless a PRESHARED_KEY line followed it */
};

/* Arrays grown by doubling; each owned by the ring. */
struct keyring {
	struct keyring_public *publics;
	size_t public_count, public_size;
	struct keyring_static *statics;
	size_t static_count, static_size;
	struct keyring_ephemeral *ephemerals;
	size_t ephemeral_count, ephemeral_size;
	uint8_t (*preshared)[32];        /* every distinct preshared key seen, tried when the one
	                                  * bound to an ephemeral does not open a response */
	size_t preshared_count, preshared_size;
};

/* A public key in base64 (--public-key). 0, -EINVAL naming it, -ENOMEM. */
int keyring_add_public_text(struct keyring *ring, const char *base64, struct wgc_err *err);
/* A file holding one base64 private key, as `wg genkey` writes it (--private-key). */
int keyring_add_private_file(struct keyring *ring, const char *path, struct wgc_err *err);
/* A key log in Wireshark's format (--keylog); an error names the file and line. */
int keyring_add_keylog(struct keyring *ring, const char *path, struct wgc_err *err);

/* A public key learned from the capture (an initiator's, revealed): mac1 of responses to it. */
int keyring_learn_public(struct keyring *ring, const uint8_t key[32]);
/* Whether the mac1 of a handshake message (initiation or response) fits one of the known
 * public keys; whether it fits this one. */
bool keyring_mac1_known(const struct keyring *ring, const uint8_t *msg, size_t len);
bool keyring_mac1_fits(const uint8_t public_key[32], const uint8_t *msg, size_t len);
const struct keyring_ephemeral *keyring_ephemeral_of(const struct keyring *ring, const uint8_t public_key[32]);
const struct keyring_static *keyring_static_of(const struct keyring *ring, const uint8_t public_key[32]);
bool keyring_is_empty(const struct keyring *ring);
void keyring_free(struct keyring *ring);

#endif
