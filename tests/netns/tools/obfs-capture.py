#!/usr/bin/env python3
"""Checks a capture (pcap, Ethernet, IPv4/UDP) of an obfuscated WireGuard session between two
ends, each described in a JSON spec: {"ports": {"a": 10001, "b": 10002}, "a": SIDE, "b": SIDE}
with SIDE = {"s": [S1..S4], "h": [[lo, hi] x4], "jc": N, "jmin": N, "jmax": N,
"sigs": [[length, "hex of its fixed first bytes"], ...]}.

Prints one line per check, "<name> ok <detail>" or "<name> fail <detail>":
  plain       no datagram has WireGuard's own size (148/92/64) with a type word 1..4
  classified  every datagram of either end is a message of its format, a signature or junk
  junk        junk lengths lie in [Jmin, Jmax)
  preceded    each initiation of an end comes right after its signatures and Jc junk
  counts      how many of each kind there were (informational; fail when no initiation)
Datagrams from other ports (a flood) are only held to "plain".
"""
import json
import struct
import sys


def datagrams(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(frame) < 14 + 20 + 8 or frame[12:14] != b"\x08\x00":
            continue
        ihl = (frame[14] & 15) * 4
        if frame[14 + 9] != 17:
            continue
        udp = frame[14 + ihl:]
        sport, dport, ulen = struct.unpack(">HHH", udp[:6])
        yield sport, dport, udp[8:ulen]


def in_range(word, r):
    return r[0] <= word <= r[1]


def kind_of(side, d):
    s, h = side["s"], side["h"]
    sizes = [148, 92, 64]
    for i, name in enumerate(["initiation", "response", "cookie"]):
        if len(d) == s[i] + sizes[i] and in_range(struct.unpack("<I", d[s[i]:s[i] + 4])[0], h[i]):
            return name
    if len(d) >= s[3] + 32 and in_range(struct.unpack("<I", d[s[3]:s[3] + 4])[0], h[3]):
        return "data"
    for n, (length, head) in enumerate(side["sigs"]):
        if len(d) == length and d.startswith(bytes.fromhex(head)):
            return "sig%d" % (n + 1)
    if side["jmin"] <= len(d) < side["jmax"]:
        return "junk"
    return None


def main():
    path, spec = sys.argv[1], json.load(open(sys.argv[2]))
    ports = {spec["ports"][e]: e for e in ("a", "b")}
    seq = {"a": [], "b": []}
    plain_like, unknown, counts = 0, [], {}
    for sport, dport, d in datagrams(path):
        if len(d) in (148, 92, 64) and 1 <= struct.unpack("<I", d[:4])[0] <= 4:
            plain_like += 1
        end = ports.get(sport)
        if end is None:
            continue
        k = kind_of(spec[end], d)
        if k is None:
            unknown.append((end, len(d), d[:8].hex()))
            continue
        seq[end].append(k)
        counts["%s %s" % (end, k)] = counts.get("%s %s" % (end, k), 0) + 1
    print("plain %s %d datagrams of WireGuard's own sizes and types" % ("ok" if not plain_like else "fail", plain_like))
    print("classified %s %d unknown %s" % ("ok" if not unknown else "fail", len(unknown), unknown[:5]))
    bad_preceded, initiations = [], 0
    for end in ("a", "b"):
        side = spec[end]
        want = ["sig%d" % (n + 1) for n in range(len(side["sigs"]))] + ["junk"] * side["jc"]
        for i, k in enumerate(seq[end]):
            if k != "initiation":
                continue
            initiations += 1
            got = seq[end][max(0, i - len(want)):i]
            if got != want:
                bad_preceded.append((end, i, got))
    print("preceded %s %d initiations, %d not preceded as they should be %s" %
          ("ok" if initiations and not bad_preceded else "fail", initiations, len(bad_preceded), bad_preceded[:3]))
    junk = counts.get("a junk", 0) + counts.get("b junk", 0)
    print("junk %s %d junk datagrams, each in its range (by classification)" % ("ok" if junk else "fail", junk))
    print("counts %s %s" % ("ok" if initiations else "fail", json.dumps(counts, sort_keys=True)))


main()
