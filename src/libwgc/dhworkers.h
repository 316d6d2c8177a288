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
#ifndef WGL_DHWORKERS_H
#define WGL_DHWORKERS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/endpoint.h"
#include "core/env.h"
#include "core/messages.h"
#include "core/noise.h"

enum {
	WGL_DH_JOBS = WG_MAX_QUEUED_INCOMING_HANDSHAKES, /* step 1: every admitted initiation */
	WGL_DH_CONTINUED = 1024,  /* step 3: only those that passed a peer's checks, 50/s a peer */
	WGL_DH_THREADS_MAX = 8,
};

enum wgl_dh_job_state { WGL_DH_FREE, WGL_DH_WAITING, WGL_DH_WORKING, WGL_DH_DONE };
enum wgl_dh_step { WGL_DH_REVEAL, WGL_DH_EPHEMERAL }; /* steps 1 and 3 */

struct wgl_dh_job {
	enum wgl_dh_job_state state;
	enum wgl_dh_step step;
	struct wg_message_initiation msg;
	struct wg_endpoint from;
	struct wg_x25519_private identity; /* a reference of the job's own, for step 1 */
	uint8_t identity_public[WG_NOISE_PUBLIC_KEY_LEN];
	struct wg_responder_dh dh;
	bool ok; /* the step succeeded: dh holds its results */
};

/* Jobs of one step in the order they were queued: a ring of `size` over `job`. */
struct wgl_dh_queue {
	unsigned head, count;      /* the jobs, oldest first */
	unsigned next;             /* how many of them, from the oldest, workers have taken */
	unsigned size;
	struct wgl_dh_job *job;
};

/*
 * Every field but the job arrays' contents is under `lock`; a job's contents belong to the
 * worker that took it (WORKING) or to the loop (WAITING before it is pushed, DONE after).
 * Workers take step 3 first: a response already checked worth its Diffie-Hellman goes ahead
 * of initiations not yet known to be anyone's, so a real handshake waits behind a flood once
 * (its step 1, in arrival order), not twice.
 */
struct wgl_dh_workers {
	pthread_mutex_t lock;
	pthread_cond_t waiting;    /* a job was queued, or stop */
	struct wgl_dh_queue reveal, ephemeral;
	bool stop;
	int event_fd;              /* readable when a job is done */
	struct wg_env env;         /* its random is all a worker calls */
	unsigned threads;
	pthread_t thread[WGL_DH_THREADS_MAX];
	struct wgl_dh_job reveal_jobs[WGL_DH_JOBS];
	struct wgl_dh_job ephemeral_jobs[WGL_DH_CONTINUED];
};

/* Starts `threads` workers (at least one, at most WGL_DH_THREADS_MAX). 0 or -errno; on failure
 * nothing is left running. */
int wgl_dh_workers_start(struct wgl_dh_workers *workers, unsigned threads, const struct wg_env *env);
/* Stops and joins the workers, then wipes every job. */
void wgl_dh_workers_stop(struct wgl_dh_workers *workers);

/* Queues an initiation for step 1 under the identity. False when the queue is full, the
 * identity is empty or the message is not an initiation's size. */
bool wgl_dh_workers_push(struct wgl_dh_workers *workers, const uint8_t *msg, size_t len,
			  const struct wg_endpoint *from, const struct wg_static_identity *identity);
/* The oldest job of a step if it is done, step 3's first, else NULL (also while the older ones
 * are still being worked on). The caller commits it and hands it back with release, or, done
 * with step 1, with continue. */
struct wgl_dh_job *wgl_dh_workers_done(struct wgl_dh_workers *workers);
void wgl_dh_workers_release(struct wgl_dh_workers *workers, struct wgl_dh_job *job);
/* Instead of releasing a job done with step 1: it is queued for step 3, its results kept, in
 * another slot. False (the job released) when step 3's queue is full. */
bool wgl_dh_workers_continue(struct wgl_dh_workers *workers, struct wgl_dh_job *job);
/* Wakes the loop as a finished job would: for a loop that left done jobs for its next round. */
void wgl_dh_workers_notify(struct wgl_dh_workers *workers);
/* Queued, being worked on or waiting to be committed: the backlog that decides "under load". */
unsigned wgl_dh_workers_backlog(struct wgl_dh_workers *workers);
/* Empties the eventfd after it polled readable. */
void wgl_dh_workers_clear_event(struct wgl_dh_workers *workers);

#endif
