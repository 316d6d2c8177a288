/* Configuration model -> UAPI set lines, flag for flag. */
#include "libwgc/settext.h"

#include <arpa/inet.h>

#include "core/key.h"
#include "core/uapi.h"
#include "crypto/secret.h"

static void append_key(struct wgl_text *text, const char *name, const uint8_t key[WG_KEY_LEN])
{
	char hex[WG_KEY_HEX_LEN + 1];

	wg_key_to_hex(hex, key);
	wgl_text_append(text, "%s=%s\n", name, hex);
	wg_secret_wipe(hex, sizeof(hex));
}

static void append_obfuscation(struct wgl_text *text, const struct wg_config_obfuscation *change)
{
	char value[WG_UAPI_LINE_MAX];

	for (int key = 0; key < WG_OBFS_KEYS; ++key)
		if (change->has & (1u << key)) {
			wg_obfuscation_format(&change->set, (enum wg_obfuscation_key)key, value, sizeof(value));
			wgl_text_append(text, "%s=%s\n", wg_obfuscation_key_name((enum wg_obfuscation_key)key), value);
		}
}

static void append_device(struct wgl_text *text, const struct wg_config_device *config)
{
	/* An all-zero key is sent as such: it removes the key, which is what setconf without one means. */
	if (config->flags & WG_DEVICE_HAS_PRIVATE_KEY)
		append_key(text, "private_key", config->private_key);
	if (config->flags & WG_DEVICE_HAS_LISTEN_PORT)
		wgl_text_append(text, "listen_port=%u\n", config->listen_port);
	if (config->flags & WG_DEVICE_HAS_FWMARK)
		wgl_text_append(text, "fwmark=%u\n", config->fwmark);
	if (config->flags & WG_DEVICE_REPLACE_PEERS)
		wgl_text_append(text, "replace_peers=true\n");
	if (config->flags & WG_DEVICE_HAS_TCP_LISTEN_PORT)
		wgl_text_append(text, "tcp_listen_port=%u\n", config->tcp_listen_port);
	if (config->flags & WG_DEVICE_HAS_UDP_PROBE_INTERVAL)
		wgl_text_append(text, "udp_probe_interval=%u\n", config->udp_probe_interval);
	if (config->flags & WG_DEVICE_HAS_PROBE_INTERVAL)
		wgl_text_append(text, "probe_interval=%u\n", config->probe_interval);
	append_obfuscation(text, &config->obfuscation);
}

static void append_allowedips(struct wgl_text *text, const struct wg_config_peer *peer)
{
	char addr[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < peer->num_allowedips; ++i) {
		const struct wg_config_allowedip *a = &peer->allowedips[i];

		inet_ntop(a->family, a->addr, addr, sizeof(addr));
		wgl_text_append(text, "allowed_ip=%s%s/%u\n", a->remove ? "-" : "", addr, a->cidr);
	}
}

static void append_peer(struct wgl_text *text, const struct wg_config_peer *peer)
{
	char endpoint[WG_ENDPOINT_TEXT_MAX];

	append_key(text, "public_key", peer->public_key);
	if (peer->flags & WG_PEER_REMOVE_ME)
		wgl_text_append(text, "remove=true\n");
	if (peer->flags & WG_PEER_UPDATE_ONLY)
		wgl_text_append(text, "update_only=true\n");
	if (peer->flags & WG_PEER_HAS_PRESHARED_KEY)
		append_key(text, "preshared_key", peer->preshared_key);
	if (peer->flags & WG_PEER_HAS_ENDPOINT) {
		wg_endpoint_format(&peer->endpoint, endpoint);
		wgl_text_append(text, "endpoint=%s\n", endpoint);
	}
	if (peer->flags & WG_PEER_HAS_PERSISTENT_KEEPALIVE_INTERVAL)
		wgl_text_append(text, "persistent_keepalive_interval=%u\n", peer->persistent_keepalive_interval);
	if (peer->flags & WG_PEER_HAS_TRANSPORT)
		wgl_text_append(text, "transport=%s\n", wg_uapi_transport_mode_name(peer->transport_mode));
	if (peer->flags & WG_PEER_HAS_TCP_ENDPOINT) {
		wg_endpoint_format(&peer->tcp_endpoint, endpoint);
		wgl_text_append(text, "tcp_endpoint=%s\n", endpoint);
	}
	if (peer->flags & WG_PEER_HAS_PROBE) {
		if (peer->probe.family)
			inet_ntop(peer->probe.family, peer->probe.addr, endpoint, sizeof(endpoint));
		wgl_text_append(text, "probe=%s\n", peer->probe.family ? endpoint : "");
	}
	if (peer->flags & WG_PEER_REPLACE_ALLOWEDIPS)
		wgl_text_append(text, "replace_allowed_ips=true\n");
	append_allowedips(text, peer);
}

void wgl_settext_format(struct wgl_text *text, const struct wg_config_device *config)
{
	append_device(text, config);
	for (const struct wg_config_peer *peer = config->first_peer; peer; peer = peer->next)
		append_peer(text, peer);
}
