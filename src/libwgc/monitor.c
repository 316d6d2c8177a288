/* The engine's monitoring report: the core's peers, and every counter of the device by name. */
#include "libwgc/monitor.h"

#include <stddef.h>

#include "libwgc/engine.h"
#include "libwgc/tcp.h"

#define CORE_COUNTER(name) { #name, offsetof(struct wg_device_stats, name) }

/* The core's drop counters under their own names (device.h says what each counts). */
static const struct {
	const char *name;
	size_t offset;
} core_counters[] = {
	CORE_COUNTER(rx_malformed),        CORE_COUNTER(rx_invalid_mac),   CORE_COUNTER(rx_handshake_failed),
	CORE_COUNTER(rx_ratelimited),      CORE_COUNTER(rx_cookie_invalid), CORE_COUNTER(rx_unknown_index),
	CORE_COUNTER(rx_expired),          CORE_COUNTER(rx_decrypt_failed), CORE_COUNTER(rx_replayed),
	CORE_COUNTER(rx_invalid_inner),    CORE_COUNTER(rx_disallowed_source), CORE_COUNTER(tx_no_route),
	CORE_COUNTER(tx_no_endpoint),      CORE_COUNTER(tx_staged_dropped), CORE_COUNTER(cookie_replies_sent),
};

static int add_counters(struct wgl_engine *engine, struct wg_monitor_report *out)
{
	const struct wg_device_stats *core = &engine->device.stats;
	struct wgl_tcp_stats tcp = { 0 };
	int ret = 0;

	for (size_t i = 0; !ret && i < sizeof(core_counters) / sizeof(core_counters[0]); ++i)
		ret = wg_monitor_report_add_counter(out, core_counters[i].name,
						    *(const uint64_t *)((const char *)core + core_counters[i].offset));
	if (engine->transports[WG_TRANSPORT_TCP])
		wgl_tcp_stats(engine->transports[WG_TRANSPORT_TCP], &tcp);
	if (!ret)
		ret = wg_monitor_report_add_counter(out, "rx_handshake_overflow", engine->stats.rx_handshake_overflow);
	if (!ret)
		ret = wg_monitor_report_add_counter(out, "tx_malformed", core->tx_malformed + engine->stats.tx_malformed);
	if (!ret)
		ret = wg_monitor_report_add_counter(out, "tx_send_errors",
						    core->tx_send_errors + engine->stats.tx_send_errors);
	if (!ret)
		ret = wg_monitor_report_add_counter(out, "under_load_ns", wg_device_time_under_load(&engine->device));
	if (!ret)
		ret = wg_monitor_report_add_counter(out, "tcp_rx_bytes", tcp.rx_bytes);
	if (!ret)
		ret = wg_monitor_report_add_counter(out, "tcp_tx_bytes", tcp.tx_bytes);
	if (!ret)
		ret = wg_monitor_report_add_counter(out, "tcp_connections", tcp.connections);
	if (!ret)
		ret = wg_monitor_report_add_counter(out, "tcp_accepted", tcp.accepted);
	return ret;
}

int wgl_engine_monitor(struct wgl_engine *engine, bool history, struct wg_monitor_report *out)
{
	int ret;

	wgl_engine_tick(engine); /* state ages and wall times as of now, not of the round's start */
	ret = add_counters(engine, out);
	return ret ? ret : wg_monitor_report_device(&engine->device, history, out);
}
