/* Captured messages linked into sessions; what each session did, and what looked wrong. */
#include "wgc/sessions.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/key.h"
#include "crypto/secret.h"
#include "wgc/analysis.h"

/* How far back a retry of an unanswered initiation may be: the initiator gives up after 90 s. */
#define RETRY_WINDOW_NS ((uint64_t)(WG_REKEY_ATTEMPT_TIME + WG_REKEY_TIMEOUT) * 1000000000ull)
/* How many recent sessions a new initiation is compared with to find its retries. */
enum { RETRY_LOOKBACK = 64 };

void sessions_init(struct sessions *s, struct keyring *ring)
{
	memset(s, 0, sizeof(*s));
	s->ring = ring;
}

static void anomaly(struct sessions *s, const struct capture_message *m, const struct session *session,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void anomaly(struct sessions *s, const struct capture_message *m, const struct session *session,
		    const char *fmt, ...)
{
	struct anomaly *a;
	va_list args;

	if (s->anomaly_count >= ANOMALIES_KEPT) {
		s->anomalies_dropped++;
		return;
	}
	if (s->anomaly_count == s->anomalies_size) {
		size_t size = s->anomalies_size ? s->anomalies_size * 2 : 16;
		struct anomaly *bigger = realloc(s->anomalies, size * sizeof(*bigger));

		if (!bigger) {
			s->anomalies_dropped++;
			return;
		}
		s->anomalies = bigger;
		s->anomalies_size = size;
	}
	a = &s->anomalies[s->anomaly_count++];
	*a = (struct anomaly){ .file = m ? m->file : NULL, .frame = m ? m->frame : 0, .time_ns = m ? m->time_ns : 0,
			       .session = session ? session->id : 0 };
	va_start(args, fmt);
	vsnprintf(a->text, sizeof(a->text), fmt, args);
	va_end(args);
}

/* ---- the index table: open addressing, linear probing, grown at half full ---- */

static struct index_slot *slot_of(struct index_slot *slots, size_t count, uint32_t index)
{
	size_t i = (index * 2654435761u) & (count - 1);

	while (slots[i].session && slots[i].index != index)
		i = (i + 1) & (count - 1);
	return &slots[i];
}

static int index_grow(struct sessions *s)
{
	size_t count = s->slot_count ? s->slot_count * 2 : 256;
	struct index_slot *slots = calloc(count, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < s->slot_count; ++i)
		if (s->slots[i].session)
			*slot_of(slots, count, s->slots[i].index) = s->slots[i];
	free(s->slots);
	s->slots = slots;
	s->slot_count = count;
	return 0;
}

/* Data (or a response, or a cookie reply) to `index` belongs to this session and direction. */
static int index_set(struct sessions *s, uint32_t index, struct session *session, enum session_direction direction)
{
	struct index_slot *slot;

	if ((s->slots_used + 1) * 2 > s->slot_count && index_grow(s))
		return -ENOMEM;
	slot = slot_of(s->slots, s->slot_count, index);
	if (!slot->session)
		s->slots_used++;
	*slot = (struct index_slot){ .index = index, .session = session, .direction = direction };
	return 0;
}

static const struct index_slot *index_get(const struct sessions *s, uint32_t index)
{
	const struct index_slot *slot;

	if (!s->slot_count)
		return NULL;
	slot = slot_of(s->slots, s->slot_count, index);
	return slot->session ? slot : NULL;
}

/* ---- sessions ---- */

static void address_of(struct session_peer_address *a, const struct capture_message *m, bool source)
{
	memset(a, 0, sizeof(*a));
	a->family = m->family;
	memcpy(a->addr, source ? m->src : m->dst, 16);
	a->port = source ? m->sport : m->dport;
	a->transport = m->transport;
}

static bool same_address(const struct session_peer_address *a, const struct session_peer_address *b)
{
	return a->family == b->family && !memcmp(a->addr, b->addr, 16) && a->port == b->port &&
	       a->transport == b->transport;
}

static struct session *session_new(struct sessions *s, const struct capture_message *m)
{
	struct session *session;

	if (s->count == s->size) {
		size_t size = s->size ? s->size * 2 : 16;
		struct session **bigger = realloc(s->all, size * sizeof(*bigger));

		if (!bigger)
			return NULL;
		s->all = bigger;
		s->size = size;
	}
	session = calloc(1, sizeof(*session));
	if (!session)
		return NULL;
	session->id = (unsigned)s->count + 1;
	address_of(&session->initiator, m, true);
	address_of(&session->responder, m, false);
	s->all[s->count++] = session;
	return session;
}

/* The latest session between these two ends, either way round, that `accept` takes. */
static struct session *latest_between(struct sessions *s, const struct session_peer_address *a,
				      const struct session_peer_address *b, bool answered)
{
	for (size_t i = s->count, seen = 0; i-- > 0 && seen < RETRY_LOOKBACK; ++seen) {
		struct session *c = s->all[i];
		bool pair = (same_address(&c->initiator, a) && same_address(&c->responder, b)) ||
			    (!answered ? false : same_address(&c->initiator, b) && same_address(&c->responder, a));

		if (pair && c->handshake_seen && c->response_seen == answered)
			return c;
	}
	return NULL;
}

static int open_initiation(struct sessions *s, struct session *session, const struct decoded *d,
			    struct message_notes *notes)
{
	if (session->chain_opened)
		chain_wipe(&session->chain);
	session->chain_opened = false;
	if (keyring_is_empty(s->ring))
		return 0;
	session->chain_opened =
		chain_open_initiation(&session->chain, (const struct wg_message_initiation *)d->msg, s->ring);
	notes->chain_opened = session->chain_opened;
	/* The response's mac1 is made with the initiator's key, now known. */
	if (session->chain_opened && session->chain.initiator_static_known &&
	    keyring_learn_public(s->ring, session->chain.initiator_static))
		return -ENOMEM;
	return 0;
}

/* mac1 against the key of the receiver the chain showed: wrong is an anomaly (a forgery, or
 * a sender with the wrong public key of its peer). */
static void check_mac1(struct sessions *s, const struct capture_message *m, const struct decoded *d,
		       struct message_notes *notes, const uint8_t receiver_key[32], const char *receiver)
{
	char key[WG_KEY_BASE64_LEN + 1];

	if (keyring_mac1_fits(receiver_key, d->msg, d->len))
		return;
	notes->mac1_wrong = true;
	wg_key_to_base64(key, receiver_key);
	anomaly(s, m, notes->session, "%s's mac1 is not made with the key of its %s, %s", decode_type_name(d->type),
		receiver, key);
}

static int on_initiation(struct sessions *s, const struct capture_message *m, const struct decoded *d,
			 struct message_notes *notes)
{
	struct session_peer_address from, to;
	struct session *session;

	address_of(&from, m, true);
	address_of(&to, m, false);
	session = latest_between(s, &from, &to, false);
	if (session && m->time_ns >= session->initiation_time &&
	    m->time_ns - session->initiation_time <= RETRY_WINDOW_NS) {
		notes->retry = true;
	} else {
		session = session_new(s, m);
		if (!session)
			return -ENOMEM;
		session->handshake_seen = true;
		session->first_initiation_time = m->time_ns;
		session->previous = latest_between(s, &from, &to, true);
	}
	if (notes->retry && session->initiations == 1)
		anomaly(s, m, session, "handshake retried: no response to the initiation of frame %llu",
			(unsigned long long)session->initiation_frame);
	session->initiations++;
	session->initiator_index = d->sender;
	session->initiation_time = m->time_ns;
	session->initiation_frame = m->frame;
	notes->session = session;
	notes->direction = TO_RESPONDER;
	if (open_initiation(s, session, d, notes))
		return -ENOMEM;
	if (session->chain_opened)
		check_mac1(s, m, d, notes, session->chain.responder_static, "responder");
	return index_set(s, d->sender, session, TO_INITIATOR);
}

static int start_keys(struct session *session)
{
	int ret = wg_aead_key_init(&session->key[TO_RESPONDER], session->chain.send_i, false);

	if (!ret)
		ret = wg_aead_key_init(&session->key[TO_INITIATOR], session->chain.recv_i, false);
	session->keys = !ret;
	return ret == -ENOMEM ? ret : 0;
}

static int on_response(struct sessions *s, const struct capture_message *m, const struct decoded *d,
		       struct message_notes *notes)
{
	const struct index_slot *slot = index_get(s, d->receiver);
	struct session *session = slot && slot->direction == TO_INITIATOR ? slot->session : NULL;

	if (session && d->receiver != session->initiator_index && !session->response_seen) {
		/* The initiator forgot that index when it retried: WireGuard drops this response. */
		anomaly(s, m, session, "response to index 0x%08x, an initiation since retried (now 0x%08x): the "
			"initiator drops it", d->receiver, session->initiator_index);
		notes->session = session;
		notes->direction = TO_INITIATOR;
		notes->superseded = true;
		return 0;
	}
	if (session && session->response_seen) {
		anomaly(s, m, session, "a second response to the initiation of index 0x%08x", d->receiver);
		notes->session = session;
		notes->direction = TO_INITIATOR;
		return 0;
	}
	if (!session) {
		anomaly(s, m, NULL, "response to index 0x%08x, whose initiation is not in the capture", d->receiver);
		session = session_new(s, m);
		if (!session)
			return -ENOMEM;
		address_of(&session->responder, m, true);
		address_of(&session->initiator, m, false);
		session->initiator_index = d->receiver;
		if (index_set(s, d->receiver, session, TO_INITIATOR))
			return -ENOMEM;
	}
	session->response_seen = true;
	session->responder_index = d->sender;
	session->response_time = m->time_ns;
	session->response_frame = m->frame;
	notes->session = session;
	notes->direction = TO_INITIATOR;
	if (session->chain.initiator_static_known)
		check_mac1(s, m, d, notes, session->chain.initiator_static, "initiator");
	if (session->chain_opened &&
	    chain_open_response(&session->chain, (const struct wg_message_response *)d->msg, s->ring)) {
		notes->chain_completed = true;
		if (start_keys(session))
			return -ENOMEM;
	}
	return index_set(s, d->sender, session, TO_RESPONDER);
}

static void on_cookie(struct sessions *s, const struct capture_message *m, const struct decoded *d,
		      struct message_notes *notes)
{
	const struct index_slot *slot = index_get(s, d->receiver);

	if (!slot || slot->direction != TO_INITIATOR) {
		anomaly(s, m, NULL, "cookie reply to index 0x%08x, whose initiation is not in the capture", d->receiver);
		return;
	}
	notes->session = slot->session;
	notes->direction = TO_INITIATOR;
	if (slot->session->cookie_replies++ == 0)
		anomaly(s, m, slot->session, "cookie reply: the responder is under load and wants mac2");
}

/* Data to an index no captured handshake gave: a session begun before the capture. */
static const struct index_slot *unlinked_session(struct sessions *s, const struct capture_message *m,
						 const struct decoded *d)
{
	struct session *session = session_new(s, m);

	if (!session || index_set(s, d->receiver, session, TO_RESPONDER))
		return NULL;
	session->responder_index = d->receiver;
	s->unlinked++;
	return index_get(s, d->receiver);
}

static void decrypt(struct sessions *s, struct session *session, enum session_direction dir,
		    const struct decoded *d, struct message_notes *notes)
{
	size_t len = d->len - WG_DATA_OVERHEAD;
	uint8_t nonce[WG_AEAD_NONCE_LEN];

	if (len > s->plain_size) {
		/* Not realloc: the old buffer holds the last plaintext, wiped before it goes. */
		uint8_t *bigger = malloc(len);

		if (!bigger)
			return;
		if (s->plain)
			wg_secret_wipe(s->plain, s->plain_size);
		free(s->plain);
		s->plain = bigger;
		s->plain_size = len;
	}
	wg_aead_nonce(nonce, d->counter);
	if (wg_aead_open(&session->key[dir], s->plain, d->msg + sizeof(struct wg_message_data), len, NULL, 0, nonce)) {
		session->dir[dir].undecryptable++;
		notes->undecryptable = true;
		return;
	}
	session->dir[dir].decrypted++;
	notes->decrypted = true;
	notes->plain = s->plain;
	notes->plain_len = len;
}

static void count_keepalive(struct session_direction_stats *st, uint64_t now)
{
	uint64_t interval = now - st->last_keepalive_time;

	st->keepalives++;
	/* An interval only forward in time: a capture's times may go back (files out of order). */
	if (st->keepalives > 1 && now >= st->last_keepalive_time) {
		st->keepalive_intervals++;
		st->keepalive_interval_sum += interval;
		if (st->keepalive_intervals == 1 || interval < st->keepalive_interval_min)
			st->keepalive_interval_min = interval;
		if (interval > st->keepalive_interval_max)
			st->keepalive_interval_max = interval;
	}
	st->last_keepalive_time = now;
}

static const char *const direction_names[2] = { "to the responder", "to the initiator" };

/* Data from an end that moved: the sender roamed (or a NAT mapped it anew). */
static void follow_roaming(struct sessions *s, const struct capture_message *m, struct session *session,
			   enum session_direction direction)
{
	struct session_peer_address *sender = direction == TO_RESPONDER ? &session->initiator : &session->responder;
	struct session_peer_address now;
	char before[64], after[64];

	address_of(&now, m, true);
	if (same_address(sender, &now))
		return;
	analysis_address(before, sizeof(before), sender->family, sender->addr, sender->port);
	analysis_address(after, sizeof(after), now.family, now.addr, now.port);
	anomaly(s, m, session, "the %s's endpoint moved from %s to %s (roaming)",
		direction == TO_RESPONDER ? "initiator" : "responder", before, after);
	*sender = now;
}

static int on_data(struct sessions *s, const struct capture_message *m, const struct decoded *d,
		   struct message_notes *notes)
{
	const struct index_slot *slot = index_get(s, d->receiver);
	struct session_direction_stats *st;
	struct session *session;

	if (!slot && !(slot = unlinked_session(s, m, d)))
		return -ENOMEM;
	session = slot->session;
	st = &session->dir[slot->direction];
	notes->session = session;
	notes->direction = slot->direction;
	follow_roaming(s, m, session, slot->direction);
	if (!st->packets++) {
		countertrack_start(&st->counters, session->response_seen ? 0 : d->counter);
		st->first_time = m->time_ns;
	}
	st->last_time = m->time_ns;
	st->bytes += m->len;
	notes->keepalive = d->len == WG_DATA_OVERHEAD;
	if (notes->keepalive)
		count_keepalive(st, m->time_ns);
	switch (countertrack_add(&st->counters, d->counter)) {
	case COUNTER_SEEN_BEFORE:
		notes->replay = true;
		anomaly(s, m, session, "replay: counter %llu %s came before",
			(unsigned long long)d->counter, direction_names[slot->direction]);
		break;
	case COUNTER_LATE:
		notes->late = true;
		break;
	default:
		break;
	}
	if (session->keys)
		decrypt(s, session, slot->direction, d, notes);
	if (notes->undecryptable)
		anomaly(s, m, session, "counter %llu %s does not decrypt with the session's keys",
			(unsigned long long)d->counter, direction_names[slot->direction]);
	return 0;
}

int sessions_add(struct sessions *s, const struct capture_message *m, const struct decoded *d,
		 struct message_notes *notes)
{
	memset(notes, 0, sizeof(*notes));
	if (d->kind == DECODE_JUNK) {
		s->junk++;
		s->junk_bytes += m->len;
		return 0;
	}
	if (d->kind == DECODE_INVALID) {
		s->invalid++;
		anomaly(s, m, NULL, "invalid message: %s", d->reason);
		return 0;
	}
	s->counts[d->type]++;
	switch (d->type) {
	case WG_MESSAGE_HANDSHAKE_INITIATION:
		return on_initiation(s, m, d, notes);
	case WG_MESSAGE_HANDSHAKE_RESPONSE:
		return on_response(s, m, d, notes);
	case WG_MESSAGE_HANDSHAKE_COOKIE:
		on_cookie(s, m, d, notes);
		return 0;
	case WG_MESSAGE_DATA:
		return on_data(s, m, d, notes);
	default:
		return 0;
	}
}

struct gap_context {
	struct sessions *s;
	struct session *session;
	enum session_direction direction;
};

static void report_gap(void *ctx, const struct countertrack_gap *gap)
{
	struct gap_context *g = ctx;

	if (gap->count == 1)
		anomaly(g->s, NULL, g->session, "counter %llu %s never came (lost before the capture point)",
			(unsigned long long)gap->first, direction_names[g->direction]);
	else
		anomaly(g->s, NULL, g->session, "counters %llu-%llu %s never came: %llu lost before the capture point",
			(unsigned long long)gap->first, (unsigned long long)(gap->first + gap->count - 1),
			direction_names[g->direction], (unsigned long long)gap->count);
}

void sessions_finish(struct sessions *s)
{
	for (size_t i = 0; i < s->count; ++i) {
		struct session *session = s->all[i];

		if (session->handshake_seen && !session->response_seen)
			anomaly(s, NULL, session, "handshake never answered (%u initiation%s)", session->initiations,
				session->initiations == 1 ? "" : "s");
		for (int dir = 0; dir < 2; ++dir) {
			struct gap_context g = { s, session, (enum session_direction)dir };

			countertrack_gaps(&session->dir[dir].counters, report_gap, &g);
		}
	}
}

void sessions_free(struct sessions *s)
{
	for (size_t i = 0; i < s->count; ++i) {
		struct session *session = s->all[i];

		chain_wipe(&session->chain);
		wg_aead_key_clear(&session->key[0]);
		wg_aead_key_clear(&session->key[1]);
		countertrack_free(&session->dir[0].counters);
		countertrack_free(&session->dir[1].counters);
		free(session);
	}
	free(s->all);
	free(s->slots);
	free(s->anomalies);
	if (s->plain)
		wg_secret_wipe(s->plain, s->plain_size);
	free(s->plain);
	memset(s, 0, sizeof(*s));
}
