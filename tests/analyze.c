/*
 * `wgc analyze` (src/wgc/analyze.c and what it is built from) on the golden captures of
 * tests/vectors/analyze/ (their expected reports; the KDF trace against the independent
 * reference's, tests/tools/kdf-reference.py, from either side's key log), on crafted
 * captures (retries, an invalid message on a WireGuard flow, a cookie reply, counter gaps, a
 * replay, data of a session begun before the capture), and on bad options and key logs.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/messages.h"
#include "harness.h"
#include "wgc/analysis.h"

struct run {
	char *out, *err;
	int status;
};

/* `wgc analyze ARGS...` (NULL-terminated) into memory. */
static struct run analyze_run(const char *first, ...)
{
	struct run r = { 0 };
	size_t out_len, err_len;
	FILE *out = open_memstream(&r.out, &out_len), *err = open_memstream(&r.err, &err_len);
	char *argv[32] = { "analyze", (char *)first };
	int argc = 2;
	va_list args;

	va_start(args, first);
	while (argc < 31 && (argv[argc] = va_arg(args, char *)))
		++argc;
	va_end(args);
	r.status = wgc_analyze_run(out, err, argc, argv);
	fclose(out);
	fclose(err);
	return r;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static char *vector_path(const char *name)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "tests/vectors/analyze/%s", name);
	return strdup(test_source_path(rel));
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0;

	if (!f)
		return strdup("");
	text = calloc(1, 1 << 20);
	len = fread(text, 1, (1 << 20) - 1, f);
	text[len] = '\0';
	fclose(f);
	return text;
}

/* The trace's lines of a report (as 84-analyze and the reference filter them). */
static char *trace_lines(const char *report)
{
	static const char *const tokens[] = { "initial", "e", "es", "s", "ss", "timestamp", "ee", "se", "psk",
					      "empty", "keys" };
	char *out = calloc(1, strlen(report) + 1), *copy = strdup(report), *save = NULL;

	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		bool keep = !strncmp(line, "kdf ", 4);

		for (size_t i = 0; !keep && line[0] == ' ' && line[1] == ' ' && i < sizeof(tokens) / sizeof(*tokens); ++i)
			keep = !strncmp(line + 2, tokens[i], strlen(tokens[i])) && line[2 + strlen(tokens[i])] == ' ';
		if (keep)
			strcat(strcat(out, line), "\n");
	}
	free(copy);
	return out;
}

static void check_golden(const char *capture, const char *key_option, const char *keys, const char *report)
{
	char *cap = vector_path(capture), *key = vector_path(keys), *want_path = vector_path(report);
	char *want = slurp(want_path);
	struct run r = analyze_run(key_option, key, cap, NULL);

	CHECK_EQ(r.status, 0);
	CHECK(strlen(want) > 500);
	if (strcmp(r.out, want))
		test_fail(__FILE__, __LINE__, "%s differs from its expected report:\n%s", capture, r.out);
	run_free(&r);
	free(want);
	free(want_path);
	free(key);
	free(cap);
}

TEST(analyze_golden_reports)
{
	check_golden("psk-ping.pcap", "--keylog", "psk-ping.keylog", "psk-ping.report");
	check_golden("wggo-ping.pcap", "--private-key", "wggo-ping.responder-private-key", "wggo-ping.report");
}

static void check_trace(const char *capture, const char *keylog, const char *reference)
{
	char *cap = vector_path(capture), *key = vector_path(keylog), *ref_path = vector_path(reference);
	char *ref = slurp(ref_path);
	struct run r = analyze_run("--trace-kdf", "--summary", "--keylog", key, cap, NULL);
	char *trace = trace_lines(r.out);

	CHECK_EQ(r.status, 0);
	CHECK(strlen(ref) > 1000);
	if (strcmp(trace, ref))
		test_fail(__FILE__, __LINE__, "%s with %s: the trace is not the reference's:\n%s", capture, keylog, trace);
	free(trace);
	run_free(&r);
	free(ref);
	free(ref_path);
	free(key);
	free(cap);
}

TEST(analyze_kdf_trace_is_the_references)
{
	check_trace("psk-ping.pcap", "psk-ping.keylog", "psk-ping.kdf");
	check_trace("psk-ping.pcap", "psk-ping.responder-keylog", "psk-ping.kdf");
	check_trace("wggo-ping.pcap", "wggo-ping.keylog", "wggo-ping.kdf");
}

/* Some of the lines of a golden key log (those starting with one of `names`): what the chain
 * opens with less. */
static void check_partial_keys(const char *const names[], const char *expected)
{
	char *cap = vector_path("psk-ping.pcap"), *full = vector_path("psk-ping.keylog"), *text = slurp(full);
	const char *log = "/tmp/wgc-analyze-partial.keylog";
	FILE *f = fopen(log, "w");
	struct run r;

	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		for (size_t i = 0; names[i]; ++i)
			if (!strncmp(line, names[i], strlen(names[i])))
				fprintf(f, "%s\n", line);
	fclose(f);
	r = analyze_run("--summary", "--keylog", log, cap, NULL);
	CHECK_EQ(r.status, 0);
	if (!strstr(r.out, expected))
		test_fail(__FILE__, __LINE__, "with %s... wanted \"%s\" in:\n%s", names[0], expected, r.out);
	run_free(&r);
	unlink(log);
	free(text);
	free(full);
	free(cap);
}

TEST(analyze_what_partial_keys_open)
{
	static const char *const ephemeral_only[] = { "REMOTE_STATIC_PUBLIC_KEY", "LOCAL_EPHEMERAL_PRIVATE_KEY", NULL };
	static const char *const no_psk[] = { "LOCAL_STATIC_PRIVATE_KEY", "REMOTE_STATIC_PUBLIC_KEY",
					      "LOCAL_EPHEMERAL_PRIVATE_KEY", NULL };
	static const char *const all[] = { "LOCAL_", "REMOTE_", "PRESHARED_", NULL };

	/* s opens with the initiator's ephemeral; ss needs its static private key. */
	check_partial_keys(ephemeral_only, "keys: initiator's static key revealed; no more keys");
	/* Without its PRESHARED_KEY line the response does not open: the PSK is not zero. */
	check_partial_keys(no_psk, "keys: initiation opened; the response's keys are not known");
	check_partial_keys(all, "keys: session keys derived, data decrypted");
}

/* ---- crafted captures: raw IPv4/UDP packets written with libpcap ---- */

struct crafted {
	pcap_t *dead;
	pcap_dumper_t *dumper;
	char path[64];
	uint64_t usec;
};

static void crafted_open(struct crafted *c)
{
	int fd;

	strcpy(c->path, "/tmp/wgc-analyze-XXXXXX");
	fd = mkstemp(c->path);
	close(fd);
	c->dead = pcap_open_dead(DLT_RAW, 65535);
	c->dumper = pcap_dump_open(c->dead, c->path);
	c->usec = 0;
}

/* One datagram from 10.0.0.<from>:<from>000 to 10.0.0.<to>:<to>000, `step` ms after the last. */
static void crafted_add(struct crafted *c, int from, int to, const uint8_t *payload, size_t len, unsigned step_ms)
{
	uint8_t packet[2048] = { 0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, (uint8_t)from, 10, 0, 0,
				 (uint8_t)to };
	struct pcap_pkthdr header;

	c->usec += step_ms * 1000ull;
	wg_be16_put(packet + 2, (uint16_t)(28 + len));
	wg_be16_put(packet + 20, (uint16_t)(from * 1000));
	wg_be16_put(packet + 22, (uint16_t)(to * 1000));
	wg_be16_put(packet + 24, (uint16_t)(8 + len));
	memcpy(packet + 28, payload, len);
	header.ts.tv_sec = (time_t)(1700000000 + c->usec / 1000000);
	header.ts.tv_usec = (suseconds_t)(c->usec % 1000000);
	header.caplen = header.len = (bpf_u_int32)(28 + len);
	pcap_dump((u_char *)c->dumper, &header, packet);
}

static void crafted_close(struct crafted *c)
{
	pcap_dump_close(c->dumper);
	pcap_close(c->dead);
}

static void initiation(uint8_t msg[148], uint32_t sender, uint8_t fill)
{
	memset(msg, fill, 148);
	memset(msg, 0, 4);
	msg[0] = 1;
	wg_le32_put(msg + 4, sender);
	memset(msg + 132, 0, 16); /* no mac2 */
}

static void data(uint8_t msg[48], uint32_t receiver, uint64_t counter)
{
	memset(msg, 0x5a, 48);
	memset(msg, 0, 4);
	msg[0] = 4;
	wg_le32_put(msg + 4, receiver);
	wg_le64_put(msg + 8, counter);
}

TEST(analyze_sessions_of_crafted_messages)
{
	uint8_t init[148], response[92] = { 2 }, cookie[64] = { 3 }, d[48], bad[148];
	struct crafted c;
	struct run r;

	crafted_open(&c);
	initiation(init, 0x11111111, 0xa1);
	crafted_add(&c, 1, 2, init, sizeof(init), 0);
	initiation(init, 0x22222222, 0xa2);   /* a retry 5 s on: new index, same ends */
	crafted_add(&c, 1, 2, init, sizeof(init), 5000);
	wg_le32_put(cookie + 4, 0x22222222);
	crafted_add(&c, 2, 1, cookie, sizeof(cookie), 1);
	wg_le32_put(response + 4, 0x77777777);  /* a late answer to the first: superseded */
	wg_le32_put(response + 8, 0x11111111);
	crafted_add(&c, 2, 1, response, sizeof(response), 0);
	initiation(init, 0x33333333, 0xa3);
	crafted_add(&c, 1, 2, init, sizeof(init), 100);
	wg_le32_put(response + 4, 0x44444444);
	wg_le32_put(response + 8, 0x33333333);
	crafted_add(&c, 2, 1, response, sizeof(response), 3);
	for (uint64_t counter = 0; counter < 10; ++counter) {
		if (counter == 4 || counter == 5 || counter == 8)
			continue; /* lost before the capture */
		data(d, 0x44444444, counter);
		crafted_add(&c, 1, 2, d, sizeof(d), 10);
	}
	data(d, 0x44444444, 3);              /* replayed */
	crafted_add(&c, 1, 2, d, sizeof(d), 10);
	data(d, 0x33333333, 0);
	crafted_add(&c, 2, 1, d, 32, 10);    /* a keepalive back */
	memcpy(bad, init, sizeof(bad));
	bad[2] = 7;                          /* reserved bytes set, on a WireGuard flow */
	crafted_add(&c, 1, 2, bad, sizeof(bad), 10);
	data(d, 0x99999999, 500);            /* a session begun before the capture */
	crafted_add(&c, 3, 2, d, sizeof(d), 10);
	data(d, 0x99999999, 500 + 1000000);  /* too far on to track: memory follows the packets */
	crafted_add(&c, 3, 2, d, sizeof(d), 0);
	for (uint64_t counter = 1; counter < 3; ++counter) {
		data(d, 0x33333333, counter);  /* keepalives every 25 s */
		crafted_add(&c, 2, 1, d, 32, 25000);
	}
	data(d, 0x44444444, 10);             /* the initiator roamed */
	crafted_add(&c, 5, 2, d, sizeof(d), 10);
	initiation(init, 0x55555555, 0xa5);  /* the rekey, 2 minutes on, from where it roamed to */
	crafted_add(&c, 5, 2, init, sizeof(init), 70000);
	wg_le32_put(response + 4, 0x66666666);
	wg_le32_put(response + 8, 0x55555555);
	crafted_add(&c, 2, 5, response, sizeof(response), 2);
	crafted_close(&c);

	r = analyze_run(c.path, NULL);
	CHECK_EQ(r.status, 0);
	CHECK(strstr(r.out, "WireGuard: 4 initiations, 3 responses, 1 cookie reply, 14 data, 1 invalid, 0 junk"));
	CHECK(strstr(r.out, "  handshake: 3 initiations (first at 0.000000 s), 1 cookie reply, answered at 5.104000 s, "
			    "round trip 3.000 ms"));
	CHECK(strstr(r.out, "session 1: 10.0.0.5:5000 (initiator, index 0x33333333) -> 10.0.0.2:2000 (responder, "
			    "index 0x44444444)"));
	CHECK(strstr(r.out, "  to responder: 9 packets, 432 bytes, counters 0-10, 3 missing, 1 replayed, 0 late"));
	CHECK(strstr(r.out, "  to initiator: 3 packets, 96 bytes, counters 0-2, 0 missing, 0 replayed, 0 late, 3 keepalives "
			    "(every 25.0 s, 25.0-25.0)"));
	CHECK(strstr(r.out, "the initiator's endpoint moved from 10.0.0.1:1000 to 10.0.0.5:5000 (roaming)"));
	CHECK(strstr(r.out, "session 3: 10.0.0.5:5000 (initiator, index 0x55555555) -> 10.0.0.2:2000 (responder, "
			    "index 0x66666666)\n  handshake: 1 initiation (first at 125.224000 s), 0 cookie replies, answered "
			    "at 125.226000 s, round trip 2.000 ms\n  rekey: 120.122 s after session 1\n"));
	CHECK(strstr(r.out, "session 2: 10.0.0.3:3000 -> 10.0.0.2:2000 (index 0x99999999), begun before the capture\n"
			    "  to responder: 2 packets, 96 bytes, counters 500-500, 0 missing, 0 replayed, 0 late, 1 too far "
			    "from the rest to track\n"));
	CHECK(strstr(r.out, "handshake retried: no response to the initiation of frame 1"));
	CHECK(strstr(r.out, "frame 4: response to index 0x11111111, an initiation since retried (now 0x22222222): the "
			    "initiator drops it"));
	CHECK(strstr(r.out, "cookie reply: the responder is under load and wants mac2"));
	CHECK(strstr(r.out, "replay: counter 3 to the responder came before"));
	CHECK(strstr(r.out, "invalid message: reserved bytes set (00 07 00)"));
	CHECK(strstr(r.out, "counters 4-5 to the responder never came: 2 lost before the capture point"));
	CHECK(strstr(r.out, "counter 8 to the responder never came"));
	CHECK(strstr(r.out, "     2    5.000000 10.0.0.1:1000 -> 10.0.0.2:2000 initiation 148 sender=0x22222222 "
			    "mac2=none session 1 retry\n"));
	run_free(&r);

	r = analyze_run("--json", c.path, NULL);
	CHECK(strstr(r.out, "\"gaps\":[{\"first\":4,\"count\":2},{\"first\":8,\"count\":1}],\"missing\":3"));
	CHECK(strstr(r.out, "\"initiations\":3,\"retries\":2,\"cookie_replies\":1,\"answered\":true"));
	CHECK(strstr(r.out, "\"kind\":\"invalid\",\"valid\":false,\"reason\":\"reserved bytes set (00 07 00)\""));
	run_free(&r);

	r = analyze_run("--port", "9", c.path, NULL);     /* nothing on that port */
	CHECK(strstr(r.out, "WireGuard: 0 initiations, 0 responses, 0 cookie replies, 0 data"));
	run_free(&r);
	unlink(c.path);
}

/* Two files given in the wrong order: times go backwards, and nothing wraps around. */
TEST(analyze_times_going_backwards)
{
	uint8_t init[148], response[92] = { 2 }, d[48];
	struct crafted later, earlier;
	struct run r;

	crafted_open(&later);
	later.usec = 100000000; /* 100 s on */
	initiation(init, 0x11111111, 0xa1);
	crafted_add(&later, 1, 2, init, sizeof(init), 0);
	crafted_close(&later);
	crafted_open(&earlier);
	wg_le32_put(response + 4, 0x22222222);
	wg_le32_put(response + 8, 0x11111111);
	crafted_add(&earlier, 2, 1, response, sizeof(response), 0);
	for (uint64_t counter = 0; counter < 3; ++counter) {
		data(d, 0x11111111, counter);
		crafted_add(&earlier, 2, 1, d, 32, 10);
	}
	crafted_close(&earlier);
	r = analyze_run(later.path, earlier.path, NULL);
	CHECK_EQ(r.status, 0);
	CHECK(strstr(r.out, "answered at -100.000000 s, round trip -100000.000 ms"));
	CHECK(strstr(r.out, "3 keepalives (every 0.0 s, 0.0-0.0)"));
	CHECK(!strstr(r.out, "1844674"));
	run_free(&r);
	unlink(later.path);
	unlink(earlier.path);
}

/* ---- what a user gets wrong ---- */

static void check_refused(const char *expected, const char *a1, const char *a2, const char *a3)
{
	struct run r = analyze_run(a1, a2, a3, NULL);

	CHECK_EQ(r.status, 1);
	if (!strstr(r.err, expected))
		test_fail(__FILE__, __LINE__, "wanted \"%s\" in: %s", expected, r.err);
	run_free(&r);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

TEST(analyze_bad_options_and_key_logs)
{
	char *cap = vector_path("psk-ping.pcap");
	const char *log = "/tmp/wgc-analyze-test.keylog";

	check_refused("--port: \"70000\" is not a port", "--port", "70000", cap);
	check_refused("--public-key: \"abc\" is not a key", "--public-key", "abc", cap);
	check_refused("--obfuscation: \"x=1\" is not KEY=VALUE", "--obfuscation", "x=1", cap);
	check_refused("jc: \"999\" is over the limit of 128", "--obfuscation", "jc=999", cap);
	check_refused("/nonexistent.pcap", "/nonexistent.pcap", NULL, NULL);
	check_refused("/nonexistent.key: No such file or directory", "--private-key", "/nonexistent.key", cap);
	write_file(log, "# a comment\n\nLOCAL_STATIC_PRIVATE_KEY = AAAA\n");
	check_refused("/tmp/wgc-analyze-test.keylog:3: ", "--keylog", log, cap);
	write_file(log, "PRESHARED_KEY = AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\n");
	check_refused("/tmp/wgc-analyze-test.keylog:1: PRESHARED_KEY before any LOCAL_EPHEMERAL_PRIVATE_KEY", "--keylog",
		      log, cap);
	write_file(log, "SOME_OTHER_KEY = AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\n");
	check_refused("/tmp/wgc-analyze-test.keylog:1: ", "--keylog", log, cap);
	check_refused("Usage: wgc analyze", "--json", NULL, NULL);
	unlink(log);
	free(cap);
}
