#!/usr/bin/env python3
"""Hostile clients for a WireGuard-over-TCP listener.

  tcp-hostile.py MODE HOST PORT SOURCE [ARG]

MODE:
  random   4 KiB of random bytes
  zero     a frame length of 0
  long     a frame length of 65535, then only a few bytes of its body
  stall    a frame of 1000 bytes of which only 10 ever come
  flood    ARG connections at once (default 2000), held for 8 s
Each connects from SOURCE, waits up to 15 s for the listener to close on it, and prints one
line of JSON: how many bytes came back (a listener must never answer these), whether and
after how long it was closed; flood adds how many of its connections were closed by then and
how many connected at all.
"""
import json
import os
import select
import socket
import sys
import time


def connect(host, port, source):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    s.bind((source, 0))
    s.connect((host, port))
    return s


def wait_closed(s, limit):
    """Bytes received and seconds until EOF or reset (None: still open after `limit`)."""
    start = time.monotonic()
    got = 0
    while time.monotonic() - start < limit:
        r, _, _ = select.select([s], [], [], 0.2)
        if not r:
            continue
        try:
            data = s.recv(65536)
        except ConnectionResetError:
            return got, time.monotonic() - start
        if not data:
            return got, time.monotonic() - start
        got += len(data)
    return got, None


def single(mode, host, port, source):
    s = connect(host, port, source)
    payload = {
        "random": os.urandom(4096),
        "zero": b"\x00\x00" + os.urandom(64),
        "long": b"\xff\xff" + os.urandom(100),
        "stall": b"\x03\xe8" + os.urandom(10),
    }[mode]
    try:
        s.sendall(payload)
    except OSError:
        pass
    got, closed = wait_closed(s, 15)
    return {"mode": mode, "received": got, "closed": closed is not None, "seconds": closed}


def flood(host, port, source, n):
    socks, connected = [], 0
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.bind((source, 0))
        try:
            s.connect((host, port))
        except BlockingIOError:
            pass
        socks.append(s)
    deadline = time.monotonic() + 8
    closed, received, pending = set(), 0, set(range(n))
    done_connecting = set()
    while time.monotonic() < deadline:
        poll = select.poll()
        for i in range(n):
            if i not in closed:
                poll.register(socks[i].fileno(), select.POLLIN | (select.POLLOUT if i not in done_connecting else 0))
        fd_index = {socks[i].fileno(): i for i in range(n)}
        for fd, ev in poll.poll(200):
            i = fd_index[fd]
            if ev & select.POLLOUT and i not in done_connecting:
                done_connecting.add(i)
                if socks[i].getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                    connected += 1
            if ev & (select.POLLIN | select.POLLHUP | select.POLLERR):
                try:
                    data = socks[i].recv(65536)
                except OSError:
                    data = b""
                if data:
                    received += len(data)
                else:
                    closed.add(i)
    for s in socks:
        s.close()
    return {"mode": "flood", "connections": n, "connected": connected, "closed_by_listener": len(closed),
            "received": received}


def main():
    mode, host, port, source = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    if mode == "flood":
        result = flood(host, port, source, int(sys.argv[5]) if len(sys.argv) > 5 else 2000)
    else:
        result = single(mode, host, port, source)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
