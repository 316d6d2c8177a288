#!/usr/bin/env python3
"""Helpers of 84-analyze: our JSON and tshark's output side by side, a pcap's packets, a replay.

  fields JSONL             wgc analyze --json's messages as tshark's wg fields print them
  decrypted                tshark -x's "Decrypted Packet" sections (stdin) as one hex line each
  packets PCAP             a classic pcap's packets as one hex line each
  resend PCAP DST PORT     sends the first captured data message with a payload to DST:PORT again
"""
import json
import socket
import struct
import sys


def fields(path):
    for line in open(path):
        o = json.loads(line)
        m = o.get("message")
        if not m or m.get("kind") != "message":
            continue
        types = {"initiation": 1, "response": 2, "cookie": 3, "data": 4}
        hexed = lambda k: "0x%08x" % m[k] if k in m else ""
        print("\t".join([str(m["frame"]), str(types[m["type"]]), hexed("sender"), hexed("receiver"),
                         str(m["counter"]) if "counter" in m else ""]))


def decrypted():
    out, current = [], None
    for line in sys.stdin:
        line = line.rstrip("\n")
        if line.startswith("Decrypted Packet"):
            current = []
            continue
        if current is not None:
            if not line.strip():
                out.append("".join(current))
                current = None
                continue
            # "0000  45 00 ...   text": the hex bytes sit between the offset and the two spaces before the text
            current.append("".join(line[6:53].split()))
    if current:
        out.append("".join(current))
    for p in out:
        print(p)


def read_pcap(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        sys.exit("%s: not a little-endian classic pcap" % path)
    linktype = struct.unpack("<I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack("<IIII", data[off:off + 16])
        yield linktype, data[off + 16:off + 16 + caplen]
        off += 16 + caplen


def packets(path):
    for _, p in read_pcap(path):
        print(p.hex())


def udp_datagram(linktype, frame):
    """(destination port, payload) of a UDP datagram, or None."""
    ip = frame[14:] if linktype == 1 else frame
    if ip[0] >> 4 == 4 and ip[9] == 17:
        udp = ip[(ip[0] & 15) * 4:]
    elif ip[0] >> 4 == 6 and ip[6] == 17:
        udp = ip[40:]
    else:
        return None
    return struct.unpack(">H", udp[2:4])[0], udp[8:]


def resend(path, dst, port):
    for linktype, frame in read_pcap(path):
        datagram = udp_datagram(linktype, frame)
        if not datagram or datagram[0] != int(port):
            continue
        payload = datagram[1]
        if payload[0] == 4 and len(payload) > 32:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.sendto(payload, (dst, int(port)))
            print(struct.unpack("<Q", payload[8:16])[0])
            return
    sys.exit("no data message in " + path)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "fields":
        fields(sys.argv[2])
    elif cmd == "decrypted":
        decrypted()
    elif cmd == "packets":
        packets(sys.argv[2])
    elif cmd == "resend":
        resend(*sys.argv[2:5])
