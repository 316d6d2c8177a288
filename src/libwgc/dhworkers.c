#include "libwgc/dhworkers.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "crypto/secret.h"

static struct wgl_dh_job *job_at(struct wgl_dh_queue *q, unsigned offset)
{
	return &q->job[(q->head + offset) % q->size];
}

/* The next free slot at the back, or NULL when full. */
static struct wgl_dh_job *queue_tail(struct wgl_dh_queue *q)
{
	return q->count == q->size ? NULL : job_at(q, q->count);
}

/* The oldest job leaves; it was taken, so `next` counts it. */
static void queue_pop(struct wgl_dh_queue *q)
{
	q->head = (q->head + 1) % q->size;
	--q->count;
	--q->next;
}

/* A waiting job not yet taken, step 3's first. */
static struct wgl_dh_job *take_job(struct wgl_dh_workers *workers)
{
	struct wgl_dh_queue *q = workers->ephemeral.next < workers->ephemeral.count ? &workers->ephemeral
										      : &workers->reveal;

	return q->next < q->count ? job_at(q, q->next++) : NULL;
}

void wgl_dh_workers_notify(struct wgl_dh_workers *workers)
{
	uint64_t one = 1;

	/* Only fails when the counter would overflow, and then the loop is awake anyway. */
	if (write(workers->event_fd, &one, sizeof(one)) < 0)
		return;
}

/* The worker's own handle on the identity of its jobs: its DH context is made once per burst,
 * not per job. A job's reference differs only after the private key changed. */
static const struct wg_x25519_private *identity_of(struct wg_x25519_private *own, struct wgl_dh_job *job)
{
	if (own->pkey != job->identity.pkey)
		wg_x25519_private_move(own, &job->identity);
	wg_x25519_private_clear(&job->identity);
	return own;
}

static void compute(struct wgl_dh_workers *workers, struct wgl_dh_job *job, struct wg_x25519_private *identity)
{
	if (job->step == WGL_DH_REVEAL)
		job->ok = wg_noise_responder_reveal(&job->dh, &job->msg, identity_of(identity, job), job->identity_public);
	else
		job->ok = wg_noise_responder_ephemeral(&job->dh, &workers->env);
}

/* Takes the next job, computes it without the lock, marks it done. */
static void *work(void *arg)
{
	struct wgl_dh_workers *workers = arg;
	struct wg_x25519_private identity = { 0 };
	struct wgl_dh_job *job;

	pthread_mutex_lock(&workers->lock);
	while (!workers->stop) {
		job = take_job(workers);
		if (!job) {
			/* Idle: no key outlives the work it was handed over for. */
			wg_x25519_private_clear(&identity);
			pthread_cond_wait(&workers->waiting, &workers->lock);
			continue;
		}
		job->state = WGL_DH_WORKING;
		pthread_mutex_unlock(&workers->lock);

		compute(workers, job, &identity);

		pthread_mutex_lock(&workers->lock);
		job->state = WGL_DH_DONE;
		wgl_dh_workers_notify(workers);
	}
	pthread_mutex_unlock(&workers->lock);
	wg_x25519_private_clear(&identity);
	return NULL;
}

/* Batch scheduling: a worker that wakes does not preempt the loop, though it still takes its
 * fair share of a busy CPU. */
static void *start_work(void *arg)
{
	struct sched_param param = { 0 };

	pthread_setschedparam(pthread_self(), SCHED_BATCH, &param);
	return work(arg);
}

int wgl_dh_workers_start(struct wgl_dh_workers *workers, unsigned threads, const struct wg_env *env)
{
	int ret;

	memset(workers, 0, offsetof(struct wgl_dh_workers, reveal_jobs));
	workers->reveal = (struct wgl_dh_queue){ .size = WGL_DH_JOBS, .job = workers->reveal_jobs };
	workers->ephemeral = (struct wgl_dh_queue){ .size = WGL_DH_CONTINUED, .job = workers->ephemeral_jobs };
	workers->env = *env;
	workers->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (workers->event_fd < 0)
		return -errno;
	pthread_mutex_init(&workers->lock, NULL);
	pthread_cond_init(&workers->waiting, NULL);
	if (threads < 1)
		threads = 1;
	if (threads > WGL_DH_THREADS_MAX)
		threads = WGL_DH_THREADS_MAX;
	for (; workers->threads < threads; ++workers->threads) {
		ret = pthread_create(&workers->thread[workers->threads], NULL, start_work, workers);
		if (ret) {
			wgl_dh_workers_stop(workers);
			return -ret;
		}
	}
	return 0;
}

static void wipe_job(struct wgl_dh_job *job)
{
	wg_x25519_private_clear(&job->identity);
	wg_noise_responder_dh_clear(&job->dh);
	wg_secret_wipe(job, sizeof(*job));
}

static void wipe_queue(struct wgl_dh_queue *q)
{
	for (unsigned i = 0; i < q->size; ++i)
		if (q->job[i].state != WGL_DH_FREE)
			wipe_job(&q->job[i]);
	q->head = q->count = q->next = 0;
}

void wgl_dh_workers_stop(struct wgl_dh_workers *workers)
{
	pthread_mutex_lock(&workers->lock);
	workers->stop = true;
	pthread_cond_broadcast(&workers->waiting);
	pthread_mutex_unlock(&workers->lock);
	for (unsigned i = 0; i < workers->threads; ++i)
		pthread_join(workers->thread[i], NULL);
	workers->threads = 0;
	wipe_queue(&workers->reveal);
	wipe_queue(&workers->ephemeral);
	pthread_cond_destroy(&workers->waiting);
	pthread_mutex_destroy(&workers->lock);
	close(workers->event_fd);
	workers->event_fd = -1;
}

bool wgl_dh_workers_push(struct wgl_dh_workers *workers, const uint8_t *msg, size_t len,
			  const struct wg_endpoint *from, const struct wg_static_identity *identity)
{
	struct wgl_dh_job *job;
	bool ok = false;

	if (len != sizeof(job->msg) || !identity->has_identity)
		return false;
	pthread_mutex_lock(&workers->lock);
	job = queue_tail(&workers->reveal);
	if (!job || wg_x25519_private_share(&job->identity, &identity->private_key))
		goto out;
	memcpy(&job->msg, msg, len);
	job->from = *from;
	memcpy(job->identity_public, identity->static_public, sizeof(job->identity_public));
	job->step = WGL_DH_REVEAL;
	job->state = WGL_DH_WAITING;
	++workers->reveal.count;
	pthread_cond_signal(&workers->waiting);
	ok = true;
out:
	pthread_mutex_unlock(&workers->lock);
	return ok;
}

static struct wgl_dh_job *oldest_done(struct wgl_dh_queue *q)
{
	return q->count && job_at(q, 0)->state == WGL_DH_DONE ? job_at(q, 0) : NULL;
}

struct wgl_dh_job *wgl_dh_workers_done(struct wgl_dh_workers *workers)
{
	struct wgl_dh_job *job;

	pthread_mutex_lock(&workers->lock);
	job = oldest_done(&workers->ephemeral);
	if (!job)
		job = oldest_done(&workers->reveal);
	pthread_mutex_unlock(&workers->lock);
	return job;
}

static struct wgl_dh_queue *queue_of(struct wgl_dh_workers *workers, const struct wgl_dh_job *job)
{
	return job->step == WGL_DH_REVEAL ? &workers->reveal : &workers->ephemeral;
}

void wgl_dh_workers_release(struct wgl_dh_workers *workers, struct wgl_dh_job *job)
{
	struct wgl_dh_queue *q = queue_of(workers, job);

	wg_noise_responder_dh_clear(&job->dh);
	wg_secret_wipe(&job->msg, sizeof(job->msg));
	pthread_mutex_lock(&workers->lock);
	job->state = WGL_DH_FREE;
	queue_pop(q);
	pthread_mutex_unlock(&workers->lock);
}

bool wgl_dh_workers_continue(struct wgl_dh_workers *workers, struct wgl_dh_job *job)
{
	struct wgl_dh_job *next;

	pthread_mutex_lock(&workers->lock);
	next = queue_tail(&workers->ephemeral);
	if (next) {
		/* Its key references are spent (identity) or not made yet (dh.ephemeral): the copy
		 * moves nothing that needs freeing, and the wipe below frees nothing. */
		*next = *job;
		next->step = WGL_DH_EPHEMERAL;
		next->state = WGL_DH_WAITING;
		++workers->ephemeral.count;
		pthread_cond_signal(&workers->waiting);
	}
	wipe_job(job);
	queue_pop(&workers->reveal);
	pthread_mutex_unlock(&workers->lock);
	return next != NULL;
}

unsigned wgl_dh_workers_backlog(struct wgl_dh_workers *workers)
{
	unsigned count;

	pthread_mutex_lock(&workers->lock);
	count = workers->reveal.count + workers->ephemeral.count;
	pthread_mutex_unlock(&workers->lock);
	return count;
}

void wgl_dh_workers_clear_event(struct wgl_dh_workers *workers)
{
	uint64_t count;

	if (read(workers->event_fd, &count, sizeof(count)) < 0)
		return;
}
