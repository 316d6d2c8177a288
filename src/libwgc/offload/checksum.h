/*
 * The Internet checksum (RFC 1071) for the offload paths: segments cut from a TSO/USO
 * super-packet need their own TCP/UDP and IPv4 header checksums, and a coalesced packet handed
 * to the kernel carries the pseudo-header sum it expects for CHECKSUM_PARTIAL.
 *
 * Sums are kept in host order of the 16-bit words as they lie in memory (loaded with memcpy),
 * which the one's-complement sum allows: fold and store them with memcpy and the bytes on the
 * wire come out right on either endianness. Partial sums may be chained only at even offsets.
 */
#ifndef WGL_CHECKSUM_H
#define WGL_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* Adds data to a running sum. */
uint64_t wgl_csum_add(uint64_t sum, const uint8_t *data, size_t len);
/* The sum of two pieces of data, the second at an even offset behind the first. */
uint64_t wgl_csum_join(uint64_t first, uint64_t second);
/* Copies len bytes to dst (not overlapping) and returns their sum: one pass over the data. */
uint64_t wgl_csum_copy(uint8_t *dst, const uint8_t *src, size_t len);
/* The running sum folded to 16 bits, not complemented. */
uint16_t wgl_csum_fold(uint64_t sum);
/* The pseudo-header of a TCP or UDP segment of l4_len bytes behind the IPv4 or IPv6 header ip
 * (its addresses; the version tells which). */
uint64_t wgl_csum_pseudo(const uint8_t *ip, uint8_t proto, size_t l4_len);
/* Stores the complement of the folded sum at field (two bytes, any alignment). */
void wgl_csum_store(uint8_t *field, uint64_t sum);
/* Recomputes the header checksum of an IPv4 header of header_len bytes. */
void wgl_csum_set_ipv4(uint8_t *ip, size_t header_len);

#endif
