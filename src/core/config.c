/* The configuration data model: building, freeing, and the meaning of applying one. */
#include "core/config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/device.h"
#include "core/peer.h"
#include "core/send.h"
#include "crypto/secret.h"

void wg_config_init(struct wg_config_device *config)
{
	memset(config, 0, sizeof(*config));
}

void wg_config_free(struct wg_config_device *config)
{
	struct wg_config_peer *peer = config->first_peer, *next;

	for (; peer; peer = next) {
		next = peer->next;
		free(peer->allowedips);
		wg_secret_wipe(peer, sizeof(*peer));
		free(peer);
	}
	wg_config_obfuscation_free(&config->obfuscation);
	wg_secret_wipe(config, sizeof(*config));
}

struct wg_config_peer *wg_config_add_peer(struct wg_config_device *config, const uint8_t public_key[32])
{
	struct wg_config_peer *peer = calloc(1, sizeof(*peer));

	if (!peer)
		return NULL;
	memcpy(peer->public_key, public_key, sizeof(peer->public_key));
	if (config->last_peer)
		config->last_peer->next = peer;
	else
		config->first_peer = peer;
	config->last_peer = peer;
	++config->num_peers;
	return peer;
}

int wg_config_add_allowedip(struct wg_config_peer *peer, const struct wg_config_allowedip *allowedip)
{
	if (peer->num_allowedips == peer->cap_allowedips) {
		size_t cap = peer->cap_allowedips ? 2 * peer->cap_allowedips : 4;
		struct wg_config_allowedip *grown = realloc(peer->allowedips, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		peer->allowedips = grown;
		peer->cap_allowedips = cap;
	}
	peer->allowedips[peer->num_allowedips++] = *allowedip;
	return 0;
}

static bool is_own_key(const struct wg_device *device, const uint8_t public_key[32])
{
	return device->static_identity.has_identity &&
	       !memcmp(public_key, device->static_identity.static_public, WG_NOISE_PUBLIC_KEY_LEN);
}

/* The whole configuration is checked before anything changes. */
static int validate(const struct wg_device *device, const struct wg_config_device *config)
{
	size_t peers = config->flags & WG_DEVICE_REPLACE_PEERS ? 0 : device->num_peers;

	for (const struct wg_config_peer *p = config->first_peer; p; p = p->next) {
		for (size_t i = 0; i < p->num_allowedips; ++i) {
			const struct wg_config_allowedip *a = &p->allowedips[i];

			if ((a->family != AF_INET && a->family != AF_INET6) ||
			    a->cidr > (a->family == AF_INET ? 32 : 128))
				return -EINVAL;
		}
		/* A conservative count: a peer added twice in one set is counted twice. */
		if (!(p->flags & (WG_PEER_REMOVE_ME | WG_PEER_UPDATE_ONLY)) &&
		    ((config->flags & WG_DEVICE_REPLACE_PEERS) || !wg_device_lookup_peer(device, p->public_key)))
			++peers;
	}
	return peers > WG_MAX_PEERS_PER_DEVICE ? -ENOSPC : 0;
}

static int apply_allowedips(struct wg_device *device, struct wg_peer *peer, const struct wg_config_peer *config)
{
	int ret = 0;

	if (config->flags & WG_PEER_REPLACE_ALLOWEDIPS)
		wg_allowedips_remove_by_peer(&device->peer_allowedips, &peer->allowedips_list);
	for (size_t i = 0; i < config->num_allowedips && !ret; ++i) {
		const struct wg_config_allowedip *a = &config->allowedips[i];

		if (a->remove)
			wg_allowedips_remove(&device->peer_allowedips, a->family, a->addr, a->cidr, peer);
		else
			ret = wg_allowedips_insert(&device->peer_allowedips, a->family, a->addr, a->cidr, peer,
						   &peer->allowedips_list);
	}
	return ret;
}

static int configure_peer(struct wg_device *device, const struct wg_config_peer *config)
{
	struct wg_peer *peer = wg_device_lookup_peer(device, config->public_key);
	const uint8_t *psk = config->flags & WG_PEER_HAS_PRESHARED_KEY ? config->preshared_key : NULL;
	int ret;

	/* Our own key as a peer is ignored, so one set of calls can configure every host. */
	if (is_own_key(device, config->public_key))
		return 0;
	if (config->flags & WG_PEER_REMOVE_ME) {
		if (peer)
			wg_peer_remove(peer);
		return 0;
	}
	if (!peer) {
		if (config->flags & WG_PEER_UPDATE_ONLY)
			return 0;
		ret = wg_peer_create(device, config->public_key, psk, &peer);
		if (ret)
			return ret;
	}
	if (psk)
		memcpy(peer->handshake.preshared_key, psk, WG_NOISE_SYMMETRIC_KEY_LEN);
	if (config->flags & WG_PEER_HAS_ENDPOINT)
		wg_peer_set_endpoint(peer, &config->endpoint);
	ret = apply_allowedips(device, peer, config);
	if (ret)
		return ret;
	if (config->flags & WG_PEER_HAS_PERSISTENT_KEEPALIVE_INTERVAL) {
		bool starts = !peer->persistent_keepalive_interval && config->persistent_keepalive_interval;

		peer->persistent_keepalive_interval = config->persistent_keepalive_interval;
		/* Turning it on sends one now: a peer behind NAT becomes reachable at once. */
		if (starts && device->is_up)
			wg_packet_send_keepalive(peer);
	}
	if ((config->flags & WG_PEER_HAS_PROBE) && wg_echo_set_target(peer, config->probe.family, config->probe.addr))
		return -ENOMEM;
	if (device->is_up)
		wg_packet_send_staged_packets(peer);
	return 0;
}

/* The device's parameters with the set's applied, checked whole, and the random stream they
 * need: all that can fail is done before anything changes. A refusal is logged with its reason. */
static int prepare_obfuscation(struct wg_device *device, const struct wg_config_device *config,
			       struct wg_obfuscation *merged)
{
	uint8_t key[WG_KEYSTREAM_KEY_LEN];
	char message[160];
	int ret = wg_obfuscation_merge(merged, &device->obfuscation, &config->obfuscation, message, sizeof(message));

	if (ret == -EINVAL)
		wg_device_log(device, WG_LOG_ERROR, "Obfuscation refused: %s", message);
	if (ret || !wg_obfuscation_is_set(merged) || device->obfuscation_random)
		return ret;
	device->obfuscation_random = malloc(sizeof(*device->obfuscation_random));
	device->env.random(device->env.ctx, key, sizeof(key));
	ret = device->obfuscation_random ? wg_keystream_init(device->obfuscation_random, key) : -ENOMEM;
	wg_secret_wipe(key, sizeof(key));
	if (ret) {
		free(device->obfuscation_random);
		device->obfuscation_random = NULL;
		wg_obfuscation_free(merged);
	}
	return ret;
}

/* AmneziaWG's limits let S3 and S4 reach 65535, past what one UDP datagram over IPv4 carries
 * (65507 bytes): a set that makes them so long says so (against the MTU of the moment), rather
 * than leave its messages to vanish unexplained. */
static void warn_of_long_prefixes(const struct wg_device *device, const struct wg_obfuscation *o)
{
	enum { UDP_PAYLOAD_MAX = 65507, MTU_DEFAULT = 1420 };
	unsigned mtu = device->mtu ? device->mtu : MTU_DEFAULT;

	if (o->prefix[2] + sizeof(struct wg_message_cookie) > UDP_PAYLOAD_MAX)
		wg_device_log(device, WG_LOG_ERROR, "s3 (%u): cookie replies would be over %d bytes and cannot be sent",
			      o->prefix[2], UDP_PAYLOAD_MAX);
	if (o->prefix[3] + WG_DATA_OVERHEAD + mtu > UDP_PAYLOAD_MAX)
		wg_device_log(device, WG_LOG_ERROR,
			      "s4 (%u): data messages of the MTU (%u) would be over %d bytes and cannot be sent",
			      o->prefix[3], mtu, UDP_PAYLOAD_MAX);
}

static void apply_obfuscation(struct wg_device *device, struct wg_obfuscation *merged)
{
	wg_obfuscation_free(&device->obfuscation);
	device->obfuscation = *merged;
	device->obfuscated = wg_obfuscation_is_set(merged);
	wg_obfuscation_wire(&device->obfuscation, &device->wire);
	warn_of_long_prefixes(device, &device->obfuscation);
}

int wg_device_configure(struct wg_device *device, const struct wg_config_device *config)
{
	struct wg_obfuscation merged;
	int ret = validate(device, config);

	if (!ret && config->obfuscation.has)
		ret = prepare_obfuscation(device, config, &merged);
	if (ret)
		return ret;
	if (config->obfuscation.has)
		apply_obfuscation(device, &merged);
	/* listen_port is the I/O layer's to bind and to report (wg_device_set_listen_port). */
	if (config->flags & WG_DEVICE_HAS_FWMARK)
		device->fwmark = config->fwmark;
	if (config->flags & WG_DEVICE_HAS_PROBE_INTERVAL) {
		device->echo_interval = config->probe_interval;
		device->echo_interval_set = true;
	}
	if (config->flags & WG_DEVICE_REPLACE_PEERS)
		wg_peer_remove_all(device);
	if (config->flags & WG_DEVICE_HAS_PRIVATE_KEY)
		wg_device_set_private_key(device, config->private_key);
	for (const struct wg_config_peer *p = config->first_peer; p && !ret; p = p->next)
		ret = configure_peer(device, p);
	return ret;
}

static int dump_peer(const struct wg_peer *peer, struct wg_config_device *out)
{
	struct wg_config_peer *config = wg_config_add_peer(out, peer->handshake.remote_static);
	struct wg_list *pos, *tmp;

	if (!config)
		return -ENOMEM;
	config->flags = WG_PEER_HAS_PRESHARED_KEY | WG_PEER_HAS_PERSISTENT_KEEPALIVE_INTERVAL;
	memcpy(config->preshared_key, peer->handshake.preshared_key, WG_NOISE_SYMMETRIC_KEY_LEN);
	if (wg_endpoint_is_set(&peer->endpoint)) {
		config->flags |= WG_PEER_HAS_ENDPOINT;
		config->endpoint = peer->endpoint;
	}
	config->persistent_keepalive_interval = peer->persistent_keepalive_interval;
	if (peer->echo) {
		config->flags |= WG_PEER_HAS_PROBE;
		config->probe.family = peer->echo->family;
		memcpy(config->probe.addr, peer->echo->target, sizeof(config->probe.addr));
	}
	config->last_handshake_time_sec = peer->last_handshake_wall_ns / WG_NSEC_PER_SEC;
	config->last_handshake_time_nsec = peer->last_handshake_wall_ns % WG_NSEC_PER_SEC;
	config->rx_bytes = peer->rx_bytes;
	config->tx_bytes = peer->tx_bytes;
	wg_list_for_each_safe(pos, tmp, (struct wg_list *)&peer->allowedips_list) {
		const struct wg_allowedips_node *node = wg_allowedips_node_of(pos);
		struct wg_config_allowedip a = { .family = node->family, .cidr = node->cidr };

		memcpy(a.addr, node->bits, sizeof(a.addr));
		if (wg_config_add_allowedip(config, &a))
			return -ENOMEM;
	}
	return 0;
}

int wg_device_dump(const struct wg_device *device, struct wg_config_device *out)
{
	struct wg_list *pos, *tmp;
	int ret = 0;

	wg_config_init(out);
	if (device->static_identity.has_identity) {
		out->flags |= WG_DEVICE_HAS_PRIVATE_KEY;
		memcpy(out->private_key, device->static_identity.static_private, sizeof(out->private_key));
	}
	out->flags |= WG_DEVICE_HAS_LISTEN_PORT | WG_DEVICE_HAS_FWMARK;
	out->listen_port = device->listen_port;
	out->fwmark = device->fwmark;
	if (device->echo_interval_set) {
		out->flags |= WG_DEVICE_HAS_PROBE_INTERVAL;
		out->probe_interval = device->echo_interval;
	}
	if (wg_obfuscation_is_set(&device->obfuscation)) {
		ret = wg_obfuscation_copy(&out->obfuscation.set, &device->obfuscation);
		if (ret)
			return ret;
		/* What a get lists, so that a dump reads as the get's text would. */
		for (int key = 0; key < WG_OBFS_KEYS; ++key)
			if (wg_obfuscation_listed(&device->obfuscation, (enum wg_obfuscation_key)key))
				out->obfuscation.has |= 1u << key;
	}
	wg_list_for_each_safe(pos, tmp, (struct wg_list *)&device->peer_list) {
		ret = dump_peer(wg_container_of(pos, const struct wg_peer, peer_list), out);
		if (ret) {
			wg_config_free(out);
			break;
		}
	}
	return ret;
}
