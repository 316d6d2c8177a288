/*
 * Cryptokey routing: the AllowedIPs table, a path-compressed binary trie per address family.
 * It answers "which peer owns this address" for sending (destination) and receiving (source).
 *
 * Every node that carries a peer is also on that peer's list, so a peer's prefixes can be
 * listed and removed without walking the trie.
 */
#ifndef WG_CORE_ALLOWEDIPS_H
#define WG_CORE_ALLOWEDIPS_H

#include <stdint.h>

#include "core/list.h"

struct wg_peer;

struct wg_allowedips_node {
	struct wg_peer *peer;              /* NULL for a branching node that owns no prefix */
	struct wg_allowedips_node *bit[2]; /* children, chosen by the address bit after the prefix */
	struct wg_allowedips_node *parent;
	struct wg_list peer_list;          /* on peer's list while peer is set */
	uint8_t cidr;
	uint8_t family;                    /* AF_INET or AF_INET6 */
	uint8_t bits[16];                  /* network-order address, zero past cidr */
};

struct wg_allowedips {
	struct wg_allowedips_node *root4, *root6;
	uint64_t node_count;
};

void wg_allowedips_init(struct wg_allowedips *table);
/* Frees every node; peers' lists are left empty. */
void wg_allowedips_free(struct wg_allowedips *table);

/*
 * Assigns a prefix to a peer, taking it from any other peer that had it. Host bits past cidr
 * are ignored. peer_list is the peer's list head. 0, -EINVAL or -ENOMEM.
 */
int wg_allowedips_insert(struct wg_allowedips *table, int family, const void *addr, uint8_t cidr,
			 struct wg_peer *peer, struct wg_list *peer_list);
/* Removes a prefix if peer owns it exactly. 0 or -ENOENT. */
int wg_allowedips_remove(struct wg_allowedips *table, int family, const void *addr, uint8_t cidr,
			 struct wg_peer *peer);
/* Removes every prefix on a peer's list. */
void wg_allowedips_remove_by_peer(struct wg_allowedips *table, struct wg_list *peer_list);

/* Longest-prefix match; NULL when no prefix covers the address. */
struct wg_peer *wg_allowedips_lookup(const struct wg_allowedips *table, int family, const void *addr);

/* Walking a peer's prefixes: for each node on peer_list. */
#define wg_allowedips_node_of(list_node) wg_container_of(list_node, struct wg_allowedips_node, peer_list)

#endif
