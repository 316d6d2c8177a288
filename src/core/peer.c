/* Peers: creation into the device's tables, removal with every trace wiped, the staging queue. */
#include "core/peer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/device.h"
#include "core/events.h"
#include "core/timers.h"
#include "crypto/secret.h"

enum { PEER_TIMERS = 5 };

int wg_peer_create(struct wg_device *device, const uint8_t public_key[32], const uint8_t *preshared_key,
		   struct wg_peer **out)
{
	struct wg_peer *peer;
	int ret;

	if (device->num_peers >= WG_MAX_PEERS_PER_DEVICE)
		return -ENOSPC;
	/* Grow the tables now so that nothing on the data path ever allocates. */
	ret = wg_peerlookup_reserve(&device->index_hashtable, &device->peer_hashtable, device->num_peers + 1);
	if (ret)
		return ret;
	peer = calloc(1, sizeof(*peer));
	if (!peer || wg_deadlines_reserve(&device->deadlines, PEER_TIMERS)) {
		free(peer);
		return -ENOMEM;
	}

	peer->device = device;
	peer->internal_id = ++device->next_peer_id;
	wg_noise_handshake_init(&peer->handshake, peer, public_key, preshared_key);
	wg_noise_forget_static_static(peer);
	wg_cookie_checker_precompute_peer_keys(&peer->cookie, public_key);
	wg_timers_init(peer);
	wg_monitor_init(&peer->monitor, device->env.now(device->env.ctx));
	device->env.random(device->env.ctx, &peer->monitor.instance, sizeof(peer->monitor.instance));
	wg_list_init(&peer->allowedips_list);
	wg_list_add_tail(&peer->peer_list, &device->peer_list);
	wg_pubkey_table_add(&device->peer_hashtable, peer);
	++device->num_peers;
	wg_device_log(device, WG_LOG_DEBUG, "Peer %llu created", (unsigned long long)peer->internal_id);
	wg_event_report(peer, &(struct wg_event){ .type = WG_EVENT_PEER_ADDED });
	wg_device_monitor_start(device);
	*out = peer;
	return 0;
}

void wg_peer_remove(struct wg_peer *peer)
{
	struct wg_device *device = peer->device;

	/* First make the peer unreachable, then stop what it does, then free what it holds. */
	wg_event_report(peer, &(struct wg_event){ .type = WG_EVENT_PEER_REMOVED });
	peer->is_dead = true;
	if (device->env.forget)
		device->env.forget(device->env.ctx, peer);
	wg_allowedips_remove_by_peer(&device->peer_allowedips, &peer->allowedips_list);
	wg_pubkey_table_remove(&device->peer_hashtable, peer);
	wg_list_del(&peer->peer_list);
	wg_timers_stop(peer);
	wg_deadlines_unreserve(&device->deadlines, PEER_TIMERS);
	wg_peer_purge_staged(peer);
	free(peer->staged);
	free(peer->sent_initiation);
	wg_echo_set_target(peer, 0, NULL);
	wg_monitor_free(&peer->monitor);
	wg_noise_handshake_clear(peer);
	wg_noise_keypairs_free(peer);
	wg_cookie_maker_wipe(&peer->cookie);
	--device->num_peers;
	wg_device_log(device, WG_LOG_DEBUG, "Peer %llu removed", (unsigned long long)peer->internal_id);
	wg_secret_wipe(peer, sizeof(*peer));
	free(peer);
}

void wg_peer_send_failed(struct wg_peer *peer, unsigned datagrams, size_t bytes)
{
	peer->tx_bytes -= bytes < peer->tx_bytes ? bytes : peer->tx_bytes;
	peer->device->stats.tx_send_errors += datagrams;
}

void wg_peer_remove_all(struct wg_device *device)
{
	struct wg_list *pos, *tmp;

	wg_list_for_each_safe(pos, tmp, &device->peer_list)
		wg_peer_remove(wg_container_of(pos, struct wg_peer, peer_list));
}

/* Plaintext waiting to be encrypted is as private as any key: wiped before it is kept for
 * the next packet or freed. */
void wg_peer_release_staged(struct wg_device *device, struct wg_staged_packet *staged)
{
	wg_secret_wipe(staged->buffer, WG_PACKET_HEADROOM + staged->len + WG_PACKET_TAILROOM);
	if (staged->capacity == WG_STAGED_POOL_CAPACITY && device->staged_pool_count < WG_STAGED_POOL_MAX) {
		staged->next = device->staged_pool;
		device->staged_pool = staged;
		++device->staged_pool_count;
		return;
	}
	free(staged);
}

void wg_peer_free_staged_pool(struct wg_device *device)
{
	while (device->staged_pool) {
		struct wg_staged_packet *staged = device->staged_pool;

		device->staged_pool = staged->next;
		free(staged);
	}
	device->staged_pool_count = 0;
}

static struct wg_staged_packet *staged_buffer(struct wg_device *device, size_t len)
{
	size_t capacity = len <= WG_STAGED_POOL_CAPACITY ? WG_STAGED_POOL_CAPACITY : len;
	struct wg_staged_packet *staged = device->staged_pool;

	if (staged && capacity == WG_STAGED_POOL_CAPACITY) {
		device->staged_pool = staged->next;
		--device->staged_pool_count;
		return staged;
	}
	staged = malloc(sizeof(*staged) + WG_PACKET_HEADROOM + capacity + WG_PACKET_TAILROOM);
	if (staged)
		staged->capacity = capacity;
	return staged;
}

static void drop_staged(struct wg_peer *peer, struct wg_staged_packet *staged)
{
	wg_peer_release_staged(peer->device, staged);
	++peer->device->stats.tx_staged_dropped;
}

int wg_peer_stage(struct wg_peer *peer, const uint8_t *packet, size_t len)
{
	struct wg_staged_packet *staged;

	if (!peer->staged)
		peer->staged = calloc(WG_MAX_STAGED_PACKETS, sizeof(*peer->staged));
	if (!peer->staged)
		return -ENOMEM;
	staged = staged_buffer(peer->device, len);
	if (!staged)
		return -ENOMEM;
	staged->len = len;
	if (len)
		memcpy(staged->buffer + WG_PACKET_HEADROOM, packet, len);
	if (peer->staged_count == WG_MAX_STAGED_PACKETS)
		drop_staged(peer, wg_peer_unstage(peer));
	peer->staged[(peer->staged_head + peer->staged_count) % WG_MAX_STAGED_PACKETS] = staged;
	++peer->staged_count;
	return 0;
}

struct wg_staged_packet *wg_peer_unstage(struct wg_peer *peer)
{
	struct wg_staged_packet *staged;

	if (!peer->staged_count)
		return NULL;
	staged = peer->staged[peer->staged_head];
	peer->staged[peer->staged_head] = NULL;
	peer->staged_head = (peer->staged_head + 1) % WG_MAX_STAGED_PACKETS;
	--peer->staged_count;
	return staged;
}

void wg_peer_purge_staged(struct wg_peer *peer)
{
	struct wg_staged_packet *staged;

	while ((staged = wg_peer_unstage(peer)))
		drop_staged(peer, staged);
}

void wg_peer_set_endpoint(struct wg_peer *peer, const struct wg_endpoint *endpoint)
{
	bool moved;

	if (wg_endpoint_equal(&peer->endpoint, endpoint))
		return;
	moved = !wg_endpoint_same_remote(&peer->endpoint, endpoint);
	peer->endpoint = *endpoint;
	if (moved)
		wg_event_report(peer, &(struct wg_event){ .type = WG_EVENT_ENDPOINT_CHANGED, .endpoint = &peer->endpoint });
}

void wg_peer_data_seen(struct wg_peer *peer, bool received)
{
	uint64_t now = peer->device->env.now(peer->device->env.ctx);

	if (!peer->has_seen_data || now - peer->last_data >= WG_IDLE_TIME)
		wg_event_report(peer, &(struct wg_event){ .type = WG_EVENT_DATA_AFTER_IDLE, .received = received,
							  .idle = peer->has_seen_data ? now - peer->last_data : 0 });
	peer->last_data = now;
	peer->has_seen_data = true;
}
