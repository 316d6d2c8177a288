/* `wgc show` for people: the layout of `wg show`, plus each peer's health. */
#include <arpa/inet.h>

#include "core/uapi.h"
#include "crypto/secret.h"
#include "crypto/x25519.h"
#include "wgc/health.h"
#include "wgc/human.h"
#include "wgc/show.h"

bool wgc_show_public_key(char text[WG_KEY_BASE64_LEN + 1], const struct wg_config_device *device)
{
	uint8_t public_key[WG_KEY_LEN];

	if (!(device->flags & WG_DEVICE_HAS_PRIVATE_KEY) || wg_secret_is_zero(device->private_key, WG_KEY_LEN) ||
	    !wg_x25519_public(public_key, device->private_key))
		return false;
	wg_key_to_base64(text, public_key);
	return true;
}

int wgc_show_obfuscation(const struct wg_config_device *device, const char *names[4])
{
	const struct wg_obfuscation *o = &device->obfuscation.set;
	struct wg_wire_format wire;
	int n = 0;

	if (!wg_obfuscation_is_set(o))
		return 0;
	wg_obfuscation_wire(o, &wire);
	if (o->junk_count)
		names[n++] = "junk";
	if (wire.prefix[0] || wire.prefix[1] || wire.prefix[2] || wire.prefix[3])
		names[n++] = "prefixes";
	for (unsigned i = 0; i < 4; ++i)
		if (wire.type[i].lo != i + 1 || wire.type[i].hi != i + 1) {
			names[n++] = "message types";
			break;
		}
	for (int i = 0; i < WG_OBFS_SIGNATURES; ++i)
		if (o->signature[i]) {
			names[n++] = "signature packets";
			break;
		}
	/* Jmin and Jmax without Jc: set, and nothing sent. */
	if (!n)
		names[n++] = "junk sizes";
	return n;
}

static void print_obfuscation(FILE *out, const struct wg_config_device *device)
{
	const char *names[4];
	int n = wgc_show_obfuscation(device, names);

	if (!n)
		return;
	fprintf(out, "  obfuscation: amneziawg (");
	for (int i = 0; i < n; ++i)
		fprintf(out, "%s%s", i ? ", " : "", names[i]);
	fprintf(out, ")\n");
}

static void print_interface(FILE *out, const char *ifname, const struct wg_config_device *device)
{
	char key[WG_KEY_BASE64_LEN + 1];

	fprintf(out, "interface: %s\n", ifname);
	if (wgc_show_public_key(key, device)) {
		fprintf(out, "  public key: %s\n", key);
		fprintf(out, "  private key: (hidden)\n");
	}
	if (device->listen_port)
		fprintf(out, "  listening port: %u\n", device->listen_port);
	if (device->fwmark)
		fprintf(out, "  fwmark: 0x%x\n", device->fwmark);
	if (device->tcp_listen_port)
		fprintf(out, "  tcp listening port: %u\n", device->tcp_listen_port);
	print_obfuscation(out, device);
}

static const char *reason_text(enum wg_transport_reason reason)
{
	switch (reason) {
	case WG_TRANSPORT_UDP_UNANSWERED:
		return "no answer over udp";
	case WG_TRANSPORT_UDP_ANSWERED:
		return "a handshake over udp completed";
	case WG_TRANSPORT_PEER_CHOSE:
		return "the peer came over it";
	default:
		return "as configured";
	}
}

/* Only for a peer that is not plain UDP, so the rest reads as `wg show` has it. */
static void print_transport(FILE *out, const struct wg_config_peer *peer)
{
	char text[WG_ENDPOINT_TEXT_MAX];

	if (peer->flags & WG_PEER_HAS_TCP_ENDPOINT) {
		wg_endpoint_format(&peer->tcp_endpoint, text);
		fprintf(out, "  tcp endpoint: %s\n", text);
	}
	if (!(peer->flags & (WG_PEER_HAS_TRANSPORT | WG_PEER_HAS_TRANSPORT_STATE)))
		return;
	fprintf(out, "  transport: %s", wg_uapi_transport_mode_name(peer->transport_mode));
	if (peer->flags & WG_PEER_HAS_TRANSPORT_STATE)
		fprintf(out, ", on %s (%s)", peer->transport_active == WG_TRANSPORT_TCP ? "tcp" : "udp",
			reason_text(peer->transport_reason));
	fputc('\n', out);
}

static void print_allowed_ips(FILE *out, const struct wg_config_peer *peer)
{
	char addr[INET6_ADDRSTRLEN];

	fprintf(out, "  allowed ips: ");
	for (size_t i = 0; i < peer->num_allowedips; ++i) {
		const struct wg_config_allowedip *a = &peer->allowedips[i];

		inet_ntop(a->family, a->addr, addr, sizeof(addr));
		fprintf(out, "%s%s/%u", i ? ", " : "", addr, a->cidr);
	}
	fprintf(out, "%s\n", peer->num_allowedips ? "" : "(none)");
}

static void print_peer(FILE *out, const struct wg_config_peer *peer, const struct wgc_show_view *view)
{
	const struct wg_monitor_peer_report *monitored = wgc_show_monitor_peer(view->monitor, peer->public_key);
	uint64_t now_sec = view->now_sec;
	char key[WG_KEY_BASE64_LEN + 1], text[WG_ENDPOINT_TEXT_MAX + 64], sent[32];

	wg_key_to_base64(key, peer->public_key);
	fprintf(out, "\npeer: %s\n", key);
	if ((peer->flags & WG_PEER_HAS_PRESHARED_KEY) && !wg_secret_is_zero(peer->preshared_key, WG_KEY_LEN))
		fprintf(out, "  preshared key: (hidden)\n");
	if (peer->flags & WG_PEER_HAS_ENDPOINT) {
		wg_endpoint_format(&peer->endpoint, text);
		fprintf(out, "  endpoint: %s\n", text);
	}
	print_transport(out, peer);
	print_allowed_ips(out, peer);
	if (peer->last_handshake_time_sec) {
		wgc_human_ago(text, sizeof(text), (int64_t)(now_sec - peer->last_handshake_time_sec));
		fprintf(out, "  latest handshake: %s\n", text);
	}
	if (peer->rx_bytes || peer->tx_bytes) {
		wgc_human_bytes(text, sizeof(text), peer->rx_bytes);
		wgc_human_bytes(sent, sizeof(sent), peer->tx_bytes);
		fprintf(out, "  transfer: %s received, %s sent\n", text, sent);
	}
	if (peer->persistent_keepalive_interval)
		fprintf(out, "  persistent keepalive: every %u second%s\n", peer->persistent_keepalive_interval,
			peer->persistent_keepalive_interval == 1 ? "" : "s");
	fprintf(out, "  health: %s\n", wgc_health_name(wgc_health_of(peer->last_handshake_time_sec, now_sec)));
	if (monitored)
		wgc_show_monitor_text(out, monitored, now_sec, view->history);
}

void wgc_show_text(FILE *out, const char *ifname, const struct wg_config_device *device,
		   const struct wgc_show_view *view)
{
	print_interface(out, ifname, device);
	for (const struct wg_config_peer *peer = device->first_peer; peer; peer = peer->next)
		print_peer(out, peer, view);
}
