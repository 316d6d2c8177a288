/*
 * wgcd's Diffie-Hellman workers on real threads: initiations from two peers, one for another
 * key and a replay go in; step 1 results come out in the order they went in, the peer's checks
 * on this thread send only the two fresh ones back for step 3, which commit into responses;
 * jobs still queued at stop are wiped.
 */
#include <poll.h>
#include <string.h>
#include <sys/random.h>

#include "harness.h"
#include "netsim.h"
#include "libwgc/dhworkers.h"

/* The simulation's random numbers are not for other threads; the workers get the kernel's. */
static void kernel_random(void *ctx, void *out, size_t len)
{
	(void)ctx;
	if (getrandom(out, len, 0) != (ssize_t)len)
		memset(out, 0x42, len);
}


/* The next finished job, waiting on the eventfd for it as the loop would. */
static struct wgl_dh_job *next_done(struct wgl_dh_workers *workers)
{
	struct pollfd p = { .fd = workers->event_fd, .events = POLLIN };
	struct wgl_dh_job *job;

	while (!(job = wgl_dh_workers_done(workers))) {
		if (poll(&p, 1, 10000) != 1)
			return NULL;
		wgl_dh_workers_clear_event(workers);
	}
	return job;
}

/* What the loop does with each finished job (loop.c, on_dh_done); the step it finished. */
static enum wgl_dh_step commit(struct wgl_dh_workers *workers, struct wgl_dh_job *job, struct sim_node *b)
{
	enum wgl_dh_step step = job->step;
	const uint8_t *msg = (const uint8_t *)&job->msg;

	if (step == WGL_DH_REVEAL) {
		if (!wg_device_check_precomputed(&b->device, msg, sizeof(job->msg), &job->dh)) {
			wgl_dh_workers_continue(workers, job);
			return step;
		}
	} else {
		CHECK_EQ(wg_device_receive_precomputed(&b->device, msg, sizeof(job->msg), &job->from, &job->dh), 0);
	}
	wgl_dh_workers_release(workers, job);
	return step;
}

TEST(wgl_dhworkers_answer_in_order)
{
	static struct wgl_dh_workers workers;
	struct wg_env env = { .random = kernel_random };
	struct sim sim;
	struct sim_node *b, *initiator[2], *stranger;
	const struct sim_record *queued[4];
	unsigned steps[2] = { 0 };

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
	/* The first one twice: once fresh, once a replay of itself. */
	for (size_t i = 0; i < 3; ++i)
		queued[i] = &sim.captured.records[i];
	queued[3] = &sim.captured.records[0];

	CHECK_EQ(wgl_dh_workers_start(&workers, 2, &env), 0);
	for (size_t i = 0; i < 4; ++i)
		CHECK(wgl_dh_workers_push(&workers, queued[i]->data, queued[i]->len, &b->addr,
					   &b->device.static_identity));
	CHECK(!wgl_dh_workers_push(&workers, queued[0]->data, 100, &b->addr, &b->device.static_identity));
	CHECK_EQ(wgl_dh_workers_backlog(&workers), 4);

	/* Each step's jobs in the order they were queued: step 1 for all four, step 3 for the two
	 * fresh ones. */
	for (size_t i = 0; i < 6; ++i) {
		struct wgl_dh_job *job = next_done(&workers);

		CHECK(job != NULL);
		if (!job)
			break;
		if (job->step == WGL_DH_REVEAL) {
			CHECK(!memcmp(&job->msg, queued[steps[WGL_DH_REVEAL]]->data, sizeof(job->msg)));
			CHECK_EQ(job->ok, steps[WGL_DH_REVEAL] != 2);
		} else {
			CHECK(!memcmp(&job->msg, queued[steps[WGL_DH_EPHEMERAL]]->data, sizeof(job->msg)));
			CHECK(job->ok);
		}
		++steps[commit(&workers, job, b)];
	}
	CHECK_EQ(steps[WGL_DH_REVEAL], 4);
	CHECK_EQ(steps[WGL_DH_EPHEMERAL], 2);
	CHECK_EQ(wgl_dh_workers_backlog(&workers), 0);
	CHECK_EQ(sim_sent_count(b, WG_MESSAGE_HANDSHAKE_RESPONSE), 2);
	/* The stranger's and the replay, both at the check. */
	CHECK_EQ(b->device.stats.rx_handshake_failed, 2);

	/* Queued and never collected: stop joins the workers and wipes the jobs (ASan: no key
	 * reference leaks). */
	for (size_t i = 0; i < 3; ++i)
		CHECK(wgl_dh_workers_push(&workers, queued[i]->data, queued[i]->len, &b->addr,
					   &b->device.static_identity));
	wgl_dh_workers_stop(&workers);
	CHECK_EQ(workers.reveal.count + workers.ephemeral.count, 0);
	sim_free(&sim);
}

/* Step 3 goes ahead of step 1: a checked initiation is answered before the thousands of
 * copies of it queued behind it (its replays, as a flood would send them) are worked off. */
TEST(wgl_dhworkers_step_3_goes_first)
{
	static struct wgl_dh_workers workers;
	struct wg_env env = { .random = kernel_random };
	struct sim sim;
	struct sim_node *a, *b;
	struct wgl_dh_job *job;
	unsigned reveals = 0, reveals_before_response = WGL_DH_JOBS;

	sim_pair(&sim, 321, &a, &b, NULL, false);
	sim.capture_type = WG_MESSAGE_HANDSHAKE_INITIATION;
	sim_send_ip(a, b, 1, 100);
	CHECK_EQ(wgl_dh_workers_start(&workers, 1, &env), 0);
	for (unsigned i = 0; i < WGL_DH_JOBS; ++i)
		CHECK(wgl_dh_workers_push(&workers, sim.captured.records[0].data, sizeof(struct wg_message_initiation),
					   &a->addr, &b->device.static_identity));
	CHECK(!wgl_dh_workers_push(&workers, sim.captured.records[0].data, sizeof(struct wg_message_initiation),
				    &a->addr, &b->device.static_identity));
	for (unsigned n = 0; n < WGL_DH_JOBS + 1 && (job = next_done(&workers)); ++n) {
		if (commit(&workers, job, b) == WGL_DH_EPHEMERAL)
			reveals_before_response = reveals;
		else
			++reveals;
	}
	CHECK_EQ(reveals, WGL_DH_JOBS);
	CHECK(reveals_before_response < WGL_DH_JOBS / 2);
	CHECK_EQ(sim_sent_count(b, WG_MESSAGE_HANDSHAKE_RESPONSE), 1);
	CHECK_EQ(b->device.stats.rx_handshake_failed, WGL_DH_JOBS - 1);
	wgl_dh_workers_stop(&workers);
	sim_free(&sim);
}

/* Without a private key there is nothing to compute with. */
TEST(wgl_dhworkers_need_an_identity)
{
	static struct wgl_dh_workers workers;
	struct wg_env env = { .random = kernel_random };
	struct wg_static_identity none = { 0 };
	uint8_t msg[sizeof(struct wg_message_initiation)] = { WG_MESSAGE_HANDSHAKE_INITIATION };
	struct wg_endpoint from = { 0 };

	CHECK_EQ(wgl_dh_workers_start(&workers, 1, &env), 0);
	CHECK(!wgl_dh_workers_push(&workers, msg, sizeof(msg), &from, &none));
	wgl_dh_workers_stop(&workers);
}
