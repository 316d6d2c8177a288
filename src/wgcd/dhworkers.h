/*
 * A responder's Diffie-Hellman on worker threads, one per core.
 *
 * Answering an initiation costs four X25519 scalar multiplications that need nothing but the
 * message and our identity, and a little hashing that needs the peer (noise.h, struct
 * wg_responder_dh). They go in two steps with the peer's checks between them, so that a replay
 * or a stranger's initiation costs one multiplication, as in the kernel, not four: a worker
 * does es (step 1); the loop, woken through an eventfd, finds the peer and checks timestamp
 * and rate (step 2) and sends what passes back to the workers for the response's ephemeral
 * key, ee and se (step 3); then the loop commits the handshake and the response (step 4). The
 * loop takes jobs in the order they were queued. The core and the data path stay
 * single-threaded: only pure computation moves, and a flood of initiations occupies the
 * workers, not the loop.
 */
#ifndef WGCD_DHWORKERS_H
#define WGCD_DHWORKERS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/endpoint.h"
#include "core/env.h"
#include "core/messages.h"
#include "core/noise.h"

enum {
	WGCD_DH_JOBS = WG_MAX_QUEUED_INCOMING_HANDSHAKES, /* step 1: every admitted initiation */
	WGCD_DH_CONTINUED = 1024,  /* step 3: only those that passed a peer's checks, 50/s a peer */
	WGCD_DH_THREADS_MAX = 8,
};

enum wgcd_dh_job_state { WGCD_DH_FREE, WGCD_DH_WAITING, WGCD_DH_WORKING, WGCD_DH_DONE };
enum wgcd_dh_step { WGCD_DH_REVEAL, WGCD_DH_EPHEMERAL }; /* steps 1 and 3 */

struct wgcd_dh_job {
	enum wgcd_dh_job_state state;
	enum wgcd_dh_step step;
	struct wg_message_initiation msg;
	struct wg_endpoint from;
	struct wg_x25519_private identity; /* a reference of the job's own, for step 1 */
	uint8_t identity_public[WG_NOISE_PUBLIC_KEY_LEN];
	struct wg_responder_dh dh;
	bool ok; /* the step succeeded: dh holds its results */
};

/* Jobs of one step in the order they were queued: a ring of `size` over `job`. */
struct wgcd_dh_queue {
	unsigned head, count;      /* the jobs, oldest first */
	unsigned next;             /* how many of them, from the oldest, workers have taken */
	unsigned size;
	struct wgcd_dh_job *job;
};

/*
 * Every field but the job arrays' contents is under `lock`; a job's contents belong to the
 * worker that took it (WORKING) or to the loop (WAITING before it is pushed, DONE after).
 * Workers take step 3 first: a response already checked worth its Diffie-Hellman goes ahead
 * of initiations not yet known to be anyone's, so a real handshake waits behind a flood once
 * (its step 1, in arrival order), not twice.
 */
struct wgcd_dh_workers {
	pthread_mutex_t lock;
	pthread_cond_t waiting;    /* a job was queued, or stop */
	struct wgcd_dh_queue reveal, ephemeral;
	bool stop;
	int event_fd;              /* readable when a job is done */
	struct wg_env env;         /* its random is all a worker calls */
	unsigned threads;
	pthread_t thread[WGCD_DH_THREADS_MAX];
	struct wgcd_dh_job reveal_jobs[WGCD_DH_JOBS];
	struct wgcd_dh_job ephemeral_jobs[WGCD_DH_CONTINUED];
};

/* Starts `threads` workers (at least one, at most WGCD_DH_THREADS_MAX). 0 or -errno; on failure
 * nothing is left running. */
int wgcd_dh_workers_start(struct wgcd_dh_workers *workers, unsigned threads, const struct wg_env *env);
/* Stops and joins the workers, then wipes every job. */
void wgcd_dh_workers_stop(struct wgcd_dh_workers *workers);

/* Queues an initiation for step 1 under the identity. False when the queue is full, the
 * identity is empty or the message is not an initiation's size. */
bool wgcd_dh_workers_push(struct wgcd_dh_workers *workers, const uint8_t *msg, size_t len,
			  const struct wg_endpoint *from, const struct wg_static_identity *identity);
/* The oldest job of a step if it is done, step 3's first, else NULL (also while the older ones
 * are still being worked on). The caller commits it and hands it back with release, or, done
 * with step 1, with continue. */
struct wgcd_dh_job *wgcd_dh_workers_done(struct wgcd_dh_workers *workers);
void wgcd_dh_workers_release(struct wgcd_dh_workers *workers, struct wgcd_dh_job *job);
/* Instead of releasing a job done with step 1: it is queued for step 3, its results kept, in
 * another slot. False (the job released) when step 3's queue is full. */
bool wgcd_dh_workers_continue(struct wgcd_dh_workers *workers, struct wgcd_dh_job *job);
/* Wakes the loop as a finished job would: for a loop that left done jobs for its next round. */
void wgcd_dh_workers_notify(struct wgcd_dh_workers *workers);
/* Queued, being worked on or waiting to be committed: the backlog that decides "under load". */
unsigned wgcd_dh_workers_backlog(struct wgcd_dh_workers *workers);
/* Empties the eventfd after it polled readable. */
void wgcd_dh_workers_clear_event(struct wgcd_dh_workers *workers);

#endif
