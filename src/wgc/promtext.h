/*
 * Prometheus text exposition (version 0.0.4) of WireGuard interfaces, for `wgc metrics`.
 *
 * The names the common exporters use, so dashboards keep working: MindFlavor's
 * prometheus_wireguard_exporter's wireguard_sent_bytes_total, wireguard_received_bytes_total,
 * wireguard_latest_handshake_seconds (labelled interface, public_key, allowed_ips) and
 * mdlayher's wireguard_exporter's wireguard_peer_transmit_bytes_total,
 * wireguard_peer_receive_bytes_total, wireguard_peer_last_handshake_seconds (device,
 * public_key). Then ours, wgc_*, from a wgcd's monitoring report: per peer its
 * state, handshakes, handshake latency and round trip, messages, loss and throughput; per
 * interface peers by state, wgc_peers_connected and the device's counters. An interface whose
 * daemon has no monitoring (not a wgcd) gets the exporters' series alone.
 */
#ifndef WGC_PROMTEXT_H
#define WGC_PROMTEXT_H

#include <stddef.h>
#include <stdio.h>

#include "core/config.h"
#include "core/monitor.h"

struct wgc_prom_interface {
	const char *ifname;
	const struct wg_config_device *device;
	const struct wg_monitor_report *monitor; /* NULL: none; sorted (wgc_show_monitor_sort) */
};

/* Every family once with its HELP and TYPE, then its samples for each interface. */
void wgc_prom_write(FILE *out, const struct wgc_prom_interface *interfaces, size_t count);

#endif
