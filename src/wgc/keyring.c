/* The analyzer's keys: public keys for mac1, static and ephemeral private keys to decrypt. */
#include "wgc/keyring.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/key.h"
#include "core/keylog.h"
#include "crypto/secret.h"
#include "crypto/x25519.h"
#include "libwgc/text.h"
#include "wgc/secretfile.h"

/* Makes room for one more element of an array grown by doubling. */
static int grow(void **array, size_t *size, size_t count, size_t element)
{
	size_t wanted = *size ? *size * 2 : 8;
	void *bigger;

	if (count < *size)
		return 0;
	bigger = calloc(wanted, element);
	if (!bigger)
		return -ENOMEM;
	if (*array) {
		memcpy(bigger, *array, count * element);
		wg_secret_wipe(*array, count * element);
		free(*array);
	}
	*array = bigger;
	*size = wanted;
	return 0;
}

static int add_public(struct keyring *ring, const uint8_t key[32])
{
	struct keyring_public *entry;

	for (size_t i = 0; i < ring->public_count; ++i)
		if (!memcmp(ring->publics[i].key, key, 32))
			return 0;
	if (grow((void **)&ring->publics, &ring->public_size, ring->public_count, sizeof(*entry)))
		return -ENOMEM;
	entry = &ring->publics[ring->public_count++];
	memcpy(entry->key, key, 32);
	wg_cookie_checker_precompute_device_keys(&entry->mac1, key);
	return 0;
}

static int add_preshared(struct keyring *ring, const uint8_t key[32])
{
	for (size_t i = 0; i < ring->preshared_count; ++i)
		if (wg_secret_equal(ring->preshared[i], key, 32))
			return 0;
	if (grow((void **)&ring->preshared, &ring->preshared_size, ring->preshared_count, 32))
		return -ENOMEM;
	memcpy(ring->preshared[ring->preshared_count++], key, 32);
	return 0;
}

static int add_static(struct keyring *ring, const uint8_t private_key[32])
{
	struct keyring_static *entry;
	uint8_t public_key[32];

	if (!wg_x25519_public(public_key, private_key))
		return -EINVAL;
	if (keyring_static_of(ring, public_key))
		return 0;
	if (grow((void **)&ring->statics, &ring->static_size, ring->static_count, sizeof(*entry)))
		return -ENOMEM;
	entry = &ring->statics[ring->static_count++];
	memcpy(entry->private_key, private_key, 32);
	memcpy(entry->public_key, public_key, 32);
	return add_public(ring, public_key);
}

static int add_ephemeral(struct keyring *ring, const uint8_t private_key[32])
{
	struct keyring_ephemeral *entry;

	if (grow((void **)&ring->ephemerals, &ring->ephemeral_size, ring->ephemeral_count, sizeof(*entry)))
		return -ENOMEM;
	entry = &ring->ephemerals[ring->ephemeral_count];
	memset(entry, 0, sizeof(*entry));
	if (!wg_x25519_public(entry->public_key, private_key))
		return -EINVAL;
	memcpy(entry->private_key, private_key, 32);
	ring->ephemeral_count++;
	return add_preshared(ring, entry->preshared_key);
}

int keyring_add_public_text(struct keyring *ring, const char *base64, struct wgc_err *err)
{
	uint8_t key[32];

	if (!wg_key_from_base64(key, base64))
		return wgc_err_set(err, -EINVAL, "--public-key: \"%s\" is not a key (44 characters of base64)",
				   base64);
	if (add_public(ring, key))
		return wgc_err_set(err, -ENOMEM, "out of memory");
	return 0;
}

/* One key line of a key log into the ring; a PSK goes to the ephemeral before it. */
static int add_keylog_line(struct keyring *ring, const struct wg_keylog_line *line, const char **error)
{
	switch (line->kind) {
	case WG_KEYLOG_LOCAL_STATIC_PRIVATE:
		if (add_static(ring, line->key))
			return *error = "not a usable private key", -EINVAL;
		return 0;
	case WG_KEYLOG_REMOTE_STATIC_PUBLIC:
		return add_public(ring, line->key);
	case WG_KEYLOG_LOCAL_EPHEMERAL_PRIVATE:
		if (add_ephemeral(ring, line->key))
			return *error = "not a usable private key", -EINVAL;
		return 0;
	case WG_KEYLOG_PRESHARED:
		memcpy(ring->ephemerals[ring->ephemeral_count - 1].preshared_key, line->key, 32);
		return add_preshared(ring, line->key);
	}
	return *error = "unknown line", -EINVAL;
}

/* The key log's own size limit: a key log of a million handshakes is under 300 MB. */
#define KEYLOG_MAX ((size_t)1 << 30)

struct keylog_reading {
	struct keyring *ring;
	const char *path;
	size_t first_ephemeral;          /* a PRESHARED_KEY binds to an ephemeral of this file only */
	struct wgc_err *err;
};

static int keylog_line(void *ctx, char *line, size_t number)
{
	struct keylog_reading *r = ctx;
	struct wg_keylog_line parsed;
	const char *error = NULL;
	size_t len = strlen(line);
	int ret = wg_keylog_parse_line(&parsed, line, len, &error);

	if (ret == 1 && parsed.kind == WG_KEYLOG_PRESHARED && r->ring->ephemeral_count <= r->first_ephemeral)
		ret = (error = "PRESHARED_KEY before any LOCAL_EPHEMERAL_PRIVATE_KEY", -EINVAL);
	else if (ret == 1)
		ret = add_keylog_line(r->ring, &parsed, &error);
	wg_secret_wipe(&parsed, sizeof(parsed));
	if (ret == -ENOMEM)
		return wgc_err_set(r->err, ret, "out of memory");
	if (ret < 0)
		return wgc_err_set(r->err, ret, "%s:%zu: %s", r->path, number, error);
	return 0;
}

int keyring_add_keylog(struct keyring *ring, const char *path, struct wgc_err *err)
{
	struct keylog_reading reading = { ring, path, ring->ephemeral_count, err };
	struct wgl_text text;
	int ret;

	wgl_text_init(&text);
	ret = wgc_secret_file_read(path, KEYLOG_MAX, &text);
	if (ret)
		wgc_err_set(err, ret, "%s: %s", path, ret == -EFBIG ? "too large for a key log" : strerror(-ret));
	else if (text.len)
		ret = wgc_secret_file_lines(text.buf, text.len, keylog_line, &reading);
	wgl_text_free(&text);
	return ret;
}

int keyring_add_private_file(struct keyring *ring, const char *path, struct wgc_err *err)
{
	struct wgl_text text;
	uint8_t key[32];
	int ret;

	wgl_text_init(&text);
	ret = wgc_secret_file_read(path, 4096, &text);
	if (ret) {
		wgc_err_set(err, ret, "%s: %s", path, ret == -EFBIG ? "too large for a private key file" : strerror(-ret));
		goto out;
	}
	while (text.len && isspace((unsigned char)text.buf[text.len - 1]))
		text.buf[--text.len] = '\0';
	if (!text.len || !wg_key_from_base64(key, text.buf))
		ret = wgc_err_set(err, -EINVAL, "%s: not a private key (one line of 44 characters of base64)", path);
	else if (add_static(ring, key))
		ret = wgc_err_set(err, -EINVAL, "%s: not a usable private key", path);
out:
	wg_secret_wipe(key, sizeof(key));
	wgl_text_free(&text);
	return ret;
}

int keyring_learn_public(struct keyring *ring, const uint8_t key[32])
{
	return add_public(ring, key);
}

static bool mac1_fits(struct wg_cookie_checker *checker, const uint8_t *msg, size_t len)
{
	return wg_cookie_validate_packet(checker, msg, len, NULL, false, NULL, NULL) != WG_INVALID_MAC;
}

bool keyring_mac1_known(const struct keyring *ring, const uint8_t *msg, size_t len)
{
	for (size_t i = 0; i < ring->public_count; ++i) {
		struct wg_cookie_checker checker = ring->publics[i].mac1;

		if (mac1_fits(&checker, msg, len))
			return true;
	}
	return false;
}

bool keyring_mac1_fits(const uint8_t public_key[32], const uint8_t *msg, size_t len)
{
	struct wg_cookie_checker checker;
	bool fits;

	wg_cookie_checker_precompute_device_keys(&checker, public_key);
	fits = mac1_fits(&checker, msg, len);
	wg_cookie_checker_wipe(&checker);
	return fits;
}

const struct keyring_ephemeral *keyring_ephemeral_of(const struct keyring *ring, const uint8_t public_key[32])
{
	for (size_t i = 0; i < ring->ephemeral_count; ++i)
		if (!memcmp(ring->ephemerals[i].public_key, public_key, 32))
			return &ring->ephemerals[i];
	return NULL;
}

const struct keyring_static *keyring_static_of(const struct keyring *ring, const uint8_t public_key[32])
{
	for (size_t i = 0; i < ring->static_count; ++i)
		if (!memcmp(ring->statics[i].public_key, public_key, 32))
			return &ring->statics[i];
	return NULL;
}

bool keyring_is_empty(const struct keyring *ring)
{
	return !ring->public_count && !ring->static_count && !ring->ephemeral_count;
}

static void free_secret_array(void *array, size_t size, size_t element)
{
	if (array)
		wg_secret_wipe(array, size * element);
	free(array);
}

void keyring_free(struct keyring *ring)
{
	free_secret_array(ring->publics, ring->public_size, sizeof(*ring->publics));
	free_secret_array(ring->statics, ring->static_size, sizeof(*ring->statics));
	free_secret_array(ring->ephemerals, ring->ephemeral_size, sizeof(*ring->ephemerals));
	free_secret_array(ring->preshared, ring->preshared_size, sizeof(*ring->preshared));
	memset(ring, 0, sizeof(*ring));
}
