/* The device: lifecycle, identity, up/down, timers and load, and the lookups around them. */
#include "core/device.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/echo.h"
#include "core/peer.h"
#include "core/send.h"
#include "core/timers.h"
#include "crypto/secret.h"

static uint64_t now_of(const struct wg_device *device)
{
	return device->env.now(device->env.ctx);
}

void wg_device_log(const struct wg_device *device, enum wg_log_level level, const char *fmt, ...)
{
	char message[256];
	va_list ap;

	if (!device->env.log)
		return;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	device->env.log(device->env.ctx, level, message);
}

static void monitor_tick(struct wg_timer *timer)
{
	struct wg_device *device = wg_container_of(timer, struct wg_device, monitor_timer);
	uint64_t now = now_of(device);
	struct wg_list *pos, *tmp;

	wg_list_for_each_safe(pos, tmp, &device->peer_list) {
		struct wg_peer *peer = wg_container_of(pos, struct wg_peer, peer_list);

		wg_monitor_tick(peer, now);
		wg_echo_tick(peer, now);
	}
	if (device->num_peers)
		wg_timer_arm(&device->deadlines, timer, now + WG_MONITOR_TICK);
}

void wg_device_monitor_start(struct wg_device *device)
{
	if (device->is_up && device->num_peers && !wg_timer_pending(&device->monitor_timer))
		wg_timer_arm(&device->deadlines, &device->monitor_timer, now_of(device) + WG_MONITOR_TICK);
}

int wg_device_init(struct wg_device *device, const struct wg_env *env)
{
	int ret;

	memset(device, 0, sizeof(*device));
	device->env = *env;
	wg_list_init(&device->peer_list);
	wg_allowedips_init(&device->peer_allowedips);
	wg_deadlines_init(&device->deadlines);
	wg_ratelimiter_init(&device->ratelimiter, &device->deadlines, &device->env);
	wg_timer_init(&device->monitor_timer, monitor_tick);
	wg_monitor_settings_default(&device->monitor_settings);
	device->echo_interval = WG_ECHO_INTERVAL_DEFAULT;
	wg_wire_format_plain(&device->wire);
	ret = wg_index_table_init(&device->index_hashtable);
	if (!ret)
		ret = wg_pubkey_table_init(&device->peer_hashtable);
	if (!ret)
		ret = wg_deadlines_reserve(&device->deadlines, 2); /* the ratelimiter's collector, the tick */
	if (ret)
		wg_device_uninit(device);
	return ret;
}

void wg_device_uninit(struct wg_device *device)
{
	wg_peer_remove_all(device);
	wg_peer_free_staged_pool(device);
	wg_ratelimiter_free(&device->ratelimiter);
	wg_allowedips_free(&device->peer_allowedips);
	wg_index_table_free(&device->index_hashtable);
	wg_pubkey_table_free(&device->peer_hashtable);
	wg_deadlines_free(&device->deadlines);
	wg_noise_static_identity_clear(&device->static_identity);
	wg_cookie_checker_wipe(&device->cookie_checker);
	wg_obfuscation_free(&device->obfuscation);
	device->obfuscated = false;
	wg_wire_format_plain(&device->wire);
	if (device->obfuscation_random)
		wg_keystream_free(device->obfuscation_random);
	free(device->obfuscation_random);
	device->obfuscation_random = NULL;
	device->is_up = false;
}

void wg_device_drop_malformed(struct wg_device *device)
{
	++device->stats.rx_malformed;
}

void wg_device_set_listen_port(struct wg_device *device, uint16_t port)
{
	device->listen_port = port;
}

void wg_device_set_mtu(struct wg_device *device, unsigned mtu)
{
	device->mtu = mtu;
}

void wg_device_report_keys(struct wg_device *device, bool on)
{
	device->report_keys = on;
}

struct wg_peer *wg_device_lookup_peer(const struct wg_device *device, const uint8_t public_key[32])
{
	return wg_pubkey_table_lookup(&device->peer_hashtable, public_key);
}

void wg_device_set_private_key(struct wg_device *device, const uint8_t *private_key)
{
	struct wg_static_identity *identity = &device->static_identity;
	uint8_t clamped[WG_NOISE_PUBLIC_KEY_LEN], public_key[WG_NOISE_PUBLIC_KEY_LEN];
	struct wg_list *pos, *tmp;
	struct wg_peer *twin;
	bool has_key = private_key && !wg_secret_is_zero(private_key, sizeof(clamped));

	if (has_key) {
		memcpy(clamped, private_key, sizeof(clamped));
		wg_x25519_clamp(clamped);
		if (identity->has_identity && wg_secret_equal(clamped, identity->static_private, sizeof(clamped)))
			goto out;
		/* We cannot be our own peer: a peer with our new public key goes. */
		if (wg_x25519_public(public_key, clamped) && (twin = wg_device_lookup_peer(device, public_key)))
			wg_peer_remove(twin);
	} else if (!identity->has_identity) {
		goto out;
	}

	wg_noise_set_static_identity_private_key(identity, has_key ? clamped : NULL);
	wg_list_for_each_safe(pos, tmp, &device->peer_list) {
		struct wg_peer *peer = wg_container_of(pos, struct wg_peer, peer_list);

		wg_noise_forget_static_static(peer);
		wg_noise_expire_current_peer_keypairs(peer);
	}
	wg_cookie_checker_precompute_device_keys(&device->cookie_checker,
						 identity->has_identity ? identity->static_public : NULL);
	/* Packets that waited for a key can start their handshakes now. */
	if (identity->has_identity && device->is_up)
		wg_list_for_each_safe(pos, tmp, &device->peer_list)
			wg_packet_send_staged_packets(wg_container_of(pos, struct wg_peer, peer_list));
out:
	wg_secret_wipe(clamped, sizeof(clamped));
}

void wg_device_up(struct wg_device *device)
{
	struct wg_list *pos, *tmp;

	if (device->is_up)
		return;
	device->is_up = true;
	wg_device_monitor_start(device);
	wg_list_for_each_safe(pos, tmp, &device->peer_list) {
		struct wg_peer *peer = wg_container_of(pos, struct wg_peer, peer_list);

		wg_packet_send_staged_packets(peer);
		if (peer->persistent_keepalive_interval)
			wg_packet_send_keepalive(peer);
	}
}

void wg_device_down(struct wg_device *device)
{
	struct wg_list *pos, *tmp;

	if (!device->is_up)
		return;
	device->is_up = false;
	wg_timer_remove(&device->deadlines, &device->monitor_timer);
	wg_list_for_each_safe(pos, tmp, &device->peer_list) {
		struct wg_peer *peer = wg_container_of(pos, struct wg_peer, peer_list);

		wg_peer_purge_staged(peer);
		wg_timers_stop(peer);
		peer->monitor.awaiting_response = false; /* its answer could no longer come */
		wg_noise_handshake_clear(peer);
		wg_noise_keypairs_wipe(peer);
		peer->has_sent_handshake = false;
	}
}

uint64_t wg_device_next_deadline(const struct wg_device *device)
{
	return wg_deadlines_next(&device->deadlines);
}

void wg_device_run_timers(struct wg_device *device)
{
	wg_deadlines_run(&device->deadlines, now_of(device));
}

void wg_device_handshake_backlog(struct wg_device *device, unsigned queued)
{
	device->handshake_backlog = queued;
}

/* A spell under load ends a second after the backlog was last seen high. */
static void end_spell_under_load(struct wg_device *device, uint64_t now)
{
	if (device->has_been_under_load && now >= device->last_under_load + WG_NSEC_PER_SEC) {
		device->under_load_total += device->last_under_load + WG_NSEC_PER_SEC - device->under_load_since;
		device->has_been_under_load = false;
	}
}

bool wg_device_is_under_load(struct wg_device *device)
{
	uint64_t now = now_of(device);

	end_spell_under_load(device, now);
	if (device->handshake_backlog >= WG_MAX_QUEUED_INCOMING_HANDSHAKES / 8) {
		if (!device->has_been_under_load)
			device->under_load_since = now;
		device->last_under_load = now;
		device->has_been_under_load = true;
		return true;
	}
	/* Stay under load for a second after the backlog drains, so a flood cannot toggle it. */
	return device->has_been_under_load;
}

uint64_t wg_device_time_under_load(const struct wg_device *device)
{
	uint64_t now = now_of(device), end;

	if (!device->has_been_under_load)
		return device->under_load_total;
	end = now < device->last_under_load + WG_NSEC_PER_SEC ? now : device->last_under_load + WG_NSEC_PER_SEC;
	return device->under_load_total + end - device->under_load_since;
}
