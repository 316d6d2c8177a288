/* Routing the allowed IPs: plain routes, and policy routing for default routes. */
#include "wgc/routes.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wgc/run.h"
#include "wgc/uapi.h"

enum { FIRST_TABLE = 51820, MAX_TABLE_PROBES = 1000, MAX_RULE_DELETES = 64 };

struct prefix {
	char text[INET6_ADDRSTRLEN + 4];
	const char *family; /* "-4" or "-6" */
	uint8_t cidr;
	size_t order;
};

struct route_ctx {
	const char *ifname;
	const struct wgc_extras *extras;
	struct wg_config_device *running;
	struct wgc_err *err;
};

/* Longest prefix first, as wg-quick sorts them, ties in the device's order. */
static int compare_prefixes(const void *a, const void *b)
{
	const struct prefix *x = a, *y = b;

	if (x->cidr != y->cidr)
		return x->cidr > y->cidr ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Whether `ip ARGS` prints anything: a route or rule that exists. -errno when ip fails to run. */
static int ip_shows_something(const char *const argv[], bool *something)
{
	char *output = NULL;
	int ret = wgc_run(argv, NULL, &output, false, NULL);

	*something = !ret && output && strspn(output, " \t\n") != strlen(output);
	free(output);
	return ret == -EIO ? 0 : ret;
}

/* The first table from 51820 up with no IPv4 and no IPv6 routes. */
static int free_table(uint32_t *table, struct wgc_err *err)
{
	char id[16];
	const char *v4[] = { "ip", "-4", "route", "show", "table", id, NULL };
	const char *v6[] = { "ip", "-6", "route", "show", "table", id, NULL };
	bool used4, used6;

	for (uint32_t t = FIRST_TABLE; t < FIRST_TABLE + MAX_TABLE_PROBES; ++t) {
		snprintf(id, sizeof(id), "%u", t);
		if (ip_shows_something(v4, &used4) || ip_shows_something(v6, &used6))
			return wgc_err_set(err, -ENOENT, "cannot run ip to look for a free routing table");
		if (!used4 && !used6) {
			*table = t;
			return 0;
		}
	}
	return wgc_err_set(err, -ENOSPC, "no free routing table from %d on", FIRST_TABLE);
}

static int set_fwmark(struct route_ctx *c, uint32_t fwmark)
{
	char line[32];

	fprintf(stderr, "[#] wgc set %s fwmark %u (over UAPI)\n", c->ifname, fwmark);
	snprintf(line, sizeof(line), "fwmark=%u\n", fwmark);
	return wgc_uapi_set(c->ifname, line, strlen(line), c->err);
}

/* Lets replies to marked packets pass the reverse-path filter (IPv4 only has this switch). */
static int src_valid_mark(struct wgc_err *err)
{
	const char *path = "/proc/sys/net/ipv4/conf/all/src_valid_mark";
	FILE *f;

	fprintf(stderr, "[#] sysctl -q net.ipv4.conf.all.src_valid_mark=1\n");
	f = fopen(path, "we");
	if (!f || fputs("1\n", f) < 0 || fclose(f)) {
		int ret = -errno;

		return wgc_err_set(err, ret, "cannot write %s: %s", path, strerror(-ret));
	}
	return 0;
}

static int add_default(struct route_ctx *c, const struct prefix *p)
{
	char table[16];
	const char *route[] = { "ip", p->family, "route", "add", p->text, "dev", c->ifname, "table", table, NULL };
	const char *rule[] = { "ip", p->family, "rule", "add", "not", "fwmark", table, "table", table, NULL };
	const char *suppress[] = { "ip", p->family, "rule", "add", "table", "main", "suppress_prefixlength", "0", NULL };
	int ret = 0;

	if (!c->running->fwmark) {
		ret = free_table(&c->running->fwmark, c->err);
		if (!ret)
			ret = set_fwmark(c, c->running->fwmark);
		if (ret)
			return ret;
	}
	snprintf(table, sizeof(table), "%u", c->running->fwmark);
	ret = wgc_run(route, NULL, NULL, true, c->err);
	if (!ret)
		ret = wgc_run(rule, NULL, NULL, true, c->err);
	if (!ret)
		ret = wgc_run(suppress, NULL, NULL, true, c->err);
	if (!ret && !strcmp(p->family, "-4"))
		ret = src_valid_mark(c->err);
	return ret;
}

static int add_route(struct route_ctx *c, const struct prefix *p)
{
	const char *in_table[] = { "ip", p->family, "route", "add", p->text, "dev", c->ifname,
				   "table", c->extras->table_text, NULL };
	const char *covered[] = { "ip", p->family, "route", "show", "dev", c->ifname, "match", p->text, NULL };
	const char *plain[] = { "ip", p->family, "route", "add", p->text, "dev", c->ifname, NULL };
	bool exists;
	int ret;

	if (c->extras->table == WGC_TABLE_OFF)
		return 0;
	if (c->extras->table == WGC_TABLE_ID)
		return wgc_run(in_table, NULL, NULL, true, c->err);
	if (p->cidr == 0)
		return add_default(c, p);
	ret = ip_shows_something(covered, &exists);
	if (ret)
		return wgc_err_set(c->err, ret, "cannot run ip: %s", strerror(-ret));
	return exists ? 0 : wgc_run(plain, NULL, NULL, true, c->err);
}

/* Every allowed IP of every peer, as text, sorted for adding. */
static struct prefix *collect(const struct wg_config_device *running, size_t *count)
{
	struct prefix *all;
	size_t n = 0;
	char addr[INET6_ADDRSTRLEN];

	for (const struct wg_config_peer *peer = running->first_peer; peer; peer = peer->next)
		n += peer->num_allowedips;
	all = calloc(n ? n : 1, sizeof(*all));
	if (!all)
		return NULL;
	n = 0;
	for (const struct wg_config_peer *peer = running->first_peer; peer; peer = peer->next) {
		for (size_t i = 0; i < peer->num_allowedips; ++i, ++n) {
			const struct wg_config_allowedip *a = &peer->allowedips[i];

			inet_ntop(a->family, a->addr, addr, sizeof(addr));
			snprintf(all[n].text, sizeof(all[n].text), "%s/%u", addr, a->cidr);
			all[n].family = a->family == AF_INET ? "-4" : "-6";
			all[n].cidr = a->cidr;
			all[n].order = n;
		}
	}
	qsort(all, n, sizeof(*all), compare_prefixes);
	*count = n;
	return all;
}

int wgc_routes_add(const char *ifname, const struct wgc_extras *extras, struct wg_config_device *running,
		   struct wgc_err *err)
{
	struct route_ctx c = { ifname, extras, running, err };
	size_t count = 0;
	struct prefix *all = collect(running, &count);
	int ret = 0;

	if (!all)
		return wgc_err_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < count && !ret; ++i)
		ret = add_route(&c, &all[i]);
	free(all);
	return ret;
}

bool wgc_routes_have_policy(const struct wgc_extras *extras, const struct wg_config_device *running)
{
	if (extras->table != WGC_TABLE_AUTO || !running->fwmark)
		return false;
	for (const struct wg_config_peer *peer = running->first_peer; peer; peer = peer->next)
		for (size_t i = 0; i < peer->num_allowedips; ++i)
			if (peer->allowedips[i].cidr == 0)
				return true;
	return false;
}

bool wgc_routes_rule_present(const char *rules, const char *needle)
{
	size_t n = strlen(needle);

	for (const char *p = strstr(rules, needle); p; p = strstr(p + 1, needle))
		if ((p == rules || p[-1] == ' ' || p[-1] == '\t') && (!p[n] || p[n] == ' ' || p[n] == '\n'))
			return true;
	return false;
}

/* Deletes a rule for as long as `ip rule show` lists it (it may have been added more than once). */
static int delete_rule(const char *family, const char *needle, const char *const del[], struct wgc_err *err)
{
	const char *show[] = { "ip", family, "rule", "show", NULL };

	for (int i = 0; i < MAX_RULE_DELETES; ++i) {
		char *rules = NULL;
		bool present = !wgc_run(show, NULL, &rules, false, NULL) && wgc_routes_rule_present(rules, needle);
		int ret;

		free(rules);
		if (!present)
			return 0;
		ret = wgc_run(del, NULL, NULL, true, err);
		if (ret)
			return ret;
	}
	return wgc_err_set(err, -ELOOP, "ip %s rule: \"%s\" keeps coming back", family, needle);
}

int wgc_routes_remove_policy(const struct wg_config_device *running, struct wgc_err *err)
{
	static const char *const families[] = { "-4", "-6" };
	char table[16], lookup[32];
	int ret = 0;

	snprintf(table, sizeof(table), "%u", running->fwmark);
	snprintf(lookup, sizeof(lookup), "lookup %u", running->fwmark);
	for (int i = 0; i < 2 && !ret; ++i) {
		const char *del_table[] = { "ip", families[i], "rule", "delete", "table", table, NULL };
		const char *del_main[] = { "ip", families[i], "rule", "delete", "table", "main",
					   "suppress_prefixlength", "0", NULL };

		ret = delete_rule(families[i], lookup, del_table, err);
		if (!ret)
			ret = delete_rule(families[i], "from all lookup main suppress_prefixlength 0", del_main, err);
	}
	return ret;
}
