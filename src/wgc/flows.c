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

static size_t find(const struct flow_key *slots, const bool *used, size_t size, const struct flow_key *key)
{
	size_t i = hash_of(key) & (size - 1);

	while (used[i] && memcmp(&slots[i], key, sizeof(*key)))
		i = (i + 1) & (size - 1);
	return i;
}

bool flows_contains(const struct flows *flows, const struct capture_message *m)
{
	struct flow_key key;

	if (!flows->count)
		return false;
	key_of(&key, m);
	return flows->used[find(flows->slots, flows->used, flows->size, &key)];
}

static int grow(struct flows *flows)
{
	size_t size = flows->size ? flows->size * 2 : 64;
	struct flow_key *slots = calloc(size, sizeof(*slots));
	bool *used = calloc(size, sizeof(*used));

	if (!slots || !used) {
		free(slots);
		free(used);
		return -ENOMEM;
	}
	for (size_t i = 0; i < flows->size; ++i) {
		if (flows->used[i]) {
			size_t j = find(slots, used, size, &flows->slots[i]);

			slots[j] = flows->slots[i];
			used[j] = true;
		}
	}
	free(flows->slots);
	free(flows->used);
	flows->slots = slots;
	flows->used = used;
	flows->size = size;
	return 0;
}

int flows_add(struct flows *flows, const struct capture_message *m)
{
	struct flow_key key;
	size_t i;

	if ((flows->count + 1) * 2 > flows->size && grow(flows))
		return -ENOMEM;
	key_of(&key, m);
	i = find(flows->slots, flows->used, flows->size, &key);
	if (!flows->used[i]) {
		flows->slots[i] = key;
		flows->used[i] = true;
		flows->count++;
	}
	return 0;
}

void flows_free(struct flows *flows)
{
	free(flows->slots);
	free(flows->used);
	memset(flows, 0, sizeof(*flows));
}
