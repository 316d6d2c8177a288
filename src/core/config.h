/*
 * The one configuration data model: a device, its peers and their allowed IPs, each with flags
 * that say which fields are present and what to replace or remove. The UAPI parser, config
 * files and the library API all build one; wg_device_configure applies it, wg_device_dump fills
 * one from a running device.
 */
#ifndef WG_CORE_CONFIG_H
#define WG_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/endpoint.h"
#include "core/messages.h"
#include "core/obfuscation.h"

struct wg_device;

enum wg_config_device_flags {
	WG_DEVICE_HAS_PRIVATE_KEY = 1u << 0,
	WG_DEVICE_HAS_LISTEN_PORT = 1u << 1,
	WG_DEVICE_HAS_FWMARK = 1u << 2,
	WG_DEVICE_REPLACE_PEERS = 1u << 3,
	/* Extensions beyond the UAPI wireguard-go serves; the core keeps them for the I/O layer
	 * and the get reply shows them only when present. */
	WG_DEVICE_HAS_TCP_LISTEN_PORT = 1u << 4,
	WG_DEVICE_HAS_UDP_PROBE_INTERVAL = 1u << 5,
	WG_DEVICE_HAS_PROBE_INTERVAL = 1u << 6,   /* seconds between echo probes (echo.h) */
};

enum wg_config_peer_flags {
	WG_PEER_REMOVE_ME = 1u << 0,
	WG_PEER_UPDATE_ONLY = 1u << 1,
	WG_PEER_REPLACE_ALLOWEDIPS = 1u << 2,
	WG_PEER_HAS_PRESHARED_KEY = 1u << 3,
	WG_PEER_HAS_ENDPOINT = 1u << 4,
	WG_PEER_HAS_PERSISTENT_KEEPALIVE_INTERVAL = 1u << 5,
	/* Extensions, as for the device's. */
	WG_PEER_HAS_TRANSPORT = 1u << 6,
	WG_PEER_HAS_TCP_ENDPOINT = 1u << 7,
	WG_PEER_HAS_TRANSPORT_STATE = 1u << 8, /* get only: what is in use and why */
	WG_PEER_HAS_UDP_ENDPOINT = 1u << 9,    /* get only: a peer's UDP endpoint while it is on TCP */
	WG_PEER_HAS_PROBE = 1u << 10,          /* its echo probe address (family 0: none) */
};

/* An inner address of the peer that echo probes go to (echo.h). */
struct wg_config_probe {
	uint8_t family; /* AF_INET, AF_INET6, or 0 for none */
	uint8_t addr[16];
};

/* Which transport a peer is to be reached over: UDP, TCP, or UDP falling back to TCP. */
enum wg_transport_mode { WG_TRANSPORT_MODE_UDP, WG_TRANSPORT_MODE_TCP, WG_TRANSPORT_MODE_AUTO };

/* Why a peer's messages go over the transport they do (get only). */
enum wg_transport_reason {
	WG_TRANSPORT_CONFIGURED,      /* its mode says so */
	WG_TRANSPORT_UDP_UNANSWERED,  /* auto: no answer to 2 initiations over UDP */
	WG_TRANSPORT_UDP_ANSWERED,    /* auto: a handshake over UDP completed (back on UDP) */
	WG_TRANSPORT_PEER_CHOSE,      /* it reached us over it last (we follow) */
};

struct wg_config_allowedip {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t cidr;
	bool remove;    /* "-prefix": take this one prefix away */
	uint8_t addr[16];
};

struct wg_config_peer {
	unsigned flags;
	uint8_t public_key[WG_NOISE_PUBLIC_KEY_LEN];
	uint8_t preshared_key[WG_NOISE_SYMMETRIC_KEY_LEN]; /* all zero: none */
	struct wg_endpoint endpoint;
	uint16_t persistent_keepalive_interval;
	struct wg_config_allowedip *allowedips;
	size_t num_allowedips, cap_allowedips;
	enum wg_transport_mode transport_mode;
	struct wg_endpoint tcp_endpoint;  /* default: the endpoint's address and port */
	struct wg_config_probe probe;
	/* Read back from a device only. */
	uint64_t last_handshake_time_sec, last_handshake_time_nsec;
	uint64_t rx_bytes, tx_bytes;
	enum wg_transport_kind transport_active;
	enum wg_transport_reason transport_reason;
	struct wg_endpoint udp_endpoint;  /* with WG_PEER_HAS_UDP_ENDPOINT */
	struct wg_config_peer *next;
};

struct wg_config_device {
	unsigned flags;
	uint8_t private_key[WG_NOISE_PUBLIC_KEY_LEN]; /* all zero: none */
	uint16_t listen_port;
	uint32_t fwmark;
	uint16_t tcp_listen_port;         /* 0: no listener */
	uint32_t udp_probe_interval;      /* seconds between UDP probes of auto peers on TCP */
	uint32_t probe_interval;          /* seconds between echo probes of peers with a probe */
	struct wg_config_obfuscation obfuscation; /* AmneziaWG's parameters being set (or dumped) */
	struct wg_config_peer *first_peer, *last_peer;
	size_t num_peers;
};

void wg_config_init(struct wg_config_device *config);
/* Frees all peers and wipes every key. */
void wg_config_free(struct wg_config_device *config);
/* A new peer at the end, or NULL when out of memory. */
struct wg_config_peer *wg_config_add_peer(struct wg_config_device *config, const uint8_t public_key[32]);
int wg_config_add_allowedip(struct wg_config_peer *peer, const struct wg_config_allowedip *allowedip);

/*
 * Applies a configuration. It is checked whole first, so a rejected one (-EINVAL, -ENOSPC)
 * changes nothing; only running out of memory can stop it halfway. fwmark is recorded for the
 * I/O layer and for dumps; listen_port is the I/O layer's to bind, and it reports the port it
 * bound with wg_device_set_listen_port.
 */
int wg_device_configure(struct wg_device *device, const struct wg_config_device *config);
/* Everything a UAPI get reports. 0 or -ENOMEM. */
int wg_device_dump(const struct wg_device *device, struct wg_config_device *out);

#endif
