/* Numbers and IP prefixes in configuration text. */
#include "core/parse.h"

#include <arpa/inet.h>
#include <string.h>

bool wg_parse_decimal(const char *text, unsigned long long max, unsigned long long *out)
{
	unsigned long long n = 0;

	if (!*text)
		return false;
	for (; *text; ++text) {
		if (*text < '0' || *text > '9' || n > (max - (unsigned)(*text - '0')) / 10)
			return false;
		n = n * 10 + (unsigned)(*text - '0');
	}
	*out = n;
	return true;
}

bool wg_parse_prefix(const char *text, bool length_optional, uint8_t *family, uint8_t addr[16], uint8_t *cidr)
{
	char ip[INET6_ADDRSTRLEN];
	const char *slash = strchr(text, '/');
	size_t n = slash ? (size_t)(slash - text) : strlen(text);
	unsigned long long length;

	if ((!slash && !length_optional) || !n || n >= sizeof(ip))
		return false;
	memcpy(ip, text, n);
	ip[n] = '\0';
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, ip, addr) == 1)
		*family = AF_INET;
	else if (inet_pton(AF_INET6, ip, addr) == 1)
		*family = AF_INET6;
	else
		return false;
	length = *family == AF_INET ? 32 : 128;
	if (slash && !wg_parse_decimal(slash + 1, length, &length))
		return false;
	*cidr = (uint8_t)length;
	return true;
}
