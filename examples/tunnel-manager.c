/*
 * tunnel-manager: manages the tunnels of a running WireGuard daemon (wgcd, wireguard-go, any
 * that serves the UAPI socket) through <wgc.h> alone, as a program that adds and removes peers
 * and watches their health would.
 *
 *   tunnel-manager pubkey IFNAME
 *   tunnel-manager add-peer IFNAME PUBKEY ENDPOINT ALLOWED-IP...
 *   tunnel-manager remove-peer IFNAME PUBKEY
 *   tunnel-manager show IFNAME
 *   tunnel-manager monitor IFNAME SECONDS
 *
 * (`tunnel-manager IFNAME pubkey` works too.) Exit status 0 on success, 1 on failure with the
 * reason on stderr.
 *
 * Build: cc tunnel-manager.c $(pkg-config --cflags --libs wgc)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <wgc.h>

static int fail(const char *what, const char *name, int err)
{
	fprintf(stderr, "tunnel-manager: %s %s: %s\n", what, name, strerror(-err));
	return 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: tunnel-manager pubkey IFNAME\n"
			"       tunnel-manager add-peer IFNAME PUBKEY ENDPOINT ALLOWED-IP...\n"
			"       tunnel-manager remove-peer IFNAME PUBKEY\n"
			"       tunnel-manager show IFNAME\n"
			"       tunnel-manager monitor IFNAME SECONDS\n");
	return 2;
}

static int print_public_key(const char *ifname)
{
	uint8_t key[WGC_KEY_LEN];
	char text[WGC_KEY_BASE64_LEN + 1];
	struct wgc_config *config;
	int ret = wgc_control_get(ifname, &config);

	if (ret)
		return fail("cannot read", ifname, ret);
	if (!wgc_config_public_key(config, key)) {
		wgc_config_free(config);
		fprintf(stderr, "tunnel-manager: %s has no private key yet\n", ifname);
		return 1;
	}
	wgc_key_to_base64(text, key);
	printf("%s\n", text);
	wgc_config_free(config);
	return 0;
}

static int parse_key(uint8_t key[WGC_KEY_LEN], const char *text)
{
	if (!wgc_key_from_base64(key, text))
		return 0;
	fprintf(stderr, "tunnel-manager: \"%s\" is not a public key (44 characters of base64)\n", text);
	return 1;
}

/* A change to one peer, sent as one set: the peer named, then what fill adds to it. */
static int change_peer(const char *ifname, const char *pubkey, int (*fill)(struct wgc_peer *, void *), void *arg)
{
	uint8_t key[WGC_KEY_LEN];
	struct wgc_config *config;
	struct wgc_peer *peer;
	int ret;

	if (parse_key(key, pubkey))
		return 1;
	if ((ret = wgc_config_new(&config)) != 0)
		return fail("cannot build a configuration for", ifname, ret);
	ret = wgc_config_add_peer(config, key, &peer);
	if (!ret)
		ret = fill(peer, arg);
	if (ret < 0)
		ret = fail("cannot build a configuration for", ifname, ret);
	else if (!ret && (ret = wgc_control_set(ifname, config)) != 0)
		ret = fail("cannot configure", ifname, ret);
	wgc_config_free(config);
	return ret;
}

struct addition {
	const char *endpoint;
	char **ips;
	int count;
};

/* The peer's endpoint and allowed IPs; 1 (after saying why) for one that is no such thing. */
static int fill_addition(struct wgc_peer *peer, void *arg)
{
	const struct addition *a = arg;

	if (wgc_peer_set_endpoint(peer, a->endpoint)) {
		fprintf(stderr, "tunnel-manager: endpoint \"%s\" is not IP:PORT or [IPv6]:PORT\n", a->endpoint);
		return 1;
	}
	for (int i = 0; i < a->count; ++i)
		if (wgc_peer_add_allowed_ip(peer, a->ips[i])) {
			fprintf(stderr, "tunnel-manager: allowed IP \"%s\" is not ADDRESS[/LENGTH]\n", a->ips[i]);
			return 1;
		}
	return 0;
}

static int fill_removal(struct wgc_peer *peer, void *arg)
{
	(void)arg;
	return wgc_peer_set_flags(peer, WGC_PEER_REMOVE);
}

/* Seconds since the last handshake, or -1 for never. */
static long long handshake_age(const struct wgc_peer *peer)
{
	uint64_t last = wgc_peer_last_handshake_ns(peer);

	return last ? (long long)time(NULL) - (long long)(last / 1000000000u) : -1;
}

static void print_peer(const struct wgc_peer *peer, bool details)
{
	uint8_t key[WGC_KEY_LEN];
	char text[WGC_KEY_BASE64_LEN + 1], endpoint[72], ip[48];

	wgc_peer_public_key(peer, key);
	wgc_key_to_base64(text, key);
	if (wgc_peer_endpoint(peer, endpoint, sizeof(endpoint)))
		strcpy(endpoint, "(none)");
	printf("peer %s endpoint %s rx %llu tx %llu handshake %lld\n", text, endpoint,
	       (unsigned long long)wgc_peer_rx_bytes(peer), (unsigned long long)wgc_peer_tx_bytes(peer),
	       handshake_age(peer));
	for (size_t i = 0; details && i < wgc_peer_allowed_ip_count(peer); ++i)
		if (!wgc_peer_allowed_ip(peer, i, ip, sizeof(ip)))
			printf("  allowed-ip %s\n", ip);
}

static int show(const char *ifname, bool details)
{
	struct wgc_config *config;
	int ret = wgc_control_get(ifname, &config);

	if (ret)
		return fail("cannot read", ifname, ret);
	if (details)
		printf("interface %s listen-port %u peers %zu\n", ifname, wgc_config_listen_port(config),
		       wgc_config_peer_count(config));
	for (struct wgc_peer *p = wgc_config_first_peer(config); p; p = wgc_peer_next(p))
		print_peer(p, details);
	wgc_config_free(config);
	return 0;
}

/* Once a second: every peer's counters and handshake age, as a health monitor polls them. */
static int monitor(const char *ifname, const char *seconds_text)
{
	char *end;
	long seconds = strtol(seconds_text, &end, 10);

	if (*end || seconds < 1 || seconds > 86400) {
		fprintf(stderr, "tunnel-manager: \"%s\" is not a number of seconds (1-86400)\n", seconds_text);
		return 1;
	}
	for (long i = 0; i < seconds; ++i) {
		printf("t %ld\n", i);
		if (show(ifname, false))
			return 1;
		fflush(stdout);
		if (i + 1 < seconds)
			sleep(1);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[2], "pubkey"))
		return print_public_key(argv[1]);
	if (argc == 3 && !strcmp(argv[1], "pubkey"))
		return print_public_key(argv[2]);
	if (argc >= 6 && !strcmp(argv[1], "add-peer"))
		return change_peer(argv[2], argv[3], fill_addition, &(struct addition){ argv[4], argv + 5, argc - 5 });
	if (argc == 4 && !strcmp(argv[1], "remove-peer"))
		return change_peer(argv[2], argv[3], fill_removal, NULL);
	if (argc == 3 && !strcmp(argv[1], "show"))
		return show(argv[2], true);
	if (argc == 4 && !strcmp(argv[1], "monitor"))
		return monitor(argv[2], argv[3]);
	return usage();
}
