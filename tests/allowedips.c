/*
 * The AllowedIPs trie against a naive linear list: thousands of random and deliberately
 * overlapping prefixes for thousands of peers, lookups, removal of single prefixes and of whole
 * peers, and per-peer listing, for IPv4 and IPv6.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/allowedips.h"
#include "harness.h"

/* Peers are only compared by address here: give each a distinct tag. */
struct fake_peer {
	struct wg_list list;
	int id;
};

struct entry {
	int family, cidr;
	uint8_t addr[16];
	struct fake_peer *peer;
	bool live;
};

struct model {
	struct entry *entries;
	size_t count, cap;
};

static bool prefix_match(const uint8_t *a, const uint8_t *b, int cidr)
{
	int full = cidr / 8, rest = cidr % 8;

	if (memcmp(a, b, (size_t)full))
		return false;
	return !rest || ((a[full] ^ b[full]) & (uint8_t)(0xff00 >> rest)) == 0;
}

static void mask(uint8_t *addr, int cidr, int bytes)
{
	for (int i = 0; i < bytes * 8; ++i)
		if (i >= cidr)
			addr[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
}

/* Insert replaces the owner of an identical prefix, as the trie does. */
static void model_insert(struct model *m, int family, const uint8_t *addr, int cidr, struct fake_peer *peer)
{
	int bytes = family == AF_INET ? 4 : 16;
	uint8_t key[16] = { 0 };

	memcpy(key, addr, (size_t)bytes);
	mask(key, cidr, bytes);
	for (size_t i = 0; i < m->count; ++i) {
		struct entry *e = &m->entries[i];

		if (e->live && e->family == family && e->cidr == cidr && !memcmp(e->addr, key, 16)) {
			e->peer = peer;
			return;
		}
	}
	if (m->count == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 1024;
		m->entries = realloc(m->entries, m->cap * sizeof(*m->entries));
	}
	m->entries[m->count++] = (struct entry){ .family = family, .cidr = cidr, .peer = peer, .live = true };
	memcpy(m->entries[m->count - 1].addr, key, 16);
}

static struct fake_peer *model_lookup(const struct model *m, int family, const uint8_t *addr)
{
	const struct entry *best = NULL;

	for (size_t i = 0; i < m->count; ++i) {
		const struct entry *e = &m->entries[i];

		if (e->live && e->family == family && (!best || e->cidr > best->cidr) &&
		    prefix_match(e->addr, addr, e->cidr))
			best = e;
	}
	return best ? best->peer : NULL;
}

static size_t model_count(const struct model *m, const struct fake_peer *peer)
{
	size_t n = 0;

	for (size_t i = 0; i < m->count; ++i)
		n += m->entries[i].live && m->entries[i].peer == peer;
	return n;
}

static size_t list_count(struct wg_list *head)
{
	size_t n = 0;

	for (struct wg_list *p = head->next; p != head; p = p->next)
		++n;
	return n;
}

enum { PEERS = 2000, PREFIXES = 16000, QUERIES = 16000 };

static void random_prefix(uint64_t *rng, const struct model *m, int family, uint8_t *addr, int *cidr)
{
	int bits = family == AF_INET ? 32 : 128;
	uint64_t r = test_random(rng);

	/* Half the time, a variation of an existing prefix, so the trie must branch and nest. */
	if (m->count && r % 2) {
		const struct entry *e = &m->entries[(r >> 8) % m->count];

		if (e->family == family) {
			memcpy(addr, e->addr, 16);
			*cidr = (int)(test_random(rng) % (unsigned)(bits + 1));
			int flip = (int)(test_random(rng) % (unsigned)bits);
			if (test_random(rng) % 2)
				addr[flip / 8] ^= (uint8_t)(0x80 >> (flip % 8));
			return;
		}
	}
	for (int i = 0; i < 16; ++i)
		addr[i] = (uint8_t)test_random(rng);
	*cidr = (int)(test_random(rng) % (unsigned)(bits + 1));
}

static void check_queries(uint64_t *rng, const struct wg_allowedips *t, const struct model *m, int *mismatches)
{
	uint8_t addr[16];

	for (int q = 0; q < QUERIES; ++q) {
		int family = q % 2 ? AF_INET6 : AF_INET;

		/* Random addresses, and addresses inside known prefixes. */
		for (int i = 0; i < 16; ++i)
			addr[i] = (uint8_t)test_random(rng);
		if (m->count && q % 3) {
			const struct entry *e = &m->entries[test_random(rng) % m->count];

			/* Inside e: its prefix, then random host bits. */
			if (e->family == family) {
				memcpy(addr, e->addr, 16);
				for (int bit = e->cidr; bit < (family == AF_INET ? 32 : 128); ++bit)
					if (test_random(rng) % 2)
						addr[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
			}
		}
		void *got = wg_allowedips_lookup(t, family, addr);
		void *want = model_lookup(m, family, addr);
		if (got != want && (*mismatches)++ < 5) {
			char text[INET6_ADDRSTRLEN];

			inet_ntop(family, addr, text, sizeof(text));
			test_fail(__FILE__, __LINE__, "lookup %s: trie and model disagree", text);
		}
	}
}

TEST(allowedips_matches_naive_model)
{
	struct fake_peer *peers = calloc(PEERS, sizeof(*peers));
	struct wg_allowedips table;
	struct model m = { 0 };
	uint64_t rng = 7;
	int mismatches = 0;
	uint8_t addr[16];
	int cidr;

	wg_allowedips_init(&table);
	for (int i = 0; i < PEERS; ++i) {
		peers[i].id = i;
		wg_list_init(&peers[i].list);
	}
	for (int i = 0; i < PREFIXES; ++i) {
		int family = i % 2 ? AF_INET6 : AF_INET;
		struct fake_peer *p = &peers[test_random(&rng) % PEERS];

		random_prefix(&rng, &m, family, addr, &cidr);
		CHECK_EQ(wg_allowedips_insert(&table, family, addr, (uint8_t)cidr, (struct wg_peer *)p, &p->list), 0);
		model_insert(&m, family, addr, cidr, p);
	}
	check_queries(&rng, &table, &m, &mismatches);
	/* Compressed: never more than twice as many nodes as prefixes. */
	CHECK(table.node_count <= 2 * m.count);
	for (int i = 0; i < PEERS; i += 37)
		CHECK_EQ(list_count(&peers[i].list), model_count(&m, &peers[i]));

	/* Remove single prefixes, then every prefix of a tenth of the peers. */
	for (size_t i = 0; i < m.count; i += 3) {
		struct entry *e = &m.entries[i];

		if (!e->live)
			continue;
		CHECK_EQ(wg_allowedips_remove(&table, e->family, e->addr, (uint8_t)e->cidr, (struct wg_peer *)e->peer), 0);
		e->live = false;
	}
	for (int i = 0; i < PEERS; i += 10) {
		wg_allowedips_remove_by_peer(&table, &peers[i].list);
		for (size_t j = 0; j < m.count; ++j)
			if (m.entries[j].peer == &peers[i])
				m.entries[j].live = false;
		CHECK(wg_list_empty(&peers[i].list));
	}
	check_queries(&rng, &table, &m, &mismatches);
	CHECK_EQ(mismatches, 0);

	/* Everyone gone: the trie is empty again. */
	for (int i = 0; i < PEERS; ++i)
		wg_allowedips_remove_by_peer(&table, &peers[i].list);
	CHECK_EQ(table.node_count, 0);
	CHECK(table.root4 == NULL && table.root6 == NULL);
	wg_allowedips_free(&table);
	free(m.entries);
	free(peers);
}

static struct wg_peer *lookup4(struct wg_allowedips *t, const char *ip)
{
	uint8_t a[4];

	inet_pton(AF_INET, ip, a);
	return wg_allowedips_lookup(t, AF_INET, a);
}

static void insert(struct wg_allowedips *t, const char *ip, int cidr, struct fake_peer *p)
{
	uint8_t a[16];
	int family = strchr(ip, ':') ? AF_INET6 : AF_INET;

	inet_pton(family, ip, a);
	CHECK_EQ(wg_allowedips_insert(t, family, a, (uint8_t)cidr, (struct wg_peer *)p, &p->list), 0);
}

/* The cryptokey routing examples: longest prefix wins, default routes, moving a prefix. */
TEST(allowedips_longest_prefix_examples)
{
	struct fake_peer a = { .id = 1 }, b = { .id = 2 }, c = { .id = 3 };
	struct wg_allowedips t;
	uint8_t v6[16];

	wg_list_init(&a.list);
	wg_list_init(&b.list);
	wg_list_init(&c.list);
	wg_allowedips_init(&t);
	insert(&t, "0.0.0.0", 0, &a);
	insert(&t, "10.0.0.0", 8, &b);
	insert(&t, "10.1.2.3", 32, &c);
	insert(&t, "10.1.2.99", 24, &b); /* host bits ignored: 10.1.2.0/24 */
	CHECK(lookup4(&t, "8.8.8.8") == (void *)&a);
	CHECK(lookup4(&t, "10.200.0.1") == (void *)&b);
	CHECK(lookup4(&t, "10.1.2.3") == (void *)&c);
	CHECK(lookup4(&t, "10.1.2.4") == (void *)&b);
	/* The same prefix given to another peer moves. */
	insert(&t, "10.0.0.0", 8, &c);
	CHECK(lookup4(&t, "10.200.0.1") == (void *)&c);
	CHECK_EQ(list_count(&b.list), 1);
	/* Removing needs the owner. */
	uint8_t ten[4] = { 10, 0, 0, 0 };
	CHECK(wg_allowedips_remove(&t, AF_INET, ten, 8, (struct wg_peer *)&b) < 0);
	CHECK_EQ(wg_allowedips_remove(&t, AF_INET, ten, 8, (struct wg_peer *)&c), 0);
	CHECK(lookup4(&t, "10.200.0.1") == (void *)&a);
	/* Families are separate tables. */
	inet_pton(AF_INET6, "::a00:1", v6);
	CHECK(wg_allowedips_lookup(&t, AF_INET6, v6) == NULL);
	insert(&t, "::", 0, &b);
	CHECK(wg_allowedips_lookup(&t, AF_INET6, v6) == (void *)&b);
	CHECK(wg_allowedips_insert(&t, AF_INET, ten, 33, (struct wg_peer *)&a, &a.list) < 0);
	wg_allowedips_free(&t);
	CHECK(wg_list_empty(&a.list) && wg_list_empty(&b.list) && wg_list_empty(&c.list));
}

static int bit_of(const uint8_t *b, unsigned i)
{
	return (b[i >> 3] >> (7 - (i & 7))) & 1;
}

/* Parent pointers, child positions, no branchless peer-less node; returns the node count. */
static uint64_t check_subtree(const struct wg_allowedips_node *n, const struct wg_allowedips_node *parent)
{
	if (!n)
		return 0;
	if (n->parent != parent)
		test_fail(__FILE__, __LINE__, "node with a wrong parent pointer");
	if (parent && (n->cidr <= parent->cidr || parent->bit[bit_of(n->bits, parent->cidr)] != n))
		test_fail(__FILE__, __LINE__, "child in the wrong place");
	if (!n->peer && !(n->bit[0] && n->bit[1]))
		test_fail(__FILE__, __LINE__, "peer-less node that does not branch");
	return 1 + check_subtree(n->bit[0], n) + check_subtree(n->bit[1], n);
}

/* The trie's shape after every one of many operations on densely nested prefixes. */
TEST(allowedips_structure_invariants)
{
	struct fake_peer peers[8];
	struct wg_allowedips t;
	uint64_t rng = 99;

	wg_allowedips_init(&t);
	for (int i = 0; i < 8; ++i)
		wg_list_init(&peers[i].list);
	for (int op = 0; op < 200000; ++op) {
		uint8_t addr[16] = { 0 };
		int family = op & 1 ? AF_INET6 : AF_INET, bits = family == AF_INET ? 32 : 128;
		uint64_t r = test_random(&rng);
		int cidr = (int)(r % (unsigned)(bits + 1));
		struct fake_peer *p = &peers[(r >> 8) % 8];

		/* Few distinct addresses, so prefixes nest and collide. */
		addr[0] = (uint8_t)(test_random(&rng) & 0xc3);
		addr[3] = (uint8_t)(test_random(&rng) & 0x81);
		addr[15] = (uint8_t)(test_random(&rng) & 0x01);
		if ((r >> 20) % 3)
			wg_allowedips_insert(&t, family, addr, (uint8_t)cidr, (struct wg_peer *)p, &p->list);
		else if ((r >> 20) % 7)
			wg_allowedips_remove(&t, family, addr, (uint8_t)cidr, (struct wg_peer *)p);
		else
			wg_allowedips_remove_by_peer(&t, &p->list);
		if (check_subtree(t.root4, NULL) + check_subtree(t.root6, NULL) != t.node_count) {
			test_fail(__FILE__, __LINE__, "node_count disagrees after operation %d", op);
			break;
		}
	}
	wg_allowedips_free(&t);
}
