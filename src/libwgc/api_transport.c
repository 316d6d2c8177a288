/* The public configuration's transport extension (TCP, and UDP falling back to it) over the
 * core's data model. */
#include <errno.h>
#include <string.h>

#include "libwgc/api.h"

_Static_assert((int)WGC_TRANSPORT_MODE_AUTO == (int)WG_TRANSPORT_MODE_AUTO, "transport modes");
_Static_assert((int)WGC_TRANSPORT_TCP == (int)WG_TRANSPORT_TCP, "transports");
_Static_assert((int)WGC_TRANSPORT_PEER_CHOSE == (int)WG_TRANSPORT_PEER_CHOSE, "transport reasons");

WGC_EXPORT int wgc_config_set_tcp_listen_port(struct wgc_config *config, uint16_t port)
{
	if (!config)
		return -EINVAL;
	config->model.tcp_listen_port = port;
	config->model.flags |= WG_DEVICE_HAS_TCP_LISTEN_PORT;
	return 0;
}

WGC_EXPORT int wgc_config_set_udp_probe_interval(struct wgc_config *config, uint32_t seconds)
{
	if (!config || !seconds || seconds > 86400)
		return -EINVAL;
	config->model.udp_probe_interval = seconds;
	config->model.flags |= WG_DEVICE_HAS_UDP_PROBE_INTERVAL;
	return 0;
}

WGC_EXPORT uint16_t wgc_config_tcp_listen_port(const struct wgc_config *config)
{
	return config && (config->model.flags & WG_DEVICE_HAS_TCP_LISTEN_PORT) ? config->model.tcp_listen_port : 0;
}

WGC_EXPORT int wgc_peer_set_transport(struct wgc_peer *peer, enum wgc_transport_mode mode)
{
	if (!peer || (unsigned)mode > WGC_TRANSPORT_MODE_AUTO)
		return -EINVAL;
	peer->model.transport_mode = (enum wg_transport_mode)mode;
	peer->model.flags |= WG_PEER_HAS_TRANSPORT;
	return 0;
}

WGC_EXPORT int wgc_peer_set_tcp_endpoint(struct wgc_peer *peer, const char *endpoint)
{
	struct wg_endpoint parsed;

	if (!peer || !endpoint || wg_endpoint_parse(&parsed, endpoint))
		return -EINVAL;
	parsed.transport = WG_TRANSPORT_TCP;
	peer->model.tcp_endpoint = parsed;
	peer->model.flags |= WG_PEER_HAS_TCP_ENDPOINT;
	return 0;
}

WGC_EXPORT enum wgc_transport_mode wgc_peer_transport(const struct wgc_peer *peer)
{
	return peer && (peer->model.flags & WG_PEER_HAS_TRANSPORT) ? (enum wgc_transport_mode)peer->model.transport_mode
								     : WGC_TRANSPORT_MODE_UDP;
}

WGC_EXPORT int wgc_peer_tcp_endpoint(const struct wgc_peer *peer, char *text, size_t size)
{
	if (!peer)
		return -EINVAL;
	return wgl_api_endpoint_text(&peer->model.tcp_endpoint, peer->model.flags & WG_PEER_HAS_TCP_ENDPOINT, text,
				     size);
}

WGC_EXPORT bool wgc_peer_transport_in_use(const struct wgc_peer *peer, enum wgc_transport *transport,
					  enum wgc_transport_reason *reason)
{
	if (!peer || !(peer->model.flags & WG_PEER_HAS_TRANSPORT_STATE))
		return false;
	if (transport)
		*transport = (enum wgc_transport)peer->model.transport_active;
	if (reason)
		*reason = (enum wgc_transport_reason)peer->model.transport_reason;
	return true;
}
