/*
 * UAPI "set" lines. Whatever the text, parsing must not crash; when it parses, applying it and
 * reading it back must be a fixed point: get -> set on a fresh device -> get gives the same
 * settable state (transfer counters and handshake times are the device's own).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/netsim.h"
#include "core/uapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool settable(const char *line)
{
	return strncmp(line, "last_handshake", 14) && strncmp(line, "tx_bytes", 8) && strncmp(line, "rx_bytes", 8);
}

/* The text without the lines a set cannot carry. */
static char *settable_text(char *text)
{
	char *out = calloc(1, strlen(text) + 1), *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (settable(line))
			strcat(strcat(out, line), "\n");
	free(text);
	return out;
}

static int parse(struct wg_config_device *config, const char *text, size_t size)
{
	struct wg_uapi_parser parser;

	wg_config_init(config);
	wg_uapi_parser_init(&parser, config);
	return wg_uapi_parse_text(&parser, text, size);
}

static char *get(struct wg_device *device)
{
	struct wg_config_device dump;
	size_t len;
	char *text;

	if (wg_device_dump(device, &dump))
		__builtin_trap();
	text = wg_uapi_format(&dump, &len);
	wg_config_free(&dump);
	return settable_text(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wg_config_device config;
	struct sim sim;
	struct sim_node *a, *b;
	char *first, *second;

	if (size > 65536)
		return 0;
	sim_init(&sim, 2);
	a = sim_add_node(&sim);
	b = sim_add_node(&sim);
	if (parse(&config, (const char *)data, size) || wg_device_configure(&a->device, &config)) {
		wg_config_free(&config);
		sim_free(&sim);
		return 0;
	}
	wg_config_free(&config);
	first = get(&a->device);
	if (parse(&config, first, strlen(first)) || wg_device_configure(&b->device, &config))
		__builtin_trap();
	wg_config_free(&config);
	second = get(&b->device);
	/* b started with its own private key; a's text sets one only if a had one. */
	if (strcmp(first, second) && a->device.static_identity.has_identity)
		__builtin_trap();
	free(first);
	free(second);
	sim_free(&sim);
	return 0;
}
