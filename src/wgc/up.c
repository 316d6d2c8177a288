/*
 * `wgc up CONFIG|IFNAME`: wg-quick's up, in C. Each step below runs in order; when one fails
 * (or a signal arrives) after the daemon started, everything is torn down again, as
 * wg-quick's trap does, so a failed `up` leaves no interface behind.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "wgc/commands.h"
#include "wgc/daemon.h"
#include "wgc/dns.h"
#include "wgc/hooks.h"
#include "wgc/link.h"
#include "wgc/mtu.h"
#include "wgc/quick.h"
#include "wgc/resolve.h"
#include "wgc/routes.h"
#include "wgc/run.h"
#include "libwgc/settext.h"
#include "wgc/uapi.h"

struct up {
	struct wgc_quick q;
	struct wg_config_device running; /* read back after configuring: canonical prefixes, endpoints */
	bool daemon_started, dns_set;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

static int check_absent(struct up *u, struct wgc_err *err)
{
	if (wgc_link_exists(u->q.ifname))
		return wgc_err_set(err, -EEXIST, "`%s' already exists", u->q.ifname);
	return 0;
}

static int resolve(struct up *u, struct wgc_err *err)
{
	return wgc_resolve_endpoints(&u->q.extras, u->q.shown_path, err);
}

static int pre_up(struct up *u, struct wgc_err *err)
{
	return wgc_hooks_run(&u->q.extras.hooks[WGC_PRE_UP], u->q.ifname, err);
}

/* KeyLog takes effect here alone: `up` always starts the daemon (an existing interface is
 * refused before), and a daemon opens its key log only at its start. */
static int start_daemon(struct up *u, struct wgc_err *err)
{
	const char *keylog = u->q.extras.keylog;
	int ret;

	/* Set first: a daemon that fails halfway may still have made the interface. */
	u->daemon_started = true;
	ret = wgc_daemon_start(u->q.ifname, keylog, err);
	if (!ret && keylog && access(keylog, F_OK))
		fprintf(stderr, "Warning: KeyLog: the daemon did not create %s (only wgcd writes key logs)\n", keylog);
	return ret;
}

static int configure(struct up *u, struct wgc_err *err)
{
	struct wgl_text text;
	int ret;

	wgl_text_init(&text);
	wgl_settext_format(&text, &u->q.device);
	ret = wgl_text_status(&text);
	fprintf(stderr, "[#] wgc setconf %s (over UAPI)\n", u->q.ifname);
	if (ret)
		wgc_err_set(err, ret, "out of memory");
	else
		ret = wgc_uapi_set(u->q.ifname, text.buf, text.len, err);
	wgl_text_free(&text);
	if (!ret)
		ret = wgc_uapi_get(u->q.ifname, &u->running, err);
	return ret;
}

static int add_addresses(struct up *u, struct wgc_err *err)
{
	char text[INET6_ADDRSTRLEN + 4], addr[INET6_ADDRSTRLEN];
	int ret = 0;

	for (size_t i = 0; i < u->q.extras.num_addresses && !ret; ++i) {
		const struct wgc_address *a = &u->q.extras.addresses[i];
		const char *argv[] = { "ip", a->family == AF_INET ? "-4" : "-6", "address", "add", text,
				       "dev", u->q.ifname, NULL };

		inet_ntop(a->family, a->addr, addr, sizeof(addr));
		snprintf(text, sizeof(text), "%s/%u", addr, a->cidr);
		ret = wgc_run(argv, NULL, NULL, true, err);
	}
	return ret;
}

static int set_mtu_up(struct up *u, struct wgc_err *err)
{
	char mtu[16];
	const char *argv[] = { "ip", "link", "set", "mtu", mtu, "up", "dev", u->q.ifname, NULL };

	snprintf(mtu, sizeof(mtu), "%u", u->q.extras.mtu ? u->q.extras.mtu : wgc_mtu_auto(&u->running));
	return wgc_run(argv, NULL, NULL, true, err);
}

static int set_dns(struct up *u, struct wgc_err *err)
{
	int ret = wgc_dns_set(u->q.ifname, &u->q.extras, err);

	u->dns_set = !ret && wgc_dns_wanted(&u->q.extras);
	return ret;
}

static int add_routes(struct up *u, struct wgc_err *err)
{
	return wgc_routes_add(u->q.ifname, &u->q.extras, &u->running, err);
}

static int post_up(struct up *u, struct wgc_err *err)
{
	return wgc_hooks_run(&u->q.extras.hooks[WGC_POST_UP], u->q.ifname, err);
}

static int (*const steps[])(struct up *u, struct wgc_err *err) = {
	check_absent, resolve, pre_up, start_daemon, configure, add_addresses, set_mtu_up, set_dns, add_routes, post_up,
};

static int bring_up(struct up *u, struct wgc_err *err)
{
	int ret = 0;

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]) && !ret; ++i) {
		ret = interrupted ? wgc_err_set(err, -EINTR, "interrupted by signal %d", (int)interrupted)
				  : steps[i](u, err);
	}
	return ret;
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int wgc_up_main(int argc, char **argv)
{
	struct up u = { 0 };
	struct wgc_err err, undo;
	int ret;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "Usage: wgc %s CONFIG_FILE|INTERFACE\n", argv[0]);
		return 1;
	}
	wg_config_init(&u.running);
	ret = wgc_quick_load(&u.q, argv[1], &err);
	if (!ret && u.q.world_accessible)
		fprintf(stderr, "Warning: `%s' is world accessible\n", u.q.path);
	if (!ret) {
		catch_signals();
		ret = bring_up(&u, &err);
	}
	if (ret)
		fprintf(stderr, "wgc %s: %s\n", argv[0], err.text);
	if (ret && u.daemon_started && wgc_link_delete(&u.q, u.dns_set, &undo))
		fprintf(stderr, "wgc %s: while undoing: %s\n", argv[0], undo.text);
	wg_config_free(&u.running);
	wgc_quick_free(&u.q);
	return ret ? 1 : 0;
}
