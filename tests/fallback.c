/*
 * Transport = auto's decisions (libwgc/fallback.h) on virtual time: UDP first, TCP after two
 * unanswered initiations (whatever traffic does to the core's own attempt count), a probe of
 * UDP every interval while on TCP, back on UDP when UDP authenticates, following the peer.
 */
#include "harness.h"
#include "libwgc/fallback.h"

#define S 1000000000ull

static const uint64_t interval = 120 * S;

TEST(fallback_starts_on_udp_as_configured)
{
	struct wgl_fallback f;

	wgl_fallback_start(&f);
	CHECK_EQ(f.active, WG_TRANSPORT_UDP);
	CHECK_EQ(f.reason, WG_TRANSPORT_CONFIGURED);
	CHECK_EQ(f.next_probe, UINT64_MAX);
	CHECK_EQ(wgl_fallback_due(&f, 1000 * S, interval), WGL_FALLBACK_STAY);
}

/* Initiation at 0 s and 5 s unanswered: the retry at 10 s goes over TCP. */
TEST(fallback_two_unanswered_initiations_move_to_tcp)
{
	struct wgl_fallback f;

	wgl_fallback_start(&f);
	CHECK_EQ(wgl_fallback_initiated(&f, 0, interval), WGL_FALLBACK_STAY);
	CHECK_EQ(wgl_fallback_retry(&f, 5 * S, interval), WGL_FALLBACK_STAY);
	CHECK_EQ(wgl_fallback_initiated(&f, 0, interval), WGL_FALLBACK_STAY);
	CHECK_EQ(wgl_fallback_retry(&f, 10 * S, interval), WGL_FALLBACK_USE_TCP);
	CHECK_EQ(f.active, WG_TRANSPORT_TCP);
	CHECK_EQ(f.reason, WG_TRANSPORT_UDP_UNANSWERED);
	CHECK_EQ(f.next_probe, 10 * S + interval);
	/* On TCP, initiations and retries there change nothing. */
	CHECK_EQ(wgl_fallback_initiated(&f, 11 * S, interval), WGL_FALLBACK_STAY);
	CHECK_EQ(wgl_fallback_initiated(&f, 16 * S, interval), WGL_FALLBACK_STAY);
	CHECK_EQ(wgl_fallback_initiated(&f, 21 * S, interval), WGL_FALLBACK_STAY);
	CHECK_EQ(wgl_fallback_retry(&f, 15 * S, interval), WGL_FALLBACK_STAY);
	CHECK_EQ(f.active, WG_TRANSPORT_TCP);
}

/* A handshake that completes in between starts the count again. */
TEST(fallback_a_completed_handshake_resets_the_count)
{
	struct wgl_fallback f;

	wgl_fallback_start(&f);
	CHECK_EQ(wgl_fallback_initiated(&f, 0, interval), WGL_FALLBACK_STAY);
	wgl_fallback_completed(&f);
	CHECK_EQ(wgl_fallback_initiated(&f, 0, interval), WGL_FALLBACK_STAY);
	CHECK_EQ(wgl_fallback_retry(&f, 125 * S, interval), WGL_FALLBACK_STAY);
	CHECK_EQ(f.active, WG_TRANSPORT_UDP);
}

TEST(fallback_probes_udp_every_interval_until_it_answers)
{
	struct wgl_fallback f;

	wgl_fallback_start(&f);
	CHECK_EQ(wgl_fallback_initiated(&f, 0, interval), WGL_FALLBACK_STAY);
	CHECK_EQ(wgl_fallback_initiated(&f, 0, interval), WGL_FALLBACK_STAY);
	wgl_fallback_retry(&f, 10 * S, interval);
	CHECK_EQ(wgl_fallback_due(&f, 10 * S + interval - 1, interval), WGL_FALLBACK_STAY);
	CHECK_EQ(wgl_fallback_due(&f, 10 * S + interval, interval), WGL_FALLBACK_PROBE_UDP);
	CHECK_EQ(f.next_probe, 10 * S + 2 * interval);
	/* The probe's initiation is not an unanswered UDP one for the count. */
	CHECK_EQ(wgl_fallback_initiated(&f, 0, interval), WGL_FALLBACK_STAY);
	CHECK_EQ(wgl_fallback_due(&f, 10 * S + interval + 1, interval), WGL_FALLBACK_STAY);
	CHECK_EQ(wgl_fallback_due(&f, 10 * S + 2 * interval, interval), WGL_FALLBACK_PROBE_UDP);
	/* The answer came over UDP: back there, and no more probes. */
	CHECK_EQ(wgl_fallback_moved(&f, WG_TRANSPORT_UDP, 10 * S + 2 * interval + S / 10, interval),
		 WGL_FALLBACK_USE_UDP);
	CHECK_EQ(f.active, WG_TRANSPORT_UDP);
	CHECK_EQ(f.reason, WG_TRANSPORT_UDP_ANSWERED);
	CHECK_EQ(f.next_probe, UINT64_MAX);
	CHECK_EQ(wgl_fallback_due(&f, 1000 * S, interval), WGL_FALLBACK_STAY);
	/* And UDP gets two initiations again before the next switch. */
	CHECK_EQ(wgl_fallback_initiated(&f, 0, interval), WGL_FALLBACK_STAY);
	CHECK_EQ(wgl_fallback_retry(&f, 1005 * S, interval), WGL_FALLBACK_STAY);
	CHECK_EQ(wgl_fallback_initiated(&f, 0, interval), WGL_FALLBACK_STAY);
	CHECK_EQ(wgl_fallback_retry(&f, 1010 * S, interval), WGL_FALLBACK_USE_TCP);
}

/* The responder's side: whichever transport authenticated last. */
TEST(fallback_follows_the_peer)
{
	struct wgl_fallback f;

	wgl_fallback_start(&f);
	CHECK_EQ(wgl_fallback_moved(&f, WG_TRANSPORT_UDP, S, interval), WGL_FALLBACK_STAY);
	CHECK_EQ(wgl_fallback_moved(&f, WG_TRANSPORT_TCP, 2 * S, interval), WGL_FALLBACK_FOLLOW_TCP);
	CHECK_EQ(f.active, WG_TRANSPORT_TCP);
	CHECK_EQ(f.reason, WG_TRANSPORT_PEER_CHOSE);
	CHECK_EQ(f.next_probe, 2 * S + interval);
	CHECK_EQ(wgl_fallback_moved(&f, WG_TRANSPORT_TCP, 3 * S, interval), WGL_FALLBACK_STAY);
	/* UDP from the peer before any probe of ours: its choice, not an answer. */
	CHECK_EQ(wgl_fallback_moved(&f, WG_TRANSPORT_UDP, 4 * S, interval), WGL_FALLBACK_USE_UDP);
	CHECK_EQ(f.active, WG_TRANSPORT_UDP);
	CHECK_EQ(f.reason, WG_TRANSPORT_PEER_CHOSE);
}

/* A shortened interval, as the tests use. */
TEST(fallback_interval_is_the_callers)
{
	struct wgl_fallback f;

	wgl_fallback_start(&f);
	CHECK_EQ(wgl_fallback_initiated(&f, 0, interval), WGL_FALLBACK_STAY);
	CHECK_EQ(wgl_fallback_initiated(&f, 0, interval), WGL_FALLBACK_STAY);
	wgl_fallback_retry(&f, 10 * S, 5 * S);
	CHECK_EQ(wgl_fallback_due(&f, 15 * S, 5 * S), WGL_FALLBACK_PROBE_UDP);
	CHECK_EQ(f.next_probe, 20 * S);
}

/* Traffic starts the third initiation before the retry timer would: it left over UDP, and is
 * the one that moves the peer (and is repeated over TCP). */
TEST(fallback_third_initiation_from_traffic_moves_to_tcp)
{
	struct wgl_fallback f;

	wgl_fallback_start(&f);
	CHECK_EQ(wgl_fallback_initiated(&f, 0, interval), WGL_FALLBACK_STAY);
	CHECK_EQ(wgl_fallback_initiated(&f, 5 * S, interval), WGL_FALLBACK_STAY);
	CHECK_EQ(wgl_fallback_initiated(&f, 10 * S, interval), WGL_FALLBACK_USE_TCP);
	CHECK_EQ(f.active, WG_TRANSPORT_TCP);
	CHECK_EQ(f.reason, WG_TRANSPORT_UDP_UNANSWERED);
	CHECK_EQ(f.next_probe, 10 * S + interval);
	/* Its retry then finds TCP in use already. */
	CHECK_EQ(wgl_fallback_retry(&f, 15 * S, interval), WGL_FALLBACK_STAY);
}
