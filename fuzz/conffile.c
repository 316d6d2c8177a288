/*
 * wg-quick configuration files, fed line by line as `wgc up` reads them. Whatever the bytes,
 * parsing must not crash or leak; an error must name the file and line and never quote the
 * value of a key line; a success must leave a model the rest of the tool can trust.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wgc/conffile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(const struct wgc_conffile *parser)
{
	static const char *const secret_keys[] = { "PrivateKey: ", "PresharedKey: ", "PublicKey: " };
	char prefix[32];
	size_t n;

	n = (size_t)snprintf(prefix, sizeof(prefix), "fuzz.conf:%u: ", parser->line);
	if (strncmp(parser->message, "fuzz.conf:", 10) || !memchr(parser->message, '\0', sizeof(parser->message)))
		__builtin_trap();
	/* An error about a key's line never quotes it (another key's value may hold any text). */
	for (size_t i = 0; i < 3; ++i)
		if (!strncmp(parser->message, prefix, n) && !strncmp(parser->message + n, secret_keys[i], strlen(secret_keys[i])) &&
		    strchr(parser->message, '"'))
			__builtin_trap();
}

static void check_model(const struct wg_config_device *device, const struct wgc_extras *extras)
{
	size_t peers = 0;

	for (const struct wg_config_peer *p = device->first_peer; p; p = p->next, ++peers)
		for (size_t i = 0; i < p->num_allowedips; ++i)
			if ((p->allowedips[i].family == AF_INET && p->allowedips[i].cidr > 32) ||
			    (p->allowedips[i].family == AF_INET6 && p->allowedips[i].cidr > 128) ||
			    (p->allowedips[i].family != AF_INET && p->allowedips[i].family != AF_INET6))
				__builtin_trap();
	if (peers != device->num_peers)
		__builtin_trap();
	for (size_t i = 0; i < extras->num_endpoints; ++i)
		if (!extras->endpoints[i].peer || !*extras->endpoints[i].host || atoi(extras->endpoints[i].port) < 1)
			__builtin_trap();
	for (size_t i = 0; i < extras->num_addresses; ++i)
		if (extras->addresses[i].cidr > (extras->addresses[i].family == AF_INET ? 32 : 128))
			__builtin_trap();
	if (extras->mtu && (extras->mtu < 68 || extras->mtu > 65535))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wg_config_device device;
	struct wgc_extras extras;
	struct wgc_conffile parser;
	char *text = malloc(size + 1), *line, *next;
	int ret;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	wg_config_init(&device);
	wgc_extras_init(&extras);
	wgc_conffile_init(&parser, "fuzz.conf", &device, &extras);
	for (line = text; line; line = next) {
		next = memchr(line, '\n', size - (size_t)(line - text));
		if (next)
			*next++ = '\0';
		wgc_conffile_line(&parser, line);
	}
	ret = wgc_conffile_finish(&parser);
	if (ret)
		check_error(&parser);
	else
		check_model(&device, &extras);
	wg_config_free(&device);
	wgc_extras_free(&extras);
	free(text);
	return 0;
}
