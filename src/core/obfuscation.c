/* AmneziaWG's parameters: parsing each, the limits of each and of the whole, and the wire
 * format they make. */
#include "core/obfuscation.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/parse.h"
#include "core/signature.h"

static const char *const key_names[WG_OBFS_KEYS] = {
	"jc", "jmin", "jmax", "s1", "s2", "s3", "s4", "h1", "h2", "h3", "h4", "i1", "i2", "i3", "i4", "i5",
};

const char *wg_obfuscation_key_name(enum wg_obfuscation_key key)
{
	return (unsigned)key < WG_OBFS_KEYS ? key_names[key] : "?";
}

int wg_obfuscation_key_of(const char *name)
{
	for (int key = 0; key < WG_OBFS_KEYS; ++key)
		if (!strcasecmp(name, key_names[key]))
			return key;
	return -1;
}

int wg_obfuscation_uapi_key(const char *name)
{
	int key = wg_obfuscation_key_of(name);

	return key >= 0 && !strcmp(name, key_names[key]) ? key : -1;
}

static int fail(char *message, size_t size, enum wg_obfuscation_key key, const char *value, const char *why)
{
	snprintf(message, size, "%s: \"%.40s\" %s", key_names[key], value, why);
	return -EINVAL;
}

/* Jc, Jmin, Jmax, S1..S4: the numbers. */
static uint32_t *number_of(struct wg_obfuscation *o, enum wg_obfuscation_key key)
{
	switch (key) {
	case WG_OBFS_JC: return &o->junk_count;
	case WG_OBFS_JMIN: return &o->junk_min;
	case WG_OBFS_JMAX: return &o->junk_max;
	default: return &o->prefix[key - WG_OBFS_S1];
	}
}

static const uint32_t number_limits[WG_OBFS_H1] = {
	WG_OBFS_JUNK_COUNT_MAX, WG_OBFS_JUNK_SIZE_MAX, WG_OBFS_JUNK_SIZE_MAX,
	WG_OBFS_S1_MAX, WG_OBFS_S2_MAX, WG_OBFS_PREFIX_MAX, WG_OBFS_PREFIX_MAX,
};

static int parse_number(struct wg_obfuscation *o, enum wg_obfuscation_key key, const char *value, char *message,
			size_t size)
{
	unsigned long long n;
	char why[48];

	if (!wg_parse_decimal(value, UINT32_MAX, &n))
		return fail(message, size, key, value, "is not a number");
	if (n > number_limits[key]) {
		snprintf(why, sizeof(why), "is over the limit of %u", number_limits[key]);
		return fail(message, size, key, value, why);
	}
	*number_of(o, key) = (uint32_t)n;
	return 0;
}

/* "N" or "LO-HI" with LO <= HI; "0" is unset. */
static int parse_range(struct wg_type_range *r, enum wg_obfuscation_key key, const char *value, char *message,
		       size_t size)
{
	const char *dash = strchr(value, '-');
	unsigned long long lo, hi;
	char text[24];

	if (!dash) {
		if (!wg_parse_decimal(value, UINT32_MAX, &lo))
			return fail(message, size, key, value, "is not a number 0-4294967295 or a range LO-HI");
		*r = (struct wg_type_range){ (uint32_t)lo, (uint32_t)lo };
		return 0;
	}
	if ((size_t)(dash - value) >= sizeof(text))
		return fail(message, size, key, value, "is not a range LO-HI");
	memcpy(text, value, (size_t)(dash - value));
	text[dash - value] = '\0';
	if (!wg_parse_decimal(text, UINT32_MAX, &lo) || !wg_parse_decimal(dash + 1, UINT32_MAX, &hi))
		return fail(message, size, key, value, "is not a range LO-HI of numbers 1-4294967295");
	if (!lo || lo > hi)
		return fail(message, size, key, value, "is not a range: LO must be 1 or more and at most HI");
	*r = (struct wg_type_range){ (uint32_t)lo, (uint32_t)hi };
	return 0;
}

/* A signature's text into its slot, as an owned copy (NULL: unset). 0 or -ENOMEM. */
static int set_text(char **slot, const char *text)
{
	free(*slot);
	*slot = text ? strdup(text) : NULL;
	return text && !*slot ? -ENOMEM : 0;
}

static int parse_signature(char **slot, enum wg_obfuscation_key key, const char *value, char *message, size_t size)
{
	char why[120];

	if (strlen(value) > WG_OBFS_SIGNATURE_TEXT_MAX) {
		snprintf(message, size, "%s: %zu characters of tags, over the limit of %d", key_names[key], strlen(value),
			 WG_OBFS_SIGNATURE_TEXT_MAX);
		return -EINVAL;
	}
	if (*value && wg_signature_check(value, why, sizeof(why)) < 0) {
		snprintf(message, size, "%s: %s", key_names[key], why);
		return -EINVAL;
	}
	return set_text(slot, *value ? value : NULL);
}

int wg_obfuscation_parse(struct wg_config_obfuscation *change, enum wg_obfuscation_key key, const char *value,
			 char *message, size_t size)
{
	int ret;

	if (key < WG_OBFS_H1)
		ret = parse_number(&change->set, key, value, message, size);
	else if (key < WG_OBFS_I1)
		ret = parse_range(&change->set.type[key - WG_OBFS_H1], key, value, message, size);
	else
		ret = parse_signature(&change->set.signature[key - WG_OBFS_I1], key, value, message, size);
	if (!ret)
		change->has |= 1u << key;
	return ret;
}

/* Unset H is the message's own type. */
static struct wg_type_range effective_type(const struct wg_obfuscation *o, unsigned index)
{
	if (!o->type[index].lo)
		return (struct wg_type_range){ index + 1, index + 1 };
	return o->type[index];
}

static int check_types(const struct wg_obfuscation *o, char *message, size_t size)
{
	for (unsigned i = 0; i < 4; ++i)
		for (unsigned j = i + 1; j < 4; ++j) {
			struct wg_type_range a = effective_type(o, i), b = effective_type(o, j);

			/* Blamed: the later one, unless only its default is in the way. */
			unsigned blamed = o->type[j].lo ? j : i, other = blamed == j ? i : j;
			struct wg_type_range x = blamed == j ? b : a, y = blamed == j ? a : b;

			if (a.lo <= b.hi && b.lo <= a.hi) {
				snprintf(message, size, "h%u (%u-%u) overlaps h%u (%u-%u): each message type needs its own values",
					 blamed + 1, x.lo, x.hi, other + 1, y.lo, y.hi);
				return -EINVAL;
			}
		}
	return 0;
}

static int check_whole(const struct wg_obfuscation *o, char *message, size_t size)
{
	if ((o->junk_count || o->junk_min || o->junk_max) && o->junk_min >= o->junk_max) {
		snprintf(message, size, "jmin (%u) must be less than jmax (%u)", o->junk_min, o->junk_max);
		return -EINVAL;
	}
	/* Else an initiation and a response would have the same length. */
	if (o->prefix[0] + 56 == o->prefix[1]) {
		snprintf(message, size, "s2 (%u) must not be s1 (%u) + 56", o->prefix[1], o->prefix[0]);
		return -EINVAL;
	}
	return check_types(o, message, size);
}

int wg_obfuscation_copy(struct wg_obfuscation *out, const struct wg_obfuscation *from)
{
	*out = *from;
	for (int i = 0; i < WG_OBFS_SIGNATURES; ++i)
		out->signature[i] = NULL;
	for (int i = 0; i < WG_OBFS_SIGNATURES; ++i)
		if (set_text(&out->signature[i], from->signature[i])) {
			wg_obfuscation_free(out);
			return -ENOMEM;
		}
	return 0;
}

int wg_obfuscation_merge(struct wg_obfuscation *out, const struct wg_obfuscation *current,
			 const struct wg_config_obfuscation *change, char *message, size_t size)
{
	int ret = wg_obfuscation_copy(out, current);

	if (ret)
		return ret;
	for (int key = 0; key < WG_OBFS_KEYS && !ret; ++key) {
		if (!(change->has & (1u << key)))
			continue;
		if (key < WG_OBFS_H1)
			*number_of(out, key) = *number_of((struct wg_obfuscation *)&change->set, key);
		else if (key < WG_OBFS_I1)
			out->type[key - WG_OBFS_H1] = change->set.type[key - WG_OBFS_H1];
		else /* checked when it was parsed */
			ret = set_text(&out->signature[key - WG_OBFS_I1], change->set.signature[key - WG_OBFS_I1]);
	}
	if (!ret)
		ret = check_whole(out, message, size);
	if (ret)
		wg_obfuscation_free(out);
	return ret;
}

void wg_obfuscation_free(struct wg_obfuscation *o)
{
	for (int i = 0; i < WG_OBFS_SIGNATURES; ++i)
		free(o->signature[i]);
	memset(o, 0, sizeof(*o));
}

void wg_config_obfuscation_free(struct wg_config_obfuscation *change)
{
	wg_obfuscation_free(&change->set);
	change->has = 0;
}

bool wg_obfuscation_is_set(const struct wg_obfuscation *o)
{
	for (int key = 0; key < WG_OBFS_H1; ++key)
		if (*number_of((struct wg_obfuscation *)o, key))
			return true;
	/* H set to its message's own type is as good as unset. */
	for (uint32_t i = 0; i < 4; ++i)
		if (o->type[i].lo && (o->type[i].lo != i + 1 || o->type[i].hi != i + 1))
			return true;
	for (int i = 0; i < WG_OBFS_SIGNATURES; ++i)
		if (o->signature[i])
			return true;
	return false;
}

bool wg_obfuscation_listed(const struct wg_obfuscation *o, enum wg_obfuscation_key key)
{
	if (key < WG_OBFS_H1)
		return *number_of((struct wg_obfuscation *)o, key) != 0;
	return key < WG_OBFS_I1 || o->signature[key - WG_OBFS_I1];
}

void wg_obfuscation_each_listed(const struct wg_obfuscation *o,
				void (*fn)(void *ctx, enum wg_obfuscation_key key, const char *value), void *ctx)
{
	char value[WG_OBFS_SIGNATURE_TEXT_MAX + 1];

	if (!wg_obfuscation_is_set(o))
		return;
	for (int key = 0; key < WG_OBFS_KEYS; ++key)
		if (wg_obfuscation_listed(o, (enum wg_obfuscation_key)key)) {
			wg_obfuscation_format(o, (enum wg_obfuscation_key)key, value, sizeof(value));
			fn(ctx, (enum wg_obfuscation_key)key, value);
		}
}

void wg_obfuscation_format(const struct wg_obfuscation *o, enum wg_obfuscation_key key, char *out, size_t size)
{
	struct wg_type_range r;

	if (key < WG_OBFS_H1) {
		snprintf(out, size, "%u", *number_of((struct wg_obfuscation *)o, key));
	} else if (key < WG_OBFS_I1) {
		r = effective_type(o, key - WG_OBFS_H1);
		if (r.lo == r.hi)
			snprintf(out, size, "%u", r.lo);
		else
			snprintf(out, size, "%u-%u", r.lo, r.hi);
	} else {
		snprintf(out, size, "%s", o->signature[key - WG_OBFS_I1] ? o->signature[key - WG_OBFS_I1] : "");
	}
}

void wg_obfuscation_wire(const struct wg_obfuscation *o, struct wg_wire_format *wire)
{
	wg_wire_format_plain(wire);
	for (unsigned i = 0; i < 4; ++i) {
		wire->prefix[i] = (uint16_t)o->prefix[i];
		wire->type[i] = effective_type(o, i);
		if (o->prefix[i] || wire->type[i].lo != i + 1 || wire->type[i].hi != i + 1)
			wire->plain = false;
	}
}
