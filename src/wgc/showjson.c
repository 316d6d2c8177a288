/* `wgc show --json`: one object per interface, for scripts and monitoring. */
#include <arpa/inet.h>

#include "core/uapi.h"
#include "wgc/health.h"
#include "wgc/json.h"
#include "wgc/show.h"

static void json_allowed_ips(FILE *out, const struct wg_config_peer *peer)
{
	char addr[INET6_ADDRSTRLEN], prefix[INET6_ADDRSTRLEN + 8];

	fputc('[', out);
	for (size_t i = 0; i < peer->num_allowedips; ++i) {
		const struct wg_config_allowedip *a = &peer->allowedips[i];

		inet_ntop(a->family, a->addr, addr, sizeof(addr));
		snprintf(prefix, sizeof(prefix), "%s/%u", addr, a->cidr);
		fputs(i ? ", " : "", out);
		wgc_json_string(out, prefix);
	}
	fputc(']', out);
}

/* The transport as configured, and the one in use with its reason (UDP, as configured, for a
 * peer the daemon reports nothing of). */
static void json_transport(FILE *out, const struct wg_config_peer *peer)
{
	char endpoint[WG_ENDPOINT_TEXT_MAX];
	bool state = peer->flags & WG_PEER_HAS_TRANSPORT_STATE;

	fprintf(out, ", \"transport\": ");
	wgc_json_string(out, wg_uapi_transport_mode_name(peer->flags & WG_PEER_HAS_TRANSPORT ? peer->transport_mode
											  : WG_TRANSPORT_MODE_UDP));
	fprintf(out, ", \"transport_active\": ");
	wgc_json_string(out, state && peer->transport_active == WG_TRANSPORT_TCP ? "tcp" : "udp");
	fprintf(out, ", \"transport_reason\": ");
	wgc_json_string(out, wg_uapi_transport_reason_name(state ? peer->transport_reason : WG_TRANSPORT_CONFIGURED));
	fprintf(out, ", \"tcp_endpoint\": ");
	if (peer->flags & WG_PEER_HAS_TCP_ENDPOINT) {
		wg_endpoint_format(&peer->tcp_endpoint, endpoint);
		wgc_json_string(out, endpoint);
	} else {
		fputs("null", out);
	}
}

static void json_peer(FILE *out, const struct wg_config_peer *peer, const struct wgc_show_view *view)
{
	char key[WG_KEY_BASE64_LEN + 1], endpoint[WG_ENDPOINT_TEXT_MAX];

	wg_key_to_base64(key, peer->public_key);
	fprintf(out, "{\"public_key\": ");
	wgc_json_string(out, key);
	fprintf(out, ", \"endpoint\": ");
	if (peer->flags & WG_PEER_HAS_ENDPOINT) {
		wg_endpoint_format(&peer->endpoint, endpoint);
		wgc_json_string(out, endpoint);
	} else {
		fputs("null", out);
	}
	json_transport(out, peer);
	fprintf(out, ", \"allowed_ips\": ");
	json_allowed_ips(out, peer);
	if (peer->last_handshake_time_sec)
		fprintf(out, ", \"latest_handshake\": %llu", (unsigned long long)peer->last_handshake_time_sec);
	else
		fprintf(out, ", \"latest_handshake\": null");
	fprintf(out, ", \"rx_bytes\": %llu, \"tx_bytes\": %llu, \"persistent_keepalive\": ",
		(unsigned long long)peer->rx_bytes, (unsigned long long)peer->tx_bytes);
	if (peer->persistent_keepalive_interval)
		fprintf(out, "%u", peer->persistent_keepalive_interval);
	else
		fputs("null", out);
	fprintf(out, ", \"health\": ");
	wgc_json_string(out, wgc_health_name(wgc_health_of(peer->last_handshake_time_sec, view->now_sec)));
	wgc_show_monitor_json(out, wgc_show_monitor_peer(view->monitor, peer->public_key), view->history);
	fputc('}', out);
}

/* null, or the kinds in use: ["junk", "prefixes", "message_types", "signature_packets"], or
 * ["junk_sizes"] (wgc_show_obfuscation). */
static void json_obfuscation(FILE *out, const struct wg_config_device *device)
{
	const char *names[4];
	int n = wgc_show_obfuscation(device, names);

	fprintf(out, ", \"obfuscation\": ");
	if (!n) {
		fputs("null", out);
		return;
	}
	fputc('[', out);
	for (int i = 0; i < n; ++i) {
		fputs(i ? ", \"" : "\"", out);
		for (const char *c = names[i]; *c; ++c)
			fputc(*c == ' ' ? '_' : *c, out);
		fputc('"', out);
	}
	fputc(']', out);
}

void wgc_show_json(FILE *out, const char *ifname, const struct wg_config_device *device,
		   const struct wgc_show_view *view)
{
	char key[WG_KEY_BASE64_LEN + 1];

	wgc_json_string(out, ifname);
	fprintf(out, ": {\"public_key\": ");
	if (wgc_show_public_key(key, device))
		wgc_json_string(out, key);
	else
		fputs("null", out);
	fprintf(out, ", \"listen_port\": %u, \"fwmark\": ", device->listen_port);
	if (device->fwmark)
		fprintf(out, "%u", device->fwmark);
	else
		fputs("null", out);
	fprintf(out, ", \"tcp_listen_port\": ");
	if (device->tcp_listen_port)
		fprintf(out, "%u", device->tcp_listen_port);
	else
		fputs("null", out);
	json_obfuscation(out, device);
	fprintf(out, ", \"peers\": [");
	for (const struct wg_config_peer *peer = device->first_peer; peer; peer = peer->next) {
		fputs(peer == device->first_peer ? "\n    " : ",\n    ", out);
		json_peer(out, peer, view);
	}
	fprintf(out, "%s]}", device->first_peer ? "\n  " : "");
}
