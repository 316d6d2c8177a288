/*
 * The two ways a packet finds its peer: by the public key decrypted from an initiation, and by
 * the 32-bit receiver index of every other message. Indices are random and unique per device,
 * and name either a peer's in-progress handshake or one of its keypairs.
 *
 * Both tables grow only when peers are added (wg_peerlookup_reserve), never on the data path.
 */
#ifndef WG_CORE_PEERLOOKUP_H
#define WG_CORE_PEERLOOKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/env.h"

struct wg_peer;

enum wg_index_kind {
	WG_INDEX_HANDSHAKE = 1 << 0,
	WG_INDEX_KEYPAIR = 1 << 1,
};

struct wg_index_entry {
	struct wg_index_entry *next; /* bucket chain */
	struct wg_peer *peer;
	uint32_t index;              /* host order; little-endian on the wire */
	uint8_t kind;
	bool hashed;
};

struct wg_index_table {
	struct wg_index_entry **buckets;
	size_t mask, count;
};

struct wg_pubkey_table {
	struct wg_peer **buckets; /* chained through peer->pubkey_next */
	size_t mask, count;
};

int wg_index_table_init(struct wg_index_table *table);
void wg_index_table_free(struct wg_index_table *table);
/* Gives the entry a fresh random index no other entry has, replacing any index it had. */
uint32_t wg_index_table_insert(struct wg_index_table *table, struct wg_index_entry *entry,
			       const struct wg_env *env);
/* The new entry takes over the old one's index: a handshake's index becomes its keypair's. */
void wg_index_table_replace(struct wg_index_table *table, struct wg_index_entry *old,
			    struct wg_index_entry *new);
void wg_index_table_remove(struct wg_index_table *table, struct wg_index_entry *entry);
/* The entry with this index if its kind is one of kinds (a mask), else NULL. */
struct wg_index_entry *wg_index_table_lookup(const struct wg_index_table *table, uint32_t index,
					     unsigned kinds);

int wg_pubkey_table_init(struct wg_pubkey_table *table);
void wg_pubkey_table_free(struct wg_pubkey_table *table);
void wg_pubkey_table_add(struct wg_pubkey_table *table, struct wg_peer *peer);
void wg_pubkey_table_remove(struct wg_pubkey_table *table, struct wg_peer *peer);
struct wg_peer *wg_pubkey_table_lookup(const struct wg_pubkey_table *table, const uint8_t public_key[32]);

/* Grows both tables for `peers` peers in all (each may hold a handshake and three keypairs). */
int wg_peerlookup_reserve(struct wg_index_table *indices, struct wg_pubkey_table *pubkeys, size_t peers);

#endif
