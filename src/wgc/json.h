/* JSON output pieces: strings escaped per RFC 8259, so any byte in a name stays well-formed. */
#ifndef WGC_JSON_H
#define WGC_JSON_H

#include <stdio.h>

/* Writes text as a quoted JSON string. Bytes >= 0x80 pass through (names are UTF-8 or ASCII). */
void wgc_json_string(FILE *out, const char *text);

#endif
