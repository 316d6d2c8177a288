/*
 * Key log lines as `wgc analyze --keylog` reads them, one per input (the parser is given the
 * exact length, so NULs and missing ends are part of it): never crash nor read past the line;
 * a key line formats back, in the canonical form, to a line that parses to the same key; an
 * error is a message of the parser's own, never a piece of the line.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/key.h"
#include "core/keylog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_canonical(const struct wg_keylog_line *line)
{
	struct wg_session_keys keys = { 0 };
	uint8_t *slots[] = { keys.local_static_private, keys.remote_static_public, keys.local_ephemeral_private,
			     keys.preshared_key };
	char text[WG_KEYLOG_ENTRY_MAX], *start = text;
	struct wg_keylog_line again;
	const char *error;

	memcpy(slots[line->kind], line->key, WG_KEY_LEN);
	wg_keylog_format(text, &keys);
	for (int i = 0; i < (int)line->kind; ++i)
		start = strchr(start, '\n') + 1;
	if (wg_keylog_parse_line(&again, start, (size_t)(strchr(start, '\n') - start), &error) != 1 ||
	    again.kind != line->kind || memcmp(again.key, line->key, WG_KEY_LEN))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly the input's size, so ASan sees any read past the line. */
	char *copy = malloc(size ? size : 1);
	struct wg_keylog_line line;
	const char *error = NULL;
	int ret;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	ret = wg_keylog_parse_line(&line, copy, size, &error);
	if (ret == 1)
		check_canonical(&line);
	else if (ret == -EINVAL && (!error || (error >= copy && error < copy + size) || strlen(error) > 160))
		__builtin_trap(); /* a message of the parser's own, not a piece of the line */
	else if (ret != 0 && ret != -EINVAL)
		__builtin_trap();
	free(copy);
	return 0;
}
