/* Talking to a WireGuard daemon over its UAPI socket. */
#include "wgc/uapi_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/uapi.h"
#include "crypto/secret.h"
#include "wgc/text.h"

/* A daemon that stops answering must not hang the tool forever. */
enum { REPLY_TIMEOUT_SECONDS = 10, REPLY_MAX = 64 << 20 };

int wgc_uapi_socket_path(char *path, size_t size, const char *ifname)
{
	int n = snprintf(path, size, "%s/%s.sock", WGC_UAPI_DIR, ifname);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int wgc_uapi_connect(const char *ifname)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval timeout = { .tv_sec = REPLY_TIMEOUT_SECONDS };
	int fd, ret;

	ret = wgc_uapi_socket_path(addr.sun_path, sizeof(addr.sun_path), ifname);
	if (ret)
		return ret;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
	return fd;
}

bool wgc_uapi_alive(const char *ifname)
{
	int fd = wgc_uapi_connect(ifname);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Every reply ends with a blank line, and no reply has one before its end. */
static int read_reply(int fd, struct wgc_text *reply)
{
	char buf[4096];
	int ret = 0;

	while (!ret && (reply->len < 2 || strcmp(reply->buf + reply->len - 2, "\n\n"))) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			ret = errno == EAGAIN ? -ETIMEDOUT : -errno;
		else if (n == 0 || reply->len + (size_t)n > REPLY_MAX)
			ret = -EPROTO;
		else
			wgc_text_append_bytes(reply, buf, (size_t)n);
		if (!ret)
			ret = wgc_text_status(reply);
	}
	/* The reply to a get carries the private key. */
	wg_secret_wipe(buf, sizeof(buf));
	return ret;
}

/* The "errno=-N" of the last line; a reply without one is a protocol error, as `wg` treats it.
 * Daemons send minus the errno (wireguard-go, wgcd); a positive number is read as the same error. */
static int reply_errno(const char *text, size_t len)
{
	const char *last = text + len;
	char *end;
	long n;

	while (last > text && last[-1] == '\n')
		--last;
	while (last > text && last[-1] != '\n')
		--last;
	if (strncmp(last, "errno=", 6) || !(last[6] == '-' || (last[6] >= '0' && last[6] <= '9')))
		return -EPROTO;
	n = strtol(last + 6, &end, 10);
	if (n > 4095 || n < -4095 || (*end && *end != '\n'))
		return -EPROTO;
	return n > 0 ? (int)-n : (int)n;
}

/* One request and its whole reply; the reply stays in *reply for the caller. */
static int request(const char *ifname, const char *req, size_t len, struct wgc_text *reply, struct wgc_err *err)
{
	int fd = wgc_uapi_connect(ifname), ret;

	if (fd < 0)
		return wgc_err_set(err, fd, "%s: cannot reach its daemon at %s/%s.sock: %s", ifname, WGC_UAPI_DIR,
				   ifname, strerror(-fd));
	ret = write_all(fd, req, len);
	if (!ret)
		ret = read_reply(fd, reply);
	close(fd);
	if (ret)
		return wgc_err_set(err, ret, "%s: UAPI request failed: %s", ifname, strerror(-ret));
	return 0;
}

int wgc_uapi_set(const char *ifname, const char *lines, size_t len, struct wgc_err *err)
{
	struct wgc_text req, reply;
	int ret;

	wgc_text_init(&req);
	wgc_text_init(&reply);
	wgc_text_append(&req, "set=1\n");
	wgc_text_append_bytes(&req, lines, len);
	wgc_text_append(&req, "\n");
	ret = wgc_text_status(&req);
	if (ret)
		wgc_err_set(err, ret, "%s: out of memory", ifname);
	else
		ret = request(ifname, req.buf, req.len, &reply, err);
	if (!ret) {
		ret = reply_errno(reply.buf, reply.len);
		if (ret)
			wgc_err_set(err, ret, "%s: the daemon refused the configuration: %s", ifname, strerror(-ret));
	}
	wgc_text_free(&req);
	wgc_text_free(&reply);
	return ret;
}

int wgc_uapi_get(const char *ifname, struct wg_config_device *out, struct wgc_err *err)
{
	struct wgc_text reply;
	int ret;

	wg_config_init(out);
	wgc_text_init(&reply);
	ret = request(ifname, "get=1\n\n", 7, &reply, err);
	if (!ret) {
		ret = wgc_uapi_parse_get(reply.buf, reply.len, out);
		if (ret)
			wgc_err_set(err, ret, "%s: unusable reply to get: %s", ifname, strerror(-ret));
	}
	wgc_text_free(&reply);
	return ret;
}

static bool is_settable_key(const char *line)
{
	static const char *const keys[] = {
		"private_key=", "listen_port=", "fwmark=", "public_key=", "preshared_key=",
		"persistent_keepalive_interval=", "allowed_ip=", "protocol_version=",
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); ++i)
		if (!strncmp(line, keys[i], strlen(keys[i])))
			return true;
	return false;
}

/* The keys only a get reports go straight into the current peer; the core parser refuses them. */
static int get_only_key(struct wg_uapi_parser *parser, const char *line)
{
	static const char *const keys[] = {
		"last_handshake_time_sec=", "last_handshake_time_nsec=", "rx_bytes=", "tx_bytes=",
	};
	struct wg_config_peer *peer = parser->peer;
	uint64_t *fields[4];
	char *end;

	for (size_t i = 0; i < 4; ++i) {
		size_t n = strlen(keys[i]);

		if (strncmp(line, keys[i], n))
			continue;
		if (!peer)
			return -EINVAL;
		fields[0] = &peer->last_handshake_time_sec;
		fields[1] = &peer->last_handshake_time_nsec;
		fields[2] = &peer->rx_bytes;
		fields[3] = &peer->tx_bytes;
		errno = 0;
		*fields[i] = strtoull(line + n, &end, 10);
		return errno || end == line + n || *end || line[n] == '-' ? -EINVAL : 0;
	}
	return 1;
}

static int get_line(struct wg_uapi_parser *parser, const char *line)
{
	struct wg_endpoint endpoint;
	int ret = get_only_key(parser, line);

	if (ret <= 0)
		return ret;
	/* Endpoints the core cannot parse (a transport of a newer daemon) are left out, not fatal. */
	if (!strncmp(line, "endpoint=", 9)) {
		if (!parser->peer)
			return -EINVAL;
		if (!wg_endpoint_parse(&endpoint, line + 9))
			return wg_uapi_parse_line(parser, line);
		return 0;
	}
	return is_settable_key(line) ? wg_uapi_parse_line(parser, line) : 0;
}

int wgc_uapi_parse_get(const char *text, size_t len, struct wg_config_device *out)
{
	struct wg_uapi_parser parser;
	char line[WG_UAPI_LINE_MAX + 1];
	int ret = 0;

	wg_uapi_parser_init(&parser, out);
	while (len && !ret) {
		const char *end = memchr(text, '\n', len);
		size_t n = end ? (size_t)(end - text) : len;

		if (n > WG_UAPI_LINE_MAX || memchr(text, '\0', n))
			ret = -EINVAL;
		else if (n) {
			memcpy(line, text, n);
			line[n] = '\0';
			ret = !strncmp(line, "errno=", 6) ? reply_errno(line, n) : get_line(&parser, line);
		}
		text += n + (end != NULL);
		len -= n + (end != NULL);
	}
	wg_secret_wipe(line, sizeof(line));
	return ret;
}
