/*
 * AmneziaWG's obfuscation in the core: each parameter's limits, the whole set's, the wire
 * format's classify and unwrap, the signature packets' tags, the keyed stream, and two
 * obfuscated devices on virtual time (the send edge's prefixes and junk are libwgc's, tested
 * in libwgc_api.c and tests/netns/99-obfuscation.test).
 */
#include <errno.h>
#include <string.h>

#include "core/obfuscation.h"
#include "core/signature.h"
#include "crypto/keystream.h"
#include "harness.h"
#include "netsim.h"

static int parse(struct wg_config_obfuscation *c, const char *key, const char *value, char *message)
{
	return wg_obfuscation_parse(c, (enum wg_obfuscation_key)wg_obfuscation_key_of(key), value, message, 160);
}

static const struct { const char *key, *value, *message; } bad_values[] = {
	{ "jc", "129", "jc: \"129\" is over the limit of 128" },
	{ "jmin", "1281", "jmin: \"1281\" is over the limit of 1280" },
	{ "jmax", "1281", "jmax: \"1281\" is over the limit of 1280" },
	{ "s1", "1133", "s1: \"1133\" is over the limit of 1132" },
	{ "s2", "1189", "s2: \"1189\" is over the limit of 1188" },
	{ "s3", "65536", "s3: \"65536\" is over the limit of 65535" },
	{ "s4", "-1", "s4: \"-1\" is not a number" },
	{ "h1", "x", "h1: \"x\" is not a number 0-4294967295 or a range LO-HI" },
	{ "h2", "9-5", "h2: \"9-5\" is not a range: LO must be 1 or more and at most HI" },
	{ "h3", "0-5", "h3: \"0-5\" is not a range: LO must be 1 or more and at most HI" },
	{ "h4", "1-4294967296", "h4: \"1-4294967296\" is not a range LO-HI of numbers 1-4294967295" },
	{ "i1", "<x 5>", "i1: unknown tag (b, r, rc, rd or t) at character 2 of \"<x 5>\"" },
	{ "i2", "<b 0xabc>", "i2: <b> wants an even, non-zero number of hex digits at character 4 of \"<b 0xabc>\"" },
	{ "i3", "<r 70000>", "i3: the packet would be over 65507 bytes at character 4 of \"<r 70000>\"" },
	{ "i4", "<r 5", "i4: expected '>' at character 5 of \"<r 5\"" },
	{ "i5", "abc", "i5: expected '<' at character 1 of \"abc\"" },
	{ "i1", "<b abcd>", "i1: <b> wants 0x and hex digits at character 4 of \"<b abcd>\"" },
	{ "i2", "<rc x>", "i2: the tag wants a decimal length at character 5 of \"<rc x>\"" },
};

TEST(obfuscation_each_value_refused_with_its_limit)
{
	for (size_t i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); ++i) {
		struct wg_config_obfuscation c = { 0 };
		char message[160] = "";

		CHECK_EQ(parse(&c, bad_values[i].key, bad_values[i].value, message), -EINVAL);
		CHECK_EQ(c.has, 0);
		if (strcmp(message, bad_values[i].message))
			test_fail(__FILE__, __LINE__, "%s=%s: got \"%s\"", bad_values[i].key, bad_values[i].value, message);
	}
}

static void set_all(struct wg_config_obfuscation *c, const char *const *pairs)
{
	char message[160];

	for (; *pairs; pairs += 2)
		if (parse(c, pairs[0], pairs[1], message))
			test_fail(__FILE__, __LINE__, "%s=%s: %s", pairs[0], pairs[1], message);
}

static const char *const full_set[] = {
	"jc", "4", "jmin", "40", "jmax", "70", "s1", "15", "s2", "18", "s3", "20", "s4", "8",
	"h1", "100000-100999", "h2", "200000-200999", "h3", "300000-300999", "h4", "400000-400999",
	"i1", "<b 0xc0ffee><r 8><rc 6><rd 4><t>", NULL,
};

TEST(obfuscation_whole_set_checked_against_the_current_one)
{
	static const struct { const char *key, *value, *message; } cases[] = {
		{ "jmin", "70", "jmin (70) must be less than jmax (70)" },
		{ "s2", "71", "s2 (71) must not be s1 (15) + 56" },
		{ "h2", "100500-200999", "h2 (100500-200999) overlaps h1 (100000-100999): each message type needs its own values" },
		{ "h4", "300999", "h4 (300999-300999) overlaps h3 (300000-300999): each message type needs its own values" },
		{ "jmax", "0", "jmin (40) must be less than jmax (0)" },
	};
	struct wg_config_obfuscation full = { 0 };
	struct wg_obfuscation none = { 0 }, current, out;
	char message[160];

	set_all(&full, full_set);
	CHECK_EQ(wg_obfuscation_merge(&current, &none, &full, message, sizeof(message)), 0);
	CHECK(wg_obfuscation_is_set(&current));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
		struct wg_config_obfuscation change = { 0 };
		int want = -EINVAL;

		set_all(&change, (const char *const[]){ cases[i].key, cases[i].value, NULL });
		message[0] = '\0';
		CHECK_EQ(wg_obfuscation_merge(&out, &current, &change, message, sizeof(message)), want);
		if (want && strcmp(message, cases[i].message))
			test_fail(__FILE__, __LINE__, "%s=%s: got \"%s\"", cases[i].key, cases[i].value, message);
		if (!want)
			wg_obfuscation_free(&out);
		wg_config_obfuscation_free(&change);
	}
	/* An unset H is its message's own type: H1 = 2 meets H2's default. */
	{
		struct wg_config_obfuscation change = { 0 };

		set_all(&change, (const char *const[]){ "h1", "2", NULL });
		CHECK_EQ(wg_obfuscation_merge(&out, &none, &change, message, sizeof(message)), -EINVAL);
		CHECK(!strcmp(message, "h1 (2-2) overlaps h2 (2-2): each message type needs its own values"));
		wg_config_obfuscation_free(&change);
	}
	/* H set to the message's own type, and nothing else: still plain WireGuard. */
	{
		struct wg_config_obfuscation change = { 0 };
		struct wg_wire_format wire;

		set_all(&change, (const char *const[]){ "h1", "1", "h4", "4", NULL });
		CHECK_EQ(wg_obfuscation_merge(&out, &none, &change, message, sizeof(message)), 0);
		CHECK(!wg_obfuscation_is_set(&out));
		wg_obfuscation_wire(&out, &wire);
		CHECK(wire.plain);
		wg_obfuscation_free(&out);
		wg_config_obfuscation_free(&change);
	}
	wg_obfuscation_free(&current);
	wg_config_obfuscation_free(&full);
}

/* A datagram of `type` for the wire: prefix bytes, the type word at the prefix, length len. */
static size_t datagram(uint8_t *out, const struct wg_wire_format *wire, int type, uint32_t word, size_t len)
{
	size_t prefix = wire->plain ? 0 : wire->prefix[type - 1];

	memset(out, 0xa5, prefix + len);
	wg_le32_put(out + prefix, word);
	return prefix + len;
}

TEST(obfuscation_wire_classify_and_unwrap)
{
	struct wg_config_obfuscation full = { 0 };
	struct wg_obfuscation none = { 0 }, o;
	struct wg_wire_format wire, plain;
	uint8_t d[2048];
	char message[160];
	size_t off, n;

	set_all(&full, full_set);
	CHECK_EQ(wg_obfuscation_merge(&o, &none, &full, message, sizeof(message)), 0);
	wg_obfuscation_wire(&o, &wire);
	wg_wire_format_plain(&plain);
	CHECK(!wire.plain);
	/* Each message at its prefix, with a type word anywhere in its range. */
	n = datagram(d, &wire, 1, 100000, 148);
	CHECK_EQ(wg_message_unwrap(&wire, d, n, &off), WG_MESSAGE_HANDSHAKE_INITIATION);
	CHECK_EQ(off, 15);
	n = datagram(d, &wire, 2, 200999, 92);
	CHECK_EQ(wg_message_unwrap(&wire, d, n, &off), WG_MESSAGE_HANDSHAKE_RESPONSE);
	CHECK_EQ(off, 18);
	n = datagram(d, &wire, 3, 300500, 64);
	CHECK_EQ(wg_message_unwrap(&wire, d, n, &off), WG_MESSAGE_HANDSHAKE_COOKIE);
	CHECK_EQ(off, 20);
	n = datagram(d, &wire, 4, 400001, 32);
	CHECK_EQ(wg_message_unwrap(&wire, d, n, &off), WG_MESSAGE_DATA);
	CHECK_EQ(off, 8);
	CHECK_EQ(wg_message_classify(&wire, d + 8, n - 8), WG_MESSAGE_DATA);
	/* Off by one in length, a type word outside its range, a plain message, too short. */
	n = datagram(d, &wire, 1, 100000, 149);
	CHECK_EQ(wg_message_unwrap(&wire, d, n, &off), WG_MESSAGE_INVALID);
	n = datagram(d, &wire, 1, 99999, 148);
	CHECK_EQ(wg_message_unwrap(&wire, d, n, &off), WG_MESSAGE_INVALID);
	n = datagram(d, &wire, 1, 200000, 148);
	CHECK_EQ(wg_message_unwrap(&wire, d, n, &off), WG_MESSAGE_INVALID);
	n = datagram(d, &plain, 1, 1, 148);
	CHECK_EQ(wg_message_unwrap(&wire, d, n, &off), WG_MESSAGE_INVALID);
	n = datagram(d, &plain, 4, 4, 100);
	CHECK_EQ(wg_message_unwrap(&wire, d, n, &off), WG_MESSAGE_INVALID);
	CHECK_EQ(wg_message_unwrap(&wire, d, 31, &off), WG_MESSAGE_INVALID);
	/* The plain format is WireGuard's: as before, and blind to the obfuscated. */
	CHECK_EQ(wg_message_unwrap(&plain, d, n, &off), WG_MESSAGE_DATA);
	CHECK_EQ(off, 0);
	n = datagram(d, &wire, 4, 400001, 100);
	CHECK_EQ(wg_message_unwrap(&plain, d, n, &off), WG_MESSAGE_INVALID);
	n = datagram(d, &plain, 2, 2, 92);
	CHECK_EQ(wg_message_classify(&plain, d, n), WG_MESSAGE_HANDSHAKE_RESPONSE);
	CHECK_EQ(wg_message_classify(&plain, d, 91), WG_MESSAGE_INVALID);
	wg_obfuscation_free(&o);
	wg_config_obfuscation_free(&full);
}

TEST(obfuscation_signature_tags)
{
	static const uint8_t key[WG_KEYSTREAM_KEY_LEN] = { 7 };
	struct wg_keystream ks;
	uint8_t out[WG_SIGNATURE_MAX];
	char message[160];
	size_t n;

	CHECK_EQ(wg_keystream_init(&ks, key), 0);
	CHECK_EQ(wg_signature_check("<b 0xc0FFee> <r 8><rc 6><rd 4><t>", message, sizeof(message)), 3 + 8 + 6 + 4 + 4);
	n = wg_signature_build("<b 0xc0FFee> <r 8><rc 6><rd 4><t>", out, &ks, 0x01020304);
	CHECK_EQ(n, 25);
	CHECK(out[0] == 0xc0 && out[1] == 0xff && out[2] == 0xee);
	for (int i = 11; i < 17; ++i)
		CHECK((out[i] >= 'a' && out[i] <= 'z') || (out[i] >= 'A' && out[i] <= 'Z'));
	for (int i = 17; i < 21; ++i)
		CHECK(out[i] >= '0' && out[i] <= '9');
	CHECK(out[21] == 1 && out[22] == 2 && out[23] == 3 && out[24] == 4);
	CHECK_EQ(wg_signature_check("<r 65507>", message, sizeof(message)), 65507);
	CHECK_EQ(wg_signature_check("<r 65507><t>", message, sizeof(message)), -EINVAL);
	CHECK_EQ(wg_signature_check("", message, sizeof(message)), -EINVAL);
	CHECK_EQ(wg_signature_check("<r 0>", message, sizeof(message)), -EINVAL);
	wg_keystream_free(&ks);
}

TEST(obfuscation_keystream)
{
	/* RFC 8439 A.1 #1: ChaCha20's block for the zero key, nonce and counter. */
	static const uint8_t key[WG_KEYSTREAM_KEY_LEN];
	uint8_t want[16], got[16];
	struct wg_keystream ks;
	unsigned seen[10] = { 0 };

	test_unhex(want, sizeof(want), "76b8e0ada0f13d90405d6ae55386bd28");
	CHECK_EQ(wg_keystream_init(&ks, key), 0);
	wg_keystream_fill(&ks, got, sizeof(got));
	CHECK_MEM(got, want, sizeof(want));
	/* Across refills, and within bounds, every value of a small range turns up. */
	for (int i = 0; i < 20000; ++i) {
		uint32_t v = wg_keystream_between(&ks, 100, 109);

		CHECK(v >= 100 && v <= 109);
		if (v >= 100 && v <= 109)
			++seen[v - 100];
	}
	for (int i = 0; i < 10; ++i)
		CHECK(seen[i] > 1500);
	CHECK_EQ(wg_keystream_between(&ks, 5, 5), 5);
	(void)wg_keystream_between(&ks, 0, UINT32_MAX);
	wg_keystream_free(&ks);
}

/* Sets the parameters on a node's device, as a UAPI set would. */
static int obfuscate(struct sim_node *node, const char *const *pairs)
{
	struct wg_config_device config;
	int ret;

	wg_config_init(&config);
	set_all(&config.obfuscation, pairs);
	ret = wg_device_configure(&node->device, &config);
	wg_config_free(&config);
	return ret;
}

/* Whether every datagram a node sent has its type word in the range for its length. */
static bool types_in_ranges(const struct sim_node *node, unsigned *distinct_data_types)
{
	uint32_t first = 0;

	*distinct_data_types = 0;
	for (size_t i = 0; i < node->sent.count; ++i) {
		const struct sim_record *r = &node->sent.records[i];
		uint32_t word = wg_le32_get(r->data);
		int type = wg_message_classify(&node->device.wire, r->data, r->len);

		if (type == WG_MESSAGE_INVALID || word < 100000u * (unsigned)type || word > 100000u * (unsigned)type + 999)
			return false;
		if (type == WG_MESSAGE_DATA && word != first) {
			++*distinct_data_types;
			first = word;
		}
	}
	return true;
}

TEST(obfuscation_two_devices_on_virtual_time)
{
	struct sim sim;
	struct sim_node *a, *b;
	unsigned distinct;

	sim_pair(&sim, 1500, &a, &b, NULL, false);
	CHECK_EQ(obfuscate(a, full_set), 0);
	CHECK_EQ(obfuscate(b, full_set), 0);
	CHECK(wg_device_is_obfuscated(&a->device) && !a->device.wire.plain);
	for (uint32_t i = 0; i < 50; ++i)
		sim_send_ip(a, b, i, 200);
	sim_run_for(&sim, SIM_SECOND);
	CHECK_EQ(b->delivered.count, 50);
	CHECK(types_in_ranges(a, &distinct));
	CHECK(distinct > 20);
	CHECK(types_in_ranges(b, &distinct));
	/* A rekey after REKEY_AFTER_TIME, with the same format. */
	for (int s = 0; s < 130; ++s) {
		sim_send_ip(a, b, 100 + (uint32_t)s, 100);
		sim_run_for(&sim, SIM_SECOND);
	}
	CHECK(sim_event_count(a, WG_EVENT_HANDSHAKE_COMPLETE) >= 2);
	CHECK_EQ(b->delivered.count, 180);
	CHECK(types_in_ranges(a, &distinct));
	sim_free(&sim);
}

TEST(obfuscation_mismatched_types_get_no_answer)
{
	static const char *const other_h1[] = { "h1", "101000-101999", NULL };
	struct sim sim;
	struct sim_node *a, *b;

	sim_pair(&sim, 1501, &a, &b, NULL, false);
	CHECK_EQ(obfuscate(a, full_set), 0);
	CHECK_EQ(obfuscate(b, full_set), 0);
	CHECK_EQ(obfuscate(b, other_h1), 0);
	sim_send_ip(a, b, 1, 100);
	sim_run_for(&sim, 30 * SIM_SECOND);
	CHECK_EQ(b->delivered.count, 0);
	CHECK_EQ(b->sent.count, 0);
	CHECK(b->device.stats.rx_malformed >= 5);
	/* And a plain peer of an obfuscated one: nothing either way. */
	sim_free(&sim);
	sim_pair(&sim, 1502, &a, &b, NULL, false);
	CHECK_EQ(obfuscate(a, full_set), 0);
	sim_send_ip(a, b, 1, 100);
	sim_run_for(&sim, 10 * SIM_SECOND);
	CHECK_EQ(b->sent.count, 0);
	CHECK(b->device.stats.rx_malformed >= 2);
	sim_free(&sim);
}

TEST(obfuscation_refused_set_changes_nothing)
{
	static const char *const bad_pair[] = { "s1", "15", "s2", "71", NULL };
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_wire_format before;
	struct wg_obfuscation saved;

	sim_pair(&sim, 1503, &a, &b, NULL, false);
	CHECK_EQ(obfuscate(a, full_set), 0);
	before = a->device.wire;
	saved = a->device.obfuscation;
	CHECK_EQ(obfuscate(a, bad_pair), -EINVAL);
	CHECK(!memcmp(&before, &a->device.wire, sizeof(before)));
	CHECK(!memcmp(saved.prefix, a->device.obfuscation.prefix, sizeof(saved.prefix)));
	CHECK(!memcmp(saved.type, a->device.obfuscation.type, sizeof(saved.type)));
	CHECK(saved.junk_count == a->device.obfuscation.junk_count && saved.signature[0] == a->device.obfuscation.signature[0]);
	sim_free(&sim);
}
