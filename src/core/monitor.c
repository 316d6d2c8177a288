/* Per-peer monitoring: the state machine, the handshake figures, the throughput samples. */
#include "core/monitor.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "core/device.h"
#include "core/events.h"
#include "core/peer.h"

static const char *const state_names[WG_STATE_COUNT] = {
	[WG_STATE_NEVER] = "never",         [WG_STATE_HANDSHAKING] = "handshaking",
	[WG_STATE_CONNECTED] = "connected", [WG_STATE_REKEYING] = "rekeying",
	[WG_STATE_STALE] = "stale",         [WG_STATE_DEAD] = "dead",
};

const char *wg_peer_state_name(enum wg_peer_state state)
{
	return state < WG_STATE_COUNT ? state_names[state] : "unknown";
}

bool wg_peer_state_parse(const char *text, enum wg_peer_state *state)
{
	for (unsigned i = 0; i < WG_STATE_COUNT; ++i) {
		if (!strcmp(text, state_names[i])) {
			*state = (enum wg_peer_state)i;
			return true;
		}
	}
	return false;
}

void wg_monitor_settings_default(struct wg_monitor_settings *settings)
{
	settings->stale_attempts = WG_MONITOR_STALE_ATTEMPTS;
	settings->dead_attempts = WG_MONITOR_DEAD_ATTEMPTS;
	settings->dead_after = (uint64_t)WG_MONITOR_DEAD_AFTER * WG_NSEC_PER_SEC;
}

void wg_monitor_init(struct wg_monitor *monitor, uint64_t now)
{
	memset(monitor, 0, sizeof(*monitor));
	monitor->state_since = now;
}

void wg_monitor_free(struct wg_monitor *monitor)
{
	free(monitor->history);
	free(monitor->samples);
	monitor->history = NULL;
	monitor->samples = NULL;
}

void wg_monitor_reason(const struct wg_transition *t, char text[WG_MONITOR_REASON_MAX])
{
	struct wg_endpoint endpoint = { 0 };
	char address[WG_ENDPOINT_TEXT_MAX];
	unsigned long long v = (unsigned long long)t->value;

	switch (t->reason) {
	case WG_REASON_INITIATION_SENT:
		snprintf(text, WG_MONITOR_REASON_MAX, "initiation sent");
		break;
	case WG_REASON_REKEY:
		snprintf(text, WG_MONITOR_REASON_MAX, "new handshake for fresh keys");
		break;
	case WG_REASON_NO_RESPONSE:
		snprintf(text, WG_MONITOR_REASON_MAX, "no response to %llu initiations", v);
		break;
	case WG_REASON_GIVEN_UP:
		snprintf(text, WG_MONITOR_REASON_MAX, "handshake given up after %llu initiations", v);
		break;
	case WG_REASON_COMPLETED:
	case WG_REASON_ANSWERED:
		snprintf(text, WG_MONITOR_REASON_MAX, "handshake completed in %.1f ms%s", (double)v / 1e6,
			 t->reason == WG_REASON_ANSWERED ? " (answered)" : "");
		break;
	case WG_REASON_KEYS_WIPED:
		snprintf(text, WG_MONITOR_REASON_MAX, "keys wiped");
		break;
	case WG_REASON_KEYS_EXPIRED:
		snprintf(text, WG_MONITOR_REASON_MAX, "keys expired after %llu s", v);
		break;
	case WG_REASON_SILENT:
		snprintf(text, WG_MONITOR_REASON_MAX, "no handshake for %llu s", v);
		break;
	default:
		if (t->family == AF_INET) {
			endpoint.addr.in.sin_family = AF_INET;
			endpoint.addr.in.sin_port = htons(t->port);
			memcpy(&endpoint.addr.in.sin_addr, t->addr, 4);
		} else {
			endpoint.addr.in6.sin6_family = AF_INET6;
			endpoint.addr.in6.sin6_port = htons(t->port);
			endpoint.addr.in6.sin6_scope_id = t->scope;
			memcpy(&endpoint.addr.in6.sin6_addr, t->addr, 16);
		}
		wg_endpoint_format(&endpoint, address);
		snprintf(text, WG_MONITOR_REASON_MAX, "endpoint %s %s",
			 t->reason == WG_REASON_ENDPOINT_SET ? "set to" : "moved to", address);
		break;
	}
}

/* The next slot of the ring, allocated at the first transition; NULL out of memory. */
static struct wg_transition *next_slot(struct wg_monitor *m)
{
	struct wg_transition *t;

	if (!m->history && !(m->history = calloc(WG_MONITOR_HISTORY, sizeof(*m->history))))
		return NULL;
	t = &m->history[m->history_next];
	m->history_next = (m->history_next + 1) % WG_MONITOR_HISTORY;
	if (m->history_count < WG_MONITOR_HISTORY)
		++m->history_count;
	++m->transitions_total;
	memset(t, 0, sizeof(*t));
	return t;
}

/*
 * Keeps a transition (or, with to == state, a note) in the ring, enters the state, logs it
 * (at debug: wgcd's LOG_LEVEL=verbose) and reports the change as an event. Reasons hold no key.
 * `endpoint` is for the endpoint notes.
 */
static void record_at(struct wg_peer *peer, uint64_t now, enum wg_peer_state to, enum wg_transition_reason reason,
		      uint64_t value, const struct wg_endpoint *endpoint)
{
	struct wg_monitor *m = &peer->monitor;
	struct wg_transition *t = next_slot(m), local;
	enum wg_peer_state from = m->state;
	char text[WG_MONITOR_REASON_MAX];

	if (!t)
		t = &local; /* out of memory: unrecorded, but still said */
	*t = (struct wg_transition){ .time = now, .value = value, .from = (uint8_t)from, .to = (uint8_t)to,
				     .reason = (uint8_t)reason };
	if (endpoint && endpoint->addr.sa.sa_family == AF_INET) {
		t->family = AF_INET;
		t->port = ntohs(endpoint->addr.in.sin_port);
		memcpy(t->addr, &endpoint->addr.in.sin_addr, 4);
	} else if (endpoint && endpoint->addr.sa.sa_family == AF_INET6) {
		t->family = AF_INET6;
		t->port = ntohs(endpoint->addr.in6.sin6_port);
		t->scope = endpoint->addr.in6.sin6_scope_id;
		memcpy(t->addr, &endpoint->addr.in6.sin6_addr, 16);
	}
	wg_monitor_reason(t, text);
	wg_device_log(peer->device, WG_LOG_DEBUG, "Peer %llu: %s -> %s: %s", (unsigned long long)peer->internal_id,
		      wg_peer_state_name(from), wg_peer_state_name(to), text);
	if (from != to) {
		m->state = to;
		m->state_since = now;
		wg_event_report(peer, &(struct wg_event){ .type = WG_EVENT_STATE_CHANGED, .state_from = (uint8_t)from,
							  .state_to = (uint8_t)to, .state_reason = text });
	}
}

static void record(struct wg_peer *peer, uint64_t now, enum wg_peer_state to, enum wg_transition_reason reason,
		   uint64_t value)
{
	record_at(peer, now, to, reason, value, NULL);
}

const struct wg_transition *wg_monitor_transition(const struct wg_monitor *monitor, unsigned i)
{
	unsigned first = (monitor->history_next + WG_MONITOR_HISTORY - monitor->history_count) % WG_MONITOR_HISTORY;

	if (i >= monitor->history_count)
		return NULL;
	return &monitor->history[(first + i) % WG_MONITOR_HISTORY];
}

/*
 * Counted here, not from the protocol's attempt number: while traffic flows WireGuard starts
 * each new handshake as a first attempt (the kernel resets the count for every packet that
 * asks for one), so a peer that went away is retried every REKEY_TIMEOUT with attempt numbers
 * that never climb. An initiation sent while the last one is unanswered counts that one as
 * unanswered.
 */
static void on_initiated(struct wg_peer *peer, uint64_t now)
{
	struct wg_monitor *m = &peer->monitor;
	const struct wg_monitor_settings *s = &peer->device->monitor_settings;

	if (m->awaiting_response) {
		++m->handshake_failures;
		++m->unanswered;
	}
	m->awaiting_response = true;
	if (m->unanswered >= s->dead_attempts) {
		if (m->state != WG_STATE_DEAD)
			record(peer, now, WG_STATE_DEAD, WG_REASON_NO_RESPONSE, m->unanswered);
	} else if (m->unanswered >= s->stale_attempts) {
		if (m->was_connected && m->state != WG_STATE_STALE && m->state != WG_STATE_DEAD)
			record(peer, now, WG_STATE_STALE, WG_REASON_NO_RESPONSE, m->unanswered);
	} else if (m->state == WG_STATE_CONNECTED) {
		record(peer, now, WG_STATE_REKEYING, WG_REASON_REKEY, 0);
	} else if (m->state == WG_STATE_NEVER || m->state == WG_STATE_STALE || m->state == WG_STATE_DEAD) {
		if (!m->unanswered)
			record(peer, now, WG_STATE_HANDSHAKING, WG_REASON_INITIATION_SENT, 0);
	}
}

/* The protocol stopped retrying: the last initiation went unanswered too. */
static void on_given_up(struct wg_peer *peer, uint64_t now)
{
	struct wg_monitor *m = &peer->monitor;

	if (m->awaiting_response) {
		++m->handshake_failures;
		++m->unanswered;
		m->awaiting_response = false;
	}
	if (m->state != WG_STATE_DEAD)
		record(peer, now, WG_STATE_DEAD, WG_REASON_GIVEN_UP, m->unanswered);
}

static void on_complete(struct wg_peer *peer, uint64_t now, const struct wg_event *event)
{
	struct wg_monitor *m = &peer->monitor;

	++m->handshakes;
	m->unanswered = 0;
	m->awaiting_response = false;
	m->was_connected = true;
	m->last_handshake = now;
	m->handshake_rtt = event->rtt;
	if (event->initiator) {
		m->latency_last = event->rtt;
		if (!m->latency_count || event->rtt < m->latency_min)
			m->latency_min = event->rtt;
		if (event->rtt > m->latency_max)
			m->latency_max = event->rtt;
		m->latency_sum += event->rtt;
		++m->latency_count;
	}
	if (m->state != WG_STATE_CONNECTED)
		record(peer, now, WG_STATE_CONNECTED, event->initiator ? WG_REASON_COMPLETED : WG_REASON_ANSWERED,
		       event->rtt);
}

void wg_monitor_on_event(struct wg_peer *peer, const struct wg_event *event)
{
	struct wg_monitor *m = &peer->monitor;

	switch (event->type) {
	case WG_EVENT_HANDSHAKE_INITIATED:
		/* A probe of another path says nothing of the peer: silence is its usual answer. */
		if (!event->probe)
			on_initiated(peer, event->time);
		break;
	case WG_EVENT_HANDSHAKE_GIVEN_UP:
		on_given_up(peer, event->time);
		break;
	case WG_EVENT_HANDSHAKE_COMPLETE:
		on_complete(peer, event->time, event);
		break;
	case WG_EVENT_KEYPAIR_EXPIRED:
		if (event->reason == WG_EXPIRED_WIPED && (m->state == WG_STATE_CONNECTED || m->state == WG_STATE_REKEYING))
			record(peer, event->time, WG_STATE_STALE, WG_REASON_KEYS_WIPED, 0);
		break;
	case WG_EVENT_ENDPOINT_CHANGED:
		record_at(peer, event->time, m->state, m->was_connected ? WG_REASON_ENDPOINT_MOVED : WG_REASON_ENDPOINT_SET,
			  0, event->endpoint);
		break;
	default:
		break;
	}
}

/* Keys outlive their handshake by REJECT_AFTER_TIME; a peer silent for dead_after is gone. */
static void age(struct wg_peer *peer, uint64_t now)
{
	struct wg_monitor *m = &peer->monitor;
	const struct wg_monitor_settings *s = &peer->device->monitor_settings;

	uint64_t since = now - m->last_handshake;

	if (!m->was_connected)
		return;
	if ((m->state == WG_STATE_CONNECTED || m->state == WG_STATE_REKEYING) &&
	    since >= (uint64_t)WG_REJECT_AFTER_TIME * WG_NSEC_PER_SEC)
		record(peer, now, WG_STATE_STALE, WG_REASON_KEYS_EXPIRED, WG_REJECT_AFTER_TIME);
	if (m->state == WG_STATE_STALE && since >= s->dead_after)
		record(peer, now, WG_STATE_DEAD, WG_REASON_SILENT, s->dead_after / WG_NSEC_PER_SEC);
}

void wg_monitor_tick(struct wg_peer *peer, uint64_t now)
{
	struct wg_monitor *m = &peer->monitor;

	if (!m->samples) {
		/* Nothing to measure yet: idle peers keep no samples. */
		if (!peer->rx_bytes && !peer->tx_bytes)
			goto aged;
		m->samples = calloc(WG_MONITOR_RATE_SECONDS + 1, sizeof(*m->samples));
		if (!m->samples)
			goto aged;
	}
	m->samples[m->sample_next] = (struct wg_rate_sample){ .time = now, .rx_bytes = peer->rx_bytes,
							      .tx_bytes = peer->tx_bytes, .rx_messages = peer->rx_messages,
							      .tx_messages = peer->tx_messages };
	m->sample_next = (m->sample_next + 1) % (WG_MONITOR_RATE_SECONDS + 1);
	if (m->sample_count < WG_MONITOR_RATE_SECONDS + 1)
		++m->sample_count;
aged:
	age(peer, now);
}

static const struct wg_rate_sample *sample_back(const struct wg_monitor *m, unsigned back)
{
	return &m->samples[(m->sample_next + 2 * (WG_MONITOR_RATE_SECONDS + 1) - 1 - back) % (WG_MONITOR_RATE_SECONDS + 1)];
}

static uint64_t per_second(uint64_t delta, uint64_t ns)
{
	return ns ? (uint64_t)((double)delta * 1e9 / (double)ns) : 0;
}

static void rates_between(const struct wg_rate_sample *old, const struct wg_rate_sample *new, uint64_t out[4])
{
	uint64_t ns = new->time - old->time;

	out[0] = per_second(new->rx_bytes - old->rx_bytes, ns) * 8;
	out[1] = per_second(new->tx_bytes - old->tx_bytes, ns) * 8;
	out[2] = per_second(new->rx_messages - old->rx_messages, ns);
	out[3] = per_second(new->tx_messages - old->tx_messages, ns);
}

void wg_monitor_rates(const struct wg_monitor *monitor, struct wg_monitor_rates *out)
{
	uint64_t last[4], avg[4];

	memset(out, 0, sizeof(*out));
	if (monitor->sample_count < 2)
		return;
	rates_between(sample_back(monitor, 1), sample_back(monitor, 0), last);
	rates_between(sample_back(monitor, monitor->sample_count - 1), sample_back(monitor, 0), avg);
	*out = (struct wg_monitor_rates){ last[0], last[1], last[2], last[3], avg[0], avg[1], avg[2], avg[3] };
}

void wg_monitor_report_init(struct wg_monitor_report *report)
{
	memset(report, 0, sizeof(*report));
}

void wg_monitor_report_free(struct wg_monitor_report *report)
{
	for (size_t i = 0; i < report->peer_count; ++i)
		free(report->peers[i].transitions);
	free(report->counters);
	free(report->peers);
	wg_monitor_report_init(report);
}

/* Room for one more of `size` bytes in a growing array. */
static void *grow(void *array, size_t count, size_t *cap, size_t size)
{
	size_t new_cap = *cap ? *cap * 2 : 8;
	void *grown;

	if (count < *cap)
		return array;
	grown = realloc(array, new_cap * size);
	if (grown)
		*cap = new_cap;
	return grown;
}

struct wg_monitor_peer_report *wg_monitor_report_add_peer(struct wg_monitor_report *report)
{
	struct wg_monitor_peer_report *peers = grow(report->peers, report->peer_count, &report->peer_cap,
						    sizeof(*peers));

	if (!peers)
		return NULL;
	report->peers = peers;
	memset(&peers[report->peer_count], 0, sizeof(*peers));
	return &peers[report->peer_count++];
}

int wg_monitor_report_add_counter(struct wg_monitor_report *report, const char *name, uint64_t value)
{
	struct wg_monitor_counter *counters = grow(report->counters, report->counter_count, &report->counter_cap,
						   sizeof(*counters));

	if (!counters)
		return -ENOMEM;
	report->counters = counters;
	counters[report->counter_count] = (struct wg_monitor_counter){ .value = value };
	snprintf(counters[report->counter_count].name, sizeof(counters->name), "%s", name);
	++report->counter_count;
	return 0;
}

/* Unix time of a moment on the device's clock, given both clocks now. */
static uint64_t wall_of(uint64_t when, uint64_t now, uint64_t wall)
{
	return now - when > wall ? 0 : wall - (now - when);
}

int wg_monitor_report_peer(const struct wg_peer *peer, uint64_t now, uint64_t wall, bool history,
			   struct wg_monitor_peer_report *out)
{
	const struct wg_monitor *m = &peer->monitor;

	memset(out, 0, sizeof(*out));
	memcpy(out->public_key, peer->handshake.remote_static, sizeof(out->public_key));
	out->state = m->state;
	out->state_since_wall = wall_of(m->state_since, now, wall);
	out->handshakes = m->handshakes;
	out->handshake_failures = m->handshake_failures;
	out->latency_last = m->latency_last;
	out->latency_min = m->latency_min;
	out->latency_avg = m->latency_count ? m->latency_sum / m->latency_count : 0;
	out->latency_max = m->latency_max;
	out->handshake_rtt = m->handshake_rtt;
	out->rx_messages = peer->rx_messages;
	out->tx_messages = peer->tx_messages;
	out->rx_lost = peer->rx_lost;
	out->rx_late = peer->rx_late;
	out->rx_replayed = peer->rx_replayed;
	wg_monitor_rates(m, &out->rates);
	if (peer->echo) {
		const struct wg_echo *e = peer->echo;

		out->probing = 1;
		out->probe_unroutable = e->unroutable;
		out->probe_sent = e->sent;
		out->probe_answered = e->answered;
		out->probe_lost = e->lost;
		out->probe_rtt_last = e->rtt_last;
		out->probe_rtt_min = e->rtt_min;
		out->probe_rtt_avg = e->answered ? e->rtt_sum / e->answered : 0;
		out->probe_rtt_max = e->rtt_max;
	}
	out->transitions_total = m->transitions_total;
	out->instance = m->instance;
	if (!history || !m->history_count)
		return 0;
	out->transitions = calloc(WG_MONITOR_HISTORY, sizeof(*out->transitions));
	if (!out->transitions)
		return -ENOMEM;
	out->transition_count = m->history_count;
	for (unsigned i = 0; i < m->history_count; ++i) {
		const struct wg_transition *t = wg_monitor_transition(m, i);

		out->transitions[i].wall = wall_of(t->time, now, wall);
		out->transitions[i].from = t->from;
		out->transitions[i].to = t->to;
		wg_monitor_reason(t, out->transitions[i].reason);
	}
	return 0;
}

int wg_monitor_report_device(const struct wg_device *device, bool history, struct wg_monitor_report *out)
{
	uint64_t now = device->env.now(device->env.ctx), wall = device->env.wall(device->env.ctx);
	for (const struct wg_list *pos = device->peer_list.next; pos != &device->peer_list; pos = pos->next) {
		struct wg_monitor_peer_report *peer = wg_monitor_report_add_peer(out);

		if (!peer || wg_monitor_report_peer(wg_container_of(pos, struct wg_peer, peer_list), now, wall, history, peer))
			return -ENOMEM;
	}
	return 0;
}
