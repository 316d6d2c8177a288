#!/usr/bin/env bash
# Makes the golden captures of this directory again (as root): two network namespaces joined by a
# veth pair, a WireGuard pair across them, tcpdump on the initiator's veth, three pings each way.
#
#   psk-ping.*   wgcd (a, initiator, key log) <-> wgcd (b, responder, key log), a preshared key
#   wggo-ping.*  wgcd (a, initiator, key log) <-> wireguard-go (b, responder), no preshared key
#
#   ns a: veth0 192.168.241.1, wg 10.200.0.1, port 10001  <->  ns b: veth0 192.168.241.2, wg 10.200.0.2, port 10002
#
# Each .kdf is what tests/tools/kdf-reference.py (the independent reference) prints for the
# capture with the initiator's key log; the script checks that the responder's key (its key log,
# or wireguard-go's private key) gives the same chain, that every transport message opens under
# the keys the chain ends with, and that tshark's dissector decrypts both handshake messages with
# the same key log.
#
# Usage: BUILD=build-vectors tests/vectors/analyze/make-vectors.sh [OUTDIR]
#   BUILD   the build directory holding wgcd (default: the repository's build/); wgcd must write
#           a key log when started with WGC_KEYLOG_FILE=PATH
#   OUTDIR  where the files go (default: this script's directory)
# Everything it starts is killed by PID and its namespaces are deleted at exit (tests/netns/lib.sh).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
OUT=${1:-$HERE}
REF=$REPO/tests/tools/kdf-reference.py
[ "$(id -u)" = 0 ] || { echo "make-vectors.sh: run as root (network namespaces)" >&2; exit 1; }
export BUILD=${BUILD:-$REPO/build}
case $BUILD in /*) ;; *) BUILD=$REPO/$BUILD ;; esac
export WGT_ID=${WGT_ID:-kv$$}
. "$REPO/tests/netns/lib.sh"

require_impls wgcd wireguard-go
for t in tcpdump tshark ethtool; do command -v "$t" >/dev/null || skip_all "$t not installed"; done
"$PY" -c 'import cryptography' 2>/dev/null || skip_all "python3-cryptography not installed"
mkdir -p "$OUT"

# capture NAME TAG IMPL_B PSK(yes|no): one capture (namespaces and interfaces named with TAG, one
# character: interface names have at most 15); leaves NAME.pcap, NAME.a-keylog, NAME.b-keylog
# (empty for wireguard-go) and NAME.b-key in $WGT_TMP.
capture()
{
	local name=$1 tag=$2 impl_b=$3 psk=$4 na nb ia ib td n psk_args=() cap=$WGT_TMP/$1.pcap
	na=$(ns "a$tag")
	nb=$(ns "b$tag")
	ia=$na ib=$nb
	ns_add "a$tag"
	ns_add "b$tag"
	veth "$na" veth0 "$nb" veth0
	for n in "$na" "$nb"; do
		ip netns exec "$n" ethtool -K veth0 gso off gro off tx-udp-segmentation off >/dev/null 2>&1 ||
			die "ethtool -K veth0 in $n"
	done
	addr "$na" veth0 192.168.241.1/24
	addr "$nb" veth0 192.168.241.2/24
	key "a$name"
	key "b$name"
	if [ "$psk" = yes ]; then
		(umask 077 && wg genpsk >"$WGT_TMP/$name.psk") || die "wg genpsk"
		psk_args=(preshared-key "$WGT_TMP/$name.psk")
	fi
	WGC_KEYLOG_FILE=$WGT_TMP/$name.a-keylog daemon_start "$na" "$ia" wgcd
	if [ "$impl_b" = wgcd ]; then
		WGC_KEYLOG_FILE=$WGT_TMP/$name.b-keylog daemon_start "$nb" "$ib" wgcd
	else
		daemon_start "$nb" "$ib" "$impl_b"
		: >"$WGT_TMP/$name.b-keylog"
	fi
	# The tunnels carry IPv4 only: no IPv6 chatter (MLD, router solicitations) in the capture.
	for n in "$na:$ia" "$nb:$ib"; do
		ip netns exec "${n%%:*}" sysctl -q -w "net.ipv6.conf.${n#*:}.disable_ipv6=1" >/dev/null 2>&1
	done
	run_or_die wgs "$ia" set "$ia" private-key "$(keyfile "a$name")" listen-port 10001 \
		peer "$(pub "b$name")" "${psk_args[@]}" allowed-ips 10.200.0.2/32 endpoint 192.168.241.2:10002
	run_or_die wgs "$ib" set "$ib" private-key "$(keyfile "b$name")" listen-port 10002 \
		peer "$(pub "a$name")" "${psk_args[@]}" allowed-ips 10.200.0.1/32
	wg_if "$na" "$ia" 10.200.0.1/24
	wg_if "$nb" "$ib" 10.200.0.2/24

	ip netns exec "$na" tcpdump -Z root -i veth0 -n --immediate-mode -U -w "$cap" \
		udp port 10001 or udp port 10002 2>"$WGT_LOGDIR/tcpdump-$name.log" &
	td=$!
	track_pid "$td"
	wait_until 5 grep -q "listening on" "$WGT_LOGDIR/tcpdump-$name.log" || die "tcpdump did not start"
	check "$name: 3 pings a -> b" ip netns exec "$na" ping -n -q -c 3 -i 0.2 -w 5 10.200.0.2
	check "$name: 3 pings b -> a" ip netns exec "$nb" ping -n -q -c 3 -i 0.2 -w 5 10.200.0.1
	sleep 0.3
	kill -INT "$td" 2>/dev/null
	wait "$td" 2>/dev/null
	daemon_stop "$ia"
	daemon_stop "$ib"
	cp "$(keyfile "b$name")" "$WGT_TMP/$name.b-key"
}

# same WHAT FILE1 FILE2
same()
{
	if cmp -s "$2" "$3"; then ok "$1"; return 0; fi
	fail "$1" "$(diff "$2" "$3" | head -n 20)"
}

# tshark_check NAME PCAP KEYLOG: with KEYLOG tshark's dissector opens the initiation's static and
# the response's empty (handshake_ok) in the frames, with the indices, that the reference names.
tshark_check()
{
	local name=$1 pcap=$2 kl=$3 got want
	got=$(tshark -r "$pcap" -o "wg.keylog_file:$kl" -Y 'wg.type == 1 || wg.type == 2' -T fields \
		-e frame.number -e wg.type -e wg.sender -e wg.receiver -e wg.handshake_ok -e wg.static 2>/dev/null |
		awk -F'\t' '$2 == 1 { print $1, "initiation", $3, ($6 != "" ? "static-opened" : "static-not-opened") }
			$2 == 2 { print $1, "response", $3, $4, ($5 == 1 ? "handshake-ok" : "handshake-not-ok") }')
	want=$(awk '$1 == "kdf" && $4 == "initiation" { print $3, "initiation", $6, "static-opened" }
		$1 == "kdf" && $4 == "response" { print $3, "response", $6, $8, "handshake-ok" }' "$OUT/$name.kdf")
	check_eq "$name: tshark opens the handshake with $(basename "$kl") (frames, indices)" "$want" "$got"
}

# transport_check NAME PCAP KEYLOG [ARGS]: every transport message opens under the chain's keys.
transport_check()
{
	local name=$1 pcap=$2 kl=$3 out what
	shift 3
	what="$name: every transport message opens under the keys from $(basename "$kl")"
	if out=$("$PY" "$REF" "$pcap" "$kl" "$@" --check-transport 2>&1 >/dev/null) &&
		grep -q "opened with the derived keys: [1-9][0-9]*, failed: 0" <<<"$out"; then
		ok "$what (${out##*derived keys: })"
	else
		fail "$what" "$out"
	fi
}

# one_block_each NAME: the capture holds one initiation and one response (frames 1 and 2, as
# tshark reads it) and the .kdf has their two blocks, 7 lines each.
one_block_each()
{
	check_eq "$1: one handshake in the capture, frames 1 and 2" "1 1
2 2" "$(tshark -r "$OUT/$1.pcap" -Y 'wg.type != 4' -T fields -e frame.number -e wg.type 2>/dev/null | tr '\t' ' ')"
	check_eq "$1: the trace has both blocks" "1 initiation
2 response" "$(awk '$1 == "kdf" { print $3, $4 }' "$OUT/$1.kdf")"
	check_eq "$1: 14 lines in the trace" 14 "$(wc -l <"$OUT/$1.kdf")"
}

small()
{
	local s
	s=$(stat -c %s "$2")
	if [ "$s" -lt 10240 ]; then ok "$1: $s bytes"; else fail "$1: $s bytes, >= 10 KB"; fi
}

# ---------------------------------------------------------------------------- wgcd <-> wgcd, PSK

capture psk-ping 1 wgcd yes
cp "$WGT_TMP/psk-ping.pcap" "$OUT/psk-ping.pcap"
cp "$WGT_TMP/psk-ping.a-keylog" "$OUT/psk-ping.keylog"
cp "$WGT_TMP/psk-ping.b-keylog" "$OUT/psk-ping.responder-keylog"
chmod 644 "$OUT/psk-ping.pcap" "$OUT/psk-ping.keylog" "$OUT/psk-ping.responder-keylog"
small "psk-ping.pcap" "$OUT/psk-ping.pcap"
check "psk-ping: initiator's key log has a PRESHARED_KEY, not zero" \
	grep -q '^PRESHARED_KEY = [^A]' "$OUT/psk-ping.keylog"
"$PY" "$REF" "$OUT/psk-ping.pcap" "$OUT/psk-ping.keylog" >"$OUT/psk-ping.kdf" 2>"$WGT_TMP/ref.err" ||
	fail "psk-ping: reference with the initiator's key log" "$(cat "$WGT_TMP/ref.err")"
one_block_each psk-ping
"$PY" "$REF" "$OUT/psk-ping.pcap" "$OUT/psk-ping.responder-keylog" >"$WGT_TMP/psk-ping.r.kdf" 2>&1
same "psk-ping: the responder's key log gives the same trace" "$OUT/psk-ping.kdf" "$WGT_TMP/psk-ping.r.kdf"
transport_check psk-ping "$OUT/psk-ping.pcap" "$OUT/psk-ping.keylog"
transport_check psk-ping "$OUT/psk-ping.pcap" "$OUT/psk-ping.responder-keylog"
tshark_check psk-ping "$OUT/psk-ping.pcap" "$OUT/psk-ping.keylog"
tshark_check psk-ping "$OUT/psk-ping.pcap" "$OUT/psk-ping.responder-keylog"
# The reference refuses what does not open: a zero PSK in place of the real one loses the response.
sed 's/^PRESHARED_KEY = .*/PRESHARED_KEY = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=/' "$OUT/psk-ping.keylog" \
	>"$WGT_TMP/wrong-psk.keylog"
"$PY" "$REF" "$OUT/psk-ping.pcap" "$WGT_TMP/wrong-psk.keylog" >"$WGT_TMP/wrong-psk.kdf" 2>"$WGT_TMP/wrong-psk.err"
head -n 7 "$OUT/psk-ping.kdf" >"$WGT_TMP/psk-ping.i.kdf"
same "psk-ping: a wrong PSK leaves only the initiation" "$WGT_TMP/psk-ping.i.kdf" "$WGT_TMP/wrong-psk.kdf"
check "psk-ping: a wrong PSK is noted" grep -q "frame 2: response .*AEAD failed" "$WGT_TMP/wrong-psk.err"

# ---------------------------------------------------------------------------- wgcd <-> wireguard-go

capture wggo-ping 2 wireguard-go no
cp "$WGT_TMP/wggo-ping.pcap" "$OUT/wggo-ping.pcap"
cp "$WGT_TMP/wggo-ping.a-keylog" "$OUT/wggo-ping.keylog"
cp "$WGT_TMP/wggo-ping.b-key" "$OUT/wggo-ping.responder-private-key"
chmod 644 "$OUT/wggo-ping.pcap" "$OUT/wggo-ping.keylog" "$OUT/wggo-ping.responder-private-key"
small "wggo-ping.pcap" "$OUT/wggo-ping.pcap"
"$PY" "$REF" "$OUT/wggo-ping.pcap" "$OUT/wggo-ping.keylog" >"$OUT/wggo-ping.kdf" 2>"$WGT_TMP/ref.err" ||
	fail "wggo-ping: reference with the initiator's key log" "$(cat "$WGT_TMP/ref.err")"
one_block_each wggo-ping
# wireguard-go's private key alone rebuilds the initiation (its ephemeral is nowhere: no response).
"$PY" "$REF" "$OUT/wggo-ping.pcap" - --private-key "$OUT/wggo-ping.responder-private-key" \
	>"$WGT_TMP/wggo-ping.r.kdf" 2>/dev/null
head -n 7 "$OUT/wggo-ping.kdf" >"$WGT_TMP/wggo-ping.i.kdf"
same "wggo-ping: the responder's private key gives the same initiation" \
	"$WGT_TMP/wggo-ping.i.kdf" "$WGT_TMP/wggo-ping.r.kdf"
transport_check wggo-ping "$OUT/wggo-ping.pcap" "$OUT/wggo-ping.keylog"
tshark_check wggo-ping "$OUT/wggo-ping.pcap" "$OUT/wggo-ping.keylog"

finish
