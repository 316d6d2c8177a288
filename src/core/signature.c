/* The signature packets' tag language: one walker checks a text and builds its datagram. */
#include "core/signature.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

enum tag { TAG_BYTES, TAG_RANDOM, TAG_LETTERS, TAG_DIGITS, TAG_TIME };

struct walk {
	const char *text, *at;
	uint8_t *out;                 /* NULL while checking */
	struct wg_keystream *random;
	uint32_t unix_time;
	size_t len;
	char *message;
	size_t size;
};

static int fail(struct walk *w, const char *what)
{
	snprintf(w->message, w->size, "%s at character %zu of \"%.40s\"", what, (size_t)(w->at - w->text) + 1,
		 w->text);
	return -EINVAL;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "0x" and an even number of hex digits, up to the '>'. */
static int take_bytes(struct walk *w)
{
	const char *p = w->at;
	size_t n = 0;

	if (p[0] != '0' || (p[1] | 0x20) != 'x')
		return fail(w, "<b> wants 0x and hex digits");
	for (p += 2; hex_value(p[n]) >= 0; ++n)
		;
	if (!n || n % 2)
		return fail(w, "<b> wants an even, non-zero number of hex digits");
	if (w->len + n / 2 > WG_SIGNATURE_MAX)
		return fail(w, "the packet would be over 65507 bytes");
	for (size_t i = 0; w->out && i < n; i += 2)
		w->out[w->len + i / 2] = (uint8_t)(hex_value(p[i]) << 4 | hex_value(p[i + 1]));
	w->len += n / 2;
	w->at = p + n;
	return 0;
}

static void random_text(struct walk *w, size_t n, const char *alphabet, uint32_t letters)
{
	for (size_t i = 0; i < n; ++i)
		w->out[w->len + i] = (uint8_t)alphabet[wg_keystream_between(w->random, 0, letters - 1)];
}

/* A decimal count, then that many bytes of the tag's kind. */
static int take_count(struct walk *w, enum tag tag)
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	const char *digits = w->at;
	size_t n = 0;

	if (*w->at < '0' || *w->at > '9')
		return fail(w, "the tag wants a decimal length");
	for (; *w->at >= '0' && *w->at <= '9' && n <= WG_SIGNATURE_MAX; ++w->at)
		n = n * 10 + (size_t)(*w->at - '0');
	if (w->len + n > WG_SIGNATURE_MAX) {
		w->at = digits;
		return fail(w, "the packet would be over 65507 bytes");
	}
	if (w->out && tag == TAG_RANDOM)
		wg_keystream_fill(w->random, w->out + w->len, n);
	else if (w->out)
		random_text(w, n, tag == TAG_LETTERS ? letters : "0123456789", tag == TAG_LETTERS ? 52 : 10);
	w->len += n;
	return 0;
}

static int take_time(struct walk *w)
{
	if (w->len + 4 > WG_SIGNATURE_MAX)
		return fail(w, "the packet would be over 65507 bytes");
	for (int i = 0; w->out && i < 4; ++i)
		w->out[w->len + (size_t)i] = (uint8_t)(w->unix_time >> (24 - 8 * i));
	w->len += 4;
	return 0;
}

/* The tag's name after '<', and the space that must follow a name with an argument. */
static int take_name(struct walk *w, enum tag *tag)
{
	static const struct { const char *name; enum tag tag; } names[] = {
		{ "b ", TAG_BYTES }, { "rc ", TAG_LETTERS }, { "rd ", TAG_DIGITS }, { "r ", TAG_RANDOM }, { "t", TAG_TIME },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); ++i)
		if (!strncmp(w->at, names[i].name, strlen(names[i].name))) {
			w->at += strlen(names[i].name);
			*tag = names[i].tag;
			return 0;
		}
	return fail(w, "unknown tag (b, r, rc, rd or t)");
}

static int take_tag(struct walk *w)
{
	enum tag tag;
	int ret;

	++w->at;
	ret = take_name(w, &tag);
	if (!ret)
		ret = tag == TAG_BYTES ? take_bytes(w) : tag == TAG_TIME ? take_time(w) : take_count(w, tag);
	if (!ret && *w->at != '>')
		ret = fail(w, "expected '>'");
	++w->at;
	return ret;
}

static long walk(struct walk *w)
{
	int ret = 0;

	for (w->at = w->text; !ret;) {
		while (*w->at == ' ' || *w->at == '\t')
			++w->at;
		if (!*w->at)
			break;
		ret = *w->at == '<' ? take_tag(w) : fail(w, "expected '<'");
	}
	if (!ret && !w->len)
		ret = fail(w, "no bytes");
	return ret ? ret : (long)w->len;
}

long wg_signature_check(const char *text, char *message, size_t size)
{
	struct walk w = { .text = text, .message = message, .size = size };

	return walk(&w);
}

size_t wg_signature_build(const char *text, uint8_t *out, struct wg_keystream *random, uint32_t unix_time)
{
	char unused[1];
	struct walk w = { .text = text, .out = out, .random = random, .unix_time = unix_time, .message = unused,
			  .size = sizeof(unused) };
	long n = walk(&w);

	return n > 0 ? (size_t)n : 0;
}
