/* The sending side of the engine: the TUN device's reads (wgl_engine_send_packet is the other). */
#ifndef WGL_EGRESS_H
#define WGL_EGRESS_H

struct wgl_engine;

/* Registers the TUN device's descriptor: from now on its packets go out. */
int wgl_egress_watch_tun(struct wgl_engine *engine);

#endif
