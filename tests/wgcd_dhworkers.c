/*
 * wgcd's Diffie-Hellman workers on real threads: initiations from two peers and one that is
 * for another key go in; the results come out in the order they went in, each commits into
 * a response on this thread, the stranger's fails; jobs still queued at stop are wiped.
 */
#include <poll.h>
#include <string.h>
#include <sys/random.h>

#include "harness.h"
#include "netsim.h"
#include "wgcd/dhworkers.h"

/* The simulation's random numbers are not for other threads; the workers get the kernel's. */
static void kernel_random(void *ctx, void *out, size_t len)
{
	(void)ctx;
	if (getrandom(out, len, 0) != (ssize_t)len)
		memset(out, 0x42, len);
}


/* The next finished job, waiting on the eventfd for it as the loop would. */
static struct wgcd_dh_job *next_done(struct wgcd_dh_workers *workers)
{
	struct pollfd p = { .fd = workers->event_fd, .events = POLLIN };
	struct wgcd_dh_job *job;

	while (!(job = wgcd_dh_workers_done(workers))) {
		if (poll(&p, 1, 10000) != 1)
			return NULL;
		wgcd_dh_workers_clear_event(workers);
	}
	return job;
}

TEST(wgcd_dhworkers_answer_in_order)
{
	static struct wgcd_dh_workers workers;
	struct wg_env env = { .random = kernel_random };
	struct sim sim;
	struct sim_node *b, *initiator[2], *stranger;

	sim_init(&sim, 320);
	b = sim_add_node(&sim);
	stranger = sim_add_node(&sim);
	sim.capture_type = WG_MESSAGE_HANDSHAKE_INITIATION;
	for (int i = 0; i < 2; ++i) {
		initiator[i] = sim_add_node(&sim);
		sim_connect(initiator[i], b, NULL, false);
		sim_send_ip(initiator[i], b, (uint32_t)i, 100);
	}
	sim_connect(stranger, initiator[0], NULL, false);
	sim_send_ip(stranger, initiator[0], 9, 100);
	CHECK_EQ(sim.captured.count, 3);

	CHECK_EQ(wgcd_dh_workers_start(&workers, 2, &env), 0);
	for (size_t i = 0; i < 3; ++i)
		CHECK(wgcd_dh_workers_push(&workers, sim.captured.records[i].data, sim.captured.records[i].len, &b->addr,
					   &b->device.static_identity));
	CHECK(!wgcd_dh_workers_push(&workers, sim.captured.records[0].data, 100, &b->addr, &b->device.static_identity));
	CHECK_EQ(wgcd_dh_workers_backlog(&workers), 3);

	for (size_t i = 0; i < 3; ++i) {
		struct wgcd_dh_job *job = next_done(&workers);

		CHECK(job != NULL);
		if (!job)
			break;
		CHECK(!memcmp(&job->msg, sim.captured.records[i].data, sizeof(job->msg)));
		CHECK_EQ(job->ok, i < 2);
		CHECK_EQ(wg_device_receive_precomputed(&b->device, (const uint8_t *)&job->msg, sizeof(job->msg),
						       &job->from, &job->dh) == 0, i < 2);
		wgcd_dh_workers_release(&workers, job);
	}
	CHECK_EQ(wgcd_dh_workers_backlog(&workers), 0);
	CHECK_EQ(sim_sent_count(b, WG_MESSAGE_HANDSHAKE_RESPONSE), 2);
	CHECK_EQ(b->device.stats.rx_handshake_failed, 1);

	/* Queued and never collected: stop joins the workers and wipes the jobs (ASan: no key
	 * reference leaks). */
	for (size_t i = 0; i < 3; ++i)
		CHECK(wgcd_dh_workers_push(&workers, sim.captured.records[i].data, sim.captured.records[i].len, &b->addr,
					   &b->device.static_identity));
	wgcd_dh_workers_stop(&workers);
	CHECK_EQ(workers.count, 0);
	sim_free(&sim);
}

/* Without a private key there is nothing to compute with. */
TEST(wgcd_dhworkers_need_an_identity)
{
	static struct wgcd_dh_workers workers;
	struct wg_env env = { .random = kernel_random };
	struct wg_static_identity none = { 0 };
	uint8_t msg[sizeof(struct wg_message_initiation)] = { WG_MESSAGE_HANDSHAKE_INITIATION };
	struct wg_endpoint from = { 0 };

	CHECK_EQ(wgcd_dh_workers_start(&workers, 1, &env), 0);
	CHECK(!wgcd_dh_workers_push(&workers, msg, sizeof(msg), &from, &none));
	wgcd_dh_workers_stop(&workers);
}
