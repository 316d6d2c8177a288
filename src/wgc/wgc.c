/* wgc: the command-line tool. One subcommand per file; this table dispatches to them. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "wgc/commands.h"

static const struct {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *description;
} subcommands[] = {
	{ "show", wgc_show_main, "Shows interfaces, their peers, each peer's state and figures (--json, --history)" },
	{ "events", wgc_events_main, "Follows the peers' state transitions as they happen (--json)" },
	{ "metrics", wgc_metrics_main, "Prints Prometheus metrics of the interfaces, or serves them (--listen)" },
	{ "analyze", wgc_analyze_main, "Reads WireGuard in pcap/pcapng captures: messages, sessions, decryption" },
	{ "up", wgc_up_main, "Brings up an interface from a wg-quick configuration file" },
	{ "down", wgc_down_main, "Takes down an interface brought up by `wgc up'" },
	{ "genkey", wgc_genkey_main, "Generates a new private key and writes it to stdout" },
	{ "genpsk", wgc_genpsk_main, "Generates a new preshared key and writes it to stdout" },
	{ "pubkey", wgc_pubkey_main, "Reads a private key from stdin and writes its public key to stdout" },
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: wgc <cmd> [<args>]\n\nAvailable subcommands:\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); ++i)
		fprintf(out, "  %-8s %s\n", subcommands[i].name, subcommands[i].description);
	fprintf(out, "\nWithout a subcommand, wgc runs `show'. `wgc <cmd> --help' shows a subcommand's usage.\n");
}

int main(int argc, char **argv)
{
	char *show[] = { "show", NULL };

	/* Writes to closed pipes fail with EPIPE and are reported, rather than killing the tool. */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2)
		return wgc_show_main(1, show);
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); ++i)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].main(argc - 1, argv + 1);
	fprintf(stderr, "wgc: invalid subcommand `%s'\n", argv[1]);
	usage(stderr);
	return 1;
}
