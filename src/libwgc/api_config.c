/* The public configuration objects over the core's one data model (core/config.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/parse.h"
#include "crypto/secret.h"
#include "crypto/x25519.h"
#include "libwgc/api.h"

static struct wg_config_peer *model_of(struct wgc_peer *peer)
{
	return &peer->model;
}

static struct wgc_peer *peer_of(const struct wg_config_peer *model)
{
	return (struct wgc_peer *)model;
}

WGC_EXPORT int wgc_config_new(struct wgc_config **out)
{
	struct wgc_config *config;

	if (!out)
		return -EINVAL;
	config = calloc(1, sizeof(*config));
	if (!config)
		return -ENOMEM;
	wg_config_init(&config->model);
	*out = config;
	return 0;
}

int wgl_api_config_from_model(struct wg_config_device *model, struct wgc_config **out)
{
	struct wgc_config *config = calloc(1, sizeof(*config));

	if (!config)
		return -ENOMEM;
	config->model = *model;
	wg_config_init(model);
	*out = config;
	return 0;
}

WGC_EXPORT void wgc_config_free(struct wgc_config *config)
{
	if (!config)
		return;
	wg_config_free(&config->model);
	free(config);
}

WGC_EXPORT int wgc_config_set_private_key(struct wgc_config *config, const uint8_t *private_key)
{
	if (!config)
		return -EINVAL;
	if (private_key)
		memcpy(config->model.private_key, private_key, WGC_KEY_LEN);
	else
		wg_secret_wipe(config->model.private_key, WGC_KEY_LEN);
	config->model.flags |= WG_DEVICE_HAS_PRIVATE_KEY;
	return 0;
}

WGC_EXPORT int wgc_config_set_listen_port(struct wgc_config *config, uint16_t port)
{
	if (!config)
		return -EINVAL;
	config->model.listen_port = port;
	config->model.flags |= WG_DEVICE_HAS_LISTEN_PORT;
	return 0;
}

WGC_EXPORT int wgc_config_set_fwmark(struct wgc_config *config, uint32_t fwmark)
{
	if (!config)
		return -EINVAL;
	config->model.fwmark = fwmark;
	config->model.flags |= WG_DEVICE_HAS_FWMARK;
	return 0;
}

WGC_EXPORT int wgc_config_set_replace_peers(struct wgc_config *config, bool replace)
{
	if (!config)
		return -EINVAL;
	if (replace)
		config->model.flags |= WG_DEVICE_REPLACE_PEERS;
	else
		config->model.flags &= ~(unsigned)WG_DEVICE_REPLACE_PEERS;
	return 0;
}

static bool has_private_key(const struct wgc_config *config)
{
	return config && (config->model.flags & WG_DEVICE_HAS_PRIVATE_KEY) &&
	       !wg_secret_is_zero(config->model.private_key, WGC_KEY_LEN);
}

WGC_EXPORT bool wgc_config_private_key(const struct wgc_config *config, uint8_t private_key[WGC_KEY_LEN])
{
	if (!has_private_key(config) || !private_key)
		return false;
	memcpy(private_key, config->model.private_key, WGC_KEY_LEN);
	return true;
}

WGC_EXPORT bool wgc_config_public_key(const struct wgc_config *config, uint8_t public_key[WGC_KEY_LEN])
{
	return has_private_key(config) && public_key && wg_x25519_public(public_key, config->model.private_key);
}

WGC_EXPORT uint16_t wgc_config_listen_port(const struct wgc_config *config)
{
	return config ? config->model.listen_port : 0;
}

WGC_EXPORT uint32_t wgc_config_fwmark(const struct wgc_config *config)
{
	return config ? config->model.fwmark : 0;
}

WGC_EXPORT size_t wgc_config_peer_count(const struct wgc_config *config)
{
	return config ? config->model.num_peers : 0;
}

WGC_EXPORT struct wgc_peer *wgc_config_first_peer(const struct wgc_config *config)
{
	return config && config->model.first_peer ? peer_of(config->model.first_peer) : NULL;
}

WGC_EXPORT struct wgc_peer *wgc_peer_next(const struct wgc_peer *peer)
{
	return peer && peer->model.next ? peer_of(peer->model.next) : NULL;
}

WGC_EXPORT struct wgc_peer *wgc_config_find_peer(const struct wgc_config *config,
						 const uint8_t public_key[WGC_KEY_LEN])
{
	for (struct wgc_peer *p = wgc_config_first_peer(config); p && public_key; p = wgc_peer_next(p))
		if (!memcmp(p->model.public_key, public_key, WGC_KEY_LEN))
			return p;
	return NULL;
}

WGC_EXPORT int wgc_config_add_peer(struct wgc_config *config, const uint8_t public_key[WGC_KEY_LEN],
				   struct wgc_peer **out)
{
	struct wg_config_peer *peer;

	if (!config || !public_key)
		return -EINVAL;
	peer = wg_config_add_peer(&config->model, public_key);
	if (!peer)
		return -ENOMEM;
	if (out)
		*out = peer_of(peer);
	return 0;
}

WGC_EXPORT int wgc_peer_set_flags(struct wgc_peer *peer, unsigned flags)
{
	static const unsigned known = WGC_PEER_REMOVE | WGC_PEER_UPDATE_ONLY | WGC_PEER_REPLACE_ALLOWED_IPS;
	struct wg_config_peer *p;

	if (!peer || (flags & ~known))
		return -EINVAL;
	p = model_of(peer);
	p->flags &= ~(unsigned)(WG_PEER_REMOVE_ME | WG_PEER_UPDATE_ONLY | WG_PEER_REPLACE_ALLOWEDIPS);
	p->flags |= (flags & WGC_PEER_REMOVE ? WG_PEER_REMOVE_ME : 0) |
		    (flags & WGC_PEER_UPDATE_ONLY ? WG_PEER_UPDATE_ONLY : 0) |
		    (flags & WGC_PEER_REPLACE_ALLOWED_IPS ? WG_PEER_REPLACE_ALLOWEDIPS : 0);
	return 0;
}

WGC_EXPORT unsigned wgc_peer_flags(const struct wgc_peer *peer)
{
	unsigned f = peer ? peer->model.flags : 0;

	return (f & WG_PEER_REMOVE_ME ? WGC_PEER_REMOVE : 0) | (f & WG_PEER_UPDATE_ONLY ? WGC_PEER_UPDATE_ONLY : 0) |
	       (f & WG_PEER_REPLACE_ALLOWEDIPS ? WGC_PEER_REPLACE_ALLOWED_IPS : 0);
}

WGC_EXPORT int wgc_peer_set_preshared_key(struct wgc_peer *peer, const uint8_t *key)
{
	if (!peer)
		return -EINVAL;
	if (key)
		memcpy(peer->model.preshared_key, key, WGC_KEY_LEN);
	else
		wg_secret_wipe(peer->model.preshared_key, WGC_KEY_LEN);
	peer->model.flags |= WG_PEER_HAS_PRESHARED_KEY;
	return 0;
}

WGC_EXPORT int wgc_peer_set_endpoint(struct wgc_peer *peer, const char *endpoint)
{
	struct wg_endpoint parsed;

	if (!peer || !endpoint || wg_endpoint_parse(&parsed, endpoint))
		return -EINVAL;
	peer->model.endpoint = parsed;
	peer->model.flags |= WG_PEER_HAS_ENDPOINT;
	return 0;
}

WGC_EXPORT int wgc_peer_set_endpoint_address(struct wgc_peer *peer, const struct sockaddr *address, socklen_t len)
{
	struct wg_endpoint e = { 0 };

	if (!peer || !address)
		return -EINVAL;
	if (address->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in))
		memcpy(&e.addr.in, address, sizeof(e.addr.in));
	else if (address->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6))
		memcpy(&e.addr.in6, address, sizeof(e.addr.in6));
	else
		return -EINVAL;
	peer->model.endpoint = e;
	peer->model.flags |= WG_PEER_HAS_ENDPOINT;
	return 0;
}

WGC_EXPORT int wgc_peer_set_persistent_keepalive(struct wgc_peer *peer, uint16_t seconds)
{
	if (!peer)
		return -EINVAL;
	peer->model.persistent_keepalive_interval = seconds;
	peer->model.flags |= WG_PEER_HAS_PERSISTENT_KEEPALIVE_INTERVAL;
	return 0;
}

static int add_prefix(struct wgc_peer *peer, const char *prefix, bool remove)
{
	struct wg_config_allowedip a = { .remove = remove };

	if (!peer || !prefix || !wg_parse_prefix(prefix, true, &a.family, a.addr, &a.cidr))
		return -EINVAL;
	return wg_config_add_allowedip(&peer->model, &a);
}

WGC_EXPORT int wgc_peer_add_allowed_ip(struct wgc_peer *peer, const char *prefix)
{
	return add_prefix(peer, prefix, false);
}

WGC_EXPORT int wgc_peer_remove_allowed_ip(struct wgc_peer *peer, const char *prefix)
{
	return add_prefix(peer, prefix, true);
}

WGC_EXPORT void wgc_peer_public_key(const struct wgc_peer *peer, uint8_t public_key[WGC_KEY_LEN])
{
	if (peer && public_key)
		memcpy(public_key, peer->model.public_key, WGC_KEY_LEN);
}

WGC_EXPORT bool wgc_peer_preshared_key(const struct wgc_peer *peer, uint8_t key[WGC_KEY_LEN])
{
	if (!peer || !key || wg_secret_is_zero(peer->model.preshared_key, WGC_KEY_LEN))
		return false;
	memcpy(key, peer->model.preshared_key, WGC_KEY_LEN);
	return true;
}

int wgl_api_endpoint_text(const struct wg_endpoint *endpoint, bool present, char *text, size_t size)
{
	char formatted[WG_ENDPOINT_TEXT_MAX];
	size_t len;

	if (!text)
		return -EINVAL;
	if (!present || !wg_endpoint_is_set(endpoint))
		return -ENOENT;
	len = wg_endpoint_format(endpoint, formatted);
	if (len + 1 > size)
		return -ENOSPC;
	memcpy(text, formatted, len + 1);
	return 0;
}

WGC_EXPORT int wgc_peer_endpoint(const struct wgc_peer *peer, char *text, size_t size)
{
	if (!peer)
		return -EINVAL;
	return wgl_api_endpoint_text(&peer->model.endpoint, peer->model.flags & WG_PEER_HAS_ENDPOINT, text, size);
}

WGC_EXPORT uint16_t wgc_peer_persistent_keepalive(const struct wgc_peer *peer)
{
	return peer ? peer->model.persistent_keepalive_interval : 0;
}

WGC_EXPORT size_t wgc_peer_allowed_ip_count(const struct wgc_peer *peer)
{
	return peer ? peer->model.num_allowedips : 0;
}

WGC_EXPORT int wgc_peer_allowed_ip(const struct wgc_peer *peer, size_t i, char *text, size_t size)
{
	char addr[INET6_ADDRSTRLEN], formatted[INET6_ADDRSTRLEN + 5];
	const struct wg_config_allowedip *a;
	int n;

	if (!peer || !text || i >= peer->model.num_allowedips)
		return -EINVAL;
	a = &peer->model.allowedips[i];
	inet_ntop(a->family, a->addr, addr, sizeof(addr));
	n = snprintf(formatted, sizeof(formatted), "%s/%u", addr, a->cidr);
	if (n < 0 || (size_t)n + 1 > size)
		return -ENOSPC;
	memcpy(text, formatted, (size_t)n + 1);
	return 0;
}

WGC_EXPORT uint64_t wgc_peer_rx_bytes(const struct wgc_peer *peer)
{
	return peer ? peer->model.rx_bytes : 0;
}

WGC_EXPORT uint64_t wgc_peer_tx_bytes(const struct wgc_peer *peer)
{
	return peer ? peer->model.tx_bytes : 0;
}

WGC_EXPORT uint64_t wgc_peer_last_handshake_ns(const struct wgc_peer *peer)
{
	return peer ? peer->model.last_handshake_time_sec * 1000000000u + peer->model.last_handshake_time_nsec : 0;
}
