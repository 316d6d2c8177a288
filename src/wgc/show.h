/*
 * What `wgc show` prints for one interface, from its UAPI get reply: `wg show`'s text with a
 * health line per peer, or one JSON object. Private and preshared keys never appear.
 */
#ifndef WGC_SHOW_H
#define WGC_SHOW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/config.h"
#include "core/key.h"

/* The interface's public key in base64, derived from its private key; false when it has none. */
bool wgc_show_public_key(char text[WG_KEY_BASE64_LEN + 1], const struct wg_config_device *device);

/* now_sec is the Unix time that handshake ages are measured against. */
void wgc_show_text(FILE *out, const char *ifname, const struct wg_config_device *device, uint64_t now_sec);
/* `"IFNAME": { ... }`, a member of the "interfaces" object. */
void wgc_show_json(FILE *out, const char *ifname, const struct wg_config_device *device, uint64_t now_sec);

#endif
