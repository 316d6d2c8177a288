/*
 * `wgc analyze [options] FILE...`: WireGuard in pcap and pcapng captures. Each message with
 * its fields and verdict, the sessions they make, what looked wrong; with keys (a key log, a
 * responder's private key) the handshakes opened, the data decrypted, the KDF chain traced.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/obfuscation.h"
#include "wgc/analysis.h"
#include "wgc/commands.h"

enum { PORTS_MAX = 64 };

struct analyze_options {
	uint16_t ports[PORTS_MAX];
	size_t port_count;
	const char *write_inner;
	struct wg_config_obfuscation obfuscation;
	FILE *err;                         /* where errors go: stderr, or a test's stream */
};

static int usage(FILE *err)
{
	fprintf(err, "Usage: wgc analyze [--json] [--summary] [--port PORT]... [--public-key KEY]...\n"
			"                   [--private-key FILE]... [--keylog FILE]... [--write-inner OUT]\n"
			"                   [--trace-kdf] [--obfuscation KEY=VALUE]... FILE...\n"
			"FILE is a pcap or pcapng capture; - reads standard input.\n");
	return 1;
}

/* A TCP stream is followed when its first frame holds a message of the wire format. */
static bool frame_plausible(void *ctx, const uint8_t *data, size_t len)
{
	struct analysis *a = ctx;
	struct decoded d;

	decode_payload(&d, &a->wire, data, len, false, &a->ring);
	/* Obfuscated streams open with signature and junk frames: any frame may start one. */
	return d.kind == DECODE_MESSAGE || !a->wire.plain;
}

static void write_inner(struct analysis *a, const struct capture_message *m, const struct message_notes *notes)
{
	struct inner_summary inner;

	if (!a->inner || !notes->decrypted || !notes->plain_len)
		return;
	inner_summarize(&inner, notes->plain, notes->plain_len);
	inner_writer_add(a->inner, m->time_ns, notes->plain, inner.ip ? inner.length : notes->plain_len);
}

/* A flow's first message: what came before it on an obfuscated flow was its junk. */
static void claim_flow(struct analysis *a, const struct capture_message *m)
{
	uint64_t unclaimed, bytes;
	int ret = flows_add(&a->flows, m, &unclaimed, &bytes);

	if (ret == -ENOSPC)
		a->flows_full++;
	else if (ret)
		a->error = ret;
	a->sessions.junk += unclaimed;
	a->sessions.junk_bytes += bytes;
}

static void on_one_message(struct analysis *a, const struct capture_message *m);

/*
 * A capture on the sending host with UDP GSO, or on the receiving one with UDP GRO, holds
 * super-datagrams: several data messages of one segment size back to back (the last may be
 * shorter), which the kernel cut after the capture point or joined before it. The next
 * message's header (type and receiver, a counter near this one's) sits at the segment size;
 * a lone message holding those 16 bytes by chance is a 2^-80 event. Returns the segment
 * size, or 0. memchr keeps the scan cheaper than the decryption it saves.
 */
static size_t gso_segment_size(const uint8_t *data, size_t len)
{
	uint64_t counter;
	const uint8_t *at;

	if (len < 2 * WG_MESSAGE_MINIMUM_LENGTH || data[0] != WG_MESSAGE_DATA || data[1] || data[2] || data[3])
		return 0;
	counter = wg_le64_get(data + 8);
	for (at = data + WG_MESSAGE_MINIMUM_LENGTH; at + 16 <= data + len; ++at) {
		uint64_t next;

		at = memchr(at, WG_MESSAGE_DATA, (size_t)(data + len - 16 - at) + 1);
		if (!at)
			return 0;
		if (memcmp(at, data, 8))
			continue;
		next = wg_le64_get(at + 8);
		if (next != counter && next - counter + 64 <= 128)
			return (size_t)(at - data);
	}
	return 0;
}

static void on_message(void *ctx, const struct capture_message *m)
{
	struct analysis *a = ctx;
	size_t segment = m->transport == CAPTURE_UDP && a->wire.plain ? gso_segment_size(m->data, m->len) : 0;
	struct capture_message part = *m;

	if (!segment) {
		on_one_message(a, m);
		return;
	}
	a->gso_split++;
	for (size_t at = 0; at < m->len; at += segment) {
		part.data = m->data + at;
		part.len = m->len - at < segment ? m->len - at : segment;
		on_one_message(a, &part);
	}
}

static void on_one_message(struct analysis *a, const struct capture_message *m)
{
	struct message_notes notes;
	struct decoded d;
	bool known = flows_contains(&a->flows, m);

	decode_payload(&d, &a->wire, m->data, m->len, known, &a->ring);
	if (a->error)
		return;
	if (d.kind == DECODE_NOT_WIREGUARD) {
		if (!a->wire.plain)
			flows_unclaimed(&a->flows, m);
		return;
	}
	if (d.kind == DECODE_MESSAGE && !known)
		claim_flow(a, m);
	if (!a->any) {
		a->first_time = m->time_ns;
		a->any = true;
	}
	if (sessions_add(&a->sessions, m, &d, &notes))
		a->error = -ENOMEM;
	write_inner(a, m, &notes);
	if (a->json)
		analysis_json_message(a, m, &d, &notes);
	else if (a->messages || a->trace_kdf)
		analysis_text_message(a, m, &d, &notes);
}

static int parse_port(struct analyze_options *o, const char *text)
{
	char *end;
	unsigned long port = strtoul(text, &end, 10);

	if (!*text || *end || port == 0 || port > 65535) {
		fprintf(o->err, "wgc analyze: --port: \"%s\" is not a port (1-65535)\n", text);
		return -EINVAL;
	}
	if (o->port_count == PORTS_MAX) {
		fprintf(o->err, "wgc analyze: --port: at most %d ports\n", PORTS_MAX);
		return -EINVAL;
	}
	o->ports[o->port_count++] = (uint16_t)port;
	return 0;
}

static int parse_obfuscation(struct analyze_options *o, const char *text)
{
	char name[8] = "", message[256];
	const char *equals = strchr(text, '=');
	int key = -1;

	if (equals && (size_t)(equals - text) < sizeof(name)) {
		memcpy(name, text, (size_t)(equals - text));
		key = wg_obfuscation_key_of(name);
	}
	if (key < 0) {
		fprintf(o->err, "wgc analyze: --obfuscation: \"%s\" is not KEY=VALUE with KEY one of jc, jmin, jmax, "
				"s1-s4, h1-h4, i1-i5\n", text);
		return -EINVAL;
	}
	if (wg_obfuscation_parse(&o->obfuscation, (enum wg_obfuscation_key)key, equals + 1, message, sizeof(message))) {
		fprintf(o->err, "wgc analyze: --obfuscation: %s\n", message);
		return -EINVAL;
	}
	return 0;
}

/* The wire format of the obfuscation parameters given, checked whole as a device would. */
static int set_wire(struct analysis *a, const struct analyze_options *o)
{
	struct wg_obfuscation none = { 0 }, merged;
	char message[256];

	wg_wire_format_plain(&a->wire);
	if (!o->obfuscation.has)
		return 0;
	if (wg_obfuscation_merge(&merged, &none, &o->obfuscation, message, sizeof(message))) {
		fprintf(o->err, "wgc analyze: --obfuscation: %s\n", message);
		return -EINVAL;
	}
	wg_obfuscation_wire(&merged, &a->wire);
	wg_obfuscation_free(&merged);
	return 0;
}

static bool is_option(const char *opt)
{
	static const char *const with_value[] = { "--port", "--obfuscation", "--write-inner", "--public-key",
						  "--private-key", "--keylog" };

	for (size_t i = 0; i < sizeof(with_value) / sizeof(*with_value); ++i)
		if (!strcmp(opt, with_value[i]))
			return true;
	return false;
}

/* One option and its value, if any; *i moves past what was used. 1: not an option. */
static int parse_option(struct analysis *a, struct analyze_options *o, int argc, char **argv, int *i)
{
	const char *opt = argv[*i], *value = *i + 1 < argc ? argv[*i + 1] : NULL;
	struct wgc_err err;
	int ret = 0;

	if (!strcmp(opt, "--json"))
		return a->json = true, 0;
	if (!strcmp(opt, "--summary"))
		return a->messages = false, 0;
	if (!strcmp(opt, "--trace-kdf"))
		return a->trace_kdf = true, 0;
	if (opt[0] != '-' || !strcmp(opt, "-"))
		return 1;
	if (!is_option(opt)) {
		fprintf(o->err, "wgc analyze: unknown option %s\n", opt);
		return usage(o->err), -EINVAL;
	}
	if (!value) {
		fprintf(o->err, "wgc analyze: %s needs a value\n", opt);
		return usage(o->err), -EINVAL;
	}
	++*i;
	if (!strcmp(opt, "--port"))
		ret = parse_port(o, value);
	else if (!strcmp(opt, "--obfuscation"))
		ret = parse_obfuscation(o, value);
	else if (!strcmp(opt, "--write-inner"))
		o->write_inner = value;
	else if (!strcmp(opt, "--public-key"))
		ret = keyring_add_public_text(&a->ring, value, &err);
	else if (!strcmp(opt, "--private-key"))
		ret = keyring_add_private_file(&a->ring, value, &err);
	else if (!strcmp(opt, "--keylog"))
		ret = keyring_add_keylog(&a->ring, value, &err);
	else
		return usage(o->err), -EINVAL;
	if (ret && strcmp(opt, "--port") && strcmp(opt, "--obfuscation"))
		fprintf(o->err, "wgc analyze: %s\n", err.text);
	return ret;
}

static int read_files(struct analysis *a, const struct analyze_options *o, char **files, int count)
{
	const struct capture_options options = {
		.ports = o->ports, .port_count = o->port_count,
		.frame_plausible = frame_plausible, .message = on_message, .ctx = a,
	};
	struct wgc_err err;
	int ret = 0;

	for (int i = 0; i < count && !a->error; ++i) {
		a->files++;
		if (capture_read(files[i], &options, &a->counts, &err)) {
			fprintf(o->err, "wgc analyze: %s\n", err.text);
			ret = -EINVAL;
		}
	}
	if (a->error) {
		fprintf(o->err, "wgc analyze: out of memory\n");
		ret = a->error;
	}
	return ret;
}

static int analyze(struct analysis *a, struct analyze_options *o, char **files, int count)
{
	struct wgc_err err;
	int ret = set_wire(a, o);

	if (!ret && o->write_inner && inner_writer_open(&a->inner, o->write_inner, &err)) {
		fprintf(o->err, "wgc analyze: %s\n", err.text);
		ret = -EIO;
	}
	if (ret)
		return ret;
	sessions_init(&a->sessions, &a->ring);
	ret = read_files(a, o, files, count);
	sessions_finish(&a->sessions);
	/* A summary of nothing read says nothing the error did not. */
	if (a->json && (!ret || a->counts.packets))
		analysis_json_summary(a);
	else if (!ret || a->counts.packets)
		analysis_text_summary(a);
	/* A run that failed leaves OUT as it was. */
	if (a->inner && inner_writer_close(a->inner, !ret, &err)) {
		fprintf(o->err, "wgc analyze: %s\n", err.text);
		ret = -EIO;
	}
	if (fflush(a->out) || ferror(a->out))
		ret = -EIO;
	sessions_free(&a->sessions);
	return ret;
}

int wgc_analyze_run(FILE *out, FILE *err, int argc, char **argv)
{
	struct analysis a = { .out = out, .messages = true };
	struct analyze_options o = { .err = err };
	char **files = calloc((size_t)argc, sizeof(*files));
	int ret = files ? 0 : -ENOMEM, count = 0;

	/* Options and files in any order, as tcpdump and tshark users write them. */
	for (int i = 1; i < argc && !ret; ++i) {
		ret = parse_option(&a, &o, argc, argv, &i);
		if (ret == 1) {
			files[count++] = argv[i];
			ret = 0;
		}
	}
	if (!ret && !count)
		ret = usage(err);
	if (!ret)
		ret = analyze(&a, &o, files, count);
	free(files);
	wg_config_obfuscation_free(&o.obfuscation);
	keyring_free(&a.ring);
	flows_free(&a.flows);
	return ret ? 1 : 0;
}

int wgc_analyze_main(int argc, char **argv)
{
	return wgc_analyze_run(stdout, stderr, argc, argv);
}
