/*
 * The engine: one WireGuard device with everything that moves its packets. The core does the
 * protocol; the engine owns what the core may not touch: the tunnel side (a TUN device, or the
 * packet calls of a program that has none), the transports, the link's state as rtnetlink
 * reports it, the clock, and the epoll set that ties them together. It has no process-wide
 * side effects: no signals, no exit, no output but its caller's log callback.
 *
 * Threads. One thread at a time runs the engine: the loop (in the caller's thread through
 * wgl_engine_round, or the engine's own through wgl_engine_start) or an API call; `lock` makes
 * them take turns, and every field here belongs to whoever holds it. The Diffie-Hellman
 * workers (dhworkers.h) share nothing with the engine but their own queues.
 */
#ifndef WGL_ENGINE_H
#define WGL_ENGINE_H

#include <net/if.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/device.h"
#include "libwgc/dhworkers.h"
#include "libwgc/events.h"
#include "libwgc/handshakes.h"
#include "libwgc/link.h"
#include "libwgc/offload/coalesce.h"
#include "libwgc/packets.h"
#include "libwgc/transport.h"
#include "libwgc/tun.h"
#include "libwgc/watch.h"

/* Drops the engine counts itself; the core counts its own (wg_device_stats). */
struct wgl_transport_change;

struct wgl_engine_stats {
	uint64_t rx_handshake_overflow; /* admitted, but no room in a handshake queue */
	uint64_t tx_malformed;          /* from the TUN, a header that does not match its packet */
	uint64_t tx_send_errors;        /* queued datagrams no peer owns (cookie replies) not sent */
};

enum wgl_tunnel { WGL_TUNNEL_NONE, WGL_TUNNEL_TUN };

struct wgl_engine_options {
	enum wgl_tunnel tunnel;
	const char *ifname;              /* WGL_TUNNEL_TUN: create this interface ... */
	int tun_fd;                      /* ... unless this is an open TUN descriptor (>= 0) */
	unsigned mtu;                    /* WGL_TUNNEL_NONE */
	void (*packet)(void *ctx, const uint8_t *packet, size_t len); /* WGL_TUNNEL_NONE */
	void (*log)(void *ctx, enum wg_log_level level, const char *message);
	uint64_t (*clock)(void *ctx);    /* NULL: CLOCK_MONOTONIC and a timerfd */
	void *ctx;
};

enum { WGL_ENGINE_TUN_BUFFER = WG_PACKET_HEADROOM + WGL_TUN_PACKET_MAX + WG_PACKET_TAILROOM };

struct wgl_engine {
	/* Recursive, so that callbacks run under it may call the API. Held by each round of the
	 * loop and each API call; released while the loop waits. */
	pthread_mutex_t lock;
	struct wg_device device;
	bool has_device;
	struct wgl_engine_options options;
	enum wgl_tunnel tunnel;
	struct wgl_tun tun;                 /* fd -1 without a TUN */
	struct wgl_link link;               /* fd -1 without a TUN */
	struct wgl_transport *transports[WG_TRANSPORT_KINDS]; /* by kind; NULL: not open */
	/* Replaced by a configuration (or never used: a configuration refused after they were
	 * watched): closed by the loop's own thread between its batches, when no event it holds
	 * can name their watches any more. A list through wgl_transport.next_retired. */
	struct wgl_transport *retired;
	int epoll_fd;
	struct wgl_watch tun_watch, link_watch, timer_watch, dh_watch, wake_watch;
	uint64_t armed_deadline;            /* what the timerfd is set to, UINT64_MAX when disarmed */
	uint64_t now;                       /* the clock at the start of the current event */
	uint64_t wall_at_start, clock_at_start; /* a caller's clock moves the wall clock with it */
	/* One TUN read (or a TUN-less device's packet) with the core's head- and tailroom, where it
	 * is encrypted in place; the transports copy what they queue from it (a super-packet's
	 * segments are cut into the UDP transport's own queue instead). */
	uint8_t *tun_buffer;
	/* Decrypted packets queued by reference into the transports' receive buffers: written to
	 * the TUN at the flush after each event, before any receive buffer is reused. */
	struct wgl_coalescer *coalescer;
	struct wgl_packets packets;         /* WGL_TUNNEL_NONE: what the tunnel delivered */
	struct wgl_handshake_queue *handshakes; /* admitted, waiting for their Diffie-Hellman */
	struct wgl_dh_workers *dh_workers;  /* initiations go here, once they run */
	bool workers_tried;
	struct wgl_events events;           /* subscribers, and what happened this round */
	/* Obfuscation's prefixes, junk and signature packets are made here and queued (copied)
	 * at once (obfuscation.c); allocated with the first, WGL_OBFUSCATION_SCRATCH bytes. */
	uint8_t *obfuscation_scratch;
	/* Peers' transports (peertransport.c). */
	/* While the core applies a configuration: its transport choices (its endpoint moves are
	 * the configuration's, the peers it creates get their choices). NULL otherwise. */
	struct wgl_transport_change *configuring;
	uint64_t probe_deadline;            /* the next try of UDP for an auto peer; UINT64_MAX none */
	uint32_t udp_probe_interval;        /* seconds (WGL_FALLBACK_PROBE_INTERVAL unless set) */
	bool udp_probe_interval_set;
	/* The transports' own deadlines (a dial's timeout, a backoff, an unauthenticated
	 * connection's time): when to call their tick next; UINT64_MAX none. */
	uint64_t transport_deadline;
	struct wgl_engine_stats stats;
	/* The TUN's own addresses for echo probes (env.c), IPv4 then IPv6, read at most once a
	 * second whatever the number of peers probing. */
	struct {
		uint8_t addr[16];
		bool found;
		uint64_t read_at;
		bool read;
	} probe_sources[2];
	/* Run by each round before it waits: for an owner's deferred work (wgcd's UAPI). */
	void (*round_hook)(void *ctx);
	void *round_ctx;
	/* The engine's own thread, and why the loop stops. */
	pthread_t thread;
	bool has_thread;
	bool stopping;
	const char *stop_reason;
	bool tun_gone;                      /* its interface was removed: nothing more to do */
	bool in_round;                      /* a round runs: one may not start inside it */
};

/* Opens everything: when it returns 0 the TUN interface (if any) exists and a random UDP port
 * is bound. On failure everything made is undone and -errno returned. */
int wgl_engine_open(struct wgl_engine *engine, const struct wgl_engine_options *options);
/* Stops the thread if any, closes and wipes everything. */
void wgl_engine_close(struct wgl_engine *engine);

/* Applies a configuration whole or not at all: new sockets for a new port are bound and
 * watched before anything changes (-EADDRINUSE leaves the device as it was), then the core
 * applies it (-EINVAL, -ENOSPC change nothing). Under the lock. */
int wgl_engine_configure(struct wgl_engine *engine, const struct wg_config_device *config);
/* Everything a get reports. Under the lock. */
int wgl_engine_dump(struct wgl_engine *engine, struct wg_config_device *out);

/* The loop (loop.c). round: what is ready, without waiting, for the caller's own loop: -EBUSY
 * while the engine runs a thread of its own or a round is already on (a callback's), -ENODEV
 * once its TUN interface is gone. run: rounds until wgl_engine_stop, waiting in between; for
 * wgcd's main thread and the engine's own. Both take the lock themselves. */
int wgl_engine_round(struct wgl_engine *engine);
int wgl_engine_run(struct wgl_engine *engine);
void wgl_engine_stop(struct wgl_engine *engine, const char *reason);
/* Its TUN interface was removed: the loop stops for good. */
void wgl_engine_tun_gone(struct wgl_engine *engine);
/* The engine's own thread: start returns once it runs; join stops and waits for it. */
int wgl_engine_start(struct wgl_engine *engine);
int wgl_engine_join(struct wgl_engine *engine);
/* The next deadline of the core, the transports and the fallback, on the engine's clock:
 * next_deadline takes the lock, earliest_deadline expects it held. */
uint64_t wgl_engine_next_deadline(struct wgl_engine *engine);
uint64_t wgl_engine_earliest_deadline(struct wgl_engine *engine);
/* Runs what is due by engine->now: the core's timers, the transports', the probes. */
void wgl_engine_run_timers(struct wgl_engine *engine);
/* A transport has a deadline at `when` (it is called at its tick then, or earlier). */
void wgl_engine_transport_deadline(struct wgl_engine *engine, uint64_t when);

/* After anything done outside a round (an API call, under the lock): what it queued goes out,
 * its events are dispatched, the timer follows the core's next deadline. */
void wgl_engine_settle(struct wgl_engine *engine);
/* Sends what the last event queued for the network, writes what it queued for the tunnel. */
void wgl_engine_flush(struct wgl_engine *engine);
/* Reads the clock the core sees until the next tick. */
void wgl_engine_tick(struct wgl_engine *engine);
/* The engine's clock: the caller's, or CLOCK_MONOTONIC. */
uint64_t wgl_engine_clock(const struct wgl_engine *engine);

/* Closes the transports a configuration retired: between the loop thread's batches only. */
void wgl_engine_close_retired(struct wgl_engine *engine);

/* Registers a watch in the engine's epoll set (for transports and an owner's descriptors). */
int wgl_engine_watch(struct wgl_engine *engine, struct wgl_watch *watch, int fd, uint32_t events,
		     void (*ready)(struct wgl_watch *watch, uint32_t events));

/* WGL_TUNNEL_NONE: one IP packet from the program into the tunnel. Under the lock. */
int wgl_engine_send_packet(struct wgl_engine *engine, const uint8_t *packet, size_t len);

/* Logging through the caller's callback, never with key material. */
void wgl_log(const struct wgl_engine *engine, enum wg_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
