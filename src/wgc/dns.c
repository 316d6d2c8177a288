/* Handing the tunnel's DNS servers to resolvconf, and taking them back. */
#include "wgc/dns.h"

#include <stdio.h>
#include <string.h>

#include "wgc/run.h"

#define INTERFACE_ORDER "/etc/resolvconf/interface-order"

void wgc_dns_resolvconf_input(struct wgl_text *out, const struct wgc_extras *extras)
{
	for (size_t i = 0; i < extras->dns_servers.len; ++i)
		wgl_text_append(out, "nameserver %s\n", extras->dns_servers.items[i]);
	if (!extras->dns_search.len)
		return;
	wgl_text_append(out, "search");
	for (size_t i = 0; i < extras->dns_search.len; ++i)
		wgl_text_append(out, " %s", extras->dns_search.items[i]);
	wgl_text_append(out, "\n");
}

/* "tun*" -> "tun": letters, digits and '-' followed by a '*' and nothing else. */
static bool prefix_pattern(const char *line, size_t *len)
{
	size_t n = strspn(line, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");

	*len = n;
	return n && line[n] == '*' && (line[n + 1] == '\0' || line[n + 1] == '\n');
}

void wgc_dns_record_name(char *buf, size_t size, const char *ifname, const char *interface_order_path)
{
	FILE *f = fopen(interface_order_path, "re");
	char line[256];
	size_t n;

	if (f) {
		while (fgets(line, sizeof(line), f)) {
			if (prefix_pattern(line, &n)) {
				snprintf(buf, size, "%.*s.%s", (int)n, line, ifname);
				fclose(f);
				return;
			}
		}
		fclose(f);
	}
	snprintf(buf, size, "%s", ifname);
}

/* wg-quick only registers anything when there is at least one server. */
bool wgc_dns_wanted(const struct wgc_extras *extras)
{
	return extras->dns_servers.len > 0;
}

int wgc_dns_set(const char *ifname, const struct wgc_extras *extras, struct wgc_err *err)
{
	char name[64];
	const char *argv[] = { "resolvconf", "-a", name, "-m", "0", "-x", NULL };
	struct wgl_text input;
	int ret;

	if (!wgc_dns_wanted(extras))
		return 0;
	wgc_dns_record_name(name, sizeof(name), ifname, INTERFACE_ORDER);
	wgl_text_init(&input);
	wgc_dns_resolvconf_input(&input, extras);
	ret = wgl_text_status(&input);
	if (ret)
		wgc_err_set(err, ret, "out of memory");
	else
		ret = wgc_run(argv, input.buf, NULL, true, err);
	wgl_text_free(&input);
	return ret;
}

int wgc_dns_unset(const char *ifname, struct wgc_err *err)
{
	char name[64];
	const char *argv[] = { "resolvconf", "-d", name, "-f", NULL };

	wgc_dns_record_name(name, sizeof(name), ifname, INTERFACE_ORDER);
	return wgc_run(argv, NULL, NULL, true, err);
}
