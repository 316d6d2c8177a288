/*
 * The flows (address and port pairs, either way round, per transport) a capture showed to
 * carry WireGuard: once one well-formed message went between two ends, what else goes
 * between them is judged as WireGuard's too (invalid, or junk when obfuscated). Obfuscated
 * flows open with junk and signature datagrams before their first message: those are
 * counted per flow as unclaimed until the flow proves to be WireGuard's.
 */
#ifndef WGC_FLOWS_H
#define WGC_FLOWS_H

#include <stdbool.h>
#include <stddef.h>

#include "wgc/capture.h"

struct flow_key {
	uint8_t a[16], b[16];       /* the lower end first, so both directions are one flow */
	uint16_t a_port, b_port;
	uint8_t family, transport;
};

struct flow {
	struct flow_key key;
	bool used, wireguard;
	uint64_t unclaimed, unclaimed_bytes;   /* datagrams before the first message */
};

struct flows {
	struct flow *slots;         /* open addressing; owned */
	size_t size, count;
};

/* WireGuard flows beyond FLOWS_MAX are not remembered; flows of unclaimed datagrams stop at
 * half that, so they never crowd WireGuard's out. */
enum { FLOWS_MAX = 1 << 20, FLOWS_UNCLAIMED_MAX = FLOWS_MAX / 2 };

bool flows_contains(const struct flows *flows, const struct capture_message *m);
/* Marks the flow WireGuard's; *unclaimed and *bytes get what it held before. 0, -ENOSPC when
 * the table is full (the flow is not remembered), or -ENOMEM. */
int flows_add(struct flows *flows, const struct capture_message *m, uint64_t *unclaimed, uint64_t *bytes);
/* A datagram of a flow not (yet) known to be WireGuard's. */
void flows_unclaimed(struct flows *flows, const struct capture_message *m);
void flows_free(struct flows *flows);

#endif
