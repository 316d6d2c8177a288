/* Numbers as `wg show` prints them for people: byte counts in binary units, ages in words. */
#ifndef WGC_HUMAN_H
#define WGC_HUMAN_H

#include <stddef.h>
#include <stdint.h>

/* "512 B", "1.50 KiB", "3.00 MiB", ... up to TiB. Returns what snprintf returns. */
int wgc_human_bytes(char *buf, size_t size, uint64_t bytes);
/* "1 hour, 2 minutes, 3 seconds ago", "Now" for zero or less; years and days too. */
int wgc_human_ago(char *buf, size_t size, int64_t seconds);

#endif
