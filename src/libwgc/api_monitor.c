/* The public monitoring report (include/wgc.h): the core's model behind accessors. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/echo.h"
#include "core/uapi.h"

#include "libwgc/api.h"
#include "libwgc/control.h"
#include "libwgc/monitor.h"

_Static_assert((int)WGC_PEER_NEVER == WG_STATE_NEVER && (int)WGC_PEER_HANDSHAKING == WG_STATE_HANDSHAKING &&
		       (int)WGC_PEER_CONNECTED == WG_STATE_CONNECTED && (int)WGC_PEER_REKEYING == WG_STATE_REKEYING &&
		       (int)WGC_PEER_STALE == WG_STATE_STALE && (int)WGC_PEER_DEAD == WG_STATE_DEAD,
	       "the public states are the core's");
_Static_assert(sizeof(((struct wgc_transition *)0)->reason) == WG_MONITOR_REASON_MAX, "reasons fit");

struct wgc_monitor {
	struct wg_monitor_report report;
};

WGC_EXPORT const char *wgc_peer_state_name(enum wgc_peer_state state)
{
	return wg_peer_state_name((enum wg_peer_state)state);
}

static int new_monitor(struct wgc_monitor **out)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	wg_monitor_report_init(&(*out)->report);
	return 0;
}

/* Hands over a filled report, or frees it after a failure. */
static int finish(struct wgc_monitor *monitor, int ret, struct wgc_monitor **out)
{
	if (ret) {
		wgc_monitor_free(monitor);
		return ret;
	}
	*out = monitor;
	return 0;
}

WGC_EXPORT int wgc_device_monitor(struct wgc_device *device, struct wgc_monitor **out)
{
	struct wgc_monitor *monitor;
	int ret;

	if (!device || !out)
		return -EINVAL;
	ret = new_monitor(&monitor);
	if (ret)
		return ret;
	pthread_mutex_lock(&device->engine.lock);
	ret = wgl_engine_monitor(&device->engine, true, &monitor->report);
	pthread_mutex_unlock(&device->engine.lock);
	return finish(monitor, ret, out);
}

WGC_EXPORT int wgc_control_monitor(const char *ifname, struct wgc_monitor **out)
{
	struct wgc_monitor *monitor;
	int ret;

	if (!ifname || !out)
		return -EINVAL;
	ret = new_monitor(&monitor);
	if (ret)
		return ret;
	wg_monitor_report_free(&monitor->report);
	ret = wgl_control_monitor(ifname, &monitor->report, true, NULL);
	return finish(monitor, ret, out);
}

WGC_EXPORT void wgc_monitor_free(struct wgc_monitor *monitor)
{
	if (!monitor)
		return;
	wg_monitor_report_free(&monitor->report);
	free(monitor);
}

WGC_EXPORT size_t wgc_monitor_peer_count(const struct wgc_monitor *monitor)
{
	return monitor ? monitor->report.peer_count : 0;
}

WGC_EXPORT int wgc_monitor_peer(const struct wgc_monitor *monitor, size_t i, struct wgc_peer_monitor *out)
{
	const struct wg_monitor_peer_report *p;
	struct wgc_peer_monitor all;
	size_t size;

	if (!monitor || !out || out->size < sizeof(out->size))
		return -EINVAL;
	if (i >= monitor->report.peer_count)
		return -ENOENT;
	p = &monitor->report.peers[i];
	all = (struct wgc_peer_monitor){
		.size = sizeof(all), .state = (enum wgc_peer_state)p->state, .state_since_ns = p->state_since_wall,
		.handshakes = p->handshakes, .handshake_failures = p->handshake_failures,
		.handshake_latency_ns = p->latency_last, .handshake_latency_min_ns = p->latency_min,
		.handshake_latency_avg_ns = p->latency_avg, .handshake_latency_max_ns = p->latency_max,
		.handshake_rtt_ns = p->handshake_rtt, .rx_messages = p->rx_messages, .tx_messages = p->tx_messages,
		.rx_lost = p->rx_lost, .rx_late = p->rx_late, .rx_replayed = p->rx_replayed, .rx_bps = p->rates.rx_bps,
		.tx_bps = p->rates.tx_bps, .rx_pps = p->rates.rx_pps, .tx_pps = p->rates.tx_pps,
		.rx_bps_10s = p->rates.rx_bps_avg, .tx_bps_10s = p->rates.tx_bps_avg,
		.rx_pps_10s = p->rates.rx_pps_avg, .tx_pps_10s = p->rates.tx_pps_avg,
		.probe_sent = p->probe_sent, .probe_answered = p->probe_answered, .probe_lost = p->probe_lost,
		.probe_rtt_ns = p->probe_rtt_last, .probe_rtt_min_ns = p->probe_rtt_min,
		.probe_rtt_avg_ns = p->probe_rtt_avg, .probe_rtt_max_ns = p->probe_rtt_max,
	};
	memcpy(all.public_key, p->public_key, sizeof(all.public_key));
	size = out->size < sizeof(all) ? out->size : sizeof(all);
	memcpy(out, &all, size);
	out->size = size;
	return 0;
}

WGC_EXPORT size_t wgc_monitor_transition_count(const struct wgc_monitor *monitor, size_t i)
{
	return monitor && i < monitor->report.peer_count ? monitor->report.peers[i].transition_count : 0;
}

WGC_EXPORT int wgc_monitor_transition(const struct wgc_monitor *monitor, size_t i, size_t j,
				      struct wgc_transition *out)
{
	const struct wg_monitor_transition_report *t;

	if (!monitor || !out)
		return -EINVAL;
	if (i >= monitor->report.peer_count || j >= monitor->report.peers[i].transition_count)
		return -ENOENT;
	t = &monitor->report.peers[i].transitions[j];
	*out = (struct wgc_transition){ .time_ns = t->wall, .from = (enum wgc_peer_state)t->from,
					.to = (enum wgc_peer_state)t->to };
	memcpy(out->reason, t->reason, sizeof(out->reason));
	return 0;
}

WGC_EXPORT size_t wgc_monitor_counter_count(const struct wgc_monitor *monitor)
{
	return monitor ? monitor->report.counter_count : 0;
}

WGC_EXPORT const char *wgc_monitor_counter(const struct wgc_monitor *monitor, size_t i, uint64_t *value)
{
	if (!monitor || i >= monitor->report.counter_count)
		return NULL;
	if (value)
		*value = monitor->report.counters[i].value;
	return monitor->report.counters[i].name;
}

WGC_EXPORT int wgc_peer_set_probe(struct wgc_peer *peer, const char *address)
{
	struct wg_config_probe probe;

	if (!peer || !wg_uapi_parse_probe(address ? address : "", &probe))
		return -EINVAL;
	peer->model.probe = probe;
	peer->model.flags |= WG_PEER_HAS_PROBE;
	return 0;
}

WGC_EXPORT int wgc_peer_probe(const struct wgc_peer *peer, char *text, size_t size)
{
	char address[INET6_ADDRSTRLEN];

	if (!peer || !text)
		return -EINVAL;
	if (!(peer->model.flags & WG_PEER_HAS_PROBE) || !peer->model.probe.family)
		return -ENOENT;
	inet_ntop(peer->model.probe.family, peer->model.probe.addr, address, sizeof(address));
	if (strlen(address) >= size)
		return -ENOSPC;
	memcpy(text, address, strlen(address) + 1);
	return 0;
}

WGC_EXPORT int wgc_config_set_probe_interval(struct wgc_config *config, uint32_t seconds)
{
	if (!config || !seconds || seconds > WG_ECHO_INTERVAL_MAX)
		return -EINVAL;
	config->model.probe_interval = seconds;
	config->model.flags |= WG_DEVICE_HAS_PROBE_INTERVAL;
	return 0;
}
