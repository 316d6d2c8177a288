/* Talking to a WireGuard daemon over its UAPI socket. */
#include "libwgc/control.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/parse.h"
#include "core/uapi.h"
#include "crypto/secret.h"
#include "libwgc/monitortext.h"
#include "libwgc/settext.h"
#include "libwgc/text.h"

enum { REPLY_MAX = 64 << 20 };

int wgl_control_socket_path(char *path, size_t size, const char *ifname)
{
	int n;

	if (!ifname || !*ifname || strchr(ifname, '/'))
		return -EINVAL;
	n = snprintf(path, size, "%s/%s.sock", WGL_CONTROL_DIR, ifname);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int wgl_control_marker_path(char *path, size_t size, const char *ifname)
{
	int n;

	if (!ifname || !*ifname || strchr(ifname, '/'))
		return -EINVAL;
	n = snprintf(path, size, "%s/%s.wgcd", WGL_CONTROL_DIR, ifname);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

bool wgl_control_marker_names(const char *path, ino_t ino)
{
	char text[32] = "";
	unsigned long long named;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return false;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return false;
	text[strcspn(text, "\n")] = '\0';
	return wg_parse_decimal(text, ULLONG_MAX, &named) && named == (unsigned long long)ino;
}

void wgl_control_list_free(char **names, size_t count)
{
	for (size_t i = 0; i < count; ++i)
		free(names[i]);
	free(names);
}

int wgl_control_connect(const char *ifname)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, ret;

	ret = wgl_control_socket_path(addr.sun_path, sizeof(addr.sun_path), ifname);
	if (ret)
		return ret;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* A unix socket connects at once or not at all (EAGAIN: its backlog is full). */
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		ret = errno == EAGAIN ? -ETIMEDOUT : -errno;
		close(fd);
		return ret;
	}
	return fd;
}

bool wgl_control_alive(const char *ifname)
{
	int fd = wgl_control_connect(ifname);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static uint64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Waits until fd is ready for `events` or the deadline passes (-ETIMEDOUT). */
static int wait_for(int fd, short events, uint64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	uint64_t now = monotonic_ms();
	int n;

	if (now >= deadline)
		return -ETIMEDOUT;
	n = poll(&p, 1, (int)(deadline - now));
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	return n == 0 ? -ETIMEDOUT : 0;
}

static int write_all(int fd, const char *buf, size_t len, uint64_t deadline)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		int ret;

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		ret = wait_for(fd, POLLOUT, deadline);
		if (ret)
			return ret;
	}
	return 0;
}

static bool reply_complete(const struct wgl_text *reply)
{
	return reply->len >= 2 && !strcmp(reply->buf + reply->len - 2, "\n\n");
}

/* Every reply ends with a blank line, and no reply has one before its end. */
static int read_reply(int fd, struct wgl_text *reply, uint64_t deadline)
{
	char buf[4096];
	int ret = 0;

	while (!ret && !reply_complete(reply)) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			ret = wait_for(fd, POLLIN, deadline);
		else if (n < 0)
			ret = -errno;
		else if (n == 0 || reply->len + (size_t)n > REPLY_MAX)
			ret = -EPROTO;
		else
			wgl_text_append_bytes(reply, buf, (size_t)n);
		if (!ret)
			ret = wgl_text_status(reply);
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

static void set_stage(enum wgl_control_stage *stage, enum wgl_control_stage value)
{
	if (stage)
		*stage = value;
}

/* One request and its whole reply, within WGL_CONTROL_TIMEOUT_MS in all; the reply stays in
 * *reply for the caller. */
static int request(const char *ifname, const char *req, size_t len, struct wgl_text *reply,
		   enum wgl_control_stage *stage)
{
	uint64_t deadline = monotonic_ms() + WGL_CONTROL_TIMEOUT_MS;
	int fd = wgl_control_connect(ifname), ret;

	set_stage(stage, WGL_CONTROL_CONNECT);
	if (fd < 0)
		return fd;
	set_stage(stage, WGL_CONTROL_EXCHANGE);
	ret = write_all(fd, req, len, deadline);
	if (!ret)
		ret = read_reply(fd, reply, deadline);
	close(fd);
	return ret;
}

int wgl_control_set_text(const char *ifname, const char *lines, size_t len, enum wgl_control_stage *stage)
{
	struct wgl_text req, reply;
	int ret;

	wgl_text_init(&req);
	wgl_text_init(&reply);
	wgl_text_append(&req, "set=1\n");
	wgl_text_append_bytes(&req, lines, len);
	wgl_text_append(&req, "\n");
	ret = wgl_text_status(&req);
	set_stage(stage, WGL_CONTROL_CONNECT);
	if (!ret)
		ret = request(ifname, req.buf, req.len, &reply, stage);
	if (!ret) {
		set_stage(stage, WGL_CONTROL_REPLY);
		ret = reply_errno(reply.buf, reply.len);
	}
	wgl_text_free(&req);
	wgl_text_free(&reply);
	return ret;
}

int wgl_control_set(const char *ifname, const struct wg_config_device *config, enum wgl_control_stage *stage)
{
	struct wgl_text text;
	int ret;

	wgl_text_init(&text);
	wgl_settext_format(&text, config);
	ret = wgl_text_status(&text);
	set_stage(stage, WGL_CONTROL_CONNECT);
	if (!ret)
		ret = wgl_control_set_text(ifname, text.buf ? text.buf : "", text.len, stage);
	wgl_text_free(&text);
	return ret;
}

int wgl_control_get(const char *ifname, struct wg_config_device *out, enum wgl_control_stage *stage)
{
	struct wgl_text reply;
	int ret;

	wg_config_init(out);
	wgl_text_init(&reply);
	ret = request(ifname, "get=1\n\n", 7, &reply, stage);
	if (!ret) {
		set_stage(stage, WGL_CONTROL_REPLY);
		ret = wgl_control_parse_get(reply.buf, reply.len, out);
	}
	wgl_text_free(&reply);
	return ret;
}

/*
 * Whether the daemon on the socket is a wgcd, which knows wgc's "monitor" operation: it leaves
 * IFNAME.wgcd beside its socket with the socket's inode in it. Any other daemon (wireguard-go)
 * is not asked, because it would log each request as an invalid operation.
 */
static bool may_monitor(const char *ifname)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 8];
	struct stat st;

	if (wgl_control_socket_path(path, sizeof(path), ifname) || stat(path, &st))
		return true; /* the request reports what is wrong */
	return !wgl_control_marker_path(path, sizeof(path), ifname) && wgl_control_marker_names(path, st.st_ino);
}

int wgl_control_monitor(const char *ifname, struct wg_monitor_report *out, bool history,
			enum wgl_control_stage *stage)
{
	struct wgl_text reply;
	int ret;

	wg_monitor_report_init(out);
	if (!may_monitor(ifname))
		return -EOPNOTSUPP;
	wgl_text_init(&reply);
	ret = history ? request(ifname, "monitor=1\nhistory=1\n\n", 21, &reply, stage)
		      : request(ifname, "monitor=1\n\n", 11, &reply, stage);
	/* A daemon without the operation ends the conversation unanswered: it has no monitoring.
	 * (A reply cut short or too long stays a protocol error.) */
	if ((ret == -EPROTO && !reply.len) || ret == -ECONNRESET || ret == -EPIPE)
		ret = -EOPNOTSUPP;
	if (!ret) {
		set_stage(stage, WGL_CONTROL_REPLY);
		ret = wgl_monitortext_parse(reply.buf, reply.len, out);
	}
	wgl_text_free(&reply);
	return ret;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_name(char ***names, size_t *count, const char *file, size_t len)
{
	char **grown = realloc(*names, (*count + 1) * sizeof(**names));

	if (!grown)
		return -ENOMEM;
	*names = grown;
	grown[*count] = strndup(file, len);
	if (!grown[*count])
		return -ENOMEM;
	++*count;
	return 0;
}

int wgl_control_list(char ***names, size_t *count, bool alive)
{
	DIR *dir = opendir(WGL_CONTROL_DIR);
	struct dirent *entry;
	int ret = 0;

	*names = NULL;
	*count = 0;
	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while (!ret && (entry = readdir(dir))) {
		size_t n = strlen(entry->d_name);
		char name[256];

		if (n <= 5 || n - 5 >= sizeof(name) || strcmp(entry->d_name + n - 5, ".sock"))
			continue;
		memcpy(name, entry->d_name, n - 5);
		name[n - 5] = '\0';
		if (!alive || wgl_control_alive(name))
			ret = add_name(names, count, name, n - 5);
	}
	closedir(dir);
	if (*count)
		qsort(*names, *count, sizeof(**names), compare_names);
	return ret;
}

static bool is_settable_key(const char *line)
{
	static const char *const keys[] = {
		"private_key=", "listen_port=", "fwmark=", "public_key=", "preshared_key=",
		"persistent_keepalive_interval=", "allowed_ip=", "protocol_version=",
		"tcp_listen_port=", "udp_probe_interval=", "transport=", "tcp_endpoint=",
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

/* wgc's extension: which transport a peer is on, and why. Unknown words are a newer daemon's. */
static int transport_state_key(struct wg_uapi_parser *parser, const char *line)
{
	struct wg_config_peer *peer = parser->peer;
	bool active = !strncmp(line, "transport_active=", 17);

	if (!active && strncmp(line, "transport_reason=", 17))
		return 1;
	if (!peer)
		return -EINVAL;
	peer->flags |= WG_PEER_HAS_TRANSPORT_STATE;
	if (active)
		peer->transport_active = !strcmp(line + 17, "tcp") ? WG_TRANSPORT_TCP : WG_TRANSPORT_UDP;
	for (int r = 0; !active && r <= WG_TRANSPORT_PEER_CHOSE; ++r)
		if (!strcmp(line + 17, wg_uapi_transport_reason_name((enum wg_transport_reason)r)))
			peer->transport_reason = (enum wg_transport_reason)r;
	return 0;
}

/* AmneziaWG's parameters as a daemon reports them; one we cannot read (a newer daemon's tag, a
 * value past our limits) is left out, not fatal. False: not one of them. */
static bool obfuscation_line(struct wg_uapi_parser *parser, const char *line)
{
	const char *equals = strchr(line, '=');
	char key[8], message[160];
	int which;

	if (!equals || (size_t)(equals - line) >= sizeof(key))
		return false;
	memcpy(key, line, (size_t)(equals - line));
	key[equals - line] = '\0';
	which = wg_obfuscation_uapi_key(key);
	if (which < 0)
		return false;
	(void)wg_obfuscation_parse(&parser->config->obfuscation, (enum wg_obfuscation_key)which, equals + 1, message,
				   sizeof(message));
	return true;
}

static int get_line(struct wg_uapi_parser *parser, const char *line)
{
	struct wg_endpoint endpoint;
	int ret = get_only_key(parser, line);

	if (ret <= 0)
		return ret;
	ret = transport_state_key(parser, line);
	if (ret <= 0)
		return ret;
	if (!strncmp(line, "udp_endpoint=", 13)) {
		if (!parser->peer)
			return -EINVAL;
		if (!wg_endpoint_parse(&parser->peer->udp_endpoint, line + 13))
			parser->peer->flags |= WG_PEER_HAS_UDP_ENDPOINT;
		return 0;
	}
	/* Endpoints the core cannot parse (a transport of a newer daemon) are left out, not fatal. */
	if (!strncmp(line, "endpoint=", 9)) {
		if (!parser->peer)
			return -EINVAL;
		if (!wg_endpoint_parse(&endpoint, line + 9))
			return wg_uapi_parse_line(parser, line);
		return 0;
	}
	if (obfuscation_line(parser, line))
		return 0;
	return is_settable_key(line) ? wg_uapi_parse_line(parser, line) : 0;
}

int wgl_control_parse_get(const char *text, size_t len, struct wg_config_device *out)
{
	struct wg_uapi_parser parser;
	char line[WG_UAPI_LINE_MAX + 1];
	int ret = 0;

	wg_config_init(out);
	wg_uapi_parser_init(&parser, out);
	while (len && !ret) {
		const char *end = memchr(text, '\n', len);
		size_t n = end ? (size_t)(end - text) : len;

		/* A signature longer than ours may be (another daemon's) is left out like one we cannot read. */
		bool skipped = n > WG_UAPI_LINE_MAX && text[0] == 'i' && text[1] >= '1' && text[1] <= '5' && text[2] == '=';

		if (!skipped && (n > WG_UAPI_LINE_MAX || memchr(text, '\0', n)))
			ret = -EINVAL;
		else if (!skipped && n) {
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
