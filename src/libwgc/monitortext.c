/* The "monitor" reply's text, both ways (monitortext.h has its form). */
#include "libwgc/monitortext.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/key.h"
#include "core/parse.h"

#define PEER_FIELD(name, member) { name, offsetof(struct wg_monitor_peer_report, member) }

/* Every number a peer reports, by its key: one table for writing and for reading. */
static const struct {
	const char *name;
	size_t offset;
} peer_fields[] = {
	PEER_FIELD("state_since_ns", state_since_wall),
	PEER_FIELD("handshakes", handshakes),
	PEER_FIELD("handshake_failures", handshake_failures),
	PEER_FIELD("handshake_latency_ns", latency_last),
	PEER_FIELD("handshake_latency_min_ns", latency_min),
	PEER_FIELD("handshake_latency_avg_ns", latency_avg),
	PEER_FIELD("handshake_latency_max_ns", latency_max),
	PEER_FIELD("handshake_rtt_ns", handshake_rtt),
	PEER_FIELD("rx_messages", rx_messages),
	PEER_FIELD("tx_messages", tx_messages),
	PEER_FIELD("rx_lost", rx_lost),
	PEER_FIELD("rx_late", rx_late),
	PEER_FIELD("rx_replayed", rx_replayed),
	PEER_FIELD("rx_bps", rates.rx_bps),
	PEER_FIELD("tx_bps", rates.tx_bps),
	PEER_FIELD("rx_pps", rates.rx_pps),
	PEER_FIELD("tx_pps", rates.tx_pps),
	PEER_FIELD("rx_bps_10s", rates.rx_bps_avg),
	PEER_FIELD("tx_bps_10s", rates.tx_bps_avg),
	PEER_FIELD("rx_pps_10s", rates.rx_pps_avg),
	PEER_FIELD("tx_pps_10s", rates.tx_pps_avg),
	PEER_FIELD("probing", probing),
	PEER_FIELD("probe_unroutable", probe_unroutable),
	PEER_FIELD("probe_sent", probe_sent),
	PEER_FIELD("probe_answered", probe_answered),
	PEER_FIELD("probe_lost", probe_lost),
	PEER_FIELD("probe_rtt_ns", probe_rtt_last),
	PEER_FIELD("probe_rtt_min_ns", probe_rtt_min),
	PEER_FIELD("probe_rtt_avg_ns", probe_rtt_avg),
	PEER_FIELD("probe_rtt_max_ns", probe_rtt_max),
	PEER_FIELD("transitions_total", transitions_total),
	PEER_FIELD("instance", instance),
};

enum { PEER_FIELDS = sizeof(peer_fields) / sizeof(peer_fields[0]) };

static uint64_t *peer_field(struct wg_monitor_peer_report *peer, size_t i)
{
	return (uint64_t *)((char *)peer + peer_fields[i].offset);
}

static void format_peer(struct wgl_text *text, const struct wg_monitor_peer_report *peer)
{
	char hex[WG_KEY_HEX_LEN + 1];

	wg_key_to_hex(hex, peer->public_key);
	wgl_text_append(text, "public_key=%s\nstate=%s\n", hex, wg_peer_state_name(peer->state));
	for (size_t i = 0; i < PEER_FIELDS; ++i)
		wgl_text_append(text, "%s=%" PRIu64 "\n", peer_fields[i].name,
				*peer_field((struct wg_monitor_peer_report *)peer, i));
	for (unsigned i = 0; i < peer->transition_count; ++i) {
		const struct wg_monitor_transition_report *t = &peer->transitions[i];

		wgl_text_append(text, "transition=%" PRIu64 " %s %s %s\n", t->wall, wg_peer_state_name(t->from),
				wg_peer_state_name(t->to), t->reason);
	}
}

void wgl_monitortext_format(struct wgl_text *text, const struct wg_monitor_report *report)
{
	for (size_t i = 0; i < report->counter_count; ++i)
		wgl_text_append(text, "%s=%" PRIu64 "\n", report->counters[i].name, report->counters[i].value);
	for (size_t i = 0; i < report->peer_count; ++i)
		format_peer(text, &report->peers[i]);
}

static bool parse_u64(const char *text, uint64_t *out)
{
	unsigned long long n;

	if (!wg_parse_decimal(text, UINT64_MAX, &n))
		return false;
	*out = n;
	return true;
}

/* "UNIX_NS FROM TO REASON" */
static bool parse_transition(char *value, struct wg_monitor_peer_report *peer)
{
	struct wg_monitor_transition_report *t;
	char *from, *to, *reason;
	enum wg_peer_state f, s;
	uint64_t wall;

	if (peer->transition_count >= WG_MONITOR_HISTORY)
		return false;
	if (!peer->transitions && !(peer->transitions = calloc(WG_MONITOR_HISTORY, sizeof(*peer->transitions))))
		return false;
	from = strchr(value, ' ');
	to = from ? strchr(from + 1, ' ') : NULL;
	reason = to ? strchr(to + 1, ' ') : NULL;
	if (!reason)
		return false;
	*from++ = *to++ = *reason++ = '\0';
	if (!parse_u64(value, &wall) || !wg_peer_state_parse(from, &f) || !wg_peer_state_parse(to, &s) ||
	    strlen(reason) >= WG_MONITOR_REASON_MAX)
		return false;
	t = &peer->transitions[peer->transition_count++];
	*t = (struct wg_monitor_transition_report){ .wall = wall, .from = (uint8_t)f, .to = (uint8_t)s };
	memcpy(t->reason, reason, strlen(reason) + 1);
	return true;
}

static int parse_peer_line(struct wg_monitor_peer_report *peer, const char *key, char *value)
{
	enum wg_peer_state state;

	if (!strcmp(key, "state")) {
		if (!wg_peer_state_parse(value, &state))
			return -EINVAL;
		peer->state = state;
		return 0;
	}
	if (!strcmp(key, "transition"))
		return parse_transition(value, peer) ? 0 : -EINVAL;
	for (size_t i = 0; i < PEER_FIELDS; ++i)
		if (!strcmp(key, peer_fields[i].name))
			return parse_u64(value, peer_field(peer, i)) ? 0 : -EINVAL;
	return 0; /* a key of a later version */
}

/* A counter's name becomes part of a metric's name: [a-z0-9_], as wgcd's are. */
static bool counter_name(const char *name)
{
	size_t len = strlen(name);

	if (!len || len >= sizeof(((struct wg_monitor_counter *)0)->name))
		return false;
	for (const char *c = name; *c; ++c)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
			return false;
	return true;
}

static int parse_line(struct wg_monitor_report *out, struct wg_monitor_peer_report **peer, char *line)
{
	char *value = strchr(line, '=');
	uint64_t n;
	long e;

	if (!value)
		return -EINVAL;
	*value++ = '\0';
	if (!strcmp(line, "errno")) {
		char *end;

		errno = 0;
		e = strtol(value, &end, 10);
		if (errno || *end || end == value || e > 4095 || e < -4095)
			return -EINVAL;
		return e > 0 ? (int)-e : (int)e;
	}
	if (!strcmp(line, "public_key")) {
		*peer = wg_monitor_report_add_peer(out);
		if (!*peer)
			return -ENOMEM;
		return wg_key_from_hex((*peer)->public_key, value) ? 0 : -EINVAL;
	}
	if (*peer)
		return parse_peer_line(*peer, line, value);
	if (!counter_name(line) || !parse_u64(value, &n))
		return -EINVAL;
	return wg_monitor_report_add_counter(out, line, n);
}

int wgl_monitortext_parse(const char *text, size_t len, struct wg_monitor_report *out)
{
	struct wg_monitor_peer_report *peer = NULL;
	char line[512];
	int ret = 0;

	wg_monitor_report_init(out);
	for (size_t start = 0, end; !ret && start < len; start = end + 1) {
		const char *nl = memchr(text + start, '\n', len - start);

		end = nl ? (size_t)(nl - text) : len;
		if (end == start)
			continue;
		if (end - start >= sizeof(line) || memchr(text + start, '\0', end - start))
			return -EINVAL;
		memcpy(line, text + start, end - start);
		line[end - start] = '\0';
		ret = parse_line(out, &peer, line);
	}
	return ret;
}
