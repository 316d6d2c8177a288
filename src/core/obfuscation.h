/*
 * AmneziaWG's obfuscation, as its parameters: what each means, its limits, and how a set of
 * them changes a device's. All zero is plain WireGuard.
 *
 *   Jc, Jmin, Jmax  Jc junk datagrams of random length in [Jmin, Jmax) before each initiation
 *   S1..S4          random bytes in front of each initiation, response, cookie reply, data message
 *   H1..H4          their type word, picked per message from a number or a range LO-HI
 *   I1..I5          signature datagrams before the junk, built from tags (signature.h)
 *
 * S and H make the wire format (messages.h: struct wg_wire_format), which both ends must
 * share; J and I are only sent, never expected, so they may differ between the ends.
 */
#ifndef WG_CORE_OBFUSCATION_H
#define WG_CORE_OBFUSCATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/messages.h"

/* In the order the UAPI and AmneziaWG's tools list them. */
enum wg_obfuscation_key {
	WG_OBFS_JC, WG_OBFS_JMIN, WG_OBFS_JMAX,
	WG_OBFS_S1, WG_OBFS_S2, WG_OBFS_S3, WG_OBFS_S4,
	WG_OBFS_H1, WG_OBFS_H2, WG_OBFS_H3, WG_OBFS_H4,
	WG_OBFS_I1, WG_OBFS_I2, WG_OBFS_I3, WG_OBFS_I4, WG_OBFS_I5,
	WG_OBFS_KEYS
};

/* The kernel module's limits, which amneziawg-go shares. */
enum wg_obfuscation_limits {
	WG_OBFS_JUNK_COUNT_MAX = 128,     /* 129 crashed amneziawg-go */
	WG_OBFS_JUNK_SIZE_MAX = 1280,
	WG_OBFS_S1_MAX = 1132,
	WG_OBFS_S2_MAX = 1188,
	WG_OBFS_PREFIX_MAX = 65535,       /* S3, S4 */
	WG_OBFS_SIGNATURES = 5,
	WG_OBFS_SIGNATURE_TEXT_MAX = 8188, /* "i1=" and the text fit one UAPI line (uapi.h) */
};

struct wg_obfuscation {
	uint32_t junk_count, junk_min, junk_max;     /* Jc, Jmin, Jmax */
	uint32_t prefix[4];                          /* S1..S4, by message type - 1 */
	struct wg_type_range type[4];                /* H1..H4 as set; {0, 0}: unset */
	char *signature[WG_OBFS_SIGNATURES];         /* I1..I5's tag text, owned; NULL: unset */
};

/* A set's changes: the keys whose bit (1u << key) is in `has` take their value from `set`. */
struct wg_config_obfuscation {
	unsigned has;
	struct wg_obfuscation set;
};

/* "jc", ..., "i5" (the UAPI's names; config files use the same, in any case). */
const char *wg_obfuscation_key_name(enum wg_obfuscation_key key);
/* The key of a name, ignoring case; -1 when it is none of them. */
int wg_obfuscation_key_of(const char *name);
/* The key of a UAPI name, exactly as the UAPI writes it (lower case); -1 otherwise. */
int wg_obfuscation_uapi_key(const char *name);

/* Parses one value into a change, checked against that key's own limits. 0, or -EINVAL with
 * a message naming the key, the value and the limit; -ENOMEM. */
int wg_obfuscation_parse(struct wg_config_obfuscation *change, enum wg_obfuscation_key key, const char *value,
			 char *message, size_t size);
/* `current` with `change` applied, checked whole (Jmin < Jmax, S1 + 56 != S2, H1..H4 apart) into
 * *out, which the caller frees. 0, -EINVAL with the message, or -ENOMEM; *out is freed then. A
 * message about the whole starts with the name of the key it blames (jmin, s2, the later h). */
int wg_obfuscation_merge(struct wg_obfuscation *out, const struct wg_obfuscation *current,
			 const struct wg_config_obfuscation *change, char *message, size_t size);
/* A copy that owns its own texts. 0 or -ENOMEM (nothing to free then). */
int wg_obfuscation_copy(struct wg_obfuscation *out, const struct wg_obfuscation *from);
void wg_obfuscation_free(struct wg_obfuscation *o);
void wg_config_obfuscation_free(struct wg_config_obfuscation *change);

/* Whether any parameter is set: such a device sends and expects obfuscated messages. */
bool wg_obfuscation_is_set(const struct wg_obfuscation *o);
/* Whether a get (or a saved config file) lists the key of a device that is obfuscated, as
 * amneziawg-go does: the numbers that are not 0, h1..h4 always, the signatures that are set. */
bool wg_obfuscation_listed(const struct wg_obfuscation *o, enum wg_obfuscation_key key);
/* Each key a get lists, in order, with its value as text; none for a device not obfuscated. */
void wg_obfuscation_each_listed(const struct wg_obfuscation *o,
				void (*fn)(void *ctx, enum wg_obfuscation_key key, const char *value), void *ctx);
/* The value as the UAPI writes it; H unset is written as its message's own type. */
void wg_obfuscation_format(const struct wg_obfuscation *o, enum wg_obfuscation_key key, char *out, size_t size);
/* The wire format the parameters make: plain when no S and no H is set. */
void wg_obfuscation_wire(const struct wg_obfuscation *o, struct wg_wire_format *wire);

#endif
