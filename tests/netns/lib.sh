# Sourced by every tests/netns/*.test. Namespaces, veth links, daemons, keys, checks.
#
# A test prints one line per check: "ok <what>", "FAIL <what>" (details indented below it) or
# "skip <what> (<why>)", and ends with `finish`, which exits non-zero when a check failed.
# Everything a test creates carries the prefix $WGT_ID (namespaces "$WGT_ID-x", interfaces and
# so UAPI sockets "$WGT_ID-x"): /var/run/wireguard is shared by all namespaces and other runs may
# be going on at the same time. The exit trap kills the daemons and helpers this test started,
# by PID, deletes its namespaces and removes its sockets, also after an error or an interrupt.
#
# Environment:
#   BUILD           directory holding wgcd (default: the repository's build/)
#   WGC_TEST_IMPL   the implementation under test: wgcd (default) or wireguard-go
#   IMPL_A, IMPL_B  the two ends of the two-namespace tests (default: WGC_TEST_IMPL)
#   WGT_ID          name prefix (set by run; default w<pid>), at most 10 characters (interface
#                   names, "$WGT_ID-" and at most 4 more, stay within the kernel's 15)
#   WGT_LOGDIR      where daemon logs go (set by run, which shows them on failure)

set -u

WGT_NAME=$(basename "$0" .test)
WGT_ID=${WGT_ID:-w$$}
BUILD=${BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}
WGC_TEST_IMPL=${WGC_TEST_IMPL:-wgcd}
IMPL_A=${IMPL_A:-$WGC_TEST_IMPL}
IMPL_B=${IMPL_B:-$WGC_TEST_IMPL}
REF_IMPL=wireguard-go
WG_SOCK_DIR=/var/run/wireguard
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
export WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1	# Debian's wireguard-go refuses without it

WGT_TMP=$(mktemp -d "/tmp/wgt-$WGT_NAME.XXXXXX")
if [ -n "${WGT_LOGDIR:-}" ]; then
	mkdir -p "$WGT_LOGDIR"
	WGT_OWN_LOGDIR=0
else
	WGT_LOGDIR=$WGT_TMP/logs
	mkdir -p "$WGT_LOGDIR"
	WGT_OWN_LOGDIR=1
fi

N_OK=0
N_FAIL=0
N_SKIP=0
WGT_NAMESPACES=()
WGT_PIDS=()		# daemons and helpers, killed by PID at exit
declare -A DPID DNS DIMPL	# per interface: daemon PID, namespace, implementation

# ---------------------------------------------------------------------------- results

ok() { N_OK=$((N_OK + 1)); echo "ok $*"; }
skip() { N_SKIP=$((N_SKIP + 1)); echo "skip $1 (${2:-no reason given})"; }

# fail WHAT [DETAIL...]: each detail is printed indented below the FAIL line.
fail()
{
	N_FAIL=$((N_FAIL + 1))
	echo "FAIL $1"
	shift
	local d
	for d in "$@"; do printf '%s\n' "$d" | sed 's/^/    /'; done
}

# check WHAT CMD...: ok when CMD succeeds; otherwise FAIL with CMD's output.
check()
{
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$what"; return 0; fi
	fail "$what" "command: $*" "$(printf '%s' "$out" | tail -n 15)"
	return 1
}

# check_not WHAT CMD...: ok when CMD fails.
check_not()
{
	local what=$1 out
	shift
	if ! out=$("$@" 2>&1); then ok "$what"; return 0; fi
	fail "$what" "command unexpectedly succeeded: $*" "$(printf '%s' "$out" | tail -n 15)"
	return 1
}

# check_eq WHAT EXPECTED ACTUAL
check_eq()
{
	if [ "$2" = "$3" ]; then ok "$1"; return 0; fi
	fail "$1" "expected: $2" "actual:   $3"
	return 1
}

# A setup step that must work for the rest of the test to mean anything.
die() { fail "$WGT_NAME setup: $*"; exit 1; }
run_or_die() { local out; out=$("$@" 2>&1) || die "$* -> $out"; }

finish()
{
	echo "# $WGT_NAME: $N_OK ok, $N_FAIL failed, $N_SKIP skipped"
	[ "$N_FAIL" -eq 0 ]
	exit $?
}

# Skip the whole test (prints one skip line and exits successfully).
skip_all() { skip "$WGT_NAME" "$1"; exit 0; }

# ---------------------------------------------------------------------------- waiting

# wait_until SECONDS CMD...: polls CMD every 0.1 s until it succeeds; fails after SECONDS.
wait_until()
{
	local deadline=$(( $(date +%s%N) + ${1%.*} * 1000000000 ))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s%N)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
	return 0
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# ---------------------------------------------------------------------------- cleanup

wgt_kill()
{
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 30); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null
	return 0
}

wgt_cleanup()
{
	local rc=$? pid ns f
	set +e
	trap - INT TERM
	for pid in "${WGT_PIDS[@]}"; do wgt_kill "$pid"; done
	for ns in "${WGT_NAMESPACES[@]}"; do
		# Whatever still runs inside a namespace this test made was started by this test
		# (e.g. a daemon wg-quick forked into the background).
		for pid in $(ip netns pids "$ns" 2>/dev/null); do wgt_kill "$pid"; done
		ip netns del "$ns" 2>/dev/null
	done
	rm -f "$WG_SOCK_DIR/$WGT_ID-"*.sock 2>/dev/null
	if [ "$WGT_OWN_LOGDIR" = 1 ] && { [ "$N_FAIL" -gt 0 ] || [ "$rc" -ne 0 ]; }; then
		for f in "$WGT_LOGDIR"/*.log; do
			[ -s "$f" ] || continue
			echo "---- $(basename "$f") (last 40 lines)"
			tail -n 40 "$f"
		done
	fi
	rm -rf "$WGT_TMP"
	exit "$rc"
}
trap wgt_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Remember a background process started by the test so that it is killed at exit.
track_pid() { WGT_PIDS+=("$1"); }

# ---------------------------------------------------------------------------- topology

# ns NAME: the full name of this test's namespace NAME (also used for interface names).
ns() { echo "$WGT_ID-$1"; }

# ns_add NAME: creates namespace $(ns NAME) with lo up.
ns_add()
{
	local n
	n=$(ns "$1")
	run_or_die ip netns add "$n"
	WGT_NAMESPACES+=("$n")
	run_or_die ip -n "$n" link set lo up
}

nsx() { local n=$1; shift; ip netns exec "$n" "$@"; }

# veth NS1 IF1 NS2 IF2: a veth pair between two namespaces, both ends up.
veth()
{
	run_or_die ip -n "$1" link add "$2" type veth peer name "$4" netns "$3"
	run_or_die ip -n "$1" link set "$2" up
	run_or_die ip -n "$3" link set "$4" up
	wait_until 5 link_has_carrier "$1" "$2" || die "veth $1/$2 has no carrier"
}

link_has_carrier() { ip -n "$1" link show "$2" | grep -q LOWER_UP; }

# addr NS IF ADDR/LEN...: adds addresses (IPv6 ones without DAD) and waits until usable.
addr()
{
	local n=$1 dev=$2 a
	shift 2
	for a in "$@"; do
		case $a in
		*:*) run_or_die ip -n "$n" -6 addr add "$a" dev "$dev" nodad ;;
		*) run_or_die ip -n "$n" -4 addr add "$a" dev "$dev" ;;
		esac
	done
	wait_until 5 no_tentative "$n" "$dev" || die "IPv6 addresses on $n/$dev stay tentative"
}

no_tentative() { [ -z "$(ip -n "$1" -6 addr show dev "$2" tentative)" ]; }

# ---------------------------------------------------------------------------- keys

# key NAME: creates $WGT_TMP/NAME.key and NAME.pub; keyfile/pub print them.
key()
{
	(umask 077 && wg genkey >"$WGT_TMP/$1.key") || die "wg genkey"
	wg pubkey <"$WGT_TMP/$1.key" >"$WGT_TMP/$1.pub" || die "wg pubkey"
}
keyfile() { echo "$WGT_TMP/$1.key"; }
pub() { cat "$WGT_TMP/$1.pub"; }

# ---------------------------------------------------------------------------- daemons

# impl_bin IMPL: the executable of an implementation name (wgcd, wireguard-go, or a path).
impl_bin()
{
	case $1 in
	wgcd) echo "$BUILD/wgcd" ;;
	wireguard-go) command -v wireguard-go || echo /usr/bin/wireguard-go ;;
	*) echo "$1" ;;
	esac
}

# require_impls IMPL...: skips the whole test when an implementation is not built/installed.
require_impls()
{
	local i b
	for i in "$@"; do
		b=$(impl_bin "$i")
		[ -x "$b" ] || skip_all "$i not available at $b"
	done
}

# daemon_start NS IF IMPL: runs IMPL in the foreground (-f) inside NS, in the background of
# this shell, logging verbosely to $WGT_LOGDIR/IF.log; returns once the TUN IF and the socket
# exist. The interface is left down, without addresses.
daemon_start()
{
	local n=$1 ifn=$2 impl=$3 bin pid
	bin=$(impl_bin "$impl")
	[ -x "$bin" ] || die "$impl not found at $bin"
	echo "== $impl $ifn in $n" >>"$WGT_LOGDIR/$ifn.log"
	LOG_LEVEL=verbose ip netns exec "$n" "$bin" -f "$ifn" >>"$WGT_LOGDIR/$ifn.log" 2>&1 &
	pid=$!
	track_pid "$pid"
	DPID[$ifn]=$pid
	DNS[$ifn]=$n
	DIMPL[$ifn]=$impl
	wait_until 10 daemon_ready "$n" "$ifn" "$pid" || die "$impl $ifn did not come up (see $ifn.log)"
	kill -0 "$pid" 2>/dev/null || die "$impl $ifn exited at start (see $ifn.log)"
}

daemon_ready()
{
	kill -0 "$3" 2>/dev/null || return 0	# exited: stop waiting, the caller notices
	[ -S "$WG_SOCK_DIR/$2.sock" ] && ip -n "$1" link show "$2" >/dev/null 2>&1
}

# daemon_stop IF: SIGTERM, then waits (SIGKILL after 3 s).
daemon_stop() { wgt_kill "${DPID[$1]}"; wait "${DPID[$1]}" 2>/dev/null; return 0; }

daemon_alive() { kill -0 "${DPID[$1]}" 2>/dev/null; }

# wg_if NS IF ADDR...: brings a WireGuard interface up with the given addresses.
wg_if()
{
	local n=$1 ifn=$2
	shift 2
	run_or_die ip -n "$n" link set "$ifn" up
	addr "$n" "$ifn" "$@"
}

# wgs IF ARGS...: `wg ARGS...` inside the namespace of IF's daemon.
wgs() { local ifn=$1; shift; ip netns exec "${DNS[$ifn]}" wg "$@"; }

# ---------------------------------------------------------------------------- reading wg show

# wg_field IF PUB WHAT: one peer's column of `wg show IF WHAT` (endpoints, latest-handshakes,
# persistent-keepalive, preshared-keys, allowed-ips); transfer gives "rx tx".
wg_field()
{
	wgs "$1" show "$1" "$3" | awk -v k="$2" '$1 == k { $1 = ""; sub(/^ /, ""); print }'
}
wg_endpoint() { wg_field "$1" "$2" endpoints; }
wg_handshake() { wg_field "$1" "$2" latest-handshakes; }
wg_rx() { wg_field "$1" "$2" transfer | awk '{ print $1 }'; }
wg_tx() { wg_field "$1" "$2" transfer | awk '{ print $2 }'; }
wg_peers() { wgs "$1" show "$1" peers; }

has_handshake() { local t; t=$(wg_handshake "$1" "$2"); [ -n "$t" ] && [ "$t" != 0 ]; }

# ---------------------------------------------------------------------------- traffic

# ping_ok NS DST [ping args]: two echo replies within 5 s.
ping_ok() { local n=$1 d=$2; shift 2; ip netns exec "$n" ping -n -q -c 2 -i 0.2 -w 5 "$@" "$d"; }
# ping_none NS DST [ping args]: not a single reply to three echo requests within 2 s.
ping_none() { local n=$1 d=$2; shift 2; ! ip netns exec "$n" ping -n -q -c 3 -i 0.3 -w 2 "$@" "$d"; }

# iperf NS_SERVER SERVER_ADDR NS_CLIENT [iperf3 client args]: a 2-second iperf3 run; prints
# "<bytes received by the receiver> <lost percent or 0>" (python parses the -J report).
iperf()
{
	local sn=$1 sa=$2 cn=$3 spid json=$WGT_TMP/iperf.json
	shift 3
	ip netns exec "$sn" iperf3 -s -1 -B "$sa" -p 5201 >>"$WGT_LOGDIR/iperf3-server.log" 2>&1 &
	spid=$!
	track_pid "$spid"
	if ! wait_until 5 port_listening "$sn" 5201; then
		echo "iperf3 server did not start"
		return 1
	fi
	ip netns exec "$cn" timeout 30 iperf3 -c "$sa" -p 5201 -t 2 -J "$@" >"$json" 2>&1
	wgt_kill "$spid"
	wait "$spid" 2>/dev/null
	"$PY" - "$json" <<-'EOF'
	import json, sys
	try:
	    r = json.load(open(sys.argv[1]))
	except Exception as e:
	    print("unreadable iperf3 report:", e, open(sys.argv[1]).read()[:400]); sys.exit(1)
	if "error" in r:
	    print("iperf3 error:", r["error"]); sys.exit(1)
	end = r["end"]
	if "sum_received" in end:
	    print(end["sum_received"]["bytes"], 0)
	else:
	    s = end["sum"]
	    got = s["bytes"] * (100 - s.get("lost_percent", 0)) / 100
	    print(int(got), round(s.get("lost_percent", 0), 2))
	EOF
}

port_listening() { ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q LISTEN; }

# check_iperf WHAT NS_SERVER SERVER_ADDR NS_CLIENT [args]: some data made it through, and for
# UDP less than half of it was lost.
check_iperf()
{
	local what=$1 res bytes lost
	shift
	if ! res=$(iperf "$@" 2>&1); then fail "$what" "$res"; return 1; fi
	read -r bytes lost <<<"$res"
	if [ "${bytes:-0}" -gt 100000 ] && awk -v l="$lost" 'BEGIN { exit !(l < 50) }'; then
		ok "$what ($((bytes / 1000)) kB, lost $lost%)"
		return 0
	fi
	fail "$what" "received $bytes bytes, lost $lost%"
	return 1
}

# ---------------------------------------------------------------------------- UAPI

# uapi_raw IF TEXT: sends TEXT on IF's UAPI socket and prints the whole reply.
uapi_raw()
{
	"$PY" - "$WG_SOCK_DIR/$1.sock" "$2" <<-'EOF'
	import socket, sys
	s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	s.settimeout(5)
	s.connect(sys.argv[1])
	s.sendall(sys.argv[2].encode())
	buf = b""
	while not buf.endswith(b"\n\n"):
	    try:
	        d = s.recv(65536)
	    except socket.timeout:
	        break
	    if not d:
	        break
	    buf += d
	sys.stdout.write(buf.decode(errors="replace"))
	EOF
}

# ---------------------------------------------------------------------------- the usual pair
#
#   ns a: veth0 192.168.241.1/24 fd00:241::1/64      ns b: veth0 192.168.241.2/24 fd00:241::2/64
#         $IF_A 10.200.0.1/24 fd00:200::1/64  <====>       $IF_B 10.200.0.2/24 fd00:200::2/64
#         listen port 10001, key a                          listen port 10002, key b
#
# pair_up IMPL_A IMPL_B [TAG]: the above, each side knowing the other's public key and inner
# addresses (/32, /128) but no endpoint: set those with `endpoint`. TAG (one or two characters)
# makes the names differ when a test builds several pairs one after the other.
pair_up()
{
	local tag=${3:-}
	NS_A=$(ns "a$tag")
	NS_B=$(ns "b$tag")
	IF_A=$NS_A
	IF_B=$NS_B
	ns_add "a$tag"
	ns_add "b$tag"
	veth "$NS_A" veth0 "$NS_B" veth0
	addr "$NS_A" veth0 192.168.241.1/24 fd00:241::1/64
	addr "$NS_B" veth0 192.168.241.2/24 fd00:241::2/64
	key a
	key b
	daemon_start "$NS_A" "$IF_A" "$1"
	daemon_start "$NS_B" "$IF_B" "$2"
	run_or_die wgs "$IF_A" set "$IF_A" private-key "$(keyfile a)" listen-port 10001 \
		peer "$(pub b)" allowed-ips 10.200.0.2/32,fd00:200::2/128
	run_or_die wgs "$IF_B" set "$IF_B" private-key "$(keyfile b)" listen-port 10002 \
		peer "$(pub a)" allowed-ips 10.200.0.1/32,fd00:200::1/128
	wg_if "$NS_A" "$IF_A" 10.200.0.1/24 fd00:200::1/64
	wg_if "$NS_B" "$IF_B" 10.200.0.2/24 fd00:200::2/64
}

# pair_down: stops both daemons and deletes both namespaces.
pair_down()
{
	daemon_stop "$IF_A"
	daemon_stop "$IF_B"
	ip netns del "$NS_A" 2>/dev/null
	ip netns del "$NS_B" 2>/dev/null
	return 0
}

# endpoint a|b 4|6: tells side a (or b) where the other side listens, over outer IPv4 or IPv6.
endpoint()
{
	case $1$2 in
	a4) run_or_die wgs "$IF_A" set "$IF_A" peer "$(pub b)" endpoint 192.168.241.2:10002 ;;
	a6) run_or_die wgs "$IF_A" set "$IF_A" peer "$(pub b)" endpoint "[fd00:241::2]:10002" ;;
	b4) run_or_die wgs "$IF_B" set "$IF_B" peer "$(pub a)" endpoint 192.168.241.1:10001 ;;
	b6) run_or_die wgs "$IF_B" set "$IF_B" peer "$(pub a)" endpoint "[fd00:241::1]:10001" ;;
	*) die "endpoint $*" ;;
	esac
}

echo "# $WGT_NAME: under test $WGC_TEST_IMPL (A=$IMPL_A, B=$IMPL_B), reference $REF_IMPL, prefix $WGT_ID"

# ---------------------------------------------------------------------------- TCP transport

# pubhex NAME: NAME's public key in the UAPI's hex.
pubhex() { "$PY" -c 'import base64, sys; print(base64.b64decode(open(sys.argv[1]).read()).hex())' "$WGT_TMP/$1.pub"; }

# uapi_set IF LINE...: one UAPI set of these lines (wgc's extension keys among them, which
# stock `wg` cannot send); dies unless the daemon answers errno=0.
uapi_set()
{
	local ifn=$1 text="set=1" reply
	shift
	for line in "$@"; do text+=$'\n'"$line"; done
	reply=$(uapi_raw "$ifn" "$text"$'\n\n')
	[ "$reply" = "errno=0" ] || die "uapi set on $ifn (${*}) -> $reply"
}

# udp_block NS / udp_unblock NS: every UDP datagram in or out of NS's veth links dropped, by
# nftables (what a network that passes only TCP does).
udp_block()
{
	run_or_die ip netns exec "$1" nft -f - <<-'EOF'
	table inet wgt_udp {
		chain in { type filter hook input priority 0; iifname "veth*" meta l4proto udp drop; }
		chain out { type filter hook output priority 0; oifname "veth*" meta l4proto udp drop; }
	}
	EOF
}
udp_unblock() { ip netns exec "$1" nft delete table inet wgt_udp 2>/dev/null; return 0; }

# tcp_conns NS PORT: established TCP connections in NS with local or remote port PORT.
tcp_conns() { ip netns exec "$1" ss -Htn state established "( sport = :$2 or dport = :$2 )" | wc -l; }

# wgc_show IF: `wgc show IF` inside IF's namespace.
wgc_show() { ip netns exec "${DNS[$1]}" "$BUILD/wgc" show "$1"; }

# rss_kib PID: the process's resident memory.
rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

# tcpdump_start NS DEV FILE [FILTER] / tcpdump_stop: a capture (of UDP unless told) on DEV in NS,
# every packet as it comes (--immediate-mode, -U), until stopped by its PID.
tcpdump_start()
{
	ip netns exec "$1" tcpdump -n -U --immediate-mode -i "$2" -w "$3" ${4:-udp} 2>"$3.err" &
	TCPDUMP_PID=$!
	track_pid "$TCPDUMP_PID"
	wait_until 5 grep -q "listening on" "$3.err" || die "tcpdump did not start"
}
tcpdump_stop() { sleep 0.3; wgt_kill "$TCPDUMP_PID"; wait "$TCPDUMP_PID" 2>/dev/null; return 0; }

# offloads_off: GSO and GRO off on both veths of the usual pair, so that a capture sees each
# datagram, not a super-packet.
offloads_off()
{
	run_or_die ip netns exec "$NS_A" ethtool -K veth0 gso off tx-udp-segmentation off gro off
	run_or_die ip netns exec "$NS_B" ethtool -K veth0 gso off tx-udp-segmentation off gro off
}

# nft_packets NS FAMILY TABLE: the packet count of the table's one counter.
nft_packets() { ip netns exec "$1" nft list table "$2" "$3" | grep -o 'packets [0-9]*' | awk '{ print $2 }'; }

# ---------------------------------------------------------------------------- obfuscation

# AmneziaWG's full set as the obfuscation tests use it: Jc=4 Jmin=40 Jmax=70, S1..S4, H1..H4
# ranges, a's I1 of every tag and an I2, b's own I1.
OBFS_H=(h1=100000-100999 h2=200000-200999 h3=300000-300999 h4=400000-400999)
OBFS_S=(s1=15 s2=18 s3=20 s4=8)
OBFS_J=(jc=4 jmin=40 jmax=70)
OBFS_I1_A='i1=<b 0xc0ffee01><r 8><rc 6><rd 4><t>'
OBFS_I2_A='i2=<b 0xabcd> <r 100>'
OBFS_I1_B='i1=<b 0x0102030405>'

# obfs_spec FILE A_SIGS B_SIGS: what tools/obfs-capture.py expects of each end of that set (S,
# H, junk, and each signature's length and head as [[length, "head"], ...]).
obfs_spec()
{
	local side='"s": [15, 18, 20, 8], "h": [[100000, 100999], [200000, 200999], [300000, 300999], [400000, 400999]],
	       "jc": 4, "jmin": 40, "jmax": 70'
	cat >"$1" <<-JSON
	{"ports": {"a": 10001, "b": 10002},
	 "a": {$side, "sigs": $2},
	 "b": {$side, "sigs": $3}}
	JSON
}
