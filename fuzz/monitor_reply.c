/*
 * A "monitor" reply as a daemon sends it to libwgc's control client (wgc_control_monitor,
 * `wgc show`, `wgc metrics`): any bytes parse or are refused without a crash or a leak, and
 * what parses comes back the same through the formatter and the parser again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libwgc/monitortext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same(const struct wg_monitor_report *a, const struct wg_monitor_report *b)
{
	if (a->peer_count != b->peer_count || a->counter_count != b->counter_count)
		return false;
	for (size_t i = 0; i < a->counter_count; ++i)
		if (strcmp(a->counters[i].name, b->counters[i].name) || a->counters[i].value != b->counters[i].value)
			return false;
	for (size_t i = 0; i < a->peer_count; ++i) {
		const struct wg_monitor_peer_report *p = &a->peers[i], *q = &b->peers[i];

		if (memcmp(p, q, offsetof(struct wg_monitor_peer_report, transitions)))
			return false;
		for (unsigned t = 0; t < p->transition_count; ++t)
			if (p->transitions[t].wall != q->transitions[t].wall ||
			    strcmp(p->transitions[t].reason, q->transitions[t].reason))
				return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wg_monitor_report first, second;
	struct wgl_text text;

	if (wgl_monitortext_parse((const char *)data, size, &first)) {
		wg_monitor_report_free(&first);
		return 0;
	}
	wgl_text_init(&text);
	wgl_monitortext_format(&text, &first);
	if (!wgl_text_status(&text)) {
		if (wgl_monitortext_parse(text.buf ? text.buf : "", text.len, &second) || !same(&first, &second))
			abort();
		wg_monitor_report_free(&second);
	}
	wgl_text_free(&text);
	wg_monitor_report_free(&first);
	return 0;
}
