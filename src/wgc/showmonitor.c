/* What `wgc show` adds from the daemon's monitoring report (wgcd's "monitor" operation). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "wgc/human.h"
#include "wgc/json.h"
#include "wgc/show.h"

static int by_key(const void *a, const void *b)
{
	return memcmp(((const struct wg_monitor_peer_report *)a)->public_key,
		      ((const struct wg_monitor_peer_report *)b)->public_key, WG_KEY_LEN);
}

void wgc_show_monitor_sort(struct wg_monitor_report *report)
{
	if (report->peer_count > 1)
		qsort(report->peers, report->peer_count, sizeof(*report->peers), by_key);
}

const struct wg_monitor_peer_report *wgc_show_monitor_peer(const struct wg_monitor_report *report,
							    const uint8_t public_key[WG_KEY_LEN])
{
	struct wg_monitor_peer_report key;

	if (!report || !report->peer_count)
		return NULL;
	memcpy(key.public_key, public_key, WG_KEY_LEN);
	return bsearch(&key, report->peers, report->peer_count, sizeof(*report->peers), by_key);
}

uint64_t wgc_show_never_arrived(const struct wg_monitor_peer_report *peer)
{
	return peer->rx_lost > peer->rx_late ? peer->rx_lost - peer->rx_late : 0;
}

double wgc_show_loss_ratio(const struct wg_monitor_peer_report *peer)
{
	uint64_t never = wgc_show_never_arrived(peer), expected = never + peer->rx_messages;

	return expected ? (double)never / (double)expected : -1;
}

double wgc_show_probe_loss_ratio(const struct wg_monitor_peer_report *peer)
{
	uint64_t settled = peer->probe_answered + peer->probe_lost;

	return peer->probing && settled ? (double)peer->probe_lost / (double)settled : -1;
}

uint64_t wgc_show_rtt(const struct wg_monitor_peer_report *peer)
{
	return peer->probe_answered ? peer->probe_rtt_last : peer->handshake_rtt;
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
		fprintf(out, "  inbound loss: %.3f%% (%" PRIu64 " lost, %" PRIu64 " late, %" PRIu64 " replayed)\n",
			loss * 100, wgc_show_never_arrived(peer), peer->rx_late, peer->rx_replayed);
	if (peer->probing && peer->probe_answered)
		fprintf(out, "  probe: rtt %.1f ms (min %.1f, avg %.1f, max %.1f), %" PRIu64 " sent, %" PRIu64
			     " lost (%.1f%%)\n",
			(double)peer->probe_rtt_last / 1e6, (double)peer->probe_rtt_min / 1e6,
			(double)peer->probe_rtt_avg / 1e6, (double)peer->probe_rtt_max / 1e6, peer->probe_sent,
			peer->probe_lost, wgc_show_probe_loss_ratio(peer) * 100);
	else if (peer->probing && peer->probe_unroutable)
		fprintf(out, "  probe: none sent: the address is outside the peer's allowed IPs\n");
	else if (peer->probing)
		fprintf(out, "  probe: no answer yet (%" PRIu64 " sent)\n", peer->probe_sent);
	if (history)
		print_transitions(out, peer, now_sec);
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

/* A number member, or null when the daemon reported none (peer NULL) or it is unknown (< 0). */
static void json_number(FILE *out, const char *name, bool known, double value, const char *format)
{
	fprintf(out, ", \"%s\": ", name);
	if (known && value >= 0)
		fprintf(out, format, value);
	else
		fputs("null", out);
}

/* Every member always, null where the daemon reported nothing (not a wgcd) or the figure is
 * unknown (no handshake we started, no probe), so scripts see one shape from every daemon. */
void wgc_show_monitor_json(FILE *out, const struct wg_monitor_peer_report *peer, bool history)
{
	static const struct wg_monitor_peer_report none;
	const struct wg_monitor_peer_report *p = peer ? peer : &none;
	bool k = peer != NULL;
	const struct {
		const char *name;
		double value;
		bool zero_unknown; /* 0 means "not measured" */
	} ms[] = {
		{ "handshake_latency_ms", (double)p->latency_last / 1e6, true },
		{ "handshake_latency_min_ms", (double)p->latency_min / 1e6, true },
		{ "handshake_latency_avg_ms", (double)p->latency_avg / 1e6, true },
		{ "handshake_latency_max_ms", (double)p->latency_max / 1e6, true },
		{ "rtt_ms", (double)wgc_show_rtt(p) / 1e6, true },
		{ "handshake_rtt_ms", (double)p->handshake_rtt / 1e6, true },
		{ "probe_rtt_ms", p->probe_answered ? (double)p->probe_rtt_last / 1e6 : 0, true },
	};
	const struct {
		const char *name;
		uint64_t value;
	} counts[] = {
		{ "probe_sent", p->probe_sent }, { "probe_lost", p->probe_lost }, { "rx_bps", p->rates.rx_bps },
		{ "tx_bps", p->rates.tx_bps }, { "rx_bps_10s", p->rates.rx_bps_avg }, { "tx_bps_10s", p->rates.tx_bps_avg },
		{ "rx_messages", p->rx_messages }, { "tx_messages", p->tx_messages },
		{ "rx_lost", p->rx_lost }, { "rx_late", p->rx_late }, { "rx_replayed", p->rx_replayed },
		{ "handshakes", p->handshakes }, { "handshake_failures", p->handshake_failures },
	};

	fprintf(out, ", \"state\": ");
	if (k)
		fprintf(out, "\"%s\"", wg_peer_state_name(p->state));
	else
		fputs("null", out);
	json_number(out, "state_since", k, (double)p->state_since_wall / 1e9, "%.3f");
	for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); ++i)
		json_number(out, ms[i].name, k && !(ms[i].zero_unknown && ms[i].value == 0), ms[i].value, "%.3f");
	json_number(out, "rx_loss_ratio", k, k ? wgc_show_loss_ratio(p) : -1, "%.6f");
	json_number(out, "probe_loss_ratio", k, k ? wgc_show_probe_loss_ratio(p) : -1, "%.6f");
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); ++i) {
		if (k)
			fprintf(out, ", \"%s\": %" PRIu64, counts[i].name, counts[i].value);
		else
			fprintf(out, ", \"%s\": null", counts[i].name);
	}
	if (history && k)
		json_transitions(out, p);
	else if (history)
		fprintf(out, ", \"transitions\": null");
}
