/*
 * A responder's Diffie-Hellman on worker threads, one per core.
 *
 * Answering an initiation costs four X25519 scalar multiplications that need nothing but the
 * message and our identity (wg_noise_responder_dh), and then a little hashing that needs the
 * peer. The loop hands each admitted initiation over with its own reference to our private
 * key; a worker computes the four; the loop is woken through an eventfd and commits the
 * results on its own thread, in the order the initiations arrived. The core and the data path
 * stay single-threaded: only pure computation moves, and a flood of initiations occupies the
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

enum { WGCD_DH_JOBS = WG_MAX_QUEUED_INCOMING_HANDSHAKES, WGCD_DH_THREADS_MAX = 8 };

enum wgcd_dh_job_state { WGCD_DH_FREE, WGCD_DH_WAITING, WGCD_DH_WORKING, WGCD_DH_DONE };

struct wgcd_dh_job {
	enum wgcd_dh_job_state state;
	struct wg_message_initiation msg;
	struct wg_endpoint from;
	struct wg_x25519_private identity; /* a reference of the job's own */
	uint8_t identity_public[WG_NOISE_PUBLIC_KEY_LEN];
	struct wg_responder_dh dh;
	bool ok; /* the message decrypted under the identity: dh is filled */
};

struct wgcd_dh_workers {
	pthread_mutex_t lock;
	pthread_cond_t waiting;    /* a job was queued, or stop */
	unsigned head, count;      /* the jobs in arrival order, oldest first */
	unsigned next;             /* how many of them, from the oldest, workers have taken */
	bool stop;
	int event_fd;              /* readable when a job is done */
	struct wg_env env;         /* its random is all a worker calls */
	unsigned threads;
	pthread_t thread[WGCD_DH_THREADS_MAX];
	struct wgcd_dh_job job[WGCD_DH_JOBS];
};

/* Starts `threads` workers (at least one, at most WGCD_DH_THREADS_MAX). 0 or -errno; on failure
 * nothing is left running. */
int wgcd_dh_workers_start(struct wgcd_dh_workers *workers, unsigned threads, const struct wg_env *env);
/* Stops and joins the workers, then wipes every job. */
void wgcd_dh_workers_stop(struct wgcd_dh_workers *workers);

/* Queues an initiation for the identity. False when the queue is full, the identity is empty or
 * the message is not an initiation's size. */
bool wgcd_dh_workers_push(struct wgcd_dh_workers *workers, const uint8_t *msg, size_t len,
			  const struct wg_endpoint *from, const struct wg_static_identity *identity);
/* The oldest job if it is done, else NULL (also while an older one is still being worked on).
 * The caller commits it and hands it back with wgcd_dh_workers_release. */
struct wgcd_dh_job *wgcd_dh_workers_done(struct wgcd_dh_workers *workers);
void wgcd_dh_workers_release(struct wgcd_dh_workers *workers, struct wgcd_dh_job *job);
/* Wakes the loop as a finished job would: for a loop that left done jobs for its next round. */
void wgcd_dh_workers_notify(struct wgcd_dh_workers *workers);
/* Queued, being worked on or waiting to be committed: the backlog that decides "under load". */
unsigned wgcd_dh_workers_backlog(struct wgcd_dh_workers *workers);
/* Empties the eventfd after it polled readable. */
void wgcd_dh_workers_clear_event(struct wgcd_dh_workers *workers);

#endif
