/*
 * Per-peer monitoring: what a tunnel manager wants to know of each peer, measured where the
 * facts are. Events (events.h) move the peer's state and its handshake figures; a tick each
 * WG_MONITOR_TICK samples the counters for throughput and ages the state. All on the
 * device's clock, so tests run it on virtual time.
 *
 * The states and what moves them (the schedule docs/monitoring.md gives users):
 *   never       no handshake ever completed, none tried
 *   handshaking an initiation sent, no session yet (or none left)
 *   connected   a session completed within REJECT_AFTER_TIME and nothing unanswered
 *   rekeying    connected, with a new handshake in flight
 *   stale       connected once, but stale_attempts initiations in a row went unanswered, or
 *               the keys expired (REJECT_AFTER_TIME without a new handshake)
 *   dead        dead_attempts initiations in a row unanswered, the handshake given up, or
 *               dead_after without a handshake while stale
 */
#ifndef WG_CORE_MONITOR_H
#define WG_CORE_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wg_device;
struct wg_event;
struct wg_peer;

enum wg_peer_state {
	WG_STATE_NEVER,
	WG_STATE_HANDSHAKING,
	WG_STATE_CONNECTED,
	WG_STATE_REKEYING,
	WG_STATE_STALE,
	WG_STATE_DEAD,
	WG_STATE_COUNT
};

enum {
	WG_MONITOR_HISTORY = 64,       /* transitions kept per peer, the oldest dropped */
	WG_MONITOR_RATE_SECONDS = 10,  /* the longer throughput average */
	WG_MONITOR_REASON_MAX = 88,    /* "endpoint moved to " and the longest endpoint, with NUL */
	WG_MONITOR_STALE_ATTEMPTS = 3,
	WG_MONITOR_DEAD_ATTEMPTS = 20, /* every attempt the protocol makes: the handshake given up */
	WG_MONITOR_DEAD_AFTER = 600,   /* seconds without a handshake */
};

#define WG_MONITOR_TICK (1000000000ull)

/* Why a transition happened; wg_monitor_reason() makes its text, with the value. */
enum wg_transition_reason {
	WG_REASON_INITIATION_SENT,     /* "initiation sent" */
	WG_REASON_REKEY,               /* "new handshake for fresh keys" */
	WG_REASON_NO_RESPONSE,         /* "no response to N initiations" */
	WG_REASON_GIVEN_UP,            /* "handshake given up after N initiations" */
	WG_REASON_COMPLETED,           /* "handshake completed in X ms" (value: ns) */
	WG_REASON_ANSWERED,            /* the same, as the responder: " (answered)" */
	WG_REASON_KEYS_WIPED,          /* "keys wiped" */
	WG_REASON_KEYS_EXPIRED,        /* "keys expired after N s" */
	WG_REASON_SILENT,              /* "no handshake for N s" */
	WG_REASON_ENDPOINT_SET,        /* "endpoint set to ADDRESS" (before any handshake) */
	WG_REASON_ENDPOINT_MOVED,      /* "endpoint moved to ADDRESS" */
};

/* One change of state (from == to: a note, such as the endpoint moving), kept compact (48
 * bytes: a peer's 64 are 3 KiB); its text is made when it is reported. */
struct wg_transition {
	uint64_t time;                 /* env.now */
	uint64_t value;                /* a count, seconds or nanoseconds, as the reason says */
	uint8_t from, to;              /* enum wg_peer_state */
	uint8_t reason;                /* enum wg_transition_reason */
	uint8_t family;                /* the endpoint notes' address: AF_INET or AF_INET6 */
	uint16_t port;                 /* host order */
	uint32_t scope;                /* an IPv6 address's scope */
	uint8_t addr[16];
};

/* A transition's reason as people read it ("no response to 3 initiations"). */
void wg_monitor_reason(const struct wg_transition *t, char text[WG_MONITOR_REASON_MAX]);

/* The counters as they stood at one tick. */
struct wg_rate_sample {
	uint64_t time;
	uint64_t rx_bytes, tx_bytes, rx_messages, tx_messages;
};

struct wg_monitor {
	enum wg_peer_state state;
	uint64_t state_since;          /* env.now it was entered (the peer's creation for never) */
	bool was_connected;            /* some session completed since the peer was added */
	unsigned unanswered;           /* initiations in a row without a response */
	bool awaiting_response;        /* the last initiation sent is not answered yet */
	uint64_t last_handshake;       /* env.now of the last completed one, if was_connected */

	uint64_t handshakes, handshake_failures; /* completed; initiations left unanswered */
	/* Latency of the handshakes we started (initiation sent -> response), nanoseconds. */
	uint64_t latency_last, latency_min, latency_max, latency_sum, latency_count;
	uint64_t handshake_rtt;        /* the last handshake's round trip, either role; 0 unknown */

	/* Ring of the last WG_MONITOR_HISTORY transitions: history_count of them ending before
	 * history_next. Allocated at the first one (NULL before: idle peers cost nothing); freed
	 * with the peer (wg_monitor_free). Out of memory, the state moves unrecorded. */
	struct wg_transition *history;
	unsigned history_next, history_count;
	uint64_t transitions_total;    /* ever recorded: the last one's sequence number */
	uint64_t instance;             /* random, per peer added: a follower sees a re-added peer anew */
	/* Ring of the counters at the last WG_MONITOR_RATE_SECONDS + 1 ticks, newest before
	 * sample_next. Allocated at the first tick that finds traffic; freed with the peer. */
	struct wg_rate_sample *samples;
	unsigned sample_next, sample_count;
};

/* Thresholds, per device (settable for tests and impatient managers). */
struct wg_monitor_settings {
	unsigned stale_attempts, dead_attempts;
	uint64_t dead_after;           /* nanoseconds without a handshake */
};

void wg_monitor_settings_default(struct wg_monitor_settings *settings);
void wg_monitor_init(struct wg_monitor *monitor, uint64_t now);
void wg_monitor_free(struct wg_monitor *monitor);
/* What an event says about the peer (called by wg_event_report for every event). */
void wg_monitor_on_event(struct wg_peer *peer, const struct wg_event *event);
/* A tick: samples the counters, ages the state. */
void wg_monitor_tick(struct wg_peer *peer, uint64_t now);

/* Throughput, bits or messages per second: over the last tick, and over the last
 * WG_MONITOR_RATE_SECONDS (or as much as there is). 0 before two ticks. */
struct wg_monitor_rates {
	uint64_t rx_bps, tx_bps, rx_pps, tx_pps;
	uint64_t rx_bps_avg, tx_bps_avg, rx_pps_avg, tx_pps_avg;
};
void wg_monitor_rates(const struct wg_monitor *monitor, struct wg_monitor_rates *out);
/* The i-th transition, oldest first; NULL for i >= history_count. */
const struct wg_transition *wg_monitor_transition(const struct wg_monitor *monitor, unsigned i);

/*
 * What monitoring reports of a device, the one model that the engine fills, the UAPI's
 * "monitor" reply carries (libwgc/monitortext.c), and wgc and the API read. Times are Unix
 * nanoseconds; durations nanoseconds, 0 for unknown.
 */
struct wg_monitor_transition_report {
	uint64_t wall;
	uint8_t from, to;
	char reason[WG_MONITOR_REASON_MAX];
};

struct wg_monitor_peer_report {
	uint8_t public_key[32];
	enum wg_peer_state state;
	uint64_t state_since_wall;
	uint64_t handshakes, handshake_failures;
	uint64_t latency_last, latency_min, latency_avg, latency_max; /* handshakes we started */
	uint64_t handshake_rtt;
	uint64_t rx_messages, tx_messages;
	uint64_t rx_lost, rx_late;                    /* both only grow: never came = lost - late */
	uint64_t rx_replayed;
	struct wg_monitor_rates rates;
	/* Echo probes (echo.h): probing is 1 when the peer has a probe address. */
	uint64_t probing, probe_unroutable, probe_sent, probe_answered, probe_lost;
	uint64_t probe_rtt_last, probe_rtt_min, probe_rtt_avg, probe_rtt_max;
	uint64_t transitions_total;                   /* ever recorded, for followers ... */
	uint64_t instance;                            /* ... of this peer as added (random) */
	unsigned transition_count;                    /* oldest first: the last is number transitions_total */
	/* transition_count of them, allocated (WG_MONITOR_HISTORY) only when the history was
	 * asked for; NULL otherwise. Last, so the rest compares with memcmp. */
	struct wg_monitor_transition_report *transitions;
};

/* A device-wide counter by name ("rx_malformed", "cookie_replies_sent", ...). */
struct wg_monitor_counter {
	char name[40];
	uint64_t value;
};

struct wg_monitor_report {
	struct wg_monitor_counter *counters;
	size_t counter_count, counter_cap;
	struct wg_monitor_peer_report *peers;
	size_t peer_count, peer_cap;
};

void wg_monitor_report_init(struct wg_monitor_report *report);
void wg_monitor_report_free(struct wg_monitor_report *report);
/* A new zeroed peer or counter at the end; NULL when out of memory. */
struct wg_monitor_peer_report *wg_monitor_report_add_peer(struct wg_monitor_report *report);
int wg_monitor_report_add_counter(struct wg_monitor_report *report, const char *name, uint64_t value);
/* The peer as it stands at now (env.now), wall being the wall clock then; its transitions too
 * with `history`. 0 or -ENOMEM. */
int wg_monitor_report_peer(const struct wg_peer *peer, uint64_t now, uint64_t wall, bool history,
			   struct wg_monitor_peer_report *out);
/* Every peer of the device, in order (the I/O layer adds the counters). 0 or -ENOMEM. */
int wg_monitor_report_device(const struct wg_device *device, bool history, struct wg_monitor_report *out);

/* "never", "handshaking", "connected", "rekeying", "stale", "dead". */
const char *wg_peer_state_name(enum wg_peer_state state);
bool wg_peer_state_parse(const char *text, enum wg_peer_state *state);

#endif
