/*
 * libwgc: WireGuard in a C library.
 *
 * Two uses, one configuration model:
 *   - in-process tunnels (struct wgc_device): a WireGuard device inside your program, with a
 *     TUN interface it creates, a TUN descriptor you hand it, or no TUN at all (you hand it IP
 *     packets and take them out through calls), run in your event loop or on a thread of its own;
 *   - control of running devices by interface name over their UAPI socket
 *     (/var/run/wireguard/IFNAME.sock), as `wg` does: wgcd, wireguard-go, any userspace WireGuard.
 *
 * Conventions. Functions return 0 or a negative errno (-EINVAL for a bad argument, which then
 * changes nothing). Keys are 32 raw bytes; wgc_key_* converts to and from base64. Types are
 * opaque except the option, statistics and event structs, which later versions only extend at
 * the end (set `size` to sizeof the struct you were compiled with). Nothing here ever logs a
 * key or writes to stderr; log messages reach you only through your callback.
 *
 * Thread safety is stated per function. "Thread-safe" functions may be called from any thread
 * at any time (a device serializes calls with a lock of its own, which its callbacks run
 * under). From its callbacks: event and packet callbacks may call the device's functions but
 * wgc_device_process, _start, _stop and _free; a log callback runs in the middle of the
 * device's work and may call none of them.
 */
#ifndef WGC_H
#define WGC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The major version of this API: it changes only when a program built against an older one
 * could break. wgc_api_version() says what the library you linked implements. */
#define WGC_API_VERSION 1

/* Thread-safe. */
int wgc_api_version(void);

/* ------------------------------------------------------------------------------------ keys */

enum {
	WGC_KEY_LEN = 32,
	WGC_KEY_BASE64_LEN = 44, /* with its '=', without the NUL */
};

/* A new private key (clamped for X25519), from the kernel's random source. Thread-safe. */
int wgc_key_generate(uint8_t private_key[WGC_KEY_LEN]);
/* A new preshared key: 32 random bytes. Thread-safe. */
int wgc_key_generate_preshared(uint8_t key[WGC_KEY_LEN]);
/* The public key of a private key. -EINVAL when it has none (all zero). Thread-safe. */
int wgc_key_public(uint8_t public_key[WGC_KEY_LEN], const uint8_t private_key[WGC_KEY_LEN]);
/* Base64 as `wg` writes keys; text gets 44 characters and a NUL. Constant time. Thread-safe. */
void wgc_key_to_base64(char text[WGC_KEY_BASE64_LEN + 1], const uint8_t key[WGC_KEY_LEN]);
/* Exactly 44 characters of canonical base64 (as `wg` accepts); -EINVAL otherwise, with key
 * unchanged. Constant time in the key's value. Thread-safe. */
int wgc_key_from_base64(uint8_t key[WGC_KEY_LEN], const char *text);
/* Equal keys, compared in constant time. Thread-safe. */
bool wgc_key_equal(const uint8_t a[WGC_KEY_LEN], const uint8_t b[WGC_KEY_LEN]);
/* Overwrites len bytes with zeros in a way the compiler does not remove: for your copies of
 * keys and of their text. Thread-safe. */
void wgc_wipe(void *secret, size_t len);

/* ----------------------------------------------------------------------- the configuration */

/*
 * One device's configuration: what to change (for wgc_device_configure and wgc_control_set)
 * or what a device reported (wgc_device_get, wgc_control_get). A field takes part in a change
 * only once set; a change is applied whole or not at all, as the UAPI applies a set.
 *
 * A configuration and its peers belong to whoever made it; none of these functions is
 * thread-safe on the same configuration, all are on different ones.
 */
struct wgc_config;
struct wgc_peer; /* a peer within a wgc_config, valid as long as the configuration */

int wgc_config_new(struct wgc_config **out);
/* Frees it and its peers, wiping every key. NULL is fine. */
void wgc_config_free(struct wgc_config *config);

/* NULL or all zero removes the device's key (and so its identity). */
int wgc_config_set_private_key(struct wgc_config *config, const uint8_t *private_key);
/* 0 picks a free port. */
int wgc_config_set_listen_port(struct wgc_config *config, uint16_t port);
/* The mark on the device's own packets (SO_MARK), for policy routing; 0 removes it. */
int wgc_config_set_fwmark(struct wgc_config *config, uint32_t fwmark);
/* Peers not named in this configuration are removed. */
int wgc_config_set_replace_peers(struct wgc_config *config, bool replace);

/* wgc's extension: a TCP listener on this port, IPv4 and IPv6, for peers whose transport is
 * TCP (0: none). Devices that never set it have none, and answer stock tools as wireguard-go. */
int wgc_config_set_tcp_listen_port(struct wgc_config *config, uint16_t port);
/* Seconds between tries of UDP for WGC_TRANSPORT_AUTO peers that fell back to TCP (1-86400;
 * 120 unless set). */
int wgc_config_set_udp_probe_interval(struct wgc_config *config, uint32_t seconds);

/* AmneziaWG-compatible obfuscation, one parameter at a time by its UAPI name (any case): "jc",
 * "jmin", "jmax", "s1".."s4", "h1".."h4" (a number or a range "LO-HI"), "i1".."i5" (signature
 * packets in AmneziaWG's tag language; "" unsets). Each value is checked against its own limit
 * here (-EINVAL, with the reason in error when given); the whole set (Jmin < Jmax, S1 + 56 !=
 * S2, H ranges apart) when the device is configured. Parameters not set keep the device's
 * values; a device that never has any set is plain WireGuard. Not thread-safe on one config. */
int wgc_config_set_obfuscation(struct wgc_config *config, const char *key, const char *value, char *error,
			       size_t error_size);
/* The value a get reported for the parameter (h1..h4 as their effective type values while
 * obfuscated): 0, -ENOENT when not obfuscated or not set, -EINVAL for an unknown key. */
int wgc_config_obfuscation(const struct wgc_config *config, const char *key, char *value, size_t size);

/* What a get reported. private_key/public_key are false when the device has no key. */
bool wgc_config_private_key(const struct wgc_config *config, uint8_t private_key[WGC_KEY_LEN]);
bool wgc_config_public_key(const struct wgc_config *config, uint8_t public_key[WGC_KEY_LEN]);
uint16_t wgc_config_listen_port(const struct wgc_config *config);
uint32_t wgc_config_fwmark(const struct wgc_config *config);
/* 0 when there is no listener (or a get did not report one). */
uint16_t wgc_config_tcp_listen_port(const struct wgc_config *config);

size_t wgc_config_peer_count(const struct wgc_config *config);
/* Peers in order: the first, then each one's next; NULL after the last. */
struct wgc_peer *wgc_config_first_peer(const struct wgc_config *config);
struct wgc_peer *wgc_peer_next(const struct wgc_peer *peer);
/* The peer with this public key, or NULL. */
struct wgc_peer *wgc_config_find_peer(const struct wgc_config *config, const uint8_t public_key[WGC_KEY_LEN]);

/* A peer to add or change (created on the device unless WGC_PEER_UPDATE_ONLY). */
int wgc_config_add_peer(struct wgc_config *config, const uint8_t public_key[WGC_KEY_LEN], struct wgc_peer **out);

enum wgc_peer_flags {
	WGC_PEER_REMOVE = 1u << 0,              /* remove the peer */
	WGC_PEER_UPDATE_ONLY = 1u << 1,         /* change it only if it exists */
	WGC_PEER_REPLACE_ALLOWED_IPS = 1u << 2, /* its allowed IPs become exactly the ones given */
};
int wgc_peer_set_flags(struct wgc_peer *peer, unsigned flags);
/* NULL or all zero: no preshared key. */
int wgc_peer_set_preshared_key(struct wgc_peer *peer, const uint8_t *key);
/* Numeric "192.0.2.1:51820" or "[2001:db8::1]:51820". */
int wgc_peer_set_endpoint(struct wgc_peer *peer, const char *endpoint);
int wgc_peer_set_endpoint_address(struct wgc_peer *peer, const struct sockaddr *address, socklen_t len);
/* How the peer is reached (wgc's extension; WGC_TRANSPORT_MODE_UDP unless set): UDP; TCP,
 * each message framed by a 2-byte length as Mullvad's udp-over-tcp does, dialling the TCP
 * endpoint; or AUTO: UDP first, TCP when 2 initiations over UDP went unanswered, UDP again
 * when a try of it (every udp_probe_interval) completes a handshake. */
enum wgc_transport_mode { WGC_TRANSPORT_MODE_UDP, WGC_TRANSPORT_MODE_TCP, WGC_TRANSPORT_MODE_AUTO };
int wgc_peer_set_transport(struct wgc_peer *peer, enum wgc_transport_mode mode);
/* Where to dial over TCP, in the endpoint's forms; unless set, the endpoint's address and port. */
int wgc_peer_set_tcp_endpoint(struct wgc_peer *peer, const char *endpoint);
/* Seconds between keepalives when nothing else is sent; 0 turns them off. */
int wgc_peer_set_persistent_keepalive(struct wgc_peer *peer, uint16_t seconds);
/* "10.0.0.0/24", "fd00::/64", a bare address meaning /32 or /128. */
int wgc_peer_add_allowed_ip(struct wgc_peer *peer, const char *prefix);
/* Takes one prefix away from the peer (without WGC_PEER_REPLACE_ALLOWED_IPS). */
int wgc_peer_remove_allowed_ip(struct wgc_peer *peer, const char *prefix);

void wgc_peer_public_key(const struct wgc_peer *peer, uint8_t public_key[WGC_KEY_LEN]);
unsigned wgc_peer_flags(const struct wgc_peer *peer);
/* False when it has none. */
bool wgc_peer_preshared_key(const struct wgc_peer *peer, uint8_t key[WGC_KEY_LEN]);
/* The endpoint as text (at most 65 bytes with the NUL); -ENOENT when none is known,
 * -ENOSPC when size is too small. */
int wgc_peer_endpoint(const struct wgc_peer *peer, char *text, size_t size);
uint16_t wgc_peer_persistent_keepalive(const struct wgc_peer *peer);
size_t wgc_peer_allowed_ip_count(const struct wgc_peer *peer);
/* The i-th allowed IP as "address/length" (at most 44 bytes with the NUL). */
int wgc_peer_allowed_ip(const struct wgc_peer *peer, size_t i, char *text, size_t size);
/* Counters and the last handshake (Unix time in nanoseconds, 0 for never), as a get reports. */
uint64_t wgc_peer_rx_bytes(const struct wgc_peer *peer);
uint64_t wgc_peer_tx_bytes(const struct wgc_peer *peer);
uint64_t wgc_peer_last_handshake_ns(const struct wgc_peer *peer);
/* The mode set or reported (WGC_TRANSPORT_MODE_UDP when none was). */
enum wgc_transport_mode wgc_peer_transport(const struct wgc_peer *peer);
/* The TCP endpoint set or reported, as text (at most 65 bytes with the NUL); -ENOENT when
 * none was, -ENOSPC when size is too small. */
int wgc_peer_tcp_endpoint(const struct wgc_peer *peer, char *text, size_t size);

enum wgc_transport { WGC_TRANSPORT_UDP, WGC_TRANSPORT_TCP };
enum wgc_transport_reason {
	WGC_TRANSPORT_CONFIGURED,     /* the peer's mode says so */
	WGC_TRANSPORT_UDP_UNANSWERED, /* AUTO: no answer to 2 initiations over UDP */
	WGC_TRANSPORT_UDP_ANSWERED,   /* AUTO: a handshake over UDP completed */
	WGC_TRANSPORT_PEER_CHOSE,     /* it reached us over this transport last, and we follow */
};
/* Which transport a get found in use for the peer, and why: false when it reported nothing
 * (a plain UDP peer). */
bool wgc_peer_transport_in_use(const struct wgc_peer *peer, enum wgc_transport *transport,
			       enum wgc_transport_reason *reason);

/* -------------------------------------------------------------------- in-process devices */

struct wgc_device;

enum wgc_tun_mode {
	WGC_TUN_NONE,   /* no TUN: IP packets in by wgc_device_send_packet, out by the packet callback */
	WGC_TUN_CREATE, /* creates the TUN interface `ifname` (it must not exist; needs CAP_NET_ADMIN) */
	WGC_TUN_FD,     /* a TUN descriptor you opened (IFF_TUN): the device takes it over (sets
	                 * O_NONBLOCK on it, closes it when freed); if wgc_device_new fails it
	                 * stays yours */
};

enum wgc_log_level { WGC_LOG_ERROR, WGC_LOG_INFO, WGC_LOG_DEBUG };

struct wgc_device_options {
	size_t size;           /* sizeof(struct wgc_device_options) */
	enum wgc_tun_mode tun;
	const char *ifname;    /* WGC_TUN_CREATE: at most 15 characters */
	int tun_fd;            /* WGC_TUN_FD */
	unsigned mtu;          /* WGC_TUN_NONE: the tunnel's MTU (0: 1420); else the interface's */
	/* WGC_TUN_NONE: each IP packet the tunnel delivers (valid during the call). NULL queues
	 * them (up to 1,024, the newest dropped beyond) for wgc_device_read_packet. */
	void (*packet)(void *ctx, const uint8_t *packet, size_t len);
	/* Optional. Messages never hold keys. Called in the middle of the device's work: it may
	 * call no function of the device's. */
	void (*log)(void *ctx, enum wgc_log_level level, const char *message);
	/* Optional: the clock, monotonic nanoseconds (for tests and simulations). The device then
	 * arms no timer of its own: call wgc_device_process once your clock has reached
	 * wgc_device_next_deadline. The wall clock of handshake timestamps moves with it. */
	uint64_t (*clock)(void *ctx);
	void *ctx;             /* for the callbacks */
};

/* A device without keys or peers, listening on a random UDP port. With a TUN interface in this
 * network namespace it follows the interface's state (down until `ip link set up`); without
 * one (WGC_TUN_NONE, or a descriptor of an interface elsewhere) it is up from the start. The
 * options are read during the call only. */
int wgc_device_new(struct wgc_device **out, const struct wgc_device_options *options);
/* Stops its thread if it runs one, removes what it made (a created interface goes), wipes
 * every key and frees it. No other call on the device may run at the same time or after. */
void wgc_device_free(struct wgc_device *device);

/* Applies a configuration whole or not at all: -EINVAL (a bad field), -EADDRINUSE (the port
 * is taken), -ENOSPC (too many peers) leave the device as it was. Thread-safe. */
int wgc_device_configure(struct wgc_device *device, const struct wgc_config *config);
/* Everything a UAPI get reports, in a new configuration (free it). Thread-safe. */
int wgc_device_get(struct wgc_device *device, struct wgc_config **out);
/* Up: handshakes, keepalives and packets flow; down drops its sessions. A device that follows
 * a TUN interface's state refuses this (-EOPNOTSUPP). Thread-safe. */
int wgc_device_set_up(struct wgc_device *device, bool up);

/* Running it in your event loop: the descriptor polls readable when there is work, and
 * process does what is ready without blocking. With your own clock, also call process once
 * the clock reaches next_deadline (UINT64_MAX: nothing pending). process returns -EBUSY
 * while the device runs its own thread, -ENODEV once its TUN interface was removed (the
 * device then does nothing more: free it). Thread-safe. */
int wgc_device_fd(struct wgc_device *device);
int wgc_device_process(struct wgc_device *device);
uint64_t wgc_device_next_deadline(struct wgc_device *device);
/* Or on a thread of its own: start creates it; stop ends and joins it, after which your loop
 * may run the device again. -EALREADY when it already runs (or does not). Not with your own
 * clock (-EINVAL). Thread-safe, but not from the device's own callbacks. */
int wgc_device_start(struct wgc_device *device);
int wgc_device_stop(struct wgc_device *device);

/* WGC_TUN_NONE: one IP packet into the tunnel (encrypted and sent, or staged until a session
 * exists). -ENOKEY when no peer's allowed IPs cover its destination, -EDESTADDRREQ when that
 * peer has no endpoint, -ENETDOWN while down, -EINVAL for what is not an IP packet,
 * -EOPNOTSUPP with a TUN. Thread-safe. */
int wgc_device_send_packet(struct wgc_device *device, const uint8_t *packet, size_t len);
/* WGC_TUN_NONE without a packet callback: the oldest delivered packet into buf, its length;
 * -EAGAIN when none waits, -EMSGSIZE (and the packet dropped) when cap is too small.
 * wgc_device_fd polls readable while packets wait. Thread-safe. */
ssize_t wgc_device_read_packet(struct wgc_device *device, uint8_t *buf, size_t cap);

struct wgc_device_stats {
	size_t size;                /* sizeof(struct wgc_device_stats), set by the caller */
	uint64_t peers;
	uint64_t rx_malformed;      /* datagrams of no known type or length */
	uint64_t rx_invalid_mac;    /* handshake messages with a bad mac1 */
	uint64_t rx_handshake_failed;
	uint64_t rx_handshake_overflow; /* handshake messages the queue had no room for */
	uint64_t rx_ratelimited;
	uint64_t rx_cookie_invalid;
	uint64_t rx_unknown_index;
	uint64_t rx_expired;
	uint64_t rx_decrypt_failed;
	uint64_t rx_replayed;
	uint64_t rx_invalid_inner;
	uint64_t rx_disallowed_source;
	uint64_t tx_malformed;
	uint64_t tx_no_route;
	uint64_t tx_no_endpoint;
	uint64_t tx_staged_dropped;
	uint64_t tx_send_errors;
	uint64_t cookie_replies_sent;
	uint64_t events_dropped;    /* events a full queue had no room for */
	uint64_t packets_dropped;   /* WGC_TUN_NONE: delivered packets the read queue had no room for */
};
/* Fills out->size bytes of out (at most sizeof what this library knows). Thread-safe. */
int wgc_device_stats(struct wgc_device *device, struct wgc_device_stats *out);

/* A peer's state as the engine monitors it (docs/monitoring.md; see also monitoring below). */
enum wgc_peer_state {
	WGC_PEER_NEVER,       /* no handshake tried yet */
	WGC_PEER_HANDSHAKING, /* an initiation sent, no session yet */
	WGC_PEER_CONNECTED,   /* a session, fresh, and the peer answering */
	WGC_PEER_REKEYING,    /* connected, a new handshake in flight */
	WGC_PEER_STALE,       /* 3 initiations unanswered, or the keys expired */
	WGC_PEER_DEAD,        /* the handshake given up, or 600 s without one */
};
/* "never", "handshaking", "connected", "rekeying", "stale", "dead". Thread-safe. */
const char *wgc_peer_state_name(enum wgc_peer_state state);

/* ---------------------------------------------------------------------------------- events */

enum wgc_event_type {
	WGC_EVENT_PEER_ADDED,
	WGC_EVENT_PEER_REMOVED,
	WGC_EVENT_HANDSHAKE_INITIATED, /* an initiation sent (attempt 1, or a retry's number) */
	WGC_EVENT_HANDSHAKE_RETRY,     /* no response within REKEY_TIMEOUT: another attempt */
	WGC_EVENT_HANDSHAKE_GIVEN_UP,  /* no response to 20 attempts; staged packets dropped */
	WGC_EVENT_HANDSHAKE_COMPLETE,  /* a session: rtt_ns from our message to its answer */
	WGC_EVENT_KEYS_DERIVED,        /* a session's keys (only with WGC_EVENTS_WITH_KEYS) */
	WGC_EVENT_KEYPAIR_EXPIRED,     /* a session found past its limits when next used (reason),
	                                * or all of them wiped (540 s without a new one, down) */
	WGC_EVENT_ENDPOINT_CHANGED,    /* the peer's endpoint is now `endpoint` */
	WGC_EVENT_DATA_AFTER_IDLE,     /* data again after idle_ns without any */
	WGC_EVENT_TRANSPORT_CHANGED,   /* the peer's messages go over `transport` now (why: transport_reason) */
	WGC_EVENT_STATE_CHANGED,       /* monitoring moved the peer from state_from to state_to (why: state_reason) */
	WGC_EVENT_TYPES
};

/* A session's secrets, as Wireshark's key log and analyzers need them. */
struct wgc_session_keys {
	uint8_t local_static_private[WGC_KEY_LEN];
	uint8_t remote_static_public[WGC_KEY_LEN];
	uint8_t local_ephemeral_private[WGC_KEY_LEN];
	uint8_t preshared_key[WGC_KEY_LEN];     /* all zero when none */
	uint8_t sending_key[WGC_KEY_LEN];
	uint8_t receiving_key[WGC_KEY_LEN];
	uint32_t local_index, remote_index;
};

enum wgc_expiry_reason { WGC_EXPIRED_AGE, WGC_EXPIRED_MESSAGES, WGC_EXPIRED_WIPED };

struct wgc_event {
	enum wgc_event_type type;
	uint8_t peer[WGC_KEY_LEN];       /* the peer's public key */
	uint64_t time_ns;                /* the device's monotonic clock */
	unsigned attempt;                /* INITIATED, RETRY, GIVEN_UP */
	bool initiator;                  /* COMPLETE, KEYS_DERIVED: we started it */
	uint64_t rtt_ns;                 /* COMPLETE */
	enum wgc_expiry_reason reason;   /* KEYPAIR_EXPIRED */
	struct sockaddr_storage endpoint;/* ENDPOINT_CHANGED */
	bool received;                   /* DATA_AFTER_IDLE: the data came in (else went out) */
	uint64_t idle_ns;                /* DATA_AFTER_IDLE */
	const struct wgc_session_keys *keys; /* KEYS_DERIVED to a WGC_EVENTS_WITH_KEYS subscriber */
	enum wgc_transport transport;    /* TRANSPORT_CHANGED (and `endpoint`: where on it) */
	enum wgc_transport_reason transport_reason; /* TRANSPORT_CHANGED */
	enum wgc_peer_state state_from, state_to;   /* STATE_CHANGED */
	char state_reason[88];                      /* STATE_CHANGED: "no response to 3 initiations" */
};

/* Valid during the call only (keys are wiped after it). Runs under the device's lock after the
 * round (or the API call) that caused the event, on the thread that ran it; it may call the
 * device's functions but process, start, stop and free. */
typedef void (*wgc_event_fn)(void *ctx, const struct wgc_event *event);

#define WGC_EVENT_MASK(type) (1u << (type))
#define WGC_EVENTS_ALL ((1u << WGC_EVENT_TYPES) - 1)
/* With this bit, KEYS_DERIVED events carry the session's keys. Without it a subscriber never
 * sees them, whatever else it asks for. */
#define WGC_EVENTS_WITH_KEYS (1u << 31)

/* Calls fn for every event whose bit is in mask; *id (optional) names the subscription. At
 * most 16 subscriptions. Thread-safe. */
int wgc_device_subscribe(struct wgc_device *device, unsigned mask, wgc_event_fn fn, void *ctx, unsigned *id);
int wgc_device_unsubscribe(struct wgc_device *device, unsigned id);

/* ------------------------------------------------------------------------------ monitoring */

/*
 * What the engine measures of each peer (docs/monitoring.md): its state and how it got there,
 * its handshakes, throughput and inbound loss. A report is a snapshot, of an in-process device
 * or of a running wgcd (other daemons have none: -EOPNOTSUPP). A report belongs to whoever
 * got it; none of its functions is thread-safe on the same report, all are on different ones.
 */

struct wgc_peer_monitor {
	size_t size;                      /* sizeof(struct wgc_peer_monitor), set by the caller */
	uint8_t public_key[WGC_KEY_LEN];
	enum wgc_peer_state state;
	uint64_t state_since_ns;          /* Unix time it was entered */
	uint64_t handshakes;              /* completed, either role */
	uint64_t handshake_failures;      /* initiations that went unanswered */
	/* Of handshakes we started: initiation sent -> response received; 0 before the first. */
	uint64_t handshake_latency_ns, handshake_latency_min_ns, handshake_latency_avg_ns,
		handshake_latency_max_ns;
	uint64_t handshake_rtt_ns;        /* the last handshake's round trip, either role */
	uint64_t rx_messages, tx_messages;/* data messages, keepalives included */
	/* Counters the peer used that had not arrived when 64-128 newer ones had, and of them those
	 * that came later after all: both only grow; rx_lost - rx_late never arrived. */
	uint64_t rx_lost, rx_late;
	uint64_t rx_replayed;             /* duplicates and replays dropped */
	/* Bits and messages per second over the last second and the last 10 s. */
	uint64_t rx_bps, tx_bps, rx_pps, tx_pps;
	uint64_t rx_bps_10s, tx_bps_10s, rx_pps_10s, tx_pps_10s;
	/* Echo probes (wgc_peer_set_probe): sent, answered, not answered within 5 s, and the
	 * answered ones' round trip. All 0 without a probe address. */
	uint64_t probe_sent, probe_answered, probe_lost;
	uint64_t probe_rtt_ns, probe_rtt_min_ns, probe_rtt_avg_ns, probe_rtt_max_ns;
};

/* One change of state (from == to: a note, such as the endpoint moving). */
struct wgc_transition {
	uint64_t time_ns;                 /* Unix time */
	enum wgc_peer_state from, to;
	char reason[88];                  /* "handshake completed in 1.9 ms" */
};

/* wgc's extension: an ICMP (IPv4) or ICMPv6 echo request through the tunnel to this inner
 * address of the peer every probe interval, from the tunnel interface's own address of that
 * family (a device without a TUN sends none); the peer's operating system answers, and the
 * answers are measured and never delivered. NULL or "" removes it. */
int wgc_peer_set_probe(struct wgc_peer *peer, const char *address);
/* The probe address set or reported, as text (at most 46 bytes with the NUL); -ENOENT when
 * none, -ENOSPC when size is too small. */
int wgc_peer_probe(const struct wgc_peer *peer, char *text, size_t size);
/* Seconds between echo probes (1-3600; 5 unless set). */
int wgc_config_set_probe_interval(struct wgc_config *config, uint32_t seconds);

struct wgc_monitor;

/* A report of every peer of the device. Thread-safe. */
int wgc_device_monitor(struct wgc_device *device, struct wgc_monitor **out);
/* The same from a running wgcd, over its UAPI socket (-EOPNOTSUPP: a daemon without
 * monitoring; other errors as wgc_control_get). Thread-safe. */
int wgc_control_monitor(const char *ifname, struct wgc_monitor **out);
void wgc_monitor_free(struct wgc_monitor *monitor);
size_t wgc_monitor_peer_count(const struct wgc_monitor *monitor);
/* Fills out->size bytes of the i-th peer's figures (-ENOENT past the last). */
int wgc_monitor_peer(const struct wgc_monitor *monitor, size_t i, struct wgc_peer_monitor *out);
/* The i-th peer's last transitions (at most 64), oldest first: how many, and the j-th. */
size_t wgc_monitor_transition_count(const struct wgc_monitor *monitor, size_t i);
int wgc_monitor_transition(const struct wgc_monitor *monitor, size_t i, size_t j, struct wgc_transition *out);
/* The device's counters by name ("rx_malformed", "cookie_replies_sent", "under_load_ns",
 * "tcp_rx_bytes", ...): how many, and the i-th's name (NULL past the last) and value. */
size_t wgc_monitor_counter_count(const struct wgc_monitor *monitor);
const char *wgc_monitor_counter(const struct wgc_monitor *monitor, size_t i, uint64_t *value);

/* -------------------------------------------------------------- control of running devices */

/*
 * Through the UAPI socket /var/run/wireguard/IFNAME.sock of a running device (wgcd,
 * wireguard-go and other userspace implementations; the kernel module has none). -ENOENT when
 * no such interface answers; a daemon that stalls gives -ETIMEDOUT within 5 seconds. All
 * thread-safe.
 */
struct wgc_names;

/* The interfaces whose sockets answer, sorted. */
int wgc_control_list(struct wgc_names **out);
size_t wgc_names_count(const struct wgc_names *names);
const char *wgc_names_at(const struct wgc_names *names, size_t i);
void wgc_names_free(struct wgc_names *names);

int wgc_control_get(const char *ifname, struct wgc_config **out);
/* Applied as the daemon applies a set (wgcd: whole or not at all); its errno is returned. */
int wgc_control_set(const char *ifname, const struct wgc_config *config);

#ifdef __cplusplus
}
#endif

#endif
