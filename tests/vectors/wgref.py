#!/usr/bin/python3
"""
wgref.py -- independent reference implementation of the WireGuard handshake
and transport crypto, written from the WireGuard whitepaper (section 5.4,
"Messages"; draft revision e2da747, June 1 2020) and used to generate
known-answer test vectors for a C implementation.

Run:  /usr/bin/python3 tests/vectors/wgref.py   (writes wgref.txt next to it)

Primitives (whitepaper 5.4):
  Hash(x)            = BLAKE2s(x), 32-byte digest
  Mac(key, x)        = keyed BLAKE2s(key, x), 16-byte digest
  Hmac(key, x)       = HMAC (RFC 2104) over BLAKE2s-256, block size 64
  Kdf_n(key, x)      : t0 = Hmac(key, x); t1 = Hmac(t0, 0x01);
                       t_i = Hmac(t0, t_{i-1} || i); returns (t1..tn)
  Aead(k, ctr, p, a) = ChaCha20Poly1305 (RFC 7539/8439) with
                       nonce = 0x00000000 || little-endian u64 ctr
  Xaead(k, n, p, a)  = XChaCha20Poly1305: subkey = HChaCha20(k, n[0:16]),
                       then ChaCha20Poly1305(subkey, 0x00000000 || n[16:24])
  DH(priv, pub)      = X25519
  Timestamp()        = TAI64N, 12 bytes: BE u64 seconds label, BE u32 nanos

Only `cryptography` (X25519, ChaCha20Poly1305), hashlib.blake2s and hmac are
used; HChaCha20 is implemented here.  A small pure-Python X25519 is included
solely to cross-check the library's results.
"""

import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey, X25519PublicKey)
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives import serialization
from cryptography.exceptions import InvalidTag

# ---------------------------------------------------------------------------
# Constants (whitepaper 5.4)
# ---------------------------------------------------------------------------
CONSTRUCTION = b"Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"   # 37 bytes
IDENTIFIER = b"WireGuard v1 zx2c4 Jason@zx2c4.com"        # 34 bytes
LABEL_MAC1 = b"mac1----"                                  # 8 bytes
LABEL_COOKIE = b"cookie--"                                # 8 bytes
assert len(CONSTRUCTION) == 37 and len(IDENTIFIER) == 34
assert len(LABEL_MAC1) == 8 and len(LABEL_COOKIE) == 8

MSG_INITIATION = 1
MSG_RESPONSE = 2
MSG_COOKIE_REPLY = 3
MSG_TRANSPORT = 4

INITIATION_LEN = 148
RESPONSE_LEN = 92
COOKIE_REPLY_LEN = 64
TRANSPORT_HEADER_LEN = 16

EMPTY = b""


# ---------------------------------------------------------------------------
# Hash / MAC / HMAC / KDF
# ---------------------------------------------------------------------------
def HASH(data):
    return hashlib.blake2s(data, digest_size=32).digest()


def MAC(key, data):
    return hashlib.blake2s(data, digest_size=16, key=key).digest()


def HMAC(key, data):
    # hashlib.blake2s: digest_size 32, block_size 64 -> HMAC-BLAKE2s-256
    return hmac.new(key, data, hashlib.blake2s).digest()


def KDF(n, key, data):
    """HKDF as in the whitepaper: returns the n-tuple (t1, ..., tn)."""
    assert 1 <= n <= 3
    t0 = HMAC(key, data)
    out = []
    prev = EMPTY
    for i in range(1, n + 1):
        prev = HMAC(t0, prev + bytes([i]))
        out.append(prev)
    return tuple(out)


def KDF1(key, data):
    return KDF(1, key, data)[0]


def KDF2(key, data):
    return KDF(2, key, data)


def KDF3(key, data):
    return KDF(3, key, data)


# ---------------------------------------------------------------------------
# AEAD (ChaCha20Poly1305, counter nonce) and XAEAD (XChaCha20Poly1305)
# ---------------------------------------------------------------------------
def aead_nonce(counter):
    return b"\x00" * 4 + struct.pack("<Q", counter)


def AEAD_ENC(key, counter, plaintext, aad):
    return ChaCha20Poly1305(key).encrypt(aead_nonce(counter), plaintext, aad)


def AEAD_DEC(key, counter, ciphertext, aad):
    return ChaCha20Poly1305(key).decrypt(aead_nonce(counter), ciphertext, aad)


def _rotl32(v, c):
    return ((v << c) & 0xffffffff) | (v >> (32 - c))


def _quarter_round(s, a, b, c, d):
    s[a] = (s[a] + s[b]) & 0xffffffff; s[d] = _rotl32(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & 0xffffffff; s[b] = _rotl32(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b]) & 0xffffffff; s[d] = _rotl32(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & 0xffffffff; s[b] = _rotl32(s[b] ^ s[c], 7)


def hchacha20(key, nonce16):
    """HChaCha20 (draft-irtf-cfrg-xchacha section 2.2): ChaCha20 block
    function with a 16-byte nonce in words 12..15, 20 rounds, no final
    addition of the input state; output = words 0..3 || words 12..15."""
    assert len(key) == 32 and len(nonce16) == 16
    s = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]   # "expand 32-byte k"
    s += list(struct.unpack("<8I", key))
    s += list(struct.unpack("<4I", nonce16))
    for _ in range(10):   # 10 double rounds = 20 rounds
        _quarter_round(s, 0, 4, 8, 12)
        _quarter_round(s, 1, 5, 9, 13)
        _quarter_round(s, 2, 6, 10, 14)
        _quarter_round(s, 3, 7, 11, 15)
        _quarter_round(s, 0, 5, 10, 15)
        _quarter_round(s, 1, 6, 11, 12)
        _quarter_round(s, 2, 7, 8, 13)
        _quarter_round(s, 3, 4, 9, 14)
    return struct.pack("<8I", *(s[0:4] + s[12:16]))


def _xaead(key, nonce24):
    assert len(nonce24) == 24
    subkey = hchacha20(key, nonce24[:16])
    return ChaCha20Poly1305(subkey), b"\x00" * 4 + nonce24[16:24]


def XAEAD_ENC(key, nonce24, plaintext, aad):
    c, n = _xaead(key, nonce24)
    return c.encrypt(n, plaintext, aad)


def XAEAD_DEC(key, nonce24, ciphertext, aad):
    c, n = _xaead(key, nonce24)
    return c.decrypt(n, ciphertext, aad)


# ---------------------------------------------------------------------------
# X25519
# ---------------------------------------------------------------------------
def clamp(k):
    b = bytearray(k)
    b[0] &= 248
    b[31] &= 127
    b[31] |= 64
    return bytes(b)


def DH(private, public):
    return X25519PrivateKey.from_private_bytes(private).exchange(
        X25519PublicKey.from_public_bytes(public))


def DH_PUBKEY(private):
    return X25519PrivateKey.from_private_bytes(private).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def x25519_pure(k, u):
    """RFC 7748 section 5 Montgomery ladder; used only as a cross-check."""
    p = 2 ** 255 - 19
    a24 = 121665
    k = int.from_bytes(clamp(k), "little")
    u = int.from_bytes(u, "little") & ((1 << 255) - 1)
    x1, x2, z2, x3, z3, swap = u, 1, 0, u, 1, 0
    for t in reversed(range(255)):
        kt = (k >> t) & 1
        swap ^= kt
        if swap:
            x2, x3, z2, z3 = x3, x2, z3, z2
        swap = kt
        A = (x2 + z2) % p; AA = A * A % p
        B = (x2 - z2) % p; BB = B * B % p
        E = (AA - BB) % p
        C = (x3 + z3) % p; D = (x3 - z3) % p
        DA = D * A % p; CB = C * B % p
        x3 = (DA + CB) ** 2 % p
        z3 = x1 * (DA - CB) ** 2 % p
        x2 = AA * BB % p
        z2 = E * (AA + a24 * E) % p
    if swap:
        x2, x3, z2, z3 = x3, x2, z3, z2
    return (x2 * pow(z2, p - 2, p) % p).to_bytes(32, "little")


# ---------------------------------------------------------------------------
# TAI64N
# ---------------------------------------------------------------------------
def tai64n(unix_seconds, nanoseconds):
    # TAI64 label = 2^62 + TAI seconds; 1970-01-01 UTC = TAI - 10 s
    # (the +10 convention used by libtai / WireGuard implementations).
    return struct.pack(">QI", (1 << 62) + 10 + unix_seconds, nanoseconds)


# ---------------------------------------------------------------------------
# mac1 / mac2 / cookies (whitepaper 5.4.4, 5.4.7)
# ---------------------------------------------------------------------------
def mac1_key(receiver_static_public):
    return HASH(LABEL_MAC1 + receiver_static_public)


def cookie_key(cookie_sender_static_public):
    return HASH(LABEL_COOKIE + cookie_sender_static_public)


def add_macs(msg_without_macs, receiver_static_public, cookie=None):
    """msg_without_macs = all bytes before mac1. Returns msg || mac1 || mac2."""
    mac1 = MAC(mac1_key(receiver_static_public), msg_without_macs)
    msg_b = msg_without_macs + mac1
    mac2 = MAC(cookie, msg_b) if cookie is not None else b"\x00" * 16
    return msg_b + mac2


def verify_mac1(msg, my_static_public):
    off = len(msg) - 32
    return hmac.compare_digest(msg[off:off + 16],
                               MAC(mac1_key(my_static_public), msg[:off]))


def verify_mac2(msg, cookie):
    off = len(msg) - 16
    return hmac.compare_digest(msg[off:], MAC(cookie, msg[:off]))


def source_address_bytes(ip_bytes, port):
    # IP address in network byte order (4 or 16 bytes) || UDP port big-endian
    assert len(ip_bytes) in (4, 16)
    return ip_bytes + struct.pack(">H", port)


def make_cookie(secret, ip_bytes, port):
    return MAC(secret, source_address_bytes(ip_bytes, port))


def create_cookie_reply(receiver_index, nonce24, cookie, my_static_public,
                        mac1_of_triggering_msg):
    enc = XAEAD_ENC(cookie_key(my_static_public), nonce24, cookie,
                    mac1_of_triggering_msg)
    msg = struct.pack("<B3xI", MSG_COOKIE_REPLY, receiver_index) + nonce24 + enc
    assert len(msg) == COOKIE_REPLY_LEN
    return msg


def consume_cookie_reply(msg, peer_static_public, my_last_mac1):
    assert len(msg) == COOKIE_REPLY_LEN and msg[0:4] == b"\x03\x00\x00\x00"
    (receiver,) = struct.unpack_from("<I", msg, 4)
    nonce24 = msg[8:32]
    cookie = XAEAD_DEC(cookie_key(peer_static_public), nonce24, msg[32:64],
                       my_last_mac1)
    return receiver, cookie


# ---------------------------------------------------------------------------
# Handshake (whitepaper 5.4.2, 5.4.3, 5.4.5)
# ---------------------------------------------------------------------------
def initial_chaining_key():
    return HASH(CONSTRUCTION)


def initial_hash(chaining_key):
    return HASH(chaining_key + IDENTIFIER)


class Initiator:
    def __init__(self, static_private, responder_static_public, psk,
                 ephemeral_private, sender_index):
        self.s_priv = static_private
        self.s_pub = DH_PUBKEY(static_private)
        self.rs_pub = responder_static_public
        self.psk = psk
        self.e_priv = ephemeral_private
        self.e_pub = DH_PUBKEY(ephemeral_private)
        self.index = sender_index

    def create_initiation(self, timestamp, cookie=None):
        C = initial_chaining_key()
        H = initial_hash(C)
        H = HASH(H + self.rs_pub)
        C = KDF1(C, self.e_pub)
        H = HASH(H + self.e_pub)
        C, k = KDF2(C, DH(self.e_priv, self.rs_pub))
        enc_static = AEAD_ENC(k, 0, self.s_pub, H)
        H = HASH(H + enc_static)
        C, k = KDF2(C, DH(self.s_priv, self.rs_pub))
        enc_ts = AEAD_ENC(k, 0, timestamp, H)
        H = HASH(H + enc_ts)
        self.C, self.H = C, H
        body = (struct.pack("<B3xI", MSG_INITIATION, self.index) + self.e_pub +
                enc_static + enc_ts)
        assert len(body) == 116
        msg = add_macs(body, self.rs_pub, cookie)
        assert len(msg) == INITIATION_LEN
        self.last_mac1 = msg[116:132]
        return msg

    def consume_response(self, msg):
        assert len(msg) == RESPONSE_LEN and msg[0:4] == b"\x02\x00\x00\x00"
        assert verify_mac1(msg, self.s_pub), "response mac1 invalid"
        sender, receiver = struct.unpack_from("<II", msg, 4)
        assert receiver == self.index, "response receiver index mismatch"
        re_pub = msg[12:44]
        enc_empty = msg[44:60]
        C, H = self.C, self.H
        C = KDF1(C, re_pub)
        H = HASH(H + re_pub)
        C = KDF1(C, DH(self.e_priv, re_pub))
        C = KDF1(C, DH(self.s_priv, re_pub))
        C, tau, k = KDF3(C, self.psk)
        H = HASH(H + tau)
        assert AEAD_DEC(k, 0, enc_empty, H) == EMPTY   # raises InvalidTag on failure
        H = HASH(H + enc_empty)
        self.C, self.H = C, H
        self.peer_index = sender
        self.send_key, self.recv_key = KDF2(C, EMPTY)
        return sender


class Responder:
    def __init__(self, static_private, psk, ephemeral_private, sender_index):
        self.s_priv = static_private
        self.s_pub = DH_PUBKEY(static_private)
        self.psk = psk
        self.e_priv = ephemeral_private
        self.e_pub = DH_PUBKEY(ephemeral_private)
        self.index = sender_index

    def consume_initiation(self, msg):
        assert len(msg) == INITIATION_LEN and msg[0:4] == b"\x01\x00\x00\x00"
        assert verify_mac1(msg, self.s_pub), "initiation mac1 invalid"
        (sender,) = struct.unpack_from("<I", msg, 4)
        ie_pub = msg[8:40]
        enc_static = msg[40:88]
        enc_ts = msg[88:116]
        C = initial_chaining_key()
        H = initial_hash(C)
        H = HASH(H + self.s_pub)
        C = KDF1(C, ie_pub)
        H = HASH(H + ie_pub)
        C, k = KDF2(C, DH(self.s_priv, ie_pub))
        is_pub = AEAD_DEC(k, 0, enc_static, H)
        H = HASH(H + enc_static)
        C, k = KDF2(C, DH(self.s_priv, is_pub))
        timestamp = AEAD_DEC(k, 0, enc_ts, H)
        H = HASH(H + enc_ts)
        self.C, self.H = C, H
        self.peer_index, self.is_pub, self.ie_pub = sender, is_pub, ie_pub
        self.last_mac1 = msg[116:132]
        return is_pub, timestamp

    def create_response(self, cookie=None):
        C, H = self.C, self.H
        C = KDF1(C, self.e_pub)
        H = HASH(H + self.e_pub)
        C = KDF1(C, DH(self.e_priv, self.ie_pub))
        C = KDF1(C, DH(self.e_priv, self.is_pub))
        C, tau, k = KDF3(C, self.psk)
        H = HASH(H + tau)
        enc_empty = AEAD_ENC(k, 0, EMPTY, H)
        H = HASH(H + enc_empty)
        self.C, self.H = C, H
        body = (struct.pack("<B3xII", MSG_RESPONSE, self.index, self.peer_index) +
                self.e_pub + enc_empty)
        assert len(body) == 60
        msg = add_macs(body, self.is_pub, cookie)
        assert len(msg) == RESPONSE_LEN
        self.recv_key, self.send_key = KDF2(C, EMPTY)
        return msg


# ---------------------------------------------------------------------------
# Transport data (whitepaper 5.4.6)
# ---------------------------------------------------------------------------
def pad16(packet):
    return packet + b"\x00" * ((-len(packet)) % 16)


def create_transport(send_key, receiver_index, counter, packet):
    header = struct.pack("<B3xIQ", MSG_TRANSPORT, receiver_index, counter)
    return header + AEAD_ENC(send_key, counter, pad16(packet), EMPTY)


def consume_transport(recv_key, msg):
    assert msg[0:4] == b"\x04\x00\x00\x00"
    receiver, counter = struct.unpack_from("<IQ", msg, 4)
    return receiver, counter, AEAD_DEC(recv_key, counter, msg[16:], EMPTY)


# ---------------------------------------------------------------------------
# Known-answer self tests of the primitives
# ---------------------------------------------------------------------------
def selftest_primitives():
    # draft-irtf-cfrg-xchacha-03 section 2.2.1 (HChaCha20 test vector)
    k = bytes(range(32))
    n = bytes.fromhex("000000090000004a0000000031415927")
    assert hchacha20(k, n).hex() == (
        "82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc")

    # draft-irtf-cfrg-xchacha-03 appendix A.3.1 (XChaCha20-Poly1305 AEAD)
    pt = (b"Ladies and Gentlemen of the class of '99: If I could offer you "
          b"only one tip for the future, sunscreen would be it.")
    aad = bytes.fromhex("50515253c0c1c2c3c4c5c6c7")
    key = bytes(range(0x80, 0xa0))
    iv = bytes(range(0x40, 0x58))
    ct = XAEAD_ENC(key, iv, pt, aad)
    assert ct.hex() == (
        "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb"
        "731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452"
        "2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
        "21f9664c97637da9768812f615c68b13b52e"
        "c0875924c1c7987947deafd8780acf49"), ct.hex()
    assert XAEAD_DEC(key, iv, ct, aad) == pt

    # RFC 7748 section 5.2, first X25519 test vector (pure and library)
    sc = bytes.fromhex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4")
    u = bytes.fromhex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c")
    exp = "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"
    assert x25519_pure(sc, u).hex() == exp
    assert DH(sc, u).hex() == exp

    # HMAC-BLAKE2s: compare the hmac module against a by-hand RFC 2104 build
    def hmac_by_hand(key, msg):
        if len(key) > 64:
            key = HASH(key)
        key = key.ljust(64, b"\x00")
        ipad = bytes(b ^ 0x36 for b in key)
        opad = bytes(b ^ 0x5c for b in key)
        return HASH(opad + HASH(ipad + msg))
    for kk, mm in ((bytes(range(32)), b"abc"), (b"k" * 100, b""), (b"", b"x" * 200)):
        assert HMAC(kk, mm) == hmac_by_hand(kk, mm)

    # BLAKE2s-256("abc") (RFC 7693 appendix B)
    assert HASH(b"abc").hex() == (
        "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982")


# ---------------------------------------------------------------------------
# Fixed scenario
# ---------------------------------------------------------------------------
def seed(label, size=32):
    return hashlib.blake2s(label, digest_size=size).digest()


INITIATOR_STATIC_PRIVATE = seed(b"wgref initiator static")
RESPONDER_STATIC_PRIVATE = seed(b"wgref responder static")
INITIATOR_EPHEMERAL_PRIVATE = seed(b"wgref initiator ephemeral")
RESPONDER_EPHEMERAL_PRIVATE = seed(b"wgref responder ephemeral")
PRESHARED_KEY = seed(b"wgref preshared key")
TIMESTAMP_UNIX_SECONDS = 1700000000          # 2023-11-14T22:13:20Z
TIMESTAMP_NANOSECONDS = 7 << 24           # a multiple of 2^24: senders round down to that
TIMESTAMP = tai64n(TIMESTAMP_UNIX_SECONDS, TIMESTAMP_NANOSECONDS)
INITIATOR_SENDER_INDEX = 0x11223344
RESPONDER_SENDER_INDEX = 0x55667788
COOKIE_SECRET = seed(b"wgref cookie secret")
COOKIE_SOURCE_IP = bytes([192, 0, 2, 1])
COOKIE_SOURCE_PORT = 51820
COOKIE_NONCE = seed(b"wgref cookie nonce", 24)


def inet_checksum(data):
    if len(data) % 2:
        data += b"\x00"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def make_icmp_packet():
    """28-byte IPv4 (20) + ICMP echo request (8), 10.0.0.1 -> 10.0.0.2."""
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 0x0001, 0x0000,
                               64, 1, 0, bytes([10, 0, 0, 1]),
                               bytes([10, 0, 0, 2])))
    ip[10:12] = struct.pack("!H", inet_checksum(bytes(ip)))
    icmp = bytearray(struct.pack("!BBHHH", 8, 0, 0, 0x1234, 0x0001))
    icmp[2:4] = struct.pack("!H", inet_checksum(bytes(icmp)))
    pkt = bytes(ip + icmp)
    assert len(pkt) == 28 and pkt[:4] == bytes.fromhex("4500001c")
    return pkt


def run_handshake(psk):
    ini = Initiator(INITIATOR_STATIC_PRIVATE, DH_PUBKEY(RESPONDER_STATIC_PRIVATE),
                    psk, INITIATOR_EPHEMERAL_PRIVATE, INITIATOR_SENDER_INDEX)
    res = Responder(RESPONDER_STATIC_PRIVATE, psk, RESPONDER_EPHEMERAL_PRIVATE,
                    RESPONDER_SENDER_INDEX)
    init_msg = ini.create_initiation(TIMESTAMP)
    after_init = (ini.H, ini.C)

    # responder side: consume, check decrypted static + timestamp
    is_pub, ts = res.consume_initiation(init_msg)
    assert is_pub == ini.s_pub, "decrypted initiator static mismatch"
    assert ts == TIMESTAMP, "decrypted timestamp mismatch"
    assert (res.H, res.C) == after_init, "state after initiation differs"

    resp_msg = res.create_response()
    # initiator side: consume response
    assert ini.consume_response(resp_msg) == RESPONDER_SENDER_INDEX
    assert (ini.H, ini.C) == (res.H, res.C), "state after response differs"
    assert ini.send_key == res.recv_key and ini.recv_key == res.send_key
    assert ini.send_key != ini.recv_key
    # cross-check against the generic Noise SymmetricState formulation
    m1, m2, (k1, k2) = noise_cross_check(
        INITIATOR_STATIC_PRIVATE, RESPONDER_STATIC_PRIVATE,
        INITIATOR_EPHEMERAL_PRIVATE, RESPONDER_EPHEMERAL_PRIVATE, psk, TIMESTAMP)
    assert m1 == (after_init[0], after_init[1], init_msg[8:116])
    assert m2 == (ini.H, ini.C, resp_msg[12:60])
    assert (k1, k2) == (ini.send_key, ini.recv_key)
    return ini, res, init_msg, after_init, resp_msg


class NoiseSymmetricState:
    """Noise spec (rev 34) sections 5.1/5.2 SymmetricState + CipherState,
    written from the Noise spec rather than from the whitepaper's linear
    formulas; used only to cross-check the handshake above."""
    def __init__(self, protocol_name):
        if len(protocol_name) <= 32:
            self.h = protocol_name.ljust(32, b"\x00")
        else:
            self.h = HASH(protocol_name)
        self.ck = self.h
        self.k, self.n = None, 0

    def mix_hash(self, data):
        self.h = HASH(self.h + data)

    def mix_key(self, ikm):
        self.ck, self.k = KDF2(self.ck, ikm)
        self.n = 0

    def mix_key_and_hash(self, ikm):
        self.ck, temp_h, self.k = KDF3(self.ck, ikm)
        self.n = 0
        self.mix_hash(temp_h)

    def encrypt_and_hash(self, plaintext):
        c = AEAD_ENC(self.k, self.n, plaintext, self.h)
        self.n += 1
        self.mix_hash(c)
        return c

    def split(self):
        return KDF2(self.ck, EMPTY)


def noise_cross_check(s_i, s_r, e_i, e_r, psk, timestamp):
    """Noise_IKpsk2 from the initiator's view; returns the pieces to compare."""
    rs = DH_PUBKEY(s_r)
    ss = NoiseSymmetricState(CONSTRUCTION)
    ss.mix_hash(IDENTIFIER)                 # prologue
    ss.mix_hash(rs)                         # pre-message  <- s
    # -> e, es, s, ss   (psk mode: token e also does MixKey(e.pub))
    e_pub = DH_PUBKEY(e_i)
    ss.mix_hash(e_pub); ss.mix_key(e_pub)
    ss.mix_key(DH(e_i, rs))
    enc_s = ss.encrypt_and_hash(DH_PUBKEY(s_i))
    ss.mix_key(DH(s_i, rs))
    enc_ts = ss.encrypt_and_hash(timestamp)
    m1 = (ss.h, ss.ck, e_pub + enc_s + enc_ts)
    # <- e, ee, se, psk   (payload empty)
    re_pub = DH_PUBKEY(e_r)
    ss.mix_hash(re_pub); ss.mix_key(re_pub)
    ss.mix_key(DH(e_i, re_pub))
    ss.mix_key(DH(s_i, re_pub))
    ss.mix_key_and_hash(psk)
    enc_empty = ss.encrypt_and_hash(EMPTY)
    m2 = (ss.h, ss.ck, re_pub + enc_empty)
    return m1, m2, ss.split()


def res_last_mac1_sent(response_msg):
    return response_msg[60:76]


def main():
    selftest_primitives()
    out = []

    def emit(name, value):
        if isinstance(value, int):
            value = struct.pack("<I", value)  # indices emitted as LE wire bytes
        out.append("%s = %s" % (name, value.hex()))

    # --- KDF / HMAC / MAC known answers ------------------------------------
    kkey = bytes(range(32))
    for tag, data in (("input", b"wgc kdf test input"), ("empty", EMPTY)):
        if data:
            emit("kat_key", kkey)
            emit("kat_input", data)
        emit("kat_hmac_%s" % tag, HMAC(kkey, data))
        emit("kat_mac_%s" % tag, MAC(kkey, data))
        emit("kat_kdf1_%s_t1" % tag, KDF1(kkey, data))
        t1, t2 = KDF2(kkey, data)
        emit("kat_kdf2_%s_t1" % tag, t1)
        emit("kat_kdf2_%s_t2" % tag, t2)
        u1, u2, u3 = KDF3(kkey, data)
        assert (u1, u2) == (t1, t2) and u1 == KDF1(kkey, data)
        emit("kat_kdf3_%s_t1" % tag, u1)
        emit("kat_kdf3_%s_t2" % tag, u2)
        emit("kat_kdf3_%s_t3" % tag, u3)

    # --- fixed inputs -----------------------------------------------------
    i_pub = DH_PUBKEY(INITIATOR_STATIC_PRIVATE)
    r_pub = DH_PUBKEY(RESPONDER_STATIC_PRIVATE)
    ie_pub = DH_PUBKEY(INITIATOR_EPHEMERAL_PRIVATE)
    re_pub = DH_PUBKEY(RESPONDER_EPHEMERAL_PRIVATE)
    for priv, pub in ((INITIATOR_STATIC_PRIVATE, i_pub),
                      (RESPONDER_STATIC_PRIVATE, r_pub),
                      (INITIATOR_EPHEMERAL_PRIVATE, ie_pub),
                      (RESPONDER_EPHEMERAL_PRIVATE, re_pub)):
        assert DH_PUBKEY(clamp(priv)) == pub                       # clamping
        assert x25519_pure(priv, (9).to_bytes(32, "little")) == pub  # cross-check
    assert DH(INITIATOR_STATIC_PRIVATE, r_pub) == x25519_pure(RESPONDER_STATIC_PRIVATE, i_pub)

    emit("initiator_static_private", INITIATOR_STATIC_PRIVATE)
    emit("initiator_static_private_clamped", clamp(INITIATOR_STATIC_PRIVATE))
    emit("initiator_static_public", i_pub)
    emit("responder_static_private", RESPONDER_STATIC_PRIVATE)
    emit("responder_static_private_clamped", clamp(RESPONDER_STATIC_PRIVATE))
    emit("responder_static_public", r_pub)
    emit("preshared_key", PRESHARED_KEY)
    emit("initiator_ephemeral_private", INITIATOR_EPHEMERAL_PRIVATE)
    emit("initiator_ephemeral_private_clamped", clamp(INITIATOR_EPHEMERAL_PRIVATE))
    emit("initiator_ephemeral_public", ie_pub)
    emit("responder_ephemeral_private", RESPONDER_EPHEMERAL_PRIVATE)
    emit("responder_ephemeral_private_clamped", clamp(RESPONDER_EPHEMERAL_PRIVATE))
    emit("responder_ephemeral_public", re_pub)
    emit("timestamp", TIMESTAMP)
    emit("initiator_sender_index_le", INITIATOR_SENDER_INDEX)
    emit("responder_sender_index_le", RESPONDER_SENDER_INDEX)

    # --- intermediate constants -------------------------------------------
    C0 = initial_chaining_key()
    emit("initial_chaining_key", C0)
    emit("initial_hash", initial_hash(C0))
    emit("mac1_key_responder", mac1_key(r_pub))   # for messages TO the responder
    emit("mac1_key_initiator", mac1_key(i_pub))   # for messages TO the initiator
    emit("cookie_key_responder", cookie_key(r_pub))

    # --- handshake with PSK -----------------------------------------------
    ini, res, init_msg, (h1, c1), resp_msg = run_handshake(PRESHARED_KEY)
    emit("initiation_hash", h1)
    emit("initiation_chaining_key", c1)
    emit("initiation", init_msg)
    emit("initiation_mac1", init_msg[116:132])
    emit("response", resp_msg)
    emit("response_mac1", resp_msg[60:76])
    emit("response_hash", ini.H)
    emit("response_chaining_key", ini.C)
    emit("initiator_send_key", ini.send_key)
    emit("initiator_recv_key", ini.recv_key)
    emit("responder_send_key", res.send_key)
    emit("responder_recv_key", res.recv_key)

    # --- transport ----------------------------------------------------------
    pkt = make_icmp_packet()
    emit("transport_plaintext", pkt)
    emit("transport_plaintext_padded", pad16(pkt))
    t0 = create_transport(ini.send_key, ini.peer_index, 0, pkt)
    t1 = create_transport(ini.send_key, ini.peer_index, 1, EMPTY)
    assert len(t0) == 16 + 32 + 16 and len(t1) == 32
    emit("transport_counter0", t0)
    emit("transport_keepalive_counter1", t1)
    assert consume_transport(res.recv_key, t0) == (RESPONDER_SENDER_INDEX, 0, pad16(pkt))
    assert consume_transport(res.recv_key, t1) == (RESPONDER_SENDER_INDEX, 1, EMPTY)
    try:
        bad = bytearray(t0); bad[20] ^= 1
        consume_transport(res.recv_key, bytes(bad))
        raise AssertionError("tampered transport accepted")
    except InvalidTag:
        pass

    # --- cookie reply to the initiation ------------------------------------
    emit("cookie_secret", COOKIE_SECRET)
    emit("cookie_source", source_address_bytes(COOKIE_SOURCE_IP, COOKIE_SOURCE_PORT))
    cookie = make_cookie(COOKIE_SECRET, COOKIE_SOURCE_IP, COOKIE_SOURCE_PORT)
    emit("cookie", cookie)
    emit("cookie_nonce", COOKIE_NONCE)
    # responder replies (receiver = initiator's sender index), bound to mac1
    reply = create_cookie_reply(res.peer_index, COOKIE_NONCE, cookie, res.s_pub,
                                res.last_mac1)
    emit("cookie_reply", reply)
    # initiator decrypts it with the responder's public key and its last mac1
    rcv, got_cookie = consume_cookie_reply(reply, ini.rs_pub, ini.last_mac1)
    assert rcv == INITIATOR_SENDER_INDEX and got_cookie == cookie
    try:
        consume_cookie_reply(reply, ini.rs_pub, b"\x00" * 16)
        raise AssertionError("cookie reply accepted with wrong AAD")
    except InvalidTag:
        pass
    # initiation re-sent with mac2 (same bytes otherwise)
    init_mac2 = init_msg[:132] + MAC(got_cookie, init_msg[:132])
    emit("initiation_with_mac2", init_mac2)
    emit("initiation_mac2", init_mac2[132:148])
    # re-creating the initiation with the cookie gives identical bytes
    ini2 = Initiator(INITIATOR_STATIC_PRIVATE, r_pub, PRESHARED_KEY,
                     INITIATOR_EPHEMERAL_PRIVATE, INITIATOR_SENDER_INDEX)
    assert ini2.create_initiation(TIMESTAMP, cookie=got_cookie) == init_mac2
    assert init_mac2[:132] == init_msg[:132]
    # responder checks: mac1 valid, mac2 valid for cookie from its secret
    assert verify_mac1(init_mac2, r_pub)
    assert verify_mac2(init_mac2, make_cookie(COOKIE_SECRET, COOKIE_SOURCE_IP,
                                              COOKIE_SOURCE_PORT))
    assert not verify_mac2(init_mac2, make_cookie(COOKIE_SECRET, COOKIE_SOURCE_IP,
                                                  COOKIE_SOURCE_PORT + 1))

    # --- bonus: cookie reply to the RESPONSE, sent by the initiator ---------
    # Distinguishes "static public of the cookie-reply sender" (here the
    # initiator) from "responder"; for a reply to an initiation both coincide.
    emit("cookie_key_initiator", cookie_key(i_pub))
    reply2 = create_cookie_reply(ini.peer_index, COOKIE_NONCE, cookie, ini.s_pub,
                                 resp_msg[60:76])
    emit("cookie_reply_to_response", reply2)
    rcv2, got2 = consume_cookie_reply(reply2, i_pub, res_last_mac1_sent(resp_msg))
    assert rcv2 == RESPONDER_SENDER_INDEX and got2 == cookie
    emit("response_with_mac2", resp_msg[:76] + MAC(cookie, resp_msg[:76]))

    # --- same scenario without PSK (Q = 0^32) -------------------------------
    zero_psk = b"\x00" * 32
    ini_n, res_n, init_n, _, resp_n = run_handshake(zero_psk)
    assert init_n == init_msg          # the PSK only enters in the response
    assert resp_n != resp_msg
    emit("nopsk_response", resp_n)
    emit("nopsk_initiator_send_key", ini_n.send_key)
    emit("nopsk_initiator_recv_key", ini_n.recv_key)

    text = "\n".join(out) + "\n"
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "wgref.txt")
    with open(path, "w") as f:
        f.write(text)
    print(text, end="")
    print("# all self-checks passed; wrote", path)


if __name__ == "__main__":
    main()
