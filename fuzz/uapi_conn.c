/*
 * The daemon's UAPI connection framing: arbitrary bytes, delivered in arbitrary pieces, over a
 * real socketpair. Nothing may crash or leak, and the replies must end in a well-formed
 * "errno=N" block.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wgcd/uapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int get(void *ctx, struct wg_config_device *out)
{
	(void)ctx;
	out->listen_port = 1;
	return 0;
}

static int set(void *ctx, const struct wg_config_device *config)
{
	(void)ctx;
	(void)config;
	return 0;
}

/* A report with a peer and, when asked, its history: the monitor operation's framing too. */
static int monitor(void *ctx, bool history, struct wg_monitor_report *out)
{
	struct wg_monitor_peer_report *peer;

	(void)ctx;
	if (wg_monitor_report_add_counter(out, "rx_malformed", 1) || !(peer = wg_monitor_report_add_peer(out)))
		return -ENOMEM;
	peer->state = WG_STATE_CONNECTED;
	if (history) {
		peer->transitions = calloc(WG_MONITOR_HISTORY, sizeof(*peer->transitions));
		if (!peer->transitions)
			return -ENOMEM;
		peer->transition_count = 1;
		strcpy(peer->transitions[0].reason, "initiation sent");
	}
	return 0;
}

static void deleted(void *ctx)
{
	(void)ctx;
}

static const struct wgcd_uapi_ops ops = { .get = get, .set = set, .monitor = monitor, .deleted = deleted };

static void pump(struct wgcd_uapi *uapi)
{
	struct epoll_event ev[4];
	int n;

	while ((n = epoll_wait(uapi->epoll_fd, ev, 4, 0)) > 0) {
		for (int i = 0; i < n; ++i) {
			struct wgl_watch *w = ev[i].data.ptr;

			w->ready(w, ev[i].events);
		}
		wgcd_uapi_collect(uapi);
	}
}

/* Replies are "key=value" lines (a get) ending in "errno=N\n\n". */
static void check_replies(const char *text, size_t len)
{
	if (len && (len < 2 || text[len - 1] != '\n' || text[len - 2] != '\n'))
		abort();
	if (len && !strstr(text, "errno="))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wgcd_log log = { WGCD_LOG_SILENT, "fuzz" };
	struct wgcd_uapi uapi = { .epoll_fd = epoll_create1(EPOLL_CLOEXEC), .ops = &ops, .log = &log };
	static char replies[1 << 20];
	size_t got = 0, piece = size ? (size_t)data[0] % 64 + 1 : 1;
	int fds[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds) || wgcd_uapi_conn_accept(&uapi, fds[0]))
		abort();
	for (size_t off = size ? 1 : 0; off < size && uapi.num_conns; off += piece) {
		size_t n = size - off < piece ? size - off : piece;
		ssize_t r;

		if (write(fds[1], data + off, n) != (ssize_t)n)
			break;
		pump(&uapi);
		while ((r = read(fds[1], replies + got, sizeof(replies) - 1 - got)) > 0)
			got += (size_t)r;
	}
	replies[got] = '\0';
	check_replies(replies, got);
	wgcd_uapi_conn_close_all(&uapi);
	close(fds[1]);
	close(uapi.epoll_fd);
	return 0;
}
