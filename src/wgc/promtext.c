/* Prometheus text exposition of interfaces, their peers and monitoring (promtext.h). */
#include "wgc/promtext.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>

#include "core/key.h"
#include "wgc/show.h"

/* A label value with \, " and newline escaped, as the format requires. */
static void label_value(FILE *out, const char *text)
{
	for (; *text; ++text) {
		if (*text == '\\' || *text == '"')
			fputc('\\', out);
		if (*text == '\n')
			fputs("\\n", out);
		else
			fputc(*text, out);
	}
}

static void family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The labels of a peer's sample: interface, public_key and (MindFlavor's exporter) allowed_ips,
 * or device and public_key (mdlayher's). */
enum label_style { OURS, MINDFLAVOR, MDLAYHER };

static void peer_labels(FILE *out, const char *ifname, const struct wg_config_peer *peer, enum label_style style)
{
	char key[WG_KEY_BASE64_LEN + 1], addr[INET6_ADDRSTRLEN];
	bool allowed_ips = style == MINDFLAVOR;

	wg_key_to_base64(key, peer->public_key);
	fputs(style == MDLAYHER ? "{device=\"" : "{interface=\"", out);
	label_value(out, ifname);
	fprintf(out, "\",public_key=\"%s\"", key);
	if (allowed_ips) {
		fputs(",allowed_ips=\"", out);
		for (size_t i = 0; i < peer->num_allowedips; ++i) {
			inet_ntop(peer->allowedips[i].family, peer->allowedips[i].addr, addr, sizeof(addr));
			fprintf(out, "%s%s/%u", i ? "," : "", addr, peer->allowedips[i].cidr);
		}
		fputc('"', out);
	}
}

/* ------------------------------------------------------------- the exporters' own families */

static double sent_bytes(const struct wg_config_peer *peer)
{
	return (double)peer->tx_bytes;
}

static double received_bytes(const struct wg_config_peer *peer)
{
	return (double)peer->rx_bytes;
}

static double latest_handshake(const struct wg_config_peer *peer)
{
	return (double)peer->last_handshake_time_sec + (double)peer->last_handshake_time_nsec / 1e9;
}

static const struct {
	const char *name, *type, *help;
	double (*value)(const struct wg_config_peer *peer);
	enum label_style labels;
} exporter_families[] = {
	/* MindFlavor's prometheus_wireguard_exporter */
	{ "wireguard_sent_bytes_total", "counter", "Bytes sent to the peer", sent_bytes, MINDFLAVOR },
	{ "wireguard_received_bytes_total", "counter", "Bytes received from the peer", received_bytes, MINDFLAVOR },
	{ "wireguard_latest_handshake_seconds", "gauge", "Unix time of the latest handshake (0: none)",
	  latest_handshake, MINDFLAVOR },
	/* mdlayher's wireguard_exporter */
	{ "wireguard_peer_transmit_bytes_total", "counter", "Bytes transmitted to the peer", sent_bytes, MDLAYHER },
	{ "wireguard_peer_receive_bytes_total", "counter", "Bytes received from the peer", received_bytes, MDLAYHER },
	{ "wireguard_peer_last_handshake_seconds", "gauge", "Unix time of the last handshake with the peer",
	  latest_handshake, MDLAYHER },
};

static void write_exporter_families(FILE *out, const struct wgc_prom_interface *ifs, size_t count)
{
	for (size_t f = 0; f < sizeof(exporter_families) / sizeof(exporter_families[0]); ++f) {
		family(out, exporter_families[f].name, exporter_families[f].type, exporter_families[f].help);
		for (size_t i = 0; i < count; ++i) {
			for (const struct wg_config_peer *peer = ifs[i].device->first_peer; peer; peer = peer->next) {
				fputs(exporter_families[f].name, out);
				peer_labels(out, ifs[i].ifname, peer, exporter_families[f].labels);
				fprintf(out, "} %.17g\n", exporter_families[f].value(peer));
			}
		}
	}
}

/* -------------------------------------------------------------------- ours, per peer */

#define NS(x) ((double)(x) / 1e9)

static double m_since(const struct wg_monitor_peer_report *p) { return NS(p->state_since_wall); }
static double m_handshakes(const struct wg_monitor_peer_report *p) { return (double)p->handshakes; }
static double m_failures(const struct wg_monitor_peer_report *p) { return (double)p->handshake_failures; }
static double m_latency(const struct wg_monitor_peer_report *p) { return NS(p->latency_last); }
static double m_latency_min(const struct wg_monitor_peer_report *p) { return NS(p->latency_min); }
static double m_latency_avg(const struct wg_monitor_peer_report *p) { return NS(p->latency_avg); }
static double m_latency_max(const struct wg_monitor_peer_report *p) { return NS(p->latency_max); }
static double m_rtt(const struct wg_monitor_peer_report *p) { return NS(wgc_show_rtt(p)); }
static double m_handshake_rtt(const struct wg_monitor_peer_report *p) { return NS(p->handshake_rtt); }
static double m_probe_rtt(const struct wg_monitor_peer_report *p) { return NS(p->probe_rtt_last); }
static double m_probe_sent(const struct wg_monitor_peer_report *p) { return (double)p->probe_sent; }
static double m_probe_lost(const struct wg_monitor_peer_report *p) { return (double)p->probe_lost; }

static double m_probe_loss_ratio(const struct wg_monitor_peer_report *p)
{
	double ratio = wgc_show_probe_loss_ratio(p);

	return ratio < 0 ? 0 : ratio;
}
static double m_rx_packets(const struct wg_monitor_peer_report *p) { return (double)p->rx_messages; }
static double m_tx_packets(const struct wg_monitor_peer_report *p) { return (double)p->tx_messages; }
static double m_lost(const struct wg_monitor_peer_report *p) { return (double)p->rx_lost; }
static double m_late(const struct wg_monitor_peer_report *p) { return (double)p->rx_late; }
static double m_replayed(const struct wg_monitor_peer_report *p) { return (double)p->rx_replayed; }
static double m_rx_rate(const struct wg_monitor_peer_report *p) { return (double)p->rates.rx_bps / 8; }
static double m_tx_rate(const struct wg_monitor_peer_report *p) { return (double)p->rates.tx_bps / 8; }

static double m_loss_ratio(const struct wg_monitor_peer_report *p)
{
	double ratio = wgc_show_loss_ratio(p);

	return ratio < 0 ? 0 : ratio;
}

static const struct {
	const char *name, *type, *help;
	double (*value)(const struct wg_monitor_peer_report *peer);
} peer_families[] = {
	{ "wgc_peer_state_since_seconds", "gauge", "Unix time the peer entered its state", m_since },
	{ "wgc_handshakes_total", "counter", "Handshakes completed", m_handshakes },
	{ "wgc_handshake_failures_total", "counter", "Initiations that went unanswered", m_failures },
	{ "wgc_handshake_latency_seconds", "gauge", "Latest handshake we started, initiation to response (0: none)",
	  m_latency },
	{ "wgc_handshake_latency_min_seconds", "gauge", "Fastest handshake we started", m_latency_min },
	{ "wgc_handshake_latency_avg_seconds", "gauge", "Mean of the handshakes we started", m_latency_avg },
	{ "wgc_handshake_latency_max_seconds", "gauge", "Slowest handshake we started", m_latency_max },
	{ "wgc_rtt_seconds", "gauge", "Round trip: the latest echo probe's, else the latest handshake's (0: unknown)",
	  m_rtt },
	{ "wgc_handshake_rtt_seconds", "gauge", "Round trip of the latest handshake, either role", m_handshake_rtt },
	{ "wgc_probe_rtt_seconds", "gauge", "Round trip of the latest answered echo probe (0: none)", m_probe_rtt },
	{ "wgc_probe_sent_total", "counter", "Echo probes sent through the tunnel", m_probe_sent },
	{ "wgc_probe_lost_total", "counter", "Echo probes not answered within 5 s", m_probe_lost },
	{ "wgc_probe_loss_ratio", "gauge", "Lost over settled echo probes", m_probe_loss_ratio },
	{ "wgc_received_packets_total", "counter", "Data messages received, keepalives included", m_rx_packets },
	{ "wgc_sent_packets_total", "counter", "Data messages sent, keepalives included", m_tx_packets },
	{ "wgc_received_lost_packets_total", "counter",
	  "Messages the peer sent that had not arrived when 64-128 newer ones had", m_lost },
	{ "wgc_received_late_packets_total", "counter", "Of those counted lost, the ones that came later", m_late },
	{ "wgc_received_replayed_packets_total", "counter", "Duplicates and replays dropped", m_replayed },
	{ "wgc_rx_loss_ratio", "gauge", "Lost over lost and received, since the peer was added", m_loss_ratio },
	{ "wgc_received_bytes_per_second", "gauge", "Inbound throughput over the last second", m_rx_rate },
	{ "wgc_sent_bytes_per_second", "gauge", "Outbound throughput over the last second", m_tx_rate },
};

/* Calls back for each monitored peer of each interface, with its configuration's entry. */
#define FOR_EACH_MONITORED_PEER(ifs, count, i, peer, m)                                                           \
	for (size_t i = 0; i < (count); ++i)                                                                        \
		for (const struct wg_config_peer *peer = (ifs)[i].device->first_peer; peer; peer = peer->next)        \
			for (const struct wg_monitor_peer_report *m = wgc_show_monitor_peer((ifs)[i].monitor,           \
											    peer->public_key);      \
			     m; m = NULL)

static void write_peer_families(FILE *out, const struct wgc_prom_interface *ifs, size_t count)
{
	family(out, "wgc_peer_state", "gauge", "1 for the state the peer is in, 0 for the others");
	FOR_EACH_MONITORED_PEER(ifs, count, i, peer, m) {
		for (unsigned s = 0; s < WG_STATE_COUNT; ++s) {
			fputs("wgc_peer_state", out);
			peer_labels(out, ifs[i].ifname, peer, OURS);
			fprintf(out, ",state=\"%s\"} %d\n", wg_peer_state_name((enum wg_peer_state)s), m->state == s);
		}
	}
	for (size_t f = 0; f < sizeof(peer_families) / sizeof(peer_families[0]); ++f) {
		family(out, peer_families[f].name, peer_families[f].type, peer_families[f].help);
		FOR_EACH_MONITORED_PEER(ifs, count, i, peer, m) {
			fputs(peer_families[f].name, out);
			peer_labels(out, ifs[i].ifname, peer, OURS);
			fprintf(out, "} %.17g\n", peer_families[f].value(m));
		}
	}
}

/* ---------------------------------------------------------------- ours, per interface */

static void interface_label(FILE *out, const char *ifname)
{
	fputs("{interface=\"", out);
	label_value(out, ifname);
	fputc('"', out);
}

static void write_peer_counts(FILE *out, const struct wgc_prom_interface *ifs, size_t count)
{
	family(out, "wgc_peers", "gauge", "Peers in each state");
	for (size_t i = 0; i < count; ++i) {
		for (unsigned s = 0; ifs[i].monitor && s < WG_STATE_COUNT; ++s) {
			unsigned n = 0;

			for (size_t p = 0; p < ifs[i].monitor->peer_count; ++p)
				n += ifs[i].monitor->peers[p].state == s;
			fputs("wgc_peers", out);
			interface_label(out, ifs[i].ifname);
			fprintf(out, ",state=\"%s\"} %u\n", wg_peer_state_name((enum wg_peer_state)s), n);
		}
	}
	family(out, "wgc_peers_connected", "gauge", "Peers with a live session (connected or rekeying)");
	for (size_t i = 0; i < count; ++i) {
		unsigned n = 0;

		if (!ifs[i].monitor)
			continue;
		for (size_t p = 0; p < ifs[i].monitor->peer_count; ++p)
			n += ifs[i].monitor->peers[p].state == WG_STATE_CONNECTED ||
			     ifs[i].monitor->peers[p].state == WG_STATE_REKEYING;
		fputs("wgc_peers_connected", out);
		interface_label(out, ifs[i].ifname);
		fprintf(out, "} %u\n", n);
	}
}

/* A device counter's family: gauges stay as named, nanoseconds become seconds, the rest are
 * counters with _total. */
static void counter_family_name(char *buf, size_t size, const char *counter, bool *gauge, double *scale)
{
	size_t len = strlen(counter);

	*gauge = !strcmp(counter, "tcp_connections");
	*scale = 1;
	if (len > 3 && !strcmp(counter + len - 3, "_ns")) {
		snprintf(buf, size, "wgc_device_%.*s_seconds_total", (int)(len - 3), counter);
		*scale = 1e-9;
	} else {
		snprintf(buf, size, *gauge ? "wgc_device_%s" : "wgc_device_%s_total", counter);
	}
}

static bool counter_seen_before(const struct wgc_prom_interface *ifs, size_t upto, size_t in, size_t c)
{
	const char *name = ifs[in].monitor->counters[c].name;

	for (size_t i = 0; i < upto; ++i)
		for (size_t k = 0; ifs[i].monitor && k < ifs[i].monitor->counter_count; ++k)
			if (!strcmp(ifs[i].monitor->counters[k].name, name))
				return true;
	for (size_t k = 0; k < c; ++k)
		if (!strcmp(ifs[in].monitor->counters[k].name, name))
			return true;
	return false;
}

static void write_device_counter(FILE *out, const struct wgc_prom_interface *ifs, size_t count, const char *name)
{
	char family_name[96];
	bool gauge;
	double scale;

	counter_family_name(family_name, sizeof(family_name), name, &gauge, &scale);
	family(out, family_name, gauge ? "gauge" : "counter", "A device counter of wgcd's (docs/monitoring.md)");
	for (size_t i = 0; i < count; ++i) {
		for (size_t k = 0; ifs[i].monitor && k < ifs[i].monitor->counter_count; ++k) {
			if (strcmp(ifs[i].monitor->counters[k].name, name))
				continue;
			fputs(family_name, out);
			interface_label(out, ifs[i].ifname);
			fprintf(out, "} %.17g\n", (double)ifs[i].monitor->counters[k].value * scale);
			break;
		}
	}
}

void wgc_prom_write(FILE *out, const struct wgc_prom_interface *ifs, size_t count)
{
	write_exporter_families(out, ifs, count);
	write_peer_families(out, ifs, count);
	write_peer_counts(out, ifs, count);
	for (size_t i = 0; i < count; ++i)
		for (size_t c = 0; ifs[i].monitor && c < ifs[i].monitor->counter_count; ++c)
			if (!counter_seen_before(ifs, i, i, c))
				write_device_counter(out, ifs, count, ifs[i].monitor->counters[c].name);
}
