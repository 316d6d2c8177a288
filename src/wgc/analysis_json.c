/* `wgc analyze --json`: one object per line, a {"message": ...} per message and a {"summary": ...}. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/key.h"
#include "wgc/analysis.h"
#include "wgc/json.h"

static const char *const mac1_names[] = { NULL, "unchecked", "valid", "unknown" };
static const char *const kind_names[] = { NULL, "message", "invalid", "junk" };

static void json_address(FILE *out, const char *name, int family, const uint8_t *addr, uint16_t port)
{
	char text[64];

	analysis_address(text, sizeof(text), family, addr, port);
	fprintf(out, ",\"%s\":", name);
	wgc_json_string(out, text);
}

static void json_ip(FILE *out, const char *name, int family, const uint8_t *addr)
{
	char text[64];

	analysis_ip(text, sizeof(text), family, addr);
	fprintf(out, ",\"%s\":\"%s\"", name, text);
}

static void json_key(FILE *out, const char *name, const uint8_t key[32])
{
	char text[WG_KEY_BASE64_LEN + 1];

	wg_key_to_base64(text, key);
	fprintf(out, ",\"%s\":\"%s\"", name, text);
}

static void json_inner(FILE *out, const struct message_notes *notes)
{
	struct inner_summary inner;
	const char *name;

	inner_summarize(&inner, notes->plain, notes->plain_len);
	if (!inner.ip) {
		fprintf(out, ",\"inner\":{\"ip\":false,\"length\":%zu}", notes->plain_len);
		return;
	}
	fputs(",\"inner\":{\"ip\":true", out);
	json_ip(out, "src", inner.family, inner.src);
	json_ip(out, "dst", inner.family, inner.dst);
	name = inner_protocol_name(inner.protocol);
	fprintf(out, ",\"protocol\":\"%s\",\"protocol_number\":%u,\"length\":%zu", name ? name : "other",
		inner.protocol, inner.length);
	if (inner.has_ports)
		fprintf(out, ",\"sport\":%u,\"dport\":%u", inner.sport, inner.dport);
	fputc('}', out);
}

static void json_chain(FILE *out, const struct decoded *d, const struct message_notes *notes)
{
	const struct chain *chain = &notes->session->chain;

	if (d->type == WG_MESSAGE_HANDSHAKE_INITIATION && notes->chain_opened) {
		if (chain->initiator_static_known)
			json_key(out, "initiator_static", chain->initiator_static);
		json_key(out, "responder_static", chain->responder_static);
		if (chain->timestamp_known) {
			char when[48];

			analysis_tai64n(when, sizeof(when), chain->timestamp);
			fprintf(out, ",\"timestamp\":\"%s\"", when);
		}
	}
	if (d->type == WG_MESSAGE_HANDSHAKE_RESPONSE)
		fprintf(out, ",\"keys_derived\":%s", notes->chain_completed ? "true" : "false");
}

static void json_fields(FILE *out, const struct decoded *d, const struct message_notes *notes)
{
	fprintf(out, ",\"type\":\"%s\",\"type_word\":%u,\"length\":%zu,\"prefix\":%zu", decode_type_name(d->type),
		d->type_word, d->len, d->prefix);
	if (d->has_sender)
		fprintf(out, ",\"sender\":%u", d->sender);
	if (d->has_receiver)
		fprintf(out, ",\"receiver\":%u", d->receiver);
	if (d->has_counter)
		fprintf(out, ",\"counter\":%" PRIu64, d->counter);
	if (d->mac1 != DECODE_MAC1_NONE)
		fprintf(out, ",\"mac1\":\"%s\",\"mac2\":%s", notes->mac1_wrong ? "invalid" : mac1_names[d->mac1],
			d->has_mac2 ? "true" : "false");
}

void analysis_json_message(struct analysis *a, const struct capture_message *m, const struct decoded *d,
			   const struct message_notes *notes)
{
	FILE *out = a->out;

	if (!a->messages)
		return;
	fputs("{\"message\":{\"file\":", out);
	wgc_json_string(out, m->file);
	fprintf(out, ",\"frame\":%" PRIu64 ",\"time\":%" PRIu64 ".%09" PRIu64, m->frame, m->time_ns / 1000000000u,
		m->time_ns % 1000000000u);
	json_address(out, "src", m->family, m->src, m->sport);
	json_address(out, "dst", m->family, m->dst, m->dport);
	fprintf(out, ",\"transport\":\"%s\",\"bytes\":%zu,\"kind\":\"%s\"", m->transport == CAPTURE_TCP ? "tcp" : "udp",
		m->len, kind_names[d->kind]);
	if (d->kind == DECODE_INVALID) {
		fputs(",\"valid\":false,\"reason\":", out);
		wgc_json_string(out, d->reason);
	} else if (d->kind == DECODE_MESSAGE && notes->mac1_wrong) {
		fputs(",\"valid\":false,\"reason\":\"mac1 is not made with its receiver's key\"", out);
		json_fields(out, d, notes);
	} else if (d->kind == DECODE_MESSAGE) {
		fputs(",\"valid\":true", out);
		json_fields(out, d, notes);
	}
	if (notes->session) {
		fprintf(out, ",\"session\":%u,\"direction\":\"%s\"", notes->session->id,
			notes->direction == TO_RESPONDER ? "to_responder" : "to_initiator");
		json_chain(out, d, notes);
	}
	if (notes->superseded)
		fputs(",\"superseded\":true", out);
	fprintf(out, ",\"retry\":%s,\"replay\":%s,\"late\":%s,\"keepalive\":%s,\"decrypted\":%s",
		notes->retry ? "true" : "false", notes->replay ? "true" : "false", notes->late ? "true" : "false",
		notes->keepalive ? "true" : "false", notes->decrypted ? "true" : "false");
	if (notes->decrypted && notes->plain_len)
		json_inner(out, notes);
	fputs("}}\n", out);
}

struct gap_list {
	FILE *out;
	bool first;
};

static void json_gap(void *ctx, const struct countertrack_gap *gap)
{
	struct gap_list *g = ctx;

	fprintf(g->out, "%s{\"first\":%" PRIu64 ",\"count\":%" PRIu64 "}", g->first ? "" : ",", gap->first, gap->count);
	g->first = false;
}

static void json_direction(FILE *out, const char *name, const struct session_direction_stats *st)
{
	const struct countertrack *c = &st->counters;
	struct gap_list gaps = { out, true };
	uint64_t missing;

	fprintf(out, ",\"%s\":{\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"keepalives\":%" PRIu64, name,
		st->packets, st->bytes, st->keepalives);
	if (st->keepalive_intervals)
		fprintf(out, ",\"keepalive_interval\":%.3f",
			analysis_seconds(st->keepalive_interval_sum / st->keepalive_intervals));
	fprintf(out, ",\"decrypted\":%" PRIu64 ",\"undecryptable\":%" PRIu64, st->decrypted, st->undecryptable);
	if (st->packets)
		fprintf(out, ",\"first_counter\":%" PRIu64 ",\"highest_counter\":%" PRIu64, c->base, c->highest);
	fprintf(out, ",\"replays\":%" PRIu64 ",\"late\":%" PRIu64 ",\"untracked\":%" PRIu64 ",\"gaps\":[", c->replays,
		c->reordered, c->untracked);
	missing = countertrack_gaps(c, json_gap, &gaps);
	fprintf(out, "],\"missing\":%" PRIu64 "}", missing);
}

static void json_session(struct analysis *a, const struct session *s)
{
	FILE *out = a->out;

	fprintf(out, "{\"id\":%u", s->id);
	json_address(out, "initiator", s->initiator.family, s->initiator.addr, s->initiator.port);
	json_address(out, "responder", s->responder.family, s->responder.addr, s->responder.port);
	fprintf(out, ",\"transport\":\"%s\",\"initiator_index\":%u,\"responder_index\":%u,\"handshake\":%s",
		s->initiator.transport == CAPTURE_TCP ? "tcp" : "udp", s->initiator_index, s->responder_index,
		s->handshake_seen ? "true" : "false");
	fprintf(out, ",\"initiations\":%u,\"retries\":%u,\"cookie_replies\":%u,\"answered\":%s", s->initiations,
		s->initiations ? s->initiations - 1 : 0, s->cookie_replies, s->response_seen ? "true" : "false");
	if (s->handshake_seen && s->response_seen)
		fprintf(out, ",\"handshake_time\":%.6f,\"handshake_rtt_ms\":%.3f",
			analysis_interval(s->response_time, a->first_time),
			analysis_interval(s->response_time, s->initiation_time) * 1e3);
	if (s->previous && s->response_seen)
		fprintf(out, ",\"rekey_of\":%u,\"rekey_after\":%.3f", s->previous->id,
			analysis_interval(s->response_time, s->previous->response_time));
	if (s->chain_opened && s->chain.initiator_static_known)
		json_key(out, "initiator_static", s->chain.initiator_static);
	fprintf(out, ",\"keys\":%s", s->keys ? "true" : "false");
	json_direction(out, "to_responder", &s->dir[TO_RESPONDER]);
	json_direction(out, "to_initiator", &s->dir[TO_INITIATOR]);
	fputc('}', out);
}

void analysis_json_summary(struct analysis *a)
{
	const struct sessions *s = &a->sessions;
	FILE *out = a->out;

	fprintf(out, "{\"summary\":{\"files\":%u,\"packets\":%" PRIu64 ",\"initiations\":%" PRIu64
		",\"responses\":%" PRIu64 ",\"cookie_replies\":%" PRIu64 ",\"data\":%" PRIu64 ",\"invalid\":%" PRIu64
		",\"junk\":%" PRIu64 ",\"gso_split\":%" PRIu64, a->files, a->counts.packets, s->counts[1], s->counts[2],
		s->counts[3], s->counts[4], s->invalid, s->junk, a->gso_split);
	fprintf(out, ",\"not_ip\":%" PRIu64 ",\"other_ip\":%" PRIu64 ",\"fragments\":%" PRIu64 ",\"truncated\":%" PRIu64
		",\"malformed\":%" PRIu64 ",\"tcp_gap_bytes\":%" PRIu64 ",\"tcp_dropped\":%" PRIu64 ",\"flows_full\":%" PRIu64
		",\"sessions\":[", a->counts.not_ip, a->counts.other_ip, a->counts.fragments, a->counts.truncated,
		a->counts.malformed, a->counts.tcp_gaps, a->counts.tcp_dropped, a->flows_full);
	for (size_t i = 0; i < s->count; ++i) {
		if (i)
			fputc(',', out);
		json_session(a, s->all[i]);
	}
	fputs("],\"anomalies\":[", out);
	for (size_t i = 0; i < s->anomaly_count; ++i) {
		const struct anomaly *an = &s->anomalies[i];

		fprintf(out, "%s{", i ? "," : "");
		if (an->frame) {
			fputs("\"file\":", out);
			wgc_json_string(out, an->file);
			fprintf(out, ",\"frame\":%" PRIu64 ",\"time\":%" PRIu64 ".%09" PRIu64 ",", an->frame,
				an->time_ns / 1000000000u, an->time_ns % 1000000000u);
		}
		fprintf(out, "\"session\":%u,\"text\":", an->session);
		wgc_json_string(out, an->text);
		fputc('}', out);
	}
	fprintf(out, "],\"anomalies_not_listed\":%" PRIu64 "}}\n", s->anomalies_dropped);
}
