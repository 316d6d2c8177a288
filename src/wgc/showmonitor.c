/* What `wgc show` adds from the daemon's monitoring report (wgcd's "monitor" operation). */
#include <inttypes.h>
#include <string.h>

#include "wgc/human.h"
#include "wgc/json.h"
#include "wgc/show.h"

const struct wg_monitor_peer_report *wgc_show_monitor_peer(const struct wg_monitor_report *report,
							    const uint8_t public_key[WG_KEY_LEN])
{
	for (size_t i = 0; report && i < report->peer_count; ++i)
		if (!memcmp(report->peers[i].public_key, public_key, WG_KEY_LEN))
			return &report->peers[i];
	return NULL;
}

double wgc_show_loss_ratio(const struct wg_monitor_peer_report *peer)
{
	uint64_t expected = peer->rx_lost + peer->rx_messages;

	return expected ? (double)peer->rx_lost / (double)expected : -1;
}

/* "12.3 Mbit/s" */
static void human_bits(char *buf, size_t size, uint64_t bps)
{
	static const char *const units[] = { "bit/s", "kbit/s", "Mbit/s", "Gbit/s" };
	double value = (double)bps;
	unsigned u = 0;

	while (value >= 1000 && u < 3) {
		value /= 1000;
		++u;
	}
	snprintf(buf, size, u ? "%.2f %s" : "%.0f %s", value, units[u]);
}

static void print_transitions(FILE *out, const struct wg_monitor_peer_report *peer, uint64_t now_sec)
{
	char ago[96];

	fprintf(out, "  transitions:\n");
	for (unsigned i = 0; i < peer->transition_count; ++i) {
		const struct wg_monitor_transition_report *t = &peer->transitions[i];

		wgc_human_ago(ago, sizeof(ago), (int64_t)now_sec - (int64_t)(t->wall / 1000000000u));
		fprintf(out, "    %s: %s -> %s: %s\n", ago, wg_peer_state_name(t->from), wg_peer_state_name(t->to),
			t->reason);
	}
}

void wgc_show_monitor_text(FILE *out, const struct wg_monitor_peer_report *peer, uint64_t now_sec, bool history)
{
	char ago[96], in[32], outbound[32];
	double loss = wgc_show_loss_ratio(peer);

	wgc_human_ago(ago, sizeof(ago), (int64_t)now_sec - (int64_t)(peer->state_since_wall / 1000000000u));
	fprintf(out, "  state: %s, since %s\n", wg_peer_state_name(peer->state), ago);
	fprintf(out, "  handshakes: %" PRIu64 " completed, %" PRIu64 " unanswered", peer->handshakes,
		peer->handshake_failures);
	if (peer->latency_last)
		fprintf(out, ", latency %.1f ms (min %.1f, avg %.1f, max %.1f)", (double)peer->latency_last / 1e6,
			(double)peer->latency_min / 1e6, (double)peer->latency_avg / 1e6, (double)peer->latency_max / 1e6);
	if (peer->handshake_rtt)
		fprintf(out, ", rtt %.1f ms", (double)peer->handshake_rtt / 1e6);
	fputc('\n', out);
	human_bits(in, sizeof(in), peer->rates.rx_bps);
	human_bits(outbound, sizeof(outbound), peer->rates.tx_bps);
	fprintf(out, "  throughput: %s in, %s out", in, outbound);
	human_bits(in, sizeof(in), peer->rates.rx_bps_avg);
	human_bits(outbound, sizeof(outbound), peer->rates.tx_bps_avg);
	fprintf(out, " (10 s: %s in, %s out)\n", in, outbound);
	if (loss >= 0)
		fprintf(out, "  inbound loss: %.3f%% (%" PRIu64 " lost, %" PRIu64 " replayed)\n", loss * 100,
			peer->rx_lost, peer->rx_replayed);
	if (history)
		print_transitions(out, peer, now_sec);
}

static void json_ms(FILE *out, const char *name, uint64_t ns)
{
	if (ns)
		fprintf(out, ", \"%s\": %.3f", name, (double)ns / 1e6);
	else
		fprintf(out, ", \"%s\": null", name);
}

static void json_transitions(FILE *out, const struct wg_monitor_peer_report *peer)
{
	fprintf(out, ", \"transitions\": [");
	for (unsigned i = 0; i < peer->transition_count; ++i) {
		const struct wg_monitor_transition_report *t = &peer->transitions[i];

		fprintf(out, "%s{\"time\": %.3f, \"from\": \"%s\", \"to\": \"%s\", \"reason\": ", i ? ", " : "",
			(double)t->wall / 1e9, wg_peer_state_name(t->from), wg_peer_state_name(t->to));
		wgc_json_string(out, t->reason);
		fputc('}', out);
	}
	fputc(']', out);
}

void wgc_show_monitor_json(FILE *out, const struct wg_monitor_peer_report *peer, bool history)
{
	double loss = peer ? wgc_show_loss_ratio(peer) : -1;

	if (!peer) {
		fprintf(out, ", \"state\": null, \"state_since\": null, \"handshake_latency_ms\": null, \"rtt_ms\": null"
			     ", \"rx_loss_ratio\": null, \"probe_loss_ratio\": null, \"rx_bps\": null, \"tx_bps\": null"
			     ", \"handshakes\": null, \"handshake_failures\": null%s",
			history ? ", \"transitions\": null" : "");
		return;
	}
	fprintf(out, ", \"state\": \"%s\", \"state_since\": %.3f", wg_peer_state_name(peer->state),
		(double)peer->state_since_wall / 1e9);
	json_ms(out, "handshake_latency_ms", peer->latency_last);
	json_ms(out, "handshake_latency_min_ms", peer->latency_min);
	json_ms(out, "handshake_latency_avg_ms", peer->latency_avg);
	json_ms(out, "handshake_latency_max_ms", peer->latency_max);
	json_ms(out, "rtt_ms", peer->handshake_rtt);
	if (loss >= 0)
		fprintf(out, ", \"rx_loss_ratio\": %.6f", loss);
	else
		fprintf(out, ", \"rx_loss_ratio\": null");
	fprintf(out, ", \"probe_loss_ratio\": null, \"rx_bps\": %" PRIu64 ", \"tx_bps\": %" PRIu64
		     ", \"rx_bps_10s\": %" PRIu64 ", \"tx_bps_10s\": %" PRIu64 ", \"rx_messages\": %" PRIu64
		     ", \"tx_messages\": %" PRIu64 ", \"rx_lost\": %" PRIu64
		     ", \"rx_replayed\": %" PRIu64 ", \"handshakes\": %" PRIu64 ", \"handshake_failures\": %" PRIu64,
		peer->rates.rx_bps, peer->rates.tx_bps, peer->rates.rx_bps_avg, peer->rates.tx_bps_avg, peer->rx_messages,
		peer->tx_messages, peer->rx_lost,
		peer->rx_replayed, peer->handshakes, peer->handshake_failures);
	if (history)
		json_transitions(out, peer);
}
