/*
 * The daemon's UAPI connections, driven over a socketpair through a real epoll set: framing,
 * replies, whole-or-nothing sets, and what happens to requests cut short or malformed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "wgcd/uapi.h"

#define KEY_B "58402e695ba1772b1cc9309755f043251ea77fdcf10fbe63989ceb7e19321376"

struct recorder {
	unsigned sets;
	int set_result;
	size_t last_peers;
	uint16_t last_port;
};

static int record_get(void *ctx, struct wg_config_device *out)
{
	(void)ctx;
	out->listen_port = 51820;
	return 0;
}

static int record_set(void *ctx, const struct wg_config_device *config)
{
	struct recorder *r = ctx;

	r->sets++;
	r->last_peers = config->num_peers;
	r->last_port = config->listen_port;
	return r->set_result;
}

static void record_deleted(void *ctx)
{
	(void)ctx;
}

static const struct wgcd_uapi_ops ops = { record_get, record_set, record_deleted };

struct rig {
	struct wgcd_uapi uapi;
	struct wgcd_log log;
	struct recorder rec;
	int client;
};

static void rig_open(struct rig *rig)
{
	int fds[2];

	memset(rig, 0, sizeof(*rig));
	rig->log.level = WGCD_LOG_SILENT;
	rig->log.ifname = "test";
	rig->uapi.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	rig->uapi.ops = &ops;
	rig->uapi.ctx = &rig->rec;
	rig->uapi.log = &rig->log;
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds) == 0);
	CHECK_EQ(wgcd_uapi_conn_accept(&rig->uapi, fds[0]), 0);
	rig->client = fds[1];
}

static void rig_close(struct rig *rig)
{
	wgcd_uapi_conn_close_all(&rig->uapi);
	close(rig->client);
	close(rig->uapi.epoll_fd);
}

/* Runs the connection's events until nothing is ready: no sleeping, no timeouts. */
static void pump(struct rig *rig)
{
	struct epoll_event ev[4];
	int n;

	while ((n = epoll_wait(rig->uapi.epoll_fd, ev, 4, 0)) > 0)
		for (int i = 0; i < n; ++i) {
			struct wgcd_watch *w = ev[i].data.ptr;

			w->ready(w, ev[i].events);
		}
}

static void send_text(struct rig *rig, const char *text)
{
	CHECK_EQ(write(rig->client, text, strlen(text)), strlen(text));
	pump(rig);
}

/* Everything the daemon has written so far, NUL-terminated. */
static char *reply(struct rig *rig)
{
	static char buf[4096];
	ssize_t n = read(rig->client, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

TEST(wgcd_uapi_get_ends_with_errno_zero)
{
	struct rig rig;

	rig_open(&rig);
	send_text(&rig, "get=1\n\n");
	CHECK(!strcmp(reply(&rig), "listen_port=51820\nerrno=0\n\n"));
	rig_close(&rig);
}

TEST(wgcd_uapi_set_applies_only_at_the_blank_line)
{
	struct rig rig;

	rig_open(&rig);
	send_text(&rig, "set=1\nlisten_port=1234\npublic_key=" KEY_B "\n");
	CHECK_EQ(rig.rec.sets, 0);
	CHECK(!strcmp(reply(&rig), ""));
	send_text(&rig, "\n");
	CHECK_EQ(rig.rec.sets, 1);
	CHECK_EQ(rig.rec.last_port, 1234);
	CHECK_EQ(rig.rec.last_peers, 1);
	CHECK(!strcmp(reply(&rig), "errno=0\n\n"));
	rig_close(&rig);
}

TEST(wgcd_uapi_rejected_set_changes_nothing)
{
	static const struct { const char *request, *reply; } cases[] = {
		{ "set=1\nbogus_key=1\n\n", "errno=-22\n\n" },                                   /* 1 unknown key */
		{ "set=1\npublic_key=" KEY_B "\nallowed_ip=10.0.0.0/33\n\n", "errno=-22\n\n" },  /* 2 bad CIDR */
		{ "set=1\nprivate_key=zz\n\n", "errno=-22\n\n" },                                /* 3 bad key */
		{ "set=1\nlisten_port=70000\n\n", "errno=-22\n\n" },                             /* 4 bad port */
		{ "set=1\nlisten_port=1\nnonsense\n\n", "errno=-71\n\n" },                       /* 5 no '=' */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
		struct rig rig;

		rig_open(&rig);
		send_text(&rig, cases[i].request);
		if (strcmp(reply(&rig), cases[i].reply))
			test_fail(__FILE__, __LINE__, "case %zu: not %s", i + 1, cases[i].reply);
		CHECK_EQ(rig.rec.sets, 0);
		rig_close(&rig);
	}
}

TEST(wgcd_uapi_set_reports_the_daemons_errno)
{
	struct rig rig;

	rig_open(&rig);
	rig.rec.set_result = -EADDRINUSE;
	send_text(&rig, "set=1\nlisten_port=1\n\n");
	CHECK(!strcmp(reply(&rig), "errno=-98\n\n"));
	rig_close(&rig);
}

TEST(wgcd_uapi_requests_arriving_byte_by_byte)
{
	const char *text = "set=1\nlisten_port=7\n\nget=1\n\n";
	struct rig rig;

	rig_open(&rig);
	for (const char *p = text; *p; ++p) {
		CHECK_EQ(write(rig.client, p, 1), 1);
		pump(&rig);
	}
	CHECK_EQ(rig.rec.sets, 1);
	CHECK(!strcmp(reply(&rig), "errno=0\n\nlisten_port=51820\nerrno=0\n\n"));
	rig_close(&rig);
}

TEST(wgcd_uapi_pipelined_requests_answered_in_order)
{
	struct rig rig;

	rig_open(&rig);
	send_text(&rig, "get=1\n\nset=1\nbogus=1\n\nget=1\n\n");
	pump(&rig);
	CHECK(!strcmp(reply(&rig), "listen_port=51820\nerrno=0\n\nerrno=-22\n\nlisten_port=51820\nerrno=0\n\n"));
	rig_close(&rig);
}

TEST(wgcd_uapi_get_with_arguments_is_invalid)
{
	struct rig rig;

	rig_open(&rig);
	send_text(&rig, "get=1\nlisten_port=1\n\n");
	CHECK(!strcmp(reply(&rig), "errno=-22\n\n"));
	rig_close(&rig);
}

TEST(wgcd_uapi_overlong_line_is_invalid)
{
	char request[1024] = "set=1\nlisten_port=";
	struct rig rig;

	memset(request + strlen(request), '1', 600);
	strcat(request, "\n\n");
	rig_open(&rig);
	send_text(&rig, request);
	CHECK(!strcmp(reply(&rig), "errno=-22\n\n"));
	CHECK_EQ(rig.rec.sets, 0);
	rig_close(&rig);
}

TEST(wgcd_uapi_unknown_operation_closes_the_connection)
{
	struct rig rig;

	rig_open(&rig);
	send_text(&rig, "frobnicate=1\n\n");
	CHECK_EQ(rig.uapi.num_conns, 0);
	CHECK_EQ(read(rig.client, (char[8]){ 0 }, 8), 0);
	rig_close(&rig);
}

TEST(wgcd_uapi_set_cut_short_is_never_applied)
{
	struct rig rig;

	rig_open(&rig);
	send_text(&rig, "set=1\nlisten_port=9\n");
	shutdown(rig.client, SHUT_WR);
	pump(&rig);
	CHECK_EQ(rig.rec.sets, 0);
	CHECK_EQ(rig.uapi.num_conns, 0);
	rig_close(&rig);
}
