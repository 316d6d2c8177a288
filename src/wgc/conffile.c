/* The wg-quick configuration file parser: [Interface] and [Peer] lines into the model and extras. */
#include "wgc/conffile.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/echo.h"
#include "core/key.h"
#include "core/parse.h"
#include "core/uapi.h"
#include "crypto/secret.h"
#include "libwgc/text.h"
#include "wgc/secretfile.h"

/* How a key's value is cleaned before its parser sees it. */
enum value_form {
	SQUEEZED, /* every blank removed, as `wg` reads its keys: "10.0.0.0/8, fd00::/8" */
	TRIMMED,  /* blanks only at the ends: hooks are shell text */
};

struct key_handler {
	const char *name;
	enum wgc_section section;
	enum value_form form;
	int (*parse)(struct wgc_conffile *p, const struct key_handler *h, char *value);
	int arg; /* the hook kind, for the four hooks */
};

void wgc_strlist_free(struct wgc_strlist *list)
{
	for (size_t i = 0; i < list->len; ++i)
		free(list->items[i]);
	free(list->items);
	memset(list, 0, sizeof(*list));
}

int wgc_strlist_add(struct wgc_strlist *list, const char *text)
{
	char *copy;

	if (list->len == list->cap) {
		size_t cap = list->cap ? 2 * list->cap : 4;
		char **grown = realloc(list->items, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		list->items = grown;
		list->cap = cap;
	}
	copy = strdup(text);
	if (!copy)
		return -ENOMEM;
	list->items[list->len++] = copy;
	return 0;
}

/* Room for one more element in a growing array. */
static int reserve(void **items, size_t *cap, size_t len, size_t size)
{
	size_t n = *cap ? 2 * *cap : 4;
	void *grown;

	if (len < *cap)
		return 0;
	grown = realloc(*items, n * size);
	if (!grown)
		return -ENOMEM;
	*items = grown;
	*cap = n;
	return 0;
}

void wgc_extras_init(struct wgc_extras *extras)
{
	memset(extras, 0, sizeof(*extras));
}

void wgc_extras_free(struct wgc_extras *extras)
{
	free(extras->addresses);
	wgc_strlist_free(&extras->dns_servers);
	wgc_strlist_free(&extras->dns_search);
	for (int i = 0; i < WGC_HOOK_KINDS; ++i)
		wgc_strlist_free(&extras->hooks[i]);
	for (size_t i = 0; i < extras->num_endpoints; ++i) {
		free(extras->endpoints[i].host);
		free(extras->endpoints[i].port);
	}
	free(extras->endpoints);
	free(extras->keylog);
	memset(extras, 0, sizeof(*extras));
}

/* Input quoted back to the user: bounded, and control bytes shown as '?' so a message is one line. */
static const char *quote(char out[72], const char *value)
{
	size_t i = 0;

	for (; value[i] && i < 64; ++i)
		out[i] = isprint((unsigned char)value[i]) ? value[i] : '?';
	strcpy(out + i, value[i] ? "..." : "");
	return out;
}

static int fail(struct wgc_conffile *p, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct wgc_conffile *p, const char *key, const char *fmt, ...)
{
	size_t size = sizeof(p->message);
	int n = key ? snprintf(p->message, size, "%s:%u: %s: ", p->filename, p->line, key)
		    : snprintf(p->message, size, "%s:%u: ", p->filename, p->line);
	va_list ap;

	if (n < 0 || (size_t)n >= size)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(p->message + n, size - (size_t)n, fmt, ap);
	va_end(ap);
	p->error = -EINVAL;
	return p->error;
}

static int out_of_memory(struct wgc_conffile *p, const char *key)
{
	fail(p, key, "out of memory");
	p->error = -ENOMEM;
	return p->error;
}

static bool parse_hex(const char *text, unsigned long long max, unsigned long long *out)
{
	unsigned long long n = 0;

	if (!*text)
		return false;
	for (; *text; ++text) {
		int digit = isdigit((unsigned char)*text) ? *text - '0'
			    : isxdigit((unsigned char)*text) ? tolower((unsigned char)*text) - 'a' + 10 : -1;

		if (digit < 0 || n > (max - (unsigned)digit) / 16)
			return false;
		n = n * 16 + (unsigned)digit;
	}
	*out = n;
	return true;
}

/* Items separated by commas and, where wg-quick's word splitting allows it, blanks. */
static char *next_item(char **cursor, const char *separators)
{
	char *item;

	*cursor += strspn(*cursor, separators);
	if (!**cursor)
		return NULL;
	item = *cursor;
	*cursor += strcspn(*cursor, separators);
	if (**cursor)
		*(*cursor)++ = '\0';
	return item;
}

static int parse_private_key(struct wgc_conffile *p, const struct key_handler *h, char *value)
{
	uint8_t key[WG_KEY_LEN];
	int ret = 0;

	if (wg_key_from_base64(key, value))
		memcpy(p->device->private_key, key, sizeof(key));
	else
		ret = fail(p, h->name, "not a valid base64 key");
	wg_secret_wipe(key, sizeof(key));
	return ret;
}

static int parse_listen_port(struct wgc_conffile *p, const struct key_handler *h, char *value)
{
	char q[72];
	unsigned long long n;

	if (!wg_parse_decimal(value, 65535, &n))
		return fail(p, h->name, "\"%s\" is not a port number (0-65535)", quote(q, value));
	p->device->listen_port = (uint16_t)n;
	return 0;
}

static int parse_fwmark(struct wgc_conffile *p, const struct key_handler *h, char *value)
{
	char q[72];
	unsigned long long n = 0;
	bool ok = !strcasecmp(value, "off") ||
		  ((!strncasecmp(value, "0x", 2)) ? parse_hex(value + 2, UINT32_MAX, &n)
						   : wg_parse_decimal(value, UINT32_MAX, &n));

	if (!ok)
		return fail(p, h->name, "\"%s\" is not \"off\" or a number (decimal, or hex with 0x)",
			    quote(q, value));
	p->device->fwmark = (uint32_t)n;
	return 0;
}

static int parse_address(struct wgc_conffile *p, const struct key_handler *h, char *value)
{
	struct wgc_extras *x = p->extras;
	char *cursor = value, *item, q[72];

	while ((item = next_item(&cursor, ", \t"))) {
		struct wgc_address a;

		if (!wg_parse_prefix(item, true, &a.family, a.addr, &a.cidr))
			return fail(p, h->name, "\"%s\" is not an IP address with an optional /prefix-length",
				    quote(q, item));
		if (reserve((void **)&x->addresses, &x->cap_addresses, x->num_addresses, sizeof(a)))
			return out_of_memory(p, h->name);
		x->addresses[x->num_addresses++] = a;
	}
	return 0;
}

/* A search domain: what a resolver accepts in a "search" line. */
static bool is_domain(const char *text)
{
	size_t n = strlen(text);

	return n && n <= 253 && strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") == n;
}

/* wg-quick's rule: digits and dots, or anything with a colon, is a server; the rest are domains. */
static int parse_dns(struct wgc_conffile *p, const struct key_handler *h, char *value)
{
	char *cursor = value, *item, q[72];
	uint8_t addr[16];
	int ret;

	while ((item = next_item(&cursor, ", \t"))) {
		bool looks_numeric = strspn(item, "0123456789.") == strlen(item) || strchr(item, ':');

		if (looks_numeric && inet_pton(AF_INET, item, addr) != 1 && inet_pton(AF_INET6, item, addr) != 1)
			return fail(p, h->name, "\"%s\" is not an IPv4 or IPv6 address", quote(q, item));
		if (!looks_numeric && !is_domain(item))
			return fail(p, h->name, "\"%s\" is neither an IP address nor a search domain",
				    quote(q, item));
		ret = wgc_strlist_add(looks_numeric ? &p->extras->dns_servers : &p->extras->dns_search, item);
		if (ret)
			return out_of_memory(p, h->name);
	}
	return 0;
}

static int parse_mtu(struct wgc_conffile *p, const struct key_handler *h, char *value)
{
	char q[72];
	unsigned long long n;

	if (!wg_parse_decimal(value, 65535, &n) || n < 68)
		return fail(p, h->name, "\"%s\" is not a number from 68 to 65535", quote(q, value));
	p->extras->mtu = (unsigned)n;
	return 0;
}

static int parse_table(struct wgc_conffile *p, const struct key_handler *h, char *value)
{
	struct wgc_extras *x = p->extras;
	size_t n = strlen(value);
	unsigned long long id;
	char q[72];

	if (!strcasecmp(value, "auto"))
		x->table = WGC_TABLE_AUTO;
	else if (!strcasecmp(value, "off"))
		x->table = WGC_TABLE_OFF;
	else if (wg_parse_decimal(value, UINT32_MAX, &id) ? id > 0
		 : (n < sizeof(x->table_text) && isalpha((unsigned char)value[0]) &&
		    strspn(value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n))
		x->table = WGC_TABLE_ID;
	else
		return fail(p, h->name, "\"%s\" is not auto, off, a table number (1-4294967295) or a table name",
			    quote(q, value));
	snprintf(x->table_text, sizeof(x->table_text), "%s", value);
	x->table_given = true;
	return 0;
}

static int parse_hook(struct wgc_conffile *p, const struct key_handler *h, char *value)
{
	return wgc_strlist_add(&p->extras->hooks[h->arg], value) ? out_of_memory(p, h->name) : 0;
}

static int parse_save_config(struct wgc_conffile *p, const struct key_handler *h, char *value)
{
	char q[72];

	if (!strcasecmp(value, "true"))
		p->extras->save_config = true;
	else if (!strcasecmp(value, "false"))
		p->extras->save_config = false;
	else
		return fail(p, h->name, "\"%s\" is neither true nor false", quote(q, value));
	return 0;
}

/* Our extension: wgcd's WGC_KEYLOG_FILE. Absolute, because the daemon opens it and
 * SaveConfig writes it back: a relative name would mean wherever `wgc up` happened to run. */
static int parse_keylog(struct wgc_conffile *p, const struct key_handler *h, char *value)
{
	char q[72], *copy;

	if (value[0] != '/')
		return fail(p, h->name, "\"%s\" is not an absolute path", quote(q, value));
	if (strlen(value) >= PATH_MAX)
		return fail(p, h->name, "\"%s\" is longer than a path may be", quote(q, value));
	for (const char *c = value; *c; ++c)
		if (iscntrl((unsigned char)*c))
			return fail(p, h->name, "\"%s\" has a control character in it", quote(q, value));
	copy = strdup(value);
	if (!copy)
		return out_of_memory(p, h->name);
	free(p->extras->keylog);
	p->extras->keylog = copy;
	return 0;
}

static int parse_public_key(struct wgc_conffile *p, const struct key_handler *h, char *value)
{
	if (!wg_key_from_base64(p->peer->public_key, value))
		return fail(p, h->name, "not a valid base64 key");
	p->peer_has_key = true;
	return 0;
}

static int parse_preshared_key(struct wgc_conffile *p, const struct key_handler *h, char *value)
{
	uint8_t key[WG_KEY_LEN];
	int ret = 0;

	if (wg_key_from_base64(key, value)) {
		memcpy(p->peer->preshared_key, key, sizeof(key));
		p->peer->flags |= WG_PEER_HAS_PRESHARED_KEY;
	} else {
		ret = fail(p, h->name, "not a valid base64 key");
	}
	wg_secret_wipe(key, sizeof(key));
	return ret;
}

/* An empty value is allowed here, as in `wg`: a peer that routes nothing. */
static int parse_allowed_ips(struct wgc_conffile *p, const struct key_handler *h, char *value)
{
	char *cursor = value, q[72];

	if (!*value)
		return 0;
	for (;;) {
		char *comma = strchr(cursor, ',');
		struct wg_config_allowedip a = { 0 };

		if (comma)
			*comma = '\0';
		if (!wg_parse_prefix(cursor, true, &a.family, a.addr, &a.cidr))
			return fail(p, h->name, "\"%s\" is not an IP address with an optional /prefix-length",
				    quote(q, cursor));
		if (wg_config_add_allowedip(p->peer, &a))
			return out_of_memory(p, h->name);
		if (!comma)
			return 0;
		cursor = comma + 1;
	}
}

/* "host:port", "[IPv6]:port"; a bare IPv6 address would be ambiguous about where the port starts. */
static int split_endpoint(char *value, char **host, char **port)
{
	char *colon;

	if (*value == '[') {
		char *close = strchr(value, ']');

		if (!close || close[1] != ':')
			return -EINVAL;
		*close = '\0';
		*host = value + 1;
		*port = close + 2;
		return strchr(*host, ':') ? 0 : -EINVAL;
	}
	colon = strrchr(value, ':');
	if (!colon || memchr(value, ':', (size_t)(colon - value)))
		return -EINVAL;
	*colon = '\0';
	*host = value;
	*port = colon + 1;
	return 0;
}

static bool is_host(const char *host)
{
	size_t n = strlen(host);

	return n && n <= 253 &&
	       strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:%") == n;
}

static int parse_endpoint(struct wgc_conffile *p, const struct key_handler *h, char *value)
{
	struct wgc_extras *x = p->extras;
	struct wgc_endpoint_text *e;
	unsigned long long port;
	char *host, *port_text, q[72];

	quote(q, value);
	if (split_endpoint(value, &host, &port_text) || !is_host(host))
		return fail(p, h->name, "\"%s\" is not host:port or [IPv6]:port", q);
	if (!wg_parse_decimal(port_text, 65535, &port) || !port)
		return fail(p, h->name, "\"%s\" does not end in a port number (1-65535)", q);
	/* A repeated Endpoint in one [Peer] replaces the earlier one. */
	e = NULL;
	for (size_t i = x->num_endpoints; i-- > 0 && x->endpoints[i].peer == p->peer;)
		if (x->endpoints[i].kind == (enum wgc_endpoint_kind)h->arg)
			e = &x->endpoints[i];
	if (e) {
		free(e->host);
		free(e->port);
	} else if (reserve((void **)&x->endpoints, &x->cap_endpoints, x->num_endpoints, sizeof(*e))) {
		return out_of_memory(p, h->name);
	} else {
		e = &x->endpoints[x->num_endpoints++];
	}
	*e = (struct wgc_endpoint_text){ .peer = p->peer, .host = strdup(host), .port = strdup(port_text),
					 .line = p->line, .kind = (enum wgc_endpoint_kind)h->arg };
	return e->host && e->port ? 0 : out_of_memory(p, h->name);
}

static int parse_tcp_listen_port(struct wgc_conffile *p, const struct key_handler *h, char *value)
{
	char q[72];
	unsigned long long n;

	if (!wg_parse_decimal(value, 65535, &n))
		return fail(p, h->name, "\"%s\" is not a port number (0-65535)", quote(q, value));
	p->device->tcp_listen_port = (uint16_t)n;
	p->device->flags |= WG_DEVICE_HAS_TCP_LISTEN_PORT;
	return 0;
}

static int parse_probe_interval(struct wgc_conffile *p, const struct key_handler *h, char *value)
{
	char q[72];
	unsigned long long n;

	if (!wg_parse_decimal(value, 86400, &n) || !n)
		return fail(p, h->name, "\"%s\" is not a number of seconds from 1 to 86400", quote(q, value));
	p->device->udp_probe_interval = (uint32_t)n;
	p->device->flags |= WG_DEVICE_HAS_UDP_PROBE_INTERVAL;
	return 0;
}

static int parse_echo_interval(struct wgc_conffile *p, const struct key_handler *h, char *value)
{
	char q[72];
	unsigned long long n;

	if (!wg_parse_decimal(value, WG_ECHO_INTERVAL_MAX, &n) || !n)
		return fail(p, h->name, "\"%s\" is not a number of seconds from 1 to %d", quote(q, value),
			    WG_ECHO_INTERVAL_MAX);
	p->device->probe_interval = (uint32_t)n;
	p->device->flags |= WG_DEVICE_HAS_PROBE_INTERVAL;
	return 0;
}

static int parse_probe(struct wgc_conffile *p, const struct key_handler *h, char *value)
{
	char q[72];

	if (!*value || !wg_uapi_parse_probe(value, &p->peer->probe))
		return fail(p, h->name, "\"%s\" is not an IPv4 or IPv6 address", quote(q, value));
	p->peer->flags |= WG_PEER_HAS_PROBE;
	return 0;
}

static int parse_transport(struct wgc_conffile *p, const struct key_handler *h, char *value)
{
	char q[72];

	for (char *c = value; *c; ++c)
		*c = (char)tolower((unsigned char)*c);
	if (!wg_uapi_parse_transport_mode(value, &p->peer->transport_mode))
		return fail(p, h->name, "\"%s\" is not udp, tcp or auto", quote(q, value));
	p->peer->flags |= WG_PEER_HAS_TRANSPORT;
	return 0;
}

static int parse_keepalive(struct wgc_conffile *p, const struct key_handler *h, char *value)
{
	unsigned long long n = 0;
	char q[72];

	if (strcasecmp(value, "off") && !wg_parse_decimal(value, 65535, &n))
		return fail(p, h->name, "\"%s\" is not \"off\" or seconds (0-65535)", quote(q, value));
	p->peer->persistent_keepalive_interval = (uint16_t)n;
	p->peer->flags |= WG_PEER_HAS_PERSISTENT_KEEPALIVE_INTERVAL;
	return 0;
}

/* AmneziaWG's keys, named as in its config files (Jc, S1, H1, I1, ...); the value's limits are
 * the core's (obfuscation.h). */
static int parse_obfuscation(struct wgc_conffile *p, const struct key_handler *h, char *value)
{
	char why[200];
	int ret = wg_obfuscation_parse(&p->device->obfuscation, (enum wg_obfuscation_key)h->arg, value, why,
				       sizeof(why));

	if (ret == -ENOMEM)
		return out_of_memory(p, h->name);
	p->obfuscation_lines[h->arg] = p->line;
	/* The core's message starts with the UAPI's name of the key; the file's is given instead. */
	return ret ? fail(p, h->name, "%s", why + strlen(wg_obfuscation_key_name((enum wg_obfuscation_key)h->arg)) + 2)
		   : 0;
}

static const struct key_handler *find_handler_for_obfuscation(int key);

/* The whole set's limits (Jmin < Jmax, S1 + 56 != S2, H1..H4 apart), at the line of the key
 * the message blames (its first word), by the file's name for it. */
static int check_obfuscation(struct wgc_conffile *p)
{
	struct wg_obfuscation none = { 0 }, merged;
	char why[200], name[8];
	const struct key_handler *h;
	int ret, key;

	if (!p->device->obfuscation.has)
		return 0;
	ret = wg_obfuscation_merge(&merged, &none, &p->device->obfuscation, why, sizeof(why));
	if (ret == -ENOMEM)
		return out_of_memory(p, NULL);
	if (!ret) {
		wg_obfuscation_free(&merged);
		return 0;
	}
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(why, " "), why);
	key = wg_obfuscation_key_of(name);
	h = key < 0 || !p->obfuscation_lines[key] ? NULL : find_handler_for_obfuscation(key);
	/* A key the file does not have (Jmin, when only Jc is there): the last line that set one. */
	p->line = 0;
	for (int k = 0; k < WG_OBFS_KEYS; ++k)
		if (p->obfuscation_lines[k] > p->line)
			p->line = p->obfuscation_lines[k];
	if (h)
		p->line = p->obfuscation_lines[key];
	return fail(p, h ? h->name : NULL, "%s", why);
}

static const struct key_handler handlers[] = {
	{ "PrivateKey", WGC_SECTION_INTERFACE, SQUEEZED, parse_private_key, 0 },
	{ "ListenPort", WGC_SECTION_INTERFACE, SQUEEZED, parse_listen_port, 0 },
	{ "FwMark", WGC_SECTION_INTERFACE, SQUEEZED, parse_fwmark, 0 },
	{ "Address", WGC_SECTION_INTERFACE, TRIMMED, parse_address, 0 },
	{ "DNS", WGC_SECTION_INTERFACE, TRIMMED, parse_dns, 0 },
	{ "MTU", WGC_SECTION_INTERFACE, SQUEEZED, parse_mtu, 0 },
	{ "Table", WGC_SECTION_INTERFACE, SQUEEZED, parse_table, 0 },
	{ "PreUp", WGC_SECTION_INTERFACE, TRIMMED, parse_hook, WGC_PRE_UP },
	{ "PostUp", WGC_SECTION_INTERFACE, TRIMMED, parse_hook, WGC_POST_UP },
	{ "PreDown", WGC_SECTION_INTERFACE, TRIMMED, parse_hook, WGC_PRE_DOWN },
	{ "PostDown", WGC_SECTION_INTERFACE, TRIMMED, parse_hook, WGC_POST_DOWN },
	{ "SaveConfig", WGC_SECTION_INTERFACE, SQUEEZED, parse_save_config, 0 },
	{ "KeyLog", WGC_SECTION_INTERFACE, TRIMMED, parse_keylog, 0 },
	{ "TCPListenPort", WGC_SECTION_INTERFACE, SQUEEZED, parse_tcp_listen_port, 0 },
	{ "UDPProbeInterval", WGC_SECTION_INTERFACE, SQUEEZED, parse_probe_interval, 0 },
	{ "ProbeInterval", WGC_SECTION_INTERFACE, SQUEEZED, parse_echo_interval, 0 },
	{ "Jc", WGC_SECTION_INTERFACE, SQUEEZED, parse_obfuscation, WG_OBFS_JC },
	{ "Jmin", WGC_SECTION_INTERFACE, SQUEEZED, parse_obfuscation, WG_OBFS_JMIN },
	{ "Jmax", WGC_SECTION_INTERFACE, SQUEEZED, parse_obfuscation, WG_OBFS_JMAX },
	{ "S1", WGC_SECTION_INTERFACE, SQUEEZED, parse_obfuscation, WG_OBFS_S1 },
	{ "S2", WGC_SECTION_INTERFACE, SQUEEZED, parse_obfuscation, WG_OBFS_S2 },
	{ "S3", WGC_SECTION_INTERFACE, SQUEEZED, parse_obfuscation, WG_OBFS_S3 },
	{ "S4", WGC_SECTION_INTERFACE, SQUEEZED, parse_obfuscation, WG_OBFS_S4 },
	{ "H1", WGC_SECTION_INTERFACE, SQUEEZED, parse_obfuscation, WG_OBFS_H1 },
	{ "H2", WGC_SECTION_INTERFACE, SQUEEZED, parse_obfuscation, WG_OBFS_H2 },
	{ "H3", WGC_SECTION_INTERFACE, SQUEEZED, parse_obfuscation, WG_OBFS_H3 },
	{ "H4", WGC_SECTION_INTERFACE, SQUEEZED, parse_obfuscation, WG_OBFS_H4 },
	{ "I1", WGC_SECTION_INTERFACE, TRIMMED, parse_obfuscation, WG_OBFS_I1 },
	{ "I2", WGC_SECTION_INTERFACE, TRIMMED, parse_obfuscation, WG_OBFS_I2 },
	{ "I3", WGC_SECTION_INTERFACE, TRIMMED, parse_obfuscation, WG_OBFS_I3 },
	{ "I4", WGC_SECTION_INTERFACE, TRIMMED, parse_obfuscation, WG_OBFS_I4 },
	{ "I5", WGC_SECTION_INTERFACE, TRIMMED, parse_obfuscation, WG_OBFS_I5 },
	{ "PublicKey", WGC_SECTION_PEER, SQUEEZED, parse_public_key, 0 },
	{ "PresharedKey", WGC_SECTION_PEER, SQUEEZED, parse_preshared_key, 0 },
	{ "AllowedIPs", WGC_SECTION_PEER, SQUEEZED, parse_allowed_ips, 0 },
	{ "Endpoint", WGC_SECTION_PEER, SQUEEZED, parse_endpoint, WGC_ENDPOINT_UDP },
	{ "TCPEndpoint", WGC_SECTION_PEER, SQUEEZED, parse_endpoint, WGC_ENDPOINT_TCP },
	{ "Transport", WGC_SECTION_PEER, SQUEEZED, parse_transport, 0 },
	{ "Probe", WGC_SECTION_PEER, SQUEEZED, parse_probe, 0 },
	{ "PersistentKeepalive", WGC_SECTION_PEER, SQUEEZED, parse_keepalive, 0 },
};

static const char *section_name(enum wgc_section section)
{
	return section == WGC_SECTION_PEER ? "[Peer]" : "[Interface]";
}

static char *trim(char *text)
{
	char *end;

	while (isspace((unsigned char)*text))
		++text;
	end = text + strlen(text);
	while (end > text && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return text;
}

static void squeeze(char *text)
{
	char *out = text;

	for (; *text; ++text)
		if (!isspace((unsigned char)*text))
			*out++ = *text;
	*out = '\0';
}

/* The [Peer] that just ended must have said who it is. */
static int end_section(struct wgc_conffile *p)
{
	if (p->section == WGC_SECTION_PEER && !p->peer_has_key) {
		p->line = p->peer_line;
		return fail(p, "[Peer]", "has no PublicKey");
	}
	return 0;
}

static int start_section(struct wgc_conffile *p, char *header)
{
	static const uint8_t no_key[WG_KEY_LEN];
	char q[72];

	squeeze(header);
	if (strcasecmp(header, "[Interface]") && strcasecmp(header, "[Peer]"))
		return fail(p, NULL, "unknown section \"%s\" (expected [Interface] or [Peer])", quote(q, header));
	if (end_section(p))
		return p->error;
	if (!strcasecmp(header, "[Interface]")) {
		p->section = WGC_SECTION_INTERFACE;
		return 0;
	}
	p->peer = wg_config_add_peer(p->device, no_key);
	if (!p->peer)
		return out_of_memory(p, "[Peer]");
	p->peer->flags |= WG_PEER_REPLACE_ALLOWEDIPS;
	p->section = WGC_SECTION_PEER;
	p->peer_has_key = false;
	p->peer_line = p->line;
	return 0;
}

static const struct key_handler *find_handler(const char *key)
{
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); ++i)
		if (!strcasecmp(key, handlers[i].name))
			return &handlers[i];
	return NULL;
}

static const struct key_handler *find_handler_for_obfuscation(int key)
{
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); ++i)
		if (handlers[i].parse == parse_obfuscation && handlers[i].arg == key)
			return &handlers[i];
	return NULL;
}

static bool is_word(const char *text)
{
	size_t n = strlen(text);

	return n && n <= 32 && strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

static int key_value(struct wgc_conffile *p, char *text)
{
	char *equals = strchr(text, '='), *key, *value, q[72];
	const struct key_handler *h;

	/* The line is not quoted: it may be a key without its "PrivateKey =". */
	if (!equals)
		return fail(p, NULL, "expected \"Key = Value\" or a [Section]");
	*equals = '\0';
	key = trim(text);
	value = trim(equals + 1);
	h = find_handler(key);
	/* Only a word is quoted: "KEY=" pasted alone, or "PrivateKey KEY=", would split at the '='. */
	if (!h && !is_word(key))
		return fail(p, NULL, "expected \"Key = Value\" or a [Section]");
	if (!h)
		return fail(p, NULL, "unknown key \"%s\"", quote(q, key));
	if (p->section == WGC_SECTION_NONE)
		return fail(p, h->name, "comes before any section (expected %s first)", section_name(h->section));
	if (p->section != h->section)
		return fail(p, h->name, "belongs in %s, not %s", section_name(h->section), section_name(p->section));
	if (h->form == SQUEEZED)
		squeeze(value);
	if (!*value && h->parse != parse_allowed_ips)
		return fail(p, h->name, "has no value");
	return h->parse(p, h, value);
}

void wgc_conffile_init(struct wgc_conffile *parser, const char *filename, struct wg_config_device *device,
		       struct wgc_extras *extras)
{
	memset(parser, 0, sizeof(*parser));
	parser->filename = filename;
	parser->device = device;
	parser->extras = extras;
	device->flags |= WG_DEVICE_HAS_PRIVATE_KEY | WG_DEVICE_HAS_LISTEN_PORT | WG_DEVICE_HAS_FWMARK |
			 WG_DEVICE_REPLACE_PEERS;
}

int wgc_conffile_line(struct wgc_conffile *parser, const char *line)
{
	size_t len;
	char *copy, *text;
	int ret;

	++parser->line;
	if (parser->error)
		return parser->error;
	len = strcspn(line, "#");
	copy = strndup(line, len);
	if (!copy)
		return out_of_memory(parser, NULL);
	text = trim(copy);
	ret = !*text ? 0 : *text == '[' ? start_section(parser, text) : key_value(parser, text);
	/* The copy may hold a key. */
	wg_secret_wipe(copy, len);
	free(copy);
	return ret;
}

int wgc_conffile_finish(struct wgc_conffile *parser)
{
	if (parser->error)
		return parser->error;
	return end_section(parser) ? parser->error : check_obfuscation(parser);
}

/* A configuration file larger than this is not one (and /dev/zero would never end). */
enum { CONFFILE_MAX = 64 << 20 };

/* One line for the parser; it stops the walk once it has an error. */
static int feed_line(void *ctx, char *line, size_t number)
{
	(void)number;
	return wgc_conffile_line(ctx, line) ? 1 : 0;
}

int wgc_conffile_read(const char *path, const char *filename, struct wg_config_device *device,
		      struct wgc_extras *extras, char *message, size_t message_size)
{
	struct wgc_conffile parser;
	struct wgl_text text;
	int ret;

	wg_config_init(device);
	wgc_extras_init(extras);
	wgl_text_init(&text);
	ret = wgc_secret_file_read(path, CONFFILE_MAX, &text);
	if (ret) {
		snprintf(message, message_size, "%s: %s", filename, ret == -EFBIG ? "too large for a configuration file"
										 : strerror(-ret));
		wgl_text_free(&text);
		return ret;
	}
	wgc_conffile_init(&parser, filename, device, extras);
	if (text.len)
		wgc_secret_file_lines(text.buf, text.len, feed_line, &parser);
	ret = wgc_conffile_finish(&parser);
	if (ret)
		snprintf(message, message_size, "%s", parser.message);
	wgl_text_free(&text);
	return ret;
}
