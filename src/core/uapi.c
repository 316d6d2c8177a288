/* UAPI "set" parsing into the configuration model, and "get" rendering from it. */
#include "core/uapi.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/echo.h"
#include "core/key.h"
#include "core/parse.h"
#include "crypto/secret.h"

void wg_uapi_parser_init(struct wg_uapi_parser *parser, struct wg_config_device *config)
{
	memset(parser, 0, sizeof(*parser));
	parser->config = config;
}

static const char *const device_keys[] = {
	"private_key", "listen_port", "fwmark", "replace_peers", "tcp_listen_port", "udp_probe_interval",
	"probe_interval",
};
static const char *const peer_keys[] = {
	"remove", "update_only", "replace_allowed_ips", "preshared_key", "endpoint",
	"persistent_keepalive_interval", "allowed_ip", "protocol_version", "transport", "tcp_endpoint",
	"probe",
};
static const char *const get_only_keys[] = {
	"last_handshake_time_sec", "last_handshake_time_nsec", "rx_bytes", "tx_bytes", "transport_active",
	"transport_reason", "udp_endpoint",
};

static const char *const transport_modes[] = { "udp", "tcp", "auto" };
static const char *const transport_reasons[] = { "configured", "udp-unanswered", "udp-answered", "peer-chose" };

const char *wg_uapi_transport_mode_name(enum wg_transport_mode mode)
{
	return (unsigned)mode < 3 ? transport_modes[mode] : "udp";
}

bool wg_uapi_parse_transport_mode(const char *text, enum wg_transport_mode *mode)
{
	for (unsigned i = 0; i < 3; ++i)
		if (!strcmp(text, transport_modes[i])) {
			*mode = (enum wg_transport_mode)i;
			return true;
		}
	return false;
}

const char *wg_uapi_transport_reason_name(enum wg_transport_reason reason)
{
	return (unsigned)reason < 4 ? transport_reasons[reason] : "configured";
}

#define in_list(key, list) in_list_(key, list, sizeof(list) / sizeof((list)[0]))

static bool in_list_(const char *key, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; ++i)
		if (!strcmp(key, list[i]))
			return true;
	return false;
}

static int fail(struct wg_uapi_parser *parser, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct wg_uapi_parser *parser, int error, const char *fmt, ...)
{
	int n = snprintf(parser->message, sizeof(parser->message), "line %u: ", parser->line);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(parser->message + n, sizeof(parser->message) - (size_t)n, fmt, ap);
	va_end(ap);
	parser->error = error;
	return error;
}

static bool parse_true(const char *value)
{
	return !strcmp(value, "true");
}

static bool parse_allowedip(struct wg_config_allowedip *a, const char *value)
{
	memset(a, 0, sizeof(*a));
	if (*value == '-') {
		a->remove = true;
		++value;
	}
	return wg_parse_prefix(value, false, &a->family, a->addr, &a->cidr);
}

/* The keys of wgc's own extensions (a stock `wg` never sends them). 1: not one of them. */
static int device_extension_key(struct wg_uapi_parser *p, const char *key, const char *value)
{
	struct wg_config_device *c = p->config;
	unsigned long long n;

	if (!strcmp(key, "tcp_listen_port")) {
		if (!wg_parse_decimal(value, 65535, &n))
			return fail(p, -EINVAL, "tcp_listen_port: \"%.32s\" is not a port number (0-65535)", value);
		c->tcp_listen_port = (uint16_t)n;
		c->flags |= WG_DEVICE_HAS_TCP_LISTEN_PORT;
	} else if (!strcmp(key, "udp_probe_interval")) {
		if (!wg_parse_decimal(value, 86400, &n) || !n)
			return fail(p, -EINVAL, "udp_probe_interval: \"%.32s\" is not 1-86400 seconds", value);
		c->udp_probe_interval = (uint32_t)n;
		c->flags |= WG_DEVICE_HAS_UDP_PROBE_INTERVAL;
	} else if (!strcmp(key, "probe_interval")) {
		if (!wg_parse_decimal(value, WG_ECHO_INTERVAL_MAX, &n) || !n)
			return fail(p, -EINVAL, "probe_interval: \"%.32s\" is not 1-%d seconds", value, WG_ECHO_INTERVAL_MAX);
		c->probe_interval = (uint32_t)n;
		c->flags |= WG_DEVICE_HAS_PROBE_INTERVAL;
	} else {
		return 1;
	}
	return 0;
}

/* AmneziaWG's keys (obfuscation.h). amneziawg-go's clients send them after the peers too, so
 * they are the device's wherever they come. 1: not one of them. */
static int obfuscation_key(struct wg_uapi_parser *p, const char *key, const char *value)
{
	int which = wg_obfuscation_uapi_key(key);
	char why[sizeof(p->message) - 16];
	int ret;

	if (which < 0)
		return 1;
	ret = wg_obfuscation_parse(&p->config->obfuscation, (enum wg_obfuscation_key)which, value, why, sizeof(why));
	if (ret == -ENOMEM)
		return fail(p, ret, "%s: out of memory", key);
	return ret ? fail(p, ret, "%s", why) : 0;
}

static int device_key(struct wg_uapi_parser *p, const char *key, const char *value)
{
	struct wg_config_device *c = p->config;
	unsigned long long n;

	if (!strcmp(key, "private_key")) {
		if (!wg_key_from_hex(c->private_key, value))
			return fail(p, -EINVAL, "private_key: expected 64 hex digits (got %zu characters)",
				    strlen(value));
		c->flags |= WG_DEVICE_HAS_PRIVATE_KEY;
	} else if (!strcmp(key, "listen_port")) {
		if (!wg_parse_decimal(value, 65535, &n))
			return fail(p, -EINVAL, "listen_port: \"%.32s\" is not a port number (0-65535)", value);
		c->listen_port = (uint16_t)n;
		c->flags |= WG_DEVICE_HAS_LISTEN_PORT;
	} else if (!strcmp(key, "fwmark")) {
		if (!wg_parse_decimal(value, UINT32_MAX, &n))
			return fail(p, -EINVAL, "fwmark: \"%.32s\" is not a number (0-4294967295)", value);
		c->fwmark = (uint32_t)n;
		c->flags |= WG_DEVICE_HAS_FWMARK;
	} else if (!strcmp(key, "replace_peers")) {
		if (!parse_true(value))
			return fail(p, -EINVAL, "replace_peers: only \"true\" is valid, not \"%.32s\"", value);
		c->flags |= WG_DEVICE_REPLACE_PEERS;
	} else {
		return device_extension_key(p, key, value);
	}
	return 0;
}

static int peer_flag(struct wg_uapi_parser *p, const char *key, const char *value, unsigned flag)
{
	if (!parse_true(value))
		return fail(p, -EINVAL, "%s: only \"true\" is valid, not \"%.32s\"", key, value);
	p->peer->flags |= flag;
	return 0;
}

static int peer_extension_key(struct wg_uapi_parser *p, const char *key, const char *value)
{
	struct wg_config_peer *peer = p->peer;

	if (!strcmp(key, "transport")) {
		if (!wg_uapi_parse_transport_mode(value, &peer->transport_mode))
			return fail(p, -EINVAL, "transport: \"%.32s\" is not udp, tcp or auto", value);
		peer->flags |= WG_PEER_HAS_TRANSPORT;
	} else if (!strcmp(key, "tcp_endpoint")) {
		if (wg_endpoint_parse(&peer->tcp_endpoint, value))
			return fail(p, -EINVAL, "tcp_endpoint: \"%.64s\" is not IP:port or [IPv6]:port", value);
		peer->tcp_endpoint.transport = WG_TRANSPORT_TCP;
		peer->flags |= WG_PEER_HAS_TCP_ENDPOINT;
	} else if (!strcmp(key, "probe")) {
		if (!wg_uapi_parse_probe(value, &peer->probe))
			return fail(p, -EINVAL, "probe: \"%.64s\" is not an IPv4 or IPv6 address (or empty for none)", value);
		peer->flags |= WG_PEER_HAS_PROBE;
	} else {
		return 1;
	}
	return 0;
}

static int peer_key(struct wg_uapi_parser *p, const char *key, const char *value)
{
	struct wg_config_peer *peer = p->peer;
	struct wg_config_allowedip a;
	unsigned long long n;

	if (!strcmp(key, "remove"))
		return peer_flag(p, key, value, WG_PEER_REMOVE_ME);
	if (!strcmp(key, "update_only"))
		return peer_flag(p, key, value, WG_PEER_UPDATE_ONLY);
	if (!strcmp(key, "replace_allowed_ips"))
		return peer_flag(p, key, value, WG_PEER_REPLACE_ALLOWEDIPS);
	if (!strcmp(key, "preshared_key")) {
		if (!wg_key_from_hex(peer->preshared_key, value))
			return fail(p, -EINVAL, "preshared_key: expected 64 hex digits (got %zu characters)",
				    strlen(value));
		peer->flags |= WG_PEER_HAS_PRESHARED_KEY;
	} else if (!strcmp(key, "endpoint")) {
		if (wg_endpoint_parse(&peer->endpoint, value))
			return fail(p, -EINVAL, "endpoint: \"%.64s\" is not IP:port or [IPv6]:port", value);
		peer->flags |= WG_PEER_HAS_ENDPOINT;
	} else if (!strcmp(key, "persistent_keepalive_interval")) {
		if (!wg_parse_decimal(value, 65535, &n))
			return fail(p, -EINVAL, "persistent_keepalive_interval: \"%.32s\" is not 0-65535 seconds",
				    value);
		peer->persistent_keepalive_interval = (uint16_t)n;
		peer->flags |= WG_PEER_HAS_PERSISTENT_KEEPALIVE_INTERVAL;
	} else if (!strcmp(key, "allowed_ip")) {
		if (!parse_allowedip(&a, value))
			return fail(p, -EINVAL, "allowed_ip: \"%.64s\" is not [-]IP/prefix-length", value);
		if (wg_config_add_allowedip(peer, &a))
			return fail(p, -ENOMEM, "allowed_ip: out of memory");
	} else if (!strcmp(key, "protocol_version")) {
		if (strcmp(value, "1"))
			return fail(p, -EINVAL, "protocol_version: only 1 is known, not \"%.32s\"", value);
	} else {
		return peer_extension_key(p, key, value);
	}
	return 0;
}

static int start_peer(struct wg_uapi_parser *p, const char *value)
{
	uint8_t public_key[WG_KEY_LEN];

	if (!wg_key_from_hex(public_key, value))
		return fail(p, -EINVAL, "public_key: \"%.70s\" is not 64 hex digits", value);
	p->peer = wg_config_add_peer(p->config, public_key);
	return p->peer ? 0 : fail(p, -ENOMEM, "public_key: out of memory");
}

int wg_uapi_parse_line(struct wg_uapi_parser *parser, const char *line)
{
	char key[32];
	const char *equals = strchr(line, '=');
	const char *value;
	int ret;

	++parser->line;
	if (parser->error)
		return parser->error;
	/* A line that is not key=value at all is a protocol error, as wireguard-go answers it. */
	if (!equals)
		return fail(parser, -EPROTO, "expected key=value, got \"%.40s\"", line);
	if (equals == line || (size_t)(equals - line) >= sizeof(key))
		return fail(parser, -EINVAL, "no such key in \"%.40s\"", line);
	memcpy(key, line, (size_t)(equals - line));
	key[equals - line] = '\0';
	value = equals + 1;

	if (!strcmp(key, "public_key"))
		return start_peer(parser, value);
	ret = obfuscation_key(parser, key, value);
	if (ret != 1)
		return ret;
	ret = parser->peer ? peer_key(parser, key, value) : device_key(parser, key, value);
	if (ret != 1)
		return ret;
	if (!parser->peer && in_list(key, peer_keys))
		return fail(parser, -EINVAL, "%s: a peer key, but no public_key line came before it", key);
	if (parser->peer && in_list(key, device_keys))
		return fail(parser, -EINVAL, "%s: a device key, but it follows a peer's public_key", key);
	if (in_list(key, get_only_keys))
		return fail(parser, -EINVAL, "%s: reported by get, cannot be set", key);
	return fail(parser, -EINVAL, "unknown key \"%s\"", key);
}

int wg_uapi_parse_text(struct wg_uapi_parser *parser, const char *text, size_t len)
{
	char line[WG_UAPI_LINE_MAX + 1];

	while (len && !parser->error) {
		const char *end = memchr(text, '\n', len);
		size_t n = end ? (size_t)(end - text) : len;

		if (n > WG_UAPI_LINE_MAX) {
			++parser->line;
			return fail(parser, -EINVAL, "longer than %d characters", WG_UAPI_LINE_MAX);
		}
		if (memchr(text, '\0', n)) {
			++parser->line;
			return fail(parser, -EINVAL, "contains a NUL byte");
		}
		memcpy(line, text, n);
		line[n] = '\0';
		wg_uapi_parse_line(parser, line);
		text += n + (end != NULL);
		len -= n + (end != NULL);
	}
	return parser->error;
}

/* A growing NUL-terminated text; on allocation failure it is wiped and freed, and stays NULL. */
struct text {
	char *buf;
	size_t len, cap;
};

static void append(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void append(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!t->buf)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < t->cap - t->len)
			break;
		/* Grow by hand so the old buffer, which may hold a key, is wiped rather than abandoned. */
		char *grown = n < 0 ? NULL : malloc(2 * t->cap + (size_t)n);
		if (grown)
			memcpy(grown, t->buf, t->len + 1);
		wg_secret_wipe(t->buf, t->cap);
		free(t->buf);
		t->buf = grown;
		if (!grown)
			return;
		t->cap = 2 * t->cap + (size_t)n;
	}
	t->len += (size_t)n;
}

static void append_key(struct text *t, const char *name, const uint8_t key[WG_KEY_LEN])
{
	char hex[WG_KEY_HEX_LEN + 1];

	wg_key_to_hex(hex, key);
	append(t, "%s=%s\n", name, hex);
	wg_secret_wipe(hex, sizeof(hex));
}

/* Only what is present: a device that uses no extension answers as wireguard-go does. */
static void append_peer_extensions(struct text *t, const struct wg_config_peer *peer)
{
	char endpoint[WG_ENDPOINT_TEXT_MAX];

	if (peer->flags & WG_PEER_HAS_TRANSPORT)
		append(t, "transport=%s\n", wg_uapi_transport_mode_name(peer->transport_mode));
	if (peer->flags & WG_PEER_HAS_TCP_ENDPOINT) {
		wg_endpoint_format(&peer->tcp_endpoint, endpoint);
		append(t, "tcp_endpoint=%s\n", endpoint);
	}
	if (peer->flags & WG_PEER_HAS_TRANSPORT_STATE)
		append(t, "transport_active=%s\ntransport_reason=%s\n",
		       peer->transport_active == WG_TRANSPORT_TCP ? "tcp" : "udp",
		       wg_uapi_transport_reason_name(peer->transport_reason));
	if (peer->flags & WG_PEER_HAS_UDP_ENDPOINT) {
		wg_endpoint_format(&peer->udp_endpoint, endpoint);
		append(t, "udp_endpoint=%s\n", endpoint);
	}
	if ((peer->flags & WG_PEER_HAS_PROBE) && peer->probe.family) {
		inet_ntop(peer->probe.family, peer->probe.addr, endpoint, sizeof(endpoint));
		append(t, "probe=%s\n", endpoint);
	}
}

static void append_peer(struct text *t, const struct wg_config_peer *peer)
{
	char endpoint[WG_ENDPOINT_TEXT_MAX], addr[INET6_ADDRSTRLEN];

	append_key(t, "public_key", peer->public_key);
	append_key(t, "preshared_key", peer->preshared_key);
	append(t, "protocol_version=1\n");
	if (peer->flags & WG_PEER_HAS_ENDPOINT) {
		wg_endpoint_format(&peer->endpoint, endpoint);
		append(t, "endpoint=%s\n", endpoint);
	}
	append(t, "last_handshake_time_sec=%llu\nlast_handshake_time_nsec=%llu\n",
	       (unsigned long long)peer->last_handshake_time_sec, (unsigned long long)peer->last_handshake_time_nsec);
	append(t, "tx_bytes=%llu\nrx_bytes=%llu\n", (unsigned long long)peer->tx_bytes,
	       (unsigned long long)peer->rx_bytes);
	append(t, "persistent_keepalive_interval=%u\n", peer->persistent_keepalive_interval);
	append_peer_extensions(t, peer);
	for (size_t i = 0; i < peer->num_allowedips; ++i) {
		const struct wg_config_allowedip *a = &peer->allowedips[i];

		inet_ntop(a->family, a->addr, addr, sizeof(addr));
		append(t, "allowed_ip=%s/%u\n", addr, a->cidr);
	}
}

/* As amneziawg-go: the numbers that are set, h1..h4 always, the signatures that are set; and
 * nothing at all for a device that is not obfuscated. */
static void append_obfuscation_key(void *ctx, enum wg_obfuscation_key key, const char *value)
{
	append(ctx, "%s=%s\n", wg_obfuscation_key_name(key), value);
}

bool wg_uapi_parse_probe(const char *text, struct wg_config_probe *out)
{
	memset(out, 0, sizeof(*out));
	if (!*text)
		return true;
	if (inet_pton(AF_INET, text, out->addr) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, text, out->addr) == 1)
		out->family = AF_INET6;
	return out->family != 0;
}

char *wg_uapi_format(const struct wg_config_device *config, size_t *len)
{
	struct text t = { .buf = malloc(1024), .cap = 1024 };

	if (!t.buf)
		return NULL;
	t.buf[0] = '\0';
	/* wireguard-go's order, with zero device values left out. */
	if ((config->flags & WG_DEVICE_HAS_PRIVATE_KEY) && !wg_secret_is_zero(config->private_key, WG_KEY_LEN))
		append_key(&t, "private_key", config->private_key);
	if (config->listen_port)
		append(&t, "listen_port=%u\n", config->listen_port);
	if (config->fwmark)
		append(&t, "fwmark=%u\n", config->fwmark);
	wg_obfuscation_each_listed(&config->obfuscation.set, append_obfuscation_key, &t);
	if (config->flags & WG_DEVICE_HAS_TCP_LISTEN_PORT)
		append(&t, "tcp_listen_port=%u\n", config->tcp_listen_port);
	if (config->flags & WG_DEVICE_HAS_UDP_PROBE_INTERVAL)
		append(&t, "udp_probe_interval=%u\n", config->udp_probe_interval);
	if (config->flags & WG_DEVICE_HAS_PROBE_INTERVAL)
		append(&t, "probe_interval=%u\n", config->probe_interval);
	for (const struct wg_config_peer *peer = config->first_peer; peer; peer = peer->next)
		append_peer(&t, peer);
	if (t.buf)
		*len = t.len;
	return t.buf;
}
