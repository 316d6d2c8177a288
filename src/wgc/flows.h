/*
 * The flows (address and port pairs, either way round, per transport) a capture showed to
 * carry WireGuard: once one well-formed message went between two ends, what else goes
 * between them is judged as WireGuard's too (invalid, or junk when obfuscated).
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

struct flows {
	struct flow_key *slots;     /* open addressing; owned */
	bool *used;
	size_t size, count;
};

bool flows_contains(const struct flows *flows, const struct capture_message *m);
/* 0 or -ENOMEM. */
int flows_add(struct flows *flows, const struct capture_message *m);
void flows_free(struct flows *flows);

#endif
