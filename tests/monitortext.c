/* The "monitor" reply's text: what wgcd writes, wgc reads back the same; what is malformed is refused. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "libwgc/monitortext.h"

static void example(struct wg_monitor_report *r)
{
	struct wg_monitor_peer_report *p;

	wg_monitor_report_init(r);
	wg_monitor_report_add_counter(r, "rx_malformed", 3);
	wg_monitor_report_add_counter(r, "under_load_ns", 1500000000);
	for (int i = 0; i < 3; ++i) {
		p = wg_monitor_report_add_peer(r);
		memset(p->public_key, 0x10 + i, sizeof(p->public_key));
		p->state = (enum wg_peer_state)(WG_STATE_CONNECTED + i);
		p->state_since_wall = 1764633600000000000ull + (uint64_t)i;
		p->handshakes = 7;
		p->latency_last = 1900000;
		p->rx_lost = 20;
		p->rx_late = 2;
		p->rates.rx_bps_avg = 123456789;
		p->probing = 1;
		p->probe_rtt_max = 40000000;
		p->transitions_total = 65 + (uint64_t)i;
	}
	p->transitions = calloc(WG_MONITOR_HISTORY, sizeof(*p->transitions));
	p->transition_count = 2;
	p->transitions[0] = (struct wg_monitor_transition_report){ .wall = 5, .from = WG_STATE_NEVER, .to = WG_STATE_HANDSHAKING };
	strcpy(p->transitions[0].reason, "initiation sent");
	p->transitions[1] = (struct wg_monitor_transition_report){ .wall = 6, .from = WG_STATE_STALE, .to = WG_STATE_STALE };
	strcpy(p->transitions[1].reason, "endpoint moved to [fd00::1]:51820");
}

TEST(monitortext_round_trip)
{
	struct wg_monitor_report r, back;
	struct wgl_text text;

	example(&r);
	wgl_text_init(&text);
	wgl_monitortext_format(&text, &r);
	wgl_text_append(&text, "errno=0\n\n");
	CHECK_EQ(wgl_text_status(&text), 0);
	CHECK_EQ(wgl_monitortext_parse(text.buf, text.len, &back), 0);
	CHECK_EQ(back.counter_count, 2);
	CHECK(!strcmp(back.counters[1].name, "under_load_ns") && back.counters[1].value == 1500000000);
	CHECK_EQ(back.peer_count, 3);
	for (size_t i = 0; i < 3; ++i)
		CHECK(!memcmp(&r.peers[i], &back.peers[i], offsetof(struct wg_monitor_peer_report, transitions)));
	CHECK(back.peers[0].transitions == NULL);
	CHECK_EQ(back.peers[2].transition_count, 2);
	CHECK(!strcmp(back.peers[2].transitions[1].reason, "endpoint moved to [fd00::1]:51820"));
	CHECK_EQ(back.peers[2].transitions[1].from, WG_STATE_STALE);
	CHECK(strstr(text.buf, "\nstate=rekeying\n") && strstr(text.buf, "\nrx_bps_10s=123456789\n"));
	wgl_text_free(&text);
	wg_monitor_report_free(&back);
	wg_monitor_report_free(&r);
}

/* Each refused whole: a malformed line, a state or a counter name of no kind we know, a 65th
 * transition, an errno out of range; the reply's own errno is its result. */
TEST(monitortext_refusals)
{
	static const char key[] = "public_key=1111111111111111111111111111111111111111111111111111111111111111\n";
	static const struct {
		bool peer; /* after a public_key line */
		const char *text;
		int result;
	} cases[] = {
		{ false, "rx_malformed\n", -EINVAL },
		{ false, "Rx-Malformed=1\n", -EINVAL },
		{ false, "rx_malformed=-1\n", -EINVAL },
		{ false, "state=connected\n", -EINVAL },
		{ true, "state=sleeping\n", -EINVAL },
		{ true, "transition=1 never nowhere reason\n", -EINVAL },
		{ true, "transition=1 never\n", -EINVAL },
		{ true, "handshakes=12x\n", -EINVAL },
		{ false, "errno=99999\n", -EINVAL },
		{ false, "errno=-5\n\n", -5 },
		{ true, "a_later_key=what it is\nerrno=0\n", 0 },
	};
	char text[4096];
	struct wg_monitor_report r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
		snprintf(text, sizeof(text), "%s%s", cases[i].peer ? key : "", cases[i].text);
		CHECK_EQ(wgl_monitortext_parse(text, strlen(text), &r), cases[i].result);
		wg_monitor_report_free(&r);
	}
	/* 65 transitions: one more than any daemon keeps. */
	strcpy(text, key);
	for (int i = 0; i < 65; ++i)
		strcat(text, "transition=1 never never x\n");
	CHECK_EQ(wgl_monitortext_parse(text, strlen(text), &r), -EINVAL);
	wg_monitor_report_free(&r);
}
