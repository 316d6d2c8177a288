/* The flows known to carry WireGuard, as a set keyed on both ends. */
#include "wgc/flows.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>


static void key_of(struct flow_key *key, const struct capture_message *m)
{
	bool swap = memcmp(m->src, m->dst, 16) > 0 || (!memcmp(m->src, m->dst, 16) && m->sport > m->dport);

	memset(key, 0, sizeof(*key));
	memcpy(key->a, swap ? m->dst : m->src, 16);
	memcpy(key->b, swap ? m->src : m->dst, 16);
	key->a_port = swap ? m->dport : m->sport;
	key->b_port = swap ? m->sport : m->dport;
	key->family = (uint8_t)m->family;
	key->transport = (uint8_t)m->transport;
}

/* Not keyed: the flows are the capture's own, nothing to defend against but bad spread. */
static size_t hash_of(const struct flow_key *key)
{
	size_t h = 1469598103934665603ull;
	const uint8_t *p = (const uint8_t *)key;

	for (size_t i = 0; i < sizeof(*key); ++i)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

static size_t find(const struct flow *slots, size_t size, const struct flow_key *key)
{
	size_t i = hash_of(key) & (size - 1);

	while (slots[i].used && memcmp(&slots[i].key, key, sizeof(*key)))
		i = (i + 1) & (size - 1);
	return i;
}

static const struct flow *lookup(const struct flows *flows, const struct capture_message *m)
{
	struct flow_key key;
	size_t i;

	if (!flows->count)
		return NULL;
	key_of(&key, m);
	i = find(flows->slots, flows->size, &key);
	return flows->slots[i].used ? &flows->slots[i] : NULL;
}

bool flows_contains(const struct flows *flows, const struct capture_message *m)
{
	const struct flow *flow = lookup(flows, m);

	return flow && flow->wireguard;
}

static int grow(struct flows *flows)
{
	size_t size = flows->size ? flows->size * 2 : 64;
	struct flow *slots = calloc(size, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < flows->size; ++i)
		if (flows->slots[i].used)
			slots[find(slots, size, &flows->slots[i].key)] = flows->slots[i];
	free(flows->slots);
	flows->slots = slots;
	flows->size = size;
	return 0;
}

/* The flow's slot, made if need be while fewer than `limit` are kept; NULL with *error set
 * (-ENOSPC at the limit, -ENOMEM) otherwise. */
static struct flow *flow_of(struct flows *flows, const struct capture_message *m, size_t limit, int *error)
{
	struct flow_key key;
	struct flow *flow;

	*error = 0;
	if ((flows->count + 1) * 2 > flows->size && flows->count < FLOWS_MAX && grow(flows)) {
		*error = -ENOMEM;
		return NULL;
	}
	key_of(&key, m);
	flow = &flows->slots[find(flows->slots, flows->size, &key)];
	if (!flow->used) {
		if (flows->count >= limit || (flows->count + 1) * 2 > flows->size) {
			*error = -ENOSPC;
			return NULL;
		}
		*flow = (struct flow){ .key = key, .used = true };
		flows->count++;
	}
	return flow;
}

int flows_add(struct flows *flows, const struct capture_message *m, uint64_t *unclaimed, uint64_t *bytes)
{
	int error;
	struct flow *flow = flow_of(flows, m, FLOWS_MAX, &error);

	*unclaimed = *bytes = 0;
	if (!flow)
		return error;
	if (!flow->wireguard) {
		*unclaimed = flow->unclaimed;
		*bytes = flow->unclaimed_bytes;
	}
	flow->wireguard = true;
	flow->unclaimed = flow->unclaimed_bytes = 0;
	return 0;
}

void flows_unclaimed(struct flows *flows, const struct capture_message *m)
{
	int error;
	struct flow *flow = flow_of(flows, m, FLOWS_UNCLAIMED_MAX, &error);

	if (flow) {
		flow->unclaimed++;
		flow->unclaimed_bytes += m->len;
	}
}

void flows_free(struct flows *flows)
{
	free(flows->slots);
	memset(flows, 0, sizeof(*flows));
}
