/*
 * One run of `wgc analyze`: its options, what it knows (keys, wire format, WireGuard flows),
 * the sessions it builds, and the two report forms it writes as it goes (analysis_text.c,
 * analysis_json.c): one entry per message, then a summary.
 */
#ifndef WGC_ANALYSIS_H
#define WGC_ANALYSIS_H

#include <stdbool.h>
#include <stdio.h>

#include "core/messages.h"
#include "wgc/capture.h"
#include "wgc/decode.h"
#include "wgc/flows.h"
#include "wgc/inner.h"
#include "wgc/keyring.h"
#include "wgc/sessions.h"

struct analysis {
	FILE *out;
	bool json, messages, trace_kdf;
	struct wg_wire_format wire;
	struct keyring ring;
	struct flows flows;
	struct sessions sessions;
	struct inner_writer *inner;          /* --write-inner, or NULL */
	struct capture_counts counts;
	uint64_t first_time;                 /* of the first message reported: report times are after it */
	bool any;
	unsigned files;
	uint64_t gso_split;                  /* super-datagrams cut into their messages */
	uint64_t flows_full;                 /* messages of flows the flow table had no room for */
	int error;                           /* -ENOMEM met in a callback */
};

/* `wgc analyze` with its report on out and errors on err; the exit status. */
int wgc_analyze_run(FILE *out, FILE *err, int argc, char **argv);

/* A message's entry: a report line (with a KDF trace under it when asked), or a JSON object. */
void analysis_text_message(struct analysis *a, const struct capture_message *m, const struct decoded *d,
			   const struct message_notes *notes);
void analysis_text_summary(struct analysis *a);
void analysis_json_message(struct analysis *a, const struct capture_message *m, const struct decoded *d,
			   const struct message_notes *notes);
void analysis_json_summary(struct analysis *a);

/* Shared by both forms: an address, and an address with its port ("[v6]:port"). */
void analysis_ip(char *out, size_t size, int family, const uint8_t *addr);
void analysis_address(char *out, size_t size, int family, const uint8_t *addr, uint16_t port);
/* TAI64N as UTC "2026-12-02T07:30:00.123456789Z". */
void analysis_tai64n(char *out, size_t size, const uint8_t tai64n[WG_NOISE_TIMESTAMP_LEN]);
/* Seconds, with nanoseconds, of a duration. */
double analysis_seconds(uint64_t ns);
/* Seconds from earlier to later, negative when the capture's times went backwards (files given
 * out of order, a merge unsorted, a clock step). */
double analysis_interval(uint64_t later, uint64_t earlier);

#endif
