/*
 * What `wgc show` prints for one interface, from its UAPI get reply: `wg show`'s text with a
 * health line per peer, or one JSON object; and, from a wgcd, its monitoring report (state,
 * handshakes, throughput, loss, with --history the transitions). Private and preshared keys
 * never appear.
 */
#ifndef WGC_SHOW_H
#define WGC_SHOW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/config.h"
#include "core/key.h"
#include "core/monitor.h"

/* The interface's public key in base64, derived from its private key; false when it has none. */
bool wgc_show_public_key(char text[WG_KEY_BASE64_LEN + 1], const struct wg_config_device *device);

/* Which of AmneziaWG's kinds of obfuscation the device uses, as names (never the values): up
 * to four of "junk", "prefixes", "message types", "signature packets" ("junk sizes" alone for
 * Jmin/Jmax without Jc); returns how many, 0 for a device not obfuscated. */
int wgc_show_obfuscation(const struct wg_config_device *device, const char *names[4]);

struct wgc_show_view {
	uint64_t now_sec;                        /* the Unix time ages are measured against */
	const struct wg_monitor_report *monitor; /* NULL: the daemon has none (not a wgcd) */
	bool history;                            /* each peer's transitions too */
};

void wgc_show_text(FILE *out, const char *ifname, const struct wg_config_device *device,
		   const struct wgc_show_view *view);
/* `"IFNAME": { ... }`, a member of the "interfaces" object. */
void wgc_show_json(FILE *out, const char *ifname, const struct wg_config_device *device,
		   const struct wgc_show_view *view);

/* The monitoring part (showmonitor.c): the report sorted by public key (once, for the
 * lookups), the sorted report's entry for a peer (NULL: none), the lines or JSON members it
 * adds, and its inbound loss ratio (-1 before any message). */
void wgc_show_monitor_sort(struct wg_monitor_report *report);
const struct wg_monitor_peer_report *wgc_show_monitor_peer(const struct wg_monitor_report *report,
							    const uint8_t public_key[WG_KEY_LEN]);
void wgc_show_monitor_text(FILE *out, const struct wg_monitor_peer_report *peer, uint64_t now_sec, bool history);
/* peer NULL: every member, null. */
void wgc_show_monitor_json(FILE *out, const struct wg_monitor_peer_report *peer, bool history);
double wgc_show_loss_ratio(const struct wg_monitor_peer_report *peer);
/* What never arrived: judged lost, less what came late. */
uint64_t wgc_show_never_arrived(const struct wg_monitor_peer_report *peer);
/* Of the echo probes settled (answered or given up): lost; -1 without probes or before any. */
double wgc_show_probe_loss_ratio(const struct wg_monitor_peer_report *peer);
/* The round trip to show: the probes' latest when they are answered, else the handshake's. */
uint64_t wgc_show_rtt(const struct wg_monitor_peer_report *peer);

#endif
