/*
 * wg-quick configuration files: what `wg setconf` reads ([Interface] and [Peer] keys) goes into
 * the core's configuration model; what wg-quick adds (Address, DNS, MTU, Table, hooks,
 * SaveConfig) and what only `wgc up` does (KeyLog) go into struct wgc_extras.
 *
 * Parsing is incremental, one line at a time, and stops at the first error. The error names
 * the file, the line and the key, and quotes the offending value, except for keys: a value
 * given to PrivateKey, PresharedKey or PublicKey is never repeated, because a private key
 * pasted into the wrong line must not end up in a terminal log.
 *
 * Endpoints are kept as text (host and port): resolving names is a separate step
 * (resolve.h), so parsing never touches the network.
 */
#ifndef WGC_CONFFILE_H
#define WGC_CONFFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"

struct wgc_strlist {
	char **items;
	size_t len, cap;
};

/* A copy of text at the end; 0 or -ENOMEM. */
int wgc_strlist_add(struct wgc_strlist *list, const char *text);
void wgc_strlist_free(struct wgc_strlist *list);

/* An interface address as `ip address add` takes it. */
struct wgc_address {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t cidr;   /* /32 or /128 when the file gave none */
	uint8_t addr[16];
};

enum wgc_endpoint_kind { WGC_ENDPOINT_UDP, WGC_ENDPOINT_TCP }; /* Endpoint, TCPEndpoint */

struct wgc_endpoint_text {
	struct wg_config_peer *peer; /* the peer this endpoint belongs to; owned by the device */
	char *host;                  /* a name, an IPv4 address, or an IPv6 address without brackets */
	char *port;                  /* decimal, 1-65535 */
	unsigned line;
	enum wgc_endpoint_kind kind;
};

enum wgc_table_mode {
	WGC_TABLE_AUTO, /* the main table, plus policy routing for default routes */
	WGC_TABLE_OFF,  /* no routes at all */
	WGC_TABLE_ID,   /* a table number or name, passed to `ip route add ... table` */
};

enum wgc_hook_kind { WGC_PRE_UP, WGC_POST_UP, WGC_PRE_DOWN, WGC_POST_DOWN, WGC_HOOK_KINDS };

struct wgc_extras {
	struct wgc_address *addresses;
	size_t num_addresses, cap_addresses;
	struct wgc_strlist dns_servers; /* numeric IPv4/IPv6 */
	struct wgc_strlist dns_search;  /* search domains */
	unsigned mtu;                   /* 0: chosen from the route to the endpoints */
	enum wgc_table_mode table;
	bool table_given;               /* Table appeared, so SaveConfig writes it back */
	char table_text[64];            /* as written; the table for WGC_TABLE_ID */
	struct wgc_strlist hooks[WGC_HOOK_KINDS];
	bool save_config;
	char *keylog;                   /* KeyLog: an absolute path for wgcd's WGC_KEYLOG_FILE, or NULL */
	struct wgc_endpoint_text *endpoints;
	size_t num_endpoints, cap_endpoints;
};

void wgc_extras_init(struct wgc_extras *extras);
void wgc_extras_free(struct wgc_extras *extras);

enum wgc_section { WGC_SECTION_NONE, WGC_SECTION_INTERFACE, WGC_SECTION_PEER };

struct wgc_conffile {
	const char *filename;        /* as it appears in messages; not owned */
	struct wg_config_device *device;
	struct wgc_extras *extras;
	enum wgc_section section;
	struct wg_config_peer *peer; /* the [Peer] being read */
	bool peer_has_key;
	unsigned peer_line;          /* where that [Peer] began */
	unsigned obfuscation_lines[WG_OBFS_KEYS]; /* where each obfuscation key was, for the set's errors */
	unsigned line;
	int error;                   /* 0, or the first error as -errno */
	char message[320];           /* "FILE:LINE: Key: what is wrong" */
};

/*
 * Starts a parse into an initialised device and extras. The device gets `wg setconf`
 * semantics: its private key, listen port and fwmark are always set (to zero when absent),
 * it replaces every peer, and each peer replaces its allowed IPs.
 */
void wgc_conffile_init(struct wgc_conffile *parser, const char *filename, struct wg_config_device *device,
		       struct wgc_extras *extras);
/* One line without its newline. 0, or -EINVAL/-ENOMEM (also for every line after an error). */
int wgc_conffile_line(struct wgc_conffile *parser, const char *line);
/* After the last line: checks what only the end can tell. 0 or the first error. */
int wgc_conffile_finish(struct wgc_conffile *parser);

/*
 * A whole file. The device and extras are initialised here and left for the caller to free,
 * also on error. On error the message (or why the file could not be read) is in message.
 */
int wgc_conffile_read(const char *path, const char *filename, struct wg_config_device *device,
		      struct wgc_extras *extras, char *message, size_t message_size);

#endif
