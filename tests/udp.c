/*
 * The daemon's UDP sockets on loopback: one port for both families, a taken port refused with
 * nothing left open, the arrival address recorded, and replies from a vanished address falling
 * back to a routed one; what the kernel refuses counted, and sent again only where that can help.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "libwgc/txqueue.h"
#include "libwgc/udp.h"

static struct wg_endpoint loopback_endpoint(int family, uint16_t port)
{
	struct wg_endpoint e = { 0 };

	e.addr.sa.sa_family = (sa_family_t)family;
	if (family == AF_INET) {
		e.addr.in.sin_port = htons(port);
		e.addr.in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else {
		e.addr.in6.sin6_port = htons(port);
		e.addr.in6.sin6_addr = in6addr_loopback;
	}
	return e;
}

/* Receives one datagram, waiting for it with poll (delivery on loopback is immediate). */
static int receive_one(int fd, struct wgl_datagram *d)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, 1000) != 1)
		return -ETIMEDOUT;
	return wgl_udp_receive(fd, d, 1);
}

TEST(wgl_udp_random_port_is_the_same_for_both_families)
{
	struct wgl_udp udp;
	union wg_sockaddr a;
	socklen_t len = sizeof(a);

	CHECK_EQ(wgl_udp_open(&udp, 0, 0), 0);
	CHECK(udp.port != 0);
	CHECK(udp.fd4 >= 0);
	if (udp.fd6 >= 0) {
		CHECK(getsockname(udp.fd6, &a.sa, &len) == 0);
		CHECK_EQ(ntohs(a.in6.sin6_port), udp.port);
	}
	wgl_udp_close(&udp);
}

TEST(wgl_udp_taken_port_is_refused_with_nothing_open)
{
	struct wgl_udp first, second;

	CHECK_EQ(wgl_udp_open(&first, 0, 0), 0);
	CHECK_EQ(wgl_udp_open(&second, first.port, 0), -EADDRINUSE);
	CHECK_EQ(second.fd4, -1);
	CHECK_EQ(second.fd6, -1);
	wgl_udp_close(&first);
}

TEST(wgl_udp_records_the_arrival_address)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct wgl_udp a, b;
	uint8_t buf[WGL_DATAGRAM_MAX];
	struct wgl_datagram d = { .data = buf };

	CHECK_EQ(wgl_udp_open(&a, 0, 0), 0);
	CHECK_EQ(wgl_udp_open(&b, 0, 0), 0);
	for (int i = 0; i < 2; ++i) {
		struct wg_endpoint to = loopback_endpoint(families[i], b.port);
		int fd = families[i] == AF_INET ? b.fd4 : b.fd6;

		CHECK_EQ(wgl_udp_send(&a, &to, (const uint8_t *)"hello", 5), 0);
		CHECK_EQ(receive_one(fd, &d), 1);
		CHECK_EQ(d.len, 5);
		CHECK_EQ(d.from.addr.sa.sa_family, families[i]);
		if (families[i] == AF_INET)
			CHECK_EQ(d.from.src.in.s_addr, htonl(INADDR_LOOPBACK));
		else
			CHECK(IN6_IS_ADDR_LOOPBACK(&d.from.src.in6));
		CHECK(d.from.src_ifindex > 0);
	}
	wgl_udp_close(&a);
	wgl_udp_close(&b);
}

TEST(wgl_udp_reply_from_a_vanished_address_falls_back)
{
	struct wgl_udp a, b;
	uint8_t buf[WGL_DATAGRAM_MAX];
	struct wgl_datagram d = { .data = buf };
	struct wg_endpoint to;

	CHECK_EQ(wgl_udp_open(&a, 0, 0), 0);
	CHECK_EQ(wgl_udp_open(&b, 0, 0), 0);
	to = loopback_endpoint(AF_INET, b.port);
	inet_pton(AF_INET, "192.0.2.99", &to.src.in); /* on no interface of this host */
	CHECK_EQ(wgl_udp_send(&a, &to, (const uint8_t *)"x", 1), 0);
	CHECK_EQ(receive_one(b.fd4, &d), 1);
	CHECK_EQ(((struct sockaddr_in *)&d.from.addr)->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	wgl_udp_close(&a);
	wgl_udp_close(&b);
}

/* A run of equal datagrams and a shorter last one, sent as one GSO run: the receiver sees the
 * same datagrams, whether its GRO joined them (taken apart again) or not. */
TEST(wgl_udp_gso_run_arrives_as_the_same_datagrams)
{
	static uint8_t run_data[5 * 1000 + 300], buf[WGL_DATAGRAM_MAX];
	struct wgl_udp a, b;
	struct wgl_datagram d = { .data = buf };
	struct wg_endpoint to;
	struct wgl_udp_run run;
	size_t expected = 0, got = 0;
	unsigned datagrams = 0;

	CHECK_EQ(wgl_udp_open(&a, 0, 0), 0);
	CHECK_EQ(wgl_udp_open(&b, 0, 0), 0);
	to = loopback_endpoint(AF_INET, b.port);
	for (size_t i = 0; i < sizeof(run_data); ++i)
		run_data[i] = (uint8_t)(i / 1000 + i);
	run = (struct wgl_udp_run){ &to, run_data, sizeof(run_data), 1000 };
	CHECK_EQ(wgl_udp_send_runs(&a, &run, 1), 0);
	while (datagrams < 6 && receive_one(b.fd4, &d) == 1) {
		for (size_t off = 0, len; off < d.len; off += len, ++datagrams) {
			len = wgl_datagram_part(&d, off);
			CHECK_EQ(len, datagrams < 5 ? 1000 : 300);
			CHECK_MEM(d.data + off, run_data + expected, len);
			expected += len;
		}
		got += d.len;
	}
	CHECK_EQ(datagrams, 6);
	CHECK_EQ(got, sizeof(run_data));
	wgl_udp_close(&a);
	wgl_udp_close(&b);
}

/* Runs the kernel refuses (the limited broadcast address without SO_BROADCAST: EACCES, or
 * ENETUNREACH without a route) are tried again one by one and, refused again, each datagram is
 * counted failed once, with its bytes, an empty one too. */
TEST(wgl_udp_refused_runs_count_each_datagram)
{
	static uint8_t run_data[3 * 100];
	struct wgl_udp a;
	struct wg_endpoint to;
	struct wgl_udp_run runs[2];

	CHECK_EQ(wgl_udp_open(&a, 0, 0), 0);
	to = loopback_endpoint(AF_INET, 9);
	inet_pton(AF_INET, "255.255.255.255", &to.addr.in.sin_addr);
	runs[0] = (struct wgl_udp_run){ &to, run_data, sizeof(run_data), 100 };
	runs[1] = (struct wgl_udp_run){ &to, run_data, 0, 0 };
	CHECK_EQ(wgl_udp_send_runs(&a, runs, 2), 4);
	CHECK_EQ(runs[0].failed, 3);
	CHECK_EQ(runs[0].failed_bytes, sizeof(run_data));
	CHECK_EQ(runs[1].failed, 1);
	CHECK_EQ(runs[1].failed_bytes, 0);
	wgl_udp_close(&a);
}

/* From here on this process's sendmmsg fails with EPERM, as when netfilter drops a datagram
 * on its way out; sendmsg still works. */
static int refuse_sendmmsg(void)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_sendmmsg, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(filter) / sizeof(filter[0]), .filter = filter };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

struct refused_result {
	int filtered;         /* 0: the filter was in place */
	unsigned failed;      /* what wgl_udp_send_runs said */
	size_t failed_bytes;
	int arrived;          /* datagrams b received after it */
};

/* A refused GSO run is lost whole and counted: not one of its datagrams is sent again one by
 * one (where a filter would be asked a second time). Run in a child: the filter stays there. */
TEST(wgl_udp_run_refused_by_a_filter_is_not_sent_again)
{
	struct refused_result r = { -1, 0, 0, 0 };
	int fds[2], status;
	pid_t pid;

	CHECK_EQ(pipe(fds), 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		static uint8_t run_data[3 * 100], buf[WGL_DATAGRAM_MAX];
		struct wgl_datagram d = { .data = buf };
		struct wgl_udp a, b;
		struct wg_endpoint to;
		struct wgl_udp_run run;

		if (wgl_udp_open(&a, 0, 0) || wgl_udp_open(&b, 0, 0))
			_exit(2);
		to = loopback_endpoint(AF_INET, b.port);
		run = (struct wgl_udp_run){ &to, run_data, sizeof(run_data), 100 };
		r.filtered = refuse_sendmmsg();
		r.failed = wgl_udp_send_runs(&a, &run, 1);
		r.failed_bytes = run.failed_bytes;
		while (wgl_udp_receive(b.fd4, &d, 1) == 1)
			r.arrived += (int)(d.len / 100);
		_exit(write(fds[1], &r, sizeof(r)) == sizeof(r) ? 0 : 3);
	}
	close(fds[1]);
	CHECK_EQ(read(fds[0], &r, sizeof(r)), (ssize_t)sizeof(r));
	close(fds[0]);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ(r.filtered, 0);
	CHECK_EQ(r.failed, 3);
	CHECK_EQ(r.failed_bytes, 300);
	CHECK_EQ(r.arrived, 0);
}

/* The send queue: datagrams gathered (one built in place, the rest copied) leave in order,
 * equal ones to one endpoint as one GSO run, a different endpoint's apart. */
TEST(wgl_txqueue_sends_everything_in_order)
{
	static struct wgl_txqueue q;
	static uint8_t buf[WGL_DATAGRAM_MAX];
	struct wgl_udp a, b, c;
	struct wgl_datagram d = { .data = buf };
	struct wg_endpoint to_b, to_c;
	uint8_t msg[300];
	uint64_t failed = 0;
	unsigned seen = 0;

	CHECK_EQ(wgl_udp_open(&a, 0, 0), 0);
	CHECK_EQ(wgl_udp_open(&b, 0, 0), 0);
	CHECK_EQ(wgl_udp_open(&c, 0, 0), 0);
	to_b = loopback_endpoint(AF_INET, b.port);
	to_c = loopback_endpoint(AF_INET, c.port);
	for (unsigned i = 0; i < 4; ++i) {
		uint8_t *room = wgl_txqueue_reserve(&q, &a, 16 + sizeof(msg), &failed) - 16;

		memset(room, (int)i, sizeof(msg));
		CHECK_EQ(wgl_txqueue_add(&q, &a, NULL, &to_b, NULL, 0, room, i < 3 ? sizeof(msg) : 100), 0);
	}
	memset(msg, 0xcc, sizeof(msg));
	CHECK_EQ(wgl_txqueue_add(&q, &a, NULL, &to_c, NULL, 0, msg, 10), 0);
	CHECK_EQ(q.count, 5);
	CHECK_EQ(wgl_txqueue_flush(&q, &a), 0);
	CHECK_EQ(q.count, 0);
	while (seen < 4 && receive_one(b.fd4, &d) == 1)
		for (size_t off = 0, len; off < d.len; off += len, ++seen) {
			len = wgl_datagram_part(&d, off);
			CHECK_EQ(len, seen < 3 ? sizeof(msg) : 100);
			CHECK_EQ(d.data[off], seen);
			CHECK_EQ(d.data[off + len - 1], seen);
		}
	CHECK_EQ(seen, 4);
	CHECK_EQ(receive_one(c.fd4, &d), 1);
	CHECK_EQ(d.len, 10);
	CHECK_EQ(d.data[0], 0xcc);
	CHECK_EQ(failed, 0);
	wgl_udp_close(&a);
	wgl_udp_close(&b);
	wgl_udp_close(&c);
}
