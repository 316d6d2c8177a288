/*
 * Numbers and IP prefixes as configuration text spells them. The UAPI parser and the
 * wg-quick file parser (src/wgc/conffile.c) read both the same way, so they share these.
 */
#ifndef WG_CORE_PARSE_H
#define WG_CORE_PARSE_H

#include <stdbool.h>
#include <stdint.h>

/* Decimal digits only, no sign or blank, at most max. */
bool wg_parse_decimal(const char *text, unsigned long long max, unsigned long long *out);

/* "IP/length", or also a bare "IP" (the single address) when the length is optional. The
 * family is AF_INET or AF_INET6; addr holds 16 bytes, zero beyond an IPv4 address. */
bool wg_parse_prefix(const char *text, bool length_optional, uint8_t *family, uint8_t addr[16], uint8_t *cidr);

#endif
