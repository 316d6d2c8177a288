/*
 * One UAPI connection: requests framed as lines, each closed by a blank line. wireguard-go
 * serves requests one after another on a connection; so do we. Replies are queued and written
 * as the client reads them, and the connection reads nothing more until its reply has left, so
 * one slow client holds only its own buffer. Deadlines (uapi.h) close a client that stalls.
 */
#include "wgcd/uapi.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "core/uapi.h"
#include "crypto/secret.h"
#include "libwgc/monitortext.h"

enum request { REQUEST_NONE, REQUEST_GET, REQUEST_SET, REQUEST_MONITOR };

/* Bytes that arrived behind a complete request wait until its reply has gone. They may be a
 * set's key text: wiped once taken. */
struct leftover {
	char data[4096];
	size_t len;
};

struct wgcd_uapi_conn {
	struct wgl_watch watch;
	struct wgcd_uapi *uapi;
	enum request request;
	int error;                          /* the request's first error, -errno */
	bool monitor_history;               /* a monitor request asked for the transitions */
	struct wg_config_device config;     /* a set being parsed */
	struct wg_uapi_parser parser;
	/* The line being read: in short_line, or (once one is longer, only signatures are) a heap
	 * buffer of WG_UAPI_LINE_MAX + 1 kept for the connection. Either may hold a key's text:
	 * wiped once parsed. A thousand clients cost a thousand short lines, not 8 KiB each. */
	char *line;
	size_t line_cap;
	char short_line[256];
	size_t line_len;
	bool line_overlong;
	char *reply;                        /* may hold the private key: wiped when sent */
	size_t reply_len, reply_sent;
	struct leftover rest;
	uint64_t deadline;                  /* closed once the clock passes it */
	uint64_t request_start;             /* the request's time runs from here: accept, last reply */
	size_t request_bytes;               /* read since then: each MiB buys a second */
	uint64_t last_active;               /* last byte in or out: the idle longest is evicted */
	struct wgcd_uapi_conn *next;
};

static uint64_t seconds(unsigned s)
{
	return (uint64_t)s * 1000000000u;
}

/* A request is due REQUEST_SECONDS after it started, later the more it has sent (each whole
 * MiB a second), but never more than REQUEST_SECONDS_MAX after: a client streaming an endless
 * line at speed is cut off too. */
static void request_deadline(struct wgcd_uapi_conn *conn)
{
	uint64_t earned = conn->request_bytes / WGCD_UAPI_BYTES_PER_SECOND;

	if (earned > WGCD_UAPI_REQUEST_SECONDS_MAX - WGCD_UAPI_REQUEST_SECONDS)
		earned = WGCD_UAPI_REQUEST_SECONDS_MAX - WGCD_UAPI_REQUEST_SECONDS;
	conn->deadline = conn->request_start + seconds(WGCD_UAPI_REQUEST_SECONDS) + earned * seconds(1);
}

static void start_request_clock(struct wgcd_uapi_conn *conn, uint64_t now)
{
	conn->request_start = conn->last_active = now;
	conn->request_bytes = 0;
	request_deadline(conn);
}

/* Does nothing: the event of a connection already closed, in the loop's current batch. */
static void ignore(struct wgl_watch *watch, uint32_t events)
{
	(void)watch;
	(void)events;
}

/* Out of the list and the epoll set at once; freed later (wgcd_uapi_collect), because the
 * loop's batch of events may still name it. */
static void conn_close(struct wgcd_uapi_conn *conn)
{
	struct wgcd_uapi *uapi = conn->uapi;

	for (struct wgcd_uapi_conn **p = &uapi->conns; *p; p = &(*p)->next) {
		if (*p == conn) {
			*p = conn->next;
			break;
		}
	}
	uapi->num_conns--;
	close(conn->watch.fd);
	conn->watch.ready = ignore;
	conn->next = uapi->closed;
	uapi->closed = conn;
}

static void conn_free(struct wgcd_uapi_conn *conn)
{
	if (conn->request == REQUEST_SET)
		wg_config_free(&conn->config);
	if (conn->reply) {
		wg_secret_wipe(conn->reply, conn->reply_len);
		free(conn->reply);
	}
	if (conn->line != conn->short_line) {
		wg_secret_wipe(conn->line, conn->line_cap);
		free(conn->line);
	}
	/* The line, the leftover bytes and the parser's state all may have held key text. */
	wg_secret_wipe(conn, sizeof(*conn));
	free(conn);
}

void wgcd_uapi_collect(struct wgcd_uapi *uapi)
{
	while (uapi->closed) {
		struct wgcd_uapi_conn *conn = uapi->closed;

		uapi->closed = conn->next;
		conn_free(conn);
	}
}

static int queue_reply(struct wgcd_uapi_conn *conn, const char *body, size_t body_len, int error)
{
	char status[32];
	int status_len = snprintf(status, sizeof(status), "errno=%d\n\n", error);

	conn->reply = malloc(body_len + (size_t)status_len);
	if (!conn->reply)
		return -ENOMEM;
	memcpy(conn->reply, body, body_len);
	memcpy(conn->reply + body_len, status, (size_t)status_len);
	conn->reply_len = body_len + (size_t)status_len;
	conn->reply_sent = 0;
	conn->deadline = wgcd_uapi_now(conn->uapi) + seconds(WGCD_UAPI_REPLY_SECONDS);
	return wgl_watch_modify(conn->uapi->epoll_fd, &conn->watch, EPOLLOUT);
}

static int answer_get(struct wgcd_uapi_conn *conn)
{
	struct wg_config_device config;
	char *text = NULL;
	size_t len = 0;
	int ret = conn->error;

	wg_config_init(&config);
	if (!ret)
		ret = conn->uapi->ops->get(conn->uapi->ctx, &config);
	if (!ret) {
		text = wg_uapi_format(&config, &len);
		ret = text ? 0 : -ENOMEM;
	}
	ret = queue_reply(conn, text ? text : "", ret ? 0 : len, ret);
	if (text) {
		wg_secret_wipe(text, len);
		free(text);
	}
	wg_config_free(&config);
	return ret;
}

/* wgc's extension (libwgc/monitortext.h); it holds no key. */
static int answer_monitor(struct wgcd_uapi_conn *conn)
{
	struct wg_monitor_report report;
	struct wgl_text text;
	int ret = conn->error;

	wg_monitor_report_init(&report);
	wgl_text_init(&text);
	if (!ret)
		ret = conn->uapi->ops->monitor(conn->uapi->ctx, conn->monitor_history, &report);
	if (!ret) {
		wgl_monitortext_format(&text, &report);
		ret = wgl_text_status(&text);
	}
	ret = queue_reply(conn, text.buf ? text.buf : "", ret ? 0 : text.len, ret);
	wgl_text_free(&text);
	wg_monitor_report_free(&report);
	return ret;
}

static int answer_set(struct wgcd_uapi_conn *conn)
{
	int ret = conn->error ? conn->error : conn->parser.error;

	if (ret)
		wgcd_log_error(conn->uapi->log, "UAPI set rejected: %s",
			       conn->parser.message[0] ? conn->parser.message : strerror(-ret));
	else
		ret = conn->uapi->ops->set(conn->uapi->ctx, &conn->config);
	if (ret && !conn->parser.error && !conn->error)
		wgcd_log_error(conn->uapi->log, "UAPI set failed: %s", strerror(-ret));
	wg_config_free(&conn->config);
	return queue_reply(conn, "", 0, ret);
}

/* A line outside a request names the operation; anything else ends the conversation, as in
 * wireguard-go. Returns -EPROTO to close. */
static int begin_request(struct wgcd_uapi_conn *conn, const char *line)
{
	if (!strcmp(line, "get=1")) {
		conn->request = REQUEST_GET;
	} else if (!strcmp(line, "monitor=1")) {
		conn->request = REQUEST_MONITOR;
		conn->monitor_history = false;
	} else if (!strcmp(line, "set=1")) {
		conn->request = REQUEST_SET;
		wg_config_init(&conn->config);
		wg_uapi_parser_init(&conn->parser, &conn->config);
	} else {
		return -EPROTO;
	}
	conn->error = 0;
	return 0;
}

static int end_request(struct wgcd_uapi_conn *conn)
{
	enum request request = conn->request;

	conn->request = REQUEST_NONE;
	if (request == REQUEST_MONITOR)
		return answer_monitor(conn);
	return request == REQUEST_GET ? answer_get(conn) : answer_set(conn);
}

static int take_line(struct wgcd_uapi_conn *conn, const char *line, bool overlong)
{
	if (conn->request == REQUEST_NONE)
		return overlong ? -EPROTO : begin_request(conn, line);
	if (!*line && !overlong)
		return end_request(conn);
	if (conn->request == REQUEST_MONITOR && !overlong && !strcmp(line, "history=1") && !conn->monitor_history) {
		conn->monitor_history = true;
		return 0;
	}
	if (overlong || conn->request != REQUEST_SET) {
		/* A get takes no arguments, a monitor only history=1; an overlong line can only be
		 * garbage. */
		if (!conn->error)
			conn->error = -EINVAL;
		return 0;
	}
	wg_uapi_parse_line(&conn->parser, line);
	return 0;
}

/* Room for a line longer than the short buffer: the longest a line may be. */
static int grow_line(struct wgcd_uapi_conn *conn)
{
	char *longer = malloc(WG_UAPI_LINE_MAX + 1);

	if (!longer)
		return -ENOMEM;
	memcpy(longer, conn->line, conn->line_len);
	wg_secret_wipe(conn->short_line, sizeof(conn->short_line));
	conn->line = longer;
	conn->line_cap = WG_UAPI_LINE_MAX + 1;
	return 0;
}

/* Feeds bytes into lines; stops after a complete request so its reply goes out first. Returns
 * bytes consumed, or -errno to close. */
static ssize_t feed(struct wgcd_uapi_conn *conn, const char *data, size_t len)
{
	for (size_t i = 0; i < len; ++i) {
		int ret;

		if (data[i] != '\n') {
			if (conn->line_len + 1 == conn->line_cap && conn->line_cap <= WG_UAPI_LINE_MAX && grow_line(conn))
				return -ENOMEM;
			if (conn->line_len < WG_UAPI_LINE_MAX && data[i])
				conn->line[conn->line_len++] = data[i];
			else
				conn->line_overlong = true;
			continue;
		}
		conn->line[conn->line_len] = '\0';
		ret = take_line(conn, conn->line, conn->line_overlong);
		wg_secret_wipe(conn->line, conn->line_len);
		conn->line_len = 0;
		conn->line_overlong = false;
		if (ret < 0)
			return ret;
		if (conn->reply)
			return (ssize_t)i + 1;
	}
	return (ssize_t)len;
}

/* Feeds data, keeping what follows a complete request in conn->rest; data is wiped after, so
 * the caller's buffer keeps no key text. */
static int consume(struct wgcd_uapi_conn *conn, char *data, size_t len)
{
	ssize_t used = feed(conn, data, len);
	struct leftover *rest = &conn->rest;

	if (used >= 0) {
		memmove(rest->data, data + used, len - (size_t)used);
		rest->len = len - (size_t)used;
	}
	wg_secret_wipe(data, len);
	return used < 0 ? (int)used : 0;
}

static int read_requests(struct wgcd_uapi_conn *conn)
{
	char buf[sizeof(((struct leftover *)0)->data)];
	ssize_t n;
	int ret = 0;

	while (!conn->reply) {
		n = read(conn->watch.fd, buf, sizeof(buf));
		if (n <= 0) {
			ret = n == 0 ? -ECONNRESET : errno == EAGAIN ? 0 : -errno;
			break;
		}
		conn->request_bytes += (size_t)n;
		conn->last_active = wgcd_uapi_now(conn->uapi);
		request_deadline(conn);
		if (consume(conn, buf, (size_t)n) < 0) {
			ret = -EPROTO;
			break;
		}
	}
	return ret;
}

static int write_reply(struct wgcd_uapi_conn *conn)
{
	struct leftover *rest = &conn->rest;
	char pending[sizeof(rest->data)];
	size_t pending_len;
	ssize_t n;

	while (conn->reply_sent < conn->reply_len) {
		n = send(conn->watch.fd, conn->reply + conn->reply_sent, conn->reply_len - conn->reply_sent,
			 MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		conn->reply_sent += (size_t)n;
		/* The client reads: its time for the rest starts over. */
		conn->last_active = wgcd_uapi_now(conn->uapi);
		conn->deadline = conn->last_active + seconds(WGCD_UAPI_REPLY_SECONDS);
	}
	wg_secret_wipe(conn->reply, conn->reply_len);
	free(conn->reply);
	conn->reply = NULL;
	start_request_clock(conn, wgcd_uapi_now(conn->uapi));
	/* A large configuration's text, read or written, is garbage once answered: its pages go
	 * back to the kernel rather than stay as the daemon's high-water mark. */
	malloc_trim(0);
	pending_len = rest->len;
	memcpy(pending, rest->data, pending_len);
	wg_secret_wipe(rest->data, pending_len);
	rest->len = 0;
	if (consume(conn, pending, pending_len) < 0)
		return -EPROTO;
	if (conn->reply)
		return 0;
	return wgl_watch_modify(conn->uapi->epoll_fd, &conn->watch, EPOLLIN);
}

static void on_ready(struct wgl_watch *watch, uint32_t events)
{
	struct wgcd_uapi_conn *conn = (struct wgcd_uapi_conn *)watch;
	struct wgcd_uapi *uapi = conn->uapi;
	int ret = 0;

	if (conn->reply && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
		ret = write_reply(conn);
	else if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		ret = read_requests(conn);
	if (ret < 0)
		conn_close(conn);
	wgcd_uapi_rearm(uapi);
}

/* Makes room for a new connection: the one whose last byte in or out is oldest goes. */
static void evict_idlest(struct wgcd_uapi *uapi)
{
	struct wgcd_uapi_conn *idlest = uapi->conns;

	for (struct wgcd_uapi_conn *c = uapi->conns; c; c = c->next)
		if (c->last_active < idlest->last_active)
			idlest = c;
	if (idlest)
		conn_close(idlest);
}

int wgcd_uapi_conn_accept(struct wgcd_uapi *uapi, int fd)
{
	struct wgcd_uapi_conn *conn = calloc(1, sizeof(*conn));
	int ret;

	if (!conn)
		return -ENOMEM;
	conn->uapi = uapi;
	conn->line = conn->short_line;
	conn->line_cap = sizeof(conn->short_line);
	ret = wgl_watch_add(uapi->epoll_fd, &conn->watch, fd, EPOLLIN, on_ready);
	if (ret) {
		free(conn);
		return ret;
	}
	if (uapi->num_conns >= WGCD_UAPI_CONNECTIONS)
		evict_idlest(uapi);
	start_request_clock(conn, wgcd_uapi_now(uapi));
	conn->next = uapi->conns;
	uapi->conns = conn;
	uapi->num_conns++;
	return 0;
}

uint64_t wgcd_uapi_conn_expire(struct wgcd_uapi *uapi)
{
	uint64_t now = wgcd_uapi_now(uapi), next = UINT64_MAX;
	struct wgcd_uapi_conn *conn = uapi->conns, *following;

	for (; conn; conn = following) {
		following = conn->next;
		if (now >= conn->deadline) {
			wgcd_log(uapi->log, WG_LOG_INFO, "UAPI client closed: %s within %d seconds",
				 conn->reply ? "did not read its reply" : "no complete request",
				 conn->reply ? WGCD_UAPI_REPLY_SECONDS : WGCD_UAPI_REQUEST_SECONDS);
			conn_close(conn);
		} else if (conn->deadline < next) {
			next = conn->deadline;
		}
	}
	return next;
}

void wgcd_uapi_conn_close_all(struct wgcd_uapi *uapi)
{
	while (uapi->conns)
		conn_close(uapi->conns);
	wgcd_uapi_collect(uapi);
}
