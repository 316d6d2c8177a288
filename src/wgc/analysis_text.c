/* `wgc analyze`'s readable report: a line per message, then sessions and anomalies. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/key.h"
#include "crypto/secret.h"
#include "wgc/analysis.h"

void analysis_ip(char *out, size_t size, int family, const uint8_t *addr)
{
	char text[INET6_ADDRSTRLEN];

	inet_ntop(family, addr, text, sizeof(text));
	snprintf(out, size, "%s", text);
}

void analysis_address(char *out, size_t size, int family, const uint8_t *addr, uint16_t port)
{
	char text[INET6_ADDRSTRLEN];

	analysis_ip(text, sizeof(text), family, addr);
	snprintf(out, size, family == AF_INET6 ? "[%s]:%u" : "%s:%u", text, port);
}

void analysis_tai64n(char *out, size_t size, const uint8_t t[WG_NOISE_TIMESTAMP_LEN])
{
	/* TAI64 labels are 2^62 + seconds, and WireGuard's clocks add TAI's 10 s to Unix time. */
	uint64_t label = wg_be32_get(t) * (1ull << 32) + wg_be32_get(t + 4);
	uint32_t nanoseconds = wg_be32_get(t + 8);
	time_t seconds = (time_t)(label - (1ull << 62) - 10);
	struct tm tm;
	char date[32];

	if (label < (1ull << 62) + 10 || nanoseconds >= 1000000000u || !gmtime_r(&seconds, &tm) || !strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(out, size, "(not a TAI64N time)");
		return;
	}
	snprintf(out, size, "%s.%09uZ", date, nanoseconds);
}

double analysis_seconds(uint64_t ns)
{
	return (double)ns / 1e9;
}

double analysis_interval(uint64_t later, uint64_t earlier)
{
	return later >= earlier ? analysis_seconds(later - earlier) : -analysis_seconds(earlier - later);
}

static void print_hex(FILE *out, const uint8_t *bytes, size_t len)
{
	for (size_t i = 0; i < len; ++i)
		fprintf(out, "%02x", bytes[i]);
}

static void print_step(FILE *out, const struct chain *chain, enum chain_token token)
{
	fprintf(out, "  %-10s ck ", chain_token_name(token));
	print_hex(out, chain->after[token].ck, 32);
	fputs(" h ", out);
	print_hex(out, chain->after[token].h, 32);
	fputc('\n', out);
}

/* The chain's steps this message took: an initiation's, or its response's and the keys. */
static void print_trace(FILE *out, const struct capture_message *m, const struct decoded *d,
			const struct message_notes *notes)
{
	const struct chain *chain = &notes->session->chain;
	bool initiation = d->type == WG_MESSAGE_HANDSHAKE_INITIATION;
	unsigned first = initiation ? CHAIN_INITIAL : CHAIN_RESPONSE_E;
	unsigned last = initiation ? CHAIN_TIMESTAMP : CHAIN_EMPTY;

	if (initiation)
		fprintf(out, "kdf frame %" PRIu64 " initiation sender 0x%08x\n", m->frame, d->sender);
	else
		fprintf(out, "kdf frame %" PRIu64 " response sender 0x%08x receiver 0x%08x\n", m->frame, d->sender,
			d->receiver);
	for (unsigned t = first; t <= last && t < chain->steps; ++t)
		print_step(out, chain, (enum chain_token)t);
	if (!initiation && chain->complete) {
		fputs("  keys       initiator-to-responder ", out);
		print_hex(out, chain->send_i, 32);
		fputs(" responder-to-initiator ", out);
		print_hex(out, chain->recv_i, 32);
		fputc('\n', out);
	}
}

static void print_fields(FILE *out, const struct decoded *d, const struct message_notes *notes)
{
	if (d->has_sender)
		fprintf(out, " sender=0x%08x", d->sender);
	if (d->has_receiver)
		fprintf(out, " receiver=0x%08x", d->receiver);
	if (d->has_counter)
		fprintf(out, " counter=%" PRIu64, d->counter);
	if (d->prefix)
		fprintf(out, " prefix=%zu type_word=%u", d->prefix, d->type_word);
	if (notes->mac1_wrong)
		fputs(" mac1=WRONG", out);
	else if (d->mac1 == DECODE_MAC1_VALID || d->mac1 == DECODE_MAC1_UNKNOWN)
		fputs(d->mac1 == DECODE_MAC1_VALID ? " mac1=ok" : " mac1=?", out);
	if (d->mac1 != DECODE_MAC1_NONE)
		fputs(d->has_mac2 ? " mac2=set" : " mac2=none", out);
}

static void print_inner(FILE *out, const struct message_notes *notes)
{
	struct inner_summary inner;
	char src[64], dst[64];
	const char *name;

	inner_summarize(&inner, notes->plain, notes->plain_len);
	if (!inner.ip) {
		fprintf(out, " inner: %zu bytes, not IP", notes->plain_len);
		return;
	}
	if (inner.has_ports) {
		analysis_address(src, sizeof(src), inner.family, inner.src, inner.sport);
		analysis_address(dst, sizeof(dst), inner.family, inner.dst, inner.dport);
	} else {
		analysis_ip(src, sizeof(src), inner.family, inner.src);
		analysis_ip(dst, sizeof(dst), inner.family, inner.dst);
	}
	name = inner_protocol_name(inner.protocol);
	if (name)
		fprintf(out, " inner: %s -> %s %s %zu", src, dst, name, inner.length);
	else
		fprintf(out, " inner: %s -> %s proto %u %zu", src, dst, inner.protocol, inner.length);
}

static void print_notes(FILE *out, const struct decoded *d, const struct message_notes *notes)
{
	const struct chain *chain = notes->session ? &notes->session->chain : NULL;

	if (notes->session)
		fprintf(out, " session %u", notes->session->id);
	if (notes->retry)
		fputs(" retry", out);
	if (notes->superseded)
		fputs(" superseded", out);
	if (notes->replay)
		fputs(" REPLAY", out);
	if (notes->late)
		fputs(" late", out);
	if (notes->keepalive)
		fputs(" keepalive", out);
	if (notes->chain_opened && chain->initiator_static_known) {
		char key[WG_KEY_BASE64_LEN + 1];

		wg_key_to_base64(key, chain->initiator_static);
		fprintf(out, " initiator=%s", key);
	}
	if (notes->chain_opened && chain->timestamp_known) {
		char when[48];

		analysis_tai64n(when, sizeof(when), chain->timestamp);
		fprintf(out, " timestamp=%s", when);
	}
	if (d->type == WG_MESSAGE_HANDSHAKE_RESPONSE && notes->chain_completed)
		fputs(" keys=derived", out);
	if (notes->undecryptable)
		fputs(" UNDECRYPTABLE", out);
	if (notes->decrypted && notes->plain_len)
		print_inner(out, notes);
}

void analysis_text_message(struct analysis *a, const struct capture_message *m, const struct decoded *d,
			   const struct message_notes *notes)
{
	char src[64], dst[64];

	if (a->messages) {
		analysis_address(src, sizeof(src), m->family, m->src, m->sport);
		analysis_address(dst, sizeof(dst), m->family, m->dst, m->dport);
		fprintf(a->out, "%6" PRIu64 " %11.6f %s -> %s%s ", m->frame, analysis_interval(m->time_ns, a->first_time),
			src, dst, m->transport == CAPTURE_TCP ? " tcp" : "");
		if (d->kind == DECODE_JUNK)
			fprintf(a->out, "junk %zu\n", m->len);
		else if (d->kind == DECODE_INVALID)
			fprintf(a->out, "INVALID %zu: %s\n", m->len, d->reason);
		else {
			fprintf(a->out, "%s %zu", decode_type_name(d->type), d->len);
			print_fields(a->out, d, notes);
			print_notes(a->out, d, notes);
			fputc('\n', a->out);
		}
	}
	if (a->trace_kdf && d->kind == DECODE_MESSAGE && notes->session &&
	    ((d->type == WG_MESSAGE_HANDSHAKE_INITIATION && notes->chain_opened) ||
	     (d->type == WG_MESSAGE_HANDSHAKE_RESPONSE && notes->session->chain_opened &&
	      notes->session->chain.steps > CHAIN_TIMESTAMP + 1)))
		print_trace(a->out, m, d, notes);
}

static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

static void print_direction(FILE *out, const char *name, const struct session_direction_stats *st)
{
	const struct countertrack *c = &st->counters;
	uint64_t missing = countertrack_gaps(c, NULL, NULL);

	fprintf(out, "  %s: %" PRIu64 " packets, %" PRIu64 " bytes", name, st->packets, st->bytes);
	if (!st->packets) {
		fputc('\n', out);
		return;
	}
	fprintf(out, ", counters %" PRIu64 "-%" PRIu64 ", %" PRIu64 " missing, %" PRIu64 " replayed, %" PRIu64
		" late", c->base, c->highest, missing, c->replays, c->reordered);
	if (c->untracked)
		fprintf(out, ", %" PRIu64 " too far from the rest to track", c->untracked);
	if (st->keepalives)
		fprintf(out, ", %" PRIu64 " keepalives", st->keepalives);
	if (st->keepalive_intervals)
		fprintf(out, " (every %.1f s, %.1f-%.1f)",
			analysis_seconds(st->keepalive_interval_sum / st->keepalive_intervals),
			analysis_seconds(st->keepalive_interval_min), analysis_seconds(st->keepalive_interval_max));
	if (st->decrypted || st->undecryptable)
		fprintf(out, ", %" PRIu64 " decrypted, %" PRIu64 " not", st->decrypted, st->undecryptable);
	fputc('\n', out);
}

static void print_session(struct analysis *a, const struct session *s)
{
	char initiator[64], responder[64];

	analysis_address(initiator, sizeof(initiator), s->initiator.family, s->initiator.addr, s->initiator.port);
	analysis_address(responder, sizeof(responder), s->responder.family, s->responder.addr, s->responder.port);
	if (s->handshake_seen || s->response_seen)
		fprintf(a->out, "session %u: %s (initiator, index 0x%08x) -> %s (responder, index 0x%08x)%s\n", s->id,
			initiator, s->initiator_index, responder, s->responder_index,
			s->initiator.transport == CAPTURE_TCP ? " over tcp" : "");
	else
		fprintf(a->out, "session %u: %s -> %s (index 0x%08x), begun before the capture%s\n", s->id, initiator,
			responder, s->responder_index, s->initiator.transport == CAPTURE_TCP ? " over tcp" : "");
	if (s->handshake_seen)
		fprintf(a->out, "  handshake: %u initiation%s (first at %.6f s), %u cookie repl%s", s->initiations,
			plural(s->initiations), analysis_interval(s->first_initiation_time, a->first_time),
			s->cookie_replies, s->cookie_replies == 1 ? "y" : "ies");
	if (s->handshake_seen && s->response_seen)
		fprintf(a->out, ", answered at %.6f s, round trip %.3f ms\n",
			analysis_interval(s->response_time, a->first_time),
			analysis_interval(s->response_time, s->initiation_time) * 1e3);
	else if (s->handshake_seen)
		fputs(", never answered\n", a->out);
	if (s->previous && s->response_seen)
		fprintf(a->out, "  rekey: %.3f s after session %u\n",
			analysis_interval(s->response_time, s->previous->response_time), s->previous->id);
	if (s->chain_opened)
		fprintf(a->out, "  keys: %s\n", s->keys ? "session keys derived, data decrypted" :
			!s->chain.timestamp_known ? "initiator's static key revealed; no more keys" :
			s->response_seen ? "initiation opened; the response's keys are not known" :
			"initiation opened; no response in the capture");
	print_direction(a->out, "to responder", &s->dir[TO_RESPONDER]);
	print_direction(a->out, "to initiator", &s->dir[TO_INITIATOR]);
}

/* What the capture held that was not read as WireGuard, when it may have hidden some. */
static void print_skipped(struct analysis *a)
{
	const struct capture_counts *c = &a->counts;

	if (!(c->fragments || c->truncated || c->tcp_gaps || c->malformed || c->tcp_dropped || a->flows_full))
		return;
	fprintf(a->out, "skipped: %" PRIu64 " fragments, %" PRIu64 " truncated records, %" PRIu64
		" malformed headers, %" PRIu64 " bytes missing from TCP streams, %" PRIu64
		" TCP segments without room to follow, %" PRIu64 " messages of flows without room to remember\n",
		c->fragments, c->truncated, c->malformed, c->tcp_gaps, c->tcp_dropped, a->flows_full);
}

void analysis_text_summary(struct analysis *a)
{
	const struct sessions *s = &a->sessions;

	if (a->messages)
		fputc('\n', a->out);
	fprintf(a->out, "%u file%s, %" PRIu64 " packets; WireGuard: %" PRIu64 " initiation%s, %" PRIu64
		" response%s, %" PRIu64 " cookie repl%s, %" PRIu64 " data, %" PRIu64 " invalid, %" PRIu64 " junk\n",
		a->files, plural(a->files), a->counts.packets, s->counts[1], plural(s->counts[1]), s->counts[2],
		plural(s->counts[2]), s->counts[3], s->counts[3] == 1 ? "y" : "ies", s->counts[4], s->invalid, s->junk);
	print_skipped(a);
	if (a->gso_split)
		fprintf(a->out, "%" PRIu64 " UDP GSO/GRO super-datagram%s (messages the kernel joined on this side of the capture point) cut into their "
			"messages\n", a->gso_split, plural(a->gso_split));
	for (size_t i = 0; i < s->count; ++i)
		print_session(a, s->all[i]);
	fprintf(a->out, "anomalies: %zu\n", s->anomaly_count + (size_t)s->anomalies_dropped);
	for (size_t i = 0; i < s->anomaly_count; ++i) {
		const struct anomaly *an = &s->anomalies[i];

		if (an->frame && a->files > 1)
			fprintf(a->out, "  %s frame %" PRIu64 ": %s\n", an->file, an->frame, an->text);
		else if (an->frame)
			fprintf(a->out, "  frame %" PRIu64 ": %s\n", an->frame, an->text);
		else
			fprintf(a->out, "  session %u: %s\n", an->session, an->text);
	}
	if (s->anomalies_dropped)
		fprintf(a->out, "  (%" PRIu64 " more not listed)\n", s->anomalies_dropped);
}
