/* Writing the running configuration back to its file. */
#include "wgc/saveconf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/key.h"
#include "core/uapi.h"
#include "crypto/secret.h"
#include "wgc/mtu.h"
#include "wgc/run.h"
#include "wgc/uapi.h"

int wgc_saveconf_parse_addresses(const char *ip_output, struct wgc_strlist *addresses)
{
	char *copy = strdup(ip_output), *save = NULL, *word, *prev = NULL;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (word = strtok_r(copy, " \t\n\\", &save); word && !ret; prev = word, word = strtok_r(NULL, " \t\n\\", &save))
		if (prev && (!strcmp(prev, "inet") || !strcmp(prev, "inet6")))
			ret = wgc_strlist_add(addresses, word);
	free(copy);
	return ret;
}

static void format_interface(struct wgl_text *out, const struct wgc_extras *x, const struct wgc_strlist *addresses,
			     unsigned mtu)
{
	static const char *const hook_names[] = { "PreUp", "PostUp", "PreDown", "PostDown" };

	wgl_text_append(out, "[Interface]\n");
	for (size_t i = 0; i < addresses->len; ++i)
		wgl_text_append(out, "Address = %s\n", addresses->items[i]);
	for (size_t i = 0; i < x->dns_servers.len; ++i)
		wgl_text_append(out, "DNS = %s\n", x->dns_servers.items[i]);
	for (size_t i = 0; i < x->dns_search.len; ++i)
		wgl_text_append(out, "DNS = %s\n", x->dns_search.items[i]);
	if (mtu)
		wgl_text_append(out, "MTU = %u\n", mtu);
	if (x->table_given)
		wgl_text_append(out, "Table = %s\n", x->table_text);
	if (x->save_config)
		wgl_text_append(out, "SaveConfig = true\n");
	if (x->keylog)
		wgl_text_append(out, "KeyLog = %s\n", x->keylog);
	for (int kind = 0; kind < WGC_HOOK_KINDS; ++kind)
		for (size_t i = 0; i < x->hooks[kind].len; ++i)
			wgl_text_append(out, "%s = %s\n", hook_names[kind], x->hooks[kind].items[i]);
}

static void format_key(struct wgl_text *out, const char *name, const uint8_t key[WG_KEY_LEN])
{
	char text[WG_KEY_BASE64_LEN + 1];

	wg_key_to_base64(text, key);
	wgl_text_append(out, "%s = %s\n", name, text);
	wg_secret_wipe(text, sizeof(text));
}

/* The Endpoint to save: over TCP, the endpoint a get shows is where TCP goes now, so an auto
 * peer saves where UDP went, and a peer that came to us over TCP (its address a connection's
 * ephemeral port) saves none. */
static const struct wg_endpoint *saved_endpoint(const struct wg_config_peer *peer)
{
	bool on_tcp = (peer->flags & WG_PEER_HAS_TRANSPORT_STATE) && peer->transport_active == WG_TRANSPORT_TCP;

	if (on_tcp && (peer->flags & WG_PEER_HAS_UDP_ENDPOINT))
		return &peer->udp_endpoint;
	if (on_tcp && peer->transport_reason == WG_TRANSPORT_PEER_CHOSE)
		return NULL;
	if (!(peer->flags & WG_PEER_HAS_ENDPOINT) || !wg_endpoint_is_set(&peer->endpoint))
		return NULL;
	return &peer->endpoint;
}

static void format_peer(struct wgl_text *out, const struct wg_config_peer *peer)
{
	char addr[INET6_ADDRSTRLEN], endpoint[WG_ENDPOINT_TEXT_MAX];

	wgl_text_append(out, "\n[Peer]\n");
	format_key(out, "PublicKey", peer->public_key);
	if (!wg_secret_is_zero(peer->preshared_key, WG_KEY_LEN))
		format_key(out, "PresharedKey", peer->preshared_key);
	for (size_t i = 0; i < peer->num_allowedips; ++i) {
		const struct wg_config_allowedip *a = &peer->allowedips[i];

		inet_ntop(a->family, a->addr, addr, sizeof(addr));
		wgl_text_append(out, "%s%s/%u", i ? ", " : "AllowedIPs = ", addr, a->cidr);
	}
	if (peer->num_allowedips)
		wgl_text_append(out, "\n");
	if (saved_endpoint(peer)) {
		wg_endpoint_format(saved_endpoint(peer), endpoint);
		wgl_text_append(out, "Endpoint = %s\n", endpoint);
	}
	if (peer->persistent_keepalive_interval)
		wgl_text_append(out, "PersistentKeepalive = %u\n", peer->persistent_keepalive_interval);
	if (peer->flags & WG_PEER_HAS_TRANSPORT)
		wgl_text_append(out, "Transport = %s\n", wg_uapi_transport_mode_name(peer->transport_mode));
	if (peer->flags & WG_PEER_HAS_TCP_ENDPOINT) {
		wg_endpoint_format(&peer->tcp_endpoint, endpoint);
		wgl_text_append(out, "TCPEndpoint = %s\n", endpoint);
	}
	if ((peer->flags & WG_PEER_HAS_PROBE) && peer->probe.family) {
		inet_ntop(peer->probe.family, peer->probe.addr, endpoint, sizeof(endpoint));
		wgl_text_append(out, "Probe = %s\n", endpoint);
	}
}

/* AmneziaWG's keys as its config files name them (Jc, S1, H1, I1, ...), those in use. */
static void format_obfuscation_key(void *ctx, enum wg_obfuscation_key key, const char *value)
{
	char name[8];

	snprintf(name, sizeof(name), "%s", wg_obfuscation_key_name(key));
	name[0] = (char)toupper((unsigned char)name[0]);
	wgl_text_append(ctx, "%s = %s\n", name, value);
}

void wgc_saveconf_format(struct wgl_text *out, const struct wgc_extras *extras, const struct wgc_strlist *addresses,
			 unsigned mtu, const struct wg_config_device *running)
{
	format_interface(out, extras, addresses, mtu);
	if (running->listen_port)
		wgl_text_append(out, "ListenPort = %u\n", running->listen_port);
	if (running->fwmark)
		wgl_text_append(out, "FwMark = 0x%x\n", running->fwmark);
	if (running->tcp_listen_port)
		wgl_text_append(out, "TCPListenPort = %u\n", running->tcp_listen_port);
	if (running->flags & WG_DEVICE_HAS_UDP_PROBE_INTERVAL)
		wgl_text_append(out, "UDPProbeInterval = %u\n", running->udp_probe_interval);
	if (running->flags & WG_DEVICE_HAS_PROBE_INTERVAL)
		wgl_text_append(out, "ProbeInterval = %u\n", running->probe_interval);
	wg_obfuscation_each_listed(&running->obfuscation.set, format_obfuscation_key, out);
	if (!wg_secret_is_zero(running->private_key, WG_KEY_LEN))
		format_key(out, "PrivateKey", running->private_key);
	for (const struct wg_config_peer *peer = running->first_peer; peer; peer = peer->next)
		format_peer(out, peer);
}

/* A new file beside the old one, then rename: a crash leaves the old file or the new, never half. */
static int replace_file(const char *path, const struct wgl_text *text, struct wgc_err *err)
{
	char tmp[PATH_MAX + 8];
	int fd, ret = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return wgc_err_set(err, -errno, "cannot create %s: %s", tmp, strerror(errno));
	for (size_t done = 0; done < text->len && !ret;) {
		ssize_t n = write(fd, text->buf + done, text->len - done);

		if (n < 0 && errno != EINTR)
			ret = -errno;
		else if (n > 0)
			done += (size_t)n;
	}
	if (!ret && (fchmod(fd, 0600) || fsync(fd)))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		return wgc_err_set(err, ret, "cannot write %s: %s", path, strerror(-ret));
	}
	return 0;
}

int wgc_saveconf_write(const struct wgc_quick *q, struct wgc_err *err)
{
	const char *show[] = { "ip", "-o", "address", "show", "dev", q->ifname, NULL };
	struct wgc_strlist addresses = { 0 };
	struct wg_config_device running;
	struct wgl_text text;
	char *output = NULL;
	int ret;

	wgl_text_init(&text);
	ret = wgc_uapi_get(q->ifname, &running, err);
	if (!ret)
		ret = wgc_run(show, NULL, &output, false, err);
	if (!ret)
		ret = wgc_saveconf_parse_addresses(output, &addresses);
	if (!ret) {
		fprintf(stderr, "[#] wgc save %s > %s\n", q->ifname, q->path);
		wgc_saveconf_format(&text, &q->extras, &addresses, q->extras.mtu ? wgc_link_mtu(q->ifname) : 0, &running);
		ret = wgl_text_status(&text);
	}
	if (!ret)
		ret = replace_file(q->path, &text, err);
	else if (ret == -ENOMEM)
		wgc_err_set(err, ret, "out of memory");
	free(output);
	wgc_strlist_free(&addresses);
	wgl_text_free(&text);
	wg_config_free(&running);
	return ret;
}
