/* Events out of the core: stamped with the time and the peer, handed to env.event. */
#include "core/events.h"

#include "core/device.h"
#include "core/monitor.h"
#include "core/peer.h"

void wg_event_report(struct wg_peer *peer, struct wg_event *event)
{
	struct wg_device *device = peer->device;

	event->peer = peer;
	event->time = device->env.now(device->env.ctx);
	if (device->env.event)
		device->env.event(device->env.ctx, event);
	/* After: a state change it causes is reported after it. */
	wg_monitor_on_event(peer, event);
}
