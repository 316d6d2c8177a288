#!/usr/bin/python3
"""kdf-reference.py CAPTURE KEYLOG [--private-key FILE]... [--check-transport]

An independent reference for `wgc analyze --trace-kdf`: rebuilds the Noise_IKpsk2 chain of each
WireGuard handshake in a classic pcap file, step by step, and prints the chaining key and hash
after each step. Written from the WireGuard whitepaper (section 5.4, "Handshake") and nothing of
wgc's own code: the pcap reader, the message finder and the key log reader are its own too.

CAPTURE  a classic pcap file (tcpdump -w): link types Ethernet (1), raw IP (101, 228, 229),
         Linux cooked SLL (113) and SLL2 (276), BSD loopback (0); IPv4 and IPv6; UDP.
KEYLOG   Wireshark's WireGuard key log: lines `LOCAL_STATIC_PRIVATE_KEY = b64`,
         `REMOTE_STATIC_PUBLIC_KEY = b64`, `LOCAL_EPHEMERAL_PRIVATE_KEY = b64`,
         `PRESHARED_KEY = b64` (a PSK belongs to the ephemeral line before it). `-` or an empty
         file for none.
--private-key FILE   a static private key (base64, as `wg genkey` writes it); any number.
--check-transport    also decrypt the transport messages with the derived keys and say on
                     stderr how many opened (nothing more on stdout).

Output (stdout), one block per handshake message that the keys allow, in frame order:

kdf frame N initiation sender 0x%08x
  initial    ck HEX h HEX
  e          ck HEX h HEX
  ...
kdf frame N response sender 0x%08x receiver 0x%08x
  ...
  keys       initiator-to-responder HEX responder-to-initiator HEX

A message whose AEAD does not open under the keys that apply prints nothing, with a note on
stderr; so does a message the key log has no keys for.
"""

import base64
import hashlib
import hmac
import struct
import sys

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives import serialization
from cryptography.exceptions import InvalidTag

# ---------------------------------------------------------------------------- primitives (5.4)

CONSTRUCTION = b"Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"
IDENTIFIER = b"WireGuard v1 zx2c4 Jason@zx2c4.com"
ZERO32 = bytes(32)


def HASH(data):
    return hashlib.blake2s(data, digest_size=32).digest()


def HMAC(key, data):
    return hmac.new(key, data, hashlib.blake2s).digest()


def KDF(n, key, data):
    """KDF_n(key, input): tau0 = HMAC(key, input), tau_i = HMAC(tau0, tau_{i-1} || i)."""
    t0 = HMAC(key, data)
    out = []
    prev = b""
    for i in range(1, n + 1):
        prev = HMAC(t0, prev + bytes([i]))
        out.append(prev)
    return out


def KDF1(key, data):
    return KDF(1, key, data)[0]


def KDF2(key, data):
    return tuple(KDF(2, key, data))


def KDF3(key, data):
    return tuple(KDF(3, key, data))


def pub_of(priv):
    return X25519PrivateKey.from_private_bytes(priv).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def DH(priv, pub):
    return X25519PrivateKey.from_private_bytes(priv).exchange(X25519PublicKey.from_public_bytes(pub))


def AEAD_OPEN(key, counter, ciphertext, ad):
    """ChaCha20-Poly1305 (RFC 7539), nonce = 32 zero bits || counter little-endian 64 bits.
    Returns the plaintext, or None when the tag does not verify."""
    nonce = b"\0\0\0\0" + struct.pack("<Q", counter)
    try:
        return ChaCha20Poly1305(key).decrypt(nonce, ciphertext, ad if ad else None)
    except InvalidTag:
        return None


def hx(b):
    return b.hex()


# ---------------------------------------------------------------------------- pcap reading

class CaptureError(Exception):
    pass


def read_pcap(path):
    """Yields (frame number from 1, UDP payload) for each UDP datagram in a classic pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise CaptureError(f"{path}: too short for a pcap header")
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    elif magic == b"\x0a\x0d\x0d\x0a":
        raise CaptureError(f"{path}: a pcapng file; this reference reads classic pcap only "
                           "(editcap -F pcap converts)")
    else:
        raise CaptureError(f"{path}: not a pcap file (magic {magic.hex()})")
    _vmaj, _vmin, _zone, _sig, _snap, linktype = struct.unpack(endian + "HHiIII", data[4:24])
    linktype &= 0x0FFFFFFF   # upper bits may carry FCS information
    off = 24
    frame = 0
    while off < len(data):
        if off + 16 > len(data):
            raise CaptureError(f"{path}: record header of frame {frame + 1} cut at byte {off}")
        _sec, _frac, incl, _orig = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        if off + incl > len(data):
            raise CaptureError(f"{path}: frame {frame + 1} cut at byte {off}")
        pkt = data[off:off + incl]
        off += incl
        frame += 1
        payload = udp_payload(linktype, pkt)
        if payload is not None:
            yield frame, payload


def udp_payload(linktype, pkt):
    """The UDP payload of one link-layer frame, or None."""
    if linktype == 1:                       # Ethernet, with any number of 802.1Q/ad tags
        if len(pkt) < 14:
            return None
        etype = struct.unpack(">H", pkt[12:14])[0]
        p = 14
        while etype in (0x8100, 0x88A8, 0x9100) and len(pkt) >= p + 4:
            etype = struct.unpack(">H", pkt[p + 2:p + 4])[0]
            p += 4
        return ip_payload(etype, pkt[p:])
    if linktype == 113:                     # Linux cooked capture v1: protocol at 14
        if len(pkt) < 16:
            return None
        return ip_payload(struct.unpack(">H", pkt[14:16])[0], pkt[16:])
    if linktype == 276:                     # Linux cooked capture v2: protocol at 0
        if len(pkt) < 20:
            return None
        return ip_payload(struct.unpack(">H", pkt[0:2])[0], pkt[20:])
    if linktype in (101, 12, 14):           # raw IP, version from the first nibble
        if not pkt:
            return None
        v = pkt[0] >> 4
        return ip_payload(0x0800 if v == 4 else 0x86DD if v == 6 else 0, pkt)
    if linktype == 228:
        return ip_payload(0x0800, pkt)
    if linktype == 229:
        return ip_payload(0x86DD, pkt)
    if linktype == 0:                       # BSD loopback: 4-byte family in host order
        if len(pkt) < 4:
            return None
        fam = struct.unpack("<I", pkt[:4])[0]
        if fam > 0xFFFF:
            fam = struct.unpack(">I", pkt[:4])[0]
        if fam == 2:
            return ip_payload(0x0800, pkt[4:])
        if fam in (10, 24, 28, 30):
            return ip_payload(0x86DD, pkt[4:])
        return None
    raise CaptureError(f"link type {linktype} not read by this reference")


def ip_payload(etype, ip):
    if etype == 0x0800:
        if len(ip) < 20 or ip[0] >> 4 != 4:
            return None
        ihl = (ip[0] & 15) * 4
        total = struct.unpack(">H", ip[2:4])[0]
        frag = struct.unpack(">H", ip[6:8])[0]
        if frag & 0x3FFF:                   # a fragment (MF or an offset): not a whole datagram
            return None
        if ip[9] != 17 or ihl < 20:
            return None
        return udp(ip[ihl:min(total, len(ip))])
    if etype == 0x86DD:
        if len(ip) < 40 or ip[0] >> 4 != 6:
            return None
        plen = struct.unpack(">H", ip[4:6])[0]
        nh = ip[6]
        rest = ip[40:40 + plen]
        while nh in (0, 43, 60, 44):
            if nh == 44:                    # fragment header
                return None
            if len(rest) < 8:
                return None
            nh, hlen = rest[0], (rest[1] + 1) * 8
            rest = rest[hlen:]
        if nh != 17:
            return None
        return udp(rest)
    return None


def udp(seg):
    if len(seg) < 8:
        return None
    ulen = struct.unpack(">H", seg[4:6])[0]
    if ulen < 8 or ulen > len(seg):
        return None                         # cut by the snap length: not the whole message
    return seg[8:ulen]


# ---------------------------------------------------------------------------- messages

def classify(p):
    """'initiation', 'response', 'transport' or None, by type, exact size and zero reserved bytes."""
    if len(p) < 4 or p[1:4] != b"\0\0\0":
        return None
    if p[0] == 1 and len(p) == 148:
        return "initiation"
    if p[0] == 2 and len(p) == 92:
        return "response"
    if p[0] == 4 and len(p) >= 32 and len(p) % 16 == 0:
        return "transport"
    return None


def le32(b):
    return struct.unpack("<I", b)[0]


# ---------------------------------------------------------------------------- key log

class Keys:
    def __init__(self):
        self.static_privs = []          # LOCAL_STATIC_PRIVATE_KEY lines and --private-key files
        self.remote_pubs = []           # REMOTE_STATIC_PUBLIC_KEY lines
        self.eph = {}                   # ephemeral public -> (private, psk or None)
        self.priv_of = {}               # any public (static or ephemeral) -> its private

    def add_static(self, priv):
        if priv not in self.static_privs:
            self.static_privs.append(priv)
        self.priv_of[pub_of(priv)] = priv

    def static_pubs(self):
        """Candidates for a responder's static public key."""
        out = []
        for k in self.remote_pubs + [pub_of(p) for p in self.static_privs]:
            if k not in out:
                out.append(k)
        return out

    def dh(self, a_pub, b_pub):
        """DH between two public keys when the private of either is known, else None."""
        if a_pub in self.priv_of:
            return DH(self.priv_of[a_pub], b_pub)
        if b_pub in self.priv_of:
            return DH(self.priv_of[b_pub], a_pub)
        return None


def b64key(text, where):
    try:
        k = base64.b64decode(text.strip(), validate=True)
    except Exception:
        k = b""
    if len(k) != 32:
        raise ValueError(f"{where}: not a base64 32-byte key")
    return k


def read_keylog(path, keys):
    if path == "-":
        return
    last_eph = None
    with open(path, "r", encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if "=" not in line:
                raise ValueError(f"{path}:{n}: not NAME = KEY")
            name, _, val = line.partition("=")
            name = name.strip()
            if name not in ("LOCAL_STATIC_PRIVATE_KEY", "REMOTE_STATIC_PUBLIC_KEY",
                            "LOCAL_EPHEMERAL_PRIVATE_KEY", "PRESHARED_KEY"):
                raise ValueError(f"{path}:{n}: unknown key log entry {name}")
            key = b64key(val, f"{path}:{n}")
            if name == "LOCAL_STATIC_PRIVATE_KEY":
                keys.add_static(key)
            elif name == "REMOTE_STATIC_PUBLIC_KEY":
                if key not in keys.remote_pubs:
                    keys.remote_pubs.append(key)
            elif name == "LOCAL_EPHEMERAL_PRIVATE_KEY":
                last_eph = pub_of(key)
                old = keys.eph.get(last_eph)
                keys.eph[last_eph] = (key, old[1] if old else None)
                keys.priv_of[last_eph] = key
            elif name == "PRESHARED_KEY":
                if last_eph is None:
                    raise ValueError(f"{path}:{n}: PRESHARED_KEY before any LOCAL_EPHEMERAL_PRIVATE_KEY")
                keys.eph[last_eph] = (keys.eph[last_eph][0], key)


# ---------------------------------------------------------------------------- the handshake

def note(msg):
    print(f"kdf-reference: {msg}", file=sys.stderr)


def trace_initiation(frame, m, keys):
    """Rebuilds an initiation. Returns (lines, state) or (None, None)."""
    sender = le32(m[4:8])
    e_i = m[8:40]
    enc_static = m[40:88]
    enc_ts = m[88:116]
    tried = False
    for s_r in keys.static_pubs():
        es = keys.dh(e_i, s_r)
        if es is None:
            continue
        tried = True
        steps = []
        ck = HASH(CONSTRUCTION)
        h = HASH(HASH(ck + IDENTIFIER) + s_r)
        steps.append(("initial", ck, h))
        ck = KDF1(ck, e_i)
        h = HASH(h + e_i)
        steps.append(("e", ck, h))
        ck, k = KDF2(ck, es)
        steps.append(("es", ck, h))
        s_i = AEAD_OPEN(k, 0, enc_static, h)
        if s_i is None:
            continue                        # not this responder
        h = HASH(h + enc_static)
        steps.append(("s", ck, h))
        ss = keys.dh(s_i, s_r)
        if ss is None:
            note(f"frame {frame}: initiation sender 0x{sender:08x}: static opened with responder "
                 f"{base64.b64encode(s_r).decode()}, but neither static private is known (ss)")
            return None, None
        ck, k = KDF2(ck, ss)
        steps.append(("ss", ck, h))
        ts = AEAD_OPEN(k, 0, enc_ts, h)
        if ts is None:
            note(f"frame {frame}: initiation sender 0x{sender:08x}: the timestamp's AEAD failed")
            return None, None
        h = HASH(h + enc_ts)
        steps.append(("timestamp", ck, h))
        lines = [f"kdf frame {frame} initiation sender 0x{sender:08x}"]
        lines += [f"  {tok:<10} ck {hx(c)} h {hx(hh)}" for tok, c, hh in steps]
        return lines, {"ck": ck, "h": h, "e_i": e_i, "s_i": s_i, "s_r": s_r,
                       "sender": sender, "frame": frame}
    if tried:
        note(f"frame {frame}: initiation sender 0x{sender:08x}: the static's AEAD failed "
             "under every responder key that applies")
    else:
        note(f"frame {frame}: initiation sender 0x{sender:08x}: no keys for it")
    return None, None


def trace_response(frame, m, init, keys):
    sender = le32(m[4:8])
    receiver = le32(m[8:12])
    e_r = m[12:44]
    enc_empty = m[44:60]
    ee = keys.dh(init["e_i"], e_r)
    se = keys.dh(init["s_i"], e_r)
    if ee is None or se is None:
        note(f"frame {frame}: response sender 0x{sender:08x}: no ephemeral private for it")
        return None, None
    psks = []
    for epub in (init["e_i"], e_r):
        if epub in keys.eph and keys.eph[epub][1] is not None:
            psks.append(keys.eph[epub][1])
    if not psks:
        psks.append(ZERO32)                 # no preshared key: Q is 32 zero bytes
    for q in psks:
        steps = []
        ck, h = init["ck"], init["h"]
        ck = KDF1(ck, e_r)
        h = HASH(h + e_r)
        steps.append(("e", ck, h))
        ck = KDF1(ck, ee)
        steps.append(("ee", ck, h))
        ck = KDF1(ck, se)
        steps.append(("se", ck, h))
        ck, tau, k = KDF3(ck, q)
        h = HASH(h + tau)
        steps.append(("psk", ck, h))
        if AEAD_OPEN(k, 0, enc_empty, h) is None:
            continue
        if len(AEAD_OPEN(k, 0, enc_empty, h)) != 0:
            note(f"frame {frame}: response sender 0x{sender:08x}: empty is not empty")
            return None, None
        h = HASH(h + enc_empty)
        steps.append(("empty", ck, h))
        t_ir, t_ri = KDF2(ck, b"")
        lines = [f"kdf frame {frame} response sender 0x{sender:08x} receiver 0x{receiver:08x}"]
        lines += [f"  {tok:<10} ck {hx(c)} h {hx(hh)}" for tok, c, hh in steps]
        lines.append(f"  {'keys':<10} initiator-to-responder {hx(t_ir)} responder-to-initiator {hx(t_ri)}")
        return lines, {"t_ir": t_ir, "t_ri": t_ri, "i_index": receiver, "r_index": sender}
    note(f"frame {frame}: response sender 0x{sender:08x}: the empty's AEAD failed "
         f"({'with the preshared key' if psks[0] != ZERO32 else 'without a preshared key'})")
    return None, None


def main(argv):
    args = []
    privfiles = []
    check_transport = False
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--private-key":
            if i + 1 >= len(argv):
                print("--private-key needs a FILE", file=sys.stderr)
                return 2
            privfiles.append(argv[i + 1])
            i += 2
            continue
        if a == "--check-transport":
            check_transport = True
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            args.append(a)
        i += 1
    if len(args) != 2:
        print("usage: kdf-reference.py CAPTURE KEYLOG [--private-key FILE]... [--check-transport]",
              file=sys.stderr)
        return 2
    capture, keylog = args
    keys = Keys()
    try:
        read_keylog(keylog, keys)
        for pf in privfiles:
            with open(pf) as f:
                keys.add_static(b64key(f.read(), pf))
    except (OSError, ValueError) as e:
        print(f"kdf-reference: {e}", file=sys.stderr)
        return 1

    inits = {}          # sender index -> latest rebuilt initiation (None: seen, not rebuilt)
    sessions = {}       # receiver index of a transport message -> (key, frame of the response)
    opened = failed = 0
    out = []
    try:
        for frame, p in read_pcap(capture):
            kind = classify(p)
            if kind == "initiation":
                lines, st = trace_initiation(frame, p, keys)
                inits[le32(p[4:8])] = st
                if lines:
                    out += lines
            elif kind == "response":
                receiver = le32(p[8:12])
                init = inits.get(receiver)
                if init is None:
                    note(f"frame {frame}: response to 0x{receiver:08x}: its initiation is "
                         + ("not rebuilt" if receiver in inits else "not in the capture"))
                    continue
                lines, ks = trace_response(frame, p, init, keys)
                if lines:
                    out += lines
                    sessions[ks["r_index"]] = ks["t_ir"]    # initiator -> responder
                    sessions[ks["i_index"]] = ks["t_ri"]    # responder -> initiator
            elif kind == "transport" and check_transport:
                key = sessions.get(le32(p[4:8]))
                if key is None:
                    continue
                counter = struct.unpack("<Q", p[8:16])[0]
                if AEAD_OPEN(key, counter, p[16:], b"") is None:
                    failed += 1
                    note(f"frame {frame}: transport counter {counter} did not open")
                else:
                    opened += 1
    except (OSError, CaptureError) as e:
        print(f"kdf-reference: {e}", file=sys.stderr)
        return 1
    sys.stdout.write("".join(line + "\n" for line in out))
    if check_transport:
        note(f"transport messages opened with the derived keys: {opened}, failed: {failed}")
        if failed:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
