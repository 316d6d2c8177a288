/*
 * A path-compressed binary trie. Each node holds a prefix (bits, cidr); a node's children have
 * longer prefixes that extend it, chosen by the first bit after the node's prefix. Nodes
 * without a peer exist only where two longer prefixes branch, and are removed once they no
 * longer branch, so the trie stays at most twice the size of the prefix set.
 */
#include "core/allowedips.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static unsigned max_bits(int family)
{
	return family == AF_INET6 ? 128 : 32;
}

static unsigned bit_at(const uint8_t *bits, unsigned i)
{
	return (bits[i >> 3] >> (7 - (i & 7))) & 1;
}

static void mask_to(uint8_t *bits, unsigned cidr, unsigned len_bits)
{
	for (unsigned i = cidr; i < len_bits; ++i)
		bits[i >> 3] &= (uint8_t)~(0x80 >> (i & 7));
}

/* Number of leading bits a and b share, at most limit. */
static unsigned common_bits(const uint8_t *a, const uint8_t *b, unsigned limit)
{
	unsigned n = 0;

	while (n < limit && (a[n >> 3] ^ b[n >> 3]) == 0 && n + 8 <= limit)
		n += 8;
	while (n < limit && bit_at(a, n) == bit_at(b, n))
		++n;
	return n;
}

/* Does node's prefix cover the key (bits of at least node->cidr length)? */
static bool covers(const struct wg_allowedips_node *node, const uint8_t *key, unsigned key_cidr)
{
	return node->cidr <= key_cidr && common_bits(node->bits, key, node->cidr) == node->cidr;
}

static struct wg_allowedips_node **root_of(struct wg_allowedips *table, int family)
{
	return family == AF_INET6 ? &table->root6 : &table->root4;
}

/* The pointer that points at node: its parent's child slot or the root. */
static struct wg_allowedips_node **slot_of(struct wg_allowedips *table, struct wg_allowedips_node *node)
{
	struct wg_allowedips_node *parent = node->parent;

	if (!parent)
		return root_of(table, node->family);
	return &parent->bit[parent->bit[1] == node];
}

static struct wg_allowedips_node *new_node(struct wg_allowedips *table, int family,
					   const uint8_t *bits, unsigned cidr)
{
	struct wg_allowedips_node *node = calloc(1, sizeof(*node));

	if (!node)
		return NULL;
	node->family = (uint8_t)family;
	node->cidr = (uint8_t)cidr;
	memcpy(node->bits, bits, max_bits(family) / 8);
	mask_to(node->bits, cidr, max_bits(family));
	wg_list_init(&node->peer_list);
	++table->node_count;
	return node;
}

static void set_child(struct wg_allowedips_node *parent, struct wg_allowedips_node *child)
{
	parent->bit[bit_at(child->bits, parent->cidr)] = child;
	child->parent = parent;
}

static void set_peer(struct wg_allowedips_node *node, struct wg_peer *peer, struct wg_list *peer_list)
{
	if (node->peer)
		wg_list_del(&node->peer_list);
	node->peer = peer;
	wg_list_add_tail(&node->peer_list, peer_list);
}

/*
 * Puts a new node into *slot (under parent), where old was: old hangs below it when the new
 * prefix covers old's, otherwise a branching node at their common prefix holds both.
 */
static int link_in(struct wg_allowedips *table, struct wg_allowedips_node **slot,
		   struct wg_allowedips_node *parent, struct wg_allowedips_node *node)
{
	struct wg_allowedips_node *old = *slot, *branch;
	unsigned shared;

	*slot = node;
	node->parent = parent;
	if (!old)
		return 0;
	shared = common_bits(node->bits, old->bits, node->cidr < old->cidr ? node->cidr : old->cidr);
	if (shared == node->cidr) {
		set_child(node, old);
		return 0;
	}
	branch = new_node(table, node->family, node->bits, shared);
	if (!branch) {
		*slot = old;
		return -ENOMEM;
	}
	*slot = branch;
	branch->parent = parent;
	set_child(branch, old);
	set_child(branch, node);
	return 0;
}

int wg_allowedips_insert(struct wg_allowedips *table, int family, const void *addr, uint8_t cidr,
			 struct wg_peer *peer, struct wg_list *peer_list)
{
	struct wg_allowedips_node **slot = root_of(table, family), *parent = NULL, *node;
	uint8_t key[16] = { 0 };
	int ret;

	if ((family != AF_INET && family != AF_INET6) || cidr > max_bits(family) || !peer)
		return -EINVAL;
	memcpy(key, addr, max_bits(family) / 8);
	mask_to(key, cidr, max_bits(family));

	/* Descend while the node's prefix is strictly shorter than ours and covers it. */
	while (*slot && (*slot)->cidr < cidr && covers(*slot, key, cidr)) {
		parent = *slot;
		slot = &parent->bit[bit_at(key, parent->cidr)];
	}
	if (*slot && (*slot)->cidr == cidr && covers(*slot, key, cidr)) {
		set_peer(*slot, peer, peer_list);
		return 0;
	}
	node = new_node(table, family, key, cidr);
	if (!node)
		return -ENOMEM;
	ret = link_in(table, slot, parent, node);
	if (ret) {
		free(node);
		--table->node_count;
		return ret;
	}
	set_peer(node, peer, peer_list);
	return 0;
}

/* After a node lost its peer: drop it, and its parent too, while they no longer branch. */
static void prune(struct wg_allowedips *table, struct wg_allowedips_node *node)
{
	while (node && !node->peer) {
		struct wg_allowedips_node *parent = node->parent;
		struct wg_allowedips_node *child = node->bit[0] ? node->bit[0] : node->bit[1];

		if (node->bit[0] && node->bit[1])
			return;
		*slot_of(table, node) = child;
		if (child)
			child->parent = parent;
		free(node);
		--table->node_count;
		node = parent;
	}
}

static void remove_node(struct wg_allowedips *table, struct wg_allowedips_node *node)
{
	wg_list_del(&node->peer_list);
	node->peer = NULL;
	prune(table, node);
}

int wg_allowedips_remove(struct wg_allowedips *table, int family, const void *addr, uint8_t cidr,
			 struct wg_peer *peer)
{
	struct wg_allowedips_node *node;
	uint8_t key[16] = { 0 };

	if ((family != AF_INET && family != AF_INET6) || cidr > max_bits(family))
		return -EINVAL;
	memcpy(key, addr, max_bits(family) / 8);
	mask_to(key, cidr, max_bits(family));
	node = *root_of(table, family);
	while (node && node->cidr < cidr && covers(node, key, cidr))
		node = node->bit[bit_at(key, node->cidr)];
	if (!node || node->cidr != cidr || !covers(node, key, cidr) || node->peer != peer)
		return -ENOENT;
	remove_node(table, node);
	return 0;
}

void wg_allowedips_remove_by_peer(struct wg_allowedips *table, struct wg_list *peer_list)
{
	struct wg_list *pos, *tmp;

	wg_list_for_each_safe(pos, tmp, peer_list)
		remove_node(table, wg_allowedips_node_of(pos));
}

struct wg_peer *wg_allowedips_lookup(const struct wg_allowedips *table, int family, const void *addr)
{
	const struct wg_allowedips_node *node = family == AF_INET6 ? table->root6 : table->root4;
	unsigned bits = max_bits(family);
	struct wg_peer *found = NULL;

	if (family != AF_INET && family != AF_INET6)
		return NULL;
	while (node && covers(node, addr, bits)) {
		if (node->peer)
			found = node->peer;
		if (node->cidr == bits)
			break;
		node = node->bit[bit_at(addr, node->cidr)];
	}
	return found;
}

static void free_subtree(struct wg_allowedips_node *node)
{
	/* Iterative: a v6 trie can be 128 deep, and we do not want to depend on stack size. */
	while (node) {
		if (node->bit[0]) {
			node = node->bit[0];
		} else if (node->bit[1]) {
			node = node->bit[1];
		} else {
			struct wg_allowedips_node *parent = node->parent;

			if (parent)
				parent->bit[parent->bit[1] == node] = NULL;
			if (node->peer)
				wg_list_del(&node->peer_list);
			free(node);
			node = parent;
		}
	}
}

void wg_allowedips_init(struct wg_allowedips *table)
{
	memset(table, 0, sizeof(*table));
}

void wg_allowedips_free(struct wg_allowedips *table)
{
	free_subtree(table->root4);
	free_subtree(table->root6);
	wg_allowedips_init(table);
}
