#!/usr/bin/env python3
"""A transfer whose integrity can be checked: the sender streams BYTES of a seeded pseudo-random
sequence, the receiver hashes what arrives.

  transfer.py recv ADDR PORT BYTES        prints "ready", then "<sha256> <bytes> <seconds>"
  transfer.py send ADDR PORT BYTES SEED   prints "<sha256> <bytes> <seconds>"
"""
import hashlib
import random
import socket
import sys
import time

CHUNK = 1 << 16


def main():
    mode, addr, port, total = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    h = hashlib.sha256()
    start = time.monotonic()
    done = 0
    if mode == "recv":
        lsock = socket.socket(family, socket.SOCK_STREAM)
        lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lsock.bind((addr, port))
        lsock.listen(1)
        print("ready", flush=True)
        conn, _ = lsock.accept()
        start = time.monotonic()
        while done < total:
            data = conn.recv(CHUNK)
            if not data:
                break
            h.update(data)
            done += len(data)
    else:
        rng = random.Random(int(sys.argv[5]))
        conn = socket.create_connection((addr, port), timeout=60)
        while done < total:
            data = rng.randbytes(min(CHUNK, total - done))
            conn.sendall(data)
            h.update(data)
            done += len(data)
        conn.shutdown(socket.SHUT_WR)
        conn.recv(1)
    conn.close()
    print(h.hexdigest(), done, round(time.monotonic() - start, 2), flush=True)


if __name__ == "__main__":
    main()
