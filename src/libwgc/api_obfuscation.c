/* The public configuration's obfuscation (AmneziaWG's parameters) over the core's data model. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "libwgc/api.h"

WGC_EXPORT int wgc_config_set_obfuscation(struct wgc_config *config, const char *key, const char *value,
					  char *error, size_t error_size)
{
	char message[160];
	int which = key ? wg_obfuscation_key_of(key) : -1;
	int ret;

	if (!config || !value || which < 0) {
		if (error && error_size)
			snprintf(error, error_size, "%s: not an obfuscation parameter", key ? key : "(null)");
		return -EINVAL;
	}
	ret = wg_obfuscation_parse(&config->model.obfuscation, (enum wg_obfuscation_key)which, value, message,
				   sizeof(message));
	if (ret == -EINVAL && error && error_size)
		snprintf(error, error_size, "%s", message);
	return ret;
}

WGC_EXPORT int wgc_config_obfuscation(const struct wgc_config *config, const char *key, char *value, size_t size)
{
	int which = key ? wg_obfuscation_key_of(key) : -1;

	if (!config || which < 0 || !value || !size)
		return -EINVAL;
	if (!(config->model.obfuscation.has & (1u << which)))
		return -ENOENT;
	wg_obfuscation_format(&config->model.obfuscation.set, (enum wg_obfuscation_key)which, value, size);
	return 0;
}
