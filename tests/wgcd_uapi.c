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
#define SECOND 1000000000ull
#define MS 1000000ull

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

static int record_monitor(void *ctx, bool history, struct wg_monitor_report *out)
{
	(void)ctx;
	return wg_monitor_report_add_counter(out, history ? "with_history" : "rx_malformed", 7);
}

static void record_deleted(void *ctx)
{
	(void)ctx;
}

/* A get reply of this many peers is larger than a socketpair's buffer. */
static size_t big_get_peers;

static int record_big_get(void *ctx, struct wg_config_device *out)
{
	uint8_t key[32] = { 1 };

	record_get(ctx, out);
	for (size_t i = 0; i < big_get_peers; ++i) {
		key[1] = (uint8_t)i;
		key[2] = (uint8_t)(i >> 8);
		if (!wg_config_add_peer(out, key))
			return -ENOMEM;
	}
	return 0;
}

static const struct wgcd_uapi_ops ops = { .get = record_get, .set = record_set, .monitor = record_monitor,
					  .deleted = record_deleted };
static const struct wgcd_uapi_ops big_ops = { .get = record_big_get, .set = record_set, .monitor = record_monitor,
					      .deleted = record_deleted };

/* The UAPI's clock in these tests: virtual, moved by hand. */
static uint64_t fake_now;

static uint64_t fake_clock(void)
{
	return fake_now;
}

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
	rig->uapi.clock = fake_clock;
	fake_now = 1000 * SECOND;
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

	while ((n = epoll_wait(rig->uapi.epoll_fd, ev, 4, 0)) > 0) {
		for (int i = 0; i < n; ++i) {
			struct wgl_watch *w = ev[i].data.ptr;

			w->ready(w, ev[i].events);
		}
		wgcd_uapi_collect(&rig->uapi);
	}
}

/* Time passes; the deadlines' timer, had the rig one, would have fired. */
static void advance(struct rig *rig, uint64_t ns)
{
	fake_now += ns;
	wgcd_uapi_conn_expire(&rig->uapi);
	wgcd_uapi_collect(&rig->uapi);
	pump(rig);
}

/* Another client: the socket's far end, or -1. */
static int connect_client(struct rig *rig)
{
	int fds[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds))
		return -1;
	if (wgcd_uapi_conn_accept(&rig->uapi, fds[0])) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	return fds[1];
}

/* The daemon closed this client's connection: reading gives end of file. */
static bool closed_by_daemon(int client)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(client, buf, sizeof(buf))) > 0)
		;
	/* A reset: it closed with bytes of ours unread. */
	return n == 0 || (n < 0 && errno == ECONNRESET);
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

/* wgc's extension: its own operation, so a get stays as it was. */
TEST(wgcd_uapi_monitor_answers_its_report)
{
	struct rig rig;

	rig_open(&rig);
	send_text(&rig, "monitor=1\n\n");
	CHECK(!strcmp(reply(&rig), "rx_malformed=7\nerrno=0\n\n"));
	send_text(&rig, "monitor=1\nhistory=1\n\n");
	CHECK(!strcmp(reply(&rig), "with_history=7\nerrno=0\n\n"));
	send_text(&rig, "monitor=1\nlisten_port=1\n\n");
	CHECK(!strcmp(reply(&rig), "errno=-22\n\n"));
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

/* A client that connects and says nothing is closed when its request is due, and not before. */
TEST(wgcd_uapi_idle_client_closed_at_its_deadline)
{
	struct rig rig;

	rig_open(&rig);
	advance(&rig, WGCD_UAPI_REQUEST_SECONDS * SECOND - MS);
	CHECK_EQ(rig.uapi.num_conns, 1);
	CHECK(!closed_by_daemon(rig.client));
	advance(&rig, MS);
	CHECK_EQ(rig.uapi.num_conns, 0);
	CHECK(closed_by_daemon(rig.client));
	rig_close(&rig);
}

/* One byte every 100 ms: the request is still unfinished at its deadline, and never applied. */
TEST(wgcd_uapi_slow_writer_closed_at_its_deadline)
{
	const char *text = "set=1\nlisten_port=9\nlisten_port=10\nlisten_port=11\nlisten_port=12\n\n";
	struct rig rig;
	size_t sent = 0;

	rig_open(&rig);
	while (rig.uapi.num_conns && text[sent]) {
		CHECK_EQ(write(rig.client, text + sent++, 1), 1);
		advance(&rig, 100 * MS);
	}
	/* Closed at 5 s: 50 bytes buy no time (a MiB buys a second). */
	CHECK_EQ(sent, WGCD_UAPI_REQUEST_SECONDS * 10);
	CHECK_EQ(rig.rec.sets, 0);
	CHECK(closed_by_daemon(rig.client));
	rig_close(&rig);
}

/* A request may take longer the more it sends: a big set at speed is not cut at 5 s. */
TEST(wgcd_uapi_large_set_earns_time)
{
	static char line[] = "listen_port=1\n";
	struct rig rig;
	size_t total = 0;

	rig_open(&rig);
	send_text(&rig, "set=1\n");
	while (total < 3 * WGCD_UAPI_BYTES_PER_SECOND) {
		ssize_t n = write(rig.client, line, sizeof(line) - 1);

		if (n > 0)
			total += (size_t)n;
		pump(&rig);
	}
	/* 3 MiB bought 3 s: at 7 s the request is still on. */
	advance(&rig, 7 * SECOND);
	CHECK_EQ(rig.uapi.num_conns, 1);
	send_text(&rig, "\n");
	CHECK_EQ(rig.rec.sets, 1);
	CHECK(!strcmp(reply(&rig), "errno=0\n\n"));
	rig_close(&rig);
}

/* A reply the client stops reading: closed REPLY_SECONDS after the last bytes it took. */
TEST(wgcd_uapi_unread_reply_closed)
{
	struct rig rig;
	char buf[65536];
	size_t got = 0;
	ssize_t n;

	rig_open(&rig);
	rig.uapi.ops = &big_ops;
	big_get_peers = 4000;
	send_text(&rig, "get=1\n\n");
	advance(&rig, 4 * SECOND);
	/* Reading what has arrived buys the rest more time. */
	while ((n = read(rig.client, buf, sizeof(buf))) > 0)
		got += (size_t)n;
	CHECK(got > 0);
	pump(&rig);
	advance(&rig, 4 * SECOND);
	CHECK_EQ(rig.uapi.num_conns, 1);
	advance(&rig, WGCD_UAPI_REPLY_SECONDS * SECOND);
	CHECK_EQ(rig.uapi.num_conns, 0);
	rig_close(&rig);
}

/* The table full of idle clients: a new one takes the place of the one idle longest. */
TEST(wgcd_uapi_full_table_evicts_the_idlest)
{
	int clients[WGCD_UAPI_CONNECTIONS + 1];
	struct rig rig;

	rig_open(&rig);
	clients[0] = rig.client;
	for (int i = 1; i < WGCD_UAPI_CONNECTIONS; ++i) {
		advance(&rig, MS);
		clients[i] = connect_client(&rig);
		CHECK(clients[i] >= 0);
	}
	/* The oldest client speaks up; the second oldest is now the idlest. */
	CHECK_EQ(write(clients[0], "g", 1), 1);
	pump(&rig);
	CHECK_EQ(rig.uapi.num_conns, WGCD_UAPI_CONNECTIONS);
	clients[WGCD_UAPI_CONNECTIONS] = connect_client(&rig);
	CHECK_EQ(rig.uapi.num_conns, WGCD_UAPI_CONNECTIONS);
	pump(&rig);
	CHECK(closed_by_daemon(clients[1]));
	CHECK(!closed_by_daemon(clients[0]));
	CHECK(!closed_by_daemon(clients[2]));
	/* The newcomer is served at once. */
	CHECK_EQ(write(clients[WGCD_UAPI_CONNECTIONS], "get=1\n\n", 7), 7);
	pump(&rig);
	{
		char buf[64] = { 0 };

		CHECK(read(clients[WGCD_UAPI_CONNECTIONS], buf, sizeof(buf) - 1) > 0);
		CHECK(!strcmp(buf, "listen_port=51820\nerrno=0\n\n"));
	}
	for (int i = 1; i <= WGCD_UAPI_CONNECTIONS; ++i)
		close(clients[i]);
	rig_close(&rig);
}

/* A connection closed while another's event is handled (its deadline passed) may still have
 * its own event later in the same batch: that event must find it closed, not freed (ASan). */
TEST(wgcd_uapi_closed_during_a_batch_is_freed_after_it)
{
	struct rig rig;
	int late;

	rig_open(&rig);
	advance(&rig, 4 * SECOND);
	late = connect_client(&rig);
	CHECK(late >= 0);
	/* The first client is past its deadline, the second not; both become readable, the second
	 * first, so its handler runs first and closes the first. */
	fake_now += 1500 * MS;
	CHECK_EQ(write(late, "g", 1), 1);
	CHECK_EQ(write(rig.client, "g", 1), 1);
	pump(&rig);
	CHECK_EQ(rig.uapi.num_conns, 1);
	CHECK(closed_by_daemon(rig.client));
	CHECK(!closed_by_daemon(late));
	close(late);
	rig_close(&rig);
}
