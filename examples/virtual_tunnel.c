/*
 * Two WireGuard cores talking over an in-memory network on virtual time: what the protocol
 * does over ten simulated minutes, printed as it happens. Nothing here touches the OS; the
 * same core will sit under wgcd with real TUN devices and sockets.
 */
#include <stdio.h>
#include <string.h>

#include "../tests/netsim.h"

static const char *const kinds[] = { "?", "handshake initiation", "handshake response", "cookie reply", "data" };

static void print_record(const struct sim_node *node, const struct sim_record *r, uint64_t t0)
{
	uint32_t type = r->len >= 4 ? wg_le32_get(r->data) : 0;
	const char *what = type <= 4 ? kinds[type] : "?";

	if (type == WG_MESSAGE_DATA && r->len == WG_DATA_OVERHEAD)
		what = "keepalive";
	printf("%8.3f s  %s -> %s  %-22s %4zu bytes\n", (double)(r->at - t0) / SIM_SECOND,
	       node->id ? "bob  " : "alice", node->id ? "alice" : "bob  ", what, r->len);
}

/* Prints, in time order, every message either node sent since the last call. */
static void report(struct sim_node *nodes[2], size_t seen[2], uint64_t t0)
{
	for (;;) {
		int next = -1;

		for (int i = 0; i < 2; ++i)
			if (seen[i] < nodes[i]->sent.count &&
			    (next < 0 || nodes[i]->sent.records[seen[i]].at < nodes[next]->sent.records[seen[next]].at))
				next = i;
		if (next < 0)
			return;
		print_record(nodes[next], &nodes[next]->sent.records[seen[next]++], t0);
	}
}

static void skip(struct sim_node *nodes[2], size_t seen[2])
{
	seen[0] = nodes[0]->sent.count;
	seen[1] = nodes[1]->sent.count;
}

int main(void)
{
	struct sim sim;
	struct sim_node *alice, *bob, *nodes[2];
	size_t seen[2] = { 0, 0 };
	uint64_t t0;

	sim_init(&sim, 2026);
	sim.latency = 20 * SIM_MS;
	alice = sim_add_node(&sim);
	bob = sim_add_node(&sim);
	nodes[0] = alice;
	nodes[1] = bob;
	sim_connect(alice, bob, NULL, false);
	t0 = sim.now;

	printf("alice (10.0.0.1) and bob (10.0.0.2): 20 ms apart, bob does not know where alice is.\n\n");
	printf("-- alice pings bob: a handshake first, then the packet\n");
	sim_send_ip(alice, bob, 1, 84);
	sim_run_for(&sim, 100 * SIM_MS);
	sim_send_ip(bob, alice, 1, 84);
	sim_run_for(&sim, 100 * SIM_MS);
	report(nodes, seen, t0);

	printf("\n-- one packet a second from alice for 3 minutes: bob keeps quiet, so he sends keepalives,\n"
	       "   and alice, the initiator, renews the keys after 120 s\n");
	for (uint32_t i = 2; i < 182; ++i) {
		sim_send_ip(alice, bob, i, 84);
		sim_run_for(&sim, SIM_SECOND);
		if (i < 14 || (i > 118 && i < 125))
			report(nodes, seen, t0);
		else
			skip(nodes, seen);
		if (i == 14)
			printf("     ...\n");
	}
	printf("     ...\n");

	printf("\n-- silence: after 540 s without a new handshake every key is erased\n");
	sim_run_for(&sim, 600 * SIM_SECOND);
	report(nodes, seen, t0);

	struct wg_peer *a = sim_peer(alice, bob), *b = sim_peer(bob, alice);
	printf("\nbob received %zu packets from alice, alice %zu from bob; %llu handshakes.\n",
	       bob->delivered.count, alice->delivered.count, (unsigned long long)a->handshakes_completed);
	printf("transfer (whole WireGuard messages): alice sent %llu bytes, bob received %llu.\n",
	       (unsigned long long)a->tx_bytes, (unsigned long long)b->rx_bytes);
	printf("keys left after the silence: alice %s, bob %s.\n",
	       a->keypairs.current || a->keypairs.previous ? "some" : "none",
	       b->keypairs.current || b->keypairs.previous ? "some" : "none");
	sim_free(&sim);
	return bob->delivered.count == 181 && alice->delivered.count == 1 && !a->keypairs.current ? 0 : 1;
}
