/*
 * WireGuard over TCP behind the transport seam: each message framed as a 2-byte length and the
 * message (tcpframe.h, the framing of udp-over-tcp relays), a listener for peers that dial us,
 * and connections we dial to peers whose transport is TCP.
 *
 * An endpoint over TCP is the remote address and port of one connection. A connection we
 * accepted belongs to no peer until something on it authenticates: data the core accepted, or
 * the core sending a peer's message to it, which it does only to where an authenticated
 * handshake message came from. Until then it is held to a small buffer (frames of up to
 * RX_UNAUTHENTICATED bytes), a deadline, a byte allowance and limits per source address and
 * in all (struct wgl_tcp_limits), and nothing is written to it but cookie replies. A
 * connection we dial is opened, and after a failure reopened with exponential backoff and
 * jitter, when its peer has something to send; keepalives are WireGuard's own.
 *
 * Against TCP-over-TCP meltdown and bufferbloat, a connection's unsent bytes are bounded twice:
 * TCP_NOTSENT_LOWAT keeps the kernel's unsent part small, and our own queue drops a message
 * rather than grow past TX_QUEUE_MAX (the inner TCP's loss recovery does the rest).
 *
 * Connections end during the loop's batches but are freed between them (collect), since an
 * event still in the batch may name one; an ended one ignores its events.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/peer.h"
#include "crypto/secret.h"
#include "libwgc/engine.h"
#include "libwgc/tcp.h"
#include "libwgc/tcpframe.h"

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#define MS 1000000ull
#define SECOND 1000000000ull

enum {
	RX_AUTHENTICATED = 2 * (WGL_TCP_FRAME_HEADER + WGL_TCP_MESSAGE_MAX), /* two whole frames */
	/* a first frame of up to 8 KiB, handshakes and MTU-sized data */
	RX_UNAUTHENTICATED = WGL_TCP_FRAME_HEADER + WGL_TCP_UNAUTHENTICATED_FRAME_MAX,
	TX_QUEUE_MAX = 256 << 10,     /* our unsent bytes per connection; beyond, messages are dropped */
	NOTSENT_LOWAT = 128 << 10,    /* the kernel's unsent bytes per connection */
	FRAMES_PER_BATCH = 64,
	ACCEPTS_PER_EVENT = 64,
	BUCKETS = 1024,
	BACKOFF_MAX_MS = 30000,
	LISTEN_BACKLOG = 512,
	USER_TIMEOUT_MS = 20000,
	PAUSE_MS = 1000,              /* out of descriptors: how long the listener rests */
};

/* A connection nothing came on for this long is closed: a peer dials again when it has
 * something to send, and one of ours is dialled afresh; one of ours in backoff is forgotten.
 * Past 3 * REJECT_AFTER_TIME no session survives such silence anyway. */
static const uint64_t IDLE_TIME = 600 * SECOND;
/* A handshake unanswered on a connection of ours this old is the connection's fault. */
static const uint64_t REDIAL_AFTER = 5 * SECOND;

enum conn_state { CONN_CONNECTING, CONN_OPEN, CONN_BACKOFF };

struct tcp_conn {
	struct wgl_watch watch;
	struct tcp_transport *t;
	struct wg_endpoint remote;     /* transport TCP, no local source: the table's key */
	enum conn_state state;
	bool outgoing;                 /* we dialled it */
	bool authenticated;            /* always, for one we dialled */
	bool admitted;                 /* unauthenticated, but a handshake message on it passed
	                                * its macs, or had a valid mac1 and a cookie reply: evicted
	                                * after those that sent nothing of the kind */
	bool dead;                     /* ended: waits in the graveyard to be freed */
	bool dirty;                    /* on the list of those with frames to write */
	uint32_t watched_events;
	uint64_t since;                /* opened, or accepted */
	uint64_t last_rx;
	uint64_t retry_at;             /* CONN_BACKOFF: no dial before */
	/* Connecting: its timeout; unauthenticated: its lifetime; a peer's: when to look at its
	 * idleness; backoff: when to forget it. 0: none. */
	uint64_t deadline;
	uint64_t rx_total;             /* bytes received, against the unauthenticated allowance */
	unsigned failures;             /* dialled: attempts in a row that failed, for the backoff */
	/* Received bytes: complete frames are handed to the engine in place (and decrypted there),
	 * so the buffer is not read into again until the flush after the event; the incomplete
	 * frame at its end, rx_tail bytes from rx_tail_at, moves to the front at the next read. */
	uint8_t *rx;
	size_t rx_cap, rx_tail_at, rx_tail;
	/* Frames not yet written: tx[tx_off..tx_len), oldest first. A partial send leaves tx_off
	 * inside a frame; tx_frame (>= tx_off) is where the first whole unsent frame starts. */
	uint8_t *tx;
	size_t tx_off, tx_frame, tx_len, tx_cap;
	/* The peer whose messages it carries (the last to queue one), to take back what never left
	 * when it ends; cleared when the peer goes (tcp_forget). */
	struct wg_peer *peer;
	struct tcp_conn *next, *bucket_next, *dirty_next, *dead_next;
	struct tcp_conn *waiting_prev, *waiting_next; /* unauthenticated, oldest first */
};

struct tcp_listener {
	struct wgl_watch watch;        /* fd -1 when not listening */
	struct tcp_transport *t;
	int pending;                   /* a socket prepared for the next commit, or -1 */
};

struct tcp_transport {
	struct wgl_transport base;
	uint32_t fwmark;
	uint16_t port, pending_port;
	struct tcp_listener listener[2]; /* IPv4, IPv6 */
	struct tcp_conn *conns;          /* every live connection */
	struct tcp_conn *bucket[BUCKETS];/* the same, by remote address and port */
	struct tcp_conn *dirty;          /* with frames to write at the flush */
	struct tcp_conn *graveyard;      /* ended, to be freed between the loop's batches */
	struct tcp_conn *waiting, *waiting_last; /* the unauthenticated ones, oldest first */
	unsigned unauthenticated;        /* how many */
	uint64_t paused_until;           /* out of descriptors: accepting again then; 0 not paused */
	struct wgl_tcp_limits limits;
	struct wgl_tcp_stats stats;
};

const struct wgl_tcp_limits wgl_tcp_default_limits = {
	.unauthenticated = 256,
	.unauthenticated_per_source = 16,
	.unauthenticated_ms = 10000,
	.unauthenticated_bytes = 64 << 10,
	.connect_timeout_ms = 5000,
};

static struct tcp_transport *of(struct wgl_transport *t)
{
	return container_of(t, struct tcp_transport, base);
}

static uint64_t now_of(const struct tcp_transport *t)
{
	return t->base.engine->now;
}

/* One IPv4 address, or one IPv6 /64: a host gets a whole /64, so counting its addresses one
 * by one would give it as many "sources" as it likes. */
bool wgl_tcp_same_source(const struct wg_endpoint *a, const struct wg_endpoint *b)
{
	if (a->addr.sa.sa_family != b->addr.sa.sa_family)
		return false;
	if (a->addr.sa.sa_family == AF_INET)
		return a->addr.in.sin_addr.s_addr == b->addr.in.sin_addr.s_addr;
	return !memcmp(&a->addr.in6.sin6_addr, &b->addr.in6.sin6_addr, 8);
}

/* FNV-1a over the address and port, the fields wg_endpoint_same_remote compares. */
static unsigned bucket_of(const struct wg_endpoint *e)
{
	const uint8_t *p;
	size_t len;
	uint32_t h = 2166136261u;
	uint16_t port;

	if (e->addr.sa.sa_family == AF_INET) {
		p = (const uint8_t *)&e->addr.in.sin_addr;
		len = sizeof(e->addr.in.sin_addr);
		port = e->addr.in.sin_port;
	} else {
		p = (const uint8_t *)&e->addr.in6.sin6_addr;
		len = sizeof(e->addr.in6.sin6_addr);
		port = e->addr.in6.sin6_port;
	}
	for (size_t i = 0; i < len; ++i)
		h = (h ^ p[i]) * 16777619u;
	h = (h ^ (port & 0xff)) * 16777619u;
	h = (h ^ (port >> 8)) * 16777619u;
	return h % BUCKETS;
}

static struct tcp_conn *find(struct tcp_transport *t, const struct wg_endpoint *remote)
{
	for (struct tcp_conn *c = t->bucket[bucket_of(remote)]; c; c = c->bucket_next)
		if (wg_endpoint_same_remote(&c->remote, remote))
			return c;
	return NULL;
}

static void set_deadline(struct tcp_conn *c, uint64_t when)
{
	c->deadline = when;
	wgl_engine_transport_deadline(c->t->base.engine, when);
}

static void set_events(struct tcp_conn *c, uint32_t events)
{
	if (c->watch.fd >= 0 && events != c->watched_events &&
	    !wgl_watch_modify(c->t->base.engine->epoll_fd, &c->watch, events))
		c->watched_events = events;
}

static void close_socket(struct tcp_conn *c)
{
	if (c->watch.fd >= 0)
		close(c->watch.fd); /* out of the epoll set with it */
	c->watch.fd = -1;
	c->watched_events = 0;
}

static void unlink_from(struct tcp_conn **head, struct tcp_conn *c, size_t next_offset)
{
	for (struct tcp_conn **p = head; *p; p = (struct tcp_conn **)((char *)*p + next_offset))
		if (*p == c) {
			*p = *(struct tcp_conn **)((char *)c + next_offset);
			return;
		}
}

static void waiting_add(struct tcp_transport *t, struct tcp_conn *c)
{
	c->waiting_prev = t->waiting_last;
	c->waiting_next = NULL;
	if (t->waiting_last)
		t->waiting_last->waiting_next = c;
	else
		t->waiting = c;
	t->waiting_last = c;
	++t->unauthenticated;
}

static void waiting_remove(struct tcp_transport *t, struct tcp_conn *c)
{
	if (c->waiting_prev)
		c->waiting_prev->waiting_next = c->waiting_next;
	else
		t->waiting = c->waiting_next;
	if (c->waiting_next)
		c->waiting_next->waiting_prev = c->waiting_prev;
	else
		t->waiting_last = c->waiting_prev;
	c->waiting_prev = c->waiting_next = NULL;
	--t->unauthenticated;
}

static size_t frame_end(const struct tcp_conn *c, size_t at)
{
	return at + WGL_TCP_FRAME_HEADER + ((size_t)c->tx[at] << 8 | c->tx[at + 1]);
}

/* What it still held never left (a frame cut by a partial send did not either): its peer's
 * counters take it back. */
static void give_back_unsent(struct tcp_conn *c)
{
	unsigned frames = c->tx_off < c->tx_frame;
	size_t bytes = c->tx_off < c->tx_frame ? c->tx_frame - c->tx_off : 0;

	for (size_t at = c->tx_frame; at < c->tx_len; at = frame_end(c, at)) {
		++frames;
		bytes += frame_end(c, at) - at - WGL_TCP_FRAME_HEADER;
	}
	if (c->peer && frames)
		wg_peer_send_failed(c->peer, frames, bytes);
	c->tx_off = c->tx_frame = c->tx_len = 0;
}

/* Gone for good: out of the tables at once, freed at the next collect. */
static void conn_bury(struct tcp_conn *c)
{
	struct tcp_transport *t = c->t;

	close_socket(c);
	give_back_unsent(c);
	unlink_from(&t->bucket[bucket_of(&c->remote)], c, offsetof(struct tcp_conn, bucket_next));
	unlink_from(&t->conns, c, offsetof(struct tcp_conn, next));
	if (c->dirty)
		unlink_from(&t->dirty, c, offsetof(struct tcp_conn, dirty_next));
	if (!c->authenticated)
		waiting_remove(t, c);
	c->dead = true;
	c->dead_next = t->graveyard;
	t->graveyard = c;
}

/* Its buffers held ciphertext and framing only, but a queue of someone's traffic is nobody
 * else's business: wiped before they go. */
static void conn_free(struct tcp_conn *c)
{
	if (c->rx)
		wg_secret_wipe(c->rx, c->rx_cap);
	if (c->tx)
		wg_secret_wipe(c->tx, c->tx_cap);
	free(c->rx);
	free(c->tx);
	free(c);
}

static void tcp_collect(struct wgl_transport *base)
{
	struct tcp_transport *t = of(base);

	while (t->graveyard) {
		struct tcp_conn *c = t->graveyard;

		t->graveyard = c->dead_next;
		conn_free(c);
	}
}

/* Backoff before the next dial: 0.5 s doubling to 30 s, a fifth of it random either way. */
static uint64_t backoff(struct tcp_transport *t, unsigned failures)
{
	uint64_t ms = failures > 6 ? BACKOFF_MAX_MS : 500ull << failures, jitter;

	if (ms > BACKOFF_MAX_MS)
		ms = BACKOFF_MAX_MS;
	t->base.engine->device.env.random(NULL, &jitter, sizeof(jitter));
	return (ms * 4 / 5 + jitter % (ms * 2 / 5 + 1)) * MS;
}

/* A connection that ended. One we dialled waits, with its backoff, for its peer's next
 * message; one a peer dialled is forgotten (the peer dials again). What was queued on it is
 * lost, as datagrams would be: WireGuard and the inner protocols resend. */
static void conn_end(struct tcp_conn *c)
{
	if (!c->outgoing) {
		conn_bury(c);
		return;
	}
	close_socket(c);
	c->state = CONN_BACKOFF;
	c->retry_at = now_of(c->t) + backoff(c->t, c->failures++);
	set_deadline(c, c->retry_at + IDLE_TIME);
	give_back_unsent(c);
	c->rx_tail = c->rx_tail_at = 0;
}

static struct tcp_conn *conn_new(struct tcp_transport *t, const struct wg_endpoint *remote, bool outgoing)
{
	struct tcp_conn *c = calloc(1, sizeof(*c));
	unsigned b;

	if (!c)
		return NULL;
	c->t = t;
	c->watch.fd = -1;
	c->remote = *remote;
	c->remote.transport = WG_TRANSPORT_TCP;
	wg_endpoint_clear_src(&c->remote);
	c->outgoing = outgoing;
	c->authenticated = outgoing;
	c->state = outgoing ? CONN_BACKOFF : CONN_OPEN; /* one of ours is dialled at once (retry_at 0) */
	c->since = c->last_rx = now_of(t);
	c->next = t->conns;
	t->conns = c;
	b = bucket_of(&c->remote);
	c->bucket_next = t->bucket[b];
	t->bucket[b] = c;
	if (!c->authenticated)
		waiting_add(t, c);
	return c;
}

static bool grow(uint8_t **buf, size_t *cap, size_t want)
{
	uint8_t *grown;

	if (want <= *cap)
		return true;
	grown = realloc(*buf, want);
	if (!grown)
		return false;
	*buf = grown;
	*cap = want;
	return true;
}

/* Something on it authenticated: it is a peer's now, may carry whole frames, and lives as
 * long as it is used. */
static void authenticate(struct tcp_conn *c)
{
	/* An ended one stays ended (it left the waiting list when it was buried). */
	if (c->authenticated || c->dead)
		return;
	c->authenticated = true;
	waiting_remove(c->t, c);
	set_deadline(c, now_of(c->t) + IDLE_TIME);
}

/* ------------------------------------------------------------------------- receiving */

/* One read's complete frames, handed to the engine in batches; the tail kept. -errno to end. */
static int deliver_frames(struct tcp_conn *c, size_t len)
{
	struct wgl_frame frames[FRAMES_PER_BATCH];
	struct wgl_datagram batch[FRAMES_PER_BATCH];
	size_t used = 0, max;
	unsigned count;
	bool was_authenticated;
	ssize_t n;

	do {
		was_authenticated = c->authenticated;
		max = c->authenticated ? WGL_TCP_MESSAGE_MAX : RX_UNAUTHENTICATED - WGL_TCP_FRAME_HEADER;
		n = wgl_tcp_deframe(c->rx + used, len - used, max, frames, FRAMES_PER_BATCH, &count);
		for (unsigned i = 0; i < count; ++i)
			batch[i] = (struct wgl_datagram){ .data = c->rx + used + frames[i].offset, .len = frames[i].len,
							  .from = c->remote };
		if (count) {
			unsigned seen = wgl_ingress_batch(c->t->base.engine, batch, (int)count);

			c->admitted |= (seen & WGL_INGRESS_ADMITTED) != 0;
			if (seen & WGL_INGRESS_AUTHENTICATED)
				authenticate(c);
		}
		if (n < 0 && (was_authenticated || !c->authenticated)) {
			++c->t->stats.rx_bad_frames;
			return -EPROTO;
		}
		/* Refused only for the limit a frame before it lifted: look again from there. */
		if (n < 0)
			n = (ssize_t)(frames[count - 1].offset + frames[count - 1].len);
		used += (size_t)n;
	} while ((count == FRAMES_PER_BATCH || was_authenticated != c->authenticated) && !c->dead);
	c->rx_tail_at = used;
	c->rx_tail = len - used;
	return 0;
}

static int receive(struct tcp_conn *c)
{
	size_t want = c->authenticated ? RX_AUTHENTICATED : RX_UNAUTHENTICATED;
	ssize_t n;

	if (!grow(&c->rx, &c->rx_cap, want))
		return -ENOMEM;
	/* The last event's flush is done: the incomplete frame can move to the front. */
	memmove(c->rx, c->rx + c->rx_tail_at, c->rx_tail);
	c->rx_tail_at = 0;
	n = recv(c->watch.fd, c->rx + c->rx_tail, c->rx_cap - c->rx_tail, MSG_DONTWAIT);
	if (n == 0)
		return -ECONNRESET;
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	c->t->stats.rx_bytes += (uint64_t)n;
	c->rx_total += (uint64_t)n;
	c->last_rx = now_of(c->t);
	if (!c->authenticated && c->rx_total > c->t->limits.unauthenticated_bytes) {
		++c->t->stats.unauthenticated_expired;
		return -EMSGSIZE;
	}
	return deliver_frames(c, c->rx_tail + (size_t)n);
}

/* --------------------------------------------------------------------------- sending */

static void mark_dirty(struct tcp_conn *c)
{
	if (c->dirty)
		return;
	c->dirty = true;
	c->dirty_next = c->t->dirty;
	c->t->dirty = c;
}

/* As much as the socket takes, in one send of many frames. */
static int write_out(struct tcp_conn *c)
{
	ssize_t n;

	if (c->state != CONN_OPEN || c->tx_off == c->tx_len)
		return 0;
	n = send(c->watch.fd, c->tx + c->tx_off, c->tx_len - c->tx_off, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		return -errno;
	if (n > 0) {
		c->tx_off += (size_t)n;
		c->t->stats.tx_bytes += (uint64_t)n;
		while (c->tx_frame < c->tx_off)
			c->tx_frame = frame_end(c, c->tx_frame);
	}
	if (c->tx_off == c->tx_len)
		c->tx_off = c->tx_frame = c->tx_len = 0;
	set_events(c, c->tx_len ? EPOLLIN | EPOLLOUT : EPOLLIN);
	return 0;
}

static void on_conn(struct wgl_watch *watch, uint32_t events);

/* TCP_USER_TIMEOUT ends a connection whose data goes unacknowledged for USER_TIMEOUT_MS: one
 * that died without a FIN or reset (a NAT that forgot it, an address gone) is redialled then,
 * rather than fed for the kernel's quarter of an hour of retransmissions. */
static int tune(int fd, uint32_t fwmark)
{
	int on = 1, lowat = NOTSENT_LOWAT, user_timeout = USER_TIMEOUT_MS;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	setsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof(lowat));
	setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout, sizeof(user_timeout));
	if (fwmark && setsockopt(fd, SOL_SOCKET, SO_MARK, &fwmark, sizeof(fwmark)) < 0)
		return -errno;
	return 0;
}

/* A non-blocking connect; the connection opens when the socket polls writable. */
static int dial(struct tcp_conn *c)
{
	struct tcp_transport *t = c->t;
	int fd = socket(c->remote.addr.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	socklen_t len = c->remote.addr.sa.sa_family == AF_INET ? sizeof(c->remote.addr.in) : sizeof(c->remote.addr.in6);
	int ret;

	if (fd < 0)
		return -errno;
	ret = tune(fd, t->fwmark);
	if (!ret && connect(fd, &c->remote.addr.sa, len) < 0 && errno != EINPROGRESS)
		ret = -errno;
	if (!ret)
		ret = wgl_engine_watch(t->base.engine, &c->watch, fd, EPOLLOUT, on_conn);
	if (ret) {
		close(fd);
		c->watch.fd = -1;
		return ret;
	}
	c->watched_events = EPOLLOUT;
	c->state = CONN_CONNECTING;
	c->since = now_of(t);
	set_deadline(c, now_of(t) + (uint64_t)t->limits.connect_timeout_ms * MS);
	++t->stats.connects;
	return 0;
}

/* The connection a message for `to` goes on: the one to that endpoint, or, to a peer's own
 * TCP endpoint, one we dial (once its backoff has passed). */
static struct tcp_conn *conn_for(struct tcp_transport *t, struct wg_peer *peer, const struct wg_endpoint *to)
{
	struct tcp_conn *c = find(t, to);

	if (!c && peer && wgl_tcp_dialable(peer, to))
		c = conn_new(t, to, true);
	if (c && c->state == CONN_BACKOFF) {
		if (now_of(t) < c->retry_at)
			return NULL;
		if (dial(c)) {
			conn_end(c);
			return NULL;
		}
	}
	return c;
}

static int tcp_queue(struct wgl_transport *base, struct wg_peer *peer, const struct wg_endpoint *to,
		     const uint8_t *prefix, size_t prefix_len, const uint8_t *msg, size_t len)
{
	struct tcp_transport *t = of(base);
	struct tcp_conn *c = conn_for(t, peer, to);
	size_t want, body = prefix_len + len;

	/* Nothing goes to an unauthenticated connection but a cookie reply (peer NULL); the core
	 * sends a peer's message only where an authenticated one came from. */
	if (c && peer) {
		authenticate(c);
		c->peer = peer;
	} else if (c) {
		c->admitted = true; /* a cookie reply goes to it: its mac1 was valid */
	}
	/* What was written moves out of the way before the buffer would grow: it stays within
	 * TX_QUEUE_MAX and a frame. */
	if (c && c->tx_off && c->tx_len + WGL_TCP_FRAME_HEADER + body > c->tx_cap) {
		memmove(c->tx, c->tx + c->tx_off, c->tx_len - c->tx_off);
		c->tx_len -= c->tx_off;
		c->tx_frame -= c->tx_off;
		c->tx_off = 0;
	}
	want = c ? c->tx_len + WGL_TCP_FRAME_HEADER + body : 0;
	if (!c || !body || body > WGL_TCP_MESSAGE_MAX || want - c->tx_off > TX_QUEUE_MAX ||
	    !grow(&c->tx, &c->tx_cap, want)) {
		++t->stats.tx_dropped;
		return c ? -ENOBUFS : -ENOTCONN;
	}
	wgl_tcp_frame_header(c->tx + c->tx_len, body);
	if (prefix_len)
		memcpy(c->tx + c->tx_len + WGL_TCP_FRAME_HEADER, prefix, prefix_len);
	memcpy(c->tx + c->tx_len + WGL_TCP_FRAME_HEADER + prefix_len, msg, len);
	c->tx_len = want;
	mark_dirty(c);
	return 0;
}

static void tcp_flush(struct wgl_transport *base)
{
	struct tcp_transport *t = of(base);

	while (t->dirty) {
		struct tcp_conn *c = t->dirty;

		t->dirty = c->dirty_next;
		c->dirty = false;
		if (write_out(c))
			conn_end(c);
	}
}

/* --------------------------------------------------------------------- connection events */

static void connected(struct tcp_conn *c)
{
	int error = 0;
	socklen_t len = sizeof(error);

	union wg_sockaddr peer_addr;
	socklen_t peer_len = sizeof(peer_addr);

	if (getsockopt(c->watch.fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0 || error) {
		++c->t->stats.connect_failures;
		conn_end(c);
		return;
	}
	/* A stale event (an earlier socket's, with the same number) while the connect is still
	 * under way: wait for the real one. */
	if (getpeername(c->watch.fd, &peer_addr.sa, &peer_len) < 0)
		return;
	c->state = CONN_OPEN;
	c->failures = 0;
	c->last_rx = now_of(c->t);
	set_deadline(c, c->last_rx + IDLE_TIME);
	set_events(c, EPOLLIN | EPOLLOUT);
}

static void on_conn(struct wgl_watch *watch, uint32_t events)
{
	struct tcp_conn *c = container_of(watch, struct tcp_conn, watch);
	int ret = 0;

	if (c->dead || c->watch.fd < 0)
		return;
	if (c->state == CONN_CONNECTING) {
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			connected(c);
		return;
	}
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		ret = receive(c);
	/* Its frames may have ended it (a subscriber's configure, say). */
	if (!ret && !c->dead && (events & EPOLLOUT))
		ret = write_out(c);
	if (ret && !c->dead)
		conn_end(c);
}

/* ---------------------------------------------------------------------------- listening */

/* The unauthenticated connection to end for a new one (of one source, or of all): the oldest
 * that sent nothing with valid macs, else the oldest. *count: how many there are. */
static struct tcp_conn *victim_of(struct tcp_transport *t, const struct wg_endpoint *source, unsigned *count)
{
	struct tcp_conn *oldest = NULL, *oldest_silent = NULL;

	*count = 0;
	for (struct tcp_conn *c = t->waiting; c; c = c->waiting_next) {
		if (source && !wgl_tcp_same_source(&c->remote, source))
			continue;
		++*count;
		if (!oldest)
			oldest = c;
		if (!oldest_silent && !c->admitted)
			oldest_silent = c;
	}
	return oldest_silent ? oldest_silent : oldest;
}

/* A flood of connections makes room by ending older unauthenticated ones: a legitimate peer's
 * connection is the newest, and has its handshake's round trip to authenticate; one whose
 * handshake passed its macs (a cookie reply may be on its way to it) goes after the rest. */
static void make_room(struct tcp_transport *t, const struct wg_endpoint *source)
{
	struct tcp_conn *victim;
	unsigned count;

	victim = victim_of(t, source, &count);
	if (victim && count >= t->limits.unauthenticated_per_source) {
		++t->stats.evicted;
		conn_bury(victim);
	}
	if (t->unauthenticated >= t->limits.unauthenticated && (victim = victim_of(t, NULL, &count)) != NULL) {
		++t->stats.evicted;
		conn_bury(victim);
	}
}

static void accept_one(struct tcp_transport *t, int fd, const union wg_sockaddr *addr)
{
	struct wg_endpoint remote = { .addr = *addr, .transport = WG_TRANSPORT_TCP };
	struct tcp_conn *c;

	make_room(t, &remote);
	c = find(t, &remote);
	if (c)
		conn_bury(c); /* a stale one of the same address and port */
	c = conn_new(t, &remote, false);
	if (!c || tune(fd, t->fwmark) || wgl_engine_watch(t->base.engine, &c->watch, fd, EPOLLIN, on_conn)) {
		close(fd);
		if (c) {
			c->watch.fd = -1;
			conn_bury(c);
		}
		return;
	}
	c->watched_events = EPOLLIN;
	c->state = CONN_OPEN;
	set_deadline(c, now_of(t) + (uint64_t)t->limits.unauthenticated_ms * MS);
	++t->stats.accepted;
}

/* Out of descriptors: an unauthenticated connection gives its up, or, with none to spare (or
 * out of memory, which closing one would not give back), the listener rests for PAUSE_MS
 * (level-triggered, it would otherwise poll ready for ever). */
static bool make_descriptor(struct tcp_transport *t, bool may_evict)
{
	unsigned count;
	struct tcp_conn *victim = may_evict ? victim_of(t, NULL, &count) : NULL;

	if (victim) {
		++t->stats.evicted;
		conn_bury(victim);
		return true;
	}
	for (int i = 0; i < 2; ++i)
		if (t->listener[i].watch.fd >= 0)
			wgl_watch_remove(t->base.engine->epoll_fd, &t->listener[i].watch);
	t->paused_until = now_of(t) + PAUSE_MS * MS;
	wgl_engine_transport_deadline(t->base.engine, t->paused_until);
	wgl_log(t->base.engine, WG_LOG_ERROR, "TCP listener: out of %s, not accepting for %d ms",
		may_evict ? "file descriptors" : "memory", PAUSE_MS);
	return false;
}

static void resume_listening(struct tcp_transport *t)
{
	for (int i = 0; i < 2; ++i) {
		struct tcp_listener *l = &t->listener[i];

		if (l->watch.fd >= 0 && wgl_watch_add(t->base.engine->epoll_fd, &l->watch, l->watch.fd, EPOLLIN, l->watch.ready))
			wgl_log(t->base.engine, WG_LOG_ERROR, "TCP listener: cannot accept again: %s", strerror(errno));
	}
	t->paused_until = 0;
}

static void on_listener(struct wgl_watch *watch, uint32_t events)
{
	struct tcp_listener *l = container_of(watch, struct tcp_listener, watch);
	union wg_sockaddr addr;
	socklen_t len;
	int fd;

	(void)events;
	for (int i = 0; i < ACCEPTS_PER_EVENT && watch->fd >= 0 && !l->t->paused_until; ++i) {
		len = sizeof(addr);
		fd = accept4(watch->fd, &addr.sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
			if (make_descriptor(l->t, true))
				continue;
			return;
		}
		if (fd < 0 && (errno == ENOBUFS || errno == ENOMEM)) {
			make_descriptor(l->t, false); /* closing one would not give memory back */
			return;
		}
		if (fd < 0)
			return;
		if (addr.sa.sa_family != AF_INET && addr.sa.sa_family != AF_INET6) {
			close(fd);
			continue;
		}
		accept_one(l->t, fd, &addr);
	}
}

static int listen_family(int family, uint16_t port, uint32_t fwmark)
{
	union wg_sockaddr addr = { 0 };
	socklen_t len = family == AF_INET ? sizeof(addr.in) : sizeof(addr.in6);
	int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), on = 1, ret;

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (fwmark)
		setsockopt(fd, SOL_SOCKET, SO_MARK, &fwmark, sizeof(fwmark));
	addr.sa.sa_family = (sa_family_t)family;
	if (family == AF_INET)
		addr.in.sin_port = htons(port);
	else
		addr.in6.sin6_port = htons(port);
	if (bind(fd, &addr.sa, len) < 0 || listen(fd, LISTEN_BACKLOG) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

/* IPv4 and IPv6 both, as UDP is bound; a host without one of them listens on the other. */
int wgl_tcp_prepare_listen(struct wgl_transport *base, uint16_t port, uint32_t fwmark)
{
	struct tcp_transport *t = of(base);
	int fd4 = -1, fd6 = -1;

	wgl_tcp_cancel_listen(base);
	if (port) {
		fd4 = listen_family(AF_INET, port, fwmark);
		if (fd4 < 0 && fd4 != -EAFNOSUPPORT)
			return fd4;
		fd6 = listen_family(AF_INET6, port, fwmark);
		if (fd6 < 0 && (fd6 != -EAFNOSUPPORT || fd4 < 0)) {
			if (fd4 >= 0)
				close(fd4);
			return fd6;
		}
	}
	t->listener[0].pending = fd4 < 0 ? -1 : fd4;
	t->listener[1].pending = fd6 < 0 ? -1 : fd6;
	t->pending_port = port;
	return 0;
}

void wgl_tcp_cancel_listen(struct wgl_transport *base)
{
	struct tcp_transport *t = of(base);

	for (int i = 0; i < 2; ++i) {
		if (t->listener[i].pending >= 0)
			close(t->listener[i].pending);
		t->listener[i].pending = -1;
	}
}

/* The watch structures stay and take the new descriptors: an event still in the loop's batch
 * for an old one then finds the new listener with nothing to accept, or none. */
void wgl_tcp_commit_listen(struct wgl_transport *base)
{
	struct tcp_transport *t = of(base);

	for (int i = 0; i < 2; ++i) {
		struct tcp_listener *l = &t->listener[i];

		if (l->watch.fd >= 0)
			close(l->watch.fd);
		l->watch.fd = -1;
		if (l->pending >= 0 && wgl_engine_watch(t->base.engine, &l->watch, l->pending, EPOLLIN, on_listener)) {
			close(l->pending);
			l->watch.fd = -1;
		}
		l->pending = -1;
	}
	t->port = t->pending_port;
	t->paused_until = 0;
}

/* ----------------------------------------------------------------------- the seam */

static int tcp_open(struct wgl_engine *engine, uint16_t port, uint32_t fwmark, struct wgl_transport **out)
{
	struct tcp_transport *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->base = (struct wgl_transport){ .ops = &wgl_tcp_transport, .engine = engine };
	t->fwmark = fwmark;
	t->limits = wgl_tcp_default_limits;
	for (int i = 0; i < 2; ++i)
		t->listener[i] = (struct tcp_listener){ .watch.fd = -1, .t = t, .pending = -1 };
	*out = &t->base;
	if (!port)
		return 0;
	return wgl_tcp_prepare_listen(&t->base, port, fwmark);
}

/* The listener is watched when committed, connections when made. */
static int tcp_watch(struct wgl_transport *base)
{
	(void)base;
	return 0;
}

static void tcp_unwatch(struct wgl_transport *base)
{
	struct tcp_transport *t = of(base);

	for (int i = 0; i < 2; ++i)
		if (t->listener[i].watch.fd >= 0)
			wgl_watch_remove(t->base.engine->epoll_fd, &t->listener[i].watch);
	for (struct tcp_conn *c = t->conns; c; c = c->next)
		if (c->watch.fd >= 0)
			wgl_watch_remove(t->base.engine->epoll_fd, &c->watch);
}

static void tcp_close(struct wgl_transport *base)
{
	struct tcp_transport *t = of(base);

	tcp_flush(base);
	while (t->conns)
		conn_bury(t->conns);
	tcp_collect(base);
	wgl_tcp_cancel_listen(base);
	for (int i = 0; i < 2; ++i)
		if (t->listener[i].watch.fd >= 0)
			close(t->listener[i].watch.fd);
	free(t);
}

static int tcp_set_fwmark(struct wgl_transport *base, uint32_t fwmark)
{
	struct tcp_transport *t = of(base);

	for (int i = 0; i < 2; ++i) {
		int fd = t->listener[i].watch.fd;

		if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_MARK, &fwmark, sizeof(fwmark)) < 0)
			return -errno;
	}
	for (struct tcp_conn *c = t->conns; c; c = c->next)
		if (c->watch.fd >= 0)
			setsockopt(c->watch.fd, SOL_SOCKET, SO_MARK, &fwmark, sizeof(fwmark));
	t->fwmark = fwmark;
	return 0;
}

static uint16_t tcp_port(const struct wgl_transport *base)
{
	return container_of(base, const struct tcp_transport, base)->port;
}

/* One connection's deadline came: a dial that did not connect in time ends (and backs off),
 * an unauthenticated connection ends, a peer's that went quiet ends, a backoff long unused is
 * forgotten. A peer's still in use looks again later. */
static void expire(struct tcp_transport *t, struct tcp_conn *c, uint64_t now)
{
	if (c->state == CONN_BACKOFF) {
		conn_bury(c);
	} else if (c->state == CONN_CONNECTING) {
		++t->stats.connect_failures;
		conn_end(c);
	} else if (!c->authenticated) {
		++t->stats.unauthenticated_expired;
		conn_end(c);
	} else if (now - c->last_rx >= IDLE_TIME) {
		/* Quiet for long (or no peer's any more, its TCP endpoint moved): a dialled one is
		 * made afresh when next needed, without a backoff it did not earn. */
		conn_bury(c);
	} else {
		c->deadline = c->last_rx + IDLE_TIME;
	}
}

static uint64_t tcp_tick(struct wgl_transport *base, uint64_t now)
{
	struct tcp_transport *t = of(base);
	uint64_t next = UINT64_MAX;

	if (t->paused_until && now >= t->paused_until)
		resume_listening(t);
	if (t->paused_until)
		next = t->paused_until;
	for (struct tcp_conn *c = t->conns, *following; c; c = following) {
		following = c->next;
		if (c->deadline && now >= c->deadline)
			expire(t, c, now);
		if (!c->dead && c->deadline && c->deadline < next)
			next = c->deadline;
	}
	return next;
}

/* The peer goes: nothing of its may be named any more. */
static void tcp_forget(struct wgl_transport *base, struct wg_peer *peer)
{
	for (struct tcp_conn *c = of(base)->conns; c; c = c->next)
		if (c->peer == peer)
			c->peer = NULL;
}

void wgl_tcp_redial(struct wgl_transport *base, const struct wg_endpoint *to)
{
	struct tcp_transport *t = of(base);
	struct tcp_conn *c = find(t, to);

	if (c && c->outgoing && c->state == CONN_OPEN && now_of(t) - c->since >= REDIAL_AFTER) {
		close_socket(c);
		give_back_unsent(c);
		c->rx_tail = c->rx_tail_at = 0;
		c->state = CONN_BACKOFF;
		c->retry_at = now_of(t); /* at once: it was the connection, not the peer, that failed */
		set_deadline(c, c->retry_at + IDLE_TIME);
		++t->stats.redials;
	}
}

const struct wgl_transport_ops wgl_tcp_transport = {
	.kind = WG_TRANSPORT_TCP,
	.open = tcp_open,
	.watch = tcp_watch,
	.unwatch = tcp_unwatch,
	.close = tcp_close,
	.set_fwmark = tcp_set_fwmark,
	.port = tcp_port,
	.reserve = NULL,
	.queue = tcp_queue,
	.flush = tcp_flush,
	.tick = tcp_tick,
	.collect = tcp_collect,
	.forget = tcp_forget,
};

void wgl_tcp_stats(const struct wgl_transport *base, struct wgl_tcp_stats *out)
{
	const struct tcp_transport *t = container_of(base, const struct tcp_transport, base);

	*out = t->stats;
	out->connections = 0;
	for (const struct tcp_conn *c = t->conns; c; c = c->next)
		out->connections += c->state != CONN_BACKOFF;
	out->unauthenticated = t->unauthenticated;
}

void wgl_tcp_set_limits(struct wgl_transport *base, const struct wgl_tcp_limits *limits)
{
	of(base)->limits = *limits;
}
