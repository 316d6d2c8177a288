/*
 * AmneziaWG's signature packets (I1..I5): datagrams sent before an initiation's junk, each
 * described by tags that concatenate:
 *
 *   <b 0xHEX>  these bytes        <r N>   N random bytes
 *   <rc N>     N random letters   <rd N>  N random digits
 *   <t>        the Unix time, 4 bytes big-endian
 *
 * Space between tags is allowed. Checked once when set; built afresh for every initiation.
 */
#ifndef WG_CORE_SIGNATURE_H
#define WG_CORE_SIGNATURE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/keystream.h"

/* Longest datagram a signature may make: what one UDP datagram over IPv4 carries. */
enum { WG_SIGNATURE_MAX = 65507 };

/* The datagram's length, or -EINVAL with a message saying where the text is wrong. */
long wg_signature_check(const char *text, char *message, size_t size);
/* Builds a checked text's datagram into out (room for WG_SIGNATURE_MAX); its length. */
size_t wg_signature_build(const char *text, uint8_t *out, struct wg_keystream *random, uint32_t unix_time);

#endif
