/*
 * The UAPI's "monitor" operation, wgc's extension: a client sends "monitor=1", optionally
 * "history=1" (each peer's transitions too), and a blank line (as it sends "get=1"), and wgcd
 * answers with a monitoring report (core/monitor.h) as
 * key=value lines, closed by "errno=0" and a blank line. Stock tools never send it, so what
 * they see is unchanged; a daemon without it (wireguard-go) closes the connection, which a
 * client takes as "no monitoring here".
 *
 * The reply: device counters first, one "NAME=N" each; then per peer, from its "public_key="
 * (hex): state, state_since_ns (Unix), handshakes, handshake_failures, handshake_latency_ns
 * and its _min_ns, _avg_ns, _max_ns, handshake_rtt_ns, rx_messages, tx_messages, rx_lost,
 * rx_late (of those lost, how many came later: both only grow), rx_replayed, rx_bps, tx_bps, rx_pps, tx_pps and their 10 s averages rx_bps_10s ...
 * tx_pps_10s, probing (1: it has a probe address), probe_unroutable (1: outside its allowed
 * IPs, so none is sent), probe_sent, probe_answered, probe_lost,
 * probe_rtt_ns and its _min_ns, _avg_ns, _max_ns, transitions_total (how many were ever recorded: the last line's sequence number)
 * and instance (random per peer as added: a re-added peer, or a restarted daemon's, is another),
 * and "transition=UNIX_NS FROM TO REASON" lines, oldest first. Readers skip keys
 * they do not know.
 */
#ifndef WGL_MONITORTEXT_H
#define WGL_MONITORTEXT_H

#include <stddef.h>

#include "core/monitor.h"
#include "libwgc/text.h"

/* Appends the report's lines (without the errno line). */
void wgl_monitortext_format(struct wgl_text *text, const struct wg_monitor_report *report);
/* A reply's text (with or without its errno line) into a report (initialised here; free it
 * whatever the result). 0, -EINVAL for a malformed line, -ENOMEM, or the reply's -errno. */
int wgl_monitortext_parse(const char *text, size_t len, struct wg_monitor_report *out);

#endif
