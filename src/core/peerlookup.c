/* Chained hash tables sized to a power of two; they grow only from wg_peerlookup_reserve. */
#include "core/peerlookup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "core/peer.h"

enum { INITIAL_BUCKETS = 64 };

int wg_index_table_init(struct wg_index_table *table)
{
	table->buckets = calloc(INITIAL_BUCKETS, sizeof(*table->buckets));
	table->mask = INITIAL_BUCKETS - 1;
	table->count = 0;
	return table->buckets ? 0 : -ENOMEM;
}

void wg_index_table_free(struct wg_index_table *table)
{
	free(table->buckets);
	memset(table, 0, sizeof(*table));
}

/* Indices are random, so their low bits spread well on their own. */
static struct wg_index_entry **index_bucket(const struct wg_index_table *table, uint32_t index)
{
	return &table->buckets[index & table->mask];
}

struct wg_index_entry *wg_index_table_lookup(const struct wg_index_table *table, uint32_t index,
					     unsigned kinds)
{
	for (struct wg_index_entry *e = *index_bucket(table, index); e; e = e->next)
		if (e->index == index)
			return (e->kind & kinds) ? e : NULL;
	return NULL;
}

static void link_entry(struct wg_index_table *table, struct wg_index_entry *entry)
{
	struct wg_index_entry **bucket = index_bucket(table, entry->index);

	entry->next = *bucket;
	*bucket = entry;
	entry->hashed = true;
	++table->count;
}

void wg_index_table_remove(struct wg_index_table *table, struct wg_index_entry *entry)
{
	struct wg_index_entry **p;

	if (!entry->hashed)
		return;
	for (p = index_bucket(table, entry->index); *p; p = &(*p)->next) {
		if (*p == entry) {
			*p = entry->next;
			break;
		}
	}
	entry->next = NULL;
	entry->hashed = false;
	--table->count;
}

uint32_t wg_index_table_insert(struct wg_index_table *table, struct wg_index_entry *entry,
			       const struct wg_env *env)
{
	uint32_t index;

	wg_index_table_remove(table, entry);
	do
		env->random(env->ctx, &index, sizeof(index));
	while (wg_index_table_lookup(table, index, WG_INDEX_HANDSHAKE | WG_INDEX_KEYPAIR));
	entry->index = index;
	link_entry(table, entry);
	return index;
}

void wg_index_table_replace(struct wg_index_table *table, struct wg_index_entry *old,
			    struct wg_index_entry *new)
{
	wg_index_table_remove(table, new);
	if (!old->hashed)
		return;
	new->index = old->index;
	wg_index_table_remove(table, old);
	link_entry(table, new);
}

static size_t pubkey_hash(const struct wg_pubkey_table *table, const uint8_t key[32])
{
	/* Public keys are uniformly random points chosen by the administrator. */
	return (size_t)(wg_le64_get(key) ^ wg_le64_get(key + 8)) & table->mask;
}

int wg_pubkey_table_init(struct wg_pubkey_table *table)
{
	table->buckets = calloc(INITIAL_BUCKETS, sizeof(*table->buckets));
	table->mask = INITIAL_BUCKETS - 1;
	table->count = 0;
	return table->buckets ? 0 : -ENOMEM;
}

void wg_pubkey_table_free(struct wg_pubkey_table *table)
{
	free(table->buckets);
	memset(table, 0, sizeof(*table));
}

void wg_pubkey_table_add(struct wg_pubkey_table *table, struct wg_peer *peer)
{
	struct wg_peer **bucket = &table->buckets[pubkey_hash(table, peer->handshake.remote_static)];

	peer->pubkey_next = *bucket;
	*bucket = peer;
	++table->count;
}

void wg_pubkey_table_remove(struct wg_pubkey_table *table, struct wg_peer *peer)
{
	for (struct wg_peer **p = &table->buckets[pubkey_hash(table, peer->handshake.remote_static)]; *p;
	     p = &(*p)->pubkey_next) {
		if (*p == peer) {
			*p = peer->pubkey_next;
			peer->pubkey_next = NULL;
			--table->count;
			return;
		}
	}
}

struct wg_peer *wg_pubkey_table_lookup(const struct wg_pubkey_table *table, const uint8_t public_key[32])
{
	for (struct wg_peer *p = table->buckets[pubkey_hash(table, public_key)]; p; p = p->pubkey_next)
		if (!memcmp(p->handshake.remote_static, public_key, 32))
			return p;
	return NULL;
}

static size_t buckets_for(size_t entries)
{
	size_t n = INITIAL_BUCKETS;

	while (n < entries)
		n *= 2;
	return n;
}

static int grow_index(struct wg_index_table *table, size_t want)
{
	struct wg_index_entry **old = table->buckets, **buckets;
	size_t old_n = table->mask + 1, n = buckets_for(want);

	if (n <= old_n)
		return 0;
	buckets = calloc(n, sizeof(*buckets));
	if (!buckets)
		return -ENOMEM;
	table->buckets = buckets;
	table->mask = n - 1;
	table->count = 0;
	for (size_t i = 0; i < old_n; ++i) {
		for (struct wg_index_entry *e = old[i], *next; e; e = next) {
			next = e->next;
			link_entry(table, e);
		}
	}
	free(old);
	return 0;
}

static int grow_pubkeys(struct wg_pubkey_table *table, size_t want)
{
	struct wg_peer **old = table->buckets;
	size_t old_n = table->mask + 1, n = buckets_for(want);

	if (n <= old_n)
		return 0;
	table->buckets = calloc(n, sizeof(*table->buckets));
	if (!table->buckets) {
		table->buckets = old;
		return -ENOMEM;
	}
	table->mask = n - 1;
	table->count = 0;
	for (size_t i = 0; i < old_n; ++i) {
		for (struct wg_peer *p = old[i], *next; p; p = next) {
			next = p->pubkey_next;
			wg_pubkey_table_add(table, p);
		}
	}
	free(old);
	return 0;
}

int wg_peerlookup_reserve(struct wg_index_table *indices, struct wg_pubkey_table *pubkeys, size_t peers)
{
	int ret = grow_index(indices, peers * 4);

	return ret ? ret : grow_pubkeys(pubkeys, peers);
}
