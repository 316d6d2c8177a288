/*
 * `wgc events [IFNAME] [--json]`: follows the peers' state transitions (and notes such as an
 * endpoint moving) of one interface, or of every one that answers, as they happen: a line (or
 * a JSON object) each, until SIGINT or SIGTERM. It reads wgcd's monitoring report every
 * POLL_MS and prints the transitions after the last it printed, by their sequence numbers
 * (transitions_total), never by time: the wall times of a report are computed at each read.
 * Those from before it started are not printed; a peer that appears later, is added again or
 * whose daemon restarted (another instance) is shown from its first. An interface that does not answer, or has no monitoring (not a wgcd), is skipped
 * until it does. More than 64 transitions of one peer within POLL_MS lose the oldest.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/key.h"
#include "wgc/commands.h"
#include "wgc/json.h"
#include "wgc/uapi.h"

enum { POLL_MS = 1000 };

/* What has been printed of one peer of one interface: transitions up to number `seen`. */
struct followed {
	char ifname[16];
	uint8_t public_key[WG_KEY_LEN];
	uint64_t instance; /* the peer as added: another one counts from its first transition */
	uint64_t seen;
};

struct follower {
	struct followed *peers;
	size_t count, cap;
	bool json, started; /* started: the first round is over (it printed nothing) */
};

static volatile sig_atomic_t stop_requested;

static void request_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* The peer's entry, a new one having seen `since` (NULL when out of memory). */
static struct followed *followed_peer(struct follower *f, const char *ifname, const uint8_t key[WG_KEY_LEN],
				      uint64_t since)
{
	for (size_t i = 0; i < f->count; ++i)
		if (!strcmp(f->peers[i].ifname, ifname) && !memcmp(f->peers[i].public_key, key, WG_KEY_LEN))
			return &f->peers[i];
	if (f->count == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct followed *grown = realloc(f->peers, cap * sizeof(*grown));

		if (!grown)
			return NULL;
		f->peers = grown;
		f->cap = cap;
	}
	f->peers[f->count] = (struct followed){ .seen = since };
	snprintf(f->peers[f->count].ifname, sizeof(f->peers[f->count].ifname), "%s", ifname);
	memcpy(f->peers[f->count].public_key, key, WG_KEY_LEN);
	return &f->peers[f->count++];
}

static void print_transition(const struct follower *f, const char *ifname, const char *key,
			     const struct wg_monitor_transition_report *t)
{
	time_t sec = (time_t)(t->wall / 1000000000u);
	struct tm tm;
	char when[32];

	if (f->json) {
		printf("{\"time\": %.3f, \"interface\": ", (double)t->wall / 1e9);
		wgc_json_string(stdout, ifname);
		printf(", \"public_key\": \"%s\", \"from\": \"%s\", \"to\": \"%s\", \"reason\": ", key,
		       wg_peer_state_name(t->from), wg_peer_state_name(t->to));
		wgc_json_string(stdout, t->reason);
		printf("}\n");
	} else {
		gmtime_r(&sec, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		printf("%s.%03uZ %s %s %s -> %s: %s\n", when, (unsigned)(t->wall / 1000000u % 1000), ifname, key,
		       wg_peer_state_name(t->from), wg_peer_state_name(t->to), t->reason);
	}
}

/* One interface's new transitions; in the first round, none (what there is counts as seen). */
static void follow_interface(struct follower *f, const char *ifname)
{
	struct wg_monitor_report report;
	char key[WG_KEY_BASE64_LEN + 1];

	if (wgl_control_monitor(ifname, &report, true, NULL)) {
		wg_monitor_report_free(&report);
		return;
	}
	for (size_t i = 0; i < report.peer_count; ++i) {
		const struct wg_monitor_peer_report *p = &report.peers[i];
		uint64_t first = p->transitions_total - p->transition_count + 1; /* the first listed's number */
		struct followed *seen = followed_peer(f, ifname, p->public_key, f->started ? 0 : p->transitions_total);

		if (!seen)
			break;
		if (f->started && seen->instance != p->instance)
			seen->seen = 0; /* added again, or its daemon restarted: all of it is news */
		seen->instance = p->instance;
		wg_key_to_base64(key, p->public_key);
		for (unsigned t = 0; t < p->transition_count; ++t)
			if (first + t > seen->seen)
				print_transition(f, ifname, key, &p->transitions[t]);
		seen->seen = p->transitions_total;
	}
	wg_monitor_report_free(&report);
}

static bool has_monitoring(const char *ifname)
{
	struct wg_monitor_report report;
	int ret = wgl_control_monitor(ifname, &report, false, NULL);

	wg_monitor_report_free(&report);
	return ret != -EOPNOTSUPP;
}

static int usage(void)
{
	fprintf(stderr, "Usage: wgc events [IFNAME] [--json]\n");
	return 1;
}

int wgc_events_main(int argc, char **argv)
{
	struct follower f = { 0 };
	struct sigaction sa = { .sa_handler = request_stop };
	const char *only = NULL;

	for (int i = 1; i < argc; ++i) {
		if (!strcmp(argv[i], "--json"))
			f.json = true;
		else if (argv[i][0] == '-' || only)
			return usage();
		else
			only = argv[i];
	}
	if (only && !wgc_ifname_argument("events", only))
		return 1;
	if (only && !wgl_control_alive(only)) {
		fprintf(stderr, "wgc events: %s: no such WireGuard interface (nothing answers on %s/%s.sock)\n", only,
			WGL_CONTROL_DIR, only);
		return 1;
	}
	if (only && !has_monitoring(only)) {
		fprintf(stderr, "wgc events: %s: its daemon reports no transitions (it is not a wgcd)\n", only);
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (!stop_requested) {
		char **names = NULL;
		size_t count = 0;

		if (only)
			follow_interface(&f, only);
		else if (!wgl_control_list(&names, &count, false))
			for (size_t i = 0; i < count; ++i)
				follow_interface(&f, names[i]);
		wgl_control_list_free(names, count);
		f.started = true;
		nanosleep(&(struct timespec){ .tv_sec = POLL_MS / 1000, .tv_nsec = (POLL_MS % 1000) * 1000000L }, NULL);
	}
	free(f.peers);
	return fflush(stdout) ? 1 : 0;
}
